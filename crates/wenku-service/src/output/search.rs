//! `search`: the works found, with where in their text.

use serde::Serialize;
use wenku_search::{Query, Results};
use wenku_store::ObjectId;

/// A search's answer: how the query was read, how many versions and works
/// matched, the works of this page with snippets, facet counts, and the
/// query run instead when nothing matched as typed.
#[derive(Debug, Serialize)]
pub struct Search {
    query: String,
    read_as: Vec<String>,
    did_you_mean: Option<String>,
    versions: usize,
    works: usize,
    more: bool,
    offset: usize,
    hits: Vec<Hit>,
    facets: Vec<Facet>,
    /// The commit the index reflected.
    indexed: Option<String>,
}

#[derive(Debug, Serialize)]
struct Hit {
    work: String,
    revision: String,
    title: String,
    status: &'static str,
    score: f32,
    unit: Option<String>,
    snippet: String,
    highlights: Vec<[usize; 2]>,
}

#[derive(Debug, Serialize)]
struct Facet {
    name: &'static str,
    counts: Vec<Count>,
}

#[derive(Debug, Serialize)]
struct Count {
    value: String,
    works: usize,
}

impl Search {
    /// The answer to `query`.
    pub fn new(query: &Query, results: Results, indexed: Option<ObjectId>) -> Search {
        Search {
            query: query.text.clone(),
            read_as: results.read_as,
            did_you_mean: results.did_you_mean,
            versions: results.versions,
            works: results.works,
            more: results.more,
            offset: query.offset,
            hits: results
                .hits
                .into_iter()
                .map(|h| Hit {
                    work: h.work.to_string(),
                    revision: h.revision.to_string(),
                    title: h.title,
                    status: h.status.as_str(),
                    score: h.score,
                    unit: h.snippet.unit.clone(),
                    highlights: h
                        .snippet
                        .highlights
                        .iter()
                        .map(|r| [r.start, r.end])
                        .collect(),
                    snippet: h.snippet.text,
                })
                .collect(),
            facets: results
                .facets
                .into_iter()
                .map(|f| Facet {
                    name: f.name,
                    counts: f
                        .counts
                        .into_iter()
                        .map(|(value, works)| Count { value, works })
                        .collect(),
                })
                .collect(),
            indexed: indexed.map(|c| c.to_string()),
        }
    }

    /// The works found on this page — work id, title, status, unit and
    /// snippet — with `open` and `close` around the words of the snippet
    /// and every stretch of its text passed through `escape` (for HTML).
    pub fn lines(
        &self,
        open: &str,
        close: &str,
        escape: fn(&str) -> String,
    ) -> Vec<(String, String, String, Option<String>, String)> {
        self.hits
            .iter()
            .map(|h| {
                let mut marked = String::new();
                let mut at = 0;
                for [s, e] in &h.highlights {
                    marked.push_str(&escape(&h.snippet[at..*s]));
                    marked.push_str(open);
                    marked.push_str(&escape(&h.snippet[*s..*e]));
                    marked.push_str(close);
                    at = *e;
                }
                marked.push_str(&escape(&h.snippet[at..]));
                (
                    h.work.clone(),
                    h.title.clone(),
                    h.status.to_string(),
                    h.unit.clone(),
                    marked,
                )
            })
            .collect()
    }

    /// The work and revision of each hit on this page.
    pub fn hit_versions(&self) -> Vec<(String, String)> {
        self.hits
            .iter()
            .map(|h| (h.work.clone(), h.revision.clone()))
            .collect()
    }

    /// The offset of the first work of this page.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Versions that matched.
    pub fn versions(&self) -> usize {
        self.versions
    }

    /// Whether more versions matched than were grouped into works.
    pub fn more(&self) -> bool {
        self.more
    }

    /// The works on this page.
    pub fn shown(&self) -> usize {
        self.hits.len()
    }

    /// Works among the grouped versions.
    pub fn works(&self) -> usize {
        self.works
    }

    /// The query run instead, if any.
    pub fn did_you_mean(&self) -> Option<&str> {
        self.did_you_mean.as_deref()
    }

    /// How the query was read.
    pub fn read_as(&self) -> &[String] {
        &self.read_as
    }

    /// Facet names with (value, works) counts.
    pub fn facet_counts(&self) -> Vec<(&'static str, Vec<(String, usize)>)> {
        self.facets
            .iter()
            .map(|f| {
                (
                    f.name,
                    f.counts
                        .iter()
                        .map(|c| (c.value.clone(), c.works))
                        .collect(),
                )
            })
            .collect()
    }
}
