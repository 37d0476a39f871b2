//! Pinyin initials of common Chinese characters, for the work-id local part
//! the importer suggests (`鲁政办发〔2025〕5号` → `lzbf-2025-5`).
//!
//! The 3,755 level-1 characters of GB 2312 are ordered by pinyin, so the
//! GB 2312 code of such a character tells its initial. Level-2 characters
//! (ordered by radical) and characters outside GB 2312 have no initial here
//! and are skipped; polyphonic characters get the initial of their first
//! reading. It is a suggestion: callers pass their own local part to
//! override it.

use encoding_rs::GBK;

use wenku_model::{Date, DocNumber};
use wenku_model::{MAX_LOCAL_LEN, check_local};

/// First GB 2312 code of each initial, in code order.
const STARTS: [(u16, char); 23] = [
    (0xB0A1, 'a'),
    (0xB0C5, 'b'),
    (0xB2C1, 'c'),
    (0xB4EE, 'd'),
    (0xB6EA, 'e'),
    (0xB7A2, 'f'),
    (0xB8C1, 'g'),
    (0xB9FE, 'h'),
    (0xBBF7, 'j'),
    (0xBFA6, 'k'),
    (0xC0AC, 'l'),
    (0xC2E8, 'm'),
    (0xC4C3, 'n'),
    (0xC5B6, 'o'),
    (0xC5BE, 'p'),
    (0xC6DA, 'q'),
    (0xC8BB, 'r'),
    (0xC8F6, 's'),
    (0xCBFA, 't'),
    (0xCDDA, 'w'),
    (0xCEF4, 'x'),
    (0xD1B9, 'y'),
    (0xD4D1, 'z'),
];
/// Last level-1 code.
const LEVEL1_END: u16 = 0xD7F9;

/// The pinyin initial of a common character; ASCII letters and digits are
/// kept (lowercased); `None` for anything else.
pub(crate) fn initial(c: char) -> Option<char> {
    if c.is_ascii_alphanumeric() {
        return Some(c.to_ascii_lowercase());
    }
    if ('０'..='９').contains(&c) {
        return char::from_u32(c as u32 - '０' as u32 + '0' as u32);
    }
    let mut buf = [0u8; 4];
    let (bytes, _, had_errors) = GBK.encode(c.encode_utf8(&mut buf));
    if had_errors || bytes.len() != 2 {
        return None;
    }
    let code = u16::from_be_bytes([bytes[0], bytes[1]]);
    if !(STARTS[0].0..=LEVEL1_END).contains(&code) {
        return None;
    }
    let i = STARTS.partition_point(|(start, _)| *start <= code);
    Some(STARTS[i - 1].1)
}

/// Initials of every character that has one.
pub(crate) fn of(s: &str) -> String {
    s.chars().filter_map(initial).collect()
}

/// A local part from a document number: `鲁政办发〔2025〕5号` →
/// `lzbf-2025-5`, `国务院令第306号` → `gwyl-306`.
pub(crate) fn from_number(number: &DocNumber) -> Option<String> {
    let s = number
        .as_str()
        .strip_prefix("中华人民共和国")
        .unwrap_or(number.as_str());
    let s = s.strip_suffix('号')?;
    let local = if let Some((prefix, rest)) = s.split_once('〔') {
        let (year, n) = rest.split_once('〕')?;
        format!("{}-{year}-{n}", of(prefix))
    } else {
        let (prefix, n) = s.rsplit_once('第')?;
        format!("{}-{n}", of(prefix))
    };
    valid(local)
}

/// Most initials in a local part made from a title: past a dozen letters
/// nobody reads them.
const TITLE_LETTERS: usize = 12;

/// A place name a title opens with (`青岛市`, `博山区`, `山东省`): the
/// work's region says where already: two to five characters before the
/// level, so `城市管理…` or `市场监督…` are not taken for one.
fn place_prefix(s: &str) -> usize {
    for (i, (at, c)) in s.char_indices().enumerate() {
        if i >= 6 {
            break;
        }
        if i >= 2 && matches!(c, '省' | '市' | '区' | '县' | '旗' | '州' | '盟') {
            return at + c.len_utf8();
        }
    }
    0
}

