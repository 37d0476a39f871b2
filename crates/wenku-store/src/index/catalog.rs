//! [`Catalog`] over the index, with the tree walk behind it.
//!
//! Every answer comes from the index unless the index finds one of its
//! blocks damaged: then the damage is logged, the index is marked broken
//! (the library rebuilds it on its next refresh), and this snapshot answers
//! from the tree, as it would without an index. A damaged block is found
//! before any of its bytes are used, so no answer ever comes from one.

use std::sync::{Arc, OnceLock};

use crate::ObjectId;
use wenku_index::{Corrupt, Index};
use wenku_model::{Citation, Date, RevisionId, VersionEntry, WorkId};

use super::changes::object_id;
use crate::catalog::{Catalog, TreeCatalog};
use crate::read::ReadError;
use wenku_model::query::{AsOfVersion, Filter, Referrer};

/// The index of one commit, as a [`Catalog`].
pub(crate) struct IndexCatalog {
    index: Arc<Index>,
    repo: gix::ThreadSafeRepository,
    commit: ObjectId,
    tree: ObjectId,
    fallback: OnceLock<TreeCatalog>,
}

impl std::fmt::Debug for IndexCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexCatalog")
            .field("commit", &self.commit)
            .field("broken", &self.index.is_broken())
            .finish_non_exhaustive()
    }
}

impl IndexCatalog {
    /// `index` must describe `commit`, whose root tree is `tree`.
    pub(crate) fn new(
        index: Arc<Index>,
        repo: gix::ThreadSafeRepository,
        commit: ObjectId,
        tree: ObjectId,
    ) -> IndexCatalog {
        IndexCatalog {
            index,
            repo,
            commit,
            tree,
            fallback: OnceLock::new(),
        }
    }

    fn damaged(&self, e: &Corrupt) {
        tracing::warn!(error = %e, "the index is damaged: answering from the tree; it will be rebuilt");
    }

    fn tree(&self) -> Result<&TreeCatalog, ReadError> {
        if let Some(t) = self.fallback.get() {
            return Ok(t);
        }
        let built = TreeCatalog::build(&self.repo.to_thread_local(), self.commit, self.tree)?;
        Ok(self.fallback.get_or_init(|| built))
    }

    /// From the index, or from the tree once the index is damaged.
    fn answer<T>(
        &self,
        from_index: impl FnOnce(&Index) -> Result<T, Corrupt>,
        from_tree: impl FnOnce(&TreeCatalog) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        if !self.index.is_broken() {
            match from_index(&self.index) {
                Ok(v) => return Ok(v),
                Err(e) => self.damaged(&e),
            }
        }
        from_tree(self.tree()?)
    }

    /// From the index; `None` sends the snapshot to the record.
    fn per_work<T>(
        &self,
        work: &WorkId,
        from_index: impl FnOnce(&Index) -> Result<Option<T>, Corrupt>,
    ) -> Result<Option<T>, ReadError> {
        if self.index.is_broken() {
            return Ok(None);
        }
        match from_index(&self.index) {
            Ok(Some(v)) => Ok(Some(v)),
            Ok(None) => Err(ReadError::UnknownWork {
                work: work.clone(),
                commit: self.commit,
            }),
            Err(e) => {
                self.damaged(&e);
                Ok(None)
            }
        }
    }
}

impl Catalog for IndexCatalog {
    fn commit(&self) -> ObjectId {
        self.commit
    }

    fn works(&self, filter: &Filter) -> Result<Vec<WorkId>, ReadError> {
        self.answer(|ix| ix.works(filter), |t| t.works(filter))
    }

    fn lookup(&self, citation: &Citation) -> Result<Vec<WorkId>, ReadError> {
        self.answer(|ix| ix.lookup(citation), |t| t.lookup(citation))
    }

    fn referrers(&self, work: &WorkId) -> Result<Vec<Referrer>, ReadError> {
        self.answer(|ix| ix.referrers(work), |t| t.referrers(work))
    }

    fn find_revision(&self, revision: &RevisionId) -> Result<Vec<WorkId>, ReadError> {
        self.answer(
            |ix| ix.find_revision(revision),
            |t| t.find_revision(revision),
        )
    }

    fn unresolved(&self) -> Result<Vec<Referrer>, ReadError> {
        self.answer(|ix| ix.unresolved(), |t| t.unresolved())
    }

    fn as_of(&self, work: &WorkId, date: Date) -> Result<Option<AsOfVersion>, ReadError> {
        self.per_work(work, |ix| ix.as_of(work, date))
    }

    fn versions(&self, work: &WorkId) -> Result<Option<Vec<VersionEntry>>, ReadError> {
        self.per_work(work, |ix| ix.versions(work))
    }

    fn version_blob(
        &self,
        work: &WorkId,
        revision: &RevisionId,
    ) -> Result<Option<ObjectId>, ReadError> {
        if self.index.is_broken() {
            return Ok(None);
        }
        match self.index.version_blob(work, revision) {
            Ok(blob) => Ok(blob.map(object_id)),
            Err(e) => {
                self.damaged(&e);
                Ok(None)
            }
        }
    }
}
