//! Atom feeds (RFC 4287) of what a library publishes:
//!
//! | feed | what |
//! |---|---|
//! | `/feeds/all.atom` | everything |
//! | `/feeds/regions/{region}.atom[?subregions=false]` | a region, with its sub-regions unless asked not to |
//! | `/feeds/types/{type}.atom` | a document type (`regulation`, `normative` …) |
//! | `/feeds/subjects/{subject}.atom` | a subject (tag) |
//! | `/feeds/gazettes/{region}.atom[?subregions=false]` | the gazette issues (政府公报) of a region, with its sub-regions' unless asked not to |
//! | `/feeds/works/{region}/{local}.atom` | one work: every version, its repeal or withdrawal |
//!
//! An entry is a new version of a work, a repeal, or a withdrawal. Its id
//! is derived from what it is about, never from the node serving it
//! (`urn:wenku:370283/pzbf-2024-9:<revision>`, `…:repealed:2025-01-01`), so
//! a county's document has the same entry id in the county's feed and in
//! the province's once it has been pulled up. Entries link to the text and
//! to the comparison with the previous version.
//!
//! The library-wide feeds list what the most recent operations on `main`
//! brought (their `updated` is when it landed here; `published` is the
//! version's publication date), newest first, at most [`ENTRIES`]; a work's
//! feed lists its whole history. Feeds answer conditional requests (the
//! entity tag follows the head) and are kept per head in memory, so a feed
//! reader polling an unchanged library costs a lookup.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use wenku_model::{Date, DocType, Record, Region, VersionEntry, WorkId};
use wenku_store::{ObjectId, Operation, Snapshot};

use crate::Shared;
use crate::api::{Freshness, Problem, Reply, answer, tag};

/// The most entries a feed holds.
pub const ENTRIES: usize = 100;
/// The most operations a library-wide feed looks back through.
const LOOK_BACK: usize = 2_000;
/// Feeds kept in memory (per path, for the head they were made at).
const CACHED: usize = 256;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/feeds/{*path}", get(feed))
}

/// What a feed selects.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Selection {
    All,
    Region { region: Region, subregions: bool },
    Type(DocType),
    Subject(String),
    Work(WorkId),
    Gazettes { region: Region, subregions: bool },
}

impl Selection {
    fn parse(path: &str, query: Option<&str>) -> Result<Selection, Problem> {
        let not_found = || {
            Problem::not_found(format!(
                "no feed /feeds/{path}; feeds are all.atom, regions/REGION.atom, types/TYPE.atom, subjects/SUBJECT.atom, gazettes/REGION.atom and works/REGION/LOCAL.atom"
            ))
        };
        let stem = path.strip_suffix(".atom").ok_or_else(not_found)?;
        let mut subregions = true;
        for (k, v) in query
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
        {
            match (k, v) {
                ("subregions", "true") => subregions = true,
                ("subregions", "false") => subregions = false,
                _ => {
                    return Err(Problem::bad_request(format!(
                        "a feed takes only subregions=true|false, not {k}={v}"
                    )));
                }
            }
        }
        let parts: Vec<&str> = stem.split('/').collect();
        Ok(match parts.as_slice() {
            ["all"] => Selection::All,
            ["regions", r] => Selection::Region {
                region: Region::parse(r)
                    .map_err(|e| Problem::bad_request(format!("region {r:?}: {e}")))?,
                subregions,
            },
            ["types", t] => Selection::Type(
                t.parse()
                    .map_err(|e| Problem::bad_request(format!("type {t:?}: {e}")))?,
            ),
            ["subjects", s] if !s.is_empty() => Selection::Subject(s.to_string()),
            ["gazettes", r] => Selection::Gazettes {
                region: Region::parse(r)
                    .map_err(|e| Problem::bad_request(format!("region {r:?}: {e}")))?,
                subregions,
            },
            ["works", region, local] => Selection::Work(crate::api::work_id(region, local)?),
            _ => return Err(not_found()),
        })
    }

