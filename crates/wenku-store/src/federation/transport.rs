//! The connection under a fetch, with the limits a hostile peer must not
//! get past.
//!
//! gix's own transports read whatever a peer sends for as long as it
//! sends it. For `http(s)://` and `git://` the fetch builds the transport
//! itself, around gix's protocol code, so that:
//!
//! - every byte read is counted against the limit of the phase the client
//!   is in ([`Meter`]): a ref advertisement (the v1 advertisement, the v2
//!   capabilities and `ls-refs` answer) may be at most
//!   [`ADVERTISEMENT_LIMIT`] bytes, a pack at most
//!   [`PullOptions::max_pack_bytes`](super::PullOptions::max_pack_bytes);
//!   the phase is told by what the client writes (`command=ls-refs`,
//!   `command=fetch`, `want`), never by what the peer says;
//! - an HTTP redirect to another origin (scheme, host or port) ends the
//!   fetch before the answer from there is used, unless the caller allows
//!   it;
//! - the connection can be cut from another thread ([`Guard::cut`]): a
//!   `git://` socket is shut down, and every HTTP request has a time limit,
//!   so the fetch thread ends instead of waiting forever in a read.
//!
//! Other sources (paths, `file://`, `ssh://`) run a local process through
//! gix; their pack size is checked when the pack is complete.

use std::io::{BufRead, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gix::protocol::transport::Protocol;
use gix::protocol::transport::client::blocking_io::Transport;
use gix::protocol::transport::client::blocking_io::http::{
    self, GetResponse, Http, PostBodyDataKind, PostResponse,
};

/// The most bytes a peer may send for its ref advertisement: the v1
/// advertisement, or the v2 capabilities and `ls-refs` answer. A wenku
/// library has a handful of refs and only `refs/heads/main` is asked for.
pub const ADVERTISEMENT_LIMIT: u64 = 4 << 20;

/// How long connecting to a `git://` peer may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Why the guard ended a fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tripped {
    /// The ref advertisement passed [`ADVERTISEMENT_LIMIT`].
    Advertisement { limit: u64 },
    /// The pack passed the pull's size limit.
    Pack { limit: u64 },
    /// An HTTP request was redirected to another origin.
    Redirect { to: String },
}

impl std::fmt::Display for Tripped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tripped::Advertisement { limit } => {
                write!(f, "the ref advertisement is larger than {limit} bytes")
            }
            Tripped::Pack { limit } => write!(f, "the pack is larger than {limit} bytes"),
            Tripped::Redirect { to } => write!(f, "redirected to another origin: {to}"),
        }
    }
}

/// The limits of one fetch, shared by its transport and the puller.
#[derive(Clone, Debug)]
pub(super) struct Guard {
    max_pack_bytes: u64,
    follow_redirects: bool,
    request_timeout: Duration,
    tripped: Arc<Mutex<Option<Tripped>>>,
    socket: Arc<Mutex<Option<TcpStream>>>,
}

impl Guard {
    pub(super) fn new(max_pack_bytes: u64, follow_redirects: bool, timeout: Duration) -> Guard {
        Guard {
            max_pack_bytes,
            follow_redirects,
            request_timeout: timeout,
            tripped: Arc::default(),
            socket: Arc::default(),
        }
    }

    /// What ended the fetch, if the guard did.
    pub(super) fn tripped(&self) -> Option<Tripped> {
        self.tripped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn trip(&self, why: Tripped) -> std::io::Error {
        let message = why.to_string();
        let mut slot = self.tripped.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(why);
        std::io::Error::other(message)
    }

    /// Cuts the connection, so that a read blocked on it returns.
    pub(super) fn cut(&self) {
        if let Some(socket) = self.socket.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }

    /// The transport for `url`, or `None` for sources gix connects to
    /// itself (paths, `file://`, `ssh://`).
    pub(super) fn transport(
        &self,
        url: &gix::Url,
    ) -> Result<Option<Box<dyn Transport + Send>>, std::io::Error> {
        use gix::url::Scheme;
        match url.scheme {
            Scheme::Http | Scheme::Https => {
                let guarded = Guarded {
                    inner: http::reqwest::Remote::default(),
                    guard: self.clone(),
                    origin: Origin::of(url),
                };
                Ok(Some(Box::new(http::connect_http(
                    guarded,
                    url.clone(),
                    Protocol::V2,
                    false,
                ))))
            }
            Scheme::Git => {
                let host = url.host().ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "a git:// URL needs a host",
                    )
                })?;
                let port = url.port;
                let addr = (host, port.unwrap_or(9418))
                    .to_socket_addrs()?
                    .next()
                    .ok_or_else(|| {
                        std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            format!("{host} has no address"),
                        )
                    })?;
                let socket = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)?;
                *self.socket.lock().unwrap_or_else(|e| e.into_inner()) = Some(socket.try_clone()?);
                let meter = Arc::new(Meter::new(self.clone()));
                let read = Metered {
                    inner: socket.try_clone()?,
                    meter: Arc::clone(&meter),
                };
                let write = Sniffing {
                    inner: socket,
                    meter,
                };
                Ok(Some(Box::new(
                    gix::protocol::transport::client::git::blocking_io::Connection::new(
                        read,
                        write,
                        Protocol::V2,
                        url.path.clone(),
                        Some((host.to_string(), port)),
                        gix::protocol::transport::client::git::ConnectMode::Daemon,
                        false,
                    ),
                )))
            }
            _ => Ok(None),
        }
    }

    /// The options for the HTTP transport: redirects as git follows them
    /// (on the first request), every request limited in time.
    pub(super) fn http_options(&self) -> http::Options {
        let timeout = self.request_timeout;
        let backend = http::reqwest::Options {
            configure_client: Some(Box::new(move |builder| Ok(builder.timeout(timeout)))),
            configure_request: None,
        };
        http::Options {
            follow_redirects: http::options::FollowRedirects::Initial,
            backend: Some(Arc::new(Mutex::new(backend))),
            ..http::Options::default()
        }
    }
}

