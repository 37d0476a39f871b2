//! `wenku show`.

use wenku_model::{Status, render};
use wenku_service::resolve::VersionName;
use wenku_service::{output, resolve};

use crate::cli::{ShowArgs, ShowFormat};
use crate::context;
use crate::error::Result;
use crate::output::{Out, style};

/// Shows a work's text.
pub fn run(dir: &Option<std::path::PathBuf>, args: ShowArgs) -> Result<()> {
    let library = context::open(dir)?;
    let snapshot = context::snapshot(&library)?;
    let work = resolve::work(&snapshot, &args.work)?;
    let record = snapshot.require_record(&work)?;
    let today = context::today()?;
    let (entry, status, at) = match (&args.version, &args.at) {
        (Some(v), _) => {
            let entry = VersionName::parse(v, "--rev")?.select(&record, today, "--rev")?;
            if let Some(note) = &entry.note {
                crate::output::note(note);
            }
            let entry = entry.version.clone();
            let status = record
                .version_status(&entry.revision, today)
                .unwrap_or(Status::Superseded);
            (entry, status, today)
        }
        (None, at) => {
            let date = match at {
                Some(d) => context::date(d, "--at")?,
                None => today,
            };
            let (v, status) = resolve::as_of(&record, date)?;
            (v.clone(), status, date)
        }
    };
    let format = if args.json {
        ShowFormat::Json
    } else {
        args.format
    };
    // A text people read goes through a pager on a terminal.
    let mut out = if format == ShowFormat::Text {
        Out::paged()
    } else {
        Out::stdout()
    };
    match format {
        ShowFormat::Xml => {
            let bytes = snapshot.version_bytes(&work, &entry.revision)?;
            out.raw(bytes)?;
        }
        ShowFormat::Json => {
            let doc = snapshot.document(&work, &entry.revision)?;
            out.json(&output::Show::new(&work, &entry, status, at, &doc))?;
        }
        ShowFormat::Text => {
            let doc = snapshot.document(&work, &entry.revision)?;
            // A person at a terminal sees what the text is above it; piped,
            // the text alone.
            if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                let number = record
                    .number
                    .as_ref()
                    .map(|n| format!("  {n}"))
                    .unwrap_or_default();
                out.styled(style::HEAD, format!("{work}  {}{number}", record.title))?;
                out.line("")?;
                out.styled(
                    style::DIM,
                    format!(
                        "version {} · published {} · effective {} · {} ({}) on {at}",
                        entry.revision.short(),
                        entry.published,
                        entry.effective_date(),
                        status.as_str(),
                        status.chinese()
                    ),
                )?;
                out.line("\n")?;
            } else if status != Status::InForce {
                crate::output::note(format!(
                    "{work}: this text is {} ({}) on {at}",
                    status.as_str(),
                    status.chinese()
                ));
            }
            out.raw(render::to_plain_text(&doc))?;
        }
    }
    Ok(())
}
