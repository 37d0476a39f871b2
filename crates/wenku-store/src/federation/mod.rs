//! Federation: pulling another node's library into this one.
//!
//! Nodes form the administrative hierarchy: township and county libraries
//! feed their city's, cities feed the province, and what a province
//! publishes reaches every level. Pulling is the only way data moves
//! between nodes; a node never writes into another. [`Library::pull`] takes
//! a `source` (a path, `file://`, `git://` or smart `http(s)://` URL of the
//! peer's library, or of any git host holding a copy of it) and the
//! [`Peer`] it is: a [`Peer::Child`] authoritative for a region inside ours
//! (pulling **up**), or our [`Peer::Parent`] (pulling **down**).
//!
//! # What a pull does
//!
//! 1. **Fetch** (gix) the peer's `refs/heads/main` into
//!    `refs/wenku/incoming/<region>`. Every fetch runs on its own thread
//!    under a time limit ([`PullOptions::timeout`]): at the limit the
//!    interrupt flag gix polls is set, and if the transport is blocked in a
//!    read that never returns, the pull gives up on the thread and reports
//!    [`PullError::Timeout`] (gix can otherwise loop forever re-sending
//!    requests to an HTTP server that drops the `Git-Protocol` header, or
//!    wait forever on a silent peer). Received packs are made read-only
//!    (0444, as git makes them) so that a `git http-backend` running as
//!    another user can serve them on. `file://` sources need `git` on
//!    `PATH`: gix runs `git-upload-pack`.
//! 2. **Check** the peer's new head, refusing it with a typed error and
//!    nothing else changed when:
//!    - it does not descend from the head accepted last time
//!      (`refs/wenku/nodes/<region>`): the peer rewrote its history
//!      ([`PullError::RewrittenHistory`]);
//!    - its `library.xml` does not name the peer's region
//!      ([`PullError::WrongLibrary`]: a wrong URL or a wrong `--child`);
//!    - one of its new commits changes something outside the peer's
//!      authority ([`PullError::OutsideAuthority`], with the paths);
//!    - an object it brings is malformed ([`PullError::MalformedObjects`]):
//!      every new commit and every tree it reaches that its parents do not
//!      have at the same path is parsed from its raw bytes and refused
//!      where `git fsck --strict` would refuse it (duplicate or unsorted
//!      entries, zero-padded or unknown modes, empty, `.`, `..`, `.git` or
//!      slashed names, malformed commit headers), when trees nest deeper
//!      than [`MAX_DEPTH`], or when the head is not a commit. Nothing of
//!      the peer's is walked by recursion;
//!    - a work it brings does not verify — a record that does not parse, a
//!      version file whose bytes do not hash to its name, anything
//!      [`Library::verify_at`] reports ([`PullError::InvalidContent`]).
//!
//!    Every check reads through the fetch's own repository (see `fetch`),
//!    so nothing of a refused head enters the library's objects: the
//!    fetch's repository is kept instead as the peer's quarantine,
//!    [`quarantine_dir`] (`<git-dir>/wenku/quarantine/<region>`, replacing
//!    the one before; `git --git-dir <it> log` shows the refused head, and
//!    `refs/wenku/nodes/<region>..main` what it adds), and removed by the
//!    next accepted pull. A peer that offers refused history again and
//!    again never makes the library grow.
//! 3. **Merge**: a commit whose tree is ours with the peer's region
//!    subtrees put in place of ours, and whose second parent is the peer's
//!    head, so the peer's commits, authors and times stay in our history.
//! 4. **Move `main`** by compare-and-swap, in one place (`merge::advance`);
//!    a local commit that won the race is kept: the pull merges again on
//!    the new head.
//! 5. **Record** the accepted head as `refs/wenku/nodes/<region>`.
//!
//! # Which regions come from whom
//!
//! Each top-level region directory comes from the one node authoritative
//! for it, so a pull replaces whole region directories and never merges
//! text:
//!
//! - **Up**, from a child authoritative for `C`: every region directory
//!   that `C` contains (`C` itself and every code inside it: `370200` owns
//!   `370283` and `370283001`, which the city has from its own children),
//!   except regions our own authority covers.
//! - **Down**, from the parent: every region directory not inside our own
//!   region. Our region's descendants come from our children, so the
//!   parent's (possibly older) copy of them never overwrites ours.
//! - `library.xml` is always ours, and our own regions are never touched.
//!
//! A region the peer no longer has is removed from ours (the peer is
//! authoritative for it); the report lists removed works.
//!
//! # Authority of the peer's commits
//!
//! The commits checked are those reachable from the peer's new head and not
//! from our `main` or any head accepted before (`refs/wenku/nodes/*`), which
//! were checked when they arrived. For each such commit, every top-level
//! entry that differs from its first parent must be:
//!
//! - `library.xml` (the peer's own metadata, never taken), or
//! - a region in the peer's scope (the regions a pull from it takes), or
//! - identical to the same entry of another parent: a merge the peer made
//!   when it pulled from its own parent or children, which takes region
//!   directories verbatim. A merge that brings an entry found in none of
//!   its parents ("evil merge"), and any ordinary commit outside the
//!   scope, is a violation.
//!
//! # Signatures of the peer's commits
//!
//! Then every new commit's signature is checked against the trust file
//! (see [`crate::trust`] and `signatures.rs`): signed, the signature good,
//! the key listed and not revoked, and its regions covering every entry the
//! commit itself brings (what a merge takes verbatim from a parent is
//! judged at that parent). A change of our trust root's file
//! (`trust-<root>/`) must be signed by a key of
//! the trust root in the file before it, or by the pinned root key. A
//! parent pull of a node that is not its own trust root takes that file from
//! the parent, judging the commits by the parent's file once every change
//! to it checks out and its serial is newer than ours. Problems refuse the
//! head ([`PullError::Signatures`]) unless [`PullOptions::signatures`] says
//! to warn; a node with neither a trust file nor a pinned root key cannot
//! judge signatures, and [`PullReport::signatures`] says so.
//!
//! # Verifying what comes in
//!
//! Everything in our tree was verified when it arrived (or written by us),
//! so only the work directories in the taken regions whose tree ids differ
//! from ours are checked — fully, as [`Library::verify_at`] checks them —
//! and a pull's verification costs what it brings in, not the size of the
//! peer's library. Relation targets are looked up in the peer's tree.
//!
//! # Idempotent, restart-safe, concurrent
//!
//! Pulling a head that changes nothing in our tree makes no commit (no
//! empty merges); pulling the same head twice changes nothing. A pull
//! killed at any point leaves `main` at the old head or at the complete
//! merge, never between: objects are written before `main` moves, and the
//! accepted head is recorded after. One pull per peer runs at a time (an
//! `flock` in `<git-dir>/wenku/pull-<region>.lock`, dropped by the kernel
//! when a process dies, which lets the next pull remove ref locks a killed
//! pull left); pulls of different peers and local commits run side by side.
//!
//! # After a pull
//!
//! `main` moves in exactly one place (`merge::advance`, called from
//! [`Library::pull`]); an existing index follows it inside
//! [`Library::pull`], as after a commit, before the report is returned.

