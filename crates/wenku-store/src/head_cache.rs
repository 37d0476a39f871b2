//! What opening a library reads from its head, kept in a small file beside
//! the index: the head commit's tree and its `library.xml`. Opening a
//! library and taking a snapshot of `main` then read a ref and this file,
//! and no git object: with a cold page cache, gix's first object look-up
//! loads whole pack indexes (tens of megabytes at a million versions),
//! which is most of what a cold open cost (BENCHMARKS.md, "Missed: opening
//! with a cold page cache").
//!
//! The file is `<git-dir>/wenku/head.cache`: one line
//! `wenku-head-cache 1 <commit> <tree> <blake3 of the rest>` and then the
//! metadata's bytes. It is keyed by the commit id, and a commit's tree and
//! its `library.xml` never change, so it is right whenever it names the
//! head; a damaged file fails its hash and is ignored. It is derived
//! only: written after an open that had to read git, best effort
//! (a reader without write access to the library just reads git each
//! time), never needed.

use std::path::{Path, PathBuf};

use crate::ObjectId;

const FILE: &str = "head.cache";
const MAGIC: &str = "wenku-head-cache 1";

fn path(git_dir: &Path) -> PathBuf {
    git_dir.join("wenku").join(FILE)
}

/// The tree and metadata bytes of `commit`, if the file has them.
pub(crate) fn read(git_dir: &Path, commit: ObjectId) -> Option<(ObjectId, Vec<u8>)> {
    let bytes = std::fs::read(path(git_dir)).ok()?;
    let end = bytes.iter().position(|b| *b == b'\n')?;
    let line = std::str::from_utf8(&bytes[..end]).ok()?;
    let rest = &bytes[end + 1..];
    let mut words = line.strip_prefix(MAGIC)?.split_whitespace();
    let (cached, tree, hash) = (words.next()?, words.next()?, words.next()?);
    if words.next().is_some() || cached != commit.to_string() {
        return None;
    }
    if blake3::hash(rest).to_hex().as_str() != hash {
        tracing::debug!(path = %path(git_dir).display(), "the head cache does not match its hash; reading git");
        return None;
    }
    let tree = ObjectId::from_hex(tree).ok()?;
    Some((tree, rest.to_vec()))
}

/// Records `commit`'s tree and metadata bytes, replacing the file by
/// rename; failures are only logged.
pub(crate) fn write(git_dir: &Path, commit: ObjectId, tree: ObjectId, meta: &[u8]) {
    let target = path(git_dir);
    let result = (|| -> std::io::Result<()> {
        let dir = target.parent().expect("under wenku/");
        std::fs::create_dir_all(dir)?;
        let mut bytes =
            format!("{MAGIC} {commit} {tree} {}\n", blake3::hash(meta).to_hex()).into_bytes();
        bytes.extend_from_slice(meta);
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-head-")
            .tempfile_in(dir)?;
        std::io::Write::write_all(&mut tmp, &bytes)?;
        // Readable by everyone, like the library's other files (another
        // user's server may open the library).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        tmp.persist(&target).map_err(|e| e.error)?;
        Ok(())
    })();
    if let Err(e) = result {
        tracing::debug!(path = %target.display(), error = %e, "the head cache was not written");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_answers_only_for_its_commit_and_only_when_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b, t) = (
            ObjectId::from_hex(&"a".repeat(40)).expect("id"),
            ObjectId::from_hex(&"b".repeat(40)).expect("id"),
            ObjectId::from_hex(&"c".repeat(40)).expect("id"),
        );
        assert_eq!(read(dir.path(), a), None);
        write(dir.path(), a, t, b"<library/>");
        assert_eq!(read(dir.path(), a), Some((t, b"<library/>".to_vec())));
        assert_eq!(read(dir.path(), b), None);
        let file = path(dir.path());
        let mut bytes = std::fs::read(&file).expect("read");
        *bytes.last_mut().expect("bytes") ^= 1;
        std::fs::write(&file, bytes).expect("write");
        assert_eq!(read(dir.path(), a), None);
    }
}
