//! A strict check of the tree and commit objects a pull brings, before any
//! of them is used: what `git fsck --strict` would reject never reaches
//! `main`, and nothing a peer sends is walked by recursion.
//!
//! The objects checked are the commits reachable from the peer's head and
//! not from `main` or an accepted head, and every tree those commits reach
//! that is not the same object at the same path in one of their parents
//! (a parent's trees were checked with it, or are trusted). Trees are
//! parsed from their raw bytes, not through a decoder that may tolerate
//! or normalise what git refuses, and walked with an explicit stack to at
//! most [`MAX_DEPTH`] levels.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::ObjectId;
use crate::object_id::Ours;
use gix::objs::Kind;

use crate::git::{self, Context, GitError};

/// The deepest tree a pull accepts, counting the root as level 0. A
/// library's layout is four levels deep (region, shard, work, file); the
/// bound leaves room and keeps every walk of peer input bounded.
pub const MAX_DEPTH: usize = 64;

/// Most malformed objects named in one refusal.
const MOST_NAMED: usize = 100;

/// An object of the peer that git would call malformed, or that breaks a
/// bound of the pull.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedObject {
    /// The object.
    pub id: ObjectId,
    /// `"tree"`, `"commit"`, or `"head"` for a head that is no commit.
    pub kind: &'static str,
    /// Where it was reached: the path of a tree (`""` for a root tree), or
    /// empty for a commit.
    pub path: String,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for MalformedObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{} {}: {}", self.kind, self.id, self.problem)
        } else {
            write!(
                f,
                "{} {} at {}: {}",
                self.kind, self.id, self.path, self.problem
            )
        }
    }
}

/// One entry of a raw tree.
struct RawEntry {
    mode: Vec<u8>,
    name: Vec<u8>,
    id: ObjectId,
}

impl RawEntry {
    fn is_tree(&self) -> bool {
        self.mode == b"40000" || self.mode == b"040000"
    }
}

/// Parses raw tree bytes, noting every problem git's strict checks report.
fn parse_tree(data: &[u8], problems: &mut Vec<String>) -> Vec<RawEntry> {
    let mut entries = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let Some(space) = rest.iter().position(|b| *b == b' ') else {
            problems.push("truncated entry: no space after the mode".into());
            break;
        };
        let mode = &rest[..space];
        let after = &rest[space + 1..];
        let Some(nul) = after.iter().position(|b| *b == 0) else {
            problems.push("truncated entry: no NUL after the name".into());
            break;
        };
        let name = &after[..nul];
        let Some(id) = after.get(nul + 1..nul + 21) else {
            problems.push(format!(
                "truncated entry {:?}: fewer than 20 bytes of object id",
                String::from_utf8_lossy(name)
            ));
            break;
        };
        entries.push(RawEntry {
            mode: mode.to_vec(),
            name: name.to_vec(),
            id: gix::ObjectId::try_from(id)
                .expect("a slice of exactly 20 bytes is a SHA-1 id")
                .ours(),
        });
        rest = &after[nul + 21..];
    }
    entries
}

/// What git's strict checks say of a tree's entries.
fn tree_problems(entries: &[RawEntry], problems: &mut Vec<String>) {
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut previous: Option<Vec<u8>> = None;
    for e in entries {
        let shown = String::from_utf8_lossy(&e.name);
        match e.mode.as_slice() {
            b"100644" | b"100755" | b"120000" | b"40000" | b"160000" => {}
            m if m.first() == Some(&b'0') => problems.push(format!(
                "entry {shown:?} has the zero-padded mode {}",
                String::from_utf8_lossy(m)
            )),
            m => problems.push(format!(
                "entry {shown:?} has the unknown mode {:?}",
                String::from_utf8_lossy(m)
            )),
        }
        if let Some(why) = bad_name(&e.name) {
            problems.push(format!("entry {shown:?}: {why}"));
        }
        if !seen.insert(&e.name) {
            problems.push(format!("entry {shown:?} appears twice"));
        }
        // git's order: a tree sorts as its name followed by "/".
        let mut key = e.name.clone();
        if e.is_tree() {
            key.push(b'/');
        }
        if let Some(prev) = &previous
            && key <= *prev
        {
            problems.push(format!("entry {shown:?} is out of order"));
        }
        previous = Some(key);
    }
}