mod check;
mod fetch;
mod merge;
mod objects;
pub(crate) mod signatures;
mod transport;

pub use fetch::quarantine_dir;
pub use objects::{MAX_DEPTH, MalformedObject};
pub use signatures::{SignatureMode, SignatureProblem, SignatureProblemKind, SignatureSummary};
pub use transport::ADVERTISEMENT_LIMIT;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::ObjectId;
use gix::refs::transaction::PreviousValue;
use wenku_model::{Region, WorkId};

use crate::authority::Authority;
use crate::git::{self, GitError};
use crate::identity::Identity;
use crate::library::Library;
use crate::lock::LockError;
use crate::metadata::MetaError;
use crate::read::ReadError;
use crate::transaction::CommitError;
use crate::verify::Problem;

/// Where the head accepted from each peer is kept: `refs/wenku/nodes/<region>`.
pub const NODES_PREFIX: &str = "refs/wenku/nodes/";
/// Where a peer's head is fetched before it is checked.
pub const INCOMING_PREFIX: &str = "refs/wenku/incoming/";
/// Where libraries written before refused heads were kept apart (see
/// [`quarantine_dir`]) kept a refused head; read and cleared still.
pub const QUARANTINE_PREFIX: &str = "refs/wenku/quarantine/";

/// The ref of the head accepted from the peer of `region`.
pub fn node_ref(region: Region) -> String {
    format!("{NODES_PREFIX}{region}")
}

/// The ref a peer's head is fetched into.
pub fn incoming_ref(region: Region) -> String {
    format!("{INCOMING_PREFIX}{region}")
}

/// The ref under which libraries written before [`quarantine_dir`] kept a
/// refused head of the peer.
pub fn quarantine_ref(region: Region) -> String {
    format!("{QUARANTINE_PREFIX}{region}")
}

/// The node pulled from, and its place relative to this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Peer {
    /// A node authoritative for a region inside ours: its regions come up.
    Child(Region),
    /// The node above ours: everything outside our region comes down.
    Parent(Region),
}

impl Peer {
    /// The peer's region.
    pub fn region(&self) -> Region {
        match self {
            Peer::Child(r) | Peer::Parent(r) => *r,
        }
    }

    /// `"child"` or `"parent"`.
    pub fn direction(&self) -> &'static str {
        match self {
            Peer::Child(_) => "child",
            Peer::Parent(_) => "parent",
        }
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.direction(), self.region())
    }
}

/// Called after the merge commit is written and before `main` moves.
pub type BeforeSwap = Arc<dyn Fn() + Send + Sync>;

/// How a pull runs.
#[derive(Clone)]
pub struct PullOptions {
    /// The longest a fetch may take; then it is interrupted and the pull
    /// fails with [`PullError::Timeout`]. Ten minutes by default.
    pub timeout: Duration,
    /// Set by the caller (e.g. on shutdown) to interrupt the fetch; the
    /// pull then fails with [`PullError::Interrupted`]. The pull never sets
    /// it itself.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Runs after the merge commit is written and before `main` is moved
    /// (each attempt): for instrumentation, and for tests that publish
    /// locally at exactly that moment.
    pub before_swap: Option<BeforeSwap>,
    /// The largest pack a fetch may receive, in bytes; a bigger one is
    /// refused with [`PullError::PackTooLarge`] and nothing of it enters
    /// the library. 1 GiB by default.
    pub max_pack_bytes: u64,
    /// Whether an HTTP redirect to another origin (scheme, host or port)
    /// is followed; by default it is refused with
    /// [`PullError::Redirected`]. Redirects within the origin are always
    /// followed (on the first request, as git does).
    pub follow_redirects: bool,
    /// What a signature that does not check out does: refuse the head
    /// (the default) or, during a roll-out, warn.
    pub signatures: SignatureMode,
}

/// The default of [`PullOptions::max_pack_bytes`]: 1 GiB.
pub const DEFAULT_MAX_PACK_BYTES: u64 = 1 << 30;

impl Default for PullOptions {
    fn default() -> PullOptions {
        PullOptions {
            timeout: Duration::from_secs(600),
            interrupt: None,
            before_swap: None,
            max_pack_bytes: DEFAULT_MAX_PACK_BYTES,
            follow_redirects: false,
            signatures: SignatureMode::Enforce,
        }
    }
}

impl PullOptions {
    /// The defaults.
    pub fn new() -> PullOptions {
        PullOptions::default()
    }

