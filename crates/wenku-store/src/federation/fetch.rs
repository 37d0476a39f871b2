//! Fetching a peer's `main` with gix, under a time limit, into an object
//! directory of its own.
//!
//! gix's blocking client checks an interrupt flag while it negotiates and
//! while it reads a pack, but not while it waits in a read: a peer that
//! accepts the connection and then says nothing would hold a fetch
//! forever. So the fetch runs on a thread of its own, and the pull waits
//! for it with a deadline: at the deadline (or when the caller's interrupt
//! flag is set) it sets the flag gix polls, cuts the connection
//! ([`transport::Guard::cut`]: a `git://` socket is shut down; every HTTP
//! request has the pull's time limit), waits a moment for the thread to
//! end, and reports the timeout.
//!
//! **Quarantine directory.** The fetch never writes into the library's
//! object store. It fetches into a bare repository of its own under
//! `<git-dir>/wenku/fetch/<region>-…`, whose `objects/info/alternates`
//! names the library's objects (so gix finds what the library has, and
//! negotiates from copies of `main`, the accepted head and the last
//! incoming head), as git's receive-pack does with `GIT_QUARANTINE_PATH`.
//! Only when the fetch finished in time, and its pack is within
//! [`PullOptions::max_pack_bytes`], does the pull check what came, reading
//! through that repository ([`Incoming::repo`]); only a head it accepts has
//! its pack moved into `objects/pack` (pack first, then its index, each one
//! rename, with the objects lock held shared as any writer holds it) and
//! `refs/wenku/incoming/<region>` pointed at it ([`Incoming::accept`]). A
//! refused head's repository becomes the peer's quarantine
//! ([`Incoming::refuse`], [`quarantine_dir`]). A fetch that is abandoned
//! leaves nothing in the library: its directory is removed, and a thread
//! still running in it writes into a directory nobody reads. So a stray thread holds no lock of the library and never
//! blocks [`Library::maintain`]. A directory left by a process that died
//! is removed by the next pull of the same peer.
//!
//! The flag also ends the loop gix 0.90 can fall into over HTTP when the
//! server drops the `Git-Protocol` header (protocol v1) and its
//! upload-pack fails: gix re-sends the request without end.
//!
//! Received packs are made read-only (0444): gix writes them 0600, and a
//! `git http-backend` running as another user could not serve them on.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::ObjectId;
use crate::object_id::Ours;
use gix::refs::transaction::PreviousValue;
use wenku_model::Region;

use super::transport::{Guard, Tripped};
use super::{FetchStats, PullError, PullOptions, incoming_ref, node_ref};
use crate::git::{self, Context, GitError, MAIN_REF};
use crate::library::Library;
use crate::pack;

/// How long a fetch may take to stop after its interrupt flag is set.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// How often the caller's interrupt flag is looked at while waiting.
const INTERRUPT_POLL: Duration = Duration::from_millis(50);

/// What a fetch brought.
#[derive(Debug)]
pub(super) struct Fetched {
    /// The peer's `refs/heads/main`.
    pub head: ObjectId,
    /// What was received.
    pub stats: FetchStats,
    /// How long it took.
    pub took: Duration,
    /// The fetch's own repository: what was received, not yet in the
    /// library.
    pub incoming: Incoming,
}

/// A fetch's repository after the fetch: read through it to check what
/// came, then [`Incoming::accept`] it into the library or
/// [`Incoming::refuse`] it. Dropped otherwise, it is removed.
#[derive(Debug)]
pub(super) struct Incoming {
    quarantine: Quarantine,
}

impl Incoming {
    /// Opens the fetch's repository: the received objects, and the
    /// library's through `objects/info/alternates`.
    pub fn repo(&self) -> Result<gix::ThreadSafeRepository, GitError> {
        let dir = &self.quarantine.dir;
        gix::open_opts(dir, crate::library::open_options())
            .map(gix::Repository::into_sync)
            .ctx(|| format!("opening the fetch directory {}", dir.display()))
    }

    /// Moves what came into the library and points
    /// `refs/wenku/incoming/<region>` at `head`.
    pub fn accept(
        self,
        library: &Library,
        region: Region,
        head: ObjectId,
        stamp: &gix::actor::Signature,
    ) -> Result<(), GitError> {
        self.quarantine
            .migrate(library.git_dir(), &library.repo())?;
        git::write_ref(
            &library.repo(),
            &incoming_ref(region),
            PreviousValue::Any,
            head,
            "wenku: fetched",
            stamp,
        )
    }

