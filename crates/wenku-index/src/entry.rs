//! One work as the index keeps it: the parts of its record that queries
//! need, its versions with their git blob ids, and its status timeline.
//!
//! A [`WorkEntry`] is built from a [`Record`] ([`WorkEntry::from_record`])
//! and archived as one row of the works section. Everything the index
//! answers about a work, and every key it files the work under, derives
//! from its entry, so merging layers needs nothing else.

use std::fmt;

use rkyv::{Archive, Deserialize, Serialize};
use wenku_model::query::AsOfVersion;
use wenku_model::{
    Citation, Date, DocNumber, DocType, Record, RelationKind, RevisionId, Status, Target,
    VersionEntry, Withdrawal, WorkId,
};

/// A git object id (SHA-1, the hash wenku's libraries use), as the store
/// hands it over. The index does not depend on gix.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid(pub [u8; 20]);

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// Everything the index keeps about one work.
#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct WorkEntry {
    pub(crate) id: String,
    pub(crate) doc_type: u8,
    pub(crate) title: String,
    pub(crate) number: Option<String>,
    pub(crate) subjects: Vec<String>,
    /// In the record's (legal) order.
    pub(crate) versions: Vec<VersionRow>,
    /// Where the status changes; before the first span the work is not
    /// yet effective.
    pub(crate) timeline: Vec<SpanRow>,
    pub(crate) relations: Vec<RelationRow>,
}

/// One version: ids, legal dates, the amending document and the note.
#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct VersionRow {
    pub(crate) revision: [u8; 32],
    /// The blob of `<revision>.xml` in the work's directory, if present.
    pub(crate) blob: Option<[u8; 20]>,
    pub(crate) published: u32,
    /// 0 when the record gives no effective date.
    pub(crate) effective: u32,
    pub(crate) amended_by: Option<CitationRow>,
    pub(crate) note: Option<String>,
    /// Withheld from public view: the day (packed) and the reason.
    pub(crate) withdrawn: Option<(u32, String)>,
}

/// A citation as written: normalised number and title.
#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CitationRow {
    pub(crate) number: Option<String>,
    pub(crate) title: Option<String>,
}

/// From `start` on, the work has `status`, holding since `since` (0: none).
#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct SpanRow {
    pub(crate) start: u32,
    pub(crate) status: u8,
    pub(crate) since: u32,
}

/// A relation of this work: to a work by id, or to a citation.
#[derive(Archive, Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct RelationRow {
    pub(crate) kind: u8,
    pub(crate) work: Option<String>,
    pub(crate) citation: Option<CitationRow>,
}

/// Something in the index that does not decode to a model value. Files are
/// checksummed, so this means a file this build did not write (or a bug).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Invalid(pub(crate) String);

impl WorkEntry {
    /// The entry of a record. `blob` gives the git blob id of a version's
    /// file in the work's directory (`None` if the file is missing).
    pub fn from_record(record: &Record, mut blob: impl FnMut(&RevisionId) -> Option<Oid>) -> Self {
        WorkEntry {
            id: record.work.to_string(),
            doc_type: index_of(&DocType::ALL, &record.doc_type),
            title: record.title.clone(),
            number: record.number.as_ref().map(|n| n.as_str().to_string()),
            subjects: record.subjects.clone(),
            versions: record
                .versions
                .iter()
                .map(|v| VersionRow {
                    revision: *v.revision.as_bytes(),
                    blob: blob(&v.revision).map(|o| o.0),
                    published: pack(v.published),
                    effective: v.effective.map_or(0, pack),
                    amended_by: v.amended_by.as_ref().map(CitationRow::of),
                    note: v.note.clone(),
                    withdrawn: v
                        .withdrawn
                        .as_ref()
                        .map(|w| (pack(w.date), w.reason.clone())),
                })
                .collect(),
            timeline: timeline(record),
            relations: record
                .relations
                .iter()
                .map(|r| RelationRow {
                    kind: index_of(&RelationKind::ALL, &r.kind),
                    work: match &r.target {
                        Target::Work(w) => Some(w.to_string()),
                        Target::Citation(_) => None,
                    },
                    citation: match &r.target {
                        Target::Work(_) => None,
                        Target::Citation(c) => Some(CitationRow::of(c)),
                    },
                })
                .collect(),
        }
    }

    /// The work's id, as text.
    pub fn work(&self) -> &str {
        &self.id
    }
}