    /// Limits each fetch to `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> PullOptions {
        self.timeout = timeout;
        self
    }

    /// Lets the caller interrupt the fetch by setting `flag`.
    pub fn interrupt(mut self, flag: Arc<AtomicBool>) -> PullOptions {
        self.interrupt = Some(flag);
        self
    }

    /// Limits the pack a fetch may receive to `bytes`.
    pub fn max_pack_bytes(mut self, bytes: u64) -> PullOptions {
        self.max_pack_bytes = bytes;
        self
    }

    /// Follows HTTP redirects to other origins (`true`) or refuses them.
    pub fn follow_redirects(mut self, follow: bool) -> PullOptions {
        self.follow_redirects = follow;
        self
    }

    /// Treats signatures that do not check out as `mode` says.
    pub fn signatures(mut self, mode: SignatureMode) -> PullOptions {
        self.signatures = mode;
        self
    }

    /// Runs `hook` after the merge commit is written and before `main`
    /// moves.
    pub fn before_swap(mut self, hook: impl Fn() + Send + Sync + 'static) -> PullOptions {
        self.before_swap = Some(Arc::new(hook));
        self
    }
}

impl fmt::Debug for PullOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PullOptions")
            .field("timeout", &self.timeout)
            .field("interrupt", &self.interrupt)
            .field("before_swap", &self.before_swap.as_ref().map(|_| "…"))
            .field("max_pack_bytes", &self.max_pack_bytes)
            .field("follow_redirects", &self.follow_redirects)
            .field("signatures", &self.signatures)
            .finish()
    }
}

/// What a pull changed in one region directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionChanges {
    /// The region.
    pub region: Region,
    /// Works that arrived, sorted.
    pub added: Vec<WorkId>,
    /// Works whose record or versions changed (a new version, a repeal, a
    /// correction…), sorted.
    pub changed: Vec<WorkId>,
    /// Works the peer no longer has, sorted. wenku never deletes a work; a
    /// removal means someone edited the peer's repository by hand.
    pub removed: Vec<WorkId>,
}

/// What the fetch received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// Objects in the received pack; 0 when nothing had to be sent.
    pub objects: u32,
    /// Size of the received pack in bytes.
    pub pack_bytes: u64,
}

/// Where a pull spent its time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    /// Fetching: connecting, negotiating, receiving and indexing the pack.
    pub fetch: Duration,
    /// Checking history, authority and the works that come in.
    pub check: Duration,
    /// Building and committing the merge and moving `main`.
    pub merge: Duration,
    /// The whole pull.
    pub total: Duration,
}

/// What a pull did. Everything `wenku pull` prints comes from here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullReport {
    /// The peer.
    pub peer: Peer,
    /// The source as given, without any password it contained.
    pub url: String,
    /// The peer's head that was fetched and accepted.
    pub peer_head: ObjectId,
    /// The head accepted from this peer before, if any.
    pub previous_peer_head: Option<ObjectId>,
    /// `main` before the pull (the head the merge was finally built on).
    pub old_main: ObjectId,
    /// `main` after the pull; equal to `old_main` when nothing changed.
    pub new_main: ObjectId,
    /// The merge commit, when one was made.
    pub merge: Option<ObjectId>,
    /// What changed, per region, sorted by region; regions with no change
    /// are left out.
    pub regions: Vec<RegionChanges>,
    /// The peer's commits checked for authority (new since the last pull).
    pub new_commits: usize,
    /// What the fetch received.
    pub fetch: FetchStats,
    /// How many times the merge was built: more than one when local commits
    /// moved `main` during the pull.
    pub attempts: u32,
    /// How the signatures of the new commits were checked.
    pub signatures: SignatureSummary,
    /// Where the time went.
    pub timings: Timings,
}

impl PullReport {
    /// Whether `main` moved.
    pub fn changed(&self) -> bool {
        self.new_main != self.old_main
    }

    /// Whether the peer had a new head (even one that changed nothing here).
    pub fn advanced(&self) -> bool {
        self.previous_peer_head != Some(self.peer_head)
    }

    /// Works added, over all regions.
    pub fn added(&self) -> usize {
        self.regions.iter().map(|r| r.added.len()).sum()
    }

    /// Works changed, over all regions.
    pub fn changed_works(&self) -> usize {
        self.regions.iter().map(|r| r.changed.len()).sum()
    }

    /// Works removed, over all regions.
    pub fn removed(&self) -> usize {
        self.regions.iter().map(|r| r.removed.len()).sum()
    }
}

