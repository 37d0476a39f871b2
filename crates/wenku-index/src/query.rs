//! Queries over an open index: a base layer with every work as of some
//! commit, and a delta layer with the works changed since (and the works
//! removed). A work in the delta hides its base row and every base posting
//! it contributed; nothing else needs adjusting, because every key the
//! index files a work under comes from that work's own entry, and
//! citations are resolved when asked, against both layers' keys.

use std::collections::BTreeSet;
use std::sync::Arc;

use rkyv::bytecheck::CheckBytes;
use rkyv::rancor::BoxedError;
use rkyv::{Portable, api::high::HighValidator};
use wenku_model::query::{AsOfVersion, Filter, Referrer, resolve_citation};
use wenku_model::{
    Citation, Date, Region, RelationKind, RevisionId, Target, VersionEntry, WorkId, title_key,
};

use crate::entry::{
    ArchivedCitationRow, ArchivedWorkEntry, Invalid, Oid, WorkEntry, item, work_id,
};
use crate::error::Corrupt;
use crate::format::{
    BaseRef, CiteRow, KIND_BASE, NumberCites, NumberPosting, PostingRow, RegionPosting,
    RevisionPosting, SubjectPosting, TitleCites, TitlePosting, TypePosting, WorkRefs,
};
use crate::layer::Layer;

/// An open index: answers for one commit.
#[derive(Debug, Clone)]
pub struct Index {
    pub(crate) base: Arc<Layer>,
    pub(crate) delta: Arc<Layer>,
}

/// Sizes of an open index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexStats {
    /// Works in the base layer.
    pub base_works: usize,
    /// Works in the delta layer (changed since the base).
    pub delta_works: usize,
    /// Works of the base removed since.
    pub removed: usize,
    /// Bytes of the base file.
    pub base_bytes: usize,
    /// Bytes of the delta file.
    pub delta_bytes: usize,
}

type Checked<R> = <R as rkyv::Archive>::Archived;

impl Index {
    /// The commit the index describes.
    pub fn commit(&self) -> Oid {
        Oid(self.delta.manifest().commit)
    }

    /// Whether a damaged block was found in either file since it was
    /// opened. Such an index answers nothing more; rebuild it.
    pub fn is_broken(&self) -> bool {
        self.base.is_broken() || self.delta.is_broken()
    }

