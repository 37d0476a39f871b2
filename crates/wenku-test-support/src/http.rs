//! A minimal HTTP/1.1 front end for `git http-backend`: smart HTTP for
//! tests, on 127.0.0.1.
//!
//! Written to move into the daemon later: [`GitHttpServer::start`] takes a
//! bound listener and a project root, serves each connection on its own
//! thread, runs `git http-backend` as CGI for each request and stops when
//! dropped. What it does that a front end for git must:
//!
//! - passes the `Git-Protocol` request header to the backend as
//!   `GIT_PROTOCOL` (without it git answers in protocol v1, where gix can
//!   loop re-sending requests);
//! - decodes `Transfer-Encoding: chunked` request bodies (gix streams its
//!   `git-upload-pack` POSTs that way when it does not know their length)
//!   and hands the backend a plain body with `CONTENT_LENGTH`;
//! - passes `Content-Encoding` through as `HTTP_CONTENT_ENCODING`: the
//!   backend inflates gzip bodies itself (git sends them; gix does not);
//! - runs the backend with a cleared environment (only `PATH`), no system
//!   or global git configuration, and `GIT_HTTP_EXPORT_ALL`.
//!
//! Every response closes its connection (`Connection: close`), which keeps
//! the server free of keep-alive bookkeeping; clients reconnect.
//!
//! It records each request it saw ([`Seen`]) so tests can check what the
//! client sent. [`Behaviour::DropGitProtocol`] and
//! [`Behaviour::FailUploadPack`] reproduce the misconfigured servers gix
//! must survive.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// How the server behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// As a correct front end does.
    Correct,
    /// Does not pass `Git-Protocol` on (the backend answers in v1).
    DropGitProtocol,
    /// Drops `Git-Protocol` and answers every upload-pack POST with an
    /// empty 200, as a backend whose upload-pack died does.
    FailUploadPack,
    /// Answers every request under `/moved/` with a 301 to the same path
    /// without `/moved` on this server: a redirect within the origin.
    RedirectMoved,
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub git_protocol: Option<String>,
    pub chunked: bool,
    pub content_encoding: Option<String>,
    pub body_bytes: usize,
    pub status: String,
}

/// A running server; stops when dropped.
#[derive(Debug)]
pub struct GitHttpServer {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl GitHttpServer {
    /// Serves the repositories under `root` on `listener`.
    pub fn start(
        listener: TcpListener,
        root: PathBuf,
        behaviour: Behaviour,
    ) -> std::io::Result<GitHttpServer> {
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let stop = Arc::clone(&stop);
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let root = root.clone();
                    let seen = Arc::clone(&seen);
                    std::thread::spawn(move || {
                        if let Err(e) = serve(stream, &root, behaviour, &seen) {
                            eprintln!("git http server: {e}");
                        }
                    });
                }
            })
        };
        Ok(GitHttpServer {
            addr,
            stop,
            accept: Some(accept),
            seen,
        })
    }

    /// Binds 127.0.0.1 on a free port and serves `root`.
    pub fn bind(root: PathBuf, behaviour: Behaviour) -> std::io::Result<GitHttpServer> {
        GitHttpServer::start(TcpListener::bind("127.0.0.1:0")?, root, behaviour)
    }

    /// The URL of the repository `name` under the root.
    pub fn url(&self, name: &str) -> String {
        format!("http://{}/{name}", self.addr)
    }

    /// The requests served so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for GitHttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// Status line, headers and body of a response.
type Response = (String, Vec<(String, String)>, Vec<u8>);

struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    chunked: bool,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn bad(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

fn read_line(reader: &mut impl BufRead) -> std::io::Result<String> {
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line)?;
    if line.last() != Some(&b'\n') {
        return Err(bad("connection closed in the middle of a line"));
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| bad("a header line is not UTF-8"))
}

fn read_request(reader: &mut impl BufRead) -> std::io::Result<Request> {
    let line = read_line(reader)?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(_version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(format!("bad request line {line:?}")));
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("bad header {line:?}")))?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let mut request = Request {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: Vec::new(),
        chunked: false,
    };
    if request
        .header("Transfer-Encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        request.chunked = true;
        loop {
            let size_line = read_line(reader)?;
            let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| bad(format!("bad chunk size {size_line:?}")))?;
            if size == 0 {
                // Trailers, then the blank line.
                while !read_line(reader)?.is_empty() {}
                break;
            }
            let start = request.body.len();
            request.body.resize(start + size, 0);
            reader.read_exact(&mut request.body[start..])?;
            if !read_line(reader)?.is_empty() {
                return Err(bad("chunk not followed by CRLF"));
            }
        }
    } else if let Some(len) = request.header("Content-Length") {
        let len: usize = len.parse().map_err(|_| bad("bad Content-Length"))?;
        request.body.resize(len, 0);
        reader.read_exact(&mut request.body)?;
    }
    Ok(request)
}

