//! `wenku find`.

use serde_json::json;
use wenku_model::Citation;

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
        let found = works
            .iter()
            .map(|w| {
                let r = snapshot.require_record(w)?;
                Ok(json!({
                    "work": w.to_string(),
                    "title": r.title,
                    "number": r.number.as_ref().map(|n| n.as_str()),
                    "type": r.doc_type.as_str(),
                    "status": r.status_at(today).as_str(),
                }))
            })
            .collect::<Result<Vec<_>>>()?;
        return out.json(&json!({"citation": crate::json::citation(&citation), "works": found}));
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
