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
}

impl Side {
    /// A side with only a label.
    pub fn labelled(label: impl Into<String>) -> Side {
        Side {
            label: Some(label.into()),
            ..Side::default()
        }
    }

    /// One line naming the side: `中华人民共和国立法法 · 2023-03-13 · 1a2b3c4d5e6f`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(label) = &self.label {
            parts.push(label.clone());
        }
        if let Some(date) = self.published {
            parts.push(date.to_string());
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
