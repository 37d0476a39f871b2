//! Transactions: a list of [`Op`]s applied to the head of `main` as one
//! commit, and the compare-and-swap that moves `main` to it.
//!
//! Applying happens in three phases, and nothing reaches the object
//! database before the last one:
//!
//! 1. **Stage**: every op is checked (authority first) and applied to
//!    in-memory records read from the base commit; any refusal ends the
//!    transaction with nothing written.
//! 2. **Write**: new version files, changed records, the trees above them
//!    and the commit are written — as loose objects for small transactions,
//!    as one pack for batches (see [`crate::pack`]). Until `main` moves they
//!    are unreachable, and a crash leaves nothing but garbage for `git gc`.
//! 3. **Publish**: `main` moves by compare-and-swap from the base commit to
//!    the new one (`PreviousValue::MustExistAndMatch`). If another writer
//!    moved `main` first, the transaction is staged again on the new head
//!    (ops are data, so they re-apply or are refused against the new
//!    state), up to [`CommitOptions::max_attempts`] times.
//!
//! A reader either sees the old commit or the new one: the tree of a commit
//! is complete before any ref points at it.

use std::collections::{BTreeMap, BTreeSet};

use crate::ObjectId;
use crate::object_id::Ours;
use gix::objs::tree::EntryKind;
use gix::refs::transaction::PreviousValue;
use wenku_model::canonical::{self, EncodeError};
use wenku_model::{Date, Record, Region, RevisionId, Target, WorkId};

use crate::authority::Authority;
use crate::clock::Timestamp;
use crate::git::{self, Context, GitError, MAIN_REF};
use crate::identity::Identity;
use crate::layout;
use crate::lifecycle::{self, LifecycleProblem};
use crate::lock::{LockError, WriterLock};
use crate::message::{self, Line};
use crate::metadata::LibraryMeta;
use crate::op::{NoChange, Op, OpKind, OpOutcome, VersionText};
use crate::pack;
use crate::read::{self, ReadError};

/// Changes to commit together, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transaction {
    ops: Vec<Op>,
}

impl Transaction {
    /// An empty transaction.
    pub fn new() -> Transaction {
        Transaction::default()
    }

    /// Adds an op.
    pub fn push(&mut self, op: Op) -> &mut Transaction {
        self.ops.push(op);
        self
    }

    /// Adds an op, builder style.
    pub fn with(mut self, op: Op) -> Transaction {
        self.ops.push(op);
        self
    }

    /// The ops, in order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Number of ops.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether there are no ops.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

impl From<Op> for Transaction {
    fn from(op: Op) -> Transaction {
        Transaction { ops: vec![op] }
    }
}

impl FromIterator<Op> for Transaction {
    fn from_iter<I: IntoIterator<Item = Op>>(iter: I) -> Transaction {
        Transaction {
            ops: iter.into_iter().collect(),
        }
    }
}

/// How transactions are committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitOptions {
    /// How many times a transaction is staged and tried before a lost
    /// compare-and-swap is reported as [`CommitError::Conflict`]. `1` means
    /// never retry.
    pub max_attempts: u32,
    /// A transaction writing at least this many files goes to one pack
    /// instead of loose objects.
    pub pack_threshold: usize,
    /// After a batch, smaller packs are merged when the library has more
    /// packs than this (see [`crate::Library::maintain`]).
    pub max_packs: usize,
}

impl Default for CommitOptions {
    fn default() -> CommitOptions {
        CommitOptions {
            max_attempts: 64,
            pack_threshold: 64,
            max_packs: 16,
        }
    }
}

/// What a committed transaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    /// The commit of `main` the transaction was applied to.
    pub parent: ObjectId,
    /// The new commit `main` now points at; `None` when no op changed
    /// anything (then `main` was not moved).
    pub commit: Option<ObjectId>,
    /// What each op did, in order.
    pub outcomes: Vec<OpOutcome>,
    /// How many times the transaction was staged (more than one after lost
    /// races for `main`).
    pub attempts: u32,
    /// Whether the objects went into one pack.
    pub packed: bool,
}

