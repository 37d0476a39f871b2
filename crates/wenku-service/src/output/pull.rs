//! `pull`: what came in, or why the peer's head was refused.

use std::time::Duration;

use serde::Serialize;
use wenku_store::federation::{Peer, PullError};

use super::verify::Problem;

/// A pull that went through (`$defs/pull_report`): `status` (`pulled`
/// when main moved, else `unchanged`), the `peer`, the `url` as given,
/// heads before and after, the `merge` commit (null when none), counts,
/// the works added, changed and removed per region, and `timings_ms`
/// (milliseconds, three decimals).
#[derive(Debug, Serialize)]
pub struct PullReport<'a> {
    status: &'static str,
    peer: PeerJson,
    url: &'a str,
    peer_head: String,
    previous_peer_head: Option<String>,
    old_main: String,
    new_main: String,
    merge: Option<String>,
    new_commits: usize,
    fetch: Fetch,
    regions: Vec<Region>,
    attempts: u32,
    signatures: super::PullSignatures<'a>,
    timings_ms: TimingsMs,
}

#[derive(Debug, Serialize)]
struct PeerJson {
    direction: &'static str,
    region: String,
}

impl PeerJson {
    fn new(peer: Peer) -> PeerJson {
        PeerJson {
            direction: peer.direction(),
            region: peer.region().to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Fetch {
    objects: u32,
    pack_bytes: u64,
}

#[derive(Debug, Serialize)]
struct Region {
    region: String,
    added: Vec<String>,
    changed: Vec<String>,
    removed: Vec<String>,
}

#[derive(Debug, Serialize)]
struct TimingsMs {
    fetch: f64,
    check: f64,
    merge: f64,
    total: f64,
}

/// Milliseconds with three decimals.
fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn ids(works: &[wenku_model::WorkId]) -> Vec<String> {
    works.iter().map(|w| w.to_string()).collect()
}

impl<'a> PullReport<'a> {
    /// The JSON form of `r`.
    pub fn new(r: &'a wenku_store::federation::PullReport) -> PullReport<'a> {
        PullReport {
            status: if r.changed() { "pulled" } else { "unchanged" },
            peer: PeerJson::new(r.peer),
            url: &r.url,
            peer_head: r.peer_head.to_string(),
            previous_peer_head: r.previous_peer_head.map(|h| h.to_string()),
            old_main: r.old_main.to_string(),
            new_main: r.new_main.to_string(),
            merge: r.merge.map(|m| m.to_string()),
            new_commits: r.new_commits,
            fetch: Fetch {
                objects: r.fetch.objects,
                pack_bytes: r.fetch.pack_bytes,
            },
            regions: r
                .regions
                .iter()
                .map(|c| Region {
                    region: c.region.to_string(),
                    added: ids(&c.added),
                    changed: ids(&c.changed),
                    removed: ids(&c.removed),
                })
                .collect(),
            attempts: r.attempts,
            signatures: super::PullSignatures::new(&r.signatures),
            timings_ms: TimingsMs {
                fetch: ms(r.timings.fetch),
                check: ms(r.timings.check),
                merge: ms(r.timings.merge),
                total: ms(r.timings.total),
            },
        }
    }
}

/// A pull that did not go through (`$defs/pull_error`): `status`
/// (`refused` when the peer's head was checked and quarantined, else
/// `failed`), the `error` kind, the `message`, the `offered` head and the
/// `quarantine` repository (null when none), and what the refusal names: the
/// `commits` and `paths` outside the peer's authority, the content
/// `problems`, the malformed `objects`, or the `accepted` head a rewritten
/// history does not descend from.
#[derive(Debug, Serialize)]
pub struct PullFailure<'a> {
    status: &'static str,
    error: &'static str,
    message: String,
    offered: Option<String>,
    quarantine: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commits: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paths: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problems: Option<Vec<Problem<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    objects: Option<Vec<Object<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signatures: Option<Vec<super::SignatureProblemJson<'a>>>,
}

#[derive(Debug, Serialize)]
struct Object<'a> {
    id: String,
    kind: &'static str,
    path: &'a str,
    problem: &'a str,
}

impl<'a> PullFailure<'a> {
    /// The JSON form of `e`.
    pub fn new(e: &'a PullError) -> PullFailure<'a> {
        let mut out = PullFailure {
            status: if e.is_refusal() { "refused" } else { "failed" },
            error: e.kind(),
            message: e.to_string(),
            offered: e.offered().map(|h| h.to_string()),
            quarantine: e.quarantine(),
            commits: None,
            paths: None,
            problems: None,
            objects: None,
            accepted: None,
            signatures: None,
        };
        match e {
            PullError::OutsideAuthority { commits, paths, .. } => {
                out.commits = Some(commits.iter().map(|c| c.to_string()).collect());
                out.paths = Some(paths);
            }
            PullError::InvalidContent { problems, .. } => {
                out.problems = Some(Problem::list(problems));
            }
            PullError::MalformedObjects { objects, .. } => {
                out.objects = Some(
                    objects
                        .iter()
                        .map(|o| Object {
                            id: o.id.to_string(),
                            kind: o.kind,
                            path: &o.path,
                            problem: &o.problem,
                        })
                        .collect(),
                );
            }
            PullError::Signatures { problems, .. } => {
                out.signatures = Some(super::SignatureProblemJson::list(problems));
            }
            PullError::RewrittenHistory { accepted, .. } => {
                out.accepted = Some(accepted.to_string());
            }
            _ => {}
        }
        out
    }
}

/// A peer's refused head kept apart (`$defs/quarantine`): the peer's
/// `region`, the `quarantined` head (null once discarded or when none),
/// the head `accepted` before (null if none), the repository `path` it is
/// kept in, and for `quarantine discard` whether it was `discarded`.
#[derive(Debug, Serialize)]
pub struct Quarantine {
    region: String,
    quarantined: Option<String>,
    accepted: Option<String>,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    discarded: Option<bool>,
}

impl Quarantine {
    /// The JSON form of a peer's quarantine.
    pub fn new(
        region: wenku_model::Region,
        quarantined: Option<wenku_store::ObjectId>,
        accepted: Option<wenku_store::ObjectId>,
        path: &std::path::Path,
        discarded: Option<bool>,
    ) -> Quarantine {
        Quarantine {
            region: region.to_string(),
            quarantined: quarantined.map(|h| h.to_string()),
            accepted: accepted.map(|h| h.to_string()),
            path: path.display().to_string(),
            discarded,
        }
    }
}
