//! A work's catalogue entry: type, issuer, subjects, typed relations, its
//! versions with their legal dates, and lifecycle events.

use std::fmt;
use std::str::FromStr;

use crate::citation::{Citation, DocNumber};
use crate::date::Date;
use crate::document::DocType;
use crate::revision::RevisionId;
use crate::status::{AsOf, Status};
use crate::work_id::WorkId;

/// How one work relates to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RelationKind {
    /// 依据: made on the basis of the target.
    Basis,
    /// 贯彻落实: implements the target.
    Implements,
    /// 解读: interprets the target.
    Interprets,
    /// Amends the target.
    Amends,
    /// Repeals the target.
    Repeals,
    /// Replaces the target.
    Replaces,
    /// Cites the target otherwise.
    Cites,
    /// Contains the target (a gazette issue or catalogue → its documents).
    Contains,
    /// 意见征集: a consultation on the target (its draft), the first
    /// links of a policy's full chain ("一码通").
    Consults,
    /// 结果反馈: the feedback on the consultation about the target.
    RespondsTo,
    /// 会议审议: the meeting (its minutes or decision) that reviewed the
    /// target.
    Reviews,
    /// 政策问答: questions and answers about the target.
    Answers,
    /// 政策兑现: the delivery of the target (the funds, services or
    /// measures it promised, as carried out).
    Delivers,
}

impl RelationKind {
    /// Every kind, in a fixed order.
    /// New kinds are appended: the index stores a kind as its position.
    pub const ALL: [RelationKind; 13] = [
        RelationKind::Basis,
        RelationKind::Implements,
        RelationKind::Interprets,
        RelationKind::Amends,
        RelationKind::Repeals,
        RelationKind::Replaces,
        RelationKind::Cites,
        RelationKind::Contains,
        RelationKind::Consults,
        RelationKind::RespondsTo,
        RelationKind::Reviews,
        RelationKind::Answers,
        RelationKind::Delivers,
    ];

    /// The slug used in XML, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Basis => "basis",
            RelationKind::Implements => "implements",
            RelationKind::Interprets => "interprets",
            RelationKind::Amends => "amends",
            RelationKind::Repeals => "repeals",
            RelationKind::Replaces => "replaces",
            RelationKind::Cites => "cites",
            RelationKind::Contains => "contains",
            RelationKind::Consults => "consults",
            RelationKind::RespondsTo => "responds-to",
            RelationKind::Reviews => "reviews",
            RelationKind::Answers => "answers",
            RelationKind::Delivers => "delivers",
        }
    }

    /// How the reverse direction reads: "interpreted by" for `interprets`.
    pub fn reverse_str(self) -> &'static str {
        match self {
            RelationKind::Basis => "basis-of",
            RelationKind::Implements => "implemented-by",
            RelationKind::Interprets => "interpreted-by",
            RelationKind::Amends => "amended-by",
            RelationKind::Repeals => "repealed-by",
            RelationKind::Replaces => "replaced-by",
            RelationKind::Cites => "cited-by",
            RelationKind::Contains => "contained-in",
            RelationKind::Consults => "consulted-by",
            RelationKind::RespondsTo => "responded-by",
            RelationKind::Reviews => "reviewed-by",
            RelationKind::Answers => "answered-by",
            RelationKind::Delivers => "delivered-by",
        }
    }
}

impl fmt::Display for RelationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown relation kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown relation kind {0:?}; expected one of basis, implements, interprets, amends, repeals, replaces, cites, contains, consults, responds-to, reviews, answers, delivers"
)]
pub struct RelationKindError(pub String);

impl FromStr for RelationKind {
    type Err = RelationKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RelationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| RelationKindError(s.chars().take(40).collect()))
    }
}

/// What a relation points at: a known work, or a citation the library
/// resolves once a matching work arrives anywhere in the federation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A work by id.
    Work(WorkId),
    /// A document number and/or title, not (yet) tied to a work.
    Citation(Citation),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Work(w) => write!(f, "{w}"),
            Target::Citation(c) => write!(f, "{c}"),
        }
    }
}

/// A typed link from this work to another.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Relation {
    /// The kind.
    pub kind: RelationKind,
    /// The target.
    pub target: Target,
}

/// One version in a record, with its legal dates.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VersionEntry {
    /// The version's content id.
    pub revision: RevisionId,
    /// Published (公布/发布).
    pub published: Date,
    /// Effective (施行); when absent, the published date is used.
    pub effective: Option<Date>,
    /// The amending document that produced this version.
    pub amended_by: Option<Citation>,
    /// A free note (e.g. "修正", "修订").
    pub note: Option<String>,
    /// Withdrawn from public view (已撤回): the text is kept in the
    /// library's history for the archive, and its legal dates still count
    /// for "in force on D", but it is no longer served publicly (see
    /// [`VersionEntry::is_withheld`]). A safety sweep that finds personal
    /// information in a published text resolves it this way.
    pub withdrawn: Option<Withdrawal>,
}

