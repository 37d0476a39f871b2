//! `wenku sweep`: the quarter's safety sweep of what the library
//! publishes, and the decision on each finding.

use std::path::Path;

use wenku_service::sweep::detect::Detectors;
use wenku_service::sweep::report::{self, Item, Quarter, Report, State};
use wenku_store::{Op, Transaction};

use crate::cli::{SweepAction, SweepArgs, SweepDecide, SweepShow};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Runs `wenku sweep` or one of its actions.
pub fn run(dir: &Option<std::path::PathBuf>, args: SweepArgs) -> Result<()> {
    match args.action {
        None => sweep(dir, args.run.words.as_deref(), args.run.json),
        Some(SweepAction::Show(a)) => show(dir, a),
        Some(SweepAction::Withdraw(a)) => withdraw(dir, a),
        Some(SweepAction::Dismiss(a)) => dismiss(dir, a),
    }
}

fn sweep(dir: &Option<std::path::PathBuf>, words_file: Option<&Path>, json: bool) -> Result<()> {
    let library = context::open(dir)?;
    let words = words_file
        .map(report::read_words)
        .transpose()?
        .unwrap_or_default();
    let detectors = Detectors::new(words.clone());
    let today = context::today()?;
    let snapshot = context::snapshot(&library)?;
    let mut shown = 0;
    let report = report::sweep(&library, &snapshot, &detectors, &words, today, &mut |n| {
        if n >= shown + 10_000 {
            shown = n;
            crate::output::note(format!("{n} versions scanned …"));
        }
    })?;
    let path = report::save(&library, &report)?;
    let mut out = Out::stdout();
    if json {
        return out.json(&report);
    }
    human(&mut out, &report)?;
    out.line(format!("report written to {}", path.display()))
}

fn quarter(value: Option<&str>) -> Result<Quarter> {
    match value {
        Some(q) => Quarter::parse(q).map_err(CommandError::usage),
        None => Ok(Quarter::of(context::today()?)),
    }
}

fn saved(library: &wenku_store::Library, q: Option<&str>) -> Result<Report> {
    let quarter = quarter(q)?;
    report::load(library, quarter)?.ok_or_else(|| {
        CommandError::refused(format!("no sweep report for {quarter}"))
            .with_hint("`wenku sweep` sweeps the library now and writes this quarter's report")
    })
}

fn show(dir: &Option<std::path::PathBuf>, a: SweepShow) -> Result<()> {
    let library = context::open(dir)?;
    let report = saved(&library, a.quarter.as_deref())?;
    let mut out = Out::stdout();
    if a.json {
        return out.json(&report);
    }
    human(&mut out, &report)
}

fn withdraw(dir: &Option<std::path::PathBuf>, a: SweepDecide) -> Result<()> {
    let library = context::signing(context::open(dir)?)?;
    let report = saved(&library, a.quarter.as_deref())?;
    let today = context::today()?;
    let (item, op) = report::withdrawal(&report, &a.finding, &a.reason, today)?;
    if let State::Withdrawn { date, .. } = &item.state {
        return Err(CommandError::refused(format!(
            "the version of finding {} was already withdrawn on {date}",
            item.id
        )));
    }
    let identity = context::identity(library.git_dir())?;
    let state = match &op {
        Op::WithdrawVersion { withdrawal, .. } => State::Withdrawn {
            date: withdrawal.date.to_string(),
            reason: withdrawal.reason.clone(),
        },
        _ => unreachable!("a finding is resolved by withdrawing its version"),
    };
    let committed = library.commit(&identity, Transaction::new().with(op))?;
    let withdrawn = Item { state, ..item };
    let mut out = Out::stdout();
    if a.json {
        return out.json(&withdrawn);
    }
    line(&mut out, &withdrawn)?;
    out.line(format!(
        "recorded in {}",
        committed
            .commit
            .map(|c| c.to_string())
            .unwrap_or_else(|| "no new commit".into())
    ))
}

fn dismiss(dir: &Option<std::path::PathBuf>, a: SweepDecide) -> Result<()> {
    let library = context::open(dir)?;
    let report = saved(&library, a.quarter.as_deref())?;
    let identity = context::identity(library.git_dir())?;
    let item = report::dismiss(
        &library,
        &report,
        &a.finding,
        &a.reason,
        &identity,
        context::today()?,
    )?;
    let mut out = Out::stdout();
    if a.json {
        return out.json(&item);
    }
    line(&mut out, &item)
}

pub(crate) fn line(out: &mut Out, item: &Item) -> Result<()> {
    let state = match &item.state {
        State::Open => "open".to_string(),
        State::Withdrawn { date, .. } => format!("withdrawn {date}"),
        State::FalsePositive { by, on, .. } => format!("false positive ({by}, {on})"),
    };
    out.styled(style::HEAD, &item.id)?;
    out.line(format!(
        "  {}  {}  {} {}  [{state}]",
        item.label, item.masked, item.work, item.place
    ))?;
    out.line(format!(
        "    {}（{} 公布，版本 {}）：…{}…",
        item.title,
        item.published,
        &item.revision[..12.min(item.revision.len())],
        item.context
    ))
}

fn human(out: &mut Out, report: &Report) -> Result<()> {
    out.line(format!(
        "sweep {} on {}: {} versions of {} works scanned at {}",
        report.quarter,
        report.swept_on,
        report.versions,
        report.works,
        &report.commit[..12.min(report.commit.len())]
    ))?;
    let decided = report.items.len() - report.open;
    out.line(format!(
        "{} findings: {} open, {decided} decided",
        report.items.len(),
        report.open
    ))?;
    for item in &report.items {
        line(out, item)?;
    }
    if report.open > 0 {
        out.line(
            "decide each open finding: `wenku sweep withdraw ID --reason TEXT` or `wenku sweep dismiss ID --reason TEXT`",
        )?;
    }
    Ok(())
}
