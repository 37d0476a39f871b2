//! One index file, memory-mapped: opened by checking its header and
//! manifest, read block by block, each block checked the first time it is
//! read.
//!
//! This is where the crate's unsafe code is, in three small functions:
//! [`map_file`] maps the file, [`Layer::manifest`] and [`Layer::block`]
//! read archives that were validated earlier in the same mapping without
//! validating them again. Each says why it is sound.

use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use memmap2::Mmap;
use rkyv::bytecheck::CheckBytes;
use rkyv::rancor::BoxedError;
use rkyv::vec::ArchivedVec;
use rkyv::{Portable, api::high::HighValidator};

use crate::error::{Corrupt, OpenError};
use crate::format::{
    ALIGN, ArchivedManifest, HEADER_LEN, Header, HeaderError, Manifest, Row, SECTIONS, is_sorted,
};

/// A block not read yet in this mapping.
const UNCHECKED: u8 = 0;
/// A block whose hash matched and that passed bytecheck.
const VALID: u8 = 1;
/// A block that failed either.
const BAD: u8 = 2;

/// Maps an index file read-only.
///
/// Why `unsafe`: a mapping reflects later writes to the file, and a file
/// truncated under a mapping faults on access. Index files are never
/// written in place: each is written under a temporary name, synced,
/// made read-only and renamed into place, and is only ever replaced by
/// another rename or removed — both leave an existing mapping on the old
/// inode untouched. A program that writes into `.git/wenku/index/` behind
/// wenku's back is outside this contract, as one that rewrites git's own
/// pack files in place would be.
#[allow(unsafe_code)]
fn map_file(file: &File) -> std::io::Result<Mmap> {
    // SAFETY: see above: the file's bytes do not change while mapped
    // because wenku never modifies an index file after renaming it into
    // place; it only replaces or removes it.
    unsafe { Mmap::map(file) }
}

/// One mapped index file (a base or a delta layer).
pub(crate) struct Layer {
    path: PathBuf,
    map: Mmap,
    manifest: Range<usize>,
    manifest_hash: [u8; 32],
    /// The state slot of each section's first block.
    first_slot: [usize; SECTIONS],
    states: Box<[AtomicU8]>,
    broken: AtomicBool,
}

impl std::fmt::Debug for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layer")
            .field("path", &self.path)
            .field("len", &self.map.len())
            .finish_non_exhaustive()
    }
}

impl Layer {
    /// Opens and checks a file: header (magic, version, layout, its own
    /// checksum, the file's length), manifest (BLAKE3, then bytecheck) and
    /// the manifest's block table (inside the file, aligned, tiling the
    /// space between header and manifest). Blocks are checked later, when
    /// read.
    pub(crate) fn open(path: &Path) -> Result<Layer, OpenError> {
        let io = |source| OpenError::Io {
            path: path.to_path_buf(),
            source,
        };
        let corrupt = |what: String| {
            OpenError::Corrupt(Corrupt {
                path: path.to_path_buf(),
                what,
            })
        };
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(OpenError::Missing {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(io(e)),
        };
        let len = file.metadata().map_err(io)?.len();
        if len < HEADER_LEN as u64 {
            return Err(corrupt(format!(
                "{len} bytes, shorter than the {HEADER_LEN}-byte header"
            )));
        }
        let map = map_file(&file).map_err(io)?;
        let header = Header::decode(&map).map_err(|e| match e {
            HeaderError::Corrupt(what) => corrupt(what),
            HeaderError::Format(reason) => OpenError::Format {
                path: path.to_path_buf(),
                reason,
            },
        })?;
        if header.file_len != map.len() as u64 {
            return Err(corrupt(format!(
                "{} bytes, but the header records {}",
                map.len(),
                header.file_len
            )));
        }
        let start = usize::try_from(header.manifest_offset).unwrap_or(usize::MAX);
        let end = start.saturating_add(usize::try_from(header.manifest_len).unwrap_or(usize::MAX));
        if start < HEADER_LEN || start % ALIGN != 0 || end != map.len() {
            return Err(corrupt(format!(
                "the manifest's place {start}..{end} does not end the file"
            )));
        }
        let bytes = &map[start..end];
        if blake3::hash(bytes).as_bytes() != &header.manifest_hash {
            return Err(corrupt("the manifest's checksum does not match".into()));
        }
        let manifest = rkyv::access::<ArchivedManifest, BoxedError>(bytes)
            .map_err(|e| corrupt(format!("the manifest does not validate: {e}")))?;
        let first_slot = check_blocks(manifest, start).map_err(corrupt)?;
        let total = manifest
            .sections
            .iter()
            .map(|s| s.blocks.len())
            .sum::<usize>();
        Ok(Layer {
            path: path.to_path_buf(),
            manifest: start..end,
            manifest_hash: header.manifest_hash,
            first_slot,
            states: (0..total).map(|_| AtomicU8::new(UNCHECKED)).collect(),
            broken: AtomicBool::new(false),
            map,
        })
    }

    /// The BLAKE3 of the manifest: names this file's content (the
    /// manifest holds every block's hash).
    pub(crate) fn manifest_hash(&self) -> [u8; 32] {
        self.manifest_hash
    }

    /// The file's size in bytes.
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// The manifest, validated by [`Layer::open`].
    #[allow(unsafe_code)]
    pub(crate) fn manifest(&self) -> &ArchivedManifest {
        let bytes = &self.map[self.manifest.clone()];
        // SAFETY: `open` validated exactly these bytes as an
        // `ArchivedManifest` with `rkyv::access` (bytecheck) before it
        // built `self`, and the mapping never changes (see `map_file`).
        unsafe { rkyv::access_unchecked::<ArchivedManifest>(bytes) }
    }

    /// Whether a damaged block was found in this mapping.
    pub(crate) fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }

    /// Marks the file damaged and describes the damage.
    pub(crate) fn corrupt(&self, what: impl Into<String>) -> Corrupt {
        self.broken.store(true, Ordering::Relaxed);
        Corrupt {
            path: self.path.clone(),
            what: what.into(),
        }
    }

    /// Number of rows in `R`'s section.
    pub(crate) fn rows<R: Row>(&self) -> usize {
        self.manifest().sections[R::SECTION as usize]
            .rows
            .to_native() as usize
    }

    /// Block `b` of `R`'s section: checked (BLAKE3 over the block and its
    /// padding, then bytecheck as `ArchivedVec<R::Archived>`) the first
    /// time it is read in this mapping, trusted afterwards.
    #[allow(unsafe_code)]
    pub(crate) fn block<R>(&self, b: usize) -> Result<&ArchivedVec<R::Archived>, Corrupt>
    where
        R: Row,
        R::Archived: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        let s = R::SECTION as usize;
        let section = &self.manifest().sections[s];
        let Some(desc) = section.blocks.get(b) else {
            return Err(self.corrupt(format!("section {s} has no block {b}")));
        };
        let offset = desc.offset.to_native() as usize;
        // In bounds: `open` checked that every block lies inside the file.
        let bytes = &self.map[offset..offset + desc.archive_len.to_native() as usize];
        let state = &self.states[self.first_slot[s] + b];
        match state.load(Ordering::Acquire) {
            VALID => {
                // SAFETY: the state is VALID only after `rkyv::access`
                // below validated these same bytes (the range comes from
                // the validated manifest, which never changes) as this
                // same type (the slot belongs to section `R::SECTION`,
                // whose rows are always read as `R`), and the mapping
                // never changes (see `map_file`).
                Ok(unsafe { rkyv::access_unchecked::<ArchivedVec<R::Archived>>(bytes) })
            }
            BAD => Err(self.corrupt(format!("block {b} of section {s} is damaged"))),
            _ => {
                let span = &self.map[offset..offset + desc.span_len.to_native() as usize];
                if blake3::hash(span).as_bytes() != &desc.hash {
                    state.store(BAD, Ordering::Release);
                    return Err(self.corrupt(format!(
                        "block {b} of section {s} does not match its checksum"
                    )));
                }
                let rows = match rkyv::access::<ArchivedVec<R::Archived>, BoxedError>(bytes) {
                    Ok(rows) => rows,
                    Err(e) => {
                        state.store(BAD, Ordering::Release);
                        return Err(self
                            .corrupt(format!("block {b} of section {s} does not validate: {e}")));
                    }
                };
                let per = section.rows_per_block.to_native() as usize;
                let total = section.rows.to_native() as usize;
                let expected = per.min(total.saturating_sub(b * per));
                if rows.len() != expected {
                    state.store(BAD, Ordering::Release);
                    return Err(self.corrupt(format!(
                        "block {b} of section {s} holds {} rows, not {expected}",
                        rows.len()
                    )));
                }
                state.store(VALID, Ordering::Release);
                Ok(rows)
            }
        }
    }

    /// Row `i` of `R`'s section.
    pub(crate) fn row<R>(&self, i: usize) -> Result<&R::Archived, Corrupt>
    where
        R: Row,
        R::Archived: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        let per = self.manifest().sections[R::SECTION as usize]
            .rows_per_block
            .to_native() as usize;
        let block = self.block::<R>(i / per)?;
        block
            .get(i % per)
            .ok_or_else(|| self.corrupt(format!("no row {i} in section {:?}", R::SECTION)))
    }

    /// The row with `key` in `R`'s (sorted) section, with its position.
    pub(crate) fn find<R>(&self, key: &[u8]) -> Result<Option<(usize, &R::Archived)>, Corrupt>
    where
        R: Row,
        R::Archived: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        let section = &self.manifest().sections[R::SECTION as usize];
        let n = section.fence.partition_point(|f| f.as_slice() <= key);
        let Some(b) = n.checked_sub(1) else {
            return Ok(None);
        };
        let block = self.block::<R>(b)?;
        match block.binary_search_by(|r| R::key(r).cmp(key)) {
            Ok(i) => {
                let per = section.rows_per_block.to_native() as usize;
                Ok(Some((b * per + i, &block[i])))
            }
            Err(_) => Ok(None),
        }
    }

    /// Every row of `R`'s section, in order.
    pub(crate) fn for_each<R>(
        &self,
        mut f: impl FnMut(usize, &R::Archived) -> Result<(), Corrupt>,
    ) -> Result<(), Corrupt>
    where
        R: Row,
        R::Archived: Portable + for<'a> CheckBytes<HighValidator<'a, BoxedError>>,
    {
        let section = &self.manifest().sections[R::SECTION as usize];
        let per = section.rows_per_block.to_native() as usize;
        for b in 0..section.blocks.len() {
            for (i, row) in self.block::<R>(b)?.iter().enumerate() {
                f(b * per + i, row)?;
            }
        }
        Ok(())
    }

    /// Checks every block now (what queries would do as they go).
    pub(crate) fn verify(&self) -> Result<(), Corrupt> {
        use crate::format as f;
        self.for_each::<String>(|_, _| Ok(()))?;
        self.for_each::<crate::entry::WorkEntry>(|_, _| Ok(()))?;
        self.for_each::<f::NumberPosting>(|_, _| Ok(()))?;
        self.for_each::<f::TitlePosting>(|_, _| Ok(()))?;
        self.for_each::<f::RegionPosting>(|_, _| Ok(()))?;
        self.for_each::<f::TypePosting>(|_, _| Ok(()))?;
        self.for_each::<f::SubjectPosting>(|_, _| Ok(()))?;
        self.for_each::<f::RevisionPosting>(|_, _| Ok(()))?;
        self.for_each::<f::WorkRefs>(|_, _| Ok(()))?;
        self.for_each::<f::NumberCites>(|_, _| Ok(()))?;
        self.for_each::<f::TitleCites>(|_, _| Ok(()))?;
        self.for_each::<f::CiteRow>(|_, _| Ok(()))
    }
}