/// The status timeline: the record's status evaluated at every date where
/// it can change (each version's effective date, the withdrawal, the
/// repeal, the day after expiry), keeping the points where it does.
/// Between two such dates nothing [`Record::as_of`] compares changes, so
/// the status there is the status at the earlier one; before the first,
/// no version is effective and no event has happened: not yet effective.
fn timeline(record: &Record) -> Vec<SpanRow> {
    let mut points: Vec<Date> = record
        .versions
        .iter()
        .map(VersionEntry::effective_date)
        .collect();
    points.extend(record.withdrawn.as_ref().map(|w| w.date));
    points.extend(record.repealed.as_ref().map(|r| r.date));
    points.extend(record.expires.and_then(|d| d.add_days(1)));
    points.sort();
    points.dedup();
    let mut out: Vec<SpanRow> = Vec::new();
    let mut last = (Status::NotYetEffective, None);
    for p in points {
        let a = record.as_of(p);
        if (a.status, a.since) != last {
            last = (a.status, a.since);
            out.push(SpanRow {
                start: pack(p),
                status: index_of(&Status::ALL, &a.status),
                since: a.since.map_or(0, pack),
            });
        }
    }
    out
}

impl CitationRow {
    pub(crate) fn of(c: &Citation) -> CitationRow {
        CitationRow {
            number: c.number.as_ref().map(|n| n.as_str().to_string()),
            title: c.title.clone(),
        }
    }
}

impl ArchivedCitationRow {
    pub(crate) fn to_citation(&self) -> Result<Citation, Invalid> {
        Ok(Citation {
            number: match self.number.as_ref() {
                None => None,
                Some(n) => Some(doc_number(n.as_str())?),
            },
            title: self.title.as_ref().map(|t| t.as_str().to_string()),
        })
    }
}

impl ArchivedWorkEntry {
    /// Status and version on `date`, as [`Record::as_of`] gives them.
    pub(crate) fn as_of(&self, date: Date) -> Result<AsOfVersion, Invalid> {
        let d = pack(date);
        let spans = self.timeline.as_slice();
        let n = spans.partition_point(|s| s.start.to_native() <= d);
        let (status, since) = match n.checked_sub(1).map(|i| &spans[i]) {
            None => (Status::NotYetEffective, None),
            Some(s) => (
                item(&Status::ALL, s.status, "status")?,
                unpack_opt(s.since.to_native())?,
            ),
        };
        let versions = self.versions.as_slice();
        let v = versions.partition_point(|v| v.effective_date() <= d);
        let version = match v.checked_sub(1) {
            None => None,
            Some(i) => Some(versions[i].to_entry()?),
        };
        Ok(AsOfVersion {
            status,
            since,
            version,
        })
    }

    /// Every version, in legal order.
    pub(crate) fn versions(&self) -> Result<Vec<VersionEntry>, Invalid> {
        self.versions.iter().map(|v| v.to_entry()).collect()
    }

    /// The blob of one version's file.
    pub(crate) fn blob(&self, revision: &RevisionId) -> Option<Oid> {
        self.versions
            .iter()
            .find(|v| v.revision == *revision.as_bytes())
            .and_then(|v| v.blob.as_ref().map(|b| Oid(*b)))
    }

    /// The status on `date` (for status filters).
    pub(crate) fn status_at(&self, date: Date) -> Result<Status, Invalid> {
        let d = pack(date);
        let spans = self.timeline.as_slice();
        let n = spans.partition_point(|s| s.start.to_native() <= d);
        match n.checked_sub(1) {
            None => Ok(Status::NotYetEffective),
            Some(i) => item(&Status::ALL, spans[i].status, "status"),
        }
    }
}

impl ArchivedVersionRow {
    fn effective_date(&self) -> u32 {
        match self.effective.to_native() {
            0 => self.published.to_native(),
            e => e,
        }
    }

    fn to_entry(&self) -> Result<VersionEntry, Invalid> {
        Ok(VersionEntry {
            revision: RevisionId::from_bytes(self.revision),
            published: unpack(self.published.to_native())?,
            effective: unpack_opt(self.effective.to_native())?,
            amended_by: match self.amended_by.as_ref() {
                None => None,
                Some(c) => Some(c.to_citation()?),
            },
            note: self.note.as_ref().map(|n| n.as_str().to_string()),
            withdrawn: match self.withdrawn.as_ref() {
                None => None,
                Some(w) => Some(Withdrawal {
                    date: unpack(w.0.to_native())?,
                    reason: w.1.as_str().to_string(),
                }),
            },
        })
    }
}