/// Why a pull did not complete. `main` is unchanged in every case.
///
/// The refusals ([`PullError::is_refusal`]) keep the peer's head under
/// [`PullError::quarantine`]; [`PullError::kind`] gives a stable code per
/// variant for machine-readable output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PullError {
    /// The peer's region does not fit this node's place in the hierarchy.
    #[error("cannot pull from {peer} into node {authority}: {reason}")]
    InvalidPeer {
        /// The peer.
        peer: Peer,
        /// This node's authority.
        authority: Authority,
        /// What is wrong.
        reason: String,
    },
    /// The peer's `library.xml` does not name the peer's region.
    #[error("refused {peer} at {offered}: its library.xml {reason}; kept in {quarantine}")]
    WrongLibrary {
        /// The peer.
        peer: Peer,
        /// Its head.
        offered: ObjectId,
        /// What was found instead.
        reason: String,
        /// The repository the head is kept in ([`quarantine_dir`]).
        quarantine: String,
    },
    /// The peer's head does not descend from the head accepted before.
    #[error(
        "refused {peer} at {offered}: rewritten history — it does not descend from {accepted}, the head accepted from it before; kept in {quarantine}"
    )]
    RewrittenHistory {
        /// The peer.
        peer: Peer,
        /// The head accepted before.
        accepted: ObjectId,
        /// The head offered now.
        offered: ObjectId,
        /// The repository the head is kept in ([`quarantine_dir`]).
        quarantine: String,
    },
    /// The peer's new commits change paths outside its authority.
    #[error(
        "refused {peer} at {offered}: {} of its commits change paths outside its authority: {}; kept in {quarantine}",
        commits.len(),
        list(paths)
    )]
    OutsideAuthority {
        /// The peer.
        peer: Peer,
        /// Its head.
        offered: ObjectId,
        /// The commits that do.
        commits: Vec<ObjectId>,
        /// The paths they change (at most a few hundred).
        paths: Vec<String>,
        /// The repository the head is kept in ([`quarantine_dir`]).
        quarantine: String,
    },
    /// Objects the peer brings are malformed (what `git fsck --strict`
    /// rejects: duplicate, unsorted or badly named tree entries,
    /// zero-padded or unknown modes, malformed commit headers), nest
    /// deeper than [`MAX_DEPTH`], or its head is not a commit.
    #[error(
        "refused {peer} at {offered}: {} malformed objects: {}; kept in {quarantine}",
        objects.len(),
        list(objects)
    )]
    MalformedObjects {
        /// The peer.
        peer: Peer,
        /// Its head.
        offered: ObjectId,
        /// The objects and what is wrong with them (at most a hundred).
        objects: Vec<MalformedObject>,
        /// The repository the head is kept in ([`quarantine_dir`]).
        quarantine: String,
    },
    /// Signatures of the peer's new commits do not check out against the
    /// trust file (unsigned, bad, unknown, revoked or wrong-region keys, a
    /// trust-file change not signed by the trust root, a rolled-back
    /// trust file).
    #[error(
        "refused {peer} at {offered}: {} signature problems: {}; kept in {quarantine}",
        problems.len(),
        list(problems)
    )]
    Signatures {
        /// The peer.
        peer: Peer,
        /// Its head.
        offered: ObjectId,
        /// What is wrong, per commit (at most a few hundred).
        problems: Vec<SignatureProblem>,
        /// The repository the head is kept in ([`quarantine_dir`]).
        quarantine: String,
    },
    /// This node's pinned trust root or trust file cannot be read.
    #[error("this node's trust configuration: {reason}")]
    TrustConfig {
        /// What is wrong.
        reason: String,
    },
    /// A work the peer brings does not verify.
    #[error(
        "refused {peer} at {offered}: {} problems in the documents it brings: {}; kept in {quarantine}",
        problems.len(),
        list(problems)
    )]
    InvalidContent {
        /// The peer.
        peer: Peer,
        /// Its head.
        offered: ObjectId,
        /// Every problem found (records that do not parse, hash
        /// mismatches, …).
        problems: Vec<Problem>,
        /// The repository the head is kept in ([`quarantine_dir`]).
        quarantine: String,
    },
    /// The fetch failed.
    #[error("fetching {url}: {message}")]
    Fetch {
        /// The source, without password.
        url: String,
        /// What failed, with the causes.
        message: String,
        /// The error gix reported.
        #[source]
        cause: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The fetch took longer than [`PullOptions::timeout`].
    #[error("fetching {url}: no complete answer within {after:?}; the fetch was interrupted")]
    Timeout {
        /// The source, without password.
        url: String,
        /// The limit.
        after: Duration,
    },
    /// An HTTP request of the fetch was redirected to another origin
    /// (scheme, host or port) and [`PullOptions::follow_redirects`] is off.
    /// Nothing fetched from there was used.
    #[error(
        "refused {url}: the server redirected the fetch to another origin, {to}; nothing was fetched from there (allow redirects to other origins to follow it)"
    )]
    Redirected {
        /// The source, without password.
        url: String,
        /// Where the redirect led, without password.
        to: String,
    },
    /// The peer's ref advertisement passed [`ADVERTISEMENT_LIMIT`].
    #[error(
        "refused {url}: its ref advertisement is larger than {limit} bytes; the fetch was cut off"
    )]
    AdvertisementTooLarge {
        /// The source, without password.
        url: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The pack the peer sends passed [`PullOptions::max_pack_bytes`].
    /// Nothing of it entered the library.
    #[error(
        "refused {url}: the pack it sends is larger than the limit of {limit} bytes; nothing of it was kept"
    )]
    PackTooLarge {
        /// The source, without password.
        url: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The caller interrupted the fetch.
    #[error("fetching {url}: interrupted")]
    Interrupted {
        /// The source, without password.
        url: String,
    },
    /// `git` is needed to fetch from a local path or `file://` URL.
    #[error(
        "cannot fetch {url}: git is not installed or not on PATH (fetching from a path runs git-upload-pack)"
    )]
    GitNotFound {
        /// The source.
        url: String,
    },
    /// The source has no `refs/heads/main`.
    #[error("{url} has no refs/heads/main: it is not a wenku library")]
    NoMain {
        /// The source, without password.
        url: String,
    },
    /// Local commits kept moving `main`.
    #[error(
        "conflict: main moved under this pull {attempts} times in a row (last seen at {head}); main is unchanged"
    )]
    Conflict {
        /// How many times the merge was built.
        attempts: u32,
        /// The head of `main` last seen.
        head: ObjectId,
    },
    /// This library's metadata cannot be used.
    #[error("the library's metadata at {commit}: {source}")]
    Meta {
        /// The head of `main`.
        commit: ObjectId,
        /// Why.
        #[source]
        source: MetaError,
    },
    /// A lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// Reading the library failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// git failed.
    #[error(transparent)]
    Git(#[from] GitError),
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    const SHOWN: usize = 5;
    let mut s = items
        .iter()
        .take(SHOWN)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > SHOWN {
        s.push_str(&format!("; and {} more", items.len() - SHOWN));
    }
    s
}

