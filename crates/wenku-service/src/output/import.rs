//! `import`: one object per file.

use serde::Serialize;
use wenku_import::{Imported, Severity};

use super::body::Node;
use super::citation::{Citation, Target};
use crate::import::{Input, Planned};

/// What became of one file: `file`, the `work` it went to (null only in a
/// dry run outside a library), the text's `revision`, the `action`
/// (`published`, `added`, `unchanged`; in a dry run what would happen) and
/// the importer's `diagnostics`. A dry run adds `dry_run: true`, the
/// `proposed` metadata and the recognised `body`.
#[derive(Debug, Serialize)]
pub struct Import<'a> {
    file: String,
    work: Option<String>,
    revision: String,
    action: &'static str,
    diagnostics: Vec<Diagnostic<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dry_run: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proposed: Option<Proposed<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Vec<Node<'a>>>,
}

impl<'a> Import<'a> {
    /// The plan for `input`; `dry_run` adds what was recognised.
    pub fn new(input: &'a Input, planned: &Planned, dry_run: bool) -> Import<'a> {
        let imported = &input.imported;
        Import {
            file: input.file.display().to_string(),
            work: planned.work.as_ref().map(|w| w.to_string()),
            revision: planned.revision.to_string(),
            action: planned.action.as_str(),
            diagnostics: Diagnostic::list(imported),
            dry_run: dry_run.then_some(true),
            proposed: dry_run.then(|| Proposed::new(imported)),
            body: dry_run.then(|| Node::body(&imported.document.body)),
        }
    }
}

/// One diagnostic of the importer: `severity`, `line` (null when it
/// concerns the whole file), `code`, `message`, and the exact text
/// `dropped` (null when none was).
#[derive(Debug, Serialize)]
pub struct Diagnostic<'a> {
    severity: &'static str,
    line: Option<usize>,
    code: &'static str,
    message: &'a str,
    dropped: Option<&'a str>,
}

impl<'a> Diagnostic<'a> {
    /// The diagnostics of `imported`, in order.
    pub fn list(imported: &'a Imported) -> Vec<Diagnostic<'a>> {
        imported
            .diagnostics
            .iter()
            .map(|d| Diagnostic {
                severity: match d.severity {
                    Severity::Info => "info",
                    Severity::Warning => "warning",
                },
                line: d.line,
                code: d.code,
                message: &d.message,
                dropped: d.dropped.as_deref(),
            })
            .collect()
    }
}

/// The record metadata the importer proposes: `title`, `number`, `type`,
/// `issuers`, `published`, `effective`, `expires`, `amended_by` (each null
/// when not recognised) and `relations`.
#[derive(Debug, Serialize)]
pub struct Proposed<'a> {
    title: Option<&'a str>,
    number: Option<&'a str>,
    #[serde(rename = "type")]
    doc_type: &'static str,
    issuers: &'a [String],
    published: Option<String>,
    effective: Option<String>,
    expires: Option<String>,
    amended_by: Option<Citation<'a>>,
    relations: Vec<ProposedRelation<'a>>,
}

#[derive(Debug, Serialize)]
struct ProposedRelation<'a> {
    kind: &'static str,
    target: Target<'a>,
}

impl<'a> Proposed<'a> {
    /// The proposal of `imported`.
    pub fn new(imported: &'a Imported) -> Proposed<'a> {
        let p = &imported.proposed;
        Proposed {
            title: p.title.as_deref(),
            number: p.number.as_ref().map(|n| n.as_str()),
            doc_type: p.doc_type.as_str(),
            issuers: &p.issuers,
            published: p.published.map(|d| d.to_string()),
            effective: p.effective.map(|d| d.to_string()),
            expires: p.expires.map(|d| d.to_string()),
            amended_by: p.amended_by.as_ref().map(Citation::new),
            relations: p
                .relations
                .iter()
                .map(|r| ProposedRelation {
                    kind: r.kind.as_str(),
                    target: Target::new(&r.target),
                })
                .collect(),
        }
    }
}
