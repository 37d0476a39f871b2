//! Commit messages: a subject that reads as the document's story, and
//! trailers that machines read.
//!
//! ```text
//! publish 370200/qzbf-2025-3 2025年青岛市政务公开工作要点
//!
//! Wenku-Op: publish
//! Wenku-Work: 370200/qzbf-2025-3
//! Wenku-Revision: 5c1f…(64 hex digits)
//! Wenku-Node: 370200
//! ```
//!
//! A transaction of several changes has `Wenku-Op: batch`, one line per
//! change in the body (the first [`BODY_LINES`]), and a `Wenku-Work` trailer
//! per work when there are at most [`MAX_WORK_TRAILERS`] works.

use std::collections::BTreeSet;

use wenku_model::{Region, RevisionId, Target, WorkId};

use crate::op::{Op, OpKind};

/// Most change lines in a batch commit's body.
pub const BODY_LINES: usize = 100;

/// Most `Wenku-Work` trailers in a batch commit.
pub const MAX_WORK_TRAILERS: usize = 64;

/// One applied change, as the message describes it.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub kind: OpKind,
    pub work: WorkId,
    pub title: String,
    pub revision: Option<RevisionId>,
    pub detail: Option<String>,
}

impl Line {
    pub(crate) fn new(op: &Op, title: &str, revision: Option<RevisionId>) -> Line {
        let detail = match op {
            Op::Publish { .. } | Op::Correct { .. } => None,
            Op::AddVersion { version, .. } => Some(format!(
                "effective {}",
                version.effective.unwrap_or(version.published)
            )),
            Op::AddRelation { relation, .. } | Op::RemoveRelation { relation, .. } => {
                Some(format!("{} {}", relation.kind, target(&relation.target)))
            }
            Op::Repeal { repeal, .. } => Some(match &repeal.by {
                Some(by) => format!("{}, by {}", repeal.date, target(by)),
                None => repeal.date.to_string(),
            }),
            Op::SetExpiry { expires, .. } => Some(match expires {
                Some(d) => format!("valid until {d}"),
                None => "no end of validity".into(),
            }),
            Op::Withdraw { withdrawal, .. } => {
                Some(format!("{}: {}", withdrawal.date, withdrawal.reason))
            }
            Op::WithdrawVersion {
                revision,
                withdrawal,
                ..
            } => Some(format!(
                "version {}, {}: {}",
                revision.short(),
                withdrawal.date,
                withdrawal.reason
            )),
            Op::Reinstate { reason, .. } => Some(reason.trim().to_string()),
            Op::Merge { into, .. } => Some(format!("into {into}")),
            Op::CorrectVersion {
                revision,
                published,
                effective,
                ..
            } => {
                let mut parts = vec![format!("version {}", revision.short())];
                if let Some(p) = published {
                    parts.push(format!("published {p}"));
                }
                match effective {
                    Some(Some(e)) => parts.push(format!("effective {e}")),
                    Some(None) => parts.push("effective when published".into()),
                    None => {}
                }
                Some(parts.join(", "))
            }
        };
        Line {
            kind: op.kind(),
            work: op.work().clone(),
            title: title.to_string(),
            revision,
            detail,
        }
    }

    fn text(&self) -> String {
        let mut s = format!("{} {} {}", self.kind, self.work, self.title);
        if let Some(d) = &self.detail {
            s.push_str(&format!(" ({d})"));
        }
        one_line(&s)
    }
}

fn target(t: &Target) -> String {
    t.to_string()
}

