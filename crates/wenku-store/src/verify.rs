//! Verification (fsck) of a library's tree at one commit.
//!
//! Checks everything wenku relies on and reports every problem found, not
//! just the first: `library.xml` decodes; every path fits the layout
//! (regions, shards, locals in their right shard, only `record.xml` and
//! `<revision>.xml` in a work's directory, plain non-executable files);
//! every record decodes, is canonical, names the work whose directory holds
//! it and lists at least one version; every object it reads (the commit,
//! trees, records, metadata) still hashes to its id, so an object rewritten
//! in place is reported; every version file's bytes hash to
//! its name, decode, and are canonical; every listed version exists and no
//! version file is unlisted; every relation (and repeal) target that is a
//! work id exists, and every citation names something; and (for the
//! library's own verify, not a peer's tree) no record's dates describe an
//! impossible lifecycle.
//!
//! Version files are checked on all cores. The same check, limited to some
//! regions ([`VerifyOptions::regions`]), and further to the work
//! directories that differ from the library's own tree, verifies a peer's
//! tree before federation takes it ([`crate::federation`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::ObjectId;
use crate::object_id::Ours;
use gix::objs::tree::EntryKind;
use wenku_model::canonical::{self, DecodeError};
use wenku_model::{Record, Region, RevisionId, Target, VersionEntry, WorkId};

use crate::git::{self, GitError};
use crate::layout;
use crate::library::Library;
use crate::lifecycle::{self, LifecycleProblem};
use crate::metadata::{LibraryMeta, MetaError};
use crate::read::ReadError;

/// What to verify.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Check only these top-level region directories (and the metadata);
    /// `None` checks everything. Relation targets are still looked up in
    /// the whole tree.
    pub regions: Option<Vec<Region>>,
}

/// One problem found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The path in the tree (a directory ends with `/`).
    pub path: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// The kinds of problems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// `library.xml` is missing.
    MissingMeta,
    /// `library.xml` does not decode.
    BadMeta(MetaError),
    /// A trust file (`trust-<root>/`) does not parse.
    BadTrust(crate::trust::TrustError),
    /// A file or directory that has no place in the layout.
    Unexpected(String),
    /// A file that is executable, a symlink or a submodule.
    WrongMode(&'static str),
    /// A work's directory has no `record.xml`.
    MissingRecord,
    /// A record does not decode.
    BadRecord(DecodeError),
    /// A record names another work.
    MisplacedRecord {
        /// The work the record names.
        names: WorkId,
    },
    /// A record lists no versions.
    NoVersions,
    /// A record or version is not in canonical form.
    NotCanonical,
    /// A version file's bytes do not hash to its name.
    HashMismatch {
        /// The id of the bytes found.
        actual: RevisionId,
    },
    /// A version does not decode.
    BadVersion(DecodeError),
    /// The record lists a version whose file is missing.
    MissingVersion(RevisionId),
    /// A version file that the record does not list.
    OrphanVersion(RevisionId),
    /// A relation or repeal points at a work id that is not in the library.
    DanglingTarget(WorkId),
    /// A relation cites nothing.
    EmptyCitation,
    /// Two versions' dates contradict each other: `later` was published
    /// after `earlier` but takes effect before it, so as of some day the
    /// later text would answer while the earlier one was not yet in force.
    ContradictoryDates {
        /// The version published first.
        earlier: RevisionId,
        /// The version published after it and effective before it.
        later: RevisionId,
    },
    /// An object could not be read.
    Unreadable(String),
    /// A record's dates describe a lifecycle that cannot have happened
    /// (reported by [`Library::verify`], not when a peer's tree is checked
    /// for a pull: the dates are the authoritative node's to correct).
    Lifecycle(LifecycleProblem),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path)?;
        match &self.kind {
            ProblemKind::MissingMeta => {
                f.write_str("missing: the library's metadata is not in the tree")
            }
            ProblemKind::BadMeta(e) => write!(f, "{e}"),
            ProblemKind::Unexpected(why) => write!(f, "unexpected entry: {why}"),
            ProblemKind::WrongMode(m) => write!(f, "is {m}; expected a plain file"),
            ProblemKind::MissingRecord => f.write_str("work directory without record.xml"),
            ProblemKind::BadRecord(e) => write!(f, "record does not decode: {e}"),
            ProblemKind::MisplacedRecord { names } => {
                write!(f, "record of {names} in another work's directory")
            }
            ProblemKind::NoVersions => f.write_str("record lists no versions"),
            ProblemKind::NotCanonical => f.write_str("not in canonical form"),
            ProblemKind::HashMismatch { actual } => {
                write!(
                    f,
                    "bytes do not hash to the file's name (they hash to {actual})"
                )
            }
            ProblemKind::BadVersion(e) => write!(f, "version does not decode: {e}"),
            ProblemKind::MissingVersion(r) => {
                write!(f, "record lists version {r}, whose file is missing")
            }
            ProblemKind::OrphanVersion(r) => {
                write!(f, "version file {r} is not listed in the record")
            }
            ProblemKind::DanglingTarget(w) => {
                write!(f, "relation target {w} is not in the library")
            }
            ProblemKind::EmptyCitation => f.write_str("a relation cites nothing"),
            ProblemKind::ContradictoryDates { earlier, later } => write!(
                f,
                "version {later} is published after version {earlier} but takes effect before it"
            ),
            ProblemKind::Unreadable(e) => write!(f, "cannot be read: {e}"),
            ProblemKind::BadTrust(e) => write!(f, "the trust file does not parse: {e}"),
            ProblemKind::Lifecycle(p) => write!(f, "impossible lifecycle: {p}"),
        }
    }
}

