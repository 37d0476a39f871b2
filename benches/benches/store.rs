//! wenku-store: the cost of one commit as the library grows.
//!
//! ```sh
//! cargo bench -p wenku-bench --bench store
//! ```
//!
//! Builds libraries from the deterministic synthetic corpus
//! ([`wenku_bench::corpus`], seed 1), of 10,000 and of 200,000 versions
//! (loaded in batches of about 5,000 versions, one pack each), then measures
//! a single publish (one new work with one version: a loose-object commit
//! moved by compare-and-swap) on each.
//!
//! A commit rewrites only the trees on the work's path: the root, the
//! region, the shard and the work. None of them grows with the number of
//! versions, but the root holds one entry per region, and the generator's
//! corpus spreads over more regions as it grows (254 at 10,000 versions,
//! 1,338 at 200,000). The third library separates the two: 10,000 versions
//! spread over the 200,000-version library's 1,338 regions (one small work
//! in each extra region).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use wenku_bench::corpus::{GenWork, Spec, generate};
use wenku_bench::library::{clerk, load};
use wenku_model::{Block, Date, DocType, Document, Record, Region, WorkId};
use wenku_store::{InitOptions, Library, NewVersion, Op, SteppingClock, Timestamp, Transaction};

/// The regions of the corpus of `versions` versions.
fn regions_of(versions: usize) -> Vec<Region> {
    let mut regions: Vec<Region> = generate(Spec { seed: 1, versions })
        .map(|w| w.work.region())
        .collect();
    regions.sort();
    regions.dedup();
    regions
}

/// A library of `versions` synthetic versions, plus one small work in each
/// of `extra_regions` that the corpus does not use; the province node
/// hosting every region.
fn build(versions: usize, extra_regions: &[Region]) -> (tempfile::TempDir, Library) {
    let works: Vec<GenWork> = generate(Spec { seed: 1, versions }).collect();
    let province = Region::parse("370000").expect("valid");
    let mut used: Vec<Region> = works.iter().map(|w| w.work.region()).collect();
    used.sort();
    used.dedup();
    let extra: Vec<Region> = extra_regions
        .iter()
        .copied()
        .filter(|r| used.binary_search(r).is_err())
        .collect();
    let mut hosted: Vec<Region> = used
        .iter()
        .chain(&extra)
        .copied()
        .filter(|r| *r != province)
        .collect();
    hosted.sort();
    hosted.dedup();
    let dir = tempfile::tempdir().expect("temporary directory");
    let clock = Arc::new(SteppingClock::new(
        Timestamp::new(1_750_000_000, 480).expect("valid"),
        1,
    ));
    let mut options = InitOptions::new(clerk()).clock(clock);
    options.hosted = hosted.clone();
    let lib = Library::init(dir.path(), province, options).expect("init");
    let start = Instant::now();
    let day = Date::parse_iso("2025-01-01").expect("valid");
    let padding: Transaction = extra
        .iter()
        .map(|r| Op::Publish {
            record: Record::new(
                WorkId::new(*r, "padding").expect("valid id"),
                DocType::Notice,
                "占位",
            ),
            version: NewVersion::new(small_document(0), day),
        })
        .collect();
    if !padding.is_empty() {
        lib.commit(&clerk(), padding).expect("padding");
    }
    load(&lib, &works, works.len());
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "built a library of {versions} versions ({} works, {} regions) in {secs:.1} s ({:.0} versions/s, {} packs)",
        works.len() + extra.len(),
        hosted.len() + 1,
        versions as f64 / secs,
        lib.pack_count().expect("count"),
    );
    (dir, lib)
}

fn small_document(n: usize) -> Document {
    let mut doc = Document::new(DocType::Normative, format!("基准测试文件{n}"));
    doc.body.push(Block::Title(doc.title.clone()));
    doc.body
        .push(Block::Para(format!("第{n}号基准测试文件的正文。")));
    doc
}

fn publish(c: &mut Criterion) {
    let mut group = c.benchmark_group("store/publish-one");
    group.sample_size(50);
    let counter = AtomicUsize::new(0);
    let day = Date::parse_iso("2025-01-01").expect("valid");
    let wide = regions_of(200_000);
    // Build everything first and let the kernel write it out, so that no
    // measurement runs during another library's writeback.
    let libraries: Vec<(&str, (tempfile::TempDir, Library))> = vec![
        ("10000", build(10_000, &[])),
        ("10000-in-1338-regions", build(10_000, &wide)),
        ("200000", build(200_000, &[])),
    ];
    let synced = std::process::Command::new("sync").status();
    eprintln!("sync: {synced:?}");
    for (name, (_dir, lib)) in &libraries {
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let work = WorkId::parse(&format!("370000/bench-{n}")).expect("valid id");
                let record = Record::new(work, DocType::Normative, format!("基准测试文件{n}"));
                lib.publish(&clerk(), record, NewVersion::new(small_document(n), day))
                    .expect("publish")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, publish);
criterion_main!(benches);
