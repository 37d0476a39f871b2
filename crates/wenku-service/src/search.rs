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
/// [`SearchIndex::refresh`]). An index that fails while answering
/// (damaged segment files that opened) is rebuilt and asked again, once.
pub fn search(library: &Library, index: &mut SearchIndex, query: &Query) -> Result<output::Search> {
    match answer(library, index, query) {
        Err(wenku_search::Error::Index(e)) => {
            tracing::warn!(error = %e, "the search index failed while answering; rebuilding it");
            index.rebuild_now(library, &mut |_| {})?;
            Ok(answer(library, index, query)?)
        }
        other => Ok(other?),
    }
}

fn answer(
    library: &Library,
    index: &SearchIndex,
    query: &Query,
) -> std::result::Result<output::Search, wenku_search::Error> {
    let snapshot = match index.indexed() {
        Some(commit) => library.snapshot_at(commit)?,
        None => library.snapshot()?,
    };
    let results = wenku_search::search(index, &snapshot, query)?;
    Ok(output::Search::new(query, results, index.indexed()))
}
