//! Checks of a peer's head before anything of it is used: history,
//! metadata, and the authority of its new commits. (The works it brings
//! are verified when the merge is built: see `merge`.)

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::ObjectId;
use crate::object_id::Ours;
use gix::objs::tree::EntryKind;
use wenku_model::Region;

use super::{NODES_PREFIX, Scope, incoming_ref, node_ref, quarantine_ref};
use crate::git::{self, Context, GitError};
use crate::layout;
use crate::metadata::LibraryMeta;

/// The regions of the peers a head was accepted from.
pub(super) fn accepted_peers(repo: &gix::Repository) -> Result<Vec<Region>, GitError> {
    peers_under(repo, NODES_PREFIX)
}

/// The regions of the refs under `prefix` (`refs/wenku/nodes/` …), sorted;
/// names that are not regions are skipped.
pub(super) fn peers_under(repo: &gix::Repository, prefix: &str) -> Result<Vec<Region>, GitError> {
    let platform = repo.references().ctx(|| format!("listing {prefix}*"))?;
    let iter = platform
        .prefixed(prefix)
        .ctx(|| format!("listing {prefix}*"))?;
    let mut regions = Vec::new();
    for r in iter {
        let r = r.ctx(|| format!("listing {prefix}*"))?;
        let name = r.name().as_bstr().to_string();
        if let Some(region) = name
            .strip_prefix(prefix)
            .and_then(|s| Region::parse(s).ok())
        {
            regions.push(region);
        }
    }
    regions.sort();
    Ok(regions)
}

/// Removes ref locks of this peer's refs. Called with the peer's pull lock
/// held: only a pull of this peer writes these refs, so a lock file found
/// now was left by a pull that died.
pub(super) fn remove_stale_ref_locks(git_dir: &Path, region: Region) -> Result<(), GitError> {
    for name in [
        node_ref(region),
        incoming_ref(region),
        quarantine_ref(region),
    ] {
        let lock = git_dir.join(format!("{name}.lock"));
        match std::fs::remove_file(&lock) {
            Ok(()) => tracing::warn!(
                path = %lock.display(),
                "removed a ref lock left behind by a pull that died"
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).ctx(|| format!("removing {}", lock.display())),
        }
    }
    Ok(())
}

/// The refused head kept in the peer's quarantine repository, if any.
pub(super) fn kept_head(git_dir: &Path, region: Region) -> Result<Option<ObjectId>, GitError> {
    let dir = super::quarantine_dir(git_dir, region);
    if !dir.join("HEAD").exists() {
        return Ok(None);
    }
    let repo = gix::open_opts(&dir, crate::library::open_options())
        .ctx(|| format!("opening the quarantine {}", dir.display()))?;
    git::ref_target(&repo, git::MAIN_REF)
}

/// The regions with a quarantine repository, sorted; directories whose
/// name is not a region are skipped.
pub(super) fn kept_regions(git_dir: &Path) -> Result<Vec<Region>, GitError> {
    let dir = git_dir.join("wenku").join("quarantine");
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).ctx(|| format!("listing {}", dir.display())),
    };
    let mut regions = Vec::new();
    for entry in entries {
        let entry = entry.ctx(|| format!("listing {}", dir.display()))?;
        if let Some(region) = entry
            .file_name()
            .to_str()
            .and_then(|n| Region::parse(n).ok())
        {
            regions.push(region);
        }
    }
    regions.sort();
    Ok(regions)
}

/// Removes the quarantine of a peer whose head was just accepted: its
/// repository, and the ref a library written before kept it under.
pub(super) fn clear_quarantine(
    git_dir: &Path,
    repo: &gix::Repository,
    region: Region,
    signature: &gix::actor::Signature,
) -> Result<(), GitError> {
    let dir = super::quarantine_dir(git_dir, region);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).ctx(|| format!("removing the quarantine {}", dir.display())),
    }
    clear_legacy_quarantine(repo, region, signature)
}

/// Removes `refs/wenku/quarantine/<region>`, where a library written
/// before refused heads were kept apart kept one.
pub(super) fn clear_legacy_quarantine(
    repo: &gix::Repository,
    region: Region,
    signature: &gix::actor::Signature,
) -> Result<(), GitError> {
    git::delete_ref(repo, &quarantine_ref(region), signature)
}

