//! The JSON form of a comparison, described by `schemas/diff-1.schema.json`.
//!
//! The serialization types here mirror the schema field by field and are
//! kept apart from the domain types, so the format changes only when this
//! file does.
//!
//! ```json
//! {
//!   "format": "wenku-diff-1",
//!   "from": {"revision": "…64 hex…", "published": "2015-03-15", "label": "中华人民共和国立法法"},
//!   "to": {"revision": null, "published": "2023-03-13", "label": "中华人民共和国立法法"},
//!   "summary": {"unchanged": 80, "modified": 30, "added": 15, "deleted": 0, "renumbered": 85,
//!               "punctuation_only": 2, "moved": 1, "rewritten": 1, "split": 0, "merged": 0},
//!   "changes": [
//!     {"kind": "unchanged", "unit": "article",
//!      "from": {"label": "第六十九条", "number": 69}, "to": {"label": "第六十八条", "number": 68},
//!      "renumbered": true, "punctuation_only": false, "similarity": 1.0,
//!      "edits": [{"op": "equal", "text": "…"}]}
//!   ]
//! }
//! ```
//!
//! Optional members: `handle`, `effective` and `selected` (`{"by",
//! "asked", "note"}`: how the side was chosen from what the user typed)
//! in a side, only when known; `sub` (之一 = 1), `heading` and `level` in a unit
//! reference; `moved` (`{"from_parent", "to_parent"}`), `rewritten`
//! (`true`), `split_into` and `merged_from` (lists of unit references) in
//! a change, only when they apply; `punctuation_only` in an edit, only when true.

use serde::Serialize;

use crate::comparison::{Change, Comparison, Edit, Move, Summary, UnitRef};
use crate::side::Side;

/// The format name written in every document.
pub const FORMAT: &str = "wenku-diff-1";

/// The comparison as JSON text, members in the order the schema lists
/// them; `pretty` indents it for people.
pub fn to_json(comparison: &Comparison, from: &Side, to: &Side, pretty: bool) -> String {
    let doc = JsonDiff {
        format: FORMAT,
        from: JsonSide::of(from),
        to: JsonSide::of(to),
        summary: JsonSummary::of(&comparison.summary),
        changes: comparison.changes.iter().map(JsonChange::of).collect(),
    };
    let text = if pretty {
        serde_json::to_string_pretty(&doc)
    } else {
        serde_json::to_string(&doc)
    };
    text.expect("the JSON types have string keys and finite numbers only")
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    format: &'static str,
    from: JsonSide<'a>,
    to: JsonSide<'a>,
    summary: JsonSummary,
    changes: Vec<JsonChange<'a>>,
}

#[derive(Serialize)]
struct JsonSide<'a> {
    revision: Option<String>,
    published: Option<String>,
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    handle: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    effective: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    selected: Option<JsonSelection<'a>>,
}

#[derive(Serialize)]
struct JsonSelection<'a> {
    by: &'a str,
    asked: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

impl<'a> JsonSide<'a> {
    fn of(side: &'a Side) -> Self {
        JsonSide {
            revision: side.revision.map(|r| r.to_string()),
            published: side.published.map(|d| d.to_string()),
            label: side.label.as_deref(),
            handle: side.handle.as_deref(),
            effective: side.effective.map(|d| d.to_string()),
            selected: side.selected.as_ref().map(|s| JsonSelection {
                by: &s.by,
                asked: s.asked.as_deref(),
                note: s.note.as_deref(),
            }),
        }
    }
}

#[derive(Serialize)]
struct JsonSummary {
    unchanged: usize,
    modified: usize,
    added: usize,
    deleted: usize,
    renumbered: usize,
    punctuation_only: usize,
    moved: usize,
    rewritten: usize,
    split: usize,
    merged: usize,
}

impl JsonSummary {
    fn of(s: &Summary) -> Self {
        JsonSummary {
            unchanged: s.unchanged,
            modified: s.modified,
            added: s.added,
            deleted: s.deleted,
            renumbered: s.renumbered,
            punctuation_only: s.punctuation_only,
            moved: s.moved,
            rewritten: s.rewritten,
            split: s.split,
            merged: s.merged,
        }
    }
}

#[derive(Serialize)]
struct JsonChange<'a> {
    kind: &'static str,
    unit: &'static str,
    from: Option<JsonUnit<'a>>,
    to: Option<JsonUnit<'a>>,
    renumbered: bool,
    punctuation_only: bool,
    similarity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    moved: Option<JsonMove<'a>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    rewritten: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    split_into: Vec<JsonUnit<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    merged_from: Vec<JsonUnit<'a>>,
    edits: Vec<JsonEdit<'a>>,
}

impl<'a> JsonChange<'a> {
    fn of(c: &'a Change) -> Self {
        JsonChange {
            kind: c.kind.as_str(),
            unit: c.element.as_str(),
            from: c.from.as_ref().map(JsonUnit::of),
            to: c.to.as_ref().map(JsonUnit::of),
            renumbered: c.renumbered,
            punctuation_only: c.punctuation_only,
            // Three decimals: enough to compare, stable across platforms.
            similarity: c
                .similarity
                .map(|s| (f64::from(s) * 1000.0).round() / 1000.0),
            moved: c.moved.as_ref().map(JsonMove::of),
            rewritten: c.rewritten,
            split_into: c.split_into.iter().map(JsonUnit::of).collect(),
            merged_from: c.merged_from.iter().map(JsonUnit::of).collect(),
            edits: c.edits.iter().map(JsonEdit::of).collect(),
        }
    }
}

#[derive(Serialize)]
struct JsonUnit<'a> {
    label: Option<&'a str>,
    number: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    heading: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<u8>,
}

impl<'a> JsonUnit<'a> {
    fn of(u: &'a UnitRef) -> Self {
        JsonUnit {
            label: u.label.as_deref(),
            number: u.number.map(|n| n.main),
            sub: u.number.map(|n| n.sub).filter(|&s| s != 0),
            heading: u.heading.as_deref(),
            level: match u.element {
                crate::Element::Unit(kind) => kind.level(),
                _ => None,
            },
        }
    }
}

#[derive(Serialize)]
struct JsonMove<'a> {
    from_parent: JsonUnit<'a>,
    to_parent: JsonUnit<'a>,
}

impl<'a> JsonMove<'a> {
    fn of(m: &'a Move) -> Self {
        JsonMove {
            from_parent: JsonUnit::of(&m.from_parent),
            to_parent: JsonUnit::of(&m.to_parent),
        }
    }
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    op: &'static str,
    text: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    punctuation_only: bool,
}

impl<'a> JsonEdit<'a> {
    fn of(e: &'a Edit) -> Self {
        JsonEdit {
            op: e.op.as_str(),
            text: &e.text,
            punctuation_only: e.punctuation_only,
        }
    }
}
