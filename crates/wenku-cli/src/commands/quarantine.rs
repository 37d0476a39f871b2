//! `wenku quarantine`: refused pull heads, kept apart until an operator
//! has looked at them.

use wenku_service::output;
use wenku_store::federation::{Peer, PullOptions, SignatureMode, quarantine_dir};

use crate::cli::{QuarantineAction, QuarantineArgs, SignatureModeArg};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Runs a `wenku quarantine` action.
pub fn run(dir: &Option<std::path::PathBuf>, args: QuarantineArgs) -> Result<()> {
    let library = context::open(dir)?;
    let node = library.authority().node();
    let mut out = Out::stdout();
    match args.action {
        QuarantineAction::List(a) => {
            let kept: Vec<_> = library
                .peers()?
                .into_iter()
                .filter(|p| p.quarantined.is_some())
                .collect();
            if a.json {
                for p in &kept {
                    out.json(&output::Quarantine::new(
                        p.region,
                        p.quarantined,
                        p.accepted,
                        &quarantine_dir(library.git_dir(), p.region),
                        None,
                    ))?;
                }
                return Ok(());
            }
            if kept.is_empty() {
                return out.line("nothing is quarantined");
            }
            for p in &kept {
                out.styled(style::HEAD, p.region)?;
                out.line(format!(
                    "  refused {}  (accepted before: {})",
                    p.quarantined.map(|h| h.to_string()).unwrap_or_default(),
                    p.accepted
                        .map(|h| h.to_string()[..10].to_string())
                        .unwrap_or_else(|| "none".into())
                ))?;
            }
            Ok(())
        }
        QuarantineAction::Show(a) => {
            let region = context::region(&a.region, "REGION")?;
            let Some(head) = library.quarantined_head(region)? else {
                return Err(CommandError::refused(format!(
                    "nothing is quarantined for {region}"
                )));
            };
            let path = quarantine_dir(library.git_dir(), region);
            let accepted = library.accepted_head(region)?;
            if a.json {
                return out.json(&output::Quarantine::new(
                    region,
                    Some(head),
                    accepted,
                    &path,
                    None,
                ));
            }
            out.line(format!("refused head   {head}"))?;
            out.line(format!(
                "accepted head  {}",
                accepted
                    .map(|h| h.to_string())
                    .unwrap_or_else(|| "none".into())
            ))?;
            out.line(format!("kept in        {}", path.display()))?;
            out.line("inspect with:")?;
            let range = match accepted {
                Some(a) => format!("{a}..main"),
                None => "main".into(),
            };
            out.line(format!(
                "  git --git-dir {} log --stat {range}",
                path.display()
            ))?;
            out.line(format!(
                "  git --git-dir {} log --show-signature -1 main",
                path.display()
            ))
        }
        QuarantineAction::Discard(a) => {
            let region = context::region(&a.region, "REGION")?;
            let head = library.quarantined_head(region)?;
            if a.dry_run {
                let path = quarantine_dir(library.git_dir(), region);
                if a.json {
                    return out.json(&output::Quarantine::new(
                        region,
                        head,
                        library.accepted_head(region)?,
                        &path,
                        Some(false),
                    ));
                }
                return match head {
                    Some(h) => out.line(format!(
                        "would discard the refused head {h} of {region} and {} (dry run: nothing removed)",
                        path.display()
                    )),
                    None => out.line(format!("nothing is quarantined for {region}")),
                };
            }
            let removed = library
                .discard_quarantine(region)
                .map_err(|e| super::pull::command_error(e, library.path()))?;
            if a.json {
                return out.json(&output::Quarantine::new(
                    region,
                    if removed { None } else { head },
                    library.accepted_head(region)?,
                    &quarantine_dir(library.git_dir(), region),
                    Some(removed),
                ));
            }
            if removed {
                out.line(format!(
                    "discarded the refused head {} of {region}",
                    head.map(|h| h.to_string()).unwrap_or_default()
                ))
            } else {
                out.line(format!("nothing was quarantined for {region}"))
            }
        }
        QuarantineAction::Accept(a) => {
            let region = context::region(&a.region, "REGION")?;
            let peer = if node.contains(&region) && node != region {
                Peer::Child(region)
            } else {
                Peer::Parent(region)
            };
            let library = context::signing(library)?;
            let identity = context::identity(library.path())?;
            let Some(aside) = library
                .set_aside_quarantine(region)
                .map_err(|e| super::pull::command_error(e, library.path()))?
            else {
                return Err(CommandError::refused(format!(
                    "nothing is quarantined for {region}"
                )));
            };
            if a.rewritten {
                let forgotten = library
                    .forget_accepted_head(region, &identity)
                    .map_err(|e| super::pull::command_error(e, library.path()))?;
                if let Some(h) = forgotten {
                    crate::output::note(format!(
                        "forgot the head accepted from {region} before, {h}"
                    ));
                }
            }
            let options = PullOptions::new().signatures(match a.signatures {
                SignatureModeArg::Enforce => SignatureMode::Enforce,
                SignatureModeArg::Warn => SignatureMode::Warn,
            });
            let result = library.pull(&aside.display().to_string(), peer, &identity, &options);
            let _ = std::fs::remove_dir_all(&aside);
            match result {
                Ok(report) if a.json => out.json(&output::PullReport::new(&report)),
                Ok(report) => super::pull::human(&mut out, &report),
                Err(e) => {
                    if a.json {
                        out.json(&output::PullFailure::new(&e))?;
                        out.flush()?;
                    }
                    Err(super::pull::command_error(e, library.path()))
                }
            }
        }
    }
}
