//! The character-level diff inside an aligned pair of units.
//!
//! Chinese has no spaces, so the diff runs on grapheme clusters (a Han
//! character is one; an ideographic variation sequence or an emoji sequence
//! stays whole). Each grapheme is compared by its [folded](crate::fold)
//! form and whitespace is left out of the comparison, so width-only and
//! whitespace differences never become substantive edits; they come back as
//! edits marked `punctuation_only` inside otherwise equal stretches.
//!
//! The raw Myers diff of two sentences often leaves one-character islands
//! of "equal" text between edits (`[-甲-]{+子+}乙[-丙-]{+丑+}`), which read
//! badly. A semantic cleanup in the manner of diff-match-patch merges an
//! equality into its neighbours when it is no longer than the edits on both
//! sides; equalities that hold a line break (a paragraph boundary) are kept.

use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp};
use unicode_segmentation::UnicodeSegmentation;

use crate::comparison::{Edit, EditOp};
use crate::fold::{fold_char, is_blank};
use crate::similarity::lcs_len_of;

/// The edits that turn `old` into `new`. Concatenating the text of the
/// equal and deleted edits gives `old`; of the equal and inserted ones,
/// `new`.
pub(crate) fn diff(old: &str, new: &str, timeout: Option<Duration>) -> Vec<Edit> {
    if old == new {
        return whole(EditOp::Equal, old);
    }
    let a = Tokens::new(old);
    let b = Tokens::new(new);
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    let ops = slide(&a, &b, cleanup(&a, &b, key_ops(&a.keys, &b.keys, deadline)));
    let mut out = Out::default();
    if ops.is_empty() {
        // Nothing but whitespace on either side.
        out.replace(old, new, true);
    }
    for op in &ops {
        if op.equal {
            for i in 0..op.old.len() {
                equal_token(&a, &b, op.old.start + i, op.new.start + i, &mut out);
            }
        } else {
            out.replace(
                &old[a.span(op.old.clone())],
                &new[b.span(op.new.clone())],
                false,
            );
        }
    }
    out.finish()
}

/// One edit holding all of `text`, or none if it is empty.
pub(crate) fn whole(op: EditOp, text: &str) -> Vec<Edit> {
    if text.is_empty() {
        return Vec::new();
    }
    vec![Edit {
        op,
        text: text.to_string(),
        punctuation_only: false,
    }]
}

/// Whether the edits change anything but punctuation width and whitespace.
pub(crate) fn is_substantive(edits: &[Edit]) -> bool {
    edits
        .iter()
        .any(|e| e.op != EditOp::Equal && !e.punctuation_only)
}

/// A text cut into graphemes, with the comparison key of every grapheme
/// that is not blank.
struct Tokens<'a> {
    text: &'a str,
    /// Byte offset where each grapheme starts, plus the text's length.
    bounds: Vec<usize>,
    /// Keys of the non-blank graphemes, in order.
    keys: Vec<u64>,
    /// The grapheme index of each key.
    key_token: Vec<usize>,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Tokens<'a> {
        let mut bounds = Vec::with_capacity(text.len() / 3 + 1);
        let mut keys = Vec::with_capacity(text.len() / 3);
        let mut key_token = Vec::with_capacity(text.len() / 3);
        let mut push = |i: usize, start: usize, g: &str| {
            bounds.push(start);
            if let Some(k) = key(g) {
                keys.push(k);
                key_token.push(i);
            }
        };
        if text.chars().all(is_own_grapheme) {
            // The common case, Chinese text and ASCII: one character is one
            // grapheme, and segmentation can be skipped.
            for (i, (start, c)) in text.char_indices().enumerate() {
                push(i, start, &text[start..start + c.len_utf8()]);
            }
        } else {
            for (i, (start, g)) in text.grapheme_indices(true).enumerate() {
                push(i, start, g);
            }
        }
        bounds.push(text.len());
        Tokens {
            text,
            bounds,
            keys,
            key_token,
        }
    }

    fn tokens(&self) -> usize {
        self.bounds.len() - 1
    }

    /// The grapheme where key `k` ends its predecessor: trailing blanks
    /// belong to the key before them, and everything after the last key to
    /// the last key.
    fn boundary(&self, k: usize) -> usize {
        if k >= self.keys.len() {
            self.tokens()
        } else if k == 0 {
            0
        } else {
            self.key_token[k]
        }
    }

    /// The bytes of keys `range`, with the blanks that belong to them:
    /// leading blanks belong to the first key.
    fn span(&self, range: Range<usize>) -> Range<usize> {
        let start = if range.start == 0 {
            0
        } else {
            self.boundary(range.start)
        };
        self.bounds[start]..self.bounds[self.boundary(range.end)]
    }

    /// How good a place the boundary before key `k` is for an edit to
    /// start or end: the text's ends and paragraph breaks best, then the
    /// end of a sentence or clause, then other punctuation.
    fn boundary_score(&self, k: usize) -> u8 {
        if k == 0 || k >= self.keys.len() {
            return 4;
        }
        let between =
            &self.text[self.bounds[self.key_token[k - 1] + 1]..self.bounds[self.key_token[k]]];
        if between.contains('\n') {
            return 3;
        }
        match char::from_u32(self.keys[k - 1] as u32).filter(|_| self.keys[k - 1] < 1 << 32) {
            Some('。' | ';' | '!' | '?') => 2,
            Some(',' | '、' | ':') => 1,
            _ => 0,
        }
    }

    fn grapheme(&self, t: usize) -> &'a str {
        &self.text[self.bounds[t]..self.bounds[t + 1]]
    }
}

