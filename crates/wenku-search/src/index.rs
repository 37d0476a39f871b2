//! The search index: a tantivy index in `<git-dir>/wenku/search/`, one
//! document per version of every work, derived from the library and never
//! needed for a correct answer anywhere else.
//!
//! **State.** Beside the index, `indexed` names the commit the index
//! reflects and the index format (`wenku-search 1 <commit>`), written only
//! after tantivy's commit succeeded. [`SearchIndex::refresh`] brings the
//! index to the library's head: from the commit it reflects, the typed
//! changes of [`wenku_store::Library::changes`] name the works to look at
//! again (all of a work's versions, since a repeal or a new version moves
//! the others' dates too); when that commit is unknown, not an ancestor
//! of the head (history rewritten) or the format differs, the index is
//! rebuilt from scratch. An index that tantivy cannot open or read
//! (damaged files) is removed and rebuilt.
//!
//! **Only what changed is indexed again.** A version's document carries
//! its `slot`: a hash of every value it is indexed with — the revision
//! (which fixes its text), whether its text is withheld, and every field
//! of its metadata down to its dates in force. An update computes the
//! slots of a changed work's versions from the record alone (no text is
//! read for that), reads the slots the index holds for the work, and
//! takes out and adds only the versions whose slots differ: a new
//! version of a work of fourteen is two documents (the new one, and the
//! one it ends), not fifteen texts cut into words again.
//!
//! **Fields.** `work`, `revision` (stored); `title` and `body` (words,
//! with positions), `pair` (each two neighbouring words of the text as
//! one term, with positions: a phrase of two words is one term look-up,
//! a longer one a phrase of pairs), `triple` (each three neighbouring
//! words as one term, without positions: a phrase of three words is one
//! term look-up), `issuer` (words); `reading` (pinyin keys of the
//! title, [`crate::tokenize::readings`]); `number` (the normalised
//! document number: every bracket variant a reader types normalises to
//! it); `region` (the work's region and every region above it, so a
//! province's search includes its counties), `type`, `subject`; `year`
//! (of first publication), `published`; `from` and `until` (days since
//! 1970: the days this version is the text in force, `until` exclusive
//! and `i64::MAX` while open), and `ended` (why `until` is there: a later
//! version, a repeal, an expiry, a withdrawal); `slot` (above).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tantivy::indexer::LogMergePolicy;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{DocSet, Index, IndexReader, IndexWriter, TERMINATED, TantivyDocument, Term};
use wenku_model::query::Filter;
use wenku_model::{Date, Record, WorkId};
use wenku_store::{Library, ObjectId, Snapshot};

use crate::collect::{Dates, PerSegment};
use crate::tokenize::{self, ChineseTokenizer};
use crate::{Error, Result};

/// The index format: bump it when fields or their meaning change (an
/// index of another format is rebuilt).
pub const FORMAT: u32 = 7;

/// The writer's memory budget.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// Updates of more works than this index on every core (see
/// `SearchIndex::writer`).
const LARGE_UPDATE: usize = 200;

/// Segments of more versions than this are not merged by small updates
/// (see `SearchIndex::writer`).
const SMALL_SEGMENT: usize = 10_000;

/// Segments of more versions than this are not merged at all (see
/// [`large_policy`]).
const LARGE_SEGMENT: usize = 100_000;

/// The schema's fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub work: Field,
    pub revision: Field,
    pub title: Field,
    pub body: Field,
    /// Neighbouring words of the text as one term each
    /// ([`tokenize::pairs`]), for phrases.
    pub pair: Field,
    /// Three neighbouring words of the text as one term each
    /// ([`tokenize::triples`]), for phrases of three words; without
    /// positions.
    pub triple: Field,
    pub issuer: Field,
    pub reading: Field,
    pub number: Field,
    pub region: Field,
    pub doc_type: Field,
    pub subject: Field,
    pub year: Field,
    pub published: Field,
    pub from: Field,
    pub until: Field,
    pub ended: Field,
    /// The work as a number ([`work_key`]), for grouping by work from a
    /// column.
    pub work_key: Field,
    /// The work's own region as a number (its code), for the region facet.
    pub home: Field,
    /// A hash of everything the version is indexed with ([`Slotted`]):
    /// an update keeps the versions whose slot has not changed.
    pub slot: Field,
}

