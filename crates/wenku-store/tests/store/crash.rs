//! Crash safety: real writer processes killed with SIGKILL.

use super::*;

const WRITER_LIB: &str = "WENKU_TEST_WRITER_LIB";
const WRITER_SEED: &str = "WENKU_TEST_WRITER_SEED";
const WRITER_COMMITS: &str = "WENKU_TEST_WRITER_COMMITS";

/// The writer process of the kill test: this test binary re-run with only
/// this (ignored) test selected. It commits a deterministic mix of single
/// publishes, added versions and packed batches, printing each new head.
#[test]
#[ignore = "helper process for killed_writers_leave_main_at_a_committed_state"]
fn kill_helper_writer() {
    let Ok(path) = std::env::var(WRITER_LIB) else {
        return;
    };
    let seed: i64 = std::env::var(WRITER_SEED)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let commits: usize = std::env::var(WRITER_COMMITS)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let lib = Library::open(&path)
        .expect("open")
        .with_clock(Arc::new(SteppingClock::new(
            Timestamp::new(START + seed * 1_000_000, 480).expect("valid"),
            1,
        )));
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for i in 0..commits {
        let tx: Transaction = match i % 4 {
            // 40 works = 80 files: written as one pack
            0 => (0..40)
                .map(|j| {
                    publish_op(
                        &format!("370200/k{seed}-{i}-{j}"),
                        &format!("{seed}-{i}-{j}"),
                    )
                })
                .collect(),
            1 | 2 => publish_op(&format!("370200/k{seed}-{i}-0"), &format!("{seed}-{i}")).into(),
            _ => Op::AddVersion {
                work: w(&format!("370200/k{seed}-{}-0", i - 1)),
                version: NewVersion::new(doc("标题", &format!("{seed}-{i}-new")), d("2026-01-01")),
            }
            .into(),
        };
        let c = lib.commit(&clerk(), tx).expect("commit");
        writeln!(out, "committed {}", c.head()).expect("stdout");
        out.flush().expect("stdout");
    }
}

/// A small deterministic generator for kill delays.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn spawn_writer(path: &Path, seed: u64, commits: Option<usize>) -> std::process::Child {
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = Command::new(exe);
    cmd.args([
        "crash::kill_helper_writer",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env(WRITER_LIB, path)
    .env(WRITER_SEED, seed.to_string())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    if let Some(n) = commits {
        cmd.env(WRITER_COMMITS, n.to_string());
    }
    cmd.spawn().expect("spawn writer")
}

fn is_ancestor(path: &Path, ancestor: &str, of: &str) -> bool {
    git(path, &["merge-base", "--is-ancestor", ancestor, of])
        .status
        .success()
}

#[test]
fn killed_writers_leave_main_at_a_committed_state() {
    use std::io::BufRead;
    let t = tmp();
    let path = t.path().join("lib");
    let lib = new_lib(&path, "370200", &[]);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    // 25 rounds of two writers: 50 kills. WENKU_KILL_ROUNDS raises it for
    // stress runs.
    let rounds: u64 = std::env::var("WENKU_KILL_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(25);
    let mut kills = 0;
    for round in 0..rounds {
        let before = lib.head().expect("head").to_string();
        // Two writers race each other; each is killed at a random moment
        // after its first commit, mid-way through a later one.
        let mut writers: Vec<_> = (0..2)
            .map(|k| spawn_writer(&path, round * 2 + k, None))
            .collect();
        let mut reported = Vec::new();
        for child in &mut writers {
            let stdout = child.stdout.take().expect("piped");
            let mut lines = std::io::BufReader::new(stdout).lines();
            // Wait for the event: the writer is committing.
            for line in lines.by_ref() {
                let line = line.expect("read");
                if let Some(id) = line.strip_prefix("committed ") {
                    reported.push(id.to_string());
                    break;
                }
            }
            std::thread::sleep(std::time::Duration::from_micros(rng.below(25_000)));
            child.kill().expect("SIGKILL");
            let status = child.wait().expect("wait");
            kills += 1;
            for line in lines {
                if let Some(id) = line.expect("read").strip_prefix("committed ") {
                    reported.push(id.to_string());
                }
            }
            if status.success() {
                continue;
            }
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "writer failed: {:?}", {
                let mut s = String::new();
                use std::io::Read;
                child.stderr.take().map(|mut e| e.read_to_string(&mut s));
                s
            });
        }
        let after = lib.head().expect("head").to_string();
        assert!(
            is_ancestor(&path, &before, &after),
            "round {round}: main moved backwards"
        );
        for id in &reported {
            assert!(
                is_ancestor(&path, id, &after),
                "round {round}: reported commit {id} was lost"
            );
        }
        let report = lib.verify().expect("verify");
        assert!(report.is_clean(), "round {round}:\n{report}");
    }
    assert_eq!(kills, rounds * 2);
    // The library is still writable by a new process (no stale lock).
    let mut last = spawn_writer(&path, 1000, Some(5));
    let status = last.wait().expect("wait");
    assert!(status.success(), "a writer after the kills failed");
    assert_clean(&lib);
    fsck(&path);
}

#[test]
fn batches_keep_the_number_of_packs_small() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]).with_commit_options(CommitOptions {
        pack_threshold: 3,
        max_packs: 4,
        ..CommitOptions::default()
    });
    // An old reader opened before any pack exists must see every later one.
    let early = Library::open(t.path()).expect("open");
    // An unreachable object that exists only in a pack, as one written by a
    // writer that has not moved main yet: compaction must keep it.
    let file = t.path().join("pending.txt");
    std::fs::write(&file, "pending").expect("write");
    let pending = git_ok(
        t.path(),
        &["hash-object", "-w", file.to_str().expect("utf8")],
    );
    let pending = pending.trim().to_string();
    let mut child = Command::new("git")
        .args(["pack-objects", "-q", "objects/pack/pack"])
        .current_dir(t.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("git pack-objects");
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{pending}\n").as_bytes())
            .expect("write");
    }
    assert!(child.wait().expect("wait").success());
    git_ok(t.path(), &["prune-packed"]);
    let mut revs = Vec::new();
    // Enough batches for many rounds of compaction, each replacing packs
    // that both libraries' object stores had loaded.
    for i in 0..200 {
        let tx: Transaction = (0..2)
            .map(|j| publish_op(&format!("370200/p{i}-{j}"), &format!("{i}-{j}")))
            .collect();
        let c = lib.commit(&clerk(), tx).expect("batch");
        assert!(c.packed);
        revs.push((
            w(&format!("370200/p{i}-0")),
            c.outcomes[0].revision.expect("rev"),
        ));
        assert!(lib.pack_count().expect("count") <= 4, "after batch {i}");
        let snap = early.snapshot().expect("snapshot");
        let (work, rev) = &revs[i / 2];
        snap.version_bytes(work, rev)
            .expect("readable after compaction");
        if i % 50 == 0 {
            assert_clean(&early);
        }
    }
    let snap = early.snapshot().expect("snapshot");
    for (work, rev) in &revs {
        snap.version_bytes(work, rev)
            .expect("readable after compaction");
    }
    assert_clean(&early);
    fsck(t.path());
    assert!(
        git(t.path(), &["cat-file", "-e", &pending])
            .status
            .success(),
        "compaction lost an unreachable object"
    );
}
