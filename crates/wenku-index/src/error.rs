//! Errors, by operation: opening, querying (a corrupt block), writing.
//!
//! The index is a cache: every error here means "answer from the tree and
//! rebuild", never "give up". The store turns them into warnings.

use std::path::PathBuf;

/// Why an index could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// There is no index file (a new library, or it was deleted).
    #[error("no index at {path}")]
    Missing {
        /// The file looked for.
        path: PathBuf,
    },
    /// An index of another format version or archive layout.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// Which version or layout it has.
        reason: String,
    },
    /// The file is damaged (checksum, length or structure).
    #[error(transparent)]
    Corrupt(#[from] Corrupt),
    /// Reading failed.
    #[error("reading the index {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// A damaged index file: a checksum that does not match, a length that
/// is not the one recorded, a block that does not validate. Found before
/// any of the damaged bytes is used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the index file {path} is corrupt: {what}")]
pub struct Corrupt {
    /// The file.
    pub path: PathBuf,
    /// What did not check out.
    pub what: String,
}

/// Why an index could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A file could not be written, synced or renamed.
    #[error("writing the index {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// rkyv could not archive a block.
    #[error("archiving the index: {0}")]
    Archive(String),
    /// The index being updated turned out to be damaged: rebuild it.
    #[error(transparent)]
    Corrupt(#[from] Corrupt),
    /// The file just written did not open.
    #[error("reopening the index just written: {0}")]
    Reopen(#[source] Box<OpenError>),
}
