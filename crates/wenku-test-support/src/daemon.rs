//! `git daemon` on 127.0.0.1 for git:// tests, without a race for a port:
//! the test binds the listener itself and runs `git daemon --inetd` for each
//! connection, with the socket as its stdin and stdout.

use std::net::{TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// Serves the repositories under a base path over git://; stops when
/// dropped.
#[derive(Debug)]
pub struct GitDaemon {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl GitDaemon {
    pub fn start(base: PathBuf) -> std::io::Result<GitDaemon> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if let Err(e) = spawn(stream, &base) {
                        eprintln!("git daemon: {e}");
                    }
                }
            })
        };
        Ok(GitDaemon {
            addr,
            stop,
            accept: Some(accept),
        })
    }

    /// The URL of the repository `name` under the base path.
    pub fn url(&self, name: &str) -> String {
        format!("git://{}/{name}", self.addr)
    }
}

fn spawn(stream: TcpStream, base: &std::path::Path) -> std::io::Result<()> {
    let input = OwnedFd::from(stream.try_clone()?);
    let output = OwnedFd::from(stream);
    let mut child = Command::new("git")
        .arg("daemon")
        .arg("--inetd")
        .arg("--export-all")
        .arg("--log-destination=none")
        .arg(format!("--base-path={}", base.display()))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", base)
        .stdin(Stdio::from(input))
        .stdout(Stdio::from(output))
        .stderr(Stdio::null())
        .spawn()?;
    // Reap it when the connection ends.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}
