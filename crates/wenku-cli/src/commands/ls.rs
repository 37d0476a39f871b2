//! `wenku ls`.

use wenku_model::query::Filter;
use wenku_service::output;

use crate::cli::LsArgs;
use crate::context;
use crate::error::Result;
use crate::output::{Out, style};

/// Lists works.
pub fn run(dir: &Option<std::path::PathBuf>, args: LsArgs) -> Result<()> {
    let library = context::open(dir)?;
    let date = match &args.at {
        Some(d) => context::date(d, "--at")?,
        None => context::today()?,
    };
    let mut filter = Filter::all();
    if let Some(r) = &args.region {
        filter = filter.region(context::region(r, "--region")?);
    }
    if let Some(t) = &args.doc_type {
        filter = filter.doc_type(context::doc_type(t)?);
    }
    if let Some(s) = &args.subject {
        filter = filter.subject(s.clone());
    }
    if let Some(s) = &args.status {
        filter = filter.status_on(context::status(s)?, date);
    }
    let snapshot = context::snapshot(&library)?;
    let works = snapshot.works(&filter)?;
    let mut out = Out::stdout();
    let width = works.iter().map(|w| w.to_string().len()).max().unwrap_or(0);
    for work in &works {
        let record = snapshot.require_record(work)?;
        let as_of = record.as_of(date);
        if args.json {
            out.json(&output::Ls::new(&record, date))?;
        } else {
            out.styled(style::HEAD, format!("{:<width$}", work.to_string()))?;
            let status_style = if as_of.status == wenku_model::Status::InForce {
                style::GOOD
            } else {
                style::WARN
            };
            out.raw(" ")?;
            out.styled(status_style, format!("{:<17}", as_of.status.as_str()))?;
            let date = as_of
                .version
                .map(|v| v.published.to_string())
                .unwrap_or_else(|| "-".into());
            out.styled(style::DIM, format!(" {date} "))?;
            out.line(&record.title)?;
        }
    }
    if !args.json && works.is_empty() {
        crate::output::note("no works match");
    }
    Ok(())
}
