//! Changing the regions a node hosts (townships without a node of their
//! own), as a recorded change of `library.xml`.

use gix::objs::tree::EntryKind;
use wenku_model::Region;

use crate::ObjectId;
use crate::authority::{Authority, AuthorityError};
use crate::git::{self, Context, GitError};
use crate::identity::Identity;
use crate::layout;
use crate::library::Library;
use crate::metadata::LibraryMeta;
use crate::object_id::Ours;
use crate::read::ReadError;
use crate::transaction::{self, CommitError, Swap};

/// Why the hosted regions could not be changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostingError {
    /// The new list does not fit the node.
    #[error(transparent)]
    Authority(#[from] AuthorityError),
    /// A region given up still holds works.
    #[error(
        "region {region} holds {works} works; giving it up would leave them outside this node's authority"
    )]
    HoldsWorks {
        /// The region.
        region: Region,
        /// How many works it holds.
        works: usize,
    },
    /// A region taken on is a child node's.
    #[error(
        "region {region} comes from child node {child} by pulls; a region has one authoritative node"
    )]
    ChildsRegion {
        /// The region.
        region: Region,
        /// The child node it lies in.
        child: Region,
    },
    /// Another writer moved `main`.
    #[error("conflict: main moved meanwhile; run the command again")]
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

/// What a change of the hosted regions did (or, dry, would do).
#[derive(Clone, Debug)]
pub struct HostingChanged {
    /// The authority before.
    pub before: Authority,
    /// The authority after.
    pub after: Authority,
    /// The commit; `None` when nothing changed or on a dry run.
    pub commit: Option<ObjectId>,
}

impl Library {
    /// Sets the regions this node hosts to `hosted`, in a commit of its own
    /// that rewrites `library.xml` (`Wenku-Op: hosts`). Refuses giving up a
    /// region that holds works, and taking on one a child node the library
    /// pulls from is authoritative for. With `dry`, writes nothing.
    pub fn set_hosted(
        &self,
        identity: &Identity,
        hosted: &[Region],
        dry: bool,
    ) -> Result<HostingChanged, HostingError> {
        let repo = self.repo();
        let base = self.head()?;
        let base_tree = git::commit_tree(&repo, base)?;
        let meta = self.meta_cache.get(&repo, base, base_tree)?;
        let before = meta.authority.clone();
        let node = before.node();
        let after = Authority::new(node, hosted.iter().copied())?;
        let snapshot = self.snapshot_at(base)?;
        for region in before.hosted() {
            if after.covers(region) {
                continue;
            }
            let works = snapshot
                .works(&wenku_model::query::Filter::all().region(*region))?
                .into_iter()
                .filter(|w| w.region() == *region)
                .count();
            if works > 0 {
                return Err(HostingError::HoldsWorks {
                    region: *region,
                    works,
                });
            }
        }
        for region in after.hosted() {
            if before.covers(region) {
                continue;
            }
            for peer in self.peers()? {
                if peer.accepted.is_some() && peer.region != node && peer.region.contains(region) {
                    return Err(HostingError::ChildsRegion {
                        region: *region,
                        child: peer.region,
                    });
                }
            }
        }
        if before == after || dry {
            return Ok(HostingChanged {
                before,
                after,
                commit: None,
            });
        }
        let bytes = LibraryMeta {
            format: meta.format,
            authority: after.clone(),
        }
        .encode();
        let blob = repo
            .write_blob(&bytes)
            .ctx(|| "writing library.xml".to_string())?
            .detach();
        let mut editor = repo
            .edit_tree(base_tree.to_gix())
            .ctx(|| format!("editing tree {base_tree}"))?
            .detach();
        editor
            .upsert([layout::META_FILE], EntryKind::Blob, blob)
            .ctx(|| "placing library.xml".to_string())?;
        let tree = editor
            .write(|t| repo.write_object(t).map(|id| id.detach()))
            .ctx(|| "writing the tree".to_string())?;
        let time = self.clock.now();
        let signature = identity.signature(time);
        let list = |a: &Authority| {
            let h: Vec<String> = a.hosted().iter().map(Region::to_string).collect();
            if h.is_empty() {
                "none".to_string()
            } else {
                h.join(", ")
            }
        };
        let mut commit = gix::objs::Commit {
            tree,
            parents: [base.to_gix()].into_iter().collect(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: format!(
                "hosts {node}: {} (was {})\n\nWenku-Op: hosts\nWenku-Node: {node}\n",
                list(&after),
                list(&before)
            )
            .into(),
            extra_headers: Vec::new(),
        };
        if let Some(key) = self.key() {
            key.sign_commit(&mut commit)
                .map_err(|e| GitError::new("signing the commit", e))?;
        }
        let id = repo
            .write_object(&commit)
            .ctx(|| "writing the commit".to_string())?
            .ours();
        match transaction::swap_main(&repo, Some(base), id, "wenku: hosts", identity, time)? {
            Swap::Lost => Err(HostingError::Conflict),
            Swap::Done => {
                self.index_follows_main();
                Ok(HostingChanged {
                    before,
                    after,
                    commit: Some(id),
                })
            }
        }
    }
}
