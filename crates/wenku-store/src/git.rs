//! Small helpers over gix shared by the modules that read and write trees.

use gix::ObjectId;
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

/// The commit `refs/heads/main` points at, if it exists.
pub(crate) fn main_head(repo: &gix::Repository) -> Result<Option<ObjectId>, GitError> {
    let reference = repo
        .try_find_reference(MAIN_REF)
        .ctx(|| format!("reading {MAIN_REF}"))?;
    match reference {
        None => Ok(None),
        Some(mut r) => {
            let id = r.peel_to_id().ctx(|| format!("resolving {MAIN_REF}"))?;
            Ok(Some(id.detach()))
        }
    }
}

/// The root tree of a commit.
pub(crate) fn commit_tree(repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId, GitError> {
    let c = repo
        .find_commit(commit)
        .ctx(|| format!("reading commit {commit}"))?;
    c.tree_id()
        .map(|id| id.detach())
        .ctx(|| format!("reading the tree of commit {commit}"))
}

/// The entry at `path` in `tree`: its object id and kind.
pub(crate) fn entry_at(
    repo: &gix::Repository,
    tree: ObjectId,
    path: &str,
) -> Result<Option<(ObjectId, EntryKind)>, GitError> {
    let tree_obj = repo
        .find_tree(tree)
        .ctx(|| format!("reading tree {tree}"))?;
    let entry = tree_obj
        .lookup_entry_by_path(path)
        .ctx(|| format!("looking up {path} in tree {tree}"))?;
    Ok(entry.map(|e| (e.object_id(), e.mode().kind())))
}

/// The bytes of a blob.
pub(crate) fn read_blob(
    repo: &gix::Repository,
    id: ObjectId,
    path: &str,
) -> Result<Vec<u8>, GitError> {
    let blob = repo
        .find_blob(id)
        .ctx(|| format!("reading {path} (blob {id})"))?;
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
    let t = repo
        .find_tree(tree)
        .ctx(|| format!("reading tree {path:?} ({tree})"))?;
    let decoded = t
        .decode()
        .ctx(|| format!("decoding tree {path:?} ({tree})"))?;
    Ok(decoded
        .entries
        .iter()
        .map(|e| TreeEntry {
            name: String::from_utf8_lossy(e.filename).into_owned(),
            id: e.oid.to_owned(),
            kind: e.mode.kind(),
        })
        .collect())
}
