//! Folding away differences that are not substantive: punctuation and
//! letter width (`，`/`,`, `（`/`(`, `２`/`2`), quotation mark styles and
//! whitespace (including U+3000 and zero-width spaces).
//!
//! Two texts that fold to the same string say the same thing; the diff
//! reports their differences as `punctuation_only`.

/// Folds one character to its narrow, plain form.
pub(crate) fn fold_char(c: char) -> char {
    match c {
        // Full-width forms of ASCII: ！ … ～ → ! … ~ (，；（）：０-９Ａ-Ｚ…).
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        // Half-width CJK punctuation → its usual full form.
        '\u{FF61}' => '。',
        '\u{FF62}' => '「',
        '\u{FF63}' => '」',
        '\u{FF64}' => '、',
        // Quotation mark styles.
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{301D}' | '\u{301E}' => '"',
        '\u{2018}' | '\u{2019}' => '\'',
        _ => c,
    }
}

/// Whether `c` is whitespace or an invisible character that carries no text
/// (zero-width space, word joiner, byte-order mark).
pub(crate) fn is_blank(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// The folded text: every character folded, blanks removed.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // Ideographs, the bulk of the text, fold to themselves.
            '\u{4E00}'..='\u{9FFF}' => out.push(c),
            _ if is_blank(c) => {}
            _ => out.push(fold_char(c)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_variants_fold_together() {
        assert_eq!(
            fold("第一条　为了规范（示例），制定本法；见第２条："),
            fold("第一条 为了规范(示例),制定本法;见第2条:")
        );
        assert_eq!(fold("“规定”"), fold("\"规定\""));
        assert_eq!(fold("总\u{200B}则"), "总则");
    }

    #[test]
    fn different_marks_stay_different() {
        // 、 (enumeration comma) and ， are different punctuation, not widths.
        assert_ne!(fold("甲、乙"), fold("甲，乙"));
        assert_ne!(fold("本法。"), fold("本法；"));
    }
}
