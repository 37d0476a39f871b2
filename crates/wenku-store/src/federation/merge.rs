//! Building the merge of a checked peer head and moving `main` to it.
//!
//! The tree is ours with the region directories in the pull's scope taken
//! from the peer's tree (added, replaced, or removed when the peer has none);
//! nothing inside a region is merged. Before anything is written, the work
//! directories that differ from ours are verified (`verify::verify_changes`);
//! if nothing differs, no commit is made. `main` moves by compare-and-swap
//! in [`advance`], the only place a pull moves it; a lost race builds the
//! merge again on the new head, so a local commit made meanwhile is kept.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use crate::ObjectId;
use crate::object_id::Ours;
use gix::objs::tree::EntryKind;
use wenku_model::Region;

use super::{PullError, PullOptions, RegionChanges, Scope};
use crate::clock::Timestamp;
use crate::git::{self, Context, GitError};
use crate::identity::Identity;
use crate::library::Library;
use crate::message;
use crate::transaction::{self, CommitError, Swap};
use crate::verify::{self, Problem, WorkChange};

/// Why no merge was made.
pub(super) enum Failure {
    /// The works the peer brings do not verify.
    Invalid(Vec<Problem>),
    /// Anything else.
    Error(PullError),
}

macro_rules! failure_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Failure {
                Failure::Error(e.into())
            }
        }
    )*};
}
failure_from!(PullError, GitError, crate::read::ReadError, CommitError);

/// What the merge did.
#[derive(Debug)]
pub(super) struct Merged {
    pub old_main: ObjectId,
    pub new_main: ObjectId,
    pub merge: Option<ObjectId>,
    pub regions: Vec<RegionChanges>,
    pub attempts: u32,
    /// The whole step.
    pub took: Duration,
    /// Of which verifying the works.
    pub checked: Duration,
}

/// The works of a peer head verified against one base tree of ours.
#[derive(Debug)]
pub(super) struct Verified {
    base_tree: ObjectId,
    changes: Vec<WorkChange>,
}

/// Verifies the works `head` brings against `main` as it is now, reading
/// the peer's objects through `incoming` (the fetch's repository, which
/// sees the library's objects too): the problems, if any.
pub(super) fn verify(
    library: &Library,
    incoming: &gix::ThreadSafeRepository,
    head: ObjectId,
    scope: &Scope,
) -> Result<Result<Verified, Vec<Problem>>, PullError> {
    let repo = incoming.to_thread_local();
    let base = library.head()?;
    let base_tree = git::commit_tree(&repo, base)?;
    let differing = differing(&repo, base_tree, head, scope)?;
    if differing.is_empty() {
        return Ok(Ok(Verified {
            base_tree,
            changes: Vec::new(),
        }));
    }
    let (report, changes) = verify::verify_changes(incoming, head, base_tree, &differing)?;
    Ok(if report.is_clean() {
        Ok(Verified { base_tree, changes })
    } else {
        Err(report.problems)
    })
}

/// The regions in the scope whose directories differ between our
/// `base_tree` and `head`'s tree (by id and kind).
fn differing(
    repo: &gix::Repository,
    base_tree: ObjectId,
    head: ObjectId,
    scope: &Scope,
) -> Result<Vec<Region>, GitError> {
    let head_tree = git::commit_tree(repo, head)?;
    let ours = root_entries(repo, base_tree)?;
    let theirs = root_entries(repo, head_tree)?;
    Ok(ours
        .keys()
        .chain(theirs.keys())
        .filter_map(|name| Region::parse(name).ok())
        .filter(|r| scope.takes(r))
        .collect::<BTreeSet<Region>>()
        .into_iter()
        .filter(|r| ours.get(r.as_str()) != theirs.get(r.as_str()))
        .collect())
}

/// Merges `head` (already checked) into `main`, retrying on lost races.
/// `verified` is what [`verify`] found; the merge verifies again only
/// against a `main` that moved since.
pub(super) fn merge_and_advance(
    library: &Library,
    head: ObjectId,
    scope: &Scope,
    identity: &Identity,
    options: &PullOptions,
    mut verified: Option<Verified>,
) -> Result<Merged, Failure> {
    let started = Instant::now();
    let mut checked = Duration::ZERO;
    let max_attempts = library.options.max_attempts.max(1);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let retry = attempts < max_attempts;
        match attempt(
            library,
            head,
            scope,
            identity,
            options,
            &mut verified,
            &mut checked,
        ) {
            Ok(Attempt::Done {
                base,
                merge,
                regions,
            }) => {
                return Ok(Merged {
                    old_main: base,
                    new_main: merge.unwrap_or(base),
                    merge,
                    regions,
                    attempts,
                    took: started.elapsed(),
                    checked,
                });
            }
            Ok(Attempt::Lost) if retry => {
                tracing::debug!(
                    attempts,
                    "main moved during the pull; merging again on the new head"
                );
            }
            Ok(Attempt::Lost) => {
                let head = library.head()?;
                return Err(Failure::Error(PullError::Conflict { attempts, head }));
            }
            // See git::retrying: an object can look missing for a moment
            // after packs were replaced.
            Err(Failure::Error(PullError::Git(e))) if retry && e.is_not_found() => {
                tracing::debug!(attempts, error = %e, "an object looked missing; merging again");
            }
            Err(e) => return Err(e),
        }
    }
}

enum Attempt {
    Done {
        base: ObjectId,
        merge: Option<ObjectId>,
        regions: Vec<RegionChanges>,
    },
    Lost,
}

type Entries = BTreeMap<String, (ObjectId, EntryKind)>;

