//! `log`: a work's versions, lifecycle and recorded changes.

use serde::Serialize;
use wenku_model::{Date, Record};
use wenku_store::HistoryEntry;

use super::version::{Event, Version};

/// A work's story: `work`, `title`, `type`, its `status` on `as_of`, its
/// `versions` in legal order (each with its status that day), lifecycle
/// `events`, and the `history` of commits that changed it.
#[derive(Debug, Serialize)]
pub struct Log<'a> {
    work: String,
    title: &'a str,
    #[serde(rename = "type")]
    doc_type: &'static str,
    status: &'static str,
    as_of: String,
    versions: Vec<Version<'a>>,
    events: Vec<Event<'a>>,
    history: Vec<Commit<'a>>,
}

impl<'a> Log<'a> {
    /// `record` as of `as_of`, with the commits that changed it.
    pub fn new(record: &'a Record, history: &'a [HistoryEntry], as_of: Date) -> Log<'a> {
        Log {
            work: record.work.to_string(),
            title: &record.title,
            doc_type: record.doc_type.as_str(),
            status: record.status_at(as_of).as_str(),
            as_of: as_of.to_string(),
            versions: record
                .versions
                .iter()
                .map(|v| Version::new(record, v, as_of))
                .collect(),
            events: Event::of(record),
            history: history.iter().map(Commit::new).collect(),
        }
    }
}

/// A commit that changed a work: `commit`, `author` (`name`, `email`),
/// `time` (seconds since the epoch: the commit's, never a legal date),
/// `subject`, the `op` and `node` of its trailers (null when absent),
/// the revisions it added, and for a publication after review its
/// `review` (reviewer and note; absent otherwise).
#[derive(Debug, Serialize)]
pub struct Commit<'a> {
    commit: String,
    author: Author<'a>,
    time: i64,
    subject: &'a str,
    op: Option<&'a str>,
    node: Option<&'a str>,
    added_versions: Vec<String>,
    signer: Signer,
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<Reviewed<'a>>,
}

/// The review a publication after review carries (`Wenku-Reviewer`,
/// `Wenku-Review-Note`).
#[derive(Debug, Serialize)]
struct Reviewed<'a> {
    reviewer: &'a str,
    note: &'a str,
}

/// Who signed a commit, as `log` shows it (`$defs/signer`): the key's
/// fingerprint and the regions the trust file at `main` lets it sign for.
#[derive(Debug, Serialize)]
struct Signer {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fingerprint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    regions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Signer {
    fn new(h: &HistoryEntry) -> Signer {
        let s = &h.signature;
        use wenku_store::signing::CommitSignature as S;
        match s {
            S::Unsigned => Signer {
                status: "unsigned",
                fingerprint: None,
                regions: None,
                reason: None,
            },
            S::Bad(why) => Signer {
                status: "bad",
                fingerprint: None,
                regions: None,
                reason: Some(why.clone()),
            },
            S::Good(key) => Signer {
                status: "good",
                fingerprint: Some(wenku_store::signing::fingerprint(key)),
                regions: h
                    .signer_regions
                    .as_ref()
                    .map(|rs| rs.iter().map(|r| r.to_string()).collect()),
                reason: None,
            },
        }
    }
}

#[derive(Debug, Serialize)]
struct Author<'a> {
    name: &'a str,
    email: &'a str,
}

impl<'a> Commit<'a> {
    /// The JSON form of `h`.
    pub fn new(h: &'a HistoryEntry) -> Commit<'a> {
        Commit {
            commit: h.commit.to_string(),
            author: Author {
                name: &h.author.name,
                email: &h.author.email,
            },
            time: h.author.time.seconds,
            subject: &h.subject,
            op: h.op.as_deref(),
            node: h.node.as_deref(),
            added_versions: h.added_versions.iter().map(|r| r.to_string()).collect(),
            signer: Signer::new(h),
            review: h
                .review
                .as_ref()
                .map(|(reviewer, note)| Reviewed { reviewer, note }),
        }
    }
}
