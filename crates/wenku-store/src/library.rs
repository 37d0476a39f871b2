//! A library: one bare git repository whose `refs/heads/main` is the state.
//!
//! Why bare: a library is written only through wenku and served to other
//! nodes (`git http-backend`, `git daemon`) and cloned by them; a work tree
//! would be a second, stale copy of `main`. `git clone` of a library (bare
//! or not) opens as a library too, because everything wenku needs is in
//! `main`'s tree ([`crate::metadata`]).
//!
//! gix is opened isolated: no environment variables and no global or
//! system git configuration are read, so a library behaves the same for
//! every user and in every test.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use crate::ObjectId;
use crate::object_id::Ours;
use gix::objs::tree::EntryKind;
use wenku_model::{Record, Region, WorkId};

use crate::authority::{Authority, AuthorityError};
use crate::clock::{Clock, SystemClock};
use crate::git::{self, Context, GitError, MAIN_REF};
use crate::identity::Identity;
use crate::index::{IndexCatalog, IndexError, IndexOptions, IndexRefresh, IndexState};
use crate::layout;
use crate::message;
use crate::metadata::{LibraryMeta, MetaError};
use crate::op::{NewVersion, Op, OpOutcome};
use crate::pack::{self, Maintenance};
use crate::read::{self, ReadError, Snapshot};
use crate::signing::NodeKey;
use crate::texts::{TextError, TextPack};
use crate::transaction::{self, CommitError, CommitOptions, Committed, Swap, Transaction};

/// How gix opens a library: isolated from the environment and from global
/// configuration, with index slots for many packs (a long-running process
/// sees the packs other processes add; compaction keeps their number low).
pub(crate) fn open_options() -> gix::open::Options {
    gix::open::Options::isolated().object_store_slots(
        gix::odb::store::init::Slots::AsNeededByDiskState {
            multiplier: 2.0,
            minimum: 256,
        },
    )
}

/// Options for [`Library::init`].
#[derive(Clone, Debug)]
pub struct InitOptions {
    /// Sub-regions the node hosts (townships without a node of their own).
    pub hosted: Vec<Region>,
    /// Who creates the library (author of its first commit).
    pub identity: Identity,
    /// Where commit times come from; the system clock in UTC by default.
    pub clock: Arc<dyn Clock>,
    /// The node's key: signs the first commit (and, kept by the opened
    /// library, every later one). A node that is its own trust root
    /// ([`crate::trust::root_of`]) also starts its trust file with it and
    /// pins it as the root key.
    pub key: Option<Arc<NodeKey>>,
}

impl InitOptions {
    /// Options with no hosted regions and the system clock.
    pub fn new(identity: Identity) -> InitOptions {
        InitOptions {
            hosted: Vec::new(),
            identity,
            clock: Arc::new(SystemClock::utc()),
            key: None,
        }
    }

    /// Signs with `key`.
    pub fn key(mut self, key: Arc<NodeKey>) -> InitOptions {
        self.key = Some(key);
        self
    }

    /// Hosts a sub-region as well.
    pub fn hosting(mut self, region: Region) -> InitOptions {
        self.hosted.push(region);
        self
    }

    /// Takes commit times from `clock`.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> InitOptions {
        self.clock = clock;
        self
    }
}

/// A work's record before and after a previewed transaction
/// ([`Library::preview`]).
#[derive(Clone, Debug)]
pub struct RecordChange {
    /// The work.
    pub work: WorkId,
    /// Its record now (`None`: the transaction publishes it).
    pub before: Option<Record>,
    /// Its record after the transaction.
    pub after: Option<Record>,
}

/// Why a library could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// The hosted regions are not inside the node's region.
    #[error("cannot create a library at {path}: {source}")]
    Authority {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: AuthorityError,
    },
    /// The repository could not be created (e.g. the directory is not
    /// empty).
    #[error("cannot create a library at {path}: {source}")]
    Git {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: GitError,
    },
    /// Writing the first commit failed.
    #[error("cannot create a library at {path}: {source}")]
    Commit {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<CommitError>,
    },
    /// The new library did not open.
    #[error(transparent)]
    Open(#[from] OpenError),
}

