//! What the examples that run wenkud share (not an example itself: Cargo
//! takes only `examples/*.rs` and `examples/*/main.rs`).

use std::path::Path;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use wenku_server::Config;

/// Starts a node from TOML on 127.0.0.1 (any port); returns its port.
pub async fn node(dir: &Path, toml: &str, stop: &CancellationToken) -> u16 {
    std::fs::create_dir_all(dir).expect("mkdir");
    let config = Config::parse(toml, &dir.join("wenku.toml"), dir).expect("valid config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let stop = stop.clone();
    tokio::spawn(async move {
        if let Err(e) = wenku_server::run(config, listener, stop).await {
            eprintln!("node failed: {e}");
        }
    });
    // Ready when /readyz says so.
    let started = Instant::now();
    loop {
        if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let _ = s
                .write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await;
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf).await;
            if buf.starts_with(b"HTTP/1.1 200") {
                return port;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "node not ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
