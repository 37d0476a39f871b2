//! The git history of one work: which commits changed its directory, who
//! made them, when, and what they did.
//!
//! The walk follows git's default history simplification for a path: at a
//! merge whose result equals one parent at the work's directory, only that
//! parent is followed, so a work that arrived through a federation merge
//! shows the commits of the node that wrote it, with their authors.

use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::ObjectId;
use crate::object_id::Ours;
use wenku_model::{RevisionId, WorkId};

use crate::clock::Timestamp;
use crate::git::{self, Context};
use crate::layout;
use crate::library::Library;
use crate::message::{self, Trailers};
use crate::read::ReadError;

/// Who signed a commit, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// When.
    pub time: Timestamp,
}

/// One commit that changed a work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The commit.
    pub commit: ObjectId,
    /// Its author.
    pub author: Person,
    /// Its committer.
    pub committer: Person,
    /// The message's first line.
    pub subject: String,
    /// The `Wenku-Op` trailer (`publish`, `add-version`, `batch` …);
    /// `None` for commits not made by wenku.
    pub op: Option<String>,
    /// The `Wenku-Node` trailer: the node that made the commit.
    pub node: Option<String>,
    /// Version files this commit added to the work.
    pub added_versions: Vec<RevisionId>,
    /// Whether the commit changed the work's record.
    pub record_changed: bool,
    /// Its signature ([`crate::signing`]).
    pub signature: crate::signing::CommitSignature,
    /// For a good signature, the regions the trust file at `main` lets its
    /// key sign for (`None` without a trust file; empty for a key it does
    /// not list or has revoked).
    pub signer_regions: Option<Vec<wenku_model::Region>>,
    /// For a publication after review ([`Library::submit_draft`](crate::Library::submit_draft)): the reviewer
    /// (`name <email>`) and the review's note, from the trailers.
    pub review: Option<(String, String)>,
}

impl Library {
    /// The commits that changed `work`'s directory, newest first. Empty if
    /// the work never existed.
    pub fn history(&self, work: &WorkId) -> Result<Vec<HistoryEntry>, ReadError> {
        let head = self.head()?;
        let mut repo = self.repo();
        repo.object_cache_size_if_unset(16 * 1024 * 1024);
        let _span = tracing::debug_span!("history", %work).entered();
        let mut entries = history_from(&repo, head, work)?;
        let signed = entries
            .iter()
            .any(|e| matches!(e.signature, crate::signing::CommitSignature::Good(_)));
        if signed {
            let tree = git::commit_tree(&repo, head)?;
            let root = crate::trust::root_of(self.authority().node());
            if let Some(Ok(trust)) = crate::trust::at_tree(&repo, tree, root)? {
                for e in &mut entries {
                    if let crate::signing::CommitSignature::Good(key) = &e.signature {
                        e.signer_regions = Some(if trust.is_revoked(key) {
                            Vec::new()
                        } else {
                            trust.regions_of(key)
                        });
                    }
                }
            }
        }
        Ok(entries)
    }
}

struct CommitInfo {
    tree: ObjectId,
    parents: Vec<ObjectId>,
    time: i64,
}

