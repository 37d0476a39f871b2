//! `verify`: every problem found in a library.

use serde::Serialize;
use wenku_store::{Problem as StoreProblem, ProblemKind, Report};

/// The `commit` checked, whether it is `clean`, how many `works` and
/// `versions` were checked, and every problem.
#[derive(Debug, Serialize)]
pub struct Verify<'a> {
    commit: String,
    clean: bool,
    works: usize,
    versions: usize,
    problems: Vec<Problem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signatures: Option<super::VerifySignatures<'a>>,
}

impl<'a> Verify<'a> {
    /// The JSON form of `report`.
    pub fn new(report: &'a Report) -> Verify<'a> {
        Verify {
            commit: report.commit.to_string(),
            clean: report.is_clean(),
            works: report.works,
            versions: report.versions,
            problems: Problem::list(&report.problems),
            signatures: None,
        }
    }

    /// With the signatures of the whole history checked (`verify --signatures`).
    pub fn with_signatures(mut self, report: &'a wenku_store::SignatureReport) -> Verify<'a> {
        self.signatures = Some(super::VerifySignatures::new(report));
        self
    }
}

/// One problem: its `path` in the tree, its `kind` ([`problem_kind`]) and
/// the whole `message`. Also listed by a pull refused for its content.
#[derive(Debug, Serialize)]
pub struct Problem<'a> {
    path: &'a str,
    kind: &'static str,
    message: String,
}

impl<'a> Problem<'a> {
    /// The JSON form of `p`.
    pub fn new(p: &'a StoreProblem) -> Problem<'a> {
        Problem {
            path: &p.path,
            kind: problem_kind(&p.kind),
            message: p.to_string(),
        }
    }

    /// The JSON forms of `problems`.
    pub fn list(problems: &'a [StoreProblem]) -> Vec<Problem<'a>> {
        problems.iter().map(Problem::new).collect()
    }
}

/// The name of a kind of problem, as the JSON outputs spell it
/// (`hash-mismatch`, `missing-record`, …).
pub fn problem_kind(k: &ProblemKind) -> &'static str {
    match k {
        ProblemKind::MissingMeta => "missing-meta",
        ProblemKind::BadMeta(_) => "bad-meta",
        ProblemKind::Unexpected(_) => "unexpected",
        ProblemKind::WrongMode(_) => "wrong-mode",
        ProblemKind::MissingRecord => "missing-record",
        ProblemKind::BadRecord(_) => "bad-record",
        ProblemKind::MisplacedRecord { .. } => "misplaced-record",
        ProblemKind::NoVersions => "no-versions",
        ProblemKind::NotCanonical => "not-canonical",
        ProblemKind::HashMismatch { .. } => "hash-mismatch",
        ProblemKind::BadVersion(_) => "bad-version",
        ProblemKind::MissingVersion(_) => "missing-version",
        ProblemKind::OrphanVersion(_) => "orphan-version",
        ProblemKind::DanglingTarget(_) => "dangling-target",
        ProblemKind::EmptyCitation => "empty-citation",
        ProblemKind::ContradictoryDates { .. } => "contradictory-dates",
        ProblemKind::Unreadable(_) => "unreadable",
        ProblemKind::Lifecycle(_) => "lifecycle",
        ProblemKind::BadTrust(_) => "bad-trust",
    }
}
