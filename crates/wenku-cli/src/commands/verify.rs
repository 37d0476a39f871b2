//! `wenku verify`.

use wenku_service::output;

use crate::cli::VerifyArgs;
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Verifies the whole library; exits 1 if anything is wrong.
pub fn run(dir: &Option<std::path::PathBuf>, args: VerifyArgs) -> Result<()> {
    let library = context::open(dir)?;
    let report = library.verify()?;
    let mut out = Out::stdout();
    if args.json {
        out.json(&output::Verify::new(&report))?;
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
