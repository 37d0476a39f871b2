//! `wenkud`, the node daemon, as a library: [`run`] takes a
//! [`Config`], a bound listener and a cancellation token, and runs the
//! node until the token is cancelled.
//!
//! A node (a county, a city, a province) does three things by itself:
//!
//! - **publishes its inbox** ([`inbox`]): documents dropped into a
//!   directory are imported through the service layer and moved to
//!   `done/` or `rejected/` with a receipt or a report;
//! - **pulls its peers** ([`peers`]): every child up and the parent down on
//!   a jittered interval, backing off from peers that fail, with a
//!   deadline per pull, on demand through `POST /admin/pull` or SIGHUP;
//! - **serves its library** on one port: git smart HTTP at `/git`
//!   (read-only, internal refs hidden), `/livez`, `/readyz`,
//!   `/status` (JSON: each peer's last success, last error, accepted and
//!   quarantined head; the inbox's counts) and `/metrics` (Prometheus
//!   text format).
//!
//! Blocking library work (pulls, commits, index refreshes) runs on tokio's
//! blocking pool; serving never waits for it. Shutdown (the token) stops
//! taking inbox files and starting pulls, interrupts running pulls (the
//! store leaves `main` at the old head or the complete merge), and lets
//! running requests finish within the configured grace.
#![warn(missing_docs)]

pub mod api;
pub mod config;
pub mod feeds;
mod git_http;
pub mod inbox;
pub mod peers;
mod state;
mod sweep;
mod web;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use wenku_store::federation::Peer;
use wenku_store::{Identity, InitOptions, Library};

pub use config::{Config, ConfigError};

/// The JSON Schema of an inbox sidecar `<file>.meta.toml`.
pub fn sidecar_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(inbox::Sidecar))
        .expect("a generated schema serialises")
}
pub use state::{PeerError, PeerStatus};

use crate::peers::Scheduled;
use crate::state::State as NodeState;

/// Why the daemon could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The library could not be opened or created.
    #[error("the library at {path}: {message}")]
    Library {
        /// Where.
        path: std::path::PathBuf,
        /// What went wrong, with its causes.
        message: String,
    },
    /// The configured identity is not valid for commits.
    #[error("identity: {0}")]
    Identity(String),
    /// The admin token file could not be read.
    #[error("cannot read the admin token file {path}: {source}")]
    Token {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("serving: {0}")]
    Serve(#[source] std::io::Error),
}

/// How often the search index looks for a new head.
const SEARCH_FOLLOW: std::time::Duration = std::time::Duration::from_secs(2);

/// What every task and handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    pub library: Library,
    pub identity: Identity,
    pub state: NodeState,
    pub peers: Vec<Scheduled>,
    pub admin_token: Option<String>,
    /// Turns for the API's library work ([`api::MAX_BUSY`]).
    pub api_slots: Arc<tokio::sync::Semaphore>,
    /// Feeds made, per head.
    pub feeds: feeds::FeedCache,
    /// Comparisons made, by versions, format and title (64 MiB at most).
    pub diffs: api::Memo<axum::body::Bytes>,
    /// Answers kept for the head they were made at (64 MiB at most).
    pub answers: api::Memo<api::Reply>,
    /// Who may write through the API.
    pub writers: Vec<api::write::Writer>,
    /// Who may review drafts (same shape as a writer).
    pub reviewers: Vec<api::write::Writer>,
    /// The search index, opened on first use or by the start-up task and
    /// brought to the head before each search.
    pub search: std::sync::Mutex<Option<wenku_search::SearchIndex>>,
    /// Region names the web pages read from the library, per head.
    pub region_names: web::regions::Names,
}

/// The configured writers or reviewers with their tokens read.
fn tokens(
    configured: &[config::WriterConfig],
    role: &str,
) -> Result<Vec<api::write::Writer>, ServerError> {
    let mut out = Vec::new();
    for w in configured {
        let token = std::fs::read_to_string(&w.token_file)
            .map_err(|source| ServerError::Token {
                path: w.token_file.clone(),
                source,
            })?
            .trim()
            .to_string();
        if token.chars().count() < 16 {
            return Err(ServerError::Token {
                path: w.token_file.clone(),
                source: std::io::Error::other(format!(
                    "a {role}'s token must be at least 16 characters"
                )),
            });
        }
        out.push(api::write::Writer {
            identity: Identity::new(&w.name, &w.email)
                .map_err(|e| ServerError::Identity(format!("{role} {:?}: {e}", w.name)))?,
            token,
            regions: w.regions.clone(),
        });
    }
    Ok(out)
}

