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

impl From<wenku_store::OpenError> for CommandError {
    fn from(e: wenku_store::OpenError) -> CommandError {
        use wenku_store::OpenError as E;
        match e {
            E::NotARepository { .. } | E::NotALibrary { .. } | E::NewerFormat { .. } => {
                CommandError::refused(e.to_string())
            }
            E::Meta { .. } | E::Read { .. } => CommandError::internal(e.to_string()),
        }
    }
}

impl From<wenku_store::ReadError> for CommandError {
    fn from(e: wenku_store::ReadError) -> CommandError {
        use wenku_store::ReadError as E;
        match e {
            E::UnknownWork { .. } => CommandError::refused(e.to_string())
                .with_hint("`wenku ls` lists the works; `wenku find` searches by number or title"),
            E::UnknownVersion { .. } => CommandError::refused(e.to_string())
                .with_hint("`wenku log WORK` lists its versions"),
            E::Integrity { .. }
            | E::Misplaced { .. }
            | E::MissingVersion { .. }
            | E::Decode { .. } => CommandError::internal(e.to_string())
                .with_hint("the library is damaged; `wenku verify` lists every problem"),
            E::Meta { .. } | E::Git(_) => CommandError::internal(e.to_string()),
        }
    }
}

impl From<wenku_store::CommitError> for CommandError {
    fn from(e: wenku_store::CommitError) -> CommandError {
        use wenku_store::{CommitError as E, Refusal};
        match &e {
            E::Refused {
                kind,
                work,
                refusal,
                ..
            } => {
                let message = format!("cannot {kind} {work}: {refusal}");
                let hint = match refusal {
                    Refusal::Unauthorized { .. } => Some(
                        "documents of other regions arrive by `wenku pull` from the node authoritative for them",
                    ),
                    Refusal::WorkExists => {
                        Some("use `wenku import --work ID FILE` to add a version")
                    }
                    Refusal::UnknownWork => Some("`wenku ls` lists the works"),
                    _ => None,
                };
                let err = CommandError::refused(message);
                match hint {
                    Some(h) => err.with_hint(h),
                    None => err,
                }
            }
            E::Conflict { .. } => CommandError::conflict(e.to_string()),
            E::Read(_) | E::Meta { .. } | E::NoMain | E::Lock(_) | E::Git(_) => {
                CommandError::internal(e.to_string())
            }
        }
    }
}
