//! Labels at the start of a line: `第X编/分编/章/节`, `第X条(之Y)`, `（一）`,
//! `一、`, `1.`, `（1）`, in full- and half-width forms.
//!
//! A label is kept exactly as written; its value comes from
//! [`wenku_model::numeral::parse`].

use wenku_model::{Number, UnitKind, numeral};

use crate::line::is_blank;

/// What shape a label has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `第X编`, `第X分编`, `第X章`, `第X节`: the division kind.
    Division(UnitKind),
    /// `第X条`, `第X条之Y`.
    Article,
    /// `一、`.
    ChineseComma,
    /// `（一）`, `(一)`.
    ChineseParen,
    /// `1.`, `1．`, `1、`.
    ArabicDot,
    /// `（1）`, `(1)`.
    ArabicParen,
}

/// A label found at the start of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Label {
    /// Its shape.
    pub shape: Shape,
    /// Its value.
    pub number: Number,
    /// Byte length of the label in the line.
    pub len: usize,
    /// Whether blank space (or the end of the line) follows it.
    pub spaced: bool,
}

impl Label {
    /// The label as written and the rest of the line without the
    /// whitespace between them (zero-width characters are content and stay).
    pub fn split(self, text: &str) -> (&str, &str) {
        let (label, rest) = text.split_at(self.len);
        (label, rest.trim_start())
    }
}

/// Longest numeral a label may hold, in characters.
const MAX_NUMERAL: usize = 8;

/// A run of numeral characters at the start of `s` and its value.
fn numeral_run(s: &str, chinese_only: bool) -> Option<(u32, usize)> {
    let mut end = 0;
    for (count, (i, c)) in s.char_indices().enumerate() {
        let ok = if chinese_only {
            numeral::is_numeral_char(c) && !c.is_ascii_digit() && !('０'..='９').contains(&c)
        } else {
            numeral::is_numeral_char(c)
        };
        if !ok || count >= MAX_NUMERAL {
            break;
        }
        end = i + c.len_utf8();
    }
    if end == 0 {
        return None;
    }
    numeral::parse(&s[..end])
        .filter(|n| *n > 0)
        .map(|n| (n, end))
}

fn digit_run(s: &str) -> Option<(u32, usize)> {
    let end: usize = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .take(4)
        .map(char::len_utf8)
        .sum();
    if end == 0 {
        return None;
    }
    let rest = &s[end..];
    if rest.starts_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
        return None; // more than 4 digits: a number, not a label
    }
    numeral::parse(&s[..end])
        .filter(|n| *n > 0)
        .map(|n| (n, end))
}

fn finish(shape: Shape, number: Number, text: &str, len: usize) -> Option<Label> {
    let spaced = text[len..].chars().next().is_none_or(is_blank);
    Some(Label {
        shape,
        number,
        len,
        spaced,
    })
}

/// The label at the start of `text`, if any. Blank characters inside a
/// label (`第 一 条`, `（ 一 ）`) are looked through; the label as written
/// keeps them.
pub(crate) fn parse(text: &str) -> Option<Label> {
    if let Some(label) = parse_tight(text) {
        return Some(label);
    }
    // Retry without blanks, over the few characters a label can span.
    let mut compact = String::new();
    let mut ends = Vec::new();
    for (i, c) in text.char_indices().take(LOOSE_SPAN) {
        if !is_blank(c) {
            compact.push(c);
            ends.push(i + c.len_utf8());
        }
    }
    if ends.len() == text.chars().take(LOOSE_SPAN).count() {
        return None; // no blanks: the tight parse was the answer
    }
    let tight = parse_tight(&compact)?;
    let chars = compact[..tight.len].chars().count();
    let len = *ends.get(chars.checked_sub(1)?)?;
    Some(Label {
        len,
        spaced: text[len..].chars().next().is_none_or(is_blank),
        ..tight
    })
}

/// Most characters a label written with blanks inside may span.
const LOOSE_SPAN: usize = 24;

fn parse_tight(text: &str) -> Option<Label> {
    if let Some(rest) = text.strip_prefix('第') {
        return statute(text, rest);
    }
    let first = text.chars().next()?;
    if matches!(first, '（' | '(') {
        let inner = &text[first.len_utf8()..];
        let (n, len, shape) = match numeral_run(inner, true) {
            Some((n, len)) => (n, len, Shape::ChineseParen),
            None => {
                let (n, len) = digit_run(inner)?;
                (n, len, Shape::ArabicParen)
            }
        };
        let close = inner[len..].chars().next()?;
        if !matches!(close, '）' | ')') {
            return None;
        }
        let total = first.len_utf8() + len + close.len_utf8();
        return finish(shape, Number::new(n), text, total);
    }
    if let Some((n, len)) = digit_run(text) {
        let sep = text[len..].chars().next()?;
        if !matches!(sep, '.' | '．' | '、') {
            return None;
        }
        let after = &text[len + sep.len_utf8()..];
        // `1.5亿` is a number, not a label.
        if after.starts_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
            return None;
        }
        return finish(Shape::ArabicDot, Number::new(n), text, len + sep.len_utf8());
    }
    let (n, len) = numeral_run(text, true)?;
    if len > 4 * 3 {
        return None; // 一、 labels are short: at most four characters
    }
    text[len..].strip_prefix('、')?;
    finish(
        Shape::ChineseComma,
        Number::new(n),
        text,
        len + '、'.len_utf8(),
    )
}