/// Why git refuses `name` as a tree entry's name.
fn bad_name(name: &[u8]) -> Option<&'static str> {
    if name.is_empty() {
        return Some("an empty name");
    }
    if name == b"." || name == b".." {
        return Some("a name that is . or ..");
    }
    if name.contains(&b'/') {
        return Some("a name with a slash");
    }
    if name.contains(&0) {
        return Some("a name with a NUL byte");
    }
    // `.git` in any case, and the spellings Windows and macOS file
    // systems take for it (trailing dots and spaces, the 8.3 short name).
    let trimmed = name
        .iter()
        .rposition(|b| *b != b'.' && *b != b' ')
        .map_or(&name[..0], |end| &name[..=end]);
    if trimmed.eq_ignore_ascii_case(b".git") || trimmed.eq_ignore_ascii_case(b"git~1") {
        return Some("a name git reserves (.git)");
    }
    None
}

/// What git's strict checks say of a commit's header.
fn commit_problems(data: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(end) = data.windows(2).position(|w| w == b"\n\n") else {
        problems.push("unterminated header: no blank line before the message".into());
        return problems;
    };
    let header = &data[..end];
    if header.contains(&0) {
        problems.push("a NUL byte in the header".into());
    }
    let mut lines = header.split(|b| *b == b'\n').peekable();
    match lines.next().and_then(|l| l.strip_prefix(b"tree ")) {
        Some(id) if is_hex_id(id) => {}
        Some(_) => problems.push("a malformed tree line".into()),
        None => problems.push("the header does not start with a tree line".into()),
    }
    while let Some(id) = lines.peek().and_then(|l| l.strip_prefix(b"parent ")) {
        if !is_hex_id(id) {
            problems.push("a malformed parent line".into());
        }
        lines.next();
    }
    for field in ["author", "committer"] {
        let prefix = format!("{field} ");
        match lines.next().and_then(|l| l.strip_prefix(prefix.as_bytes())) {
            Some(ident) => {
                if let Some(why) = bad_ident(ident) {
                    problems.push(format!("{field}: {why}"));
                }
            }
            None => problems.push(format!("no {field} line where git expects it")),
        }
    }
    problems
}

fn is_hex_id(id: &[u8]) -> bool {
    id.len() == 40
        && id
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
}

/// Why git refuses an identity line (`Name <email> 1700000000 +0800`).
fn bad_ident(ident: &[u8]) -> Option<&'static str> {
    if ident.first() == Some(&b'<') {
        return Some("no name before the email");
    }
    let open = ident.iter().position(|b| matches!(b, b'<' | b'>'))?;
    if ident[open] != b'<' {
        return Some("a '>' before the email");
    }
    if open == 0 || ident[open - 1] != b' ' {
        return Some("no space before the email");
    }
    let rest = &ident[open + 1..];
    let Some(close) = rest.iter().position(|b| matches!(b, b'<' | b'>')) else {
        return Some("an unterminated email");
    };
    if rest[close] != b'>' {
        return Some("a '<' inside the email");
    }
    let Some(rest) = rest[close + 1..].strip_prefix(b" ") else {
        return Some("no space before the date");
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Some("a malformed date");
    }
    if rest[0] == b'0' && digits > 1 {
        return Some("a zero-padded date");
    }
    let date = std::str::from_utf8(&rest[..digits]).expect("ASCII digits");
    if date.parse::<i64>().is_err() {
        return Some("a date that overflows");
    }
    let Some(tz) = rest[digits..].strip_prefix(b" ") else {
        return Some("no space before the time zone");
    };
    let ok =
        tz.len() == 5 && matches!(tz[0], b'+' | b'-') && tz[1..].iter().all(u8::is_ascii_digit);
    if !ok {
        return Some("a malformed time zone");
    }
    None
}

/// The raw bytes of an object of the expected kind.
fn raw(
    repo: &gix::Repository,
    id: ObjectId,
    expected: Kind,
) -> Result<Result<Vec<u8>, Kind>, GitError> {
    let object =
        git::retrying(|| repo.find_object(id.to_gix())).ctx(|| format!("reading object {id}"))?;
    if object.kind != expected {
        return Ok(Err(object.kind));
    }
    Ok(Ok(object.data.clone()))
}

