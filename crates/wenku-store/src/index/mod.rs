//! The index, from the store's side: where it lives, how it is brought to
//! `main`'s head, and how snapshots use it.
//!
//! The index itself (files, format, queries) is the `wenku-index` crate.
//! Here is the git side: reading every record of a commit for a rebuild,
//! the tree diff between the indexed commit and the new head for an
//! incremental update (only the records of works whose directory changed
//! are read), and [`crate::Catalog`] over the archive.
//!
//! The index lives in `<git-dir>/wenku/index/`; writers take
//! `<git-dir>/wenku/index.lock`, readers take nothing.
//! [`crate::Library::snapshot`] uses the index when it describes `main`'s
//! head, bringing it there first when it is behind;
//! [`crate::Library::commit`] brings an existing index forward after every
//! commit, with what the commit wrote and by the delta only: when the
//! delta has outgrown its limit, a thread of the library writes the new
//! base and installs it under the index as it is by then, and dropping
//! the library waits for that thread; [`crate::Library::refresh_index`]
//! brings the index forward on demand (after a fetch moved `main`, say),
//! writing a due base itself. The index is rebuilt from scratch, with a
//! warning, when it is missing, of another format, damaged, or of a commit
//! that is not an ancestor of the head. It is never needed for a correct
//! answer: whenever it is unusable, reads walk the tree.

mod catalog;
pub(crate) mod changes;

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::ObjectId;
use wenku_index::{Index, IndexDir, OpenError, UpdateOptions, WriteError};

pub(crate) use catalog::IndexCatalog;

use crate::git::{self, GitError};
use crate::lock::{self, LockError};
use crate::read::ReadError;

/// The directory, under the git directory.
const DIR: &str = "index";
/// The writers' lock, in `<git-dir>/wenku/`.
const LOCK: &str = "index.lock";

/// How a library keeps its index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexOptions {
    /// Whether snapshots use the index and commits keep it current. Off,
    /// the library never reads or writes `<git-dir>/wenku/index/`.
    pub enabled: bool,
    /// Changed works the small delta file may hold before an update writes
    /// a new base file with every work ([`UpdateOptions::max_delta_works`]).
    pub max_delta_works: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            enabled: true,
            max_delta_works: UpdateOptions::default().max_delta_works,
        }
    }
}

impl IndexOptions {
    /// No index: every question walks the tree.
    pub fn disabled() -> IndexOptions {
        IndexOptions {
            enabled: false,
            ..IndexOptions::default()
        }
    }
}

/// What [`crate::Library::refresh_index`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexRefresh {
    /// The library's index is turned off ([`IndexOptions::enabled`]).
    Disabled,
    /// The index already described the head.
    Current {
        /// The head.
        commit: ObjectId,
    },
    /// Brought forward from the tree diff between the two commits.
    Updated {
        /// The commit the index described.
        from: ObjectId,
        /// The head it describes now.
        to: ObjectId,
        /// Works whose directory changed (re-read or removed).
        works: usize,
        /// Whether the update wrote a new base file (the delta was full).
        merged: bool,
    },
    /// Built from every record of the head.
    Rebuilt {
        /// The head.
        commit: ObjectId,
        /// Works indexed.
        works: usize,
        /// Why it was rebuilt.
        reason: RebuildReason,
    },
}

/// Why an index was rebuilt rather than updated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RebuildReason {
    /// There was none.
    Missing,
    /// It had another format version or archive layout.
    Format(String),
    /// It was damaged.
    Corrupt(String),
    /// It described a commit that is not an ancestor of the head (history
    /// was rewritten, or `main` was reset).
    NotAncestor {
        /// The commit it described.
        indexed: ObjectId,
    },
}

impl std::fmt::Display for RebuildReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RebuildReason::Missing => f.write_str("there was no index"),
            RebuildReason::Format(s) => write!(f, "the index has another format: {s}"),
            RebuildReason::Corrupt(s) => write!(f, "the index is damaged: {s}"),
            RebuildReason::NotAncestor { indexed } => write!(
                f,
                "the index describes commit {indexed}, which is not an ancestor of main"
            ),
        }
    }
}