    /// Keeps the fetch's repository as the peer's quarantine
    /// ([`quarantine_dir`]), replacing an earlier one, with `refs/heads/main`
    /// at the refused `head`: nothing of it enters the library's objects.
    pub fn refuse(self, git_dir: &Path, region: Region, head: ObjectId) -> Result<(), GitError> {
        let dir = self.quarantine.dir.clone();
        let keep = quarantine_dir(git_dir, region);
        let prepare = || -> std::io::Result<()> {
            std::fs::write(dir.join(MAIN_REF), format!("{head}\n"))?;
            let _ = std::fs::remove_file(dir.join(incoming_ref(region)));
            // Relative, so the quarantine survives the library being moved.
            std::fs::write(
                dir.join("objects").join("info").join("alternates"),
                "../../../../objects\n",
            )?;
            std::fs::create_dir_all(keep.parent().unwrap_or(&keep))?;
            // The old quarantine goes where abandoned fetches of this
            // peer are removed from, then the new one takes its name.
            if keep.exists() {
                let old =
                    fetch_dir(git_dir).join(format!("{region}-refused-{}", std::process::id()));
                std::fs::rename(&keep, &old)?;
                std::fs::remove_dir_all(&old)?;
            }
            std::fs::rename(&dir, &keep)
        };
        prepare().ctx(|| format!("keeping the refused fetch as {}", keep.display()))?;
        // Renamed away: the drop finds nothing to remove.
        drop(self.quarantine);
        Ok(())
    }
}

/// Where the refused head of the peer of `region` is kept, with the objects
/// it brought: a bare repository (`git --git-dir <it> log`) whose
/// `refs/heads/main` is the refused head, `refs/wenku/nodes/<region>` the
/// head accepted before, and whose alternates name the library's objects.
pub fn quarantine_dir(git_dir: &Path, region: Region) -> PathBuf {
    git_dir
        .join("wenku")
        .join("quarantine")
        .join(region.as_str())
}

