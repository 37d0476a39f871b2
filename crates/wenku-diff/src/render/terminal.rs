//! Terminal output, article by article, like `git diff --word-diff`.
//!
//! Each changed unit gets a header line (`修改 第六十九条 → 第六十八条`) and
//! its text with the changes marked; runs of unchanged units fold into one
//! line (`⋯ 未变 15 条：第六十九条至第八十三条 → 第六十八条至第八十二条`).
//! The title, the notes under it (题注), chapter and section headings stay
//! as context.
//!
//! With `color`, deletions are red and insertions green, as in
//! `--word-diff=color`; width-only differences are dim. Without, the
//! markers of `--word-diff=plain` are used — `[-删除-]`, `{+新增+}` — and
//! `[~，~]{~,~}` for width-only differences.

use std::fmt::Write as _;

use crate::comparison::{Change, ChangeKind, Comparison};
use crate::render::{Version, heading, notes, separator, summary_line};
use crate::side::Side;

const RESET: &str = "\x1b[m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const DIM_RED: &str = "\x1b[2;31m";
const DIM_GREEN: &str = "\x1b[2;32m";

/// Renders the comparison for a terminal; `color` adds ANSI colours.
pub fn to_terminal(comparison: &Comparison, from: &Side, to: &Side, color: bool) -> String {
    let p = Painter { color };
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "{}",
        p.paint(BOLD, &format!("--- {}", from.describe()))
    );
    let _ = writeln!(out, "{}", p.paint(BOLD, &format!("+++ {}", to.describe())));
    let _ = writeln!(out, "{}", summary_line(comparison));
    let changes = &comparison.changes;
    let mut k = 0;
    while k < changes.len() {
        let c = &changes[k];
        if is_folded(c) {
            let run = changes[k..]
                .iter()
                .take_while(|d| is_folded(d) && d.element == c.element && d.depth == c.depth)
                .count();
            fold_line(&mut out, &changes[k..k + run], &p);
            k += run;
            continue;
        }
        if c.element.is_division() {
            division(&mut out, c, &p);
        } else if c.element.is_front_matter() && !c.is_substantive() {
            front_matter(&mut out, c, &p);
        } else {
            unit(&mut out, c, &p);
        }
        k += 1;
    }
    out
}

/// Unchanged units with nothing else to say fold into one line; the
/// title and the notes under it stay as context, like headings.
fn is_folded(c: &Change) -> bool {
    c.kind == ChangeKind::Unchanged
        && !c.element.is_division()
        && !c.element.is_front_matter()
        && !c.is_substantive()
}

/// An unchanged title (bold) or note under it, as it reads.
fn front_matter(out: &mut String, c: &Change, p: &Painter) {
    let style = if c.element == crate::Element::Title {
        BOLD
    } else {
        ""
    };
    for line in marked(c, p) {
        let _ = writeln!(out, "{}{}", indent(c.depth), p.paint(style, &line));
    }
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

fn fold_line(out: &mut String, run: &[Change], p: &Painter) {
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return;
    };
    let label = |c: &Change, v: Version| crate::render::label(c, v).unwrap_or_default();
    let range = |v: Version| {
        let (a, b) = (label(first, v), label(last, v));
        if run.len() == 1 || a.is_empty() {
            a
        } else {
            format!("{a}至{b}")
        }
    };
    let mut line = format!("⋯ 未变 {} {}", run.len(), first.element.chinese());
    let (old, new) = (range(Version::Old), range(Version::New));
    if !new.is_empty() {
        line.push('：');
        line.push_str(&old);
        if run.iter().any(|c| c.renumbered) {
            line.push_str(" → ");
            line.push_str(&new);
        }
    }
    let width = run.iter().filter(|c| c.punctuation_only).count();
    if width > 0 {
        line.push_str(&format!("（{width} 处仅标点不同）"));
    }
    let _ = writeln!(out, "{}{}", indent(first.depth), p.paint(CYAN, &line));
}

fn division(out: &mut String, c: &Change, p: &Painter) {
    let mut line = String::new();
    if c.kind != ChangeKind::Unchanged {
        line.push_str(&kind_word(c, p));
        line.push(' ');
    }
    line.push_str(&p.paint(BOLD, &heading(c)));
    line.push_str(separator(c.element));
    line.push_str(&marked(c, p).join(" "));
    let _ = writeln!(out, "{}{}", indent(c.depth), line);
}

fn unit(out: &mut String, c: &Change, p: &Painter) {
    let mut head = format!("{} {}", kind_word(c, p), heading(c));
    for note in notes(c) {
        head.push_str("  ");
        head.push_str(&p.paint(CYAN, &format!("[{note}]")));
    }
    let pad = indent(c.depth);
    let _ = writeln!(out, "{pad}{head}");
    for line in marked(c, p) {
        let _ = writeln!(out, "{pad}  {line}");
    }
}

fn kind_word(c: &Change, p: &Painter) -> String {
    let style = match c.kind {
        ChangeKind::Modified => YELLOW,
        ChangeKind::Added => GREEN,
        ChangeKind::Deleted => RED,
        ChangeKind::Unchanged => CYAN,
    };
    p.paint(style, c.kind.chinese())
}

/// The change's text with edits marked, line by line.
fn marked(c: &Change, p: &Painter) -> Vec<String> {
    let mut lines = vec![String::new()];
    for e in &c.edits {
        let (style, open, close) = match (e.op, e.punctuation_only) {
            (crate::EditOp::Equal, _) => ("", "", ""),
            (crate::EditOp::Delete, false) => (RED, "[-", "-]"),
            (crate::EditOp::Insert, false) => (GREEN, "{+", "+}"),
            (crate::EditOp::Delete, true) => (DIM_RED, "[~", "~]"),
            (crate::EditOp::Insert, true) => (DIM_GREEN, "{~", "~}"),
        };
        for (k, piece) in e.text.split('\n').enumerate() {
            if k > 0 {
                lines.push(String::new());
            }
            if piece.is_empty() {
                continue;
            }
            let line = lines
                .last_mut()
                .expect("lines starts non-empty and only grows");
            if style.is_empty() {
                line.push_str(piece);
            } else if p.color {
                line.push_str(&p.paint(style, piece));
            } else {
                line.push_str(open);
                line.push_str(piece);
                line.push_str(close);
            }
        }
    }
    if lines.len() == 1 && lines[0].is_empty() {
        lines.clear();
    }
    lines
}

/// Applies ANSI styles when colour is on.
struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.color && !style.is_empty() {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}
