//! The id of a git object of the library, wenku's own type so that the
//! public API does not depend on the version of gix it is built with.

use std::fmt;
use std::str::FromStr;

/// A git object id (SHA-1): a commit, tree or blob of a library. Displayed
/// and parsed as 40 lowercase hex digits, as git prints it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId(gix::ObjectId);

/// Why a string is not an object id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid git object id {input:?}: expected 40 hex digits")]
pub struct ObjectIdError {
    input: String,
}

impl ObjectId {
    /// Parses 40 hex digits (either case).
    pub fn from_hex(hex: &str) -> Result<ObjectId, ObjectIdError> {
        let err = || ObjectIdError {
            input: hex.chars().take(80).collect(),
        };
        if hex.len() != 40 {
            return Err(err());
        }
        gix::ObjectId::from_hex(hex.as_bytes())
            .map(ObjectId)
            .map_err(|_| err())
    }

    /// The 20 bytes of the id.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The id as 40 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        self.0.to_string()
    }

    /// The first `len` hex digits (all 40 if `len` is larger), for display.
    pub fn short(&self, len: usize) -> String {
        let mut s = self.to_hex();
        s.truncate(len);
        s
    }

    pub(crate) fn from_gix(id: gix::ObjectId) -> ObjectId {
        ObjectId(id)
    }

    pub(crate) fn to_gix(self) -> gix::ObjectId {
        self.0
    }
}

/// gix's ids as ours, inside the crate only (a public `From` would put
/// gix's type in the public API).
pub(crate) trait Ours {
    fn ours(self) -> ObjectId;
}

impl Ours for gix::ObjectId {
    fn ours(self) -> ObjectId {
        ObjectId(self)
    }
}

impl Ours for gix::Id<'_> {
    fn ours(self) -> ObjectId {
        ObjectId(self.detach())
    }
}

impl Ours for &gix::oid {
    fn ours(self) -> ObjectId {
        ObjectId(self.to_owned())
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({})", self.0)
    }
}

impl FromStr for ObjectId {
    type Err = ObjectIdError;
    fn from_str(s: &str) -> Result<ObjectId, ObjectIdError> {
        ObjectId::from_hex(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_bad_input_is_named() {
        let hex = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
        let id: ObjectId = hex.parse().expect("valid");
        assert_eq!(id.to_string(), hex);
        assert_eq!(id.to_hex(), hex);
        assert_eq!(id.short(7), "4b825dc");
        assert_eq!(ObjectId::from_hex(&hex.to_uppercase()), Ok(id));
        assert_eq!(format!("{id:?}"), format!("ObjectId({hex})"));
        for bad in [
            "",
            "4b825dc",
            &format!("{hex}0"),
            "zz825dc642cb6eb9a060e54bf8d69288fbee4904",
        ] {
            let e = ObjectId::from_hex(bad).expect_err(bad);
            assert!(e.to_string().contains("expected 40 hex digits"), "{e}");
        }
    }
}
