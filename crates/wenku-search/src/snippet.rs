//! Where in a text the words were found: the unit (article, item, outline
//! entry …) that holds most of them, named by its label, and a stretch of
//! its text around the first with every occurrence marked.

use std::ops::Range;

use serde::Serialize;
use wenku_model::{Block, Document, Unit};

use crate::tokenize::fold_char;

/// Characters of text a snippet shows.
const WINDOW: usize = 90;

/// A stretch of a version's text with the words found in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The unit it comes from, by its labels from the outside in
    /// (`第三章 第五十七条`); `None` for text outside any unit.
    pub unit: Option<String>,
    /// The stretch of text.
    pub text: String,
    /// Byte ranges of `text` that are the words searched for.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The snippet of a version withdrawn from public view: no text.
    pub fn withheld() -> Snippet {
        Snippet {
            unit: None,
            text: String::new(),
            highlights: Vec::new(),
        }
    }
    /// The text with the words between `open` and `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut at = 0;
        for r in &self.highlights {
            out.push_str(&self.text[at..r.start]);
            out.push_str(open);
            out.push_str(&self.text[r.clone()]);
            out.push_str(close);
            at = r.end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

/// One unit's own text (its label, heading and paragraphs, not the units
/// inside it), and its path of labels.
fn own_text(u: &Unit) -> String {
    let mut s = String::new();
    if let Some(l) = &u.label {
        s.push_str(l);
        s.push('　');
    }
    if let Some(h) = &u.heading {
        s.push_str(h);
    }
    for b in &u.children {
        match b {
            Block::Para(t) | Block::Note(t) => s.push_str(t),
            Block::Table(t) => {
                for row in &t.rows {
                    s.push_str(&row.join(" "));
                    s.push(' ');
                }
            }
            _ => {}
        }
    }
    s
}

/// Every stretch of text with the labels of the units around it.
fn stretches(doc: &Document) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    fn walk(blocks: &[Block], path: &mut Vec<String>, out: &mut Vec<(Option<String>, String)>) {
        let mut loose = String::new();
        for b in blocks {
            match b {
                Block::Unit(u) => {
                    if let Some(l) = &u.label {
                        path.push(l.clone());
                    }
                    let named = (!path.is_empty()).then(|| path.join(" "));
                    out.push((named, own_text(u)));
                    walk(&u.children, path, out);
                    if u.label.is_some() {
                        path.pop();
                    }
                }
                Block::Para(t) | Block::Title(t) | Block::Note(t) | Block::Addressee(t)
                    if path.is_empty() =>
                {
                    loose.push_str(t);
                    loose.push('\n');
                }
                _ => {}
            }
        }
        if !loose.is_empty() {
            out.push((None, loose));
        }
    }
    walk(&doc.body, &mut Vec::new(), &mut out);
    out
}

/// A text folded for matching: its characters folded ([`fold_char`]), and the
/// byte offset in the text of each (and of its end).
struct Folded {
    chars: Vec<char>,
    starts: Vec<usize>,
}

impl Folded {
    fn of(text: &str) -> Folded {
        let (starts, chars) = text.char_indices().map(|(i, c)| (i, fold_char(c))).unzip();
        let mut folded = Folded { chars, starts };
        folded.starts.push(text.len());
        folded
    }

    /// Byte ranges of the text where `word` (folded characters) occurs.
    fn find<'a>(&'a self, word: &'a [char]) -> impl Iterator<Item = Range<usize>> + 'a {
        let n = word.len();
        let last = if n == 0 {
            0
        } else {
            (self.chars.len() + 1).saturating_sub(n)
        };
        (0..last)
            .filter(move |&i| self.chars[i..i + n] == *word)
            .map(move |i| self.starts[i]..self.starts[i + n])
    }
}