/// The result of a verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The commit verified.
    pub commit: ObjectId,
    /// The metadata, if it decoded.
    pub meta: Option<LibraryMeta>,
    /// Work directories checked.
    pub works: usize,
    /// Version files checked.
    pub versions: usize,
    /// Every problem found, sorted by path.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether no problem was found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "commit {}: {} works, {} versions, {} problems",
            self.commit,
            self.works,
            self.versions,
            self.problems.len()
        )?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl Library {
    /// Verifies `main` now.
    pub fn verify(&self) -> Result<Report, ReadError> {
        let head = self.head()?;
        self.verify_at(head, &VerifyOptions::default())
    }

    /// Verifies any commit (e.g. a peer's head before merging it).
    pub fn verify_at(
        &self,
        commit: ObjectId,
        options: &VerifyOptions,
    ) -> Result<Report, ReadError> {
        let _span = tracing::info_span!("verify", %commit).entered();
        verify_commit(&self.store().repo, commit, options)
    }
}

struct Job {
    path: String,
    id: ObjectId,
    revision: RevisionId,
}

/// How a work's directory differs between a trusted tree and the tree
/// being verified (see [`verify_changes`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WorkChange {
    /// Only in the verified tree.
    Added(WorkId),
    /// In both, with different content.
    Changed(WorkId),
    /// Only in the trusted tree.
    Removed(WorkId),
}

struct Walk<'a> {
    repo: &'a gix::Repository,
    problems: Vec<Problem>,
    works: BTreeSet<WorkId>,
    jobs: Vec<Job>,
    targets: Vec<(String, WorkId)>,
    checked_works: usize,
    /// Whether to record how works differ from the base.
    track: bool,
    /// Whether to report impossible lifecycles.
    lifecycle: bool,
    /// Works that differ from the base, when `track` is set.
    changes: Vec<WorkChange>,
}

