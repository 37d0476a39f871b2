//! The largest directory of a library's tree for a generated corpus,
//! computed from the layout functions without writing a repository.
//! `cargo run --release -p wenku-bench --example layout_sizes -- 1000000`
//!
//! Every directory a library has is one of: the root (`library.xml` and one
//! entry per region), a region (its shards), a shard (its works) or a work
//! (its record and one file per version). Counting the entries each would
//! hold is enough; the same numbers are printed for the worst case of all
//! works in one region.

use std::collections::{BTreeMap, BTreeSet};

use wenku_bench::corpus::{Spec, generate};
use wenku_store::layout::shard_of;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let versions: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let mut regions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut shards: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut one_region: BTreeMap<String, usize> = BTreeMap::new();
    let (mut works, mut largest_work) = (0usize, 0usize);
    for w in generate(Spec { seed: 1, versions }) {
        works += 1;
        let region = w.work.region().to_string();
        let shard = shard_of(w.work.local());
        regions
            .entry(region.clone())
            .or_default()
            .insert(shard.clone());
        *shards.entry((region, shard.clone())).or_default() += 1;
        *one_region.entry(shard).or_default() += 1;
        largest_work = largest_work.max(w.versions.len() + 1);
    }
    let largest_region = regions.values().map(BTreeSet::len).max().unwrap_or(0);
    let (largest_shard_at, largest_shard) = shards
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(k, n)| (k.clone(), *n))
        .unwrap_or_default();
    let max_one = one_region.values().max().copied().unwrap_or(0);
    let min_one = one_region.values().min().copied().unwrap_or(0);
    println!(
        "{versions} versions, {works} works, {} regions",
        regions.len()
    );
    println!("largest directory by level (entries):");
    println!("  root:   {} (library.xml + regions)", regions.len() + 1);
    println!("  region: {largest_region} shards");
    println!(
        "  shard:  {largest_shard} works (region {}, shard {})",
        largest_shard_at.0, largest_shard_at.1
    );
    println!("  work:   {largest_work} files (record + versions)");
    println!("all {works} works in one region: shards hold {min_one}..{max_one} works");
    Ok(())
}
