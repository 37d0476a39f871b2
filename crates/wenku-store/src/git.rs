//! Small helpers over gix shared by the modules that read and write trees.

use crate::ObjectId;
use gix::objs::tree::EntryKind;

/// The branch that is the library's state.
pub const MAIN_REF: &str = "refs/heads/main";

/// A git operation failed; `action` says what wenku was doing.
#[derive(Debug, thiserror::Error)]
#[error("{action}: {source}")]
pub struct GitError {
    /// What was being done, with the ids and paths involved.
    pub action: String,
    /// The underlying error.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl GitError {
    /// An error of `action`.
    pub(crate) fn new(
        action: &str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> GitError {
        GitError {
            action: action.to_string(),
            source: Box::new(source),
        }
    }

    /// Whether the underlying error is an object (or reference) that could
    /// not be found.
    pub fn is_not_found(&self) -> bool {
        self.source
            .downcast_ref::<gix::Error>()
            .is_some_and(gix::Error::is_not_found)
    }
}

/// Runs a gix look-up again when it reports an object as missing.
///
/// After packs are replaced on disk (by compaction here, or by `git gc` /
/// `git repack` in another process), gix's object store can report an
/// object that exists as not found once, while it catches up with the new
/// packs; the next look-up finds it. Every read of an object that must exist
/// (a ref's target, a tree entry) goes through this.
pub(crate) fn retrying<T>(mut f: impl FnMut() -> Result<T, gix::Error>) -> Result<T, gix::Error> {
    let mut tries = 0;
    loop {
        match f() {
            Err(e) if e.is_not_found() && tries < 3 => {
                tries += 1;
                tracing::debug!(error = %e, tries, "object not found; looking again");
            }
            other => return other,
        }
    }
}

/// Adds context to gix results.
pub(crate) trait Context<T> {
    fn ctx(self, action: impl FnOnce() -> String) -> Result<T, GitError>;
}

impl<T, E> Context<T> for Result<T, E>
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn ctx(self, action: impl FnOnce() -> String) -> Result<T, GitError> {
        self.map_err(|e| GitError {
            action: action(),
            source: Box::new(e),
        })
    }
}

/// The commit `refs/heads/main` points at, if it exists. A branch points
/// at its commit directly, so the id is taken as it is written: peeling
/// (to see through a tag) reads the object, and with a cold page cache
/// gix's first object look-up loads every pack index, which was most of
/// a cold open. A `main` that is symbolic is followed and peeled; one that
/// names something other than a commit fails where the commit is read.
pub(crate) fn main_head(repo: &gix::Repository) -> Result<Option<ObjectId>, GitError> {
    let reference = repo
        .try_find_reference(MAIN_REF)
        .ctx(|| format!("reading {MAIN_REF}"))?;
    match reference {
        None => Ok(None),
        Some(r) => match r.target().try_id() {
            Some(id) => Ok(Some(ObjectId::from_gix(id.to_owned()))),
            None => ref_target(repo, MAIN_REF),
        },
    }
}

