//! Search: index build, query latency, incremental update, and ripgrep
//! over the same texts exported as files.
//!
//! ```sh
//! apt-get install ripgrep   # for the side-by-side; skipped without it
//! cargo run --release -p wenku-bench --example search -- [--versions N] [--runs R] [--library PATH]
//! ```
//!
//! With `--library PATH` the generated library is kept at PATH and reused
//! by later runs (a million versions take about 10 minutes to load); the
//! search index is built again from nothing unless `--keep-index` is
//! given too (then the build row measures only bringing it current).
//! `--skip-ripgrep` leaves the side-by-side out; `--query NAME` runs only
//! that query (`words`, `phrase`, … as in the table), to profile it.
//!
//! The library: the generator's province of N versions (100,000 by
//! default; seed 1), indexed. Measured, in this process:
//!
//! 1. **build**: `SearchIndex::open` + `refresh` from nothing (every
//!    version read from the library, cut into words, indexed), its time and
//!    the index's size on disk; then the first search (words) on the
//!    index opened again, without `SearchIndex::warm`, after it, and
//!    without it again (the first open pays the process's one-time
//!    costs), and the dictionary's load, timed at the start of the
//!    process;
//! 2. **queries**, each R times (200 by default) after 3 not counted, p50
//!    and p99: words (`物业管理`), a phrase (`"优化营商环境"`), pinyin full
//!    and initials (`wuyeguanli`, `yshj`), words with a region filter
//!    (Qingdao) and facets, words as of a day (`at=2015-01-01`), and a
//!    typo (`物业管埋`, corrected); each is the whole `wenku_search::search`
//!    call: the query, grouping by work, facet counts, and the snippets of
//!    the first 20 works read from the library;
//! 3. **update**: a new version of one work committed, then `refresh`
//!    (the typed changes since the indexed commit), 20 times (`--updates
//!    N`), p50, p90 and p99, how many took 50 ms or more, the first apart
//!    (it makes the index writer) and the slowest three;
//! 4. **ripgrep**: every version's plain text written to a file
//!    (`<n>.txt`), then `rg -l 物业管理` over them (the files that contain
//!    the words: what a person would run without a search index), timed
//!    5 times warm; the ratio is ripgrep's median over the words query's.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use wenku_bench::library::{clerk, province};
use wenku_model::query::Filter;
use wenku_model::{Block, Date, Region};
use wenku_search::{Query, SearchIndex, search};
use wenku_store::{NewVersion, Op};

