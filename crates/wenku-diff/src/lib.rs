//! Structure-aware comparison of two versions of a policy document.
//!
//! A plain text diff is useless for statutes: one inserted article
//! renumbers every article after it. [`compare`] instead aligns the
//! structural units of the two versions — articles (条) of a statute, the
//! `一、`/`（一）`/`1.` entries of a normative document, chapter and section
//! headings — by content, with position only breaking ties. It reports each
//! unit as unchanged, modified, added or deleted, and whether it was
//! renumbered, moved to another chapter, rewritten in place, split or
//! merged. Inside a modified
//! unit the diff is by character (Chinese has no spaces), and differences
//! only in punctuation width (`，`/`,`, `（`/`(`) or whitespace are marked
//! `punctuation_only`, never substantive.
//!
//! The [`Comparison`] renders as JSON ([`to_json`](crate::render::json::to_json), described by
//! `schemas/diff-1.schema.json`), for a terminal ([`to_terminal`](crate::render::terminal::to_terminal)), as a
//! side-by-side HTML page ([`to_html`](crate::render::html::to_html)) and as the 修订前后对照表
//! comparison table ([`to_table_html`](crate::render::table::to_table_html), [`to_table_markdown`](crate::render::table::to_table_markdown),
//! [`to_table_csv`](crate::render::table::to_table_csv)).
//!
//! ```
//! use wenku_diff::{ChangeKind, Options, compare};
//! use wenku_model::{Block, DocType, Document, Number, Unit, UnitKind, numeral};
//!
//! fn law(articles: &[&str]) -> Document {
//!     let mut doc = Document::new(DocType::Law, "示例法");
//!     for (i, text) in articles.iter().enumerate() {
//!         let n = i as u32 + 1;
//!         let label = format!("第{}条", numeral::to_chinese(n));
//!         let mut article = Unit::new(UnitKind::Article, label, Some(Number::new(n)));
//!         article.children.push(Block::Para(text.to_string()));
//!         doc.body.push(Block::Unit(article));
//!     }
//!     doc
//! }
//!
//! let old = law(&["为了规范示例，制定本法。", "县级人民政府负责本行政区域的示例工作。", "本法自公布之日起施行。"]);
//! let new = law(&[
//!     "为了规范示例，制定本法。",
//!     "国家鼓励社会力量参与示例工作。",
//!     "县级以上人民政府负责本行政区域的示例工作。",
//!     "本法自公布之日起施行。",
//! ]);
//! let comparison = compare(&old, &new, &Options::default());
//! let kinds: Vec<ChangeKind> = comparison.changes.iter().map(|c| c.kind).collect();
//! assert_eq!(kinds, [ChangeKind::Unchanged, ChangeKind::Added, ChangeKind::Modified, ChangeKind::Unchanged]);
//! // 第三条 became 第四条 with the same text: unchanged, renumbered.
//! assert!(comparison.changes[3].renumbered);
//! assert_eq!(comparison.summary.renumbered, 2);
//! ```
//!
//! The crate is pure: no files, no clock (unless a [`Options::timeout`] is
//! set), no environment.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod align;
mod compare;
mod comparison;
mod fold;
mod inline;
mod outline;
pub mod render;
mod side;
mod similarity;

use std::time::Duration;

pub use compare::compare;
pub use comparison::{
    Change, ChangeKind, Comparison, Edit, EditOp, Element, Move, Summary, UnitRef,
};
pub use side::{Selection, Side};

/// How [`compare`] aligns and diffs. `Options::default()` suits statutes
/// and normative documents alike; to change one setting, start from it:
///
/// ```
/// let mut options = wenku_diff::Options::default();
/// options.detect_splits = false;
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Options {
    /// Least similarity (Dice coefficient of character bigrams, 0–1) for
    /// two units to be aligned in order. Default 0.4.
    pub min_similarity: f32,
    /// Least similarity for aligning units out of order, across other
    /// aligned units (a unit moved elsewhere). Default 0.5.
    pub min_move_similarity: f32,
    /// Detect units split into several or merged into one. Default true.
    pub detect_splits: bool,
    /// Least similarity for pairing the only old and the only new unit
    /// between the same aligned neighbours, carrying the same number, as
    /// one unit rewritten in place ([`Change::rewritten`]). Low on
    /// purpose — an article rewritten in place shares little with its old
    /// text — but not zero: two texts sharing next to nothing stay a
    /// deletion and an addition even there (公司法 2018 → 2023 put an
    /// unrelated article on the place of 第一百一十五条; Dice 0.08, where
    /// rewrites read in the corpus score 0.25 and more). Default 0.15.
    pub min_rewrite_similarity: f32,
    /// A time limit for each character-level diff, after which it settles
    /// for a coarser result. Default `None`: output then depends only on
    /// the input.
    pub timeout: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_similarity: 0.4,
            min_move_similarity: 0.5,
            detect_splits: true,
            min_rewrite_similarity: 0.15,
            timeout: None,
        }
    }
}