/// A work's id as a number: the first eight bytes of the BLAKE3 of the id.
/// Search groups the best versions by it, reading a column instead of
/// looking each id up in a dictionary; two of a library's works sharing a
/// key has a probability of about n²/2⁶⁵ (under 10⁻⁸ for a million works),
/// and the works shown are named from the stored id.
pub(crate) fn work_key(work: &WorkId) -> u64 {
    let hash = blake3::hash(work.to_string().as_bytes());
    u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("eight bytes"))
}

/// Why a version stops being the text in force, as stored in `ended`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub(crate) enum Ended {
    Open = 0,
    Superseded = 1,
    Repealed = 2,
    Expired = 3,
    Withdrawn = 4,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexed_with = |tokenizer: &str, record: IndexRecordOption, stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let words_with = |tokenizer: &str, stored: bool| {
        indexed_with(tokenizer, IndexRecordOption::WithFreqsAndPositions, stored)
    };
    let words = |stored: bool| words_with(tokenize::NAME, stored);
    let fields = Fields {
        work: b.add_text_field("work", STRING | STORED),
        revision: b.add_text_field("revision", STRING | STORED),
        title: b.add_text_field("title", words(true)),
        body: b.add_text_field("body", words(false)),
        pair: b.add_text_field("pair", words_with(tokenize::PAIRS, false)),
        triple: b.add_text_field(
            "triple",
            indexed_with(tokenize::TRIPLES, IndexRecordOption::WithFreqs, false),
        ),
        issuer: b.add_text_field("issuer", words(false)),
        reading: b.add_text_field("reading", STRING),
        number: b.add_text_field("number", STRING),
        region: b.add_text_field("region", STRING),
        doc_type: b.add_text_field("type", STRING | STORED | FAST),
        subject: b.add_text_field("subject", STRING | STORED | FAST),
        year: b.add_u64_field("year", INDEXED | FAST | STORED),
        published: b.add_i64_field("published", INDEXED | FAST | STORED),
        from: b.add_i64_field("from", INDEXED | FAST | STORED),
        until: b.add_i64_field("until", INDEXED | FAST | STORED),
        ended: b.add_u64_field("ended", INDEXED | FAST | STORED),
        work_key: b.add_u64_field("work_key", FAST),
        home: b.add_u64_field("home", FAST),
        slot: b.add_u64_field("slot", INDEXED | FAST),
    };
    (b.build(), fields)
}

/// A library's search index, opened.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    /// The writer, made on the first update and kept: making one starts
    /// its threads and takes the directory's lock, which costs more than
    /// a one-work update itself.
    writer: Option<(IndexWriter, usize)>,
    pub(crate) fields: Fields,
    /// The commit the index reflects.
    indexed: Option<ObjectId>,
    /// The dates of the segments searched, read once for all queries.
    pub(crate) dates: PerSegment<Dates>,
    /// The columns grouping and facets read, opened once per segment.
    pub(crate) columns: PerSegment<crate::query::Columns>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .field("indexed", &self.indexed)
            .finish()
    }
}

/// What [`SearchIndex::refresh`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refresh {
    /// The index already reflected the head.
    Current,
    /// Works taken out and put back, from the changes since the commit
    /// the index reflected.
    Updated {
        /// Works changed since the indexed commit (re-indexed or removed).
        works: usize,
        /// Versions indexed again: those whose text or metadata changed
        /// (the others are kept as they were).
        versions: usize,
    },
    /// Built from scratch, with why.
    Rebuilt {
        /// Versions indexed.
        versions: usize,
        /// Why it was rebuilt.
        reason: String,
    },
}

fn state_file(dir: &Path) -> PathBuf {
    dir.with_file_name("search.indexed")
}

fn read_state(dir: &Path) -> Option<(u32, ObjectId)> {
    let text = std::fs::read_to_string(state_file(dir)).ok()?;
    let mut parts = text.split_whitespace();
    (parts.next()? == "wenku-search").then_some(())?;
    let format = parts.next()?.parse().ok()?;
    let commit = parts.next()?.parse().ok()?;
    Some((format, commit))
}

fn write_state(dir: &Path, commit: ObjectId) -> Result<()> {
    let path = state_file(dir);
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, format!("wenku-search {FORMAT} {commit}\n"))
        .map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
}

