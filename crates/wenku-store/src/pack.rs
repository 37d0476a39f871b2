//! Packs: writing a batch's objects as one pack, and keeping the number of
//! packs small.
//!
//! gix writes loose objects one temporary file and rename at a time, which
//! is slow for thousands of objects. A batch transaction keeps its new
//! objects in memory (`Repository::with_object_memory`) and writes them here
//! as a single pack with its index. Pack and index are each written to a
//! temporary file and renamed into place (pack first), so a killed writer
//! leaves at most an unreachable pack or a temporary file, never a damaged
//! one.
//!
//! Every batch adds a pack, and both git and gix look an object up pack by
//! pack; gix also holds a fixed number of index slots per open repository.
//! So when a library has more than [`crate::CommitOptions::max_packs`]
//! packs, compaction merges the smaller ones geometrically (as
//! `git repack --geometric=2` does): a pack is merged only with packs whose
//! total is at least half its size, so each object is copied O(log n) times
//! over the library's life. Merging copies every object of the merged packs,
//! reachable or not, so a pack written by a writer that has not yet moved
//! `main` keeps its objects; it streams them through a temporary file a
//! chunk at a time, so its memory does not grow with the library.
//!
//! Both batches and compaction store the versions of one document as
//! deltas of each other ([`crate::delta`]; which objects, [`DeltaPlan`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix::ObjectId;
use gix::odb::pack::{self, data::output};

use crate::git::{Context, GitError};

/// One object to pack.
pub(crate) struct Object<'a> {
    pub id: ObjectId,
    pub kind: gix::objs::Kind,
    pub data: &'a [u8],
    /// A base to store it as a delta of, if the delta is small enough:
    /// the base's place among the pack's objects (earlier than this one)
    /// and its bytes.
    pub base: Option<(usize, &'a [u8])>,
}

/// The longest chain of deltas compaction makes: reading an object applies
/// every delta on its chain, so a short chain keeps reads of old versions
/// fast (git's default is 50; its readers keep a cache of bases).
const MAX_DEPTH: u32 = 10;

/// Which objects of a pack to store as deltas, and of what: the version
/// files of one work directory are chained in the directory's order (each
/// a delta of the one before), for every directory tree among the pack's
/// objects whose version files are in the pack too. Successive versions of
/// one document share most of their text, so each is stored as what
/// changed. Trees are given one at a time ([`DeltaPlan::tree`]), so a
/// compaction need not hold them all; [`DeltaPlan::finish`] gives each
/// delta's base, with no chain longer than [`MAX_DEPTH`] and none looping.
struct DeltaPlan {
    hash: gix::hash::Kind,
    base: HashMap<ObjectId, ObjectId>,
}

impl DeltaPlan {
    fn new(hash: gix::hash::Kind) -> DeltaPlan {
        DeltaPlan {
            hash,
            base: HashMap::new(),
        }
    }

    /// Chains the version files listed by the tree `data` that are in the
    /// pack.
    fn tree(&mut self, data: &[u8], in_pack: impl Fn(&ObjectId) -> bool) {
        let mut previous: Option<ObjectId> = None;
        for entry in gix::objs::TreeRefIter::from_bytes(data, self.hash) {
            let Ok(entry) = entry else { break };
            let name = entry.filename;
            let is_version = entry.mode.is_blob()
                && name.ends_with(crate::layout::VERSION_SUFFIX.as_bytes())
                && name != crate::layout::RECORD_FILE.as_bytes();
            if !is_version {
                continue;
            }
            let id = entry.oid.to_owned();
            if !in_pack(&id) {
                continue;
            }
            if let Some(prev) = previous.filter(|p| *p != id && !self.base.contains_key(&id)) {
                // No loop: the new base's chain must not reach `id`.
                let mut at = prev;
                let mut depth = 1;
                let mut loops = false;
                while let Some(b) = self.base.get(&at) {
                    if *b == id {
                        loops = true;
                        break;
                    }
                    at = *b;
                    depth += 1;
                }
                if !loops && depth <= MAX_DEPTH {
                    self.base.insert(id, prev);
                }
            }
            previous = Some(id);
        }
    }

