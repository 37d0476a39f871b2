//! The signatures of a peer's new commits, checked against the trust file
//! (see [`crate::trust`] and the module docs of [`crate::federation`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use gix::objs::tree::EntryKind;
use ssh_key::PublicKey;
use wenku_model::Region;

use super::PullError;
use crate::ObjectId;
use crate::git::{self, Context, GitError};
use crate::layout;
use crate::library::Library;
use crate::object_id::Ours;
use crate::signing::{CommitSignature, commit_signature, same_key};
use crate::trust::{self, Trust};

/// How a pull treats signatures that do not check out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignatureMode {
    /// Refuse the head ([`super::PullError::Signatures`]). The default.
    #[default]
    Enforce,
    /// Accept it and list every problem in the report and the log: for a
    /// roll-out, while nodes get their keys.
    Warn,
}

/// What kind of problem a commit's signature has; `kind()` is stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureProblemKind {
    /// The commit carries no signature.
    Unsigned,
    /// The signature does not check out (altered commit, another
    /// namespace, not SSH).
    BadSignature,
    /// Signed by a key the trust file does not list.
    UnknownKey,
    /// Signed by a revoked key.
    RevokedKey,
    /// Signed by a key that may not sign for a region the commit changes.
    WrongRegion,
    /// A change of the trust file not signed by the trust root's key, or a
    /// trust file that does not parse.
    TrustChange,
    /// The peer's trust file is older than ours, or is missing.
    TrustRollback,
}

impl SignatureProblemKind {
    /// A stable code: `unsigned`, `bad-signature`, `unknown-key`,
    /// `revoked-key`, `wrong-region`, `trust-change`, `trust-rollback`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureProblemKind::Unsigned => "unsigned",
            SignatureProblemKind::BadSignature => "bad-signature",
            SignatureProblemKind::UnknownKey => "unknown-key",
            SignatureProblemKind::RevokedKey => "revoked-key",
            SignatureProblemKind::WrongRegion => "wrong-region",
            SignatureProblemKind::TrustChange => "trust-change",
            SignatureProblemKind::TrustRollback => "trust-rollback",
        }
    }
}

/// One commit whose signature does not check out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureProblem {
    /// The commit (the peer's head for a rollback).
    pub commit: ObjectId,
    /// What kind of problem.
    pub kind: SignatureProblemKind,
    /// What exactly, naming keys and regions.
    pub detail: String,
}

impl std::fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "commit {}: {}", self.commit, self.detail)
    }
}

/// How the signatures of a pull were checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureSummary {
    /// `enforced`, `warn` or `not-checked`.
    pub mode: &'static str,
    /// Why they were not checked, when they were not.
    pub reason: Option<String>,
    /// The commits whose signature was checked.
    pub checked: usize,
    /// The problems found (only ever non-empty in `warn` mode: in
    /// `enforced` mode they refuse the pull).
    pub problems: Vec<SignatureProblem>,
    /// The trust file's serial after the pull, if there is one.
    pub trust_serial: Option<u64>,
}

impl SignatureSummary {
    pub(super) fn not_checked(reason: &str) -> SignatureSummary {
        SignatureSummary {
            mode: "not-checked",
            reason: Some(reason.to_string()),
            checked: 0,
            problems: Vec::new(),
            trust_serial: None,
        }
    }
}

/// Most problems listed.
const MAX_PROBLEMS: usize = 200;

type Entries = Arc<BTreeMap<String, (ObjectId, EntryKind)>>;

/// What the trust walk works from.
pub(crate) struct Anchor {
    /// Our trust file (from `main`), if any.
    pub ours: Option<Trust>,
    /// The blob ids of our trust directory, to see whether the peer's differs.
    pub ours_entry: Option<(ObjectId, EntryKind)>,
    /// The root key the operator pinned.
    pub pinned: Option<PublicKey>,
    /// The trust root region.
    pub root: Region,
}

/// What [`check`] found.
pub(crate) struct Checked {
    /// The trust file the commits were judged by.
    pub trust: Trust,
    /// What does not check out (at most a few hundred).
    pub problems: Vec<SignatureProblem>,
    /// Commits with a good signature.
    pub good: usize,
}

