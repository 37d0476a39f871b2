//! Drafts and review: 先审查、后公开, 一事一审 — every item is reviewed
//! before it is published, one review per item.
//!
//! A **draft** is a transaction staged on `main`'s head exactly as
//! [`Library::commit`] would stage it, written as a commit whose first
//! parent is that head, but pointed at by a ref of its own,
//! `refs/wenku/drafts/<region>/<local>` (the *item*: the first op's
//! work), instead of `main`. Nothing outside `main` is ever fetched by a
//! pull (a pull asks for the peer's `main` only, and git only sends what
//! that reaches) or served (the daemon's `/git` hides `refs/wenku/` and has
//! no dumb-protocol routes), so a draft is invisible to other nodes and to
//! the public. An interpretation submitted in the same transaction as its
//! document is one item, reviewed and published together.
//!
//! A draft ref's tip is either a **submission** (pending review) or a
//! **returned** review: a commit on top of the submission, same tree, its
//! message the reviewer's reasons (`Wenku-Op: review`,
//! `Wenku-Review: returned`). Submitting the item again writes a new
//! submission whose second parent is the previous tip, so the rounds stay
//! readable (`git log refs/wenku/drafts/…`).
//!
//! **Approval** publishes: the works the submission changed (its tree
//! against its base, work directory by work directory) are placed in
//! `main`'s current tree, provided `main` has not changed any of them
//! since the submission (else [`DraftError::Stale`]: submit again). The
//! commit's author is the submitter (at the submission's time), its
//! committer the reviewer, and its message the submission's with the
//! review as trailers (`Wenku-Review: approved`, `Wenku-Reviewer`,
//! `Wenku-Review-Note`, `Wenku-Draft: <submission>`): the record shows who
//! reviewed what, when and with which decision. Then the draft ref is
//! removed. Earlier rounds never become reachable from `main`.
//!
//! A review names the tip it was made on (`seen`): a draft changed after
//! the reviewer read it is refused ([`DraftError::Changed`]), so no review
//! ever covers text the reviewer did not see. The reviewer must not be the
//! submitter (compared by email).

use std::collections::BTreeSet;

use gix::objs::tree::EntryKind;
use gix::refs::transaction::PreviousValue;
use wenku_model::WorkId;

use crate::ObjectId;
use crate::git::{self, Context, GitError};
use crate::history::Person;
use crate::identity::Identity;
use crate::index::changes::changed_works;
use crate::layout;
use crate::library::Library;
use crate::message::{self, Trailers};
use crate::object_id::Ours;
use crate::read::ReadError;
use crate::transaction::{self, CommitError, Swap, Transaction};

/// Where drafts live: `refs/wenku/drafts/<region>/<local>`.
pub const DRAFTS_PREFIX: &str = "refs/wenku/drafts/";

/// The trailer that marks a submission with its item.
const ITEM_TRAILER: &str = "Wenku-Draft-Item";

/// A draft awaiting review or sent back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// The item: the first op's work; the draft's ref is named after it.
    pub item: WorkId,
    /// The ref's tip: what a review names.
    pub tip: ObjectId,
    /// The submission: the commit whose tree is the library as it would
    /// be published.
    pub submission: ObjectId,
    /// `main`'s head the submission was staged on.
    pub base: ObjectId,
    /// Every work the draft adds or changes, sorted.
    pub works: Vec<WorkId>,
    /// The submission's subject (`publish 370200/… 标题`).
    pub subject: String,
    /// Who submitted it, and when.
    pub submitter: Person,
    /// Pending, or returned with the reviewer's reasons.
    pub state: DraftState,
    /// How many times the item was submitted (1 for a first submission).
    pub round: usize,
}

/// Where a draft stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftState {
    /// Submitted, waiting for a review.
    Pending,
    /// Sent back by a reviewer; waits for a new submission.
    Returned(Review),
}