/// Readies the search index for the next reader
/// ([`wenku_search::SearchIndex::warm`]: the word dictionary, each
/// segment's dates and columns). Only a saving: should it fail, the search
/// that needs them reads them, or says why.
fn warm(index: &wenku_search::SearchIndex) {
    if let Err(e) = index.warm() {
        tracing::warn!(error = %e, "the search index could not be warmed");
    }
}

/// Opens the library, creating it with the configured region if the path
/// does not exist.
fn open_library(config: &Config, identity: &Identity) -> Result<Library, ServerError> {
    let key = match &config.key {
        None => None,
        Some(path) => Some(std::sync::Arc::new(
            wenku_store::signing::NodeKey::read(path).map_err(|e| ServerError::Library {
                path: config.library.clone(),
                message: format!("the node key: {e}"),
            })?,
        )),
    };
    let library = open_or_create(config, identity, key.clone())?;
    let library = match key {
        Some(k) => library.with_key(k),
        None => {
            tracing::warn!("no node key configured (key = …): this node's commits are not signed");
            library
        }
    };
    if let Some(file) = &config.trust_root {
        let root = std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|t| wenku_store::signing::parse_public(&t))
            .map_err(|e| ServerError::Library {
                path: config.library.clone(),
                message: format!("trust_root {}: {e}", file.display()),
            })?;
        library.pin_root(&root).map_err(|e| ServerError::Library {
            path: config.library.clone(),
            message: format!("pinning the trust root's key: {e}"),
        })?;
    }
    Ok(library)
}

fn open_or_create(
    config: &Config,
    identity: &Identity,
    key: Option<std::sync::Arc<wenku_store::signing::NodeKey>>,
) -> Result<Library, ServerError> {
    let fail = |e: &dyn std::error::Error| ServerError::Library {
        path: config.library.clone(),
        message: peers::chain(e),
    };
    if config.library.exists() {
        let library = Library::open(&config.library).map_err(|e| fail(&e))?;
        if library.authority().node() != config.region {
            return Err(ServerError::Library {
                path: config.library.clone(),
                message: format!(
                    "it is the library of {}, but the configuration says region = {}",
                    library.authority().node(),
                    config.region
                ),
            });
        }
        return Ok(library);
    }
    let mut options = InitOptions::new(identity.clone());
    if let Some(k) = key {
        options = options.key(k);
    }
    for h in &config.hosting {
        options = options.hosting(*h);
    }
    tracing::info!(path = %config.library.display(), region = %config.region, "creating the library");
    Library::init(&config.library, config.region, options).map_err(|e| fail(&e))
}

/// Runs the node on `listener` until `shutdown` is cancelled. The listener
/// is bound by the caller (so a test or a socket-activated unit can hand
/// one over); `config.listen` is only what the binary binds by default.
pub async fn run(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> Result<(), ServerError> {
    run_with(config, listener, Control::new(shutdown)).await
}

/// How the embedding program steers a running node.
pub struct Control {
    /// Cancelled to stop the node.
    pub shutdown: CancellationToken,
    /// Notified to pull every peer at once (the binary does it on SIGHUP).
    pub pull_now: Arc<tokio::sync::Notify>,
    /// Called once the library is open and the node is about to serve
    /// (the binary tells systemd `READY=1`).
    pub on_ready: Option<Box<dyn FnOnce() + Send>>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("shutdown", &self.shutdown)
            .finish_non_exhaustive()
    }
}

impl Control {
    /// A control with only a shutdown token.
    pub fn new(shutdown: CancellationToken) -> Control {
        Control {
            shutdown,
            pull_now: Arc::new(tokio::sync::Notify::new()),
            on_ready: None,
        }
    }
}

