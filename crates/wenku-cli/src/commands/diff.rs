//! `wenku diff`.

use wenku_diff::{Options, Side};
use wenku_model::{Record, VersionEntry};

use crate::cli::{DiffArgs, DiffFormat};
use crate::commands::show::version_by_prefix;
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::Out;

/// A side typed by the user: a date (the version in force then) or a
/// revision prefix.
fn pick<'a>(record: &'a Record, spec: &str, what: &str) -> Result<&'a VersionEntry> {
    let looks_like_date = spec.contains('-') || spec.contains('年');
    if looks_like_date {
        let date = context::date(spec, what)?;
        return record.version_at(date).ok_or_else(|| {
            CommandError::refused(format!(
                "{}: no version of {} was in effect on {date}",
                what, record.work
            ))
            .with_hint(format!(
                "`wenku log {}` lists its versions and dates",
                record.work
            ))
        });
    }
    version_by_prefix(record, spec)
}

/// Compares two versions of a work.
pub fn run(dir: &Option<std::path::PathBuf>, args: DiffArgs) -> Result<()> {
    let library = context::open(dir)?;
    let work = context::work(&args.work)?;
    let snapshot = context::snapshot(&library)?;
    let record = snapshot.require_record(&work)?;
    if record.versions.len() < 2 && args.from.is_none() {
        return Err(CommandError::refused(format!(
            "{work} has only one version; there is nothing to compare"
        )));
    }
    let today = context::today()?;
    // Default TO: the version in force today (the latest, if none is yet).
    let to = match &args.to {
        Some(s) => pick(&record, s, "TO")?,
        None => record
            .version_at(today)
            .or(record.versions.last())
            .ok_or_else(|| CommandError::internal(format!("{work} lists no versions")))?,
    };
    // Default FROM: the version before TO in legal order.
    let from = match &args.from {
        Some(s) => pick(&record, s, "FROM")?,
        None => {
            let i = record
                .versions
                .iter()
                .position(|v| v.revision == to.revision)
                .unwrap_or(0);
            record.versions.get(i.wrapping_sub(1)).ok_or_else(|| {
                CommandError::refused(format!(
                    "{work}: the version {} is the first; there is no earlier one to compare",
                    to.revision.short()
                ))
            })?
        }
    };
    if from.revision == to.revision {
        return Err(CommandError::refused(format!(
            "FROM and TO are the same version {}",
            from.revision.short()
        )));
    }
    let old = snapshot.document(&work, &from.revision)?;
    let new = snapshot.document(&work, &to.revision)?;
    let comparison = wenku_diff::compare(&old, &new, &Options::default());
    let side = |v: &VersionEntry| Side {
        revision: Some(v.revision),
        published: Some(v.published),
        label: Some(format!("{} ({})", v.published, v.revision.short())),
    };
    let (a, b) = (side(from), side(to));
    let mut out = Out::stdout();
    let text = match args.format {
        DiffFormat::Term => {
            wenku_diff::render::terminal::to_terminal(&comparison, &a, &b, out.colored())
        }
        DiffFormat::Json => {
            let mut s = wenku_diff::render::json::to_json(&comparison, &a, &b, false);
            s.push('\n');
            s
        }
        DiffFormat::Html => wenku_diff::render::html::to_html(&comparison, &a, &b),
        DiffFormat::TableHtml => wenku_diff::render::table::to_table_html(&comparison, &a, &b),
        DiffFormat::TableMd => wenku_diff::render::table::to_table_markdown(&comparison, &a, &b),
        DiffFormat::TableCsv => wenku_diff::render::table::to_table_csv(&comparison),
    };
    out.raw(text)
}