/// A date as `yyyymmdd`: ordered like the date, and never 0 (years start
/// at 1000), so 0 can mean "none".
pub(crate) fn pack(date: Date) -> u32 {
    date.year() * 10_000 + date.month() * 100 + date.day()
}

pub(crate) fn unpack(v: u32) -> Result<Date, Invalid> {
    Date::new(v / 10_000, v / 100 % 100, v % 100).map_err(|e| Invalid(e.to_string()))
}

fn unpack_opt(v: u32) -> Result<Option<Date>, Invalid> {
    match v {
        0 => Ok(None),
        v => unpack(v).map(Some),
    }
}

pub(crate) fn index_of<T: PartialEq>(all: &[T], x: &T) -> u8 {
    let i = all
        .iter()
        .position(|a| a == x)
        .expect("the ALL tables list every variant");
    u8::try_from(i).expect("the ALL tables are short")
}

pub(crate) fn item<T: Copy>(all: &[T], i: u8, what: &str) -> Result<T, Invalid> {
    all.get(usize::from(i))
        .copied()
        .ok_or_else(|| Invalid(format!("{what} code {i} is out of range")))
}

pub(crate) fn work_id(s: &str) -> Result<WorkId, Invalid> {
    WorkId::parse(s).map_err(|e| Invalid(e.to_string()))
}

pub(crate) fn doc_number(s: &str) -> Result<DocNumber, Invalid> {
    DocNumber::parse(s).ok_or_else(|| Invalid(format!("{s:?} is not a document number")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_model::{Relation, Repeal, Withdrawal};

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("valid date in test")
    }

    fn archived(entry: &WorkEntry) -> rkyv::util::AlignedVec {
        rkyv::to_bytes::<rkyv::rancor::BoxedError>(entry).expect("serialises")
    }

    #[test]
    fn dates_pack_in_order_and_back() {
        for s in ["1000-01-01", "1999-12-31", "2024-02-29", "9999-12-31"] {
            assert_eq!(unpack(pack(d(s))), Ok(d(s)));
        }
        assert!(pack(d("2024-01-31")) < pack(d("2024-02-01")));
        assert!(unpack(20_230_230).is_err());
    }

    #[test]
    fn as_of_follows_the_record_at_every_day() {
        let work = WorkId::parse("370200/x").expect("valid");
        let mut r = Record::new(work, DocType::Regulation, "示例");
        let mut v1 = VersionEntry::new(RevisionId::of(b"1"), d("2020-01-01"));
        v1.effective = Some(d("2020-03-01"));
        v1.note = Some("发布".into());
        let mut v2 = VersionEntry::new(RevisionId::of(b"2"), d("2022-05-01"));
        v2.amended_by = Some(Citation::title("关于修改的决定"));
        r.insert_version(v1);
        r.insert_version(v2);
        r.insert_version(VersionEntry::new(RevisionId::of(b"3"), d("2022-05-01")));
        r.expires = Some(d("2023-06-30"));
        r.repealed = Some(Repeal {
            date: d("2023-01-01"),
            by: None,
        });
        r.withdrawn = Some(Withdrawal {
            date: d("2024-01-01"),
            reason: "撤回".into(),
        });
        r.add_relation(Relation {
            kind: RelationKind::Basis,
            target: Target::Citation(Citation::title("依据")),
        });
        let entry = WorkEntry::from_record(&r, |rev| Some(Oid([rev.as_bytes()[0]; 20])));
        let bytes = archived(&entry);
        let a =
            rkyv::access::<ArchivedWorkEntry, rkyv::rancor::BoxedError>(&bytes).expect("validates");
        let mut day = d("2019-12-25");
        while day < d("2024-02-01") {
            let expected = r.as_of(day);
            let got = a.as_of(day).expect("decodes");
            assert_eq!(got.status, expected.status, "{day}");
            assert_eq!(got.since, expected.since, "{day}");
            assert_eq!(got.version.as_ref(), expected.version, "{day}");
            assert_eq!(a.status_at(day), Ok(r.status_at(day)));
            day = day.add_days(1).expect("in range");
        }
        assert_eq!(a.versions(), Ok(r.versions.clone()));
        let rev = RevisionId::of(b"2");
        assert_eq!(a.blob(&rev), Some(Oid([rev.as_bytes()[0]; 20])));
    }
}
