//! Fetching a peer's `main` with gix, under a time limit.
//!
//! gix's blocking client checks an interrupt flag while it negotiates and
//! while it reads a pack, but not while it waits in a read: a peer that
//! accepts the connection and then says nothing would hold a fetch
//! forever. So the fetch runs on a thread of its own, and the pull waits
//! for it with a deadline: at the deadline (or when the caller's interrupt
//! flag is set) it sets the flag gix polls, gives the fetch a moment to
//! stop, and then reports the timeout whether or not the thread has
//! finished. A thread still blocked in a read ends when the connection
//! does; it holds nothing the next pull needs (see `check::remove_stale_ref_locks`).
//!
//! The flag also ends the loop gix 0.90 can fall into over HTTP when the
//! server drops the `Git-Protocol` header (protocol v1) and its
//! upload-pack fails: gix re-sends the request without end.
//!
//! A fetch over HTTP cannot outlive its pull: every request of the HTTP
//! client carries the pull's remaining time as its own deadline, so the
//! thread ends at the deadline too. Over `git://` a blocked read ends only
//! with the connection. Either way the thread holds no lock once the pull
//! has given up on it: the objects lock (shared, like a writer's, so that
//! maintenance never takes its temporary files for a dead writer's) is
//! held by the waiting pull, not by the thread; what an abandoned thread
//! still writes is garbage that maintenance may remove, and nobody reads
//! its result.
//!
//! An HTTP redirect is not followed unless [`PullOptions::follow_redirects`]
//! says so. Received packs are made read-only (0444): gix writes them
//! 0600, and a `git http-backend` running as another user could not serve
//! them on.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::ObjectId;
use crate::object_id::Ours;
use wenku_model::Region;

use super::{FetchStats, PullError, PullOptions, incoming_ref};
use crate::git::{GitError, MAIN_REF};
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
    index: Option<PathBuf>,
    keep: Option<PathBuf>,
}

