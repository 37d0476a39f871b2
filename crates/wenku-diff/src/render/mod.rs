//! Renderings of a [`Comparison`]: JSON, terminal text,
//! a side-by-side HTML page and the 修订前后对照表 comparison table.

pub mod html;
pub mod json;
pub mod table;
pub mod terminal;

use wenku_model::UnitKind;

use crate::comparison::{Change, ChangeKind, Comparison, Edit, EditOp, Element, Summary, UnitRef};

/// Which version a rendering shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    Old,
    New,
}

/// How a stretch of one version's text is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    /// In both versions.
    Same,
    /// Only in this version.
    Changed,
    /// Only in this version, but differing from the other only in
    /// punctuation width or whitespace.
    Width,
}

/// One version's text of a change, as lines of marked stretches.
pub(crate) fn lines(edits: &[Edit], version: Version) -> Vec<Vec<(Mark, &str)>> {
    let mut out: Vec<Vec<(Mark, &str)>> = vec![Vec::new()];
    for e in edits {
        let mark = match (e.op, version) {
            (EditOp::Equal, _) => Mark::Same,
            (EditOp::Delete, Version::Old) | (EditOp::Insert, Version::New) => {
                if e.punctuation_only {
                    Mark::Width
                } else {
                    Mark::Changed
                }
            }
            _ => continue,
        };
        for (k, piece) in e.text.split('\n').enumerate() {
            if k > 0 {
                out.push(Vec::new());
            }
            if !piece.is_empty()
                && let Some(line) = out.last_mut()
            {
                line.push((mark, piece));
            }
        }
    }
    if out.len() == 1 && out[0].is_empty() {
        out.clear();
    }
    out
}

/// What separates a label from the text: a full-width space after
/// `第三条` or `第一章`, nothing after `（一）` or `一、`.
pub(crate) fn separator(element: Element) -> &'static str {
    match element {
        Element::Unit(
            UnitKind::Article
            | UnitKind::Chapter
            | UnitKind::Section
            | UnitKind::Part
            | UnitKind::Subpart
            | UnitKind::Attachment,
        ) => "　",
        _ => "",
    }
}

/// The label a change shows for one version: `第六十八条`; for a merge on
/// the old side, every merged label (`第五条、第六条`).
pub(crate) fn label(change: &Change, version: Version) -> Option<String> {
    match version {
        Version::Old if !change.merged_from.is_empty() => Some(join_labels(&change.merged_from)),
        Version::Old => change.from.as_ref()?.label.clone(),
        Version::New => change.to.as_ref()?.label.clone(),
    }
}

/// `第五条、第六条`.
pub(crate) fn join_labels(units: &[UnitRef]) -> String {
    units
        .iter()
        .map(UnitRef::display_label)
        .collect::<Vec<_>>()
        .join("、")
}

/// The change's label as a heading: `第六十九条 → 第六十八条` when
/// renumbered, else the label it has (`（段）` for a loose paragraph).
pub(crate) fn heading(change: &Change) -> String {
    let old = label(change, Version::Old);
    let new = label(change, Version::New);
    let placeholder = || format!("（{}）", change.element.chinese());
    match (old, new) {
        (Some(o), Some(n)) if o != n && (change.renumbered || !change.merged_from.is_empty()) => {
            format!("{o} → {n}")
        }
        (_, Some(n)) => n,
        (Some(o), None) => o,
        (None, None) => placeholder(),
    }
}

/// What marks a unit rewritten in place.
pub(crate) const REWRITTEN: &str = "全文改写";

/// Notes on structure: `移动：第二章 → 第三章`, `全文改写`, `拆分为
/// 第五条、第六条`, `由 第五条、第六条 合并`.
pub(crate) fn notes(change: &Change) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(m) = &change.moved {
        let (mut from, mut to) = (m.from_parent.display_label(), m.to_parent.display_label());
        if from == to {
            // Same label, different chapter: the headings tell them apart.
            for (s, u) in [(&mut from, &m.from_parent), (&mut to, &m.to_parent)] {
                if let Some(h) = &u.heading {
                    s.push_str(separator(u.element));
                    s.push_str(h);
                }
            }
        }
        out.push(format!("移动：{from} → {to}"));
    }
    if change.rewritten {
        out.push(REWRITTEN.to_string());
    }
    if !change.split_into.is_empty() {
        out.push(format!("拆分为 {}", join_labels(&change.split_into)));
    }
    if !change.merged_from.is_empty() {
        out.push(format!("由 {} 合并", join_labels(&change.merged_from)));
    }
    if change.punctuation_only {
        out.push("仅标点或空白不同".to_string());
    }
    out
}

/// `未变 60（仅标点不同 2） · 修改 30 · 新增 15 · 删除 0 · 重新编号 85`, then
/// moves, rewrites (counted among the modified), splits and merges when
/// there are any.
/// The summary line of the human outputs. It counts articles and the
/// units below them, not the title, the notes under it, or chapter and
/// section headings (a regulation of 82 articles in 8 chapters has 82
/// unchanged units, not 91); those that changed are named at the end. (The JSON's `summary` counts every change,
/// divisions included, as its schema says.)
pub fn summary_line(comparison: &Comparison) -> String {
    let s = &Summary::count(
        comparison
            .changes
            .iter()
            .filter(|c| !c.element.is_division() && !c.element.is_front_matter()),
    );
    let changed = |of: fn(Element) -> bool| {
        comparison
            .changes
            .iter()
            .filter(|c| of(c.element) && c.kind != ChangeKind::Unchanged)
            .count()
    };
    let mut line = units_line(s);
    for (name, n) in [
        ("标题变动", changed(|e| e == Element::Title)),
        ("题注变动", changed(|e| e == Element::Note)),
        ("章节标题变动", changed(Element::is_division)),
    ] {
        if n > 0 {
            line.push_str(&format!(" · {name} {n}"));
        }
    }
    line
}

fn units_line(s: &Summary) -> String {
    let mut unchanged = format!("未变 {}", s.unchanged);
    if s.punctuation_only > 0 {
        unchanged.push_str(&format!("（仅标点不同 {}）", s.punctuation_only));
    }
    let mut parts = vec![
        unchanged,
        format!("修改 {}", s.modified),
        format!("新增 {}", s.added),
        format!("删除 {}", s.deleted),
        format!("重新编号 {}", s.renumbered),
    ];
    for (name, n) in [
        ("移动", s.moved),
        ("改写", s.rewritten),
        ("拆分", s.split),
        ("合并", s.merged),
    ] {
        if n > 0 {
            parts.push(format!("{name} {n}"));
        }
    }
    parts.join(" · ")
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// [`escape_html`] into a new string.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html(text, &mut out);
    out
}
