//! Reading a query and answering it.
//!
//! **Reading.** Quoted stretches (`"…"`, `“…”`) are phrases: their words
//! must stand in that order, next to each other, in the text. The rest is
//! split at spaces; each piece is a document number when it reads as one
//! (brackets, widths and spaces normalised: `鲁政办发[2025]5号` finds
//! `鲁政办发〔2025〕5号`), a work id (`370200/qzbf-2025-3`), pinyin when it
//! is ASCII letters (`laowupaiqian`, `lwpq`: matched against titles'
//! readings, or as a Latin word), and otherwise Chinese text cut into
//! words. Every piece must match (AND); a word matches the title, the
//! text or the issuer.
//!
//! **Ranking.** tantivy's BM25, a title hit counting three times a text
//! hit, and the version in force today two points more; hits are grouped
//! by work, each work shown once, ranked by its best version's score and
//! shown with the version in force today when that one matches, else the
//! latest version that matches (not whichever of near-equal scores came
//! out ahead, which depends on how tantivy's segments were merged).
//!
//! **Typos.** When nothing matches, each piece of Chinese text of three or
//! more characters is looked for among the words of the titles that share
//! any of its words or its reading: a title word of the same length that
//! reads the same (劳物派遣 → 劳务派遣, homophones) or differs in one
//! character (劳务派遺 → 劳务派遣, near forms) replaces it, the query is run
//! again, and the answer says so ([`Results::did_you_mean`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query as _, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, SegmentReader, TantivyDocument, Term};
use wenku_model::{Date, DocNumber, DocType, Region, RevisionId, Status, WorkId};
use wenku_store::Snapshot;

use crate::collect::{Dates, Ranked};
use crate::index::{Ended, Fields, SearchIndex, days};
use crate::snippet::{self, Snippet};
use crate::tokenize::{self, fold, pinyin, query_words};
use crate::{Error, Result};

/// What being the text in force today adds to a version's score (as
/// much as a rare word of the text).
const IN_FORCE_TODAY: f32 = 2.0;

/// Versions looked at to group hits into works and count facets.
pub const GROUP: usize = 2_000;

/// A search.
#[derive(Clone, Debug)]
pub struct Query {
    /// What the reader typed.
    pub text: String,
    /// Only works of this region and the regions under it.
    pub region: Option<Region>,
    /// Only works of this type.
    pub doc_type: Option<DocType>,
    /// Only works first published this year.
    pub year: Option<u32>,
    /// Only works with this subject.
    pub subject: Option<String>,
    /// Only the versions in force on this day.
    pub at: Option<Date>,
    /// Today, for ranking and statuses.
    pub today: Date,
    /// Works to return.
    pub limit: usize,
    /// Works to skip (paging).
    pub offset: usize,
}

impl Query {
    /// A query for `text` with no filters, 20 hits.
    pub fn new(text: impl Into<String>, today: Date) -> Query {
        Query {
            text: text.into(),
            region: None,
            doc_type: None,
            year: None,
            subject: None,
            at: None,
            today,
            limit: 20,
            offset: 0,
        }
    }
}

/// One work found.
#[derive(Clone, Debug)]
pub struct Hit {
    /// The work.
    pub work: WorkId,
    /// The version shown.
    pub revision: RevisionId,
    /// The work's title.
    pub title: String,
    /// The version's status today.
    pub status: Status,
    /// The score (higher is better).
    pub score: f32,
    /// Where the words were found in the version's text.
    pub snippet: Snippet,
}

/// Counts of works by one property.
#[derive(Clone, Debug)]
pub struct Facet {
    /// `region`, `type`, `year`, `status` or `subject`.
    pub name: &'static str,
    /// Values and how many works found have each, most first.
    pub counts: Vec<(String, usize)>,
}

/// The answer.
#[derive(Clone, Debug)]
pub struct Results {
    /// The query as read: its pieces and what each was taken for.
    pub read_as: Vec<String>,
    /// Versions that match.
    pub versions: usize,
    /// Works among the best [`GROUP`] matching versions.
    pub works: usize,
    /// Whether there may be more works than `works` (more versions matched
    /// than were grouped).
    pub more: bool,
    /// The works on this page.
    pub hits: Vec<Hit>,
    /// Counts by region, type, year, status today and subject, over the
    /// works.
    pub facets: Vec<Facet>,
    /// When nothing matched as typed: the query that was run instead.
    pub did_you_mean: Option<String>,
}

