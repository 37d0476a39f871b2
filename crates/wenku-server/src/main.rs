//! `wenkud`: the node daemon. Everything it does is in the `wenku_server`
//! library; this reads the command line and the environment, installs the
//! log subscriber and the signal handlers, binds the port and exits.

use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use tokio_util::sync::CancellationToken;
use wenku_server::Config;
use wenku_server::config::LogFormat;

/// The wenku node daemon: publishes its inbox, pulls its children up and
/// its parent down, and serves its library over git smart HTTP, with
/// health, status and metrics on the same port.
#[derive(Debug, Parser)]
#[command(name = "wenkud", version)]
struct Args {
    /// The configuration file (TOML).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: PathBuf,
    /// Check the configuration and exit: 0 if valid, 2 with the reason if
    /// not.
    #[arg(long)]
    check_config: bool,
    /// Serve on the listening socket given as standard input (systemd
    /// `StandardInput=socket`, or a test that bound the port) instead of
    /// binding `listen` from the configuration.
    #[arg(long)]
    listen_stdin: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("wenkud: {e}");
            return ExitCode::from(2);
        }
    };
    if args.check_config {
        println!("{}: valid", args.config.display());
        return ExitCode::SUCCESS;
    }
    let filter = std::env::var("WENKU_LOG")
        .ok()
        .or_else(|| config.log.level.clone())
        .unwrap_or_else(|| "info".to_string());
    let filter = match tracing_subscriber::EnvFilter::try_new(&filter) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("wenkud: log level {filter:?}: {e}");
            return ExitCode::from(2);
        }
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.with_ansi(false).init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("wenkud: cannot start the runtime: {e}");
            return ExitCode::from(4);
        }
    };
    match runtime.block_on(serve(config, args.listen_stdin)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "wenkud stopped");
            eprintln!("wenkud: {e}");
            ExitCode::from(4)
        }
    }
}

async fn serve(config: Config, listen_stdin: bool) -> Result<(), Box<dyn std::error::Error>> {
    let listener = if listen_stdin {
        let fd = std::io::stdin().as_fd().try_clone_to_owned()?;
        let std_listener = std::net::TcpListener::from(fd);
        std_listener.set_nonblocking(true)?;
        tokio::net::TcpListener::from_std(std_listener)?
    } else {
        tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?
    };
    // Tests and scripts read the address from here.
    println!("listening on {}", listener.local_addr()?);
    let shutdown = CancellationToken::new();
    let pull_now = Arc::new(tokio::sync::Notify::new());
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let mut hup = signal(SignalKind::hangup())?;
        let (shutdown, pull_now) = (shutdown.clone(), Arc::clone(&pull_now));
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = term.recv() => break,
                    _ = int.recv() => break,
                    _ = hup.recv() => pull_now.notify_one(),
                }
            }
            tracing::info!("stopping");
            shutdown.cancel();
        });
    }
    let control = wenku_server::Control {
        shutdown,
        pull_now,
        on_ready: Some(Box::new(|| notify_systemd("READY=1\nSTATUS=serving"))),
    };
    wenku_server::run_with(config, listener, control).await?;
    notify_systemd("STOPPING=1");
    Ok(())
}

/// Tells systemd (`Type=notify`) about the daemon's state, when started by
/// it (`NOTIFY_SOCKET` set); otherwise nothing.
fn notify_systemd(state: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let socket = match std::os::unix::net::UnixDatagram::unbound() {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "cannot notify systemd");
            return;
        }
    };
    let sent = if let Some(name) = path.to_str().and_then(|p| p.strip_prefix('@')) {
        use std::os::linux::net::SocketAddrExt;
        std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
            .and_then(|addr| socket.send_to_addr(state.as_bytes(), &addr))
    } else {
        socket.send_to(state.as_bytes(), &path)
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, "cannot notify systemd");
    }
}
