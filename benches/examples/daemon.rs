//! wenkud measured: a served clone against `git daemon`, propagation from a
//! county's inbox to the province, inbox throughput against a one-shot
//! import of the same files, and an idle node's CPU and memory.
//!
//! ```sh
//! cargo run --release -p wenku-bench --example daemon -- [--versions N] [--interval SECS] [--files N] [--idle SECS] [--stages clone,propagation,inbox,idle]
//! ```
//!
//! Every server is the real `wenku_server::run` on 127.0.0.1 in this
//! process (one tokio runtime), with the real `git` on the other side:
//!
//! 1. **Served clone**: a province library of N generated versions
//!    (100,000 by default; built once with the store's batch commits), then
//!    `git clone --bare` of it over `http://…/git` (wenkud: `git
//!    http-backend` behind axum) and over `git://` (`git daemon --inetd`
//!    per connection), alternating, 3 runs each; the ratio of medians.
//! 2. **Propagation**: province, city and county nodes, every pull interval
//!    INTERVAL seconds (2 by default); a document renamed into the county's
//!    inbox, timed until the province's library holds it. Three documents.
//!    What to compare it with: the inbox scan plus two pull intervals.
//! 3. **Inbox throughput**: FILES notices (200 by default) renamed into a
//!    county's inbox at once, timed until the last receipt; against
//!    `wenku_service::import` of the same files in one transaction (what
//!    `wenku import FILES…` does) and in one transaction per file.
//! 4. **Idle**: a node with 20 children (file paths of 20 small libraries,
//!    pulled every 30 s) left alone for IDLE seconds (60 by default): the
//!    process's CPU time over that minute and its resident memory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "support/node.rs"]
mod support;

use support::node;
use tokio_util::sync::CancellationToken;
use wenku_bench::library::{clerk, province};
use wenku_service::import::{self, Input, Request};
use wenku_store::{InitOptions, Library};
use wenku_test_support::fixtures::county_notice as notice;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn drop_in(inbox: &Path, name: &str, text: &str) {
    let part = inbox.join(format!("{name}.part"));
    std::fs::write(&part, text).expect("write");
    std::fs::rename(&part, inbox.join(name)).expect("rename");
}

