//! `wenku repeal` and `wenku withdraw`.

use wenku_model::{Citation, Repeal, Target, Withdrawal, WorkId};
use wenku_store::Op;

use crate::cli::{RepealArgs, WithdrawArgs};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::Out;

fn commit(dir: &Option<std::path::PathBuf>, op: Op) -> Result<()> {
    let library = context::signing(context::open(dir)?)?;
    let identity = context::identity(library.path())?;
    let work = op.work().clone();
    let committed = library.commit(&identity, op)?;
    let mut out = Out::stdout();
    match committed
        .outcomes
        .first()
        .and_then(|o| o.unchanged.as_ref())
    {
        Some(why) => out.line(format!("{work}: unchanged: {why}")),
        None => out.line(format!(
            "{work}: recorded in {}",
            &committed.head().to_string()[..10]
        )),
    }
}

/// Records a repeal.
pub fn repeal(dir: &Option<std::path::PathBuf>, args: RepealArgs) -> Result<()> {
    let work = context::work(&args.work)?;
    let date = context::date(&args.date, "--date")?;
    let by = match args.by.as_deref() {
        None => None,
        Some(s) => Some(match WorkId::parse(s) {
            Ok(w) => Target::Work(w),
            Err(_) => Target::Citation(Citation::parse(s).ok_or_else(|| {
                CommandError::usage("--by needs a work id, document number or title")
            })?),
        }),
    };
    commit(
        dir,
        Op::Repeal {
            work,
            repeal: Repeal { date, by },
        },
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
    commit(
        dir,
        Op::Withdraw {
            work,
            withdrawal: Withdrawal {
                date,
                reason: args.reason.trim().to_string(),
            },
        },
    )
}
