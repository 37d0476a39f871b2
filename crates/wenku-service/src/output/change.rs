//! `correct`, `relate`, `expire`, `reinstate`, `repeal`, `withdraw`: what a
//! recorded change of a work did, or with `--dry-run` would do.

use serde::Serialize;
use wenku_model::{Record, Target};

/// A change of one work (`$defs/change`): the `work`, the `ops` it took
/// (`correct`, `correct-version`, `add-relation` …), its `status`
/// (`recorded`, `unchanged`, or `would-record` in a dry run), the
/// `commit` (null unless recorded), why nothing changed (`unchanged`, one
/// sentence per op that changed nothing) and every record `field` that
/// changes, `before` and `after` (null when absent).
#[derive(Debug, Serialize)]
pub struct Change {
    work: String,
    ops: Vec<&'static str>,
    status: &'static str,
    commit: Option<String>,
    unchanged: Vec<String>,
    fields: Vec<FieldChange>,
}

/// One field of a record that changes.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct FieldChange {
    /// `title`, `type`, `number`, `issuers`, `subjects`, `relations`,
    /// `versions`, `repealed`, `expires` or `withdrawn`.
    pub field: &'static str,
    /// Before, as text (null when absent).
    pub before: Option<String>,
    /// After, as text (null when absent).
    pub after: Option<String>,
}

impl Change {
    /// The change of `work` by `ops`: `status` and `commit` as above,
    /// `unchanged` the reasons of ops that changed nothing, and the record
    /// before and after.
    pub fn new(
        work: &wenku_model::WorkId,
        ops: Vec<&'static str>,
        status: &'static str,
        commit: Option<String>,
        unchanged: Vec<String>,
        before: Option<&Record>,
        after: Option<&Record>,
    ) -> Change {
        Change {
            work: work.to_string(),
            ops,
            status,
            commit,
            unchanged,
            fields: field_changes(before, after),
        }
    }

    /// The fields that change.
    pub fn fields(&self) -> &[FieldChange] {
        &self.fields
    }
}

fn target(t: &Target) -> String {
    t.to_string()
}

/// The fields of a record as text, in a fixed order.
fn fields(r: &Record) -> Vec<(&'static str, Option<String>)> {
    let list = |v: &[String]| (!v.is_empty()).then(|| v.join("; "));
    vec![
        ("title", Some(r.title.clone())),
        ("type", Some(r.doc_type.to_string())),
        ("number", r.number.as_ref().map(|n| n.to_string())),
        ("issuers", list(&r.issuers)),
        ("subjects", list(&r.subjects)),
        (
            "relations",
            list(
                &r.relations
                    .iter()
                    .map(|x| format!("{} {}", x.kind, target(&x.target)))
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "versions",
            list(
                &r.versions
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        format!(
                            "v{} {} published {} effective {}",
                            i + 1,
                            v.revision.short(),
                            v.published,
                            v.effective_date()
                        )
                    })
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "repealed",
            r.repealed.as_ref().map(|x| match &x.by {
                Some(by) => format!("{} by {}", x.date, target(by)),
                None => x.date.to_string(),
            }),
        ),
        ("expires", r.expires.map(|d| d.to_string())),
        (
            "withdrawn",
            r.withdrawn
                .as_ref()
                .map(|x| format!("{}: {}", x.date, x.reason)),
        ),
    ]
}

/// The fields that differ between `before` and `after`.
pub fn field_changes(before: Option<&Record>, after: Option<&Record>) -> Vec<FieldChange> {
    let b = before.map(fields).unwrap_or_default();
    let a = after.map(fields).unwrap_or_default();
    let names = if a.is_empty() { &b } else { &a };
    names
        .iter()
        .map(|(name, _)| *name)
        .filter_map(|name| {
            let get = |v: &[(&'static str, Option<String>)]| {
                v.iter()
                    .find(|(n, _)| *n == name)
                    .and_then(|(_, x)| x.clone())
            };
            let (x, y) = (get(&b), get(&a));
            (x != y).then_some(FieldChange {
                field: name,
                before: x,
                after: y,
            })
        })
        .collect()
}

/// A change of the regions a node hosts (`$defs/hosts`): the `node`, the
/// hosted regions `before` and `after`, the `status` (`recorded`,
/// `unchanged`, `would-record`) and the `commit` (null unless recorded).
#[derive(Debug, Serialize)]
pub struct Hosts {
    node: String,
    before: Vec<String>,
    after: Vec<String>,
    status: &'static str,
    commit: Option<String>,
}

impl Hosts {
    /// The JSON form of `changed`; `dry` for a dry run.
    pub fn new(changed: &wenku_store::HostingChanged, dry: bool) -> Hosts {
        let list = |a: &wenku_store::Authority| a.hosted().iter().map(|r| r.to_string()).collect();
        Hosts {
            node: changed.after.node().to_string(),
            before: list(&changed.before),
            after: list(&changed.after),
            status: match (changed.before == changed.after, dry, changed.commit) {
                (true, _, _) => "unchanged",
                (false, true, _) => "would-record",
                (false, false, _) => "recorded",
            },
            commit: changed.commit.map(|c| c.to_string()),
        }
    }
}