/// [`run`], steered by a [`Control`].
pub async fn run_with(
    config: Config,
    listener: tokio::net::TcpListener,
    control: Control,
) -> Result<(), ServerError> {
    let Control {
        shutdown,
        pull_now,
        on_ready,
    } = control;
    let identity = Identity::new(&config.identity.name, &config.identity.email)
        .map_err(|e| ServerError::Identity(e.to_string()))?;
    let admin_token = match &config.admin.token_file {
        None => None,
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|source| ServerError::Token {
                    path: path.clone(),
                    source,
                })?
                .trim()
                .to_string(),
        ),
    };
    let writers = tokens(&config.writers, "writer")?;
    let reviewers = tokens(&config.reviewers, "reviewer")?;
    let library = {
        let (config, identity) = (config.clone(), identity.clone());
        tokio::task::spawn_blocking(move || {
            let library = open_library(&config, &identity)?;
            if let Err(e) = library.refresh_index() {
                tracing::warn!(error = %e, "the index could not be brought current; reads walk the tree");
            }
            Ok::<_, ServerError>(library)
        })
        .await
        .map_err(|e| ServerError::Serve(std::io::Error::other(e)))??
    };
    let mut scheduled = Vec::new();
    let mut statuses = Vec::new();
    for child in &config.children {
        scheduled.push(Scheduled {
            peer: Peer::Child(child.region),
            url: child.url.clone(),
            trigger: tokio::sync::Notify::new(),
        });
        statuses.push(state::peer_status(child.region, "child", &child.url));
    }
    if let Some(parent) = &config.parent {
        scheduled.push(Scheduled {
            peer: Peer::Parent(parent.region),
            url: parent.url.clone(),
            trigger: tokio::sync::Notify::new(),
        });
        statuses.push(state::peer_status(parent.region, "parent", &parent.url));
    }
    for (s, status) in scheduled.iter().zip(statuses.iter_mut()) {
        status.accepted_head = library
            .accepted_head(s.peer.region())
            .ok()
            .flatten()
            .map(|h| h.to_string());
        status.quarantined_head = library
            .quarantined_head(s.peer.region())
            .ok()
            .flatten()
            .map(|h| h.to_string());
    }
    let inbox = config.inbox.clone();
    let shared = Arc::new(Shared {
        state: NodeState::new(statuses, inbox.is_some()),
        config,
        library,
        identity,
        peers: scheduled,
        admin_token,
        api_slots: Arc::new(tokio::sync::Semaphore::new(api::MAX_BUSY)),
        feeds: feeds::FeedCache::default(),
        diffs: api::Memo::new(64 * 1024 * 1024, |b| b.len()),
        answers: api::Memo::new(64 * 1024 * 1024, |r| r.body.len() + r.etag.len() + 64),
        writers,
        reviewers,
        search: std::sync::Mutex::new(None),
        region_names: web::regions::Names::default(),
    });

    let work = CancellationToken::new();
    // The search index, brought to the head in the background so that the
    // first search does not wait for a build (searches meanwhile get 503).
    {
        let shared = Arc::clone(&shared);
        tokio::task::spawn_blocking(move || {
            let Ok(mut slot) = shared.search.lock() else {
                return;
            };
            let started = std::time::Instant::now();
            let ready = wenku_search::SearchIndex::open(&shared.library).and_then(|mut index| {
                let refresh = index.refresh(&shared.library, &mut |_| {})?;
                warm(&index);
                Ok((index, refresh))
            });
            match ready {
                Ok((index, refresh)) => {
                    tracing::info!(
                        ?refresh,
                        seconds = started.elapsed().as_secs_f64(),
                        "search index ready"
                    );
                    *slot = Some(index);
                }
                Err(e) => {
                    tracing::error!(error = %e, "the search index could not be made; searches will try again")
                }
            }
        });
    }
    let mut tasks = tokio::task::JoinSet::new();
    // The search index is kept current after every publish and pull: when
    // the head moves, it takes the changes (a search would too, but would
    // then wait for them).
    {
        let (shared, work) = (Arc::clone(&shared), work.clone());
        tasks.spawn(async move {
            let mut seen = None;
            loop {
                tokio::select! {
                    _ = work.cancelled() => return,
                    _ = tokio::time::sleep(SEARCH_FOLLOW) => {}
                }
                let shared = Arc::clone(&shared);
                let last = seen;
                let done = tokio::task::spawn_blocking(move || {
                    let head = shared.library.head().ok()?;
                    if Some(head) == last {
                        return Some(head);
                    }
                    let mut slot = shared.search.try_lock().ok()?;
                    let index = slot.as_mut()?;
                    match index.refresh(&shared.library, &mut |_| {}) {
                        Ok(refresh) => {
                            tracing::debug!(?refresh, "the search index follows the head");
                            warm(index);
                            Some(head)
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "the search index could not follow the head");
                            None
                        }
                    }
                })
                .await;
                if let Ok(Some(head)) = done {
                    seen = Some(head);
                }
            }
        });
    }
    for i in 0..shared.peers.len() {
        tasks.spawn(peers::run(Arc::clone(&shared), i, work.clone()));
    }
    if let Some(inbox) = inbox {
        tasks.spawn(inbox::run(Arc::clone(&shared), inbox, work.clone()));
    }
    if shared.config.sweep.enabled {
        tasks.spawn(sweep::run(Arc::clone(&shared), work.clone()));
    }
    {
        let (shared, work) = (Arc::clone(&shared), work.clone());
        tasks.spawn(async move {
            loop {
                tokio::select! {
                    _ = work.cancelled() => return,
                    _ = pull_now.notified() => {
                        tracing::info!("pulling every peer now");
                        for p in &shared.peers {
                            p.trigger.notify_one();
                        }
                    }
                }
            }
        });
    }

    if let Some(ready) = on_ready {
        ready();
    }
    let app = router(Arc::clone(&shared));
    let addr = listener.local_addr().map_err(ServerError::Serve)?;
    tracing::info!(%addr, node = %shared.config.region, "serving");
    let stopping = {
        let (shutdown, shared, work) = (shutdown.clone(), Arc::clone(&shared), work.clone());
        async move {
            shutdown.cancelled().await;
            shared.state.draining.store(true, Ordering::SeqCst);
            work.cancel();
        }
    };
    let grace = shared.config.shutdown_grace;
    let serve = axum::serve(listener, app).with_graceful_shutdown(stopping);
    let served = {
        let shutdown = shutdown.clone();
        async move {
            // The server stops taking connections at once; running requests
            // get the grace period (a stuck client must not hold the stop).
            tokio::select! {
                r = serve => r,
                _ = async { shutdown.cancelled().await; tokio::time::sleep(grace).await } => Ok(()),
            }
        }
    };
    served.await.map_err(ServerError::Serve)?;
    let drained =
        tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(
            ?grace,
            "work still running after the grace period; leaving it"
        );
    }
    tracing::info!("stopped");
    Ok(())
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/livez", get(|| async { "ok\n" }))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/status", get(status))
        .route("/metrics", get(metrics))
        .route("/admin/pull", post(admin_pull))
        .route("/git/{*path}", any(git_http::serve))
        // Pages and JSON travel compressed when the reader takes it; git's
        // packs are compressed already.
        .merge(
            api::routes()
                .merge(web::routes())
                .layer(tower_http::compression::CompressionLayer::new()),
        )
        .fallback(web::not_found)
        .with_state(shared)
}

