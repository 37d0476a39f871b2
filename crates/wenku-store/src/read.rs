//! Reading a library at one commit.
//!
//! A [`Snapshot`] pins one commit of `main`; everything read through it
//! comes from that commit's tree, so a reader never sees half of a
//! transaction. Reads of one work go straight to its directory (a few tree
//! look-ups). Questions over all works (filters, citations, reverse
//! relations) go through a [`Catalog`]: without the index it is built by
//! walking every record once per snapshot ([`TreeCatalog`]); the index
//! plugs in as another `Catalog` with [`Snapshot::with_catalog`].

use std::sync::OnceLock;

use crate::ObjectId;
use gix::objs::tree::EntryKind;
use wenku_model::canonical::{self, DecodeError};
use wenku_model::{Citation, Date, Document, Record, RevisionId, VersionEntry, WorkId};

use crate::catalog::{Catalog, TreeCatalog};
use crate::git::{self, GitError, SharedRepo};
use crate::layout;
use crate::metadata::{LibraryMeta, MetaError};
use wenku_model::query::{AsOfVersion, Filter, Referrer};

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The work is not in the library at this commit.
    #[error("unknown work {work} (not in the library at commit {commit})")]
    UnknownWork {
        /// The work asked for.
        work: WorkId,
        /// The commit read.
        commit: ObjectId,
    },
    /// The work has no version with this id.
    #[error("work {work} has no version {revision}")]
    UnknownVersion {
        /// The work.
        work: WorkId,
        /// The revision asked for.
        revision: RevisionId,
    },
    /// A version file's bytes do not hash to its name: the text was altered
    /// after it was stored, and is never used.
    #[error("integrity error: {path} does not hash to its name (its bytes hash to {actual})")]
    Integrity {
        /// The file.
        path: String,
        /// The id its name claims.
        expected: RevisionId,
        /// The id of its bytes.
        actual: RevisionId,
    },
    /// A record lies in another work's directory.
    #[error(
        "integrity error: {path} is the record of {found}, not of the work whose directory holds it"
    )]
    Misplaced {
        /// The file.
        path: String,
        /// The work the record names.
        found: WorkId,
    },
    /// A listed version file is missing.
    #[error("integrity error: {path} is listed in the record but missing")]
    MissingVersion {
        /// The missing file.
        path: String,
    },
    /// A record or version does not decode.
    #[error("{path}: {source}")]
    Decode {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: DecodeError,
    },
    /// `library.xml` is missing or unusable.
    #[error("library.xml at commit {commit}: {source}")]
    Meta {
        /// The commit read.
        commit: ObjectId,
        /// Why.
        #[source]
        source: MetaError,
    },
    /// git failed.
    #[error(transparent)]
    Git(#[from] GitError),
}

/// The library as of one commit.
///
/// A snapshot is `Send + Sync`: one snapshot can answer many threads (a
/// server's request handlers) at once.
pub struct Snapshot {
    repo: std::sync::Arc<SharedRepo>,
    commit: ObjectId,
    tree: ObjectId,
    catalog: OnceLock<Box<dyn Catalog>>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("commit", &self.commit)
            .field("tree", &self.tree)
            .finish_non_exhaustive()
    }
}

impl Snapshot {
    /// A snapshot reading through handles of `pool`, shared with others.
    pub(crate) fn pooled(
        repo: std::sync::Arc<SharedRepo>,
        commit: ObjectId,
    ) -> Result<Snapshot, ReadError> {
        let tree = git::commit_tree(&repo.get(), commit)?;
        Ok(Snapshot {
            repo,
            commit,
            tree,
            catalog: OnceLock::new(),
        })
    }

    /// A snapshot of `commit` whose tree is known (from the head cache).
    pub(crate) fn pooled_with_tree(
        repo: std::sync::Arc<SharedRepo>,
        commit: ObjectId,
        tree: ObjectId,
    ) -> Snapshot {
        Snapshot {
            repo,
            commit,
            tree,
            catalog: OnceLock::new(),
        }
    }