    /// Each delta's base. Chains made out of order can pass the limit:
    /// they are cut.
    fn finish(self) -> HashMap<ObjectId, ObjectId> {
        let mut base = self.base;
        let mut depth: HashMap<ObjectId, u32> = HashMap::new();
        let ids: Vec<ObjectId> = base.keys().copied().collect();
        for id in ids {
            // From `id` up to a root or to an object whose depth is known.
            let mut chain = vec![id];
            while let Some(b) = base.get(chain.last().expect("not empty")) {
                let known = depth.contains_key(b);
                chain.push(*b);
                if known {
                    break;
                }
            }
            let top = chain.pop().expect("not empty");
            let mut d = *depth.entry(top).or_insert(0);
            for node in chain.into_iter().rev() {
                d += 1;
                if d > MAX_DEPTH {
                    base.remove(&node);
                    d = 0;
                }
                depth.insert(node, d);
            }
        }
        base
    }
}

/// The order objects are written in: each object stored whole (by id),
/// followed at once by its chain of deltas (depth first), so that a base
/// always comes before its deltas and is usually the object just before.
fn pack_order(ids: &[ObjectId], base: &HashMap<ObjectId, ObjectId>) -> Vec<ObjectId> {
    let mut children: HashMap<ObjectId, Vec<ObjectId>> = HashMap::new();
    for (child, parent) in base {
        children.entry(*parent).or_default().push(*child);
    }
    for c in children.values_mut() {
        c.sort();
    }
    let mut roots: Vec<ObjectId> = ids
        .iter()
        .filter(|id| !base.contains_key(*id))
        .copied()
        .collect();
    roots.sort();
    roots.dedup();
    let mut out = Vec::with_capacity(ids.len());
    let mut stack = Vec::new();
    for root in roots {
        stack.push(root);
        while let Some(id) = stack.pop() {
            out.push(id);
            if let Some(c) = children.get(&id) {
                stack.extend(c.iter().rev());
            }
        }
    }
    out
}

/// Writes `objects` as one new pack in the repository's `objects/pack`,
/// readable by everyone (0444, like git's) so that another user's
/// `git http-backend` can serve it. Returns the pack's path, or `None` when
/// there was nothing to write.
pub(crate) fn write_pack(
    repo: &gix::Repository,
    mut objects: Vec<Object<'_>>,
) -> Result<Option<PathBuf>, GitError> {
    if objects.is_empty() {
        return Ok(None);
    }
    let hash = repo.object_hash();
    objects.sort_by_key(|o| o.id);
    objects.dedup_by_key(|o| o.id);
    let plan = {
        let blobs: std::collections::HashSet<ObjectId> = objects
            .iter()
            .filter(|o| o.kind == gix::objs::Kind::Blob)
            .map(|o| o.id)
            .collect();
        let mut plan = DeltaPlan::new(hash);
        for o in objects.iter().filter(|o| o.kind == gix::objs::Kind::Tree) {
            plan.tree(o.data, |id| blobs.contains(id));
        }
        plan.finish()
    };
    // A stable order makes the same objects produce the same pack; bases
    // come before their deltas.
    let ids: Vec<ObjectId> = objects.iter().map(|o| o.id).collect();
    let at: HashMap<ObjectId, usize> = pack_order(&ids, &plan)
        .into_iter()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    let by_id: HashMap<ObjectId, &[u8]> = objects.iter().map(|o| (o.id, o.data)).collect();
    objects.sort_by_key(|o| at[&o.id]);
    for o in &mut objects {
        o.base = plan.get(&o.id).map(|b| (at[b], by_id[b]));
    }
    let entries = compress(&objects, hash, gix::zlib::Compression::BEST_SPEED)?;
    let count = u32::try_from(entries.len()).map_err(|e| GitError {
        action: "counting objects for a pack".into(),
        source: Box::new(e),
    })?;
    let mut bytes = Vec::new();
    for step in &mut output::bytes::FromEntriesIter::new(
        std::iter::once(Ok(entries)),
        &mut bytes,
        count,
        pack::data::Version::V2,
        hash,
    ) {
        step.ctx(|| format!("encoding a pack of {count} objects"))?;
    }
    install(repo, &mut &bytes[..], count)
}

