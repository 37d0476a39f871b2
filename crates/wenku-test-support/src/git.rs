//! The `git` binary run hermetically: no system or global configuration,
//! `HOME` in the repository, a fixed identity and time, so what git does in
//! a test depends on the test alone.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs git without system or global configuration, with fixed identity
/// and time.
pub fn git(dir: &Path, args: &[&str]) -> Output {
    git_with(dir, args, &[])
}

/// [`git`] with extra environment variables (e.g. `GIT_INDEX_FILE`).
pub fn git_with(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    hermetic(dir, args, env).output().expect("git runs")
}

/// Runs git with `input` on its standard input (`hash-object --stdin`,
/// `mktree`, `unpack-objects` …), asserts it succeeded and returns its
/// stdout, trimmed.
pub fn git_stdin(dir: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = hermetic(dir, args, &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .expect("stdin was piped")
        .write_all(input)
        .expect("write to git");
    succeeded(dir, args, child.wait_with_output().expect("git finishes"))
}

fn hermetic(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "Someone")
        .env("GIT_AUTHOR_EMAIL", "someone@example.invalid")
        .env("GIT_COMMITTER_NAME", "Someone")
        .env("GIT_COMMITTER_EMAIL", "someone@example.invalid")
        .env("GIT_AUTHOR_DATE", "1750000000 +0800")
        .env("GIT_COMMITTER_DATE", "1750000000 +0800");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs git, asserts it succeeded and returns its stdout, trimmed.
pub fn git_ok(dir: &Path, args: &[&str]) -> String {
    git_ok_with(dir, args, &[])
}

/// [`git_ok`] with extra environment variables.
pub fn git_ok_with(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> String {
    succeeded(dir, args, git_with(dir, args, env))
}

/// Asserts git succeeded; its stdout, trimmed.
fn succeeded(dir: &Path, args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "git {args:?} in {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("git prints UTF-8 here")
        .trim()
        .to_string()
}

/// `git fsck --strict` passes with no warnings.
pub fn fsck(dir: &Path) {
    let out = git(dir, &["fsck", "--strict", "--no-dangling", "--no-progress"]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "git fsck --strict failed in {}:\n{all}",
        dir.display()
    );
    assert!(
        !all.contains("warning") && !all.contains("error"),
        "git fsck --strict complained in {}:\n{all}",
        dir.display()
    );
}

/// The number of commits on `main`.
pub fn commit_count(dir: &Path) -> usize {
    git_ok(dir, &["rev-list", "--count", "main"])
        .parse()
        .expect("a number")
}

/// Runs git, asserts it succeeded and returns its stdout as printed
/// (not trimmed).
pub fn git_stdout(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} in {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git prints UTF-8 here")
}
