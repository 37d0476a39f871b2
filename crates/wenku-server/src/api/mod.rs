//! The HTTP API under `/api/v1`: read-only JSON (and the texts as canonical
//! XML or plain text) for systems that use a library without running
//! wenku. The answers are the service layer's typed outputs, the same the
//! command line prints with `--json`; `/openapi.json` describes them
//! ([`openapi`]), and the Atom feeds live in [`crate::feeds`].
//!
//! **URIs keep their meaning.** A version URL
//! (`/works/{region}/{local}/versions/{revision}`) names bytes that never
//! change, but may be withdrawn from public view: it is cached for
//! [`VERSION_MAX_AGE`] seconds and then revalidated (a withdrawn version
//! answers 410), with the revision as its `ETag`. Everything else depends on the library's head (and on the
//! date, for "today"): its `ETag` is the head commit with the date and the
//! format, and a matching `If-None-Match` gets `304 Not Modified` before any
//! work is done. GETs carry `Access-Control-Allow-Origin: *`.
//!
//! **Errors** are `application/problem+json` (RFC 9457): `type` is a stable
//! `urn:wenku:problem:<kind>`, `title` says the kind in words, `detail` what
//! exactly was wrong ("no work 370200/x", "2023-02-30 is not a date …").
//! Internal failures are logged and answered without paths or causes.
//!
//! **Limits.** Query strings longer than [`MAX_QUERY`] bytes are refused
//! (414), pages hold at most [`MAX_PAGE`] works, at most [`MAX_BUSY`]
//! requests do library work at once (others wait up to [`QUEUE_WAIT`], then
//! get 503), and an answer that takes longer than [`ANSWER_TIME`] is
//! abandoned with 503. Library work runs on the blocking pool; a slow
//! client holds no worker.

pub(crate) mod drafts;
pub mod openapi;
pub(crate) mod works;
pub mod write;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use wenku_model::Date;
use wenku_service::Kind;

use crate::Shared;

/// The longest query string accepted, in bytes.
pub const MAX_QUERY: usize = 4096;
/// The most works one page of `/api/v1/works` holds.
pub const MAX_PAGE: usize = 200;
/// The page size when none is asked for.
pub const DEFAULT_PAGE: usize = 50;
/// How many requests do library work at once.
pub const MAX_BUSY: usize = 16;
/// How long a request waits for its turn.
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);
/// How long an answer may take.
pub const ANSWER_TIME: Duration = Duration::from_secs(30);

/// The routes of the API, the OpenAPI document and the feeds.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/library", get(works::library))
        .route("/api/v1/peers", get(works::peers))
        .route("/api/v1/works", get(works::list))
        .route("/api/v1/works/{region}/{local}", get(works::work))
        .route("/api/v1/works/{region}/{local}/text", get(works::text))
        .route(
            "/api/v1/works/{region}/{local}/versions/{revision}",
            get(works::version),
        )
        .route("/api/v1/works/{region}/{local}/diff", get(works::diff))
        .route(
            "/api/v1/works/{region}/{local}/versions",
            post(write::publish).layer(DefaultBodyLimit::max(write::MAX_DOCUMENT)),
        )
        .route(
            "/api/v1/works/{region}/{local}/repeal",
            post(write::repeal).layer(DefaultBodyLimit::max(64 * 1024)),
        )
        .route(
            "/api/v1/works/{region}/{local}/withdraw",
            post(write::withdraw).layer(DefaultBodyLimit::max(64 * 1024)),
        )
        .route("/api/v1/drafts", get(drafts::list))
        .route(
            "/api/v1/drafts/{region}/{local}",
            get(drafts::show).delete(drafts::discard),
        )
        .route(
            "/api/v1/drafts/{region}/{local}/approve",
            post(drafts::approve).layer(DefaultBodyLimit::max(64 * 1024)),
        )
        .route(
            "/api/v1/drafts/{region}/{local}/return",
            post(drafts::send_back).layer(DefaultBodyLimit::max(64 * 1024)),
        )
        .route("/api/v1/find", get(works::find))
        .route("/api/v1/search", get(works::search))
        .route("/api/v1/changes", get(works::changes))
        .route("/api/v1", get(unknown))
        .route("/api/v1/", get(unknown))
        .route("/api/v1/{*rest}", get(unknown))
        .route("/openapi.json", get(openapi::serve))
        .merge(crate::feeds::routes())
        .layer(axum::middleware::from_fn(guard))
}

