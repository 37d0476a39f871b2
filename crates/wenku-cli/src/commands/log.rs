//! `wenku log`.

use serde_json::json;
use wenku_model::Status;

use crate::cli::LogArgs;
use crate::context;
use crate::error::Result;
use crate::json;
use crate::output::{Out, style};

/// Prints a work's versions in legal order, its lifecycle and the changes
/// recorded in the library's history.
pub fn run(dir: &Option<std::path::PathBuf>, args: LogArgs) -> Result<()> {
    let library = context::open(dir)?;
    let work = context::work(&args.work)?;
    let snapshot = context::snapshot(&library)?;
    let record = snapshot.require_record(&work)?;
    let today = context::today()?;
    let history = library.history(&work)?;
    let mut out = Out::stdout();
    if args.json {
        let versions: Vec<_> = record
            .versions
            .iter()
            .map(|v| {
                let mut j = json::version(v);
                j["status"] = json!(
                    record
                        .version_status(&v.revision, today)
                        .map(Status::as_str)
                );
                j
            })
            .collect();
        let history: Vec<_> = history
            .iter()
            .map(|h| {
                json!({
                    "commit": h.commit.to_string(),
                    "author": {"name": h.author.name, "email": h.author.email},
                    "time": h.author.time.seconds,
                    "subject": h.subject,
                    "op": h.op,
                    "node": h.node,
                    "added_versions": h.added_versions.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                })
            })
            .collect();
        return out.json(&json!({
            "work": work.to_string(),
            "title": record.title,
            "type": record.doc_type.as_str(),
            "status": record.status_at(today).as_str(),
            "as_of": today.to_string(),
            "versions": versions,
            "events": json::lifecycle(&record),
            "history": history,
        }));
    }
    out.styled(style::HEAD, format!("{work}  {}", record.title))?;
    out.line("")?;
    let status = record.status_at(today);
    out.styled(
        style::DIM,
        format!("{} ({}) on {today}", status.as_str(), status.chinese()),
    )?;
    out.line("\n")?;
    for v in &record.versions {
        let st = record
            .version_status(&v.revision, today)
            .unwrap_or(Status::Superseded);
        let st_style = if st == Status::InForce {
            style::GOOD
        } else {
            style::DIM
        };
        out.styled(style::HEAD, v.revision.short())?;
        out.raw(format!(
            "  published {}  effective {}  ",
            v.published,
            v.effective_date()
        ))?;
        out.styled(st_style, st.as_str())?;
        if let Some(note) = &v.note {
            out.raw(format!("  {note}"))?;
        }
        if let Some(by) = &v.amended_by {
            out.raw(format!("  by {by}"))?;
        }
        out.line("")?;
    }
    if let Some(r) = &record.repealed {
        let by =
            r.by.as_ref()
                .map(|t| format!(" by {t}"))
                .unwrap_or_default();
        out.styled(style::WARN, format!("repealed from {}{by}", r.date))?;
        out.line("")?;
    }
    if let Some(e) = record.expires {
        out.styled(style::WARN, format!("valid until {e}"))?;
        out.line("")?;
    }
    if let Some(w) = &record.withdrawn {
        out.styled(
            style::WARN,
            format!("withdrawn from {}: {}", w.date, w.reason),
        )?;
        out.line("")?;
    }
    if !history.is_empty() {
        out.line("")?;
        out.styled(style::HEAD, "Recorded changes")?;
        out.line("")?;
        for h in &history {
            out.styled(style::DIM, format!("{} ", &h.commit.to_string()[..10]))?;
            out.line(format!(
                "{}  {} <{}>",
                h.subject, h.author.name, h.author.email
            ))?;
        }
    }
    Ok(())
}
