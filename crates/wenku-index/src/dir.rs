//! The index's directory: which files make up the current index, and how
//! they are replaced.
//!
//! ```text
//! current.wki          the top layer: a delta naming its base file; the
//!                      one file readers start from
//! base-<hash>.wki      a base layer, named by the BLAKE3 of its manifest
//! ```
//!
//! An update writes a new `current.wki` (the works changed since the base,
//! and the works removed) and renames it over the old one: a reader opens
//! either the old or the new top layer, and the same base under both. When
//! the delta outgrows [`UpdateOptions::max_delta_works`], the update writes
//! a new base with every work instead, then a `current.wki` naming it, then
//! removes the bases nothing names. A reader that read the old
//! `current.wki` and finds its base gone reads `current.wki` again.
//!
//! A writer that must not wait for a base (a commit) updates the delta
//! only ([`IndexDir::update_delta`]) and writes the base apart
//! ([`IndexDir::write_base`], no lock needed), then installs it under the
//! index as it has become by then ([`IndexDir::install_base`], under the
//! writers' lock): the new top layer keeps only the works that changed
//! since the base was taken. If another writer replaced the base in
//! between, the new one is dropped.
//!
//! Writers must be serialised by the caller (the store holds a lock file);
//! readers need no lock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::build::{LayerSpec, write_layer};
use crate::entry::{Oid, WorkEntry};
use crate::error::{Corrupt, OpenError, WriteError};
use crate::format::{BaseRef, KIND_BASE, KIND_DELTA};
use crate::layer::Layer;
use crate::query::Index;

/// The top layer's file name.
pub const CURRENT: &str = "current.wki";

/// How updates behave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateOptions {
    /// Once the delta would hold more changed or removed works than this,
    /// [`IndexDir::update`] writes a new base instead (and
    /// [`IndexDir::wants_base`] says one is due, for callers that write
    /// bases apart). The delta is rewritten whole on every update, so this
    /// bounds an update's cost: at 512 works about 4.4 ms at a million
    /// versions (BENCHMARKS.md); a larger value makes the (whole-library)
    /// base rewrites rarer.
    pub max_delta_works: usize,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            max_delta_works: 512,
        }
    }
}

/// A change to one work, from the tree diff between the indexed commit
/// and the new one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The work was added or changed: its new entry.
    Upsert(WorkEntry),
    /// The work (by id) no longer exists.
    Remove(String),
}

/// What [`IndexDir::update`] did.
#[derive(Debug)]
pub struct Updated {
    /// The index at the new commit.
    pub index: Index,
    /// Whether a new base was written (the delta had grown too large).
    pub merged: bool,
}

/// A base written apart from the top layer ([`IndexDir::write_base`]),
/// waiting to be installed ([`IndexDir::install_base`]).
#[derive(Debug)]
pub struct NewBase {
    layer: Arc<Layer>,
    base_ref: BaseRef,
    /// The index it was made from.
    from: Index,
}

/// The directory holding an index.
#[derive(Clone, Debug)]
pub struct IndexDir {
    path: PathBuf,
    options: UpdateOptions,
}

impl IndexDir {
    /// The index in directory `path` (created when first written).
    pub fn new(path: impl Into<PathBuf>) -> IndexDir {
        IndexDir {
            path: path.into(),
            options: UpdateOptions::default(),
        }
    }

