//! One module per command; `run` dispatches.

mod catalogue;
mod completions;
mod correct;
mod demo;
mod diff;
mod draft;
mod find;
mod host;
mod import;
mod init;
mod key;
mod lifecycle;
mod links;
mod log;
mod ls;
mod pull;
mod quarantine;
mod search;
mod show;
mod sweep;
mod tags;
mod verify;

use crate::cli::{Cli, Command};
use crate::error::Result;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let dir = &cli.dir;
    match cli.command {
        Command::Init(args) => {
            // `wenku -C DIR init` creates the library in DIR.
            let args = match (&cli.dir, args.path.is_none()) {
                (Some(d), true) => crate::cli::InitArgs {
                    path: Some(d.clone()),
                    ..args
                },
                _ => args,
            };
            init::run(args)
        }
        Command::Import(args) => import::run(dir, args),
        Command::Ls(args) => ls::run(dir, args),
        Command::Show(args) => show::run(dir, args),
        Command::Log(args) => log::run(dir, args),
        Command::Diff(args) => diff::run(dir, args),
        Command::Links(args) => links::run(dir, args),
        Command::Find(args) => find::run(dir, args),
        Command::Search(args) => search::run(dir, args),
        Command::Repeal(args) => lifecycle::repeal(dir, args),
        Command::Withdraw(args) => lifecycle::withdraw(dir, args),
        Command::Sweep(args) => sweep::run(dir, args),
        Command::Draft(args) => draft::run(dir, args),
        Command::Tags(args) => tags::run(dir, args),
        Command::Catalogue(args) => catalogue::run(dir, args),
        Command::Pull(args) => pull::run(dir, args),
        Command::Verify(args) => verify::run(dir, args),
        Command::Key(args) => key::run(dir, args),
        Command::Host(args) => host::run(dir, args),
        Command::Quarantine(args) => quarantine::run(dir, args),
        Command::Correct(args) => correct::correct(dir, args),
        Command::Relate(args) => correct::relate(dir, args),
        Command::Expire(args) => correct::expire(dir, args),
        Command::Reinstate(args) => correct::reinstate(dir, args),
        Command::Merge(args) => correct::merge(dir, args),
        Command::Demo(args) => demo::run(args),
        Command::Completions(args) => completions::run(args),
    }
}