/// How a commit that creates the trust file (its first parent has none)
/// is judged when no root key is pinned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FirstTrust {
    /// Only a signature by the pinned root key counts (pulls).
    PinnedOnly,
    /// A file whose own root key signed it counts (the history a node
    /// already holds, when no key is pinned).
    SelfSigned,
}

/// What this library's signature checks start from, or `None` when it has
/// neither a trust file nor a pinned root key (signatures cannot be
/// checked; the pull says so).
pub(crate) fn anchor(library: &Library) -> Result<Option<Anchor>, PullError> {
    let repo = library.repo();
    let head = library.head()?;
    let tree = git::commit_tree(&repo, head)?;
    let node = library.authority().node();
    let root = trust::root_of(node);
    let ours = match trust::at_tree(&repo, tree, root)? {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            return Err(PullError::TrustConfig {
                reason: format!("the library's own trust file at {head}: {e}"),
            });
        }
    };
    let ours_entry = git::tree_entries(&repo, tree, "")?
        .into_iter()
        .find(|e| e.name == trust::dir_of(root))
        .map(|e| (e.id, e.kind));
    let pinned = trust::pinned(library.git_dir()).map_err(|e| PullError::TrustConfig {
        reason: e.to_string(),
    })?;
    if ours.is_none() && pinned.is_none() {
        return Ok(None);
    }
    Ok(Some(Anchor {
        ours,
        ours_entry,
        pinned,
        root,
    }))
}

