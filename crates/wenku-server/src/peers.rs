//! Scheduled pulls: one task per peer. Each pulls on the configured
//! interval (±10 % jitter, so a province's children do not all arrive at
//! once), waits longer after each failure (doubling from one interval up
//! to `pull.max_backoff`, so a refused or dead peer is never retried in a
//! tight loop), and pulls at once when asked (`POST /admin/pull`, SIGHUP).
//! A pull runs on the blocking pool with its deadline and an interrupt
//! that shutdown sets; serving never waits for it.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use wenku_model::Region;
use wenku_store::federation::{Peer, PullOptions};

use crate::Shared;
use crate::state::{PeerError, after, now_secs};

/// A configured peer, as the scheduler holds it.
#[derive(Debug)]
pub(crate) struct Scheduled {
    pub peer: Peer,
    pub url: String,
    /// Pull now.
    pub trigger: Notify,
}

/// The wait before the next pull: the interval with ±10 % jitter after a
/// success; after `failures` failures in a row, the interval doubled
/// `failures - 1` times, capped at `max`, with the same jitter.
pub(crate) fn next_wait(interval: Duration, max: Duration, failures: u32, seed: u64) -> Duration {
    let base = if failures == 0 {
        interval
    } else {
        let factor = 1u32 << failures.saturating_sub(1).min(20);
        interval.saturating_mul(factor).min(max.max(interval))
    };
    // ±10 %, from a cheap deterministic mix of the seed.
    let mut x = seed ^ 0x9e37_79b9_7f4a_7c15;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    let permille = (x % 201) as i64 - 100; // -100 ..= 100
    let millis = base.as_millis() as i64;
    Duration::from_millis((millis + millis * permille / 1000).max(1) as u64)
}

fn seed(region: Region, attempt: u64) -> u64 {
    let mut h = attempt.wrapping_mul(0x100_0000_01b3);
    for b in region.as_str().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    h ^ u64::from(std::process::id()) ^ now_secs()
}

/// Runs one peer's schedule until `stop`.
pub(crate) async fn run(shared: Arc<Shared>, index: usize, stop: CancellationToken) {
    let scheduled = &shared.peers[index];
    let region = scheduled.peer.region();
    let pull = shared.config.pull.clone();
    // The first pull soon after start, spread over a few seconds.
    let mut wait = next_wait(
        Duration::from_millis(500),
        Duration::ZERO,
        0,
        seed(region, 0),
    );
    let mut attempt = 0u64;
    loop {
        shared
            .state
            .update_peer(index, |p| p.next_pull = Some(after(wait)));
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
            _ = scheduled.trigger.notified() => {}
        }
        if stop.is_cancelled() {
            return;
        }
        attempt += 1;
        let failures = pull_once(&shared, index, &stop).await;
        wait = next_wait(
            pull.interval,
            pull.max_backoff,
            failures,
            seed(region, attempt),
        );
    }
}

