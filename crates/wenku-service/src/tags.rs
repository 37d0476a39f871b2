//! The tag system (标签体系): a controlled vocabulary of subjects, owned
//! by the province, for retrieval, feeds and subscriptions.
//!
//! **Where it lives.** The vocabulary is an ordinary work of the trust
//! root (the province): `<province>/tags` (`370000/tags`), so it is
//! versioned, diffable and signed like any document, and travels down to
//! every city, county and township node by the pulls that bring the
//! province's region. Its text lists one tag per paragraph; what follows
//! a colon is the tag's description (`营商环境：优化营商环境相关政策`);
//! headings of outline entries group the tags and are not tags
//! themselves. The latest version (in legal order) is the vocabulary.
//!
//! **What it checks.** A node's own writes — a publication's subjects,
//! a correction of subjects — are checked against it; an unknown tag is
//! refused with the closest tags as suggestions. A library without a
//! vocabulary (no `<province>/tags` yet) takes any subject. Documents
//! pulled from other nodes are never refused for their tags (the
//! vocabulary may have moved on since they were written):
//! [`unknown_in`] lists the works whose tags the vocabulary no longer has.

use std::collections::BTreeMap;

use wenku_model::query::Filter;
use wenku_model::{Block, Region, Unit, WorkId};
use wenku_store::{Op, Snapshot};

use crate::{Error, Result};

/// The local id of the vocabulary's work in the province's region.
pub const LOCAL: &str = "tags";

/// A vocabulary, read from its work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vocabulary {
    /// The work it was read from.
    pub work: WorkId,
    /// Tags and their descriptions (empty when none), in the text's
    /// order.
    pub tags: Vec<(String, String)>,
}

/// The vocabulary's work for a node of `region`: `<province>/tags`.
pub fn work_of(region: Region) -> WorkId {
    let root = wenku_store::trust::root_of(region);
    WorkId::parse(&format!("{root}/{LOCAL}")).expect("a region and a fixed local make a work id")
}

/// The vocabulary for a node of `region`, if the library has one.
pub fn vocabulary(snapshot: &Snapshot, region: Region) -> Result<Option<Vocabulary>> {
    let work = work_of(region);
    let Some(record) = snapshot.record(&work)? else {
        return Ok(None);
    };
    let Some(entry) = record.versions.last().cloned() else {
        return Ok(None);
    };
    let doc = snapshot.document(&work, &entry.revision)?;
    let mut tags = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    fn walk(
        blocks: &[Block],
        title: &str,
        out: &mut Vec<(String, String)>,
        seen: &mut std::collections::BTreeSet<String>,
    ) {
        for b in blocks {
            match b {
                Block::Para(text) => {
                    for line in text.lines() {
                        let line = line.trim();
                        if line.is_empty() || line == title {
                            continue;
                        }
                        let (tag, about) = match line.split_once(['：', ':']) {
                            Some((t, a)) => (t.trim(), a.trim()),
                            None => (line, ""),
                        };
                        if is_tag(tag) && seen.insert(tag.to_string()) {
                            out.push((tag.to_string(), about.to_string()));
                        }
                    }
                }
                Block::Unit(Unit { children, .. }) => walk(children, title, out, seen),
                _ => {}
            }
        }
    }
    walk(&doc.body, doc.title.trim(), &mut tags, &mut seen);
    Ok(Some(Vocabulary { work, tags }))
}

/// Whether `s` can be a tag: 1 to 20 characters, no whitespace or
/// sentence punctuation (a sentence in the vocabulary's text is a note,
/// not a tag).
fn is_tag(s: &str) -> bool {
    let n = s.chars().count();
    (1..=20).contains(&n)
        && !s
            .chars()
            .any(|c| c.is_whitespace() || "，。；、！？,.;!?（）()《》".contains(c))
}

impl Vocabulary {
    /// Whether `tag` is in the vocabulary.
    pub fn has(&self, tag: &str) -> bool {
        self.tags.iter().any(|(t, _)| t == tag)
    }

    /// The tags closest to `unknown`, best first (at most three): those
    /// that contain it or that it contains, then those fewest character
    /// edits away (at most half its length).
    pub fn suggest(&self, unknown: &str) -> Vec<&str> {
        let u: Vec<char> = unknown.chars().collect();
        let mut scored: Vec<(usize, &str)> = self
            .tags
            .iter()
            .filter_map(|(t, _)| {
                let c: Vec<char> = t.chars().collect();
                if t.contains(unknown) || unknown.contains(t.as_str()) {
                    return Some((0, t.as_str()));
                }
                let d = edits(&u, &c);
                (d <= u.len().max(c.len()).div_ceil(2)).then_some((d, t.as_str()))
            })
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, t)| t).collect()
    }

    /// Refuses any of `subjects` that is not in the vocabulary, naming it
    /// and the closest tags.
    pub fn check(&self, subjects: &[String]) -> Result<()> {
        for s in subjects {
            if self.has(s) {
                continue;
            }
            let suggestions = self.suggest(s);
            let mut message = format!("the tag {s:?} is not in the vocabulary of {}", self.work);
            if !suggestions.is_empty() {
                message.push_str(&format!("; did you mean {}?", suggestions.join(", ")));
            }
            return Err(Error::refused(message).with_hint(format!(
                "`wenku tags` lists the vocabulary; it is the document {} and changes with a new version of it",
                self.work
            )));
        }
        Ok(())
    }
}