    /// Updates with these options from now on.
    pub fn with_options(mut self, options: UpdateOptions) -> IndexDir {
        self.options = options;
        self
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The top layer's path.
    pub fn current_path(&self) -> PathBuf {
        self.path.join(CURRENT)
    }

    /// Opens the current index: the top layer, then the base it names.
    /// The base is checked against the top layer's record of it. Blocks are
    /// checked as queries read them ([`Index::verify`] checks all at once).
    pub fn open(&self) -> Result<Index, OpenError> {
        self.open_reusing(None)
    }

    /// Like [`IndexDir::open`], but keeps `previous`'s base (its mapping and
    /// the blocks already checked in it) if the new top layer names the same
    /// base file.
    pub fn open_reusing(&self, previous: Option<&Index>) -> Result<Index, OpenError> {
        let mut last = None;
        // A reader can lose a race with an update that writes a new base and
        // removes the old one between our two opens: read the top again.
        for _ in 0..4 {
            let top = Arc::new(Layer::open(&self.current_path())?);
            let base_ref = {
                let m = top.manifest();
                if m.kind != KIND_DELTA {
                    return Err(top.corrupt("the top layer is not a delta").into());
                }
                let Some(b) = m.base.as_ref() else {
                    return Err(top.corrupt("the top layer names no base").into());
                };
                BaseRef {
                    file: b.file.as_str().to_string(),
                    manifest: b.manifest,
                    commit: b.commit,
                }
            };
            if !is_base_name(&base_ref.file) {
                return Err(top
                    .corrupt(format!("{:?} is not a base file name", base_ref.file))
                    .into());
            }
            let base = match previous {
                Some(p) if p.base.manifest_hash() == base_ref.manifest && !p.base.is_broken() => {
                    Arc::clone(&p.base)
                }
                _ => match Layer::open(&self.path.join(&base_ref.file)) {
                    Ok(l) => Arc::new(l),
                    Err(e @ OpenError::Missing { .. }) => {
                        last = Some(e);
                        continue;
                    }
                    Err(e) => return Err(e),
                },
            };
            let index = Index { base, delta: top };
            match index.check() {
                Ok(()) => return Ok(index),
                // Replaced by a concurrent rebuild of the same commit, or
                // damaged: read the top again; a damaged one stays damaged.
                Err(e) => last = Some(OpenError::Corrupt(e)),
            }
        }
        Err(last.unwrap_or_else(|| OpenError::Missing {
            path: self.current_path(),
        }))
    }

    /// Writes an index of `commit` from every work's entry (in any order):
    /// a new base, then a top layer naming it. Removes older bases.
    pub fn build(&self, commit: Oid, entries: Vec<WorkEntry>) -> Result<Index, WriteError> {
        let (base, base_ref) = self.write_base_file(commit, entries)?;
        let name = base_ref.file.clone();
        let index = self.write_top(base, base_ref, commit, Vec::new(), Vec::new())?;
        self.collect_garbage(&name);
        Ok(index)
    }

    /// Writes a base file of `commit` from every work's entry (in any
    /// order) and opens it; nothing names it yet.
    fn write_base_file(
        &self,
        commit: Oid,
        mut entries: Vec<WorkEntry>,
    ) -> Result<(Arc<Layer>, BaseRef), WriteError> {
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        entries.dedup_by(|a, b| a.id == b.id);
        std::fs::create_dir_all(&self.path).map_err(|source| WriteError::Io {
            path: self.path.clone(),
            source,
        })?;
        let (path, manifest) = write_layer(
            &self.path.join("base.wki"),
            LayerSpec {
                kind: KIND_BASE,
                commit,
                base: None,
                removed: Vec::new(),
                entries,
                unresolved: true,
            },
            |hash| self.path.join(base_name(hash)),
        )?;
        let base = Arc::new(Layer::open(&path).map_err(|e| WriteError::Reopen(Box::new(e)))?);
        let base_ref = BaseRef {
            file: base_name(&manifest),
            manifest,
            commit: commit.0,
        };
        Ok((base, base_ref))
    }

    /// Every work of `index`'s base that `replaced` does not name (the
    /// works a delta changes or removes), deserialised.
    fn base_entries_but(
        index: &Index,
        replaced: impl Fn(&str) -> bool,
    ) -> Result<Vec<WorkEntry>, WriteError> {
        let mut all = Vec::new();
        let base = index.base.as_ref();
        base.for_each::<WorkEntry>(|_, e| {
            if !replaced(e.id.as_str()) {
                all.push(
                    rkyv::deserialize::<WorkEntry, rkyv::rancor::BoxedError>(e)
                        .map_err(|x| base.corrupt(x.to_string()))?,
                );
            }
            Ok(())
        })?;
        Ok(all)
    }

    /// Brings `index` to `commit` by applying `changes` (the works whose
    /// directory differs between the two commits): a new top layer, or a
    /// new base when the delta would grow past
    /// [`UpdateOptions::max_delta_works`].
    pub fn update(
        &self,
        index: &Index,
        commit: Oid,
        changes: Vec<Change>,
    ) -> Result<Updated, WriteError> {
        self.apply(index, commit, changes, true)
    }

    /// [`IndexDir::update`] that never writes a base: always a new top
    /// layer, however large the delta grows. For callers that write bases
    /// apart ([`IndexDir::write_base`], [`IndexDir::install_base`]), so
    /// that an update's cost stays that of the delta.
    pub fn update_delta(
        &self,
        index: &Index,
        commit: Oid,
        changes: Vec<Change>,
    ) -> Result<Updated, WriteError> {
        self.apply(index, commit, changes, false)
    }

    /// Whether `index`'s delta has outgrown
    /// [`UpdateOptions::max_delta_works`] (a new base is due).
    pub fn wants_base(&self, index: &Index) -> bool {
        let stats = index.stats();
        stats.delta_works + stats.removed > self.options.max_delta_works
    }

    /// Writes a base holding every work of `index` (its base with its
    /// delta applied), without touching the top layer: readers and
    /// updates go on with the current index meanwhile. Install it with
    /// [`IndexDir::install_base`]. Needs no lock (bases are named by their
    /// content and only [`IndexDir::install_base`] and
    /// [`IndexDir::build`] remove them).
    pub fn write_base(&self, index: &Index) -> Result<NewBase, WriteError> {
        let (entries, removed) = index.delta_entries()?;
        let replaced: BTreeSet<&str> = entries
            .iter()
            .map(|e| e.id.as_str())
            .chain(removed.iter().map(String::as_str))
            .collect();
        let mut all = Self::base_entries_but(index, |id| replaced.contains(id))?;
        all.extend(entries);
        let (layer, base_ref) = self.write_base_file(index.commit(), all)?;
        Ok(NewBase {
            layer,
            base_ref,
            from: index.clone(),
        })
    }

    /// Puts a base written by [`IndexDir::write_base`] under `current`, the
    /// index as it is now (the caller holds the writers' lock and has just
    /// opened it): a new top layer over the new base, at `current`'s
    /// commit, holding what changed since the index the base was made
    /// from. `None` when `current` no longer lies over the base that index
    /// had (another writer rebuilt it meanwhile): the new base is removed
    /// and nothing changes.
    pub fn install_base(&self, new: NewBase, current: &Index) -> Result<Option<Index>, WriteError> {
        let NewBase {
            layer,
            base_ref,
            from,
        } = new;
        let same_base = current.base_ref()?.manifest == from.base_ref()?.manifest;
        if !same_base {
            drop(layer);
            let _ = std::fs::remove_file(self.path.join(&base_ref.file));
            return Ok(None);
        }
        // The new base is `from`'s base with `from`'s delta applied; a
        // delta only grows until a base is written, so `current`'s delta
        // holds `from`'s works (changed again or not) except those removed
        // since that the old base never had.
        let (then, _) = from.delta_entries()?;
        let then: BTreeMap<String, WorkEntry> =
            then.into_iter().map(|e| (e.id.clone(), e)).collect();
        let (now, now_removed) = current.delta_entries()?;
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut entries = Vec::new();
        for e in now {
            seen.insert(e.id.clone());
            if then.get(&e.id) != Some(&e) {
                entries.push(e);
            }
        }
        let mut removed = Vec::new();
        for id in now_removed {
            seen.insert(id.clone());
            // Removed since the old base: still a removal if the new base
            // has the work.
            if then.contains_key(&id) || (from.base_has(&id)? && !from.delta_removes(&id)) {
                removed.push(id);
            }
        }
        // In `from`'s delta, and in neither of `current`'s lists: added
        // after the old base, then removed. The new base has it.
        for id in then.keys() {
            if !seen.contains(id) {
                removed.push(id.clone());
            }
        }
        removed.sort();
        removed.dedup();
        let name = base_ref.file.clone();
        let index = self.write_top(layer, base_ref, current.commit(), entries, removed)?;
        self.collect_garbage(&name);
        Ok(Some(index))
    }

    fn apply(
        &self,
        index: &Index,
        commit: Oid,
        changes: Vec<Change>,
        merge: bool,
    ) -> Result<Updated, WriteError> {
        let (entries, removed) = index.delta_entries()?;
        let mut entries: BTreeMap<String, WorkEntry> =
            entries.into_iter().map(|e| (e.id.clone(), e)).collect();
        let mut removed: BTreeSet<String> = removed.into_iter().collect();
        for change in changes {
            match change {
                Change::Upsert(e) => {
                    removed.remove(&e.id);
                    entries.insert(e.id.clone(), e);
                }
                Change::Remove(id) => {
                    entries.remove(&id);
                    if index.base_has(&id)? {
                        removed.insert(id);
                    }
                }
            }
        }
        if merge && entries.len() + removed.len() > self.options.max_delta_works {
            let mut all = Self::base_entries_but(index, |id| {
                entries.contains_key(id) || removed.contains(id)
            })?;
            all.extend(entries.into_values());
            let index = self.build(commit, all)?;
            return Ok(Updated {
                index,
                merged: true,
            });
        }
        let base_ref = index.base_ref()?;
        let index = self.write_top(
            Arc::clone(&index.base),
            base_ref,
            commit,
            entries.into_values().collect(),
            removed.into_iter().collect(),
        )?;
        Ok(Updated {
            index,
            merged: false,
        })
    }

    fn write_top(
        &self,
        base: Arc<Layer>,
        base_ref: BaseRef,
        commit: Oid,
        entries: Vec<WorkEntry>,
        removed: Vec<String>,
    ) -> Result<Index, WriteError> {
        let (path, _) = write_layer(
            &self.current_path(),
            LayerSpec {
                kind: KIND_DELTA,
                commit,
                base: Some(base_ref),
                removed,
                entries,
                unresolved: false,
            },
            |_| self.current_path(),
        )?;
        let top = Layer::open(&path).map_err(|e| WriteError::Reopen(Box::new(e)))?;
        let index = Index {
            base,
            delta: Arc::new(top),
        };
        index.check().map_err(|e: Corrupt| WriteError::Corrupt(e))?;
        Ok(index)
    }

    /// Removes bases other than `keep` and temporary files of writers that
    /// died (writers are serialised, so none is being written). Failures
    /// only leave garbage behind.
    fn collect_garbage(&self, keep: &str) {
        let Ok(dir) = std::fs::read_dir(&self.path) else {
            return;
        };
        for entry in dir.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if (is_base_name(name) && name != keep) || name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// `base-<32 hex digits>.wki`.
fn base_name(manifest: &[u8; 32]) -> String {
    let hex: String = manifest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("base-{hex}.wki")
}

fn is_base_name(name: &str) -> bool {
    name.strip_prefix("base-")
        .and_then(|n| n.strip_suffix(".wki"))
        .is_some_and(|hex| {
            hex.len() == 32
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}