fn open_tantivy(dir: &Path) -> std::result::Result<Index, tantivy::TantivyError> {
    let index = Index::open_in_dir(dir)?;
    let (expected, _) = schema();
    if index.schema() != expected {
        return Err(tantivy::TantivyError::SchemaError(
            "the index has other fields".into(),
        ));
    }
    Ok(index)
}

fn create_tantivy(dir: &Path) -> Result<Index> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let (schema, _) = schema();
    Ok(Index::create_in_dir(dir, schema)?)
}

/// Registers our tokenizer, and searches the segments on every core: a
/// query over a million versions scores hundreds of thousands of them,
/// and the daemon answers one search at a time (its index is behind a
/// mutex), so the cores would otherwise sit idle.
fn prepare(index: &mut Index) -> std::result::Result<(), tantivy::TantivyError> {
    index
        .tokenizers()
        .register(tokenize::NAME, ChineseTokenizer::default());
    index
        .tokenizers()
        .register(tokenize::PAIRS, ChineseTokenizer::pairs());
    index
        .tokenizers()
        .register(tokenize::TRIPLES, ChineseTokenizer::triples());
    let cores = crate::cores(8);
    if cores > 1 {
        index.set_multithread_executor(cores)?;
    }
    Ok(())
}

impl SearchIndex {
    /// Makes the next search as quick as the ones after it: loads the word
    /// dictionary (once per process) and reads what searches keep for each
    /// segment (its dates, and the columns grouping reads) for segments not
    /// read yet. A search does the same when it needs to; a server calls
    /// this after opening or updating the index, so that the first search
    /// a reader makes does not pay for it.
    pub fn warm(&self) -> Result<()> {
        tokenize::jieba();
        let searcher = self.reader.searcher();
        self.dates.of(&searcher, Dates::of)?;
        self.columns.of(&searcher, crate::query::Columns::of)?;
        Ok(())
    }

    /// The directory of `library`'s search index.
    pub fn dir_of(library: &Library) -> PathBuf {
        library.git_dir().join("wenku").join("search")
    }

    /// Opens the index of `library`, creating an empty one (that reflects
    /// no commit) when there is none or it cannot be opened. Call
    /// [`refresh`](Self::refresh) before searching.
    pub fn open(library: &Library) -> Result<SearchIndex> {
        let dir = Self::dir_of(library);
        // Opening reads the segments' footers: a damaged file shows here.
        let opened = open_tantivy(&dir).and_then(|mut index| {
            prepare(&mut index)?;
            let reader = index.reader()?;
            Ok((index, reader))
        });
        let (index, reader, indexed) = match opened {
            Ok((index, reader)) => {
                let indexed = read_state(&dir)
                    .filter(|(format, _)| *format == FORMAT)
                    .map(|(_, c)| c);
                (index, reader, indexed)
            }
            Err(e) => {
                if dir.exists() {
                    tracing::warn!(dir = %dir.display(), error = %e, "the search index cannot be opened; rebuilding it");
                }
                let _ = std::fs::remove_file(state_file(&dir));
                let mut index = create_tantivy(&dir)?;
                prepare(&mut index)?;
                let reader = index.reader()?;
                (index, reader, None)
            }
        };
        let (_, fields) = schema();
        Ok(SearchIndex {
            dir,
            index,
            reader,
            writer: None,
            fields,
            indexed,
            dates: PerSegment::default(),
            columns: PerSegment::default(),
        })
    }

    /// The commit the index reflects, if any.
    pub fn indexed(&self) -> Option<ObjectId> {
        self.indexed
    }

    pub(crate) fn reader(&self) -> &IndexReader {
        &self.reader
    }

