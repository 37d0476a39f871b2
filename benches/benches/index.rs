//! wenku-index: opening a library, as-of, citation look-up, reverse
//! relations and the incremental update after a one-work commit, on
//! libraries from the benchmark generator (seed 1).
//!
//! ```sh
//! cargo bench -p wenku-bench --bench index
//! # also the million-version library (built once, in minutes, and kept):
//! WENKU_BENCH_CACHE=/work/bench-cache cargo bench -p wenku-bench --bench index
//! ```
//!
//! The 10,000-version library is built in a temporary directory; the
//! 1,000,000-version one (300,806 works) only when `WENKU_BENCH_CACHE`
//! names a directory to keep it in (outside the repository; it takes about
//! 10 GB). The one-time steps at a million versions — full rebuild time and
//! peak memory, sizes, verification, the git CLI — are in
//! `examples/index_big.rs`.
//!
//! The git-only as-of is what the issue compares with: `git log -1
//! --before=<time> -- <record path>` done with gix (first-parent walk from
//! `main`, comparing the record's blob with the parent's), then reading
//! and decoding the record found and resolving the date in it. "record" is
//! the store's own path without an index: look the record up in `main`'s
//! tree, decode it, resolve.

#[path = "support/library.rs"]
mod library;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gix::ObjectId;
use gix::objs::tree::EntryKind;
use wenku_model::query::Filter;
use wenku_model::{Citation, Date, DocType, Record, WorkId, canonical};
use wenku_store::{IndexOptions, IndexRefresh, Library, NewVersion, Snapshot, layout};

use wenku_bench::library::clerk;

/// A library to measure, with samples to query.
struct Fixture {
    name: String,
    path: PathBuf,
    lib: Library,
    works: Vec<WorkId>,
    citations: Vec<Citation>,
    dates: Vec<Date>,
    _temporary: Option<tempfile::TempDir>,
}

fn date(year: u32, day: u32) -> Date {
    Date::new(year, 1, 1)
        .expect("valid")
        .add_days(i64::from(day))
        .expect("in range")
}

fn fixture(versions: usize, cache: Option<&Path>) -> Fixture {
    let (lib, path, temporary) = match cache {
        Some(cache) => {
            let lib = library::cached(cache, versions);
            let path = library::cached_path(cache, versions);
            library::reset(&lib, &path);
            (lib, path, None)
        }
        None => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let path = dir.path().join("library");
            let lib = library::build(&path, versions);
            library::reset(&lib, &path);
            (lib, path, Some(dir))
        }
    };
    let start = Instant::now();
    let refresh = lib.refresh_index().expect("index");
    eprintln!(
        "{versions} versions: index {} in {:.2} s",
        match refresh {
            IndexRefresh::Rebuilt { .. } => "built",
            IndexRefresh::Current { .. } => "current",
            _ => "updated",
        },
        start.elapsed().as_secs_f64()
    );
    let snap = lib.snapshot().expect("snapshot");
    let all = snap.works(&Filter::all()).expect("list");
    let step = (all.len() / 1000).max(1);
    let works: Vec<WorkId> = all.iter().step_by(step).cloned().collect();
    let mut citations = Vec::new();
    for w in works.iter().take(500) {
        let r = snap.require_record(w).expect("record");
        citations.push(match &r.number {
            Some(n) if citations.len() % 2 == 0 => Citation::number(n.clone()),
            _ => Citation::title(r.title.clone()),
        });
    }
    let dates = (0..997u32)
        .map(|i| date(1995 + i % 35, (i * 37) % 365))
        .collect();
    Fixture {
        name: versions.to_string(),
        path,
        lib,
        works,
        citations,
        dates,
        _temporary: temporary,
    }
}

