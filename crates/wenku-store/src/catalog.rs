//! Questions over every work: filters, citation look-up, reverse relations.
//!
//! [`Catalog`] is the seam between the store's read API and whatever
//! answers these questions. [`TreeCatalog`] answers them by reading every
//! record of one commit (the store works without an index); the rkyv index
//! implements the same trait and is swapped in with
//! [`crate::Snapshot::with_catalog`]. Both must give the same answers; the
//! semantics are fixed here by [`Filter::matches`] and [`resolve`].

use std::collections::{BTreeMap, HashMap};

use gix::ObjectId;
use gix::objs::tree::EntryKind;
use wenku_model::{
    Citation, Date, DocType, Record, Region, RelationKind, RevisionId, Status, Target,
    VersionEntry, WorkId, title_key,
};

use crate::git;
use crate::layout;
use crate::read::{self, AsOfVersion, ReadError};

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

    /// Whether a record passes.
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

/// A relation that points at a work, seen from the target.
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

/// Answers questions over every work of one commit.
pub trait Catalog: std::fmt::Debug {
    /// The commit this catalog describes.
    fn commit(&self) -> ObjectId;
    /// Works matching `filter`, sorted by id.
    fn works(&self, filter: &Filter) -> Result<Vec<WorkId>, ReadError>;
    /// Works a citation refers to (see [`resolve`]).
    fn lookup(&self, citation: &Citation) -> Result<Vec<WorkId>, ReadError>;
    /// Relations of other works that point at `work`, sorted.
    fn referrers(&self, work: &WorkId) -> Result<Vec<Referrer>, ReadError>;
    /// Works that list a version with this id.
    fn find_revision(&self, revision: &RevisionId) -> Result<Vec<WorkId>, ReadError>;
    /// Relations whose target is a citation that resolves to no work,
    /// sorted (`target` is the citation).
    fn unresolved(&self) -> Result<Vec<Referrer>, ReadError>;

    /// Status and version of one work on `date`, if this catalog keeps
    /// them (the index does): `Ok(None)` sends the snapshot to the work's
    /// record instead. A work the catalog knows is absent is
    /// [`ReadError::UnknownWork`].
    fn as_of(&self, work: &WorkId, date: Date) -> Result<Option<AsOfVersion>, ReadError> {
        let _ = (work, date);
        Ok(None)
    }

    /// A work's versions in legal order, if this catalog keeps them;
    /// `Ok(None)` sends the snapshot to the record.
    fn versions(&self, work: &WorkId) -> Result<Option<Vec<VersionEntry>>, ReadError> {
        let _ = work;
        Ok(None)
    }

    /// The blob of a version's file, if this catalog keeps it; `Ok(None)`
    /// makes the snapshot look the file up in the tree.
    fn version_blob(
        &self,
        work: &WorkId,
        revision: &RevisionId,
    ) -> Result<Option<ObjectId>, ReadError> {
        let _ = (work, revision);
        Ok(None)
    }
}

/// Look-up keys of one record: its document number and its title key.
#[derive(Clone, Debug, Default)]
pub struct CitationKeys {
    by_number: HashMap<String, Vec<WorkId>>,
    by_title: HashMap<String, Vec<WorkId>>,
}

impl CitationKeys {
    /// Adds a record's keys.
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

    /// The citation rule: a citation with a document number resolves to the
    /// works carrying that number; if it has none, or no work carries it,
    /// its title resolves to the works whose title has the same
    /// [`title_key`]. Sorted, without duplicates.
    pub fn resolve(&self, citation: &Citation) -> Vec<WorkId> {
        let mut out = citation
            .number
            .as_ref()
            .and_then(|n| self.by_number.get(n.as_str()))
            .cloned()
            .unwrap_or_default();
        if out.is_empty()
            && let Some(t) = &citation.title
        {
            out = self
                .by_title
                .get(&title_key(t))
                .cloned()
                .unwrap_or_default();
        }
        out.sort();
        out.dedup();
        out
    }
}

/// See [`CitationKeys::resolve`]: resolves `citation` against `records`.
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

/// A catalog built by reading every record of one commit.
#[derive(Debug)]
pub struct TreeCatalog {
    commit: ObjectId,
    records: BTreeMap<WorkId, Record>,
    keys: CitationKeys,
}