impl Committed {
    /// The head of `main` after the transaction.
    pub fn head(&self) -> ObjectId {
        self.commit.unwrap_or(self.parent)
    }

    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        self.commit.is_some()
    }
}

/// Why an op was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The work's region is outside this node's authority.
    #[error(
        "region {region} is outside this node's authority ({authority}); its documents come from the node authoritative for it"
    )]
    Unauthorized {
        /// The region written to.
        region: Region,
        /// What the node may write.
        authority: Authority,
    },
    /// A work merged into itself.
    #[error("a work cannot be merged into itself")]
    MergeIntoItself,
    /// An undo without a reason.
    #[error("say why the repeal or withdrawal was wrong (a reason is required)")]
    NoReason,
    /// A version the work does not have.
    #[error("the work has no version {revision}")]
    UnknownVersion {
        /// The version asked for.
        revision: RevisionId,
    },
    /// Publishing a work that exists.
    #[error("the work already exists; add a version to it instead")]
    WorkExists,
    /// Changing a work that does not exist.
    #[error("unknown work: it is not in the library")]
    UnknownWork,
    /// A published record must not list versions; versions come with text.
    #[error(
        "the record to publish lists {count} versions; publish it without versions and pass the first version's text"
    )]
    RecordHasVersions {
        /// How many were listed.
        count: usize,
    },
    /// A relation or repeal points at a work id that is not in the library.
    #[error(
        "relation target {target} is not in the library; cite it by number or title instead and it resolves when it arrives"
    )]
    UnknownTarget {
        /// The missing work.
        target: WorkId,
    },
    /// A relation points at its own work.
    #[error("a work cannot relate to itself")]
    SelfRelation,
    /// A citation with neither number nor title.
    #[error("the citation is empty: give a document number or a title")]
    EmptyCitation,
    /// The text or record cannot be written in the canonical format.
    #[error("cannot be stored: {0}")]
    Encode(#[from] EncodeError),
    /// The op would give the work a lifecycle that cannot have happened.
    #[error("impossible lifecycle: {0}")]
    Lifecycle(LifecycleProblem),
    /// A repeal of a work that is already repealed: it would silently
    /// replace the recorded one (its date and repealing document).
    #[error("the work is already repealed from {date}{}; a second repeal would replace that record", by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default())]
    AlreadyRepealed {
        /// The recorded repeal's date.
        date: Date,
        /// The recorded repealing document.
        by: Option<Target>,
    },
    /// A withdrawal of a work that is already withdrawn.
    #[error(
        "the work is already withdrawn from {date} ({reason}); a second withdrawal would replace that record"
    )]
    AlreadyWithdrawn {
        /// The recorded withdrawal's date.
        date: Date,
        /// Its recorded reason.
        reason: String,
    },
    /// A withdrawal from public view of a version already withdrawn.
    #[error(
        "version {} is already withdrawn from public view from {date} ({reason}); a second withdrawal would replace that record", revision.short()
    )]
    VersionAlreadyWithdrawn {
        /// The version.
        revision: RevisionId,
        /// The recorded withdrawal's date.
        date: Date,
        /// Its recorded reason.
        reason: String,
    },
    /// The canonical form of a version or record is larger than readers
    /// accept ([`canonical::MAX_CANONICAL_BYTES`]): stored, it would be
    /// refused by every read, `verify` and pull.
    #[error(
        "the {what}'s canonical form is {size} bytes; readers accept at most {max} bytes, so it cannot be stored"
    )]
    TooLarge {
        /// `version` or `record`.
        what: &'static str,
        /// The size of its canonical form.
        size: usize,
        /// The limit.
        max: usize,
    },
}

