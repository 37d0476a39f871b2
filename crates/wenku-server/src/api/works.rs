//! The API's handlers: the library, its works, their texts and
//! comparisons, citations, and what changed.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use wenku_diff::{Options, Side};
use wenku_model::query::Filter;
use wenku_model::{
    Citation, Date, DocNumber, DocType, Record, Region, Status, VersionEntry, WorkId,
};
use wenku_service::{output, resolve};
use wenku_store::{ObjectId, Snapshot};

use super::{
    Answer, DEFAULT_PAGE, Freshness, MAX_PAGE, Problem, Reply, answer, answer_kept, date, tag,
    today, work_id,
};
use crate::Shared;

/// Takes a query, or says what is wrong with it.
fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, Problem> {
    q.map(|Query(q)| q)
        .map_err(|e| Problem::bad_request(e.body_text()))
}

fn date_param(value: Option<&str>, what: &str) -> Result<Date, Problem> {
    match value {
        Some(v) => date(v, what),
        None => today(),
    }
}

/// The library at its head.
pub(crate) fn snapshot(shared: &Shared) -> Result<Snapshot, Problem> {
    Ok(shared.library.snapshot()?)
}

fn record(snapshot: &Snapshot, work: &WorkId) -> Result<Record, Problem> {
    snapshot
        .record(work)?
        .ok_or_else(|| Problem::not_found(format!("no work {work} in this library")))
}

/// `GET /api/v1/library`.
#[derive(Debug, Serialize)]
struct LibraryInfo {
    node: String,
    hosted: Vec<String>,
    head: String,
    works: usize,
    indexed: bool,
}

pub(super) async fn library(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    answer(shared, headers, Some("library".into()), |shared| {
        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        let info = LibraryInfo {
            node: shared.library.authority().node().to_string(),
            hosted: shared
                .library
                .authority()
                .hosted()
                .iter()
                .map(|r| r.to_string())
                .collect(),
            head: head.to_string(),
            works: snapshot.works(&Filter::all())?.len(),
            indexed: shared.library.indexed_commit() == Some(head),
        };
        Ok(Reply::json(&info, tag(head, "library"), Freshness::Head))
    })
    .await
}

/// `GET /api/v1/peers`: the daemon's view of each peer (as `/status`).
pub(super) async fn peers(State(shared): State<Arc<Shared>>) -> Response {
    let peers = shared.state.peers();
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(peers)).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    region: Option<String>,
    subregions: Option<String>,
    #[serde(rename = "type")]
    doc_type: Option<String>,
    status: Option<String>,
    at: Option<String>,
    subject: Option<String>,
    issuer: Option<String>,
    year: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// `GET /api/v1/works`: one page.
#[derive(Debug, Serialize)]
struct Page<'a> {
    works: Vec<output::Ls<'a>>,
    total: usize,
    next: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sort {
    Id,
    Date,
    Number,
}

pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let q = match query(q) {
        Ok(q) => q,
        Err(p) => return p.into_response(),
    };
    let today = match today() {
        Ok(d) => d,
        Err(p) => return p.into_response(),
    };
    let early = format!("works.{today}.{q:?}");
    answer(shared, headers, Some(early.clone()), move |shared| {
        let date = date_param(q.at.as_deref(), "at")?;
        let mut filter = Filter::all();
        let region = match &q.region {
            Some(r) => Some(
                Region::parse(r).map_err(|e| Problem::bad_request(format!("region {r:?}: {e}")))?,
            ),
            None => None,
        };
        let subregions = match q.subregions.as_deref() {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(Problem::bad_request(format!(
                    "subregions is true or false, not {other:?}"
                )));
            }
        };
        if let Some(r) = region {
            filter = filter.region(r);
        }
        if let Some(t) = &q.doc_type {
            let t: DocType = t
                .parse()
                .map_err(|e| Problem::bad_request(format!("type: {e}")))?;
            filter = filter.doc_type(t);
        }
        if let Some(s) = &q.status {
            let s: Status = s
                .parse()
                .map_err(|e| Problem::bad_request(format!("status: {e}")))?;
            filter = filter.status_on(s, date);
        }
        if let Some(s) = &q.subject {
            filter = filter.subject(s.clone());
        }
        let year = match &q.year {
            Some(y) => Some(
                y.parse::<u32>()
                    .ok()
                    .filter(|y| (1000..=9999).contains(y))
                    .ok_or_else(|| {
                        Problem::bad_request(format!("year is a year such as 2024, not {y:?}"))
                    })?,
            ),
            None => None,
        };
        let sort = match q.sort.as_deref() {
            None | Some("id") => Sort::Id,
            Some("date") => Sort::Date,
            Some("number") => Sort::Number,
            Some(other) => {
                return Err(Problem::bad_request(format!(
                    "sort is id, date or number, not {other:?}"
                )));
            }
        };
        let descending = match q.order.as_deref() {
            None => sort == Sort::Date,
            Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(Problem::bad_request(format!(
                    "order is asc or desc, not {other:?}"
                )));
            }
        };
        let limit = match &q.limit {
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|l| (1..=MAX_PAGE).contains(l))
                .ok_or_else(|| {
                    Problem::bad_request(format!(
                        "limit is a number from 1 to {MAX_PAGE}, not {l:?}"
                    ))
                })?,
            None => DEFAULT_PAGE,
        };

        let snapshot = snapshot(shared)?;
        let mut works = snapshot.works(&filter)?;
        if !subregions && let Some(r) = region {
            works.retain(|w| w.region() == r);
        }
        // Keys to sort and page by: (key, work id).
        let needs_record = q.issuer.is_some() || sort == Sort::Number;
        let mut keyed: Vec<(String, WorkId)> = Vec::with_capacity(works.len());
        for w in works {
            let versions = snapshot.versions(&w)?;
            if let Some(y) = year
                && versions.first().map(|v| v.published.year()) != Some(y)
            {
                continue;
            }
            let key = match sort {
                Sort::Id => String::new(),
                Sort::Date => versions
                    .last()
                    .map(|v| v.published.to_string())
                    .unwrap_or_default(),
                Sort::Number => String::new(),
            };
            if needs_record {
                let r = record(&snapshot, &w)?;
                if let Some(issuer) = &q.issuer
                    && !r.issuers.iter().any(|i| i.contains(issuer.as_str()))
                {
                    continue;
                }
                if sort == Sort::Number {
                    let key = r
                        .number
                        .as_ref()
                        .map(|n| n.as_str().to_string())
                        .unwrap_or_default();
                    keyed.push((key, w));
                    continue;
                }
            }
            keyed.push((key, w));
        }
        keyed.sort();
        if descending {
            keyed.reverse();
        }
        let total = keyed.len();
        let start = match &q.cursor {
            None => 0,
            Some(c) => {
                let (key, work) = c
                    .rsplit_once('~')
                    .and_then(|(k, w)| WorkId::parse(w).ok().map(|w| (k.to_string(), w)))
                    .ok_or_else(|| {
                        Problem::bad_request(format!(
                            "cursor {c:?} is not one this API gave (pass `next` as it came)"
                        ))
                    })?;
                let after = (key, work);
                keyed.partition_point(|k| if descending { *k >= after } else { *k <= after })
            }
        };
        let page: Vec<&(String, WorkId)> = keyed.iter().skip(start).take(limit).collect();
        let next = (start + page.len() < total)
            .then(|| page.last().map(|(k, w)| format!("{k}~{w}")))
            .flatten();
        let records = page
            .iter()
            .map(|(_, w)| record(&snapshot, w))
            .collect::<Result<Vec<_>, _>>()?;
        let body = Page {
            works: records.iter().map(|r| output::Ls::new(r, date)).collect(),
            total,
            next,
        };
        Ok(Reply::json(
            &body,
            tag(snapshot.commit(), &early),
            Freshness::Head,
        ))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AtQuery {
    at: Option<String>,
}

