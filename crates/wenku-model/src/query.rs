//! The questions asked of a whole library and the shape of their answers,
//! shared by every catalog that answers them.
//!
//! The store answers these by reading every record of a commit; the index
//! answers them from its archive. Both take and return exactly these types,
//! and both follow the one citation rule, [`resolve_citation`], so that the
//! two can be compared answer for answer.

use std::collections::HashMap;

use crate::citation::{Citation, title_key};
use crate::date::Date;
use crate::document::DocType;
use crate::record::{Record, RelationKind, Target, VersionEntry};
use crate::region::Region;
use crate::status::{AsOf, Status};
use crate::work_id::WorkId;

/// Which works to list. Every condition set must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Works of this region or of regions inside it.
    pub region: Option<Region>,
    /// Works of this type.
    pub doc_type: Option<DocType>,
    /// Works tagged with this subject (exact match).
    pub subject: Option<String>,
    /// Works with this status on this date.
    pub status: Option<(Status, Date)>,
}

impl Filter {
    /// Every work.
    pub fn all() -> Filter {
        Filter::default()
    }

    /// Only works of `region` or regions inside it.
    pub fn region(mut self, region: Region) -> Filter {
        self.region = Some(region);
        self
    }

    /// Only works of this type.
    pub fn doc_type(mut self, doc_type: DocType) -> Filter {
        self.doc_type = Some(doc_type);
        self
    }

    /// Only works with this subject.
    pub fn subject(mut self, subject: impl Into<String>) -> Filter {
        self.subject = Some(subject.into());
        self
    }

    /// Only works that have `status` on `date`.
    pub fn status_on(mut self, status: Status, date: Date) -> Filter {
        self.status = Some((status, date));
        self
    }

    /// Whether a record passes: the meaning of every field, for every
    /// catalog.
    pub fn matches(&self, record: &Record) -> bool {
        self.region
            .is_none_or(|r| r.contains(&record.work.region()))
            && self.doc_type.is_none_or(|t| t == record.doc_type)
            && self
                .subject
                .as_ref()
                .is_none_or(|s| record.subjects.iter().any(|x| x == s))
            && self.status.is_none_or(|(s, d)| record.status_at(d) == s)
    }
}

/// A relation that points at a work, seen from the target; or, in a list of
/// unresolved citations, a relation whose citation resolves to no work.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Referrer {
    /// The work whose record holds the relation.
    pub from: WorkId,
    /// The relation's kind (`interprets` reads "interpreted by" from here).
    pub kind: RelationKind,
    /// The target as the record writes it: the work id, or a citation that
    /// resolves to the work.
    pub target: Target,
}

/// The answer to "what was in force on date D" for one work, owned (the
/// borrowed form, [`AsOf`], is what [`Record::as_of`] gives).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsOfVersion {
    /// The work's status that day.
    pub status: Status,
    /// Since when the status holds; `None` when not yet effective.
    pub since: Option<Date>,
    /// The latest version effective on or before the day (when the work
    /// has ended, the last text it had).
    pub version: Option<VersionEntry>,
}

impl From<AsOf<'_>> for AsOfVersion {
    fn from(a: AsOf<'_>) -> AsOfVersion {
        AsOfVersion {
            status: a.status,
            since: a.since,
            version: a.version.cloned(),
        }
    }
}

