//! The cheap similarity that alignment runs on: the Dice coefficient of two
//! texts' sets of character bigrams, counted through an inverted index so
//! that only pairs sharing bigrams cost anything.
//!
//! Chinese has no spaces, so words are not available; character bigrams
//! capture most two-character words and are robust to insertions. The
//! expensive character-level diff runs only on pairs this has aligned.

/// A text's distinct character bigrams, sorted. Only letters, digits and
/// ideographs count: punctuation and whitespace say little about content.
pub(crate) type Profile = Vec<u64>;

/// The profile of folded text.
pub(crate) fn profile(folded: &str) -> Profile {
    let chars: Vec<char> = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut out: Vec<u64> = if chars.len() == 1 {
        // A one-character text still has something to compare.
        vec![(1 << 63) | u64::from(chars[0])]
    } else {
        chars
            .windows(2)
            .map(|w| (u64::from(w[0]) << 21) | u64::from(w[1]))
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// Number of elements two sorted sets share.
pub(crate) fn shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Dice coefficient from the shared count and the two set sizes.
pub(crate) fn dice_of(shared: usize, a: usize, b: usize) -> f32 {
    if a + b == 0 {
        return 0.0;
    }
    (2 * shared) as f32 / (a + b) as f32
}

/// The similarity alignment uses: the Dice coefficient, or, when one text
/// largely lies within the other (an article that grew a paragraph, like a
/// commencement clause that gained transitional rules), three quarters of
/// the share of the smaller text's bigrams found in the larger, whichever
/// is greater. Short texts (fewer than 8 bigrams) are judged by Dice
/// alone: generic phrases are contained in too much.
pub(crate) fn score(shared: usize, a: usize, b: usize) -> f32 {
    let dice = dice_of(shared, a, b);
    let small = a.min(b);
    if small < 8 {
        return dice;
    }
    dice.max(0.75 * shared as f32 / small as f32)
}

/// Dice coefficient of two profiles: 1 for equal sets, 0 for disjoint ones.
pub(crate) fn dice(a: &[u64], b: &[u64]) -> f32 {
    dice_of(shared(a, b), a.len(), b.len())
}

/// An inverted index from bigram to the documents (by number) holding it.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// (bigram, document), sorted.
    postings: Vec<(u64, u32)>,
}

impl Index {
    /// Indexes `(document, profile)` pairs.
    pub fn new<'p>(profiles: impl IntoIterator<Item = (u32, &'p Profile)>) -> Index {
        let mut postings: Vec<(u64, u32)> = profiles
            .into_iter()
            .flat_map(|(doc, p)| p.iter().map(move |&g| (g, doc)))
            .collect();
        postings.sort_unstable();
        Index { postings }
    }

    /// For every indexed document sharing a bigram with `query`, adds the
    /// number shared to `counts[document]` and lists the document in
    /// `touched` the first time. The caller resets `counts` from `touched`.
    pub fn count_shared(&self, query: &[u64], counts: &mut [u32], touched: &mut Vec<u32>) {
        for &g in query {
            let start = self.postings.partition_point(|&(k, _)| k < g);
            for &(k, doc) in &self.postings[start..] {
                if k != g {
                    break;
                }
                let c = &mut counts[doc as usize];
                if *c == 0 {
                    touched.push(doc);
                }
                *c += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::fold;

    #[test]
    fn dice_of_bigrams() {
        let a = profile(&fold("县城位于河东。"));
        let b = profile(&fold("县城位于河西。"));
        // 县城 城位 位于 于河 shared; 河东 / 河西 differ.
        assert_eq!(a.len(), 5);
        assert!((dice(&a, &b) - 0.8).abs() < 1e-6);
        assert_eq!(dice(&a, &a), 1.0);
        assert_eq!(dice(&a, &profile("")), 0.0);
        assert_eq!(profile("，。").len(), 0);
        assert_eq!(profile("删").len(), 1);
    }

    #[test]
    fn a_text_that_grew_stays_similar() {
        let old = profile("本法自2006年1月1日起施行。");
        let new = profile(
            "本法自2024年7月1日起施行。本法施行前已登记设立的公司，出资期限超过本法规定的期限的，应当逐步调整至本法规定的期限以内。",
        );
        let n = shared(&old, &new);
        assert!(dice(&old, &new) < 0.4);
        assert!(score(n, old.len(), new.len()) >= 0.4);
        // Short texts are judged by Dice alone.
        let short = profile("施行。");
        assert_eq!(
            score(shared(&short, &new), short.len(), new.len()),
            dice(&short, &new)
        );
    }

    #[test]
    fn index_counts_what_pairs_share() {
        let docs = [
            profile("县城位于河东"),
            profile("人口十二万"),
            profile("县城人口"),
        ];
        let index = Index::new(docs.iter().enumerate().map(|(i, p)| (i as u32, p)));
        let mut counts = vec![0; 3];
        let mut touched = Vec::new();
        index.count_shared(&profile("县城人口十二万"), &mut counts, &mut touched);
        assert_eq!(counts, vec![1, 4, 3]);
        touched.sort_unstable();
        assert_eq!(touched, vec![0, 1, 2]);
    }
}
