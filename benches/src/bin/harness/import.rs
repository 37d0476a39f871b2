//! Benchmark 1: import of the generated texts into a new library against
//! `git fast-import` of the same texts as files, one commit per version.
//!
//! wenku: `harness probe import` reads each text file, imports it with
//! `wenku_import::import_bytes` (type and dates given as `wenku import`
//! flags would give them) and writes its text ahead (`TextPack`), commits
//! batches of about 5,000 versions — the path a `wenku import` of many
//! files takes, one file at a time here — and then
//! builds the index (`Library::refresh_index`), which a new library would
//! otherwise build on its first read; that build is counted. git: the
//! harness reads the same files in date order and streams them to
//! `git fast-import`, one commit per version dated with its legal date, one
//! file per work. Both are whole processes timed from spawn to exit,
//! alternating, after a `sync`.

use std::error::Error;
use std::fs;
use std::path::Path;

use serde_json::json;

use crate::context::{Ctx, harness_command, say};
use crate::git::{self, FastImport};
use crate::measure::{self, Stats};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The probe arguments that import the corpus into a new library.
pub fn wenku_args(corpus: &Path, library: &Path) -> Vec<String> {
    vec![
        "import".into(),
        "--corpus".into(),
        corpus.display().to_string(),
        "--library".into(),
        library.display().to_string(),
    ]
}

/// Builds the peer repository at `repo` with `git fast-import`.
pub fn git_import(ctx: &Ctx, repo: &Path) -> Result<FastImport> {
    git::init_bare(repo)?;
    let manifest = ctx.manifest()?;
    let dated = manifest.by_date();
    let texts = ctx.texts();
    Ok(git::fast_import(
        repo,
        ctx.gnu_time.as_ref(),
        &ctx.scratch(),
        |w| git::feed_corpus(&texts, &dated, w),
    )?)
}

/// Runs the benchmark.
pub fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.run.clear("import");
    let repeats = ctx
        .o
        .repeats
        .unwrap_or(if ctx.o.quick || ctx.o.versions >= 1_000_000 {
            1
        } else {
            3
        });
    let corpus = ctx.corpus();
    let (mut w_walls, mut g_walls) = (Vec::new(), Vec::new());
    let (mut w_rss, mut g_rss) = (None::<u64>, None::<u64>);
    let (mut parse, mut commit, mut index) = (Vec::new(), Vec::new(), Vec::new());
    let (mut w_bytes, mut g_bytes) = (0, 0);
    let mut w_info = serde_json::Map::new();
    for i in 0..repeats {
        let lib = ctx.scratch().join(format!("import-library-{i}"));
        if lib.exists() {
            fs::remove_dir_all(&lib)?;
        }
        measure::sync();
        say(format!("import {}/{repeats}: wenku", i + 1));
        let (wall, report) = ctx.probe(&wenku_args(&corpus, &lib), false)?;
        w_walls.push(wall);
        w_rss = w_rss.max(report.peak_rss_kib);
        let num = |k: &str| report.info.get(k).and_then(|v| v.as_f64());
        parse.extend(num("read_and_import_s"));
        commit.extend(num("commit_s"));
        index.extend(num("index_build_s"));
        w_bytes = measure::disk_bytes(&lib)?;
        w_info = report.info.into_iter().collect();

        let repo = ctx.scratch().join(format!("import-git-{i}"));
        if repo.exists() {
            fs::remove_dir_all(&repo)?;
        }
        measure::sync();
        say(format!("import {}/{repeats}: git fast-import", i + 1));
        let fi = git_import(ctx, &repo)?;
        g_walls.push(fi.wall.as_secs_f64());
        g_rss = g_rss.max(fi.peak_rss_kib);
        g_bytes = measure::disk_bytes(&repo)?;

        // Keep the last pair for the other benchmarks (the pull benchmark's
        // parent is a copy of the old library: build it again).
        if i + 1 == repeats {
            ctx.unmark("pull")?;
            for (from, to, what) in [
                (&lib, ctx.library(), "library"),
                (&repo, ctx.peer(), "peer"),
            ] {
                ctx.unmark(what)?;
                if to.exists() {
                    fs::remove_dir_all(&to)?;
                }
                fs::rename(from, &to)?;
                ctx.mark_built(what)?;
            }
        } else {
            fs::remove_dir_all(&lib)?;
            fs::remove_dir_all(&repo)?;
        }
    }
    let median = |v: &[f64]| Stats::of(v).map(|s| s.median);
    w_info.insert("read_and_import_median_s".into(), json!(median(&parse)));
    w_info.insert("commit_median_s".into(), json!(median(&commit)));
    w_info.insert("index_build_median_s".into(), json!(median(&index)));
    w_info.insert("library_bytes".into(), json!(w_bytes));
    let n = ctx.o.versions;
    ctx.row(
        "import/wenku",
        &format!("{n} text files → new library (import_bytes + batch commits + index build)"),
        "wenku",
        "process",
        &w_walls,
        w_rss,
        &format!(
            "{} (probe: harness probe import --corpus DIR --library NEW)",
            harness_command(ctx, "import")
        ),
        serde_json::Value::Object(w_info),
    )?;
    ctx.row(
        "import/git",
        "the same files → git fast-import, one commit per version",
        "git",
        "process",
        &g_walls,
        g_rss,
        "git init --bare; (stream of the files in date order) | git fast-import --quiet --done",
        json!({ "repository_bytes": g_bytes }),
    )?;
    ctx.run.compare(
        "import/wenku",
        "import/git",
        "import, whole process",
        Some("wenku ≤ 1.0× git fast-import"),
        |r| Some(r <= 1.0),
    );
    ctx.save()
}
