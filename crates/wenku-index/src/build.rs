//! Writing one layer: postings from the entries, sections cut into
//! blocks, each block archived and hashed, the manifest last, then the
//! header; written under a temporary name, synced, made read-only and
//! renamed into place.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rkyv::rancor::BoxedError;
use wenku_model::{DocType, title_key};

use crate::entry::{Oid, WorkEntry};
use crate::error::WriteError;
use crate::format::{
    ALIGN, BaseRef, BlockDesc, CitePosting, CiteRow, HEADER_LEN, Header, Manifest, NumberCites,
    NumberPosting, Posting, RegionPosting, RevisionPosting, Row, SectionDesc, SubjectPosting,
    TitleCites, TitlePosting, TypePosting, WorkRef, WorkRefs, is_sorted, layout_fingerprint,
};

/// What one layer file holds.
pub(crate) struct LayerSpec {
    pub(crate) kind: u8,
    pub(crate) commit: Oid,
    pub(crate) base: Option<BaseRef>,
    /// Sorted.
    pub(crate) removed: Vec<String>,
    /// Sorted by id, no two with the same id.
    pub(crate) entries: Vec<WorkEntry>,
    /// Whether to list the citations that resolve to no work of this
    /// layer (right for a base, which holds every work).
    pub(crate) unresolved: bool,
}

/// Writes `spec` atomically: to a temporary file beside `hint`, then
/// renamed to the path `dest` gives for the manifest's hash (which names
/// the content). Returns that path and the hash.
pub(crate) fn write_layer(
    hint: &Path,
    spec: LayerSpec,
    dest: impl FnOnce(&[u8; 32]) -> PathBuf,
) -> Result<(PathBuf, [u8; 32]), WriteError> {
    let tmp = temporary_name(hint);
    let result = write_to(&tmp, spec).and_then(|hash| {
        let path = dest(&hash);
        install(&tmp, &path)?;
        Ok((path, hash))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A name no other writer uses: writers are serialised by the caller, but
/// a crashed one may have left its file behind.
fn temporary_name(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{}-{n}.tmp", std::process::id()));
    path.with_file_name(name)
}

/// Makes read-only, renames into place and syncs the directory (the file
/// itself was synced when written).
fn install(tmp: &Path, path: &Path) -> Result<(), WriteError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| WriteError::Io { path: p, source }
    };
    let mut permissions = std::fs::metadata(tmp).map_err(io(tmp))?.permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(tmp, permissions).map_err(io(tmp))?;
    std::fs::rename(tmp, path).map_err(io(path))?;
    if let Some(dir) = path.parent() {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io(dir))?;
    }
    Ok(())
}

