//! The no-loss invariant, as a check anyone can run: the plain-text
//! rendering of an imported document, together with every text a
//! diagnostic says was dropped, holds exactly the non-whitespace characters
//! of the (NFC-normalised) input, and the rendering keeps them in input
//! order.
//!
//! It applies to text and Markdown imports; an XML import's input is markup.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
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

fn significant(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(|c| !c.is_whitespace())
}

/// Checks the no-loss invariant of `imported` against its input as text: the
/// bytes decoded, a byte order mark included as U+FEFF (it is reported
/// dropped), as [`std::fs::read_to_string`] gives a UTF-8 file.
pub fn check(input: &str, imported: &Imported) -> Result<(), Loss> {
    let input: String = input.nfc().collect();
    let rendered = render::to_plain_text(&imported.document);
    let mut counts: HashMap<char, i64> = HashMap::new();
    for c in significant(&input) {
        *counts.entry(c).or_default() += 1;
    }
    let dropped = imported
        .diagnostics
        .iter()
        .filter_map(|d| d.dropped.as_deref());
    for c in significant(&rendered).chain(dropped.flat_map(significant)) {
        *counts.entry(c).or_default() -= 1;
    }
    let mut missing = (String::new(), 0usize);
    let mut extra = (String::new(), 0usize);
    // Report in input order for readable messages.
    let mut reported: HashMap<char, bool> = HashMap::new();
    for c in significant(&input).chain(significant(&rendered)) {
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
    let mut inp = significant(&input);
    for (i, c) in significant(&rendered).enumerate() {
        if !inp.by_ref().any(|x| x == c) {
            let context: String = significant(&rendered)
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
