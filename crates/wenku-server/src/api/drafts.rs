//! Drafts and review through the API (先审查、后公开, 一事一审), off unless
//! `[[writer]]`s and `[[reviewer]]`s are configured:
//!
//! - `POST /api/v1/works/{region}/{local}/versions?draft=true` submits the
//!   document as a draft (202, `$defs/draft`); `?draft=<item>` adds it to
//!   that item's draft (an interpretation to its document). Writer's token.
//! - `GET /api/v1/drafts`: the drafts in the token's regions (writer or
//!   reviewer).
//! - `GET /api/v1/drafts/{region}/{local}`: what a draft would publish,
//!   with the safety sweep's findings (`$defs/draft_review`).
//! - `POST …/approve`, `POST …/return` with `{"tip", "note"}`: the
//!   reviewer's decisions; `tip` is the draft's tip as read, so a changed
//!   draft is refused (409). Reviewer's token.
//! - `DELETE /api/v1/drafts/{region}/{local}?tip=…`: the writer takes the
//!   draft back.
//!
//! Nothing here is public: drafts are never in the answers of the other
//! endpoints, the feeds, search or `/git`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Json, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use wenku_model::WorkId;
use wenku_service::draft;
use wenku_service::output::{Draft, DraftPublished, DraftReview};
use wenku_service::sweep::detect::Detectors;

use super::write::{Role, VersionQuery, find_holder, holder, input, run_json as run};
use super::{Problem, work_id};
use crate::Shared;

fn location(item: &WorkId) -> Option<String> {
    Some(format!("/api/v1/drafts/{item}"))
}

/// `POST …/versions?draft=…`: the document as a draft, or added to one.
pub(super) async fn submit(
    shared: Arc<Shared>,
    writer: usize,
    work: WorkId,
    draft: String,
    q: VersionQuery,
    body: Bytes,
) -> Response {
    let into = match draft.as_str() {
        "true" => None,
        other => match WorkId::parse(other) {
            Ok(item) => Some(item),
            Err(e) => {
                return Problem::bad_request(format!(
                    "draft must be true or the item of a draft (370200/qzbf-2025-3): {e}"
                ))
                .into_response();
            }
        },
    };
    if let Some(item) = &into
        && !shared.writers[writer].may(&item.region())
    {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("the token may not act on the draft of {item}"),
        )
        .into_response();
    }
    run(shared, move |shared| {
        let writer = &shared.writers[writer];
        let (input, request) = input(shared, &q, &body, &work)?;
        let submitted = match &into {
            None => draft::submit(&shared.library, &writer.identity, &[input], &request)?,
            Some(item) => {
                let seen = draft::tip(&shared.library, item, None)?;
                draft::add(
                    &shared.library,
                    &writer.identity,
                    item,
                    seen,
                    &[input],
                    &request,
                )?
            }
        };
        let d = &submitted.draft;
        tracing::info!(item = %d.item, round = d.round, writer = writer.identity.name(), "draft submitted through the API");
        Ok((StatusCode::ACCEPTED, location(&d.item), Draft::new(d)))
    })
    .await
}

/// The answer of `GET /api/v1/drafts`.
#[derive(Debug, Serialize)]
struct Drafts {
    drafts: Vec<Draft>,
}

/// The holder of a writer's or a reviewer's token, as (role, place).
fn anyone(shared: &Shared, headers: &HeaderMap) -> Result<(Role, usize), Problem> {
    if shared.writers.is_empty() && shared.reviewers.is_empty() {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this node has neither writers nor reviewers: it keeps no drafts through its API"
                .into(),
        ));
    }
    let presented = super::write::bearer(headers).unwrap_or_default();
    if let Some(i) = find_holder(&shared.reviewers, presented) {
        return Ok((Role::Reviewer, i));
    }
    if let Some(i) = find_holder(&shared.writers, presented) {
        return Ok((Role::Writer, i));
    }
    Err(Problem::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "a writer's or reviewer's bearer token is required (Authorization: Bearer …)".into(),
    ))
}

fn holder_of(shared: &Shared, who: (Role, usize)) -> &super::write::Writer {
    match who.0 {
        Role::Writer => &shared.writers[who.1],
        Role::Reviewer => &shared.reviewers[who.1],
    }
}

/// `GET /api/v1/drafts`.
pub(super) async fn list(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let who = match anyone(&shared, &headers) {
        Ok(w) => w,
        Err(p) => return p.into_response(),
    };
    run(shared, move |shared| {
        let mine = holder_of(shared, who);
        let drafts = draft::list(&shared.library)?
            .iter()
            .filter(|d| mine.may(&d.item.region()))
            .map(Draft::new)
            .collect();
        Ok((StatusCode::OK, None, Drafts { drafts }))
    })
    .await
}

