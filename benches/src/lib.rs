//! wenku's benchmark harness.
//!
//! - [`corpus`]: a deterministic generator of realistic synthetic libraries
//!   (regions, types, versions, amendments, relations) built from the real
//!   texts in `testdata/corpus`.
//! - [`library`]: libraries filled from that corpus, through the store's
//!   batch commits.
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

pub mod corpus;
pub mod library;
pub mod pool;
pub mod regions;
pub mod rng;
