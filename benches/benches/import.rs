//! Import throughput over the reference corpus in `testdata/corpus/`.
//!
//! ```sh
//! cargo bench -p wenku-bench --bench import
//! ```

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wenku_import::{ImportOptions, import_bytes};

use wenku_test_support::paths::{corpus_dir, corpus_files};

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(rel)).expect("corpus file exists")
}

/// Every corpus file, as (name, bytes).
fn corpus() -> Vec<(String, Vec<u8>)> {
    corpus_files()
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("readable file");
            (path.display().to_string(), bytes)
        })
        .collect()
}

fn import(c: &mut Criterion) {
    let options = ImportOptions::default();
    let mut group = c.benchmark_group("import");
    for (name, rel) in [
        (
            "qingdao-points-txt",
            "seeds/370200-qingdao-2025-05-16-points.txt",
        ),
        ("gongsifa-2023-md", "laws/cn-law-gongsifa/2023-12-29.md"),
        (
            "dongwufangyifa-2021-txt",
            "laws/cn-law-dongwufangyifa/2021-01-22.txt",
        ),
    ] {
        let bytes = read(rel);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &bytes, |b, bytes| {
            b.iter(|| import_bytes(rel, bytes, &options).expect("imports"));
        });
    }
    // The same law in GB18030: detection fails over from UTF-8, then decodes.
    let text = String::from_utf8(read("laws/cn-law-gongsifa/2023-12-29.md")).expect("utf-8");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let gbk = gbk.into_owned();
    group.throughput(Throughput::Bytes(gbk.len() as u64));
    group.bench_with_input(
        BenchmarkId::from_parameter("gongsifa-2023-md-gb18030"),
        &gbk,
        |b, bytes| {
            b.iter(|| import_bytes("2023-12-29.md", bytes, &options).expect("imports"));
        },
    );
    let all = corpus();
    let total: usize = all.iter().map(|(_, b)| b.len()).sum();
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("whole-corpus", |b| {
        b.iter(|| {
            for (name, bytes) in &all {
                import_bytes(name, bytes, &options).expect("imports");
            }
        });
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
