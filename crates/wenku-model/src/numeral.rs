//! Chinese and Arabic numerals as they appear in labels and dates.
//!
//! `第六十八条` → 68, `（十一）` → 11, `一百零五` → 105, `２０` → 20,
//! `二〇二四` (digit by digit, as years are written) → 2024.

/// Value of one Chinese digit character, including the forms used in years.
fn digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | '○' | 'Ｏ' | 'O' | '0' | '０' => 0,
        '一' | '壹' | '1' | '１' => 1,
        '二' | '两' | '贰' | '2' | '２' => 2,
        '三' | '叁' | '3' | '３' => 3,
        '四' | '肆' | '4' | '４' => 4,
        '五' | '伍' | '5' | '５' => 5,
        '六' | '陆' | '6' | '６' => 6,
        '七' | '柒' | '7' | '７' => 7,
        '八' | '捌' | '8' | '８' => 8,
        '九' | '玖' | '9' | '９' => 9,
        _ => return None,
    })
}

fn unit(c: char) -> Option<u32> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        '万' => 10_000,
        _ => return None,
    })
}

/// Whether `c` can appear in a numeral [`parse`] reads.
pub fn is_numeral_char(c: char) -> bool {
    digit(c).is_some() || unit(c).is_some()
}

/// Reads a string of digits written one by one (Arabic, full-width or
/// Chinese, as in `二〇二四`). `None` if empty or anything else appears.
pub fn parse_digits(s: &str) -> Option<u32> {
    if s.is_empty() || s.chars().count() > 9 {
        return None;
    }
    s.chars()
        .try_fold(0u32, |acc, c| Some(acc * 10 + digit(c)?))
}

/// Reads a numeral: Arabic or full-width digits (`68`, `６８`), or Chinese
/// with units (`六十八`, `十一`, `一百零五`, `两千`). `None` if the string is
/// not a well-formed numeral or the value exceeds 99 999 999.
pub fn parse(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars()
        .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return parse_digits(s);
    }
    if s.chars().count() == 1
        && let Some(d) = s.chars().next().and_then(digit)
    {
        return Some(d);
    }
    let mut total: u32 = 0; // completed groups of 万
    let mut section: u32 = 0; // below 万
    let mut pending: Option<u32> = None; // digit awaiting a unit
    let mut last_unit = u32::MAX;
    for c in s.chars() {
        if let Some(d) = digit(c) {
            if pending.is_some() && d != 0 {
                return None; // two digits in a row, like 六八
            }
            pending = if d == 0 { pending } else { Some(d) };
        } else if let Some(u) = unit(c) {
            if u == 10_000 {
                let value = section + pending.take().unwrap_or(0);
                if value == 0 {
                    return None;
                }
                total = total.checked_add(value.checked_mul(10_000)?)?;
                section = 0;
                last_unit = u32::MAX;
                continue;
            }
            if u >= last_unit {
                return None; // units must fall: 百 after 十 is malformed
            }
            // A bare 十 means 一十 (十一, 一百十); a bare 百 or 千 is malformed.
            let d = match pending.take() {
                Some(d) => d,
                None if u == 10 => 1,
                None => return None,
            };
            section += d * u;
            last_unit = u;
        } else {
            return None;
        }
    }
    let value = total.checked_add(section + pending.unwrap_or(0))?;
    (value <= 99_999_999).then_some(value)
}

/// Writes `n` as a Chinese numeral the way articles are numbered:
/// 1 → 一, 10 → 十, 11 → 十一, 68 → 六十八, 105 → 一百零五, 110 → 一百一十.
pub fn to_chinese(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 {
        return "零".into();
    }
    if n >= 10_000 {
        let (hi, lo) = (n / 10_000, n % 10_000);
        let mut s = to_chinese(hi);
        s.push('万');
        if lo > 0 {
            if lo < 1000 {
                s.push('零');
            }
            s.push_str(&below_10000(lo, true));
        }
        return s;
    }
    return below_10000(n, false);

    fn below_10000(n: u32, inner: bool) -> String {
        let mut s = String::new();
        let parts = [(n / 1000, '千'), (n / 100 % 10, '百'), (n / 10 % 10, '十')];
        let mut zero = false;
        let mut started = false;
        for (d, u) in parts {
            if d == 0 {
                zero = started;
                continue;
            }
            if zero {
                s.push('零');
                zero = false;
            }
            // 十一 not 一十一 at the start of a number, but 一百一十 inside.
            let leading_ten = u == '十' && d == 1 && !started && !inner;
            if !leading_ten {
                s.push(DIGITS[d as usize]);
            }
            s.push(u);
            started = true;
        }
        if !n.is_multiple_of(10) {
            if zero {
                s.push('零');
            }
            s.push(DIGITS[(n % 10) as usize]);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_labels() {
        for (s, n) in [
            ("一", 1),
            ("十", 10),
            ("十一", 11),
            ("二十", 20),
            ("六十八", 68),
            ("一百", 100),
            ("一百零五", 105),
            ("一百一十", 110),
            ("一百十", 110),
            ("二百一十八", 218),
            ("一千二百六十", 1260),
            ("两千", 2000),
            ("68", 68),
            ("６８", 68),
            ("一万零一", 10_001),
        ] {
            assert_eq!(parse(s), Some(n), "{s}");
        }
        for s in ["", "六八", "二〇二四", "十百", "百", "第一", "一.", "x"] {
            assert_eq!(parse(s), None, "{s}");
        }
        assert_eq!(parse_digits("二〇二四"), Some(2024));
        assert_eq!(parse_digits("一九九七"), Some(1997));
    }

    #[test]
    fn writes_labels() {
        for (n, s) in [
            (1, "一"),
            (10, "十"),
            (11, "十一"),
            (68, "六十八"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (10_001, "一万零一"),
        ] {
            assert_eq!(to_chinese(n), s, "{n}");
        }
    }

    proptest! {
        #[test]
        fn round_trip(n in 1u32..99_999_999) {
            prop_assert_eq!(parse(&to_chinese(n)), Some(n), "{}", to_chinese(n));
        }
    }
}