/// Whether `c` always forms a grapheme cluster by itself: ideographs, CJK
/// and full-width punctuation, ASCII but CR (CR LF is one cluster), Latin
/// letters without combining marks, general punctuation but the joiners.
fn is_own_grapheme(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{3000}'..='\u{3029}'
        | '\u{3030}'..='\u{303F}'
        | '\u{FF01}'..='\u{FF5E}'
        | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{205E}'
        | '\u{00A0}'..='\u{02FF}')
        || (c.is_ascii() && c != '\r')
}

/// The comparison key of a grapheme: its folded character, or a hash of its
/// folded characters; `None` if it is blank.
fn key(g: &str) -> Option<u64> {
    let mut chars = g.chars().filter(|&c| !is_blank(c)).map(fold_char);
    let first = chars.next()?;
    let Some(second) = chars.next() else {
        return Some(u64::from(first));
    };
    // FNV-1a over the folded characters, tagged apart from single chars.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in [first, second].into_iter().chain(chars) {
        h ^= u64::from(c);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    Some(h | (1 << 63))
}

/// The diff of two key sequences, in two steps: clauses first (runs of
/// keys ending in `。`, `；`, `，`, `：`, `、` …), then characters inside the
/// stretches of clauses that changed. Amendments change words inside
/// clauses and add or drop whole clauses; diffing a few dozen clauses and
/// then short stretches costs far less than one character diff over the
/// whole article, and keeps a common character (`的`, `应当`) from pairing
/// across unrelated clauses.
fn key_ops(a: &[u64], b: &[u64], deadline: Option<Instant>) -> Vec<Op> {
    let (ca, cb) = (clauses(a), clauses(b));
    let hash = |keys: &[u64], r: &Range<usize>| {
        keys[r.clone()]
            .iter()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, &k| {
                (h ^ k).wrapping_mul(0x0000_0100_0000_01b3)
            })
    };
    let ha: Vec<u64> = ca.iter().map(|r| hash(a, r)).collect();
    let hb: Vec<u64> = cb.iter().map(|r| hash(b, r)).collect();
    // Key position where clause `k` starts (or the end).
    let at = |c: &[Range<usize>], len: usize, k: usize| c.get(k).map_or(len, |r| r.start);
    let mut raw: Vec<DiffOp> = Vec::new();
    for op in coalesce(&similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &ha,
        &hb,
        deadline,
    )) {
        let old = at(&ca, a.len(), op.old.start)..at(&ca, a.len(), op.old.end);
        let new = at(&cb, b.len(), op.new.start)..at(&cb, b.len(), op.new.end);
        if op.equal {
            // Equal clauses are equal keys.
            raw.push(DiffOp::Equal {
                old_index: old.start,
                new_index: new.start,
                len: old.len(),
            });
            continue;
        }
        let (x, y) = (&a[old.clone()], &b[new.clone()]);
        // One side empty, or rewritten rather than edited: characters they
        // happen to share would only scatter the change into confetti.
        let rewritten = x.len().min(y.len()) >= 24
            && lcs_len_of(x, y.iter().copied()) * 4 < x.len().max(y.len());
        if x.is_empty() || y.is_empty() || rewritten {
            raw.push(DiffOp::Replace {
                old_index: old.start,
                old_len: old.len(),
                new_index: new.start,
                new_len: new.len(),
            });
            continue;
        }
        let inner = similar::capture_diff_slices_deadline(Algorithm::Myers, x, y, deadline);
        raw.extend(inner.into_iter().map(|op| shift(op, old.start, new.start)));
    }
    coalesce(&raw)
}

