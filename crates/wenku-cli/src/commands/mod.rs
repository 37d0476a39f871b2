//! One module per command; `run` dispatches.

mod completions;

use crate::cli::{Cli, Command};
use crate::error::{CommandError, Result};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Completions(args) => completions::run(args),
        other => Err(CommandError::internal(format!(
            "`{}` is not available in this build",
            name(&other)
        ))),
    }
}

fn name(c: &Command) -> &'static str {
    match c {
        Command::Init(_) => "init",
        Command::Import(_) => "import",
        Command::Ls(_) => "ls",
        Command::Show(_) => "show",
        Command::Log(_) => "log",
        Command::Diff(_) => "diff",
        Command::Links(_) => "links",
        Command::Find(_) => "find",
        Command::Repeal(_) => "repeal",
        Command::Withdraw(_) => "withdraw",
        Command::Verify(_) => "verify",
        Command::Demo(_) => "demo",
        Command::Completions(_) => "completions",
    }
}
