//! The result of comparing two versions: one [`Change`] per aligned unit,
//! in reading order of the new version, and a [`Summary`].

use wenku_model::{Number, UnitKind};

/// What a compared piece of a document is: the title, a note under it
/// (题注), a structural unit, or a loose paragraph outside any unit (a
/// preamble, a closing sentence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Element {
    /// The document's title as printed.
    Title,
    /// A note under the title (题注): the history of enactment and
    /// amendments, `（2008年…通过　根据2016年…修正）`.
    Note,
    /// A structural unit: chapter, article, outline entry, attachment …
    Unit(UnitKind),
    /// A paragraph, table or signature outside any unit.
    Paragraph,
}

impl Element {
    /// The name used in JSON (`"article"`, `"chapter"`, `"entry"`,
    /// `"paragraph"`, `"title"`, `"note"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Element::Title => "title",
            Element::Note => "note",
            Element::Unit(kind) => kind.as_str(),
            Element::Paragraph => "paragraph",
        }
    }

    /// Whether this is a division (编, 分编, 章, 节), compared by heading.
    pub fn is_division(self) -> bool {
        matches!(self, Element::Unit(kind) if kind.is_division())
    }

    /// Whether this is the title or a note under it: compared first, and
    /// counted apart from the body in the human outputs.
    pub fn is_front_matter(self) -> bool {
        matches!(self, Element::Title | Element::Note)
    }

    /// The Chinese name of the unit, for labels: 条, 章, 项 …
    pub fn chinese(self) -> &'static str {
        match self {
            Element::Title => "标题",
            Element::Note => "题注",
            Element::Unit(kind) => match kind {
                UnitKind::Cover => "印发通知",
                UnitKind::Part => "编",
                UnitKind::Subpart => "分编",
                UnitKind::Chapter => "章",
                UnitKind::Section => "节",
                UnitKind::Article => "条",
                UnitKind::Item => "项",
                UnitKind::Subitem => "目",
                UnitKind::Entry(_) => "项",
                UnitKind::Attachment => "附件",
            },
            Element::Paragraph => "段",
        }
    }
}

/// A unit as it stands in one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRef {
    /// What the unit is.
    pub element: Element,
    /// Its label as written (`第六十九条`, `（一）`), if it has one.
    pub label: Option<String>,
    /// The label's value.
    pub number: Option<Number>,
    /// A heading: a chapter's name, an outline entry's heading sentence.
    pub heading: Option<String>,
}

impl UnitRef {
    /// The label, or a placeholder naming the element (`段`).
    pub fn display_label(&self) -> String {
        match &self.label {
            Some(label) => label.clone(),
            None => format!("（{}）", self.element.chinese()),
        }
    }
}

/// How a unit changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// Same text (width-only differences aside, see
    /// [`Change::punctuation_only`]); possibly renumbered or moved.
    Unchanged,
    /// The text changed.
    Modified,
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Deleted,
}

impl ChangeKind {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Modified => "modified",
            ChangeKind::Added => "added",
            ChangeKind::Deleted => "deleted",
        }
    }

    /// The Chinese name: 未变, 修改, 新增, 删除.
    pub fn chinese(self) -> &'static str {
        match self {
            ChangeKind::Unchanged => "未变",
            ChangeKind::Modified => "修改",
            ChangeKind::Added => "新增",
            ChangeKind::Deleted => "删除",
        }
    }
}

/// What one edit does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EditOp {
    /// Text in both versions.
    Equal,
    /// Text only in the old version.
    Delete,
    /// Text only in the new version.
    Insert,
}

impl EditOp {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EditOp::Equal => "equal",
            EditOp::Delete => "delete",
            EditOp::Insert => "insert",
        }
    }
}

/// One stretch of a character-level diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Equal, deleted or inserted.
    pub op: EditOp,
    /// The text.
    pub text: String,
    /// The deletion or insertion differs from its counterpart only in
    /// punctuation width (`，`/`,`) or whitespace.
    pub punctuation_only: bool,
}

/// A unit that changed chapter: the chapter it was in and the one it is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    /// The enclosing chapter (or outline entry) in the old version.
    pub from_parent: UnitRef,
    /// The enclosing chapter (or outline entry) in the new version.
    pub to_parent: UnitRef,
}

