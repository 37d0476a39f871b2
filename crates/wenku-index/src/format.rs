//! The file format: a fixed header, blocks, and a manifest.
//!
//! ```text
//! offset 0     header (128 bytes, little-endian, see `Header`)
//! offset 128   blocks: each an independent rkyv archive of one section's
//!              rows, starting 16-aligned, padded with zeros to the next
//! ...          manifest: an rkyv archive naming the commit, the layer's
//!              kind and, per section, every block's place and BLAKE3 hash
//!              and the first key of each block (the fence)
//! ```
//!
//! Every byte is covered by a hash: the header by its own (truncated)
//! BLAKE3, the manifest by the hash in the header, each block and its
//! padding by the hash in the manifest. The blocks tile the space between
//! header and manifest exactly, and the header states the file's length.
//!
//! Opening checks the header and the manifest (hash, then rkyv's
//! bytecheck); a block is checked the first time a query reads it (hash,
//! then bytecheck), once per mapping. See [`crate::layer`].

use rkyv::{Archive, Deserialize, Serialize};

use crate::entry::{CitationRow, WorkEntry};

/// The first bytes of every index file.
pub(crate) const MAGIC: [u8; 8] = *b"WENKUIX\0";

/// The format this build reads and writes. A file of another version is
/// rebuilt, never read.
pub const FORMAT_VERSION: u32 = 2;

/// The header's length; blocks start here (a multiple of 16, so that the
/// archives are aligned in a page-aligned mapping).
pub(crate) const HEADER_LEN: usize = 128;

/// Where every block starts.
pub(crate) const ALIGN: usize = 16;

/// A base layer (every work) or a delta over a base.
pub(crate) const KIND_BASE: u8 = 0;
pub(crate) const KIND_DELTA: u8 = 1;

/// The fixed header.
///
/// ```text
///   0..8    magic "WENKUIX\0"
///   8..12   format version (u32)
///  12..16   zero
///  16..48   layout fingerprint (see `fingerprint`)
///  48..56   file length (u64)
///  56..64   manifest offset (u64)
///  64..72   manifest length (u64)
///  72..104  BLAKE3 of the manifest bytes
/// 104..112  zero
/// 112..128  the first 16 bytes of BLAKE3 of bytes 0..112
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) fingerprint: [u8; 32],
    pub(crate) file_len: u64,
    pub(crate) manifest_offset: u64,
    pub(crate) manifest_len: u64,
    pub(crate) manifest_hash: [u8; 32],
}

/// Why a header was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HeaderError {
    /// Not an index file of any version, or damaged.
    Corrupt(String),
    /// An index file of another format version or layout.
    Format(String),
}

impl Header {
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0..8].copy_from_slice(&MAGIC);
        h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        h[16..48].copy_from_slice(&self.fingerprint);
        h[48..56].copy_from_slice(&self.file_len.to_le_bytes());
        h[56..64].copy_from_slice(&self.manifest_offset.to_le_bytes());
        h[64..72].copy_from_slice(&self.manifest_len.to_le_bytes());
        h[72..104].copy_from_slice(&self.manifest_hash);
        let check = blake3::hash(&h[..112]);
        h[112..128].copy_from_slice(&check.as_bytes()[..16]);
        h
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Header, HeaderError> {
        let corrupt = |s: &str| HeaderError::Corrupt(s.to_string());
        if bytes.len() < HEADER_LEN {
            return Err(corrupt("shorter than the header"));
        }
        let h = &bytes[..HEADER_LEN];
        if h[0..8] != MAGIC {
            return Err(corrupt("no index magic at the start"));
        }
        let version = u32::from_le_bytes(four(&h[8..12]));
        if version != FORMAT_VERSION {
            return Err(HeaderError::Format(format!(
                "format version {version}, this build reads {FORMAT_VERSION}"
            )));
        }
        let check = blake3::hash(&h[..112]);
        if h[112..128] != check.as_bytes()[..16] {
            return Err(corrupt("the header's checksum does not match"));
        }
        let mut fingerprint = [0u8; 32];
        fingerprint.copy_from_slice(&h[16..48]);
        if fingerprint != *layout_fingerprint() {
            return Err(HeaderError::Format(
                "written by a build whose archive layout differs from this one's".into(),
            ));
        }
        let mut manifest_hash = [0u8; 32];
        manifest_hash.copy_from_slice(&h[72..104]);
        Ok(Header {
            fingerprint,
            file_len: u64::from_le_bytes(eight(&h[48..56])),
            manifest_offset: u64::from_le_bytes(eight(&h[56..64])),
            manifest_len: u64::from_le_bytes(eight(&h[64..72])),
            manifest_hash,
        })
    }
}