/// The tree of a commit, as its raw header names it.
fn raw_commit_tree_and_parents(data: &[u8]) -> (Option<ObjectId>, Vec<ObjectId>) {
    let header = match data.windows(2).position(|w| w == b"\n\n") {
        Some(end) => &data[..end],
        None => data,
    };
    let mut tree = None;
    let mut parents = Vec::new();
    for line in header.split(|b| *b == b'\n') {
        if let Some(id) = line.strip_prefix(b"tree ") {
            tree = gix::ObjectId::from_hex(id).ok().map(Ours::ours);
        } else if let Some(id) = line.strip_prefix(b"parent ") {
            if let Ok(id) = gix::ObjectId::from_hex(id) {
                parents.push(id.ours());
            }
        } else if !line.is_empty() && tree.is_some() {
            break;
        }
    }
    (tree, parents)
}

/// Why the peer's head cannot be pulled, when it is not a commit (a
/// `main` pointing at a tree, a blob or a tag).
pub(super) fn head_problem(
    repo: &gix::Repository,
    head: ObjectId,
) -> Result<Option<MalformedObject>, GitError> {
    let object = git::retrying(|| repo.find_header(head.to_gix()))
        .ctx(|| format!("reading object {head}"))?;
    let kind = object.kind();
    Ok((kind != Kind::Commit).then(|| MalformedObject {
        id: head,
        kind: "head",
        path: String::new(),
        problem: format!("the peer's refs/heads/main points at a {kind}, not a commit"),
    }))
}

/// Checks the commits `new` (reachable from the peer's head and not from
/// a trusted head) and the trees they bring. Returns the malformed
/// objects (empty when all is well); a git error is an error of this
/// library's repository, not a refusal.
pub(super) fn check(
    repo: &gix::Repository,
    new: &[ObjectId],
) -> Result<Vec<MalformedObject>, GitError> {
    let mut found = Vec::new();
    let mut checked_trees: HashSet<ObjectId> = HashSet::new();
    for &commit in new {
        if found.len() >= MOST_NAMED {
            break;
        }
        let data = match raw(repo, commit, Kind::Commit)? {
            Ok(d) => d,
            Err(kind) => {
                found.push(MalformedObject {
                    id: commit,
                    kind: "commit",
                    path: String::new(),
                    problem: format!("is a {kind}, not a commit"),
                });
                continue;
            }
        };
        for problem in commit_problems(&data) {
            found.push(MalformedObject {
                id: commit,
                kind: "commit",
                path: String::new(),
                problem,
            });
        }
        let (Some(tree), parents) = raw_commit_tree_and_parents(&data) else {
            continue;
        };
        let mut parent_trees = Vec::new();
        for p in parents {
            match raw(repo, p, Kind::Commit)? {
                Ok(d) => parent_trees.extend(raw_commit_tree_and_parents(&d).0),
                Err(kind) => found.push(MalformedObject {
                    id: commit,
                    kind: "commit",
                    path: String::new(),
                    problem: format!("its parent {p} is a {kind}, not a commit"),
                }),
            }
        }
        walk_trees(repo, tree, parent_trees, &mut checked_trees, &mut found)?;
    }
    found.truncate(MOST_NAMED);
    Ok(found)
}

