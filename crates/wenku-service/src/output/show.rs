//! `show`: one version's text with its metadata.

use serde::Serialize;
use wenku_model::{Date, Status, VersionEntry, WorkId};

use super::body::Document;

/// A version of a work as shown on a date: `work`, `revision`, its
/// `status` on `as_of`, `published`, `effective`, then the document's
/// members ([`Document`]).
#[derive(Debug, Serialize)]
pub struct Show<'a> {
    work: String,
    revision: String,
    status: &'static str,
    as_of: String,
    published: String,
    effective: String,
    #[serde(flatten)]
    document: Document<'a>,
}

impl<'a> Show<'a> {
    /// `document`, the text of `version` of `work`, which has `status` on
    /// `as_of`.
    pub fn new(
        work: &WorkId,
        version: &VersionEntry,
        status: Status,
        as_of: Date,
        document: &'a wenku_model::Document,
    ) -> Show<'a> {
        Show {
            work: work.to_string(),
            revision: version.revision.to_string(),
            status: status.as_str(),
            as_of: as_of.to_string(),
            published: version.published.to_string(),
            effective: version.effective_date().to_string(),
            document: Document::new(document),
        }
    }
}
