//! `wenku diff`.

use wenku_diff::{Options, Side};
use wenku_model::VersionEntry;
use wenku_service::resolve::{self, VersionName};

use crate::cli::{DiffArgs, DiffFormat};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::Out;

/// Compares two versions of a work.
pub fn run(dir: &Option<std::path::PathBuf>, args: DiffArgs) -> Result<()> {
    let library = context::open(dir)?;
    let snapshot = context::snapshot(&library)?;
    let work = resolve::work(&snapshot, &args.work)?;
    let record = snapshot.require_record(&work)?;
    if record.versions.len() < 2 && args.from.is_none() {
        return Err(CommandError::refused(format!(
            "{work} has only one version; there is nothing to compare"
        )));
    }
    let today = context::today()?;
    // Default TO: the version in force today (the latest, if none is yet).
    let to = match &args.to {
        Some(s) => VersionName::parse(s, "TO")?.resolve(&record, today, "TO")?,
        None => resolve::current(&record, today)?,
    };
    // Default FROM: the version before TO in legal order.
    let from = match &args.from {
        Some(s) => VersionName::parse(s, "FROM")?.resolve(&record, today, "FROM")?,
        None => resolve::previous(&record, to)?,
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