/// Keeps a subject or body line on one line.
fn one_line(s: &str) -> String {
    s.split(['\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message of a transaction's commit.
pub(crate) fn compose(lines: &[Line], node: Region) -> String {
    let mut msg = String::new();
    match lines {
        [one] => {
            msg.push_str(&one.text());
            msg.push_str("\n\n");
            msg.push_str(&format!("Wenku-Op: {}\n", one.kind));
            msg.push_str(&format!("Wenku-Work: {}\n", one.work));
            if let Some(r) = one.revision {
                msg.push_str(&format!("Wenku-Revision: {r}\n"));
            }
        }
        many => {
            let works: BTreeSet<&WorkId> = many.iter().map(|l| &l.work).collect();
            let kinds: Vec<OpKind> = many.iter().fold(Vec::new(), |mut v, l| {
                if !v.contains(&l.kind) {
                    v.push(l.kind);
                }
                v
            });
            let subject = if let ([work], Some(first)) = (
                works.iter().copied().collect::<Vec<_>>().as_slice(),
                many.first(),
            ) {
                let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                format!("{} {} {}", kinds.join(", "), work, first.title)
            } else if let [kind] = kinds.as_slice() {
                format!("{kind} {} works", works.len())
            } else {
                format!("batch of {} changes to {} works", many.len(), works.len())
            };
            msg.push_str(&one_line(&subject));
            msg.push_str("\n\n");
            for l in many.iter().take(BODY_LINES) {
                msg.push_str(&l.text());
                msg.push('\n');
            }
            if many.len() > BODY_LINES {
                msg.push_str(&format!("… and {} more\n", many.len() - BODY_LINES));
            }
            msg.push('\n');
            msg.push_str("Wenku-Op: batch\n");
            if works.len() <= MAX_WORK_TRAILERS {
                for w in &works {
                    msg.push_str(&format!("Wenku-Work: {w}\n"));
                }
            }
        }
    }
    msg.push_str(&format!("Wenku-Node: {node}\n"));
    msg
}

/// The message of a pull's merge commit.
///
/// ```text
/// pull child 370283: 1 work added, 2 changed
///
/// added 370283/pingdu-2024-07-16-points
/// changed 370283/…
///
/// Wenku-Op: pull
/// Wenku-Peer: child 370283
/// Wenku-Work: 370283/pingdu-2024-07-16-points
/// Wenku-Node: 370200
/// ```
pub(crate) fn compose_pull(
    peer: &str,
    regions: &[crate::federation::RegionChanges],
    node: Region,
) -> String {
    let count = |f: fn(&crate::federation::RegionChanges) -> usize| -> usize {
        regions.iter().map(f).sum()
    };
    let (added, changed, removed) = (
        count(|r| r.added.len()),
        count(|r| r.changed.len()),
        count(|r| r.removed.len()),
    );
    let mut counts = Vec::new();
    if added > 0 {
        counts.push(format!(
            "{added} {} added",
            if added == 1 { "work" } else { "works" }
        ));
    }
    if changed > 0 {
        counts.push(format!("{changed} changed"));
    }
    if removed > 0 {
        counts.push(format!("{removed} removed"));
    }
    if counts.is_empty() {
        counts.push("regions updated".into());
    }
    let mut msg = one_line(&format!("pull {peer}: {}", counts.join(", ")));
    msg.push_str("\n\n");
    let lines: Vec<(&str, &WorkId)> = regions
        .iter()
        .flat_map(|r| {
            r.added
                .iter()
                .map(|w| ("added", w))
                .chain(r.changed.iter().map(|w| ("changed", w)))
                .chain(r.removed.iter().map(|w| ("removed", w)))
        })
        .collect();
    for (what, work) in lines.iter().take(BODY_LINES) {
        msg.push_str(&format!("{what} {work}\n"));
    }
    if lines.len() > BODY_LINES {
        msg.push_str(&format!("… and {} more\n", lines.len() - BODY_LINES));
    }
    if !lines.is_empty() {
        msg.push('\n');
    }
    msg.push_str("Wenku-Op: pull\n");
    msg.push_str(&format!("Wenku-Peer: {}\n", one_line(peer)));
    if lines.len() <= MAX_WORK_TRAILERS {
        for (_, work) in &lines {
            msg.push_str(&format!("Wenku-Work: {work}\n"));
        }
    }
    msg.push_str(&format!("Wenku-Node: {node}\n"));
    msg
}

/// The message of the first commit of a library.
pub(crate) fn compose_init(node: Region) -> String {
    format!("init library {node}\n\nWenku-Op: init\nWenku-Node: {node}\n")
}

/// The `Wenku-*` trailers of a commit message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trailers {
    /// `Wenku-Op`.
    pub op: Option<String>,
    /// `Wenku-Work`, in order.
    pub works: Vec<String>,
    /// `Wenku-Revision`, in order.
    pub revisions: Vec<String>,
    /// `Wenku-Node`.
    pub node: Option<String>,
    /// `Wenku-Peer`: the peer a pull merged from.
    pub peer: Option<String>,
    /// `Wenku-Review`: `approved` on a publication after review,
    /// `returned` on a draft sent back (see [`Library::submit_draft`](crate::Library::submit_draft)).
    pub review: Option<String>,
    /// `Wenku-Reviewer`: who reviewed (`name <email>`).
    pub reviewer: Option<String>,
    /// `Wenku-Review-Note`: the approval's note.
    pub review_note: Option<String>,
    /// `Wenku-Draft`: the submission a review decided on.
    pub draft: Option<String>,
    /// `Wenku-Draft-Item`: on a submission, the item it is a draft of.
    pub draft_item: Option<String>,
}

impl Trailers {
    /// Reads the trailers from the last paragraph of `message`.
    pub fn parse(message: &str) -> Trailers {
        let last = message.trim_end().rsplit("\n\n").next().unwrap_or_default();
        let mut t = Trailers::default();
        for line in last.lines() {
            let Some((key, value)) = line.split_once(": ") else {
                continue;
            };
            let value = value.trim().to_string();
            match key {
                "Wenku-Op" => t.op = Some(value),
                "Wenku-Work" => t.works.push(value),
                "Wenku-Revision" => t.revisions.push(value),
                "Wenku-Node" => t.node = Some(value),
                "Wenku-Peer" => t.peer = Some(value),
                "Wenku-Review" => t.review = Some(value),
                "Wenku-Reviewer" => t.reviewer = Some(value),
                "Wenku-Review-Note" => t.review_note = Some(value),
                "Wenku-Draft" => t.draft = Some(value),
                "Wenku-Draft-Item" => t.draft_item = Some(value),
                _ => {}
            }
        }
        t
    }
}

/// The first line of a message.
pub(crate) fn subject(message: &str) -> &str {
    message.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_model::{Date, DocType, Document, Record, Withdrawal};

    use crate::op::NewVersion;

    fn w(s: &str) -> WorkId {
        WorkId::parse(s).expect("valid work id in test")
    }

    #[test]
    fn single_change_reads_as_a_story() {
        let work = w("370200/qzbf-2025-3");
        let op = Op::Publish {
            record: Record::new(
                work.clone(),
                DocType::Policy,
                "2025年青岛市政务公开工作要点",
            ),
            version: NewVersion::new(
                Document::new(DocType::Policy, "x"),
                Date::parse_iso("2025-05-16").expect("valid"),
            ),
        };
        let rev = RevisionId::of(b"x");
        let line = Line::new(&op, "2025年青岛市政务公开工作要点", Some(rev));
        let node = Region::parse("370200").expect("valid");
        let msg = compose(&[line], node);
        assert_eq!(
            subject(&msg),
            "publish 370200/qzbf-2025-3 2025年青岛市政务公开工作要点"
        );
        let t = Trailers::parse(&msg);
        assert_eq!(t.op.as_deref(), Some("publish"));
        assert_eq!(t.works, ["370200/qzbf-2025-3"]);
        assert_eq!(t.revisions, [rev.to_string()]);
        assert_eq!(t.node.as_deref(), Some("370200"));
    }

    #[test]
    fn line_breaks_never_reach_the_subject() {
        let op = Op::Withdraw {
            work: w("370200/a"),
            withdrawal: Withdrawal {
                date: Date::parse_iso("2025-01-01").expect("valid"),
                reason: "第一行\n第二行".into(),
            },
        };
        let msg = compose(
            &[Line::new(&op, "标题", None)],
            Region::parse("370200").expect("valid"),
        );
        assert_eq!(
            subject(&msg),
            "withdraw 370200/a 标题 (2025-01-01: 第一行 第二行)"
        );
    }

    #[test]
    fn batches_summarise() {
        let node = Region::parse("370200").expect("valid");
        let lines: Vec<Line> = (0..150)
            .map(|i| {
                let op = Op::SetExpiry {
                    work: w(&format!("370200/w{i}")),
                    expires: None,
                };
                Line::new(&op, "t", None)
            })
            .collect();
        let msg = compose(&lines, node);
        assert_eq!(subject(&msg), "set-expiry 150 works");
        assert!(msg.contains("… and 50 more"));
        let t = Trailers::parse(&msg);
        assert_eq!(t.op.as_deref(), Some("batch"));
        assert!(t.works.is_empty(), "too many works for trailers");
        let msg = compose(&lines[..2], node);
        assert_eq!(Trailers::parse(&msg).works.len(), 2);
    }
}
