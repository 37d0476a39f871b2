//! The changes a transaction can make. Each is data, so a transaction that
//! loses a race for `main` can be applied again to the new head.

use std::fmt;

use crate::texts::StoredText;
use wenku_model::{
    Citation, Date, DocNumber, DocType, Document, Record, Relation, Repeal, RevisionId,
    VersionEntry, Withdrawal, WorkId,
};

/// A new version's text: the document, encoded when the transaction is
/// staged, or a text a [`crate::TextPack`] already wrote (a large batch's,
/// so that its documents need not be held until the commit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionText {
    /// The document.
    Document(Document),
    /// Its canonical bytes, already in the library's objects (or in the
    /// [`crate::TextPack`] the commit is made with).
    Stored(StoredText),
}

impl VersionText {
    /// The document, when the text is one.
    pub fn document(&self) -> Option<&Document> {
        match self {
            VersionText::Document(d) => Some(d),
            VersionText::Stored(_) => None,
        }
    }
}

/// A new version's text and its legal dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewVersion {
    /// The text.
    pub text: VersionText,
    /// Published (公布/发布).
    pub published: Date,
    /// Effective (施行); the published date when absent.
    pub effective: Option<Date>,
    /// The amending document that produced this version.
    pub amended_by: Option<Citation>,
    /// A free note ("修正", "修订").
    pub note: Option<String>,
}

impl NewVersion {
    /// A version effective on the day it was published.
    pub fn new(document: Document, published: Date) -> NewVersion {
        NewVersion::of(VersionText::Document(document), published)
    }

    /// A version of a text written ahead ([`crate::TextPack`]), effective
    /// on the day it was published.
    pub fn stored(text: StoredText, published: Date) -> NewVersion {
        NewVersion::of(VersionText::Stored(text), published)
    }

    fn of(text: VersionText, published: Date) -> NewVersion {
        NewVersion {
            text,
            published,
            effective: None,
            amended_by: None,
            note: None,
        }
    }

    /// Sets the effective date.
    pub fn effective(mut self, date: Date) -> NewVersion {
        self.effective = Some(date);
        self
    }

    /// Sets the amending document.
    pub fn amended_by(mut self, citation: Citation) -> NewVersion {
        self.amended_by = Some(citation);
        self
    }

    /// Sets the note.
    pub fn note(mut self, note: impl Into<String>) -> NewVersion {
        self.note = Some(note.into());
        self
    }

    pub(crate) fn entry(&self, revision: RevisionId) -> VersionEntry {
        VersionEntry {
            revision,
            published: self.published,
            effective: self.effective,
            amended_by: self.amended_by.clone(),
            note: self.note.clone(),
            withdrawn: None,
        }
    }
}

/// Corrections to a record's catalogue metadata; `None` leaves a field as
/// it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Correction {
    /// The document type.
    pub doc_type: Option<DocType>,
    /// The title.
    pub title: Option<String>,
    /// The document number; `Some(None)` removes it.
    pub number: Option<Option<DocNumber>>,
    /// The issuing organs.
    pub issuers: Option<Vec<String>>,
    /// The subjects.
    pub subjects: Option<Vec<String>>,
}

impl Correction {
    /// Applies the correction; returns whether anything changed.
    pub(crate) fn apply(&self, record: &mut Record) -> bool {
        let before = record.clone();
        if let Some(t) = self.doc_type {
            record.doc_type = t;
        }
        if let Some(t) = &self.title {
            record.title = t.clone();
        }
        if let Some(n) = &self.number {
            record.number = n.clone();
        }
        if let Some(i) = &self.issuers {
            record.issuers = i.clone();
        }
        if let Some(s) = &self.subjects {
            record.subjects = s.clone();
        }
        *record != before
    }
}