/// The history of `work` reachable from `head`.
pub(crate) fn history_from(
    repo: &gix::Repository,
    head: ObjectId,
    work: &WorkId,
) -> Result<Vec<HistoryEntry>, ReadError> {
    let dir = layout::work_dir(work);
    let mut infos: HashMap<ObjectId, CommitInfo> = HashMap::new();
    let mut entries: HashMap<ObjectId, Option<ObjectId>> = HashMap::new();
    let info = |id: ObjectId, infos: &mut HashMap<ObjectId, CommitInfo>| -> Result<(), ReadError> {
        if infos.contains_key(&id) {
            return Ok(());
        }
        let c = git::retrying(|| repo.find_commit(id.to_gix()))
            .ctx(|| format!("reading commit {id}"))?;
        let tree = c
            .tree_id()
            .ctx(|| format!("reading the tree of {id}"))?
            .ours();
        let parents = c.parent_ids().map(|p| p.ours()).collect();
        let time = c
            .time()
            .ctx(|| format!("reading the time of {id}"))?
            .seconds;
        infos.insert(
            id,
            CommitInfo {
                tree,
                parents,
                time,
            },
        );
        Ok(())
    };
    let mut entry = |id: ObjectId, tree: ObjectId| -> Result<Option<ObjectId>, ReadError> {
        if let Some(e) = entries.get(&id) {
            return Ok(*e);
        }
        let e = git::entry_at(repo, tree, &dir)?.map(|(oid, _)| oid);
        entries.insert(id, e);
        Ok(e)
    };

    let mut out = Vec::new();
    let mut queue = BinaryHeap::new();
    let mut seen = HashSet::new();
    info(head, &mut infos)?;
    queue.push((infos[&head].time, head));
    seen.insert(head);
    while let Some((_, id)) = queue.pop() {
        let (tree, parents) = {
            let i = &infos[&id];
            (i.tree, i.parents.clone())
        };
        let here = entry(id, tree)?;
        let mut parent_entries = Vec::with_capacity(parents.len());
        for p in &parents {
            info(*p, &mut infos)?;
            let pt = infos[p].tree;
            parent_entries.push(entry(*p, pt)?);
        }
        let same = parent_entries.iter().position(|pe| *pe == here);
        let follow: Vec<ObjectId> = match same {
            Some(i) => vec![parents[i]],
            None => parents.clone(),
        };
        let interesting = same.is_none() && (here.is_some() || !parents.is_empty());
        if interesting {
            let before = parent_entries.first().copied().flatten();
            out.push(describe(repo, id, here, before)?);
        }
        for p in follow {
            if seen.insert(p) {
                queue.push((infos[&p].time, p));
            }
        }
    }
    Ok(out)
}

fn describe(
    repo: &gix::Repository,
    id: ObjectId,
    here: Option<ObjectId>,
    before: Option<ObjectId>,
) -> Result<HistoryEntry, ReadError> {
    let c =
        git::retrying(|| repo.find_commit(id.to_gix())).ctx(|| format!("reading commit {id}"))?;
    let signature = crate::signing::CommitSignature::of(&c.data);
    let decoded = c.decode().ctx(|| format!("decoding commit {id}"))?;
    let (author, committer) = signatures(&decoded, id)?;
    let text = String::from_utf8_lossy(decoded.message).into_owned();
    let trailers = Trailers::parse(&text);
    let files = |tree: Option<ObjectId>| -> Result<HashMap<String, ObjectId>, ReadError> {
        Ok(match tree {
            None => HashMap::new(),
            Some(t) => git::tree_entries(repo, t, "work directory")?
                .into_iter()
                .map(|e| (e.name, e.id))
                .collect(),
        })
    };
    let now = files(here)?;
    let then = files(before)?;
    let mut added_versions: Vec<RevisionId> = now
        .keys()
        .filter(|n| !then.contains_key(*n))
        .filter_map(|n| n.strip_suffix(layout::VERSION_SUFFIX))
        .filter_map(|hex| RevisionId::parse(hex).ok())
        .collect();
    added_versions.sort();
    Ok(HistoryEntry {
        commit: id,
        author,
        committer,
        subject: message::subject(&text).to_string(),
        op: trailers.op,
        node: trailers.node,
        added_versions,
        record_changed: now.get(layout::RECORD_FILE) != then.get(layout::RECORD_FILE),
        signature,
        signer_regions: None,
        review: match (trailers.review.as_deref(), trailers.reviewer) {
            (Some("approved"), Some(reviewer)) => {
                Some((reviewer, trailers.review_note.unwrap_or_default()))
            }
            _ => None,
        },
    })
}

/// The author and committer of a decoded commit.
pub(crate) fn signatures(
    decoded: &gix::objs::CommitRef<'_>,
    id: ObjectId,
) -> Result<(Person, Person), ReadError> {
    let person = |s: gix::actor::SignatureRef<'_>| -> Result<Person, ReadError> {
        let time = s
            .time()
            .ctx(|| format!("reading a signature time in {id}"))?;
        Ok(Person {
            name: s.name.to_string(),
            email: s.email.to_string(),
            time: Timestamp::from_git(time),
        })
    };
    let author = person(
        decoded
            .author()
            .ctx(|| format!("reading the author of {id}"))?,
    )?;
    let committer = person(
        decoded
            .committer()
            .ctx(|| format!("reading the committer of {id}"))?,
    )?;
    Ok((author, committer))
}
