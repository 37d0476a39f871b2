//! Writes through the API, off unless `[[writer]]`s are configured:
//! publish a version (`POST /api/v1/works/{region}/{local}/versions`, the
//! file as the body), repeal and withdraw (`POST …/repeal`, `…/withdraw`,
//! JSON). Each request presents a writer's bearer token; a token may write
//! only the regions configured for it (and the regions inside them), and
//! the library still refuses what the node does not host. Every write goes
//! through the service layer and the store, so it gets the checks and the
//! commit the command line and the inbox get, signed as the writer.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{Json, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use wenku_import::ImportOptions;
use wenku_model::{Citation, Date, DocNumber, DocType, Region, Repeal, Target, Withdrawal, WorkId};
use wenku_service::import::{self, Input, Request};
use wenku_store::Op;

use super::{Problem, QUEUE_WAIT, date, work_id};
use crate::Shared;

/// The largest document a write accepts, in bytes.
pub const MAX_DOCUMENT: usize = 16 * 1024 * 1024;

/// A configured writer.
#[derive(Debug)]
pub struct Writer {
    /// The commits' author.
    pub identity: wenku_store::Identity,
    /// The bearer token.
    pub token: String,
    /// What it may write.
    pub regions: Vec<Region>,
}

/// The writer (its place in the configuration) whose token the request
/// presents, if it may write `work`.
fn authorize(shared: &Shared, headers: &HeaderMap, work: &WorkId) -> Result<usize, Problem> {
    holder(&shared.writers, Role::Writer, headers, Some(work))
}

/// Who presents a token: a writer or a reviewer of drafts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// `[[writer]]`.
    Writer,
    /// `[[reviewer]]`.
    Reviewer,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Writer => "writer",
            Role::Reviewer => "reviewer",
        }
    }
}

/// The bearer token a request presents, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The holder (its place in `list`) of the token `presented`, if any.
pub(crate) fn find_holder(list: &[Writer], presented: &str) -> Option<usize> {
    list.iter()
        .position(|w| crate::constant_time_eq(presented.as_bytes(), w.token.as_bytes()))
}

/// The holder (its place in `list`) of the request's bearer token, if it
/// may act on `work` (any work when `None`).
pub(crate) fn holder(
    list: &[Writer],
    role: Role,
    headers: &HeaderMap,
    work: Option<&WorkId>,
) -> Result<usize, Problem> {
    let role_name = role.name();
    if list.is_empty() {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            match role {
                Role::Writer => "this node takes no writes through its API (its configuration has no [[writer]])".into(),
                Role::Reviewer => "this node has no reviewers (its configuration has no [[reviewer]])".into(),
            },
        ));
    }
    let Some(index) = bearer(headers).and_then(|p| find_holder(list, p)) else {
        return Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            format!("a {role_name}'s bearer token is required (Authorization: Bearer …)"),
        ));
    };
    let writer = &list[index];
    if let Some(work) = work
        && !writer.may(&work.region())
    {
        let mine: Vec<String> = writer.regions.iter().map(|r| r.to_string()).collect();
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "the token of {} may act on {}, not {work}",
                writer.identity.name(),
                mine.join(", ")
            ),
        ));
    }
    Ok(index)
}

impl Writer {
    /// Whether it may act in `region`.
    pub(crate) fn may(&self, region: &Region) -> bool {
        self.regions.iter().any(|r| r.contains(region))
    }
}

/// What a write did.
#[derive(Debug, Serialize)]
struct Written {
    work: String,
    /// `published`, `added`, `unchanged` (a version), or `recorded`,
    /// `unchanged` (a repeal or withdrawal).
    action: &'static str,
    revision: Option<String>,
    commit: Option<String>,
    /// Why nothing changed, when nothing did.
    note: Option<String>,
}

/// Runs a write on the blocking pool, with a turn of the API's slots.
async fn run(
    shared: Arc<Shared>,
    work: impl FnOnce(&Shared) -> Result<(StatusCode, Written), Problem> + Send + 'static,
) -> Response {
    run_json(shared, move |shared| {
        let (status, written) = work(shared)?;
        let location = match (&written.revision, written.action) {
            (Some(rev), "published" | "added") => {
                Some(format!("/api/v1/works/{}/versions/{rev}", written.work))
            }
            _ => None,
        };
        Ok((status, location, written))
    })
    .await
}

