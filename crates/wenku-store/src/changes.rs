//! What happened in a library, typed: the operations along `main` (every
//! commit's `Wenku-*` trailers, read back) and what changed between two
//! commits, work by work. Feeds, pull reports and subscriptions are built
//! on these; nothing here writes.

use std::collections::BTreeSet;

use gix::objs::tree::EntryKind;
use wenku_model::{Region, RevisionId, WorkId};

use crate::ObjectId;
use crate::git::{self, Context};
use crate::history::Person;
use crate::index::changes::changed_works;
use crate::layout;
use crate::library::Library;
use crate::message::{self, Trailers};
use crate::object_id::Ours;
use crate::op::OpKind;
use crate::read::ReadError;

/// What a commit of the library did, from its `Wenku-Op` trailer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OperationKind {
    /// The library's first commit.
    Init,
    /// One change (publish, add-version, correct, relate, repeal …).
    Op(OpKind),
    /// A transaction of several changes.
    Batch,
    /// A merge made by a pull from another node.
    Pull,
    /// A commit wenku did not make (a hand edit), or an operation this
    /// version does not know: the trailer as written, or empty.
    Other(String),
}

impl OperationKind {
    fn parse(trailer: Option<&str>) -> OperationKind {
        match trailer {
            Some("init") => OperationKind::Init,
            Some("batch") => OperationKind::Batch,
            Some("pull") => OperationKind::Pull,
            Some(other) => match OpKind::parse(other) {
                Some(kind) => OperationKind::Op(kind),
                None => OperationKind::Other(other.to_string()),
            },
            None => OperationKind::Other(String::new()),
        }
    }

    /// As the trailer spells it (`publish`, `batch`, `pull`, `init` …).
    pub fn as_str(&self) -> &str {
        match self {
            OperationKind::Init => "init",
            OperationKind::Op(k) => k.as_str(),
            OperationKind::Batch => "batch",
            OperationKind::Pull => "pull",
            OperationKind::Other(s) => s,
        }
    }
}

/// One commit on `main`, as an operation of the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The commit.
    pub commit: ObjectId,
    /// What it did.
    pub kind: OperationKind,
    /// The works whose directory it changed against its first parent,
    /// sorted (read from the trees, so complete for a batch or pull of any
    /// size and for hand edits; empty for the first commit).
    pub works: Vec<WorkId>,
    /// The versions it added (`Wenku-Revision`).
    pub revisions: Vec<RevisionId>,
    /// The node that made it (`Wenku-Node`).
    pub node: Option<Region>,
    /// For a pull: the peer, as the merge names it (`child 370283`).
    pub peer: Option<String>,
    /// Its author.
    pub author: Person,
    /// Its committer (the time it landed).
    pub committer: Person,
    /// The message's first line.
    pub subject: String,
}

/// How a work differs between two commits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Not in the older commit.
    Added,
    /// Its record or versions differ.
    Changed,
    /// Not in the newer commit (wenku never deletes a work: someone
    /// edited the repository by hand, or a peer lost it).
    Removed,
}

/// One work's change between two commits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkChange {
    /// The work.
    pub work: WorkId,
    /// Added, changed or removed.
    pub kind: ChangeKind,
    /// Version files that are new, by RevisionId, sorted.
    pub added_versions: Vec<RevisionId>,
    /// Whether `record.xml` differs.
    pub record_changed: bool,
    /// The operations between the two commits that changed this work,
    /// newest first (indexes into [`Changes::operations`]).
    pub operations: Vec<usize>,
}

/// What changed between two commits of `main`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes {
    /// The older commit.
    pub from: ObjectId,
    /// The newer commit.
    pub to: ObjectId,
    /// Every work whose directory differs, sorted by work.
    pub works: Vec<WorkChange>,
    /// The operations on the first-parent line after `from` up to `to`,
    /// newest first.
    pub operations: Vec<Operation>,
}

/// Why [`Library::changes`] could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChangesError {
    /// `from` is not `to` or an ancestor of it.
    #[error("commit {from} is not an ancestor of {to}: changes are read forward along history")]
    NotAncestor {
        /// The older commit asked for.
        from: ObjectId,
        /// The newer commit asked for.
        to: ObjectId,
    },
    /// Reading failed.
    #[error(transparent)]
    Read(#[from] ReadError),
}

impl From<git::GitError> for ChangesError {
    fn from(e: git::GitError) -> Self {
        ChangesError::Read(e.into())
    }
}

impl Library {
    /// The operations along `main`'s first-parent line, newest first: at
    /// most `limit`, stopping before `since` (exclusive) when it is given
    /// — a feed asks for what came after the last commit it saw.
    pub fn operations(
        &self,
        since: Option<ObjectId>,
        limit: usize,
    ) -> Result<Vec<Operation>, ReadError> {
        let head = self.head()?;
        operations_between(&self.repo(), since, head, limit)
    }