/// Why a library could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// Not a git repository.
    #[error("{path} is not a git repository: {source}")]
    NotARepository {
        /// The path.
        path: PathBuf,
        /// Why gix could not open it.
        #[source]
        source: GitError,
    },
    /// A git repository, but not a library.
    #[error("{path} is not a wenku library: {reason}")]
    NotALibrary {
        /// The path.
        path: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// A library of a newer format.
    #[error(
        "{path} is a wenku library of format {found}, but this build reads format {supported} only; upgrade wenku to open it"
    )]
    NewerFormat {
        /// The path.
        path: PathBuf,
        /// Its format.
        found: u32,
        /// The newest this build reads.
        supported: u32,
    },
    /// `library.xml` is damaged.
    #[error("{path}: {source}")]
    Meta {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: MetaError,
    },
    /// Reading failed.
    #[error("{path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: ReadError,
    },
}

/// How one attempt at a transaction ended.
enum Attempt {
    /// Committed, or nothing to commit; with what the commit wrote when
    /// the index follows commits.
    Finished(Committed, Option<Box<crate::index::changes::Handoff>>),
    /// Another writer moved `main` first.
    Lost,
}

/// The repository as gix opened it, and the state of `objects/pack` then.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) repo: gix::ThreadSafeRepository,
    /// Thread-local handles on `repo` kept for reuse by every snapshot and
    /// head read: opening one and dropping it (its caches) per request
    /// costs more than the read a server answers with.
    pub(crate) pool: Arc<crate::git::SharedRepo>,
    packs: Option<SystemTime>,
}

impl Store {
    fn open(path: &Path) -> Result<Store, GitError> {
        let repo = gix::ThreadSafeRepository::open_opts(path, open_options())
            .ctx(|| format!("opening {}", path.display()))?;
        let packs = packs_changed_at(repo.git_dir());
        let pool = Arc::new(crate::git::SharedRepo::new(repo.clone()));
        Ok(Store { repo, pool, packs })
    }
}

/// When the set of packs last changed (the pack directory's mtime).
fn packs_changed_at(git_dir: &Path) -> Option<SystemTime> {
    std::fs::metadata(git_dir.join("objects").join("pack"))
        .and_then(|m| m.modified())
        .ok()
}

/// A wenku library. `Send + Sync`: share it between threads with an `Arc`;
/// every call takes its own thread-local handle on the repository.
pub struct Library {
    store: RwLock<Arc<Store>>,
    git_dir: PathBuf,
    path: PathBuf,
    meta: LibraryMeta,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) options: CommitOptions,
    pub(crate) meta_cache: transaction::MetaCache,
    index: IndexState,
    pub(crate) key: Option<Arc<NodeKey>>,
    /// The head seen at open and its tree: a snapshot of that commit needs
    /// not read the commit object.
    head_tree: std::sync::Mutex<Option<(ObjectId, ObjectId)>>,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("path", &self.path)
            .field("authority", &self.meta.authority)
            .finish_non_exhaustive()
    }
}