    /// Whether `record` belongs in the feed.
    fn selects(&self, record: &Record) -> bool {
        match self {
            Selection::All => true,
            Selection::Region { region, subregions } => {
                let r = record.work.region();
                if *subregions {
                    region.contains(&r)
                } else {
                    r == *region
                }
            }
            Selection::Type(t) => record.doc_type == *t,
            Selection::Subject(s) => record.subjects.iter().any(|x| x == s),
            Selection::Work(w) => record.work == *w,
            Selection::Gazettes { region, subregions } => {
                record.doc_type == DocType::Gazette
                    && Selection::Region {
                        region: *region,
                        subregions: *subregions,
                    }
                    .selects(record)
            }
        }
    }

    fn title(&self, node: Region) -> String {
        match self {
            Selection::All => format!("wenku {node}: 全部文件"),
            Selection::Region { region, subregions } => format!(
                "wenku {node}: {region}{}",
                if *subregions { " 及所辖地区" } else { "" }
            ),
            Selection::Type(t) => format!("wenku {node}: {}", t.chinese()),
            Selection::Subject(s) => format!("wenku {node}: {s}"),
            Selection::Work(w) => format!("wenku {node}: {w}"),
            Selection::Gazettes { region, subregions } => format!(
                "wenku {node}: {region}{} 政府公报",
                if *subregions { " 及所辖地区" } else { "" }
            ),
        }
    }
}

/// A feed's bytes and the head they were made at.
type Made = (ObjectId, Bytes);

/// Feeds made, by path, with the head they were made at.
#[derive(Debug, Default)]
pub(crate) struct FeedCache {
    feeds: Mutex<HashMap<String, Made>>,
    /// Held while a feed is made, so that readers arriving meanwhile wait
    /// for it and take it from the cache instead of making it again.
    making: Mutex<()>,
}

impl FeedCache {
    fn get(&self, key: &str, head: ObjectId) -> Option<Bytes> {
        let feeds = self.feeds.lock().unwrap_or_else(|e| e.into_inner());
        feeds
            .get(key)
            .filter(|(h, _)| *h == head)
            .map(|(_, f)| f.clone())
    }

    fn put(&self, key: String, head: ObjectId, feed: Bytes) {
        let mut feeds = self.feeds.lock().unwrap_or_else(|e| e.into_inner());
        if feeds.len() >= CACHED {
            feeds.retain(|_, (h, _)| *h == head);
            if feeds.len() >= CACHED {
                feeds.clear();
            }
        }
        feeds.insert(key, (head, feed));
    }
}

async fn feed(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let selection = match Selection::parse(&path, query.as_deref()) {
        Ok(s) => s,
        Err(p) => return p.into_response(),
    };
    let key = format!("{path}?{}", query.unwrap_or_default());
    let early = format!("feed.{key}");
    answer(shared, headers, Some(early.clone()), move |shared| {
        let snapshot = shared.library.snapshot()?;
        let head = snapshot.commit();
        let body = match shared.feeds.get(&key, head) {
            Some(body) => body,
            None => {
                let _making = shared
                    .feeds
                    .making
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                match shared.feeds.get(&key, head) {
                    Some(body) => body,
                    None => {
                        let body = Bytes::from(build(shared, &snapshot, &selection, &path)?);
                        shared.feeds.put(key, head, body.clone());
                        body
                    }
                }
            }
        };
        Ok(Reply::new(
            "application/atom+xml; charset=utf-8",
            body,
            tag(head, &early),
            Freshness::Head,
        ))
    })
    .await
}

/// One entry of a feed.
#[derive(Debug)]
struct Entry {
    id: String,
    title: String,
    /// RFC 3339.
    updated: String,
    published: Option<Date>,
    work: WorkId,
    /// The version it is about (the last text, for a repeal or withdrawal).
    revision: Option<String>,
    /// The version before it, for the comparison link.
    previous: Option<String>,
    summary: String,
    categories: Vec<String>,
}

fn rfc3339_day(d: Date) -> String {
    format!("{d}T00:00:00+08:00")
}

