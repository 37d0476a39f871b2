//! Benchmark 6: federation pull of new versions against `git fetch` of the
//! same objects, and a no-op pull.
//!
//! `Library::pull` is not on this branch yet; until it is, this benchmark
//! records that it did not run.

use std::error::Error;

use crate::context::{Ctx, say};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Runs the benchmark.
pub fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.run.clear("pull");
    say("pull: skipped, the store has no Library::pull on this branch");
    ctx.run.note(
        "pull",
        "not measured: wenku-store has no Library::pull on this branch (federation, issue 8)",
    );
    ctx.save()
}
