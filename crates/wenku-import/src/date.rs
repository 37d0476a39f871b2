//! Dates inside running text: `2024年7月16日`, `２０２４年７月１６日`,
//! `二〇二四年七月十六日` and `2025-07-04`.

use wenku_model::{Date, numeral};

/// A date found in a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// Its value.
    pub date: Date,
}

fn is_year_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || "〇零○一二三四五六七八九".contains(c)
}

fn is_part_char(c: char) -> bool {
    is_year_digit(c) || c == '十'
}

/// Every well-formed, possible date in `s`, in order, not overlapping.
pub(crate) fn find_all(s: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = find_from(s, from) {
        from = found.end;
        out.push(found);
    }
    out
}

/// The first date at or after byte `from`.
pub(crate) fn find_from(s: &str, from: usize) -> Option<Found> {
    let mut prev: Option<char> = s[..from].chars().next_back();
    for (i, c) in s[from..].char_indices() {
        let start = from + i;
        if is_year_digit(c)
            && !prev.is_some_and(is_year_digit)
            && let Some(found) = chinese_at(s, start).or_else(|| iso_at(s, start))
        {
            return Some(found);
        }
        prev = Some(c);
    }
    None
}

/// A date written in the text that has a date's shape and numbers but does
/// not exist (`2023年2月30日`, `2025年13月1日`, `2023-02-30`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Impossible {
    /// The text as written.
    pub text: String,
    /// Why it is not a date.
    pub reason: String,
}

/// Every impossible date in `s`, in order.
pub(crate) fn impossible_all(s: &str) -> Vec<Impossible> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    let mut skip_to = 0;
    for (start, c) in s.char_indices() {
        if start >= skip_to && is_year_digit(c) && !prev.is_some_and(is_year_digit) {
            let shaped = chinese_shape(s, start)
                .map(|end| (end, chinese_parts(&s[start..end])))
                .or_else(|| iso_shape(s, start).map(|end| (end, iso_parts(&s[start..end]))));
            if let Some((end, Some((y, m, d)))) = shaped {
                if let Err(e) = Date::new(y, m, d) {
                    out.push(Impossible {
                        text: s[start..end].to_string(),
                        reason: e.reason,
                    });
                }
                skip_to = end;
            }
        }
        prev = Some(c);
    }
    out
}

/// The year, month and day numbers of a `YYYY年M月D日` shape, if they are
/// numbers.
fn chinese_parts(t: &str) -> Option<(u32, u32, u32)> {
    let (y, rest) = t.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    Some((
        numeral::parse_digits(y)?,
        numeral::parse(m)?,
        numeral::parse(d)?,
    ))
}

/// The numbers of a `YYYY-MM-DD` shape.
fn iso_parts(t: &str) -> Option<(u32, u32, u32)> {
    Some((
        t.get(0..4)?.parse().ok()?,
        t.get(5..7)?.parse().ok()?,
        t.get(8..10)?.parse().ok()?,
    ))
}