pub(super) async fn work(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local)): Path<(String, String)>,
    q: Result<Query<AtQuery>, QueryRejection>,
) -> Response {
    let q = match query(q) {
        Ok(q) => q,
        Err(p) => return p.into_response(),
    };
    let today = match today() {
        Ok(d) => d,
        Err(p) => return p.into_response(),
    };
    let key = format!("work.{region}/{local}.{:?}.{today}", q.at);
    answer_kept(shared, headers, key, move |shared| {
        let work = work_id(&region, &local)?;
        let date = date_param(q.at.as_deref(), "at")?;
        let snapshot = snapshot(shared)?;
        let record = record(&snapshot, &work)?;
        let resolved = record
            .relations
            .iter()
            .map(|r| resolve::target(&snapshot, &r.target))
            .collect::<Result<Vec<_>, _>>()?;
        let incoming = snapshot.referrers(&work)?;
        let body = output::Work::new(&record, date, &resolved, &incoming);
        Ok(Reply::json(
            &body,
            tag(snapshot.commit(), &format!("work.{date}")),
            Freshness::Head,
        ))
    })
    .await
}

/// The forms a text is served in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextFormat {
    Json,
    Xml,
    Text,
}

impl TextFormat {
    /// From `format=`, else from `Accept`, else JSON.
    fn choose(param: Option<&str>, headers: &HeaderMap) -> Result<TextFormat, Problem> {
        if let Some(p) = param {
            return match p {
                "json" => Ok(TextFormat::Json),
                "xml" => Ok(TextFormat::Xml),
                "text" => Ok(TextFormat::Text),
                other => Err(Problem::bad_request(format!(
                    "format is json, xml or text, not {other:?}"
                ))),
            };
        }
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        for part in accept.split(',') {
            let media = part.split(';').next().unwrap_or("").trim();
            match media {
                "application/json" => return Ok(TextFormat::Json),
                "application/xml" | "text/xml" => return Ok(TextFormat::Xml),
                "text/plain" => return Ok(TextFormat::Text),
                _ => {}
            }
        }
        Ok(TextFormat::Json)
    }

