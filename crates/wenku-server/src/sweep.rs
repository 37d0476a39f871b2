//! The quarterly safety sweep (安全巡查): once a quarter, every published
//! version is scanned for personal information and the quarter's report
//! written beside the library (`wenku sweep show` reads it; see
//! `wenku_service::sweep::report`). The sweep runs on the blocking pool
//! and changes nothing in the library: deciding each finding (withdraw
//! the version from public view, or mark a false positive) is an
//! operator's act.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use wenku_service::sweep::detect::Detectors;
use wenku_service::sweep::report::{self, Quarter};

use crate::Shared;

/// Sweeps when this quarter has no report yet; looks again every
/// `sweep.check`.
pub(crate) async fn run(shared: Arc<Shared>, work: CancellationToken) {
    loop {
        let one = Arc::clone(&shared);
        match tokio::task::spawn_blocking(move || once(&one)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, "the safety sweep failed; it is tried again at the next check")
            }
            Err(e) => tracing::error!(error = %e, "the safety sweep stopped"),
        }
        tokio::select! {
            _ = work.cancelled() => return,
            _ = tokio::time::sleep(shared.config.sweep.check) => {}
        }
    }
}

fn once(shared: &Shared) -> Result<(), String> {
    let today = crate::api::today().map_err(|p| p.detail().to_string())?;
    let quarter = Quarter::of(today);
    if report::load(&shared.library, quarter)
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(());
    }
    let words = match &shared.config.sweep.words {
        Some(path) => report::read_words(path).map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    let started = std::time::Instant::now();
    tracing::info!(%quarter, "the quarter's safety sweep starts");
    let snapshot = shared.library.snapshot().map_err(|e| e.to_string())?;
    let detectors = Detectors::new(words.clone());
    let report = report::sweep(
        &shared.library,
        &snapshot,
        &detectors,
        &words,
        today,
        &mut |_| {},
    )
    .map_err(|e| e.to_string())?;
    let path = report::save(&shared.library, &report).map_err(|e| e.to_string())?;
    tracing::info!(
        %quarter,
        versions = report.versions,
        findings = report.items.len(),
        open = report.open,
        seconds = started.elapsed().as_secs_f64(),
        report = %path.display(),
        "safety sweep done"
    );
    if report.open > 0 {
        tracing::warn!(
            %quarter,
            open = report.open,
            "the safety sweep found personal information served publicly: `wenku sweep show` lists it"
        );
    }
    Ok(())
}