/// `git log -1 --before=<before> -- <path>` with gix: the newest commit on
/// main's first-parent line, committed at or before `before`, whose blob
/// at `path` differs from its parent's; then the record there, as of
/// `date`.
fn git_as_of(
    repo: &gix::Repository,
    head: ObjectId,
    work: &WorkId,
    before: i64,
    date: Date,
) -> bool {
    let path = layout::record_path(work);
    let blob_at = |commit: ObjectId| -> Option<ObjectId> {
        let tree = repo.find_commit(commit).ok()?.tree().ok()?;
        let entry = tree.lookup_entry_by_path(&path).ok()??;
        (entry.mode().kind() == EntryKind::Blob).then(|| entry.object_id())
    };
    let walk = repo
        .rev_walk([head])
        .first_parent_only()
        .all()
        .expect("walk");
    for info in walk {
        let info = info.expect("commit");
        let commit = repo.find_commit(info.id).expect("commit");
        if commit.time().expect("time").seconds > before {
            continue;
        }
        let here = blob_at(info.id);
        let parent = info.parent_ids.first().and_then(|p| blob_at(*p));
        if here != parent {
            let Some(blob) = here else { return false };
            let bytes = repo.find_blob(blob).expect("blob").detach().data;
            let record: Record = canonical::decode_record(&bytes).expect("record");
            return record.as_of(date).version.is_some();
        }
    }
    false
}

