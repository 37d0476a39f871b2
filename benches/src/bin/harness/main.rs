//! The benchmark harness: wenku against the tools a user would otherwise
//! use — laws in git done by hand — measured side by side in the same run.
//!
//! ```sh
//! cargo run --release -p wenku-bench --bin harness -- all --versions 100000 --cache /work/bench-cache
//! ```
//!
//! Each benchmark measures the wenku side in a child process of this binary
//! (`harness probe …`, see [`probe`]) and its git peer as real `git`
//! processes ([`git`]), reports medians and the ratio, and writes
//! `<out>/seed<S>-v<N>.json` ([`report`]) and a Markdown table beside it.

mod as_of;
mod batch;
mod context;
mod diff;
mod git;
mod import;
mod machine;
mod measure;
mod open;
mod probe;
mod publish;
mod pull;
mod report;

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::context::Ctx;

const AFTER_HELP: &str = "\
Scales: --versions 10000 and 100000 are the full runs; 1000000 is opt-in
(it needs over 20 GB under --cache, about an hour, and memory: the import's
peak RSS was 3.9 GB at 100000 and grows with the corpus). Generated texts,
libraries and git repositories are cached under --cache/seed<S>-v<N>/ and
reused by later runs; `harness clean` deletes them.

Results: <out>/seed<S>-v<N>.json (format in the harness's report module)
and <out>/seed<S>-v<N>.md. Running one benchmark again replaces only its
rows.

Examples:
  harness all --versions 10000 --cache /work/bench-cache
  harness as-of --versions 100000 --cache /work/bench-cache
  harness report --out /work/bench-cache/results
  harness batch --texts ../shared/corpus/laws   (after cargo build --release -p wenku-cli)
  harness all --versions 300 --quick          (seconds; what CI runs)";

/// wenku against git: import, as-of, publish, open, diff, pull, peak memory.
#[derive(Debug, Parser)]
#[command(
    name = "harness",
    about = "wenku against laws kept in git by hand, measured side by side: import, as-of, publish, open, diff, pull, peak memory",
    long_about = None,
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(flatten)]
    options: Options,
    #[command(subcommand)]
    command: Command,
}

/// Options every benchmark takes.
// The field docs are clap's help text, printed verbatim: `<temp>` and
// `<cache>` are placeholders for the reader, not HTML.
#[allow(rustdoc::invalid_html_tags)]
#[derive(Clone, Debug, Args)]
pub struct Options {
    /// Versions in the generated corpus.
    #[arg(long, default_value_t = 10_000, global = true)]
    pub versions: usize,
    /// The corpus seed.
    #[arg(long, default_value_t = 1, global = true)]
    pub seed: u64,
    /// Where generated inputs, libraries and repositories are kept
    /// (default: $WENKU_BENCH_CACHE, else <temp>/wenku-bench-cache).
    #[arg(long, global = true, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Where results are written (default: <cache>/results).
    #[arg(long, global = true, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the results as JSON on standard output instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// The fewest samples that still exercise every path (for CI).
    #[arg(long, global = true)]
    pub quick: bool,
    /// Runs of each import (default: 3; 1 with --quick or at 1M versions).
    #[arg(long, global = true, value_name = "N")]
    pub repeats: Option<usize>,
    /// As-of queries answered in-process (default 1000; 20 with --quick).
    #[arg(long, global = true, value_name = "N")]
    pub queries: Option<usize>,
    /// Wall-time budget of each series of git as-of queries, seconds: as
    /// many queries as fit, at least 5.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 120.0)]
    pub git_budget: f64,
    /// Delete the libraries and repositories of this scale when done.
    #[arg(long, global = true)]
    pub clean: bool,
    /// `batch`: import the text files under this directory (default: the
    /// newest version of the first --files generated works).
    #[arg(long, global = true, value_name = "DIR")]
    pub texts: Option<PathBuf>,
    /// `batch`: how many generated works make the batch.
    #[arg(long, global = true, value_name = "N", default_value_t = 2_300)]
    pub files: usize,
    /// `batch`: the wenku binary to run (default: beside this harness).
    #[arg(long, global = true, value_name = "FILE")]
    pub wenku: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate the corpus's text files and manifest (cached).
    Prepare,
    /// 1. Import the texts into a new library vs git fast-import of the same
    ///    texts (one commit per version, legal dates as commit dates).
    Import,
    /// 2. As-of queries: the library vs git log --before + git show.
    AsOf,
    /// 3. Commit cost of one publish (and git's one-commit fast-import).
    Publish,
    /// 4. Library open, warm and cold page cache.
    Open,
    /// 5. Article diff vs git diff --no-index --word-diff.
    Diff,
    /// 6. Federation pull of new versions vs git fetch; no-op pull.
    Pull,
    /// 7. One `wenku import` of a batch of text files (one commit) vs git
    ///    fast-import of the same files in one commit. Runs the `wenku`
    ///    binary: build it first (`cargo build --release -p wenku-cli`).
    Batch,
    /// Every benchmark, in order: import, open, as-of, diff, publish, pull
    /// (not batch, which needs the wenku binary).
    All,
    /// Merge the results of several scales into one Markdown report,
    /// including the publish cost across scales.
    Report,
    /// Delete this scale's cached inputs, libraries and repositories.
    Clean,
    /// (internal) One wenku measurement in a child process.
    #[command(hide = true)]
    Probe(probe::ProbeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("harness: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn Error>> {
    let o = cli.options;
    match cli.command {
        Command::Probe(args) => probe::main(args),
        Command::Report => context::merged_report(&o),
        Command::Clean => context::clean(&o),
        Command::Prepare => {
            let mut ctx = Ctx::new(o)?;
            ctx.prepare()?;
            Ok(())
        }
        command => {
            let mut ctx = Ctx::new(o)?;
            ctx.prepare()?;
            let all = matches!(command, Command::All);
            if all || matches!(command, Command::Import) {
                import::run(&mut ctx)?;
            }
            if all || matches!(command, Command::Open) {
                open::run(&mut ctx)?;
            }
            if all || matches!(command, Command::AsOf) {
                as_of::run(&mut ctx)?;
            }
            if all || matches!(command, Command::Diff) {
                diff::run(&mut ctx)?;
            }
            if all || matches!(command, Command::Publish) {
                publish::run(&mut ctx)?;
            }
            if all || matches!(command, Command::Pull) {
                pull::run(&mut ctx)?;
            }
            if matches!(command, Command::Batch) {
                batch::run_bench(&mut ctx)?;
            }
            ctx.finish()
        }
    }
}