impl Library {
    /// Creates a library for node `node` in the empty (or missing)
    /// directory `path`: a bare repository whose first commit holds
    /// `library.xml`.
    pub fn init(
        path: impl AsRef<Path>,
        node: Region,
        options: InitOptions,
    ) -> Result<Library, InitError> {
        let path = path.as_ref().to_path_buf();
        let _span = tracing::info_span!("init", path = %path.display(), %node).entered();
        let authority = Authority::new(node, options.hosted.iter().copied()).map_err(|source| {
            InitError::Authority {
                path: path.clone(),
                source,
            }
        })?;
        let git_fail = |source| InitError::Git {
            path: path.clone(),
            source,
        };
        let repo: gix::Repository = gix::ThreadSafeRepository::init_opts(
            &path,
            gix::create::Kind::Bare,
            gix::create::Options::default(),
            open_options(),
        )
        .ctx(|| format!("creating a bare repository at {}", path.display()))
        .map_err(git_fail)?
        .to_thread_local();
        let meta = LibraryMeta::new(authority);
        let blob = repo
            .write_blob(meta.encode())
            .ctx(|| "writing library.xml".to_string())
            .map_err(git_fail)?
            .detach();
        let mut editor = repo
            .edit_tree(gix::ObjectId::empty_tree(repo.object_hash()))
            .ctx(|| "starting the first tree".to_string())
            .map_err(git_fail)?
            .detach();
        editor
            .upsert([layout::META_FILE], EntryKind::Blob, blob)
            .ctx(|| "placing library.xml".to_string())
            .map_err(git_fail)?;
        let root = crate::trust::root_of(node);
        let starts_trust = options.key.as_ref().filter(|_| root == node);
        if let Some(key) = starts_trust {
            let mut trust = crate::trust::Trust {
                serial: 1,
                ..Default::default()
            };
            trust.grant(key.public().clone(), &[node]);
            let (allowed, revoked) = trust.encode();
            for (name, text) in [
                (crate::trust::ALLOWED_FILE, allowed),
                (crate::trust::REVOKED_FILE, revoked),
            ] {
                let id = repo
                    .write_blob(text.as_bytes())
                    .ctx(|| format!("writing {}/{name}", crate::trust::dir_of(node)))
                    .map_err(git_fail)?
                    .detach();
                editor
                    .upsert(
                        [crate::trust::dir_of(node).as_str(), name],
                        EntryKind::Blob,
                        id,
                    )
                    .ctx(|| format!("placing {}/{name}", crate::trust::dir_of(node)))
                    .map_err(git_fail)?;
            }
        }
        let tree = editor
            .write(|t| repo.write_object(t).map(|id| id.detach()))
            .ctx(|| "writing the first tree".to_string())
            .map_err(git_fail)?;
        let time = options.clock.now();
        let signature = options.identity.signature(time);
        let mut commit = gix::objs::Commit {
            tree,
            parents: Default::default(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: message::compose_init(node).into(),
            extra_headers: Vec::new(),
        };
        if let Some(key) = &options.key {
            key.sign_commit(&mut commit)
                .map_err(|e| git_fail(GitError::new("signing the first commit", e)))?;
        }
        if let Some(key) = starts_trust {
            crate::trust::pin(repo.git_dir(), key.public())
                .map_err(|e| git_fail(GitError::new("pinning the trust root", e)))?;
        }
        let commit = repo
            .write_object(&commit)
            .ctx(|| "writing the first commit".to_string())
            .map_err(git_fail)?
            .ours();
        let commit_fail = |e: CommitError| InitError::Commit {
            path: path.clone(),
            source: Box::new(e),
        };
        match transaction::swap_main(
            &repo,
            None,
            commit,
            &format!("wenku: init library {node}"),
            &options.identity,
            time,
        )
        .map_err(commit_fail)?
        {
            Swap::Done => {}
            Swap::Lost => {
                return Err(commit_fail(CommitError::Conflict {
                    attempts: 1,
                    head: git::main_head(&repo).ok().flatten().unwrap_or(commit),
                }));
            }
        }
        let library = Library::open(&path)?.with_clock(options.clock);
        Ok(match options.key {
            Some(key) => library.with_key(key),
            None => library,
        })
    }

    /// Opens the library at `path`: a bare library, a clone's work tree or
    /// its `.git` directory.
    pub fn open(path: impl AsRef<Path>) -> Result<Library, OpenError> {
        let path = path.as_ref().to_path_buf();
        let store = Store::open(&path).map_err(|source| OpenError::NotARepository {
            path: path.clone(),
            source,
        })?;
        let local = store.repo.to_thread_local();
        let read_fail = |source| OpenError::Read {
            path: path.clone(),
            source,
        };
        let head = git::main_head(&local)
            .map_err(|e| read_fail(ReadError::Git(e)))?
            .ok_or_else(|| OpenError::NotALibrary {
                path: path.clone(),
                reason: format!("it has no {MAIN_REF}"),
            })?;
        let git_dir = store.repo.git_dir().to_path_buf();
        // The head's tree and metadata from the head cache when it names
        // this head: no git object is read (see `head_cache`).
        let cached = crate::head_cache::read(&git_dir, head)
            .and_then(|(tree, bytes)| LibraryMeta::decode(&bytes).ok().map(|meta| (tree, meta)));
        let (tree, meta) = match cached {
            Some(found) => found,
            None => {
                let tree =
                    git::commit_tree(&local, head).map_err(|e| read_fail(ReadError::Git(e)))?;
                let meta = match read::read_meta(&local, head, tree) {
                    Ok(m) => {
                        crate::head_cache::write(&git_dir, head, tree, &m.encode());
                        m
                    }
                    Err(ReadError::Meta { source, .. }) => {
                        return Err(match source {
                            MetaError::NewerFormat { found, supported } => OpenError::NewerFormat {
                                path,
                                found,
                                supported,
                            },
                            MetaError::Invalid(reason) if reason.contains("missing") => {
                                OpenError::NotALibrary {
                                    path,
                                    reason: format!("{MAIN_REF} has no {}", layout::META_FILE),
                                }
                            }
                            source => OpenError::Meta { path, source },
                        });
                    }
                    Err(e) => return Err(read_fail(e)),
                };
                (tree, meta)
            }
        };
        Ok(Library {
            git_dir,
            store: RwLock::new(Arc::new(store)),
            path,
            meta,
            clock: Arc::new(SystemClock::utc()),
            options: CommitOptions::default(),
            meta_cache: transaction::MetaCache::default(),
            index: IndexState::new(IndexOptions::default()),
            key: None,
            head_tree: std::sync::Mutex::new(Some((head, tree))),
        })
    }

    /// Takes commit times from `clock` from now on.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Library {
        self.clock = clock;
        self
    }