/// Refuses canonical bytes that readers would refuse.
pub(crate) fn within_limit(what: &'static str, bytes: &[u8]) -> Result<(), Refusal> {
    if bytes.len() > canonical::MAX_CANONICAL_BYTES {
        return Err(Refusal::TooLarge {
            what,
            size: bytes.len(),
            max: canonical::MAX_CANONICAL_BYTES,
        });
    }
    Ok(())
}

/// Why a transaction was not committed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommitError {
    /// An op was refused; nothing was written.
    #[error("op {index} ({kind} {work}) refused: {refusal}")]
    Refused {
        /// The op's position in the transaction.
        index: usize,
        /// Its kind.
        kind: OpKind,
        /// Its work.
        work: WorkId,
        /// Why.
        refusal: Refusal,
    },
    /// Other writers kept moving `main`.
    #[error(
        "conflict: main moved under this transaction {attempts} times in a row (last seen at {head}); nothing was committed"
    )]
    Conflict {
        /// How many times it was tried.
        attempts: u32,
        /// The head of `main` last seen.
        head: ObjectId,
    },
    /// The base commit could not be read (a damaged record or metadata).
    #[error("reading the library: {0}")]
    Read(#[from] ReadError),
    /// The library's metadata is of a format this build does not write.
    #[error("the library at {commit} is not writable by this build: {source}")]
    Meta {
        /// The head commit.
        commit: ObjectId,
        /// Why.
        #[source]
        source: crate::metadata::MetaError,
    },
    /// `refs/heads/main` is missing.
    #[error("refs/heads/main is missing: this is not a wenku library")]
    NoMain,
    /// The writer lock failed.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// git failed.
    #[error(transparent)]
    Git(#[from] GitError),
}

impl CommitError {
    /// Whether an object looked missing (see `git::retrying`).
    pub(crate) fn is_not_found(&self) -> bool {
        match self {
            CommitError::Git(e) | CommitError::Read(ReadError::Git(e)) => e.is_not_found(),
            _ => false,
        }
    }
}

/// In-memory result of staging a transaction on one base commit.
pub(crate) struct Staged {
    base_tree: ObjectId,
    /// Records read or created; `None` = known absent in the base.
    records: BTreeMap<WorkId, Option<Record>>,
    dirty: BTreeSet<WorkId>,
    /// The last op index that touched each dirty work.
    touched_by: BTreeMap<WorkId, usize>,
    versions: Vec<(String, Vec<u8>)>,
    /// Version files whose blobs were written ahead ([`VersionText::Stored`]).
    stored: Vec<(String, ObjectId)>,
    lines: Vec<Line>,
    pub(crate) outcomes: Vec<OpOutcome>,
}

impl Staged {
    /// The works the transaction changes.
    pub(crate) fn dirty_works(&self) -> impl Iterator<Item = &WorkId> {
        self.dirty.iter()
    }

    /// A work's record as staged.
    pub(crate) fn record(&self, work: &WorkId) -> Option<&Record> {
        self.records.get(work).and_then(Option::as_ref)
    }

    fn load(
        &mut self,
        repo: &gix::Repository,
        work: &WorkId,
    ) -> Result<Option<&mut Record>, ReadError> {
        if !self.records.contains_key(work) {
            let r = read::read_record(repo, self.base_tree, work)?;
            self.records.insert(work.clone(), r);
        }
        Ok(self.records.get_mut(work).and_then(Option::as_mut))
    }

    fn exists(&mut self, repo: &gix::Repository, work: &WorkId) -> Result<bool, ReadError> {
        if let Some(r) = self.records.get(work) {
            return Ok(r.is_some());
        }
        Ok(git::entry_at(repo, self.base_tree, &layout::record_path(work))?.is_some())
    }

    pub(crate) fn changed(&self) -> bool {
        !self.dirty.is_empty()
    }

    fn add_version(&mut self, path: String, file: VersionFile) {
        match file {
            VersionFile::Bytes(bytes) => self.versions.push((path, bytes)),
            VersionFile::Blob(blob) => self.stored.push((path, blob)),
        }
    }
}

/// A version file to place in the tree: bytes to write, or a blob written
/// ahead.
enum VersionFile {
    Bytes(Vec<u8>),
    Blob(ObjectId),
}

/// A new version's revision and file: the document encoded (and refused
/// if readers would refuse it), or the text a [`crate::TextPack`] wrote,
/// which was checked when it was prepared.
fn version_file(text: &VersionText) -> Result<(RevisionId, VersionFile), Refusal> {
    match text {
        VersionText::Document(document) => {
            let bytes = canonical::encode_document(document)?;
            within_limit("version", &bytes)?;
            Ok((RevisionId::of(&bytes), VersionFile::Bytes(bytes)))
        }
        VersionText::Stored(t) => Ok((t.revision(), VersionFile::Blob(t.blob()))),
    }
}

/// Applies `ops` to the records of `base_tree`, in memory.
pub(crate) fn stage(
    repo: &gix::Repository,
    base_tree: ObjectId,
    authority: &Authority,
    ops: &[Op],
) -> Result<Staged, CommitError> {
    let mut s = Staged {
        base_tree,
        records: BTreeMap::new(),
        dirty: BTreeSet::new(),
        touched_by: BTreeMap::new(),
        versions: Vec::new(),
        stored: Vec::new(),
        lines: Vec::new(),
        outcomes: Vec::new(),
    };
    // Authority first, for every op, before anything else is looked at.
    for (index, op) in ops.iter().enumerate() {
        let region = op.work().region();
        if !authority.covers(&region) {
            return Err(refused(
                index,
                op,
                Refusal::Unauthorized {
                    region,
                    authority: authority.clone(),
                },
            ));
        }
    }
    let mut targets: Vec<(usize, WorkId)> = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let fail = |refusal| refused(index, op, refusal);
        let work = op.work().clone();
        let mut revision = None;
        // Problems already stored are verify's to report; an op is refused
        // only for one it would add.
        let before = match op {
            Op::Publish { .. } => Vec::new(),
            _ => s
                .load(repo, &work)?
                .map(|r| lifecycle::problems(r))
                .unwrap_or_default(),
        };
        let unchanged: Option<NoChange> = match op {
            Op::Publish { record, version } => {
                if !record.versions.is_empty() {
                    return Err(fail(Refusal::RecordHasVersions {
                        count: record.versions.len(),
                    }));
                }
                if s.exists(repo, &work)? {
                    return Err(fail(Refusal::WorkExists));
                }
                for t in record_targets(record) {
                    check_target(&work, t).map_err(fail)?;
                    if let Target::Work(w) = t {
                        targets.push((index, w.clone()));
                    }
                }
                let (rev, file) = version_file(&version.text).map_err(fail)?;
                revision = Some(rev);
                let mut new = record.clone();
                new.normalize();
                new.insert_version(version.entry(rev));
                s.add_version(layout::version_path(&work, &rev), file);
                s.records.insert(work.clone(), Some(new));
                None
            }
            Op::AddVersion { version, .. } => {
                let (rev, file) = version_file(&version.text).map_err(fail)?;
                revision = Some(rev);
                let record = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?;
                match record.insert_version(version.entry(rev)) {
                    wenku_model::Inserted::At(_) => {
                        s.add_version(layout::version_path(&work, &rev), file);
                        None
                    }
                    wenku_model::Inserted::AlreadyPresent => {
                        let published = record
                            .version(&rev)
                            .map(|v| v.published)
                            .unwrap_or(version.published);
                        Some(NoChange::VersionAlreadyPresent {
                            revision: rev,
                            published,
                        })
                    }
                }
            }
            Op::Correct { correction, .. } => {
                let record = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?;
                (!correction.apply(record)).then_some(NoChange::AlreadyRecorded)
            }
            Op::AddRelation { relation, .. } => {
                check_target(&work, &relation.target).map_err(fail)?;
                let record = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?;
                if record.add_relation(relation.clone()) {
                    if let Target::Work(w) = &relation.target {
                        targets.push((index, w.clone()));
                    }
                    None
                } else {
                    Some(NoChange::RelationAlreadyPresent)
                }
            }
            Op::RemoveRelation { relation, .. } => {
                let record = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?;
                (!record.remove_relation(relation)).then_some(NoChange::RelationNotPresent)
            }
            Op::Repeal { repeal, .. } => {
                if let Some(by) = &repeal.by {
                    check_target(&work, by).map_err(fail)?;
                }
                let record = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?;
                if record.repealed.as_ref() == Some(repeal) {
                    Some(NoChange::AlreadyRecorded)
                } else if let Some(old) = &record.repealed {
                    return Err(fail(Refusal::AlreadyRepealed {
                        date: old.date,
                        by: old.by.clone(),
                    }));
                } else {
                    record.repealed = Some(repeal.clone());
                    if let Some(Target::Work(w)) = &repeal.by {
                        targets.push((index, w.clone()));
                    }
                    None
                }
            }
            Op::SetExpiry { expires, .. } => {
                let record = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?;
                if record.expires == *expires {
                    Some(NoChange::AlreadyRecorded)
                } else {
                    record.expires = *expires;
                    None
                }
            }
            Op::Withdraw { withdrawal, .. } => {
                let record = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?;
                if record.withdrawn.as_ref() == Some(withdrawal) {
                    Some(NoChange::AlreadyRecorded)
                } else if let Some(old) = &record.withdrawn {
                    return Err(fail(Refusal::AlreadyWithdrawn {
                        date: old.date,
                        reason: old.reason.clone(),
                    }));
                } else {
                    record.withdrawn = Some(withdrawal.clone());
                    None
                }
            }
            Op::WithdrawVersion {
                revision,
                withdrawal,
                ..
            } => {
                if withdrawal.reason.trim().is_empty() {
                    return Err(fail(Refusal::NoReason));
                }
                let record = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?;
                let Some(entry) = record.versions.iter_mut().find(|v| v.revision == *revision)
                else {
                    return Err(fail(Refusal::UnknownVersion {
                        revision: *revision,
                    }));
                };
                if entry.withdrawn.as_ref() == Some(withdrawal) {
                    Some(NoChange::AlreadyRecorded)
                } else if let Some(old) = &entry.withdrawn {
                    return Err(fail(Refusal::VersionAlreadyWithdrawn {
                        revision: *revision,
                        date: old.date,
                        reason: old.reason.clone(),
                    }));
                } else {
                    entry.withdrawn = Some(withdrawal.clone());
                    None
                }
            }
            Op::Reinstate { reason, .. } => {
                if reason.trim().is_empty() {
                    return Err(fail(Refusal::NoReason));
                }
                let record = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?;
                if record.repealed.is_none() && record.withdrawn.is_none() {
                    Some(NoChange::NothingToReinstate)
                } else {
                    record.repealed = None;
                    record.withdrawn = None;
                    None
                }
            }
            Op::Merge { into, date, .. } => {
                if into == &work {
                    return Err(fail(Refusal::MergeIntoItself));
                }
                let duplicate = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?
                    .clone();
                let reason = format!("imported twice; merged into {into}");
                if duplicate
                    .withdrawn
                    .as_ref()
                    .is_some_and(|w| w.reason == reason)
                {
                    Some(NoChange::AlreadyRecorded)
                } else {
                    if let Some(old) = &duplicate.withdrawn {
                        return Err(fail(Refusal::AlreadyWithdrawn {
                            date: old.date,
                            reason: old.reason.clone(),
                        }));
                    }
                    // The versions the target lacks, with their bytes.
                    let mut moved = Vec::new();
                    {
                        let target = s.load(repo, into)?.ok_or_else(|| {
                            fail(Refusal::UnknownTarget {
                                target: into.clone(),
                            })
                        })?;
                        for v in &duplicate.versions {
                            if target.version(&v.revision).is_none() {
                                moved.push(v.clone());
                            }
                        }
                    }
                    for v in &moved {
                        let from = layout::version_path(&work, &v.revision);
                        let bytes = git::blob_at(repo, s.base_tree, &from)?.ok_or_else(|| {
                            ReadError::Git(GitError {
                                action: format!("reading {from}"),
                                source: "the version file listed in the record is missing".into(),
                            })
                        })?;
                        s.versions
                            .push((layout::version_path(into, &v.revision), bytes));
                    }
                    let target = s.load(repo, into)?.ok_or_else(|| {
                        fail(Refusal::UnknownTarget {
                            target: into.clone(),
                        })
                    })?;
                    for v in moved {
                        target.insert_version(v);
                    }
                    s.dirty.insert(into.clone());
                    s.touched_by.insert(into.clone(), index);
                    let record = s
                        .load(repo, &work)?
                        .ok_or_else(|| fail(Refusal::UnknownWork))?;
                    record.withdrawn = Some(wenku_model::Withdrawal {
                        date: *date,
                        reason,
                    });
                    None
                }
            }
            Op::CorrectVersion {
                revision: rev,
                published,
                effective,
                ..
            } => {
                let record = s
                    .load(repo, &work)?
                    .ok_or_else(|| fail(Refusal::UnknownWork))?;
                let Some(at) = record.versions.iter().position(|v| v.revision == *rev) else {
                    return Err(fail(Refusal::UnknownVersion { revision: *rev }));
                };
                let mut entry = record.versions[at].clone();
                if let Some(p) = published {
                    entry.published = *p;
                }
                if let Some(e) = effective {
                    entry.effective = *e;
                }
                if entry == record.versions[at] {
                    Some(NoChange::AlreadyRecorded)
                } else {
                    record.versions.remove(at);
                    record.insert_version(entry);
                    None
                }
            }
        };
        if unchanged.is_none()
            && let Some(record) = s.records.get(&work).and_then(Option::as_ref)
            && let Some(new) = lifecycle::problems(record)
                .into_iter()
                .find(|p| !before.contains(p))
        {
            return Err(fail(Refusal::Lifecycle(new)));
        }
        if unchanged.is_none() {
            s.dirty.insert(work.clone());
            s.touched_by.insert(work.clone(), index);
            let title = s
                .records
                .get(&work)
                .and_then(Option::as_ref)
                .map(|r| r.title.clone())
                .unwrap_or_default();
            s.lines.push(Line::new(op, &title, revision));
        }
        s.outcomes.push(OpOutcome {
            kind: op.kind(),
            work,
            revision,
            unchanged,
        });
    }
    // Work targets must exist once the whole transaction is applied, so a
    // batch may publish a work and, later in the batch, what it cites.
    for (index, target) in targets {
        if !s.exists(repo, &target)? {
            return Err(refused(
                index,
                &ops[index],
                Refusal::UnknownTarget { target },
            ));
        }
    }
    Ok(s)
}