fn root_entries(repo: &gix::Repository, tree: ObjectId) -> Result<Entries, GitError> {
    Ok(git::tree_entries(repo, tree, "")?
        .into_iter()
        .map(|e| (e.name, (e.id, e.kind)))
        .collect())
}

fn attempt(
    library: &Library,
    head: ObjectId,
    scope: &Scope,
    identity: &Identity,
    options: &PullOptions,
    verified: &mut Option<Verified>,
    checked: &mut Duration,
) -> Result<Attempt, Failure> {
    let store = library.store();
    let repo = store.repo.to_thread_local();
    let base = git::main_head(&repo)?.ok_or_else(|| {
        PullError::Git(GitError {
            action: "reading refs/heads/main".into(),
            source: "the library has lost refs/heads/main".into(),
        })
    })?;
    let base_tree = git::commit_tree(&repo, base)?;
    let head_tree = git::commit_tree(&repo, head)?;
    let theirs = root_entries(&repo, head_tree)?;
    let differing = differing(&repo, base_tree, head, scope)?;
    // Trust files move with their root's region.
    let ours_root = root_entries(&repo, base_tree)?;
    let trust_dirs: Vec<(String, Option<(ObjectId, EntryKind)>)> = ours_root
        .keys()
        .chain(theirs.keys())
        .filter(|name| crate::trust::root_of_dir(name).is_some_and(|r| scope.takes(&r)))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|name| ours_root.get(*name) != theirs.get(*name))
        .map(|name| (name.clone(), theirs.get(name).copied()))
        .collect();
    if differing.is_empty() && trust_dirs.is_empty() {
        return Ok(Attempt::Done {
            base,
            merge: None,
            regions: Vec::new(),
        });
    }

    let changes = match verified.take() {
        Some(v) if v.base_tree == base_tree => v.changes,
        _ => {
            let verifying = Instant::now();
            let (report, changes) =
                verify::verify_changes(&store.repo, head, base_tree, &differing)?;
            *checked += verifying.elapsed();
            if !report.is_clean() {
                return Err(Failure::Invalid(report.problems));
            }
            changes
        }
    };
    let regions = group(&differing, changes);

    let mut editor = repo
        .edit_tree(base_tree.to_gix())
        .ctx(|| format!("editing tree {base_tree}"))?
        .detach();
    for region in &differing {
        let name = region.as_str();
        match theirs.get(name) {
            Some((id, EntryKind::Tree)) => {
                editor
                    .upsert([name], EntryKind::Tree, id.to_gix())
                    .ctx(|| format!("placing region {name} in the tree"))?;
            }
            // Verification refused anything else.
            _ => {
                editor
                    .remove([name])
                    .ctx(|| format!("removing region {name} from the tree"))?;
            }
        }
    }
    for (name, entry) in &trust_dirs {
        match entry {
            Some((id, kind)) => {
                editor
                    .upsert([name.as_str()], *kind, id.to_gix())
                    .ctx(|| format!("placing {name} in the tree"))?;
            }
            None => {
                editor
                    .remove([name.as_str()])
                    .ctx(|| format!("removing {name} from the tree"))?;
            }
        }
    }
    let tree = editor
        .write(|t| repo.write_object(t).map(|id| id.detach()))
        .ctx(|| "writing the merged tree".to_string())?;
    let time = library.clock.now();
    let node = scope.authority.node();
    let signature = identity.signature(time);
    let mut commit = gix::objs::Commit {
        tree,
        parents: [base.to_gix(), head.to_gix()].into_iter().collect(),
        author: signature.clone(),
        committer: signature,
        encoding: None,
        message: message::compose_pull(&scope.peer.to_string(), &regions, node).into(),
        extra_headers: Vec::new(),
    };
    if let Some(key) = library.key() {
        key.sign_commit(&mut commit)
            .map_err(|e| GitError::new("signing the merge commit", e))?;
    }
    let merge = repo
        .write_object(&commit)
        .ctx(|| "writing the merge commit".to_string())?
        .ours();
    if let Some(hook) = &options.before_swap {
        hook();
    }
    match advance(&repo, base, merge, scope, identity, time)? {
        Swap::Done => Ok(Attempt::Done {
            base,
            merge: Some(merge),
            regions,
        }),
        Swap::Lost => Ok(Attempt::Lost),
    }
}

/// Moves `main` from `base` to the merge. The one place a pull moves
/// `main`: what is derived from `main` follows from here.
fn advance(
    repo: &gix::Repository,
    base: ObjectId,
    merge: ObjectId,
    scope: &Scope,
    identity: &Identity,
    time: Timestamp,
) -> Result<Swap, CommitError> {
    transaction::swap_main(
        repo,
        Some(base),
        merge,
        &format!("wenku: pull {}", scope.peer),
        identity,
        time,
    )
}

/// The changes per region, regions in order, works sorted.
fn group(regions: &[Region], changes: Vec<WorkChange>) -> Vec<RegionChanges> {
    let mut by_region: BTreeMap<Region, RegionChanges> = regions
        .iter()
        .map(|r| {
            (
                *r,
                RegionChanges {
                    region: *r,
                    added: Vec::new(),
                    changed: Vec::new(),
                    removed: Vec::new(),
                },
            )
        })
        .collect();
    for change in changes {
        let Some(entry) = by_region.get_mut(&change.work().region()) else {
            continue;
        };
        match change {
            WorkChange::Added(w) => entry.added.push(w),
            WorkChange::Changed(w) => entry.changed.push(w),
            WorkChange::Removed(w) => entry.removed.push(w),
        }
    }
    by_region
        .into_values()
        .filter(|r| !(r.added.is_empty() && r.changed.is_empty() && r.removed.is_empty()))
        .map(|mut r| {
            r.added.sort();
            r.changed.sort();
            r.removed.sort();
            r
        })
        .collect()
}
