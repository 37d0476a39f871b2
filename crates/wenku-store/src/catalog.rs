//! Questions over every work: filters, citation look-up, reverse relations.
//!
//! [`Catalog`] is the seam between the store's read API and whatever
//! answers these questions. [`TreeCatalog`] answers them by reading every
//! record of one commit (the store works without an index); the rkyv index
//! implements the same trait and is swapped in with
//! [`crate::Snapshot::with_catalog`]. Both must give the same answers; the
//! questions and answers are wenku-model's ([`wenku_model::query`]), whose
//! [`Filter::matches`] and
//! [`resolve_citation`](wenku_model::query::resolve_citation) fix their meaning.

use std::collections::BTreeMap;

use crate::ObjectId;
use gix::objs::tree::EntryKind;
use wenku_model::query::{AsOfVersion, CitationKeys, Filter, Referrer};
use wenku_model::{Citation, Date, Record, Region, RevisionId, Target, VersionEntry, WorkId};

use crate::git;
use crate::layout;
use crate::read::{self, ReadError};

/// Answers questions over every work of one commit.
pub trait Catalog: std::fmt::Debug + Send + Sync {
    /// The commit this catalog describes.
    fn commit(&self) -> ObjectId;
    /// Works matching `filter`, sorted by id.
    fn works(&self, filter: &Filter) -> Result<Vec<WorkId>, ReadError>;
    /// Works a citation refers to (see
    /// [`resolve_citation`](wenku_model::query::resolve_citation)).
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
    use wenku_model::{DocType, Relation, RelationKind};

    fn rec(id: &str, title: &str) -> Record {
        Record::new(WorkId::parse(id).expect("valid"), DocType::Policy, title)
    }

    #[test]
    fn tree_catalog_finds_referrers() {
        let a = rec("370283/pdbf-2024-1", "平度");
        let mut b = rec("370200/x", "x");
        b.add_relation(Relation {
            kind: RelationKind::Basis,
            target: Target::Work(a.work.clone()),
        });
        let cat = TreeCatalog::from_records(
            ObjectId::from_hex(&"0".repeat(40)).expect("40 hex digits"),
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
