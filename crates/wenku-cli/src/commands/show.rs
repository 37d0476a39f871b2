//! `wenku show`.

use serde_json::{Value, json};
use wenku_model::{Record, RevisionPrefix, Status, VersionEntry, render};

use crate::cli::{ShowArgs, ShowFormat};
use crate::context;
use crate::error::{CommandError, Result};
use crate::json;
use crate::output::{Out, style};

/// Finds a version of a record by a typed revision prefix.
pub fn version_by_prefix<'a>(record: &'a Record, prefix: &str) -> Result<&'a VersionEntry> {
    let p = RevisionPrefix::parse(prefix).map_err(|e| CommandError::refused(e.to_string()))?;
    let found: Vec<_> = record
        .versions
        .iter()
        .filter(|v| p.matches(&v.revision))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(
            CommandError::refused(format!("{} has no version {}", record.work, p.as_str()))
                .with_hint(format!("`wenku log {}` lists its versions", record.work)),
        ),
        many => Err(CommandError::refused(format!(
            "revision prefix {} is ambiguous in {}: {}",
            p.as_str(),
            record.work,
            many.iter()
                .map(|v| v.revision.short())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with_hint("type more hex digits")),
    }
}

/// Shows a work's text.
pub fn run(dir: &Option<std::path::PathBuf>, args: ShowArgs) -> Result<()> {
    let library = context::open(dir)?;
    let work = context::work(&args.work)?;
    let snapshot = context::snapshot(&library)?;
    let record = snapshot.require_record(&work)?;
    let today = context::today()?;
    let (entry, status, at) = match (&args.version, &args.at) {
        (Some(v), _) => {
            let entry = version_by_prefix(&record, v)?.clone();
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
            let as_of = record.as_of(date);
            let Some(v) = as_of.version else {
                let first = record
                    .versions
                    .first()
                    .map(|v| v.effective_date().to_string())
                    .unwrap_or_default();
                return Err(CommandError::refused(format!("{work} was not yet in effect on {date}; its first version takes effect on {first}"))
                    .with_hint("pass a later --at date, or --version REV"));
            };
            (v.clone(), as_of.status, date)
        }
    };
    let mut out = Out::stdout();
    match args.format {
        ShowFormat::Xml => {
            let bytes = snapshot.version_bytes(&work, &entry.revision)?;
            out.raw(bytes)?;
        }
        ShowFormat::Json => {
            let doc = snapshot.document(&work, &entry.revision)?;
            let mut obj = serde_json::Map::new();
            obj.insert("work".into(), json!(work.to_string()));
            obj.insert("revision".into(), json!(entry.revision.to_string()));
            obj.insert("status".into(), json!(status.as_str()));
            obj.insert("as_of".into(), json!(at.to_string()));
            obj.insert("published".into(), json!(entry.published.to_string()));
            obj.insert(
                "effective".into(),
                json!(entry.effective_date().to_string()),
            );
            obj.extend(json::document(&doc));
            out.json(&Value::Object(obj))?;
        }
        ShowFormat::Text => {
            let doc = snapshot.document(&work, &entry.revision)?;
            if out.colored() {
                out.styled(style::HEAD, format!("{work}  {}", record.title))?;
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
