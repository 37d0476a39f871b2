//! Full-text search over a wenku library.
//!
//! A search index ([`SearchIndex`]) lives beside the library's rkyv index
//! in `<git-dir>/wenku/search/`: derived from the library, brought to the
//! head from the typed changes between two commits, rebuilt when it is
//! damaged or its history no longer holds, and never needed for any
//! answer but a search. [`search`] answers a [`Query`]: Chinese words and
//! quoted phrases (cut by jieba, [`tokenize`]), document numbers in any
//! brackets, pinyin (`laowupaiqian`, `lwpq`) against titles, with filters
//! by region (and everything under it), type, year and subject, and "in
//! force on D". Hits are works, ranked with title hits and the texts in
//! force today first; each names the article its text was found in, with
//! the words highlighted ([`Hit::snippet`]). A word that finds nothing is
//! looked up by its reading and by near forms among the titles, and the
//! answer says what was probably meant ([`Results::did_you_mean`]).

#![warn(missing_docs)]

mod collect;
mod index;
mod query;
mod snippet;
pub mod tokenize;

pub use index::{FORMAT, Refresh, SearchIndex};
pub use query::{Facet, GROUP, Hit, Query, Results, search};
pub use snippet::Snippet;

use std::path::{Path, PathBuf};

/// Why a search or an index update failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The library could not be read.
    #[error(transparent)]
    Read(#[from] wenku_store::ReadError),
    /// The search index could not be read or written.
    #[error("the search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A file beside the index.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The query cannot be answered as asked.
    #[error("{0}")]
    Query(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl From<tantivy::directory::error::OpenReadError> for Error {
    fn from(e: tantivy::directory::error::OpenReadError) -> Error {
        Error::Index(e.into())
    }
}

/// The cores a search or an index writer spreads over, at most `max`.
pub(crate) fn cores(max: usize) -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(max))
}

/// A search result or an error.
pub type Result<T> = std::result::Result<T, Error>;