/// Fetches the peer's `refs/heads/main` from `source` into
/// `refs/wenku/incoming/<region>`.
pub(super) fn fetch(
    library: &Library,
    source: &str,
    url: &str,
    region: Region,
    options: &PullOptions,
) -> Result<Fetched, PullError> {
    let started = Instant::now();
    let store = library.store();
    // Held while this pull waits for the pack (see the module docs); an
    // abandoned fetch thread does not keep it.
    let _writing =
        crate::lock::lock_shared(library.git_dir(), pack::OBJECTS_LOCK).map_err(|e| {
            PullError::Git(GitError {
                action: "taking the objects lock".into(),
                source: Box::new(e),
            })
        })?;
    let deadline = started + options.timeout;
    let follow_redirects = options.follow_redirects;
    let flag = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::sync_channel(1);
    let refspec = format!("+{MAIN_REF}:{}", incoming_ref(region));
    let worker = {
        let flag = Arc::clone(&flag);
        let source = source.to_string();
        std::thread::Builder::new()
            .name(format!("wenku-fetch-{region}"))
            .spawn(move || {
                // gix 0.90 can panic where it should fail (an arithmetic
                // overflow in its negotiation loop against a broken
                // server, in debug builds): that is a failed fetch.
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    receive(
                        &store.repo,
                        &source,
                        &refspec,
                        &flag,
                        deadline,
                        follow_redirects,
                    )
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
    if let Err(e) = worker {
        return Err(PullError::Git(GitError {
            action: "starting the fetch thread".into(),
            source: Box::new(e),
        }));
    }

    let result = loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(stop(
                &flag,
                &rx,
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
                    return Err(stop(
                        &flag,
                        &rx,
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
    let received = result.map_err(|failure| match failure {
        Failure::NoMain => PullError::NoMain {
            url: url.to_string(),
        },
        Failure::GitNotFound => PullError::GitNotFound {
            url: url.to_string(),
        },
        Failure::Other { message, cause } => {
            // A smart HTTP server answers git's first request itself; a
            // failure there may be a redirect that was not followed.
            let http = source.starts_with("http://") || source.starts_with("https://");
            match (http && !options.follow_redirects)
                .then(|| redirect_target(source, deadline))
                .flatten()
            {
                Some(to) => PullError::Redirected {
                    url: url.to_string(),
                    to,
                },
                None => PullError::Fetch {
                    url: url.to_string(),
                    message,
                    cause,
                },
            }
        }
    })?;
    for path in [&received.pack, &received.index].into_iter().flatten() {
        pack::make_read_only(path)?;
    }
    if let Some(keep) = &received.keep {
        // gix keeps the .keep when no ref moved (the incoming ref already
        // pointed at the head); the head's ref protects the pack anyway.
        std::fs::remove_file(keep).map_err(|e| {
            PullError::Git(GitError {
                action: format!("removing {}", keep.display()),
                source: Box::new(e),
            })
        })?;
    }
    let pack_bytes = match &received.pack {
        Some(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        None => 0,
    };
    Ok(Fetched {
        head: received.head,
        stats: FetchStats {
            objects: received.objects,
            pack_bytes,
        },
        took: started.elapsed(),
    })
}

/// Sets the flag gix polls and waits a moment for the fetch to stop.
fn stop(
    flag: &AtomicBool,
    rx: &mpsc::Receiver<Result<Received, Failure>>,
    error: PullError,
) -> PullError {
    flag.store(true, Ordering::Relaxed);
    match rx.recv_timeout(STOP_GRACE) {
        Ok(_) => tracing::debug!("the fetch stopped after its interrupt flag was set"),
        Err(_) => tracing::warn!(
            "the fetch did not stop within {STOP_GRACE:?} of its interrupt; leaving its thread to end with its connection"
        ),
    }
    error
}

/// The fetch itself, on the worker thread.
fn receive(
    repo: &gix::ThreadSafeRepository,
    source: &str,
    refspec: &str,
    flag: &AtomicBool,
    deadline: Instant,
    follow_redirects: bool,
) -> Result<Received, Failure> {
    let repo = repo.to_thread_local();
    let remote = repo
        .remote_at(source)
        .map_err(|e| other("reading the source as a URL or path", e))?
        .with_refspecs([refspec], gix::remote::Direction::Fetch)
        .map_err(|e| other("setting up the fetch", e))?
        .with_fetch_tags(gix::remote::fetch::Tags::None);
    let mut connection = remote
        .connect(gix::remote::Direction::Fetch)
        .map_err(|e| classify("connecting", e))?;
    if source.starts_with("http://") || source.starts_with("https://") {
        connection.set_transport_options(http_options(&repo, source, deadline, follow_redirects)?);
    }
    let prepare = connection
        .prepare_fetch(gix::progress::Discard, Default::default())
        .map_err(|e| classify("listing the peer's refs", e))?;
    let head = prepare
        .ref_map()
        .mappings
        .iter()
        .find_map(|m| m.remote.as_id())
        .map(|id| id.ours())
        .ok_or(Failure::NoMain)?;
    let outcome = prepare
        .receive(gix::progress::Discard, flag)
        .map_err(|e| classify("receiving", e))?;
    Ok(match outcome.status {
        gix::remote::fetch::Status::NoPackReceived { .. } => Received {
            head,
            objects: 0,
            pack: None,
            index: None,
            keep: None,
        },
        gix::remote::fetch::Status::Change {
            write_pack_bundle, ..
        } => Received {
            head,
            objects: write_pack_bundle.index.num_objects,
            pack: write_pack_bundle.data_path,
            index: write_pack_bundle.index_path,
            keep: write_pack_bundle.keep_path,
        },
    })
}

/// The HTTP transport's options as the repository's configuration makes
/// them, with a deadline on every request (the pull's remaining time) and
/// redirects followed only when the caller allows it.
fn http_options(
    repo: &gix::Repository,
    source: &str,
    deadline: Instant,
    follow_redirects: bool,
) -> Result<Box<dyn std::any::Any>, Failure> {
    use gix::protocol::transport::client::blocking_io::http;
    let mut options = match repo
        .transport_options(source, None)
        .map_err(|e| other("reading the HTTP configuration", e))?
        .and_then(|o| o.downcast::<http::Options>().ok())
    {
        Some(o) => *o,
        None => http::Options::default(),
    };
    options.follow_redirects = if follow_redirects {
        http::options::FollowRedirects::Initial
    } else {
        http::options::FollowRedirects::None
    };
    let remaining = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(1));
    let backend = http::reqwest::Options {
        configure_client: Some(Box::new(move |client| Ok(client.timeout(remaining)))),
        configure_request: None,
    };
    options.backend = Some(Arc::new(std::sync::Mutex::new(backend)));
    Ok(Box::new(options))
}

/// Where the peer redirects git's first request, if it does: asked again
/// without following, within the pull's remaining time (at most 10 s).
fn redirect_target(source: &str, deadline: Instant) -> Option<String> {
    let remaining = deadline
        .saturating_duration_since(Instant::now())
        .min(Duration::from_secs(10));
    if remaining.is_zero() {
        return None;
    }
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(remaining)
        .build()
        .ok()?;
    let probe = format!(
        "{}/info/refs?service=git-upload-pack",
        source.trim_end_matches('/')
    );
    let response = client.get(probe).send().ok()?;
    if !response.status().is_redirection() {
        return None;
    }
    let to = response
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()?;
    Some(to.to_string())
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
