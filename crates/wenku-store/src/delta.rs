//! Deltas in git's pack format, so that the versions of one document are
//! stored as the differences between them.
//!
//! A delta turns a *base* object into a *target*: a header with both sizes
//! (7-bit little-endian groups, high bit = more), then instructions, each
//! either *copy* (`1oooossss`: up to four offset bytes and three size
//! bytes follow, each present when its flag bit is set; a size of zero
//! means 0x10000) or *insert* (`0nnnnnnn`: the next `n` bytes, 1–127, are
//! literal). This is the format `git unpack-objects`, `git index-pack` and
//! gix resolve (`Documentation/gitformat-pack.txt`).
//!
//! The encoder indexes the base at every 16-byte boundary by a hash of the
//! 16 bytes there, then walks the target: where the 16 bytes at the
//! current position hash to a base block with the same bytes, the match is
//! extended backwards over the pending literal bytes and forwards as far
//! as both agree, and written as one copy; everything else is inserted.
//! It finds what successive versions of a text share (whole articles,
//! moved or renumbered) in one pass over each, which is what pack
//! compaction needs; it does not search for the smallest delta as git's
//! window does.

/// Bytes per indexed block of the base; also the shortest copy.
const BLOCK: usize = 16;
/// The longest copy one instruction can say (three size bytes).
const MAX_COPY: usize = 0xff_ffff;
/// The longest literal one instruction can carry.
const MAX_INSERT: usize = 127;

fn hash(block: &[u8]) -> u64 {
    let a = u64::from_le_bytes(block[..8].try_into().expect("16 bytes"));
    let b = u64::from_le_bytes(block[8..16].try_into().expect("16 bytes"));
    (a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.rotate_left(29)).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
}