fn serve(
    stream: TcpStream,
    root: &std::path::Path,
    behaviour: Behaviour,
    seen: &Mutex<Vec<Seen>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let request = match read_request(&mut reader) {
        Ok(r) => r,
        // A connection that says nothing (the accept loop's wake-up).
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Ok(()),
        Err(e) => return Err(e),
    };
    let git_protocol = request.header("Git-Protocol").map(str::to_string);
    let moved = request.path.strip_prefix("/moved");
    let (status, headers, body) = if let (Behaviour::RedirectMoved, Some(rest)) = (behaviour, moved)
    {
        let location = match request.query.as_str() {
            "" => rest.to_string(),
            q => format!("{rest}?{q}"),
        };
        (
            "301 Moved Permanently".to_string(),
            vec![("Location".to_string(), location)],
            Vec::new(),
        )
    } else if behaviour == Behaviour::FailUploadPack
        && request.method == "POST"
        && request.path.ends_with("/git-upload-pack")
    {
        (
            "200 OK".to_string(),
            vec![(
                "Content-Type".to_string(),
                "application/x-git-upload-pack-result".to_string(),
            )],
            Vec::new(),
        )
    } else {
        run_backend(&request, root, behaviour)?
    };
    seen.lock().unwrap_or_else(|e| e.into_inner()).push(Seen {
        method: request.method.clone(),
        path: request.path.clone(),
        query: request.query.clone(),
        git_protocol,
        chunked: request.chunked,
        content_encoding: request.header("Content-Encoding").map(str::to_string),
        body_bytes: request.body.len(),
        status: status.clone(),
    });
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    out.write_all(head.as_bytes())?;
    out.write_all(&body)?;
    out.flush()?;
    Ok(())
}

/// Runs `git http-backend` for one request; returns status, headers and
/// body of its CGI response.
fn run_backend(
    request: &Request,
    root: &std::path::Path,
    behaviour: Behaviour,
) -> std::io::Result<Response> {
    let mut cmd = Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", root)
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("REQUEST_METHOD", &request.method)
        .env("PATH_INFO", &request.path)
        .env("QUERY_STRING", &request.query)
        .env("CONTENT_LENGTH", request.body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(t) = request.header("Content-Type") {
        cmd.env("CONTENT_TYPE", t);
    }
    if let Some(e) = request.header("Content-Encoding") {
        cmd.env("HTTP_CONTENT_ENCODING", e);
    }
    if behaviour == Behaviour::Correct
        && let Some(p) = request.header("Git-Protocol")
    {
        cmd.env("GIT_PROTOCOL", p);
    }
    let mut child = cmd.spawn()?;
    let mut stdin = child.stdin.take().ok_or_else(|| bad("no stdin"))?;
    let body = request.body.clone();
    // Write the body while reading the answer: either could fill a pipe.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .ok_or_else(|| bad("no stdout"))?
        .read_to_end(&mut output)?;
    let _ = writer.join();
    child.wait()?;
    parse_cgi(&output)
}

fn parse_cgi(output: &[u8]) -> std::io::Result<Response> {
    let (split, sep) = match (find(output, b"\r\n\r\n"), find(output, b"\n\n")) {
        (Some(a), Some(b)) if b < a => (b, 2),
        (Some(a), _) => (a, 4),
        (None, Some(b)) => (b, 2),
        (None, None) => return Err(bad("the backend sent no CGI header")),
    };
    let head = std::str::from_utf8(&output[..split]).map_err(|_| bad("CGI header not UTF-8"))?;
    let mut status = "200 OK".to_string();
    let mut headers = Vec::new();
    for line in head.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k.eq_ignore_ascii_case("Status") {
            status = v.to_string();
        } else {
            headers.push((k.to_string(), v.to_string()));
        }
    }
    Ok((status, headers, output[split + sep..].to_vec()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A server that accepts connections and never answers: a peer that hangs.
#[derive(Debug)]
pub struct Silent {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Silent {
    pub fn bind() -> std::io::Result<Silent> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut held = Vec::new();
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(s) = stream {
                        held.push(s);
                    }
                }
                // Dropping the sockets ends any client still waiting.
            })
        };
        Ok(Silent {
            addr,
            stop,
            accept: Some(accept),
        })
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// A server that answers every request with a redirect to the same path
/// and query under another base URL (another origin).
#[derive(Debug)]
pub struct Redirect {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Redirect {
    /// Binds 127.0.0.1 on a free port; redirects to `target`, a base URL
    /// such as `http://127.0.0.1:4000`.
    pub fn bind(target: &str) -> std::io::Result<Redirect> {
        let target = target.trim_end_matches('/').to_string();
        Redirect::start(move |request| {
            let location = match request.query.as_str() {
                "" => format!("{target}{}", request.path),
                q => format!("{target}{}?{q}", request.path),
            };
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .into_bytes()
        })
    }

    fn start(
        answer: impl Fn(&Request) -> Vec<u8> + Send + Sync + 'static,
    ) -> std::io::Result<Redirect> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let answer = Arc::new(answer);
        let accept = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let answer = Arc::clone(&answer);
                    std::thread::spawn(move || {
                        let Ok(read) = stream.try_clone() else { return };
                        let Ok(request) = read_request(&mut BufReader::new(read)) else {
                            return;
                        };
                        let mut out = stream;
                        let _ = out.write_all(&answer(&request));
                    });
                }
            })
        };
        Ok(Redirect {
            addr,
            stop,
            accept: Some(accept),
        })
    }

    /// The URL of the repository `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("http://{}/{name}", self.addr)
    }
}

