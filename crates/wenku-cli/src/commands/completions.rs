//! `wenku completions SHELL`.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Result, output_error};

/// Prints the completion script for a shell.
pub fn run(args: CompletionsArgs) -> Result<()> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "wenku", &mut buf);
    use std::io::Write;
    std::io::stdout().write_all(&buf).map_err(output_error)
}