fn record_targets(record: &Record) -> impl Iterator<Item = &Target> {
    record
        .relations
        .iter()
        .map(|r| &r.target)
        .chain(record.repealed.as_ref().and_then(|r| r.by.as_ref()))
}

fn check_target(work: &WorkId, target: &Target) -> Result<(), Refusal> {
    match target {
        Target::Work(w) if w == work => Err(Refusal::SelfRelation),
        Target::Citation(c) if c.is_empty() => Err(Refusal::EmptyCitation),
        _ => Ok(()),
    }
}

fn refused(index: usize, op: &Op, refusal: Refusal) -> CommitError {
    CommitError::Refused {
        index,
        kind: op.kind(),
        work: op.work().clone(),
        refusal,
    }
}

/// Who signs a commit, when, and for which node.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Signing<'a> {
    pub node: Region,
    pub identity: &'a Identity,
    pub time: Timestamp,
    /// Signs the commit when there is one.
    pub key: Option<&'a crate::signing::NodeKey>,
}

/// What a commit carries beyond the transaction: a draft's earlier round
/// as a second parent and its trailers (see [`crate::draft`]).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Extra<'a> {
    /// Parents after the base commit.
    pub parents: &'a [ObjectId],
    /// Trailer lines appended to the message (each ending in a newline).
    pub trailers: &'a str,
}