/// Ranges sorted and overlapping ones merged.
fn merged(mut found: Vec<Range<usize>>) -> Vec<Range<usize>> {
    found.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in found {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// The snippet of `doc` for `words`: the stretch with the most of the
/// words, then the most occurrences (the first of equals), or the
/// beginning of the text when none has any. Each stretch is folded once
/// and every word looked for in it.
pub(crate) fn best(doc: &Document, words: &[String]) -> Snippet {
    let all = stretches(doc);
    let words: Vec<Vec<char>> = words.iter().map(|w| w.chars().collect()).collect();
    // (the stretch, its occurrences, the stretch folded)
    type Best<'a> = (&'a (Option<String>, String), Vec<Range<usize>>, Folded);
    let mut best: Option<Best> = None;
    // Most distinct words first, then most occurrences.
    let mut best_key = (0, 0);
    for s in &all {
        let folded = Folded::of(&s.1);
        let mut distinct = 0;
        let mut found = Vec::new();
        for w in &words {
            let before = found.len();
            found.extend(folded.find(w));
            distinct += usize::from(found.len() > before);
        }
        if found.is_empty() {
            continue;
        }
        let occ = merged(found);
        let key = (distinct, occ.len());
        if best.is_none() || key > best_key {
            best_key = key;
            best = Some((s, occ, folded));
        }
    }
    let Some(((unit, text), occ, folded)) = best else {
        let first = all
            .iter()
            .find(|(_, t)| !t.trim().is_empty())
            .map(|(u, t)| (u.clone(), t.clone()))
            .unwrap_or_default();
        let text: String = first.1.chars().take(WINDOW).collect();
        return Snippet {
            unit: first.0,
            text: text.trim().to_string(),
            highlights: Vec::new(),
        };
    };
    // A window of WINDOW characters starting a little before the first
    // occurrence of the longest word found (the whole of what was typed,
    // when it is there), else the first occurrence.
    let mut longest: Vec<&Vec<char>> = words.iter().collect();
    longest.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let anchor = longest
        .iter()
        .find_map(|w| folded.find(w).next())
        .unwrap_or_else(|| occ[0].clone());
    let first_char = text[..anchor.start].chars().count();
    let start_char = first_char.saturating_sub(20);
    let starts = &folded.starts;
    let from = starts[start_char.min(starts.len() - 1)];
    let to = starts[(start_char + WINDOW).min(starts.len() - 1)];
    let window = &text[from..to];
    let highlights = occ
        .iter()
        .filter(|r| r.start >= from && r.end <= to)
        .map(|r| r.start - from..r.end - from)
        .collect();
    let mut snippet = Snippet {
        unit: unit.clone(),
        text: window.replace('\n', " "),
        highlights,
    };
    if from > 0 {
        snippet.text.insert(0, '…');
        let shift = "…".len();
        for r in &mut snippet.highlights {
            *r = r.start + shift..r.end + shift;
        }
    }
    if to < text.len() {
        snippet.text.push('…');
    }
    snippet
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_model::{DocType, Number, UnitKind};

    #[test]
    fn the_article_with_most_words_is_named_and_marked() {
        let mut doc = Document::new(DocType::Law, "劳务派遣暂行规定");
        for (n, text) in [
            (1, "为了规范劳务派遣。"),
            (
                2,
                "用工单位应当严格控制劳务派遣用工数量，劳务派遣用工不得超过其用工总量的10%。",
            ),
        ] {
            let mut u = Unit::new(UnitKind::Article, format!("第{n}条"), Some(Number::new(n)));
            u.children.push(Block::Para(text.into()));
            doc.body.push(Block::Unit(u));
        }
        let s = best(&doc, &["劳务派遣".to_string()]);
        assert_eq!(s.unit.as_deref(), Some("第2条"));
        assert_eq!(s.highlights.len(), 2);
        assert!(
            s.marked("[", "]").contains("[劳务派遣]用工不得"),
            "{}",
            s.marked("[", "]")
        );
    }
}
