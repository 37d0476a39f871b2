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

type Sink = std::io::BufWriter<anstream::AutoStream<Box<dyn Write + Send>>>;

/// Standard output, colour-aware: `anstream` strips styles when stdout is
/// not a terminal or NO_COLOR is set. [`Out::paged`] sends long output
/// through a pager on a terminal, as git does.
pub struct Out {
    inner: Option<Sink>,
    colored: bool,
    pager: Option<std::process::Child>,
}

impl Out {
    /// Standard output.
    pub fn stdout() -> Out {
        let choice = anstream::AutoStream::choice(&std::io::stdout());
        let raw: Box<dyn Write + Send> = Box::new(std::io::stdout());
        Out {
            inner: Some(std::io::BufWriter::new(anstream::AutoStream::new(
                raw, choice,
            ))),
            colored: !matches!(choice, anstream::ColorChoice::Never),
            pager: None,
        }
    }

    /// Standard output through a pager when it is a terminal, as git
    /// pages: `WENKU_PAGER`, else `PAGER`, else `less` (with `LESS=FRX`
    /// unless set, so a short text is printed and left on the screen); an
    /// empty pager or `cat` means none. Piped output is never paged.
    pub fn paged() -> Out {
        use std::io::IsTerminal;
        if !std::io::stdout().is_terminal() {
            return Out::stdout();
        }
        let pager = std::env::var("WENKU_PAGER")
            .or_else(|_| std::env::var("PAGER"))
            .unwrap_or_else(|_| "less".into());
        if pager.trim().is_empty() || pager.trim() == "cat" {
            return Out::stdout();
        }
        let mut command = std::process::Command::new("sh");
        command
            .arg("-c")
            .arg(&pager)
            .stdin(std::process::Stdio::piped());
        if std::env::var_os("LESS").is_none() {
            command.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            command.env("LV", "-c");
        }
        let Ok(mut child) = command.spawn() else {
            return Out::stdout();
        };
        let Some(stdin) = child.stdin.take() else {
            return Out::stdout();
        };
        let choice = anstream::AutoStream::choice(&std::io::stdout());
        let raw: Box<dyn Write + Send> = Box::new(stdin);
        Out {
            inner: Some(std::io::BufWriter::new(anstream::AutoStream::new(
                raw, choice,
            ))),
            colored: !matches!(choice, anstream::ColorChoice::Never),
            pager: Some(child),
        }
    }

    fn sink(&mut self) -> &mut Sink {
        self.inner
            .as_mut()
            .expect("the sink is only taken when Out is dropped")
    }

    /// Whether styles reach the terminal.
    pub fn colored(&self) -> bool {
        self.colored
    }

    /// Writes a line.
    pub fn line(&mut self, s: impl AsRef<str>) -> Result<()> {
        writeln!(self.sink(), "{}", s.as_ref()).map_err(output_error)
    }

    /// Writes text as is.
    pub fn raw(&mut self, s: impl AsRef<[u8]>) -> Result<()> {
        self.sink().write_all(s.as_ref()).map_err(output_error)
    }

    /// Writes a styled fragment (no newline).
    pub fn styled(&mut self, style: Style, s: impl std::fmt::Display) -> Result<()> {
        write!(self.sink(), "{style}{s}{style:#}").map_err(output_error)
    }

    /// Writes one JSON value on one line (an output type of
    /// [`wenku_service::output`]).
    pub fn json(&mut self, value: &impl serde::Serialize) -> Result<()> {
        serde_json::to_writer(&mut *self.sink(), value)
            .map_err(|e| output_error(std::io::Error::from(e)))?;
        self.sink().write_all(b"\n").map_err(output_error)
    }

    /// Flushes.
    pub fn flush(&mut self) -> Result<()> {
        self.sink().flush().map_err(output_error)
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        if let Some(mut inner) = self.inner.take() {
            let _ = inner.flush();
            // Closes the pager's input, so it sees the end.
            drop(inner);
        }
        if let Some(mut pager) = self.pager.take() {
            let _ = pager.wait();
        }
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