/// One aligned unit.
///
/// Concatenating the text of the equal and deleted [`edits`](Self::edits)
/// gives the old text, of the equal and inserted ones the new text —
/// except for the pieces of a split, whose edits cover only the piece's
/// share of the old unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// How it changed.
    pub kind: ChangeKind,
    /// What it is (in the new version if present there).
    pub element: Element,
    /// The unit in the old version; `None` if added.
    pub from: Option<UnitRef>,
    /// The unit in the new version; `None` if deleted.
    pub to: Option<UnitRef>,
    /// The label's number changed (`第六十九条` → `第六十八条`).
    pub renumbered: bool,
    /// The texts differ, but only in punctuation width or whitespace; the
    /// kind is then [`ChangeKind::Unchanged`].
    pub punctuation_only: bool,
    /// How alike the two texts are (0–1, Dice coefficient of character
    /// bigrams; 1 for equal text); `None` for added and deleted units.
    pub similarity: Option<f32>,
    /// The unit now sits in another chapter (or outline entry).
    pub moved: Option<Move>,
    /// The texts share too little to be aligned by content, but the two
    /// units stand in the same place — the only old and the only new unit
    /// between the same aligned neighbours, with the same number after
    /// renumbering — so the unit was rewritten in place ("将第五十七条修改
    /// 为…"). The kind is then [`ChangeKind::Modified`], and the edits
    /// replace the old text whole.
    pub rewritten: bool,
    /// The old unit was split into these new units (this one among them).
    pub split_into: Vec<UnitRef>,
    /// These old units were merged into this one (`from` among them).
    pub merged_from: Vec<UnitRef>,
    /// The character-level diff of the texts.
    pub edits: Vec<Edit>,
    /// Nesting depth in its version (0 for top-level units), for indenting.
    pub depth: usize,
}

impl Change {
    /// The old text, rebuilt from the edits.
    pub fn old_text(&self) -> String {
        self.side_text(EditOp::Delete)
    }

    /// The new text, rebuilt from the edits.
    pub fn new_text(&self) -> String {
        self.side_text(EditOp::Insert)
    }

    fn side_text(&self, keep: EditOp) -> String {
        self.edits
            .iter()
            .filter(|e| e.op == EditOp::Equal || e.op == keep)
            .map(|e| e.text.as_str())
            .collect()
    }

    /// Whether this change belongs in a 修订前后对照表: the text changed,
    /// the unit was added, deleted, moved, split or merged. Renumbering and
    /// width-only differences alone do not count.
    pub fn is_substantive(&self) -> bool {
        self.kind != ChangeKind::Unchanged
            || self.moved.is_some()
            || !self.split_into.is_empty()
            || !self.merged_from.is_empty()
    }
}

/// Counts over all changes (divisions included).
///
/// `unchanged + modified + added + deleted` is the number of changes;
/// the other counts are properties of some of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Summary {
    /// Units with the same text (width-only differences aside).
    pub unchanged: usize,
    /// Units whose text changed.
    pub modified: usize,
    /// Units only in the new version.
    pub added: usize,
    /// Units only in the old version.
    pub deleted: usize,
    /// Aligned units whose number changed.
    pub renumbered: usize,
    /// Unchanged units whose texts differ in punctuation width or
    /// whitespace.
    pub punctuation_only: usize,
    /// Units that now sit in another chapter.
    pub moved: usize,
    /// Units rewritten in place.
    pub rewritten: usize,
    /// Old units split into several new ones.
    pub split: usize,
    /// New units that merge several old ones.
    pub merged: usize,
}

impl Summary {
    /// Counts `changes`.
    pub fn of(changes: &[Change]) -> Summary {
        Summary::count(changes.iter())
    }

    /// Counts the changes `changes` yields.
    pub(crate) fn count<'a>(changes: impl Iterator<Item = &'a Change>) -> Summary {
        let mut s = Summary::default();
        let mut split_sources = Vec::new();
        for c in changes {
            match c.kind {
                ChangeKind::Unchanged => s.unchanged += 1,
                ChangeKind::Modified => s.modified += 1,
                ChangeKind::Added => s.added += 1,
                ChangeKind::Deleted => s.deleted += 1,
            }
            s.renumbered += usize::from(c.renumbered);
            s.punctuation_only += usize::from(c.punctuation_only);
            s.moved += usize::from(c.moved.is_some());
            s.rewritten += usize::from(c.rewritten);
            s.merged += usize::from(!c.merged_from.is_empty());
            if !c.split_into.is_empty() && !split_sources.contains(&c.split_into) {
                split_sources.push(c.split_into.clone());
            }
        }
        s.split = split_sources.len();
        s
    }
}

/// The comparison of two versions.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Counts.
    pub summary: Summary,
    /// One entry per aligned unit, in reading order of the new version;
    /// deleted units appear where they stood in the old one.
    pub changes: Vec<Change>,
}