    /// Signs every commit with `key` from now on (see [`crate::signing`]).
    pub fn with_key(mut self, key: Arc<NodeKey>) -> Library {
        self.key = Some(key);
        self
    }

    /// The key this library signs with, if any.
    pub fn key(&self) -> Option<&NodeKey> {
        self.key.as_deref()
    }

    /// Commits with these options from now on.
    pub fn with_commit_options(mut self, options: CommitOptions) -> Library {
        self.options = options;
        self
    }

    /// Keeps (or does not keep) the index with these options from now on;
    /// it is on by default (see [`IndexOptions`](crate::IndexOptions) and [`Library::refresh_index`]).
    pub fn with_index(mut self, options: IndexOptions) -> Library {
        self.index = IndexState::new(options);
        self
    }

    /// The index options in use.
    pub fn index_options(&self) -> IndexOptions {
        self.index.options()
    }

    /// Brings the index to `main`'s head: nothing if it is there, an
    /// incremental update from the tree diff if it is behind on the same
    /// history, a rebuild (logged as a warning) if it is missing, of
    /// another format, damaged, or of a commit that is not an ancestor of
    /// the head. Commits and pulls bring an existing index forward
    /// themselves; call it after anything else moved `main` (git itself),
    /// and once before reading in a process that wants index answers
    /// (a library without an index file gets one here). Snapshots taken
    /// while the index is behind answer from the tree.
    pub fn refresh_index(&self) -> Result<IndexRefresh, IndexError> {
        let head = self.head()?;
        self.index.refresh(&self.repo(), &self.git_dir, head)
    }

