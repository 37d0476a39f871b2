//! wenku's benchmark harness.
//!
//! Micro-benchmarks live in `benches/benches/*.rs` (criterion); run them with
//! `cargo bench -p wenku-bench`. Results, the machine and the commands that
//! produced them are recorded in `BENCHMARKS.md` at the repository root.
