//! Libraries of generated works for the index benchmarks (shared by
//! `benches/index.rs` and `examples/index_big.rs`).
//!
//! A library of `versions` versions from the generator (seed 1) is built
//! by a province node hosting every region of the generator's table,
//! committed in batches of about 5,000 versions (one pack each), with the
//! index off during the load. Large libraries are kept in a cache
//! directory given by the caller (outside the repository) and reused; a
//! marker file says the build finished.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use wenku_store::{Library, SteppingClock, Timestamp};

/// The path of the cached library of `versions` versions under `cache`.
pub fn cached_path(cache: &Path, versions: usize) -> PathBuf {
    cache.join(format!("library-{versions}"))
}

/// Opens the library of `versions` versions cached under `cache`, building
/// it first if it is not there (or its build did not finish).
pub fn cached(cache: &Path, versions: usize) -> Library {
    let path = cached_path(cache, versions);
    let done = path.join("wenku-bench-complete");
    if done.exists() {
        return Library::open(&path).expect("open the cached library");
    }
    if path.exists() {
        std::fs::remove_dir_all(&path).expect("remove an unfinished library");
    }
    std::fs::create_dir_all(cache).expect("cache directory");
    let lib = build(&path, versions);
    std::fs::write(&done, b"").expect("marker");
    lib
}

/// Builds a library of `versions` generated versions at `path` (index off
/// during the load, on in the returned handle).
pub fn build(path: &Path, versions: usize) -> Library {
    let clock = Arc::new(SteppingClock::new(
        Timestamp::new(1_700_000_000, 480).expect("valid"),
        60,
    ));
    let start = Instant::now();
    let lib = wenku_bench::library::bulk(path, clock, versions);
    eprintln!(
        "built a library of {versions} versions in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    lib
}

/// Puts a cached library back to the commit it was built at, with the
/// index of that commit, so that runs measure the same library.
pub fn reset(lib: &Library, path: &Path) {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(path)
            .output()
            .expect("git runs")
    };
    let marker = path.join("wenku-bench-head");
    let index = lib.git_dir().join("wenku").join("index");
    let saved = path.join("wenku-bench-index");
    match std::fs::read_to_string(&marker) {
        Err(_) => {
            let head = lib.head().expect("head");
            lib.refresh_index().expect("index");
            copy_dir(&index, &saved);
            std::fs::write(&marker, head.to_string()).expect("marker");
        }
        Ok(head) => {
            let current = lib.head().expect("head").to_string();
            if current != head.trim() {
                let out = git(&["update-ref", "refs/heads/main", head.trim()]);
                assert!(out.status.success(), "reset main");
                let _ = std::fs::remove_dir_all(&index);
                copy_dir(&saved, &index);
            }
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
}
