//! `wenku log`.

use wenku_model::Status;
use wenku_service::{output, resolve};

use crate::cli::LogArgs;
use crate::context;
use crate::error::Result;
use crate::output::{Out, style};

/// Prints a work's versions in legal order, each with its handle (`v1`,
/// `v2` …, which `show --rev` and `diff` accept), revision, publication
/// and effective dates; its lifecycle and the changes recorded in the
/// library's history.
pub fn run(dir: &Option<std::path::PathBuf>, args: LogArgs) -> Result<()> {
    let library = context::open(dir)?;
    let snapshot = context::snapshot(&library)?;
    let work = resolve::work(&snapshot, &args.work)?;
    let record = snapshot.require_record(&work)?;
    let today = context::today()?;
    let history = library.history(&work)?;
    if args.json {
        return Out::stdout().json(&output::Log::new(&record, &history, today));
    }
    let mut out = Out::paged();
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
        out.styled(style::HEAD, resolve::handle(&record, v))?;
        out.raw(format!(
            "  {}  published {}  effective {}  ",
            v.revision.short(),
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
            if let Some((reviewer, note)) = &h.review {
                out.styled(style::DIM, "           reviewed by ")?;
                out.line(format!("{reviewer}: {note}"))?;
            }
            match &h.signature {
                wenku_store::signing::CommitSignature::Unsigned => {}
                wenku_store::signing::CommitSignature::Good(key) => {
                    out.styled(style::DIM, "           signed by ")?;
                    out.line(format!(
                        "{}{}",
                        wenku_store::signing::fingerprint(key),
                        match &h.signer_regions {
                            None => String::new(),
                            Some(rs) if rs.is_empty() => {
                                ", a key the trust file does not list (or has revoked)".to_string()
                            }
                            Some(rs) => format!(
                                ", the key of {}",
                                rs.iter()
                                    .map(|r| r.to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        }
                    ))?;
                }
                wenku_store::signing::CommitSignature::Bad(why) => {
                    out.styled(style::ERROR, "           bad signature: ")?;
                    out.line(why)?;
                }
            }
        }
    }
    Ok(())
}
