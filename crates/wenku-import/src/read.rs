//! Reading an input file with a bound on the bytes read, whatever the file
//! says its size is, and only if it is a regular file.

use std::fs::{File, FileType};
use std::io::Read;
use std::path::Path;

use crate::ImportError;

/// What a non-regular file is, for messages.
fn kind_of(file_type: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a dangling symbolic link"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading without blocking on it (a FIFO with no writer
/// would block in `open`).
#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
    )?;
    Ok(File::from(fd))
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// The bytes of the regular file at `path`, at most `max` of them.
pub(crate) fn bounded(path: &Path, name: &str, max: usize) -> Result<Vec<u8>, ImportError> {
    let io = |source| ImportError::Io {
        source_name: name.to_string(),
        source,
    };
    let not_a_file = |file_type: &FileType| ImportError::NotAFile {
        source_name: name.to_string(),
        kind: kind_of(file_type),
    };
    // Follows symbolic links: a link to a regular file is that file.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(not_a_file(&meta.file_type()));
    }
    let too_large = |size: u64| ImportError::TooLarge {
        source_name: name.to_string(),
        size: usize::try_from(size).unwrap_or(usize::MAX),
        max,
    };
    if meta.len() > max as u64 {
        return Err(too_large(meta.len()));
    }
    let file = open(path).map_err(io)?;
    // The path may have been replaced between the two looks.
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(not_a_file(&meta.file_type()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(max));
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() > max {
        return Err(ImportError::GrewTooLarge {
            source_name: name.to_string(),
            reported: meta.len(),
            max,
        });
    }
    Ok(bytes)
}
