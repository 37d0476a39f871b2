//! wenkud's HTTP API under load, against a static file server serving the
//! same bytes.
//!
//! ```sh
//! cargo run --release -p wenku-bench --example api -- [--versions N] [--seconds S] [--connections C] [--only floor,record,text,diff,feed]
//! ```
//!
//! Needs `wrk` (Debian: `apt-get install wrk`), the load generator, run
//! with 2 threads and C connections (64 by default) for S seconds (10) per
//! scenario on 127.0.0.1 after 2 seconds of warm-up that are not counted,
//! its `--latency` distribution read back.
//!
//! The library: a province of N generated versions (100,000 by default,
//! built with the store's batch commits and indexed) plus a 571-article
//! regulation in two versions (`wenku_bench::regulation::regulation_571`).
//! The server is the real `wenku_server::run` in this process. Scenarios,
//! each over 1,000 works spread across the library (requests cycle through
//! them):
//!
//! 1. `floor`: a minimal static file server (axum, each request reads its
//!    file from disk) serving the canonical XML of the very versions that
//!    scenario 3 asks for: the floor for "return some bytes";
//! 2. `record`: `GET /api/v1/works/{id}` (the whole record as JSON);
//! 3. `text`: `GET /api/v1/works/{id}/text?at=DATE&format=xml`, DATE a day
//!    some version took effect;
//! 4. `diff`: the comparison of the regulation's two versions as JSON
//!    (`…/diff?from=REV&to=REV`);
//! 5. `feed`: `/feeds/all.atom`, the last 100 changes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/node.rs"]
mod support;

use support::node;
use tokio_util::sync::CancellationToken;
use wenku_bench::library::province_with_regulation;
use wenku_model::query::Filter;

/// What wrk measured.
#[derive(Debug)]
struct Load {
    requests_per_second: f64,
    p50: Duration,
    p99: Duration,
    failures: u64,
}

fn duration(text: &str) -> Duration {
    let t = text.trim();
    let (n, scale) = if let Some(n) = t.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        (t, 1.0)
    };
    Duration::from_secs_f64(n.parse::<f64>().expect("a number") * scale)
}

/// Runs wrk against `port`, cycling through `paths`.
fn wrk(
    dir: &Path,
    name: &str,
    port: u16,
    paths: &[String],
    seconds: u64,
    connections: u64,
) -> Load {
    let script = dir.join(format!("{name}.lua"));
    let mut lua = String::from("local paths = {\n");
    for p in paths {
        let _ = writeln!(lua, "  {p:?},");
    }
    lua.push_str(
        "}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n",
    );
    std::fs::write(&script, lua).expect("script");
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "--timeout",
            "10s",
            "-s",
            script.to_str().expect("utf8"),
            &format!("http://127.0.0.1:{port}"),
        ])
        .output()
        .expect("wrk runs (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = |prefix: &str| -> Option<String> {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    };
    let failures = line("Non-2xx or 3xx responses:").map_or(0, |n| n.parse().expect("count"))
        + line("Socket errors:").map_or(0, |_| 1);
    Load {
        requests_per_second: line("Requests/sec:")
            .expect("Requests/sec")
            .parse()
            .expect("rate"),
        p50: duration(&line("50%").expect("p50")),
        p99: duration(&line("99%").expect("p99")),
        failures,
    }
}

/// Starts the province node on 127.0.0.1 (any port); returns its port.
async fn province_node(dir: &Path, stop: &CancellationToken) -> u16 {
    let toml = "library = \"library.git\"\nregion = \"370000\"\nshutdown_grace = \"2s\"\n\
                [identity]\nname = \"bench\"\nemail = \"bench@wenku.example\"\n";
    node(dir, toml, stop).await
}

