//! `wenku draft …` and the API's `/drafts`: drafts awaiting review, what
//! one would publish, and a publication after review.

use serde::Serialize;
use wenku_store::{Decision, DraftState, Person as StorePerson};

use super::change::{FieldChange, field_changes};
use crate::sweep::report::Item;

/// Who did something, and when (`$defs/person`): `time` in seconds since
/// the epoch (a commit's time, never a legal date).
#[derive(Debug, Serialize)]
pub struct Person {
    name: String,
    email: String,
    time: i64,
}

impl Person {
    fn new(p: &StorePerson) -> Person {
        Person {
            name: p.name.clone(),
            email: p.email.clone(),
            time: p.time.seconds,
        }
    }
}

/// A reviewer's decision (`$defs/draft/properties/review`).
#[derive(Debug, Serialize)]
pub struct Review {
    decision: &'static str,
    reviewer: Person,
    note: String,
    submission: String,
}

impl Review {
    /// The decision as written.
    pub fn new(r: &wenku_store::Review) -> Review {
        Review {
            decision: match r.decision {
                Decision::Approved => "approved",
                Decision::Returned => "returned",
            },
            reviewer: Person::new(&r.reviewer),
            note: r.note.clone(),
            submission: r.submission.to_string(),
        }
    }
}

/// A draft (`$defs/draft`): `wenku draft list --json` prints one per line,
/// `wenku import --draft --json` the one submitted. `review` is the
/// return that sent it back (null while it is pending).
#[derive(Debug, Serialize)]
pub struct Draft {
    item: String,
    state: &'static str,
    tip: String,
    submission: String,
    base: String,
    round: usize,
    subject: String,
    submitter: Person,
    works: Vec<String>,
    review: Option<Review>,
}

impl Draft {
    /// The draft as stored.
    pub fn new(d: &wenku_store::Draft) -> Draft {
        let (state, review) = match &d.state {
            DraftState::Pending => ("pending", None),
            DraftState::Returned(r) => ("returned", Some(Review::new(r))),
        };
        Draft {
            item: d.item.to_string(),
            state,
            tip: d.tip.to_string(),
            submission: d.submission.to_string(),
            base: d.base.to_string(),
            round: d.round,
            subject: d.subject.clone(),
            submitter: Person::new(&d.submitter),
            works: d.works.iter().map(ToString::to_string).collect(),
            review,
        }
    }
}

/// One work of a draft as a reviewer reads it.
#[derive(Debug, Serialize)]
pub struct DraftWork {
    work: String,
    title: String,
    action: &'static str,
    added: Vec<String>,
    fields: Vec<FieldChange>,
    findings: Vec<Item>,
}

/// `wenku draft show --json` (`$defs/draft_review`): the draft and each
/// work it would publish or change — `action` `publish` or `change`, the
/// versions it adds, the record's fields before and after, and what the
/// safety sweep's detectors find in the added versions (masked).
#[derive(Debug, Serialize)]
pub struct DraftReview {
    draft: Draft,
    works: Vec<DraftWork>,
}

impl DraftReview {
    /// From the service's review.
    pub fn new(r: &crate::draft::Review) -> DraftReview {
        DraftReview {
            draft: Draft::new(&r.draft),
            works: r
                .works
                .iter()
                .map(|w| DraftWork {
                    work: w.work.to_string(),
                    title: w.after.title.clone(),
                    action: if w.before.is_none() {
                        "publish"
                    } else {
                        "change"
                    },
                    added: w.added.iter().map(ToString::to_string).collect(),
                    fields: field_changes(w.before.as_ref(), Some(&w.after)),
                    findings: w.findings.clone(),
                })
                .collect(),
        }
    }
}

/// `wenku draft approve --json` (`$defs/draft_published`): the commit on
/// `main` that published the item, and the review it carries.
#[derive(Debug, Serialize)]
pub struct DraftPublished {
    item: String,
    commit: String,
    parent: String,
    works: Vec<String>,
    review: Review,
}

impl DraftPublished {
    /// From what the store published.
    pub fn new(item: &wenku_model::WorkId, p: &wenku_store::Published) -> DraftPublished {
        DraftPublished {
            item: item.to_string(),
            commit: p.commit.to_string(),
            parent: p.parent.to_string(),
            works: p.works.iter().map(ToString::to_string).collect(),
            review: Review::new(&p.review),
        }
    }
}