/// Why a fetch on the worker thread failed.
enum Failure {
    NoMain,
    GitNotFound,
    Other {
        message: String,
        cause: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

struct Received {
    head: ObjectId,
    objects: u32,
    pack: Option<PathBuf>,
}

type Answer = Result<Received, Failure>;

/// Fetches the peer's `refs/heads/main` from `source` into a quarantine
/// directory of its own, which the caller checks and then accepts or
/// refuses ([`Incoming`]). Called with the peer's pull lock held.
pub(super) fn fetch(
    library: &Library,
    source: &str,
    url: &str,
    region: Region,
    options: &PullOptions,
) -> Result<Fetched, PullError> {
    let started = Instant::now();
    let git_dir = library.git_dir().to_path_buf();
    remove_stale(&git_dir, region)?;
    let quarantine = {
        let repo = library.repo();
        let mut refs = Vec::new();
        for name in [MAIN_REF.to_string(), node_ref(region), incoming_ref(region)] {
            if let Some(id) = git::ref_target(&repo, &name)? {
                refs.push((name, id));
            }
        }
        Quarantine::create(&git_dir, repo.objects.store_ref().path(), region, &refs)?
    };
    let flag = Arc::new(AtomicBool::new(false));
    // Each HTTP request may run a little past the pull's deadline, so that
    // the deadline (a Timeout) always fires first and the request's own
    // limit only ends the thread within the stop's grace.
    let guard = Guard::new(
        options.max_pack_bytes,
        options.follow_redirects,
        options.timeout + STOP_GRACE / 2,
    );
    let (tx, rx) = mpsc::sync_channel(1);
    let refspec = format!("+{MAIN_REF}:{}", incoming_ref(region));
    let worker = {
        let flag = Arc::clone(&flag);
        let guard = guard.clone();
        let source = source.to_string();
        let dir = quarantine.dir.clone();
        std::thread::Builder::new()
            .name(format!("wenku-fetch-{region}"))
            .spawn(move || {
                // gix 0.90 can panic where it should fail (an arithmetic
                // overflow in its negotiation loop against a broken
                // server, in debug builds): that is a failed fetch.
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    receive(&dir, &source, &refspec, &flag, &guard)
                }))
                .unwrap_or_else(|payload| {
                    let what = payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown".into());
                    Err(Failure::Other {
                        message: format!("the git client failed unexpectedly ({what})"),
                        cause: what.into(),
                    })
                });
                // The puller may have given up waiting; then nobody listens.
                let _ = tx.send(result);
            })
    };
    let worker = match worker {
        Ok(handle) => handle,
        Err(e) => {
            return Err(PullError::Git(GitError {
                action: "starting the fetch thread".into(),
                source: Box::new(e),
            }));
        }
    };
    let stopper = Stopper {
        flag: &flag,
        guard: &guard,
        rx: &rx,
    };

    let deadline = started + options.timeout;
    let result = loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(stopper.stop(
                worker,
                PullError::Timeout {
                    url: url.to_string(),
                    after: options.timeout,
                },
            ));
        }
        let wait = match &options.interrupt {
            Some(_) => (deadline - now).min(INTERRUPT_POLL),
            None => deadline - now,
        };
        match rx.recv_timeout(wait) {
            Ok(result) => break result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if options
                    .interrupt
                    .as_ref()
                    .is_some_and(|f| f.load(Ordering::Relaxed))
                {
                    return Err(stopper.stop(
                        worker,
                        PullError::Interrupted {
                            url: url.to_string(),
                        },
                    ));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(PullError::Git(GitError {
                    action: format!("fetching {url}"),
                    source: "the fetch thread ended without an answer".into(),
                }));
            }
        }
    };
    // The thread has sent its answer and ends now.
    let _ = worker.join();
    // A failure that arrives once the deadline has passed is the deadline's.
    if result.is_err() && Instant::now() >= deadline && guard.tripped().is_none() {
        return Err(PullError::Timeout {
            url: url.to_string(),
            after: options.timeout,
        });
    }
    let received = result.map_err(|failure| match (guard.tripped(), failure) {
        (Some(tripped), _) => refused(url, tripped),
        (None, Failure::NoMain) => PullError::NoMain {
            url: url.to_string(),
        },
        (None, Failure::GitNotFound) => PullError::GitNotFound {
            url: url.to_string(),
        },
        (None, Failure::Other { message, cause }) => PullError::Fetch {
            url: url.to_string(),
            message,
            cause,
        },
    })?;
    let pack_bytes = match &received.pack {
        Some(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        None => 0,
    };
    if pack_bytes > options.max_pack_bytes {
        // Sources gix connects to itself are measured here, when the pack
        // is complete; it never enters the library.
        return Err(refused(
            url,
            Tripped::Pack {
                limit: options.max_pack_bytes,
            },
        ));
    }
    Ok(Fetched {
        head: received.head,
        stats: FetchStats {
            objects: received.objects,
            pack_bytes,
        },
        took: started.elapsed(),
        incoming: Incoming { quarantine },
    })
}

/// The refusal for what the transport's guard stopped.
fn refused(url: &str, tripped: Tripped) -> PullError {
    match tripped {
        Tripped::Advertisement { limit } => PullError::AdvertisementTooLarge {
            url: url.to_string(),
            limit,
        },
        Tripped::Pack { limit } => PullError::PackTooLarge {
            url: url.to_string(),
            limit,
        },
        Tripped::Redirect { to } => PullError::Redirected {
            url: url.to_string(),
            to: super::redact(&to),
        },
    }
}

/// Ends a fetch the pull gives up on.
struct Stopper<'a> {
    flag: &'a AtomicBool,
    guard: &'a Guard,
    rx: &'a mpsc::Receiver<Answer>,
}

impl Stopper<'_> {
    /// Sets the flag gix polls, cuts the connection and waits a moment for
    /// the fetch thread to end.
    fn stop(&self, worker: JoinHandle<()>, error: PullError) -> PullError {
        self.flag.store(true, Ordering::Relaxed);
        self.guard.cut();
        match self.rx.recv_timeout(STOP_GRACE) {
            Ok(_) => {
                let _ = worker.join();
                tracing::debug!("the fetch stopped after it was interrupted");
            }
            Err(_) => tracing::warn!(
                "the fetch did not stop within {STOP_GRACE:?} of its interrupt; its thread ends with its connection and writes only into its own directory"
            ),
        }
        error
    }
}