    /// The commit the index describes, if the library has a usable one
    /// (it answers a snapshot of that commit). Equal to [`Library::head`]
    /// when the index is current.
    pub fn indexed_commit(&self) -> Option<ObjectId> {
        self.index.indexed_commit(&self.git_dir)
    }

    /// After this library moved `main` (a commit, a pull): brings an
    /// existing index forward. Never fails what already landed; a failure
    /// is logged and the next reader rebuilds.
    pub(crate) fn index_follows_main(&self) {
        self.index.after_commit(&self.repo(), &self.git_dir, None);
    }

    /// The path the library was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The repository's git directory.
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// The metadata as read when the library was opened.
    pub fn meta(&self) -> &LibraryMeta {
        &self.meta
    }

    /// The node's authority as read when the library was opened.
    /// Transactions check the authority written in the commit they apply
    /// to, so a change of hosted regions by another process counts at once.
    pub fn authority(&self) -> &Authority {
        &self.meta.authority
    }

    /// The repository, reopened when the set of packs changed since it was
    /// opened.
    ///
    /// gix's object store follows packs that appear, but packs that are
    /// replaced (by compaction here, or by `git gc` in another process) make
    /// a long-lived store reuse index slots, where gix 0.90 can miss an
    /// object for a moment or even fail an internal assertion. A library
    /// therefore takes a fresh store whenever `objects/pack` changed: one
    /// `stat` per operation, and a reopen (about a millisecond) after a
    /// batch or a gc.
    pub(crate) fn store(&self) -> Arc<Store> {
        let now = packs_changed_at(&self.git_dir);
        {
            let current = self.store.read().unwrap_or_else(|e| e.into_inner());
            if current.packs == now {
                return Arc::clone(&current);
            }
        }
        match Store::open(&self.git_dir) {
            Ok(fresh) => {
                let fresh = Arc::new(fresh);
                let mut slot = self.store.write().unwrap_or_else(|e| e.into_inner());
                *slot = Arc::clone(&fresh);
                fresh
            }
            Err(e) => {
                tracing::warn!(error = %e, "reopening the repository failed; keeping the open one");
                Arc::clone(&self.store.read().unwrap_or_else(|e| e.into_inner()))
            }
        }
    }

    /// A thread-local handle on the repository, for crate-internal walks.
    pub(crate) fn repo(&self) -> gix::Repository {
        self.store().repo.to_thread_local()
    }

    /// The commit `main` points at now.
    pub fn head(&self) -> Result<ObjectId, ReadError> {
        let store = self.store();
        let head = git::main_head(&store.pool.get())?;
        head.ok_or_else(|| {
            ReadError::Git(GitError {
                action: format!("reading {MAIN_REF}"),
                source: "the library has lost refs/heads/main".into(),
            })
        })
    }

    /// The library as of `main` now. Later commits do not change it.
    ///
    /// With the index on (the default), the snapshot answers catalog
    /// questions from the index when the index describes the head, and from
    /// the tree otherwise. Taking a snapshot never builds or updates the
    /// index: that is [`Library::refresh_index`]'s work, which a one-shot
    /// command runs before it reads and a server runs in the background.
    pub fn snapshot(&self) -> Result<Snapshot, ReadError> {
        let head = self.head()?;
        let index = self.index.current_for(&self.git_dir, head);
        self.plug(head, index)
    }

    /// The library as of any commit (e.g. an older one, or a peer's head
    /// fetched for federation). Uses the index if the one last opened
    /// describes that commit.
    pub fn snapshot_at(&self, commit: ObjectId) -> Result<Snapshot, ReadError> {
        let index = self.index.cached_for(commit);
        self.plug(commit, index)
    }

