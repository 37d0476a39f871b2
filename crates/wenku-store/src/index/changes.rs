//! What changed between two commits, work by work: a diff of the two root
//! trees that descends only where the tree ids differ, and the entries of
//! the works whose directory changed.

use std::collections::BTreeMap;

use crate::ObjectId;
use crate::object_id::Ours;
use gix::objs::tree::EntryKind;
use wenku_index::{Change, Oid, WorkEntry};
use wenku_model::{Region, RevisionId, WorkId};

use crate::catalog::for_each_work;
use crate::git::{self, GitError};
use crate::layout;
use crate::read::{self, ReadError};

/// The subdirectories of a tree, by name (files are not part of the
/// layout at these levels and are skipped, as the tree walk does). Only
/// entries of mode 040000 count: a directory re-declared as a submodule
/// (160000, same id) is gone from here, so comparing the ids of two such
/// maps compares (mode, id).
fn dirs(
    repo: &gix::Repository,
    tree: Option<ObjectId>,
    path: &str,
) -> Result<BTreeMap<String, ObjectId>, GitError> {
    let Some(tree) = tree else {
        return Ok(BTreeMap::new());
    };
    Ok(git::tree_entries(repo, tree, path)?
        .into_iter()
        .filter(|e| e.kind == EntryKind::Tree)
        .map(|e| (e.name, e.id))
        .collect())
}

/// Names whose directory differs between `a` and `b`, with both sides.
type Sides = (Option<ObjectId>, Option<ObjectId>);

fn differing(
    a: BTreeMap<String, ObjectId>,
    mut b: BTreeMap<String, ObjectId>,
) -> Vec<(String, Sides)> {
    let mut out = Vec::new();
    for (name, old) in a {
        let new = b.remove(&name);
        if new != Some(old) {
            out.push((name, (Some(old), new)));
        }
    }
    out.extend(b.into_iter().map(|(name, new)| (name, (None, Some(new)))));
    out
}

/// The works whose directory differs between two root trees (added,
/// changed or removed), with their directory in the new tree. Reads only
/// the trees on the paths of changed works: root, region, shard.
pub(crate) fn changed_works(
    repo: &gix::Repository,
    old: ObjectId,
    new: ObjectId,
) -> Result<Vec<(WorkId, Option<ObjectId>)>, GitError> {
    let mut out = Vec::new();
    for (region_name, (o, n)) in differing(dirs(repo, Some(old), "")?, dirs(repo, Some(new), "")?) {
        let Ok(region) = Region::parse(&region_name) else {
            continue;
        };
        let shards = differing(dirs(repo, o, &region_name)?, dirs(repo, n, &region_name)?);
        for (shard, (o, n)) in shards {
            let path = format!("{region_name}/{shard}");
            for (local, (_, n)) in differing(dirs(repo, o, &path)?, dirs(repo, n, &path)?) {
                let Ok(work) = WorkId::new(region, &local) else {
                    continue;
                };
                if layout::shard_of(&local) != shard {
                    continue;
                }
                out.push((work, n));
            }
        }
    }
    Ok(out)
}

/// The index changes that bring an index of `old` to `new`.
pub(crate) fn changes(
    repo: &gix::Repository,
    old: ObjectId,
    new: ObjectId,
) -> Result<Vec<Change>, ReadError> {
    let mut out = Vec::new();
    for (work, dir) in changed_works(repo, old, new)? {
        let entry = match dir {
            Some(dir) => work_entry(repo, &work, dir)?,
            None => None,
        };
        out.push(match entry {
            Some(e) => Change::Upsert(e),
            None => Change::Remove(work.to_string()),
        });
    }
    Ok(out)
}

