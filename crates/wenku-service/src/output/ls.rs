//! `ls`: one object per work.

use serde::Serialize;
use wenku_model::{Date, Record};

/// A work as listed on a date: `work`, `type`, `title`, `number`, its
/// `status` on the date, the `revision` and `published` date of the version
/// that is its text then (null before the first takes effect), and how
/// many `versions` it has.
#[derive(Debug, Serialize)]
pub struct Ls<'a> {
    work: String,
    #[serde(rename = "type")]
    doc_type: &'static str,
    title: &'a str,
    number: Option<&'a str>,
    status: &'static str,
    revision: Option<String>,
    published: Option<String>,
    versions: usize,
}

impl<'a> Ls<'a> {
    /// `record` as of `date`.
    pub fn new(record: &'a Record, date: Date) -> Ls<'a> {
        let as_of = record.as_of(date);
        Ls {
            work: record.work.to_string(),
            doc_type: record.doc_type.as_str(),
            title: &record.title,
            number: record.number.as_ref().map(|n| n.as_str()),
            status: as_of.status.as_str(),
            revision: as_of.version.map(|v| v.revision.to_string()),
            published: as_of.version.map(|v| v.published.to_string()),
            versions: record.versions.len(),
        }
    }
}
