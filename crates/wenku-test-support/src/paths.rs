//! The workspace's test data: `testdata/`, `schemas/` and the files of the
//! reference corpus.

use std::path::{Path, PathBuf};

/// The workspace root (this crate lives in `crates/wenku-test-support`).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `testdata/` at the workspace root.
pub fn testdata() -> PathBuf {
    workspace().join("testdata")
}

/// The reference corpus, `testdata/corpus/`.
pub fn corpus_dir() -> PathBuf {
    testdata().join("corpus")
}

/// The JSON and XML schemas, `schemas/`.
pub fn schemas_dir() -> PathBuf {
    workspace().join("schemas")
}

/// Every text of the reference corpus (`.txt` and `.md`, without the
/// READMEs), sorted by path.
pub fn corpus_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![corpus_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus directory exists") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "txt" || e == "md")
                && !path.ends_with("README.md")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