/// One pull of peer `index`; returns the failures in a row after it.
async fn pull_once(shared: &Arc<Shared>, index: usize, stop: &CancellationToken) -> u32 {
    let scheduled = &shared.peers[index];
    let (peer, url) = (scheduled.peer, scheduled.url.clone());
    let interrupt = Arc::new(AtomicBool::new(false));
    let options = PullOptions::new()
        .timeout(shared.config.pull.timeout)
        .follow_redirects(shared.config.pull.follow_redirects)
        .signatures(match shared.config.pull.signatures {
            crate::config::SignaturesConfig::Enforce => {
                wenku_store::federation::SignatureMode::Enforce
            }
            crate::config::SignaturesConfig::Warn => wenku_store::federation::SignatureMode::Warn,
        })
        .interrupt(Arc::clone(&interrupt));
    shared
        .state
        .update_peer(index, |p| p.last_attempt = Some(now_secs()));
    let started = Instant::now();
    let task = {
        let shared = Arc::clone(shared);
        tokio::task::spawn_blocking(move || {
            let result = shared.library.pull(&url, peer, &shared.identity, &options);
            let heads = (
                shared.library.accepted_head(peer.region()).ok().flatten(),
                shared
                    .library
                    .quarantined_head(peer.region())
                    .ok()
                    .flatten(),
            );
            if result.as_ref().is_ok_and(|r| r.changed())
                && let Err(e) = shared.library.refresh_index()
            {
                tracing::warn!(error = %e, "the index could not follow the pull");
            }
            (result, heads)
        })
    };
    // Shutdown interrupts a running pull; the pull itself leaves `main`
    // as it was or at the complete merge.
    let guard = {
        let stop = stop.clone();
        let interrupt = Arc::clone(&interrupt);
        tokio::spawn(async move {
            stop.cancelled().await;
            interrupt.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    let joined = task.await;
    guard.abort();
    let seconds = started.elapsed().as_secs_f64();
    let mut failures = 0;
    match joined {
        Ok((result, (accepted, quarantined))) => {
            shared.state.update_peer(index, |p| {
                p.pull_seconds += seconds;
                p.accepted_head = accepted.map(|h| h.to_string());
                p.quarantined_head = quarantined.map(|h| h.to_string());
                match &result {
                    Ok(report) => {
                        p.pulls_ok += 1;
                        p.last_success = Some(now_secs());
                        p.last_error = None;
                        p.consecutive_failures = 0;
                        p.bytes_fetched += report.fetch.pack_bytes;
                        if report.advanced() {
                            let s = &report.signatures;
                            for problem in &s.problems {
                                tracing::warn!(peer = %peer, kind = problem.kind.as_str(), %problem, "signature problem accepted (pull.signatures = \"warn\")");
                            }
                            p.signatures = Some(crate::state::PeerSignatures {
                                mode: s.mode,
                                checked: s.checked,
                                trust_serial: s.trust_serial,
                                problems: s
                                    .reason
                                    .iter()
                                    .cloned()
                                    .chain(s.problems.iter().map(|x| format!("{} {x}", x.kind.as_str())))
                                    .collect(),
                            });
                        }
                        if report.changed() {
                            tracing::info!(
                                peer = %peer,
                                added = report.added(),
                                changed = report.changed_works(),
                                removed = report.removed(),
                                seconds,
                                "pulled"
                            );
                        } else {
                            tracing::debug!(peer = %peer, seconds, "pulled: nothing new");
                        }
                    }
                    Err(e) => {
                        p.pulls_failed += 1;
                        p.consecutive_failures += 1;
                        p.last_error = Some(PeerError {
                            at: now_secs(),
                            kind: e.kind().to_string(),
                            message: chain(e),
                        });
                        tracing::warn!(peer = %peer, kind = e.kind(), error = %chain(e), "pull failed");
                    }
                }
                failures = p.consecutive_failures;
            });
        }
        Err(e) => {
            shared.state.update_peer(index, |p| {
                p.pulls_failed += 1;
                p.consecutive_failures += 1;
                p.last_error = Some(PeerError {
                    at: now_secs(),
                    kind: "internal".into(),
                    message: format!("the pull task ended abnormally: {e}"),
                });
                failures = p.consecutive_failures;
            });
        }
    }
    failures
}

/// An error with its causes, `: `-separated.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_jittered_and_back_off_to_the_cap() {
        let i = Duration::from_secs(300);
        let max = Duration::from_secs(3600);
        for seed in 0..200 {
            let w = next_wait(i, max, 0, seed);
            assert!(
                w >= Duration::from_secs(270) && w <= Duration::from_secs(330),
                "{w:?}"
            );
        }
        let third = next_wait(i, max, 3, 7);
        assert!(third >= Duration::from_secs(1080) && third <= Duration::from_secs(1320));
        let many = next_wait(i, max, 40, 7);
        assert!(many <= Duration::from_secs(3960), "{many:?}");
        let spread: std::collections::BTreeSet<_> =
            (0..50).map(|s| next_wait(i, max, 0, s)).collect();
        assert!(spread.len() > 10, "jitter spreads the peers");
    }
}