/// What [`write`] wrote.
pub(crate) struct Written {
    /// The new commit (not yet on `main`).
    pub commit: ObjectId,
    /// Whether its objects went into a pack.
    pub packed: bool,
    /// Every file placed in the tree, by path, with its blob.
    pub blobs: BTreeMap<String, ObjectId>,
    /// The canonical bytes of each record written.
    pub records: BTreeMap<WorkId, Vec<u8>>,
}

/// Writes a staged transaction's objects and commit. `main` is not
/// touched.
pub(crate) fn write(
    repo: &gix::Repository,
    staged: &Staged,
    ops: &[Op],
    base_commit: ObjectId,
    signing: &Signing<'_>,
    pack_threshold: usize,
    extra: &Extra<'_>,
) -> Result<Written, CommitError> {
    let Signing {
        node,
        identity,
        time,
        key,
    } = *signing;
    // Encode every record before writing anything, so a record that cannot
    // be stored refuses the transaction with nothing written.
    // The records' files; the versions' are written from `staged` as
    // they are (a batch's texts are not copied again).
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(staged.dirty.len());
    let mut records = BTreeMap::new();
    for work in &staged.dirty {
        let Some(Some(record)) = staged.records.get(work) else {
            continue;
        };
        let bytes = canonical::encode_record(record).map_err(|e| {
            let index = staged.touched_by.get(work).copied().unwrap_or(0);
            refused(index, &ops[index], Refusal::Encode(e))
        })?;
        within_limit("record", &bytes).map_err(|refusal| {
            let index = staged.touched_by.get(work).copied().unwrap_or(0);
            refused(index, &ops[index], refusal)
        })?;
        files.push((layout::record_path(work), bytes.clone()));
        records.insert(work.clone(), bytes);
    }

    // Texts written ahead must be there: a StoredText of another library,
    // or of a TextPack not installed, would make a tree naming a missing
    // blob.
    for (path, blob) in &staged.stored {
        if !repo.has_object(blob.to_gix()) {
            return Err(CommitError::Git(GitError {
                action: format!("placing {path} in the tree"),
                source: format!("its text (blob {blob}) was not written to this library").into(),
            }));
        }
    }
    let packed = files.len() + staged.versions.len() >= pack_threshold;
    // Held while objects are written: see pack::clean_garbage.
    let _writing = pack::writing_objects(repo.git_dir()).map_err(CommitError::Lock)?;
    let mut repo = if packed {
        repo.clone().with_object_memory()
    } else {
        repo.clone()
    };
    let mut editor = repo
        .edit_tree(staged.base_tree.to_gix())
        .ctx(|| format!("editing tree {}", staged.base_tree))?
        .detach();
    let mut blobs = BTreeMap::new();
    for (path, bytes) in files.iter().chain(staged.versions.iter()) {
        let id = repo
            .write_blob(bytes)
            .ctx(|| format!("writing {path}"))?
            .detach();
        editor
            .upsert(path.split('/'), EntryKind::Blob, id)
            .ctx(|| format!("placing {path} in the tree"))?;
        blobs.insert(path.clone(), id.ours());
    }
    for (path, blob) in &staged.stored {
        editor
            .upsert(path.split('/'), EntryKind::Blob, blob.to_gix())
            .ctx(|| format!("placing {path} in the tree"))?;
        blobs.insert(path.clone(), *blob);
    }
    let tree = editor
        .write(|t| repo.write_object(t).map(|id| id.detach()))
        .ctx(|| "writing trees".to_string())?;
    drop(editor);
    let signature = identity.signature(time);
    let mut commit = gix::objs::Commit {
        tree,
        parents: std::iter::once(base_commit)
            .chain(extra.parents.iter().copied())
            .map(|p| p.to_gix())
            .collect(),
        author: signature.clone(),
        committer: signature,
        encoding: None,
        message: (message::compose(&staged.lines, node) + extra.trailers).into(),
        extra_headers: Vec::new(),
    };
    if let Some(key) = key {
        key.sign_commit(&mut commit)
            .map_err(|e| GitError::new("signing the commit", e))?;
    }
    let commit_id = repo
        .write_object(&commit)
        .ctx(|| "writing the commit".to_string())?
        .ours();
    if packed && let Some(storage) = repo.objects.take_object_memory() {
        pack::write_memory(&repo, &storage)?;
    }
    Ok(Written {
        commit: commit_id,
        packed,
        blobs,
        records,
    })
}