    /// A snapshot of `commit`, answering from `index` when there is one.
    fn plug(
        &self,
        commit: ObjectId,
        index: Option<std::sync::Arc<wenku_index::Index>>,
    ) -> Result<Snapshot, ReadError> {
        let store = self.store();
        let known = *self.head_tree.lock().unwrap_or_else(|e| e.into_inner());
        let snapshot = match known {
            Some((c, tree)) if c == commit => {
                Snapshot::pooled_with_tree(Arc::clone(&store.pool), commit, tree)
            }
            _ => Snapshot::pooled(Arc::clone(&store.pool), commit)?,
        };
        Ok(match index {
            None => snapshot,
            Some(index) => {
                let repo = store.repo.clone();
                let catalog = IndexCatalog::new(index, repo, snapshot.commit(), snapshot.tree());
                snapshot.with_catalog(Box::new(catalog))
            }
        })
    }

    /// Commits a transaction: one commit on `main`, moved by
    /// compare-and-swap, with `identity` as author and committer and the
    /// library's clock for the time. Lost races are retried on the new
    /// head (see [`CommitOptions::max_attempts`]). A transaction whose ops
    /// change nothing makes no commit; [`Committed::outcomes`] says why.
    pub fn commit(
        &self,
        identity: &Identity,
        transaction: impl Into<Transaction>,
    ) -> Result<Committed, CommitError> {
        let transaction = transaction.into();
        let _span = tracing::info_span!("commit", ops = transaction.len()).entered();
        // Borrowed: a batch's documents are not copied for each attempt.
        self.commit_loop(identity, None, || {
            Ok((None, std::borrow::Cow::Borrowed(&transaction)))
        })
    }

    /// A [`TextPack`]: texts written ahead of the commit that uses them,
    /// so that a batch of thousands of documents need not hold them all
    /// (see [`crate::TextPack`]). Commit with
    /// [`Library::commit_planned_with_texts`].
    pub fn text_pack(&self) -> Result<TextPack, TextError> {
        TextPack::new(&self.repo())
    }

    /// [`Library::commit_planned`] of a transaction whose versions are
    /// texts of `texts` ([`crate::VersionText::Stored`]): the texts are
    /// written into the repository as one pack once the transaction has
    /// been staged without a refusal, just before its commit is written.
    /// A refused transaction leaves nothing in the repository.
    pub fn commit_planned_with_texts<E>(
        &self,
        identity: &Identity,
        texts: &mut TextPack,
        mut plan: impl FnMut(&Snapshot) -> Result<Transaction, E>,
    ) -> Result<Committed, E>
    where
        E: From<CommitError>,
    {
        let _span = tracing::info_span!("commit_planned_with_texts", texts = texts.len()).entered();
        self.commit_loop(identity, Some(texts), || {
            let snapshot = self.snapshot().map_err(|e| E::from(CommitError::Read(e)))?;
            let transaction = plan(&snapshot)?;
            Ok((
                Some(snapshot.commit()),
                std::borrow::Cow::Owned(transaction),
            ))
        })
    }

    /// Commits a transaction that is *planned against the head it is
    /// staged on*: `plan` gets a [`Snapshot`] of `main` and returns the
    /// transaction, and after a lost race it is called again with a
    /// snapshot of the new head. Decisions that depend on the library's
    /// state — a free local id, whether a text is already stored — are
    /// then never made on a head other than the one they are committed on,
    /// so a concurrent writer costs a retry, never a wrong refusal.
    ///
    /// Errors of the planner are returned as they are; commit errors are
    /// converted with `From`.
    pub fn commit_planned<E>(
        &self,
        identity: &Identity,
        mut plan: impl FnMut(&Snapshot) -> Result<Transaction, E>,
    ) -> Result<Committed, E>
    where
        E: From<CommitError>,
    {
        let _span = tracing::info_span!("commit_planned").entered();
        self.commit_loop(identity, None, || {
            let snapshot = self.snapshot().map_err(|e| E::from(CommitError::Read(e)))?;
            let transaction = plan(&snapshot)?;
            Ok((
                Some(snapshot.commit()),
                std::borrow::Cow::Owned(transaction),
            ))
        })
    }