/// One change to the library.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "ops are built once and moved into a transaction; boxing the publish payload would only add noise for callers"
)]
pub enum Op {
    /// Publishes a new work: its record (metadata, relations, lifecycle;
    /// the versions list must be empty) and its first version.
    Publish {
        /// The record without versions.
        record: Record,
        /// The first version.
        version: NewVersion,
    },
    /// Adds a version, newer or older than the existing ones; it takes its
    /// place in legal order. A text already listed is a no-op.
    AddVersion {
        /// The work.
        work: WorkId,
        /// The version.
        version: NewVersion,
    },
    /// Corrects catalogue metadata.
    Correct {
        /// The work.
        work: WorkId,
        /// What to change.
        correction: Correction,
    },
    /// Adds a relation.
    AddRelation {
        /// The work the relation starts from.
        work: WorkId,
        /// The relation.
        relation: Relation,
    },
    /// Removes a relation.
    RemoveRelation {
        /// The work the relation starts from.
        work: WorkId,
        /// The relation.
        relation: Relation,
    },
    /// Records a repeal (废止): its date and, if known, the repealing
    /// document.
    Repeal {
        /// The repealed work.
        work: WorkId,
        /// Date and repealing document.
        repeal: Repeal,
    },
    /// Sets (or with `None` clears) the last day of validity (有效期至).
    SetExpiry {
        /// The work.
        work: WorkId,
        /// The last valid day.
        expires: Option<Date>,
    },
    /// Records a withdrawal (撤回).
    Withdraw {
        /// The work.
        work: WorkId,
        /// Date and reason.
        withdrawal: Withdrawal,
    },
    /// Withdraws one version from public view (已撤回): its text stays in
    /// the history for the archive, but is no longer served publicly (a
    /// safety sweep's finding of personal information, resolved). The
    /// version's legal dates are unchanged.
    WithdrawVersion {
        /// The work.
        work: WorkId,
        /// The version.
        revision: RevisionId,
        /// Date and reason.
        withdrawal: Withdrawal,
    },
    /// Undoes a repeal or a withdrawal recorded by mistake: the record no
    /// longer has it, and the commit that says so (with the reason) stands
    /// in the history beside the one that recorded it.
    Reinstate {
        /// The work.
        work: WorkId,
        /// Why the repeal or withdrawal was wrong.
        reason: String,
    },
    /// Merges a work imported twice into the right one: every version of
    /// `work` that `into` does not have is added to `into` (legal order
    /// decides where), and `work` is retired — withdrawn on `date` with a
    /// reason naming `into` — but keeps its versions, so its history and
    /// every link to it still resolve.
    Merge {
        /// The duplicate.
        work: WorkId,
        /// The work it duplicates.
        into: WorkId,
        /// The day the duplicate is retired.
        date: Date,
    },
    /// Corrects the dates of one version (a date typed wrong); the version
    /// takes its place in legal order again.
    CorrectVersion {
        /// The work.
        work: WorkId,
        /// The version.
        revision: RevisionId,
        /// Its publication date, if it changes.
        published: Option<Date>,
        /// Its effective date, if it changes (`Some(None)`: the publication
        /// date).
        effective: Option<Option<Date>>,
    },
}

/// The kind of an [`Op`], as written in the `Wenku-Op` trailer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpKind {
    /// `publish`.
    Publish,
    /// `add-version`.
    AddVersion,
    /// `correct`.
    Correct,
    /// `add-relation`.
    AddRelation,
    /// `remove-relation`.
    RemoveRelation,
    /// `repeal`.
    Repeal,
    /// `set-expiry`.
    SetExpiry,
    /// `withdraw`.
    Withdraw,
    /// `withdraw-version`.
    WithdrawVersion,
    /// `reinstate`.
    Reinstate,
    /// `correct-version`.
    CorrectVersion,
    /// `merge`.
    Merge,
}

impl OpKind {
    /// Every kind, in the order of the enum.
    pub const ALL: [OpKind; 12] = [
        OpKind::Publish,
        OpKind::AddVersion,
        OpKind::Correct,
        OpKind::AddRelation,
        OpKind::RemoveRelation,
        OpKind::Repeal,
        OpKind::SetExpiry,
        OpKind::Withdraw,
        OpKind::WithdrawVersion,
        OpKind::Reinstate,
        OpKind::CorrectVersion,
        OpKind::Merge,
    ];

