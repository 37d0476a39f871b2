//! Searching a library: its search index brought to the head, the query
//! answered, the answer as the command line prints it with `--json` and
//! the daemon serves it (`output::Search`).

use wenku_search::{Query, Refresh, SearchIndex};
use wenku_store::Library;

use crate::output;
use crate::{Error, Kind, Result};

impl From<wenku_search::Error> for Error {
    fn from(e: wenku_search::Error) -> Error {
        match e {
            wenku_search::Error::Read(r) => r.into(),
            wenku_search::Error::Query(m) => Error::usage(m),
            other => Error::new(Kind::Internal, other.to_string())
                .with_hint("the search index is derived: `wenku search --rebuild` makes it again")
                .with_source(other),
        }
    }
}

/// Opens `library`'s search index and brings it to the head; `progress`
/// hears of the versions indexed during a rebuild.
pub fn ready(library: &Library, progress: &mut dyn FnMut(usize)) -> Result<(SearchIndex, Refresh)> {
    let mut index = SearchIndex::open(library)?;
    let refresh = index.refresh(library, progress)?;
    Ok((index, refresh))
}

/// Answers `query` with `index` (brought to the head by [`ready`] or
/// [`SearchIndex::refresh`]).
pub fn search(library: &Library, index: &SearchIndex, query: &Query) -> Result<output::Search> {
    let snapshot = match index.indexed() {
        Some(commit) => library.snapshot_at(commit)?,
        None => library.snapshot()?,
    };
    let results = wenku_search::search(index, &snapshot, query)?;
    Ok(output::Search::new(query, results, index.indexed()))
}