/// Character edits (insert, delete, substitute) between `a` and `b`.
fn edits(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// The subjects `op` gives a work, if it gives any (a publication's, a
/// correction's); none for the vocabulary's own work.
pub fn subjects_of(op: &Op) -> Option<&[String]> {
    match op {
        Op::Publish { record, .. } if record.work.local() != LOCAL => {
            Some(record.subjects.as_slice())
        }
        Op::Correct { work, correction } if work.local() != LOCAL => correction.subjects.as_deref(),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// Checks the subjects that `ops` would give works against the vocabulary
/// of a node of `region` (nothing to check without a vocabulary; the
/// vocabulary is read only when an op gives subjects). `named` says which
/// input an op came from, for the error (`notice.txt: …`), by its index
/// in `ops`.
pub fn check_ops(
    snapshot: &Snapshot,
    region: Region,
    ops: &[&Op],
    named: impl Fn(usize) -> Option<String>,
) -> Result<()> {
    let subjects: Vec<(usize, &[String])> = ops
        .iter()
        .enumerate()
        .filter_map(|(i, op)| subjects_of(op).map(|s| (i, s)))
        .collect();
    if subjects.is_empty() {
        return Ok(());
    }
    let Some(vocabulary) = vocabulary(snapshot, region)? else {
        return Ok(());
    };
    for (i, s) in subjects {
        vocabulary.check(s).map_err(|e| match named(i) {
            Some(name) => {
                let message = format!("{name}: {}", e.message());
                e.with_message(message)
            }
            None => e,
        })?;
    }
    Ok(())
}

/// Works of `snapshot` with tags the vocabulary does not have, with those
/// tags (for `wenku tags check`: after the vocabulary changed, or for
/// documents pulled from elsewhere).
pub fn unknown_in(
    snapshot: &Snapshot,
    vocabulary: &Vocabulary,
) -> Result<BTreeMap<WorkId, Vec<String>>> {
    let mut out = BTreeMap::new();
    for work in snapshot.works(&Filter::all())? {
        if work == vocabulary.work {
            continue;
        }
        let Some(record) = snapshot.record(&work)? else {
            continue;
        };
        let unknown: Vec<String> = record
            .subjects
            .iter()
            .filter(|s| !vocabulary.has(s))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            out.insert(work, unknown);
        }
    }
    Ok(out)
}

/// How many works carry each tag of the vocabulary.
pub fn counts(snapshot: &Snapshot, vocabulary: &Vocabulary) -> Result<Vec<usize>> {
    let mut counts = vec![0; vocabulary.tags.len()];
    for (i, (tag, _)) in vocabulary.tags.iter().enumerate() {
        counts[i] = snapshot
            .works(&Filter {
                subject: Some(tag.clone()),
                ..Filter::all()
            })?
            .len();
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(tags: &[&str]) -> Vocabulary {
        Vocabulary {
            work: WorkId::parse("370000/tags").expect("id"),
            tags: tags
                .iter()
                .map(|t| (t.to_string(), String::new()))
                .collect(),
        }
    }

    #[test]
    fn an_unknown_tag_is_refused_with_the_closest_ones() {
        let vocabulary = v(&["营商环境", "政务公开", "劳务派遣", "安全生产"]);
        assert!(vocabulary.check(&["营商环境".into()]).is_ok());
        let err = vocabulary.check(&["营商".into()]).expect_err("unknown");
        assert!(
            err.message().contains("did you mean 营商环境"),
            "{}",
            err.message()
        );
        let err = vocabulary.check(&["劳物派遣".into()]).expect_err("typo");
        assert!(err.message().contains("劳务派遣"), "{}", err.message());
        let err = vocabulary.check(&["天气预报".into()]).expect_err("far");
        assert!(!err.message().contains("did you mean"), "{}", err.message());
    }

    #[test]
    fn edits_count_characters() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edits(&c("劳务派遣"), &c("劳物派遣")), 1);
        assert_eq!(edits(&c("营商"), &c("营商环境")), 2);
        assert_eq!(edits(&c(""), &c("abc")), 3);
    }
}
