//! A work's whole record, as the HTTP API serves it
//! (`GET /api/v1/works/{region}/{local}`).

use serde::Serialize;
use wenku_model::query::Referrer;
use wenku_model::{Date, Period, Record, WorkId};

use super::links::{Incoming, Outgoing};
use super::version::{Event, Version};

/// A work (`$defs/work` of `schemas/api-1.schema.json`): `work`, `title`,
/// `number`, `type`, `issuers`, `subjects`, its `status` on `as_of`, the
/// `versions` in legal order (each with its status on `as_of`), the
/// lifecycle `events`, the status `timeline`, and its relations both ways
/// (`outgoing` with the works each resolves to here, `incoming` from other
/// works).
#[derive(Debug, Serialize)]
pub struct Work<'a> {
    work: String,
    title: &'a str,
    number: Option<&'a str>,
    #[serde(rename = "type")]
    doc_type: &'static str,
    issuers: &'a [String],
    subjects: &'a [String],
    status: &'static str,
    as_of: String,
    versions: Vec<Version<'a>>,
    events: Vec<Event<'a>>,
    timeline: Vec<TimelinePeriod>,
    outgoing: Vec<Outgoing<'a>>,
    incoming: Vec<Incoming<'a>>,
}

/// One period of the status timeline: from `from` (null: from the start)
/// the work has `status`, and `revision` is its text (null before any
/// version takes effect).
#[derive(Debug, Serialize)]
struct TimelinePeriod {
    from: Option<String>,
    status: &'static str,
    revision: Option<String>,
}

impl From<Period> for TimelinePeriod {
    fn from(p: Period) -> TimelinePeriod {
        TimelinePeriod {
            from: p.from.map(|d| d.to_string()),
            status: p.status.as_str(),
            revision: p.revision.map(|r| r.to_string()),
        }
    }
}

impl<'a> Work<'a> {
    /// `record` as of `as_of`, with `resolved`, the works each of its
    /// relations' targets resolves to (one list per relation, in order),
    /// and `incoming`, the relations of other works that point at it.
    pub fn new(
        record: &'a Record,
        as_of: Date,
        resolved: &[Vec<WorkId>],
        incoming: &'a [Referrer],
    ) -> Work<'a> {
        Work {
            work: record.work.to_string(),
            title: &record.title,
            number: record.number.as_ref().map(|n| n.as_str()),
            doc_type: record.doc_type.as_str(),
            issuers: &record.issuers,
            subjects: &record.subjects,
            status: record.status_at(as_of).as_str(),
            as_of: as_of.to_string(),
            versions: record
                .versions
                .iter()
                .map(|v| Version::new(record, v, as_of))
                .collect(),
            events: Event::of(record),
            timeline: record.timeline().into_iter().map(Into::into).collect(),
            outgoing: Outgoing::all(record, resolved),
            incoming: Incoming::all(incoming),
        }
    }
}
