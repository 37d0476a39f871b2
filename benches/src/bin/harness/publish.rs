//! Benchmark 3: the cost of one publish as the library grows.
//!
//! wenku: a new work with one version (a generated normative document,
//! imported from its text file) published into the library the import
//! benchmark built — one commit of loose objects moved by compare-and-swap.
//! In-process (`Library::publish` timed alone, many in one process) and as a
//! whole process (open, import the file, publish). git: the same text
//! committed as a new file with a one-commit `git fast-import` continuing
//! `main` (`from refs/heads/main^0`).
//!
//! The target compares scales (one publish at 1M versions within 1.5× of
//! the same at 10k); `harness report` judges it from each scale's results.

use std::error::Error;
use std::io::Write;

use serde_json::json;
use wenku_bench::files::Entry;
use wenku_model::{Date, DocType};

use crate::context::{Ctx, harness_command, now, say};
use crate::git;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Runs the benchmark.
pub fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.run.clear("publish");
    let lib = ctx.ensure_library()?;
    let peer = ctx.ensure_peer()?;
    let n_in = ctx.samples(50, 3);
    let n_proc = ctx.samples(15, 2);
    let entry: Entry = ctx
        .manifest()?
        .entries
        .iter()
        .find(|e| e.doc_type == DocType::Normative)
        .or_else(|| ctx.manifest().ok()?.entries.first())
        .cloned()
        .ok_or("the corpus has no versions")?;
    let text = ctx.texts().join(&entry.file);
    let tag = format!("{}p{}", now(), std::process::id());
    let args = |count: usize, run: usize| {
        vec![
            "publish".to_string(),
            "--library".into(),
            lib.display().to_string(),
            "--text".into(),
            text.display().to_string(),
            "--tag".into(),
            format!("{tag}r{run}"),
            "--count".into(),
            count.to_string(),
        ]
    };

    say(format!("publish: {n_in} publishes in one process"));
    let (_, report) = ctx.probe(&args(n_in, 0), false)?;
    ctx.row(
        "publish/wenku",
        "one publish (Library::publish of a new work), library opened once",
        "wenku",
        "in-process",
        &report.samples,
        report.peak_rss_kib,
        &format!(
            "{} (probe: harness probe publish --library LIB --text FILE --count N)",
            harness_command(ctx, "publish")
        ),
        json!({ "text": entry.file }),
    )?;

    say(format!("publish: {n_proc} processes"));
    let (mut walls, mut peak) = (Vec::new(), None);
    for run in 1..=n_proc {
        let (wall, r) = ctx.probe(&args(1, run), false)?;
        walls.push(wall);
        peak = peak.max(r.peak_rss_kib);
    }
    ctx.row(
        "publish/wenku-process",
        "a whole process: open, import the file, publish",
        "wenku",
        "process",
        &walls,
        peak,
        "harness probe publish --library LIB --text FILE --count 1",
        serde_json::Value::Null,
    )?;

    say(format!("publish: {n_proc} one-commit git fast-imports"));
    let bytes = std::fs::read(&text)?;
    let published = Date::parse_iso("2026-07-01")?;
    let commit_one = |i: usize, gnu_time| {
        let path = format!("370000/bench-{tag}-{i}.txt");
        git::fast_import(&peer, gnu_time, &ctx.scratch(), |w: &mut dyn Write| {
            git::write_commit(
                w,
                &path,
                &bytes,
                published,
                "发布 基准测试文件\n",
                Some("refs/heads/main^0"),
            )
        })
    };
    let mut walls = Vec::new();
    for i in 0..n_proc {
        walls.push(commit_one(i, None)?.wall.as_secs_f64());
    }
    // Peak memory in one more run, so GNU time is not in the timings.
    let peak = match &ctx.gnu_time {
        Some(t) => commit_one(n_proc, Some(t))?.peak_rss_kib,
        None => None,
    };
    ctx.row(
        "publish/git",
        "one commit of a new file: git fast-import continuing main",
        "git",
        "process",
        &walls,
        peak,
        "(one commit, from refs/heads/main^0) | git fast-import --quiet --done",
        serde_json::Value::Null,
    )?;
    ctx.run.compare(
        "publish/wenku-process",
        "publish/git",
        "one publish, whole process vs one-commit fast-import",
        None,
        |_| None,
    );
    ctx.run.note(
        "publish",
        "the target (1M within 1.5× of 10k) compares scales: see `harness report`",
    );
    ctx.save()
}