    /// The work (as its key) and the slot of every document the index
    /// holds, sorted. Two indexes with the same contents hold the same
    /// versions indexed with the same text and metadata: what tests
    /// compare between an index kept current and a rebuild.
    #[doc(hidden)]
    pub fn contents(&self) -> Result<Vec<(u64, u64)>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for segment in searcher.segment_readers() {
            let works = segment.fast_fields().u64("work_key")?;
            let slots = segment.fast_fields().u64("slot")?;
            for doc in segment.doc_ids_alive() {
                if let (Some(work), Some(slot)) = (works.first(doc), slots.first(doc)) {
                    out.push((work, slot));
                }
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Brings the index to `library`'s head (see the module's docs).
    /// `progress` is told the versions indexed so far during a rebuild.
    pub fn refresh(
        &mut self,
        library: &Library,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Refresh> {
        let head = library.head()?;
        let refresh = match self.indexed {
            Some(c) if c == head => return Ok(Refresh::Current),
            Some(from) => match library.changes(from, head) {
                Ok(changes) => {
                    let works: Vec<WorkId> = changes.works.into_iter().map(|w| w.work).collect();
                    match self.update(library, head, &works) {
                        Ok(versions) => Refresh::Updated {
                            works: works.len(),
                            versions,
                        },
                        Err(e) => self.rebuild(
                            library,
                            head,
                            format!("the update failed: {e}"),
                            progress,
                        )?,
                    }
                }
                Err(e) => self.rebuild(
                    library,
                    head,
                    format!(
                        "the indexed commit {} is not an ancestor of the head: {e}",
                        from.short(12)
                    ),
                    progress,
                )?,
            },
            None => self.rebuild(library, head, "no index yet".into(), progress)?,
        };
        Ok(refresh)
    }

    /// Throws the index away and builds it again for the head.
    pub fn rebuild_now(
        &mut self,
        library: &Library,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Refresh> {
        let head = library.head()?;
        self.rebuild(library, head, "asked for".into(), progress)
    }

    /// The writer, with one indexing thread or with the cores' number.
    /// One thread for the small updates that follow commits: each thread
    /// writes a segment of its own on every commit, and a commit's cost is
    /// mostly syncing those segments' files (about 20 ms with two threads
    /// at 100,000 versions). All the cores for rebuilds and large updates.
    /// Changing kind makes a new writer (its threads, the directory's
    /// lock), which costs more than a small update, so the kind is kept
    /// until a different one is needed.
    fn writer(&mut self, many: bool) -> Result<&mut IndexWriter> {
        let threads = if many { crate::cores(8) } else { 1 };
        if self.writer.as_ref().is_some_and(|(_, t)| *t != threads) {
            // The lock is released when the old writer is gone.
            if let Some((old, _)) = self.writer.take() {
                old.wait_merging_threads()?;
            }
        }
        if self.writer.is_none() {
            let memory = WRITER_MEMORY.max(threads * 16 * 1024 * 1024);
            let writer: IndexWriter = self.index.writer_with_num_threads(threads, memory)?;
            if threads == 1 {
                writer.set_merge_policy(Box::new(small_update_policy()));
            } else {
                writer.set_merge_policy(Box::new(large_policy()));
            }
            self.writer = Some((writer, threads));
            // Another process may have written the index before this
            // writer took its lock: updates read the slots it holds.
            self.reader.reload()?;
        }
        Ok(&mut self.writer.as_mut().expect("made above").0)
    }

    fn rebuild(
        &mut self,
        library: &Library,
        head: ObjectId,
        reason: String,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Refresh> {
        let _ = std::fs::remove_file(state_file(&self.dir));
        self.indexed = None;
        let fields = self.fields;
        // Whatever a failed update left pending goes with its writer.
        // (Not tantivy's `rollback`: it makes a new writer with the default
        // merge policy, and a million-version rebuild then ends as one
        // segment that queries search on one core.)
        self.writer = None;
        let writer = self.writer(true)?;
        writer.delete_all_documents()?;
        let snapshot = library.snapshot_at(head)?;
        let mut versions = 0;
        for work in snapshot.works(&Filter::all())? {
            for entry in entries(&fields, &snapshot, &work)? {
                writer.add_document(entry.complete(&fields, &snapshot, &work)?)?;
                versions += 1;
            }
            progress(versions);
        }
        writer.commit()?;
        // The rebuild's segments are still being merged (on a million
        // versions, for about two minutes after the commit). A rebuild is
        // done when they are: searches meanwhile would share the cores
        // with the merges, and the first small update, which needs a
        // writer of its own, would wait for them.
        if let Some((writer, _)) = self.writer.take() {
            writer.wait_merging_threads()?;
        }
        write_state(&self.dir, head)?;
        self.reader.reload()?;
        self.indexed = Some(head);
        Ok(Refresh::Rebuilt { versions, reason })
    }

    /// Brings `works` to `head`: for each, the versions whose slot
    /// changed are taken out and added again (see the module's docs).
    /// Returns the versions added.
    fn update(&mut self, library: &Library, head: ObjectId, works: &[WorkId]) -> Result<usize> {
        let done = self.try_update(library, head, works);
        if done.is_err() {
            // What the failed update deleted and added is pending in the
            // writer; the next commit would take it along with the next
            // update's (adding some versions twice). Dropped with the
            // writer, so the next update starts from what is committed.
            self.writer = None;
        }
        done
    }

    fn try_update(&mut self, library: &Library, head: ObjectId, works: &[WorkId]) -> Result<usize> {
        let fields = self.fields;
        let snapshot = library.snapshot_at(head)?;
        // Made first: a new writer reloads the reader the slots are read
        // from.
        self.writer(works.len() > LARGE_UPDATE)?;
        let searcher = self.reader.searcher();
        let writer = &mut self.writer.as_mut().expect("made above").0;
        let mut added = 0;
        for work in works {
            let work_term = Term::from_field_text(fields.work, &work.to_string());
            if !snapshot.contains(work)? {
                writer.delete_term(work_term);
                continue;
            }
            let mut held = indexed_slots(&searcher, &fields, &work_term)?;
            let mut wanted: HashMap<u64, Vec<Entry>> = HashMap::new();
            for entry in entries(&fields, &snapshot, work)? {
                wanted.entry(entry.slot).or_default().push(entry);
            }
            for (slot, entries) in wanted {
                let held = held.remove(&slot).unwrap_or(0);
                if held == entries.len() {
                    continue;
                }
                if held > 0 {
                    delete_slot(writer, &fields, &work_term, slot)?;
                }
                for entry in entries {
                    writer.add_document(entry.complete(&fields, &snapshot, work)?)?;
                    added += 1;
                }
            }
            // What the index holds and the head no longer has.
            for slot in held.into_keys() {
                delete_slot(writer, &fields, &work_term, slot)?;
            }
        }
        writer.commit()?;
        write_state(&self.dir, head)?;
        self.reader.reload()?;
        self.indexed = Some(head);
        Ok(added)
    }
}

/// How many of the live documents of the work `work` (its term) hold each
/// slot, read from the postings of the work's term and the slot column.
fn indexed_slots(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    work: &Term,
) -> Result<HashMap<u64, usize>> {
    let mut slots = HashMap::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(fields.work)?;
        let postings = inverted
            .read_postings(work, IndexRecordOption::Basic)
            .map_err(tantivy::TantivyError::from)?;
        let Some(mut postings) = postings else {
            continue;
        };
        let column = segment.fast_fields().u64("slot")?;
        let alive = segment.alive_bitset();
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc))
                && let Some(slot) = column.first(doc)
            {
                *slots.entry(slot).or_insert(0) += 1;
            }
            doc = postings.advance();
        }
    }
    Ok(slots)
}

