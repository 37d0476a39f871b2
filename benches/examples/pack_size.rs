//! Pack sizes: what wenku writes against what `git repack -adf` makes of
//! the same objects, and compaction's time against git's.
//!
//! ```sh
//! cargo run --release -p wenku-bench --example pack_size -- [--versions N]
//! ```
//!
//! The library: the generator's province of N versions (10,000 by
//! default; seed 1), loaded in 5,000-version batches (one pack each, each
//! batch's versions of one work stored as deltas of each other). Measured,
//! each on its own copy of the loaded library:
//!
//! 1. **as written**: the packs' bytes after the load;
//! 2. **wenku compaction**: every pack merged into one by
//!    `Library::maintain` (deltas planned from the packs' trees), its time
//!    and size;
//! 3. **git**: `git repack -adf` (every object, deltas searched anew with
//!    git's window), its time and size;
//!
//! then the ratios wenku ÷ git, and `git fsck --full` on the compacted copy.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use wenku_bench::library::province;
use wenku_store::{CommitOptions, Library};

fn pack_bytes(git_dir: &Path) -> (u64, usize) {
    let dir = git_dir.join("objects").join("pack");
    let mut bytes = 0;
    let mut packs = 0;
    for e in std::fs::read_dir(&dir).expect("pack dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".pack") {
            packs += 1;
        }
        if name.ends_with(".pack") || name.ends_with(".idx") {
            bytes += e.metadata().expect("metadata").len();
        }
    }
    (bytes, packs)
}

fn copy(from: &Path, to: &Path) {
    let ok = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp runs")
        .success();
    assert!(ok, "copy {} to {}", from.display(), to.display());
}

fn mb(b: u64) -> f64 {
    b as f64 / 1e6
}

fn main() {
    let versions = wenku_bench::args::number("--versions", 10_000) as usize;
    let tmp = tempfile::tempdir().expect("tmp");
    let loaded = tmp.path().join("loaded.git");
    let started = Instant::now();
    let lib = province(&loaded, versions);
    let git_dir = lib.git_dir().to_path_buf();
    drop(lib);
    println!(
        "loaded {versions} versions in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let (written, packs) = pack_bytes(&git_dir);
    println!("as written: {packs} packs, {:.1} MB", mb(written));

    // wenku: every pack into one.
    let ours = tmp.path().join("ours.git");
    copy(&loaded, &ours);
    let lib = Library::open(&ours)
        .expect("open")
        .with_commit_options(CommitOptions {
            max_packs: 1,
            ..CommitOptions::default()
        });
    let started = Instant::now();
    let done = lib.maintain().expect("compaction");
    let ours_time = started.elapsed().as_secs_f64();
    let (ours_bytes, ours_packs) = pack_bytes(lib.git_dir());
    println!(
        "wenku compaction: {} packs merged, {} objects, {ours_time:.2} s, {ours_packs} pack(s), {:.1} MB",
        done.compaction.merged_packs,
        done.compaction.objects,
        mb(ours_bytes)
    );
    let fsck = Command::new("git")
        .args(["fsck", "--full", "--no-dangling"])
        .current_dir(lib.git_dir())
        .output()
        .expect("git fsck runs");
    assert!(
        fsck.status.success(),
        "git fsck: {}",
        String::from_utf8_lossy(&fsck.stderr)
    );
    println!("git fsck --full on the compacted library: ok");

    // git: repack everything, deltas searched anew.
    let theirs = tmp.path().join("theirs.git");
    copy(&loaded, &theirs);
    let started = Instant::now();
    let ok = Command::new("git")
        .args(["repack", "-adf", "-q"])
        .current_dir(&theirs)
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git repack");
    let git_time = started.elapsed().as_secs_f64();
    let (git_bytes, git_packs) = pack_bytes(&theirs);
    println!(
        "git repack -adf: {git_time:.2} s, {git_packs} pack(s), {:.1} MB",
        mb(git_bytes)
    );
    println!(
        "wenku ÷ git: size {:.3}× (as written {:.3}×), time {:.2}×",
        ours_bytes as f64 / git_bytes as f64,
        written as f64 / git_bytes as f64,
        ours_time / git_time
    );

    // What deltas cost readers: every version's text read and decoded,
    // from the compacted library, from git's repack (chains up to 50),
    // and from a copy without deltas (`git repack -adf --window=0`).
    let plain = tmp.path().join("plain.git");
    copy(&loaded, &plain);
    let ok = Command::new("git")
        .args(["repack", "-adf", "-q", "--window=0"])
        .current_dir(&plain)
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git repack --window=0");
    let (plain_bytes, _) = pack_bytes(&plain);
    println!(
        "without deltas (git repack -adf --window=0): {:.1} MB",
        mb(plain_bytes)
    );
    for (name, path) in [("no deltas", &plain), ("wenku", &ours), ("git", &theirs)] {
        let lib = Library::open(path).expect("open");
        let snapshot = lib.snapshot().expect("snapshot");
        let works = snapshot
            .works(&wenku_model::query::Filter::all())
            .expect("works");
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..3 {
            let snapshot = lib.snapshot().expect("snapshot");
            let started = Instant::now();
            n = 0;
            for w in &works {
                for v in snapshot.versions(w).expect("versions") {
                    snapshot.document(w, &v.revision).expect("document");
                    n += 1;
                }
            }
            best = best.min(started.elapsed().as_secs_f64());
        }
        println!(
            "reading every version ({n}) from {name}: {:.2} s, {:.1} µs each (best of 3)",
            best,
            best * 1e6 / n as f64
        );
    }
}