    /// What changed from commit `from` to commit `to` (an ancestor of it, or
    /// the same commit): every work added, changed or removed, with the
    /// operations between them. Reads only the trees on the paths of
    /// changed works and the commits between the two.
    pub fn changes(&self, from: ObjectId, to: ObjectId) -> Result<Changes, ChangesError> {
        let repo = self.repo();
        if !git::descends(&repo, from, to).map_err(ReadError::from)? {
            return Err(ChangesError::NotAncestor { from, to });
        }
        let operations = operations_between(&repo, Some(from), to, usize::MAX)?;
        let (old_tree, new_tree) = (git::commit_tree(&repo, from)?, git::commit_tree(&repo, to)?);
        let mut works = Vec::new();
        for (work, new_dir) in changed_works(&repo, old_tree, new_tree)? {
            let dir = layout::work_dir(&work);
            let old_dir = match git::entry_at(&repo, old_tree, &dir)? {
                Some((id, EntryKind::Tree)) => Some(id),
                _ => None,
            };
            let files = |tree: Option<ObjectId>| -> Result<Vec<(String, ObjectId)>, ReadError> {
                Ok(match tree {
                    None => Vec::new(),
                    Some(t) => git::tree_entries(&repo, t, &dir)?
                        .into_iter()
                        .filter(|e| e.kind == EntryKind::Blob)
                        .map(|e| (e.name, e.id))
                        .collect(),
                })
            };
            let (old, new) = (files(old_dir)?, files(new_dir)?);
            let has_record =
                |f: &[(String, ObjectId)]| f.iter().any(|(n, _)| n == layout::RECORD_FILE);
            let kind = match (has_record(&old), has_record(&new)) {
                (false, true) => ChangeKind::Added,
                (true, false) => ChangeKind::Removed,
                (false, false) => continue,
                (true, true) => ChangeKind::Changed,
            };
            let record = |f: &[(String, ObjectId)]| {
                f.iter()
                    .find(|(n, _)| n == layout::RECORD_FILE)
                    .map(|(_, id)| *id)
            };
            let old_names: BTreeSet<&str> = old.iter().map(|(n, _)| n.as_str()).collect();
            let mut added_versions: Vec<RevisionId> = new
                .iter()
                .filter(|(n, _)| !old_names.contains(n.as_str()))
                .filter_map(|(n, _)| n.strip_suffix(layout::VERSION_SUFFIX))
                .filter_map(|hex| RevisionId::parse(hex).ok())
                .collect();
            added_versions.sort();
            let ops = operations
                .iter()
                .enumerate()
                .filter(|(_, o)| o.works.contains(&work))
                .map(|(i, _)| i)
                .collect();
            works.push(WorkChange {
                kind,
                record_changed: record(&old) != record(&new),
                added_versions,
                operations: ops,
                work,
            });
        }
        works.sort_by(|a, b| a.work.cmp(&b.work));
        Ok(Changes {
            from,
            to,
            works,
            operations,
        })
    }
}

/// The first-parent line from `head` back to (not including) `since`.
fn operations_between(
    repo: &gix::Repository,
    since: Option<ObjectId>,
    head: ObjectId,
    limit: usize,
) -> Result<Vec<Operation>, ReadError> {
    let mut out = Vec::new();
    let mut next = Some(head);
    while let Some(id) = next {
        if Some(id) == since || out.len() >= limit {
            break;
        }
        let c = git::retrying(|| repo.find_commit(id.to_gix()))
            .ctx(|| format!("reading commit {id}"))?;
        let decoded = c.decode().ctx(|| format!("decoding commit {id}"))?;
        let (author, committer) = crate::history::signatures(&decoded, id)?;
        let text = String::from_utf8_lossy(decoded.message).into_owned();
        let trailers = Trailers::parse(&text);
        out.push(Operation {
            commit: id,
            kind: OperationKind::parse(trailers.op.as_deref()),
            works: {
                // From the trees, not the trailers: exact for a batch or a
                // pull too large to list its works, and for hand edits.
                let tree = decoded.tree();
                let parent = decoded.parents().next();
                match parent {
                    Some(p) => {
                        let parent_tree = git::commit_tree(repo, p.ours())?;
                        let mut works: Vec<WorkId> = changed_works(repo, parent_tree, tree.ours())?
                            .into_iter()
                            .map(|(w, _)| w)
                            .collect();
                        works.sort();
                        works
                    }
                    None => Vec::new(),
                }
            },
            revisions: trailers
                .revisions
                .iter()
                .filter_map(|r| RevisionId::parse(r).ok())
                .collect(),
            node: trailers.node.as_deref().and_then(|n| Region::parse(n).ok()),
            peer: trailers.peer.clone(),
            author,
            committer,
            subject: message::subject(&text).to_string(),
        });
        next = decoded.parents().next().map(|p| p.ours());
    }
    Ok(out)
}