/// A piece of the query and how it is matched.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Phrase(String),
    Number(DocNumber),
    Work(WorkId),
    Latin(String),
    Text(String),
}

fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = String::new();
    let mut phrase: Option<String> = None;
    for c in text.chars() {
        match (&mut phrase, c) {
            (None, '"' | '“' | '”') => phrase = Some(String::new()),
            (Some(p), '"' | '“' | '”') => {
                if !p.trim().is_empty() {
                    out.push(Piece::Phrase(p.trim().to_string()));
                }
                phrase = None;
                rest.push(' ');
            }
            (Some(p), c) => p.push(c),
            (None, c) => rest.push(c),
        }
    }
    if let Some(p) = phrase {
        rest.push_str(&p);
    }
    for piece in rest
        .split(|c: char| c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        if let Some(n) = DocNumber::parse(piece) {
            out.push(Piece::Number(n));
        } else if piece.contains('/')
            && let Ok(w) = WorkId::parse(piece)
        {
            out.push(Piece::Work(w));
        } else if piece.chars().all(|c| c.is_ascii_alphabetic()) && piece.len() >= 2 {
            out.push(Piece::Latin(piece.to_ascii_lowercase()));
        } else if piece.chars().any(char::is_alphanumeric) {
            out.push(Piece::Text(piece.to_string()));
        }
    }
    out
}

fn term(f: tantivy::schema::Field, text: &str) -> Box<dyn tantivy::query::Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(f, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(q: Box<dyn tantivy::query::Query>, by: f32) -> Box<dyn tantivy::query::Query> {
    Box::new(BoostQuery::new(q, by))
}

/// A word in the title (three times), the text or the issuer.
fn word_query(f: &Fields, word: &str) -> Box<dyn tantivy::query::Query> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, boosted(term(f.title, word), 3.0)),
        (Occur::Should, term(f.body, word)),
        (Occur::Should, term(f.issuer, word)),
    ]))
}

/// The words of a phrase with their character offsets.
fn phrase_words(phrase: &str) -> Vec<(usize, String)> {
    tokenize::jieba()
        .cut(&fold(phrase), true)
        .into_iter()
        .filter(|t| t.word.chars().any(char::is_alphanumeric))
        .map(|t| (t.start, t.word.to_string()))
        .collect()
}

/// A phrase of two or more words in the text. When its words touch (no
/// space or punctuation between them in the phrase), two words are one
/// term of the `pair` field and three one term of the `triple` field,
/// found with no positions read; more are a phrase of the pairs (`优化营商`
/// at 0, `营商环境` at 2). Each is the same match as the words' phrase (a
/// pair at position p is its first word at p and its second right after,
/// a triple its third right after that) with far fewer positions to
/// check, or none. Otherwise the words' phrase over the text.
fn text_phrase(f: &Fields, words: &[(usize, String)]) -> Box<dyn tantivy::query::Query> {
    let touching = words
        .windows(2)
        .all(|w| w[0].0 + w[0].1.chars().count() == w[1].0);
    if !touching {
        return Box::new(PhraseQuery::new_with_offset(
            words
                .iter()
                .map(|(o, w)| (*o, Term::from_field_text(f.body, w)))
                .collect(),
        ));
    }
    if let [a, b, c] = words {
        let triple = tokenize::triple(&a.1, &b.1, &c.1);
        return Box::new(TermQuery::new(
            Term::from_field_text(f.triple, &triple),
            IndexRecordOption::WithFreqs,
        ));
    }
    let mut pairs: Vec<(usize, Term)> = words
        .windows(2)
        .map(|w| {
            (
                w[0].0,
                Term::from_field_text(f.pair, &tokenize::pair(&w[0].1, &w[1].1)),
            )
        })
        .collect();
    if pairs.len() == 1 {
        let (_, only) = pairs.remove(0);
        return Box::new(TermQuery::new(only, IndexRecordOption::WithFreqs));
    }
    Box::new(PhraseQuery::new_with_offset(pairs))
}