/// How a compare-and-swap of `main` ended.
pub(crate) enum Swap {
    /// `main` now points at the new commit.
    Done,
    /// `main` was not at the expected commit.
    Lost,
}

/// Moves `main` from `expected` (or from nothing) to `new`, atomically.
pub(crate) fn swap_main(
    repo: &gix::Repository,
    expected: Option<ObjectId>,
    new: ObjectId,
    reflog: &str,
    identity: &Identity,
    time: Timestamp,
) -> Result<Swap, CommitError> {
    let _lock = WriterLock::acquire(repo.git_dir())?;
    let previous = match expected {
        Some(old) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(old.to_gix())),
        None => PreviousValue::MustNotExist,
    };
    let edit = git::update_edit(MAIN_REF, previous, new, reflog)?;
    let signature = identity.signature(time);
    let mut buf = gix::date::parse::TimeBuf::default();
    match repo.edit_references_as([edit], Some(signature.to_ref(&mut buf))) {
        Ok(_) => Ok(Swap::Done),
        Err(e) if e.is_conflict() => Ok(Swap::Lost),
        Err(e) => {
            // Whatever the error says, if main is no longer where we
            // expected it, another writer won.
            if git::main_head(repo)? != expected {
                return Ok(Swap::Lost);
            }
            Err(CommitError::Git(GitError {
                action: format!("moving {MAIN_REF} to {new}"),
                source: Box::new(e),
            }))
        }
    }
}

/// The metadata last decoded, by the id of its blob: `library.xml` rarely
/// changes, and a node hosting many regions would otherwise parse it on
/// every commit.
#[derive(Debug, Default)]
pub(crate) struct MetaCache(std::sync::Mutex<Option<(ObjectId, LibraryMeta)>>);

impl MetaCache {
    /// Reads the authority from the base commit's metadata, refusing newer
    /// formats.
    pub(crate) fn get(
        &self,
        repo: &gix::Repository,
        commit: ObjectId,
        tree: ObjectId,
    ) -> Result<LibraryMeta, CommitError> {
        let blob = git::entry_at(repo, tree, layout::META_FILE)?.map(|(id, _)| id);
        let mut cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(blob), Some((id, meta))) = (blob, cached.as_ref())
            && *id == blob
        {
            return Ok(meta.clone());
        }
        let meta = read::read_meta(repo, commit, tree).map_err(|e| match e {
            ReadError::Meta { commit, source } => CommitError::Meta { commit, source },
            other => CommitError::Read(other),
        })?;
        if let Some(blob) = blob {
            *cached = Some((blob, meta.clone()));
        }
        Ok(meta)
    }
}
