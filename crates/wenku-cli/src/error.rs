//! Errors as the user sees them: the service's classification
//! ([`wenku_service::Kind`]) mapped to exit statuses, once, at the edge of
//! the program.

pub use wenku_service::Error as CommandError;
use wenku_service::Kind;

/// The exit status of a failure of `kind`: 1 refused or not found, 2 wrong
/// use of the command line, 3 another writer changed the library first,
/// 4 unavailable, I/O, a damaged repository or a bug; a closed pipe ends
/// the program quietly with 0.
pub fn exit_code(kind: Kind) -> u8 {
    match kind {
        Kind::Refused | Kind::NotFound => 1,
        Kind::Usage => 2,
        Kind::Conflict => 3,
        Kind::ClosedPipe => 0,
        _ => 4,
    }
}

/// The result of a command.
pub type Result<T, E = CommandError> = std::result::Result<T, E>;

/// Output failed: a closed pipe ends the program quietly, anything else is
/// an internal error.
pub fn output_error(err: std::io::Error) -> CommandError {
    CommandError::output(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_are_the_documented_ones() {
        assert_eq!(exit_code(Kind::Refused), 1);
        assert_eq!(exit_code(Kind::NotFound), 1);
        assert_eq!(exit_code(Kind::Usage), 2);
        assert_eq!(exit_code(Kind::Conflict), 3);
        assert_eq!(exit_code(Kind::Unavailable), 4);
        assert_eq!(exit_code(Kind::Internal), 4);
        assert_eq!(exit_code(Kind::ClosedPipe), 0);
    }
}
