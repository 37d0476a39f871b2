//! Texts written ahead of their commit, so that a large batch never holds
//! its documents in memory together.
//!
//! A transaction normally carries each new version's [`Document`] and
//! encodes it when it is staged. An import of thousands of files would then
//! hold every parsed document, and their canonical bytes, until the commit.
//! A [`TextPack`] takes the texts one at a time instead: each is encoded,
//! checked against the readers' size limit, hashed (its [`RevisionId`] and
//! its git blob id) and compressed ([`TextEncoder::prepare`], on any thread),
//! then appended to a temporary file in `objects/pack` ([`TextPack::append`]),
//! and the document can be dropped. What remains is a [`StoredText`]: the
//! ids, a few bytes, which a [`crate::NewVersion`] carries in place of the
//! document ([`crate::VersionText::Stored`]).
//!
//! The texts become a pack only when a commit that uses them has been
//! staged without a refusal
//! ([`crate::Library::commit_planned_with_texts`]): a batch that is refused
//! writes nothing into the repository, and its temporary file is removed
//! when the `TextPack` is dropped (or, if the process dies, by the next
//! writer's clean-up, `clean_garbage` in `pack.rs`). While a
//! `TextPack` exists it holds the objects lock shared, as every writer of
//! objects does, so that clean-up never takes its file from under it. Once
//! installed, the pack is an ordinary one: compaction merges it like the
//! others, and a commit that then loses its race for `main` and is staged
//! again finds the texts already there.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use gix::zlib::stream::deflate::{Compress, FlushCompress};
use wenku_model::{Document, RevisionId, canonical};

use crate::git::{Context, GitError};
use crate::lock::LockError;
use crate::object_id::{ObjectId, Ours};
use crate::transaction::{Refusal, within_limit};

/// A version's text already written to the library's objects: its
/// revision and the git blob that holds its canonical bytes.
/// Made only by a [`TextPack`], so the revision is always that of the blob's
/// bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StoredText {
    revision: RevisionId,
    blob: ObjectId,
}

impl StoredText {
    /// The text's revision id (BLAKE3 of its canonical bytes).
    pub fn revision(&self) -> RevisionId {
        self.revision
    }

    /// The git blob of its canonical bytes.
    pub fn blob(&self) -> ObjectId {
        self.blob
    }
}

/// A text encoded, hashed and compressed, ready for [`TextPack::append`].
#[derive(Debug)]
pub struct PreparedText {
    stored: StoredText,
    /// The pack entry: its header and the compressed bytes.
    entry: Vec<u8>,
    /// CRC-32 of `entry`, as the pack index records it.
    crc: u32,
}

/// Prepares texts for a [`TextPack`] ([`TextPack::encoder`]): cheap to
/// copy, so each thread of a batch has its own.
#[derive(Clone, Copy, Debug)]
pub struct TextEncoder {
    hash: gix::hash::Kind,
}

impl TextEncoder {
    /// Encodes `document` canonically, refuses it if readers would, and
    /// hashes and compresses it, ready for [`TextPack::append`] (in any
    /// order).
    pub fn prepare(&self, document: &Document) -> Result<PreparedText, TextError> {
        let bytes = canonical::encode_document(document).map_err(Refusal::Encode)?;
        within_limit("version", &bytes)?;
        let revision = RevisionId::of(&bytes);
        let id = gix::objs::compute_hash(self.hash, gix::objs::Kind::Blob, &bytes)
            .ctx(|| "hashing a version's text".to_string())?;
        let mut entry = Vec::with_capacity(bytes.len() / 3 + 16);
        entry_header(&mut entry, bytes.len() as u64);
        deflate(&bytes, &mut entry).ctx(|| format!("compressing the text {}", revision.short()))?;
        Ok(PreparedText {
            stored: StoredText {
                revision,
                blob: id.ours(),
            },
            crc: crc32fast::hash(&entry),
            entry,
        })
    }
}

/// A pack entry's header for a blob of `size` bytes: the type (3, blob)
/// and the size, four bits then seven per byte, low bits first.
fn entry_header(out: &mut Vec<u8>, mut size: u64) {
    let mut byte = (3 << 4) | (size & 0x0f) as u8;
    size >>= 4;
    while size != 0 {
        out.push(byte | 0x80);
        byte = (size & 0x7f) as u8;
        size >>= 7;
    }
    out.push(byte);
}