/// Runs a write (or a token-protected read) on the blocking pool, with a
/// turn of the API's slots: its JSON answer with the status, a
/// `Location` when there is one, never cached. A write is never
/// abandoned half-way: it runs to its end even if the client goes away
/// (the store commits all of it or nothing). `204 No Content` has no body.
pub(super) async fn run_json<T: Serialize + Send + 'static>(
    shared: Arc<Shared>,
    work: impl FnOnce(&Shared) -> Result<(StatusCode, Option<String>, T), Problem> + Send + 'static,
) -> Response {
    let permit =
        match tokio::time::timeout(QUEUE_WAIT, Arc::clone(&shared.api_slots).acquire_owned()).await
        {
            Ok(Ok(p)) => p,
            _ => {
                return Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the node is busy; try again shortly".into(),
                )
                .into_response();
            }
        };
    let done = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&shared)
    })
    .await;
    let mut response = match done {
        Ok(Ok((StatusCode::NO_CONTENT, _, _))) => StatusCode::NO_CONTENT.into_response(),
        Ok(Ok((status, location, value))) => {
            let mut r = (status, axum::Json(&value)).into_response();
            if let Some(v) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Ok(Err(p)) => p.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "an API request ended abnormally");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the request failed unexpectedly; the node's log says why".into(),
            )
            .into_response()
        }
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VersionQuery {
    published: Option<String>,
    effective: Option<String>,
    title: Option<String>,
    number: Option<String>,
    #[serde(rename = "type")]
    doc_type: Option<String>,
    issuer: Option<String>,
    subject: Option<String>,
    filename: Option<String>,
    /// `true`: submit as a draft for review instead of publishing; a work
    /// id: add to that item's draft.
    draft: Option<String>,
}

fn date_opt(value: &Option<String>, what: &str) -> Result<Option<Date>, Problem> {
    value.as_deref().map(|v| date(v, what)).transpose()
}

/// `POST /api/v1/works/{region}/{local}/versions`: the body is the
/// document (plain text, Markdown or canonical XML; `filename=` names its
/// kind), the query what the text may not say.
pub(super) async fn publish(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local)): Path<(String, String)>,
    q: Result<Query<VersionQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let work = match work_id(&region, &local) {
        Ok(w) => w,
        Err(p) => return p.into_response(),
    };
    let writer = match authorize(&shared, &headers, &work) {
        Ok(i) => i,
        Err(p) => return p.into_response(),
    };
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return Problem::bad_request(e.body_text()).into_response(),
    };
    let body = match body {
        Ok(b) if b.is_empty() => {
            return Problem::bad_request("the body is empty: send the document").into_response();
        }
        Ok(b) => b,
        Err(e) => {
            return Problem::new(
                e.status(),
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "too-large"
                } else {
                    "bad-request"
                },
                format!("{} (at most {MAX_DOCUMENT} bytes)", e.body_text()),
            )
            .into_response();
        }
    };
    if let Some(draft) = q.draft.clone() {
        return super::drafts::submit(shared, writer, work, draft, q, body).await;
    }
    run(shared, move |shared| {
        let writer = &shared.writers[writer];
        let (input, request) = input(shared, &q, &body, &work)?;
        let imports = import::import(&shared.library, &writer.identity, &[input], &request)?;
        let planned = imports
            .planned
            .first()
            .ok_or_else(|| Problem::bad_request("nothing was planned for the document"))?;
        let action = planned.action.as_str();
        tracing::info!(work = %work, action, writer = writer.identity.name(), "written through the API");
        Ok((
            if action == "unchanged" {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            },
            Written {
                work: planned.work.as_ref().unwrap_or(&work).to_string(),
                action,
                revision: Some(planned.revision.to_string()),
                commit: imports.commit.map(|c| c.to_string()),
                note: (action == "unchanged")
                    .then(|| "this text is already in the library".to_string()),
            },
        ))
    })
    .await
}

