//! One classification of failures for every front end.
//!
//! Every failure the service reports is an [`Error`]: one line saying what
//! failed and why (naming the file, element or work), an optional hint for
//! what to do about it, a [`Kind`] that front ends map to their own
//! vocabulary — exit statuses for the command line, HTTP statuses for the
//! daemon ([`Kind::http_status`]) — and the error it came from, kept as its
//! [`source`](std::error::Error::source) so nothing of the chain is lost.

use std::fmt;

/// What kind of failure: what the caller can do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// The input was refused: invalid, outside authority, problems found.
    Refused,
    /// What was named does not exist: a work, a version, a date before
    /// any text.
    NotFound,
    /// Another writer changed the library first; trying again may work.
    Conflict,
    /// The request itself is malformed (flags, parameters).
    Usage,
    /// Something the operation needs is not there now: a peer that does
    /// not answer, a time-out, a lock held too long.
    Unavailable,
    /// I/O, a damaged repository, a bug.
    Internal,
    /// The reader went away (a closed pipe or connection): nothing to
    /// report to anyone.
    ClosedPipe,
}

impl Kind {
    /// The HTTP status a server answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Kind::Refused => 422,
            Kind::NotFound => 404,
            Kind::Conflict => 409,
            Kind::Usage => 400,
            Kind::Unavailable => 503,
            Kind::Internal => 500,
            // Nobody reads it; 499 is what proxies log for it.
            Kind::ClosedPipe => 499,
        }
    }
}

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A failed operation: one line, a hint, a kind, and where it came from.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
    message: String,
    hint: Option<String>,
    source: Option<Source>,
}

impl Error {
    /// A failure of `kind` saying `message`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// A refused input.
    pub fn refused(message: impl Into<String>) -> Error {
        Error::new(Kind::Refused, message)
    }

    /// Something named that does not exist.
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(Kind::NotFound, message)
    }

    /// A malformed request.
    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(Kind::Usage, message)
    }

    /// An internal or environment error.
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(Kind::Internal, message)
    }

    /// Something needed that is not there now.
    pub fn unavailable(message: impl Into<String>) -> Error {
        Error::new(Kind::Unavailable, message)
    }

    /// A conflict with another writer.
    pub fn conflict(message: impl Into<String>) -> Error {
        Error::new(Kind::Conflict, message)
            .with_hint("another process changed the library; run the command again")
    }

    /// Output failed: a closed pipe is [`Kind::ClosedPipe`], anything else
    /// internal.
    pub fn output(err: std::io::Error) -> Error {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            Error::new(Kind::ClosedPipe, "the reader closed the output").with_source(err)
        } else {
            Error::internal(format!("cannot write output: {err}")).with_source(err)
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    /// Keeps the error this one came from. A full disk anywhere in its
    /// chain is said in the message (a wrapper's text may leave it out).
    pub fn with_source(mut self, source: impl Into<Source>) -> Error {
        let source = source.into();
        if let Some(full) = disk_full(source.as_ref()) {
            let text = full.to_string();
            if !self.message.contains(&text) {
                self.message = format!("{}: {text}", self.message);
            }
        }
        self.source = Some(source);
        self
    }

    /// Replaces the message (e.g. to name a file instead of an op's place
    /// in a transaction), keeping kind, hint and source.
    pub fn with_message(mut self, message: impl Into<String>) -> Error {
        self.message = message.into();
        self
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// What failed and why.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Whether the reader went away.
    pub fn is_closed_pipe(&self) -> bool {
        self.kind == Kind::ClosedPipe
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// The first error in the chain from `error` that is a full disk
/// (`ENOSPC`), as an I/O error or inside one.
fn disk_full<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    let mut next = Some(error);
    let mut depth = 0;
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::StorageFull {
                return Some(e);
            }
            // An I/O error's source skips the error it wraps.
            if let Some(inner) = io.get_ref()
                && let Some(found) = disk_full(inner)
            {
                return Some(found);
            }
        }
        depth += 1;
        if depth > 64 {
            break;
        }
        next = e.source();
    }
    None
}

/// The result of a service operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<wenku_store::OpenError> for Error {
    fn from(e: wenku_store::OpenError) -> Error {
        use wenku_store::OpenError as E;
        let kind = match e {
            E::NotARepository { .. } | E::NotALibrary { .. } | E::NewerFormat { .. } => {
                Kind::Refused
            }
            _ => Kind::Internal,
        };
        Error::new(kind, e.to_string()).with_source(e)
    }
}

