//! A parent pulling a child's new versions, side by side with `git fetch`
//! of the same objects.
//!
//! ```sh
//! cargo run --release -p wenku-bench --example federation_pull -- [VERSIONS] [RUNS] [--repacked]
//! ```
//!
//! Builds a province library (370000) of VERSIONS generated versions
//! (10,000 by default, seed 1) as the store writes it — batches of about
//! 5,000 versions, one pack each, no deltas — or, with `--repacked`, after
//! `git repack -adf`. Then, RUNS times (5 by default), alternating which
//! goes first:
//!
//! - `git fetch` of its `main` over file:// into a fresh bare repository
//!   (receiving, indexing and git's connectivity check);
//! - `Library::pull` over file:// into a fresh national library (100000)
//!   that has the province as its child: the same objects fetched by gix,
//!   then history, authority and every incoming work verified, the merge
//!   committed and `main` moved.
//!
//! Both sides run the same `git-upload-pack` on the province's library,
//! so the server's work (counting, delta search, compression) is in both.
//! `sync` runs before each measurement so that one run's writeback does not
//! land in the next.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use wenku_bench::library::{clerk, national, province};
use wenku_model::Region;
use wenku_store::federation::{Peer, PullOptions};

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .output()
        .expect("git runs")
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sync() {
    let _ = Command::new("sync").status();
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let repacked = args.iter().any(|a| a == "--repacked");
    let numbers: Vec<usize> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let versions = numbers.first().copied().unwrap_or(10_000);
    let runs = numbers.get(1).copied().unwrap_or(5).max(1);

    let dir = tempfile::tempdir()?;
    let child_path = dir.path().join("370000.git");
    let started = Instant::now();
    let child = province(&child_path, versions);
    if repacked {
        git_ok(&child_path, &["repack", "-adfq"]);
    }
    let counts = git_ok(&child_path, &["count-objects", "-v"]);
    let size = counts
        .lines()
        .find_map(|l| l.strip_prefix("size-pack: "))
        .unwrap_or("?");
    let objects = counts
        .lines()
        .find_map(|l| l.strip_prefix("in-pack: "))
        .unwrap_or("?");
    eprintln!(
        "child: {versions} versions, {objects} objects, {size} KiB of packs{}, built in {:.1} s",
        if repacked { " (repacked)" } else { "" },
        started.elapsed().as_secs_f64()
    );
    let _ = child;
    let source = format!("file://{}", child_path.display());

    let (mut fetches, mut pulls) = (Vec::new(), Vec::new());
    println!("run\tgit fetch\tpull\t(fetch\tcheck\tmerge)\tobjects\tratio");
    for run in 0..runs {
        let mut fetch_time = Duration::ZERO;
        let mut pull_time = Duration::ZERO;
        let mut report = None;
        for step in 0..2 {
            let git_first = run % 2 == 0;
            if (step == 0) == git_first {
                let repo = dir.path().join(format!("fetch-{run}.git"));
                git_ok(
                    dir.path(),
                    &["init", "--bare", "-q", repo.to_str().expect("utf8")],
                );
                sync();
                let t = Instant::now();
                git_ok(
                    &repo,
                    &[
                        "fetch",
                        "-q",
                        "--no-tags",
                        &source,
                        "+refs/heads/main:refs/remotes/child/main",
                    ],
                );
                fetch_time = t.elapsed();
                std::fs::remove_dir_all(&repo)?;
            } else {
                let path = dir.path().join(format!("national-{run}.git"));
                let parent = national(&path);
                sync();
                let t = Instant::now();
                let r = parent.pull(
                    &source,
                    Peer::Child(Region::parse("370000")?),
                    &clerk(),
                    &PullOptions::new(),
                )?;
                pull_time = t.elapsed();
                assert!(r.changed());
                report = Some(r);
                drop(parent);
                std::fs::remove_dir_all(&path)?;
            }
        }
        let r = report.expect("pulled");
        println!(
            "{run}\t{:.3} s\t{:.3} s\t({:.3}\t{:.3}\t{:.3})\t{}\t{:.2}",
            fetch_time.as_secs_f64(),
            pull_time.as_secs_f64(),
            r.timings.fetch.as_secs_f64(),
            r.timings.check.as_secs_f64(),
            r.timings.merge.as_secs_f64(),
            r.fetch.objects,
            pull_time.as_secs_f64() / fetch_time.as_secs_f64()
        );
        fetches.push(fetch_time);
        pulls.push(pull_time);
    }
    let (f, p) = (median(fetches), median(pulls));
    println!(
        "median\t{:.3} s\t{:.3} s\t\t\t\t\t{:.2}",
        f.as_secs_f64(),
        p.as_secs_f64(),
        p.as_secs_f64() / f.as_secs_f64()
    );
    Ok(())
}