/// Where fetches keep their quarantine directories.
fn fetch_dir(git_dir: &Path) -> PathBuf {
    git_dir.join("wenku").join("fetch")
}

/// Removes the quarantine directories of earlier fetches of `region`: with
/// the peer's pull lock held, they belong to fetches that were abandoned
/// or to processes that died.
fn remove_stale(git_dir: &Path, region: Region) -> Result<(), GitError> {
    let dir = fetch_dir(git_dir);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).ctx(|| format!("listing {}", dir.display())),
    };
    let prefix = format!("{region}-");
    for entry in entries {
        let path = entry.ctx(|| format!("listing {}", dir.display()))?.path();
        let ours = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(&prefix));
        if ours {
            match std::fs::remove_dir_all(&path) {
                Ok(()) => tracing::info!(path = %path.display(), "removed an abandoned fetch"),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).ctx(|| format!("removing {}", path.display())),
            }
        }
    }
    Ok(())
}

/// A fetch's own bare repository, borrowing the library's objects through
/// `objects/info/alternates`; removed when dropped.
#[derive(Debug)]
struct Quarantine {
    dir: PathBuf,
}

impl Quarantine {
    /// Creates the repository with `refs` (name, id) copied from the
    /// library, for negotiation.
    fn create(
        git_dir: &Path,
        objects: &Path,
        region: Region,
        refs: &[(String, ObjectId)],
    ) -> Result<Quarantine, GitError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = fetch_dir(git_dir).join(format!(
            "{region}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let quarantine = Quarantine { dir };
        quarantine
            .populate(objects, refs)
            .ctx(|| format!("creating the fetch directory {}", quarantine.dir.display()))?;
        Ok(quarantine)
    }

    fn populate(&self, objects: &Path, refs: &[(String, ObjectId)]) -> std::io::Result<()> {
        let objects = std::path::absolute(objects)?;
        let dir = &self.dir;
        std::fs::create_dir_all(dir.join("objects").join("pack"))?;
        std::fs::create_dir_all(dir.join("objects").join("info"))?;
        std::fs::create_dir_all(dir.join("refs").join("heads"))?;
        std::fs::write(dir.join("HEAD"), format!("ref: {MAIN_REF}\n"))?;
        std::fs::write(
            dir.join("config"),
            "[core]\n\trepositoryformatversion = 0\n\tbare = true\n",
        )?;
        let mut alternates = objects.into_os_string().into_encoded_bytes();
        alternates.push(b'\n');
        std::fs::write(
            dir.join("objects").join("info").join("alternates"),
            alternates,
        )?;
        for (name, id) in refs {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, format!("{id}\n"))?;
        }
        Ok(())
    }

    /// Moves the fetched objects into the library: packs (pack first, then
    /// its index, read-only), and loose objects if any.
    fn migrate(&self, git_dir: &Path, repo: &gix::Repository) -> Result<(), GitError> {
        let _writing = crate::lock::lock_shared(git_dir, pack::OBJECTS_LOCK)
            .ctx(|| "taking the objects lock".to_string())?;
        let target = repo.objects.store_ref().path().to_path_buf();
        let source = self.dir.join("objects");
        let pack_dir = source.join("pack");
        let mut packs = Vec::new();
        for entry in
            std::fs::read_dir(&pack_dir).ctx(|| format!("listing {}", pack_dir.display()))?
        {
            let path = entry
                .ctx(|| format!("listing {}", pack_dir.display()))?
                .path();
            if path.extension().is_some_and(|e| e == "pack") && path.with_extension("idx").exists()
            {
                packs.push(path);
            }
        }
        for pack_file in packs {
            for path in [pack_file.clone(), pack_file.with_extension("idx")] {
                pack::make_read_only(&path)?;
                let name = path.file_name().ctx_none(&path)?;
                let to = target.join("pack").join(name);
                std::fs::rename(&path, &to)
                    .ctx(|| format!("moving {} to {}", path.display(), to.display()))?;
            }
        }
        // gix writes packs; loose objects would be moved the same way.
        for entry in std::fs::read_dir(&source).ctx(|| format!("listing {}", source.display()))? {
            let path = entry
                .ctx(|| format!("listing {}", source.display()))?
                .path();
            let fan = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if fan.len() != 2 || !fan.bytes().all(|b| b.is_ascii_hexdigit()) || !path.is_dir() {
                continue;
            }
            let into = target.join(fan);
            std::fs::create_dir_all(&into).ctx(|| format!("creating {}", into.display()))?;
            for object in std::fs::read_dir(&path).ctx(|| format!("listing {}", path.display()))? {
                let object = object.ctx(|| format!("listing {}", path.display()))?.path();
                let name = object.file_name().ctx_none(&object)?;
                let to = into.join(name);
                if !to.exists() {
                    std::fs::rename(&object, &to)
                        .ctx(|| format!("moving {} to {}", object.display(), to.display()))?;
                }
            }
        }
        Ok(())
    }
}

