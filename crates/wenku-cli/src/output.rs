//! Printing: colour only on a terminal (and never with NO_COLOR), plain and
//! parseable when piped, quiet exit on a closed pipe.

use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::error::{CommandError, Result, output_error};

/// Styles used in human output.
pub mod style {
    use super::*;

    /// Errors.
    pub const ERROR: Style = AnsiColor::Red.on_default().bold();
    /// Hints.
    pub const HINT: Style = AnsiColor::Cyan.on_default();
    /// Headings and ids.
    pub const HEAD: Style = Style::new().bold();
    /// Secondary text (dates, counts).
    pub const DIM: Style = Style::new().dimmed();
    /// Good status.
    pub const GOOD: Style = AnsiColor::Green.on_default();
    /// Warning status.
    pub const WARN: Style = AnsiColor::Yellow.on_default();
}

/// Standard output, colour-aware. `anstream` strips styles when stdout is
/// not a terminal or NO_COLOR is set.
pub struct Out {
    inner: std::io::BufWriter<anstream::AutoStream<std::io::Stdout>>,
    colored: bool,
}

impl Out {
    /// Standard output.
    pub fn stdout() -> Out {
        let stream = anstream::AutoStream::auto(std::io::stdout());
        let colored = !matches!(stream.current_choice(), anstream::ColorChoice::Never);
        Out {
            inner: std::io::BufWriter::new(stream),
            colored,
        }
    }

    /// Whether styles reach the terminal.
    pub fn colored(&self) -> bool {
        self.colored
    }

    /// Writes a line.
    pub fn line(&mut self, s: impl AsRef<str>) -> Result<()> {
        writeln!(self.inner, "{}", s.as_ref()).map_err(output_error)
    }

    /// Writes text as is.
    pub fn raw(&mut self, s: impl AsRef<[u8]>) -> Result<()> {
        self.inner.write_all(s.as_ref()).map_err(output_error)
    }

    /// Writes a styled fragment (no newline).
    pub fn styled(&mut self, style: Style, s: impl std::fmt::Display) -> Result<()> {
        write!(self.inner, "{style}{s}{style:#}").map_err(output_error)
    }

    /// Writes one JSON value on one line (an output type of
    /// [`wenku_service::output`]).
    pub fn json(&mut self, value: &impl serde::Serialize) -> Result<()> {
        serde_json::to_writer(&mut self.inner, value)
            .map_err(|e| output_error(std::io::Error::from(e)))?;
        self.inner.write_all(b"\n").map_err(output_error)
    }

    /// Flushes.
    pub fn flush(&mut self) -> Result<()> {
        self.inner.flush().map_err(output_error)
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        let _ = self.inner.flush();
    }
}

/// Prints an error (and its hint) to standard error.
pub fn error(e: &CommandError) {
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "{}wenku: error:{} {}",
        style::ERROR,
        style::ERROR.render_reset(),
        e.message()
    );
    if let Some(hint) = e.hint() {
        let _ = writeln!(
            err,
            "{}hint:{} {hint}",
            style::HINT,
            style::HINT.render_reset()
        );
    }
}

/// Prints a warning to standard error.
pub fn warning(message: impl std::fmt::Display) {
    let mut err = anstream::stderr();
    let _ = writeln!(
        err,
        "{}wenku: warning:{} {message}",
        style::WARN,
        style::WARN.render_reset()
    );
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns notes and progress off (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `--quiet` was given: no notes, no progress.
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// Prints a note for people to standard error (kept out of stdout so that
/// piped output stays parseable); nothing with `--quiet`.
pub fn note(message: impl std::fmt::Display) {
    if quiet() {
        return;
    }
    let mut err = anstream::stderr();
    let _ = writeln!(err, "{}{message}{}", style::DIM, style::DIM.render_reset());
}
