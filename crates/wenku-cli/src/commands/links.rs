//! `wenku links`.

use wenku_model::Target;
use wenku_service::{output, resolve};

use crate::cli::LinksArgs;
use crate::context;
use crate::error::Result;
use crate::output::{Out, style};

/// Prints a work's relations in both directions.
pub fn run(dir: &Option<std::path::PathBuf>, args: LinksArgs) -> Result<()> {
    let library = context::open(dir)?;
    let snapshot = context::snapshot(&library)?;
    let work = resolve::work(&snapshot, &args.work)?;
    let record = snapshot.require_record(&work)?;
    let referrers = snapshot.referrers(&work)?;
    let mut out = Out::stdout();
    if args.json {
        let outgoing = record
            .relations
            .iter()
            .map(|r| resolve::target(&snapshot, &r.target))
            .collect::<wenku_service::Result<Vec<_>>>()?;
        return out.json(&output::Links::new(&record, &outgoing, &referrers));
    }
    out.styled(style::HEAD, format!("{work}  {}", record.title))?;
    out.line("")?;
    for r in &record.relations {
        let resolved = resolve::target(&snapshot, &r.target)?;
        out.raw(format!("  {:<12} {}", r.kind.as_str(), r.target))?;
        if matches!(r.target, Target::Citation(_)) {
            if resolved.is_empty() {
                out.styled(style::DIM, "  (not in this library)")?;
            } else {
                let ids: Vec<_> = resolved.iter().map(|w| w.to_string()).collect();
                out.styled(style::GOOD, format!("  → {}", ids.join(", ")))?;
            }
        }
        out.line("")?;
    }
    for r in &referrers {
        let title = snapshot
            .record(&r.from)?
            .map(|rec| rec.title)
            .unwrap_or_default();
        out.line(format!(
            "  {:<12} {}  {title}",
            r.kind.reverse_str(),
            r.from
        ))?;
    }
    if record.relations.is_empty() && referrers.is_empty() {
        crate::output::note(format!("{work} has no relations"));
    }
    Ok(())
}