/// Indexes the pack data read from `data` into `objects/pack` (pack and
/// index each under a temporary name, then renamed), makes both read-only
/// and drops the `.keep` gix leaves.
fn install(
    repo: &gix::Repository,
    data: &mut dyn std::io::BufRead,
    count: u32,
) -> Result<Option<PathBuf>, GitError> {
    let pack_dir = pack_dir(repo);
    let outcome = pack::Bundle::write_to_directory(
        data,
        Some(&pack_dir),
        &mut gix::progress::Discard,
        &AtomicBool::new(false),
        None::<gix::objs::find::Never>,
        repo.object_hash(),
        pack::bundle::write::Options::default(),
    )
    .ctx(|| {
        format!(
            "writing a pack of {count} objects to {}",
            pack_dir.display()
        )
    })?;
    for path in [&outcome.data_path, &outcome.index_path]
        .into_iter()
        .flatten()
    {
        make_read_only(path)?;
    }
    if let Some(keep) = &outcome.keep_path {
        // gix leaves a .keep so that a gc cannot drop the pack before a ref
        // points into it. A kept pack is never repacked or compacted, so it
        // goes now; a concurrent `git gc` loosens unreachable packed objects
        // and prunes only those older than gc.pruneExpire (two weeks), far
        // longer than the moment until main moves.
        std::fs::remove_file(keep).ctx(|| format!("removing {}", keep.display()))?;
    }
    Ok(outcome.data_path)
}

/// Objects read, compressed and written per step of a compaction.
const COMPACT_CHUNK: usize = 2048;

/// Writes the objects `ids` (sorted, distinct), read from the repository,
/// as one new pack, streaming: a chunk of objects is read, compressed and
/// appended to a temporary file in `objects/pack` at a time, and the file
/// is then indexed as it is read back. Memory holds one chunk, whatever
/// the size of the packs merged.
fn write_pack_streaming(
    repo: &gix::Repository,
    ids: &[ObjectId],
) -> Result<Option<PathBuf>, GitError> {
    if ids.is_empty() {
        return Ok(None);
    }
    let hash = repo.object_hash();
    let read = |id: &ObjectId| -> Result<(gix::objs::Kind, Vec<u8>), GitError> {
        let object = crate::git::retrying(|| repo.find_object(*id))
            .ctx(|| format!("reading object {id} to compact packs"))?;
        Ok((object.kind, object.detach().data))
    };
    // The plan reads the packs' trees (a small part of their bytes), one
    // at a time.
    let plan = {
        let set: std::collections::HashSet<ObjectId> = ids.iter().copied().collect();
        let mut plan = DeltaPlan::new(hash);
        for id in ids {
            let header = crate::git::retrying(|| repo.find_header(*id))
                .ctx(|| format!("reading the header of object {id} to compact packs"))?;
            if header.kind() == gix::objs::Kind::Tree {
                plan.tree(&read(id)?.1, |id| set.contains(id));
            }
        }
        plan.finish()
    };
    let ordered = pack_order(ids, &plan);
    let at: HashMap<ObjectId, usize> = ordered.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let chunks = ordered.chunks(COMPACT_CHUNK).map(|part| {
        let loaded = part
            .iter()
            .map(|id| read(id).map(|(kind, data)| (*id, kind, data)))
            .collect::<Result<Vec<_>, GitError>>()
            .map_err(gix::Error::from_error)?;
        // A base is nearly always in the same chunk, just before its
        // delta (see `pack_order`); the others are read again.
        let here: HashMap<ObjectId, usize> = loaded
            .iter()
            .enumerate()
            .map(|(i, (id, ..))| (*id, i))
            .collect();
        let mut elsewhere: HashMap<ObjectId, Vec<u8>> = HashMap::new();
        for (id, ..) in &loaded {
            if let Some(b) = plan.get(id)
                && !here.contains_key(b)
                && !elsewhere.contains_key(b)
            {
                elsewhere.insert(*b, read(b).map_err(gix::Error::from_error)?.1);
            }
        }
        let objects: Vec<Object<'_>> = loaded
            .iter()
            .map(|(id, kind, data)| Object {
                id: *id,
                kind: *kind,
                data,
                base: plan.get(id).map(|b| {
                    let bytes = match here.get(b) {
                        Some(i) => loaded[*i].2.as_slice(),
                        None => elsewhere[b].as_slice(),
                    };
                    (at[b], bytes)
                }),
            })
            .collect();
        // gix's pack writer takes its own error type.
        compress(&objects, hash, gix::zlib::Compression::BEST_SPEED).map_err(gix::Error::from_error)
    });
    write_entries(repo, ids.len(), chunks)
}