fn statute(text: &str, rest: &str) -> Option<Label> {
    let (n, len) = numeral_run(rest, false)?;
    let after = &rest[len..];
    let prefix = '第'.len_utf8() + len;
    for (suffix, kind) in [
        ("分编", UnitKind::Subpart),
        ("编", UnitKind::Part),
        ("章", UnitKind::Chapter),
        ("节", UnitKind::Section),
    ] {
        if after.starts_with(suffix) {
            return finish(
                Shape::Division(kind),
                Number::new(n),
                text,
                prefix + suffix.len(),
            );
        }
    }
    let after = after.strip_prefix('条')?;
    let mut total = prefix + '条'.len_utf8();
    let mut number = Number::new(n);
    if let Some(sub) = after.strip_prefix('之')
        && let Some((s, slen)) = numeral_run(sub, true)
    {
        number = Number::with_sub(n, s);
        total += '之'.len_utf8() + slen;
    }
    finish(Shape::Article, number, text, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Option<(Shape, u32, u32, String, bool)> {
        parse(text).map(|l| {
            (
                l.shape,
                l.number.main,
                l.number.sub,
                text[..l.len].to_string(),
                l.spaced,
            )
        })
    }

    #[test]
    fn statute_labels() {
        use Shape::*;
        assert_eq!(
            check("第六十八条　正文"),
            Some((Article, 68, 0, "第六十八条".into(), true))
        );
        assert_eq!(
            check("第八条之一 正文"),
            Some((Article, 8, 1, "第八条之一".into(), true))
        );
        assert_eq!(
            check("第十八条规定的"),
            Some((Article, 18, 0, "第十八条".into(), false))
        );
        assert_eq!(
            check("第一章　总　　则"),
            Some((Division(UnitKind::Chapter), 1, 0, "第一章".into(), true))
        );
        assert_eq!(
            check("第二编 物权"),
            Some((Division(UnitKind::Part), 2, 0, "第二编".into(), true))
        );
        assert_eq!(
            check("第一分编 通则"),
            Some((Division(UnitKind::Subpart), 1, 0, "第一分编".into(), true))
        );
        assert_eq!(
            check("第三节 立法权限"),
            Some((Division(UnitKind::Section), 3, 0, "第三节".into(), true))
        );
        assert_eq!(
            check("第一百零五条"),
            Some((Article, 105, 0, "第一百零五条".into(), true))
        );
        assert_eq!(check("第一次会议"), None);
        assert_eq!(check("第"), None);
        assert_eq!(
            check("第 一 条　正文"),
            Some((Article, 1, 0, "第 一 条".into(), true))
        );
        assert_eq!(
            check("第\u{200B}二章总则"),
            Some((
                Division(UnitKind::Chapter),
                2,
                0,
                "第\u{200B}二章".into(),
                false
            ))
        );
        assert_eq!(
            check("（ 三 ）正文"),
            Some((Shape::ChineseParen, 3, 0, "（ 三 ）".into(), false))
        );
    }

    #[test]
    fn outline_labels() {
        use Shape::*;
        assert_eq!(
            check("一、加强"),
            Some((ChineseComma, 1, 0, "一、".into(), false))
        );
        assert_eq!(
            check("十一、加强"),
            Some((ChineseComma, 11, 0, "十一、".into(), false))
        );
        assert_eq!(
            check("（一）完善"),
            Some((ChineseParen, 1, 0, "（一）".into(), false))
        );
        assert_eq!(
            check("(十五)加强"),
            Some((ChineseParen, 15, 0, "(十五)".into(), false))
        );
        assert_eq!(
            check("（一)混合"),
            Some((ChineseParen, 1, 0, "（一)".into(), false))
        );
        assert_eq!(check("1.明确"), Some((ArabicDot, 1, 0, "1.".into(), false)));
        assert_eq!(
            check("１２．明确"),
            Some((ArabicDot, 12, 0, "１２．".into(), false))
        );
        assert_eq!(
            check("3、明确"),
            Some((ArabicDot, 3, 0, "3、".into(), false))
        );
        assert_eq!(
            check("（1）申请"),
            Some((ArabicParen, 1, 0, "（1）".into(), false))
        );
        assert_eq!(
            check("(2) 申请"),
            Some((ArabicParen, 2, 0, "(2)".into(), true))
        );
    }

    #[test]
    fn not_labels() {
        for s in [
            "1.5亿元",
            "2025年是",
            "20250.",
            "一是",
            "（以下简称《要点》）",
            "(此件公开发布)",
            "一二三四五、",
            "()",
            "（）",
            "、",
            "12345.",
            "零、",
        ] {
            assert_eq!(check(s), None, "{s}");
        }
    }
}