/// `op` with its indices moved by `old` and `new`.
fn shift(op: DiffOp, old: usize, new: usize) -> DiffOp {
    match op {
        DiffOp::Equal {
            old_index,
            new_index,
            len,
        } => DiffOp::Equal {
            old_index: old_index + old,
            new_index: new_index + new,
            len,
        },
        DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        } => DiffOp::Delete {
            old_index: old_index + old,
            old_len,
            new_index: new_index + new,
        },
        DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        } => DiffOp::Insert {
            old_index: old_index + old,
            new_index: new_index + new,
            new_len,
        },
        DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } => DiffOp::Replace {
            old_index: old_index + old,
            old_len,
            new_index: new_index + new,
            new_len,
        },
    }
}

/// The clauses of a key sequence: each ends after a key that ends a
/// sentence or clause, or an item of a list.
fn clauses(keys: &[u64]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &k) in keys.iter().enumerate() {
        let ends = k < 1 << 32
            && matches!(
                char::from_u32(k as u32),
                Some('。' | ';' | ',' | ':' | '、' | '?' | '!')
            );
        if ends {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < keys.len() {
        out.push(start..keys.len());
    }
    out
}

/// A run of keys: equal on both sides, or a change (either range may be
/// empty, not both).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Op {
    equal: bool,
    old: Range<usize>,
    new: Range<usize>,
}

/// Turns similar's ops into equal runs and changes, adjacent deletions and
/// insertions joined into one change.
fn coalesce(raw: &[DiffOp]) -> Vec<Op> {
    let mut out: Vec<Op> = Vec::new();
    for op in raw {
        let (equal, old, new) = match *op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => (true, old_index..old_index + len, new_index..new_index + len),
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (false, old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (false, old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                false,
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        if old.is_empty() && new.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.equal == equal => {
                last.old.end = old.end;
                last.new.end = new.end;
            }
            _ => out.push(Op { equal, old, new }),
        }
    }
    out
}

/// Semantic cleanup: an equality between two changes that is no longer than
/// the larger side of either change is folded into one change with them.
fn cleanup(a: &Tokens, b: &Tokens, ops: Vec<Op>) -> Vec<Op> {
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    for op in ops {
        out.push(op);
        while let [.., before, island, after] = out.as_slice() {
            if before.equal || !island.equal || after.equal {
                break;
            }
            let len = island.old.len();
            let size = |op: &Op| op.old.len().max(op.new.len());
            let breaks = a.text[a.span(island.old.clone())].contains('\n')
                || b.text[b.span(island.new.clone())].contains('\n');
            if breaks || len > size(before) || len > size(after) {
                break;
            }
            let merged = Op {
                equal: false,
                old: before.old.start..after.old.end,
                new: before.new.start..after.new.end,
            };
            out.truncate(out.len() - 3);
            out.push(merged);
        }
    }
    out
}

/// Slides each pure insertion or deletion along the equal text around it
/// to where it reads best: at a paragraph break or after a sentence rather
/// than in the middle of a phrase (`立法应当{+坚持……。+}\n{+立法应当+}体现`
/// becomes `{+立法应当坚持……。\n+}立法应当体现`).
fn slide(a: &Tokens, b: &Tokens, mut ops: Vec<Op>) -> Vec<Op> {
    for k in 0..ops.len() {
        let op = &ops[k];
        let (t, range) = match (op.equal, op.old.is_empty(), op.new.is_empty()) {
            (false, true, false) => (b, op.new.clone()),
            (false, false, true) => (a, op.old.clone()),
            _ => continue,
        };
        let room = |i: Option<usize>| {
            i.and_then(|i| ops.get(i))
                .filter(|o| o.equal)
                .map_or(0, |o| o.old.len())
        };
        let (before, after) = (room(k.checked_sub(1)), room(Some(k + 1)));
        let keys = &t.keys;
        let mut left = 0;
        while left < before && keys[range.start - left - 1] == keys[range.end - left - 1] {
            left += 1;
        }
        let mut right = 0;
        while right < after && keys[range.start + right] == keys[range.end + right] {
            right += 1;
        }
        let score = |d: isize| {
            let at = |i: usize| (i as isize + d) as usize;
            t.boundary_score(at(range.start)) + t.boundary_score(at(range.end))
        };
        let mut best = (score(0), 0isize);
        for d in (-(left as isize))..=(right as isize) {
            if score(d) > best.0 {
                best = (score(d), d);
            }
        }
        let d = best.1;
        if d == 0 {
            continue;
        }
        let shift = |r: &mut Range<usize>, start: bool, end: bool| {
            if start {
                r.start = (r.start as isize + d) as usize;
            }
            if end {
                r.end = (r.end as isize + d) as usize;
            }
        };
        shift(&mut ops[k].old, true, true);
        shift(&mut ops[k].new, true, true);
        if k > 0 {
            shift(&mut ops[k - 1].old, false, true);
            shift(&mut ops[k - 1].new, false, true);
        }
        if k + 1 < ops.len() {
            shift(&mut ops[k + 1].old, true, false);
            shift(&mut ops[k + 1].new, true, false);
        }
    }
    ops.retain(|o| !(o.old.is_empty() && o.new.is_empty()));
    // Neighbours of one kind may now touch: join them.
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    for op in ops {
        match out.last_mut() {
            Some(last) if last.equal == op.equal => {
                last.old.end = op.old.end;
                last.new.end = op.new.end;
            }
            _ => out.push(op),
        }
    }
    out
}

/// Emits one key that is equal on both sides, with the blanks that belong
/// to it: any difference there is width or whitespace only.
fn equal_token(a: &Tokens, b: &Tokens, ka: usize, kb: usize, out: &mut Out) {
    let old = &a.text[a.span(ka..ka + 1)];
    let new = &b.text[b.span(kb..kb + 1)];
    if old == new {
        out.push(EditOp::Equal, old, false);
        return;
    }
    // Leading blanks (first key only), the grapheme, trailing blanks.
    let (lead_a, g_a, trail_a) = parts(a, ka);
    let (lead_b, g_b, trail_b) = parts(b, kb);
    for (x, y) in [
        (lead_a.as_str(), lead_b.as_str()),
        (g_a, g_b),
        (trail_a.as_str(), trail_b.as_str()),
    ] {
        if x == y {
            out.push(EditOp::Equal, x, false);
        } else {
            out.replace(x, y, true);
        }
    }
}

/// A key's graphemes: leading blanks (first key only), the grapheme itself,
/// trailing blanks.
fn parts<'a>(t: &Tokens<'a>, k: usize) -> (String, &'a str, String) {
    let first = if k == 0 { 0 } else { t.boundary(k) };
    let key_token = t.key_token[k];
    let end = t.boundary(k + 1);
    let lead: String = (first..key_token).map(|i| t.grapheme(i)).collect();
    let trail: String = (key_token + 1..end).map(|i| t.grapheme(i)).collect();
    (lead, t.grapheme(key_token), trail)
}