fn rfc3339(seconds: i64) -> String {
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let t = seconds + 8 * 3600;
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+08:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn version_entry(record: &Record, v: &VersionEntry, updated: String) -> Entry {
    let position = record
        .versions
        .iter()
        .position(|x| x.revision == v.revision);
    let previous = position
        .and_then(|i| i.checked_sub(1))
        .map(|i| record.versions[i].revision.to_string());
    let first = position == Some(0);
    Entry {
        id: format!("urn:wenku:{}:{}", record.work, v.revision),
        title: if first {
            record.title.clone()
        } else {
            format!("{}（{}修订）", record.title, v.published)
        },
        updated,
        published: Some(v.published),
        work: record.work.clone(),
        revision: Some(v.revision.to_string()),
        previous,
        summary: format!(
            "{}{}，{}公布，{}施行。",
            if first { "发布" } else { "修订" },
            record
                .number
                .as_ref()
                .map(|n| format!("（{}）", n.as_str()))
                .unwrap_or_default(),
            v.published,
            v.effective_date()
        ),
        categories: categories(record),
    }
}

fn categories(record: &Record) -> Vec<String> {
    let mut c = vec![record.doc_type.as_str().to_string()];
    c.extend(record.subjects.iter().cloned());
    c
}

/// The repeal and withdrawal of `record`, if any.
fn lifecycle_entries(record: &Record, updated: impl Fn(Date) -> String) -> Vec<Entry> {
    let last = record.versions.last().map(|v| v.revision.to_string());
    let mut out = Vec::new();
    if let Some(r) = &record.repealed {
        out.push(Entry {
            id: format!("urn:wenku:{}:repealed:{}", record.work, r.date),
            title: format!("{}（{}废止）", record.title, r.date),
            updated: updated(r.date),
            published: Some(r.date),
            work: record.work.clone(),
            revision: last.clone(),
            previous: None,
            summary: format!("自{}起废止。", r.date),
            categories: categories(record),
        });
    }
    if let Some(w) = &record.withdrawn {
        out.push(Entry {
            id: format!("urn:wenku:{}:withdrawn:{}", record.work, w.date),
            title: format!("{}（{}撤回）", record.title, w.date),
            updated: updated(w.date),
            published: Some(w.date),
            work: record.work.clone(),
            revision: last,
            previous: None,
            summary: format!("{}撤回：{}", w.date, w.reason),
            categories: categories(record),
        });
    }
    out
}

/// Makes the feed's XML.
fn build(
    shared: &Shared,
    snapshot: &Snapshot,
    selection: &Selection,
    path: &str,
) -> Result<Vec<u8>, Problem> {
    let node = shared.library.authority().node();
    let mut entries: Vec<Entry> = Vec::new();
    if let Selection::Work(work) = selection {
        let record = snapshot
            .record(work)?
            .ok_or_else(|| Problem::not_found(format!("no work {work} in this library")))?;
        for v in &record.versions {
            entries.push(version_entry(&record, v, rfc3339_day(v.published)));
        }
        entries.extend(lifecycle_entries(&record, rfc3339_day));
        entries.sort_by(|a, b| b.updated.cmp(&a.updated));
    } else {
        // The operations along main, and what each brought.
        let ops: Vec<Operation> = shared.library.operations(None, LOOK_BACK + 1)?;
        let mut seen = BTreeSet::new();
        let mut records: HashMap<WorkId, Option<Record>> = HashMap::new();
        'ops: for pair in ops.windows(2) {
            let (op, parent) = (&pair[0], &pair[1]);
            if op.works.is_empty() {
                continue;
            }
            let changes =
                shared
                    .library
                    .changes(parent.commit, op.commit)
                    .map_err(|e| match e {
                        wenku_store::ChangesError::Read(e) => Problem::from(e),
                        other => Problem::new(
                            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                            "internal",
                            format!("reading the history: {other}"),
                        ),
                    })?;
            let updated = rfc3339(op.committer.time.seconds);
            for change in &changes.works {
                let record = records
                    .entry(change.work.clone())
                    .or_insert_with(|| snapshot.record(&change.work).ok().flatten());
                let Some(record) = record.as_ref() else {
                    continue;
                };
                if !selection.selects(record) {
                    continue;
                }
                let mut found = Vec::new();
                for rev in &change.added_versions {
                    if let Some(v) = record.version(rev) {
                        found.push(version_entry(record, v, updated.clone()));
                    }
                }
                if change.record_changed {
                    found.extend(lifecycle_entries(record, |_| updated.clone()));
                }
                for e in found {
                    if seen.insert(e.id.clone()) {
                        entries.push(e);
                        if entries.len() >= ENTRIES {
                            break 'ops;
                        }
                    }
                }
            }
        }
    }
    entries.truncate(ENTRIES);
    let updated = entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(|| "1970-01-01T08:00:00+08:00".to_string());
    let mut x = String::with_capacity(4096 + entries.len() * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    element(&mut x, "id", &format!("urn:wenku:feed:{node}:{path}"));
    element(&mut x, "title", &selection.title(node));
    element(&mut x, "updated", &updated);
    x.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"/feeds/{}\"/>\n",
        escape(path)
    ));
    x.push_str("<author><name>");
    x.push_str(&escape(&format!("wenku {node}")));
    x.push_str("</name></author>\n<generator>wenku</generator>\n");
    for e in &entries {
        x.push_str("<entry>\n");
        element(&mut x, "id", &e.id);
        element(&mut x, "title", &e.title);
        element(&mut x, "updated", &e.updated);
        if let Some(p) = e.published {
            element(&mut x, "published", &rfc3339_day(p));
        }
        if let Some(rev) = &e.revision {
            x.push_str(&format!(
                "<link rel=\"alternate\" type=\"text/plain\" href=\"/api/v1/works/{}/versions/{rev}?format=text\"/>\n",
                escape(&e.work.to_string())
            ));
            if let Some(prev) = &e.previous {
                x.push_str(&format!(
                    "<link rel=\"related\" type=\"text/html\" title=\"与上一版本对照\" href=\"/api/v1/works/{}/diff?from={prev}&amp;to={rev}&amp;format=html\"/>\n",
                    escape(&e.work.to_string())
                ));
            }
        }
        x.push_str(&format!(
            "<link rel=\"via\" type=\"application/json\" href=\"/api/v1/works/{}\"/>\n",
            escape(&e.work.to_string())
        ));
        for c in &e.categories {
            x.push_str(&format!("<category term=\"{}\"/>\n", escape(c)));
        }
        element(&mut x, "summary", &e.summary);
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    Ok(x.into_bytes())
}

