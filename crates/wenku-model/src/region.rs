//! GB/T 2260 administrative division codes.
//!
//! The hierarchy is in the digits: `370283` (平度市, a county) lies in
//! `370200` (青岛市, a city), which lies in `370000` (山东省, a province).
//! Townships have nine digits: the county's six plus three (`370283001`).
//! `100000` stands for national (central) documents and contains everything.

use std::fmt;
use std::str::FromStr;

/// A GB/T 2260 region code: six digits (province, city, county) or nine
/// digits (township), or `100000` for the national level.
///
/// Ordering is the ordering of the code as text, so a region sorts right
/// before the regions it contains.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region {
    /// ASCII digits, padded with NUL after the code's end.
    digits: [u8; 9],
    len: u8,
}

/// The administrative level of a [`Region`], read from its digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// `100000`: central documents.
    National,
    /// `XX0000`.
    Province,
    /// `XXXX00`.
    City,
    /// Any other six-digit code.
    County,
    /// Nine digits.
    Township,
}

impl Level {
    /// Lowercase English name, as used in messages and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Township => "township",
        }
    }
}

/// Province-level prefixes in GB/T 2260 (the first two digits).
const PROVINCES: &[&[u8; 2]] = &[
    b"11", b"12", b"13", b"14", b"15", b"21", b"22", b"23", b"31", b"32", b"33", b"34", b"35",
    b"36", b"37", b"41", b"42", b"43", b"44", b"45", b"46", b"50", b"51", b"52", b"53", b"54",
    b"61", b"62", b"63", b"64", b"65", b"71", b"81", b"82",
];

/// Why a string is not a region code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid region code {input:?}: {reason}")]
pub struct RegionError {
    /// The rejected input (truncated if very long).
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Region {
    /// National (central) documents: `100000`.
    pub const NATIONAL: Region = Region {
        digits: *b"100000\0\0\0",
        len: 6,
    };

    /// Parses a six- or nine-digit code.
    pub fn parse(input: &str) -> Result<Region, RegionError> {
        let fail = |reason| RegionError {
            input: input.chars().take(32).collect(),
            reason,
        };
        let bytes = input.as_bytes();
        if bytes.len() != 6 && bytes.len() != 9 {
            return Err(fail(
                "expected 6 digits (province, city, county) or 9 digits (township)",
            ));
        }
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(fail("expected only the digits 0-9"));
        }
        let mut digits = [0u8; 9];
        digits[..bytes.len()].copy_from_slice(bytes);
        let region = Region {
            digits,
            len: bytes.len() as u8,
        };
        if region == Region::NATIONAL {
            return Ok(region);
        }
        let prefix: &[u8; 2] = &[bytes[0], bytes[1]];
        if !PROVINCES.contains(&prefix) {
            return Err(fail(
                "the first two digits are not a GB/T 2260 province code",
            ));
        }
        let city = &bytes[2..4];
        let county = &bytes[4..6];
        if city == b"00" && county != b"00" {
            return Err(fail("a county code needs a city part (digits 3-4 are 00)"));
        }
        if bytes.len() == 9 {
            if city == b"00" {
                return Err(fail(
                    "a township code must lie under a city or county, not directly under a province",
                ));
            }
            if &bytes[6..9] == b"000" {
                return Err(fail("the township part (digits 7-9) is 000"));
            }
        }
        Ok(region)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[..self.len as usize])
            .expect("a Region holds only ASCII digits, checked in parse")
    }

    /// The level, read from the digits.
    pub fn level(&self) -> Level {
        let d = &self.digits;
        if self.len == 9 {
            Level::Township
        } else if *self == Region::NATIONAL {
            Level::National
        } else if &d[2..6] == b"0000" {
            Level::Province
        } else if &d[4..6] == b"00" {
            Level::City
        } else {
            Level::County
        }
    }

    /// The region directly above: township → county (or city), county → city,
    /// city → province, province → national; national has none.
    pub fn parent(&self) -> Option<Region> {
        let mut digits = self.digits;
        match self.level() {
            Level::National => None,
            Level::Province => Some(Region::NATIONAL),
            Level::City => {
                digits[2..4].copy_from_slice(b"00");
                Some(Region { digits, len: 6 })
            }
            Level::County => {
                digits[4..6].copy_from_slice(b"00");
                Some(Region { digits, len: 6 })
            }
            Level::Township => {
                digits[6..9].copy_from_slice(&[0, 0, 0]);
                Some(Region { digits, len: 6 })
            }
        }
    }

    /// This region and every region above it, innermost first.
    pub fn ancestors(&self) -> impl Iterator<Item = Region> {
        std::iter::successors(Some(*self), Region::parent)
    }

    /// Whether `other` is this region or lies inside it.
    pub fn contains(&self, other: &Region) -> bool {
        other.ancestors().any(|a| a == *self)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.as_str())
    }
}

impl FromStr for Region {
    type Err = RegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Region {
        Region::parse(s).expect("valid region in test")
    }

    #[test]
    fn levels_and_parents() {
        assert_eq!(r("370000").level(), Level::Province);
        assert_eq!(r("370200").level(), Level::City);
        assert_eq!(r("370283").level(), Level::County);
        assert_eq!(r("370283001").level(), Level::Township);
        assert_eq!(r("100000").level(), Level::National);
        assert_eq!(r("370283001").parent(), Some(r("370283")));
        assert_eq!(r("370283").parent(), Some(r("370200")));
        assert_eq!(r("370200").parent(), Some(r("370000")));
        assert_eq!(r("370000").parent(), Some(Region::NATIONAL));
        assert_eq!(Region::NATIONAL.parent(), None);
        // A township directly under a city without districts (东莞).
        assert_eq!(r("441900003").parent(), Some(r("441900")));
    }

    #[test]
    fn containment_follows_the_digits() {
        assert!(r("370200").contains(&r("370283")));
        assert!(r("370200").contains(&r("370283001")));
        assert!(r("370000").contains(&r("370283001")));
        assert!(r("370200").contains(&r("370200")));
        assert!(!r("370200").contains(&r("370304")));
        assert!(!r("370283").contains(&r("370200")));
        assert!(!r("370000").contains(&r("330000")));
        assert!(Region::NATIONAL.contains(&r("330100")));
    }

    #[test]
    fn ordering_is_textual() {
        let mut v = [
            r("370283001"),
            r("370283"),
            r("370200"),
            r("370000"),
            r("330000"),
        ];
        v.sort();
        let s: Vec<_> = v.iter().map(Region::as_str).collect();
        assert_eq!(s, ["330000", "370000", "370200", "370283", "370283001"]);
    }

    #[test]
    fn rejects_malformed_codes_with_a_reason() {
        for (input, needle) in [
            ("37020", "6 digits"),
            ("3702000", "6 digits"),
            ("37O200", "digits 0-9"),
            ("990000", "province"),
            ("101000", "province"),
            ("370001", "city part"),
            ("370000001", "township code must lie under"),
            ("370283000", "000"),
            ("", "6 digits"),
            ("３７０２００", "6 digits"),
        ] {
            let err = Region::parse(input).expect_err(input);
            assert!(err.to_string().contains(needle), "{input}: {err}");
        }
    }
}
