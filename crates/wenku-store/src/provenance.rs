//! Signed provenance on a library: its trust file, changing it, who signed
//! a commit, and checking the signatures of the whole history. The keys and
//! signatures are [`crate::signing`]; the trust file's format is
//! [`crate::trust`]; pulls check new commits in `federation::signatures`.

use gix::objs::tree::EntryKind;
use ssh_key::PublicKey;
use wenku_model::Region;

use crate::ObjectId;
use crate::federation::signatures::{self, FirstTrust};
use crate::federation::{PullError, SignatureProblem};
use crate::git::{self, Context, GitError};
use crate::identity::Identity;
use crate::library::Library;
use crate::object_id::Ours;
use crate::read::ReadError;
use crate::signing::{CommitSignature, commit_signature, same_key};
use crate::transaction::{self, CommitError, Swap};
use crate::trust::{self, Trust, TrustError};

/// A change of the trust file.
#[derive(Clone, Debug)]
pub enum TrustChange {
    /// Let `key` sign for `regions` (and what lies inside them).
    Grant {
        /// The key.
        key: PublicKey,
        /// Regions inside the trust root.
        regions: Vec<Region>,
    },
    /// Let `key` sign nothing any more.
    Revoke {
        /// The key.
        key: PublicKey,
    },
}

/// What a trust change did (or, dry, would do).
#[derive(Clone, Debug)]
pub struct TrustChanged {
    /// The new commit; `None` when nothing changed or on a dry run.
    pub commit: Option<ObjectId>,
    /// The trust file after the change.
    pub trust: Trust,
    /// Whether the file changes.
    pub changed: bool,
}

/// Why a trust change was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustOpError {
    /// Only the trust root's node changes the trust file.
    #[error(
        "node {node} does not keep the trust file: its trust root is {root}, whose node changes it (this node takes it from its parent)"
    )]
    NotRoot {
        /// This node.
        node: Region,
        /// Its trust root.
        root: Region,
    },
    /// The library has no key to sign the change with.
    #[error("no node key: a trust change is signed by the trust root's key (`wenku key generate`)")]
    NoKey,
    /// This node's key may not change the trust file.
    #[error(
        "this node's key {key} does not sign for the trust root {root} in the current trust file"
    )]
    NotAuthorised {
        /// The key's fingerprint.
        key: String,
        /// The trust root.
        root: Region,
    },
    /// The change makes no sense.
    #[error("{0}")]
    Invalid(String),
    /// The trust file in the library does not parse.
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// Another writer moved `main`.
    #[error("conflict: main moved while the trust file was being changed; run the command again")]
    Conflict,
    /// Writing failed.
    #[error(transparent)]
    Commit(#[from] CommitError),
    /// Reading failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// git failed.
    #[error(transparent)]
    Git(#[from] GitError),
}

/// Who signed a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signer {
    /// Not signed.
    Unsigned,
    /// A signature that does not check out, and why.
    Bad(String),
    /// A good signature.
    Key {
        /// The key's SHA-256 fingerprint.
        fingerprint: String,
        /// The comment of the key's line in the trust file (empty when it
        /// has none or the file does not list the key).
        comment: String,
        /// The regions the trust file lets it sign for (empty: unknown).
        regions: Vec<Region>,
        /// Whether the key is revoked.
        revoked: bool,
    },
}

/// The result of checking every commit's signature.
#[derive(Clone, Debug)]
pub struct SignatureReport {
    /// The head checked.
    pub head: ObjectId,
    /// Commits checked.
    pub commits: usize,
    /// Of which signed with a good signature.
    pub signed: usize,
    /// The trust file the history was judged by (the one at the head).
    pub trust: Option<Trust>,
    /// Whether a root key is pinned.
    pub pinned: bool,
    /// Why nothing could be judged, when nothing could.
    pub reason: Option<String>,
    /// What does not check out.
    pub problems: Vec<SignatureProblem>,
}

impl SignatureReport {
    /// Whether every commit checks out.
    pub fn is_clean(&self) -> bool {
        self.reason.is_none() && self.problems.is_empty()
    }
}

fn pull_to_read(e: PullError) -> TrustOpError {
    match e {
        PullError::Read(e) => TrustOpError::Read(e),
        PullError::Git(e) => TrustOpError::Git(e),
        other => TrustOpError::Invalid(other.to_string()),
    }
}

