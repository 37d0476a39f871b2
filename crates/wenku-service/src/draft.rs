//! Drafts and review (先审查、后公开, 一事一审), as the CLI, the API, the
//! inbox and the reviewer's pages use them: submitting imported files as
//! one draft item, reading what a draft would publish (each work's record
//! before and after, its new versions, and what the safety sweep's
//! detectors find in them), and the reviewer's two decisions. The store
//! keeps the drafts ([`wenku_store::Library::submit_draft`] and its
//! neighbours document the rules).

use wenku_model::{Record, RevisionId, WorkId};
use wenku_store::{Draft, DraftError, Identity, Library, ObjectId, Published, Transaction};

use crate::error::{Error, Kind, Result};
use crate::import::{self, Input, Planned, Request};
use crate::sweep::detect::Detectors;
use crate::sweep::report::{self, Item};

/// A submitted draft and what each file became in it.
#[derive(Debug)]
pub struct Submitted {
    /// One plan per input, in input order.
    pub planned: Vec<Planned>,
    /// The draft.
    pub draft: Draft,
}

/// One work of a draft, as a reviewer reads it.
#[derive(Debug)]
pub struct DraftWork {
    /// The work.
    pub work: WorkId,
    /// Its record on `main` now (`None`: the draft publishes it).
    pub before: Option<Record>,
    /// Its record as the draft would publish it.
    pub after: Record,
    /// The versions the draft adds, in legal order.
    pub added: Vec<RevisionId>,
    /// What the sweep's detectors find in the added versions.
    pub findings: Vec<Item>,
}

/// A draft with everything a review needs.
#[derive(Debug)]
pub struct Review {
    /// The draft.
    pub draft: Draft,
    /// Its works, in the draft's order.
    pub works: Vec<DraftWork>,
}

/// Submits `inputs` as one draft item (a document and its interpretation
/// are one item when submitted together): planned like an import on
/// `main`'s head — a new work never gets an id a draft holds, unless the
/// request names it exactly (`exact_local`: the next round of that
/// draft) — and staged with every refusal a commit would give.
pub fn submit(
    library: &Library,
    identity: &Identity,
    inputs: &[Input],
    request: &Request,
) -> Result<Submitted> {
    let mut request = Request {
        region: request.region.or(Some(library.authority().node())),
        dry_run: false,
        ..request.clone()
    };
    let drafts = library.drafts().map_err(Error::from)?;
    request
        .reserved
        .extend(drafts.iter().flat_map(|d| d.works.iter().cloned()));
    // A work named exactly (`--local`) may be a draft's: submitting it
    // again is the draft's next round. A new work's id that wenku
    // chooses never silently lands in someone else's draft.
    if let (Some(local), Some(region)) = (&request.exact_local, request.region)
        && let Ok(named) = WorkId::new(region, local)
    {
        request.reserved.remove(&named);
    }
    let snapshot = library.snapshot()?;
    let planned = import::plan(inputs, &request, Some(&snapshot))?;
    let transaction: Transaction = planned.iter().filter_map(|p| p.op.clone()).collect();
    if transaction.is_empty() {
        return Err(Error::refused(
            "every file is already in the library, identical: there is nothing to review",
        ));
    }
    let draft = library
        .submit_draft(identity, &transaction)
        .map_err(Error::from)?;
    Ok(Submitted { planned, draft })
}

/// Adds `inputs` to the draft of `item` at `seen` (an interpretation to
/// its document): planned on the library as the draft would leave it, so
/// the whole item is one unit and needs a new review.
pub fn add(
    library: &Library,
    identity: &Identity,
    item: &WorkId,
    seen: ObjectId,
    inputs: &[Input],
    request: &Request,
) -> Result<Submitted> {
    let draft = find(library, item)?;
    let mut request = Request {
        region: request.region.or(Some(library.authority().node())),
        dry_run: false,
        ..request.clone()
    };
    let drafts = library.drafts().map_err(Error::from)?;
    request.reserved.extend(
        drafts
            .iter()
            .filter(|d| d.item != *item)
            .flat_map(|d| d.works.iter().cloned()),
    );
    let staged = library.snapshot_at(draft.submission)?;
    let planned = import::plan(inputs, &request, Some(&staged))?;
    let transaction: Transaction = planned.iter().filter_map(|p| p.op.clone()).collect();
    if transaction.is_empty() {
        return Err(Error::refused(
            "every file is already in the draft, identical: nothing was added",
        ));
    }
    let draft = library
        .add_to_draft(identity, item, seen, &transaction)
        .map_err(|e| decision_error(library, item, e))?;
    Ok(Submitted { planned, draft })
}

/// Every draft.
pub fn list(library: &Library) -> Result<Vec<Draft>> {
    library.drafts().map_err(Error::from)
}

/// The draft of `item`, or a not-found error naming the drafts there are.
pub fn find(library: &Library, item: &WorkId) -> Result<Draft> {
    match library.draft(item).map_err(Error::from)? {
        Some(d) => Ok(d),
        None => Err(no_draft(library, item)),
    }
}

fn no_draft(library: &Library, item: &WorkId) -> Error {
    let items: Vec<String> = library
        .drafts()
        .map(|d| d.iter().map(|d| d.item.to_string()).collect())
        .unwrap_or_default();
    let hint = if items.is_empty() {
        "there are no drafts; `wenku import --draft FILE` submits one".to_string()
    } else {
        format!("drafts: {}", items.join(", "))
    };
    Error::not_found(format!("there is no draft of {item}")).with_hint(hint)
}