fn piece_query(f: &Fields, piece: &Piece) -> Option<Box<dyn tantivy::query::Query>> {
    Some(match piece {
        Piece::Number(n) => term(f.number, n.as_str()),
        Piece::Work(w) => term(f.work, &w.to_string()),
        Piece::Latin(l) => Box::new(BooleanQuery::new(vec![
            (Occur::Should, boosted(term(f.reading, l), 3.0)),
            (Occur::Should, word_query(f, l)),
        ])),
        Piece::Text(t) => {
            let words = query_words(t);
            if words.is_empty() {
                return None;
            }
            Box::new(BooleanQuery::new(
                words
                    .iter()
                    .map(|w| (Occur::Must, word_query(f, w)))
                    .collect(),
            ))
        }
        Piece::Phrase(p) => {
            let words = phrase_words(p);
            match words.len() {
                0 => return None,
                1 => word_query(f, &words[0].1),
                _ => {
                    let at = |field| {
                        words
                            .iter()
                            .map(|(o, w)| (*o, Term::from_field_text(field, w)))
                            .collect::<Vec<_>>()
                    };
                    Box::new(BooleanQuery::new(vec![
                        (
                            Occur::Should,
                            boosted(Box::new(PhraseQuery::new_with_offset(at(f.title))), 3.0),
                        ),
                        (Occur::Should, text_phrase(f, &words)),
                    ]))
                }
            }
        }
    })
}