impl Library {
    /// The trust file at `main`, if the library has one.
    pub fn trust(&self) -> Result<Option<Trust>, TrustOpError> {
        let repo = self.repo();
        let tree = git::commit_tree(&repo, self.head()?)?;
        let root = trust::root_of(self.authority().node());
        Ok(trust::at_tree(&repo, tree, root)?.transpose()?)
    }

    /// The root key pinned for this library, if any.
    pub fn pinned_root(&self) -> Result<Option<PublicKey>, TrustError> {
        trust::pinned(self.git_dir())
    }

    /// Pins `key` as this library's trust root key: the first trust file a
    /// pull brings must be signed by it.
    pub fn pin_root(&self, key: &PublicKey) -> std::io::Result<()> {
        trust::pin(self.git_dir(), key)
    }

    /// Changes the trust file in a commit of its own, signed by this
    /// node's key; only the trust root's node may, with a key the current
    /// file lets sign for the root (or the pinned root key). A library
    /// without a trust file yet (made before it had a key) starts one with
    /// the signing key for the root: pin that key first
    /// ([`Library::pin_root`]). With `dry`, computes the new file and
    /// writes nothing.
    pub fn change_trust(
        &self,
        identity: &Identity,
        change: &TrustChange,
        dry: bool,
    ) -> Result<TrustChanged, TrustOpError> {
        let node = self.authority().node();
        let root = trust::root_of(node);
        if root != node {
            return Err(TrustOpError::NotRoot { node, root });
        }
        let key = self.key().ok_or(TrustOpError::NoKey)?;
        let mut repo = self.repo();
        let base = self.head()?;
        let base_tree = git::commit_tree(&repo, base)?;
        let current = trust::at_tree(&repo, base_tree, root)?.transpose()?;
        let pinned = self.pinned_root()?;
        let authorised = current
            .as_ref()
            .is_some_and(|t| t.covers(key.public(), &root))
            || pinned.as_ref().is_some_and(|p| same_key(p, key.public()));
        if !authorised {
            return Err(TrustOpError::NotAuthorised {
                key: key.fingerprint(),
                root,
            });
        }
        let mut next = current.clone().unwrap_or_default();
        // A library made before it had a key starts its trust file here:
        // with the key that signs it, for the root, so that the next
        // change is judged by the file and not only by the pinned key.
        if current.is_none() {
            next.grant(key.public().clone(), &[root]);
        }
        let changed = match change {
            TrustChange::Grant {
                key: granted,
                regions,
            } => {
                if regions.is_empty() {
                    return Err(TrustOpError::Invalid("name at least one region".into()));
                }
                // Inside the root, or another trust root (a province, the
                // national level) whose documents arrive by pulls.
                if let Some(r) = regions
                    .iter()
                    .find(|r| !root.contains(r) && trust::root_of(**r) != **r)
                {
                    return Err(TrustOpError::Invalid(format!(
                        "region {r} lies outside the trust root {root}; outside it, only other trust roots (provinces, 100000) can be granted"
                    )));
                }
                if next.is_revoked(granted) {
                    return Err(TrustOpError::Invalid(
                        "that key is revoked; a revoked key is never trusted again (generate a new one)"
                            .into(),
                    ));
                }
                let before = next.regions_of(granted);
                next.grant(granted.clone(), regions);
                next.regions_of(granted) != before
            }
            TrustChange::Revoke { key: revoked } => {
                if same_key(revoked, key.public()) {
                    return Err(TrustOpError::Invalid(
                        "this node's own key signs the change and cannot revoke itself: grant the new key, sign with it, then revoke the old one"
                            .into(),
                    ));
                }
                if next.regions_of(revoked).is_empty() && !next.is_revoked(revoked) {
                    return Err(TrustOpError::Invalid(
                        "that key is not in the trust file".into(),
                    ));
                }
                next.revoke(revoked.clone())
            }
        };
        if changed {
            next.serial = current.as_ref().map_or(1, |t| t.serial + 1);
        }
        if dry || !changed {
            return Ok(TrustChanged {
                commit: None,
                trust: next,
                changed,
            });
        }
        let (allowed, revoked) = next.encode();
        repo.object_cache_size_if_unset(1024 * 1024);
        let mut editor = repo
            .edit_tree(base_tree.to_gix())
            .ctx(|| format!("editing tree {base_tree}"))?
            .detach();
        for (name, text) in [
            (trust::ALLOWED_FILE, allowed),
            (trust::REVOKED_FILE, revoked),
        ] {
            let id = repo
                .write_blob(text.as_bytes())
                .ctx(|| format!("writing {}/{name}", trust::dir_of(root)))?
                .detach();
            editor
                .upsert([trust::dir_of(root).as_str(), name], EntryKind::Blob, id)
                .ctx(|| format!("placing {}/{name}", trust::dir_of(root)))?;
        }
        let tree = editor
            .write(|t| repo.write_object(t).map(|id| id.detach()))
            .ctx(|| "writing the tree".to_string())?;
        let time = self.clock.now();
        let signature = identity.signature(time);
        let what = match change {
            TrustChange::Grant { key, regions } => format!(
                "grant {} to {}",
                regions
                    .iter()
                    .map(Region::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                key.fingerprint(ssh_key::HashAlg::Sha256)
            ),
            TrustChange::Revoke { key } => {
                format!("revoke {}", key.fingerprint(ssh_key::HashAlg::Sha256))
            }
        };
        let mut commit = gix::objs::Commit {
            tree,
            parents: [base.to_gix()].into_iter().collect(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: format!(
                "trust: {what} (serial {})\n\nWenku-Op: trust\nWenku-Node: {node}\n",
                next.serial
            )
            .into(),
            extra_headers: Vec::new(),
        };
        key.sign_commit(&mut commit)
            .map_err(|e| GitError::new("signing the commit", e))?;
        let id = repo
            .write_object(&commit)
            .ctx(|| "writing the commit".to_string())?
            .ours();
        match transaction::swap_main(&repo, Some(base), id, "wenku: trust", identity, time)? {
            Swap::Lost => Err(TrustOpError::Conflict),
            Swap::Done => {
                self.index_follows_main();
                Ok(TrustChanged {
                    commit: Some(id),
                    trust: next,
                    changed: true,
                })
            }
        }
    }

    /// Who signed `commit`, judged by the trust file at `main`.
    pub fn signer(&self, commit: ObjectId) -> Result<Signer, TrustOpError> {
        let repo = self.repo();
        let trust = self.trust()?;
        Ok(match commit_signature(&repo, commit)? {
            CommitSignature::Unsigned => Signer::Unsigned,
            CommitSignature::Bad(why) => Signer::Bad(why),
            CommitSignature::Good(key) => Signer::Key {
                fingerprint: key.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
                comment: trust
                    .as_ref()
                    .and_then(|t| t.signers.iter().find(|s| same_key(&s.key, &key)))
                    .map(|s| s.key.comment().to_string())
                    .unwrap_or_default(),
                regions: trust
                    .as_ref()
                    .map(|t| t.regions_of(&key))
                    .unwrap_or_default(),
                revoked: trust.as_ref().is_some_and(|t| t.is_revoked(&key)),
            },
        })
    }

    /// Checks the signature of every commit reachable from `main` against
    /// the trust file at `main` (and the pinned root key), as a pull checks
    /// a peer's new commits: signed, by a listed and unrevoked key whose
    /// regions cover what the commit changes; trust-file changes by the
    /// trust root's key in the file before them.
    pub fn verify_signatures(&self) -> Result<SignatureReport, TrustOpError> {
        let repo = self.repo();
        let head = self.head()?;
        let anchor = signatures::anchor(self).map_err(pull_to_read)?;
        let Some(anchor) = anchor else {
            return Ok(SignatureReport {
                head,
                commits: 0,
                signed: 0,
                trust: None,
                pinned: false,
                reason: Some(
                    "the library has no trust file and no pinned root key: there is nothing to check signatures against"
                        .into(),
                ),
                problems: Vec::new(),
            });
        };
        let walk = repo
            .rev_walk([head.to_gix()])
            .all()
            .ctx(|| format!("walking the history of {head}"))?;
        let mut commits = Vec::new();
        for info in walk {
            commits.push(
                info.ctx(|| format!("walking the history of {head}"))?
                    .id
                    .ours(),
            );
        }
        let checked = signatures::check(
            &repo,
            head,
            &commits,
            &anchor,
            false,
            FirstTrust::SelfSigned,
        )?;
        Ok(SignatureReport {
            head,
            commits: commits.len(),
            signed: checked.good,
            trust: Some(checked.trust),
            pinned: anchor.pinned.is_some(),
            reason: None,
            problems: checked.problems,
        })
    }
}
