//! Parsing shorthands and the set-up every test library shares.

use std::sync::Arc;

use wenku_model::{Date, Region, WorkId};
use wenku_store::{Clock, SteppingClock, Timestamp};

/// The first instant of every test clock, in seconds since the epoch
/// (mid-June 2025).
pub const START: i64 = 1_750_000_000;

/// A region code that the test knows to be valid.
pub fn r(s: &str) -> Region {
    Region::parse(s).expect("valid region in test")
}

/// A work id that the test knows to be valid.
pub fn w(s: &str) -> WorkId {
    WorkId::parse(s).expect("valid work id in test")
}

/// An ISO date that the test knows to be valid.
pub fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("valid date in test")
}

/// A clock that starts at [`START`] in UTC+8 and steps a minute a reading,
/// so commit times are deterministic and increasing.
pub fn clock() -> Arc<dyn Clock> {
    Arc::new(SteppingClock::new(
        Timestamp::new(START, 480).expect("valid"),
        60,
    ))
}

/// A fresh temporary directory, removed when dropped.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}