impl Drop for Redirect {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// A smart HTTP server whose ref advertisement (protocol v1) never ends:
/// it streams ref after ref until the client hangs up.
#[derive(Debug)]
pub struct EndlessRefs {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    sent: Arc<std::sync::atomic::AtomicU64>,
}

impl EndlessRefs {
    /// Advertises refs without end in protocol v1 (the answer to
    /// `GET info/refs`).
    pub fn bind() -> std::io::Result<EndlessRefs> {
        EndlessRefs::start(false)
    }

    /// Speaks protocol v2: a proper capability advertisement, then an
    /// `ls-refs` answer without end.
    pub fn bind_v2() -> std::io::Result<EndlessRefs> {
        EndlessRefs::start(true)
    }

    fn start(v2: bool) -> std::io::Result<EndlessRefs> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let accept = {
            let stop = Arc::clone(&stop);
            let sent = Arc::clone(&sent);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let sent = Arc::clone(&sent);
                    let stop = Arc::clone(&stop);
                    std::thread::spawn(move || {
                        let Ok(read) = stream.try_clone() else { return };
                        let Ok(request) = read_request(&mut BufReader::new(read)) else {
                            return;
                        };
                        let mut out = std::io::BufWriter::new(stream);
                        if v2 && request.method == "GET" {
                            // The capability advertisement, complete.
                            let caps = [
                                "version 2\n",
                                "ls-refs\n",
                                "fetch\n",
                                "object-format=sha1\n",
                            ]
                            .iter()
                            .map(|c| format!("{:04x}{c}", c.len() + 4))
                            .collect::<String>();
                            let _ = write!(
                                out,
                                "HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\nConnection: close\r\n\r\n001e# service=git-upload-pack\n0000{caps}0000"
                            );
                            return;
                        }
                        let head = if v2 {
                            "HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-result\r\nConnection: close\r\n\r\n"
                        } else {
                            "HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\nConnection: close\r\n\r\n001e# service=git-upload-pack\n0000"
                        };
                        if out.write_all(head.as_bytes()).is_err() {
                            return;
                        }
                        let id = "1".repeat(40);
                        let first = if v2 {
                            format!("{id} refs/heads/main\n")
                        } else {
                            format!("{id} refs/heads/main\0multi_ack side-band-64k ofs-delta\n")
                        };
                        let mut line = format!("{:04x}{first}", first.len() + 4);
                        for n in 0u64.. {
                            if stop.load(Ordering::SeqCst)
                                || out.write_all(line.as_bytes()).is_err()
                            {
                                return;
                            }
                            sent.fetch_add(line.len() as u64, Ordering::Relaxed);
                            let next = format!("{id} refs/heads/branch-{n:012}\n");
                            line = format!("{:04x}{next}", next.len() + 4);
                        }
                    });
                }
            })
        };
        Ok(EndlessRefs {
            addr,
            stop,
            accept: Some(accept),
            sent,
        })
    }

    /// The URL of the repository `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("http://{}/{name}", self.addr)
    }

    /// Bytes of advertisement written so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

impl Drop for EndlessRefs {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}
