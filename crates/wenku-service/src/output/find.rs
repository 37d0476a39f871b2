//! `find`: the works a citation resolves to.

use serde::Serialize;
use wenku_model::{Date, Record};

use super::citation::Citation;

/// The `citation` looked up and the `works` it resolves to, each with
/// `work`, `title`, `number`, `type` and `status` on the day asked about.
#[derive(Debug, Serialize)]
pub struct Find<'a> {
    citation: Citation<'a>,
    works: Vec<Found<'a>>,
}

#[derive(Debug, Serialize)]
struct Found<'a> {
    work: String,
    title: &'a str,
    number: Option<&'a str>,
    #[serde(rename = "type")]
    doc_type: &'static str,
    status: &'static str,
}

impl<'a> Find<'a> {
    /// `citation` and the records of the works it resolves to, with their
    /// status on `as_of`.
    pub fn new(
        citation: &'a wenku_model::Citation,
        records: &'a [Record],
        as_of: Date,
    ) -> Find<'a> {
        Find {
            citation: Citation::new(citation),
            works: records
                .iter()
                .map(|r| Found {
                    work: r.work.to_string(),
                    title: &r.title,
                    number: r.number.as_ref().map(|n| n.as_str()),
                    doc_type: r.doc_type.as_str(),
                    status: r.status_at(as_of).as_str(),
                })
                .collect(),
        }
    }
}
