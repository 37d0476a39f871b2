//! Concurrency.

use super::*;

#[test]
fn concurrent_writer_threads_lose_no_update() {
    let t = tmp();
    let shared = Arc::new(new_lib(t.path(), "370200", &[]));
    let threads = 4;
    let each = 8;
    std::thread::scope(|s| {
        for i in 0..threads {
            let shared = Arc::clone(&shared);
            let path = t.path().to_path_buf();
            s.spawn(move || {
                // Half the threads share one Library, half open their own.
                let own;
                let lib: &Library = if i % 2 == 0 {
                    &shared
                } else {
                    own = Library::open(&path).expect("open").with_clock(clock());
                    &own
                };
                for j in 0..each {
                    let work = format!("370200/t{i}-{j}");
                    lib.publish(
                        &clerk(),
                        record(&work, "并发"),
                        NewVersion::new(doc("并发", &work), d("2024-01-01")),
                    )
                    .expect("publish under contention");
                }
            });
        }
    });
    assert_eq!(main_commits(t.path()), 1 + threads * each);
    assert_eq!(
        shared
            .snapshot()
            .expect("snapshot")
            .works(&Filter::all())
            .expect("list")
            .len(),
        threads * each
    );
    assert_clean(&shared);
    fsck(t.path());
}

/// A clock that, the first time it is read (after the transaction is
/// staged and before `main` moves), lets another writer commit first.
#[derive(Debug)]
struct RacingClock {
    inner: SteppingClock,
    rival: Library,
    rival_op: std::sync::Mutex<Option<Op>>,
}

impl Clock for RacingClock {
    fn now(&self) -> Timestamp {
        let op = self.rival_op.lock().expect("not poisoned").take();
        if let Some(op) = op {
            self.rival.commit(&clerk(), op).expect("the rival commits");
        }
        self.inner.now()
    }
}

fn racing(path: &Path, op: Op, max_attempts: u32) -> Library {
    let rival = Library::open(path).expect("open").with_clock(clock());
    Library::open(path)
        .expect("open")
        .with_clock(Arc::new(RacingClock {
            inner: SteppingClock::new(Timestamp::new(START + 100_000, 480).expect("valid"), 60),
            rival,
            rival_op: std::sync::Mutex::new(Some(op)),
        }))
        .with_commit_options(CommitOptions {
            max_attempts,
            ..CommitOptions::default()
        })
}

#[test]
fn the_loser_of_a_race_retries_on_the_new_head_or_reports_a_conflict() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let start = lib.head().expect("head");

    // Without retries: a clear conflict, and the rival's commit stands.
    let loser = racing(t.path(), publish_op("370200/rival-1", "r1"), 1);
    match loser.commit(&clerk(), publish_op("370200/mine-1", "m1")) {
        Err(CommitError::Conflict { attempts: 1, head }) => {
            assert_eq!(head, lib.head().expect("head"))
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let snap = lib.snapshot().expect("snapshot");
    assert!(snap.contains(&w("370200/rival-1")).expect("read"));
    assert!(!snap.contains(&w("370200/mine-1")).expect("read"));
    assert!(snap.commit() != start);

    // With retries: restaged on the new head, both changes kept.
    let winner_after_retry = racing(t.path(), publish_op("370200/rival-2", "r2"), 8);
    let c = winner_after_retry
        .commit(&clerk(), publish_op("370200/mine-2", "m2"))
        .expect("retried");
    assert_eq!(c.attempts, 2);
    let snap = lib.snapshot().expect("snapshot");
    assert!(snap.contains(&w("370200/rival-2")).expect("read"));
    assert!(snap.contains(&w("370200/mine-2")).expect("read"));
    assert_eq!(
        git_ok(t.path(), &["rev-parse", "main~1"]).trim(),
        c.parent.to_string()
    );

    // Restaging re-applies the op: when the rival published the same work,
    // the loser is refused instead of overwriting it.
    let same = racing(t.path(), publish_op("370200/contested", "rival's text"), 8);
    match same.commit(&clerk(), publish_op("370200/contested", "my text")) {
        Err(CommitError::Refused {
            refusal: Refusal::WorkExists,
            ..
        }) => {}
        other => panic!("expected WorkExists, got {other:?}"),
    }
    let kept = lib
        .snapshot()
        .expect("snapshot")
        .require_record(&w("370200/contested"))
        .expect("record");
    assert_eq!(
        kept.versions[0].revision,
        doc("标题", "rival's text").revision_id().expect("id")
    );
    assert_clean(&lib);
    fsck(t.path());
}

#[test]
fn readers_never_see_half_a_transaction() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let batches = 20;
    let per = 6;
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..batches {
                let tx: Transaction = (0..per)
                    .map(|j| publish_op(&format!("370200/b{i}-{j}"), &format!("{i}-{j}")))
                    .collect();
                lib.commit(&clerk(), tx).expect("batch");
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        s.spawn(|| {
            let reader = Library::open(t.path()).expect("open");
            let mut rounds = 0;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let snap = reader.snapshot().expect("snapshot");
                let works = snap.works(&Filter::all()).expect("list");
                let mut per_batch = std::collections::BTreeMap::<String, usize>::new();
                for work in &works {
                    let batch = work.local().split('-').next().expect("prefix").to_string();
                    *per_batch.entry(batch).or_default() += 1;
                    for v in snap.versions(work).expect("versions") {
                        snap.version_bytes(work, &v.revision)
                            .expect("every listed version is readable");
                    }
                }
                assert!(
                    per_batch.values().all(|n| *n == per),
                    "half a batch visible: {per_batch:?}"
                );
                rounds += 1;
                if finished {
                    assert_eq!(works.len(), batches * per);
                    break;
                }
            }
            assert!(rounds >= 1);
        });
    });
    assert_clean(&lib);
    fsck(t.path());
}