/// Collects edits, joining neighbours of the same kind; within a stretch of
/// changes of one sort (substantive or width-only), deletions come before
/// insertions.
#[derive(Default)]
struct Out {
    done: Vec<Edit>,
    deleted: Vec<Edit>,
    inserted: Vec<Edit>,
    /// Whether the pending changes are width-only.
    pending: Option<bool>,
}

impl Out {
    fn push(&mut self, op: EditOp, text: &str, punctuation_only: bool) {
        if text.is_empty() {
            return;
        }
        if op == EditOp::Equal || self.pending.is_some_and(|p| p != punctuation_only) {
            self.flush();
        }
        if op != EditOp::Equal {
            self.pending = Some(punctuation_only);
        }
        let list = match op {
            EditOp::Equal => &mut self.done,
            EditOp::Delete => &mut self.deleted,
            EditOp::Insert => &mut self.inserted,
        };
        match list.last_mut() {
            Some(last) if last.op == op && last.punctuation_only == punctuation_only => {
                last.text.push_str(text)
            }
            _ => list.push(Edit {
                op,
                text: text.to_string(),
                punctuation_only,
            }),
        }
    }

    fn replace(&mut self, old: &str, new: &str, punctuation_only: bool) {
        self.push(EditOp::Delete, old, punctuation_only);
        self.push(EditOp::Insert, new, punctuation_only);
    }

    fn flush(&mut self) {
        self.pending = None;
        self.done.append(&mut self.deleted);
        self.done.append(&mut self.inserted);
    }