fn describe(piece: &Piece) -> String {
    match piece {
        Piece::Phrase(p) => format!(
            "phrase \"{p}\": {}",
            phrase_words(p)
                .into_iter()
                .map(|(_, w)| w)
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Piece::Number(n) => format!("document number {n}"),
        Piece::Work(w) => format!("work {w}"),
        Piece::Latin(l) => format!("pinyin or Latin word {l}"),
        Piece::Text(t) => format!("words {}", query_words(t).join(" ")),
    }
}

fn build(f: &Fields, q: &Query, pieces: &[Piece]) -> Box<dyn tantivy::query::Query> {
    let mut clauses: Vec<(Occur, Box<dyn tantivy::query::Query>)> = pieces
        .iter()
        .filter_map(|p| piece_query(f, p))
        .map(|q| (Occur::Must, q))
        .collect();
    if clauses.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    if let Some(r) = q.region {
        clauses.push((Occur::Must, term(f.region, r.as_str())));
    }
    if let Some(t) = q.doc_type {
        clauses.push((Occur::Must, term(f.doc_type, t.as_str())));
    }
    if let Some(s) = &q.subject {
        clauses.push((Occur::Must, term(f.subject, s)));
    }
    if let Some(y) = q.year {
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_u64(f.year, u64::from(y)),
                IndexRecordOption::Basic,
            )),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// What a matching version is, read from the index's columns.
struct Found {
    /// The work, as [`crate::index::work_key`] numbers it.
    key: u64,
    /// The work's own region (its code as a number), for the facet.
    home: u64,
    address: DocAddress,
    year: u64,
    status: Status,
    /// The day the version took effect (days since 1970).
    from: i64,
    score: f32,
}

fn status_on(from: i64, until: i64, ended: u64, today: i64) -> Status {
    if today < from {
        Status::NotYetEffective
    } else if today < until {
        Status::InForce
    } else {
        match ended {
            x if x == Ended::Repealed as u64 => Status::Repealed,
            x if x == Ended::Expired as u64 => Status::Expired,
            x if x == Ended::Withdrawn as u64 => Status::Withdrawn,
            _ => Status::Superseded,
        }
    }
}

/// The columns of one segment that grouping and facets read: a hit's
/// work, type, subjects, year and how its time in force ended come from
/// these (fast fields; its dates from the segment's [`Dates`]), not from
/// the document store, which is read only for the hits shown.
pub(crate) struct Columns {
    work_key: Column<u64>,
    home: Column<u64>,
    doc_type: Option<StrColumn>,
    subject: Option<StrColumn>,
    year: Column<u64>,
    ended: Column<u64>,
}

impl Columns {
    pub(crate) fn of(segment: &SegmentReader) -> Result<Columns> {
        let fast = segment.fast_fields();
        Ok(Columns {
            work_key: fast.u64("work_key")?,
            home: fast.u64("home")?,
            doc_type: fast.str("type")?,
            subject: fast.str("subject")?,
            year: fast.u64("year")?,
            ended: fast.u64("ended")?,
        })
    }
}

fn found(
    columns: &Columns,
    dates: &Dates,
    address: DocAddress,
    score: f32,
    today: i64,
) -> Option<Found> {
    let doc = address.doc_id;
    let (Some(key), Some(home)) = (columns.work_key.first(doc), columns.home.first(doc)) else {
        return None;
    };
    let (from, until) = dates.span(doc);
    let status = status_on(from, until, columns.ended.first(doc).unwrap_or(0), today);
    Some(Found {
        key,
        home,
        address,
        year: columns.year.first(doc).unwrap_or(0),
        status,
        from,
        score,
    })
}

/// The facets of the works grouped: each work counted once, by the
/// version it is shown with. Values are counted as the columns hold them
/// (a region's code, a type's or subject's number in its segment's
/// dictionary) and named once each, not once per work.
fn facets(
    order: &[u64],
    best: &HashMap<u64, Found>,
    columns: &[Arc<Columns>],
) -> Result<Vec<Facet>> {
    const TYPE: usize = 0;
    const SUBJECT: usize = 1;
    let (mut regions, mut years) = (HashMap::new(), HashMap::new());
    let mut statuses: HashMap<&'static str, usize> = HashMap::new();
    let mut ords: HashMap<(usize, u32, u64), usize> = HashMap::new();
    let mut untyped = 0;
    for w in order {
        let found = &best[w];
        *regions.entry(found.home).or_default() += 1;
        *years.entry(found.year).or_default() += 1;
        *statuses.entry(found.status.as_str()).or_default() += 1;
        let (segment, doc) = (found.address.segment_ord, found.address.doc_id);
        let c = &columns[segment as usize];
        match c.doc_type.as_ref().and_then(|t| t.ords().first(doc)) {
            Some(ord) => *ords.entry((TYPE, segment, ord)).or_default() += 1,
            None => untyped += 1,
        }
        if let Some(subject) = &c.subject {
            for ord in subject.term_ords(doc) {
                *ords.entry((SUBJECT, segment, ord)).or_default() += 1;
            }
        }
    }
    let mut named: [BTreeMap<String, usize>; 2] = Default::default();
    if untyped > 0 {
        named[TYPE].insert(String::new(), untyped);
    }
    // Each segment's numbers named in one pass over its dictionary, in
    // order (a lookup each would decode a dictionary block each).
    let mut ords: Vec<((usize, u32, u64), usize)> = ords.into_iter().collect();
    ords.sort_unstable();
    for run in ords.chunk_by(|a, b| (a.0.0, a.0.1) == (b.0.0, b.0.1)) {
        let ((kind, segment, _), _) = run[0];
        let c = &columns[segment as usize];
        let column = if kind == TYPE {
            &c.doc_type
        } else {
            &c.subject
        };
        let column = column.as_ref().expect("an ordinal was read from it");
        let numbers: Vec<u64> = run.iter().map(|((_, _, ord), _)| *ord).collect();
        let mut counts = run.iter().map(|(_, n)| *n);
        let mut out = Ok(());
        let all = column
            .dictionary()
            .sorted_ords_to_term_cb(&numbers, |bytes| {
                let n = counts.next().unwrap_or(0);
                match std::str::from_utf8(bytes) {
                    Ok(name) => *named[kind].entry(name.to_string()).or_default() += n,
                    Err(e) => out = Err(e),
                }
            })
            .map_err(|e| Error::Index(e.into()))?;
        if !all || out.is_err() {
            return Err(Error::Index(tantivy::TantivyError::InternalError(format!(
                "the {} column of segment {segment} has a value its dictionary does not name",
                if kind == TYPE { "type" } else { "subject" }
            ))));
        }
    }
    let [types, subjects] = named;
    let facet = |name, mut counts: Vec<(String, usize)>| {
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Facet { name, counts }
    };
    let by_number = |counts: HashMap<u64, usize>| -> Vec<(String, usize)> {
        counts
            .into_iter()
            .map(|(v, n)| (v.to_string(), n))
            .collect()
    };
    let mut out = Vec::new();
    // In the order of their names, as before.
    if !order.is_empty() {
        out.push(facet("region", by_number(regions)));
        out.push(facet(
            "status",
            statuses
                .into_iter()
                .map(|(s, n)| (s.to_string(), n))
                .collect(),
        ));
        if !subjects.is_empty() {
            out.push(facet("subject", subjects.into_iter().collect()));
        }
        out.push(facet("type", types.into_iter().collect()));
        out.push(facet("year", by_number(years)));
    }
    Ok(out)
}

/// The work, title and revision of a hit shown, from the document store.
fn shown(
    searcher: &Searcher,
    f: &Fields,
    address: DocAddress,
) -> Result<Option<(WorkId, String, RevisionId)>> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let Some(Ok(revision)) = text(f.revision).map(|r| RevisionId::parse(&r)) else {
        return Ok(None);
    };
    let Some(Ok(work)) = text(f.work).map(|w| WorkId::parse(&w)) else {
        return Ok(None);
    };
    Ok(Some((work, text(f.title).unwrap_or_default(), revision)))
}