impl VersionEntry {
    /// A version effective on the day it was published.
    pub fn new(revision: RevisionId, published: Date) -> VersionEntry {
        VersionEntry {
            revision,
            published,
            effective: None,
            amended_by: None,
            note: None,
            withdrawn: None,
        }
    }

    /// Whether the text is withheld from public view: withdrawn on or
    /// before `today`.
    pub fn is_withheld(&self, today: Date) -> bool {
        self.withdrawn.as_ref().is_some_and(|w| w.date <= today)
    }

    /// The date from which this version is the text in force.
    pub fn effective_date(&self) -> Date {
        self.effective.unwrap_or(self.published)
    }

    /// The key versions are kept in ("legal order"): effective date, then
    /// published date, then revision id so the order is total.
    pub fn legal_key(&self) -> (Date, Date, RevisionId) {
        (self.effective_date(), self.published, self.revision)
    }
}

/// A repeal (废止).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Repeal {
    /// From this day the work is no longer in force.
    pub date: Date,
    /// The repealing document.
    pub by: Option<Target>,
}

/// A withdrawal (撤回): the publication itself is retracted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Withdrawal {
    /// From this day.
    pub date: Date,
    /// Why.
    pub reason: String,
}

/// What [`Record::insert_version`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// Inserted at this index of the legal order.
    At(usize),
    /// A version with the same revision id is already listed; nothing changed.
    AlreadyPresent,
}

/// How many days before its publication a version may take effect.
/// Retroactive effect of days or months happens (a regulation published in
/// January, effective from the first of the year); years are a mistake,
/// or the date of an earlier version. The importer does not propose such a
/// date and the store refuses one.
pub const MAX_RETROACTIVE_DAYS: i64 = 366;

/// One period of a work's [`Record::timeline`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// The first day of the period; `None` for the period before anything
    /// took effect.
    pub from: Option<Date>,
    /// The work's status in it.
    pub status: Status,
    /// The version that is the text in it (the last text, after the work
    /// ended); `None` before the first takes effect.
    pub revision: Option<RevisionId>,
}

/// A work's catalogue entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Record {
    /// The work.
    pub work: WorkId,
    /// Its type.
    pub doc_type: DocType,
    /// Its title (usually the current version's).
    pub title: String,
    /// Its document number (发文字号), if any.
    pub number: Option<DocNumber>,
    /// Issuing organs.
    pub issuers: Vec<String>,
    /// Subjects (tags).
    pub subjects: Vec<String>,
    /// Relations to other works, sorted.
    pub relations: Vec<Relation>,
    /// Versions in legal order.
    pub versions: Vec<VersionEntry>,
    /// Repeal, if repealed.
    pub repealed: Option<Repeal>,
    /// Last day of validity (有效期至), if limited.
    pub expires: Option<Date>,
    /// Withdrawal, if withdrawn.
    pub withdrawn: Option<Withdrawal>,
}

impl Record {
    /// A record with no versions, relations or events.
    pub fn new(work: WorkId, doc_type: DocType, title: impl Into<String>) -> Record {
        Record {
            work,
            doc_type,
            title: title.into(),
            number: None,
            issuers: Vec::new(),
            subjects: Vec::new(),
            relations: Vec::new(),
            versions: Vec::new(),
            repealed: None,
            expires: None,
            withdrawn: None,
        }
    }

    /// Inserts a version at its place in legal order; a version whose
    /// revision is already listed is left alone.
    pub fn insert_version(&mut self, entry: VersionEntry) -> Inserted {
        if self.version(&entry.revision).is_some() {
            return Inserted::AlreadyPresent;
        }
        let key = entry.legal_key();
        let at = self.versions.partition_point(|v| v.legal_key() < key);
        self.versions.insert(at, entry);
        Inserted::At(at)
    }

    /// The entry of one revision.
    pub fn version(&self, revision: &RevisionId) -> Option<&VersionEntry> {
        self.versions.iter().find(|v| v.revision == *revision)
    }

    /// Adds a relation unless present; returns whether it was added.
    pub fn add_relation(&mut self, relation: Relation) -> bool {
        match self.relations.binary_search(&relation) {
            Ok(_) => false,
            Err(at) => {
                self.relations.insert(at, relation);
                true
            }
        }
    }