/// Checks the signatures of `new` (the peer's new commits, read through
/// `repo`): each must be signed, by a key the trust file lists and has not
/// revoked, whose regions cover every region the commit itself changes; a
/// change of the trust file must be signed by a key of the trust root in
/// the file before it (or the pinned root key). `takes_trust`: the pull
/// takes the trust file from the peer (a parent pull of a node that is not
/// its own trust root); then the peer's trust file, if newer than ours and
/// reached by checked changes, is the one the commits are judged by.
/// Returns the trust file the commits were checked against, the number of
/// commits checked and the problems.
pub(crate) fn check(
    repo: &gix::Repository,
    head: ObjectId,
    new: &[ObjectId],
    anchor: &Anchor,
    takes_trust: bool,
    first_trust: FirstTrust,
) -> Result<Checked, GitError> {
    let mut roots: HashMap<ObjectId, Entries> = HashMap::new();
    let mut root_of = |commit: ObjectId| -> Result<Entries, GitError> {
        let tree = git::commit_tree(repo, commit)?;
        if let Some(e) = roots.get(&tree) {
            return Ok(Arc::clone(e));
        }
        let entries: BTreeMap<String, (ObjectId, EntryKind)> = git::tree_entries(repo, tree, "")?
            .into_iter()
            .map(|e| (e.name, (e.id, e.kind)))
            .collect();
        let entries = Arc::new(entries);
        roots.insert(tree, Arc::clone(&entries));
        Ok(entries)
    };
    let mut problems = Vec::new();
    let mut good = 0;
    let push = |problems: &mut Vec<SignatureProblem>, p: SignatureProblem| {
        if problems.len() < MAX_PROBLEMS {
            problems.push(p);
        }
    };

    // The trust file the commits are judged by: ours, or the peer's when
    // the pull takes it and every change to it checks out.
    let head_root = root_of(head)?;
    let trust_dir = trust::dir_of(anchor.root);
    let theirs_entry = head_root.get(&trust_dir).copied();
    let mut trust = anchor.ours.clone().unwrap_or_default();
    if takes_trust && theirs_entry != anchor.ours_entry {
        let head_tree = git::commit_tree(repo, head)?;
        match trust::at_tree(repo, head_tree, anchor.root)? {
            None => push(
                &mut problems,
                SignatureProblem {
                    commit: head,
                    kind: SignatureProblemKind::TrustRollback,
                    detail: "the peer's library has no trust file, and this node has one".into(),
                },
            ),
            Some(Err(e)) => push(
                &mut problems,
                SignatureProblem {
                    commit: head,
                    kind: SignatureProblemKind::TrustChange,
                    detail: format!("the peer's trust file does not parse: {e}"),
                },
            ),
            Some(Ok(theirs)) => {
                let ours_serial = anchor.ours.as_ref().map(|t| t.serial);
                if ours_serial.is_some_and(|s| theirs.serial <= s) {
                    push(
                        &mut problems,
                        SignatureProblem {
                            commit: head,
                            kind: SignatureProblemKind::TrustRollback,
                            detail: format!(
                                "the peer's trust file (serial {}) is not newer than this node's (serial {}) but differs from it",
                                theirs.serial,
                                ours_serial.unwrap_or_default()
                            ),
                        },
                    );
                }
                trust = theirs;
            }
        }
    }

    // Other roots' trust files as the peer's head has them: a commit about
    // another province is judged by that province's own file (and a
    // national one by the national file), each of them authenticated by
    // checking every change to it against our file or the file before it.
    let head_tree = git::commit_tree(repo, head)?;
    let mut others: HashMap<Region, Trust> = HashMap::new();
    for name in head_root.keys() {
        if let Some(r) = trust::root_of_dir(name).filter(|r| *r != anchor.root)
            && let Some(Ok(t)) = trust::at_tree(repo, head_tree, r)?
        {
            others.insert(r, t);
        }
    }
    // The file that speaks for `region` besides ours: its root's, else the
    // national file for a province's region.
    let delegated = |key: &PublicKey, region: &Region| -> bool {
        let root = trust::root_of(*region);
        if root == anchor.root {
            return false;
        }
        [root, Region::NATIONAL]
            .iter()
            .filter_map(|r| others.get(r))
            .any(|t| t.covers(key, region))
    };
    let known_elsewhere = |key: &PublicKey| others.values().any(|t| t.knows(key));

    for &commit in new {
        let mine = root_of(commit)?;
        let info = repo
            .find_commit(commit.to_gix())
            .ctx(|| format!("reading commit {commit}"))?;
        let parent_ids: Vec<ObjectId> = info.parent_ids().map(|p| p.detach().ours()).collect();
        drop(info);
        let parents: Vec<Entries> = parent_ids
            .iter()
            .map(|p| root_of(*p))
            .collect::<Result<_, _>>()?;
        let empty = Entries::default();
        let first = parents.first().unwrap_or(&empty);
        // What this commit brings itself: entries that differ from its
        // first parent and are not taken verbatim from another parent.
        let changed: Vec<&String> = mine
            .keys()
            .chain(first.keys())
            .filter(|name| {
                let now = mine.get(*name);
                now != first.get(*name) && !parents.iter().skip(1).any(|p| p.get(*name) == now)
            })
            .collect();

        let changes_trust = changed.iter().any(|n| **n == trust_dir);
        let unanchored_change = |problems: &mut Vec<SignatureProblem>| {
            if changes_trust {
                push(
                    problems,
                    SignatureProblem {
                        commit,
                        kind: SignatureProblemKind::TrustChange,
                        detail: format!(
                            "changes the trust file without a good signature by a key of the trust root {}",
                            anchor.root
                        ),
                    },
                );
            }
        };
        let key = match commit_signature(repo, commit)? {
            CommitSignature::Unsigned => {
                push(
                    &mut problems,
                    SignatureProblem {
                        commit,
                        kind: SignatureProblemKind::Unsigned,
                        detail: "not signed".into(),
                    },
                );
                unanchored_change(&mut problems);
                continue;
            }
            CommitSignature::Bad(why) => {
                push(
                    &mut problems,
                    SignatureProblem {
                        commit,
                        kind: SignatureProblemKind::BadSignature,
                        detail: format!("bad signature: {why}"),
                    },
                );
                unanchored_change(&mut problems);
                continue;
            }
            CommitSignature::Good(key) => key,
        };
        good += 1;
        let pinned = anchor.pinned.as_ref().is_some_and(|p| same_key(p, &key));
        if trust.is_revoked(&key) {
            push(
                &mut problems,
                SignatureProblem {
                    commit,
                    kind: SignatureProblemKind::RevokedKey,
                    detail: format!("signed by a revoked key, {}", short(&key)),
                },
            );
            continue;
        }
        if !trust.knows(&key) && !pinned && !known_elsewhere(&key) {
            push(
                &mut problems,
                SignatureProblem {
                    commit,
                    kind: SignatureProblemKind::UnknownKey,
                    detail: format!("signed by {}, a key no trust file lists", short(&key)),
                },
            );
            continue;
        }
        let covers = |region: &Region| {
            trust.covers(&key, region)
                || (pinned && anchor.root.contains(region))
                || delegated(&key, region)
        };
        let mut outside = Vec::new();
        for name in changed {
            if name == layout::META_FILE {
                continue;
            }
            if *name == trust_dir {
                // A change of the trust file: signed by a key of the root
                // in the file before it (or the pinned key).
                let before = git::commit_tree(repo, parent_ids.first().copied().unwrap_or(commit))
                    .and_then(|t| trust::at_tree(repo, t, anchor.root))?;
                let allowed = match (&before, parent_ids.is_empty()) {
                    (Some(Ok(t)), false) => t.covers(&key, &anchor.root) || pinned,
                    _ if pinned => true,
                    _ if first_trust == FirstTrust::SelfSigned && anchor.pinned.is_none() => {
                        let created =
                            trust::at_tree(repo, git::commit_tree(repo, commit)?, anchor.root)?;
                        matches!(created, Some(Ok(t)) if t.covers(&key, &anchor.root))
                    }
                    _ => false,
                };
                if !allowed {
                    push(
                        &mut problems,
                        SignatureProblem {
                            commit,
                            kind: SignatureProblemKind::TrustChange,
                            detail: format!(
                                "changes the trust file but is signed by {}, not by a key of the trust root {}",
                                short(&key),
                                anchor.root
                            ),
                        },
                    );
                }
                continue;
            }
            // Another root's trust file: signed by a key ours lets sign for
            // that root, or that the file before it did (the root's own
            // key), or that the enclosing national file does. Never by
            // the file it makes: that would let it vouch for itself.
            if let Some(root) = trust::root_of_dir(name) {
                let before = match parent_ids.first() {
                    Some(p) => trust::at_tree(repo, git::commit_tree(repo, *p)?, root)?,
                    None => None,
                };
                let national = (root != Region::NATIONAL)
                    .then(|| others.get(&Region::NATIONAL))
                    .flatten();
                let allowed = trust.covers(&key, &root)
                    || matches!(&before, Some(Ok(t)) if t.covers(&key, &root))
                    || national.is_some_and(|t| t.covers(&key, &root));
                if !allowed {
                    outside.push(name.clone());
                }
                continue;
            }
            let region = Region::parse(name);
            match region {
                Ok(region) if covers(&region) => {}
                Ok(region) => outside.push(region.to_string()),
                // Not a region: the authority check names it; the key
                // cannot cover it either.
                Err(_) => outside.push(name.clone()),
            }
        }
        if !outside.is_empty() {
            let may: Vec<String> = trust
                .regions_of(&key)
                .iter()
                .map(Region::to_string)
                .collect();
            push(
                &mut problems,
                SignatureProblem {
                    commit,
                    kind: SignatureProblemKind::WrongRegion,
                    detail: format!(
                        "signed by {} (signs for {}) but changes {}",
                        short(&key),
                        if may.is_empty() {
                            "the trust root".to_string()
                        } else {
                            may.join(", ")
                        },
                        outside.join(", ")
                    ),
                },
            );
        }
    }
    Ok(Checked {
        trust,
        problems,
        good,
    })
}

/// A key as people compare them: its fingerprint and comment.
pub(crate) fn short(key: &PublicKey) -> String {
    let fp = key.fingerprint(ssh_key::HashAlg::Sha256).to_string();
    match key.comment() {
        "" => fp,
        c => format!("{fp} ({c})"),
    }
}
