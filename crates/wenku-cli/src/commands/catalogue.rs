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
