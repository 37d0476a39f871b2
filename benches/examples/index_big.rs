//! The index at a million versions: the one-time steps the criterion
//! benchmark (`benches/index.rs`) does not repeat.
//!
//! ```sh
//! cargo run --release -p wenku-bench --example index_big -- build   /work/bench-cache [versions]
//! cargo run --release -p wenku-bench --example index_big -- rebuild /work/bench-cache [versions]
//! cargo run --release -p wenku-bench --example index_big -- report  /work/bench-cache [versions]
//! cargo run --release -p wenku-bench --example index_big -- delta   /work/bench-cache [versions [works]]
//! cargo run --release -p wenku-bench --example index_big -- open    /work/bench-cache [versions [work]]
//! ```
//!
//! - `build`: builds the library of `versions` (default 1,000,000)
//!   generated versions under the cache directory (once; minutes) and its
//!   index.
//! - `rebuild`: removes the index and rebuilds it from every record of
//!   `main`; prints the time and the process's peak resident memory (run it
//!   on its own so the peak is the rebuild's).
//! - `report`: index sizes (bytes per version), open times (median of
//!   20), the first as-of after an open, checking every block, writing a
//!   new base (what an update does once the delta is full), an update on
//!   top of a full delta, the tree walk that answers the first catalog
//!   question without an index, and `git log -1 --before` with the git
//!   command line.
//! - `delta`: the update steps of `report` alone, with a delta of `works`
//!   (default 2,000) of the library's works (to profile, or to see how an
//!   update's cost follows the delta's size).
//! - `open`: one `Library::open`, snapshot and first as-of in this
//!   process, timed step by step: run it after evicting the library's
//!   files from the page cache to see a cold open.

#[path = "../benches/support/library.rs"]
mod library;

use std::path::Path;
use std::time::{Duration, Instant};

use wenku_index::{Change, IndexDir, UpdateOptions, WorkEntry};
use wenku_model::query::Filter;
use wenku_store::{IndexOptions, Library, layout};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l.trim_start_matches(field).trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(cache)) = (args.first(), args.get(1)) else {
        return Err("usage: index_big build|rebuild|report|delta|open CACHE-DIR [VERSIONS]".into());
    };
    let cache = Path::new(cache);
    let versions: usize = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let path = library::cached_path(cache, versions);
    match mode.as_str() {
        "build" => {
            let lib = library::cached(cache, versions);
            library::reset(&lib, &path);
            println!("library at {}", path.display());
        }
        "rebuild" => rebuild(&path)?,
        "report" => {
            let lib = library::cached(cache, versions);
            library::reset(&lib, &path);
            report(&lib, &path, versions)?;
        }
        "delta" => {
            let lib = library::cached(cache, versions);
            library::reset(&lib, &path);
            let dir = IndexDir::new(lib.git_dir().join("wenku").join("index"));
            let works = dir.open()?.works(&Filter::all())?;
            let n = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(2000);
            let (copy, _, _) = delta_updates(&lib, &dir, &path, &works, n)?;
            std::fs::remove_dir_all(&copy)?;
        }
        "open" => open(
            &path,
            args.get(3)
                .map(String::as_str)
                .unwrap_or("370505/bf-1999-77828"),
        )?,
        other => return Err(format!("unknown mode {other}").into()),
    }
    Ok(())
}

fn rebuild(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let lib = Library::open(path)?;
    let dir = lib.git_dir().join("wenku").join("index");
    let before = status("VmHWM:");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    // VmHWM counts the pages of mapped pack files the rebuild touched as
    // well as its heap; sample both kinds to tell them apart.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let done = std::sync::Arc::clone(&done);
        std::thread::spawn(move || {
            let kb = |field: &str| {
                status(field)
                    .trim_end_matches(" kB")
                    .parse::<u64>()
                    .unwrap_or(0)
            };
            let (mut anon, mut file) = (0, 0);
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                anon = anon.max(kb("RssAnon:"));
                file = file.max(kb("RssFile:"));
                std::thread::sleep(Duration::from_millis(10));
            }
            (anon, file)
        })
    };
    let start = Instant::now();
    let refresh = lib.refresh_index()?;
    let took = start.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (anon, file) = sampler.join().map_err(|_| "the sampler panicked")?;
    println!("rebuild: {refresh:?}");
    println!(
        "rebuild took {:.1} s; peak resident memory {} (before the rebuild {}); sampled every 10 ms: heap (RssAnon) at most {anon} kB, mapped files (RssFile) at most {file} kB",
        took.as_secs_f64(),
        status("VmHWM:"),
        before
    );
    Ok(())
}

fn open(path: &Path, work: &str) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let lib = Library::open(path)?;
    let opened = start.elapsed();
    let snap = lib.snapshot()?;
    let snapshot = start.elapsed();
    // Named on the command line (the default is a work of the
    // million-version library), so that choosing it reads nothing.
    let work = wenku_model::WorkId::parse(work)?;
    let found = snap.as_of(&work, wenku_model::Date::new(2020, 6, 1)?);
    let first = start.elapsed();
    println!(
        "Library::open {}; + snapshot (index files opened) {}; + first as-of {} ({})",
        ms(opened),
        ms(snapshot),
        ms(first),
        if found.is_ok() { "found" } else { "not found" }
    );
    Ok(())
}