/// Checks that the peer's `library.xml` at `head` names `region`;
/// otherwise says what it holds (the inner error). A git error reading it
/// is this repository's (the objects were fetched and checked), not a
/// wrong library.
pub(super) fn peer_library(
    repo: &gix::Repository,
    head: ObjectId,
    region: Region,
) -> Result<Result<(), String>, GitError> {
    let tree = git::commit_tree(repo, head)?;
    let Some(bytes) = git::blob_at(repo, tree, layout::META_FILE)? else {
        return Ok(Err("is missing: this is not a wenku library".into()));
    };
    Ok(match LibraryMeta::decode(&bytes) {
        Ok(meta) if meta.authority.node() == region => Ok(()),
        Ok(meta) => Err(format!(
            "names node {}, not {region}: the source is another node's library",
            meta.authority
        )),
        Err(e) => Err(format!("does not decode: {e}")),
    })
}

/// The heads whose history was checked before: `main` and every accepted
/// peer head.
pub(super) fn trusted_heads(repo: &gix::Repository) -> Result<Vec<ObjectId>, GitError> {
    let mut hidden: Vec<ObjectId> = git::main_head(repo)?.into_iter().collect();
    for region in accepted_peers(repo)? {
        if let Some(id) = git::ref_target(repo, &node_ref(region))? {
            hidden.push(id);
        }
    }
    Ok(hidden)
}

/// The commits reachable from `head` and not from a `trusted` head
/// ([`trusted_heads`] of the library), newest first.
pub(super) fn new_commits(
    repo: &gix::Repository,
    head: ObjectId,
    trusted: &[ObjectId],
) -> Result<Vec<ObjectId>, GitError> {
    let walk = repo
        .rev_walk([head.to_gix()])
        .with_hidden(trusted.iter().copied().map(ObjectId::to_gix))
        .all()
        .ctx(|| format!("walking the history of {head}"))?;
    walk.map(|info| {
        info.map(|i| i.id.ours())
            .ctx(|| format!("walking the history of {head}"))
    })
    .collect()
}

/// A commit of the peer that changes paths outside its scope.
#[derive(Debug)]
pub(super) struct Violation {
    pub commit: ObjectId,
    pub paths: Vec<String>,
}

/// What the authority walk saw.
#[derive(Debug)]
pub(super) struct Walked {
    /// Commits checked.
    pub commits: usize,
    /// Commits that change something outside the peer's scope.
    pub violations: Vec<Violation>,
}

/// Most paths named per violating commit, and in all.
const PATHS_PER_COMMIT: usize = 50;
const PATHS_IN_ALL: usize = 500;

type RootEntries = Arc<BTreeMap<String, (ObjectId, EntryKind)>>;

/// Checks every commit reachable from `head` and not from a `trusted`
/// head (`main` and every accepted head): each top-level entry it changes relative to its first
/// parent must be `library.xml`, a region in the scope, or taken verbatim
/// from another of its parents (see the module docs of
/// [`crate::federation`]).
pub(super) fn authority(
    repo: &gix::Repository,
    head: ObjectId,
    scope: &Scope,
    trusted: &[ObjectId],
) -> Result<Walked, GitError> {
    let mut repo = repo.clone();
    repo.object_cache_size_if_unset(8 * 1024 * 1024);
    let walk = repo
        .rev_walk([head.to_gix()])
        .with_hidden(trusted.iter().copied().map(ObjectId::to_gix))
        .all()
        .ctx(|| format!("walking the history of {head}"))?;
    let mut roots: HashMap<ObjectId, RootEntries> = HashMap::new();
    let mut root_of = |commit: ObjectId| -> Result<RootEntries, GitError> {
        let tree = git::commit_tree(&repo, commit)?;
        if let Some(e) = roots.get(&tree) {
            return Ok(Arc::clone(e));
        }
        let entries: BTreeMap<String, (ObjectId, EntryKind)> = git::tree_entries(&repo, tree, "")?
            .into_iter()
            .map(|e| (e.name, (e.id, e.kind)))
            .collect();
        let entries = Arc::new(entries);
        roots.insert(tree, Arc::clone(&entries));
        Ok(entries)
    };
    let mut commits = 0;
    let mut violations = Vec::new();
    let mut named = 0;
    for info in walk {
        let info = info.ctx(|| format!("walking the history of {head}"))?;
        commits += 1;
        let mine = root_of(info.id.ours())?;
        let parents: Vec<RootEntries> = info
            .parent_ids
            .iter()
            .map(|p| root_of(p.ours()))
            .collect::<Result<_, _>>()?;
        let empty = RootEntries::default();
        let first = parents.first().unwrap_or(&empty);
        let names: BTreeSet<&String> = mine.keys().chain(first.keys()).collect();
        let mut paths = Vec::new();
        for name in names {
            let now = mine.get(name);
            let before = first.get(name);
            if now == before || name == layout::META_FILE {
                continue;
            }
            // A root's trust file moves with the root's region.
            if crate::trust::root_of_dir(name).is_some_and(|r| scope.takes(&r)) {
                continue;
            }
            if Region::parse(name).is_ok_and(|r| scope.takes(&r)) {
                continue;
            }
            if parents.iter().skip(1).any(|p| p.get(name) == now) {
                continue;
            }
            changed_paths(
                &repo,
                name,
                before.copied(),
                now.copied(),
                &mut paths,
                PATHS_PER_COMMIT,
            )?;
        }
        if !paths.is_empty() {
            let room = PATHS_IN_ALL.saturating_sub(named);
            paths.truncate(room.max(1));
            named += paths.len();
            violations.push(Violation {
                commit: info.id.ours(),
                paths,
            });
        }
    }
    Ok(Walked {
        commits,
        violations,
    })
}