impl PullError {
    /// A stable code for the variant: `invalid-peer`, `wrong-library`,
    /// `rewritten-history`, `outside-authority`, `malformed-objects`,
    /// `invalid-content`, `signatures`, `trust-config`,
    /// `fetch-failed`, `timeout`, `redirected`, `advertisement-too-large`,
    /// `pack-too-large`, `interrupted`, `git-not-found`,
    /// `no-main`, `conflict`, `meta`, `lock`, `read`, `git`.
    pub fn kind(&self) -> &'static str {
        match self {
            PullError::InvalidPeer { .. } => "invalid-peer",
            PullError::WrongLibrary { .. } => "wrong-library",
            PullError::RewrittenHistory { .. } => "rewritten-history",
            PullError::OutsideAuthority { .. } => "outside-authority",
            PullError::MalformedObjects { .. } => "malformed-objects",
            PullError::InvalidContent { .. } => "invalid-content",
            PullError::Signatures { .. } => "signatures",
            PullError::TrustConfig { .. } => "trust-config",
            PullError::Fetch { .. } => "fetch-failed",
            PullError::Timeout { .. } => "timeout",
            PullError::Redirected { .. } => "redirected",
            PullError::AdvertisementTooLarge { .. } => "advertisement-too-large",
            PullError::PackTooLarge { .. } => "pack-too-large",
            PullError::Interrupted { .. } => "interrupted",
            PullError::GitNotFound { .. } => "git-not-found",
            PullError::NoMain { .. } => "no-main",
            PullError::Conflict { .. } => "conflict",
            PullError::Meta { .. } => "meta",
            PullError::Lock(_) => "lock",
            PullError::Read(_) => "read",
            PullError::Git(_) => "git",
        }
    }

    /// Whether the peer's head was refused after checking it (then it is
    /// kept under [`PullError::quarantine`]).
    pub fn is_refusal(&self) -> bool {
        self.quarantine().is_some()
    }

    /// The repository a refused head is kept in, with what it brought
    /// ([`quarantine_dir`], as a path).
    pub fn quarantine(&self) -> Option<&str> {
        match self {
            PullError::WrongLibrary { quarantine, .. }
            | PullError::RewrittenHistory { quarantine, .. }
            | PullError::OutsideAuthority { quarantine, .. }
            | PullError::MalformedObjects { quarantine, .. }
            | PullError::InvalidContent { quarantine, .. }
            | PullError::Signatures { quarantine, .. } => Some(quarantine),
            _ => None,
        }
    }

    /// The refused head.
    pub fn offered(&self) -> Option<ObjectId> {
        match self {
            PullError::WrongLibrary { offered, .. }
            | PullError::RewrittenHistory { offered, .. }
            | PullError::OutsideAuthority { offered, .. }
            | PullError::MalformedObjects { offered, .. }
            | PullError::InvalidContent { offered, .. }
            | PullError::Signatures { offered, .. } => Some(*offered),
            _ => None,
        }
    }
}

impl From<CommitError> for PullError {
    fn from(e: CommitError) -> PullError {
        match e {
            CommitError::Lock(e) => PullError::Lock(e),
            CommitError::Git(e) => PullError::Git(e),
            CommitError::Read(e) => PullError::Read(e),
            CommitError::Meta { commit, source } => PullError::Meta { commit, source },
            CommitError::Conflict { attempts, head } => PullError::Conflict { attempts, head },
            other => PullError::Git(GitError {
                action: "moving main".into(),
                source: Box::new(other),
            }),
        }
    }
}

/// The source as it may be shown: a URL's password is left out.
pub(crate) fn redact(source: &str) -> String {
    let Some((scheme, rest)) = source.split_once("://") else {
        return source.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}{path}")
        }
        None => source.to_string(),
    }
}

/// Which regions a pull from `peer` takes, for a node of `authority`.
#[derive(Clone, Debug)]
pub(crate) struct Scope {
    peer: Peer,
    authority: Authority,
}

impl Scope {
    /// Whether the region directory `region` comes from the peer.
    pub(crate) fn takes(&self, region: &Region) -> bool {
        match self.peer {
            Peer::Child(c) => c.contains(region) && !self.authority.covers(region),
            Peer::Parent(_) => !self.authority.node().contains(region),
        }
    }

    /// Whether the trust file comes from the peer: from the parent, for a
    /// node that is not its own trust root.
    pub(crate) fn takes_trust(&self) -> bool {
        self.takes(&crate::trust::root_of(self.authority.node()))
    }

    /// Whether `peer` fits a node of `authority` at all, and does not
    /// overlap the peers already pulled from (`accepted`).
    fn check(authority: &Authority, peer: Peer, accepted: &[Region]) -> Result<Scope, String> {
        let node = authority.node();
        let region = peer.region();
        match peer {
            Peer::Child(c) => {
                if c == node || !node.contains(&c) {
                    return Err(format!(
                        "a child's region lies inside this node's region {node}, and {c} does not"
                    ));
                }
                if authority.covers(&c) {
                    return Err(format!(
                        "this node hosts {c} itself, so no child is authoritative for it"
                    ));
                }
                for other in accepted {
                    if *other != c
                        && node.contains(other)
                        && (c.contains(other) || other.contains(&c))
                    {
                        return Err(format!(
                            "this node already pulls child {other}, whose regions overlap {c}'s; each region comes from one node (delete {} to change the hierarchy)",
                            node_ref(*other)
                        ));
                    }
                }
            }
            Peer::Parent(p) => {
                if p == node || !p.contains(&node) {
                    return Err(format!(
                        "the parent's region contains this node's region {node}, and {p} does not"
                    ));
                }
                for other in accepted {
                    if *other != p && !node.contains(other) {
                        return Err(format!(
                            "this node already pulls from parent {other}; a node has one parent (delete {} to change it)",
                            node_ref(*other)
                        ));
                    }
                }
            }
        }
        debug_assert_eq!(region, peer.region());
        Ok(Scope {
            peer,
            authority: authority.clone(),
        })
    }
}

