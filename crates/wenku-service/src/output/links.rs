//! `links`: a work's relations in both directions.

use serde::Serialize;
use wenku_model::query::Referrer;
use wenku_model::{Record, WorkId};

use super::citation::Target;

/// `work`, its `outgoing` relations (with the works each resolves to in
/// this library) and the `incoming` ones (relations of other works that
/// point at it).
#[derive(Debug, Serialize)]
pub struct Links<'a> {
    work: String,
    outgoing: Vec<Outgoing<'a>>,
    incoming: Vec<Incoming<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Outgoing<'a> {
    kind: &'static str,
    target: Target<'a>,
    resolved: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Incoming<'a> {
    kind: &'static str,
    reverse: &'static str,
    from: String,
    target: Target<'a>,
}

impl<'a> Links<'a> {
    /// `record`'s relations with `resolved`, the works each one's target
    /// resolves to ([`crate::resolve::target`]; one list per relation, in
    /// the record's order), and `incoming`, the relations that point at it.
    pub fn new(
        record: &'a Record,
        resolved: &[Vec<WorkId>],
        incoming: &'a [Referrer],
    ) -> Links<'a> {
        Links {
            work: record.work.to_string(),
            outgoing: Outgoing::all(record, resolved),
            incoming: Incoming::all(incoming),
        }
    }
}

impl<'a> Outgoing<'a> {
    pub(crate) fn all(record: &'a Record, resolved: &[Vec<WorkId>]) -> Vec<Outgoing<'a>> {
        record
            .relations
            .iter()
            .zip(resolved)
            .map(|(r, resolved)| Outgoing {
                kind: r.kind.as_str(),
                target: Target::new(&r.target),
                resolved: resolved.iter().map(|w| w.to_string()).collect(),
            })
            .collect()
    }
}

impl<'a> Incoming<'a> {
    pub(crate) fn all(incoming: &'a [Referrer]) -> Vec<Incoming<'a>> {
        incoming
            .iter()
            .map(|r| Incoming {
                kind: r.kind.as_str(),
                reverse: r.kind.reverse_str(),
                from: r.from.to_string(),
                target: Target::new(&r.target),
            })
            .collect()
    }
}
