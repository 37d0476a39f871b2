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
    let chars: Vec<char> = folded.chars().filter(|&c| is_word_char(c)).collect();
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

/// Letters, digits and ideographs; the common cases first, because
/// `char::is_alphanumeric` is slow for ideographs.
fn is_word_char(c: char) -> bool {
    match c {
        '\u{4E00}'..='\u{9FFF}' | '0'..='9' | 'a'..='z' | 'A'..='Z' => true,
        _ if c.is_ascii() => false,
        _ => c.is_alphanumeric(),
    }
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
    /// Distinct bigrams, sorted.
    keys: Vec<u64>,
    /// Where each key's documents start in `docs` (one more than `keys`).
    starts: Vec<u32>,
    /// Documents, grouped by key.
    docs: Vec<u32>,
}

impl Index {
    /// Indexes `(document, profile)` pairs.
    pub fn new<'p>(profiles: impl IntoIterator<Item = (u32, &'p Profile)>) -> Index {
        let mut postings: Vec<(u64, u32)> = profiles
            .into_iter()
            .flat_map(|(doc, p)| p.iter().map(move |&g| (g, doc)))
            .collect();
        postings.sort_unstable();
        let mut index = Index::default();
        for (k, doc) in postings {
            if index.keys.last() != Some(&k) {
                index.keys.push(k);
                index.starts.push(index.docs.len() as u32);
            }
            index.docs.push(doc);
        }
        index.starts.push(index.docs.len() as u32);
        index
    }

    /// For every indexed document sharing a bigram with `query` (sorted),
    /// adds the number shared to `counts[document]` and lists the document
    /// in `touched` the first time. The caller resets `counts` from
    /// `touched`.
    pub fn count_shared(&self, query: &[u64], counts: &mut [u32], touched: &mut Vec<u32>) {
        let keys = &self.keys;
        let mut lo = 0;
        for &g in query {
            // Both lists are sorted: gallop forward from the last hit.
            let mut step = 1;
            let mut hi = lo;
            while hi < keys.len() && keys[hi] < g {
                lo = hi + 1;
                hi += step;
                step *= 2;
            }
            let hi = hi.min(keys.len());
            lo += keys[lo..hi].partition_point(|&k| k < g);
            if lo == keys.len() {
                break;
            }
            if keys[lo] != g {
                continue;
            }
            let range = self.starts[lo] as usize..self.starts[lo + 1] as usize;
            for &doc in &self.docs[range] {
                let c = &mut counts[doc as usize];
                if *c == 0 {
                    touched.push(doc);
                }
                *c += 1;
            }
        }
    }
}

/// The length of a longest common subsequence of the characters of `a`
/// and `b`: how much of one can be found in the other, in order.
///
/// Bit-parallel (Allison and Dix; Hyyrö 2004): one machine word covers 64
/// characters of `a`, so each character of `b` costs `len(a) / 64` word
/// operations, whatever the two texts look like. Myers' diff, by
/// contrast, slows down as texts differ, and this is asked mostly about
/// texts that differ a lot.
pub(crate) fn lcs_len(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    lcs_len_of(&a, b.chars())
}

/// [`lcs_len`] over any tokens.
pub(crate) fn lcs_len_of<T: Ord + Copy>(a: &[T], b: impl IntoIterator<Item = T>) -> usize {
    if a.is_empty() {
        return 0;
    }
    let words = a.len().div_ceil(64);
    // The positions of each distinct token of `a`, as bit masks.
    let mut alphabet: Vec<T> = a.to_vec();
    alphabet.sort_unstable();
    alphabet.dedup();
    let mut masks = vec![0u64; alphabet.len() * words];
    for (i, t) in a.iter().enumerate() {
        let k = alphabet.binary_search(t).unwrap_or(0);
        masks[k * words + i / 64] |= 1 << (i % 64);
    }
    let mut v = vec![u64::MAX; words];
    for t in b {
        let Ok(k) = alphabet.binary_search(&t) else {
            continue; // no match: the row stays as it is
        };
        let m = &masks[k * words..(k + 1) * words];
        let mut carry = false;
        for (v, &m) in v.iter_mut().zip(m) {
            let u = *v & m;
            let (sum, c1) = v.overflowing_add(u);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            carry = c1 || c2;
            *v = sum | (*v & !m);
        }
    }
    let tail = a.len() % 64;
    v.iter()
        .enumerate()
        .map(|(k, &w)| {
            let live = if k + 1 == words && tail != 0 {
                (1u64 << tail) - 1
            } else {
                u64::MAX
            };
            (!w & live).count_ones() as usize
        })
        .sum()
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

    /// The textbook dynamic programme, to check [`lcs_len`] against.
    fn lcs_slow(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut row = vec![0; b.len() + 1];
        for x in &a {
            let mut diag = 0;
            for (j, y) in b.iter().enumerate() {
                let up = row[j + 1];
                row[j + 1] = if x == y { diag + 1 } else { up.max(row[j]) };
                diag = up;
            }
        }
        row[b.len()]
    }

    #[test]
    fn lcs_matches_the_textbook() {
        assert_eq!(lcs_len("ABCBDAB", "BDCABA"), 4);
        assert_eq!(lcs_len("", "甲"), 0);
        assert_eq!(lcs_len("县城位于河东", "县城位于河西"), 5);
        // Pseudo-random texts over small and large alphabets, across word
        // boundaries (64, 128 characters).
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..60 {
            let alphabet: Vec<char> = if round % 2 == 0 {
                "甲乙丙丁".chars().collect()
            } else {
                "公司股东董事会监事经理应当依法规定".chars().collect()
            };
            let (la, lb) = (next() % 150, next() % 150);
            let mut text = |len: u64| -> String {
                (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect()
            };
            let (a, b) = (text(la), text(lb));
            assert_eq!(lcs_len(&a, &b), lcs_slow(&a, &b), "{a} / {b}");
        }
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