impl Library {
    /// Pulls from the library at `source`, a [`Peer`] of this node: fetch,
    /// check, merge and move `main`, as the [module docs](self) describe.
    /// `identity` signs the merge commit. A head that changes nothing here
    /// makes no commit.
    ///
    /// ```no_run
    /// # use wenku_model::Region;
    /// # use wenku_store::federation::{Peer, PullOptions};
    /// # use wenku_store::{Identity, Library};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let city = Library::open("/srv/wenku/370200.git")?;
    /// let clerk = Identity::new("青岛市政务公开办", "gongkai@qingdao.example")?;
    /// let report = city.pull(
    ///     "http://pingdu.example/wenku.git",
    ///     Peer::Child(Region::parse("370283")?),
    ///     &clerk,
    ///     &PullOptions::new(),
    /// )?;
    /// println!("{} works added, {} changed", report.added(), report.changed_works());
    /// # Ok(()) }
    /// ```
    pub fn pull(
        &self,
        source: &str,
        peer: Peer,
        identity: &Identity,
        options: &PullOptions,
    ) -> Result<PullReport, PullError> {
        let started = Instant::now();
        let url = redact(source);
        let region = peer.region();
        let _span = tracing::info_span!("pull", %url, %peer).entered();

        // The peer must fit our place in the hierarchy, judged by the
        // authority in main now.
        let authority = {
            let repo = self.repo();
            let head = self.head()?;
            let tree = git::commit_tree(&repo, head)?;
            self.meta_cache
                .get(&repo, head, tree)
                .map_err(PullError::from)?
                .authority
        };
        let accepted = check::accepted_peers(&self.repo())?;
        let scope =
            Scope::check(&authority, peer, &accepted).map_err(|reason| PullError::InvalidPeer {
                peer,
                authority: authority.clone(),
                reason,
            })?;

        // One pull of this peer at a time; a pull that died holding ref
        // locks of this peer's refs left them behind.
        let lock_name = format!("pull-{region}.lock");
        let _pulling =
            crate::lock::lock_exclusive(self.git_dir(), &lock_name).map_err(|source| {
                LockError {
                    path: self.git_dir().join("wenku").join(&lock_name),
                    source,
                }
            })?;
        check::remove_stale_ref_locks(self.git_dir(), region)?;
        let previous = git::ref_target(&self.repo(), &node_ref(region))?;
        // Signs ref updates (their reflogs, where git keeps any).
        let stamp = identity.signature(self.clock.now());

        let fetched = fetch::fetch(self, source, &url, region, options)?;
        let head = fetched.head;
        tracing::debug!(%head, objects = fetched.stats.objects, "fetched");

        // Everything is checked reading through the fetch's own repository:
        // a refused head's objects never enter the library.
        let checking = Instant::now();
        let incoming = fetched.incoming.repo()?;
        let kept = fetch::quarantine_dir(self.git_dir(), region);
        // Named absolutely: the path is for an operator's `git --git-dir`.
        let kept = std::path::absolute(&kept)
            .unwrap_or(kept)
            .display()
            .to_string();
        let mut new_commits = 0;
        let mut refusal = None;
        let mut new_list: Vec<ObjectId> = Vec::new();
        if previous != Some(head) {
            let repo = incoming.to_thread_local();
            let trusted = check::trusted_heads(&self.repo())?;
            // Every object the pull brings is checked before any is used.
            let malformed = match objects::head_problem(&repo, head)? {
                Some(problem) => vec![problem],
                None => match check::new_commits(&repo, head, &trusted) {
                    Ok(new) => {
                        let found = objects::check(&repo, &new)?;
                        new_list = new;
                        found
                    }
                    // A head that is not a commit, or a commit gix cannot
                    // parse: say what is wrong with it, else the error stands.
                    Err(e) => match objects::check(&repo, &[head])? {
                        found if !found.is_empty() => found,
                        _ => return Err(e.into()),
                    },
                },
            };
            refusal = if !malformed.is_empty() {
                Some(PullError::MalformedObjects {
                    peer,
                    offered: head,
                    objects: malformed,
                    quarantine: kept.clone(),
                })
            } else if let Some(accepted) = previous
                && !git::descends(&repo, accepted, head)?
            {
                Some(PullError::RewrittenHistory {
                    peer,
                    accepted,
                    offered: head,
                    quarantine: kept.clone(),
                })
            } else if let Err(reason) = check::peer_library(&repo, head, region)? {
                Some(PullError::WrongLibrary {
                    peer,
                    offered: head,
                    reason,
                    quarantine: kept.clone(),
                })
            } else {
                let walked = check::authority(&repo, head, &scope, &trusted)?;
                new_commits = walked.commits;
                if walked.violations.is_empty() {
                    None
                } else {
                    let commits = walked.violations.iter().map(|v| v.commit).collect();
                    let paths = walked
                        .violations
                        .into_iter()
                        .flat_map(|v| v.paths)
                        .collect();
                    Some(PullError::OutsideAuthority {
                        peer,
                        offered: head,
                        commits,
                        paths,
                        quarantine: kept.clone(),
                    })
                }
            };
        }
        // The signatures of its new commits.
        let mut signatures = SignatureSummary::not_checked("no new commits");
        if refusal.is_none() && previous != Some(head) {
            let repo = incoming.to_thread_local();
            let anchor = signatures::anchor(self)?;
            signatures = match anchor {
                None => {
                    tracing::warn!(
                        "signatures not checked: this node has no trust file and no pinned root key"
                    );
                    SignatureSummary::not_checked(
                        "this node has no trust file and no pinned root key (pin the trust root's key: wenku trust pin FILE)",
                    )
                }
                Some(anchor) => {
                    let signatures::Checked {
                        trust, problems, ..
                    } = signatures::check(
                        &repo,
                        head,
                        &new_list,
                        &anchor,
                        scope.takes_trust(),
                        signatures::FirstTrust::PinnedOnly,
                    )?;
                    let mut summary = SignatureSummary {
                        mode: match options.signatures {
                            SignatureMode::Enforce => "enforced",
                            SignatureMode::Warn => "warn",
                        },
                        reason: None,
                        checked: new_list.len(),
                        problems: Vec::new(),
                        trust_serial: Some(trust.serial),
                    };
                    if !problems.is_empty() {
                        match options.signatures {
                            SignatureMode::Enforce => {
                                refusal = Some(PullError::Signatures {
                                    peer,
                                    offered: head,
                                    problems,
                                    quarantine: kept.clone(),
                                });
                            }
                            SignatureMode::Warn => {
                                for p in &problems {
                                    tracing::warn!(problem = %p, kind = p.kind.as_str(), "signature problem accepted in warn mode");
                                }
                                summary.problems = problems;
                            }
                        }
                    }
                    summary
                }
            };
        }
        // The works it brings, against main as it is now (the merge checks
        // again only if main moves meanwhile).
        let verified = match refusal {
            Some(_) => None,
            None => match merge::verify(self, &incoming, head, &scope)? {
                Ok(verified) => Some(verified),
                Err(problems) => {
                    refusal = Some(PullError::InvalidContent {
                        peer,
                        offered: head,
                        problems,
                        quarantine: kept.clone(),
                    });
                    None
                }
            },
        };
        drop(incoming);
        if let Some(error) = refusal {
            fetched.incoming.refuse(self.git_dir(), region, head)?;
            check::clear_legacy_quarantine(&self.repo(), region, &stamp)?;
            return Err(error);
        }
        let checked = checking.elapsed();
        fetched.incoming.accept(self, region, head, &stamp)?;

        let merged = merge::merge_and_advance(self, head, &scope, identity, options, verified)
            .map_err(|e| match e {
                merge::Failure::Invalid(problems) => PullError::InvalidContent {
                    peer,
                    offered: head,
                    problems,
                    quarantine: kept.clone(),
                },
                merge::Failure::Error(e) => e,
            })?;

        // Recorded after main moved: a pull killed in between finds the
        // merge already in main and records the head next time.
        let repo = self.repo();
        if previous != Some(head) {
            let expected = match previous {
                Some(id) => {
                    PreviousValue::MustExistAndMatch(gix::refs::Target::Object(id.to_gix()))
                }
                None => PreviousValue::MustNotExist,
            };
            git::write_ref(
                &repo,
                &node_ref(region),
                expected,
                head,
                &format!("wenku: accepted {peer}"),
                &stamp,
            )?;
        }
        check::clear_quarantine(self.git_dir(), &repo, region, &stamp)?;
        if fetched.stats.objects > 0 {
            // A fetch adds a pack, as a batch does.
            if let Err(e) = self.maintain() {
                tracing::warn!(error = %e, "maintaining packs failed");
            }
        }
        if merged.merge.is_some() {
            // As after a commit: an existing index follows main now, so the
            // next reader does not pay for the pull.
            self.index_follows_main();
        }
        let report = PullReport {
            peer,
            url,
            peer_head: head,
            previous_peer_head: previous,
            old_main: merged.old_main,
            new_main: merged.new_main,
            merge: merged.merge,
            regions: merged.regions,
            new_commits,
            signatures,
            fetch: fetched.stats,
            attempts: merged.attempts,
            timings: Timings {
                fetch: fetched.took,
                check: checked + merged.checked,
                merge: merged.took.saturating_sub(merged.checked),
                total: started.elapsed(),
            },
        };
        tracing::info!(
            changed = report.changed(),
            added = report.added(),
            changed_works = report.changed_works(),
            "pulled"
        );
        Ok(report)
    }

