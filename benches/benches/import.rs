//! Import throughput over the reference corpus in `testdata/corpus/`.
//!
//! ```sh
//! cargo bench -p wenku-bench --bench import
//! ```

use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wenku_import::{ImportOptions, import_bytes};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/corpus")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(rel)).expect("corpus file exists")
}

/// Every corpus file, as (name, bytes).
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![corpus_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus directory exists") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "txt" || e == "md")
                && !path.ends_with("README.md")
            {
                let bytes = std::fs::read(&path).expect("readable file");
                out.push((path.display().to_string(), bytes));
            }
        }
    }
    out.sort();
    out
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