thread_local! {
    /// Each thread's compressor and output buffer, reused from text to
    /// text (a new zlib stream allocates and clears its tables).
    static DEFLATE: std::cell::RefCell<Option<(Compress, Box<[u8]>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Appends `input` compressed as one zlib stream (fastest level, as the
/// store's other packs) to `out`.
fn deflate(input: &[u8], out: &mut Vec<u8>) -> std::io::Result<()> {
    DEFLATE.with(|cell| {
        let mut cell = cell.borrow_mut();
        let (compress, buf) = cell.get_or_insert_with(|| {
            (
                Compress::new(gix::zlib::Compression::BEST_SPEED),
                vec![0; 1 << 16].into_boxed_slice(),
            )
        });
        compress.reset();
        let mut input = input;
        loop {
            let (read, wrote) = (compress.total_in(), compress.total_out());
            let status = compress
                .compress(input, buf, FlushCompress::Finish)
                .map_err(std::io::Error::other)?;
            out.extend_from_slice(&buf[..(compress.total_out() - wrote) as usize]);
            input = &input[(compress.total_in() - read) as usize..];
            if matches!(status, gix::zlib::Status::StreamEnd) {
                return Ok(());
            }
        }
    })
}

/// Why a text could not be written ahead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The text cannot be stored (it does not encode, or is larger than
    /// readers accept).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Writing it failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// The objects lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// One text in the temporary file.
#[derive(Clone, Copy, Debug)]
struct Spilled {
    id: gix::ObjectId,
    offset: u64,
    crc: u32,
}

/// Texts written ahead of the commit that uses them (see the module
/// documentation). Made by [`crate::Library::text_pack`].
#[derive(Debug)]
pub struct TextPack {
    hash: gix::hash::Kind,
    pack_dir: PathBuf,
    spill: Option<(tempfile::NamedTempFile, BufWriter<File>)>,
    written: u64,
    entries: Vec<Spilled>,
    seen: HashSet<gix::ObjectId>,
    installed: bool,
    /// The objects lock, held shared (see the module documentation).
    _lock: File,
}

impl TextPack {
    pub(crate) fn new(repo: &gix::Repository) -> Result<TextPack, TextError> {
        let lock = crate::pack::writing_objects(repo.git_dir())?;
        let pack_dir = repo.objects.store_ref().path().join("pack");
        std::fs::create_dir_all(&pack_dir).ctx(|| format!("creating {}", pack_dir.display()))?;
        Ok(TextPack {
            hash: repo.object_hash(),
            pack_dir,
            spill: None,
            written: 0,
            entries: Vec::new(),
            seen: HashSet::new(),
            installed: false,
            _lock: lock,
        })
    }

    /// What prepares texts for this pack, on any thread.
    pub fn encoder(&self) -> TextEncoder {
        TextEncoder { hash: self.hash }
    }

    /// Appends a prepared text to the temporary file (a text already
    /// appended is not written twice).
    pub fn append(&mut self, text: PreparedText) -> Result<StoredText, TextError> {
        if self.installed {
            return Err(GitError {
                action: "adding a text to a batch".into(),
                source: "its texts were already written to the library".into(),
            }
            .into());
        }
        let stored = text.stored;
        let id = stored.blob.to_gix();
        if !self.seen.insert(id) {
            return Ok(stored);
        }
        if self.spill.is_none() {
            let file = tempfile::Builder::new()
                .prefix(".tmp-texts-")
                .tempfile_in(&self.pack_dir)
                .ctx(|| format!("creating a temporary pack in {}", self.pack_dir.display()))?;
            let mut out = BufWriter::with_capacity(
                1 << 20,
                file.as_file()
                    .try_clone()
                    .ctx(|| "opening the batch's temporary pack".to_string())?,
            );
            // The number of objects is written when the pack is installed.
            out.write_all(b"PACK\0\0\0\x02\0\0\0\0")
                .ctx(|| format!("writing {}", file.path().display()))?;
            self.written = 12;
            self.spill = Some((file, out));
        }
        let Some((file, out)) = self.spill.as_mut() else {
            unreachable!("made above")
        };
        out.write_all(&text.entry)
            .ctx(|| format!("writing {}", file.path().display()))?;
        self.entries.push(Spilled {
            id,
            offset: self.written,
            crc: text.crc,
        });
        self.written += text.entry.len() as u64;
        Ok(stored)
    }

    /// [`TextEncoder::prepare`] and [`TextPack::append`] in one.
    pub fn store(&mut self, document: &Document) -> Result<StoredText, TextError> {
        let prepared = self.encoder().prepare(document)?;
        self.append(prepared)
    }

    /// How many distinct texts were appended.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no text was appended.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Writes the texts into the repository, once, as one pack with its
    /// index. The temporary file already is the pack but for its object
    /// count and checksum; the index is written from the ids, offsets and
    /// CRCs kept while appending, so nothing is decompressed or hashed
    /// again. Pack, then index, are renamed into place (an index without
    /// its pack is never visible), read-only, as git's.
    pub(crate) fn install(&mut self) -> Result<(), GitError> {
        if self.installed {
            return Ok(());
        }
        let Some((file, mut out)) = self.spill.take() else {
            self.installed = true;
            return Ok(());
        };
        let path = file.path().to_path_buf();
        let at = || format!("writing {}", path.display());
        out.flush().ctx(at)?;
        drop(out);
        let count = u32::try_from(self.entries.len()).map_err(|e| GitError {
            action: "counting the objects of a batch".into(),
            source: Box::new(e),
        })?;
        let mut pack = file.as_file();
        pack.seek(SeekFrom::Start(8)).ctx(at)?;
        pack.write_all(&count.to_be_bytes()).ctx(at)?;
        pack.seek(SeekFrom::Start(0)).ctx(at)?;
        let mut hasher = gix::hash::hasher(self.hash);
        let mut buf = vec![0; 1 << 20];
        loop {
            let n = pack.read(&mut buf).ctx(at)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        let checksum = hasher
            .try_finalize()
            .ctx(|| "hashing the batch's pack".to_string())?;
        pack.seek(SeekFrom::End(0)).ctx(at)?;
        pack.write_all(checksum.as_bytes()).ctx(at)?;

        let index = pack_index(&mut self.entries, checksum, self.hash)?;
        let mut idx = tempfile::Builder::new()
            .prefix(".tmp-texts-idx-")
            .tempfile_in(&self.pack_dir)
            .ctx(|| format!("creating a temporary index in {}", self.pack_dir.display()))?;
        idx.write_all(&index)
            .ctx(|| format!("writing {}", idx.path().display()))?;
        let name = self.pack_dir.join(format!("pack-{}", checksum.to_hex()));
        let (pack_path, idx_path) = (name.with_extension("pack"), name.with_extension("idx"));
        file.persist(&pack_path)
            .map_err(|e| e.error)
            .ctx(|| format!("renaming the batch's pack to {}", pack_path.display()))?;
        crate::pack::make_read_only(&pack_path)?;
        idx.persist(&idx_path)
            .map_err(|e| e.error)
            .ctx(|| format!("renaming the batch's index to {}", idx_path.display()))?;
        crate::pack::make_read_only(&idx_path)?;
        tracing::debug!(
            pack = %pack_path.display(),
            objects = count,
            bytes = self.written + checksum.as_bytes().len() as u64,
            "wrote a batch's texts"
        );
        self.installed = true;
        Ok(())
    }
}

/// A version 2 pack index of `entries` (sorted here by id) for the pack
/// whose checksum is `checksum`: fan-out table, ids, CRC-32s, offsets
/// (those past 2 GiB in a table of 64-bit offsets), the pack's checksum
/// and the index's own.
fn pack_index(
    entries: &mut [Spilled],
    checksum: gix::ObjectId,
    hash: gix::hash::Kind,
) -> Result<Vec<u8>, GitError> {
    entries.sort_by_key(|e| e.id);
    let n = entries.len();
    let mut out = Vec::with_capacity(8 + 1024 + n * (hash.len_in_bytes() + 12) + 2 * 32);
    out.extend_from_slice(b"\xfftOc\0\0\0\x02");
    let mut fanout = [0u32; 256];
    for e in entries.iter() {
        fanout[e.id.as_bytes()[0] as usize] += 1;
    }
    let mut total = 0;
    for count in fanout {
        total += count;
        out.extend_from_slice(&total.to_be_bytes());
    }
    for e in entries.iter() {
        out.extend_from_slice(e.id.as_bytes());
    }
    for e in entries.iter() {
        out.extend_from_slice(&e.crc.to_be_bytes());
    }
    let mut large = Vec::new();
    for e in entries.iter() {
        let small = match u32::try_from(e.offset) {
            Ok(o) if o < 0x8000_0000 => o,
            _ => {
                let at = u32::try_from(large.len()).map_err(|e| GitError {
                    action: "indexing the batch's pack".into(),
                    source: Box::new(e),
                })?;
                large.push(e.offset);
                0x8000_0000 | at
            }
        };
        out.extend_from_slice(&small.to_be_bytes());
    }
    for o in large {
        out.extend_from_slice(&o.to_be_bytes());
    }
    out.extend_from_slice(checksum.as_bytes());
    let mut hasher = gix::hash::hasher(hash);
    hasher.update(&out);
    let own = hasher
        .try_finalize()
        .ctx(|| "hashing the batch's pack index".to_string())?;
    out.extend_from_slice(own.as_bytes());
    Ok(out)
}