fn write_to(tmp: &Path, spec: LayerSpec) -> Result<[u8; 32], WriteError> {
    let io = |source| WriteError::Io {
        path: tmp.to_path_buf(),
        source,
    };
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(io)?;
    let mut out = Blocks {
        file: BufWriter::with_capacity(1 << 20, file),
        at: HEADER_LEN,
        sections: Vec::new(),
    };
    out.file.write_all(&[0u8; HEADER_LEN]).map_err(io)?;
    let LayerSpec {
        kind,
        commit,
        base,
        removed,
        entries,
        unresolved,
    } = spec;
    let p = Postings::of(&entries, unresolved);
    let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    out.section(ids).map_err(|e| e.at(tmp))?;
    out.section(entries).map_err(|e| e.at(tmp))?;
    out.section(wrap(p.numbers, NumberPosting))
        .map_err(|e| e.at(tmp))?;
    out.section(wrap(p.titles, TitlePosting))
        .map_err(|e| e.at(tmp))?;
    out.section(wrap(p.regions, RegionPosting))
        .map_err(|e| e.at(tmp))?;
    out.section(wrap(p.types, TypePosting))
        .map_err(|e| e.at(tmp))?;
    out.section(wrap(p.subjects, SubjectPosting))
        .map_err(|e| e.at(tmp))?;
    out.section(
        p.revisions
            .into_iter()
            .map(|(revision, works)| RevisionPosting { revision, works })
            .collect(),
    )
    .map_err(|e| e.at(tmp))?;
    out.section(
        p.work_refs
            .into_iter()
            .map(|(target, refs)| WorkRefs { target, refs })
            .collect(),
    )
    .map_err(|e| e.at(tmp))?;
    out.section(cites(p.number_cites, NumberCites))
        .map_err(|e| e.at(tmp))?;
    out.section(cites(p.title_cites, TitleCites))
        .map_err(|e| e.at(tmp))?;
    out.section(p.unresolved).map_err(|e| e.at(tmp))?;

    let manifest = Manifest {
        kind,
        commit: commit.0,
        base,
        removed,
        sections: out.sections,
    };
    let bytes = crate::layer::manifest_bytes(&manifest)
        .map_err(|e| WriteError::Archive(format!("the manifest: {e}")))?;
    let manifest_hash = *blake3::hash(&bytes).as_bytes();
    let mut file = out.file;
    file.write_all(&bytes).map_err(io)?;
    let header = Header {
        fingerprint: *layout_fingerprint(),
        file_len: (out.at + bytes.len()) as u64,
        manifest_offset: out.at as u64,
        manifest_len: bytes.len() as u64,
        manifest_hash,
    };
    let mut file = file.into_inner().map_err(|e| io(e.into_error()))?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.write_all(&header.encode()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(manifest_hash)
}

/// An archiving or I/O failure while writing blocks, before the path is
/// attached.
enum BlockError {
    Io(std::io::Error),
    Archive(String),
}

impl BlockError {
    fn at(self, path: &Path) -> WriteError {
        match self {
            BlockError::Io(source) => WriteError::Io {
                path: path.to_path_buf(),
                source,
            },
            BlockError::Archive(s) => WriteError::Archive(s),
        }
    }
}

/// The blocks written so far.
struct Blocks {
    file: BufWriter<File>,
    at: usize,
    sections: Vec<SectionDesc>,
}

impl Blocks {
    /// Writes one section (the next in file order).
    fn section<R>(&mut self, rows: Vec<R>) -> Result<(), BlockError>
    where
        R: Row
            + for<'a> rkyv::Serialize<
                rkyv::api::high::HighSerializer<
                    rkyv::util::AlignedVec,
                    rkyv::ser::allocator::ArenaHandle<'a>,
                    BoxedError,
                >,
            >,
    {
        debug_assert_eq!(R::SECTION as usize, self.sections.len());
        let sorted = is_sorted(R::SECTION as usize);
        let mut desc = SectionDesc {
            rows: rows.len() as u64,
            rows_per_block: R::ROWS_PER_BLOCK as u32,
            blocks: Vec::new(),
            fence: Vec::new(),
        };
        let mut rows = rows.into_iter();
        loop {
            let chunk: Vec<R> = rows.by_ref().take(R::ROWS_PER_BLOCK).collect();
            let Some(first) = chunk.first() else {
                break;
            };
            if sorted {
                desc.fence.push(first.owned_key());
            }
            let bytes = rkyv::to_bytes::<BoxedError>(&chunk).map_err(|e| {
                BlockError::Archive(format!("a block of section {:?}: {e}", R::SECTION))
            })?;
            let span = bytes.len().next_multiple_of(ALIGN);
            let padding = [0u8; ALIGN];
            let pad = &padding[..span - bytes.len()];
            let mut hasher = blake3::Hasher::new();
            hasher.update(&bytes);
            hasher.update(pad);
            self.file.write_all(&bytes).map_err(BlockError::Io)?;
            self.file.write_all(pad).map_err(BlockError::Io)?;
            let too_big = || BlockError::Archive(format!("a block of {} bytes", bytes.len()));
            desc.blocks.push(BlockDesc {
                offset: self.at as u64,
                archive_len: u32::try_from(bytes.len()).map_err(|_| too_big())?,
                span_len: u32::try_from(span).map_err(|_| too_big())?,
                hash: *hasher.finalize().as_bytes(),
            });
            self.at += span;
        }
        self.sections.push(desc);
        Ok(())
    }
}

fn wrap<T>(map: BTreeMap<String, Vec<u32>>, f: impl Fn(Posting) -> T) -> Vec<T> {
    map.into_iter()
        .map(|(key, works)| f(Posting { key, works }))
        .collect()
}

fn cites<T>(map: BTreeMap<String, Vec<CiteRow>>, f: impl Fn(CitePosting) -> T) -> Vec<T> {
    map.into_iter()
        .map(|(key, cites)| f(CitePosting { key, cites }))
        .collect()
}

/// Every key a layer files its works under. Ordinals are positions in the
/// sorted entries, so each list comes out ascending.
struct Postings {
    numbers: BTreeMap<String, Vec<u32>>,
    titles: BTreeMap<String, Vec<u32>>,
    regions: BTreeMap<String, Vec<u32>>,
    types: BTreeMap<String, Vec<u32>>,
    subjects: BTreeMap<String, Vec<u32>>,
    revisions: BTreeMap<[u8; 32], Vec<u32>>,
    work_refs: BTreeMap<String, Vec<WorkRef>>,
    number_cites: BTreeMap<String, Vec<CiteRow>>,
    title_cites: BTreeMap<String, Vec<CiteRow>>,
    unresolved: Vec<CiteRow>,
}

impl Postings {
    fn of(entries: &[WorkEntry], unresolved: bool) -> Postings {
        let mut p = Postings {
            numbers: BTreeMap::new(),
            titles: BTreeMap::new(),
            regions: BTreeMap::new(),
            types: BTreeMap::new(),
            subjects: BTreeMap::new(),
            revisions: BTreeMap::new(),
            work_refs: BTreeMap::new(),
            number_cites: BTreeMap::new(),
            title_cites: BTreeMap::new(),
            unresolved: Vec::new(),
        };
        for (i, e) in entries.iter().enumerate() {
            let i = u32::try_from(i).expect("fewer than 4 billion works");
            if let Some(n) = &e.number {
                p.numbers.entry(n.clone()).or_default().push(i);
            }
            let key = title_key(&e.title);
            if !key.is_empty() {
                p.titles.entry(key).or_default().push(i);
            }
            let region = e.id.split('/').next().unwrap_or_default();
            p.regions.entry(region.to_string()).or_default().push(i);
            let slug = DocType::ALL
                .get(usize::from(e.doc_type))
                .map_or("other", |t| t.as_str());
            p.types.entry(slug.to_string()).or_default().push(i);
            let subjects: BTreeSet<&String> = e.subjects.iter().collect();
            for s in subjects {
                p.subjects.entry(s.clone()).or_default().push(i);
            }
            let revisions: BTreeSet<[u8; 32]> = e.versions.iter().map(|v| v.revision).collect();
            for r in revisions {
                p.revisions.entry(r).or_default().push(i);
            }
            for r in &e.relations {
                if let Some(target) = &r.work {
                    // A work's own relations never make it its own referrer.
                    if *target != e.id {
                        p.work_refs
                            .entry(target.clone())
                            .or_default()
                            .push(WorkRef {
                                from: i,
                                kind: r.kind,
                            });
                    }
                }
                if let Some(c) = &r.citation {
                    let row = CiteRow {
                        from: i,
                        kind: r.kind,
                        citation: c.clone(),
                    };
                    if let Some(n) = &c.number {
                        p.number_cites
                            .entry(n.clone())
                            .or_default()
                            .push(row.clone());
                    }
                    if let Some(t) = &c.title {
                        let key = title_key(t);
                        if !key.is_empty() {
                            p.title_cites.entry(key).or_default().push(row.clone());
                        }
                    }
                }
            }
        }
        if unresolved {
            for (i, e) in entries.iter().enumerate() {
                let i = u32::try_from(i).expect("fewer than 4 billion works");
                for r in &e.relations {
                    let Some(c) = &r.citation else { continue };
                    let by_number = c.number.as_ref().is_some_and(|n| p.numbers.contains_key(n));
                    let by_title = c
                        .title
                        .as_ref()
                        .is_some_and(|t| p.titles.contains_key(&title_key(t)));
                    if !by_number && !by_title {
                        p.unresolved.push(CiteRow {
                            from: i,
                            kind: r.kind,
                            citation: c.clone(),
                        });
                    }
                }
            }
        }
        p
    }
}