    /// Sizes of the layers.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            base_works: self.base.rows::<String>(),
            delta_works: self.delta.rows::<String>(),
            removed: self.delta.manifest().removed.len(),
            base_bytes: self.base.len(),
            delta_bytes: self.delta.len(),
        }
    }

    /// Checks every block of both files now, as queries would one by one.
    pub fn verify(&self) -> Result<(), Corrupt> {
        self.base.verify()?;
        self.delta.verify()
    }

    pub(crate) fn base_ref(&self) -> Result<BaseRef, Corrupt> {
        let m = self.delta.manifest();
        let base = m
            .base
            .as_ref()
            .ok_or_else(|| self.delta.corrupt("the top layer names no base"))?;
        Ok(BaseRef {
            file: base.file.as_str().to_string(),
            manifest: base.manifest,
            commit: base.commit,
        })
    }

    fn delta_is_empty(&self) -> bool {
        self.delta.rows::<String>() == 0 && self.delta.manifest().removed.is_empty()
    }

    /// Whether the delta replaces or removes the base's work `id`.
    fn hidden(&self, id: &[u8]) -> Result<bool, Corrupt> {
        if self.delta_is_empty() {
            return Ok(false);
        }
        if self.delta.find::<String>(id)?.is_some() {
            return Ok(true);
        }
        let removed = &self.delta.manifest().removed;
        Ok(removed.binary_search_by(|r| r.as_bytes().cmp(id)).is_ok())
    }

    fn invalid(&self, layer: &Layer, e: Invalid) -> Corrupt {
        layer.corrupt(e.0)
    }

    /// The entry of a work, from whichever layer holds it.
    fn entry(&self, id: &str) -> Result<Option<(&Layer, &ArchivedWorkEntry)>, Corrupt> {
        let key = id.as_bytes();
        let mut layers = [self.delta.as_ref(), self.base.as_ref()].into_iter();
        let delta = layers.next().expect("two layers");
        let found = match delta.find::<String>(key)? {
            Some((i, _)) => Some((delta, i)),
            None if self.hidden(key)? => None,
            None => {
                let base = layers.next().expect("two layers");
                base.find::<String>(key)?.map(|(i, _)| (base, i))
            }
        };
        let Some((layer, i)) = found else {
            return Ok(None);
        };
        let entry = layer.row::<WorkEntry>(i)?;
        if entry.id.as_str() != id {
            return Err(layer.corrupt(format!(
                "work {i} is {}, but the ids say {id}",
                entry.id.as_str()
            )));
        }
        Ok(Some((layer, entry)))
    }

    /// Status and version of `work` on `date`; `None` if the work is not
    /// in the library.
    pub fn as_of(&self, work: &WorkId, date: Date) -> Result<Option<AsOfVersion>, Corrupt> {
        match self.entry(&work.to_string())? {
            None => Ok(None),
            Some((layer, e)) => e.as_of(date).map(Some).map_err(|x| self.invalid(layer, x)),
        }
    }

    /// A work's versions in legal order; `None` if it is not in the
    /// library.
    pub fn versions(&self, work: &WorkId) -> Result<Option<Vec<VersionEntry>>, Corrupt> {
        match self.entry(&work.to_string())? {
            None => Ok(None),
            Some((layer, e)) => e.versions().map(Some).map_err(|x| self.invalid(layer, x)),
        }
    }

    /// The git blob of a version's file, if the work lists the version and
    /// the file was present.
    pub fn version_blob(
        &self,
        work: &WorkId,
        revision: &RevisionId,
    ) -> Result<Option<Oid>, Corrupt> {
        Ok(self
            .entry(&work.to_string())?
            .and_then(|(_, e)| e.blob(revision)))
    }

    /// Whether the work is in the library.
    pub fn contains(&self, work: &WorkId) -> Result<bool, Corrupt> {
        Ok(self.entry(&work.to_string())?.is_some())
    }

    /// The ids of the works under `key` in `P`'s section of both layers.
    fn posting<P>(&self, key: &[u8]) -> Result<Vec<&str>, Corrupt>
    where
        P: PostingRow,
        Checked<P>: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        let mut out = Vec::new();
        for (layer, masked) in [(self.base.as_ref(), true), (self.delta.as_ref(), false)] {
            if let Some((_, row)) = layer.find::<P>(key)? {
                for o in P::works(row) {
                    let id = layer.row::<String>(o.to_native() as usize)?.as_str();
                    if !(masked && self.hidden(id.as_bytes())?) {
                        out.push(id);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Whether any work is filed under `key` in `P`'s section.
    fn any<P>(&self, key: &[u8]) -> Result<bool, Corrupt>
    where
        P: PostingRow,
        Checked<P>: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        if let Some((_, row)) = self.delta.find::<P>(key)?
            && !P::works(row).is_empty()
        {
            return Ok(true);
        }
        if let Some((_, row)) = self.base.find::<P>(key)? {
            for o in P::works(row) {
                let id = self.base.row::<String>(o.to_native() as usize)?;
                if !self.hidden(id.as_bytes())? {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    fn ids(&self, layer: &Layer, ids: Vec<&str>) -> Result<Vec<WorkId>, Corrupt> {
        let mut out = ids
            .into_iter()
            .map(|s| work_id(s).map_err(|e| self.invalid(layer, e)))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Works a citation refers to, by the model's citation rule
    /// ([`resolve_citation`]: the number first, then the title key). Sorted.
    pub fn lookup(&self, citation: &Citation) -> Result<Vec<WorkId>, Corrupt> {
        resolve_citation(
            citation,
            |number| {
                let ids = self.posting::<NumberPosting>(number.as_bytes())?;
                self.ids(&self.base, ids)
            },
            |key| {
                let ids = self.posting::<TitlePosting>(key.as_bytes())?;
                self.ids(&self.base, ids)
            },
        )
    }

    /// Whether a citation resolves to no work.
    fn unresolved_citation(&self, c: &ArchivedCitationRow) -> Result<bool, Corrupt> {
        if let Some(n) = c.number.as_ref()
            && self.any::<NumberPosting>(n.as_bytes())?
        {
            return Ok(false);
        }
        if let Some(t) = c.title.as_ref() {
            let key = title_key(t.as_str());
            if !key.is_empty() && self.any::<TitlePosting>(key.as_bytes())? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn reference(
        &self,
        layer: &Layer,
        from: &str,
        kind: u8,
        target: Result<Target, Invalid>,
    ) -> Result<Referrer, Corrupt> {
        let inner = || -> Result<Referrer, Invalid> {
            Ok(Referrer {
                from: work_id(from)?,
                kind: item(&RelationKind::ALL, kind, "relation kind")?,
                target: target?,
            })
        };
        inner().map_err(|e| self.invalid(layer, e))
    }

    /// Relations of other works that point at `work` (by id, or by a
    /// citation that resolves to it), sorted.
    pub fn referrers(&self, work: &WorkId) -> Result<Vec<Referrer>, Corrupt> {
        let id = work.to_string();
        let mut out = Vec::new();
        for (layer, masked) in [(self.base.as_ref(), true), (self.delta.as_ref(), false)] {
            if let Some((_, row)) = layer.find::<WorkRefs>(id.as_bytes())? {
                for r in row.refs.iter() {
                    let from = layer.row::<String>(r.from.to_native() as usize)?.as_str();
                    if masked && self.hidden(from.as_bytes())? {
                        continue;
                    }
                    out.push(self.reference(
                        layer,
                        from,
                        r.kind,
                        Ok(Target::Work(work.clone())),
                    )?);
                }
            }
        }
        if let Some((entry_layer, entry)) = self.entry(&id)? {
            let number = entry.number.as_ref().map(|n| n.as_str().to_string());
            let key = title_key(entry.title.as_str());
            for (layer, masked) in [(self.base.as_ref(), true), (self.delta.as_ref(), false)] {
                let mut cites: Vec<(&CiteRowA, bool)> = Vec::new();
                if let Some(n) = &number
                    && let Some((_, row)) = layer.find::<NumberCites>(n.as_bytes())?
                {
                    cites.extend(row.0.cites.iter().map(|c| (c, false)));
                }
                if !key.is_empty()
                    && let Some((_, row)) = layer.find::<TitleCites>(key.as_bytes())?
                {
                    cites.extend(row.0.cites.iter().map(|c| (c, true)));
                }
                for (c, by_title) in cites {
                    let from = layer.row::<String>(c.from.to_native() as usize)?.as_str();
                    if from == id || (masked && self.hidden(from.as_bytes())?) {
                        continue;
                    }
                    // By title only when the citation's number (if any)
                    // finds no work: then the number wins.
                    if by_title
                        && let Some(n) = c.citation.number.as_ref()
                        && self.any::<NumberPosting>(n.as_bytes())?
                    {
                        continue;
                    }
                    out.push(self.reference(
                        layer,
                        from,
                        c.kind,
                        c.citation.to_citation().map(Target::Citation),
                    )?);
                }
            }
            let _ = entry_layer;
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Works that list a version with this id.
    pub fn find_revision(&self, revision: &RevisionId) -> Result<Vec<WorkId>, Corrupt> {
        let ids = self.posting::<RevisionPosting>(revision.as_bytes())?;
        self.ids(&self.base, ids)
    }

    /// Works matching `query`, sorted.
    pub fn works(&self, query: &Filter) -> Result<Vec<WorkId>, Corrupt> {
        let mut ids: Vec<&str> = Vec::new();
        for (layer, masked) in [(self.base.as_ref(), true), (self.delta.as_ref(), false)] {
            for o in self.candidates(layer, query)? {
                let id = layer.row::<String>(o as usize)?.as_str();
                if !(masked && self.hidden(id.as_bytes())?) {
                    ids.push(id);
                }
            }
        }
        self.ids(&self.base, ids)
    }

    /// The ordinals of one layer's works matching `query`, ascending.
    fn candidates(&self, layer: &Layer, query: &Filter) -> Result<Vec<u32>, Corrupt> {
        let mut lists: Vec<Vec<u32>> = Vec::new();
        if let Some(region) = query.region {
            let mut all = Vec::new();
            layer.for_each::<RegionPosting>(|_, row| {
                let code =
                    Region::parse(row.0.key.as_str()).map_err(|e| layer.corrupt(e.to_string()))?;
                if region.contains(&code) {
                    all.extend(row.0.works.iter().map(|o| o.to_native()));
                }
                Ok(())
            })?;
            all.sort_unstable();
            lists.push(all);
        }
        if let Some(t) = query.doc_type {
            lists.push(native(
                layer
                    .find::<TypePosting>(t.as_str().as_bytes())?
                    .map(|(_, r)| &r.0.works[..]),
            ));
        }
        if let Some(s) = &query.subject {
            lists.push(native(
                layer
                    .find::<SubjectPosting>(s.as_bytes())?
                    .map(|(_, r)| &r.0.works[..]),
            ));
        }
        let mut candidates: Vec<u32> = match lists.pop() {
            None => (0..layer.rows::<String>() as u32).collect(),
            Some(first) => lists.iter().fold(first, |acc, l| {
                acc.into_iter()
                    .filter(|o| l.binary_search(o).is_ok())
                    .collect()
            }),
        };
        if let Some((status, date)) = query.status {
            let mut kept = Vec::with_capacity(candidates.len());
            for o in candidates {
                let entry = layer.row::<WorkEntry>(o as usize)?;
                if entry.status_at(date).map_err(|e| self.invalid(layer, e))? == status {
                    kept.push(o);
                }
            }
            candidates = kept;
        }
        Ok(candidates)
    }

    /// Relations by citation that resolve to no work, sorted.
    pub fn unresolved(&self) -> Result<Vec<Referrer>, Corrupt> {
        let mut out = Vec::new();
        let base = self.base.as_ref();
        if self.delta_is_empty() {
            base.for_each::<CiteRow>(|_, c| {
                let from = base.row::<String>(c.from.to_native() as usize)?.as_str();
                out.push(self.reference(
                    base,
                    from,
                    c.kind,
                    c.citation.to_citation().map(Target::Citation),
                )?);
                Ok(())
            })?;
            out.sort();
            return Ok(out);
        }
        // Keys whose resolution the delta may have changed: those of the
        // works it replaces or removes (as the base had them) and of the
        // works it holds.
        let mut numbers: BTreeSet<String> = BTreeSet::new();
        let mut titles: BTreeSet<String> = BTreeSet::new();
        let delta = self.delta.as_ref();
        let mut touched: Vec<String> = delta
            .manifest()
            .removed
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        delta.for_each::<String>(|_, id| {
            touched.push(id.as_str().to_string());
            Ok(())
        })?;
        for id in &touched {
            if let Some((i, _)) = base.find::<String>(id.as_bytes())? {
                let e = base.row::<WorkEntry>(i)?;
                keys_of(e, &mut numbers, &mut titles);
            }
        }
        delta.for_each::<WorkEntry>(|_, e| {
            keys_of(e, &mut numbers, &mut titles);
            Ok(())
        })?;
        // Unresolved in the base, untouched and under no affected key:
        // still unresolved.
        base.for_each::<CiteRow>(|_, c| {
            let from = base.row::<String>(c.from.to_native() as usize)?.as_str();
            if self.hidden(from.as_bytes())? {
                return Ok(());
            }
            let affected = c
                .citation
                .number
                .as_ref()
                .is_some_and(|n| numbers.contains(n.as_str()))
                || c.citation
                    .title
                    .as_ref()
                    .is_some_and(|t| titles.contains(&title_key(t.as_str())));
            if !affected {
                out.push(self.reference(
                    base,
                    from,
                    c.kind,
                    c.citation.to_citation().map(Target::Citation),
                )?);
            }
            Ok(())
        })?;
        // Citations under an affected key, from either layer: decide now.
        let mut candidates: Vec<(&Layer, &CiteRowA)> = Vec::new();
        for n in &numbers {
            if let Some((_, row)) = base.find::<NumberCites>(n.as_bytes())? {
                candidates.extend(row.0.cites.iter().map(|c| (base, c)));
            }
        }
        for t in &titles {
            if let Some((_, row)) = base.find::<TitleCites>(t.as_bytes())? {
                candidates.extend(row.0.cites.iter().map(|c| (base, c)));
            }
        }
        for (layer, c) in candidates {
            let from = layer.row::<String>(c.from.to_native() as usize)?.as_str();
            if self.hidden(from.as_bytes())? {
                continue;
            }
            if self.unresolved_citation(&c.citation)? {
                out.push(self.reference(
                    layer,
                    from,
                    c.kind,
                    c.citation.to_citation().map(Target::Citation),
                )?);
            }
        }
        delta.for_each::<WorkEntry>(|_, e| {
            for r in e.relations.iter() {
                if let Some(c) = r.citation.as_ref()
                    && self.unresolved_citation(c)?
                {
                    out.push(self.reference(
                        delta,
                        e.id.as_str(),
                        r.kind,
                        c.to_citation().map(Target::Citation),
                    )?);
                }
            }
            Ok(())
        })?;
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The delta's entries and removed works.
    pub(crate) fn delta_entries(&self) -> Result<(Vec<WorkEntry>, Vec<String>), Corrupt> {
        let delta = self.delta.as_ref();
        let mut entries = Vec::new();
        delta.for_each::<WorkEntry>(|_, e| {
            entries.push(deserialize(delta, e)?);
            Ok(())
        })?;
        let removed = delta
            .manifest()
            .removed
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        Ok((entries, removed))
    }

    /// Whether the delta lists the work `id` as removed.
    pub(crate) fn delta_removes(&self, id: &str) -> bool {
        self.delta
            .manifest()
            .removed
            .binary_search_by(|r| r.as_str().cmp(id))
            .is_ok()
    }

    /// Whether the base holds the work `id`.
    pub(crate) fn base_has(&self, id: &str) -> Result<bool, Corrupt> {
        Ok(self.base.find::<String>(id.as_bytes())?.is_some())
    }

    /// Checks that the layers fit: a base below, a delta on top naming it.
    pub(crate) fn check(&self) -> Result<(), Corrupt> {
        let base_ref = self.base_ref()?;
        let base = self.base.manifest();
        if base.kind != KIND_BASE || base.commit != base_ref.commit {
            return Err(self
                .base
                .corrupt("the base is not the one the top layer names"));
        }
        if self.base.manifest_hash() != base_ref.manifest {
            return Err(self
                .base
                .corrupt("the base's manifest is not the one the top layer names"));
        }
        Ok(())
    }
}

type CiteRowA = <CiteRow as rkyv::Archive>::Archived;

fn keys_of(e: &ArchivedWorkEntry, numbers: &mut BTreeSet<String>, titles: &mut BTreeSet<String>) {
    if let Some(n) = e.number.as_ref() {
        numbers.insert(n.as_str().to_string());
    }
    let key = title_key(e.title.as_str());
    if !key.is_empty() {
        titles.insert(key);
    }
}

fn native(works: Option<&[rkyv::Archived<u32>]>) -> Vec<u32> {
    works.map_or_else(Vec::new, |w| w.iter().map(|o| o.to_native()).collect())
}

fn deserialize(layer: &Layer, e: &ArchivedWorkEntry) -> Result<WorkEntry, Corrupt> {
    rkyv::deserialize::<WorkEntry, BoxedError>(e).map_err(|x| layer.corrupt(x.to_string()))
}
