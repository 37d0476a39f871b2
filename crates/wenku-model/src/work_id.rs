//! Stable, path-safe identifiers of works.

use std::fmt;
use std::str::FromStr;

use crate::region::{Region, RegionError};

/// Longest local part, in bytes.
pub const MAX_LOCAL_LEN: usize = 64;

/// A work's stable identifier: `<region>/<local>`, e.g. `370200/qzbf-2025-3`.
///
/// `local` is lowercase ASCII matching `[a-z0-9][a-z0-9.-]*`, at most
/// [`MAX_LOCAL_LEN`] bytes, never `.` or `..`, never containing `..`, never
/// ending in `.`, and never a device name Windows reserves (`con`, `nul`,
/// `com1` …). Every accepted id is therefore safe to use as a path component
/// on any file system, and `<region>/<local>` is safe as a relative path.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkId {
    region: Region,
    local: Box<str>,
}

/// Why a string is not a work id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkIdError {
    /// There is no `/` between region and local part.
    #[error("invalid work id {input:?}: expected <region>/<local>, e.g. 370200/qzbf-2025-3")]
    Shape {
        /// The rejected input (truncated).
        input: String,
    },
    /// The region part is not a region code.
    #[error("invalid work id {input:?}: {source}")]
    Region {
        /// The rejected input (truncated).
        input: String,
        /// Why the region is invalid.
        source: RegionError,
    },
    /// The local part breaks a rule.
    #[error("invalid work id {input:?}: the local part {reason}")]
    Local {
        /// The rejected input (truncated).
        input: String,
        /// Which rule.
        reason: &'static str,
    },
}

const RESERVED: &[&str] = &["con", "prn", "aux", "nul"];

/// Checks a local part; returns the broken rule.
pub fn check_local(local: &str) -> Result<(), &'static str> {
    let bytes = local.as_bytes();
    let Some(&first) = bytes.first() else {
        return Err("is empty");
    };
    if bytes.len() > MAX_LOCAL_LEN {
        return Err("is longer than 64 bytes");
    }
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return Err("must start with a lowercase letter a-z or a digit");
    }
    if let Some(bad) = bytes
        .iter()
        .find(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || **b == b'-' || **b == b'.'))
    {
        return Err(if bad.is_ascii_uppercase() {
            "must be lowercase"
        } else if *bad == b'/' || *bad == b'\\' {
            "must not contain a path separator"
        } else {
            "may contain only a-z, 0-9, '-' and '.'"
        });
    }
    if local.contains("..") {
        return Err("must not contain '..'");
    }
    if local.ends_with('.') {
        return Err("must not end with '.'");
    }
    let stem = local.split('.').next().unwrap_or(local);
    let device = RESERVED.contains(&stem)
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if device {
        return Err("is a device name reserved by Windows");
    }
    Ok(())
}

impl WorkId {
    /// Builds an id from its parts, checking the local part.
    pub fn new(region: Region, local: &str) -> Result<WorkId, WorkIdError> {
        check_local(local).map_err(|reason| WorkIdError::Local {
            input: format!("{region}/{}", truncate(local)),
            reason,
        })?;
        Ok(WorkId {
            region,
            local: local.into(),
        })
    }

    /// Parses `<region>/<local>`.
    pub fn parse(input: &str) -> Result<WorkId, WorkIdError> {
        let Some((region, local)) = input.split_once('/') else {
            return Err(WorkIdError::Shape {
                input: truncate(input),
            });
        };
        let region = Region::parse(region).map_err(|source| WorkIdError::Region {
            input: truncate(input),
            source,
        })?;
        check_local(local).map_err(|reason| WorkIdError::Local {
            input: truncate(input),
            reason,
        })?;
        Ok(WorkId {
            region,
            local: local.into(),
        })
    }

    /// The region the work belongs to (and whose node is its authority).
    pub fn region(&self) -> Region {
        self.region
    }

    /// The local part, unique inside the region.
    pub fn local(&self) -> &str {
        &self.local
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

impl fmt::Display for WorkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.region, self.local)
    }
}

impl fmt::Debug for WorkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WorkId({self})")
    }
}

impl FromStr for WorkId {
    type Err = WorkIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WorkId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::{Component, Path};

    #[test]
    fn accepts_and_displays() {
        let id = WorkId::parse("370200/qzbf-2025-3").expect("valid");
        assert_eq!(id.region().as_str(), "370200");
        assert_eq!(id.local(), "qzbf-2025-3");
        assert_eq!(id.to_string(), "370200/qzbf-2025-3");
        assert!(WorkId::parse("100000/gb.t.9704-2012").is_ok());
    }

    #[test]
    fn rejects_with_reasons() {
        for (input, needle) in [
            ("370200", "expected <region>/<local>"),
            ("37020/x", "6 digits"),
            ("370200/", "empty"),
            ("370200/.", "must start"),
            ("370200/..", "must start"),
            ("370200/a..b", "'..'"),
            ("370200/a/b", "path separator"),
            ("370200/a\\b", "path separator"),
            ("370200/Abc", "must start"),
            ("370200/aBc", "lowercase"),
            ("370200/a b", "only a-z"),
            ("370200/a.", "end with '.'"),
            ("370200/con", "reserved"),
            ("370200/lpt1.txt", "reserved"),
            ("370200/青岛", "must start"),
            ("370200/a青岛", "only a-z"),
        ] {
            let err = WorkId::parse(input).expect_err(input);
            assert!(err.to_string().contains(needle), "{input}: {err}");
        }
        let long = format!("370200/{}", "a".repeat(65));
        assert!(WorkId::parse(&long).is_err());
        let ok = format!("370200/{}", "a".repeat(64));
        assert!(WorkId::parse(&ok).is_ok());
    }

    fn path_safe(local: &str) -> bool {
        let mut comps = Path::new(local).components();
        let one = matches!(comps.next(), Some(Component::Normal(c)) if c == local);
        one && comps.next().is_none()
            && !local.contains(['/', '\\', ':', '\0'])
            && !local.starts_with('.')
            && !local.ends_with('.')
    }

    proptest! {
        #[test]
        fn every_accepted_local_is_path_safe(local in "\\PC{0,70}") {
            if WorkId::new(Region::NATIONAL, &local).is_ok() {
                prop_assert!(path_safe(&local), "{local:?}");
            }
        }

        #[test]
        fn every_accepted_ascii_local_is_path_safe(local in "[a-zA-Z0-9./\\\\:-]{0,70}") {
            if let Ok(id) = WorkId::new(Region::NATIONAL, &local) {
                prop_assert!(path_safe(&local), "{local:?}");
                prop_assert_eq!(WorkId::parse(&id.to_string()).ok(), Some(id));
            }
        }
    }
}
