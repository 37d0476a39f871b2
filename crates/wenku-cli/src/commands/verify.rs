//! `wenku verify`.

use serde_json::json;
use wenku_store::ProblemKind;

use crate::cli::VerifyArgs;
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

pub(crate) fn kind(k: &ProblemKind) -> &'static str {
    match k {
        ProblemKind::MissingMeta => "missing-meta",
        ProblemKind::BadMeta(_) => "bad-meta",
        ProblemKind::Unexpected(_) => "unexpected",
        ProblemKind::WrongMode(_) => "wrong-mode",
        ProblemKind::MissingRecord => "missing-record",
        ProblemKind::BadRecord(_) => "bad-record",
        ProblemKind::MisplacedRecord { .. } => "misplaced-record",
        ProblemKind::NoVersions => "no-versions",
        ProblemKind::NotCanonical => "not-canonical",
        ProblemKind::HashMismatch { .. } => "hash-mismatch",
        ProblemKind::BadVersion(_) => "bad-version",
        ProblemKind::MissingVersion(_) => "missing-version",
        ProblemKind::OrphanVersion(_) => "orphan-version",
        ProblemKind::DanglingTarget(_) => "dangling-target",
        ProblemKind::EmptyCitation => "empty-citation",
        ProblemKind::Unreadable(_) => "unreadable",
    }
}

/// Verifies the whole library; exits 1 if anything is wrong.
pub fn run(dir: &Option<std::path::PathBuf>, args: VerifyArgs) -> Result<()> {
    let library = context::open(dir)?;
    let report = library.verify()?;
    let mut out = Out::stdout();
    if args.json {
        out.json(&json!({
            "commit": report.commit.to_string(),
            "clean": report.is_clean(),
            "works": report.works,
            "versions": report.versions,
            "problems": report.problems.iter().map(|p| json!({"path": p.path, "kind": kind(&p.kind), "message": p.to_string()})).collect::<Vec<_>>(),
        }))?;
    } else {
        for p in &report.problems {
            out.styled(style::ERROR, "problem: ")?;
            out.line(p.to_string())?;
        }
        if report.is_clean() {
            out.styled(style::GOOD, "ok")?;
            out.line(format!(
                ": {} works, {} versions checked at {}",
                report.works,
                report.versions,
                &report.commit.to_string()[..10]
            ))?;
        }
    }
    if report.is_clean() {
        Ok(())
    } else {
        out.flush()?;
        Err(CommandError::refused(format!(
            "{} problem{} found in {} works",
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" },
            report.works
        )))
    }
}
