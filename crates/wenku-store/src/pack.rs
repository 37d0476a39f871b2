//! Writing a batch's objects as one pack.
//!
//! gix writes loose objects one temporary file and rename at a time, which
//! is slow for thousands of objects. A batch transaction keeps its new
//! objects in memory (`Repository::with_object_memory`) and writes them here
//! as a single pack with its index. Pack and index are each written to a
//! temporary file and renamed into place, so a killed writer leaves at most
//! an unreachable pack or a temporary file, never a damaged one.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use gix::odb::pack::{self, data::output};

use crate::git::{Context, GitError};

/// Writes every object in `storage` into one new pack in the repository's
/// `objects/pack`, readable by everyone (0444, like git's) so that another
/// user's `git http-backend` can serve it. Returns the pack's path, or
/// `None` when there was nothing to write.
pub(crate) fn write_pack(
    repo: &gix::Repository,
    storage: &gix::odb::memory::Storage,
) -> Result<Option<PathBuf>, GitError> {
    if storage.is_empty() {
        return Ok(None);
    }
    let hash = repo.object_hash();
    let mut ids: Vec<_> = storage.keys().copied().collect();
    // A stable order makes the same batch produce the same pack.
    ids.sort();
    let mut entries = Vec::with_capacity(ids.len());
    for id in &ids {
        let (kind, data) = &storage[id];
        let entry = output::Entry::from_data(
            &output::Count::from_data(*id, None),
            &gix::objs::Data::new(data, *kind, hash),
            gix::zlib::Compression::BEST_SPEED,
        )
        .ctx(|| format!("compressing object {id} for a pack"))?;
        entries.push(entry);
    }
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
    let pack_dir = repo.objects.store_ref().path().join("pack");
    let outcome = pack::Bundle::write_to_directory(
        &mut &bytes[..],
        Some(&pack_dir),
        &mut gix::progress::Discard,
        &AtomicBool::new(false),
        None::<gix::objs::find::Never>,
        hash,
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
        // points into it. A kept pack is never repacked, so it goes now; a
        // concurrent `git gc` loosens unreachable packed objects and prunes
        // only those older than gc.pruneExpire (two weeks), far longer than
        // the moment until main moves.
        std::fs::remove_file(keep).ctx(|| format!("removing {}", keep.display()))?;
    }
    Ok(outcome.data_path)
}

fn make_read_only(path: &std::path::Path) -> Result<(), GitError> {
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