/// Refuses overlong query strings and marks every answer as readable
/// from any origin.
async fn guard(request: Request, next: Next) -> Response {
    if request.uri().query().is_some_and(|q| q.len() > MAX_QUERY) {
        return Problem::new(
            StatusCode::URI_TOO_LONG,
            "uri-too-long",
            format!("the query string is longer than {MAX_QUERY} bytes"),
        )
        .into_response();
    }
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

async fn unknown() -> Response {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "no such endpoint; /openapi.json lists them".to_string(),
    )
    .into_response()
}

/// An error answer (RFC 9457).
#[derive(Debug)]
pub(crate) struct Problem {
    status: StatusCode,
    kind: &'static str,
    detail: String,
}

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    type_: String,
    title: &'static str,
    status: u16,
    detail: &'a str,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, kind: &'static str, detail: String) -> Problem {
        Problem {
            status,
            kind,
            detail,
        }
    }

    pub(crate) fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", detail.into())
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", detail.into())
    }

    /// A version withdrawn from public view (已撤回) is not served: 410
    /// Gone, saying since when and why. Its text stays in the library's
    /// history for the archive.
    pub(crate) fn unless_served(
        work: &wenku_model::WorkId,
        entry: &wenku_model::VersionEntry,
        today: wenku_model::Date,
    ) -> Result<(), Problem> {
        match &entry.withdrawn {
            Some(w) if entry.is_withheld(today) => Err(Problem::new(
                StatusCode::GONE,
                "withdrawn",
                format!(
                    "version {} of {work} was withdrawn from public view on {}: {}",
                    entry.revision.short(),
                    w.date,
                    w.reason
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// What exactly was wrong.
    pub(crate) fn detail(&self) -> &str {
        &self.detail
    }

    /// The kind (`not-found`, `bad-request` …).
    pub(crate) fn kind(&self) -> &'static str {
        self.kind
    }

    pub(crate) fn title(&self) -> &'static str {
        match self.kind {
            "bad-request" => "The request is malformed",
            "not-found" => "Not found",
            "refused" => "The request cannot be answered as asked",
            "conflict" => "The library changed meanwhile",
            "unavailable" => "Not available now",
            "uri-too-long" => "The query string is too long",
            "too-large" => "The body is too large",
            "unauthorized" => "A writer's token is required",
            "forbidden" => "Not allowed",
            "withdrawn" => "Withdrawn from public view",
            _ => "Internal error",
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = ProblemBody {
            type_: format!("urn:wenku:problem:{}", self.kind),
            title: self.title(),
            status: self.status.as_u16(),
            detail: &self.detail,
        };
        let json = serde_json::to_vec(&body).expect("a problem serialises");
        let mut response = (
            self.status,
            [
                (header::CONTENT_TYPE, "application/problem+json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            json,
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"wenku\""),
            );
        }
        response
    }
}

impl From<wenku_service::Error> for Problem {
    fn from(e: wenku_service::Error) -> Problem {
        let (status, kind) = match e.kind() {
            Kind::NotFound => (StatusCode::NOT_FOUND, "not-found"),
            Kind::Usage => (StatusCode::BAD_REQUEST, "bad-request"),
            Kind::Refused => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
            Kind::Conflict => (StatusCode::CONFLICT, "conflict"),
            Kind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            _ => {
                tracing::error!(error = %crate::peers::chain(&e), "an API request failed");
                return Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the library could not be read; the node's log says why".into(),
                );
            }
        };
        // The hints speak of the command line; the message says what is
        // wrong.
        Problem::new(status, kind, e.message().to_string())
    }
}

impl From<wenku_store::ReadError> for Problem {
    fn from(e: wenku_store::ReadError) -> Problem {
        wenku_service::Error::from(e).into()
    }
}

/// How long a successful answer may be kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Freshness {
    /// Bytes that never change (a version by its RevisionId) but may be
    /// withdrawn from public view: cached for a short while, then
    /// revalidated, so a withdrawal reaches caches within
    /// [`VERSION_MAX_AGE`].
    Version,
    /// Valid while the head (and the date) stay: revalidate.
    Head,
}

/// A successful answer, before the conditional check.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub content_type: &'static str,
    pub body: Bytes,
    pub etag: String,
    pub freshness: Freshness,
    /// Instead of a body: where the resource is named for good (302).
    pub location: Option<String>,
}

impl Reply {
    pub(crate) fn new(
        content_type: &'static str,
        body: impl Into<Bytes>,
        etag: String,
        freshness: Freshness,
    ) -> Reply {
        Reply {
            content_type,
            body: body.into(),
            etag,
            freshness,
            location: None,
        }
    }