    /// The kind a `Wenku-Op` trailer names, if it is one.
    pub fn parse(name: &str) -> Option<OpKind> {
        OpKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The trailer value.
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Publish => "publish",
            OpKind::AddVersion => "add-version",
            OpKind::Correct => "correct",
            OpKind::AddRelation => "add-relation",
            OpKind::RemoveRelation => "remove-relation",
            OpKind::Repeal => "repeal",
            OpKind::SetExpiry => "set-expiry",
            OpKind::Withdraw => "withdraw",
            OpKind::WithdrawVersion => "withdraw-version",
            OpKind::Reinstate => "reinstate",
            OpKind::CorrectVersion => "correct-version",
            OpKind::Merge => "merge",
        }
    }
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Op {
    /// The work the op changes.
    pub fn work(&self) -> &WorkId {
        match self {
            Op::Publish { record, .. } => &record.work,
            Op::AddVersion { work, .. }
            | Op::Correct { work, .. }
            | Op::AddRelation { work, .. }
            | Op::RemoveRelation { work, .. }
            | Op::Repeal { work, .. }
            | Op::SetExpiry { work, .. }
            | Op::Withdraw { work, .. }
            | Op::WithdrawVersion { work, .. }
            | Op::Reinstate { work, .. }
            | Op::CorrectVersion { work, .. }
            | Op::Merge { work, .. } => work,
        }
    }

    /// Its kind.
    pub fn kind(&self) -> OpKind {
        match self {
            Op::Publish { .. } => OpKind::Publish,
            Op::AddVersion { .. } => OpKind::AddVersion,
            Op::Correct { .. } => OpKind::Correct,
            Op::AddRelation { .. } => OpKind::AddRelation,
            Op::RemoveRelation { .. } => OpKind::RemoveRelation,
            Op::Repeal { .. } => OpKind::Repeal,
            Op::SetExpiry { .. } => OpKind::SetExpiry,
            Op::Withdraw { .. } => OpKind::Withdraw,
            Op::WithdrawVersion { .. } => OpKind::WithdrawVersion,
            Op::Reinstate { .. } => OpKind::Reinstate,
            Op::CorrectVersion { .. } => OpKind::CorrectVersion,
            Op::Merge { .. } => OpKind::Merge,
        }
    }
}

/// Why an op made no change. Not an error: the library already says what
/// the op asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoChange {
    /// The version's text is already listed (same RevisionId).
    VersionAlreadyPresent {
        /// Its id.
        revision: RevisionId,
        /// Its published date as listed.
        published: Date,
    },
    /// The relation is already there.
    RelationAlreadyPresent,
    /// The relation to remove is not there.
    RelationNotPresent,
    /// The record already says this.
    AlreadyRecorded,
    /// There is no repeal or withdrawal to undo.
    NothingToReinstate,
}

impl fmt::Display for NoChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoChange::VersionAlreadyPresent {
                revision,
                published,
            } => write!(
                f,
                "identical text is already version {} (published {published}); nothing to add",
                revision.short()
            ),
            NoChange::RelationAlreadyPresent => f.write_str("the relation is already recorded"),
            NoChange::RelationNotPresent => f.write_str("there is no such relation to remove"),
            NoChange::AlreadyRecorded => f.write_str("the record already says this"),
            NoChange::NothingToReinstate => {
                f.write_str("the work is neither repealed nor withdrawn; nothing to undo")
            }
        }
    }
}

/// What one op did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpOutcome {
    /// The op's kind.
    pub kind: OpKind,
    /// The work.
    pub work: WorkId,
    /// The version the op was about (publish, add-version).
    pub revision: Option<RevisionId>,
    /// `None` if it changed the record; otherwise why not.
    pub unchanged: Option<NoChange>,
}

impl OpOutcome {
    /// Whether the op changed the library.
    pub fn changed(&self) -> bool {
        self.unchanged.is_none()
    }
}