/// Runs `q` against `index`; snippets are read from `snapshot` (the
/// commit the index reflects, or near it).
pub fn search(index: &SearchIndex, snapshot: &Snapshot, q: &Query) -> Result<Results> {
    if q.limit == 0 || q.limit > 200 {
        return Err(Error::Query(format!("limit is 1 to 200, not {}", q.limit)));
    }
    let pieces = pieces(&q.text);
    let first = run(index, snapshot, q, &pieces)?;
    if first.versions > 0 || pieces.is_empty() {
        return Ok(first);
    }
    // Nothing as typed: try what was probably meant.
    let Some(corrected) = correct(index, &pieces)? else {
        return Ok(first);
    };
    let mut again = run(index, snapshot, q, &corrected.1)?;
    if again.versions == 0 {
        return Ok(first);
    }
    again.did_you_mean = Some(corrected.0);
    Ok(again)
}

fn run(index: &SearchIndex, snapshot: &Snapshot, q: &Query, pieces: &[Piece]) -> Result<Results> {
    let f = &index.fields;
    let searcher = index.reader().searcher();
    let query = build(f, q, pieces);
    let today = days(q.today);
    // One pass over the matches counts them, keeps only the versions in
    // force on the day asked for, and ranks the versions in force today
    // higher; both from each segment's dates read once and kept
    // (`collect`), not a range query over every version of the index.
    let dates = index.dates.of(&searcher, Dates::of)?;
    let collector = Ranked::new(dates.clone(), today, IN_FORCE_TODAY, q.at.map(days), GROUP);
    let (top, versions) = searcher.search(&query, &collector)?;
    // Group by work: the version in force today if it matched, else the
    // latest that matched; the work ranks by its best version's score.
    let mut order: Vec<u64> = Vec::new();
    let mut best: HashMap<u64, Found> = HashMap::new();
    // Opening a segment's columns looks each up by name: done once per
    // segment, not per query (half of grouping's time was opening them).
    let columns = index.columns.of(&searcher, Columns::of)?;
    for (score, address) in top {
        let segment = address.segment_ord as usize;
        let Some(found) = found(&columns[segment], &dates[segment], address, score, today) else {
            continue;
        };
        match best.get_mut(&found.key) {
            None => {
                order.push(found.key);
                best.insert(found.key, found);
            }
            Some(kept) => {
                // The version in force today, else the latest that
                // matched: never the accident of near-equal scores.
                let (now, then) = (
                    found.status == Status::InForce,
                    kept.status == Status::InForce,
                );
                if (now && !then) || (now == then && found.from > kept.from) {
                    let score = kept.score.max(found.score);
                    *kept = Found { score, ..found };
                }
            }
        }
    }
    let works = order.len();
    let facets = facets(&order, &best, &columns)?;
    let words: Vec<String> = pieces
        .iter()
        .flat_map(|p| match p {
            Piece::Text(t) => {
                let mut w = query_words(t);
                w.push(fold(t));
                w
            }
            Piece::Phrase(p) => vec![fold(p)],
            Piece::Latin(l) => vec![l.clone()],
            _ => Vec::new(),
        })
        .collect();
    // The hits shown: title and revision from the store, the text from
    // the library for the snippet. Reading and decoding a text is most of
    // it, so the hits are shared out among the cores.
    let shown_works: Vec<Found> = order
        .iter()
        .skip(q.offset)
        .take(q.limit)
        .map(|w| best.remove(w).expect("grouped"))
        .collect();
    let hit = |found: Found| -> Result<Option<Hit>> {
        let Some((work, title, revision)) = shown(&searcher, f, found.address)? else {
            return Ok(None);
        };
        let withheld = snapshot
            .versions(&work)?
            .iter()
            .any(|v| v.revision == revision && v.withdrawn.is_some());
        let snippet = if withheld {
            Snippet::withheld()
        } else {
            snippet::best(&snapshot.document(&work, &revision)?, &words)
        };
        Ok(Some(Hit {
            snippet,
            work,
            revision,
            title,
            status: found.status,
            score: found.score,
        }))
    };
    let cores = crate::cores(4);
    let per = shown_works.len().div_ceil(cores).max(1);
    let mut parts: Vec<Vec<Found>> = Vec::new();
    let mut rest = shown_works.into_iter().peekable();
    while rest.peek().is_some() {
        parts.push(rest.by_ref().take(per).collect());
    }
    let hits: Vec<Hit> = if parts.len() <= 1 {
        parts
            .into_iter()
            .flatten()
            .filter_map(|found| hit(found).transpose())
            .collect::<Result<_>>()?
    } else {
        std::thread::scope(|scope| {
            let running: Vec<_> = parts
                .into_iter()
                .map(|part| {
                    let hit = &hit;
                    scope.spawn(move || {
                        part.into_iter()
                            .filter_map(|found| hit(found).transpose())
                            .collect::<Result<Vec<Hit>>>()
                    })
                })
                .collect();
            let mut hits = Vec::new();
            for r in running {
                hits.extend(r.join().map_err(|_| {
                    Error::Query("a thread reading the hits shown panicked".into())
                })??);
            }
            Ok::<_, Error>(hits)
        })?
    };
    Ok(Results {
        read_as: pieces.iter().map(describe).collect(),
        versions,
        works,
        more: versions > GROUP,
        hits,
        facets,
        did_you_mean: None,
    })
}