/// The entry of the work whose directory is `dir`: its record (as the
/// tree walk reads it) and the blob of each version file; `None` when the
/// directory has no record (no work, as for the tree walk).
pub(crate) fn work_entry(
    repo: &gix::Repository,
    work: &WorkId,
    dir: ObjectId,
) -> Result<Option<WorkEntry>, ReadError> {
    let entries = git::tree_entries(repo, dir, &layout::work_dir(work))?;
    let Some(record) = entries
        .iter()
        .find(|e| e.name == layout::RECORD_FILE && e.kind == EntryKind::Blob)
    else {
        return Ok(None);
    };
    let path = layout::record_path(work);
    let bytes = git::read_blob(repo, record.id, &path)?;
    let record = read::decode_record_at(&path, work, &bytes)?;
    let blobs: BTreeMap<&str, ObjectId> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Blob)
        .map(|e| (e.name.as_str(), e.id))
        .collect();
    Ok(Some(WorkEntry::from_record(&record, |rev: &RevisionId| {
        blobs
            .get(layout::version_file(rev).as_str())
            .map(|id| oid(*id))
    })))
}

/// What a commit of this process wrote, handed to the index so that it
/// need not diff the trees of the commit and its parent again: the works
/// the transaction changed, the records it wrote (canonical bytes) and the
/// blob of every file it placed. Transactions only add or replace files,
/// so a work's directory in the new tree is its directory in the parent's
/// tree with these files over it.
#[derive(Debug)]
pub(crate) struct Handoff {
    /// The repository handle that staged the transaction: its object cache
    /// holds the parent's trees on the works' paths.
    pub repo: gix::Repository,
    /// The commit the transaction was staged on.
    pub parent: ObjectId,
    /// Its tree.
    pub parent_tree: ObjectId,
    /// The new commit (the parent's child).
    pub commit: ObjectId,
    /// Each record written.
    pub records: BTreeMap<WorkId, Vec<u8>>,
    /// Each file written, by path.
    pub blobs: BTreeMap<String, ObjectId>,
}

/// The index changes of a [`Handoff`]: the same entries
/// [`changes`] finds by diffing the parent's tree and the commit's (the
/// store's index tests compare every answer with the tree's), read from
/// the parent's work directories, which staging has just read, and the
/// files the commit wrote.
pub(crate) fn handed_off(h: &Handoff) -> Result<Vec<Change>, ReadError> {
    let repo = &h.repo;
    let mut out = Vec::with_capacity(h.records.len());
    for (work, bytes) in &h.records {
        let dir = layout::work_dir(work);
        let mut blobs: BTreeMap<String, ObjectId> = match git::entry_at(repo, h.parent_tree, &dir)?
        {
            Some((id, EntryKind::Tree)) => git::tree_entries(repo, id, &dir)?
                .into_iter()
                .filter(|e| e.kind == EntryKind::Blob)
                .map(|e| (e.name, e.id))
                .collect(),
            _ => BTreeMap::new(),
        };
        let prefix = format!("{dir}/");
        for (path, id) in h.blobs.range(prefix.clone()..) {
            let Some(name) = path.strip_prefix(&prefix) else {
                break;
            };
            if !name.contains('/') {
                blobs.insert(name.to_string(), *id);
            }
        }
        let path = layout::record_path(work);
        let record = read::decode_record_at(&path, work, bytes)?;
        out.push(Change::Upsert(WorkEntry::from_record(
            &record,
            |rev: &RevisionId| {
                blobs
                    .get(layout::version_file(rev).as_str())
                    .map(|id| oid(*id))
            },
        )));
    }
    Ok(out)
}

/// Every work's entry in `tree`.
pub(crate) fn all_entries(
    repo: &gix::Repository,
    tree: ObjectId,
) -> Result<Vec<WorkEntry>, ReadError> {
    let mut out = Vec::new();
    for_each_work(repo, tree, |work, dir| {
        if let Some(e) = work_entry(repo, &work, dir)? {
            out.push(e);
        }
        Ok(())
    })?;
    Ok(out)
}

/// A gix object id as the index keeps it.
pub(crate) fn oid(id: ObjectId) -> Oid {
    Oid(id
        .as_bytes()
        .try_into()
        .expect("libraries use SHA-1: gix is built with the sha1 hash only"))
}

/// The index's id as gix's.
pub(crate) fn object_id(oid: Oid) -> ObjectId {
    gix::ObjectId::from(oid.0).ours()
}
