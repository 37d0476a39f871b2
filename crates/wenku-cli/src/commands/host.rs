//! `wenku host`: the sub-regions this node hosts.

use wenku_service::output;
use wenku_store::HostingError;

use crate::cli::{HostAction, HostArgs};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Runs a `wenku host` action.
pub fn run(dir: &Option<std::path::PathBuf>, args: HostArgs) -> Result<()> {
    let library = context::open(dir)?;
    let mut out = Out::stdout();
    let current: Vec<_> = library.authority().hosted().to_vec();
    let (regions, add, flags) = match args.action {
        HostAction::List(a) => {
            let same = wenku_store::HostingChanged {
                before: library.authority().clone(),
                after: library.authority().clone(),
                commit: None,
            };
            if a.json {
                return out.json(&output::Hosts::new(&same, false));
            }
            if current.is_empty() {
                return out.line(format!(
                    "node {} hosts no other region",
                    library.authority().node()
                ));
            }
            for r in &current {
                out.line(r.to_string())?;
            }
            return Ok(());
        }
        HostAction::Add(a) => (a.regions, true, a.flags),
        HostAction::Remove(a) => (a.regions, false, a.flags),
    };
    let regions = regions
        .iter()
        .map(|r| context::region(r, "REGION"))
        .collect::<Result<Vec<_>>>()?;
    let mut hosted = current.clone();
    for r in &regions {
        if add {
            if !hosted.contains(r) {
                hosted.push(*r);
            }
        } else {
            if !hosted.contains(r) {
                return Err(CommandError::refused(format!(
                    "node {} does not host {r}",
                    library.authority().node()
                )));
            }
            hosted.retain(|h| h != r);
        }
    }
    let library = if flags.dry_run {
        library
    } else {
        context::signing(library)?
    };
    let identity = context::identity(library.path())?;
    let changed = library
        .set_hosted(&identity, &hosted, flags.dry_run)
        .map_err(|e| match e {
            HostingError::Conflict => CommandError::conflict(e.to_string()),
            HostingError::Read(_) | HostingError::Git(_) | HostingError::Commit(_) => {
                CommandError::internal(e.to_string())
            }
            other => CommandError::refused(other.to_string()),
        })?;
    let shown = output::Hosts::new(&changed, flags.dry_run);
    if flags.json {
        return out.json(&shown);
    }
    let list = |a: &wenku_store::Authority| {
        let h: Vec<String> = a.hosted().iter().map(|r| r.to_string()).collect();
        if h.is_empty() {
            "none".into()
        } else {
            h.join(", ")
        }
    };
    match (
        changed.before == changed.after,
        flags.dry_run,
        changed.commit,
    ) {
        (true, _, _) => out.line(format!("unchanged: hosts {}", list(&changed.after))),
        (false, true, _) => {
            out.styled(style::WARN, "would record")?;
            out.line(format!(
                ": hosts {} (now {}); nothing written",
                list(&changed.after),
                list(&changed.before)
            ))
        }
        (false, false, commit) => out.line(format!(
            "recorded in {}: hosts {} (was {})",
            commit
                .map(|c| c.to_string()[..10].to_string())
                .unwrap_or_default(),
            list(&changed.after),
            list(&changed.before)
        )),
    }
}