    /// The head last accepted from the peer of `region`, if any.
    pub fn accepted_head(&self, region: Region) -> Result<Option<ObjectId>, ReadError> {
        Ok(git::ref_target(&self.repo(), &node_ref(region))?)
    }

    /// The head last refused from the peer of `region`, if it is still in
    /// quarantine (a later successful pull clears it): `refs/heads/main`
    /// of [`quarantine_dir`], or, in a library written before refused
    /// heads were kept apart, `refs/wenku/quarantine/<region>`.
    pub fn quarantined_head(&self, region: Region) -> Result<Option<ObjectId>, ReadError> {
        match check::kept_head(self.git_dir(), region)? {
            Some(head) => Ok(Some(head)),
            None => Ok(git::ref_target(&self.repo(), &quarantine_ref(region))?),
        }
    }

    /// Removes the quarantine of the peer of `region` (the refused head and
    /// every object it brought), after inspection; true if there was one.
    /// Takes the peer's pull lock, so no pull of it runs meanwhile.
    pub fn discard_quarantine(&self, region: Region) -> Result<bool, PullError> {
        let _pulling = self.pull_lock(region)?;
        let dir = fetch::quarantine_dir(self.git_dir(), region);
        let existed = dir.join("HEAD").exists();
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(PullError::Git(GitError {
                    action: format!("removing the quarantine {}", dir.display()),
                    source: Box::new(e),
                }));
            }
        }
        Ok(existed)
    }

    /// Moves the quarantine of the peer of `region` aside, to a repository
    /// a pull can read from (`<quarantine>/<region>.accepting`), and returns
    /// its path: pulling from it checks the refused head again, so an
    /// operator can accept it once the reason is gone (a key granted
    /// meanwhile) or overruled (`--signatures warn`, a forgotten accepted
    /// head). `None` when nothing is quarantined.
    pub fn set_aside_quarantine(
        &self,
        region: Region,
    ) -> Result<Option<std::path::PathBuf>, PullError> {
        let _pulling = self.pull_lock(region)?;
        let dir = fetch::quarantine_dir(self.git_dir(), region);
        if !dir.join("HEAD").exists() {
            return Ok(None);
        }
        let aside = dir.with_file_name(format!("{region}.accepting"));
        let fail = |action: String, e: std::io::Error| {
            PullError::Git(GitError {
                action,
                source: Box::new(e),
            })
        };
        if aside.exists() {
            std::fs::remove_dir_all(&aside)
                .map_err(|e| fail(format!("removing {}", aside.display()), e))?;
        }
        // Same depth as the quarantine: its relative alternates still name
        // the library's objects.
        std::fs::rename(&dir, &aside)
            .map_err(|e| fail(format!("moving {} aside", dir.display()), e))?;
        Ok(Some(aside))
    }

    /// Forgets the head accepted from the peer of `region`, so that the
    /// next pull does not require the peer's history to descend from it:
    /// for a peer whose rewritten history an operator has inspected and
    /// accepts (restored from a backup, say). Every other check still
    /// runs. Returns the head forgotten.
    pub fn forget_accepted_head(
        &self,
        region: Region,
        identity: &Identity,
    ) -> Result<Option<ObjectId>, PullError> {
        let _pulling = self.pull_lock(region)?;
        let repo = self.repo();
        let head = git::ref_target(&repo, &node_ref(region))?;
        if head.is_some() {
            let stamp = identity.signature(self.clock.now());
            git::delete_ref(&repo, &node_ref(region), &stamp)?;
        }
        Ok(head)
    }

    fn pull_lock(&self, region: Region) -> Result<std::fs::File, PullError> {
        let name = format!("pull-{region}.lock");
        crate::lock::lock_exclusive(self.git_dir(), &name).map_err(|source| {
            PullError::Lock(LockError {
                path: self.git_dir().join("wenku").join(&name),
                source,
            })
        })
    }

    /// Every peer this library has pulled from or refused, by region: the
    /// head accepted last and the head in quarantine, from
    /// `refs/wenku/nodes/*` and `refs/wenku/quarantine/*`. Refs whose name
    /// is not a region are skipped.
    pub fn peers(&self) -> Result<Vec<PeerState>, ReadError> {
        let repo = self.repo();
        let node = self.authority().node();
        let mut regions = check::peers_under(&repo, NODES_PREFIX)?;
        regions.extend(check::peers_under(&repo, QUARANTINE_PREFIX)?);
        regions.extend(check::kept_regions(self.git_dir())?);
        regions.sort();
        regions.dedup();
        regions
            .into_iter()
            .map(|region| {
                let peer = if node.contains(&region) && region != node {
                    Some(Peer::Child(region))
                } else if region.contains(&node) && region != node {
                    Some(Peer::Parent(region))
                } else {
                    None
                };
                Ok(PeerState {
                    region,
                    peer,
                    accepted: git::ref_target(&repo, &node_ref(region))?,
                    quarantined: self.quarantined_head(region)?,
                })
            })
            .collect()
    }
}