/// Writes `count` pack entries, given a chunk at a time, as one new pack:
/// appended to a temporary file in `objects/pack`, then indexed as it is
/// read back ([`install`]). Memory holds one chunk.
pub(crate) fn write_entries(
    repo: &gix::Repository,
    count: usize,
    chunks: impl Iterator<Item = Result<Vec<output::Entry>, gix::Error>>,
) -> Result<Option<PathBuf>, GitError> {
    if count == 0 {
        return Ok(None);
    }
    let hash = repo.object_hash();
    let count = u32::try_from(count).map_err(|e| GitError {
        action: "counting objects for a pack".into(),
        source: Box::new(e),
    })?;
    let pack_dir = pack_dir(repo);
    // `.tmp*`: a writer that dies leaves a file `clean_garbage` removes.
    let mut temporary = tempfile::Builder::new()
        .prefix(".tmp-pack-")
        .tempfile_in(&pack_dir)
        .ctx(|| format!("creating a temporary pack in {}", pack_dir.display()))?;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, temporary.as_file_mut());
        for step in &mut output::bytes::FromEntriesIter::new(
            chunks,
            &mut out,
            count,
            pack::data::Version::V2,
            hash,
        ) {
            step.ctx(|| format!("encoding a pack of {count} objects"))?;
        }
        std::io::Write::flush(&mut out)
            .ctx(|| format!("writing a temporary pack in {}", pack_dir.display()))?;
    }
    let file = std::fs::File::open(temporary.path())
        .ctx(|| format!("reading back {}", temporary.path().display()))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let written = install(repo, &mut reader, count);
    drop(temporary);
    written
}

/// Compresses objects into pack entries on all cores, keeping their order;
/// an object with a base becomes a delta of it when the delta is less
/// than half its size.
fn compress(
    objects: &[Object<'_>],
    hash: gix::hash::Kind,
    level: gix::zlib::Compression,
) -> Result<Vec<output::Entry>, GitError> {
    let one = |o: &Object<'_>| {
        let count = output::Count::from_data(o.id, None);
        if let Some((index, base)) = o.base
            && let Some(delta) = crate::delta::encode(base, o.data, o.data.len() / 2)
        {
            #[cfg(debug_assertions)]
            assert_eq!(
                crate::delta::apply(base, &delta).as_deref(),
                Some(o.data),
                "the delta of {} gives it back",
                o.id
            );
            let mut entry = output::Entry::from_data(
                &count,
                &gix::objs::Data::new(&delta, o.kind, hash),
                level,
            )
            .ctx(|| format!("compressing the delta of object {} for a pack", o.id))?;
            entry.kind = output::entry::Kind::DeltaRef {
                object_index: index,
            };
            return Ok(entry);
        }
        output::Entry::from_data(&count, &gix::objs::Data::new(o.data, o.kind, hash), level)
            .ctx(|| format!("compressing object {} for a pack", o.id))
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(objects.len().div_ceil(512).max(1));
    if threads <= 1 {
        return objects.iter().map(one).collect();
    }
    let chunk = objects.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = objects
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Result<Vec<_>, _>>()))
            .collect();
        let mut entries = Vec::with_capacity(objects.len());
        for h in handles {
            let part = h.join().map_err(|_| GitError {
                action: "compressing objects for a pack".into(),
                source: "a compression thread panicked".into(),
            })??;
            entries.extend(part);
        }
        Ok(entries)
    })
}

/// Writes the objects kept in memory by a `with_object_memory` repository.
pub(crate) fn write_memory(
    repo: &gix::Repository,
    storage: &gix::odb::memory::Storage,
) -> Result<Option<PathBuf>, GitError> {
    let objects = storage
        .iter()
        .map(|(id, (kind, data))| Object {
            id: *id,
            kind: *kind,
            data,
            base: None,
        })
        .collect();
    write_pack(repo, objects)
}

fn pack_dir(repo: &gix::Repository) -> PathBuf {
    repo.objects.store_ref().path().join("pack")
}