/// Checks the manifest's block table: the right number of sections; in
/// each, the right number of blocks for its rows and a fence per block
/// when sorted; every block 16-aligned, its archive inside its span, and
/// the spans tiling `HEADER_LEN..manifest_start` in order, so that every
/// byte of the file is covered by some checksum. Returns the state slot of
/// each section's first block.
fn check_blocks(
    manifest: &ArchivedManifest,
    manifest_start: usize,
) -> Result<[usize; SECTIONS], String> {
    if manifest.sections.len() != SECTIONS {
        return Err(format!(
            "{} sections, expected {SECTIONS}",
            manifest.sections.len()
        ));
    }
    let mut first_slot = [0usize; SECTIONS];
    let mut slot = 0;
    let mut at = HEADER_LEN;
    for (s, section) in manifest.sections.iter().enumerate() {
        first_slot[s] = slot;
        let rows = section.rows.to_native();
        let per = u64::from(section.rows_per_block.to_native());
        if per == 0 {
            return Err(format!("section {s} has 0 rows per block"));
        }
        let blocks = rows.div_ceil(per);
        if section.blocks.len() as u64 != blocks {
            return Err(format!(
                "section {s} has {} blocks for {rows} rows of {per}",
                section.blocks.len()
            ));
        }
        let fences = if is_sorted(s) { blocks } else { 0 };
        if section.fence.len() as u64 != fences {
            return Err(format!("section {s} has a fence of the wrong length"));
        }
        for (b, desc) in section.blocks.iter().enumerate() {
            let offset = desc.offset.to_native();
            let archive = u64::from(desc.archive_len.to_native());
            let span = u64::from(desc.span_len.to_native());
            if offset != at as u64 || archive > span || span % ALIGN as u64 != 0 {
                return Err(format!("block {b} of section {s} is out of place"));
            }
            at = at
                .checked_add(span as usize)
                .filter(|end| *end <= manifest_start)
                .ok_or_else(|| format!("block {b} of section {s} runs past the blocks"))?;
        }
        slot += section.blocks.len();
    }
    if at != manifest_start {
        return Err(format!(
            "the blocks end at {at}, the manifest starts at {manifest_start}"
        ));
    }
    Ok(first_slot)
}

/// Serialises a manifest (for the writer).
pub(crate) fn manifest_bytes(manifest: &Manifest) -> Result<rkyv::util::AlignedVec, BoxedError> {
    rkyv::to_bytes::<BoxedError>(manifest)
}
