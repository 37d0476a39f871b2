//! What the importer tells its caller besides the document: what it
//! recognised, what it was unsure of, and every piece of text it left out.

use std::fmt;

/// How much a diagnostic matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Something was recognised or normalised as expected; markup left out
    /// (Markdown markers, a byte order mark, zero-width characters at line
    /// edges) is reported at this level.
    Info,
    /// Something the caller should look at: text left out by a heuristic
    /// (web-page chrome, characters XML cannot carry), a guess, a gap.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
        })
    }
}

/// One message about an import.
///
/// Whenever text of the input does not appear in the document, a diagnostic
/// carries it in [`Diagnostic::dropped`], exactly: the no-loss invariant is
/// that the document's plain-text rendering plus every `dropped` text holds
/// the same non-whitespace characters as the input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// How much it matters.
    pub severity: Severity,
    /// The 1-based input line it is about, if one.
    pub line: Option<usize>,
    /// A stable, machine-readable code; see [`codes`].
    pub code: &'static str,
    /// What happened, for people.
    pub message: String,
    /// The exact text left out of the document, if any.
    pub dropped: Option<String>,
}

impl Diagnostic {
    /// An informational message.
    pub fn info(line: Option<usize>, code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Info,
            line,
            code,
            message: message.into(),
            dropped: None,
        }
    }

    /// A warning.
    pub fn warning(
        line: Option<usize>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::info(line, code, message)
        }
    }

    /// Records the text left out.
    pub fn with_dropped(mut self, dropped: impl Into<String>) -> Diagnostic {
        self.dropped = Some(dropped.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(
                f,
                "{} [{}] line {l}: {}",
                self.severity, self.code, self.message
            )?,
            None => write!(f, "{} [{}] {}", self.severity, self.code, self.message)?,
        }
        if let Some(d) = &self.dropped {
            write!(f, " (dropped {d:?})")?;
        }
        Ok(())
    }
}

/// The diagnostic codes, one constant each.
pub mod codes {
    /// The input format was chosen (from the name or the content).
    pub const FORMAT: &str = "format";
    /// The input was decoded from an encoding other than UTF-8, or had a BOM.
    pub const ENCODING: &str = "encoding";
    /// A character XML cannot carry (a control character) was left out.
    pub const CONTROL_CHARACTER: &str = "control-character";
    /// Bidirectional control characters (U+202A–U+202E, U+2066–U+2069,
    /// U+200E, U+200F, U+061C) were left out of the text or of the
    /// proposed metadata.
    pub const BIDI_CONTROL: &str = "bidi-control";
    /// A date written in the text does not exist (`2023年2月30日`); it was
    /// not used as a date.
    pub const IMPOSSIBLE_DATE: &str = "impossible-date";
    /// Zero-width characters at a line's edge (or forming the whole line)
    /// were left out.
    pub const ZERO_WIDTH: &str = "zero-width";
    /// A Markdown marker (`#`, `##` …) was left out.
    pub const MARKDOWN_MARKER: &str = "markdown-marker";
    /// A Markdown file's front matter was read (its lines are left out of
    /// the text), or one of its keys is not read.
    pub const FRONT_MATTER: &str = "front-matter";
    /// An HTML comment such as `<!-- INFO END -->` was left out.
    pub const MARKDOWN_COMMENT: &str = "markdown-comment";
    /// A line of web-page chrome (menus, `上一篇`, `字号`, `更新时间` …) was
    /// left out, or kept because the caller asked for it.
    pub const WEB_CHROME: &str = "web-chrome";
    /// The title: where it came from, or that none was found.
    pub const TITLE: &str = "title";
    /// A cover notice (印发通知) was recognised.
    pub const COVER: &str = "cover";
    /// Enactment and amendment lines were read.
    pub const HISTORY: &str = "history";
    /// The enactment and amendment lines end long before the version's own
    /// date (from its file name or the given publication date): they were
    /// copied from an earlier version, and their dates are not this one's.
    pub const STALE_HISTORY: &str = "stale-history";
    /// A table of contents (目录) was recognised and kept as notes.
    pub const CONTENTS: &str = "contents";
    /// What structure was recognised.
    pub const STRUCTURE: &str = "structure";
    /// A table laid out in the text (columns apart by tabs or runs of
    /// spaces, or a Markdown pipe table) was kept as a table; a pipe
    /// table's markup is reported dropped.
    pub const TABLE: &str = "table";
    /// Numbering that does not continue as expected.
    pub const NUMBERING: &str = "numbering";
    /// Metadata that was recognised or guessed (issuer, dates, number, type).
    pub const METADATA: &str = "metadata";
    /// A relation to another document was recognised.
    pub const RELATION: &str = "relation";
    /// A value passed in the options replaced what was recognised.
    pub const OVERRIDE: &str = "override";
}