fn works_in(path: &Path) -> usize {
    Library::open(path)
        .ok()
        .and_then(|l| l.snapshot().ok())
        .and_then(|s| s.works(&wenku_model::query::Filter::all()).ok())
        .map_or(0, |w| w.len())
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().expect("utime") + f[12].parse::<f64>().expect("stime");
    ticks / 100.0
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .expect("status")
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn toml_base(region: &str, extra: &str) -> String {
    format!(
        "library = \"library.git\"\nregion = \"{region}\"\nshutdown_grace = \"2s\"\n\
         [identity]\nname = \"bench\"\nemail = \"bench@wenku.example\"\n{extra}"
    )
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, idle, dir] = args.as_slice()
        && flag == "--idle-child"
    {
        idle_child(idle.parse().expect("seconds"), PathBuf::from(dir)).await;
        return;
    }
    let versions = wenku_bench::args::number("--versions", 100_000) as usize;
    let interval = wenku_bench::args::number("--interval", 2);
    let files = wenku_bench::args::number("--files", 200) as usize;
    let idle = wenku_bench::args::number("--idle", 60);
    let root = tempfile::tempdir().expect("tmp");
    let stop = CancellationToken::new();

    let stages = std::env::args()
        .skip_while(|a| a != "--stages")
        .nth(1)
        .unwrap_or_else(|| "clone,propagation,inbox,idle".to_string());
    let stage = |name: &str| stages.split(',').any(|s| s == name);
    let inbox = "[inbox]\ndir = \"inbox\"\nscan_interval = \"200ms\"\nsettle = \"200ms\"\n";
    if stage("clone") {
        // 1. Served clone against git daemon.
        let lib_dir = root.path().join("clone-src");
        std::fs::create_dir_all(&lib_dir).expect("mkdir");
        let source = lib_dir.join("library.git");
        println!("building a province library of {versions} versions …");
        let built = Instant::now();
        {
            let source = source.clone();
            tokio::task::spawn_blocking(move || drop(province(&source, versions)))
                .await
                .expect("built");
        }
        println!("  built in {:.1} s", built.elapsed().as_secs_f64());
        let port = node(&lib_dir, &toml_base("370000", ""), &stop).await;
        let daemon =
            wenku_test_support::daemon::GitDaemon::start(lib_dir.clone()).expect("git daemon");
        let (mut served, mut plain) = (Vec::new(), Vec::new());
        for run in 0..3 {
            for http_first in [run % 2 == 0, run % 2 != 0] {
                let (url, into) = if http_first {
                    (format!("http://127.0.0.1:{port}/git"), &mut served)
                } else {
                    (daemon.url("library.git"), &mut plain)
                };
                let target = root.path().join(format!("clone-{run}-{http_first}.git"));
                let dir = root.path().to_path_buf();
                let t = Instant::now();
                tokio::task::spawn_blocking(move || {
                    git(
                        &dir,
                        &[
                            "clone",
                            "-q",
                            "--bare",
                            &url,
                            target.to_str().expect("utf8"),
                        ],
                    );
                    std::fs::remove_dir_all(&target).expect("remove clone");
                })
                .await
                .expect("clone");
                into.push(t.elapsed());
            }
        }
        let (s, p) = (median(served), median(plain));
        println!(
            "served clone of {versions} versions: wenkud {:.2} s, git daemon {:.2} s, ratio {:.2}",
            s.as_secs_f64(),
            p.as_secs_f64(),
            s.as_secs_f64() / p.as_secs_f64()
        );
        drop(daemon);
    }
    if stage("propagation") {
        // 2. Propagation county inbox → province library.
        let (pd, cd, kd) = (
            root.path().join("province"),
            root.path().join("city"),
            root.path().join("county"),
        );
        let pull = format!("[pull]\ninterval = \"{interval}s\"\ntimeout = \"60s\"\n");
        // Ports are needed before peers are configured: the county and city
        // have only children below them and parents above them, so start them
        // bottom-up and give each its child's URL.
        let k_port = node(&kd, &toml_base("370283", &format!("{inbox}{pull}")), &stop).await;
        let c_port = node(
            &cd,
            &toml_base(
                "370200",
                &format!(
                    "{pull}[[child]]\nregion = \"370283\"\nurl = \"http://127.0.0.1:{k_port}/git\"\n"
                ),
            ),
            &stop,
        )
        .await;
        node(
            &pd,
            &toml_base(
                "370000",
                &format!(
                    "{pull}[[child]]\nregion = \"370200\"\nurl = \"http://127.0.0.1:{c_port}/git\"\n"
                ),
            ),
            &stop,
        )
        .await;
        let mut times = Vec::new();
        for n in 0..3 {
            let before = works_in(&pd.join("library.git"));
            let t = Instant::now();
            drop_in(&kd.join("inbox"), &format!("p{n}.txt"), &notice(10_000 + n));
            while works_in(&pd.join("library.git")) <= before {
                tokio::time::sleep(Duration::from_millis(50)).await;
                assert!(t.elapsed() < Duration::from_secs(300), "no propagation");
            }
            times.push(t.elapsed());
        }
        println!(
            "propagation county inbox → province (pull interval {interval} s at both levels): {}",
            times
                .iter()
                .map(|t| format!("{:.2} s", t.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if stage("inbox") {
        // 3. Inbox throughput against a one-shot import.
        let td = root.path().join("throughput");
        let t_inbox = td.join("inbox");
        std::fs::create_dir_all(&t_inbox).expect("mkdir");
        let texts: Vec<(String, String)> = (0..files)
            .map(|n| (format!("f{n:04}.txt"), notice(n)))
            .collect();
        node(&td, &toml_base("370283", inbox), &stop).await;
        let t = Instant::now();
        for (name, text) in &texts {
            drop_in(&t_inbox, name, text);
        }
        let done = t_inbox.join("done");
        while std::fs::read_dir(&done)
            .map(|d| {
                d.filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".receipt.json"))
                })
                .count()
            })
            .unwrap_or(0)
            < files
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
            assert!(t.elapsed() < Duration::from_secs(1800), "inbox stalled");
        }
        let inbox_time = t.elapsed();
        let raw = td.join("raw");
        std::fs::create_dir_all(&raw).expect("mkdir");
        for (name, text) in &texts {
            std::fs::write(raw.join(name), text).expect("write");
        }
        let one_shot = |per_file: bool| {
            let dir = tempfile::tempdir().expect("tmp");
            let lib = Library::init(
                dir.path().join("l.git"),
                wenku_model::Region::parse("370283").expect("region"),
                InitOptions::new(clerk()),
            )
            .expect("init");
            let t = Instant::now();
            let inputs: Vec<Input> = texts
                .iter()
                .map(|(name, _)| {
                    Input::new(
                        raw.join(name),
                        wenku_import::import_file(&raw.join(name), &Default::default())
                            .expect("imports"),
                    )
                })
                .collect();
            if per_file {
                for input in inputs {
                    import::import(&lib, &clerk(), &[input], &Request::default()).expect("import");
                }
            } else {
                import::import(&lib, &clerk(), &inputs, &Request::default()).expect("import");
            }
            t.elapsed()
        };
        let (batch, each) = (one_shot(false), one_shot(true));
        let rate = |d: Duration| files as f64 / d.as_secs_f64();
        println!(
            "inbox: {files} files in {:.2} s ({:.1} files/s); one transaction {:.2} s ({:.1} files/s); one transaction per file {:.2} s ({:.1} files/s)",
            inbox_time.as_secs_f64(),
            rate(inbox_time),
            batch.as_secs_f64(),
            rate(batch),
            each.as_secs_f64(),
            rate(each)
        );
    }
    if stage("idle") {
        // 4. Idle with 20 peers.
        let id = root.path().join("idle");
        std::fs::create_dir_all(&id).expect("mkdir");
        for i in 0..20 {
            let region = format!("3702{:02}", 10 + i);
            let path = id.join(format!("child-{region}.git"));
            let lib = Library::init(
                &path,
                wenku_model::Region::parse(&region).expect("region"),
                InitOptions::new(clerk()),
            )
            .expect("init child");
            drop(lib);
        }
        stop.cancel();
        // In a process of its own, so that its memory is the idle node's.
        let out = Command::new(std::env::current_exe().expect("this program"))
            .args([
                "--idle-child",
                &idle.to_string(),
                id.to_str().expect("utf8"),
            ])
            .output()
            .expect("the idle node runs");
        print!("{}", String::from_utf8_lossy(&out.stdout));
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Stage 4 in a child process: the node over `dir`'s 20 child libraries.
async fn idle_child(idle: u64, id: PathBuf) {
    let mut children = String::new();
    for i in 0..20 {
        let region = format!("3702{:02}", 10 + i);
        let path = id.join(format!("child-{region}.git"));
        children.push_str(&format!(
            "[[child]]\nregion = \"{region}\"\nurl = \"{}\"\n",
            path.display()
        ));
    }
    let idle_stop = CancellationToken::new();
    node(
        &id,
        &toml_base("370200", &format!("[pull]\ninterval = \"30s\"\n{children}")),
        &idle_stop,
    )
    .await;
    // Let the first round of pulls (at start) finish, then measure.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    tokio::time::sleep(Duration::from_secs(idle)).await;
    let cpu = cpu_seconds() - cpu0;
    println!(
        "idle with 20 peers (pull interval 30 s) over {:.0} s: CPU {:.2} s ({:.2} %), RSS {} MiB",
        t0.elapsed().as_secs_f64(),
        cpu,
        100.0 * cpu / t0.elapsed().as_secs_f64(),
        rss_kib() / 1024
    );
    idle_stop.cancel();
}