impl Walk<'_> {
    fn problem(&mut self, path: impl Into<String>, kind: ProblemKind) {
        self.problems.push(Problem {
            path: path.into(),
            kind,
        });
    }

    fn entries(&mut self, tree: ObjectId, path: &str) -> Option<Vec<git::TreeEntry>> {
        match git::tree_entries(self.repo, tree, path) {
            Ok(e) => {
                self.rehash(tree, path);
                Some(e)
            }
            Err(e) => {
                self.problem(path, ProblemKind::Unreadable(e.to_string()));
                None
            }
        }
    }

    /// Reports an object whose stored bytes no longer hash to its id (an
    /// object rewritten in place).
    fn rehash(&mut self, id: ObjectId, path: &str) {
        if let Some(problem) = corrupt(self.repo, id) {
            self.problem(path, problem);
        }
    }

    fn blob(&mut self, id: ObjectId, path: &str) -> Option<Vec<u8>> {
        match git::read_blob(self.repo, id, path) {
            Ok(b) => {
                let kind = gix::objs::Kind::Blob;
                match gix::objs::compute_hash(id.to_gix().kind(), kind, &b) {
                    Ok(actual) if actual != id.to_gix() => {
                        self.problem(path, altered(id, actual.ours()))
                    }
                    _ => {}
                }
                Some(b)
            }
            Err(e) => {
                self.problem(path, ProblemKind::Unreadable(e.to_string()));
                None
            }
        }
    }

    /// The entries of a trusted tree by name, with their kind (no problems
    /// recorded: the base was verified before). An entry is the same as
    /// the base's only when both its id and its kind are: a directory
    /// re-declared as a submodule keeps its id.
    fn base_entries(
        &mut self,
        tree: Option<ObjectId>,
        path: &str,
    ) -> BTreeMap<String, (ObjectId, EntryKind)> {
        let Some(tree) = tree else {
            return BTreeMap::new();
        };
        match git::tree_entries(self.repo, tree, path) {
            Ok(e) => e.into_iter().map(|e| (e.name, (e.id, e.kind))).collect(),
            Err(e) => {
                self.problem(path, ProblemKind::Unreadable(e.to_string()));
                BTreeMap::new()
            }
        }
    }

    /// Records every work of a trusted shard tree as removed.
    fn removed_shard(&mut self, region: Region, shard: ObjectId, path: &str) {
        if !self.track {
            return;
        }
        for (name, _) in self.base_entries(Some(shard), path) {
            if let Ok(work) = WorkId::new(region, &name) {
                self.changes.push(WorkChange::Removed(work));
            }
        }
    }

    /// Walks one region directory. With a `base` (the same region in a
    /// trusted tree), shards and works whose tree ids equal the base's are
    /// skipped; with `track`, the works that differ from the base (all of
    /// them without one) are recorded in `changes`.
    fn region(&mut self, region: Region, tree: ObjectId, deep: bool, base: Option<ObjectId>) {
        let path = format!("{region}/");
        let Some(shards) = self.entries(tree, &path) else {
            return;
        };
        let mut base_shards = self.base_entries(base, &path);
        for shard in shards {
            let base_shard = base_shards.remove(&shard.name);
            if base_shard == Some((shard.id, shard.kind)) {
                continue;
            }
            let base_shard =
                base_shard.and_then(|(id, kind)| (kind == EntryKind::Tree).then_some(id));
            let spath = format!("{region}/{}/", shard.name);
            let hex = shard.name.len() == layout::SHARD_LEN
                && shard
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if shard.kind != EntryKind::Tree || !hex {
                if deep {
                    self.problem(spath.trim_end_matches('/'), ProblemKind::Unexpected(
                        "a region directory holds only shard directories (two lowercase hex digits)".into(),
                    ));
                }
                continue;
            }
            let Some(dirs) = self.entries(shard.id, &spath) else {
                continue;
            };
            let mut base_works = self.base_entries(base_shard, &spath);
            for dir in dirs {
                let base_work = base_works.remove(&dir.name);
                if base_work == Some((dir.id, dir.kind)) {
                    continue;
                }
                let wpath = format!("{spath}{}/", dir.name);
                let work = match WorkId::new(region, &dir.name) {
                    Ok(w) if dir.kind == EntryKind::Tree => w,
                    Ok(_) => {
                        if deep {
                            self.problem(
                                wpath.trim_end_matches('/'),
                                ProblemKind::Unexpected(
                                    "a shard directory holds only work directories".into(),
                                ),
                            );
                        }
                        continue;
                    }
                    Err(e) => {
                        if deep {
                            self.problem(wpath, ProblemKind::Unexpected(e.to_string()));
                        }
                        continue;
                    }
                };
                let expected = layout::shard_of(work.local());
                if expected != shard.name {
                    if deep {
                        self.problem(
                            wpath,
                            ProblemKind::Unexpected(format!(
                                "work {work} belongs in shard {expected}"
                            )),
                        );
                    }
                    continue;
                }
                if self.track {
                    self.changes.push(match base_work {
                        None => WorkChange::Added(work.clone()),
                        Some(_) => WorkChange::Changed(work.clone()),
                    });
                }
                self.works.insert(work.clone());
                if deep {
                    self.work(&work, dir.id, &wpath);
                }
            }
            if self.track {
                for name in base_works.into_keys() {
                    if let Ok(work) = WorkId::new(region, &name) {
                        self.changes.push(WorkChange::Removed(work));
                    }
                }
            }
        }
        for (name, (id, _)) in base_shards {
            self.removed_shard(region, id, &format!("{region}/{name}/"));
        }
    }

    fn work(&mut self, work: &WorkId, tree: ObjectId, wpath: &str) {
        self.checked_works += 1;
        let Some(entries) = self.entries(tree, wpath) else {
            return;
        };
        let mut record: Option<Record> = None;
        let mut has_record_file = false;
        let mut files: BTreeSet<RevisionId> = BTreeSet::new();
        for e in entries {
            let path = format!("{wpath}{}", e.name);
            match e.kind {
                EntryKind::Blob => {}
                EntryKind::BlobExecutable => {
                    self.problem(&path, ProblemKind::WrongMode("executable"))
                }
                EntryKind::Link => {
                    self.problem(&path, ProblemKind::WrongMode("a symbolic link"));
                    continue;
                }
                EntryKind::Commit => {
                    self.problem(&path, ProblemKind::WrongMode("a submodule"));
                    continue;
                }
                EntryKind::Tree => {
                    self.problem(
                        &path,
                        ProblemKind::Unexpected("a work directory holds only files".into()),
                    );
                    continue;
                }
            }
            if e.name == layout::RECORD_FILE {
                has_record_file = true;
                let Some(bytes) = self.blob(e.id, &path) else {
                    continue;
                };
                match canonical::decode_record(&bytes) {
                    Err(err) => self.problem(&path, ProblemKind::BadRecord(err)),
                    Ok(r) => {
                        if r.work != *work {
                            self.problem(
                                &path,
                                ProblemKind::MisplacedRecord {
                                    names: r.work.clone(),
                                },
                            );
                        }
                        if canonical::encode_record(&r).ok().as_deref() != Some(&bytes[..]) {
                            self.problem(&path, ProblemKind::NotCanonical);
                        }
                        record = Some(r);
                    }
                }
                continue;
            }
            match e
                .name
                .strip_suffix(layout::VERSION_SUFFIX)
                .and_then(|hex| RevisionId::parse(hex).ok())
            {
                Some(revision) => {
                    files.insert(revision);
                    self.jobs.push(Job {
                        path,
                        id: e.id,
                        revision,
                    });
                }
                None => self.problem(
                    &path,
                    ProblemKind::Unexpected(
                        "a work directory holds record.xml and <revision-id>.xml files only".into(),
                    ),
                ),
            }
        }
        if !has_record_file {
            self.problem(wpath, ProblemKind::MissingRecord);
        }
        let Some(record) = record else {
            return;
        };
        let rpath = format!("{wpath}{}", layout::RECORD_FILE);
        if record.versions.is_empty() {
            self.problem(&rpath, ProblemKind::NoVersions);
        }
        if self.lifecycle {
            for p in lifecycle::problems(&record) {
                self.problem(&rpath, ProblemKind::Lifecycle(p));
            }
        }
        let listed: BTreeSet<RevisionId> = record.versions.iter().map(|v| v.revision).collect();
        for r in listed.difference(&files) {
            self.problem(&rpath, ProblemKind::MissingVersion(*r));
        }
        for r in files.difference(&listed) {
            self.problem(
                format!("{wpath}{}", layout::version_file(r)),
                ProblemKind::OrphanVersion(*r),
            );
        }
        for (earlier, later) in contradictory_dates(&record.versions) {
            self.problem(
                &rpath,
                ProblemKind::ContradictoryDates {
                    earlier: earlier.revision,
                    later: later.revision,
                },
            );
        }
        let targets = record
            .relations
            .iter()
            .map(|r| &r.target)
            .chain(record.repealed.as_ref().and_then(|r| r.by.as_ref()));
        for t in targets {
            match t {
                Target::Work(w) => self.targets.push((rpath.clone(), w.clone())),
                Target::Citation(c) if c.is_empty() => self.problems.push(Problem {
                    path: rpath.clone(),
                    kind: ProblemKind::EmptyCitation,
                }),
                Target::Citation(_) => {}
            }
        }
    }
}