fn push_size(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn push_insert(out: &mut Vec<u8>, mut literal: &[u8]) {
    while !literal.is_empty() {
        let n = literal.len().min(MAX_INSERT);
        out.push(n as u8);
        out.extend_from_slice(&literal[..n]);
        literal = &literal[n..];
    }
}

fn push_copy(out: &mut Vec<u8>, mut offset: usize, mut len: usize) {
    while len > 0 {
        let n = len.min(MAX_COPY);
        let at = out.len();
        out.push(0x80);
        let mut command = 0x80u8;
        for i in 0..4 {
            let byte = ((offset >> (8 * i)) & 0xff) as u8;
            if byte != 0 {
                command |= 1 << i;
                out.push(byte);
            }
        }
        for i in 0..3 {
            let byte = ((n >> (8 * i)) & 0xff) as u8;
            if byte != 0 {
                command |= 0x10 << i;
                out.push(byte);
            }
        }
        out[at] = command;
        offset += n;
        len -= n;
    }
}

/// The delta that turns `base` into `target`, or `None` when it would not
/// be shorter than `limit` bytes (the caller then stores the target whole)
/// or a base is too large for a copy's four offset bytes.
pub(crate) fn encode(base: &[u8], target: &[u8], limit: usize) -> Option<Vec<u8>> {
    if base.len() > u32::MAX as usize || base.len() < BLOCK || target.len() < BLOCK {
        return None;
    }
    // An open table of base offsets (+1; 0 = empty), twice the blocks'
    // count rounded up to a power of two; a collision keeps the first.
    let blocks = base.len() / BLOCK;
    let size = (blocks * 2).next_power_of_two();
    let mask = size as u64 - 1;
    let mut table = vec![0u32; size];
    for b in 0..blocks {
        let at = b * BLOCK;
        let slot = &mut table[(hash(&base[at..at + BLOCK]) & mask) as usize];
        if *slot == 0 {
            *slot = at as u32 + 1;
        }
    }
    let mut out = Vec::with_capacity(target.len() / 4 + 16);
    push_size(&mut out, base.len());
    push_size(&mut out, target.len());
    let (mut pos, mut pending) = (0, 0);
    while pos + BLOCK <= target.len() {
        let slot = table[(hash(&target[pos..pos + BLOCK]) & mask) as usize];
        let found = slot
            .checked_sub(1)
            .map(|at| at as usize)
            .filter(|&at| base[at..at + BLOCK] == target[pos..pos + BLOCK]);
        let Some(mut from) = found else {
            pos += 1;
            continue;
        };
        let mut len = BLOCK;
        while from + len < base.len()
            && pos + len < target.len()
            && base[from + len] == target[pos + len]
        {
            len += 1;
        }
        let mut start = pos;
        while start > pending && from > 0 && base[from - 1] == target[start - 1] {
            start -= 1;
            from -= 1;
            len += 1;
        }
        push_insert(&mut out, &target[pending..start]);
        push_copy(&mut out, from, len);
        pos = start + len;
        pending = pos;
        if out.len() >= limit {
            return None;
        }
    }
    push_insert(&mut out, &target[pending..]);
    (out.len() < limit).then_some(out)
}

/// Applies a delta to `base` (what readers of a pack do). Used by tests
/// and by the debug check of every delta the compaction writes.
#[cfg(any(test, debug_assertions))]
pub(crate) fn apply(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    fn size(d: &[u8], at: &mut usize) -> Option<usize> {
        let (mut n, mut shift) = (0usize, 0);
        loop {
            let b = *d.get(*at)?;
            *at += 1;
            n |= ((b & 0x7f) as usize) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
    }
    let mut at = 0;
    if size(delta, &mut at)? != base.len() {
        return None;
    }
    let expected = size(delta, &mut at)?;
    let mut out = Vec::with_capacity(expected);
    while at < delta.len() {
        let command = delta[at];
        at += 1;
        if command & 0x80 != 0 {
            let (mut offset, mut len) = (0usize, 0usize);
            for i in 0..4 {
                if command & (1 << i) != 0 {
                    offset |= (*delta.get(at)? as usize) << (8 * i);
                    at += 1;
                }
            }
            for i in 0..3 {
                if command & (0x10 << i) != 0 {
                    len |= (*delta.get(at)? as usize) << (8 * i);
                    at += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset.checked_add(len)?)?);
        } else if command != 0 {
            let n = command as usize;
            out.extend_from_slice(delta.get(at..at + n)?);
            at += n;
        } else {
            return None;
        }
    }
    (out.len() == expected).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn article(n: usize, words: &str) -> String {
        format!("<article n=\"{n}\"><p>第{n}条 {words}</p></article>\n")
    }

    #[test]
    fn an_amended_version_is_a_small_delta_of_the_old() {
        let old: String = (1..200)
            .map(|n| {
                article(
                    n,
                    "县级以上人民政府应当加强对本行政区域内政务公开工作的领导。",
                )
            })
            .collect();
        let mut new: String = (1..200)
            .filter(|n| *n != 57)
            .map(|n| {
                article(
                    n,
                    "县级以上人民政府应当加强对本行政区域内政务公开工作的领导。",
                )
            })
            .collect();
        new.insert_str(1000, &article(300, "新增的条文，规定新的义务。"));
        let delta = encode(old.as_bytes(), new.as_bytes(), new.len()).expect("a delta");
        assert!(
            delta.len() * 20 < new.len(),
            "{} of {}",
            delta.len(),
            new.len()
        );
        assert_eq!(
            apply(old.as_bytes(), &delta).as_deref(),
            Some(new.as_bytes())
        );
    }

    #[test]
    fn unrelated_texts_give_no_delta() {
        let a: Vec<u8> = (0..4000u32).map(|i| (i * 7 % 251) as u8).collect();
        let b: Vec<u8> = (0..4000u32).map(|i| (i * 13 % 253) as u8).collect();
        assert_eq!(encode(&a, &b, b.len() / 2), None);
    }

    #[test]
    fn long_copies_are_split() {
        let base: Vec<u8> = (0..(MAX_COPY + 5000)).map(|i| (i % 251) as u8).collect();
        let delta = encode(&base, &base, base.len()).expect("a delta");
        assert_eq!(apply(&base, &delta).as_deref(), Some(&base[..]));
    }

    proptest! {
        /// Whatever the two texts, the delta gives the target back.
        #[test]
        fn a_delta_applied_to_its_base_gives_the_target(
            base in prop::collection::vec(0u8..4, 0..3000),
            edits in prop::collection::vec((0usize..3000, prop::collection::vec(0u8..6, 0..40), 0usize..60), 0..8),
        ) {
            let mut target = base.clone();
            for (at, insert, remove) in edits {
                let at = at.min(target.len());
                let end = (at + remove).min(target.len());
                target.splice(at..end, insert);
            }
            if let Some(delta) = encode(&base, &target, usize::MAX) {
                prop_assert_eq!(apply(&base, &delta), Some(target));
            }
        }
    }
}
