//! wenku-store federation: what a pull costs when it finds nothing new, and
//! when it brings one new version.
//!
//! ```sh
//! cargo bench -p wenku-bench --bench federation
//! ```
//!
//! A province library of 10,000 generated versions ([`wenku_bench::library`])
//! is the child of a national library that has pulled it once. Each pull
//! goes over file://, so it runs `git-upload-pack` on the child: a process
//! start, the ref advertisement and, with something new, negotiation and a
//! small pack. The one-version case publishes a new work in the child
//! before each pull (not measured).
//!
//! The pull of 10,000 new versions, side by side with `git fetch`, is the
//! example `federation_pull` (it needs fresh libraries for every run).

use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use wenku_bench::library::{clerk, national, province};
use wenku_model::{Block, Date, DocType, Document, Record, Region, WorkId};
use wenku_store::NewVersion;
use wenku_store::federation::{Peer, PullOptions};

fn pulls(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let child_path = dir.path().join("370000.git");
    let child = province(&child_path, 10_000);
    let parent = national(&dir.path().join("100000.git"));
    let source = format!("file://{}", child_path.display());
    let peer = Peer::Child(Region::parse("370000").expect("valid"));
    let options = PullOptions::new();
    let first = parent
        .pull(&source, peer, &clerk(), &options)
        .expect("first pull");
    eprintln!(
        "first pull: {} objects in {:.2} s",
        first.fetch.objects,
        first.timings.total.as_secs_f64()
    );
    let _ = std::process::Command::new("sync").status();

    let mut group = c.benchmark_group("federation/pull");
    group.sample_size(50);
    group.bench_function("nothing-new", |b| {
        b.iter(|| {
            let report = parent
                .pull(&source, peer, &clerk(), &options)
                .expect("pull");
            assert!(!report.changed());
            report
        })
    });
    let counter = AtomicUsize::new(0);
    let day = Date::parse_iso("2025-01-01").expect("valid");
    group.bench_function("one-new-version", |b| {
        b.iter_batched(
            || {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let work = WorkId::parse(&format!("370000/fed-bench-{n}")).expect("valid id");
                let mut text = Document::new(DocType::Normative, format!("基准测试文件{n}"));
                text.body.push(Block::Title(text.title.clone()));
                text.body
                    .push(Block::Para(format!("第{n}号基准测试文件的正文。")));
                let record = Record::new(work, DocType::Normative, text.title.clone());
                child
                    .publish(&clerk(), record, NewVersion::new(text, day))
                    .expect("publish in the child");
            },
            |()| {
                let report = parent
                    .pull(&source, peer, &clerk(), &options)
                    .expect("pull");
                assert_eq!(report.added(), 1);
                report
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, pulls);
criterion_main!(benches);