    fn name(self) -> &'static str {
        match self {
            TextFormat::Json => "json",
            TextFormat::Xml => "xml",
            TextFormat::Text => "text",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TextQuery {
    at: Option<String>,
    format: Option<String>,
}

/// The text of `entry` in `format`; `status` on `date` for the JSON form.
fn text_reply(
    snapshot: &Snapshot,
    work: &WorkId,
    entry: &VersionEntry,
    status: Status,
    date: Date,
    format: TextFormat,
    (etag, freshness): (String, Freshness),
) -> Answer {
    Ok(match format {
        TextFormat::Xml => Reply::new(
            "application/xml",
            snapshot.version_bytes(work, &entry.revision)?,
            etag,
            freshness,
        ),
        TextFormat::Text => {
            let doc = snapshot.document(work, &entry.revision)?;
            Reply::new(
                "text/plain; charset=utf-8",
                wenku_model::render::to_plain_text(&doc).into_bytes(),
                etag,
                freshness,
            )
        }
        TextFormat::Json => {
            let doc = snapshot.document(work, &entry.revision)?;
            Reply::json(
                &output::Show::new(work, entry, status, date, &doc),
                etag,
                freshness,
            )
        }
    })
}

pub(super) async fn text(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local)): Path<(String, String)>,
    q: Result<Query<TextQuery>, QueryRejection>,
) -> Response {
    let q = match query(q) {
        Ok(q) => q,
        Err(p) => return p.into_response(),
    };
    let format = match TextFormat::choose(q.format.as_deref(), &headers) {
        Ok(f) => f,
        Err(p) => return p.into_response(),
    };
    let today = match today() {
        Ok(d) => d,
        Err(p) => return p.into_response(),
    };
    let key = format!("text.{region}/{local}.{:?}.{today}.{}", q.at, format.name());
    answer_kept(shared, headers, key, move |shared| {
        let work = work_id(&region, &local)?;
        let date = date_param(q.at.as_deref(), "at")?;
        let snapshot = snapshot(shared)?;
        let record = record(&snapshot, &work)?;
        let (entry, status) = resolve::as_of(&record, date)?;
        Problem::unless_served(&work, entry, today)?;
        let etag = tag(snapshot.commit(), &format!("text.{date}.{}", format.name()));
        text_reply(
            &snapshot,
            &work,
            entry,
            status,
            date,
            format,
            (etag, Freshness::Head),
        )
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FormatQuery {
    format: Option<String>,
}

pub(super) async fn version(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local, revision)): Path<(String, String, String)>,
    q: Result<Query<FormatQuery>, QueryRejection>,
) -> Response {
    let q = match query(q) {
        Ok(q) => q,
        Err(p) => return p.into_response(),
    };
    let format = match TextFormat::choose(q.format.as_deref(), &headers) {
        Ok(f) => f,
        Err(p) => return p.into_response(),
    };
    let full = revision.len() == 64;
    answer(shared, headers, None, move |shared| {
        let work = work_id(&region, &local)?;
        let snapshot = snapshot(shared)?;
        let record = record(&snapshot, &work)?;
        let entry = resolve::revision(&record, &revision)?.clone();
        if !full {
            // A prefix may become ambiguous: send the client to the URL
            // that names the version for good.
            let query = q.format.map(|f| format!("?format={f}")).unwrap_or_default();
            return Ok(Reply::redirect(format!(
                "/api/v1/works/{work}/versions/{}{query}",
                entry.revision
            )));
        }
        let date = today()?;
        Problem::unless_served(&work, &entry, date)?;
        let status = record
            .version_status(&entry.revision, date)
            .unwrap_or(Status::Superseded);
        // The JSON form carries the version's status today; the bytes of
        // the text never change.
        let (etag, freshness) = match format {
            TextFormat::Json => (
                tag(
                    snapshot.commit(),
                    &format!("version.{}.{date}.json", entry.revision),
                ),
                Freshness::Head,
            ),
            other => (
                format!("{}.{}", entry.revision, other.name()),
                Freshness::Version,
            ),
        };
        text_reply(
            &snapshot,
            &work,
            &entry,
            status,
            date,
            format,
            (etag, freshness),
        )
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

pub(super) async fn diff(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local)): Path<(String, String)>,
    q: Result<Query<DiffQuery>, QueryRejection>,
) -> Response {
    let q = match query(q) {
        Ok(q) => q,
        Err(p) => return p.into_response(),
    };
    answer(shared, headers, None, move |shared| {
        let format = q.format.as_deref().unwrap_or("json");
        let content_type = match format {
            "json" => "application/json",
            "html" | "table-html" => "text/html; charset=utf-8",
            "table-md" => "text/markdown; charset=utf-8",
            "csv" | "table-csv" => "text/csv; charset=utf-8",
            other => {
                return Err(Problem::bad_request(format!(
                    "format is json, html, table-html, table-md or csv, not {other:?}"
                )));
            }
        };
        let work = work_id(&region, &local)?;
        let snapshot = snapshot(shared)?;
        let record = record(&snapshot, &work)?;
        let today = today()?;
        let to = match &q.to {
            Some(s) => resolve::VersionName::parse(s, "to")
                .map_err(|e| Problem::bad_request(e.message()))?
                .select(&record, today, "to")?,
            None => resolve::Selected::new(
                &record,
                resolve::current(&record, today)?,
                resolve::SelectedBy::Current,
            ),
        };
        let from = match &q.from {
            Some(s) => resolve::VersionName::parse(s, "from")
                .map_err(|e| Problem::bad_request(e.message()))?
                .select(&record, today, "from")?,
            None => resolve::Selected::new(
                &record,
                resolve::previous(&record, to.version)?,
                resolve::SelectedBy::Previous,
            ),
        };
        let (f, t) = (from.version, to.version);
        if f.revision == t.revision {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "refused",
                format!(
                    "from and to are the same version {} ({})",
                    from.handle,
                    f.revision.short()
                ),
            ));
        }
        if f.effective_date() > t.effective_date() {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "refused",
                format!(
                    "from ({}, effective {}) is later than to ({}, effective {}); swap them",
                    from.handle,
                    f.effective_date(),
                    to.handle,
                    t.effective_date()
                ),
            ));
        }
        // Two versions' comparison depends only on their texts, the format,
        // the title it is named by and how each side was asked for: made
        // once, kept for the next asker.
        let key = format!(
            "{}.{}.{format}.{}.{:?}.{:?}",
            f.revision, t.revision, record.title, q.from, q.to
        );
        Problem::unless_served(&work, f, today)?;
        Problem::unless_served(&work, t, today)?;
        let body = match shared.diffs.get(&key) {
            Some(body) => body,
            None => {
                let old = snapshot.document(&work, &f.revision)?;
                let new = snapshot.document(&work, &t.revision)?;
                let comparison = wenku_diff::compare(&old, &new, &Options::default());
                let side = |s: &resolve::Selected, asked: &Option<String>| {
                    let v = s.version;
                    Side {
                        revision: Some(v.revision),
                        published: Some(v.published),
                        label: (!record.title.is_empty()).then(|| record.title.clone()),
                        handle: Some(s.handle.clone()),
                        effective: Some(v.effective_date()),
                        selected: Some(wenku_diff::Selection {
                            by: s.by.as_str().to_string(),
                            asked: asked.clone(),
                            note: s.note.clone(),
                        }),
                    }
                };
                let (a, b) = (side(&from, &q.from), side(&to, &q.to));
                let body = match format {
                    "json" => wenku_diff::render::json::to_json(&comparison, &a, &b, false),
                    "html" => wenku_diff::render::html::to_html(&comparison, &a, &b),
                    "table-html" => wenku_diff::render::table::to_table_html(&comparison, &a, &b),
                    "table-md" => wenku_diff::render::table::to_table_markdown(&comparison, &a, &b),
                    _ => wenku_diff::render::table::to_table_csv(&comparison),
                };
                let body = axum::body::Bytes::from(body.into_bytes());
                shared.diffs.put(key, body.clone());
                body
            }
        };
        // Which two versions a date or `current` names, and the title,
        // depend on the head and the date.
        let etag = tag(
            snapshot.commit(),
            &format!("diff.{}.{}.{format}.{today}", f.revision, t.revision),
        );
        Ok(Reply::new(content_type, body, etag, Freshness::Head))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FindQuery {
    number: Option<String>,
    title: Option<String>,
    at: Option<String>,
}

pub(super) async fn find(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<FindQuery>, QueryRejection>,
) -> Response {
    let q = match query(q) {
        Ok(q) => q,
        Err(p) => return p.into_response(),
    };
    answer(shared, headers, None, move |shared| {
        let citation = match (&q.number, &q.title) {
            (Some(n), None) => Citation {
                number: Some(DocNumber::parse(n).ok_or_else(|| {
                    Problem::bad_request(format!(
                        "number {n:?} is not a document number such as 鲁政办发〔2025〕5号"
                    ))
                })?),
                title: None,
            },
            (None, Some(t)) if !t.trim().is_empty() => Citation {
                number: None,
                title: Some(t.trim().to_string()),
            },
            _ => {
                return Err(Problem::bad_request(
                    "give exactly one of number= (a document number) or title=",
                ));
            }
        };
        let date = date_param(q.at.as_deref(), "at")?;
        let snapshot = snapshot(shared)?;
        let works = snapshot.lookup(&citation)?;
        let records = works
            .iter()
            .map(|w| record(&snapshot, w))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Reply::json(
            &output::Find::new(&citation, &records, date),
            tag(
                snapshot.commit(),
                &format!("find.{date}.{:?}.{:?}", q.number, q.title),
            ),
            Freshness::Head,
        ))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChangesQuery {
    since: Option<String>,
    limit: Option<String>,
}

/// `GET /api/v1/changes`.
#[derive(Debug, Serialize)]
struct ChangesPage {
    operations: Vec<OperationOut>,
    next: String,
    more: bool,
}

#[derive(Debug, Serialize)]
struct OperationOut {
    commit: String,
    op: String,
    works: Vec<String>,
    revisions: Vec<String>,
    node: Option<String>,
    peer: Option<String>,
    author: PersonOut,
    committed: i64,
    subject: String,
}

#[derive(Debug, Serialize)]
struct PersonOut {
    name: String,
    email: String,
    time: i64,
}

/// The most operations one answer walks back to find `since`.
const CHANGES_WALK: usize = 100_000;

pub(super) async fn changes(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<ChangesQuery>, QueryRejection>,
) -> Response {
    let q = match query(q) {
        Ok(q) => q,
        Err(p) => return p.into_response(),
    };
    let early = format!("changes.{:?}.{:?}", q.since, q.limit);
    answer(shared, headers, Some(early.clone()), move |shared| {
        let limit = match &q.limit {
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|l| (1..=1000).contains(l))
                .ok_or_else(|| {
                    Problem::bad_request(format!("limit is a number from 1 to 1000, not {l:?}"))
                })?,
            None => 100,
        };
        let head = shared.library.head()?;
        let (since, after): (Option<ObjectId>, Option<i64>) = match q.since.as_deref() {
            None => (None, None),
            Some(s) if s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
                let id: ObjectId = s
                    .parse()
                    .map_err(|_| Problem::bad_request(format!("since {s:?} is not a commit id")))?;
                (Some(id), None)
            }
            Some(s) => {
                let d = date(s, "since")?;
                // Midnight in China Standard Time.
                (None, Some(d.to_days() * 86_400 - 8 * 3600))
            }
        };
        let walk = if since.is_some() || after.is_some() {
            CHANGES_WALK
        } else {
            limit
        };
        let mut ops = shared.library.operations(since, walk)?;
        if let Some(id) = since
            && id != head
            && ops.len() < walk
            && !ops
                .last()
                .is_some_and(|o| o.kind != wenku_store::OperationKind::Init || o.commit == id)
        {
            return Err(Problem::not_found(format!(
                "commit {id} is not on this library's main line"
            )));
        }
        if let Some(t) = after {
            ops.retain(|o| o.committer.time.seconds >= t);
        }
        // Oldest first; a page is the oldest `limit` of what is new.
        ops.reverse();
        let more = ops.len() > limit;
        ops.truncate(limit);
        let next = ops
            .last()
            .map(|o| o.commit.to_string())
            .or_else(|| since.map(|s| s.to_string()))
            .unwrap_or_else(|| head.to_string());
        let body = ChangesPage {
            operations: ops
                .into_iter()
                .map(|o| OperationOut {
                    commit: o.commit.to_string(),
                    op: o.kind.as_str().to_string(),
                    works: o.works.iter().map(|w| w.to_string()).collect(),
                    revisions: o.revisions.iter().map(|r| r.to_string()).collect(),
                    node: o.node.map(|n| n.to_string()),
                    peer: o.peer,
                    author: PersonOut {
                        name: o.author.name,
                        email: o.author.email,
                        time: o.author.time.seconds,
                    },
                    committed: o.committer.time.seconds,
                    subject: o.subject,
                })
                .collect(),
            next,
            more,
        };
        Ok(Reply::json(&body, tag(head, &early), Freshness::Head))
    })
    .await
}

/// A search's parameters, as the API and the search page take them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchQuery {
    pub q: Option<String>,
    pub region: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub year: Option<String>,
    pub subject: Option<String>,
    pub at: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl SearchQuery {
    /// The search asked for, or what is wrong with the request.
    pub(crate) fn to_query(&self) -> Result<wenku_search::Query, Problem> {
        let q = blank(&self.q).unwrap_or("");
        if q.chars().count() > 200 {
            return Err(Problem::bad_request("q is at most 200 characters"));
        }
        let mut query = wenku_search::Query::new(q, today()?);
        if let Some(r) = blank(&self.region) {
            query.region = Some(
                Region::parse(r).map_err(|e| Problem::bad_request(format!("region {r:?}: {e}")))?,
            );
        }
        if let Some(t) = blank(&self.doc_type) {
            query.doc_type = Some(
                t.parse()
                    .map_err(|e| Problem::bad_request(format!("type: {e}")))?,
            );
        }
        if let Some(y) = blank(&self.year) {
            query.year = Some(
                y.parse::<u32>()
                    .ok()
                    .filter(|y| (1000..=9999).contains(y))
                    .ok_or_else(|| {
                        Problem::bad_request(format!("year is a year such as 2024, not {y:?}"))
                    })?,
            );
        }
        query.subject = blank(&self.subject).map(str::to_string);
        if let Some(d) = blank(&self.at) {
            query.at = Some(date(d, "at")?);
        }
        if let Some(l) = blank(&self.limit) {
            query.limit = l
                .parse::<usize>()
                .ok()
                .filter(|l| (1..=200).contains(l))
                .ok_or_else(|| {
                    Problem::bad_request(format!("limit is a number from 1 to 200, not {l:?}"))
                })?;
        }
        if let Some(o) = blank(&self.offset) {
            query.offset = o
                .parse::<usize>()
                .ok()
                .filter(|o| *o <= 10_000)
                .ok_or_else(|| {
                    Problem::bad_request(format!("offset is a number from 0 to 10000, not {o:?}"))
                })?;
        }
        Ok(query)
    }
}

/// How long a search waits for the index another search or the start-up
/// build holds.
const SEARCH_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Answers `query` with the node's search index, brought to the head
/// first (incrementally; the first time, built). While the start-up build
/// holds the index for longer than [`SEARCH_WAIT`], the answer is 503.
pub(crate) fn run_search(
    shared: &Shared,
    query: &wenku_search::Query,
) -> Result<output::Search, Problem> {
    // Another search or the start-up build may hold the index: wait a
    // little (an update takes milliseconds), not for a whole build.
    let started = std::time::Instant::now();
    let mut slot = loop {
        match shared.search.try_lock() {
            Ok(slot) => break slot,
            Err(std::sync::TryLockError::Poisoned(p)) => break p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                if started.elapsed() > SEARCH_WAIT {
                    return Err(Problem::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        "the search index is being built; try again shortly".into(),
                    ));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    };
    if slot.is_none() {
        *slot = Some(
            wenku_search::SearchIndex::open(&shared.library).map_err(wenku_service::Error::from)?,
        );
    }
    let index = slot.as_mut().expect("opened");
    index
        .refresh(&shared.library, &mut |_| {})
        .map_err(wenku_service::Error::from)?;
    Ok(wenku_service::search::search(
        &shared.library,
        index,
        query,
    )?)
}

pub(super) async fn search(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let q = match query(q) {
        Ok(q) => q,
        Err(p) => return p.into_response(),
    };
    let today = match today() {
        Ok(d) => d,
        Err(p) => return p.into_response(),
    };
    let early = format!("search.{today}.{q:?}");
    answer(shared, headers, Some(early.clone()), move |shared| {
        if blank(&q.q).is_none() {
            return Err(Problem::bad_request("q (what to look for) is required"));
        }
        let query = q.to_query()?;
        let head = shared.library.head()?;
        let found = run_search(shared, &query)?;
        Ok(Reply::json(&found, tag(head, &early), Freshness::Head))
    })
    .await
}