/// The root tree of a commit.
pub(crate) fn commit_tree(repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId, GitError> {
    let c = retrying(|| repo.find_commit(commit.to_gix()))
        .ctx(|| format!("reading commit {commit}"))?;
    c.tree_id()
        .map(|id| ObjectId::from_gix(id.detach()))
        .ctx(|| format!("reading the tree of commit {commit}"))
}

/// The entry at `path` in `tree`: its object id and kind.
pub(crate) fn entry_at(
    repo: &gix::Repository,
    tree: ObjectId,
    path: &str,
) -> Result<Option<(ObjectId, EntryKind)>, GitError> {
    let entry = retrying(|| {
        repo.find_tree(tree.to_gix())?
            .lookup_entry_by_path(path)
            .map(|e| e.map(|e| (ObjectId::from_gix(e.object_id()), e.mode().kind())))
    })
    .ctx(|| format!("looking up {path} in tree {tree}"))?;
    Ok(entry)
}

/// The bytes of a blob.
pub(crate) fn read_blob(
    repo: &gix::Repository,
    id: ObjectId,
    path: &str,
) -> Result<Vec<u8>, GitError> {
    let blob =
        retrying(|| repo.find_blob(id.to_gix())).ctx(|| format!("reading {path} (blob {id})"))?;
    Ok(blob.detach().data)
}

/// The bytes at `path` in `tree` if a blob is there.
pub(crate) fn blob_at(
    repo: &gix::Repository,
    tree: ObjectId,
    path: &str,
) -> Result<Option<Vec<u8>>, GitError> {
    match entry_at(repo, tree, path)? {
        Some((id, EntryKind::Blob)) => read_blob(repo, id, path).map(Some),
        _ => Ok(None),
    }
}

/// One entry of a tree, owned.
#[derive(Clone, Debug)]
pub(crate) struct TreeEntry {
    /// The name, lossily decoded: library names are ASCII, and a name that
    /// is not UTF-8 never parses as one, so verification reports it.
    pub name: String,
    pub id: ObjectId,
    pub kind: EntryKind,
}

/// The entries of a tree.
pub(crate) fn tree_entries(
    repo: &gix::Repository,
    tree: ObjectId,
    path: &str,
) -> Result<Vec<TreeEntry>, GitError> {
    let t = retrying(|| repo.find_tree(tree.to_gix()))
        .ctx(|| format!("reading tree {path:?} ({tree})"))?;
    let decoded = t
        .decode()
        .ctx(|| format!("decoding tree {path:?} ({tree})"))?;
    Ok(decoded
        .entries
        .iter()
        .map(|e| TreeEntry {
            name: String::from_utf8_lossy(e.filename).into_owned(),
            id: ObjectId::from_gix(e.oid.to_owned()),
            kind: e.mode.kind(),
        })
        .collect())
}

/// The commit a reference points at, if the reference exists.
pub(crate) fn ref_target(repo: &gix::Repository, name: &str) -> Result<Option<ObjectId>, GitError> {
    let reference = repo
        .try_find_reference(name)
        .ctx(|| format!("reading {name}"))?;
    match reference {
        None => Ok(None),
        Some(mut r) => {
            let id = retrying(|| r.peel_to_id().map(|id| ObjectId::from_gix(id.detach())))
                .ctx(|| format!("resolving {name}"))?;
            Ok(Some(id))
        }
    }
}

/// Points the reference `name` at `new` if it currently matches
/// `expected`.
pub(crate) fn write_ref(
    repo: &gix::Repository,
    name: &str,
    expected: gix::refs::transaction::PreviousValue,
    new: ObjectId,
    reflog: &str,
    signature: &gix::actor::Signature,
) -> Result<(), GitError> {
    let edit = update_edit(name, expected, new, reflog)?;
    let mut buf = gix::date::parse::TimeBuf::default();
    repo.edit_references_as([edit], Some(signature.to_ref(&mut buf)))
        .ctx(|| format!("pointing {name} at {new}"))?;
    Ok(())
}

/// The edit that points `name` at `new` if it matches `expected`, with a
/// reflog entry.
pub(crate) fn update_edit(
    name: &str,
    expected: gix::refs::transaction::PreviousValue,
    new: ObjectId,
    reflog: &str,
) -> Result<gix::refs::transaction::RefEdit, GitError> {
    use gix::refs::transaction::{Change, LogChange, RefEdit, RefLog};
    Ok(RefEdit {
        change: Change::Update {
            log: LogChange {
                mode: RefLog::AndReference,
                force_create_reflog: false,
                message: reflog.into(),
            },
            expected,
            new: gix::refs::Target::Object(new.to_gix()),
        },
        name: name
            .try_into()
            .ctx(|| format!("{name} as a reference name"))?,
        deref: false,
    })
}

/// Deletes the reference `name` if it exists.
pub(crate) fn delete_ref(
    repo: &gix::Repository,
    name: &str,
    signature: &gix::actor::Signature,
) -> Result<(), GitError> {
    use gix::refs::transaction::{Change, PreviousValue, RefEdit, RefLog};
    if ref_target(repo, name)?.is_none() {
        return Ok(());
    }
    let edit = RefEdit {
        change: Change::Delete {
            expected: PreviousValue::Any,
            log: RefLog::AndReference,
        },
        name: name
            .try_into()
            .ctx(|| format!("{name} as a reference name"))?,
        deref: false,
    };
    let mut buf = gix::date::parse::TimeBuf::default();
    repo.edit_references_as([edit], Some(signature.to_ref(&mut buf)))
        .ctx(|| format!("deleting {name}"))?;
    Ok(())
}

/// Whether `head` is `ancestor` or descends from it (their merge base is
/// `ancestor`); unrelated histories do not.
pub(crate) fn descends(
    repo: &gix::Repository,
    ancestor: ObjectId,
    head: ObjectId,
) -> Result<bool, GitError> {
    use crate::object_id::Ours;
    if ancestor == head {
        return Ok(true);
    }
    let base = retrying(|| repo.merge_base(ancestor.to_gix(), head.to_gix()))
        .ctx(|| format!("finding the merge base of {ancestor} and {head}"))?;
    Ok(base.map(|b| b.ours()) == Some(ancestor))
}

/// A repository that threads share: each read borrows a thread-local
/// handle from a small pool and gives it back, so object caches outlive
/// one call and a [`Snapshot`](crate::Snapshot) can be `Send + Sync`.
pub(crate) struct SharedRepo {
    shared: gix::ThreadSafeRepository,
    idle: std::sync::Mutex<Vec<gix::Repository>>,
}

/// Handles kept for reuse; more concurrent readers than this open their
/// own and drop them afterwards.
const IDLE_HANDLES: usize = 16;

impl std::fmt::Debug for SharedRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedRepo")
            .field("git_dir", &self.shared.git_dir())
            .finish_non_exhaustive()
    }
}

impl SharedRepo {
    pub(crate) fn new(shared: gix::ThreadSafeRepository) -> SharedRepo {
        SharedRepo {
            shared,
            idle: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// A handle for this thread, returned to the pool when dropped.
    pub(crate) fn get(&self) -> PooledRepo<'_> {
        let repo = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
            .unwrap_or_else(|| self.shared.to_thread_local());
        PooledRepo {
            pool: self,
            repo: Some(repo),
        }
    }
}

/// A borrowed handle of a [`SharedRepo`].
pub(crate) struct PooledRepo<'a> {
    pool: &'a SharedRepo,
    repo: Option<gix::Repository>,
}

impl std::ops::Deref for PooledRepo<'_> {
    type Target = gix::Repository;
    fn deref(&self) -> &gix::Repository {
        self.repo
            .as_ref()
            .expect("the handle is taken out only when the guard is dropped")
    }
}

impl Drop for PooledRepo<'_> {
    fn drop(&mut self) {
        if let Some(repo) = self.repo.take() {
            let mut idle = self
                .pool
                .idle
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if idle.len() < IDLE_HANDLES {
                idle.push(repo);
            }
        }
    }
}