    fn finish(mut self) -> Vec<Edit> {
        self.flush();
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders edits git-word-diff style, `[-…-]`/`{+…+}`, width-only ones
    /// as `[~…~]`/`{~…~}`.
    fn show(edits: &[Edit]) -> String {
        edits
            .iter()
            .map(|e| match (e.op, e.punctuation_only) {
                (EditOp::Equal, _) => e.text.clone(),
                (EditOp::Delete, false) => format!("[-{}-]", e.text),
                (EditOp::Insert, false) => format!("{{+{}+}}", e.text),
                (EditOp::Delete, true) => format!("[~{}~]", e.text),
                (EditOp::Insert, true) => format!("{{~{}~}}", e.text),
            })
            .collect()
    }

    fn check(old: &str, new: &str, expected: &str) {
        let edits = diff(old, new, None);
        assert_eq!(show(&edits), expected, "{old} → {new}");
        let rebuilt = |keep: EditOp| -> String {
            edits
                .iter()
                .filter(|e| e.op == EditOp::Equal || e.op == keep)
                .map(|e| e.text.as_str())
                .collect()
        };
        assert_eq!(rebuilt(EditOp::Delete), old);
        assert_eq!(rebuilt(EditOp::Insert), new);
    }

    #[test]
    fn characters() {
        check(
            "县城位于河东。",
            "县城位于河西。",
            "县城位于河[-东-]{+西+}。",
        );
        check(
            "应当在十日内作出决定。",
            "应当在十五日内依法作出决定。",
            "应当在十{+五+}日内{+依法+}作出决定。",
        );
        check("", "新增。", "{+新增。+}");
        check("删除。", "", "[-删除。-]");
    }

    #[test]
    fn small_equal_islands_are_merged() {
        check("甲乙丙丁。", "子乙丑丁。", "[-甲乙丙-]{+子乙丑+}丁。");
        // A longer equality stays.
        check(
            "由县级人民政府负责。",
            "由设区的市级人民政府负责。",
            "由[-县-]{+设区的市+}级人民政府负责。",
        );
    }

    #[test]
    fn insertions_slide_to_paragraph_breaks() {
        check(
            "立法应当体现人民的意志。",
            "立法应当坚持全过程人民民主。\n立法应当体现人民的意志。",
            "{+立法应当坚持全过程人民民主。\n+}立法应当体现人民的意志。",
        );
        check("甲。乙。丙。", "甲。乙。乙。丙。", "甲。乙。{+乙。+}丙。");
    }

    #[test]
    fn a_rewritten_stretch_is_one_replacement() {
        let old = "公司的合法权益受法律保护，不受侵犯，任何单位和个人不得非法干预公司的经营活动。";
        let new = "国家鼓励公司参与社会公益活动，公布社会责任报告，接受政府和社会公众的监督检查。";
        assert_eq!(show(&diff(old, new, None)), format!("[-{old}-]{{+{new}+}}"));
    }

    #[test]
    fn paragraph_breaks_are_kept_apart() {
        check("甲。\n乙。", "丙。\n丁。", "[-甲-]{+丙+}。\n[-乙-]{+丁+}。");
    }

    #[test]
    fn width_and_whitespace_are_not_substantive() {
        let old = "第一条　为了规范（示例），制定本法；详见：第２条。";
        let new = "第一条 为了规范(示例),制定本法;详见:第2条。";
        let edits = diff(old, new, None);
        assert!(!is_substantive(&edits));
        assert_eq!(
            show(&edits),
            "第一条[~　~]{~ ~}为了规范[~（~]{~(~}示例[~），~]{~),~}制定本法[~；~]{~;~}详见[~：~]{~:~}第[~２~]{~2~}条。"
        );
        check("总　　则", "总则", "总[~　　~]则");
        check("  ", "", "[~  ~]");
    }

    #[test]
    fn width_change_next_to_real_change() {
        let edits = diff("甲，乙。", "甲,丙。", None);
        assert!(is_substantive(&edits));
        assert_eq!(show(&edits), "甲[~，~]{~,~}[-乙-]{+丙+}。");
    }

    #[test]
    fn crlf_and_combining_marks_take_the_slow_path() {
        assert!(is_own_grapheme('法') && is_own_grapheme('，') && is_own_grapheme('a'));
        assert!(
            !is_own_grapheme('\r') && !is_own_grapheme('\u{0301}') && !is_own_grapheme('\u{200D}')
        );
        check("e\u{0301}甲", "e甲", "[-e\u{0301}-]{+e+}甲");
    }

    #[test]
    fn graphemes_stay_whole() {
        // An ideographic variation sequence differs as a whole.
        check(
            "葛\u{E0100}城",
            "葛\u{E0101}城",
            "[-葛\u{E0100}-]{+葛\u{E0101}+}城",
        );
    }
}
