//! Citations and relation targets: `$defs/citation` and `$defs/target`.

use serde::Serialize;

/// A reference as written: `{"number": …, "title": …}`, absent parts null.
#[derive(Debug, Serialize)]
pub struct Citation<'a> {
    number: Option<&'a str>,
    title: Option<&'a str>,
}

impl<'a> Citation<'a> {
    /// The JSON form of `c`.
    pub fn new(c: &'a wenku_model::Citation) -> Citation<'a> {
        Citation {
            number: c.number.as_ref().map(|n| n.as_str()),
            title: c.title.as_deref(),
        }
    }
}

/// A relation target: `{"work": id}`, or a citation.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Target<'a> {
    /// A work of the library, by id.
    Work {
        /// The work id.
        work: String,
    },
    /// A document cited by number and/or title.
    Citation(Citation<'a>),
}

impl<'a> Target<'a> {
    /// The JSON form of `t`.
    pub fn new(t: &'a wenku_model::Target) -> Target<'a> {
        match t {
            wenku_model::Target::Work(w) => Target::Work {
                work: w.to_string(),
            },
            wenku_model::Target::Citation(c) => Target::Citation(Citation::new(c)),
        }
    }
}
