//! The library over git's smart HTTP protocol, read-only, at `/git`:
//! `git clone http://HOST:PORT/git` and `wenku pull http://HOST:PORT/git`.
//!
//! gitoxide has no server side, so each request runs the real
//! `git http-backend` as a CGI program. Request and response bodies are
//! streamed through its pipes (a pack is never held in memory), the
//! client's `Git-Protocol` header is passed on (protocol v2) after a strict
//! check, the node's internal refs (`refs/wenku/*`: incoming, quarantine,
//! accepted heads) are hidden with `uploadpack.hideRefs` given through the
//! environment, and there is no route to `git-receive-pack`: nothing can
//! be pushed.

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_util::io::ReaderStream;

use crate::Shared;

/// `GET /git/info/refs?service=git-upload-pack` and
/// `POST /git/git-upload-pack`; everything else under `/git` is refused.
pub(crate) async fn serve(
    State(shared): State<std::sync::Arc<Shared>>,
    UrlPath(path): UrlPath<String>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let query = query.unwrap_or_default();
    let allowed = match (path.as_str(), &method) {
        ("info/refs", &Method::GET) => query.split('&').any(|p| p == "service=git-upload-pack"),
        ("git-upload-pack", &Method::POST) => true,
        _ => false,
    };
    if !allowed {
        let pushing = path == "git-receive-pack" || query.contains("service=git-receive-pack");
        return if pushing {
            (
                StatusCode::FORBIDDEN,
                "this library is read-only: nothing can be pushed\n",
            )
                .into_response()
        } else {
            (
                StatusCode::NOT_FOUND,
                "not a git smart HTTP route of this library\n",
            )
                .into_response()
        };
    }
    shared.state.git_requests.fetch_add(1, Ordering::Relaxed);
    match backend(
        shared.library.git_dir(),
        &path,
        &query,
        &method,
        &headers,
        body,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "git http-backend failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "git failed on the server\n",
            )
                .into_response()
        }
    }
}

/// Longest pause allowed between two chunks of a request body.
const BODY_IDLE: std::time::Duration = std::time::Duration::from_secs(60);

/// Bytes read from git at a time for the response.
const STREAM_CHUNK: usize = 256 * 1024;

/// `version=2`, `version=2:object-format=sha1` …: what git sends, and
/// nothing that could smuggle anything into the environment.
fn protocol_ok(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 256
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=:._,-".contains(&b))
}

async fn backend(
    git_dir: &Path,
    path: &str,
    query: &str,
    method: &Method,
    headers: &HeaderMap,
    body: Body,
) -> std::io::Result<Response> {
    let mut cmd = tokio::process::Command::new("git");
    // Only what the backend needs: nothing of the daemon's environment
    // (a GIT_DIR, a HOME with a .gitconfig) reaches git.
    cmd.arg("http-backend").env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("GIT_PROJECT_ROOT", git_dir)
        .env("PATH_INFO", format!("/{path}"))
        .env("REQUEST_METHOD", method.as_str())
        .env("QUERY_STRING", query)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_COUNT", "2")
        .env("GIT_CONFIG_KEY_0", "uploadpack.hideRefs")
        .env("GIT_CONFIG_VALUE_0", "refs/wenku/")
        .env("GIT_CONFIG_KEY_1", "safe.directory")
        .env("GIT_CONFIG_VALUE_1", git_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let text = |name: HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(t) = text(header::CONTENT_TYPE) {
        cmd.env("CONTENT_TYPE", t);
    }
    if let Some(l) = text(header::CONTENT_LENGTH) {
        cmd.env("CONTENT_LENGTH", l);
    }
    if let Some(e) = text(header::CONTENT_ENCODING) {
        cmd.env("HTTP_CONTENT_ENCODING", e);
    }
    if let Some(p) = text(HeaderName::from_static("git-protocol"))
        && protocol_ok(p)
    {
        cmd.env("GIT_PROTOCOL", p);
    }
    let mut child = cmd.spawn()?;
    let mut stdin = child.stdin.take().expect("stdin was piped");
    let stdout = child.stdout.take().expect("stdout was piped");
    let stderr = child.stderr.take().expect("stderr was piped");
    // The request body goes in as it arrives; git reads while it answers.
    tokio::spawn(async move {
        let mut stream = body.into_data_stream();
        // A client that stops sending mid-request must not hold a git
        // process: each chunk has to arrive within BODY_IDLE.
        while let Ok(Some(chunk)) = tokio::time::timeout(BODY_IDLE, stream.next()).await {
            let Ok(chunk) = chunk else { break };
            if stdin.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = stdin.shutdown().await;
    });
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::warn!(git = %line, "git http-backend");
        }
    });
    // CGI headers, then the body.
    // Large reads: a pack streams through in few, big chunks.
    let mut out = BufReader::with_capacity(STREAM_CHUNK, stdout);
    let mut status = StatusCode::OK;
    let mut response_headers = HeaderMap::new();
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).await? == 0 {
            break;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            if let Some(code) = value.split_whitespace().next()
                && let Ok(code) = code.parse::<u16>()
                && let Ok(code) = StatusCode::from_u16(code)
            {
                status = code;
            }
        } else if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response_headers.append(n, v);
        }
    }
    // `child` is moved into the stream so that it lives (and is killed on
    // drop) exactly as long as the response is being sent.
    let stream = ReaderStream::with_capacity(out, STREAM_CHUNK).map(move |chunk| {
        let _ = &child;
        chunk
    });
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = status;
    *response.headers_mut() = response_headers;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::protocol_ok;

    #[test]
    fn only_plain_protocol_values_reach_git() {
        assert!(protocol_ok("version=2"));
        assert!(protocol_ok("version=2:object-format=sha1"));
        assert!(!protocol_ok(""));
        assert!(!protocol_ok("version=2\nGIT_DIR=/etc"));
        assert!(!protocol_ok("version=2; rm -rf /"));
        assert!(!protocol_ok(&"a".repeat(300)));
    }
}