/// Why the index could not be brought current. The library still answers
/// every question, from the tree.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// Reading the library (a record that does not decode, git) failed.
    #[error("indexing the library: {0}")]
    Read(#[from] ReadError),
    /// The index could not be read for a reason other than damage (e.g.
    /// permissions).
    #[error("opening the index: {0}")]
    Open(#[from] OpenError),
    /// Writing the index failed.
    #[error("writing the index: {0}")]
    Write(#[from] WriteError),
    /// The index lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
}

impl From<GitError> for IndexError {
    fn from(e: GitError) -> Self {
        IndexError::Read(ReadError::Git(e))
    }
}

/// A library's index: its options, the index it last opened, and the
/// thread writing a new base, if one is.
#[derive(Debug)]
pub(crate) struct IndexState {
    options: IndexOptions,
    cached: Mutex<Option<Arc<Index>>>,
    base_writer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for IndexState {
    /// Waits for a base being written, so that a library dropped (a
    /// command ending) leaves its index whole and its directory alone.
    fn drop(&mut self) {
        let handle = self
            .base_writer
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

impl IndexState {
    pub(crate) fn new(options: IndexOptions) -> IndexState {
        IndexState {
            options,
            cached: Mutex::new(None),
            base_writer: Mutex::new(None),
        }
    }

    /// Writes a new base for `index` on a thread of its own, unless one is
    /// being written: commits go on updating the delta meanwhile, and the
    /// base is installed under whatever the index has become
    /// ([`IndexDir::install_base`]). Waits for nothing.
    fn start_base(&self, git_dir: &Path, index: Arc<Index>) {
        let mut slot = self.base_writer.lock().unwrap_or_else(|e| e.into_inner());
        if slot.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        if let Some(h) = slot.take() {
            let _ = h.join();
        }
        let dir = self.dir(git_dir);
        let git_dir = git_dir.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("wenku-index-base".into())
            .spawn(move || {
                let _span = tracing::info_span!("index_base", commit = %changes::object_id(index.commit())).entered();
                let result = (|| -> Result<Option<Index>, IndexError> {
                    let new = dir.write_base(&index)?;
                    let lock_path = git_dir.join("wenku").join(LOCK);
                    let _lock = lock::lock_exclusive(&git_dir, LOCK).map_err(|source| {
                        LockError {
                            path: lock_path,
                            source,
                        }
                    })?;
                    let current = dir.open_reusing(Some(&index))?;
                    Ok(dir.install_base(new, &current)?)
                })();
                match result {
                    Ok(Some(ix)) => {
                        tracing::info!(commit = %changes::object_id(ix.commit()), "a new index base is in place")
                    }
                    Ok(None) => {
                        tracing::debug!("another writer replaced the index's base first; the new base was dropped")
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "writing a new index base failed; the delta grows until the next try")
                    }
                }
            });
        match spawned {
            Ok(h) => *slot = Some(h),
            Err(e) => {
                tracing::warn!(error = %e, "could not start the thread that writes index bases")
            }
        }
    }

    pub(crate) fn options(&self) -> IndexOptions {
        self.options
    }

    fn dir(&self, git_dir: &Path) -> IndexDir {
        IndexDir::new(git_dir.join("wenku").join(DIR)).with_options(UpdateOptions {
            max_delta_works: self.options.max_delta_works,
        })
    }

    fn cached(&self) -> Option<Arc<Index>> {
        self.cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn keep(&self, index: Arc<Index>) -> Arc<Index> {
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&index));
        index
    }

    /// The index last opened, if it describes `commit` and is not damaged.
    pub(crate) fn cached_for(&self, commit: ObjectId) -> Option<Arc<Index>> {
        self.cached()
            .filter(|ix| !ix.is_broken() && changes::object_id(ix.commit()) == commit)
    }

    /// The commit of the usable index: the one last opened, else the one
    /// on disk.
    pub(crate) fn indexed_commit(&self, git_dir: &Path) -> Option<ObjectId> {
        if !self.options.enabled {
            return None;
        }
        if let Some(ix) = self.cached().filter(|ix| !ix.is_broken()) {
            return Some(changes::object_id(ix.commit()));
        }
        let previous = self.cached().filter(|ix| !ix.is_broken());
        let ix = self.dir(git_dir).open_reusing(previous.as_deref()).ok()?;
        let commit = changes::object_id(ix.commit());
        self.keep(Arc::new(ix));
        Some(commit)
    }

    /// The index of `head` for a snapshot: the one last opened, or the one
    /// on disk (another process may have brought it there). `None` (answer
    /// from the tree) when the index is off, missing, damaged or behind:
    /// a read never builds or updates the index.
    pub(crate) fn current_for(&self, git_dir: &Path, head: ObjectId) -> Option<Arc<Index>> {
        if !self.options.enabled {
            return None;
        }
        if let Some(ix) = self.cached_for(head) {
            return Some(ix);
        }
        let previous = self.cached().filter(|ix| !ix.is_broken());
        let dir = self.dir(git_dir);
        match dir.open_reusing(previous.as_deref()) {
            Ok(ix) if changes::object_id(ix.commit()) == head => Some(self.keep(Arc::new(ix))),
            Ok(_) => None,
            Err(e) => {
                if dir.current_path().exists() {
                    tracing::warn!(error = %e, "the index cannot be opened: answering from the tree until it is refreshed");
                }
                None
            }
        }
    }

    /// Whether commits should hand their changes to the index: it is on
    /// and exists.
    pub(crate) fn follows_commits(&self, git_dir: &Path) -> bool {
        self.options.enabled && self.dir(git_dir).current_path().exists()
    }

    /// After a commit: brings an existing index forward, with what the
    /// commit wrote when this process made it (`handoff`: no tree diff
    /// when the index was at its parent). A library without an index file
    /// gets one from its next snapshot, not from every commit of a bulk
    /// load. Never fails the commit that already landed.
    pub(crate) fn after_commit(
        &self,
        repo: &gix::Repository,
        git_dir: &Path,
        handoff: Option<Box<changes::Handoff>>,
    ) {
        if !self.follows_commits(git_dir) {
            return;
        }
        let result = git::main_head(repo)
            .map_err(IndexError::from)
            .and_then(|head| match head {
                Some(head) => self
                    .refresh_locked(repo, git_dir, head, handoff, true)
                    .map(Some),
                None => Ok(None),
            });
        if let Err(e) = result {
            tracing::warn!(error = %e, "the commit landed, but the index could not follow it; the next reader rebuilds it");
        }
    }

    /// Brings the index to `head`: nothing if it is there, the tree diff if
    /// it is behind on the same history, a rebuild otherwise.
    pub(crate) fn refresh(
        &self,
        repo: &gix::Repository,
        git_dir: &Path,
        head: ObjectId,
    ) -> Result<IndexRefresh, IndexError> {
        if !self.options.enabled {
            return Ok(IndexRefresh::Disabled);
        }
        self.refresh_locked(repo, git_dir, head, None, false)
    }

    fn refresh_locked(
        &self,
        repo: &gix::Repository,
        git_dir: &Path,
        head: ObjectId,
        handoff: Option<Box<changes::Handoff>>,
        after_commit: bool,
    ) -> Result<IndexRefresh, IndexError> {
        let lock_path = git_dir.join("wenku").join(LOCK);
        let _lock = lock::lock_exclusive(git_dir, LOCK).map_err(|source| LockError {
            path: lock_path,
            source,
        })?;
        let dir = self.dir(git_dir);
        let previous = self.cached();
        // A damaged index found by a query: its files cannot be trusted,
        // even where they still open.
        let opened = if previous.as_ref().is_some_and(|ix| ix.is_broken()) {
            Err(RebuildReason::Corrupt(format!(
                "a damaged block was found in {}",
                dir.path().display()
            )))
        } else {
            match dir.open_reusing(previous.as_deref()) {
                Ok(ix) => Ok(ix),
                Err(OpenError::Missing { .. }) => Err(RebuildReason::Missing),
                Err(OpenError::Format { reason, .. }) => Err(RebuildReason::Format(reason)),
                Err(OpenError::Corrupt(c)) => Err(RebuildReason::Corrupt(c.to_string())),
                Err(e) => return Err(e.into()),
            }
        };
        let mut index = match opened {
            Ok(ix) => ix,
            Err(reason) => return self.rebuild(repo, &dir, head, reason),
        };
        // The commit this process just made, on the indexed commit: its
        // own changes, no tree diff. `main` may have moved on since (another
        // writer): then the diff below covers the rest.
        if let Some(h) = handoff.filter(|h| changes::object_id(index.commit()) == h.parent) {
            let _span = tracing::info_span!("index_handoff", to = %h.commit).entered();
            let changes = changes::handed_off(&h)?;
            // Debug builds (every test) check the hand-off against the tree
            // diff it replaces: each change the diff finds is handed over
            // as it is. (A handed-over change the diff does not find can
            // only be a record rewritten with the same bytes.)
            #[cfg(debug_assertions)]
            {
                let new_tree = git::commit_tree(repo, h.commit)?;
                for c in changes::changes(repo, h.parent_tree, new_tree)? {
                    assert!(
                        changes.contains(&c),
                        "the commit's hand-off to the index misses or differs from {c:?}"
                    );
                }
            }
            let works = changes.len();
            match self.update(&dir, &index, changes::oid(h.commit), changes, after_commit) {
                Ok(updated) if h.commit == head => {
                    let kept = self.keep(Arc::new(updated.index));
                    if after_commit && dir.wants_base(&kept) {
                        self.start_base(git_dir, kept);
                    }
                    return Ok(IndexRefresh::Updated {
                        from: h.parent,
                        to: head,
                        works,
                        merged: updated.merged,
                    });
                }
                Ok(updated) => index = updated.index,
                Err(WriteError::Corrupt(c)) => {
                    return self.rebuild(repo, &dir, head, RebuildReason::Corrupt(c.to_string()));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let indexed = changes::object_id(index.commit());
        if indexed == head {
            self.keep(Arc::new(index));
            return Ok(IndexRefresh::Current { commit: head });
        }
        if !git::descends(repo, indexed, head)? {
            return self.rebuild(repo, &dir, head, RebuildReason::NotAncestor { indexed });
        }
        let _span = tracing::info_span!("index_update", from = %indexed, to = %head).entered();
        let old_tree = git::commit_tree(repo, indexed)?;
        let new_tree = git::commit_tree(repo, head)?;
        let changes = changes::changes(repo, old_tree, new_tree)?;
        let works = changes.len();
        match self.update(&dir, &index, changes::oid(head), changes, after_commit) {
            Ok(updated) => {
                let kept = self.keep(Arc::new(updated.index));
                if after_commit && dir.wants_base(&kept) {
                    self.start_base(git_dir, kept);
                }
                Ok(IndexRefresh::Updated {
                    from: indexed,
                    to: head,
                    works,
                    merged: updated.merged,
                })
            }
            Err(WriteError::Corrupt(c)) => {
                self.rebuild(repo, &dir, head, RebuildReason::Corrupt(c.to_string()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A new top layer; after a commit, never a new base (that is written
    /// apart: [`IndexState::start_base`]), so that the commit waits only
    /// for the delta.
    fn update(
        &self,
        dir: &IndexDir,
        index: &Index,
        commit: wenku_index::Oid,
        changes: Vec<wenku_index::Change>,
        after_commit: bool,
    ) -> Result<wenku_index::Updated, WriteError> {
        if after_commit {
            dir.update_delta(index, commit, changes)
        } else {
            dir.update(index, commit, changes)
        }
    }

    fn rebuild(
        &self,
        repo: &gix::Repository,
        dir: &IndexDir,
        head: ObjectId,
        reason: RebuildReason,
    ) -> Result<IndexRefresh, IndexError> {
        match &reason {
            RebuildReason::Missing => {
                tracing::info!(path = %dir.path().display(), "building the index")
            }
            other => {
                tracing::warn!(path = %dir.path().display(), reason = %other, "rebuilding the index")
            }
        }
        let _span = tracing::info_span!("index_rebuild", commit = %head).entered();
        let tree = git::commit_tree(repo, head)?;
        let entries = changes::all_entries(repo, tree)?;
        let works = entries.len();
        let index = dir.build(changes::oid(head), entries)?;
        self.keep(Arc::new(index));
        Ok(IndexRefresh::Rebuilt {
            commit: head,
            works,
            reason,
        })
    }
}
