//! `wenku pull`.

use std::io::IsTerminal;
use std::time::Duration;

use wenku_store::federation::{
    Peer, PullError, PullOptions, PullReport, RegionChanges, SignatureMode,
};

use crate::cli::{PullArgs, SignatureModeArg};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};
use wenku_service::output;

/// Works listed per region and kind of change in human output; `--json`
/// lists them all.
const LISTED: usize = 20;

/// Pulls from a child or the parent.
pub fn run(dir: &Option<std::path::PathBuf>, args: PullArgs) -> Result<()> {
    let peer = match (&args.child, &args.parent) {
        (Some(c), None) => Peer::Child(context::region(c, "--child")?),
        (None, Some(p)) => Peer::Parent(context::region(p, "--parent")?),
        // clap's argument group makes exactly one of them present.
        _ => {
            return Err(CommandError::usage(
                "give exactly one of --child and --parent",
            ));
        }
    };
    if args.timeout == 0 {
        return Err(CommandError::usage("--timeout must be at least one second"));
    }
    // Like git -C: a relative path names a place relative to the library
    // the command runs in, not to the process's directory.
    let source = if args.source.contains("://") {
        args.source.clone()
    } else {
        let path = std::path::Path::new(&args.source);
        let path = if path.is_relative() {
            context::library_dir(dir).join(path)
        } else {
            path.to_path_buf()
        };
        if !path.exists() {
            return Err(CommandError::refused(format!(
                "{}: no such library (a path, file://, git:// or http(s):// URL was expected)",
                path.display()
            )));
        }
        path.display().to_string()
    };
    let library = context::signing(context::open(dir)?)?;
    let identity = context::identity(library.path())?;
    let options = PullOptions::new()
        .timeout(Duration::from_secs(args.timeout))
        .follow_redirects(args.follow_redirects)
        .signatures(match args.signatures {
            SignatureModeArg::Enforce => SignatureMode::Enforce,
            SignatureModeArg::Warn => SignatureMode::Warn,
        });

    let spinner =
        (!args.json && !crate::output::quiet() && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_message(format!("pulling {peer} from {}", args.source));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
    let result = library.pull(&source, peer, &identity, &options);
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }

    let mut out = Out::stdout();
    match result {
        Ok(report) if args.json => out.json(&output::PullReport::new(&report)),
        Ok(report) => human(&mut out, &report),
        Err(e) => {
            if args.json {
                out.json(&output::PullFailure::new(&e))?;
                out.flush()?;
            }
            Err(command_error(e, library.path()))
        }
    }
}

fn short(id: &impl ToString) -> String {
    let mut s = id.to_string();
    s.truncate(10);
    s
}

/// The report as people read it (also in `wenku demo`).
pub(crate) fn human(out: &mut Out, report: &PullReport) -> Result<()> {
    out.styled(style::HEAD, report.peer)?;
    out.line(format!(
        " at {}: {}",
        short(&report.peer_head),
        if !report.advanced() {
            "nothing new since the last pull".to_string()
        } else {
            format!(
                "{} new commit{}, {} objects ({}) in {:.2} s",
                report.new_commits,
                plural(report.new_commits),
                report.fetch.objects,
                bytes(report.fetch.pack_bytes),
                report.timings.total.as_secs_f64()
            )
        }
    ))?;
    for r in &report.regions {
        region(out, r)?;
    }
    signatures(out, report)?;
    if report.changed() {
        out.line(format!(
            "main {} → {}",
            short(&report.old_main),
            short(&report.new_main)
        ))
    } else {
        out.styled(style::DIM, "main unchanged at ")?;
        out.line(short(&report.new_main))
    }
}

/// How the signatures were checked: a line when they were checked, a
/// warning when they were not or when problems were accepted.
fn signatures(out: &mut Out, report: &PullReport) -> Result<()> {
    let s = &report.signatures;
    if !report.advanced() {
        return Ok(());
    }
    match s.mode {
        "not-checked" => crate::output::warning(format!(
            "signatures not checked: {}",
            s.reason.as_deref().unwrap_or("no trust file")
        )),
        _ if !s.problems.is_empty() => {
            crate::output::warning(format!(
                "{} signature problem{} accepted (--signatures warn):",
                s.problems.len(),
                plural(s.problems.len())
            ));
            for p in &s.problems {
                crate::output::warning(format!("  {} {p}", p.kind.as_str()));
            }
        }
        _ => {
            out.styled(style::DIM, "signatures: ")?;
            out.line(format!(
                "{} commit{} checked against trust file serial {}",
                s.checked,
                plural(s.checked),
                s.trust_serial.map(|n| n.to_string()).unwrap_or_default()
            ))?;
        }
    }
    Ok(())
}

fn region(out: &mut Out, r: &RegionChanges) -> Result<()> {
    let mut counts = Vec::new();
    for (n, what) in [
        (r.added.len(), "added"),
        (r.changed.len(), "changed"),
        (r.removed.len(), "removed"),
    ] {
        if n > 0 {
            counts.push(format!("{n} {what}"));
        }
    }
    out.styled(style::HEAD, r.region)?;
    out.line(format!("  {}", counts.join(", ")))?;
    for (works, what, s) in [
        (&r.added, "added  ", style::GOOD),
        (&r.changed, "changed", style::WARN),
        (&r.removed, "removed", style::ERROR),
    ] {
        for w in works.iter().take(LISTED) {
            out.raw("  ")?;
            out.styled(s, what)?;
            out.line(format!("  {w}"))?;
        }
        if works.len() > LISTED {
            out.styled(
                style::DIM,
                format!("  … and {} more {}", works.len() - LISTED, what.trim()),
            )?;
            out.line(" (--json lists them all)")?;
        }
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn bytes(n: u64) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0)),
    }
}

pub(crate) fn command_error(e: PullError, library: &std::path::Path) -> CommandError {
    let hint = match &e {
        _ if e.is_refusal() => Some(format!(
            "main is unchanged and nothing of the refused head entered the library; it is kept apart for inspection: git --git-dir {} log",
            e.quarantine().unwrap_or_default()
        )),
        PullError::InvalidPeer { .. } => Some(format!(
            "--child takes a region inside this node's, --parent the region that contains it; this node's region is in library.xml: git -C {} show main:library.xml",
            library.display()
        )),
        PullError::Timeout { .. } => {
            Some("check that the peer answers, or raise --timeout for a large first pull".into())
        }
        PullError::GitNotFound { .. } => {
            Some("install git, or pull over git:// or http(s)://".into())
        }
        PullError::Conflict { .. } => {
            Some("local commits kept moving main; run the pull again".into())
        }
        _ => None,
    };
    let err = CommandError::from(e);
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
}
