//! How documents cite each other: document numbers (发文字号) and titles.
//!
//! A citation is a look-up key, never a path. Both kinds are normalised so
//! that the variants people write find the same work:
//! `鲁政办发[2025]5号`, `鲁政办发【2025】5号` and `鲁政办发（2025）5号` are all
//! `鲁政办发〔2025〕5号`.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// A document number (发文字号) in its normal form: `<issuer code>〔<year>〕<n>号`
/// (GB/T 9704), or an order number like `国务院令第306号`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocNumber(String);

const OPEN: &[char] = &['〔', '[', '【', '（', '(', '［', '〖', '{', '｛'];
const CLOSE: &[char] = &['〕', ']', '】', '）', ')', '］', '〗', '}', '｝'];

fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

impl DocNumber {
    /// Parses a whole string as a document number, normalising brackets,
    /// full-width digits and spaces. `None` if it is not one.
    pub fn parse(input: &str) -> Option<DocNumber> {
        let s: String = input
            .nfc()
            .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}'))
            .collect();
        let s = s.strip_suffix('号')?;
        // Order numbers: 国务院令第306号, 卫生部令第3号; those of laws and
        // regulations are written in Chinese numerals (主席令第八十七号,
        // 国务院令第七百三十二号) and normalised to digits.
        if let Some((prefix, n)) = s.rsplit_once('第')
            && (prefix.ends_with('令') || prefix.ends_with("公告"))
        {
            let n = digits(n).or_else(|| {
                (!n.starts_with('0'))
                    .then(|| crate::numeral::parse(n))
                    .flatten()
                    .filter(|v| *v > 0)
                    .map(|v| v.to_string())
            })?;
            if prefix.chars().all(is_han) && prefix.chars().count() >= 2 {
                return Some(DocNumber(format!("{prefix}第{n}号")));
            }
        }
        let open = s.find(OPEN)?;
        let prefix = &s[..open];
        let rest = &s[open..];
        let mut chars = rest.chars();
        chars.next(); // the opening bracket
        let rest = chars.as_str();
        let close = rest.find(CLOSE)?;
        let year = digits(&rest[..close])?;
        if year.len() != 4 {
            return None;
        }
        let mut chars = rest[close..].chars();
        chars.next();
        let n = digits(chars.as_str())?;
        let prefix_ok = !prefix.is_empty()
            && prefix.chars().count() <= 24
            && prefix
                .chars()
                .all(|c| is_han(c) || c.is_ascii_alphanumeric() || c == '·');
        prefix_ok.then(|| DocNumber(format!("{prefix}〔{year}〕{n}号")))
    }

    /// The normal form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// ASCII digits of a run of (possibly full-width) digits, without leading zeros
/// removed; `None` if anything else appears.
fn digits(s: &str) -> Option<String> {
    if s.is_empty() || s.chars().count() > 8 {
        return None;
    }
    s.chars().map(ascii_digit).collect()
}

impl fmt::Display for DocNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DocNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocNumber({})", self.0)
    }
}

/// The key a title is looked up by: NFC, no whitespace, no outer 《》, inner
/// title marks unified to 〈〉 (`<`, `＜`, `《` inside a title all become `〈`).
pub fn title_key(title: &str) -> String {
    let s: String = title
        .nfc()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}'))
        .collect();
    let s = s
        .strip_prefix('《')
        .and_then(|t| t.strip_suffix('》'))
        .unwrap_or(&s);
    s.chars()
        .map(|c| match c {
            '<' | '＜' | '《' => '〈',
            '>' | '＞' | '》' => '〉',
            other => other,
        })
        .collect()
}

/// A reference to another document as it is written: its number, its title,
/// or both. The library resolves it to a work when one matches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Citation {
    /// The cited document number, normalised.
    pub number: Option<DocNumber>,
    /// The cited title as written (without 《》).
    pub title: Option<String>,
}

impl Citation {
    /// A citation by number only.
    pub fn number(number: DocNumber) -> Citation {
        Citation {
            number: Some(number),
            title: None,
        }
    }

    /// A citation by title only.
    pub fn title(title: impl Into<String>) -> Citation {
        Citation {
            number: None,
            title: Some(title.into()),
        }
    }

    /// Parses what a person types: a document number in any bracket variant,
    /// otherwise a title (with or without 《》).
    pub fn parse(input: &str) -> Option<Citation> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return None;
        }
        Some(match DocNumber::parse(trimmed) {
            Some(n) => Citation::number(n),
            None => {
                let t = trimmed
                    .strip_prefix('《')
                    .and_then(|t| t.strip_suffix('》'))
                    .unwrap_or(trimmed);
                Citation::title(t.nfc().collect::<String>())
            }
        })
    }

    /// Whether the citation names nothing.
    pub fn is_empty(&self) -> bool {
        self.number.is_none() && self.title.as_deref().is_none_or(str::is_empty)
    }
}

impl fmt::Display for Citation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.title, &self.number) {
            (Some(t), Some(n)) => write!(f, "《{t}》({n})"),
            (Some(t), None) => write!(f, "《{t}》"),
            (None, Some(n)) => write!(f, "{n}"),
            (None, None) => f.write_str("(empty citation)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracket_variants_normalise() {
        for s in [
            "鲁政办发〔2025〕5号",
            "鲁政办发[2025]5号",
            "鲁政办发【2025】5号",
            "鲁政办发（2025）5号",
            "鲁政办发(2025)5号",
            "鲁政办发［2025］５号",
            " 鲁政办发 〔2025〕 5号 ",
        ] {
            assert_eq!(
                DocNumber::parse(s).map(|n| n.to_string()),
                Some("鲁政办发〔2025〕5号".to_string()),
                "{s}"
            );
        }
        assert_eq!(
            DocNumber::parse("国务院令第306号").map(|n| n.to_string()),
            Some("国务院令第306号".into())
        );
        for (written, normal) in [
            (
                "中华人民共和国主席令第八十七号",
                "中华人民共和国主席令第87号",
            ),
            ("国务院令第七百三十二号", "国务院令第732号"),
            ("国务院令 第 732 号", "国务院令第732号"),
        ] {
            assert_eq!(
                DocNumber::parse(written).map(|n| n.to_string()).as_deref(),
                Some(normal)
            );
        }
        assert_eq!(DocNumber::parse("主席令第八十七条号"), None);
    }

    #[test]
    fn rejects_non_numbers() {
        for s in [
            "",
            "鲁政办发",
            "〔2025〕5号",
            "鲁政办发〔25〕5号",
            "鲁政办发〔2025〕号",
            "第306号",
            "关于印发要点的通知",
        ] {
            assert_eq!(DocNumber::parse(s), None, "{s}");
        }
    }

    #[test]
    fn title_keys() {
        assert_eq!(
            title_key("《2025年青岛市政务公开工作要点》"),
            "2025年青岛市政务公开工作要点"
        );
        assert_eq!(
            title_key("关于修改<中华人民共和国立法法>的决定"),
            title_key("关于修改〈中华人民共和国立法法〉的决定")
        );
        assert_eq!(title_key("总　　则"), "总则");
    }

    #[test]
    fn citations_from_user_input() {
        assert_eq!(
            Citation::parse("鲁政办发[2025]5号"),
            Some(Citation::number(
                DocNumber::parse("鲁政办发〔2025〕5号").expect("valid")
            ))
        );
        assert_eq!(
            Citation::parse("《化妆品卫生监督条例》"),
            Some(Citation::title("化妆品卫生监督条例"))
        );
        assert_eq!(Citation::parse("  "), None);
    }
}
