//! Benchmark 2: "what text was in force on date D" for random works and
//! dates.
//!
//! - wenku, in-process: `Library::open` once, then per query
//!   `Snapshot::text_as_of` and the plain-text rendering (`harness probe
//!   as-of`); per-query medians. The snapshot answers which version from
//!   the index the import built, and reads that version's blob from git.
//! - wenku, whole process: one `harness probe as-of-once` per query (open,
//!   answer, print the text), as a `wenku show --at` would.
//! - git, the git-only way, as real processes per query:
//!   `git log -1 --before=<D 23:59:59 +0800> --format=%H -- <path>`, then
//!   `git show <commit>:<path>`; in the repository as fast-import left it,
//!   and again after `git commit-graph write --reachable --changed-paths`
//!   (the commit-graph is removed afterwards).
//!
//! Queries: a work uniformly at random, a date uniformly between its first
//! publication and 2026-12-31; both sides answer the same queries. The git
//! series run for at most `--git-budget` seconds each (at least 5 queries).

use std::error::Error;
use std::fs;
use std::path::Path;
use std::time::Instant;

use serde_json::json;
use wenku_bench::files::Manifest;
use wenku_bench::rng::Rng;
use wenku_model::{Date, WorkId};

use crate::context::{Ctx, harness_command, say};
use crate::git;
use crate::measure::{self, GnuTime};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// One query: a work, its file in the git repository, a date.
#[derive(Clone, Debug)]
pub struct Query {
    /// The work.
    pub work: WorkId,
    /// Its path in the peer repository.
    pub path: String,
    /// The date.
    pub date: Date,
}

/// `n` queries, the same for the same seed and corpus.
pub fn queries(manifest: &Manifest, seed: u64, n: usize) -> Result<Vec<Query>> {
    let works = manifest.works();
    if works.is_empty() {
        return Err("the corpus has no works".into());
    }
    let end = Date::parse_iso("2026-12-31")?.to_days();
    let mut rng = Rng::new(seed ^ 0xA50F_DA7E);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let w = works[rng.below(works.len())];
        let first = w[0].published.to_days();
        let day = first + rng.below((end - first).max(0) as usize + 1) as i64;
        out.push(Query {
            work: w[0].work.clone(),
            path: w[0].repo_path(),
            date: Date::from_days(day).ok_or("query date out of range")?,
        });
    }
    Ok(out)
}

/// One git-only as-of query: `git log` for the commit, `git show` for the
/// text. Returns the wall time of both and whether a text came back.
fn git_query(
    peer: &Path,
    q: &Query,
    rss: Option<(&GnuTime, &Path)>,
) -> Result<(f64, bool, Option<u64>)> {
    let log_args = vec![
        "-C".to_string(),
        peer.display().to_string(),
        "log".into(),
        "-1".into(),
        git::before(q.date),
        "--format=%H".into(),
        "--".into(),
        q.path.clone(),
    ];
    let mut peak = None;
    let start = Instant::now();
    let log = run_git(&log_args, rss)?;
    peak = peak.max(log.1);
    let commit = String::from_utf8_lossy(&log.0).trim().to_string();
    let mut answered = false;
    if !commit.is_empty() {
        let show_args = vec![
            "-C".to_string(),
            peer.display().to_string(),
            "show".into(),
            format!("{commit}:{}", q.path),
        ];
        let show = run_git(&show_args, rss)?;
        peak = peak.max(show.1);
        answered = !show.0.is_empty();
    }
    Ok((start.elapsed().as_secs_f64(), answered, peak))
}

/// Runs git (under GNU time when `rss` is given); its stdout and peak RSS.
fn run_git(args: &[String], rss: Option<(&GnuTime, &Path)>) -> Result<(Vec<u8>, Option<u64>)> {
    let mut c = match rss {
        Some((t, report)) => t.wrap("git", args, report),
        None => {
            let mut c = git::git();
            c.args(args);
            c
        }
    };
    git::isolate(&mut c);
    let out = measure::run_timed(&mut c, &[])?;
    Ok((
        out.output.stdout,
        rss.and_then(|(_, report)| GnuTime::read(report)),
    ))
}

/// Queries until `budget` seconds are spent (at least `min`, at most all).
fn git_series(
    ctx: &Ctx,
    peer: &Path,
    queries: &[Query],
    min: usize,
) -> Result<(Vec<f64>, usize, Option<u64>)> {
    let start = Instant::now();
    let mut samples = Vec::new();
    let mut answered = 0;
    for q in queries {
        if samples.len() >= min && start.elapsed().as_secs_f64() > ctx.o.git_budget {
            break;
        }
        let (t, a, _) = git_query(peer, q, None)?;
        samples.push(t);
        answered += usize::from(a);
    }
    // Peak memory in a separate pass, so GNU time's own start-up is not in
    // the timings.
    let mut peak = None;
    if let Some(t) = &ctx.gnu_time {
        let report = ctx.scratch().join("git-as-of.rss");
        for q in queries.iter().take(3) {
            peak = peak.max(git_query(peer, q, Some((t, &report)))?.2);
        }
    }
    Ok((samples, answered, peak))
}

