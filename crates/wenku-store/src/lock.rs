//! The writer lock: serialises the moment `main` moves, across threads and
//! processes, and makes a ref lock left by a killed writer recoverable.
//!
//! git's own locking (`refs/heads/main.lock`, created exclusively, renamed
//! into place) keeps updates atomic, but a writer killed while holding it
//! leaves the file behind and every later writer fails until someone
//! removes it by hand. wenku writers therefore also hold an advisory
//! `flock` on `<git-dir>/wenku/write.lock` while they update `main`, and
//! write `swap` into that file for as long as they may hold `main.lock`
//! (emptying it when done). The kernel drops a `flock` when its process
//! dies, so a writer that holds it and finds both `swap` and a `main.lock`
//! knows that the ref lock belongs to a wenku writer that died, and removes
//! it. A `main.lock` found while `write.lock` is empty belongs to someone
//! else (`git pack-refs` during a `git gc`, say) and is left alone: the
//! update then fails like any git lock conflict.
//!
//! The lock is held only around the compare-and-swap, never while objects
//! are written, so writers still race and the loser of a compare-and-swap
//! still sees a conflict.
//!
//! Not on Unix, there is no `flock`: the lock is a no-op and a stale
//! `main.lock` has to be removed by hand, as with git.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
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

/// What `write.lock` holds while a writer may own `main.lock`.
const SWAPPING: &[u8] = b"swap\n";

/// Held while `main` is updated; released on drop.
#[derive(Debug)]
pub(crate) struct WriterLock {
    file: File,
}

impl WriterLock {
    /// Blocks until the lock is ours, then removes a ref lock of
    /// `refs/heads/main` that a dead wenku writer left behind, and marks the
    /// swap as under way.
    pub(crate) fn acquire(git_dir: &Path) -> Result<WriterLock, LockError> {
        let path = git_dir.join("wenku").join("write.lock");
        let fail = |source| LockError {
            path: path.clone(),
            source,
        };
        let mut file = open_lock_file(git_dir, "write.lock").map_err(fail)?;
        #[cfg(unix)]
        {
            rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
                .map_err(|e| fail(std::io::Error::from(e)))?;
            let mut state = Vec::new();
            file.read_to_end(&mut state).map_err(fail)?;
            let stale = git_dir.join("refs").join("heads").join("main.lock");
            if state == SWAPPING {
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
        }
        file.set_len(0).map_err(fail)?;
        file.rewind().map_err(fail)?;
        file.write_all(SWAPPING).map_err(fail)?;
        Ok(WriterLock { file })
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        // The swap is over (main.lock was renamed into place or removed by
        // gix); the flock goes with the file handle.
        if let Err(e) = self.file.set_len(0) {
            tracing::warn!(error = %e, "could not clear the writer lock's state");
        }
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

/// Takes `<git-dir>/wenku/<name>` exclusively, waiting for the holder.
/// Released on drop (or when the process dies).
pub(crate) fn lock_exclusive(git_dir: &Path, name: &str) -> std::io::Result<File> {
    let file = open_lock_file(git_dir, name)?;
    #[cfg(unix)]
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)?;
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