fn four(b: &[u8]) -> [u8; 4] {
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    a
}

fn eight(b: &[u8]) -> [u8; 8] {
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    a
}

/// What a file holds, apart from its blocks.
#[derive(Archive, Serialize, Deserialize, Debug)]
pub(crate) struct Manifest {
    pub(crate) kind: u8,
    /// The commit the layer brings the index to.
    pub(crate) commit: [u8; 20],
    /// For a delta: the base file it lies over.
    pub(crate) base: Option<BaseRef>,
    /// For a delta: works of the base that no longer exist (sorted).
    pub(crate) removed: Vec<String>,
    /// One per [`Section`], in order.
    pub(crate) sections: Vec<SectionDesc>,
}

/// The base a delta lies over: its file name, the hash of its manifest
/// (which covers every block) and its commit.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseRef {
    pub(crate) file: String,
    pub(crate) manifest: [u8; 32],
    pub(crate) commit: [u8; 20],
}

/// One section: rows in blocks of `rows_per_block` (the last may hold
/// fewer).
#[derive(Archive, Serialize, Deserialize, Debug)]
pub(crate) struct SectionDesc {
    pub(crate) rows: u64,
    pub(crate) rows_per_block: u32,
    pub(crate) blocks: Vec<BlockDesc>,
    /// The key of each block's first row (sorted sections only).
    pub(crate) fence: Vec<Vec<u8>>,
}

/// One block: where its archive is, and the hash of the archive and its
/// padding up to the next block.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, Copy)]
pub(crate) struct BlockDesc {
    pub(crate) offset: u64,
    pub(crate) archive_len: u32,
    pub(crate) span_len: u32,
    pub(crate) hash: [u8; 32],
}

/// The sections of a layer, in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    /// Work ids, sorted; a work's position is its ordinal.
    Ids,
    /// [`WorkEntry`] by ordinal.
    Works,
    /// Document number → ordinals.
    Numbers,
    /// Title key → ordinals.
    Titles,
    /// Region code → ordinals.
    Regions,
    /// Document type slug → ordinals.
    Types,
    /// Subject → ordinals.
    Subjects,
    /// RevisionId → ordinals.
    Revisions,
    /// Target work id → relations by id pointing at it.
    WorkRefs,
    /// Cited document number → relations citing it.
    NumberCites,
    /// Title key of a cited title → relations citing it.
    TitleCites,
    /// Citations that resolve to no work (base layers only).
    Unresolved,
}

pub(crate) const SECTIONS: usize = 12;

/// Ordinals of the works filed under a key.
#[derive(Archive, Serialize, Deserialize, Debug, Clone)]
pub(crate) struct Posting {
    pub(crate) key: String,
    pub(crate) works: Vec<u32>,
}

/// Ordinals of the works that list a revision.
#[derive(Archive, Serialize, Deserialize, Debug, Clone)]
pub(crate) struct RevisionPosting {
    pub(crate) revision: [u8; 32],
    pub(crate) works: Vec<u32>,
}

/// Relations by id that point at `target`.
#[derive(Archive, Serialize, Deserialize, Debug, Clone)]
pub(crate) struct WorkRefs {
    pub(crate) target: String,
    pub(crate) refs: Vec<WorkRef>,
}

/// A relation of the work with ordinal `from`.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WorkRef {
    pub(crate) from: u32,
    pub(crate) kind: u8,
}

/// Relations by citation filed under one key of the citation.
#[derive(Archive, Serialize, Deserialize, Debug, Clone)]
pub(crate) struct CitePosting {
    pub(crate) key: String,
    pub(crate) cites: Vec<CiteRow>,
}

/// A relation by citation of the work with ordinal `from`.
#[derive(Archive, Serialize, Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CiteRow {
    pub(crate) from: u32,
    pub(crate) kind: u8,
    pub(crate) citation: CitationRow,
}

/// A row type of one section.
pub(crate) trait Row: Archive {
    /// The section holding rows of this type.
    const SECTION: Section;
    /// Rows per block: small blocks make a first read cheap, large ones
    /// keep the manifest small.
    const ROWS_PER_BLOCK: usize;
    /// The key an archived row is sorted by; sections read by position
    /// have none.
    fn key(row: &Self::Archived) -> &[u8];
    /// The same key, before archiving (for the fence).
    fn owned_key(&self) -> Vec<u8>;
}