fn bench_library(c: &mut Criterion, f: &Fixture) {
    let n = &f.name;
    let mut group = c.benchmark_group("index");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(8));

    // Open: Library::open and a snapshot that answers from the index.
    group.bench_function(BenchmarkId::new("open-library", n), |b| {
        b.iter(|| {
            let lib = Library::open(&f.path).expect("open");
            lib.snapshot().expect("snapshot")
        })
    });
    let index_dir = wenku_index::IndexDir::new(f.lib.git_dir().join("wenku").join("index"));
    group.bench_function(BenchmarkId::new("open-index-files", n), |b| {
        b.iter(|| index_dir.open().expect("open"))
    });
    // Open, then one as-of: the blocks it reads are checked on the way.
    let mut i = 0;
    group.bench_function(BenchmarkId::new("open-then-first-as-of", n), |b| {
        b.iter(|| {
            i += 1;
            let lib = Library::open(&f.path).expect("open");
            let snap = lib.snapshot().expect("snapshot");
            snap.as_of(&f.works[i % f.works.len()], f.dates[i % f.dates.len()])
                .expect("as of")
        })
    });

    let snap = f.lib.snapshot().expect("snapshot");
    let tree: Snapshot = Library::open(&f.path)
        .expect("open")
        .with_index(IndexOptions::disabled())
        .snapshot()
        .expect("snapshot");
    let mut i = 0;
    group.bench_function(BenchmarkId::new("as-of", n), |b| {
        b.iter(|| {
            i += 1;
            snap.as_of(&f.works[i % f.works.len()], f.dates[i % f.dates.len()])
                .expect("as of")
        })
    });
    let mut i = 0;
    group.bench_function(BenchmarkId::new("as-of-from-record", n), |b| {
        b.iter(|| {
            i += 1;
            tree.as_of(&f.works[i % f.works.len()], f.dates[i % f.dates.len()])
                .expect("as of")
        })
    });
    let repo = gix::open(&f.path).expect("gix opens the library");
    // The comparison walks with gix itself, so it takes gix's id.
    let head = gix::ObjectId::from_bytes_or_panic(f.lib.head().expect("head").as_bytes());
    let first = repo
        .rev_walk([head])
        .first_parent_only()
        .all()
        .expect("walk")
        .last()
        .expect("a root commit")
        .expect("commit")
        .id;
    let (t0, t1) = (
        repo.find_commit(first)
            .expect("commit")
            .time()
            .expect("time")
            .seconds,
        repo.find_commit(head)
            .expect("commit")
            .time()
            .expect("time")
            .seconds,
    );
    let mut i = 0;
    group.bench_function(BenchmarkId::new("as-of-git-log-walk", n), |b| {
        b.iter(|| {
            i += 1;
            let before = t0 + (t1 - t0) * (i as i64 % 100) / 100 + 60;
            git_as_of(
                &repo,
                head,
                &f.works[i % f.works.len()],
                before,
                f.dates[i % f.dates.len()],
            )
        })
    });
    let mut i = 0;
    group.bench_function(BenchmarkId::new("lookup", n), |b| {
        b.iter(|| {
            i += 1;
            snap.lookup(&f.citations[i % f.citations.len()])
                .expect("lookup")
        })
    });
    let mut i = 0;
    group.bench_function(BenchmarkId::new("referrers", n), |b| {
        b.iter(|| {
            i += 1;
            snap.referrers(&f.works[i % f.works.len()])
                .expect("referrers")
        })
    });

    // One work published by another handle (without the index), then the
    // index brought forward: the tree diff, one record, a new delta file.
    // The delta is rewritten whole on every update, so the cost follows its
    // size, which sweeps 0 to `max_delta_works` as in use. Before the update
    // that would write a new base (whole-library; `examples/index_big.rs`
    // measures it), the library and its index are put back to the
    // fixture's commit, unmeasured, so every measured update is a delta one.
    let writer = Library::open(&f.path)
        .expect("open")
        .with_clock(std::sync::Arc::new(wenku_store::SteppingClock::new(
            wenku_store::Timestamp::new(1_800_000_000, 480).expect("valid"),
            1,
        )))
        .with_index(IndexOptions::disabled());
    let province = wenku_model::Region::parse("370000").expect("valid");
    let day = date(2025, 0);
    let max_delta = IndexOptions::default().max_delta_works;
    let mut serial = 0usize;
    let mut delta = (usize::MAX, 0usize);
    let mut each = Vec::new();
    group.bench_function(BenchmarkId::new("update-after-one-work-commit", n), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut works = index_dir.open().expect("open").stats().delta_works;
                if works >= max_delta {
                    library::reset(&f.lib, &f.path);
                    works = 0;
                }
                serial += 1;
                let work =
                    WorkId::new(province, &format!("bench-index-{serial}")).expect("valid id");
                let mut doc =
                    wenku_model::Document::new(DocType::Normative, format!("基准测试文件{serial}"));
                doc.body.push(wenku_model::Block::Para(format!(
                    "第{serial}号基准测试文件的正文。"
                )));
                let record = Record::new(work, DocType::Normative, doc.title.clone());
                writer
                    .publish(&clerk(), record, NewVersion::new(doc, day))
                    .expect("publish");
                let start = Instant::now();
                let refresh = f.lib.refresh_index().expect("refresh");
                let took = start.elapsed();
                total += took;
                each.push(took);
                assert!(
                    matches!(
                        refresh,
                        IndexRefresh::Updated {
                            works: 1,
                            merged: false,
                            ..
                        }
                    ),
                    "{refresh:?}"
                );
                delta = (delta.0.min(works + 1), delta.1.max(works + 1));
            }
            total
        })
    });
    each.sort();
    let at = |q: f64| each[((each.len() - 1) as f64 * q) as usize];
    eprintln!(
        "update after a one-work commit, {} updates, delta of {} to {} works: median {:?}, 90th percentile {:?}, max {:?}",
        each.len(),
        delta.0,
        delta.1,
        at(0.5),
        at(0.9),
        at(1.0)
    );
    group.finish();
}

fn rebuild(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    let dir = f.lib.git_dir().join("wenku").join("index");
    group.bench_function(BenchmarkId::new("rebuild", &f.name), |b| {
        b.iter(|| {
            std::fs::remove_dir_all(&dir).expect("remove");
            let lib = Library::open(&f.path).expect("open");
            lib.refresh_index().expect("rebuild")
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let small = fixture(10_000, None);
    rebuild(c, &small);
    bench_library(c, &small);
    drop(small);
    if let Some(cache) = std::env::var_os("WENKU_BENCH_CACHE") {
        let big = fixture(1_000_000, Some(Path::new(&cache)));
        bench_library(c, &big);
        library::reset(&big.lib, &big.path);
    }
}

criterion_group!(index, benches);
criterion_main!(index);