fn report(lib: &Library, path: &Path, versions: usize) -> Result<(), Box<dyn std::error::Error>> {
    let dir = IndexDir::new(lib.git_dir().join("wenku").join("index"));
    let index = dir.open()?;
    let stats = index.stats();
    let total = stats.base_bytes + stats.delta_bytes;
    println!(
        "index: {} works, base {} bytes, delta {} bytes: {:.0} bytes per version, {:.0} per work",
        stats.base_works,
        stats.base_bytes,
        stats.delta_bytes,
        total as f64 / versions as f64,
        total as f64 / stats.base_works as f64
    );

    let mut open_lib = Vec::new();
    let mut open_files = Vec::new();
    let mut first = Vec::new();
    let works = index.works(&Filter::all())?;
    for i in 0..21 {
        let start = Instant::now();
        let l = Library::open(path)?;
        let snap = l.snapshot()?;
        open_lib.push(start.elapsed());
        let start = Instant::now();
        dir.open()?;
        open_files.push(start.elapsed());
        let work = &works[(i * 7919) % works.len()];
        let start = Instant::now();
        snap.as_of(work, wenku_model::Date::new(2020, 6, 1)?)?;
        first.push(start.elapsed());
    }
    println!(
        "open (Library::open + snapshot from the index): median {}; index files alone: median {}; first as-of after an open: median {}",
        ms(median(open_lib)),
        ms(median(open_files)),
        ms(median(first))
    );

    let fresh = dir.open()?;
    let start = Instant::now();
    fresh.verify()?;
    println!(
        "checking every block (hash and bytecheck): {}",
        ms(start.elapsed())
    );

    let (copy, ix, sample) = delta_updates(lib, &dir, path, &works, 2000)?;
    let merging = IndexDir::new(&copy).with_options(UpdateOptions { max_delta_works: 0 });
    let start = Instant::now();
    let merged = merging.update(&ix, ix.commit(), vec![Change::Upsert(sample[0].clone())])?;
    println!(
        "writing a new base (the update once the delta is full): {:.1} s, peak resident memory so far {}",
        start.elapsed().as_secs_f64(),
        status("VmHWM:")
    );
    assert!(merged.merged);
    std::fs::remove_dir_all(&copy)?;

    // Without the index: the first catalog question reads every record.
    let tree = Library::open(path)?.with_index(IndexOptions::disabled());
    let start = Instant::now();
    let all = tree.snapshot()?.works(&Filter::all())?;
    println!(
        "without the index, the first catalog question (works(all), {} works) walks every record: {:.1} s",
        all.len(),
        start.elapsed().as_secs_f64()
    );

    // git's own command line: git log -1 --before=<t> -- <record path>.
    let head_time = std::process::Command::new("git")
        .args(["log", "-1", "--format=%ct", "main"])
        .current_dir(path)
        .output()?;
    let t: i64 = String::from_utf8(head_time.stdout)?.trim().parse()?;
    let mut cli = Vec::new();
    for (i, w) in works.iter().step_by(works.len() / 20).take(20).enumerate() {
        let before = format!("--before=@{}", t - (i as i64) * 300);
        let start = Instant::now();
        let out = std::process::Command::new("git")
            .args([
                "log",
                "-1",
                "--format=%H",
                &before,
                "main",
                "--",
                &layout::record_path(w),
            ])
            .current_dir(path)
            .output()?;
        cli.push(start.elapsed());
        assert!(out.status.success());
    }
    println!(
        "git log -1 --before=… -- <record path> (git command line, process included): median {}",
        ms(median(cli))
    );
    Ok(())
}

/// Updates against a copy of the index (so the library's stays put): a
/// delta of `n` of the library's works, then one more work at a time on
/// it. Returns the copy's path, the index there and the works.
fn delta_updates(
    lib: &Library,
    dir: &IndexDir,
    path: &Path,
    works: &[wenku_model::WorkId],
    n: usize,
) -> Result<(std::path::PathBuf, wenku_index::Index, Vec<WorkEntry>), Box<dyn std::error::Error>> {
    let copy = path.join("wenku-bench-scratch");
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy)?;
    for e in std::fs::read_dir(dir.path())? {
        let e = e?;
        std::fs::copy(e.path(), copy.join(e.file_name()))?;
    }
    let snap = lib.snapshot()?;
    let sample: Vec<WorkEntry> = works
        .iter()
        .step_by((works.len() / n).max(1))
        .take(n)
        .map(|w| {
            let r = snap.require_record(w).expect("record");
            WorkEntry::from_record(&r, |_| None)
        })
        .collect();
    let scratch = IndexDir::new(&copy).with_options(UpdateOptions {
        max_delta_works: 2 * n + 16,
    });
    let base = scratch.open()?;
    let start = Instant::now();
    let full = scratch.update(
        &base,
        base.commit(),
        sample.iter().cloned().map(Change::Upsert).collect(),
    )?;
    println!(
        "writing a delta of {} works: {}",
        sample.len(),
        ms(start.elapsed())
    );
    let mut on_full = Vec::new();
    let mut ix = full.index;
    for e in sample.iter().take(11) {
        let start = Instant::now();
        ix = scratch
            .update(&ix, ix.commit(), vec![Change::Upsert(e.clone())])?
            .index;
        on_full.push(start.elapsed());
    }
    println!(
        "one more work on a delta of {} works (index files only, no git): median {}",
        sample.len(),
        ms(median(on_full))
    );
    Ok((copy, ix, sample))
}