fn item_of(
    shared: &Shared,
    headers: &HeaderMap,
    region: &str,
    local: &str,
) -> Result<((Role, usize), WorkId), Problem> {
    let item = work_id(region, local)?;
    let who = anyone(shared, headers)?;
    if !holder_of(shared, who).may(&item.region()) {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("the token may not act on the draft of {item}"),
        ));
    }
    Ok((who, item))
}

/// `GET /api/v1/drafts/{region}/{local}`.
pub(super) async fn show(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local)): Path<(String, String)>,
) -> Response {
    let (_, item) = match item_of(&shared, &headers, &region, &local) {
        Ok(taken) => taken,
        Err(p) => return p.into_response(),
    };
    run(shared, move |shared| {
        let detectors = sweep_detectors(shared);
        let review = draft::review(&shared.library, &item, &detectors)?;
        Ok((StatusCode::OK, None, DraftReview::new(&review)))
    })
    .await
}

/// The detectors of the node's sweep, with its word list when it reads.
pub(crate) fn sweep_detectors(shared: &Shared) -> Detectors {
    let words = shared
        .config
        .sweep
        .words
        .as_deref()
        .and_then(|p| match wenku_service::sweep::report::read_words(p) {
            Ok(w) => Some(w),
            Err(e) => {
                tracing::warn!(error = %e, "the sweep's word list could not be read; drafts are checked without it");
                None
            }
        })
        .unwrap_or_default();
    Detectors::new(words)
}

/// A reviewer's decision.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DecisionBody {
    /// The draft's tip as the reviewer read it.
    tip: String,
    /// The approval's note or the reasons of a return.
    note: String,
}

fn decision(
    shared: &Shared,
    headers: &HeaderMap,
    region: &str,
    local: &str,
    body: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<(usize, WorkId, DecisionBody), Problem> {
    let item = work_id(region, local)?;
    let reviewer = holder(&shared.reviewers, Role::Reviewer, headers, Some(&item))?;
    let Json(body) = body.map_err(|e| Problem::bad_request(e.body_text()))?;
    Ok((reviewer, item, body))
}

fn seen(shared: &Shared, item: &WorkId, tip: &str) -> Result<wenku_store::ObjectId, Problem> {
    Ok(draft::tip(&shared.library, item, Some(tip))?)
}

/// `POST /api/v1/drafts/{region}/{local}/approve`.
pub(super) async fn approve(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local)): Path<(String, String)>,
    body: Result<Json<DecisionBody>, JsonRejection>,
) -> Response {
    let (reviewer, item, body) = match decision(&shared, &headers, &region, &local, body) {
        Ok(taken) => taken,
        Err(p) => return p.into_response(),
    };
    run(shared, move |shared| {
        let reviewer = &shared.reviewers[reviewer];
        let seen = seen(shared, &item, &body.tip)?;
        let published = draft::approve(&shared.library, &reviewer.identity, &item, seen, &body.note)?;
        tracing::info!(item = %item, commit = %published.commit, reviewer = reviewer.identity.name(), "draft approved and published through the API");
        Ok((
            StatusCode::CREATED,
            Some(format!("/api/v1/works/{item}")),
            DraftPublished::new(&item, &published),
        ))
    })
    .await
}

/// `POST /api/v1/drafts/{region}/{local}/return`.
pub(super) async fn send_back(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local)): Path<(String, String)>,
    body: Result<Json<DecisionBody>, JsonRejection>,
) -> Response {
    let (reviewer, item, body) = match decision(&shared, &headers, &region, &local, body) {
        Ok(taken) => taken,
        Err(p) => return p.into_response(),
    };
    run(shared, move |shared| {
        let reviewer = &shared.reviewers[reviewer];
        let seen = seen(shared, &item, &body.tip)?;
        let returned = draft::send_back(&shared.library, &reviewer.identity, &item, seen, &body.note)?;
        tracing::info!(item = %item, reviewer = reviewer.identity.name(), "draft returned through the API");
        Ok((StatusCode::OK, location(&item), Draft::new(&returned)))
    })
    .await
}

/// The query of `DELETE /api/v1/drafts/{region}/{local}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DiscardQuery {
    tip: String,
}

/// `DELETE /api/v1/drafts/{region}/{local}?tip=…`.
pub(super) async fn discard(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((region, local)): Path<(String, String)>,
    q: Result<Query<DiscardQuery>, QueryRejection>,
) -> Response {
    let item = match work_id(&region, &local) {
        Ok(w) => w,
        Err(p) => return p.into_response(),
    };
    let writer = match holder(&shared.writers, Role::Writer, &headers, Some(&item)) {
        Ok(i) => i,
        Err(p) => return p.into_response(),
    };
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return Problem::bad_request(e.body_text()).into_response(),
    };
    run(shared, move |shared| {
        let writer = &shared.writers[writer];
        let seen = seen(shared, &item, &q.tip)?;
        draft::discard(&shared.library, &writer.identity, &item, seen)?;
        tracing::info!(item = %item, writer = writer.identity.name(), "draft discarded through the API");
        Ok((StatusCode::NO_CONTENT, None, ()))
    })
    .await
}
