//! `wenku diff`.

use wenku_diff::{Options, Selection, Side};
use wenku_service::resolve::{self, Selected, SelectedBy, VersionName};

use crate::cli::{DiffArgs, DiffFormat};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::Out;

/// Compares two versions of a work.
pub fn run(dir: &Option<std::path::PathBuf>, mut args: DiffArgs) -> Result<()> {
    if args.json {
        args.format = DiffFormat::Json;
    }
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
        Some(s) => VersionName::parse(s, "TO")?.select(&record, today, "TO")?,
        None => Selected::new(
            &record,
            resolve::current(&record, today)?,
            SelectedBy::Current,
        ),
    };
    // Default FROM: the version before TO in legal order.
    let from = match &args.from {
        Some(s) => VersionName::parse(s, "FROM")?.select(&record, today, "FROM")?,
        None => Selected::new(
            &record,
            resolve::previous(&record, to.version)?,
            SelectedBy::Previous,
        ),
    };
    if from.version.revision == to.version.revision {
        return Err(CommandError::refused(format!(
            "FROM and TO are the same version {} ({})",
            from.handle,
            from.version.revision.short()
        )));
    }
    let old = snapshot.document(&work, &from.version.revision)?;
    let new = snapshot.document(&work, &to.version.revision)?;
    let comparison = wenku_diff::compare(&old, &new, &Options::default());
    let side = |s: &Selected, asked: &Option<String>| {
        let v = s.version;
        Side {
            revision: Some(v.revision),
            published: Some(v.published),
            label: (!record.title.is_empty()).then(|| record.title.clone()),
            handle: Some(s.handle.clone()),
            effective: Some(v.effective_date()),
            selected: Some(Selection {
                by: s.by.as_str().to_string(),
                asked: asked.clone(),
                note: s.note.clone(),
            }),
        }
    };
    let (a, b) = (side(&from, &args.from), side(&to, &args.to));
    // A date that named the version in effect rather than one published
    // that day is said where a person reads it; JSON carries it in
    // `selected.note`.
    if args.format != DiffFormat::Json {
        for note in [&from.note, &to.note].into_iter().flatten() {
            crate::output::note(note);
        }
    }
    // The comparison people read goes through a pager on a terminal.
    let mut out = match args.format {
        DiffFormat::Term | DiffFormat::TableMd => Out::paged(),
        _ => Out::stdout(),
    };
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
