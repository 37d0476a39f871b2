//! What the node knows about itself while it runs: readiness, each peer's
//! last pull, the inbox's counts. Handlers read it for `/status`,
//! `/readyz` and `/metrics`; the pull and inbox tasks write it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use wenku_model::Region;

/// Seconds since 1970 now.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// One peer's pull history.
#[derive(Clone, Debug, Serialize)]
pub struct PeerStatus {
    /// The peer's region.
    pub region: String,
    /// `child` (pulled up) or `parent` (pulled down).
    pub direction: &'static str,
    /// Where it is pulled from, without any password.
    pub url: String,
    /// When the last pull started (Unix seconds).
    pub last_attempt: Option<u64>,
    /// When a pull last succeeded.
    pub last_success: Option<u64>,
    /// The last failure: its kind and message. Cleared by a success.
    pub last_error: Option<PeerError>,
    /// Failures since the last success.
    pub consecutive_failures: u32,
    /// When the next scheduled pull starts.
    pub next_pull: Option<u64>,
    /// The peer's head accepted last.
    pub accepted_head: Option<String>,
    /// A refused head kept in quarantine.
    pub quarantined_head: Option<String>,
    /// Pulls that succeeded.
    pub pulls_ok: u64,
    /// Pulls that failed or were refused.
    pub pulls_failed: u64,
    /// Total seconds spent pulling.
    pub pull_seconds: f64,
    /// Bytes of packs received.
    pub bytes_fetched: u64,
    /// How the last accepted pull checked signatures.
    pub signatures: Option<PeerSignatures>,
}

/// How a pull checked the signatures of the peer's new commits.
#[derive(Clone, Debug, Serialize)]
pub struct PeerSignatures {
    /// `enforced`, `warn` or `not-checked`.
    pub mode: &'static str,
    /// Commits checked.
    pub checked: usize,
    /// The trust file's serial, if any.
    pub trust_serial: Option<u64>,
    /// Why they were not checked, or the problems accepted in warn mode.
    pub problems: Vec<String>,
}

/// A failed pull, as the status shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PeerError {
    /// When (Unix seconds).
    pub at: u64,
    /// The refusal or failure kind (`rewritten-history`, `timeout` …).
    pub kind: String,
    /// The message, with its causes.
    pub message: String,
}

/// The inbox's counts.
#[derive(Debug, Default)]
pub(crate) struct InboxCounts {
    pub published: AtomicU64,
    pub unchanged: AtomicU64,
    pub rejected: AtomicU64,
    pub last_scan: AtomicU64,
}

/// The running node.
#[derive(Debug)]
pub(crate) struct State {
    pub peers: Mutex<Vec<PeerStatus>>,
    pub inbox: InboxCounts,
    pub first_scan_done: AtomicBool,
    pub draining: AtomicBool,
    pub git_requests: AtomicU64,
    pub started: u64,
}

impl State {
    pub(crate) fn new(peers: Vec<PeerStatus>, inbox: bool) -> State {
        State {
            peers: Mutex::new(peers),
            inbox: InboxCounts::default(),
            first_scan_done: AtomicBool::new(!inbox),
            draining: AtomicBool::new(false),
            git_requests: AtomicU64::new(0),
            started: now_secs(),
        }
    }

    pub(crate) fn peers(&self) -> Vec<PeerStatus> {
        self.peers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn update_peer(&self, i: usize, f: impl FnOnce(&mut PeerStatus)) {
        let mut peers = self
            .peers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(p) = peers.get_mut(i) {
            f(p);
        }
    }

    pub(crate) fn ready(&self) -> bool {
        self.first_scan_done.load(Ordering::SeqCst) && !self.draining.load(Ordering::SeqCst)
    }
}

/// A new peer's status.
pub(crate) fn peer_status(region: Region, direction: &'static str, url: &str) -> PeerStatus {
    PeerStatus {
        region: region.to_string(),
        direction,
        url: without_password(url),
        last_attempt: None,
        last_success: None,
        last_error: None,
        consecutive_failures: 0,
        next_pull: None,
        accepted_head: None,
        quarantined_head: None,
        pulls_ok: 0,
        pulls_failed: 0,
        pull_seconds: 0.0,
        bytes_fetched: 0,
        signatures: None,
    }
}

/// `http://user:secret@host/` → `http://user@host/`.
pub(crate) fn without_password(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.split_once('@')
        && let Some((user, _)) = userinfo.split_once(':')
    {
        return format!("{scheme}://{user}@{host}");
    }
    url.to_string()
}

/// Seconds from now until `d` has passed, as a Unix time.
pub(crate) fn after(d: Duration) -> u64 {
    now_secs().saturating_add(d.as_secs())
}
