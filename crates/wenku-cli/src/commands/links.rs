//! `wenku links`.

use serde_json::json;
use wenku_model::{Target, WorkId};
use wenku_store::Snapshot;

use crate::cli::LinksArgs;
use crate::context;
use crate::error::Result;
use crate::json;
use crate::output::{Out, style};

/// What a relation's target resolves to in this library.
fn resolve(snapshot: &Snapshot, target: &Target) -> Result<Vec<WorkId>> {
    Ok(match target {
        Target::Work(w) => vec![w.clone()],
        Target::Citation(c) => snapshot.lookup(c)?,
    })
}

/// Prints a work's relations in both directions.
pub fn run(dir: &Option<std::path::PathBuf>, args: LinksArgs) -> Result<()> {
    let library = context::open(dir)?;
    let work = context::work(&args.work)?;
    let snapshot = context::snapshot(&library)?;
    let record = snapshot.require_record(&work)?;
    let referrers = snapshot.referrers(&work)?;
    let mut out = Out::stdout();
    if args.json {
        let outgoing = record
            .relations
            .iter()
            .map(|r| {
                let resolved = resolve(&snapshot, &r.target)?;
                Ok(json!({
                    "kind": r.kind.as_str(),
                    "target": json::target(&r.target),
                    "resolved": resolved.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
                }))
            })
            .collect::<Result<Vec<_>>>()?;
        let incoming: Vec<_> = referrers
            .iter()
            .map(|r| json!({"kind": r.kind.as_str(), "reverse": r.kind.reverse_str(), "from": r.from.to_string(), "target": json::target(&r.target)}))
            .collect();
        return out
            .json(&json!({"work": work.to_string(), "outgoing": outgoing, "incoming": incoming}));
    }
    out.styled(style::HEAD, format!("{work}  {}", record.title))?;
    out.line("")?;
    for r in &record.relations {
        let resolved = resolve(&snapshot, &r.target)?;
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
