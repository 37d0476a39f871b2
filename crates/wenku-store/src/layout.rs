//! Where things live in a library's tree.
//!
//! ```text
//! library.xml                                  the node's metadata (see [`crate::metadata`])
//! <region>/<shard>/<local>/record.xml          a work's record
//! <region>/<shard>/<local>/<revision-id>.xml   one file per version, named by its BLAKE3 id
//! ```
//!
//! The top level is partitioned by region so that one region's documents are
//! one subtree: federation moves whole region subtrees and never merges
//! inside one. `<shard>` is the first two hex digits of BLAKE3(`<local>`),
//! 256 directories per region, so that no directory grows past a few
//! thousand entries (see [`shard_of`] for the sizes at a million versions).
//! Every name in a path comes from a validated [`Region`], [`WorkId`] or
//! [`RevisionId`], so every path is safe on any file system and needs no
//! escaping.

use wenku_model::{Region, RevisionId, WorkId};

/// Name of the metadata file at the tree's root.
pub const META_FILE: &str = "library.xml";

/// Name of a work's record file inside its directory.
pub const RECORD_FILE: &str = "record.xml";

/// Extension of version files: `<revision-id>.xml`.
pub const VERSION_SUFFIX: &str = ".xml";

/// Number of hex digits in a shard directory's name.
pub const SHARD_LEN: usize = 2;

/// The shard directory of a local part: the first two hex digits of its
/// BLAKE3 hash, e.g. `"qzbf-2025-3"` → `"5e"`.
///
/// Why this function: a hash spreads locals that share prefixes
/// (`qzbf-2025-1` … `qzbf-2025-99`) evenly; the local part alone is hashed
/// because the region is already the directory above; two hex digits give
/// 256 shards, which balances the two directory levels a commit rewrites.
/// With 300,000 works in one region (the benchmark's million-version
/// library) a shard holds about 1,170 works (the fullest about 1,290); with
/// the worst case of a million one-version works in one region, about 3,900.
/// A work's own directory holds its record plus one file per version.
pub fn shard_of(local: &str) -> String {
    let hash = blake3::hash(local.as_bytes());
    let first = hash.as_bytes()[0];
    format!("{first:02x}")
}

/// The directory of a work: `<region>/<shard>/<local>`.
pub fn work_dir(work: &WorkId) -> String {
    format!(
        "{}/{}/{}",
        work.region(),
        shard_of(work.local()),
        work.local()
    )
}

/// The path of a work's record: `<region>/<shard>/<local>/record.xml`.
pub fn record_path(work: &WorkId) -> String {
    format!("{}/{RECORD_FILE}", work_dir(work))
}

/// The path of one version's text: `<region>/<shard>/<local>/<revision>.xml`.
pub fn version_path(work: &WorkId, revision: &RevisionId) -> String {
    format!("{}/{}", work_dir(work), version_file(revision))
}

/// The file name of one version: `<revision>.xml`.
pub fn version_file(revision: &RevisionId) -> String {
    format!("{revision}{VERSION_SUFFIX}")
}

/// What a path in a library's tree is, as far as the layout tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `library.xml` at the root.
    Meta,
    /// A region directory, `<region>`.
    Region(Region),
    /// A work's record, `<region>/<shard>/<local>/record.xml`.
    Record(WorkId),
    /// A version file, `<region>/<shard>/<local>/<revision>.xml`.
    Version(WorkId, RevisionId),
}

/// Why a path does not fit the layout.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct LayoutError {
    /// The path.
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Reads a path (relative to the tree's root, `/`-separated) as a layout
/// entry. Used by verification and by anything that follows a tree diff
/// (the index, federation) to learn which work a changed path belongs to.
pub fn parse_path(path: &str) -> Result<Entry, LayoutError> {
    let fail = |reason: String| LayoutError {
        path: path.to_string(),
        reason,
    };
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [META_FILE] => Ok(Entry::Meta),
        [region] => Region::parse(region)
            .map(Entry::Region)
            .map_err(|e| fail(e.to_string())),
        [region, shard, local, file] => {
            let region = Region::parse(region).map_err(|e| fail(e.to_string()))?;
            let work = WorkId::new(region, local).map_err(|e| fail(e.to_string()))?;
            let expected = shard_of(local);
            if *shard != expected {
                return Err(fail(format!(
                    "work {work} belongs in shard {expected}, not {shard}"
                )));
            }
            if *file == RECORD_FILE {
                return Ok(Entry::Record(work));
            }
            let revision = file
                .strip_suffix(VERSION_SUFFIX)
                .and_then(|hex| RevisionId::parse(hex).ok())
                .ok_or_else(|| {
                    fail(format!(
                        "expected {RECORD_FILE} or <revision-id>.xml (64 lowercase hex digits), found {file:?}"
                    ))
                })?;
            Ok(Entry::Version(work, revision))
        }
        _ => Err(fail(
            "expected library.xml, <region>/, or <region>/<shard>/<local>/<file>".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(s: &str) -> WorkId {
        WorkId::parse(s).expect("valid work id in test")
    }

    #[test]
    fn paths_round_trip_through_parse() {
        let w = work("370200/qzbf-2025-3");
        let r = RevisionId::of(b"text");
        assert_eq!(parse_path(&record_path(&w)), Ok(Entry::Record(w.clone())));
        assert_eq!(
            parse_path(&version_path(&w, &r)),
            Ok(Entry::Version(w.clone(), r))
        );
        assert!(record_path(&w).starts_with("370200/"));
        assert!(record_path(&w).ends_with("/qzbf-2025-3/record.xml"));
        assert_eq!(parse_path("library.xml"), Ok(Entry::Meta));
        assert!(matches!(parse_path("370283"), Ok(Entry::Region(_))));
    }

    #[test]
    fn shard_is_two_hex_digits_and_stable() {
        let s = shard_of("qzbf-2025-3");
        assert_eq!(s.len(), SHARD_LEN);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        // Pinned: changing the shard function moves every file and needs a
        // new library format version.
        assert_eq!(shard_of(""), "af");
        assert_eq!(shard_of("qzbf-2025-3"), shard_of("qzbf-2025-3"));
    }

    #[test]
    fn misplaced_and_foreign_paths_are_named() {
        let w = work("370200/qzbf-2025-3");
        let wrong = if shard_of(w.local()) == "00" {
            "01"
        } else {
            "00"
        };
        let err =
            parse_path(&format!("370200/{wrong}/qzbf-2025-3/record.xml")).expect_err("wrong shard");
        assert!(err.reason.contains("belongs in shard"), "{err}");
        for bad in [
            "README.md",
            "370200/ab",
            "37020/ab/x/record.xml",
            &format!("{}/notes.txt", work_dir(&w)),
            &format!("{}/ABC.xml", work_dir(&w)),
        ] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_are_even() {
        // 100k synthetic locals over 256 shards: expect ~390 each; a bad
        // shard function (e.g. the first characters of the local) would
        // put them all in a handful of directories.
        let mut counts = [0u32; 256];
        for i in 0..100_000 {
            let s = shard_of(&format!("qzbf-{}-{}", 2000 + i % 25, i));
            let n = usize::from_str_radix(&s, 16).expect("hex");
            counts[n] += 1;
        }
        let max = counts.iter().max().copied().unwrap_or(0);
        let min = counts.iter().min().copied().unwrap_or(0);
        assert!(max < 480 && min > 300, "min {min} max {max}");
    }
}