    pub(crate) fn json(value: &impl Serialize, etag: String, freshness: Freshness) -> Reply {
        Reply::new(
            "application/json",
            serde_json::to_vec(value).expect("outputs serialise"),
            etag,
            freshness,
        )
    }

    /// A redirect to `location` (a path on this node).
    pub(crate) fn redirect(location: String) -> Reply {
        Reply {
            location: Some(location),
            ..Reply::new("", Vec::new(), String::new(), Freshness::Head)
        }
    }

    fn into_response(self, headers: &HeaderMap) -> Response {
        if let Some(location) = self.location {
            return axum::response::Redirect::to(&location).into_response();
        }
        let etag = quoted(&self.etag);
        let mut response = if matches(headers, &etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut r = self.body.into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
            r
        };
        validators(response.headers_mut(), &etag, self.freshness);
        response
    }
}

fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

/// `ETag`, `Cache-Control` and `Vary` of an answer.
/// How long a cache may keep a version's text before asking again, in
/// seconds: the longest a withdrawn version's text can still be served
/// from a cache. (Not `immutable`: a version can be withdrawn.)
pub const VERSION_MAX_AGE: u32 = 300;
const VERSION_CACHE: &str = "public, max-age=300, must-revalidate";

fn validators(h: &mut HeaderMap, etag: &str, freshness: Freshness) {
    let cache = match freshness {
        Freshness::Version => VERSION_CACHE,
        Freshness::Head => "public, no-cache",
    };
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
}

/// The entity tag of an answer that depends on the head `commit` and on
/// `what` (the endpoint, its parameters, the date, the format): what
/// cannot go into a header is hashed.
pub(crate) fn tag(commit: wenku_store::ObjectId, what: &str) -> String {
    let hash = blake3::hash(what.as_bytes()).to_hex();
    format!("{}-{}", commit.short(16), &hash[..16])
}

/// Whether `If-None-Match` names `etag` (or is `*`).
fn matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// What a handler computes on the blocking pool.
pub(crate) type Answer = Result<Reply, Problem>;

/// Runs `work` on the blocking pool with the library, within the API's
/// limits, and answers with its reply (or 304 when `If-None-Match`
/// matches). `early` names an answer that depends only on the head and
/// on `early` itself: its entity tag is `tag(head, early)`, checked before
/// any work, and `work` must reply with that tag.
pub(crate) async fn answer(
    shared: Arc<Shared>,
    headers: HeaderMap,
    early: Option<String>,
    work: impl FnOnce(&Shared) -> Answer + Send + 'static,
) -> Response {
    answer_with(shared, headers, early, None, Problem::into_response, work).await
}

/// [`answer`] for an answer that depends only on the head and on `key`
/// (the endpoint, its parameters, the date, the format): kept in memory
/// for the head it was made at, so that the next asker gets the bytes
/// without a snapshot, a read or a serialisation.
pub(crate) async fn answer_kept(
    shared: Arc<Shared>,
    headers: HeaderMap,
    key: String,
    work: impl FnOnce(&Shared) -> Answer + Send + 'static,
) -> Response {
    answer_with(
        shared,
        headers,
        None,
        Some(key),
        Problem::into_response,
        work,
    )
    .await
}

/// [`answer`] for the web pages: problems become HTML error pages
/// (`refuse`), and the answer says how long the server worked on it in
/// `Server-Timing` (`app;dur=` milliseconds). A page that depends only on
/// the head and `kept` is kept in memory as [`answer_kept`] keeps
/// answers (and then says no `Server-Timing` when served from there).
pub(crate) async fn answer_page(
    shared: Arc<Shared>,
    headers: HeaderMap,
    kept: Option<String>,
    refuse: fn(Problem) -> Response,
    work: impl FnOnce(&Shared) -> Answer + Send + 'static,
) -> Response {
    let took = Arc::new(std::sync::Mutex::new(None));
    let slot = Arc::clone(&took);
    let mut response = answer_with(shared, headers, None, kept, refuse, move |shared| {
        let started = std::time::Instant::now();
        let reply = work(shared);
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(started.elapsed());
        reply
    })
    .await;
    if let Some(elapsed) = *took.lock().unwrap_or_else(|e| e.into_inner())
        && let Ok(v) =
            HeaderValue::from_str(&format!("app;dur={:.2}", elapsed.as_secs_f64() * 1000.0))
    {
        response.headers_mut().insert("server-timing", v);
    }
    response
}