    /// Stages `transaction` on `commit` (a head of `main`, e.g. a
    /// snapshot's) exactly as [`Library::commit`] would, and returns what
    /// each op would do, writing nothing: a dry run that gives every
    /// refusal the commit would give (authority, lifecycle, targets,
    /// limits).
    pub fn check(
        &self,
        commit: ObjectId,
        transaction: &Transaction,
    ) -> Result<Vec<OpOutcome>, CommitError> {
        let repo = self.repo();
        let base_tree = git::commit_tree(&repo, commit)?;
        let meta = self.meta_cache.get(&repo, commit, base_tree)?;
        let staged = transaction::stage(&repo, base_tree, &meta.authority, transaction.ops())?;
        Ok(staged.outcomes)
    }

    /// [`Library::check`], with each changed work's record before and after
    /// the transaction: what a dry run shows. Works the transaction leaves
    /// alone are not listed.
    pub fn preview(
        &self,
        commit: ObjectId,
        transaction: &Transaction,
    ) -> Result<(Vec<OpOutcome>, Vec<RecordChange>), CommitError> {
        let repo = self.repo();
        let base_tree = git::commit_tree(&repo, commit)?;
        let meta = self.meta_cache.get(&repo, commit, base_tree)?;
        let staged = transaction::stage(&repo, base_tree, &meta.authority, transaction.ops())?;
        let snapshot = self.snapshot_at(commit)?;
        let mut changes = Vec::new();
        for work in staged.dirty_works() {
            let after = staged.record(work).cloned();
            let before = snapshot.record(work)?;
            changes.push(RecordChange {
                work: work.clone(),
                before,
                after,
            });
        }
        Ok((staged.outcomes, changes))
    }

