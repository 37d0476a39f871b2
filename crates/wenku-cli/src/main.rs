//! `wenku`: the command for operators, archivists and scripts.

mod cli;
mod commands;
mod context;
mod error;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version go to stdout with status 0; usage errors
            // to stderr with status 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    output::set_quiet(cli.quiet);
    init_logging(cli.verbose);
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_closed_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            output::error(&e);
            ExitCode::from(error::exit_code(e.kind()))
        }
    }
}

/// Logging is off unless WENKU_LOG asks for it (a tracing env-filter) or
/// -v (info) / -vv (debug) does.
fn init_logging(verbose: u8) {
    let filter = match (std::env::var("WENKU_LOG"), verbose) {
        (Ok(f), _) => f,
        (Err(_), 0) => return,
        (Err(_), 1) => "info".to_string(),
        (Err(_), _) => "debug".to_string(),
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|e| {
        eprintln!("wenku: warning: ignoring WENKU_LOG={filter:?}: {e}");
        tracing_subscriber::EnvFilter::new("off")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true)
        .init();
}
