//! Who records a change: the operator identity written as author and
//! committer of every commit.

use std::fmt;

/// A person or service account, as git writes it: `Name <email>`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    name: String,
    email: String,
}

/// Why a name or email cannot go into a commit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid identity {name:?} <{email}>: {reason}")]
pub struct IdentityError {
    /// The name given.
    pub name: String,
    /// The email given.
    pub email: String,
    /// What is wrong.
    pub reason: &'static str,
}

impl Identity {
    /// An identity; the name must be non-empty, and neither part may
    /// contain `<`, `>` or line breaks (git could not parse it back).
    pub fn new(
        name: impl Into<String>,
        email: impl Into<String>,
    ) -> Result<Identity, IdentityError> {
        let (name, email) = (name.into(), email.into());
        let bad = |s: &str| s.contains(['<', '>', '\n', '\r', '\0']);
        let reason = if name.trim().is_empty() {
            Some("the name is empty")
        } else if bad(&name) || bad(&email) {
            Some("names and emails may not contain '<', '>', NUL or line breaks")
        } else if name.trim() != name || email.trim() != email {
            Some("leading or trailing spaces would not survive git")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(IdentityError {
                name: name.chars().take(80).collect(),
                email: email.chars().take(80).collect(),
                reason,
            }),
            None => Ok(Identity { name, email }),
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The email.
    pub fn email(&self) -> &str {
        &self.email
    }

    pub(crate) fn signature(&self, time: crate::clock::Timestamp) -> gix::actor::Signature {
        gix::actor::Signature {
            name: self.name.as_str().into(),
            email: self.email.as_str().into(),
            time: time.to_git(),
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identity({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_chinese_names_and_refuses_what_git_cannot_hold() {
        let id = Identity::new("青岛市政务公开办", "gongkai@qingdao.example").expect("valid");
        assert_eq!(id.to_string(), "青岛市政务公开办 <gongkai@qingdao.example>");
        for (name, email) in [
            ("", "a@b"),
            ("a<b", "a@b"),
            ("a", "a>b"),
            ("a\nb", "a@b"),
            (" a", "a@b"),
        ] {
            assert!(Identity::new(name, email).is_err(), "{name:?} {email:?}");
        }
    }
}
