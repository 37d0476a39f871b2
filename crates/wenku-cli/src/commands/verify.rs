//! `wenku verify`.

use wenku_service::output;

use crate::cli::VerifyArgs;
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Verifies the whole library (with `--signatures`, every commit's
/// signature too); exits 1 if anything is wrong.
pub fn run(dir: &Option<std::path::PathBuf>, args: VerifyArgs) -> Result<()> {
    let library = context::open(dir)?;
    let report = library.verify()?;
    let signatures = if args.signatures {
        Some(
            library
                .verify_signatures()
                .map_err(|e| CommandError::internal(format!("checking signatures: {e}")))?,
        )
    } else {
        None
    };
    let mut out = Out::stdout();
    if args.json {
        let mut json = output::Verify::new(&report);
        if let Some(s) = &signatures {
            json = json.with_signatures(s);
        }
        out.json(&json)?;
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
        if let Some(s) = &signatures {
            for p in &s.problems {
                out.styled(style::ERROR, "signature: ")?;
                out.line(format!("{} {p}", p.kind.as_str()))?;
            }
            match &s.reason {
                Some(reason) => {
                    out.styled(style::ERROR, "signatures not checked")?;
                    out.line(format!(": {reason}"))?;
                }
                None if s.problems.is_empty() => {
                    out.styled(style::GOOD, "ok")?;
                    out.line(format!(
                        ": {} commits signed by keys the trust file (serial {}) lets sign what they change{}",
                        s.signed,
                        s.trust.as_ref().map(|t| t.serial).unwrap_or_default(),
                        if s.pinned { "" } else { "; no root key is pinned, so the first trust file is taken as it signs itself" }
                    ))?;
                }
                None => {}
            }
        }
    }
    let bad_signatures = signatures.as_ref().filter(|s| !s.is_clean());
    if report.is_clean() && bad_signatures.is_none() {
        return Ok(());
    }
    out.flush()?;
    let mut said = Vec::new();
    if !report.is_clean() {
        said.push(format!(
            "{} problem{} found in {} works",
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" },
            report.works
        ));
    }
    if let Some(s) = bad_signatures {
        said.push(match &s.reason {
            Some(_) => "signatures could not be checked".to_string(),
            None => format!(
                "{} signature problem{} in {} commits",
                s.problems.len(),
                if s.problems.len() == 1 { "" } else { "s" },
                s.commits
            ),
        });
    }
    Err(CommandError::refused(said.join("; ")))
}