/// Pairs of versions where the one published later takes effect strictly
/// before the one published earlier (each later version is reported once,
/// against the latest-effective earlier one it undercuts).
fn contradictory_dates(versions: &[VersionEntry]) -> Vec<(&VersionEntry, &VersionEntry)> {
    let mut by_published: Vec<&VersionEntry> = versions.iter().collect();
    by_published.sort_by_key(|v| (v.published, v.revision));
    let mut out = Vec::new();
    let mut latest: Option<&VersionEntry> = None;
    for v in by_published {
        if let Some(l) = latest
            && l.published < v.published
            && v.effective_date() < l.effective_date()
        {
            out.push((l, v));
            continue;
        }
        if latest.is_none_or(|l| v.effective_date() >= l.effective_date()) {
            latest = Some(v);
        }
    }
    out
}

/// The problem of an object whose bytes hash to `actual`, not `id`.
fn altered(id: ObjectId, actual: ObjectId) -> ProblemKind {
    ProblemKind::Unreadable(format!(
        "object {id} is corrupt: its stored bytes hash to {actual} (rewritten in place?)"
    ))
}

/// Whether the stored bytes of `id` hash to another id.
fn corrupt(repo: &gix::Repository, id: ObjectId) -> Option<ProblemKind> {
    let object = git::retrying(|| repo.find_object(id.to_gix())).ok()?;
    let actual = gix::objs::compute_hash(id.to_gix().kind(), object.kind, &object.data)
        .ok()?
        .ours();
    (actual != id).then(|| altered(id, actual))
}