    /// The one retry loop of every commit: `next` gives the commit to stage
    /// on (`None`: `main`'s head as staging reads it) and the transaction;
    /// a lost race, or an object that looked missing, goes round again.
    fn commit_loop<'t, E: From<CommitError>>(
        &self,
        identity: &Identity,
        mut texts: Option<&mut TextPack>,
        mut next: impl FnMut() -> Result<(Option<ObjectId>, std::borrow::Cow<'t, Transaction>), E>,
    ) -> Result<Committed, E> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let retry = attempts < self.options.max_attempts.max(1);
            let (on, transaction) = next()?;
            match self.attempt(
                identity,
                transaction.ops(),
                on,
                attempts,
                texts.as_deref_mut(),
            ) {
                Ok(Attempt::Finished(c, handoff)) => {
                    if let Some(id) = c.commit {
                        tracing::info!(commit = %id, ops = c.outcomes.len(), attempts, "committed");
                    }
                    if c.commit.is_some() {
                        // Never fails the commit: a failure is logged and
                        // the next reader rebuilds.
                        self.index
                            .after_commit(&self.repo(), &self.git_dir, handoff);
                    }
                    return Ok(c);
                }
                Ok(Attempt::Lost) if retry => {
                    tracing::debug!(attempts, "main moved; staging again on the new head");
                }
                Ok(Attempt::Lost) => {
                    let head = git::main_head(&self.repo())
                        .map_err(CommitError::from)?
                        .ok_or(CommitError::NoMain)?;
                    return Err(CommitError::Conflict { attempts, head }.into());
                }
                // See git::retrying: an object can look missing for a moment
                // after packs were replaced; staging again reads it.
                Err(e) if retry && e.is_not_found() => {
                    tracing::debug!(attempts, error = %e, "an object looked missing; staging again");
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Stages, writes and tries to publish a transaction once.
    /// With `on`, stages on that commit (the one a plan was made on); a
    /// `main` that moved since loses the compare-and-swap like any race.
    fn attempt(
        &self,
        identity: &Identity,
        ops: &[Op],
        on: Option<ObjectId>,
        attempts: u32,
        texts: Option<&mut TextPack>,
    ) -> Result<Attempt, CommitError> {
        let mut repo = self.repo();
        // The trees on the work's path (the root above all) are read by
        // staging, by the metadata look-up and by the tree editor: decode
        // them once.
        repo.object_cache_size_if_unset(4 * 1024 * 1024);
        let base = match on {
            Some(commit) => commit,
            None => git::main_head(&repo)?.ok_or(CommitError::NoMain)?,
        };
        let base_tree = git::commit_tree(&repo, base)?;
        let meta = self.meta_cache.get(&repo, base, base_tree)?;
        let staged = transaction::stage(&repo, base_tree, &meta.authority, ops)?;
        if !staged.changed() {
            return Ok(Attempt::Finished(
                Committed {
                    parent: base,
                    commit: None,
                    outcomes: staged.outcomes,
                    attempts,
                    packed: false,
                },
                None,
            ));
        }
        // Staged without a refusal: the texts written ahead go into the
        // repository now (once, whatever the number of attempts).
        let wrote_texts = match texts {
            Some(texts) => {
                texts.install()?;
                !texts.is_empty()
            }
            None => false,
        };
        let time = self.clock.now();
        let written = transaction::write(
            &repo,
            &staged,
            ops,
            base,
            &transaction::Signing {
                node: meta.authority.node(),
                identity,
                time,
                key: self.key.as_deref(),
            },
            self.options.pack_threshold,
            &transaction::Extra::default(),
        )?;
        let (commit, packed) = (written.commit, written.packed);
        let reflog = format!("wenku: {} changes", ops.len());
        match transaction::swap_main(&repo, Some(base), commit, &reflog, identity, time)? {
            Swap::Lost => Ok(Attempt::Lost),
            Swap::Done => {
                if packed || wrote_texts {
                    // The commit stands whatever happens here; a failed
                    // compaction is tried again after the next batch.
                    if let Err(e) = pack::maintain(&repo, self.options.max_packs) {
                        tracing::warn!(error = %e, "maintaining packs failed");
                    }
                }
                // This handle's object cache holds the trees staging read.
                let handoff = self.index.follows_commits(&self.git_dir).then(|| {
                    Box::new(crate::index::changes::Handoff {
                        repo,
                        parent: base,
                        parent_tree: base_tree,
                        commit,
                        records: written.records,
                        blobs: written.blobs,
                    })
                });
                Ok(Attempt::Finished(
                    Committed {
                        parent: base,
                        commit: Some(commit),
                        outcomes: staged.outcomes,
                        attempts,
                        packed,
                    },
                    handoff,
                ))
            }
        }
    }

    /// Housekeeping that batches also do after they commit: removes
    /// temporary files left by writers that died (only while no writer is
    /// writing objects) and merges smaller packs when the library has more
    /// than [`CommitOptions::max_packs`]. Does nothing that another process
    /// is doing at the same time.
    pub fn maintain(&self) -> Result<Maintenance, GitError> {
        pack::maintain(&self.repo(), self.options.max_packs)
    }

    /// The number of packs compaction may merge (complete, not kept).
    pub fn pack_count(&self) -> Result<usize, GitError> {
        pack::pack_count(&self.repo())
    }

    /// Publishes a new work with its first version (one [`Op::Publish`]).
    pub fn publish(
        &self,
        identity: &Identity,
        record: Record,
        version: NewVersion,
    ) -> Result<Committed, CommitError> {
        self.commit(identity, Op::Publish { record, version })
    }

    /// Adds a version to a work (one [`Op::AddVersion`]).
    pub fn add_version(
        &self,
        identity: &Identity,
        work: WorkId,
        version: NewVersion,
    ) -> Result<Committed, CommitError> {
        self.commit(identity, Op::AddVersion { work, version })
    }
}
