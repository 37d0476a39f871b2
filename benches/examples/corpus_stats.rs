//! Prints statistics of a generated corpus: works, versions, mix of types
//! and versions per work, canonical size, and generation speed.
//! `cargo run --release -p wenku-bench --example corpus_stats -- 100000`

use std::collections::BTreeMap;
use std::time::Instant;

use wenku_bench::corpus::{Spec, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let versions: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000);
    let start = Instant::now();
    let (mut works, mut bytes, mut largest) = (0usize, 0usize, 0usize);
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_work: BTreeMap<usize, usize> = BTreeMap::new();
    for w in generate(Spec { seed: 1, versions }) {
        works += 1;
        *types.entry(w.doc_type.as_str()).or_default() += 1;
        *per_work.entry(w.versions.len()).or_default() += 1;
        for v in &w.versions {
            let n = v.document.to_canonical()?.len();
            bytes += n;
            largest = largest.max(n);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{versions} versions, {works} works ({:.2} versions/work)",
        versions as f64 / works as f64
    );
    println!(
        "canonical bytes: {bytes} total, {} mean, {largest} largest",
        bytes / versions
    );
    println!(
        "generated and encoded in {secs:.1} s ({:.0} versions/s)",
        versions as f64 / secs
    );
    println!("types: {types:?}");
    println!("versions per work: {per_work:?}");
    Ok(())
}
