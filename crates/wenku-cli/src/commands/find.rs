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
    let mut works = snapshot.lookup(&citation)?;
    // No whole title or number: words inside titles.
    let mut by_words = false;
    if works.is_empty()
        && citation.number.is_none()
        && let Some(title) = &citation.title
    {
        works = wenku_service::resolve::title_words(&snapshot, title)?;
        by_words = !works.is_empty();
    }
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
        let hint = if citation.number.is_some() {
            "no work here carries this number (any bracket variant matches); a document of another region is here once a pull brings it"
        } else {
            "no title here is or contains these words; `wenku ls` lists the works"
        };
        return Err(
            CommandError::refused(format!("no work in this library matches {citation}"))
                .with_hint(hint),
        );
    }
    if by_words {
        crate::output::note(format!(
            "no title is exactly {citation}; these titles contain it"
        ));
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