/// What the draft of `item` would publish, work by work, with the
/// detectors' findings in its new versions.
pub fn review(library: &Library, item: &WorkId, detectors: &Detectors) -> Result<Review> {
    let draft = find(library, item)?;
    let main = library.snapshot()?;
    let staged = library.snapshot_at(draft.submission)?;
    let mut works = Vec::with_capacity(draft.works.len());
    for work in &draft.works {
        let Some(after) = staged.record(work)? else {
            continue;
        };
        let before = main.record(work)?;
        let added: Vec<RevisionId> = after
            .versions
            .iter()
            .map(|v| v.revision)
            .filter(|r| {
                before
                    .as_ref()
                    .is_none_or(|b| b.versions.iter().all(|v| v.revision != *r))
            })
            .collect();
        let findings = if added.is_empty() {
            Vec::new()
        } else {
            report::scan_versions(&staged, detectors, work, &added)?
        };
        works.push(DraftWork {
            work: work.clone(),
            before,
            after,
            added,
            findings,
        });
    }
    // The item first, then the rest in order.
    works.sort_by_key(|w| (w.work != draft.item, w.work.clone()));
    Ok(Review { draft, works })
}

/// The tip a decision names: `seen` as given (a full id, or a prefix of
/// 7+ hex digits of the current tip's; anything else is a usage error),
/// else the current tip.
pub fn tip(library: &Library, item: &WorkId, seen: Option<&str>) -> Result<ObjectId> {
    let draft = find(library, item)?;
    match seen {
        None => Ok(draft.tip),
        Some(s) => {
            let s = s.trim();
            if let Ok(id) = s.parse::<ObjectId>() {
                return Ok(id);
            }
            if s.len() < 7 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Error::new(
                    Kind::Usage,
                    format!("tip {s:?}: give the draft's tip as read, its commit id or 7+ of its hex digits"),
                )
                .with_hint(format!("`wenku draft show {item}` prints it")));
            }
            if s.len() >= 7 && draft.tip.to_string().starts_with(&s.to_ascii_lowercase()) {
                return Ok(draft.tip);
            }
            Err(Error::new(
                Kind::Conflict,
                format!(
                    "the draft of {item} is at {}, not {s}: it changed since it was read",
                    draft.tip
                ),
            )
            .with_hint(format!("read it again with `wenku draft show {item}`")))
        }
    }
}

/// Approves the draft of `item` at `seen` with `note`: it is published.
pub fn approve(
    library: &Library,
    reviewer: &Identity,
    item: &WorkId,
    seen: ObjectId,
    note: &str,
) -> Result<Published> {
    library
        .approve_draft(reviewer, item, seen, note)
        .map_err(|e| decision_error(library, item, e))
}

/// Returns the draft of `item` at `seen` with `reasons`.
pub fn send_back(
    library: &Library,
    reviewer: &Identity,
    item: &WorkId,
    seen: ObjectId,
    reasons: &str,
) -> Result<Draft> {
    library
        .return_draft(reviewer, item, seen, reasons)
        .map_err(|e| decision_error(library, item, e))
}

/// Discards the draft of `item` at `seen` unpublished.
pub fn discard(
    library: &Library,
    identity: &Identity,
    item: &WorkId,
    seen: ObjectId,
) -> Result<()> {
    library
        .discard_draft(identity, item, seen)
        .map_err(|e| decision_error(library, item, e))
}

fn decision_error(library: &Library, item: &WorkId, e: DraftError) -> Error {
    match e {
        DraftError::NoDraft { .. } => no_draft(library, item),
        other => Error::from(other),
    }
}

impl From<DraftError> for Error {
    fn from(e: DraftError) -> Error {
        let message = e.to_string();
        match e {
            DraftError::Commit(c) => Error::from(c),
            DraftError::Read(r) => Error::from(r),
            DraftError::Empty => Error::refused(message),
            DraftError::NoDraft { .. } => Error::not_found(message),
            DraftError::Changed { ref item, .. } => {
                let hint = format!("read it again with `wenku draft show {item}`");
                Error::new(Kind::Conflict, message).with_hint(hint)
            }
            DraftError::NotPending { .. } => Error::refused(message)
                .with_hint("the submitter changes the files and submits them again"),
            DraftError::OwnDraft { .. } => Error::refused(message).with_hint(
                "one review per item, by a reviewer other than the submitter (WENKU_AUTHOR_EMAIL names who acts)",
            ),
            DraftError::InOtherDraft { ref item, .. } => Error::new(Kind::Conflict, message)
                .with_hint(format!("`wenku draft show {item}` shows that draft")),
            DraftError::Stale { .. } => Error::new(Kind::Conflict, message).with_hint(
                "the submitter imports the files again with --draft; the new draft needs a new review",
            ),
            DraftError::Authority { .. } => Error::refused(message),
            DraftError::NoteRequired(_) => Error::new(Kind::Usage, message),
            DraftError::Malformed { .. } => Error::internal(message).with_source(e),
            DraftError::Git(_) => Error::internal(message).with_source(e),
            _ => Error::internal(message).with_source(e),
        }
    }
}