    /// Answers catalog questions from `catalog` (e.g. the index) instead
    /// of walking the tree. A catalog of another commit
    /// ([`Catalog::commit`]) would give wrong answers: it is not used (the
    /// tree is walked instead) and a warning is logged.
    pub fn with_catalog(self, catalog: Box<dyn Catalog>) -> Snapshot {
        if catalog.commit() != self.commit {
            tracing::warn!(
                snapshot = %self.commit,
                catalog = %catalog.commit(),
                "a catalog of another commit is not used"
            );
            return self;
        }
        let cell = OnceLock::new();
        let _ = cell.set(catalog);
        Snapshot {
            catalog: cell,
            ..self
        }
    }

    /// The commit read.
    pub fn commit(&self) -> ObjectId {
        self.commit
    }

    /// The commit's root tree.
    pub fn tree(&self) -> ObjectId {
        self.tree
    }

    /// The library's metadata at this commit.
    pub fn meta(&self) -> Result<LibraryMeta, ReadError> {
        read_meta(&self.repo.get(), self.commit, self.tree)
    }

    /// Whether the work exists.
    pub fn contains(&self, work: &WorkId) -> Result<bool, ReadError> {
        Ok(git::entry_at(&self.repo.get(), self.tree, &layout::record_path(work))?.is_some())
    }

    /// A work's record, or `None` if the work is not in the library.
    pub fn record(&self, work: &WorkId) -> Result<Option<Record>, ReadError> {
        read_record(&self.repo.get(), self.tree, work)
    }

    /// A work's record; an unknown work is an error.
    pub fn require_record(&self, work: &WorkId) -> Result<Record, ReadError> {
        self.record(work)?.ok_or_else(|| ReadError::UnknownWork {
            work: work.clone(),
            commit: self.commit,
        })
    }

    /// A version's canonical bytes, checked against its id: bytes that do
    /// not hash to the file's name are an [`ReadError::Integrity`] error.
    pub fn version_bytes(
        &self,
        work: &WorkId,
        revision: &RevisionId,
    ) -> Result<Vec<u8>, ReadError> {
        let path = layout::version_path(work, revision);
        let repo = self.repo.get();
        // The index knows the file's blob: no tree look-ups. A blob that is
        // not there after all falls back to the tree.
        if let Some(blob) = self
            .plugged()
            .map(|c| c.version_blob(work, revision))
            .transpose()?
            .flatten()
            && let Ok(bytes) = git::read_blob(&repo, blob, &path)
        {
            check_hash(&path, revision, &bytes)?;
            return Ok(bytes);
        }
        let bytes = match git::entry_at(&repo, self.tree, &path)? {
            Some((id, EntryKind::Blob)) => git::read_blob(&repo, id, &path)?,
            _ => {
                let record = self.require_record(work)?;
                return Err(if record.version(revision).is_some() {
                    ReadError::MissingVersion { path }
                } else {
                    ReadError::UnknownVersion {
                        work: work.clone(),
                        revision: *revision,
                    }
                });
            }
        };
        check_hash(&path, revision, &bytes)?;
        Ok(bytes)
    }

    /// A version's text.
    pub fn document(&self, work: &WorkId, revision: &RevisionId) -> Result<Document, ReadError> {
        let bytes = self.version_bytes(work, revision)?;
        canonical::decode_document(&bytes).map_err(|source| ReadError::Decode {
            path: layout::version_path(work, revision),
            source,
        })
    }

    /// A work's versions in legal order (effective date, then published).
    pub fn versions(&self, work: &WorkId) -> Result<Vec<VersionEntry>, ReadError> {
        if let Some(c) = self.plugged()
            && let Some(v) = c.versions(work)?
        {
            return Ok(v);
        }
        Ok(self.require_record(work)?.versions)
    }

    /// Status and version of a work on `date`. With the index plugged in,
    /// the record is not read.
    pub fn as_of(&self, work: &WorkId, date: Date) -> Result<AsOfVersion, ReadError> {
        if let Some(c) = self.plugged()
            && let Some(a) = c.as_of(work, date)?
        {
            return Ok(a);
        }
        let record = self.require_record(work)?;
        Ok(record.as_of(date).into())
    }