pub(crate) fn make_read_only(path: &Path) -> Result<(), GitError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444))
            .ctx(|| format!("making {} readable (0444)", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Name of the lock writers hold shared while they write objects.
pub(crate) const OBJECTS_LOCK: &str = "objects.lock";

/// Takes the objects lock shared, as a writer of objects: held, it keeps
/// [`clean_garbage`] from taking the writer's temporary files.
pub(crate) fn writing_objects(git_dir: &Path) -> Result<std::fs::File, crate::LockError> {
    crate::lock::lock_shared(git_dir, OBJECTS_LOCK).map_err(|source| crate::LockError {
        path: git_dir.join("wenku").join(OBJECTS_LOCK),
        source,
    })
}

/// Removes temporary files left in `objects/` and `objects/pack/` by
/// writers that died (gix names them `.tmp*`), and `.keep` files without
/// their pack. Only when no writer is writing objects (the objects lock is
/// free); otherwise does nothing. Returns how many files were removed.
pub(crate) fn clean_garbage(repo: &gix::Repository) -> Result<usize, GitError> {
    let Some(_lock) = crate::lock::try_lock(repo.git_dir(), OBJECTS_LOCK)
        .ctx(|| "taking the objects lock".to_string())?
    else {
        return Ok(0);
    };
    let objects = repo.objects.store_ref().path().to_path_buf();
    let mut removed = 0;
    for dir in [objects.clone(), objects.join("pack")] {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).ctx(|| format!("listing {}", dir.display())),
        };
        for entry in entries {
            let path = entry.ctx(|| format!("listing {}", dir.display()))?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stale_keep = name.ends_with(".keep") && !path.with_extension("pack").exists();
            if (name.starts_with(".tmp") || stale_keep) && path.is_file() {
                std::fs::remove_file(&path).ctx(|| format!("removing {}", path.display()))?;
                removed += 1;
            }
        }
    }
    if removed > 0 {
        tracing::info!(removed, "removed temporary files left by writers that died");
    }
    Ok(removed)
}

/// What [`crate::Library::maintain`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintenance {
    /// Temporary files of dead writers removed.
    pub removed_files: usize,
    /// The pack compaction.
    pub compaction: Compaction,
}

/// Removes dead writers' temporary files, then compacts packs if there are
/// more than `max_packs`.
pub(crate) fn maintain(repo: &gix::Repository, max_packs: usize) -> Result<Maintenance, GitError> {
    let removed_files = clean_garbage(repo)?;
    let compaction = compact(repo, max_packs)?;
    Ok(Maintenance {
        removed_files,
        compaction,
    })
}

/// A complete pack (its index is in place) that compaction may merge.
#[derive(Debug)]
struct PackFiles {
    idx: PathBuf,
    objects: u32,
}

/// The packs compaction may touch: complete, not kept, not promisor packs.
/// `None` when a multi-pack index exists (git's maintenance owns the packs
/// then).
fn mergeable_packs(repo: &gix::Repository) -> Result<Option<Vec<PackFiles>>, GitError> {
    let dir = pack_dir(repo);
    if dir.join("multi-pack-index").exists() {
        return Ok(None);
    }
    let mut packs = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Some(packs)),
        Err(e) => return Err(e).ctx(|| format!("listing {}", dir.display())),
    };
    for entry in entries {
        let path = entry.ctx(|| format!("listing {}", dir.display()))?.path();
        if path.extension().is_none_or(|e| e != "idx") {
            continue;
        }
        let has = |ext: &str| path.with_extension(ext).exists();
        if !has("pack") || has("keep") || has("promisor") {
            continue;
        }
        let index = pack::index::File::at(&path, repo.object_hash())
            .ctx(|| format!("reading pack index {}", path.display()))?;
        packs.push(PackFiles {
            idx: path,
            objects: index.num_objects(),
        });
    }
    Ok(Some(packs))
}

/// The number of packs compaction may merge (see [`compact`]).
pub(crate) fn pack_count(repo: &gix::Repository) -> Result<usize, GitError> {
    Ok(mergeable_packs(repo)?.map_or(0, |p| p.len()))
}

/// Chooses the packs to merge: sorted by size, the smallest packs up to the
/// first pack that is at least twice their total (so that the packs left
/// form a geometric progression); at least enough to leave `max_packs / 2`.
fn choose(mut packs: Vec<PackFiles>, max_packs: usize) -> Vec<PackFiles> {
    packs.sort_by_key(|p| p.objects);
    let mut take = 0;
    let mut total: u64 = 0;
    for p in &packs {
        if take >= 1 && u64::from(p.objects) >= 2 * total {
            break;
        }
        total += u64::from(p.objects);
        take += 1;
    }
    let keep_at_most = (max_packs / 2).max(1);
    if packs.len() - take > keep_at_most {
        take = packs.len() - keep_at_most;
    }
    packs.truncate(take);
    if packs.len() < 2 {
        packs.clear();
    }
    packs
}