/// Characters that differ between two strings of the same length.
fn differing(a: &str, b: &str) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    (a.len() == b.len()).then(|| a.iter().zip(&b).filter(|(x, y)| x != y).count())
}

/// The query with each unmatched piece of Chinese text replaced by the
/// title word it probably meant, if any piece found one.
fn correct(index: &SearchIndex, pieces: &[Piece]) -> Result<Option<(String, Vec<Piece>)>> {
    let f = &index.fields;
    let searcher = index.reader().searcher();
    let mut changed = false;
    let mut out = Vec::new();
    let mut shown = Vec::new();
    for piece in pieces {
        let Piece::Text(t) = piece else {
            out.push(piece.clone());
            shown.push(match piece {
                Piece::Phrase(p) => format!("\"{p}\""),
                Piece::Number(n) => n.to_string(),
                Piece::Work(w) => w.to_string(),
                Piece::Latin(l) | Piece::Text(l) => l.clone(),
            });
            continue;
        };
        let typed = fold(t);
        let n = typed.chars().count();
        let alone = piece_query(f, piece)
            .map(|q| q.count(&searcher))
            .transpose()?
            .unwrap_or(0);
        if n < 3 || alone > 0 {
            out.push(piece.clone());
            shown.push(t.clone());
            continue;
        }
        // Titles that share a word or the reading.
        let (reading, _) = pinyin(&typed);
        let mut any: Vec<(Occur, Box<dyn tantivy::query::Query>)> = query_words(&typed)
            .iter()
            .filter(|w| w.chars().count() >= 2)
            .map(|w| (Occur::Should, term(f.title, w)))
            .collect();
        any.push((Occur::Should, boosted(term(f.reading, &reading), 5.0)));
        let candidates = searcher.search(
            &BooleanQuery::new(any),
            &TopDocs::with_limit(50).order_by_score(),
        )?;
        let mut replacement = None;
        'docs: for (_, address) in candidates {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(title) = doc.get_first(f.title).and_then(|v| v.as_str()) else {
                continue;
            };
            let words = query_words(title);
            for len in 1..=3 {
                for run in words.windows(len) {
                    let word = fold(&run.concat());
                    let Some(diff) = differing(&word, &typed) else {
                        continue;
                    };
                    if diff == 0 {
                        continue;
                    }
                    if pinyin(&word).0 == reading || diff == 1 {
                        replacement = Some(word);
                        break 'docs;
                    }
                }
            }
        }
        match replacement {
            Some(word) => {
                changed = true;
                shown.push(word.clone());
                out.push(Piece::Text(word));
            }
            None => {
                shown.push(t.clone());
                out.push(piece.clone());
            }
        }
    }
    Ok(changed.then(|| (shown.join(" "), out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_read_by_what_they_look_like() {
        let p = pieces("鲁政办发[2025]5号 lwpq “劳务派遣 用工” 370200/qzbf-2025-3 营商环境");
        assert_eq!(
            p,
            vec![
                Piece::Phrase("劳务派遣 用工".into()),
                Piece::Number(DocNumber::parse("鲁政办发〔2025〕5号").expect("number")),
                Piece::Latin("lwpq".into()),
                Piece::Work(WorkId::parse("370200/qzbf-2025-3").expect("work")),
                Piece::Text("营商环境".into()),
            ]
        );
    }

    /// The pairs' and triples' lookup of a phrase finds exactly the
    /// versions the words' phrase finds, for phrases cut from real laws at
    /// many places (two to five words).
    #[test]
    fn a_phrase_by_pairs_matches_what_the_words_phrase_matches() {
        use tantivy::collector::DocSetCollector;
        use wenku_test_support::paths::testdata;

        let dir = tempfile::tempdir().expect("tempdir");
        let identity =
            wenku_store::Identity::new("wenku test", "test@wenku.invalid").expect("identity");
        let library = wenku_store::Library::init(
            dir.path(),
            Region::parse("100000").expect("region"),
            wenku_store::InitOptions::new(identity.clone()),
        )
        .expect("init");
        let laws = testdata().join("corpus/laws");
        let mut texts = Vec::new();
        for (folder, date) in [
            ("cn-law-lifafa", "2015-03-15"),
            ("cn-law-lifafa", "2023-03-13"),
            ("cn-law-jianchafa", "2018-03-20"),
            ("cn-law-kuaijifa", "2017-11-04"),
        ] {
            let file = laws.join(folder).join(format!("{date}.md"));
            texts.push(std::fs::read_to_string(&file).expect("law"));
            wenku_test_support::fixtures::import_version(
                &library,
                &identity,
                &format!("100000/{}", folder.trim_start_matches("cn-")),
                None,
                None,
                &file,
                date,
            );
        }
        let mut index = SearchIndex::open(&library).expect("open");
        index.refresh(&library, &mut |_| {}).expect("index");
        let f = &index.fields;
        let searcher = index.reader().searcher();
        let matched =
            |q: &dyn tantivy::query::Query| searcher.search(q, &DocSetCollector).expect("search");
        let (mut compared, mut three, mut longer, mut found) = (0, 0, 0, 0);
        for text in &texts {
            // Two to five neighbouring words of the law as a reader
            // would quote them, at many places; Chinese characters only
            // (the markdown's marks are not in the text as indexed).
            let cut: Vec<String> = tokenize::jieba()
                .cut(text, true)
                .into_iter()
                .map(|t| t.word.to_string())
                .collect();
            for (i, start) in (0..cut.len()).step_by(31).enumerate() {
                let len = 2 + i % 4;
                let Some(run) = cut.get(start..start + len) else {
                    continue;
                };
                let phrase: String = run.concat();
                if !phrase
                    .chars()
                    .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                {
                    continue;
                }
                let words = phrase_words(&phrase);
                if words.len() < 2 {
                    continue;
                }
                let by_words = PhraseQuery::new_with_offset(
                    words
                        .iter()
                        .map(|(o, w)| (*o, Term::from_field_text(f.body, w)))
                        .collect(),
                );
                let by_pairs = text_phrase(f, &words);
                let expected = matched(&by_words);
                assert_eq!(
                    matched(by_pairs.as_ref()),
                    expected,
                    "{phrase:?}: {words:?}"
                );
                compared += 1;
                three += usize::from(words.len() == 3);
                longer += usize::from(words.len() > 3);
                // The phrase was cut from one of the texts: it is found
                // unless jieba cuts it differently inside the text.
                found += usize::from(!expected.is_empty());
            }
        }
        assert!(
            compared > 200 && three > 50 && longer > 50 && found * 10 > compared * 7,
            "{compared} phrases, {three} of 3 words, {longer} of 4+, {found} found"
        );
    }

    #[test]
    fn statuses_follow_the_dates() {
        assert_eq!(
            status_on(10, 20, Ended::Superseded as u64, 5),
            Status::NotYetEffective
        );
        assert_eq!(
            status_on(10, 20, Ended::Superseded as u64, 15),
            Status::InForce
        );
        assert_eq!(
            status_on(10, 20, Ended::Superseded as u64, 25),
            Status::Superseded
        );
        assert_eq!(
            status_on(10, 20, Ended::Repealed as u64, 25),
            Status::Repealed
        );
        assert_eq!(
            status_on(10, i64::MAX, Ended::Open as u64, 25),
            Status::InForce
        );
    }
}