/// Deletes the documents of one work that hold `slot`. (The query names
/// the work as well: a slot alone is a 64-bit hash, and another work's
/// document sharing it must not go.)
fn delete_slot(writer: &IndexWriter, fields: &Fields, work: &Term, slot: u64) -> Result<()> {
    let both: Vec<(Occur, Box<dyn Query>)> = vec![
        (
            Occur::Must,
            Box::new(TermQuery::new(work.clone(), IndexRecordOption::Basic)),
        ),
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_u64(fields.slot, slot),
                IndexRecordOption::Basic,
            )),
        ),
    ];
    writer.delete_query(Box::new(BooleanQuery::new(both)))?;
    Ok(())
}

/// How small updates merge segments: only segments of up to
/// [`SMALL_SEGMENT`] versions, in levels by size (tantivy's default puts
/// every segment under 10,000 documents in one level). Left to the
/// default policy, a one-work commit could start merging eight of a
/// rebuild's segments (hundreds of megabytes) on the other core, and the
/// commits beside that merge, syncing their files while it writes, took
/// 50-100 ms instead of 20 (17 of 200 updates at a million versions).
fn small_update_policy() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    policy.set_max_docs_before_merge(SMALL_SEGMENT);
    policy.set_min_layer_size(100);
    policy
}

/// How rebuilds and large updates merge segments: tantivy's levels, but
/// a segment of more than [`LARGE_SEGMENT`] versions is not merged again,
/// and no merge makes one of more than twice that ([`Capped`]). A search
/// runs a segment on one core: left to the default, a million versions'
/// rebuild could end as one segment (eight of about 130,000 merged), and
/// every query then ran on one of the two cores, 1.5-2× slower. Capped,
/// it ends as several segments of 100,000 to 200,000 that the cores
/// share.
fn large_policy() -> Capped {
    let mut log = LogMergePolicy::default();
    log.set_max_docs_before_merge(LARGE_SEGMENT);
    Capped {
        log,
        max: 2 * LARGE_SEGMENT,
    }
}

