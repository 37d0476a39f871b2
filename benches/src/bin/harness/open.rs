//! Benchmark 4: opening the library (`Library::open` and a snapshot of
//! main: ready for the first query), with a warm and a cold page cache.
//!
//! Cold means the library's files are not in the page cache: before each
//! cold sample the harness writes them back (`syncfs`) and drops them with
//! `posix_fadvise(POSIX_FADV_DONTNEED)` on every file under the library
//! (other processes' cache is left alone); `fincore` confirms how much of
//! the library stayed resident. The harness binary itself stays cached. On
//! a virtual machine the host may still hold the disk image in its cache.
//!
//! `git rev-parse main` in the peer repository is measured beside it as a
//! reference for what starting a process and reading a ref costs; it is not
//! a target.

use std::error::Error;

use serde_json::json;

use crate::context::{Ctx, git_timed, harness_command, say};
use crate::measure;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Runs the benchmark.
pub fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.run.clear("open");
    let lib = ctx.ensure_library()?;
    let peer = ctx.ensure_peer()?;
    let n_in = ctx.samples(50, 5);
    let n_proc = ctx.samples(15, 2);
    let lib_arg = lib.display().to_string();
    let open_args = |count: usize| {
        vec![
            "open".to_string(),
            "--library".into(),
            lib_arg.clone(),
            "--count".into(),
            count.to_string(),
        ]
    };

    // Let earlier benchmarks' writeback finish first: cold reads queue
    // behind it.
    measure::sync();
    say("open: warm");
    ctx.probe(&open_args(1), false)?;
    let (_, report) = ctx.probe(&open_args(n_in + 1), false)?;
    // The first open in a process also initialises gix; that is in the
    // whole-process rows below.
    let warm = report.samples.get(1..).unwrap_or(&[]).to_vec();
    ctx.row(
        "open/wenku-warm",
        "Library::open + snapshot, warm cache, repeated in one process",
        "wenku",
        "in-process",
        &warm,
        report.peak_rss_kib,
        &format!(
            "{} (probe: harness probe open --library LIB --count N)",
            harness_command(ctx, "open")
        ),
        serde_json::Value::Null,
    )?;
    let (mut walls, mut firsts, mut peak) = (Vec::new(), Vec::new(), None);
    for _ in 0..n_proc {
        let (wall, r) = ctx.probe(&open_args(1), false)?;
        walls.push(wall);
        firsts.extend(r.samples.first());
        peak = peak.max(r.peak_rss_kib);
    }
    ctx.row(
        "open/wenku-warm-process",
        "a whole process that opens the library, warm cache",
        "wenku",
        "process",
        &walls,
        peak,
        "harness probe open --library LIB --count 1",
        json!({ "open_in_process_median_s": measure::Stats::of(&firsts).map(|s| s.median) }),
    )?;

    say("open: cold (posix_fadvise DONTNEED on the library's files)");
    let resident_warm = measure::resident_bytes(&lib);
    let (mut walls, mut firsts, mut peak) = (Vec::new(), Vec::new(), None);
    let mut resident_evicted = None;
    for i in 0..n_proc {
        measure::evict(&lib)?;
        if i == 0 {
            resident_evicted = measure::resident_bytes(&lib);
        }
        let (wall, r) = ctx.probe(&open_args(1), false)?;
        walls.push(wall);
        firsts.extend(r.samples.first());
        peak = peak.max(r.peak_rss_kib);
    }
    let library_bytes = measure::disk_bytes(&lib)?;
    let info = json!({
        "library_bytes": library_bytes,
        "resident_bytes_warm": resident_warm,
        "resident_bytes_after_eviction": resident_evicted,
        "eviction": "syncfs + posix_fadvise(DONTNEED) on every file of the library",
    });
    ctx.row(
        "open/wenku-cold",
        "Library::open + snapshot, library evicted from the page cache",
        "wenku",
        "in-process",
        &firsts,
        peak,
        "harness probe open --library LIB --count 1, after eviction",
        info.clone(),
    )?;
    ctx.row(
        "open/wenku-cold-process",
        "a whole process that opens the library, library evicted",
        "wenku",
        "process",
        &walls,
        peak,
        "harness probe open --library LIB --count 1, after eviction",
        info,
    )?;

    say("open: git rev-parse main, for reference");
    let args = vec![
        "-C".to_string(),
        peer.display().to_string(),
        "rev-parse".into(),
        "main".into(),
    ];
    let mut warm = Vec::new();
    for _ in 0..n_proc {
        warm.push(git_timed(&args, &[])?.0);
    }
    ctx.row(
        "open/git-warm",
        "reference: git rev-parse main (process start + reading a ref)",
        "git",
        "process",
        &warm,
        None,
        "git -C PEER rev-parse main",
        serde_json::Value::Null,
    )?;
    let mut cold = Vec::new();
    for _ in 0..n_proc {
        measure::evict(&peer)?;
        cold.push(git_timed(&args, &[])?.0);
    }
    ctx.row(
        "open/git-cold",
        "reference: git rev-parse main, repository evicted",
        "git",
        "process",
        &cold,
        None,
        "git -C PEER rev-parse main, after eviction",
        serde_json::Value::Null,
    )?;
    ctx.run.compare(
        "open/wenku-cold-process",
        "open/git-cold",
        "open (cold, whole process) vs git rev-parse (reference only)",
        None,
        |_| None,
    );
    let scale = ctx.o.versions;
    for row in ["open/wenku-warm", "open/wenku-cold"] {
        ctx.run.check(row, "open < 50 ms at 1M versions", |m| {
            (scale >= 1_000_000).then_some(m < 0.050)
        });
    }
    if resident_evicted.is_none() {
        ctx.run.note(
            "open",
            "fincore (util-linux) is not installed: eviction was not confirmed",
        );
    }
    ctx.save()
}
