//! Errors as the user sees them: sorted once into kinds with exit codes and
//! hints, at the edge of the program.

use std::fmt;

/// What kind of failure, deciding the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Invalid input, unknown work, refused by authority, problems found (1).
    Refused,
    /// Wrong use of the command line (2).
    Usage,
    /// Another writer changed the library first (3).
    Conflict,
    /// I/O, corrupt repository, a bug (4).
    Internal,
}

impl Kind {
    /// The exit status.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Refused => 1,
            Kind::Usage => 2,
            Kind::Conflict => 3,
            Kind::Internal => 4,
        }
    }
}

/// A failed command: one line saying what failed and why, and a hint.
#[derive(Debug)]
pub struct CommandError {
    /// The kind.
    pub kind: Kind,
    /// What failed and why, naming the file, element or work.
    pub message: String,
    /// What the user can do about it.
    pub hint: Option<String>,
}

impl CommandError {
    /// A refused input.
    pub fn refused(message: impl Into<String>) -> CommandError {
        CommandError {
            kind: Kind::Refused,
            message: message.into(),
            hint: None,
        }
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> CommandError {
        CommandError {
            kind: Kind::Usage,
            message: message.into(),
            hint: None,
        }
    }

    /// An internal or environment error.
    pub fn internal(message: impl Into<String>) -> CommandError {
        CommandError {
            kind: Kind::Internal,
            message: message.into(),
            hint: None,
        }
    }

    /// A conflict with another writer.
    pub fn conflict(message: impl Into<String>) -> CommandError {
        CommandError {
            kind: Kind::Conflict,
            message: message.into(),
            hint: Some("another process changed the library; run the command again".into()),
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> CommandError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The result of a command.
pub type Result<T, E = CommandError> = std::result::Result<T, E>;

/// Output failed: a closed pipe ends the program quietly, anything else is
/// an internal error.
pub fn output_error(err: std::io::Error) -> CommandError {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        CommandError {
            kind: Kind::Usage,
            message: String::new(),
            hint: None,
        }
        .broken_pipe()
    } else {
        CommandError::internal(format!("cannot write output: {err}"))
    }
}

impl CommandError {
    fn broken_pipe(mut self) -> CommandError {
        // Marked by an empty message; main exits 0 without printing.
        self.kind = Kind::Refused;
        self.message.clear();
        self
    }

    /// Whether this is a closed output pipe (exit quietly).
    pub fn is_broken_pipe(&self) -> bool {
        self.message.is_empty()
    }
}