/// A [`LogMergePolicy`] whose merges never make a segment of more than
/// `max` versions. The log policy alone only leaves out segments above
/// its limit; the segments it merges may add up to far more. Which they
/// do depends on how many versions the indexing threads flushed at a
/// time: eight flushes of 12,500 merge into 100,000, still under the
/// limit, and eight of those could merge into 800,000. Each merge the
/// log policy asks for keeps its smallest segments up to `max` versions
/// (at least two, or it is dropped); the rest wait for a later merge.
#[derive(Debug)]
struct Capped {
    log: LogMergePolicy,
    max: usize,
}

impl tantivy::indexer::MergePolicy for Capped {
    fn compute_merge_candidates(
        &self,
        segments: &[tantivy::index::SegmentMeta],
    ) -> Vec<tantivy::indexer::MergeCandidate> {
        let size: HashMap<tantivy::index::SegmentId, usize> = segments
            .iter()
            .map(|s| (s.id(), s.num_docs() as usize))
            .collect();
        self.log
            .compute_merge_candidates(segments)
            .into_iter()
            .filter_map(|candidate| {
                let mut ids = candidate.0;
                ids.sort_by_key(|id| (size.get(id).copied().unwrap_or(usize::MAX), *id));
                let mut total = 0;
                let kept: Vec<_> = ids
                    .into_iter()
                    .take_while(|id| {
                        total = size
                            .get(id)
                            .map_or(usize::MAX, |n| total.saturating_add(*n));
                        total <= self.max
                    })
                    .collect();
                (kept.len() >= 2).then_some(tantivy::indexer::MergeCandidate(kept))
            })
            .collect()
    }
}

/// The days since 1970 of `d`.
pub(crate) fn days(d: Date) -> i64 {
    d.to_days()
}

/// A version's document being built, and its slot: every value given
/// through [`text`](Self::text), [`u64`](Self::u64) and [`i64`](Self::i64)
/// is hashed with its field, so the slot changes whenever anything the
/// version is indexed with does. The text is added after the slot is
/// taken ([`Entry::complete`]); the revision and the withheld mark stand
/// for it.
struct Slotted {
    doc: TantivyDocument,
    hasher: blake3::Hasher,
}

impl Slotted {
    fn new() -> Slotted {
        Slotted {
            doc: TantivyDocument::default(),
            hasher: blake3::Hasher::new(),
        }
    }

