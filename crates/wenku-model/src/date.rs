//! Calendar dates (proleptic Gregorian), as legal documents use them.
//!
//! No time of day and no time zone: a legal date is a day. Parsing rejects
//! impossible dates such as `2023-02-30`.

use std::fmt;
use std::str::FromStr;

use crate::numeral;

/// A calendar day between the years 1000 and 9999.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a date was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {input:?}: {reason}")]
pub struct DateError {
    /// The rejected input (truncated).
    pub input: String,
    /// What was expected.
    pub reason: String,
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        _ => 28,
    }
}

impl Date {
    /// Checks and builds a date.
    pub fn new(year: u32, month: u32, day: u32) -> Result<Date, DateError> {
        let input = format!("{year:04}-{month:02}-{day:02}");
        let fail = |reason: String| DateError {
            input: input.clone(),
            reason,
        };
        if !(1000..=9999).contains(&year) {
            return Err(fail("the year must be between 1000 and 9999".into()));
        }
        if !(1..=12).contains(&month) {
            return Err(fail("the month must be between 1 and 12".into()));
        }
        let (year, month) = (year as u16, month as u8);
        let max = days_in_month(year, month);
        if day == 0 || day > u32::from(max) {
            return Err(fail(format!("{year}-{month:02} has days 1 to {max}")));
        }
        Ok(Date {
            year,
            month,
            day: day as u8,
        })
    }

    /// Parses `YYYY-MM-DD` exactly.
    pub fn parse_iso(input: &str) -> Result<Date, DateError> {
        let fail = || DateError {
            input: input.chars().take(40).collect(),
            reason: "expected YYYY-MM-DD, e.g. 2025-07-04".into(),
        };
        let b = input.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(fail());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = &input[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().map_err(|_| fail())
            } else {
                Err(fail())
            }
        };
        Date::new(num(0..4)?, num(5..7)?, num(8..10)?).map_err(|e| DateError {
            input: input.to_string(),
            reason: e.reason,
        })
    }

    /// Parses a date as Chinese documents write it: `2024年7月16日`,
    /// `2024年07月16日`, full-width digits, or Chinese numerals
    /// (`二〇二四年七月十六日`). Spaces between the parts are allowed.
    pub fn parse_chinese(input: &str) -> Result<Date, DateError> {
        let fail = |reason: &str| DateError {
            input: input.chars().take(40).collect(),
            reason: reason.into(),
        };
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let (y, rest) = s
            .split_once('年')
            .ok_or_else(|| fail("expected a date like 2024年7月16日"))?;
        let (m, rest) = rest
            .split_once('月')
            .ok_or_else(|| fail("expected a date like 2024年7月16日"))?;
        let d = rest
            .strip_suffix('日')
            .or_else(|| rest.strip_suffix('号'))
            .ok_or_else(|| fail("expected a date like 2024年7月16日"))?;
        let year = numeral::parse_digits(y).ok_or_else(|| fail("the year is not a number"))?;
        let month = numeral::parse(m).ok_or_else(|| fail("the month is not a number"))?;
        let day = numeral::parse(d).ok_or_else(|| fail("the day is not a number"))?;
        Date::new(year, month, day).map_err(|e| DateError {
            input: input.to_string(),
            reason: e.reason,
        })
    }

    /// The year.
    pub fn year(&self) -> u32 {
        u32::from(self.year)
    }

    /// The month, 1–12.
    pub fn month(&self) -> u32 {
        u32::from(self.month)
    }

    /// The day of the month.
    pub fn day(&self) -> u32 {
        u32::from(self.day)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, if it lies in years 1000–9999.
    pub fn from_days(days: i64) -> Option<Date> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(u32::try_from(y).ok()?, m as u32, d as u32).ok()
    }

    /// The date a number of days later (or earlier, if negative).
    pub fn add_days(&self, days: i64) -> Option<Date> {
        Date::from_days(self.to_days() + days)
    }

    /// The day before.
    pub fn pred(&self) -> Option<Date> {
        self.add_days(-1)
    }

    /// The date written the Chinese way with Arabic digits: `2024年7月16日`.
    pub fn to_chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse_iso(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            Date::parse_iso("2025-07-04").map(|d| d.to_string()),
            Ok("2025-07-04".into())
        );
        let err = Date::parse_iso("2023-02-30").expect_err("impossible date");
        assert!(err.to_string().contains("days 1 to 28"), "{err}");
        assert!(Date::parse_iso("2024-02-29").is_ok());
        assert!(Date::parse_iso("1900-02-29").is_err());
        assert!(Date::parse_iso("2000-02-29").is_ok());
        assert!(Date::parse_iso("2025-13-01").is_err());
        assert!(Date::parse_iso("2025-7-4").is_err());
        assert!(Date::parse_iso("２０２５-07-04").is_err());
    }

    #[test]
    fn chinese_forms() {
        let d = |s| Date::parse_chinese(s).map(|d| d.to_string());
        assert_eq!(d("2024年7月16日"), Ok("2024-07-16".into()));
        assert_eq!(d("2024年07月16日"), Ok("2024-07-16".into()));
        assert_eq!(d("２０２４年７月１６日"), Ok("2024-07-16".into()));
        assert_eq!(d("二〇二四年七月十六日"), Ok("2024-07-16".into()));
        assert_eq!(d("二○○七年八月三十日"), Ok("2007-08-30".into()));
        assert_eq!(d("2024 年 7 月 16 日"), Ok("2024-07-16".into()));
        assert!(d("2023年2月30日").is_err());
        assert!(d("2024年7月").is_err());
    }

    #[test]
    fn day_arithmetic() {
        let d = Date::parse_iso("1970-01-01").expect("valid");
        assert_eq!(d.to_days(), 0);
        let d = Date::parse_iso("2024-03-01").expect("valid");
        assert_eq!(d.pred().map(|p| p.to_string()), Some("2024-02-29".into()));
    }

    proptest! {
        #[test]
        fn days_round_trip(days in -354_000i64..2_900_000) {
            if let Some(d) = Date::from_days(days) {
                prop_assert_eq!(d.to_days(), days);
                prop_assert_eq!(Date::parse_iso(&d.to_string()), Ok(d));
                prop_assert_eq!(Date::parse_chinese(&d.to_chinese()), Ok(d));
            }
        }

        #[test]
        fn order_matches_days(a in 0i64..40_000, b in 0i64..40_000) {
            let (da, db) = (Date::from_days(a).expect("in range"), Date::from_days(b).expect("in range"));
            prop_assert_eq!(da.cmp(&db), a.cmp(&b));
        }
    }
}
