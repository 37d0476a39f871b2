//! `wenku repeal` and `wenku withdraw`: recorded changes like the ones in
//! `correct.rs`, with `--dry-run` and `--json`.

use wenku_model::{Repeal, Withdrawal};
use wenku_service::resolve::VersionName;
use wenku_store::Op;

use crate::cli::{RepealArgs, WithdrawArgs};
use crate::commands::correct::{record, target};
use crate::context;
use crate::error::{CommandError, Result};

/// Records a repeal.
pub fn repeal(dir: &Option<std::path::PathBuf>, args: RepealArgs) -> Result<()> {
    let work = context::work(&args.work)?;
    let date = context::date(&args.date, "--date")?;
    let by = args.by.as_deref().map(|s| target(s, "--by")).transpose()?;
    record(
        dir,
        &work,
        vec![Op::Repeal {
            work: work.clone(),
            repeal: Repeal { date, by },
        }],
        &args.flags,
    )
}

/// Records a withdrawal.
pub fn withdraw(dir: &Option<std::path::PathBuf>, args: WithdrawArgs) -> Result<()> {
    let work = context::work(&args.work)?;
    let date = context::date(&args.date, "--date")?;
    if args.reason.trim().is_empty() {
        return Err(CommandError::usage(
            "--reason must say why the document is withdrawn",
        ));
    }
    if let Some(v) = &args.version {
        let library = context::open(dir)?;
        let record_now = context::snapshot(&library)?.require_record(&work)?;
        let today = context::today()?;
        let selected =
            VersionName::parse(v, "--version")?.select(&record_now, today, "--version")?;
        return record(
            dir,
            &work,
            vec![Op::WithdrawVersion {
                work: work.clone(),
                revision: selected.version.revision,
                withdrawal: Withdrawal {
                    date,
                    reason: args.reason.trim().to_string(),
                },
            }],
            &args.flags,
        );
    }
    record(
        dir,
        &work,
        vec![Op::Withdraw {
            work: work.clone(),
            withdrawal: Withdrawal {
                date,
                reason: args.reason.trim().to_string(),
            },
        }],
        &args.flags,
    )
}