/// The citation rule, in one place: a citation with a document number
/// resolves to the works carrying that number; if it has none, or no work
/// carries it, its title resolves to the works whose title has the same
/// [`title_key`]. Sorted, without duplicates.
///
/// `by_number` and `by_title` look a normalised number (`鲁政办发〔2025〕5号`)
/// or a title key up in whatever the caller keeps; errors of the look-up
/// pass through.
pub fn resolve_citation<E>(
    citation: &Citation,
    mut by_number: impl FnMut(&str) -> Result<Vec<WorkId>, E>,
    mut by_title: impl FnMut(&str) -> Result<Vec<WorkId>, E>,
) -> Result<Vec<WorkId>, E> {
    let mut out = match &citation.number {
        Some(n) => by_number(n.as_str())?,
        None => Vec::new(),
    };
    if out.is_empty()
        && let Some(t) = &citation.title
    {
        let key = title_key(t);
        if !key.is_empty() {
            out = by_title(&key)?;
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Look-up keys of records in memory: document numbers and title keys,
/// answering [`resolve_citation`] for catalogs that hold records.
#[derive(Clone, Debug, Default)]
pub struct CitationKeys {
    by_number: HashMap<String, Vec<WorkId>>,
    by_title: HashMap<String, Vec<WorkId>>,
}

impl CitationKeys {
    /// Adds a record's keys: its number, and its title's key if not empty.
    pub fn add(&mut self, record: &Record) {
        if let Some(n) = &record.number {
            self.by_number
                .entry(n.as_str().to_string())
                .or_default()
                .push(record.work.clone());
        }
        let key = title_key(&record.title);
        if !key.is_empty() {
            self.by_title
                .entry(key)
                .or_default()
                .push(record.work.clone());
        }
    }

    /// The works `citation` refers to, by [`resolve_citation`].
    pub fn resolve(&self, citation: &Citation) -> Vec<WorkId> {
        let get = |map: &HashMap<String, Vec<WorkId>>, key: &str| {
            Ok::<_, std::convert::Infallible>(map.get(key).cloned().unwrap_or_default())
        };
        match resolve_citation(
            citation,
            |n| get(&self.by_number, n),
            |t| get(&self.by_title, t),
        ) {
            Ok(works) => works,
            Err(never) => match never {},
        }
    }
}

/// Resolves `citation` against `records` (see [`resolve_citation`]).
pub fn resolve<'a>(
    citation: &Citation,
    records: impl IntoIterator<Item = &'a Record>,
) -> Vec<WorkId> {
    let mut keys = CitationKeys::default();
    for r in records {
        keys.add(r);
    }
    keys.resolve(citation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DocNumber, RevisionId};

    fn rec(id: &str, title: &str, number: Option<&str>) -> Record {
        let mut r = Record::new(WorkId::parse(id).expect("valid"), DocType::Policy, title);
        r.number = number.map(|n| DocNumber::parse(n).expect("valid number"));
        r
    }

    #[test]
    fn citations_resolve_by_number_then_title() {
        let a = rec(
            "370000/lzbf-2025-5",
            "2025年山东省政务公开工作要点",
            Some("鲁政办发〔2025〕5号"),
        );
        let b = rec(
            "370200/qzbf-2025-3",
            "2025年青岛市政务公开工作要点",
            Some("青政办发〔2025〕3号"),
        );
        let recs = [a.clone(), b.clone()];
        let by_number = Citation::number(DocNumber::parse("鲁政办发[2025]5号").expect("valid"));
        assert_eq!(resolve(&by_number, &recs), vec![a.work.clone()]);
        let by_title = Citation::title("《2025年青岛市政务公开工作要点》");
        assert_eq!(resolve(&by_title, &recs), vec![b.work.clone()]);
        // A number no work carries falls back to the title.
        let both = Citation {
            number: DocNumber::parse("鲁政办发〔2099〕1号"),
            title: Some("2025年青岛市政务公开工作要点".into()),
        };
        assert_eq!(resolve(&both, &recs), vec![b.work.clone()]);
        assert!(resolve(&Citation::title("不存在"), &recs).is_empty());
    }

    #[test]
    fn filters_combine() {
        let mut a = rec("370283/pdbf-2024-1", "平度", None);
        a.subjects.push("政务公开".into());
        a.insert_version(VersionEntry::new(
            RevisionId::of(b"a"),
            Date::parse_iso("2024-07-16").expect("valid"),
        ));
        let city = Region::parse("370200").expect("valid");
        let d = Date::parse_iso("2024-08-01").expect("valid");
        assert!(Filter::all().region(city).matches(&a));
        assert!(
            !Filter::all()
                .region(Region::parse("370300").expect("valid"))
                .matches(&a)
        );
        assert!(
            Filter::all()
                .subject("政务公开")
                .status_on(Status::InForce, d)
                .matches(&a)
        );
        assert!(
            !Filter::all()
                .status_on(
                    Status::InForce,
                    Date::parse_iso("2024-01-01").expect("valid")
                )
                .matches(&a)
        );
        assert!(!Filter::all().doc_type(DocType::Law).matches(&a));
    }
}
