//! Input lines: split on any line end, stripped of characters XML cannot
//! carry, trimmed of edge whitespace, and the character classes structure
//! recognition looks through (U+3000, NBSP, zero-width characters).
//!
//! Only line edges are trimmed: whitespace inside a line is content and
//! stays. Zero-width characters are not whitespace, so trimming one is
//! reported as dropped text.

use crate::diagnostic::{Diagnostic, codes};

/// One non-empty input line after trimming.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    /// 1-based line number in the input.
    pub no: usize,
    /// The text, trimmed; never empty.
    pub text: String,
    /// A Markdown heading's level (`#` = 1), its markers already removed.
    pub heading: Option<u8>,
    /// A Markdown compilation's header: after the `# title`, before
    /// `<!-- INFO END -->` (the dated history lines).
    pub header: bool,
    /// Web-page chrome kept because the caller asked for it.
    pub chrome: bool,
}

impl Line {
    pub fn new(no: usize, text: impl Into<String>) -> Line {
        Line {
            no,
            text: text.into(),
            heading: None,
            header: false,
            chrome: false,
        }
    }
}

/// Zero-width characters: not whitespace to Unicode, invisible to readers.
pub(crate) fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Bidirectional control characters (embeddings, overrides, isolates and
/// marks): invisible, and able to make a title or a number display as
/// something other than what is stored. Chinese policy texts have no use
/// for them, so the importer leaves them out of every line.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// `U+202E U+2066`: the first eight characters of `s` as code points.
pub(crate) fn code_points(s: &str) -> String {
    let codes: Vec<String> = s
        .chars()
        .take(8)
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    codes.join(" ")
}

/// Whitespace or zero-width: what structure recognition looks through.
pub(crate) fn is_blank(c: char) -> bool {
    c.is_whitespace() || is_zero_width(c)
}

/// Whether XML 1.0 can carry `c` (line ends aside, which never reach a line).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The text without any blank characters: what labels and keywords are
/// matched against (`第一章　总　　则` → `第一章总则`).
pub(crate) fn compact(s: &str) -> String {
    s.chars().filter(|c| !is_blank(*c)).collect()
}

/// Splits `text` into trimmed, non-empty lines, reporting every character
/// left out.
pub(crate) fn split(text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Line> {
    let mut out = Vec::new();
    for (i, raw) in raw_lines(text).enumerate() {
        let no = i + 1;
        let cleaned: String;
        let raw = if raw.chars().all(is_xml_char) {
            raw
        } else {
            let bad: String = raw.chars().filter(|c| !is_xml_char(*c)).collect();
            let codes_: Vec<String> = bad
                .chars()
                .take(8)
                .map(|c| format!("U+{:04X}", c as u32))
                .collect();
            diags.push(
                Diagnostic::warning(
                    Some(no),
                    codes::CONTROL_CHARACTER,
                    format!(
                        "left out {} character(s) XML cannot carry: {}",
                        bad.chars().count(),
                        codes_.join(" ")
                    ),
                )
                .with_dropped(bad),
            );
            cleaned = raw.chars().filter(|c| is_xml_char(*c)).collect();
            &cleaned
        };
        let unbidi: String;
        let raw = if raw.contains(is_bidi_control) {
            let bad: String = raw.chars().filter(|c| is_bidi_control(*c)).collect();
            diags.push(
                Diagnostic::warning(
                    Some(no),
                    codes::BIDI_CONTROL,
                    format!(
                        "left out {} bidirectional control character(s) ({}): they make text display in another order than it is written",
                        bad.chars().count(),
                        code_points(&bad)
                    ),
                )
                .with_dropped(bad),
            );
            unbidi = raw.chars().filter(|c| !is_bidi_control(*c)).collect();
            &unbidi
        } else {
            raw
        };
        let trimmed = raw.trim_matches(is_blank);
        let (head, tail) = edges(raw, trimmed);
        let zero_width: String = head
            .chars()
            .chain(tail.chars())
            .filter(|c| is_zero_width(*c))
            .collect();
        if !zero_width.is_empty() {
            let message = if trimmed.is_empty() {
                "left out a line holding only zero-width characters"
            } else {
                "left out zero-width characters at the line's edges"
            };
            diags.push(
                Diagnostic::info(Some(no), codes::ZERO_WIDTH, message).with_dropped(zero_width),
            );
        }
        if !trimmed.is_empty() {
            out.push(Line::new(no, trimmed));
        }
    }
    out
}

/// The parts of `raw` before and after `trimmed`, a subslice of it.
fn edges<'a>(raw: &'a str, trimmed: &str) -> (&'a str, &'a str) {
    if trimmed.is_empty() {
        return (raw, "");
    }
    let start = raw.len() - raw.trim_start_matches(is_blank).len();
    let end = start + trimmed.len();
    (&raw[..start], &raw[end..])
}

/// Lines split on `\r\n`, `\n` or a lone `\r`.
fn raw_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let s = rest?;
        match s.find(['\n', '\r']) {
            Some(i) => {
                let skip = if s[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&s[i + skip..]);
                Some(&s[..i])
            }
            None => {
                rest = None;
                // A final line end does not start another line.
                (!s.is_empty()).then_some(s)
            }
        }
    })
}

/// Numbered lines from texts, for unit tests of the recognisers.
#[cfg(test)]
pub(crate) fn test_lines(texts: &[&str]) -> Vec<Line> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Line::new(i + 1, *t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_every_line_end() {
        let v: Vec<_> = raw_lines("a\r\nb\nc\rd\n").collect();
        assert_eq!(v, ["a", "b", "c", "d"]);
        let v: Vec<_> = raw_lines("a\n\nb").collect();
        assert_eq!(v, ["a", "", "b"]);
    }

    #[test]
    fn trims_edges_only_and_reports_zero_width() {
        let mut d = Vec::new();
        let lines = split(
            "\u{3000}\u{3000}第一章　总　　则\u{a0}\n\u{200B}\n\u{200B}正文\t",
            &mut d,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[0].no, lines[0].text.as_str()),
            (1, "第一章　总　　则")
        );
        assert_eq!((lines[1].no, lines[1].text.as_str()), (3, "正文"));
        let dropped: Vec<_> = d.iter().map(|x| (x.line, x.dropped.clone())).collect();
        assert_eq!(
            dropped,
            [
                (Some(2), Some("\u{200B}".to_string())),
                (Some(3), Some("\u{200B}".to_string()))
            ]
        );
    }

    #[test]
    fn control_characters_are_dropped_and_reported() {
        let mut d = Vec::new();
        let lines = split("第一条\u{1}正文\u{FFFF}", &mut d);
        assert_eq!(lines[0].text, "第一条正文");
        assert_eq!(d[0].dropped.as_deref(), Some("\u{1}\u{FFFF}"));
    }

    #[test]
    fn compact_removes_blanks() {
        assert_eq!(compact("第一章　总\u{200B} 则"), "第一章总则");
    }
}