/// A row that files works (by ordinal) under a key.
pub(crate) trait PostingRow: Row {
    /// The ordinals, ascending.
    fn works(row: &Self::Archived) -> &[rkyv::Archived<u32>];
}

impl PostingRow for RevisionPosting {
    fn works(row: &Self::Archived) -> &[rkyv::Archived<u32>] {
        &row.works
    }
}

macro_rules! keyed {
    ($t:ty, $section:expr, $rows:expr, $field:ident) => {
        impl Row for $t {
            const SECTION: Section = $section;
            const ROWS_PER_BLOCK: usize = $rows;
            fn key(row: &Self::Archived) -> &[u8] {
                row.$field.as_bytes()
            }
            fn owned_key(&self) -> Vec<u8> {
                self.$field.as_bytes().to_vec()
            }
        }
    };
}

impl Row for String {
    const SECTION: Section = Section::Ids;
    const ROWS_PER_BLOCK: usize = 256;
    fn key(row: &Self::Archived) -> &[u8] {
        row.as_bytes()
    }
    fn owned_key(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}

impl Row for WorkEntry {
    const SECTION: Section = Section::Works;
    const ROWS_PER_BLOCK: usize = 16;
    fn key(_: &Self::Archived) -> &[u8] {
        &[]
    }
    fn owned_key(&self) -> Vec<u8> {
        Vec::new()
    }
}

impl Row for RevisionPosting {
    const SECTION: Section = Section::Revisions;
    const ROWS_PER_BLOCK: usize = 256;
    fn key(row: &Self::Archived) -> &[u8] {
        &row.revision
    }
    fn owned_key(&self) -> Vec<u8> {
        self.revision.to_vec()
    }
}

impl Row for CiteRow {
    const SECTION: Section = Section::Unresolved;
    const ROWS_PER_BLOCK: usize = 128;
    fn key(_: &Self::Archived) -> &[u8] {
        &[]
    }
    fn owned_key(&self) -> Vec<u8> {
        Vec::new()
    }
}

keyed!(WorkRefs, Section::WorkRefs, 64, target);

/// A section whose rows are one shared row type with a `key`, wrapped so
/// that a block is always read as the type it was written as.
macro_rules! wrapped_section {
    ($name:ident, $row:ty, $section:expr, $rows:expr) => {
        #[derive(Archive, Serialize, Deserialize, Debug, Clone)]
        pub(crate) struct $name(pub(crate) $row);
        impl Row for $name {
            const SECTION: Section = $section;
            const ROWS_PER_BLOCK: usize = $rows;
            fn key(row: &Self::Archived) -> &[u8] {
                row.0.key.as_bytes()
            }
            fn owned_key(&self) -> Vec<u8> {
                self.0.key.as_bytes().to_vec()
            }
        }
    };
}

/// Postings of the sections that share the row type.
macro_rules! posting_section {
    ($name:ident, $section:expr, $rows:expr) => {
        wrapped_section!($name, Posting, $section, $rows);
        impl PostingRow for $name {
            fn works(row: &Self::Archived) -> &[rkyv::Archived<u32>] {
                &row.0.works
            }
        }
    };
}

posting_section!(NumberPosting, Section::Numbers, 128);
posting_section!(TitlePosting, Section::Titles, 128);
posting_section!(RegionPosting, Section::Regions, 64);
posting_section!(TypePosting, Section::Types, 16);
posting_section!(SubjectPosting, Section::Subjects, 64);

wrapped_section!(NumberCites, CitePosting, Section::NumberCites, 64);
wrapped_section!(TitleCites, CitePosting, Section::TitleCites, 64);

/// Whether a section is searched by key (and so has a fence).
pub(crate) fn is_sorted(section: usize) -> bool {
    section != Section::Works as usize && section != Section::Unresolved as usize
}

/// A fingerprint of the archive layout this build produces: the BLAKE3 of
/// sample values of every archived type, serialised, together with their
/// sizes and alignments. A file written by a build whose rkyv version or
/// features lay these types out differently carries another fingerprint
/// and is rebuilt instead of being misread, even if nobody remembered to
/// change [`FORMAT_VERSION`].
pub(crate) fn layout_fingerprint() -> &'static [u8; 32] {
    static FINGERPRINT: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    FINGERPRINT.get_or_init(compute_fingerprint)
}