/// The file paths under `path` that differ between `before` and `now`
/// (either may be absent), up to `limit` of them. Walked with an explicit
/// stack: the trees are the peer's, of any depth.
fn changed_paths(
    repo: &gix::Repository,
    path: &str,
    before: Option<(ObjectId, EntryKind)>,
    now: Option<(ObjectId, EntryKind)>,
    out: &mut Vec<String>,
    limit: usize,
) -> Result<(), GitError> {
    type Side = Option<(ObjectId, EntryKind)>;
    let mut stack: Vec<(String, Side, Side)> = vec![(path.to_string(), before, now)];
    while let Some((path, before, now)) = stack.pop() {
        if out.len() >= limit {
            return Ok(());
        }
        if before == now {
            continue;
        }
        let tree = |e: Side| match e {
            Some((id, EntryKind::Tree)) => Some(id),
            _ => None,
        };
        let (old_tree, new_tree) = (tree(before), tree(now));
        if old_tree.is_none() && new_tree.is_none() {
            out.push(path);
            continue;
        }
        if old_tree.is_none() && before.is_some() || new_tree.is_none() && now.is_some() {
            // A file replaced by a directory or the other way round.
            out.push(path.clone());
        }
        let list =
            |t: Option<ObjectId>| -> Result<BTreeMap<String, (ObjectId, EntryKind)>, GitError> {
                Ok(match t {
                    None => BTreeMap::new(),
                    Some(t) => git::tree_entries(repo, t, &path)?
                        .into_iter()
                        .map(|e| (e.name, (e.id, e.kind)))
                        .collect(),
                })
            };
        let old = list(old_tree)?;
        let new = list(new_tree)?;
        let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        // Reversed so that paths come out in order.
        for name in names.into_iter().rev() {
            stack.push((
                format!("{path}/{name}"),
                old.get(name).copied(),
                new.get(name).copied(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_test_support::git::git_stdin as git;

    #[test]
    fn an_unreadable_library_xml_is_an_error_of_ours_not_a_wrong_library() {
        let dir = tempfile::tempdir().expect("temporary directory");
        git(dir.path(), &["init", "-q", "--bare", "."], b"");
        // library.xml names a blob this repository does not have.
        let missing = "1234567890123456789012345678901234567890";
        let tree = git(
            dir.path(),
            &["mktree", "--missing"],
            format!("100644 blob {missing}\tlibrary.xml\n").as_bytes(),
        );
        let commit = git(dir.path(), &["commit-tree", &tree, "-m", "x"], b"");
        let repo = gix::open(dir.path()).expect("open");
        let head = ObjectId::from_hex(&commit).expect("id");
        let region = Region::parse("370283").expect("region");
        let err = peer_library(&repo, head, region).expect_err("a git error");
        assert!(err.to_string().contains(missing), "{err}");

        // No library.xml at all is a wrong library.
        let empty = git(dir.path(), &["mktree"], b"");
        let commit = git(dir.path(), &["commit-tree", &empty, "-m", "x"], b"");
        let head = ObjectId::from_hex(&commit).expect("id");
        let reason = peer_library(&repo, head, region)
            .expect("readable")
            .expect_err("not a library");
        assert!(reason.contains("missing"), "{reason}");
    }
}
