//! Hostile children: libraries forged from raw git objects (`git mktree`,
//! `git hash-object --literally`, `git commit-tree`, `git update-ref`) that
//! a pull must refuse with an error of their own kind, keeping the head in
//! quarantine and `main` unchanged.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::Pair;
use super::support::*;
use wenku_store::{ProblemKind, PullError};

/// Runs git with `input` on stdin; returns its trimmed stdout.
fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write to git");
    let out = child.wait_with_output().expect("git finishes");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("git prints UTF-8 here")
        .trim()
        .to_string()
}

/// The entries of `treeish` as `git mktree` reads them.
fn ls_tree(repo: &Path, treeish: &str) -> Vec<String> {
    git_ok(repo, &["ls-tree", treeish])
        .lines()
        .map(str::to_string)
        .collect()
}

/// Writes a tree from `git ls-tree` lines, in the order given and with
/// the modes as written (`040000` is written as git writes it, `40000`):
/// `git mktree` would refuse a gitlink that names an existing tree.
fn mktree(repo: &Path, lines: &[String]) -> String {
    let entries: Vec<(String, String, String)> = lines
        .iter()
        .map(|l| {
            let (head, name) = l.split_once('\t').expect("ls-tree line");
            let mut parts = head.split(' ');
            let mode = parts.next().expect("mode");
            let _kind = parts.next().expect("type");
            let id = parts.next().expect("id");
            let mode = if mode == "040000" { "40000" } else { mode };
            (mode.to_string(), name.to_string(), id.to_string())
        })
        .collect();
    raw_tree(repo, &tree_bytes(&entries))
}

/// Raw tree bytes of `(mode, name, hex id)` entries, as given.
pub(super) fn tree_bytes(entries: &[(String, String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (mode, name, id) in entries {
        out.extend_from_slice(mode.as_bytes());
        out.push(b' ');
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(&hex(id));
    }
    out
}

/// The 20 bytes of a hex object id.
fn hex(id: &str) -> Vec<u8> {
    (0..id.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&id[i..i + 2], 16).expect("hex id"))
        .collect()
}

/// Writes raw tree bytes as they are, however malformed.
pub(super) fn raw_tree(repo: &Path, bytes: &[u8]) -> String {
    git_stdin(
        repo,
        &["hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
        bytes,
    )
}

/// Makes a commit of `tree` on top of `main` and moves `main` to it.
pub(super) fn commit_on_main(repo: &Path, tree: &str) -> String {
    let commit = git_ok(repo, &["commit-tree", tree, "-p", "main", "-m", "forged"]);
    git_ok(repo, &["update-ref", "refs/heads/main", &commit]);
    commit
}

#[test]
fn a_region_redeclared_as_a_gitlink_is_refused() {
    let p = Pair::new();
    p.pull().expect("a clean first pull");
    let before = p.city.head().expect("head");
    let works_before = p.city.verify().expect("verify").works;
    // The county's region directory, same id, mode 160000.
    let lines: Vec<String> = ls_tree(p.county.path(), "main")
        .into_iter()
        .map(|l| {
            if l.ends_with("\t370283") {
                l.replacen("040000 tree", "160000 commit", 1)
            } else {
                l
            }
        })
        .collect();
    assert!(
        lines.iter().any(|l| l.starts_with("160000 commit")),
        "{lines:?}"
    );
    let tree = mktree(p.county.path(), &lines);
    commit_on_main(p.county.path(), &tree);

    let err = p.pull().expect_err("refused");
    let PullError::InvalidContent { problems, .. } = &err else {
        panic!("expected InvalidContent, got {err}")
    };
    assert!(
        problems.iter().any(|pr| pr.path == "370283"
            && matches!(&pr.kind, ProblemKind::Unexpected(why) if why.contains("submodule"))),
        "{problems:?}"
    );
    p.refused(&err, before);
    let report = p.city.verify().expect("verify");
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.works, works_before, "no work vanished");
}

#[test]
fn a_shard_redeclared_as_a_gitlink_is_refused() {
    let p = Pair::new();
    p.pull().expect("a clean first pull");
    let before = p.city.head().expect("head");
    // One shard of the county's region, same id, mode 160000.
    let region = git_ok(p.county.path(), &["rev-parse", "main:370283"]);
    let mut shards = ls_tree(p.county.path(), &region);
    shards[0] = shards[0].replacen("040000 tree", "160000 commit", 1);
    let region = mktree(p.county.path(), &shards);
    let lines: Vec<String> = ls_tree(p.county.path(), "main")
        .into_iter()
        .map(|l| match l.strip_suffix("\t370283") {
            Some(_) => format!("040000 tree {region}\t370283"),
            None => l,
        })
        .collect();
    let tree = mktree(p.county.path(), &lines);
    commit_on_main(p.county.path(), &tree);

    let err = p.pull().expect_err("refused");
    assert_eq!(err.kind(), "invalid-content", "{err}");
    p.refused(&err, before);
    assert!(p.city.verify().expect("verify").is_clean());
}
