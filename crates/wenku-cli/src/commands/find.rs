//! `wenku find`.

use wenku_model::Citation;
use wenku_service::output;

use crate::cli::FindArgs;
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Finds works by document number or title.
pub fn run(dir: &Option<std::path::PathBuf>, args: FindArgs) -> Result<()> {
    let library = context::open(dir)?;
    let citation = Citation::parse(&args.citation).ok_or_else(|| {
        CommandError::usage("give a document number (鲁政办发〔2025〕5号) or a title")
    })?;
    let snapshot = context::snapshot(&library)?;
    let works = snapshot.lookup(&citation)?;
    let today = context::today()?;
    let mut out = Out::stdout();
    if args.json {
        let records = works
            .iter()
            .map(|w| snapshot.require_record(w))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        return out.json(&output::Find::new(&citation, &records, today));
    }
    if works.is_empty() {
        return Err(
            CommandError::refused(format!("no work in this library matches {citation}"))
                .with_hint("documents of other regions arrive by pulling from their nodes"),
        );
    }
    for w in &works {
        let r = snapshot.require_record(w)?;
        out.styled(style::HEAD, w.to_string())?;
        let number = r
            .number
            .as_ref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        out.line(format!(
            " {}{number}  ({})",
            r.title,
            r.status_at(today).as_str()
        ))?;
    }
    Ok(())
}