    /// The text in force on `date`, with its entry; `None` before the first
    /// version took effect.
    pub fn text_as_of(
        &self,
        work: &WorkId,
        date: Date,
    ) -> Result<Option<(VersionEntry, Document)>, ReadError> {
        match self.as_of(work, date)?.version {
            None => Ok(None),
            Some(v) => {
                let doc = self.document(work, &v.revision)?;
                Ok(Some((v, doc)))
            }
        }
    }

    /// The catalog if one is already there (plugged in, or built by an
    /// earlier question): per-work reads use it only then, and never build
    /// the tree walk for one work.
    fn plugged(&self) -> Option<&dyn Catalog> {
        self.catalog.get().map(|c| c.as_ref())
    }

    fn catalog(&self) -> Result<&dyn Catalog, ReadError> {
        if let Some(c) = self.catalog.get() {
            return Ok(c.as_ref());
        }
        let built = TreeCatalog::build(&self.repo.get(), self.commit, self.tree)?;
        Ok(self.catalog.get_or_init(|| Box::new(built)).as_ref())
    }

    /// Works matching `filter`, sorted by id.
    pub fn works(&self, filter: &Filter) -> Result<Vec<WorkId>, ReadError> {
        self.catalog()?.works(filter)
    }

    /// Works a citation refers to: by document number when the citation
    /// has one and a work carries it; otherwise by title (compared with
    /// [`wenku_model::title_key`]).
    pub fn lookup(&self, citation: &Citation) -> Result<Vec<WorkId>, ReadError> {
        self.catalog()?.lookup(citation)
    }

    /// Who relates to `work`: every relation in another record whose target
    /// is this work, by id or by a citation that resolves to it.
    pub fn referrers(&self, work: &WorkId) -> Result<Vec<Referrer>, ReadError> {
        self.catalog()?.referrers(work)
    }

    /// The works that list a version with this id.
    pub fn find_revision(&self, revision: &RevisionId) -> Result<Vec<WorkId>, ReadError> {
        self.catalog()?.find_revision(revision)
    }

    /// Relations whose citation resolves to no work yet (a cited document
    /// that has not arrived anywhere in the federation), sorted.
    pub fn unresolved_citations(&self) -> Result<Vec<Referrer>, ReadError> {
        self.catalog()?.unresolved()
    }
}

pub(crate) fn check_hash(path: &str, expected: &RevisionId, bytes: &[u8]) -> Result<(), ReadError> {
    let actual = RevisionId::of(bytes);
    if actual != *expected {
        return Err(ReadError::Integrity {
            path: path.to_string(),
            expected: *expected,
            actual,
        });
    }
    Ok(())
}

pub(crate) fn read_meta(
    repo: &gix::Repository,
    commit: ObjectId,
    tree: ObjectId,
) -> Result<LibraryMeta, ReadError> {
    let bytes = git::blob_at(repo, tree, layout::META_FILE)?.ok_or_else(|| ReadError::Meta {
        commit,
        source: MetaError::Invalid("the file is missing: this is not a wenku library".into()),
    })?;
    LibraryMeta::decode(&bytes).map_err(|source| ReadError::Meta { commit, source })
}

pub(crate) fn decode_record_at(
    path: &str,
    work: &WorkId,
    bytes: &[u8],
) -> Result<Record, ReadError> {
    let record = canonical::decode_record(bytes).map_err(|source| ReadError::Decode {
        path: path.to_string(),
        source,
    })?;
    if record.work != *work {
        return Err(ReadError::Misplaced {
            path: path.to_string(),
            found: record.work,
        });
    }
    Ok(record)
}

pub(crate) fn read_record(
    repo: &gix::Repository,
    tree: ObjectId,
    work: &WorkId,
) -> Result<Option<Record>, ReadError> {
    let path = layout::record_path(work);
    match git::blob_at(repo, tree, &path)? {
        None => Ok(None),
        Some(bytes) => decode_record_at(&path, work, &bytes).map(Some),
    }
}