/// A reviewer's decision on one submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    /// Who decided, and when.
    pub reviewer: Person,
    /// Approved (published) or returned.
    pub decision: Decision,
    /// The note of an approval, the reasons of a return.
    pub note: String,
    /// The submission decided on.
    pub submission: ObjectId,
}

/// What a reviewer decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Published.
    Approved,
    /// Sent back with reasons.
    Returned,
}

impl Decision {
    /// `approved` or `returned`, as in the `Wenku-Review` trailer.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Returned => "returned",
        }
    }
}

/// A published draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// `main`'s head the publication was made on.
    pub parent: ObjectId,
    /// The publication commit, now `main`'s head.
    pub commit: ObjectId,
    /// The works it published.
    pub works: Vec<WorkId>,
    /// The review it carries.
    pub review: Review,
}

/// Why a draft operation did nothing. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DraftError {
    /// Staging the transaction refused it (authority, lifecycle, targets …).
    #[error(transparent)]
    Commit(#[from] CommitError),
    /// The transaction changes nothing in the library.
    #[error("the draft changes nothing in the library: there is nothing to review")]
    Empty,
    /// No draft of this item.
    #[error("there is no draft of {item}")]
    NoDraft {
        /// The item asked for.
        item: WorkId,
    },
    /// The draft's tip is not the one the caller read.
    #[error(
        "the draft of {item} changed since it was read (read {seen}, now {tip}); read it again before deciding"
    )]
    Changed {
        /// The item.
        item: WorkId,
        /// What the caller read.
        seen: ObjectId,
        /// The tip now.
        tip: ObjectId,
    },
    /// The draft was returned and waits for a new submission.
    #[error("the draft of {item} was returned by {reviewer}; it waits for a new submission")]
    NotPending {
        /// The item.
        item: WorkId,
        /// Who returned it.
        reviewer: String,
    },
    /// The reviewer submitted the draft.
    #[error("{email} submitted the draft of {item}; it is reviewed by someone else")]
    OwnDraft {
        /// The item.
        item: WorkId,
        /// The submitter's and reviewer's email.
        email: String,
    },
    /// A work of the transaction is in another item's draft.
    #[error("{work} is already in the draft of {item}; decide on that draft first")]
    InOtherDraft {
        /// The work.
        work: WorkId,
        /// The item whose draft holds it.
        item: WorkId,
    },
    /// `main` changed a work of the draft since the submission.
    #[error(
        "{work} changed on main since the draft of {item} was submitted; submit the item again on the current library"
    )]
    Stale {
        /// The item.
        item: WorkId,
        /// The work that changed.
        work: WorkId,
    },
    /// A work of the draft is outside the node's authority now.
    #[error("{work} is outside this node's authority; the draft of {item} cannot be published")]
    Authority {
        /// The item.
        item: WorkId,
        /// The work.
        work: WorkId,
    },
    /// An approval without a note, or a return without reasons.
    #[error("{0}")]
    NoteRequired(&'static str),
    /// The draft ref holds something that is not a draft.
    #[error("{reference} is not a draft written by wenku: {why}")]
    Malformed {
        /// The ref.
        reference: String,
        /// What is wrong.
        why: String,
    },
    /// Reading the library failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// git failed.
    #[error(transparent)]
    Git(#[from] GitError),
}

/// The ref of an item's draft.
pub fn draft_ref(item: &WorkId) -> String {
    format!("{DRAFTS_PREFIX}{item}")
}

struct CommitInfo {
    parents: Vec<ObjectId>,
    tree: ObjectId,
    author: Person,
    committer: Person,
    message: String,
}

fn read_commit(repo: &gix::Repository, id: ObjectId) -> Result<CommitInfo, ReadError> {
    let c =
        git::retrying(|| repo.find_commit(id.to_gix())).ctx(|| format!("reading commit {id}"))?;
    let decoded = c.decode().ctx(|| format!("decoding commit {id}"))?;
    let (author, committer) = crate::history::signatures(&decoded, id)?;
    Ok(CommitInfo {
        parents: decoded.parents().map(|p| p.ours()).collect(),
        tree: decoded.tree().ours(),
        author,
        committer,
        message: String::from_utf8_lossy(decoded.message).into_owned(),
    })
}

/// The paragraphs between the subject and the trailers.
fn body(message: &str) -> String {
    let paragraphs: Vec<&str> = message.trim_end().split("\n\n").collect();
    if paragraphs.len() <= 2 {
        return String::new();
    }
    paragraphs[1..paragraphs.len() - 1].join("\n\n")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn same_person(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Reads the draft whose ref points at `tip`.
fn read_draft(repo: &gix::Repository, item: WorkId, tip: ObjectId) -> Result<Draft, DraftError> {
    let malformed = |why: String| DraftError::Malformed {
        reference: draft_ref(&item),
        why,
    };
    let top = read_commit(repo, tip)?;
    let trailers = Trailers::parse(&top.message);
    let (state, submission, sub) = if trailers.review.as_deref() == Some("returned") {
        let Some(&submission) = top.parents.first() else {
            return Err(malformed(format!("the review {tip} has no parent")));
        };
        let review = Review {
            reviewer: top.committer.clone(),
            decision: Decision::Returned,
            note: body(&top.message),
            submission,
        };
        let sub = read_commit(repo, submission)?;
        (DraftState::Returned(review), submission, sub)
    } else {
        (DraftState::Pending, tip, top)
    };
    let sub_trailers = Trailers::parse(&sub.message);
    if sub_trailers.draft_item.as_deref() != Some(item.to_string().as_str()) {
        return Err(malformed(format!(
            "the submission {submission} does not name the item in {ITEM_TRAILER}"
        )));
    }
    let Some(&base) = sub.parents.first() else {
        return Err(malformed(format!(
            "the submission {submission} has no base"
        )));
    };
    let base_tree = git::commit_tree(repo, base)?;
    let mut works: Vec<WorkId> = changed_works(repo, base_tree, sub.tree)?
        .into_iter()
        .map(|(w, _)| w)
        .collect();
    works.sort();
    // Rounds: each submission's second parent is the tip before it.
    let mut round = 1;
    let mut previous = sub.parents.get(1).copied();
    while let Some(p) = previous {
        let c = read_commit(repo, p)?;
        let t = Trailers::parse(&c.message);
        let sub = if t.review.as_deref() == Some("returned") {
            match c.parents.first() {
                Some(&s) => read_commit(repo, s)?,
                None => break,
            }
        } else {
            c
        };
        round += 1;
        previous = sub.parents.get(1).copied();
        if round > 10_000 {
            break;
        }
    }
    Ok(Draft {
        item,
        tip,
        submission,
        base,
        works,
        subject: message::subject(&sub.message).to_string(),
        submitter: sub.author,
        state,
        round,
    })
}

impl Library {
    /// Every draft, by item.
    pub fn drafts(&self) -> Result<Vec<Draft>, DraftError> {
        let repo = self.repo();
        let platform = repo
            .references()
            .ctx(|| format!("listing {DRAFTS_PREFIX}*"))?;
        let iter = platform
            .prefixed(DRAFTS_PREFIX)
            .ctx(|| format!("listing {DRAFTS_PREFIX}*"))?;
        let mut refs = Vec::new();
        for r in iter {
            let mut r = r.ctx(|| format!("listing {DRAFTS_PREFIX}*"))?;
            let name = r.name().as_bstr().to_string();
            let Some(item) = name
                .strip_prefix(DRAFTS_PREFIX)
                .and_then(|s| WorkId::parse(s).ok())
            else {
                tracing::warn!(reference = %name, "not a draft's ref name; skipped");
                continue;
            };
            let tip = git::retrying(|| r.peel_to_id().map(|id| id.detach().ours()))
                .ctx(|| format!("resolving {name}"))?;
            refs.push((item, tip));
        }
        let mut out = Vec::with_capacity(refs.len());
        for (item, tip) in refs {
            out.push(read_draft(&repo, item, tip)?);
        }
        out.sort_by(|a, b| a.item.cmp(&b.item));
        Ok(out)
    }

    /// The draft of `item`, if there is one.
    pub fn draft(&self, item: &WorkId) -> Result<Option<Draft>, DraftError> {
        let repo = self.repo();
        match git::ref_target(&repo, &draft_ref(item))? {
            None => Ok(None),
            Some(tip) => Ok(Some(read_draft(&repo, item.clone(), tip)?)),
        }
    }

    /// Submits `transaction` as the draft of its first op's work (the
    /// item): staged on `main`'s head with every refusal a commit would
    /// give, written, and pointed at by the item's draft ref; `main` is
    /// not touched. Submitting an item that has a draft replaces it (a
    /// new round: the earlier review does not carry over). A work that is
    /// in another item's draft is refused.
    pub fn submit_draft(
        &self,
        identity: &Identity,
        transaction: &Transaction,
    ) -> Result<Draft, DraftError> {
        let Some(first) = transaction.ops().first() else {
            return Err(DraftError::Empty);
        };
        let item = first.work().clone();
        let mut repo = self.repo();
        repo.object_cache_size_if_unset(4 * 1024 * 1024);
        let base = git::main_head(&repo)?.ok_or(CommitError::NoMain)?;
        let base_tree = git::commit_tree(&repo, base)?;
        let meta = self.meta_cache.get(&repo, base, base_tree)?;
        let staged = transaction::stage(&repo, base_tree, &meta.authority, transaction.ops())?;
        if !staged.changed() {
            return Err(DraftError::Empty);
        }
        let previous = self.check_other_drafts(&item, staged.dirty_works().collect())?;
        let time = self.clock.now();
        let parents: Vec<ObjectId> = previous.into_iter().collect();
        let trailers = format!("{ITEM_TRAILER}: {item}\n");
        let written = transaction::write(
            &repo,
            &staged,
            transaction.ops(),
            base,
            &transaction::Signing {
                node: meta.authority.node(),
                identity,
                time,
                key: self.key.as_deref(),
            },
            self.options.pack_threshold,
            &transaction::Extra {
                parents: &parents,
                trailers: &trailers,
            },
        )?;
        let expected = match previous {
            Some(tip) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(tip.to_gix())),
            None => PreviousValue::MustNotExist,
        };
        self.move_draft_ref(
            &repo,
            &item,
            expected,
            Some(written.commit),
            identity,
            time,
            previous,
        )?;
        tracing::info!(item = %item, submission = %written.commit, "draft submitted");
        read_draft(&repo, item, written.commit)
    }

    /// Adds `transaction` to the draft of `item` (an interpretation to
    /// its document, a file forgotten): staged on the draft's tree, written
    /// as the item's next round (on the same base), so the whole item
    /// needs a new review. `seen` is the tip the caller read.
    pub fn add_to_draft(
        &self,
        identity: &Identity,
        item: &WorkId,
        seen: ObjectId,
        transaction: &Transaction,
    ) -> Result<Draft, DraftError> {
        if transaction.is_empty() {
            return Err(DraftError::Empty);
        }
        let draft = self.at_tip(item, seen)?;
        let mut repo = self.repo();
        repo.object_cache_size_if_unset(4 * 1024 * 1024);
        let base_tree = git::commit_tree(&repo, draft.base)?;
        let meta = self.meta_cache.get(&repo, draft.base, base_tree)?;
        let draft_tree = git::commit_tree(&repo, draft.submission)?;
        let staged = transaction::stage(&repo, draft_tree, &meta.authority, transaction.ops())?;
        if !staged.changed() {
            return Err(DraftError::Empty);
        }
        self.check_other_drafts(item, staged.dirty_works().collect())?;
        let time = self.clock.now();
        let trailers = format!("{ITEM_TRAILER}: {item}\n");
        let written = transaction::write(
            &repo,
            &staged,
            transaction.ops(),
            draft.base,
            &transaction::Signing {
                node: meta.authority.node(),
                identity,
                time,
                key: self.key.as_deref(),
            },
            self.options.pack_threshold,
            &transaction::Extra {
                parents: &[draft.tip],
                trailers: &trailers,
            },
        )?;
        let expected = PreviousValue::MustExistAndMatch(gix::refs::Target::Object(seen.to_gix()));
        self.move_draft_ref(
            &repo,
            item,
            expected,
            Some(written.commit),
            identity,
            time,
            Some(seen),
        )?;
        tracing::info!(item = %item, submission = %written.commit, "added to the draft");
        read_draft(&repo, item.clone(), written.commit)
    }

    /// Refuses works that another item's draft holds.
    fn check_other_drafts(
        &self,
        item: &WorkId,
        ours: BTreeSet<&WorkId>,
    ) -> Result<Option<ObjectId>, DraftError> {
        let mut previous = None;
        for other in self.drafts()? {
            if other.item == *item {
                previous = Some(other.tip);
                continue;
            }
            if let Some(work) = other.works.iter().find(|w| ours.contains(w)) {
                return Err(DraftError::InOtherDraft {
                    work: work.clone(),
                    item: other.item,
                });
            }
        }
        Ok(previous)
    }

    /// Sends the draft of `item` back with `reasons`. `seen` is the tip
    /// the reviewer read ([`Draft::tip`]).
    pub fn return_draft(
        &self,
        reviewer: &Identity,
        item: &WorkId,
        seen: ObjectId,
        reasons: &str,
    ) -> Result<Draft, DraftError> {
        let reasons = reasons.trim();
        if reasons.is_empty() {
            return Err(DraftError::NoteRequired(
                "say why the draft is returned (reasons are required)",
            ));
        }
        let repo = self.repo();
        let draft = self.pending(item, seen, reviewer)?;
        let sub = read_commit(&repo, draft.submission)?;
        let time = self.clock.now();
        let node = self
            .meta_cache
            .get(&repo, draft.base, git::commit_tree(&repo, draft.base)?)?;
        let message = format!(
            "{}\n\n{reasons}\n\nWenku-Op: review\nWenku-Review: returned\nWenku-Work: {item}\nWenku-Draft: {}\nWenku-Node: {}\n",
            one_line(&format!(
                "return {}",
                draft.subject.split_once(' ').map_or("", |(_, rest)| rest)
            )),
            draft.submission,
            node.authority.node(),
        );
        let signature = reviewer.signature(time);
        let mut commit = gix::objs::Commit {
            tree: sub.tree.to_gix(),
            parents: [draft.submission.to_gix()].into_iter().collect(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: message.into(),
            extra_headers: Vec::new(),
        };
        if let Some(key) = self.key() {
            key.sign_commit(&mut commit)
                .map_err(|e| GitError::new("signing the review", e))?;
        }
        let id = repo
            .write_object(&commit)
            .ctx(|| "writing the review".to_string())?
            .ours();
        let expected = PreviousValue::MustExistAndMatch(gix::refs::Target::Object(seen.to_gix()));
        self.move_draft_ref(&repo, item, expected, Some(id), reviewer, time, Some(seen))?;
        tracing::info!(item = %item, review = %id, "draft returned");
        read_draft(&repo, item.clone(), id)
    }

    /// Approves the draft of `item` with `note` and publishes it on
    /// `main` (see the module docs). `seen` is the tip the reviewer read.
    pub fn approve_draft(
        &self,
        reviewer: &Identity,
        item: &WorkId,
        seen: ObjectId,
        note: &str,
    ) -> Result<Published, DraftError> {
        let note = one_line(note);
        if note.is_empty() {
            return Err(DraftError::NoteRequired(
                "give the review's note (what was checked)",
            ));
        }
        let draft = self.pending(item, seen, reviewer)?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut repo = self.repo();
            repo.object_cache_size_if_unset(4 * 1024 * 1024);
            let head = git::main_head(&repo)?.ok_or(CommitError::NoMain)?;
            let head_tree = git::commit_tree(&repo, head)?;
            let base_tree = git::commit_tree(&repo, draft.base)?;
            let sub = read_commit(&repo, draft.submission)?;
            let meta = self.meta_cache.get(&repo, head, head_tree)?;
            let changed = changed_works(&repo, base_tree, sub.tree)?;
            let mut editor = repo
                .edit_tree(head_tree.to_gix())
                .ctx(|| format!("editing tree {head_tree}"))?
                .detach();
            for (work, dir) in &changed {
                if !meta.authority.covers(&work.region()) {
                    return Err(DraftError::Authority {
                        item: item.clone(),
                        work: work.clone(),
                    });
                }
                let path = layout::work_dir(work);
                let now = git::entry_at(&repo, head_tree, &path)?;
                let then = git::entry_at(&repo, base_tree, &path)?;
                if now != then {
                    return Err(DraftError::Stale {
                        item: item.clone(),
                        work: work.clone(),
                    });
                }
                match dir {
                    Some(dir) => editor
                        .upsert(path.split('/'), EntryKind::Tree, dir.to_gix())
                        .ctx(|| format!("placing {path}"))?,
                    None => editor
                        .remove(path.split('/'))
                        .ctx(|| format!("removing {path}"))?,
                };
            }
            let tree = editor
                .write(|t| repo.write_object(t).map(|id| id.detach()))
                .ctx(|| "writing trees".to_string())?;
            let time = self.clock.now();
            let kept: String = sub
                .message
                .lines()
                .filter(|l| !l.starts_with(&format!("{ITEM_TRAILER}: ")))
                .map(|l| format!("{l}\n"))
                .collect();
            let message = format!(
                "{}Wenku-Draft: {}\nWenku-Review: approved\nWenku-Reviewer: {reviewer}\nWenku-Review-Note: {note}\n",
                kept.trim_end().to_string() + "\n",
                draft.submission,
            );
            let submitter = gix::actor::Signature {
                name: draft.submitter.name.as_str().into(),
                email: draft.submitter.email.as_str().into(),
                time: draft.submitter.time.to_git(),
            };
            let mut commit = gix::objs::Commit {
                tree,
                parents: [head.to_gix()].into_iter().collect(),
                author: submitter,
                committer: reviewer.signature(time),
                encoding: None,
                message: message.into(),
                extra_headers: Vec::new(),
            };
            if let Some(key) = self.key() {
                key.sign_commit(&mut commit)
                    .map_err(|e| GitError::new("signing the publication", e))?;
            }
            let id = repo
                .write_object(&commit)
                .ctx(|| "writing the publication".to_string())?
                .ours();
            let reflog = format!("wenku: publish draft {item}");
            match transaction::swap_main(&repo, Some(head), id, &reflog, reviewer, time)? {
                Swap::Lost if attempts < self.options.max_attempts.max(1) => continue,
                Swap::Lost => {
                    return Err(CommitError::Conflict { attempts, head }.into());
                }
                Swap::Done => {}
            }
            // Published: the draft is done. A failure to remove its ref
            // leaves a draft whose works no longer match main (stale), not
            // a second publication.
            let expected =
                PreviousValue::MustExistAndMatch(gix::refs::Target::Object(seen.to_gix()));
            if let Err(e) =
                self.move_draft_ref(&repo, item, expected, None, reviewer, time, Some(seen))
            {
                tracing::warn!(item = %item, error = %e, "removing the published draft's ref failed");
            }
            self.index_follows_main();
            tracing::info!(item = %item, commit = %id, "draft approved and published");
            let mut works: Vec<WorkId> = changed.into_iter().map(|(w, _)| w).collect();
            works.sort();
            return Ok(Published {
                parent: head,
                commit: id,
                works,
                review: Review {
                    reviewer: Person {
                        name: reviewer.name().to_string(),
                        email: reviewer.email().to_string(),
                        time,
                    },
                    decision: Decision::Approved,
                    note,
                    submission: draft.submission,
                },
            });
        }
    }

    /// Removes the draft of `item` unpublished (the submitter takes it
    /// back). `seen` is the tip the caller read.
    pub fn discard_draft(
        &self,
        identity: &Identity,
        item: &WorkId,
        seen: ObjectId,
    ) -> Result<(), DraftError> {
        let repo = self.repo();
        self.at_tip(item, seen)?;
        let expected = PreviousValue::MustExistAndMatch(gix::refs::Target::Object(seen.to_gix()));
        let time = self.clock.now();
        self.move_draft_ref(&repo, item, expected, None, identity, time, Some(seen))?;
        tracing::info!(item = %item, "draft discarded");
        Ok(())
    }

    /// The draft of `item`, if its tip is still `seen`.
    fn at_tip(&self, item: &WorkId, seen: ObjectId) -> Result<Draft, DraftError> {
        let draft = self
            .draft(item)?
            .ok_or_else(|| DraftError::NoDraft { item: item.clone() })?;
        if draft.tip != seen {
            return Err(DraftError::Changed {
                item: item.clone(),
                seen,
                tip: draft.tip,
            });
        }
        Ok(draft)
    }

    /// The draft of `item` if it is pending at `seen` and `reviewer` did
    /// not submit it.
    fn pending(
        &self,
        item: &WorkId,
        seen: ObjectId,
        reviewer: &Identity,
    ) -> Result<Draft, DraftError> {
        let draft = self.at_tip(item, seen)?;
        if let DraftState::Returned(review) = &draft.state {
            return Err(DraftError::NotPending {
                item: item.clone(),
                reviewer: format!("{} <{}>", review.reviewer.name, review.reviewer.email),
            });
        }
        if same_person(&draft.submitter.email, reviewer.email()) {
            return Err(DraftError::OwnDraft {
                item: item.clone(),
                email: reviewer.email().to_string(),
            });
        }
        Ok(draft)
    }

    /// Moves (or, with `new` `None`, deletes) an item's draft ref by
    /// compare-and-swap; losing it is [`DraftError::Changed`].
    #[allow(clippy::too_many_arguments)]
    fn move_draft_ref(
        &self,
        repo: &gix::Repository,
        item: &WorkId,
        expected: PreviousValue,
        new: Option<ObjectId>,
        identity: &Identity,
        time: crate::clock::Timestamp,
        seen: Option<ObjectId>,
    ) -> Result<(), DraftError> {
        use gix::refs::transaction::{Change, RefEdit, RefLog};
        let name = draft_ref(item);
        let edit = match new {
            Some(new) => git::update_edit(&name, expected, new, "wenku: draft")?,
            None => RefEdit {
                change: Change::Delete {
                    expected,
                    log: RefLog::AndReference,
                },
                name: name
                    .as_str()
                    .try_into()
                    .ctx(|| format!("{name} as a reference name"))?,
                deref: false,
            },
        };
        let signature = identity.signature(time);
        let mut buf = gix::date::parse::TimeBuf::default();
        match repo.edit_references_as([edit], Some(signature.to_ref(&mut buf))) {
            Ok(_) => Ok(()),
            Err(e) => {
                let tip = git::ref_target(repo, &name)?;
                if tip != seen {
                    return Err(match tip {
                        Some(tip) => DraftError::Changed {
                            item: item.clone(),
                            seen: seen.unwrap_or(tip),
                            tip,
                        },
                        None => DraftError::NoDraft { item: item.clone() },
                    });
                }
                Err(GitError::new(&format!("moving {name}"), e).into())
            }
        }
    }
}