/// A local part from a title: its year, then the initials of what it says
/// with the place it opens with left out (the region says where), at most
/// a dozen letters — `2025年青岛市政务公开工作要点` → `2025-zwgkgzyd`,
/// `博山区贯彻落实《2025年山东省政务公开工作要点》实施方案` →
/// `2025-gclszwgkgzyd`; `中华人民共和国立法法` (with its date) → `lff-2015`.
/// The year is the first `NNNN年` in the title, else the date's.
pub(crate) fn from_title(title: &str, date: Option<Date>) -> Option<String> {
    let t = title.strip_prefix("中华人民共和国").unwrap_or(title);
    // The first year written in the title, taken out of the text.
    let mut year = None;
    let mut rest = String::new();
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if year.is_none() && digits == 4 && chars.get(i + 4) == Some(&'年') {
            year = Some(chars[i..i + 4].iter().collect::<String>());
            i += 5;
            continue;
        }
        rest.push(chars[i]);
        i += 1;
    }
    // Places at the start and at the start of a quoted title.
    let mut text = String::new();
    for (n, part) in rest.split('《').enumerate() {
        if n > 0 {
            text.push('《');
        }
        text.push_str(&part[place_prefix(part)..]);
    }
    let mut letters = of(&text);
    letters.truncate(TITLE_LETTERS);
    if letters.is_empty() {
        return None;
    }
    let local = match (year, date) {
        (Some(y), _) => format!("{y}-{letters}"),
        (None, Some(d)) => format!("{letters}-{}", d.year()),
        (None, None) => letters,
    };
    valid(local)
}

fn valid(mut local: String) -> Option<String> {
    local.truncate(MAX_LOCAL_LEN);
    while local.ends_with(['-', '.']) {
        local.pop();
    }
    check_local(&local).is_ok().then_some(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_common_characters() {
        assert_eq!(of("鲁政办发"), "lzbf");
        assert_eq!(of("青政办发"), "qzbf");
        assert_eq!(of("济政办发"), "jzbf");
        assert_eq!(of("国发"), "gf");
        assert_eq!(of("立法法"), "lff");
        assert_eq!(of("阿"), "a");
        assert_eq!(of("座"), "z");
        assert_eq!(of("〔〕"), "");
    }

    #[test]
    fn locals() {
        let n = |s: &str| DocNumber::parse(s).and_then(|n| from_number(&n));
        assert_eq!(n("鲁政办发〔2025〕5号").as_deref(), Some("lzbf-2025-5"));
        assert_eq!(
            n("中华人民共和国国务院令第306号").as_deref(),
            Some("gwyl-306")
        );
        assert_eq!(
            from_title("2025年青岛市政务公开工作要点", None).as_deref(),
            Some("2025-zwgkgzyd")
        );
        // The id this rule replaces was bsqgcls2025nsdszwgkgzydssfa-2025.
        assert_eq!(
            from_title(
                "博山区贯彻落实《2025年山东省政务公开工作要点》实施方案",
                Date::parse_iso("2025-04-01").ok()
            )
            .as_deref(),
            Some("2025-gclszwgkgzyd")
        );
        assert_eq!(
            from_title("关于《2025年槐荫区政务公开工作要点》的解读", None).as_deref(),
            Some("2025-gyzwgkgzyddj")
        );
        // Words that merely contain a level character keep it.
        assert_eq!(from_title("城市管理条例", None).as_deref(), Some("csgltl"));
        assert_eq!(
            from_title("市场监督管理条例", None).as_deref(),
            Some("scjdgltl")
        );
        let d = Date::parse_iso("2015-03-15").ok();
        assert_eq!(
            from_title("中华人民共和国立法法", d).as_deref(),
            Some("lff-2015")
        );
        assert_eq!(from_title("《》", None), None);
    }
}