fn size_of(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        size_of(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentiles(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[(((v.len() - 1) as f64) * p).round() as usize];
    (at(0.5), at(0.99))
}

fn build(path: &Path, versions: usize) -> wenku_store::Library {
    println!("building a province library of {versions} versions …");
    let started = Instant::now();
    let library = province(path, versions);
    println!("  built in {:.1} s", started.elapsed().as_secs_f64());
    library
}

fn main() {
    // Loaded once per process, by the first search or index update.
    let started = Instant::now();
    wenku_search::tokenize::jieba();
    let dictionary = started.elapsed();
    let versions = wenku_bench::args::number("--versions", 100_000) as usize;
    let runs = wenku_bench::args::number("--runs", 200) as usize;
    let tmp = tempfile::tempdir().expect("tmp");
    let library = match wenku_bench::args::value("--library") {
        // A library kept between runs: built once, then reused (each run's
        // update phase adds 20 versions to it).
        Some(path) => {
            let path = std::path::PathBuf::from(path);
            let done = path.join("wenku-bench-complete");
            if done.exists() {
                println!("reusing the library at {}", path.display());
                let library = wenku_store::Library::open(&path).expect("open");
                library.refresh_index().expect("index");
                library
            } else {
                if path.exists() {
                    std::fs::remove_dir_all(&path).expect("remove an unfinished library");
                }
                let library = build(&path, versions);
                std::fs::write(&done, b"").expect("marker");
                library
            }
        }
        None => build(&tmp.path().join("library.git"), versions),
    };
    // `--keep-index`: measure the queries on the index a previous run
    // built (its build time is not measured again).
    let keep_index = wenku_bench::args::flag("--keep-index");
    if !keep_index {
        let _ = std::fs::remove_dir_all(SearchIndex::dir_of(&library));
    }
    let today = Date::parse_iso("2025-06-01").expect("date");

    // 1. Build.
    let started = Instant::now();
    let mut index = SearchIndex::open(&library).expect("open");
    index.refresh(&library, &mut |_| {}).expect("build");
    let build = started.elapsed();
    let size = size_of(&SearchIndex::dir_of(&library));
    println!(
        "search index: built in {:.1} s ({:.0} versions/s), {:.1} MiB on disk",
        build.as_secs_f64(),
        versions as f64 / build.as_secs_f64(),
        size as f64 / (1024.0 * 1024.0)
    );

    // 1b. The first search after opening the index, without and after
    // `warm` (the dictionary is loaded already, in this process).
    let first = |warm: bool| {
        let mut opened = SearchIndex::open(&library).expect("open");
        opened.refresh(&library, &mut |_| {}).expect("current");
        let started = Instant::now();
        if warm {
            opened.warm().expect("warm");
        }
        let warming = started.elapsed();
        let snapshot = library.snapshot().expect("snapshot");
        let started = Instant::now();
        search(&opened, &snapshot, &Query::new("物业管理", today)).expect("search");
        (warming, started.elapsed())
    };
    // Cold, warmed, and cold again: the second cold search shows what of
    // the first was the process's one-time cost (mapped pages, threads)
    // rather than what `warm` reads.
    let (_, cold) = first(false);
    let (warming, warmed) = first(true);
    let (_, again) = first(false);
    println!(
        "first search after opening (words): {:.1} ms; after warm ({:.1} ms): {:.1} ms; \
         without warm again: {:.1} ms; the dictionary loads in {:.1} ms, once per process",
        ms(cold),
        ms(warming),
        ms(warmed),
        ms(again),
        ms(dictionary)
    );

    // 2. Queries.
    let qingdao = Region::parse("370200").expect("region");
    let queries: Vec<(&str, Query)> = vec![
        ("words", Query::new("物业管理", today)),
        ("phrase", Query::new("\"优化营商环境\"", today)),
        ("pinyin", Query::new("wuyeguanli", today)),
        ("initials", Query::new("yshj", today)),
        (
            "region",
            Query {
                region: Some(qingdao),
                ..Query::new("安全生产", today)
            },
        ),
        (
            "as-of",
            Query {
                at: Some(Date::parse_iso("2015-01-01").expect("date")),
                ..Query::new("物业管理", today)
            },
        ),
        ("typo", Query::new("物业管埋", today)),
    ];
    // `--query NAME`: only that query (to profile one).
    let only = wenku_bench::args::value("--query");
    let queries: Vec<(&str, Query)> = queries
        .into_iter()
        .filter(|(name, _)| only.as_deref().is_none_or(|o| o == *name))
        .collect();
    println!(
        "{runs} runs each:\n{:<9} {:>10} {:>10} {:>9} {:>9}",
        "query", "p50", "p99", "versions", "works"
    );
    let mut words_p50 = 0.0;
    for (name, q) in &queries {
        let snapshot = library.snapshot().expect("snapshot");
        let mut times = Vec::with_capacity(runs);
        let mut last = None;
        for i in 0..runs + 3 {
            let started = Instant::now();
            let r = search(&index, &snapshot, q).expect("search");
            if i >= 3 {
                times.push(ms(started.elapsed()));
            }
            last = Some(r);
        }
        let r = last.expect("ran");
        assert!(!r.hits.is_empty(), "{name}: nothing found");
        if *name == "typo" {
            assert_eq!(r.did_you_mean.as_deref(), Some("物业管理"));
        }
        let (p50, p99) = percentiles(times);
        if *name == "words" {
            words_p50 = p50;
        }
        println!(
            "{name:<9} {p50:>8.2}ms {p99:>8.2}ms {:>9} {:>9}",
            r.versions, r.works
        );
    }

    // 3. Update after a one-work commit.
    let works = library
        .snapshot()
        .expect("snapshot")
        .works(&Filter::all())
        .expect("works");
    let count = wenku_bench::args::number("--updates", 20).max(3) as usize;
    let mut updates = Vec::new();
    for i in 0..count {
        let snapshot = library.snapshot().expect("snapshot");
        let work = &works[(i * 7919) % works.len()];
        let versions = snapshot.versions(work).expect("versions");
        let last = versions.last().expect("a version");
        let mut doc = snapshot.document(work, &last.revision).expect("doc");
        doc.body.push(Block::Para(format!(
            "本次修订增加第{i}项物业管理要求（{}）。",
            std::process::id()
        )));
        // A day after the work's last version (a reused library has the
        // versions earlier runs added).
        let published = last
            .published
            .max(Date::parse_iso("2026-01-01").expect("date"))
            .add_days(1 + i as i64)
            .expect("date");
        library
            .commit(
                &clerk(),
                Op::AddVersion {
                    work: work.clone(),
                    version: NewVersion::new(doc, published),
                },
            )
            .expect("commit");
        let started = Instant::now();
        index.refresh(&library, &mut |_| {}).expect("update");
        updates.push(ms(started.elapsed()));
    }
    let first = updates[0];
    let mut sorted = updates.clone();
    sorted.sort_by(f64::total_cmp);
    let over = updates.iter().filter(|&&t| t >= 50.0).count();
    let p90 = sorted[((count - 1) as f64 * 0.9).round() as usize];
    let (p50, p99) = percentiles(updates);
    println!(
        "update after a one-work commit: p50 {p50:.2} ms, p90 {p90:.2} ms, p99 {p99:.2} ms \
         ({count} commits, {over} at 50 ms or more); the first (makes the index writer) \
         {first:.2} ms; the slowest three {:.2} {:.2} {:.2} ms",
        sorted[count - 1],
        sorted[count - 2],
        sorted[count - 3]
    );

    // 4. ripgrep over the same texts.
    if wenku_bench::args::flag("--skip-ripgrep") {
        return;
    }
    if Command::new("rg").arg("--version").output().is_err() {
        println!("ripgrep: not installed (apt-get install ripgrep); side-by-side skipped");
        return;
    }
    let files = tmp.path().join("texts");
    std::fs::create_dir_all(&files).expect("mkdir");
    let snapshot = library.snapshot().expect("snapshot");
    let mut n = 0;
    let mut bytes = 0;
    for w in &works {
        for v in snapshot.versions(w).expect("versions") {
            let doc = snapshot.document(w, &v.revision).expect("doc");
            let text = wenku_model::render::to_plain_text(&doc);
            bytes += text.len();
            std::fs::write(files.join(format!("{n}.txt")), text).expect("write");
            n += 1;
        }
    }
    let mut times = Vec::new();
    let mut matched = 0;
    for i in 0..6 {
        let started = Instant::now();
        let out = Command::new("rg")
            .args(["-l", "物业管理"])
            .arg(&files)
            .output()
            .expect("rg runs");
        if i > 0 {
            times.push(ms(started.elapsed()));
        }
        matched = out.stdout.iter().filter(|b| **b == b'\n').count();
    }
    let (rg50, _) = percentiles(times);
    println!(
        "ripgrep -l 物业管理 over {n} files ({:.0} MiB): median {rg50:.1} ms, {matched} files; \
         search index (words) p50 {words_p50:.2} ms: ripgrep takes {:.1}x as long",
        bytes as f64 / (1024.0 * 1024.0),
        rg50 / words_p50
    );
}
