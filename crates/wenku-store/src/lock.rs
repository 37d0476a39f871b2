//! The writer lock: serialises the moment `main` moves, across threads and
//! processes, and makes a ref lock left by a killed writer recoverable.
//!
//! git's own locking (`refs/heads/main.lock`, created exclusively, renamed
//! into place) keeps updates atomic, but a writer killed while holding it
//! leaves the file behind and every later writer fails until someone
//! removes it by hand. wenku writers therefore also hold an advisory
//! `flock` on `<git-dir>/wenku/write.lock` while they update `main`. The
//! kernel drops a `flock` when its process dies, so a writer that holds it
//! and still finds `main.lock` knows the file's owner is dead (only wenku
//! moves `main`) and removes it. The lock is held only around the
//! compare-and-swap, never while objects are written, so writers still
//! race and the loser of a compare-and-swap still sees a conflict.
//!
//! Not on Unix, there is no `flock`: the lock is a no-op and a stale
//! `main.lock` has to be removed by hand, as with git.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Why the writer lock could not be taken.
#[derive(Debug, thiserror::Error)]
#[error("taking the writer lock {path}: {source}")]
pub struct LockError {
    /// The lock file.
    pub path: PathBuf,
    /// What failed.
    #[source]
    pub source: std::io::Error,
}

/// Held while `main` is updated; released on drop.
#[derive(Debug)]
pub(crate) struct WriterLock {
    _file: File,
}

impl WriterLock {
    /// Blocks until the lock is ours, then removes a stale ref lock of
    /// `refs/heads/main` if one was left behind.
    pub(crate) fn acquire(git_dir: &Path) -> Result<WriterLock, LockError> {
        let dir = git_dir.join("wenku");
        let path = dir.join("write.lock");
        let fail = |source| LockError {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(fail)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(fail)?;
        #[cfg(unix)]
        {
            rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
                .map_err(|e| fail(std::io::Error::from(e)))?;
            let stale = git_dir.join("refs").join("heads").join("main.lock");
            match std::fs::remove_file(&stale) {
                Ok(()) => tracing::warn!(
                    path = %stale.display(),
                    "removed a ref lock left behind by a writer that died"
                ),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(LockError {
                        path: stale,
                        source: e,
                    });
                }
            }
        }
        Ok(WriterLock { _file: file })
    }
}

/// Takes `<git-dir>/wenku/<name>` shared, waiting for an exclusive holder.
/// Writers hold `objects.lock` shared while they write objects, so that a
/// cleaner holding it exclusively knows that temporary files it finds were
/// left by writers that died.
pub(crate) fn lock_shared(git_dir: &Path, name: &str) -> std::io::Result<File> {
    let file = open_lock_file(git_dir, name)?;
    #[cfg(unix)]
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockShared)?;
    Ok(file)
}

fn open_lock_file(git_dir: &Path, name: &str) -> std::io::Result<File> {
    let dir = git_dir.join("wenku");
    std::fs::create_dir_all(&dir)?;
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(dir.join(name))
}

/// Takes `<git-dir>/wenku/<name>` exclusively without waiting; `None` if
/// another process holds it. Released on drop (or when the process dies).
pub(crate) fn try_lock(git_dir: &Path, name: &str) -> std::io::Result<Option<File>> {
    let file = open_lock_file(git_dir, name)?;
    #[cfg(unix)]
    {
        use rustix::fs::FlockOperation;
        match rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Some(file))
}