impl From<wenku_store::ReadError> for Error {
    fn from(e: wenku_store::ReadError) -> Error {
        use wenku_store::ReadError as E;
        let (kind, hint) = match e {
            E::UnknownWork { .. } => (
                Kind::NotFound,
                Some("`wenku ls` lists the works; `wenku find` searches by number or title"),
            ),
            E::UnknownVersion { .. } => {
                (Kind::NotFound, Some("`wenku log WORK` lists its versions"))
            }
            E::Integrity { .. }
            | E::Misplaced { .. }
            | E::MissingVersion { .. }
            | E::Decode { .. } => (
                Kind::Internal,
                Some("the library is damaged; `wenku verify` lists every problem"),
            ),
            _ => (Kind::Internal, None),
        };
        let err = Error::new(kind, e.to_string());
        let err = match hint {
            Some(h) => err.with_hint(h),
            None => err,
        };
        err.with_source(e)
    }
}

impl From<wenku_store::CommitError> for Error {
    fn from(e: wenku_store::CommitError) -> Error {
        use wenku_store::{CommitError as E, Refusal};
        let err = match &e {
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
                    Refusal::Lifecycle(_) => Some(
                        "check the dates: --published and --effective on import, --date on repeal and withdraw",
                    ),
                    Refusal::AlreadyRepealed { .. } | Refusal::AlreadyWithdrawn { .. } => Some(
                        "`wenku log ID` shows what is recorded; `wenku reinstate ID --reason TEXT` undoes a repeal or withdrawal recorded by mistake",
                    ),
                    Refusal::VersionAlreadyWithdrawn { .. } => {
                        Some("`wenku log ID` shows the versions and their withdrawals")
                    }
                    Refusal::UnknownVersion { .. } => {
                        Some("`wenku log ID` lists the versions with their handles")
                    }
                    _ => None,
                };
                let err = Error::refused(message);
                match hint {
                    Some(h) => err.with_hint(h),
                    None => err,
                }
            }
            E::Conflict { .. } => Error::conflict(e.to_string()),
            _ => Error::internal(e.to_string()),
        };
        err.with_source(e)
    }
}

impl From<wenku_store::federation::PullError> for Error {
    fn from(e: wenku_store::federation::PullError) -> Error {
        use wenku_store::federation::PullError as E;
        let kind = match &e {
            _ if e.is_refusal() => Kind::Refused,
            E::InvalidPeer { .. }
            | E::NoMain { .. }
            | E::Redirected { .. }
            | E::AdvertisementTooLarge { .. }
            | E::PackTooLarge { .. } => Kind::Refused,
            E::Conflict { .. } => Kind::Conflict,
            E::Fetch { .. } | E::Timeout { .. } => Kind::Unavailable,
            _ => Kind::Internal,
        };
        Error::new(kind, e.to_string()).with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_closed_pipe_is_its_own_kind_and_keeps_its_source() {
        let e = Error::output(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(e.is_closed_pipe());
        assert!(e.source().is_some());
        let e = Error::output(std::io::Error::other("disk on fire"));
        assert_eq!(e.kind(), Kind::Internal);
        assert!(e.to_string().contains("disk on fire"));
    }

    #[test]
    fn a_full_disk_deep_in_the_chain_is_said() {
        // As a commit that fails writing an object reports it: the store's
        // error wraps gix's, which wraps the I/O error, and neither
        // wrapper's text need say it.
        #[derive(Debug, thiserror::Error)]
        #[error("writing object 1234")]
        struct Opaque(#[source] std::io::Error);
        let enospc = std::io::Error::from_raw_os_error(28);
        let wrapped = std::io::Error::other(Opaque(enospc));
        let store = wenku_store::GitError {
            action: "committing".into(),
            source: Box::new(Opaque(std::io::Error::other(wrapped))),
        };
        let e: Error = wenku_store::federation::PullError::Git(store).into();
        assert_eq!(e.kind(), Kind::Internal);
        assert!(e.to_string().contains("No space left on device"), "{e}");
        assert!(e.source().is_some(), "the chain is kept");
        // Said once when the message already has it.
        let direct = wenku_store::GitError {
            action: "committing".into(),
            source: Box::new(std::io::Error::from_raw_os_error(28)),
        };
        let e: Error = wenku_store::federation::PullError::Git(direct).into();
        assert_eq!(
            e.to_string().matches("No space left on device").count(),
            1,
            "{e}"
        );
    }

    #[test]
    fn read_errors_keep_their_chain() {
        let work = wenku_model::WorkId::parse("370200/x").expect("valid");
        let commit = wenku_store::ObjectId::from_hex("0000000000000000000000000000000000000000")
            .expect("forty hex digits");
        let e = Error::from(wenku_store::ReadError::UnknownWork { work, commit });
        assert_eq!(e.kind(), Kind::NotFound);
        assert_eq!(e.kind().http_status(), 404);
        let source = e.source().expect("the store's error");
        assert!(source.downcast_ref::<wenku_store::ReadError>().is_some());
    }
}