impl TreeCatalog {
    /// Reads every record in `tree` (of `commit`).
    pub(crate) fn build(
        repo: &gix::Repository,
        commit: ObjectId,
        tree: ObjectId,
    ) -> Result<TreeCatalog, ReadError> {
        let _span = tracing::debug_span!("catalog_walk", %commit).entered();
        let mut records = BTreeMap::new();
        for_each_work(repo, tree, |work, dir| {
            let path = layout::record_path(&work);
            let entries = git::tree_entries(repo, dir, &layout::work_dir(&work))?;
            let Some(entry) = entries
                .iter()
                .find(|e| e.name == layout::RECORD_FILE && e.kind == EntryKind::Blob)
            else {
                return Ok(());
            };
            let bytes = git::read_blob(repo, entry.id, &path)?;
            let record = read::decode_record_at(&path, &work, &bytes)?;
            records.insert(work, record);
            Ok(())
        })?;
        Ok(TreeCatalog::from_records(commit, records))
    }

    /// A catalog over records already read.
    pub fn from_records(commit: ObjectId, records: BTreeMap<WorkId, Record>) -> TreeCatalog {
        let mut keys = CitationKeys::default();
        for r in records.values() {
            keys.add(r);
        }
        TreeCatalog {
            commit,
            records,
            keys,
        }
    }

    /// Every record, by work.
    pub fn records(&self) -> &BTreeMap<WorkId, Record> {
        &self.records
    }

    /// Every relation of every record that `keep` accepts, as referrers,
    /// sorted.
    fn referrers_where(&self, keep: impl Fn(&Record, &Target) -> bool) -> Vec<Referrer> {
        let mut out: Vec<Referrer> = self
            .records
            .values()
            .flat_map(|r| r.relations.iter().map(move |rel| (r, rel)))
            .filter(|(r, rel)| keep(r, &rel.target))
            .map(|(r, rel)| Referrer {
                from: r.work.clone(),
                kind: rel.kind,
                target: rel.target.clone(),
            })
            .collect();
        out.sort();
        out
    }
}

impl Catalog for TreeCatalog {
    fn commit(&self) -> ObjectId {
        self.commit
    }

    fn works(&self, filter: &Filter) -> Result<Vec<WorkId>, ReadError> {
        Ok(self
            .records
            .values()
            .filter(|r| filter.matches(r))
            .map(|r| r.work.clone())
            .collect())
    }

    fn lookup(&self, citation: &Citation) -> Result<Vec<WorkId>, ReadError> {
        Ok(self.keys.resolve(citation))
    }

    fn referrers(&self, work: &WorkId) -> Result<Vec<Referrer>, ReadError> {
        Ok(self.referrers_where(|r, target| {
            r.work != *work
                && match target {
                    Target::Work(w) => w == work,
                    Target::Citation(c) => self.keys.resolve(c).contains(work),
                }
        }))
    }

    fn find_revision(&self, revision: &RevisionId) -> Result<Vec<WorkId>, ReadError> {
        Ok(self
            .records
            .values()
            .filter(|r| r.version(revision).is_some())
            .map(|r| r.work.clone())
            .collect())
    }

    fn unresolved(&self) -> Result<Vec<Referrer>, ReadError> {
        Ok(self.referrers_where(
            |_, target| matches!(target, Target::Citation(c) if self.keys.resolve(c).is_empty()),
        ))
    }
}

/// Calls `f` with every work directory in `tree` whose path fits the
/// layout (region, shard, valid local in its right shard). Entries that do
/// not fit are skipped here; verification reports them.
pub(crate) fn for_each_work(
    repo: &gix::Repository,
    tree: ObjectId,
    mut f: impl FnMut(WorkId, ObjectId) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    for region in git::tree_entries(repo, tree, "")? {
        let Ok(code) = Region::parse(&region.name) else {
            continue;
        };
        if region.kind != EntryKind::Tree {
            continue;
        }
        for shard in git::tree_entries(repo, region.id, &region.name)? {
            if shard.kind != EntryKind::Tree {
                continue;
            }
            let shard_path = format!("{}/{}", region.name, shard.name);
            for dir in git::tree_entries(repo, shard.id, &shard_path)? {
                if dir.kind != EntryKind::Tree {
                    continue;
                }
                let Ok(work) = WorkId::new(code, &dir.name) else {
                    continue;
                };
                if layout::shard_of(work.local()) != shard.name {
                    continue;
                }
                f(work, dir.id)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_model::{DocNumber, Relation, VersionEntry};

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
        let mut b = rec("370200/x", "x", None);
        b.add_relation(Relation {
            kind: RelationKind::Basis,
            target: Target::Work(a.work.clone()),
        });
        let cat = TreeCatalog::from_records(
            ObjectId::null(gix::hash::Kind::Sha1),
            [(a.work.clone(), a.clone()), (b.work.clone(), b.clone())].into(),
        );
        assert_eq!(
            cat.referrers(&a.work).expect("in memory"),
            vec![Referrer {
                from: b.work.clone(),
                kind: RelationKind::Basis,
                target: Target::Work(a.work.clone())
            }]
        );
    }
}