    /// Removes a relation; returns whether it was present.
    pub fn remove_relation(&mut self, relation: &Relation) -> bool {
        let before = self.relations.len();
        self.relations.retain(|r| r != relation);
        before != self.relations.len()
    }

    /// Puts versions in legal order and relations in their sorted order,
    /// removing duplicate relations. Records read from XML are normalised.
    pub fn normalize(&mut self) {
        self.versions.sort_by_key(VersionEntry::legal_key);
        self.relations.sort();
        self.relations.dedup();
    }

    /// The version that is the text as of `date`: the latest whose effective
    /// date is on or before it. Lifecycle events do not change which text it
    /// was; see [`Record::as_of`] for the status.
    pub fn version_at(&self, date: Date) -> Option<&VersionEntry> {
        let n = self
            .versions
            .partition_point(|v| v.effective_date() <= date);
        n.checked_sub(1).map(|i| &self.versions[i])
    }

    /// The work's status on `date`. Withdrawal overrides everything from its
    /// date; otherwise the earlier of repeal and expiry ends validity; before
    /// the first effective date the work is not yet effective.
    pub fn status_at(&self, date: Date) -> Status {
        self.as_of(date).status
    }

    /// Status and text as of `date`.
    pub fn as_of(&self, date: Date) -> AsOf<'_> {
        let version = self.version_at(date);
        if let Some(w) = &self.withdrawn
            && w.date <= date
        {
            return AsOf {
                status: Status::Withdrawn,
                since: Some(w.date),
                version,
            };
        }
        let repeal = self
            .repealed
            .as_ref()
            .map(|r| r.date)
            .filter(|d| *d <= date);
        let expiry = self
            .expires
            .and_then(|d| d.add_days(1))
            .filter(|d| *d <= date);
        let end = match (repeal, expiry) {
            (Some(r), Some(e)) if e < r => Some((Status::Expired, e)),
            (Some(r), _) => Some((Status::Repealed, r)),
            (None, Some(e)) => Some((Status::Expired, e)),
            (None, None) => None,
        };
        if let Some((status, since)) = end {
            return AsOf {
                status,
                since: Some(since),
                version,
            };
        }
        match version {
            None => AsOf {
                status: Status::NotYetEffective,
                since: None,
                version: None,
            },
            Some(v) => AsOf {
                status: Status::InForce,
                since: Some(v.effective_date()),
                version: Some(v),
            },
        }
    }

    /// The work's status over time: one [`Period`] per change of status or
    /// of the text in force, oldest first. The first period starts with
    /// the work (`from` is `None`, not yet effective); each later one at
    /// the date a version took effect, the work was repealed or withdrawn,
    /// or the day after it expired. Adjacent days with the same status and
    /// the same text are one period.
    pub fn timeline(&self) -> Vec<Period> {
        let mut dates: Vec<Date> = self.versions.iter().map(|v| v.effective_date()).collect();
        dates.extend(self.repealed.as_ref().map(|r| r.date));
        dates.extend(self.withdrawn.as_ref().map(|w| w.date));
        dates.extend(self.expires.and_then(|d| d.add_days(1)));
        dates.sort();
        dates.dedup();
        let mut periods = vec![Period {
            from: None,
            status: Status::NotYetEffective,
            revision: None,
        }];
        for date in dates {
            let as_of = self.as_of(date);
            let period = Period {
                from: Some(date),
                status: as_of.status,
                revision: as_of.version.map(|v| v.revision),
            };
            let last = periods.last().expect("the first period is always there");
            if (last.status, last.revision) != (period.status, period.revision) {
                periods.push(period);
            }
        }
        periods
    }

    /// The status of one version on `date`: in force if it is the work's
    /// text then, superseded once a later version took effect, not yet
    /// effective before its own date, and the work's end status after the
    /// work ended; withdrawn (已撤回) from the day the version itself was
    /// withdrawn from public view. `None` if the revision is not listed.
    pub fn version_status(&self, revision: &RevisionId, date: Date) -> Option<Status> {
        let entry = self.version(revision)?;
        // A version withdrawn from public view is 已撤回 from that day,
        // whatever its legal dates say.
        if entry.is_withheld(date) {
            return Some(Status::Withdrawn);
        }
        if entry.effective_date() > date {
            return Some(Status::NotYetEffective);
        }
        let as_of = self.as_of(date);
        Some(match as_of.status {
            Status::InForce if as_of.version.map(|v| v.revision) == Some(*revision) => {
                Status::InForce
            }
            Status::InForce | Status::NotYetEffective | Status::Superseded => Status::Superseded,
            ended => {
                if as_of.version.map(|v| v.revision) == Some(*revision) {
                    ended
                } else {
                    Status::Superseded
                }
            }
        })
    }
}