fn element(x: &mut String, name: &str, text: &str) {
    x.push('<');
    x.push_str(name);
    x.push('>');
    x.push_str(&escape(text));
    x.push_str("</");
    x.push_str(name);
    x.push_str(">\n");
}

/// Escapes text for XML content and attribute values, dropping the
/// characters XML 1.0 cannot carry.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_china_standard_time() {
        assert_eq!(rfc3339(0), "1970-01-01T08:00:00+08:00");
        assert_eq!(rfc3339(1_735_660_800), "2025-01-01T00:00:00+08:00");
        assert_eq!(rfc3339(951_782_400 - 8 * 3600), "2000-02-29T00:00:00+08:00");
    }

    #[test]
    fn feed_paths() {
        assert_eq!(
            Selection::parse("all.atom", None).ok(),
            Some(Selection::All)
        );
        assert_eq!(
            Selection::parse("regions/370200.atom", Some("subregions=false")).ok(),
            Some(Selection::Region {
                region: Region::parse("370200").expect("region"),
                subregions: false
            })
        );
        assert!(Selection::parse("regions/../x.atom", None).is_err());
        assert!(Selection::parse("all", None).is_err());
        assert!(Selection::parse("all.atom", Some("x=1")).is_err());
        assert!(Selection::parse("works/370200/a/b.atom", None).is_err());
    }

    #[test]
    fn escaping_drops_what_xml_cannot_carry() {
        assert_eq!(escape("a<&>\"'\u{0}\u{1b}b"), "a&lt;&amp;&gt;&quot;&apos;b");
    }
}