/// What this library holds of one peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerState {
    /// The peer's region.
    pub region: Region,
    /// The peer as this node sees it (a child inside our region or the
    /// parent above it); `None` for a region that is neither (a ref made by
    /// hand, or a node that moved).
    pub peer: Option<Peer>,
    /// The head accepted last (`refs/wenku/nodes/<region>`).
    pub accepted: Option<ObjectId>,
    /// A refused head kept for inspection
    /// ([`Library::quarantined_head`]).
    pub quarantined: Option<ObjectId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Region {
        Region::parse(s).expect("valid region in test")
    }

    #[test]
    fn passwords_never_reach_reports() {
        assert_eq!(
            redact("http://clerk:s3cret@pingdu.example/wenku.git"),
            "http://clerk@pingdu.example/wenku.git"
        );
        assert_eq!(redact("git://127.0.0.1:9418/x"), "git://127.0.0.1:9418/x");
        assert_eq!(redact("/srv/wenku/a@b"), "/srv/wenku/a@b");
        assert_eq!(redact("file:///srv/a@b"), "file:///srv/a@b");
    }

    #[test]
    fn scopes_follow_the_hierarchy() {
        let city = Authority::new(r("370200"), [r("370200001")]).expect("valid");
        let up = Scope::check(&city, Peer::Child(r("370283")), &[]).expect("a county");
        assert!(up.takes(&r("370283")));
        assert!(up.takes(&r("370283001")));
        assert!(!up.takes(&r("370200")));
        assert!(!up.takes(&r("370211")));
        let down = Scope::check(&city, Peer::Parent(r("370000")), &[]).expect("the province");
        assert!(down.takes(&r("370000")));
        assert!(down.takes(&r("370300")));
        assert!(down.takes(&r("100000")));
        assert!(!down.takes(&r("370200")), "ours");
        assert!(!down.takes(&r("370283")), "our children's");
        assert!(!down.takes(&r("370200001")), "hosted");

        for (peer, needle) in [
            (Peer::Child(r("370200")), "inside"),
            (Peer::Child(r("370304")), "inside"),
            (Peer::Child(r("370200001")), "hosts"),
            (Peer::Parent(r("370283")), "contains"),
            (Peer::Parent(r("330000")), "contains"),
        ] {
            let err = Scope::check(&city, peer, &[]).expect_err(needle);
            assert!(err.contains(needle), "{peer}: {err}");
        }
        let err = Scope::check(&city, Peer::Child(r("370283001")), &[r("370283")])
            .expect_err("nested children");
        assert!(err.contains("overlap"), "{err}");
        let err = Scope::check(&city, Peer::Parent(r("100000")), &[r("370000")])
            .expect_err("two parents");
        assert!(err.contains("one parent"), "{err}");
        assert!(Scope::check(&city, Peer::Child(r("370211")), &[r("370283"), r("370000")]).is_ok());
    }
}