/// The document of a version request, imported, and where it goes: a new
/// version of `work` if the library has it, else `work` as a new work.
pub(super) fn input(
    shared: &Shared,
    q: &VersionQuery,
    body: &Bytes,
    work: &WorkId,
) -> Result<(Input, Request), Problem> {
    let options = ImportOptions {
        doc_type: q
            .doc_type
            .as_deref()
            .map(|t| {
                t.parse::<DocType>()
                    .map_err(|e| Problem::bad_request(format!("type: {e}")))
            })
            .transpose()?,
        title: q.title.clone(),
        number: q
            .number
            .as_deref()
            .map(|n| {
                DocNumber::parse(n).ok_or_else(|| {
                    Problem::bad_request(format!("number {n:?} is not a document number"))
                })
            })
            .transpose()?,
        issuers: q.issuer.iter().cloned().collect(),
        published: date_opt(&q.published, "published")?,
        effective: date_opt(&q.effective, "effective")?,
        local: Some(work.local().to_string()),
        ..ImportOptions::default()
    };
    let filename = q.filename.clone().unwrap_or_else(|| "document.txt".into());
    if filename.contains(['/', '\\', '\0']) {
        return Err(Problem::bad_request(format!(
            "filename {filename:?} is a name, not a path"
        )));
    }
    let mut imported = wenku_import::import_bytes(&filename, body, &options)
        .map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", e.to_string()))?;
    if let Some(s) = &q.subject
        && !imported.document.subjects.contains(s)
    {
        imported.document.subjects.push(s.clone());
    }
    let exists = shared.library.snapshot()?.contains(work)?;
    let request = if exists {
        Request {
            work: Some(work.clone()),
            ..Request::default()
        }
    } else {
        Request {
            region: Some(work.region()),
            exact_local: Some(work.local().to_string()),
            ..Request::default()
        }
    };
    let input = Input::new(PathBuf::from(&filename), imported);
    Ok((input, request))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RepealBody {
    date: String,
    /// A work id, a document number or a title.
    by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WithdrawBody {
    date: String,
    reason: String,
    /// Withdraw only this version from public view (a revision id, a
    /// unique prefix of one, or a handle such as `v2`).
    version: Option<String>,
}

fn lifecycle(
    shared: &Shared,
    writer: usize,
    work: &WorkId,
    op: Op,
) -> Result<(StatusCode, Written), Problem> {
    let writer = &shared.writers[writer];
    if !shared.library.snapshot()?.contains(work)? {
        return Err(Problem::not_found(format!(
            "no work {work} in this library"
        )));
    }
    let committed = shared
        .library
        .commit(&writer.identity, op)
        .map_err(wenku_service::Error::from)?;
    let unchanged = committed
        .outcomes
        .first()
        .and_then(|o| o.unchanged.as_ref())
        .map(|why| why.to_string());
    tracing::info!(work = %work, writer = writer.identity.name(), "lifecycle written through the API");
    Ok((
        StatusCode::OK,
        Written {
            work: work.to_string(),
            action: if unchanged.is_some() {
                "unchanged"
            } else {
                "recorded"
            },
            revision: None,
            commit: Some(committed.head().to_string()),
            note: unchanged,
        },
    ))
}

/// What a repeal or withdrawal request names, who may make it (its place
/// in the configuration), and its JSON body.
fn lifecycle_request<T>(
    shared: &Shared,
    headers: &HeaderMap,
    region: &str,
    local: &str,
    body: Result<Json<T>, JsonRejection>,
) -> Result<(WorkId, usize, T), Problem> {
    let work = work_id(region, local)?;
    let writer = authorize(shared, headers, &work)?;
    let body = body
        .map(|Json(b)| b)
        .map_err(|e| Problem::bad_request(e.body_text()))?;
    Ok((work, writer, body))
}

/// `POST /api/v1/works/{region}/{local}/repeal` with `{"date", "by"}`.
pub(super) async fn repeal(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local)): Path<(String, String)>,
    body: Result<Json<RepealBody>, JsonRejection>,
) -> Response {
    let (work, writer, body) = match lifecycle_request(&shared, &headers, &region, &local, body) {
        Ok(taken) => taken,
        Err(p) => return p.into_response(),
    };
    run(shared, move |shared| {
        let date = date(&body.date, "date")?;
        let by = match body.by.as_deref() {
            None => None,
            Some(s) => Some(match WorkId::parse(s) {
                Ok(w) => Target::Work(w),
                Err(_) => Target::Citation(Citation::parse(s).ok_or_else(|| {
                    Problem::bad_request("by is a work id, a document number or a title")
                })?),
            }),
        };
        let op = Op::Repeal {
            work: work.clone(),
            repeal: Repeal { date, by },
        };
        lifecycle(shared, writer, &work, op)
    })
    .await
}

/// `POST /api/v1/works/{region}/{local}/withdraw` with `{"date", "reason"}`
/// and, to withdraw one version from public view, `"version"`.
pub(super) async fn withdraw(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local)): Path<(String, String)>,
    body: Result<Json<WithdrawBody>, JsonRejection>,
) -> Response {
    let (work, writer, body) = match lifecycle_request(&shared, &headers, &region, &local, body) {
        Ok(taken) => taken,
        Err(p) => return p.into_response(),
    };
    run(shared, move |shared| {
        let date = date(&body.date, "date")?;
        if body.reason.trim().is_empty() {
            return Err(Problem::bad_request(
                "reason must say why the document is withdrawn",
            ));
        }
        let withdrawal = Withdrawal {
            date,
            reason: body.reason.trim().to_string(),
        };
        let op = match &body.version {
            None => Op::Withdraw {
                work: work.clone(),
                withdrawal,
            },
            Some(v) => {
                let snapshot = shared.library.snapshot()?;
                let record = snapshot
                    .record(&work)?
                    .ok_or_else(|| Problem::not_found(format!("{work} is not in the library")))?;
                let entry = wenku_service::resolve::revision(&record, v)?;
                Op::WithdrawVersion {
                    work: work.clone(),
                    revision: entry.revision,
                    withdrawal,
                }
            }
        };
        lifecycle(shared, writer, &work, op)
    })
    .await
}