/// Runs the benchmark.
pub fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.run.clear("as-of");
    let lib = ctx.ensure_library()?;
    let peer = ctx.ensure_peer()?;
    let n_in = ctx.o.queries.unwrap_or(ctx.samples(1000, 20));
    let n_proc = ctx.samples(50, 5);
    let n_git = ctx.samples(300, 5);
    let qs = queries(ctx.manifest()?, ctx.o.seed, n_in.max(n_proc).max(n_git))?;
    let file = ctx.scratch().join("as-of-queries.tsv");
    let text: String = qs
        .iter()
        .take(n_in)
        .map(|q| format!("{}\t{}\n", q.work, q.date))
        .collect();
    fs::write(&file, text)?;

    say(format!("as-of: {n_in} queries in one wenku process"));
    let args = vec![
        "as-of".to_string(),
        "--library".into(),
        lib.display().to_string(),
        "--query-file".into(),
        file.display().to_string(),
    ];
    let (_, report) = ctx.probe(&args, false)?;
    let answered = report.info.get("answered").cloned();
    ctx.row(
        "as-of/wenku",
        "per query: Snapshot::text_as_of (from the index) + plain-text rendering, library opened once",
        "wenku",
        "in-process",
        &report.samples,
        report.peak_rss_kib,
        &format!(
            "{} (probe: harness probe as-of --library LIB --query-file FILE)",
            harness_command(ctx, "as-of")
        ),
        json!({ "answered": answered, "queries": n_in }),
    )?;

    say(format!("as-of: {n_proc} queries, one wenku process each"));
    let (mut walls, mut peak) = (Vec::new(), None);
    for q in qs.iter().take(n_proc) {
        let args = vec![
            "as-of-once".to_string(),
            "--library".into(),
            lib.display().to_string(),
            q.work.to_string(),
            q.date.to_string(),
        ];
        let (wall, report) = ctx.probe(&args, true)?;
        walls.push(wall);
        peak = peak.max(report.peak_rss_kib);
    }
    ctx.row(
        "as-of/wenku-process",
        "per query: a whole process that opens the library, answers, prints the text",
        "wenku",
        "process",
        &walls,
        peak,
        "harness probe as-of-once --library LIB WORK DATE",
        serde_json::Value::Null,
    )?;

    say(format!(
        "as-of: git log + git show, up to {n_git} queries in {} s",
        ctx.o.git_budget
    ));
    let (samples, answered, peak) = git_series(ctx, &peer, &qs[..n_git.min(qs.len())], 5)?;
    ctx.row(
        "as-of/git",
        "per query: git log -1 --before + git show, repository as fast-import left it",
        "git",
        "process",
        &samples,
        peak,
        "git log -1 '--before=<D> 23:59:59 +0800' --format=%H -- <path>; git show <commit>:<path>",
        json!({ "answered": answered }),
    )?;

    say("as-of: git commit-graph write --reachable --changed-paths");
    let t = Instant::now();
    git::run([
        "-C",
        &peer.display().to_string(),
        "commit-graph",
        "write",
        "--reachable",
        "--changed-paths",
    ])?;
    let graph_s = t.elapsed().as_secs_f64();
    let result = git_series(ctx, &peer, &qs[..n_git.min(qs.len())], 5);
    for p in ["objects/info/commit-graph", "objects/info/commit-graphs"] {
        let p = peer.join(p);
        if p.is_dir() {
            fs::remove_dir_all(&p)?;
        } else if p.exists() {
            fs::remove_file(&p)?;
        }
    }
    let (samples, answered, peak) = result?;
    ctx.row(
        "as-of/git-commit-graph",
        "the same, after git commit-graph write --reachable --changed-paths (Bloom filters)",
        "git",
        "process",
        &samples,
        peak,
        "git commit-graph write --reachable --changed-paths; then the same git log + git show",
        json!({ "answered": answered, "commit_graph_write_s": graph_s }),
    )?;

    let scale = ctx.o.versions;
    let judge = move |r: f64| (scale >= 100_000).then_some(1.0 / r >= 1000.0);
    let target = "wenku ≥ 1000× faster at 100k versions";
    ctx.run.compare(
        "as-of/wenku",
        "as-of/git",
        "as-of: wenku in-process vs git log + git show",
        Some(target),
        judge,
    );
    ctx.run.compare(
        "as-of/wenku",
        "as-of/git-commit-graph",
        "as-of: wenku in-process vs git with commit-graph",
        Some(target),
        judge,
    );
    ctx.run.compare(
        "as-of/wenku-process",
        "as-of/git",
        "as-of: one wenku process vs git log + git show",
        None,
        |_| None,
    );
    ctx.save()
}