/// The end of a `YYYY-MM-DD` shape (ASCII digits) at `start`, not followed
/// by another digit.
fn iso_shape(s: &str, start: usize) -> Option<usize> {
    let b = s.as_bytes().get(start..start + 10)?;
    let digits = [0, 1, 2, 3, 5, 6, 8, 9]
        .iter()
        .all(|&i| b[i].is_ascii_digit());
    if !digits || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if s[start + 10..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(start + 10)
}

/// The end of a `YYYY年M月D日` shape starting exactly at `start`: four year
/// digits, then one to three numeral characters for the month and the day.
fn chinese_shape(s: &str, start: usize) -> Option<usize> {
    let rest = &s[start..];
    let mut stage = 0; // 0 year, 1 month, 2 day
    let mut run = 0;
    for (i, c) in rest.char_indices() {
        let limit = if stage == 0 { 4 } else { 3 };
        if (stage == 0 && is_year_digit(c)) || (stage > 0 && is_part_char(c)) {
            run += 1;
            if run > limit {
                return None;
            }
            continue;
        }
        let expected = ['年', '月', '日'][stage];
        if c != expected || run == 0 || (stage == 0 && run != 4) {
            return None;
        }
        stage += 1;
        run = 0;
        if stage == 3 {
            return Some(start + i + c.len_utf8());
        }
    }
    None
}

/// `YYYY年M月D日` starting exactly at `start`.
fn chinese_at(s: &str, start: usize) -> Option<Found> {
    let end = chinese_shape(s, start)? - start;
    let rest = &s[start..];
    let date = Date::parse_chinese(&rest[..end]).ok()?;
    Some(Found {
        start,
        end: start + end,
        date,
    })
}

/// `YYYY-MM-DD` starting exactly at `start`, not followed by another digit.
fn iso_at(s: &str, start: usize) -> Option<Found> {
    let candidate = s.get(start..start + 10)?;
    let date = Date::parse_iso(candidate).ok()?;
    if s[start + 10..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(Found {
        start,
        end: start + 10,
        date,
    })
}

/// The date a whole string is, if it is exactly one (blank space allowed
/// around and inside): `2025年5月16日`, `二〇二五年五月十六日`, `2025-07-04`.
pub(crate) fn whole(s: &str) -> Option<Date> {
    let t = s.trim();
    if t.len() > 96 {
        return None; // longer than any date, however spaced
    }
    Date::parse_chinese(t).or_else(|_| Date::parse_iso(t)).ok()
}

/// The date a file is named by: the last `YYYY-MM-DD` in the last path
/// component, standing apart from other digits (`2019-03-02.md`,
/// `公司法(2018-10-26).md`, `370200-qingdao-2025-05-16-points.txt`).
/// Compilations name each version's file by its date.
pub(crate) fn in_file_name(source_name: &str) -> Option<Date> {
    let name = source_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(source_name);
    let b = name.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut found = None;
    for start in 0..b.len().saturating_sub(9) {
        let shape = (0..10).all(|k| match k {
            4 | 7 => b[start + k] == b'-',
            _ => digit(start + k),
        });
        if shape
            && !(start > 0 && digit(start - 1))
            && !digit(start + 10)
            && let Ok(d) = Date::parse_iso(&name[start..start + 10])
        {
            found = Some(d);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(s: &str) -> Vec<String> {
        find_all(s)
            .into_iter()
            .map(|f| format!("{}@{}", f.date, f.start))
            .collect()
    }

    #[test]
    fn finds_dates_in_text() {
        assert_eq!(
            dates("(1997年7月3日第八届…通过　2007年8月30日第十届…修订)"),
            ["1997-07-03@1", "2007-08-30@37"]
        );
        assert_eq!(dates("本法自2008年1月1日起施行。"), ["2008-01-01@9"]);
        assert_eq!(dates("更新时间:2025-07-04 浏览量:"), ["2025-07-04@13"]);
        assert_eq!(dates("二〇二四年七月十六日"), ["2024-07-16@0"]);
        assert_eq!(
            dates("2023年2月30日 12025年1月1日 2025年13月1日 2025年"),
            Vec::<String>::new()
        );
        assert_eq!(dates("20250-07-04 2025-07-045"), Vec::<String>::new());
    }

    #[test]
    fn whole_dates() {
        assert_eq!(
            whole("2025年5月16日").map(|d| d.to_string()),
            Some("2025-05-16".into())
        );
        assert_eq!(
            whole("2025 年 5 月 16 日").map(|d| d.to_string()),
            Some("2025-05-16".into())
        );
        assert_eq!(whole("2025年5月16日印发"), None);
    }

    #[test]
    fn dates_in_file_names() {
        let d = |s: &str| in_file_name(s).map(|d| d.to_string());
        assert_eq!(d("laws/x/2019-03-02.md").as_deref(), Some("2019-03-02"));
        assert_eq!(d("公司法(2018-10-26).md").as_deref(), Some("2018-10-26"));
        assert_eq!(
            d("seeds/370200-qingdao-2025-05-16-points.txt").as_deref(),
            Some("2025-05-16")
        );
        assert_eq!(d("2019-03-02/notice.txt"), None);
        assert_eq!(d("x-2019-02-30.md"), None);
        assert_eq!(d("12019-03-02.md"), None);
        assert_eq!(d("inbox/upload"), None);
    }
}
