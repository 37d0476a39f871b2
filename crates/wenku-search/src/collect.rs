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
    fn of(segment: &SegmentReader) -> Result<Dates> {
        let fast = segment.fast_fields();
        // A version without dates is never in force.
        let (from, until) = (fast.i64("from")?, fast.i64("until")?);
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

    /// Whether version `doc` was in force on `day` (clamped).
    #[inline]
    fn in_force(&self, doc: DocId, day: i32) -> bool {
        let [from, until] = self.0[doc as usize];
        from <= day && day < until
    }
}

/// The dates of the segments searched, kept between queries.
#[derive(Default)]
pub(crate) struct DatesCache(Mutex<HashMap<SegmentId, Arc<Dates>>>);

impl DatesCache {
    /// The dates of each of `searcher`'s segments, by segment ordinal;
    /// read for a segment not seen before, forgotten for segments no
    /// longer searched.
    pub(crate) fn of(&self, searcher: &Searcher) -> Result<Vec<Arc<Dates>>> {
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
                    Some(dates) => Arc::clone(dates),
                    None => {
                        let dates = Arc::new(Dates::of(segment)?);
                        held.insert(segment.segment_id(), Arc::clone(&dates));
                        dates
                    }
                })
            })
            .collect()
    }
}

/// The matches of a query: how many, and the best `limit` by score (ties
/// by address, as tantivy's own top-docs collector breaks them).
pub(crate) struct Ranked {
    pub(crate) dates: Vec<Arc<Dates>>,
    /// Days since 1970 of the day whose versions in force rank higher.
    pub(crate) today: i64,
    /// What being in force today adds to a score.
    pub(crate) boost: Score,
    /// Only versions in force on this day (days since 1970).
    pub(crate) at: Option<i64>,
    pub(crate) limit: usize,
}

/// What [`Ranked`] collects: the best matches, best first, and how many
/// versions matched.
pub(crate) type Top = (Vec<(Score, DocAddress)>, usize);

pub(crate) struct SegmentRanked {
    dates: Arc<Dates>,
    segment: u32,
    today: i32,
    boost: Score,
    at: Option<i32>,
    count: usize,
    top: TopNComputer<Score, DocId, NaturalComparator>,
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
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Top>) -> tantivy::Result<Top> {
        let mut top = TopNComputer::new_with_comparator(self.limit, NaturalComparator);
        let mut count = 0;
        for (docs, n) in fruits {
            count += n;
            for (score, address) in docs {
                top.push(score, address);
            }
        }
        let docs = top
            .into_sorted_vec()
            .into_iter()
            .map(|d| (d.sort_key, d.doc))
            .collect();
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
        self.top.push(score, doc);
    }

    fn harvest(self) -> Top {
        let segment = self.segment;
        let docs = self
            .top
            .into_sorted_vec()
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