/// What a compaction did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compaction {
    /// Packs merged (and removed).
    pub merged_packs: usize,
    /// Objects copied into the new pack.
    pub objects: usize,
}

/// Merges the smaller packs into one when there are more than `max_packs`.
/// Only one process compacts at a time; if another is compacting, this
/// returns at once with nothing done.
pub(crate) fn compact(repo: &gix::Repository, max_packs: usize) -> Result<Compaction, GitError> {
    let Some(packs) = mergeable_packs(repo)? else {
        return Ok(Compaction::default());
    };
    if packs.len() <= max_packs {
        return Ok(Compaction::default());
    }
    let Some(_lock) = crate::lock::try_lock(repo.git_dir(), "compact.lock")
        .ctx(|| "taking the compaction lock".to_string())?
    else {
        return Ok(Compaction::default());
    };
    // Re-list under the lock: another process may just have compacted.
    let Some(packs) = mergeable_packs(repo)? else {
        return Ok(Compaction::default());
    };
    if packs.len() <= max_packs {
        return Ok(Compaction::default());
    }
    let chosen = choose(packs, max_packs);
    if chosen.is_empty() {
        return Ok(Compaction::default());
    }
    let _span = tracing::info_span!("compact_packs", packs = chosen.len()).entered();
    let mut ids = Vec::new();
    for p in &chosen {
        let index = pack::index::File::at(&p.idx, repo.object_hash())
            .ctx(|| format!("reading pack index {}", p.idx.display()))?;
        ids.extend(index.iter().map(|e| e.oid));
    }
    ids.sort();
    ids.dedup();
    let written = {
        let _writing = crate::lock::lock_shared(repo.git_dir(), OBJECTS_LOCK)
            .ctx(|| "taking the objects lock".to_string())?;
        write_pack_streaming(repo, &ids)?
    };
    for p in &chosen {
        let pack_path = p.idx.with_extension("pack");
        if written.as_deref() == Some(pack_path.as_path()) {
            // The merged pack has the same content as one of its inputs.
            continue;
        }
        // Index first: without it the pack is invisible to new readers;
        // readers that have it mapped keep reading the unlinked file.
        for ext in ["idx", "rev", "bitmap", "pack"] {
            let path = p.idx.with_extension(ext);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).ctx(|| format!("removing {}", path.display())),
            }
        }
    }
    Ok(Compaction {
        merged_packs: chosen.len(),
        objects: ids.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_writes_every_object_over_several_chunks_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let repo = gix::init_bare(dir.path()).expect("a bare repository");
        let n = COMPACT_CHUNK * 2 + 17;
        let mut ids: Vec<ObjectId> = (0..n)
            .map(|i| {
                repo.write_blob(format!("第{i}条 正文 {i}").as_bytes())
                    .expect("write a loose blob")
                    .detach()
            })
            .collect();
        ids.sort();
        let path = write_pack_streaming(&repo, &ids)
            .expect("written")
            .expect("a pack");
        let index = pack::index::File::at(path.with_extension("idx"), repo.object_hash())
            .expect("its index");
        assert_eq!(index.num_objects() as usize, n);
        let packed: Vec<ObjectId> = index.iter().map(|e| e.oid).collect();
        assert_eq!(packed, ids);
        // The pack holds the objects, not just their ids: read each back
        // from a repository whose loose copies are gone.
        let loose = dir.path().join("objects");
        for entry in std::fs::read_dir(&loose).expect("objects") {
            let p = entry.expect("entry").path();
            if p.file_name().is_some_and(|f| f.len() == 2) {
                std::fs::remove_dir_all(&p).expect("remove loose objects");
            }
        }
        let reopened = gix::open(dir.path()).expect("reopen");
        for (i, id) in ids.iter().enumerate().step_by(97) {
            let blob = reopened.find_object(*id).expect("packed object");
            assert!(String::from_utf8_lossy(&blob.data).contains("正文"), "{i}");
        }
        let left: Vec<String> = std::fs::read_dir(loose.join("pack"))
            .expect("pack dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    fn tree_bytes(entries: &[(&str, ObjectId)]) -> Vec<u8> {
        use gix::objs::WriteTo;
        let mut entries: Vec<gix::objs::tree::Entry> = entries
            .iter()
            .map(|(name, id)| gix::objs::tree::Entry {
                mode: gix::objs::tree::EntryKind::Blob.into(),
                filename: (*name).into(),
                oid: *id,
            })
            .collect();
        entries.sort();
        let mut out = Vec::new();
        gix::objs::Tree { entries }
            .write_to(&mut out)
            .expect("a tree");
        out
    }

    #[test]
    fn delta_chains_are_short_loop_free_and_written_after_their_bases() {
        let id = |i: u8| ObjectId::from([i; 20]);
        // One directory of 25 versions (and its record, never a delta);
        // a second tree lists versions in the other order, which would
        // make loops; a third names a blob that is not in the pack.
        let versions: Vec<(String, ObjectId)> = (1..=25u8)
            .map(|i| (format!("{:040x}.xml", i), id(i)))
            .collect();
        let mut dir: Vec<(&str, ObjectId)> =
            versions.iter().map(|(n, i)| (n.as_str(), *i)).collect();
        dir.push(("record.xml", id(100)));
        let reversed: Vec<(String, ObjectId)> = (1..=25u8)
            .map(|i| (format!("{:040x}.xml", 26 - i), id(i)))
            .collect();
        let other: Vec<(&str, ObjectId)> = reversed.iter().map(|(n, i)| (n.as_str(), *i)).collect();
        let in_pack = |o: &ObjectId| *o != id(7);
        let mut plan = DeltaPlan::new(gix::hash::Kind::Sha1);
        plan.tree(&tree_bytes(&dir), in_pack);
        plan.tree(&tree_bytes(&other), in_pack);
        let base = plan.finish();
        assert!(!base.contains_key(&id(100)), "records are not deltas");
        assert!(!base.contains_key(&id(7)) && !base.values().any(|b| *b == id(7)));
        assert!(base.len() >= 15, "{}", base.len());
        for start in base.keys() {
            let mut depth = 0;
            let mut at = start;
            while let Some(b) = base.get(at) {
                depth += 1;
                assert!(
                    depth <= MAX_DEPTH,
                    "a chain longer than {MAX_DEPTH} from {start}"
                );
                at = b;
            }
        }
        let ids: Vec<ObjectId> = (1..=25u8).map(id).chain([id(100)]).collect();
        let order = pack_order(&ids, &base);
        assert_eq!(order.len(), ids.len());
        let place: HashMap<ObjectId, usize> =
            order.iter().enumerate().map(|(i, o)| (*o, i)).collect();
        for (delta, b) in &base {
            assert!(
                place[b] < place[delta],
                "{b} is written after its delta {delta}"
            );
        }
    }

    fn packs(sizes: &[u32]) -> Vec<PackFiles> {
        sizes
            .iter()
            .enumerate()
            .map(|(i, s)| PackFiles {
                idx: PathBuf::from(format!("{i}.idx")),
                objects: *s,
            })
            .collect()
    }

    fn chosen(sizes: &[u32], max: usize) -> Vec<u32> {
        choose(packs(sizes), max)
            .iter()
            .map(|p| p.objects)
            .collect()
    }

    #[test]
    fn merges_small_packs_and_leaves_big_ones() {
        // Sixteen batches and one big clone pack: the batches merge.
        let mut sizes = vec![100; 16];
        sizes.push(1_000_000);
        assert_eq!(chosen(&sizes, 16).len(), 16);
        // A geometric series is left alone.
        assert_eq!(chosen(&[1, 2, 4, 8, 16, 32], 16), Vec::<u32>::new());
        assert_eq!(chosen(&[3, 2, 4, 8, 16, 32], 16), vec![2, 3, 4, 8, 16, 32]);
        assert_eq!(chosen(&[10, 100, 1000, 10_000], 16), Vec::<u32>::new());
        // Too many packs even so: merge enough to leave max/2.
        let many: Vec<u32> = (0..40).map(|i| 1u32 << (i % 20)).collect();
        assert!(40 - chosen(&many, 16).len() <= 8);
    }
}