    fn hash(&mut self, field: Field, kind: u8, bytes: &[u8]) {
        self.hasher.update(&field.field_id().to_le_bytes());
        self.hasher.update(&[kind]);
        self.hasher.update(&(bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
    }

    fn text(&mut self, field: Field, value: &str) {
        self.hash(field, 0, value.as_bytes());
        self.doc.add_text(field, value);
    }

    fn u64(&mut self, field: Field, value: u64) {
        self.hash(field, 1, &value.to_le_bytes());
        self.doc.add_u64(field, value);
    }

    fn i64(&mut self, field: Field, value: i64) {
        self.hash(field, 2, &value.to_le_bytes());
        self.doc.add_i64(field, value);
    }
}

/// One version as the index holds it, before its text is read.
struct Entry {
    doc: TantivyDocument,
    slot: u64,
    /// The version's revision, when its text is indexed (not withheld).
    text: Option<wenku_model::RevisionId>,
    /// The document, when it was read already (for its title).
    read: Option<wenku_model::Document>,
}

impl Entry {
    /// The document to index: the entry with its text.
    fn complete(self, f: &Fields, snapshot: &Snapshot, work: &WorkId) -> Result<TantivyDocument> {
        let mut d = self.doc;
        d.add_u64(f.slot, self.slot);
        if let Some(revision) = self.text {
            let doc = match self.read {
                Some(doc) => doc,
                None => snapshot.document(work, &revision)?,
            };
            // The same text for its words, pairs and triples: the
            // tokenizers cut it once (see `tokenize::cut`).
            let text = wenku_model::render::to_plain_text(&doc);
            d.add_text(f.pair, &text);
            d.add_text(f.triple, &text);
            d.add_text(f.body, text);
        }
        Ok(d)
    }
}

/// Every version of `work` as the index holds it, with its slot; a text is
/// read only for a version whose record has no title.
fn entries(f: &Fields, snapshot: &Snapshot, work: &WorkId) -> Result<Vec<Entry>> {
    let Some(record) = snapshot.record(work)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(record.versions.len());
    let key = work_key(work);
    let home = work.region().as_str().parse::<u64>().ok();
    let first = record.versions.iter().map(|v| v.published).min();
    for (i, v) in record.versions.iter().enumerate() {
        let mut d = Slotted::new();
        d.text(f.work, &work.to_string());
        d.u64(f.work_key, key);
        if let Some(code) = home {
            d.u64(f.home, code);
        }
        d.text(f.revision, &v.revision.to_string());
        let mut read = None;
        let title = if record.title.is_empty() {
            let doc = snapshot.document(work, &v.revision)?;
            let title = doc.title.clone();
            read = Some(doc);
            title
        } else {
            record.title.clone()
        };
        d.text(f.title, &title);
        // A version withdrawn from public view is found by its title and
        // metadata, never by its text.
        let withheld = v.withdrawn.is_some();
        d.hasher
            .update(if withheld { b"withheld" } else { b"text    " });
        for issuer in &record.issuers {
            d.text(f.issuer, issuer);
        }
        for key in tokenize::readings(&title) {
            d.text(f.reading, &key);
        }
        if let Some(n) = &record.number {
            d.text(f.number, n.as_str());
        }
        for r in work.region().ancestors() {
            d.text(f.region, r.as_str());
        }
        d.text(f.doc_type, record.doc_type.as_str());
        for s in &record.subjects {
            d.text(f.subject, s);
        }
        if let Some(first) = first {
            d.u64(f.year, u64::from(first.year()));
        }
        d.i64(f.published, days(v.published));
        let (from, until, ended) = in_force(&record, i);
        d.i64(f.from, from);
        d.i64(f.until, until);
        d.u64(f.ended, ended as u64);
        let hash = d.hasher.finalize();
        out.push(Entry {
            doc: d.doc,
            slot: u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("eight bytes")),
            text: (!withheld).then_some(v.revision),
            read,
        });
    }
    Ok(out)
}

/// The days version `i` of `record` is the text in force: from its
/// effective date to the next version's (exclusive), cut short by the
/// work's end.
fn in_force(record: &Record, i: usize) -> (i64, i64, Ended) {
    let v = &record.versions[i];
    let from = days(v.effective_date());
    let mut until = (i64::MAX, Ended::Open);
    if let Some(next) = record.versions.get(i + 1) {
        until = (days(next.effective_date()), Ended::Superseded);
    }
    let ends = [
        record
            .repealed
            .as_ref()
            .map(|r| (days(r.date), Ended::Repealed)),
        record
            .expires
            .and_then(|d| d.add_days(1))
            .map(|d| (days(d), Ended::Expired)),
        record
            .withdrawn
            .as_ref()
            .map(|w| (days(w.date), Ended::Withdrawn)),
    ];
    for (day, why) in ends.into_iter().flatten() {
        if day < until.0 {
            until = (day, why);
        }
    }
    (from, until.0.max(from), until.1)
}

#[cfg(test)]
mod tests {
    use tantivy::index::SegmentId;
    use tantivy::indexer::MergePolicy;

    use super::*;

    /// Segments of these sizes, for a merge policy to look at.
    fn metas(index: &Index, sizes: &[u32]) -> Vec<tantivy::index::SegmentMeta> {
        sizes
            .iter()
            .map(|&n| index.new_segment_meta(SegmentId::generate_random(), n))
            .collect()
    }

    /// A small update merges the small segments that updates made, level
    /// by level, and never a rebuild's large ones, however many there are.
    #[test]
    fn small_updates_merge_only_small_segments() {
        let index = Index::create_in_ram(schema().0);
        let metas = |sizes: &[u32]| metas(&index, sizes);
        let policy = small_update_policy();
        let mut segments = metas(&[17_000; 8]);
        segments.extend(metas(&[140_000; 8]));
        assert!(policy.compute_merge_candidates(&segments).is_empty());
        // Eight one-work segments beside them: those eight merge.
        let small = metas(&[4; 8]);
        segments.extend(small.iter().cloned());
        let candidates = policy.compute_merge_candidates(&segments);
        assert_eq!(candidates.len(), 1, "{candidates:?}");
        let mut merged = candidates[0].0.clone();
        merged.sort();
        let mut expected: Vec<SegmentId> = small.iter().map(|m| m.id()).collect();
        expected.sort();
        assert_eq!(merged, expected);
        // Segments of different sizes are different levels: seven tiny
        // ones and one of 5,000 do not merge yet.
        let mut mixed = metas(&[4; 7]);
        mixed.extend(metas(&[5_000]));
        assert!(policy.compute_merge_candidates(&mixed).is_empty());
        // The default would have merged the rebuild's eight 17,000s.
        assert!(
            !LogMergePolicy::default()
                .compute_merge_candidates(&metas(&[17_000; 8]))
                .is_empty()
        );
    }