impl Drop for Quarantine {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.dir)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %self.dir.display(), error = %e, "could not remove a fetch directory; the next pull of this peer removes it");
        }
    }
}

/// A path's file name, or an error naming the path.
trait FileName<'a> {
    fn ctx_none(self, path: &Path) -> Result<&'a std::ffi::OsStr, GitError>;
}

impl<'a> FileName<'a> for Option<&'a std::ffi::OsStr> {
    fn ctx_none(self, path: &Path) -> Result<&'a std::ffi::OsStr, GitError> {
        self.ok_or_else(|| GitError {
            action: format!("moving {}", path.display()),
            source: "the path has no file name".into(),
        })
    }
}

/// The fetch itself, on the worker thread, into the quarantine directory.
fn receive(dir: &Path, source: &str, refspec: &str, flag: &AtomicBool, guard: &Guard) -> Answer {
    let repo = gix::open_opts(dir, crate::library::open_options())
        .map_err(|e| other("opening the fetch directory", e))?;
    let remote = repo
        .remote_at(source)
        .map_err(|e| other("reading the source as a URL or path", e))?
        .with_refspecs([refspec], gix::remote::Direction::Fetch)
        .map_err(|e| other("setting up the fetch", e))?
        .with_fetch_tags(gix::remote::fetch::Tags::None);
    let url = remote
        .url(gix::remote::Direction::Fetch)
        .cloned()
        .ok_or_else(|| Failure::Other {
            message: "the source has no URL".into(),
            cause: "no URL".into(),
        })?;
    let connection = match guard.transport(&url).map_err(|e| other("connecting", e))? {
        Some(transport) => remote
            .to_connection_with_transport(transport)
            .with_transport_options(Box::new(guard.http_options())),
        None => remote
            .connect(gix::remote::Direction::Fetch)
            .map_err(|e| classify("connecting", e))?,
    };
    let prepare = connection
        .prepare_fetch(gix::progress::Discard, Default::default())
        .map_err(|e| classify("listing the peer's refs", e))?;
    let head = prepare
        .ref_map()
        .mappings
        .iter()
        .find_map(|m| m.remote.as_id())
        .map(|id| id.to_owned().ours())
        .ok_or(Failure::NoMain)?;
    let outcome = prepare
        .receive(gix::progress::Discard, flag)
        .map_err(|e| classify("receiving", e))?;
    Ok(match outcome.status {
        gix::remote::fetch::Status::NoPackReceived { .. } => Received {
            head,
            objects: 0,
            pack: None,
        },
        gix::remote::fetch::Status::Change {
            write_pack_bundle, ..
        } => Received {
            head,
            objects: write_pack_bundle.index.num_objects,
            pack: write_pack_bundle.data_path,
        },
    })
}

fn other(action: &str, e: impl std::error::Error + Send + Sync + 'static) -> Failure {
    Failure::Other {
        message: format!("{action}: {e}"),
        cause: Box::new(e),
    }
}

/// Sorts a gix error: `git-upload-pack` not found, or anything else with
/// every cause in the message.
fn classify(action: &str, e: gix::Error) -> Failure {
    use gix::protocol::transport::client::Error as TransportError;
    let not_found = e.iter_errors().any(|cause| {
        matches!(
            cause.downcast_ref::<TransportError>(),
            Some(TransportError::InvokeProgram { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound
        )
    });
    if not_found {
        return Failure::GitNotFound;
    }
    let mut causes: Vec<String> = Vec::new();
    for cause in e.iter_errors() {
        let text = cause.to_string();
        if !causes.iter().any(|c| c.contains(&text)) {
            causes.push(text);
        }
    }
    Failure::Other {
        message: format!("{action}: {}", causes.join(": ")),
        cause: Box::new(e),
    }
}