/// Checks one version file: hash, decoding, canonical form.
fn check_version(repo: &gix::Repository, job: &Job) -> Option<Problem> {
    let problem = |kind| {
        Some(Problem {
            path: job.path.clone(),
            kind,
        })
    };
    let bytes = match git::read_blob(repo, job.id, &job.path) {
        Ok(b) => b,
        Err(e) => return problem(ProblemKind::Unreadable(e.to_string())),
    };
    let actual = RevisionId::of(&bytes);
    if actual != job.revision {
        return problem(ProblemKind::HashMismatch { actual });
    }
    match canonical::decode_document(&bytes) {
        Err(e) => problem(ProblemKind::BadVersion(e)),
        Ok(doc) if canonical::encode_document(&doc).ok().as_deref() != Some(&bytes[..]) => {
            problem(ProblemKind::NotCanonical)
        }
        Ok(_) => None,
    }
}

pub(crate) fn verify_commit(
    repo: &gix::ThreadSafeRepository,
    commit: ObjectId,
    options: &VerifyOptions,
) -> Result<Report, ReadError> {
    let local = repo.to_thread_local();
    let tree = git::commit_tree(&local, commit)?;
    let root = git::tree_entries(&local, tree, "")?;
    let mut walk = Walk::new(&local);
    walk.lifecycle = true;
    walk.rehash(commit, "");
    walk.rehash(tree, "");
    let mut meta = None;
    let mut regions: BTreeMap<Region, ObjectId> = BTreeMap::new();
    for e in root {
        if e.name == layout::META_FILE && e.kind == EntryKind::Blob {
            if let Some(bytes) = walk.blob(e.id, layout::META_FILE) {
                match LibraryMeta::decode(&bytes) {
                    Ok(m) => meta = Some(m),
                    Err(err) => walk.problem(layout::META_FILE, ProblemKind::BadMeta(err)),
                }
            }
            continue;
        }
        if let Some(root) = crate::trust::root_of_dir(&e.name)
            && e.kind == EntryKind::Tree
        {
            match crate::trust::at_tree(&local, tree, root) {
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(err))) => walk.problem(&e.name, ProblemKind::BadTrust(err)),
                Ok(None) => walk.problem(
                    &e.name,
                    ProblemKind::Unexpected(format!("{} without allowed_signers", e.name)),
                ),
                Err(err) => walk.problem(&e.name, ProblemKind::Unreadable(err.to_string())),
            }
            continue;
        }
        match Region::parse(&e.name) {
            Ok(r) if e.kind == EntryKind::Tree => {
                regions.insert(r, e.id);
            }
            _ => walk.problem(
                &e.name,
                ProblemKind::Unexpected(
                    "the top level holds library.xml, trust-<root>/ and region directories only"
                        .into(),
                ),
            ),
        }
    }
    if meta.is_none() && !walk.problems.iter().any(|p| p.path == layout::META_FILE) {
        walk.problem(layout::META_FILE, ProblemKind::MissingMeta);
    }
    for (region, id) in regions {
        let deep = options
            .regions
            .as_ref()
            .is_none_or(|rs| rs.contains(&region));
        walk.region(region, id, deep, None);
    }
    walk.finish(repo, commit, tree, meta)
}