    /// A rebuild merges its first segments into larger ones, but never
    /// those into one: the cores share a query's segments.
    #[test]
    fn rebuilds_leave_segments_for_every_core() {
        let index = Index::create_in_ram(schema().0);
        let metas = |sizes: &[u32]| metas(&index, sizes);
        let policy = large_policy();
        assert_eq!(
            policy.compute_merge_candidates(&metas(&[17_000; 8]))[0]
                .0
                .len(),
            8
        );
        // Eight of 99,000 are under the limit, but merged they would make
        // one segment of most of a million: two of them merge.
        let candidates = policy.compute_merge_candidates(&metas(&[99_000; 8]));
        assert_eq!(candidates.len(), 1, "{candidates:?}");
        assert_eq!(candidates[0].0.len(), 2);
        // Of a level of mixed sizes, the smallest merge.
        let mixed = metas(&[
            95_000, 95_000, 90_000, 90_000, 85_000, 85_000, 60_000, 60_000,
        ]);
        let candidates = policy.compute_merge_candidates(&mixed);
        let mut merged = candidates[0].0.clone();
        merged.sort();
        let mut smallest: Vec<SegmentId> = mixed[6..].iter().map(|m| m.id()).collect();
        smallest.sort();
        assert_eq!(merged, smallest);
        assert!(
            policy
                .compute_merge_candidates(&metas(&[136_000; 8]))
                .is_empty()
        );
        assert!(
            !LogMergePolicy::default()
                .compute_merge_candidates(&metas(&[136_000; 8]))
                .is_empty()
        );
    }

    /// What a failed update left pending in the writer is never committed:
    /// not by the next update, not by a rebuild; and a rebuild's writer
    /// merges with the capped policy. (The rebuild once used tantivy's
    /// `rollback` for this, which makes a writer with the default merge
    /// policy: a million-version rebuild then ended as one segment.)
    #[test]
    fn pending_changes_of_a_failed_update_are_dropped() {
        use wenku_test_support::federation::{clerk, node};
        use wenku_test_support::paths::testdata;

        let dir = tempfile::tempdir().expect("tempdir");
        let library = node(dir.path(), "100000");
        wenku_test_support::fixtures::import_version(
            &library,
            &clerk(),
            "100000/law-kuaijifa",
            None,
            None,
            &testdata().join("corpus/laws/cn-law-kuaijifa/2017-11-04.md"),
            "2017-11-04",
        );
        let mut index = SearchIndex::open(&library).expect("open");
        index.refresh(&library, &mut |_| {}).expect("build");
        let held = index.contents().expect("contents");
        assert_eq!(held.len(), 1);
        let head = library.head().expect("head");
        let f = index.fields;
        let stray = || {
            let mut doc = TantivyDocument::default();
            doc.add_u64(f.work_key, 7);
            doc.add_u64(f.slot, 7);
            doc
        };
        let unknown = ObjectId::from_hex("0123456789012345678901234567890123456789").expect("id");

        // An update that fails with a change pending, then one that works.
        let writer = index.writer(false).expect("writer");
        writer.add_document(stray()).expect("pending");
        assert!(index.update(&library, unknown, &[]).is_err());
        index.update(&library, head, &[]).expect("update");
        assert_eq!(index.contents().expect("contents"), held);

        // The same before a rebuild, with the writer of large updates.
        let writer = index.writer(true).expect("writer");
        assert!(
            format!("{:?}", writer.get_merge_policy()).starts_with("Capped"),
            "{:?}",
            writer.get_merge_policy()
        );
        writer.add_document(stray()).expect("pending");
        index.rebuild_now(&library, &mut |_| {}).expect("rebuild");
        assert_eq!(index.contents().expect("contents"), held);
    }
}
