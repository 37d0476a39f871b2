//! The no-loss invariant, as a check anyone can run: the plain-text
//! rendering of an imported document, together with every text a
//! diagnostic says was dropped, holds exactly the non-whitespace characters
//! of the input, and the rendering keeps them in input order. Characters
//! are compared canonically decomposed (NFD), and order is checked on the
//! characters that start a grapheme: the document is NFC, and normalisation
//! may compose or reorder accents once a character between them is left
//! out.
//!
//! It applies to text and Markdown imports; an XML import's input is markup.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;
use wenku_model::render;

use crate::Imported;

/// How an import lost or invented text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "text changed in import: {missing_count} input characters missing (first: {missing:?}), {extra_count} characters not in the input (first: {extra:?}){order}"
)]
pub struct Loss {
    /// Up to 40 input characters neither rendered nor reported dropped.
    pub missing: String,
    /// How many such characters.
    pub missing_count: usize,
    /// Up to 40 rendered or dropped characters the input does not have.
    pub extra: String,
    /// How many such characters.
    pub extra_count: usize,
    /// Empty, or where the rendering leaves input order.
    pub order: String,
}

/// The non-whitespace characters of `s`, canonically decomposed (NFD): the
/// document is NFC, and leaving a character out (a control character
/// between a letter and its accent) can make what remains compose
/// differently from the input, while meaning the same text.
fn significant(s: &str) -> impl Iterator<Item = char> + '_ {
    s.nfd().filter(|c| !c.is_whitespace())
}

/// The significant characters that start a grapheme (canonical combining
/// class 0): the ones whose order is checked, since normalisation may
/// reorder combining marks once a character between them is left out.
fn starters(s: &str) -> impl Iterator<Item = char> + '_ {
    significant(s).filter(|c| canonical_combining_class(*c) == 0)
}

/// Checks the no-loss invariant of `imported` against its input as text: the
/// bytes decoded, a byte order mark included as U+FEFF (it is reported
/// dropped), as [`std::fs::read_to_string`] gives a UTF-8 file.
pub fn check(input: &str, imported: &Imported) -> Result<(), Loss> {
    let input: String = input.nfd().collect();
    let rendered = render::to_plain_text(&imported.document);
    let mut counts: HashMap<char, i64> = HashMap::new();
    for c in significant(&input) {
        *counts.entry(c).or_default() += 1;
    }
    let dropped: Vec<&str> = imported
        .diagnostics
        .iter()
        .filter_map(|d| d.dropped.as_deref())
        .collect();
    let dropped_chars = || dropped.iter().flat_map(|d| significant(d));
    for c in significant(&rendered).chain(dropped_chars()) {
        *counts.entry(c).or_default() -= 1;
    }
    let mut missing = (String::new(), 0usize);
    let mut extra = (String::new(), 0usize);
    // Report in input order, then rendering and dropped order.
    let mut reported: HashMap<char, bool> = HashMap::new();
    let all = significant(&input)
        .chain(significant(&rendered))
        .chain(dropped_chars());
    for c in all {
        let n = counts.get(&c).copied().unwrap_or(0);
        if n != 0 && !reported.insert(c, true).unwrap_or(false) {
            let (s, count) = if n > 0 { &mut missing } else { &mut extra };
            if s.chars().count() < 40 {
                s.push(c);
            }
            *count += n.unsigned_abs() as usize;
        }
    }
    // Order: the rendering is a subsequence of the input.
    let mut order = String::new();
    let mut inp = starters(&input);
    for (i, c) in starters(&rendered).enumerate() {
        if !inp.by_ref().any(|x| x == c) {
            let context: String = starters(&rendered)
                .skip(i.saturating_sub(10))
                .take(20)
                .collect();
            order = format!("; the rendering leaves input order at {c:?} near {context:?}");
            break;
        }
    }
    if missing.1 == 0 && extra.1 == 0 && order.is_empty() {
        Ok(())
    } else {
        Err(Loss {
            missing: missing.0,
            missing_count: missing.1,
            extra: extra.0,
            extra_count: extra.1,
            order,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Diagnostic, ImportOptions, import_bytes};

    #[test]
    fn detects_lost_invented_and_reordered_text() {
        let input = "第一条　甲乙。\n第二条　丙丁。\n";
        let imported =
            import_bytes("t.txt", input.as_bytes(), &ImportOptions::default()).expect("imports");
        assert_eq!(check(input, &imported), Ok(()));

        let lost = check("第一条　甲乙。\n第二条　丙丁戊。\n", &imported).expect_err("lost");
        assert_eq!(
            (lost.missing.as_str(), lost.missing_count, lost.extra_count),
            ("戊", 1, 0)
        );

        let mut invented = imported.clone();
        invented
            .diagnostics
            .push(Diagnostic::info(None, "test", "x").with_dropped("己"));
        let e = check(input, &invented).expect_err("invented");
        assert_eq!((e.extra.as_str(), e.extra_count), ("己", 1));

        let reordered = check("第二条　丙丁。\n第一条　甲乙。\n", &imported).expect_err("order");
        assert!(reordered.order.contains("input order"), "{reordered}");
    }
}