async fn answer_with(
    shared: Arc<Shared>,
    headers: HeaderMap,
    early: Option<String>,
    kept: Option<String>,
    refuse: fn(Problem) -> Response,
    work: impl FnOnce(&Shared) -> Answer + Send + 'static,
) -> Response {
    // A kept answer is served at once: reading the head is one small file
    // read, cheaper than a hop to the blocking pool.
    let kept = match kept {
        Some(key) => match shared.library.head() {
            Ok(head) => {
                let key = format!("{head}:{key}");
                if let Some(reply) = shared.answers.get(&key) {
                    return reply.into_response(&headers);
                }
                Some(key)
            }
            Err(e) => return refuse(Problem::from(e)),
        },
        None => None,
    };
    let permit =
        match tokio::time::timeout(QUEUE_WAIT, Arc::clone(&shared.api_slots).acquire_owned()).await
        {
            Ok(Ok(permit)) => permit,
            _ => {
                return refuse(Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the node is busy; try again shortly".into(),
                ));
            }
        };
    let conditional = headers.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if let Some(what) = &early
            && let Ok(head) = shared.library.head()
        {
            let etag = quoted(&tag(head, what));
            if matches(&conditional, &etag) {
                return Err(etag);
            }
        }
        let Some(key) = kept else {
            return Ok(work(&shared));
        };
        let answer = work(&shared);
        if let Ok(reply) = &answer
            && reply.location.is_none()
        {
            shared.answers.put(key, reply.clone());
        }
        Ok(answer)
    });
    match tokio::time::timeout(ANSWER_TIME, task).await {
        Ok(Ok(Err(etag))) => {
            let mut r = StatusCode::NOT_MODIFIED.into_response();
            validators(r.headers_mut(), &etag, Freshness::Head);
            r
        }
        Ok(Ok(Ok(Ok(reply)))) => reply.into_response(&headers),
        Ok(Ok(Ok(Err(problem)))) => refuse(problem),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "an API request ended abnormally");
            refuse(Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the request failed unexpectedly; the node's log says why".into(),
            ))
        }
        Err(_) => refuse(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("the answer took longer than {ANSWER_TIME:?}"),
        )),
    }
}

/// Answers kept in memory by key, at most `bytes` of them in all (all
/// dropped when full: what is asked for again is made again).
#[derive(Debug)]
pub(crate) struct Memo<V> {
    map: std::sync::Mutex<(std::collections::HashMap<String, V>, usize)>,
    bytes: usize,
    size: fn(&V) -> usize,
}

impl<V: Clone> Memo<V> {
    pub(crate) fn new(bytes: usize, size: fn(&V) -> usize) -> Memo<V> {
        Memo {
            map: std::sync::Mutex::new((std::collections::HashMap::new(), 0)),
            bytes,
            size,
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<V> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.0.get(key).cloned()
    }

    pub(crate) fn put(&self, key: String, value: V) {
        let size = (self.size)(&value) + key.len();
        if size > self.bytes / 4 {
            return;
        }
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.1 + size > self.bytes {
            map.0.clear();
            map.1 = 0;
        }
        map.1 += size;
        if let Some(old) = map.0.insert(key, value) {
            map.1 = map.1.saturating_sub((self.size)(&old));
        }
    }
}

/// The work a `{region}/{local}` path names; a malformed one is a bad
/// request.
pub(crate) fn work_id(region: &str, local: &str) -> Result<wenku_model::WorkId, Problem> {
    let id = format!("{region}/{local}");
    wenku_model::WorkId::parse(&id)
        .map_err(|e| Problem::bad_request(format!("invalid work id {id:?}: {e}")))
}

/// A date parameter; a malformed or impossible one is a bad request.
pub(crate) fn date(value: &str, what: &str) -> Result<Date, Problem> {
    wenku_service::resolve::date(value, what).map_err(|e| Problem::bad_request(e.message()))
}

/// Today in China Standard Time (UTC+8), or `WENKU_TODAY` (YYYY-MM-DD)
/// when set, as the command line reads it.
pub(crate) fn today() -> Result<Date, Problem> {
    if let Ok(s) = std::env::var("WENKU_TODAY")
        && let Ok(d) = Date::parse_iso(&s)
    {
        return Ok(d);
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Date::from_days((secs + 8 * 3600).div_euclid(86_400)).ok_or_else(|| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the node's clock is outside the years 1000–9999".into(),
        )
    })
}