/// Checks `root` and the trees below it that differ from the same path in
/// `parents`, with an explicit stack, to [`MAX_DEPTH`] levels.
fn walk_trees(
    repo: &gix::Repository,
    root: ObjectId,
    parents: Vec<ObjectId>,
    checked: &mut HashSet<ObjectId>,
    found: &mut Vec<MalformedObject>,
) -> Result<(), GitError> {
    // The parents' trees read for this commit, by id: memory follows what
    // one commit changes, not the size of the peer's library.
    let mut known: HashMap<ObjectId, Vec<RawEntry>> = HashMap::new();
    // (tree, path, depth, the same path's trees in the parents)
    let mut stack: Vec<(ObjectId, String, usize, Vec<ObjectId>)> =
        vec![(root, String::new(), 0, parents)];
    while let Some((tree, path, depth, parents)) = stack.pop() {
        if found.len() >= MOST_NAMED {
            return Ok(());
        }
        if parents.contains(&tree) || !checked.insert(tree) {
            continue;
        }
        let malformed = |problem: String| MalformedObject {
            id: tree,
            kind: "tree",
            path: path.clone(),
            problem,
        };
        if depth > MAX_DEPTH {
            found.push(malformed(format!(
                "trees nested deeper than {MAX_DEPTH} levels"
            )));
            continue;
        }
        let data = match raw(repo, tree, Kind::Tree)? {
            Ok(d) => d,
            Err(kind) => {
                found.push(malformed(format!("is a {kind}, not a tree")));
                continue;
            }
        };
        let mut problems = Vec::new();
        let entries = parse_tree(&data, &mut problems);
        tree_problems(&entries, &mut problems);
        found.extend(problems.into_iter().map(&malformed));
        // The parents' entries at this path, by name.
        let mut theirs: Vec<(Vec<u8>, ObjectId)> = Vec::new();
        for p in &parents {
            if !known.contains_key(p) {
                let entries = match raw(repo, *p, Kind::Tree)? {
                    Ok(d) => parse_tree(&d, &mut Vec::new()),
                    Err(_) => Vec::new(),
                };
                known.insert(*p, entries);
            }
            if let Some(entries) = known.get(p) {
                theirs.extend(
                    entries
                        .iter()
                        .filter(|e| e.is_tree())
                        .map(|e| (e.name.clone(), e.id)),
                );
            }
        }
        for e in entries.iter().filter(|e| e.is_tree()) {
            let same: Vec<ObjectId> = theirs
                .iter()
                .filter(|(n, _)| *n == e.name)
                .map(|(_, id)| *id)
                .collect();
            let child = if path.is_empty() {
                String::from_utf8_lossy(&e.name).into_owned()
            } else {
                format!("{path}/{}", String::from_utf8_lossy(&e.name))
            };
            stack.push((e.id, child, depth + 1, same));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(mode: &str, name: &str) -> RawEntry {
        RawEntry {
            mode: mode.as_bytes().to_vec(),
            name: name.as_bytes().to_vec(),
            id: gix::ObjectId::null(gix::hash::Kind::Sha1).ours(),
        }
    }

    fn problems_of(entries: &[RawEntry]) -> Vec<String> {
        let mut p = Vec::new();
        tree_problems(entries, &mut p);
        p
    }

    #[test]
    fn trees_sort_as_their_name_and_a_slash() {
        assert!(problems_of(&[entry("100644", "a.b"), entry("40000", "a")]).is_empty());
        assert!(!problems_of(&[entry("40000", "a"), entry("100644", "a.b")]).is_empty());
        assert!(!problems_of(&[entry("100644", "b"), entry("100644", "a")]).is_empty());
        let dup = problems_of(&[entry("100644", "a"), entry("40000", "a")]);
        assert!(dup.iter().any(|p| p.contains("twice")), "{dup:?}");
    }

    #[test]
    fn modes_and_names_git_refuses() {
        for (mode, name, needle) in [
            ("040000", "a", "zero-padded"),
            ("100664", "a", "unknown mode"),
            ("100644", "", "empty"),
            ("100644", "..", ". or .."),
            ("40000", ".GiT", "reserves"),
            ("40000", ".git. ", "reserves"),
            ("40000", "GIT~1", "reserves"),
        ] {
            let p = problems_of(&[entry(mode, name)]);
            assert!(p.iter().any(|p| p.contains(needle)), "{mode} {name}: {p:?}");
        }
    }

    #[test]
    fn identities_git_refuses() {
        assert_eq!(bad_ident(b"A <a@b> 1700000000 +0800"), None);
        for (ident, needle) in [
            (&b"<a@b> 1 +0800"[..], "no name"),
            (b"A<a@b> 1 +0800", "no space before the email"),
            (b"A <a@b> 01 +0800", "zero-padded"),
            (b"A <a@b> x +0800", "malformed date"),
            (b"A <a@b> 99999999999999999999999 +0800", "overflows"),
            (b"A <a@b> 1 0800", "time zone"),
            (b"A <a@b 1 +0800", "unterminated"),
        ] {
            let why = bad_ident(ident).unwrap_or_default();
            assert!(
                why.contains(needle),
                "{}: {why}",
                String::from_utf8_lossy(ident)
            );
        }
    }
}