fn compute_fingerprint() -> [u8; 32] {
    use crate::entry::{RelationRow, SpanRow, VersionRow};
    let citation = CitationRow {
        number: Some("鲁政办发〔2025〕5号".into()),
        title: Some("标题".into()),
    };
    let entry = WorkEntry {
        id: "370200/x".into(),
        doc_type: 3,
        title: "标题".into(),
        number: Some("n".into()),
        subjects: vec!["s".into()],
        versions: vec![VersionRow {
            revision: [7; 32],
            blob: Some([9; 20]),
            published: 20240101,
            effective: 0,
            amended_by: Some(citation.clone()),
            note: Some("修正".into()),
            withdrawn: Some((20240301, "含个人信息".into())),
        }],
        timeline: vec![SpanRow {
            start: 20240101,
            status: 1,
            since: 20240101,
        }],
        relations: vec![RelationRow {
            kind: 2,
            work: Some("370200/y".into()),
            citation: Some(citation.clone()),
        }],
    };
    let manifest = Manifest {
        kind: KIND_DELTA,
        commit: [1; 20],
        base: Some(BaseRef {
            file: "base".into(),
            manifest: [2; 32],
            commit: [3; 20],
        }),
        removed: vec!["370200/z".into()],
        sections: vec![SectionDesc {
            rows: 5,
            rows_per_block: 4,
            blocks: vec![BlockDesc {
                offset: 128,
                archive_len: 40,
                span_len: 48,
                hash: [4; 32],
            }],
            fence: vec![b"k".to_vec()],
        }],
    };
    let posting = Posting {
        key: "k".into(),
        works: vec![1, 2],
    };
    let mut h = blake3::Hasher::new();
    let mut add = |bytes: Result<rkyv::util::AlignedVec, rkyv::rancor::BoxedError>| {
        let bytes = bytes.expect("sample values serialise");
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    };
    type E = rkyv::rancor::BoxedError;
    add(rkyv::to_bytes::<E>(&vec![entry]));
    add(rkyv::to_bytes::<E>(&manifest));
    add(rkyv::to_bytes::<E>(&vec!["370200/x".to_string()]));
    add(rkyv::to_bytes::<E>(&vec![NumberPosting(posting.clone())]));
    add(rkyv::to_bytes::<E>(&vec![RevisionPosting {
        revision: [5; 32],
        works: vec![3],
    }]));
    add(rkyv::to_bytes::<E>(&vec![WorkRefs {
        target: "370200/y".into(),
        refs: vec![WorkRef { from: 1, kind: 2 }],
    }]));
    add(rkyv::to_bytes::<E>(&vec![NumberCites(CitePosting {
        key: "k".into(),
        cites: vec![CiteRow {
            from: 1,
            kind: 2,
            citation,
        }],
    })]));
    for (size, align) in [
        (
            size_of::<ArchivedManifest>(),
            align_of::<ArchivedManifest>(),
        ),
        (
            size_of::<crate::entry::ArchivedWorkEntry>(),
            align_of::<crate::entry::ArchivedWorkEntry>(),
        ),
        (
            size_of::<ArchivedBlockDesc>(),
            align_of::<ArchivedBlockDesc>(),
        ),
        (size_of::<ArchivedCiteRow>(), align_of::<ArchivedCiteRow>()),
    ] {
        h.update(&(size as u64).to_le_bytes());
        h.update(&(align as u64).to_le_bytes());
    }
    h.update(&FORMAT_VERSION.to_le_bytes());
    *h.finalize().as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_and_checks_itself() {
        let header = Header {
            fingerprint: *layout_fingerprint(),
            file_len: 4096,
            manifest_offset: 1024,
            manifest_len: 300,
            manifest_hash: [9; 32],
        };
        let bytes = header.encode();
        assert_eq!(Header::decode(&bytes), Ok(header));
        for i in 0..HEADER_LEN {
            let mut bad = bytes;
            bad[i] ^= 0x10;
            assert!(Header::decode(&bad).is_err(), "byte {i} flipped");
        }
        let mut old = bytes;
        old[8] = 0;
        assert!(matches!(Header::decode(&old), Err(HeaderError::Format(_))));
        assert!(matches!(
            Header::decode(&bytes[..100]),
            Err(HeaderError::Corrupt(_))
        ));
    }

    #[test]
    fn the_fingerprint_is_stable_within_a_build() {
        assert_eq!(compute_fingerprint(), *layout_fingerprint());
    }
}
