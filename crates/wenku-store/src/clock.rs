//! Commit time: when a node recorded a change, never a legal date.
//!
//! The library takes its time from a [`Clock`] so that tests (and replays)
//! are hermetic: [`SteppingClock`] gives a fixed, increasing sequence.

use std::sync::atomic::{AtomicI64, Ordering};

/// A point in time with the UTC offset it is written with in a commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub seconds: i64,
    /// Minutes east of UTC, e.g. 480 for China Standard Time (+0800).
    pub offset_minutes: i16,
}

/// Why a timestamp cannot go into a commit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid commit time offset {offset_minutes} minutes: expected -14:00 to +14:00")]
pub struct TimestampError {
    /// The offset given.
    pub offset_minutes: i16,
}

impl Timestamp {
    /// A timestamp; the offset must lie between -14:00 and +14:00.
    pub fn new(seconds: i64, offset_minutes: i16) -> Result<Timestamp, TimestampError> {
        if offset_minutes.unsigned_abs() > 14 * 60 {
            return Err(TimestampError { offset_minutes });
        }
        Ok(Timestamp {
            seconds,
            offset_minutes,
        })
    }

    pub(crate) fn to_git(self) -> gix::date::Time {
        gix::date::Time::new(self.seconds, i32::from(self.offset_minutes) * 60)
    }

    pub(crate) fn from_git(time: gix::date::Time) -> Timestamp {
        Timestamp {
            seconds: time.seconds,
            offset_minutes: i16::try_from(time.offset / 60).unwrap_or(0),
        }
    }
}

/// Where commit times come from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The time now.
    fn now(&self) -> Timestamp;
}

/// The system's clock, written with a fixed UTC offset (the library never
/// reads the environment or time-zone files to find one).
#[derive(Clone, Copy, Debug)]
pub struct SystemClock {
    offset_minutes: i16,
}

impl SystemClock {
    /// UTC.
    pub fn utc() -> SystemClock {
        SystemClock { offset_minutes: 0 }
    }

    /// China Standard Time, +0800.
    pub fn china() -> SystemClock {
        SystemClock {
            offset_minutes: 8 * 60,
        }
    }

    /// A fixed offset; out-of-range offsets are refused.
    pub fn with_offset(offset_minutes: i16) -> Result<SystemClock, TimestampError> {
        Timestamp::new(0, offset_minutes).map(|_| SystemClock { offset_minutes })
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let seconds = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
        };
        Timestamp {
            seconds,
            offset_minutes: self.offset_minutes,
        }
    }
}

/// A clock for tests and replays: starts at a given time and advances by a
/// fixed step on every reading, so every commit gets a distinct, predictable
/// time.
#[derive(Debug)]
pub struct SteppingClock {
    next: AtomicI64,
    step: i64,
    offset_minutes: i16,
}

impl SteppingClock {
    /// Starts at `start` and advances `step_seconds` per reading.
    pub fn new(start: Timestamp, step_seconds: i64) -> SteppingClock {
        SteppingClock {
            next: AtomicI64::new(start.seconds),
            step: step_seconds,
            offset_minutes: start.offset_minutes,
        }
    }
}

impl Clock for SteppingClock {
    fn now(&self) -> Timestamp {
        Timestamp {
            seconds: self.next.fetch_add(self.step, Ordering::Relaxed),
            offset_minutes: self.offset_minutes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_clock_is_predictable() {
        let c = SteppingClock::new(Timestamp::new(1_700_000_000, 480).expect("valid"), 60);
        assert_eq!(c.now().seconds, 1_700_000_000);
        assert_eq!(c.now().seconds, 1_700_000_060);
        assert_eq!(c.now().offset_minutes, 480);
    }

    #[test]
    fn offsets_are_bounded() {
        assert!(Timestamp::new(0, 14 * 60).is_ok());
        assert!(Timestamp::new(0, -14 * 60 - 1).is_err());
        assert!(SystemClock::with_offset(1000).is_err());
        assert_eq!(
            Timestamp::from_git(Timestamp::new(5, -330).expect("valid").to_git()).offset_minutes,
            -330
        );
    }
}
