//! wenku's benchmark harness.
//!
//! - [`corpus`]: a deterministic generator of realistic synthetic libraries
//!   (regions, types, versions, amendments, relations) built from the real
//!   texts in `testdata/corpus`.
//! - [`library`]: libraries filled from that corpus, through the store's
//!   batch commits.
//! - [`files`]: a generated corpus written out as the text files a
//!   hand-made law repository holds (Markdown statutes, plain-text
//!   normative documents) with a manifest of their metadata.
//! - [`regulation`]: the real long regulation the diff benchmarks use.
//! - The `harness` binary (`src/bin/harness/`) runs the whole-process
//!   comparisons with git: import, as-of, publish, open, diff, pull, peak
//!   memory (`cargo run --release -p wenku-bench --bin harness -- --help`).
//! - Micro-benchmarks live in `benches/benches/*.rs` (criterion); run them
//!   with `cargo bench -p wenku-bench`. Results, the machine and the
//!   commands that produced them are recorded in `BENCHMARKS.md` at the
//!   repository root.
//!
//! ```
//! use wenku_bench::corpus::{Spec, generate};
//! let works: Vec<_> = generate(Spec { seed: 1, versions: 50 }).collect();
//! assert_eq!(works.iter().map(|w| w.versions.len()).sum::<usize>(), 50);
//! ```

pub mod args;
pub mod corpus;
pub mod files;
pub mod library;
pub mod pool;
pub mod regions;
pub mod regulation;
pub mod rng;
