//! Collecting a query's matches in one pass: "in force on D" filters them,
//! "in force today" raises their score, and they are counted and the best
//! [`GROUP`](crate::GROUP) kept.
//!
//! Both date tests read the same two values of every matching version (a
//! common word matches most of a province's versions). tantivy's columns
//! give them through a chain of calls per value (the column, its optional
//! index, its bit-packed codec); here each segment's dates are read once
//! into a plain array ([`Dates`]) and kept between queries. Segments never
//! change once written (deletes are kept apart from them), so a segment's
//! array holds as long as the segment is searched, and is dropped when it
//! is not: 8 bytes per version, 8 MB for a million.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::collector::sort_key::NaturalComparator;
use tantivy::collector::{Collector, SegmentCollector, TopNComputer};
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use crate::Result;

/// One segment's versions' dates, as days since 1970: `[from, until)` is
/// when the version was in force (`until` is `i32::MAX` while it still
/// is). Dates lie in years 1000–9999, well inside `i32`; values outside it
/// (the column's defaults for a document without one) are clamped, which
/// keeps every comparison with such a date.
pub(crate) struct Dates(Vec<[i32; 2]>);

fn clamp(days: i64) -> i32 {
    days.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

impl Dates {
    pub(crate) fn of(segment: &SegmentReader) -> Result<Dates> {
        let fast = segment.fast_fields();
        let (from, until) = (fast.i64("from")?, fast.i64("until")?);
        let docs = segment.max_doc() as usize;
        // Every version has both dates: each column read whole, in blocks.
        let full = |c: &tantivy::columnar::Column<i64>| {
            c.get_cardinality() == tantivy::columnar::Cardinality::Full
                && c.values.num_vals() as usize == docs
        };
        if full(&from) && full(&until) {
            let (mut f, mut u) = (vec![0; docs], vec![0; docs]);
            from.values.get_range(0, &mut f);
            until.values.get_range(0, &mut u);
            return Ok(Dates(
                f.into_iter()
                    .zip(u)
                    .map(|(f, u)| [clamp(f), clamp(u)])
                    .collect(),
            ));
        }
        // A version without dates is never in force.
        Ok(Dates(
            (0..segment.max_doc())
                .map(|doc| {
                    [
                        clamp(from.first(doc).unwrap_or(i64::MAX)),
                        clamp(until.first(doc).unwrap_or(i64::MIN)),
                    ]
                })
                .collect(),
        ))
    }

    /// When version `doc` was in force: from the first day, until before
    /// the second (days since 1970, clamped to `i32`).
    pub(crate) fn span(&self, doc: DocId) -> (i64, i64) {
        let [from, until] = self.0[doc as usize];
        (i64::from(from), i64::from(until))
    }

    /// Whether version `doc` was in force on `day` (clamped).
    #[inline]
    fn in_force(&self, doc: DocId, day: i32) -> bool {
        let [from, until] = self.0[doc as usize];
        from <= day && day < until
    }
}

/// What a search reads of each segment (its dates, its columns), read
/// once and kept between queries by segment id: a segment never changes
/// once written.
pub(crate) struct PerSegment<T>(Mutex<HashMap<SegmentId, Arc<T>>>);

impl<T> Default for PerSegment<T> {
    fn default() -> Self {
        PerSegment(Mutex::new(HashMap::new()))
    }
}

impl<T> PerSegment<T> {
    /// What `read` gives for each of `searcher`'s segments, by segment
    /// ordinal; read for a segment not seen before, forgotten for
    /// segments no longer searched.
    pub(crate) fn of(
        &self,
        searcher: &Searcher,
        read: impl Fn(&SegmentReader) -> Result<T>,
    ) -> Result<Vec<Arc<T>>> {
        let segments = searcher.segment_readers();
        let mut held = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if held.len() > segments.len()
            || segments.iter().any(|s| !held.contains_key(&s.segment_id()))
        {
            held.retain(|id, _| segments.iter().any(|s| s.segment_id() == *id));
        }
        segments
            .iter()
            .map(|segment| {
                Ok(match held.get(&segment.segment_id()) {
                    Some(kept) => Arc::clone(kept),
                    None => {
                        let read = Arc::new(read(segment)?);
                        held.insert(segment.segment_id(), Arc::clone(&read));
                        read
                    }
                })
            })
            .collect()
    }
}

/// The matches of a query: how many, and the best `limit` by score (ties
/// by address, as tantivy's own top-docs collector breaks them).
///
/// Each segment keeps its own best `limit` (tantivy's `TopNComputer`:
/// a buffer of twice that, cut to the best half when full, the lowest
/// score kept becoming the threshold a match must pass). The segments
/// also share the highest of their thresholds: when one segment has
/// `limit` matches scoring at least T, no match scoring less than T,
/// in any segment, is among the best. Without it, every segment found
/// its own best 2,000 from nothing, and for a common word a fifth of
/// all matches passed some segment's threshold (138,000 of 635,000),
/// each pass paid for in the buffer's cuts — a fifth of the query's
/// time. A match scoring exactly T is still taken: it may come before
/// the other segment's in address, which wins a tie.
pub(crate) struct Ranked {
    dates: Vec<Arc<Dates>>,
    /// Days since 1970 of the day whose versions in force rank higher.
    today: i64,
    /// What being in force today adds to a score.
    boost: Score,
    /// Only versions in force on this day (days since 1970).
    at: Option<i64>,
    limit: usize,
    /// The highest threshold of the segments searched so far (an
    /// `f32`'s bits), starting at minus infinity.
    shared: Arc<AtomicU32>,
}

impl Ranked {
    /// A collector for one search.
    pub(crate) fn new(
        dates: Vec<Arc<Dates>>,
        today: i64,
        boost: Score,
        at: Option<i64>,
        limit: usize,
    ) -> Ranked {
        Ranked {
            dates,
            today,
            boost,
            at,
            limit,
            shared: Arc::new(AtomicU32::new(f32::NEG_INFINITY.to_bits())),
        }
    }
}

/// What [`Ranked`] collects: the best matches (best first once merged;
/// a segment's in no order), and how many versions matched.
pub(crate) type Top = (Vec<(Score, DocAddress)>, usize);

pub(crate) struct SegmentRanked {
    dates: Arc<Dates>,
    segment: u32,
    today: i32,
    boost: Score,
    at: Option<i32>,
    count: usize,
    top: TopNComputer<Score, DocId, NaturalComparator>,
    /// This segment's threshold when it was last shared.
    sent: Option<Score>,
    shared: Arc<AtomicU32>,
}

impl SegmentRanked {
    /// Raises the shared threshold to this segment's, if that is higher.
    #[cold]
    fn share(&mut self, threshold: Score) {
        self.sent = Some(threshold);
        let mut held = self.shared.load(Ordering::Relaxed);
        while threshold > f32::from_bits(held) {
            match self.shared.compare_exchange_weak(
                held,
                threshold.to_bits(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(now) => held = now,
            }
        }
    }
}

impl Collector for Ranked {
    type Fruit = Top;
    type Child = SegmentRanked;

    fn for_segment(&self, segment: u32, _reader: &SegmentReader) -> tantivy::Result<SegmentRanked> {
        let dates = self.dates.get(segment as usize).cloned().ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!("no dates read for segment {segment}"))
        })?;
        Ok(SegmentRanked {
            dates,
            segment,
            today: clamp(self.today),
            boost: self.boost,
            at: self.at.map(clamp),
            count: 0,
            top: TopNComputer::new_with_comparator(self.limit, NaturalComparator),
            sent: None,
            shared: Arc::clone(&self.shared),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Top>) -> tantivy::Result<Top> {
        // The shared threshold is final now: what scores below it is not
        // among the best, whichever segment it is in.
        let threshold = f32::from_bits(self.shared.load(Ordering::Relaxed));
        let mut count = 0;
        let mut docs = Vec::new();
        for (segment_docs, n) in fruits {
            count += n;
            docs.extend(segment_docs.into_iter().filter(|(s, _)| *s >= threshold));
        }
        let best = |a: &(Score, DocAddress), b: &(Score, DocAddress)| {
            b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
        };
        if docs.len() > self.limit {
            docs.select_nth_unstable_by(self.limit, best);
            docs.truncate(self.limit);
        }
        docs.sort_unstable_by(best);
        Ok((docs, count))
    }
}

impl SegmentCollector for SegmentRanked {
    type Fruit = Top;

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(day) = self.at
            && !self.dates.in_force(doc, day)
        {
            return;
        }
        self.count += 1;
        let score = if self.dates.in_force(doc, self.today) {
            score + self.boost
        } else {
            score
        };
        if score < f32::from_bits(self.shared.load(Ordering::Relaxed)) {
            return;
        }
        self.top.push(score, doc);
        if self.top.threshold != self.sent
            && let Some(threshold) = self.top.threshold
        {
            self.share(threshold);
        }
    }

    fn harvest(self) -> Top {
        let segment = self.segment;
        // In no order: the merge orders what is left of every segment's.
        let docs = self
            .top
            .into_vec()
            .into_iter()
            .map(|d| {
                (
                    d.sort_key,
                    DocAddress {
                        segment_ord: segment,
                        doc_id: d.doc,
                    },
                )
            })
            .collect();
        (docs, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{FAST, INDEXED, IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, Term, doc};

    /// The collector against tantivy's own top docs, over every match,
    /// boosted and filtered by hand: the same count and the same best,
    /// ties by address, across segments searched on two threads.
    #[test]
    fn the_best_across_segments_are_tantivys_with_the_dates_applied() {
        let mut b = Schema::builder();
        let body = b.add_text_field("body", TEXT);
        let from = b.add_i64_field("from", INDEXED | FAST);
        let until = b.add_i64_field("until", INDEXED | FAST);
        let mut index = Index::create_in_ram(b.build());
        index.set_multithread_executor(2).expect("executor");
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        // Five segments; texts repeat, so many scores tie exactly.
        for segment in 0..5i64 {
            for n in 0..300i64 {
                let words = ["规定 规定 办法", "规定 通知", "规定", "办法 规定 规定 规定"];
                let text = words[((n * 7 + segment) % 4) as usize];
                let start = 10 * ((n + segment) % 9);
                // The last segment has versions without dates (never in
                // force), so its columns are read one value at a time.
                let d = if segment == 4 && n % 3 == 0 {
                    doc!(body => text)
                } else {
                    doc!(body => text, from => start, until => start + 40)
                };
                writer.add_document(d).expect("add");
            }
            writer.commit().expect("commit");
        }
        let reader = index.reader().expect("reader");
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 5);
        let query = TermQuery::new(
            Term::from_field_text(body, "规定"),
            IndexRecordOption::WithFreqs,
        );
        let dates = PerSegment::default();
        let all = searcher
            .search(&query, &TopDocs::with_limit(10_000).order_by_score())
            .expect("all");
        for (today, at, limit) in [(25, None, 7), (25, Some(45), 50), (0, Some(5), 1_000)] {
            let collector = Ranked::new(
                dates.of(&searcher, Dates::of).expect("dates"),
                today,
                2.0,
                at,
                limit,
            );
            let (top, count) = searcher.search(&query, &collector).expect("search");
            let in_force = |a: DocAddress, day: i64| {
                let segment = searcher.segment_reader(a.segment_ord);
                let fast = segment.fast_fields();
                let f = fast.i64("from").expect("from").first(a.doc_id);
                let u = fast.i64("until").expect("until").first(a.doc_id);
                matches!((f, u), (Some(f), Some(u)) if f <= day && day < u)
            };
            let mut expected: Vec<(Score, DocAddress)> = all
                .iter()
                .filter(|(_, a)| at.is_none_or(|d| in_force(*a, d)))
                .map(|&(s, a)| (if in_force(a, today) { s + 2.0 } else { s }, a))
                .collect();
            assert_eq!(count, expected.len());
            expected.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            expected.truncate(limit);
            assert_eq!(top, expected, "today {today}, at {at:?}, limit {limit}");
        }
    }
}