/// Scheme, host and port of a URL.
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: Option<String>,
    port: Option<u16>,
}

impl Origin {
    fn of(url: &gix::Url) -> Origin {
        Origin {
            scheme: url.scheme.as_str().to_string(),
            host: url.host().map(|h| h.to_ascii_lowercase()),
            port: url.port_or_default(),
        }
    }

    fn parse(url: &str) -> Option<Origin> {
        gix::url::parse(gix::bstr::BStr::new(url.as_bytes()))
            .ok()
            .map(|u| Origin::of(&u))
    }
}

/// Counts what the peer sends against the limit of the phase the client
/// is in.
#[derive(Debug)]
struct Meter {
    guard: Guard,
    limit: AtomicU64,
    read: AtomicU64,
}

impl Meter {
    fn new(guard: Guard) -> Meter {
        Meter {
            guard,
            limit: AtomicU64::new(ADVERTISEMENT_LIMIT),
            read: AtomicU64::new(0),
        }
    }

    /// The client wrote `bytes`: a new command or a list of wants starts
    /// a new phase.
    fn wrote(&self, bytes: &[u8]) {
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        let limit = if has(b"command=fetch") || has(b"want ") {
            self.guard
                .max_pack_bytes
                .saturating_add(ADVERTISEMENT_LIMIT)
        } else if has(b"command=ls-refs") {
            ADVERTISEMENT_LIMIT
        } else {
            return;
        };
        self.limit.store(limit, Ordering::SeqCst);
        self.read.store(0, Ordering::SeqCst);
    }

    /// Whether the phase's limit has been passed; then the fetch ends.
    fn check(&self) -> std::io::Result<()> {
        let limit = self.limit.load(Ordering::SeqCst);
        if self.read.load(Ordering::SeqCst) <= limit {
            return Ok(());
        }
        Err(if limit == ADVERTISEMENT_LIMIT {
            self.guard.trip(Tripped::Advertisement { limit })
        } else {
            self.guard.trip(Tripped::Pack {
                limit: self.guard.max_pack_bytes,
            })
        })
    }

    fn count(&self, n: usize) {
        self.read.fetch_add(n as u64, Ordering::SeqCst);
    }
}

/// A reader whose bytes are counted.
struct Metered<R> {
    inner: R,
    meter: Arc<Meter>,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.meter.check()?;
        let n = self.inner.read(buf)?;
        self.meter.count(n);
        self.meter.check()?;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Metered<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.meter.check()?;
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
        self.meter.count(amount);
    }
}

/// A writer that tells the meter what the client says.
struct Sniffing<W> {
    inner: W,
    meter: Arc<Meter>,
}

impl<W: Write> Write for Sniffing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.meter.wrote(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// gix's reqwest client with a meter on every answer and a check of the
/// origin after every request.
struct Guarded<H> {
    inner: H,
    guard: Guard,
    origin: Origin,
}

impl<H: Http> Guarded<H> {
    /// Fails when the backend followed a redirect to another origin.
    fn check_origin(&self) -> gix::Result<()> {
        let Some(to) = self.inner.redirected_base_url() else {
            return Ok(());
        };
        if self.guard.follow_redirects || Origin::parse(&to).is_some_and(|o| o == self.origin) {
            return Ok(());
        }
        Err(gix::Error::from_error(
            self.guard.trip(Tripped::Redirect { to }),
        ))
    }
}

impl<H: Http> Http for Guarded<H> {
    type Headers = H::Headers;
    type ResponseBody = Metered<H::ResponseBody>;
    type PostBody = Sniffing<H::PostBody>;

    fn get(
        &mut self,
        url: &str,
        base_url: &str,
        headers: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> gix::Result<GetResponse<Self::Headers, Self::ResponseBody>> {
        // Nothing more goes to an origin a redirect led to.
        self.check_origin()?;
        let response = self.inner.get(url, base_url, headers)?;
        self.check_origin()?;
        Ok(GetResponse {
            headers: response.headers,
            body: Metered {
                inner: response.body,
                meter: Arc::new(Meter::new(self.guard.clone())),
            },
        })
    }

    fn post(
        &mut self,
        url: &str,
        base_url: &str,
        headers: impl IntoIterator<Item = impl AsRef<str>>,
        body: PostBodyDataKind,
    ) -> gix::Result<PostResponse<Self::Headers, Self::ResponseBody, Self::PostBody>> {
        self.check_origin()?;
        let response = self.inner.post(url, base_url, headers, body)?;
        self.check_origin()?;
        let meter = Arc::new(Meter::new(self.guard.clone()));
        Ok(PostResponse {
            post_body: Sniffing {
                inner: response.post_body,
                meter: Arc::clone(&meter),
            },
            headers: response.headers,
            body: Metered {
                inner: response.body,
                meter,
            },
        })
    }

    fn configure(&mut self, config: &dyn std::any::Any) -> gix::Result<()> {
        self.inner.configure(config)
    }

    fn redirected_base_url(&self) -> Option<String> {
        self.inner.redirected_base_url()
    }
}
