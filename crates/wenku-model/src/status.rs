//! Status at a date, derived from a record and never stored.

use std::fmt;
use std::str::FromStr;

use crate::date::Date;
use crate::record::VersionEntry;

/// The legal status of a work (or of one version) on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// 尚未生效: no version has taken effect yet.
    NotYetEffective,
    /// 现行有效: in force.
    InForce,
    /// 已修改: a later version has taken effect (for a version).
    Superseded,
    /// 已废止: repealed.
    Repealed,
    /// 失效: the validity period is over.
    Expired,
    /// 已撤回: withdrawn.
    Withdrawn,
}

impl Status {
    /// Every status, in a fixed order.
    pub const ALL: [Status; 6] = [
        Status::NotYetEffective,
        Status::InForce,
        Status::Superseded,
        Status::Repealed,
        Status::Expired,
        Status::Withdrawn,
    ];

    /// The slug used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotYetEffective => "not-yet-effective",
            Status::InForce => "in-force",
            Status::Superseded => "superseded",
            Status::Repealed => "repealed",
            Status::Expired => "expired",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// The Chinese name.
    pub fn chinese(self) -> &'static str {
        match self {
            Status::NotYetEffective => "尚未生效",
            Status::InForce => "现行有效",
            Status::Superseded => "已修改",
            Status::Repealed => "已废止",
            Status::Expired => "失效",
            Status::Withdrawn => "已撤回",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown status name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown status {0:?}; expected one of not-yet-effective, in-force, superseded, repealed, expired, withdrawn"
)]
pub struct StatusError(pub String);

impl FromStr for Status {
    type Err = StatusError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|t| t.as_str() == s || t.chinese() == s)
            .ok_or_else(|| StatusError(s.chars().take(40).collect()))
    }
}

/// The answer to "what was in force on date D".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsOf<'a> {
    /// The work's status.
    pub status: Status,
    /// Since when that status holds (the version's effective date when in
    /// force, the event's date when ended); `None` when not yet effective.
    pub since: Option<Date>,
    /// The latest version effective on or before the date. When the work
    /// has ended, this is the last text it had.
    pub version: Option<&'a VersionEntry>,
}