/// A minimal static file server: each request reads `dir/NAME`.
async fn static_server(dir: PathBuf) -> u16 {
    use axum::extract::{Path as UrlPath, State};
    use axum::response::IntoResponse;
    async fn serve(
        State(dir): State<Arc<PathBuf>>,
        UrlPath(name): UrlPath<String>,
    ) -> axum::response::Response {
        match tokio::fs::read(dir.join(&name)).await {
            Ok(bytes) => (
                [(axum::http::header::CONTENT_TYPE, "application/xml")],
                bytes,
            )
                .into_response(),
            Err(_) => axum::http::StatusCode::NOT_FOUND.into_response(),
        }
    }
    let app = axum::Router::new()
        .route("/s/{name}", axum::routing::get(serve))
        .with_state(Arc::new(dir));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, app).await.expect("static server") });
    port
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let versions = wenku_bench::args::number("--versions", 100_000) as usize;
    let seconds = wenku_bench::args::number("--seconds", 10);
    let connections = wenku_bench::args::number("--connections", 64);
    let root = tempfile::tempdir().expect("tmp");
    let dir = root.path().join("node");
    std::fs::create_dir_all(dir.join("static")).expect("mkdir");
    let stop = CancellationToken::new();

    println!("building a province library of {versions} versions and a 571-article regulation …");
    let built = Instant::now();
    let (records, texts, diff) = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let (lib, work) = province_with_regulation(&dir.join("library.git"), versions);
            let snapshot = lib.snapshot().expect("snapshot");
            let all = snapshot.works(&Filter::all()).expect("works");
            let step = (all.len() / 1000).max(1);
            let (mut records, mut texts) = (Vec::new(), Vec::new());
            for (i, w) in all.iter().step_by(step).take(1000).enumerate() {
                let vs = snapshot.versions(w).expect("versions");
                let v = &vs[vs.len() / 2];
                let at = v.effective_date();
                records.push(format!("/api/v1/works/{w}"));
                texts.push(format!("/api/v1/works/{w}/text?at={at}&format=xml"));
                // The floor serves the very bytes the text scenario gets.
                let in_force = snapshot.as_of(w, at).expect("as of");
                let bytes = snapshot
                    .version_bytes(w, &in_force.version.expect("a text in force").revision)
                    .expect("bytes");
                std::fs::write(dir.join("static").join(format!("{i}.xml")), bytes).expect("write");
            }
            let revs = snapshot.versions(&work).expect("versions");
            let diff = format!(
                "/api/v1/works/{work}/diff?from={}&to={}",
                revs[0].revision, revs[1].revision
            );
            (records, texts, diff)
        })
        .await
        .expect("built")
    };
    println!("  built in {:.1} s", built.elapsed().as_secs_f64());
    let port = province_node(&dir, &stop).await;
    let floor_port = static_server(dir.join("static")).await;
    let floor: Vec<String> = (0..texts.len()).map(|i| format!("/s/{i}.xml")).collect();

    let scenarios: Vec<(&str, u16, Vec<String>)> = vec![
        ("floor", floor_port, floor),
        ("record", port, records),
        ("text", port, texts),
        ("diff", port, vec![diff]),
        ("feed", port, vec!["/feeds/all.atom".to_string()]),
    ];
    println!(
        "wrk -t2 -c{connections} -d{seconds}s, {} versions:\n{:<8} {:>10} {:>10} {:>10} {:>8}",
        versions, "scenario", "req/s", "p50", "p99", "failed"
    );
    let only = std::env::args()
        .skip_while(|a| a != "--only")
        .nth(1)
        .unwrap_or_else(|| "floor,record,text,diff,feed".into());
    for (name, port, paths) in scenarios {
        if !only.split(',').any(|o| o == name) {
            continue;
        }
        let dir = root.path().to_path_buf();
        let load = tokio::task::spawn_blocking(move || {
            wrk(&dir, name, port, &paths, seconds, connections)
        })
        .await
        .expect("wrk");
        println!(
            "{name:<8} {:>10.0} {:>8.2}ms {:>8.2}ms {:>8}",
            load.requests_per_second,
            load.p50.as_secs_f64() * 1e3,
            load.p99.as_secs_f64() * 1e3,
            load.failures
        );
    }
    stop.cancel();
}