async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    let s = &shared.state;
    if s.draining.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining\n").into_response();
    }
    if !s.first_scan_done.load(Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "first inbox scan not done\n",
        )
            .into_response();
    }
    let indexed = {
        let shared = Arc::clone(&shared);
        tokio::task::spawn_blocking(move || shared.library.indexed_commit().is_some())
            .await
            .unwrap_or(false)
    };
    if !indexed {
        return (StatusCode::SERVICE_UNAVAILABLE, "the index is not loaded\n").into_response();
    }
    debug_assert!(s.ready());
    "ready\n".into_response()
}

/// `GET /status`.
#[derive(Debug, Serialize)]
struct Status {
    node: String,
    hosted: Vec<String>,
    head: Option<String>,
    ready: bool,
    draining: bool,
    started: u64,
    peers: Vec<PeerStatus>,
    inbox: Option<InboxStatus>,
    git_requests: u64,
}

#[derive(Debug, Serialize)]
struct InboxStatus {
    dir: String,
    published: u64,
    unchanged: u64,
    rejected: u64,
    last_scan: Option<u64>,
}

async fn status(State(shared): State<Arc<Shared>>) -> Response {
    let s = &shared.state;
    let head = {
        let shared = Arc::clone(&shared);
        tokio::task::spawn_blocking(move || shared.library.head().ok())
            .await
            .ok()
            .flatten()
    };
    let body = Status {
        node: shared.config.region.to_string(),
        hosted: shared
            .library
            .authority()
            .hosted()
            .iter()
            .map(|r| r.to_string())
            .collect(),
        head: head.map(|h| h.to_string()),
        ready: s.ready(),
        draining: s.draining.load(Ordering::SeqCst),
        started: s.started,
        peers: s.peers(),
        inbox: shared.config.inbox.as_ref().map(|i| InboxStatus {
            dir: i.dir.display().to_string(),
            published: s.inbox.published.load(Ordering::Relaxed),
            unchanged: s.inbox.unchanged.load(Ordering::Relaxed),
            rejected: s.inbox.rejected.load(Ordering::Relaxed),
            last_scan: Some(s.inbox.last_scan.load(Ordering::Relaxed)).filter(|t| *t > 0),
        }),
        git_requests: s.git_requests.load(Ordering::Relaxed),
    };
    axum::Json(body).into_response()
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    use std::fmt::Write;
    let s = &shared.state;
    let mut text = String::new();
    let mut family = |name: &str, kind: &str, help: &str, samples: Vec<(String, String)>| {
        let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(text, "{name}{labels} {value}");
        }
    };
    family(
        "wenkud_inbox_files_total",
        "counter",
        "Inbox files taken, by outcome.",
        [
            ("published", &s.inbox.published),
            ("unchanged", &s.inbox.unchanged),
            ("rejected", &s.inbox.rejected),
        ]
        .into_iter()
        .map(|(o, c)| {
            (
                format!("{{outcome=\"{o}\"}}"),
                c.load(Ordering::Relaxed).to_string(),
            )
        })
        .collect(),
    );
    let peers = s.peers();
    let per_peer = |value: fn(&PeerStatus) -> String| -> Vec<(String, String)> {
        peers
            .iter()
            .map(|p| {
                (
                    format!("{{peer=\"{}\",direction=\"{}\"}}", p.region, p.direction),
                    value(p),
                )
            })
            .collect()
    };
    family(
        "wenkud_pulls_ok_total",
        "counter",
        "Pulls that succeeded, by peer.",
        per_peer(|p| p.pulls_ok.to_string()),
    );
    family(
        "wenkud_pulls_failed_total",
        "counter",
        "Pulls that failed or were refused, by peer.",
        per_peer(|p| p.pulls_failed.to_string()),
    );
    family(
        "wenkud_pull_seconds_total",
        "counter",
        "Seconds spent pulling, by peer.",
        per_peer(|p| p.pull_seconds.to_string()),
    );
    family(
        "wenkud_pull_bytes_total",
        "counter",
        "Pack bytes fetched, by peer.",
        per_peer(|p| p.bytes_fetched.to_string()),
    );
    family(
        "wenkud_git_requests_total",
        "counter",
        "Git smart HTTP requests served.",
        vec![(
            String::new(),
            s.git_requests.load(Ordering::Relaxed).to_string(),
        )],
    );
    let library = {
        let shared = Arc::clone(&shared);
        tokio::task::spawn_blocking(move || {
            let head = shared.library.head().ok();
            let works = shared
                .library
                .snapshot()
                .ok()
                .and_then(|s| s.works(&wenku_model::query::Filter::all()).ok())
                .map(|w| w.len());
            (head, shared.library.indexed_commit(), works)
        })
        .await
        .ok()
    };
    if let Some((head, indexed, works)) = library {
        if let Some(works) = works {
            family(
                "wenkud_library_works",
                "gauge",
                "Works in the library at its head.",
                vec![(String::new(), works.to_string())],
            );
        }
        family(
            "wenkud_index_current",
            "gauge",
            "Whether the index describes the head (1) or reads walk the tree (0).",
            vec![(
                String::new(),
                u8::from(head.is_some() && head == indexed).to_string(),
            )],
        );
    }
    family(
        "wenkud_ready",
        "gauge",
        "Whether the node is ready (1) or not (0).",
        vec![(String::new(), u8::from(s.ready()).to_string())],
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

#[derive(Debug, serde::Deserialize)]
struct PullQuery {
    peer: Option<String>,
}

/// `POST /admin/pull[?peer=REGION]` with `Authorization: Bearer TOKEN`:
/// pulls now instead of at the next scheduled time.
async fn admin_pull(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<PullQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = &shared.admin_token else {
        return (StatusCode::NOT_FOUND, "no admin token is configured\n").into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !presented.is_some_and(|p| constant_time_eq(p.as_bytes(), token.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            "a valid bearer token is required\n",
        )
            .into_response();
    }
    let mut triggered = Vec::new();
    for p in &shared.peers {
        if q.peer
            .as_deref()
            .is_none_or(|r| r == p.peer.region().as_str())
        {
            p.trigger.notify_one();
            triggered.push(p.peer.region().to_string());
        }
    }
    if triggered.is_empty() {
        return (StatusCode::NOT_FOUND, "no such peer\n").into_response();
    }
    (
        StatusCode::ACCEPTED,
        axum::Json(serde_json::json!({ "pulling": triggered })),
    )
        .into_response()
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
