//! `wenku catalogue`: a disclosure catalogue's items, and the check of
//! their legal basis against the laws in the library.

use wenku_service::catalogue::{self, Problem};
use wenku_service::resolve;

use crate::cli::{CatalogueAction, CatalogueArgs};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Runs `wenku catalogue items` or `check`.
pub fn run(dir: &Option<std::path::PathBuf>, args: CatalogueArgs) -> Result<()> {
    let library = context::open(dir)?;
    let snapshot = context::snapshot(&library)?;
    let mut out = Out::stdout();
    match args.action {
        CatalogueAction::Items(a) => {
            let work = resolve::work(&snapshot, &a.work)?;
            let day = match &a.at {
                Some(d) => context::date(d, "--at")?,
                None => context::today()?,
            };
            let record = snapshot.require_record(&work)?;
            let version = record
                .version_at(day)
                .or(record.versions.first())
                .ok_or_else(|| CommandError::refused(format!("{work} has no version")))?;
            let doc = snapshot.document(&work, &version.revision)?;
            let items = catalogue::items(&work, &doc)?;
            for item in &items {
                if a.json {
                    out.json(item)?;
                } else {
                    out.styled(style::HEAD, format!("{}. {}", item.row, item.name))?;
                    out.line("")?;
                    for (name, value) in [
                        ("主体", &item.subject),
                        ("内容", &item.content),
                        ("时限", &item.time_limit),
                        ("方式", &item.method),
                        ("渠道", &item.channel),
                        ("责任", &item.responsibility),
                        ("依据", &item.basis),
                    ] {
                        out.line(format!("   {name}：{value}"))?;
                    }
                }
            }
            Ok(())
        }
        CatalogueAction::Diff(a) => {
            let work = resolve::work(&snapshot, &a.work)?;
            let record = snapshot.require_record(&work)?;
            let today = context::today()?;
            let to = match &a.to {
                Some(s) => {
                    resolve::VersionName::parse(s, "TO")?
                        .select(&record, today, "TO")?
                        .version
                }
                None => resolve::current(&record, today)?,
            };
            let from = match &a.from {
                Some(s) => {
                    resolve::VersionName::parse(s, "FROM")?
                        .select(&record, today, "FROM")?
                        .version
                }
                None => resolve::previous(&record, to).map_err(|_| {
                    CommandError::refused(format!(
                        "{work} has no version before {}; there is nothing to compare",
                        to.published
                    ))
                })?,
            };
            if from.revision == to.revision {
                return Err(CommandError::refused("FROM and TO are the same version"));
            }
            let diff = catalogue::diff(&snapshot, &work, from, to)?;
            if a.json {
                return out.json(&diff);
            }
            out.line(format!(
                "{}: version of {} against {}: {} items changed, added or removed; {} unchanged",
                diff.work,
                diff.to_published,
                diff.from_published,
                diff.items.len(),
                diff.unchanged
            ))?;
            for c in &diff.items {
                let (mark, rows) = match c.change {
                    "added" => ("+", format!("row {}", c.to_row.unwrap_or_default())),
                    "removed" => ("-", format!("was row {}", c.from_row.unwrap_or_default())),
                    _ => (
                        "~",
                        format!(
                            "row {} (was {})",
                            c.to_row.unwrap_or_default(),
                            c.from_row.unwrap_or_default()
                        ),
                    ),
                };
                out.styled(style::HEAD, format!("{mark} {}", c.name))?;
                out.line(format!("  {rows}"))?;
                for f in &c.fields {
                    let label = match f.field {
                        "name" => "事项",
                        "subject" => "主体",
                        "content" => "内容",
                        "time_limit" => "时限",
                        "method" => "方式",
                        "channel" => "渠道",
                        "responsibility" => "责任",
                        _ => "依据",
                    };
                    out.line(format!("    {label}：{} → {}", f.before, f.after))?;
                }
            }
            Ok(())
        }
        CatalogueAction::Check(a) => {
            let work = resolve::work(&snapshot, &a.work)?;
            let day = match &a.at {
                Some(d) => context::date(d, "--at")?,
                None => context::today()?,
            };
            let report = catalogue::check(&snapshot, &work, day)?;
            if a.json {
                out.json(&report)?;
            } else {
                out.line(format!(
                    "{} (version of {}): {} items, {} citations of their basis checked on {}",
                    report.work, report.published, report.items, report.citations, report.on
                ))?;
                for f in &report.findings {
                    let what = match &f.problem {
                        Problem::NotInLibrary => "is not in the library".to_string(),
                        Problem::Ended { status, work } => format!("{work} is {status}"),
                        Problem::Amended { work, published } => {
                            format!(
                                "{work} has a version published {published}, after the catalogue's"
                            )
                        }
                    };
                    out.line(format!("  row {} {}: {} {what}", f.row, f.item, f.basis))?;
                }
            }
            if report.findings.is_empty() {
                if !a.json {
                    out.line("every item's basis is in force as the catalogue cites it")?;
                }
                Ok(())
            } else {
                Err(CommandError::refused(format!(
                    "{} of the catalogue's citations no longer hold as written",
                    report.findings.len()
                ))
                .with_hint(
                    "publish a new version of the catalogue with the items brought up to date",
                ))
            }
        }
    }
}