/// Verifies the region directories `regions` of `commit` only where they
/// differ from the same regions of `base`, a root tree whose content was
/// verified before (the library's own `main`): shards and works with the
/// same tree id are skipped, every other work directory gets the full
/// check of [`Library::verify_at`]. Returns the report and how each work
/// differs from the base. Federation uses this to check a peer's tree in
/// time proportional to what the pull brings in.
pub(crate) fn verify_changes(
    repo: &gix::ThreadSafeRepository,
    commit: ObjectId,
    base: ObjectId,
    regions: &[Region],
) -> Result<(Report, Vec<WorkChange>), ReadError> {
    let local = repo.to_thread_local();
    let tree = git::commit_tree(&local, commit)?;
    let entries = |t: ObjectId| -> Result<BTreeMap<String, (ObjectId, EntryKind)>, ReadError> {
        Ok(git::tree_entries(&local, t, "")?
            .into_iter()
            .map(|e| (e.name, (e.id, e.kind)))
            .collect())
    };
    let ours = entries(base)?;
    let theirs = entries(tree)?;
    let mut walk = Walk::new(&local);
    walk.track = true;
    for region in regions {
        let name = region.as_str();
        let base_region = match ours.get(name) {
            Some((id, EntryKind::Tree)) => Some(*id),
            _ => None,
        };
        match theirs.get(name) {
            // The same only with the same id and kind: a region directory
            // re-declared as a submodule keeps its id.
            Some((id, EntryKind::Tree)) if Some(*id) == base_region => {}
            Some((id, EntryKind::Tree)) => walk.region(*region, *id, true, base_region),
            Some((_, kind)) => walk.problem(
                name,
                ProblemKind::Unexpected(format!(
                    "a region must be a directory, and this is {}",
                    kind_name(*kind)
                )),
            ),
            None => {
                if let Some(id) = base_region {
                    let path = format!("{region}/");
                    for (shard, (sid, _)) in walk.base_entries(Some(id), &path) {
                        walk.removed_shard(*region, sid, &format!("{region}/{shard}/"));
                    }
                }
            }
        }
    }
    let mut changes = std::mem::take(&mut walk.changes);
    changes.sort_by(|a, b| a.work().cmp(b.work()));
    let report = walk.finish(repo, commit, tree, None)?;
    Ok((report, changes))
}

/// What an entry of `kind` is, for messages.
fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Tree => "a directory",
        EntryKind::Blob => "a file",
        EntryKind::BlobExecutable => "an executable file",
        EntryKind::Link => "a symbolic link",
        EntryKind::Commit => "a submodule (mode 160000)",
    }
}

impl WorkChange {
    /// The work.
    pub(crate) fn work(&self) -> &WorkId {
        match self {
            WorkChange::Added(w) | WorkChange::Changed(w) | WorkChange::Removed(w) => w,
        }
    }
}

impl<'a> Walk<'a> {
    fn new(repo: &'a gix::Repository) -> Walk<'a> {
        Walk {
            repo,
            problems: Vec::new(),
            works: BTreeSet::new(),
            jobs: Vec::new(),
            targets: Vec::new(),
            checked_works: 0,
            track: false,
            lifecycle: false,
            changes: Vec::new(),
        }
    }

    /// Checks relation targets (in the walked works, else in the whole
    /// tree) and every version file, and sorts the problems.
    fn finish(
        mut self,
        repo: &gix::ThreadSafeRepository,
        commit: ObjectId,
        tree: ObjectId,
        meta: Option<LibraryMeta>,
    ) -> Result<Report, ReadError> {
        let targets = std::mem::take(&mut self.targets);
        for (path, target) in targets {
            if self.works.contains(&target) {
                continue;
            }
            let found = git::entry_at(self.repo, tree, &layout::record_path(&target))?.is_some();
            if !found {
                self.problem(path, ProblemKind::DanglingTarget(target));
            }
        }
        let jobs = std::mem::take(&mut self.jobs);
        let versions = jobs.len();
        let mut problems = self.problems;
        problems.extend(check_versions(repo, &jobs)?);
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Report {
            commit,
            meta,
            works: self.checked_works,
            versions,
            problems,
        })
    }
}

/// Checks version files on all cores.
fn check_versions(
    repo: &gix::ThreadSafeRepository,
    jobs: &[Job],
) -> Result<Vec<Problem>, GitError> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(jobs.len().div_ceil(256).max(1));
    if threads <= 1 {
        let local = repo.to_thread_local();
        return Ok(jobs
            .iter()
            .filter_map(|j| check_version(&local, j))
            .collect());
    }
    let chunk = jobs.len().div_ceil(threads);
    let results: Vec<Vec<Problem>> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let local = repo.to_thread_local();
                    part.iter()
                        .filter_map(|j| check_version(&local, j))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![Problem {
                        path: String::new(),
                        kind: ProblemKind::Unreadable("a verification thread panicked".into()),
                    }]
                })
            })
            .collect()
    });
    Ok(results.into_iter().flatten().collect())
}
