//! The archivists' web pages: server time and transferred size.
//!
//! ```sh
//! cargo run --release -p wenku-bench --example web -- [--versions N] [--requests R]
//! ```
//!
//! The library: a province of N generated versions (100,000 by default,
//! built with the store's batch commits and indexed) plus a 571-article
//! regulation in two versions (`wenku_bench::regulation::regulation_571`),
//! served by the real `wenku_server::run` in this process on 127.0.0.1.
//!
//! Each page is asked for R times (200 by default) one request after the
//! other on a fresh connection, after 5 requests of warm-up that are not
//! counted. Pages are made anew for every request (except the home page,
//! the same for every reader, which is kept per head and day), so each
//! request does the page's whole work: read the record and the texts,
//! compare, render. Reported per page:
//!
//! - **first**: the server time of the very first request;
//! - **server** p50/p99: the time the handler worked, from the page's
//!   `Server-Timing: app;dur=` header (the goal of < 20 ms is on this;
//!   `kept` when every request was served from memory);
//! - **wall** p50/p99: request sent to last byte read, on loopback;
//! - **bytes** as sent plainly and with `Accept-Encoding: gzip`.
//!
//! Pages: the regulation's document page (its current text, 571 articles,
//! with every anchor), its compare page (side by side and the 对照表 of
//! the two versions), a version page, the home page and the province's
//! region page (first page of 50 of all N works, newest first).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[path = "support/node.rs"]
mod support;

use support::node;
use tokio_util::sync::CancellationToken;
use wenku_bench::library::province_with_regulation;

/// One answer: status, server time (ms), body bytes, wall time.
struct Got {
    status: u16,
    server: Option<f64>,
    bytes: usize,
    wall: Duration,
}

fn get(port: u16, path: &str, gzip: bool) -> Got {
    let started = Instant::now();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120)))
        .expect("timeout");
    let enc = if gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n{enc}\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let wall = started.elapsed();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let server = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("server-timing: app;dur=")
                .map(str::to_string)
        })
        .and_then(|v| v.trim().parse().ok());
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = &raw[split + 4..];
    let bytes = if chunked {
        dechunked_len(body)
    } else {
        body.len()
    };
    Got {
        status,
        server,
        bytes,
        wall,
    }
}

fn dechunked_len(mut data: &[u8]) -> usize {
    let mut n = 0;
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        n += size;
        data = &data[(eol + 2 + size + 2).min(data.len())..];
    }
    n
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let versions = wenku_bench::args::number("--versions", 100_000) as usize;
    let requests = wenku_bench::args::number("--requests", 200) as usize;
    let root = tempfile::tempdir().expect("tmp");
    let dir = root.path().join("node");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let stop = CancellationToken::new();

    println!("building a province library of {versions} versions and a 571-article regulation …");
    let built = Instant::now();
    let (work, old, new) = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let (lib, work) = province_with_regulation(&dir.join("library.git"), versions);
            let revs = lib
                .snapshot()
                .expect("snapshot")
                .versions(&work)
                .expect("versions");
            (work, revs[0].revision, revs[1].revision)
        })
        .await
        .expect("built")
    };
    println!("  built in {:.1} s", built.elapsed().as_secs_f64());
    let toml = "library = \"library.git\"\nregion = \"370000\"\nshutdown_grace = \"2s\"\n\
                [identity]\nname = \"bench\"\nemail = \"bench@wenku.example\"\n";
    let port = node(&dir, toml, &stop).await;

    let pages = vec![
        ("document", format!("/works/{work}")),
        (
            "compare",
            format!("/works/{work}/compare?from={old}&to={new}"),
        ),
        ("version", format!("/works/{work}/versions/{old}")),
        ("home", "/".to_string()),
        ("region", "/regions/370000".to_string()),
    ];
    let results = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        for (name, path) in pages {
            let mut first = None;
            for _ in 0..5 {
                let g = get(port, &path, false);
                assert_eq!(g.status, 200, "{path}");
                first = first.or(g.server);
            }
            let (mut server, mut wall) = (Vec::new(), Vec::new());
            let mut bytes = 0;
            for _ in 0..requests {
                let g = get(port, &path, false);
                assert_eq!(g.status, 200, "{path}");
                // A page kept in memory says no server time: it took none.
                server.extend(g.server);
                wall.push(g.wall.as_secs_f64() * 1e3);
                bytes = g.bytes;
            }
            let gz = get(port, &path, true);
            assert_eq!(gz.status, 200, "{path}");
            server.sort_by(f64::total_cmp);
            wall.sort_by(f64::total_cmp);
            out.push((name, first, server, wall, bytes, gz.bytes));
        }
        out
    })
    .await
    .expect("measured");
    println!(
        "{requests} requests per page, one at a time, {versions} versions:\n\
         {:<10} {:>11} {:>11} {:>11} {:>11} {:>11} {:>10} {:>10}",
        "page", "first", "server p50", "server p99", "wall p50", "wall p99", "bytes", "gzip"
    );
    for (name, first, server, wall, bytes, gz) in results {
        let ms = |v: f64| {
            if v.is_nan() {
                "kept".to_string()
            } else {
                format!("{v:.2}ms")
            }
        };
        println!(
            "{name:<10} {:>11} {:>11} {:>11} {:>9.2}ms {:>9.2}ms {:>10} {:>10}",
            ms(first.unwrap_or(f64::NAN)),
            ms(percentile(&server, 0.5)),
            ms(percentile(&server, 0.99)),
            percentile(&wall, 0.5),
            percentile(&wall, 0.99),
            bytes,
            gz
        );
    }
    stop.cancel();
}
