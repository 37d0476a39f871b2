//! Content ids of versions.

use std::fmt;
use std::str::FromStr;

/// The id of one version: the BLAKE3 hash of its canonical XML bytes and
/// nothing else. Identical text has the same id on every node.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RevisionId([u8; 32]);

/// Why a string is not a revision id or prefix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid revision {input:?}: {reason}")]
pub struct RevisionIdError {
    /// The rejected input (truncated).
    pub input: String,
    /// What was expected.
    pub reason: &'static str,
}

impl RevisionId {
    /// Number of hex digits in [`RevisionId::short`].
    pub const SHORT_LEN: usize = 12;

    /// The id of `canonical_bytes`. The caller must pass canonical bytes
    /// (see [`crate::canonical`]); [`crate::Document::revision_id`] does.
    pub fn of(canonical_bytes: &[u8]) -> RevisionId {
        RevisionId(*blake3::hash(canonical_bytes).as_bytes())
    }

    /// Wraps raw hash bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> RevisionId {
        RevisionId(bytes)
    }

    /// The raw hash bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The first [`RevisionId::SHORT_LEN`] hex digits, for display.
    pub fn short(&self) -> String {
        let mut s = self.to_string();
        s.truncate(Self::SHORT_LEN);
        s
    }

    /// Parses exactly 64 lowercase hex digits.
    pub fn parse(input: &str) -> Result<RevisionId, RevisionIdError> {
        let fail = |reason| RevisionIdError {
            input: input.chars().take(80).collect(),
            reason,
        };
        if input.len() != 64 {
            return Err(fail("expected 64 lowercase hex digits"));
        }
        let mut out = [0u8; 32];
        for (i, pair) in input.as_bytes().chunks_exact(2).enumerate() {
            let hi =
                hex_val(pair[0]).ok_or_else(|| fail("expected lowercase hex digits 0-9a-f"))?;
            let lo =
                hex_val(pair[1]).ok_or_else(|| fail("expected lowercase hex digits 0-9a-f"))?;
            out[i] = hi << 4 | lo;
        }
        Ok(RevisionId(out))
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

impl fmt::Display for RevisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 64];
        for (i, b) in self.0.iter().enumerate() {
            buf[2 * i] = HEX[(b >> 4) as usize];
            buf[2 * i + 1] = HEX[(b & 15) as usize];
        }
        f.write_str(std::str::from_utf8(&buf).expect("hex digits are ASCII"))
    }
}

impl fmt::Debug for RevisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RevisionId({})", self.short())
    }
}

impl FromStr for RevisionId {
    type Err = RevisionIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RevisionId::parse(s)
    }
}

/// A unique-prefix reference to a revision as a person types it: at least
/// [`RevisionPrefix::MIN_LEN`] hex digits, case-insensitive.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RevisionPrefix(String);

impl RevisionPrefix {
    /// Fewest hex digits accepted as a prefix.
    pub const MIN_LEN: usize = 8;

    /// Parses a prefix of 8 to 64 hex digits.
    pub fn parse(input: &str) -> Result<RevisionPrefix, RevisionIdError> {
        let lower = input.to_ascii_lowercase();
        let fail = |reason| RevisionIdError {
            input: input.chars().take(80).collect(),
            reason,
        };
        if lower.len() < Self::MIN_LEN || lower.len() > 64 {
            return Err(fail("expected 8 to 64 hex digits"));
        }
        if !lower.bytes().all(|b| hex_val(b).is_some()) {
            return Err(fail("expected hex digits 0-9a-f"));
        }
        Ok(RevisionPrefix(lower))
    }

    /// Whether `id` starts with this prefix.
    pub fn matches(&self, id: &RevisionId) -> bool {
        id.to_string().starts_with(&self.0)
    }

    /// The prefix as lowercase text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RevisionPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RevisionPrefix({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_hash() {
        // BLAKE3 of the empty input, from the BLAKE3 test vectors.
        assert_eq!(
            RevisionId::of(b"").to_string(),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        assert_eq!(RevisionId::of(b"").short(), "af1349b9f5f9");
    }

    #[test]
    fn rejects_bad_text() {
        assert!(RevisionId::parse("af13").is_err());
        let upper = "AF1349B9F5F9A1A6A0404DEA36DCC9499BCB25C9ADC112B7CC9A93CAE41F3262";
        assert!(RevisionId::parse(upper).is_err());
        assert!(RevisionPrefix::parse("af1349b").is_err());
        let p = RevisionPrefix::parse("AF1349B9").expect("valid prefix");
        assert!(p.matches(&RevisionId::of(b"")));
        assert!(RevisionPrefix::parse("af1349bz").is_err());
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::array::uniform32(any::<u8>())) {
            let id = RevisionId::from_bytes(bytes);
            prop_assert_eq!(RevisionId::parse(&id.to_string()), Ok(id));
            prop_assert!(RevisionPrefix::parse(&id.short()).expect("short is a prefix").matches(&id));
        }
    }
}
