//! What the renderers say about each of the two compared versions.

use wenku_model::{Date, RevisionId};

/// One of the two compared versions, as the outputs name it (the JSON's
/// `from` and `to`, the headers of the terminal, HTML and table outputs).
/// Every field is optional: comparing two loose files has none of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Side {
    /// The version's revision id.
    pub revision: Option<RevisionId>,
    /// Its publication date (公布日期).
    pub published: Option<Date>,
    /// A human label: the title, or a file name.
    pub label: Option<String>,
    /// Its short handle in its work (`v2`: the second version in legal
    /// order), when it is a stored version.
    pub handle: Option<String>,
    /// The date it takes effect (施行日期), when known.
    pub effective: Option<Date>,
    /// How it was chosen from what the user typed, when it was chosen.
    pub selected: Option<Selection>,
}

/// How one side of a comparison was chosen from what the user typed: the
/// JSON's `selected`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// The rule that chose it: `handle`, `revision`, `published`,
    /// `in-effect`, `current` or `previous`.
    pub by: String,
    /// What the user typed, `None` when the side is a default.
    pub asked: Option<String>,
    /// A plain sentence when the choice is not what the words typed say
    /// at face value (a date that is no version's publication date chose
    /// the version in effect that day).
    pub note: Option<String>,
}

impl Side {
    /// A side with only a label.
    pub fn labelled(label: impl Into<String>) -> Side {
        Side {
            label: Some(label.into()),
            ..Side::default()
        }
    }

    /// One line naming the side: `中华人民共和国立法法 · v2 · 2023-03-13 ·
    /// 1a2b3c4d5e6f`, with `(effective …)` after the publication date when
    /// the version takes effect on another day.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(label) = &self.label {
            parts.push(label.clone());
        }
        if let Some(handle) = &self.handle {
            parts.push(handle.clone());
        }
        match (self.published, self.effective) {
            (Some(p), Some(e)) if p != e => parts.push(format!("{p} (effective {e})")),
            (Some(p), _) => parts.push(p.to_string()),
            (None, Some(e)) => parts.push(format!("effective {e}")),
            (None, None) => {}
        }
        if let Some(revision) = self.revision {
            parts.push(revision.short());
        }
        if parts.is_empty() {
            parts.push("（未命名版本）".to_string());
        }
        parts.join(" · ")
    }
}
