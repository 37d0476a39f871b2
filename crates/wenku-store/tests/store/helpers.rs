//! Helpers of this binary; what other test binaries share comes from
//! `wenku-test-support`.

use super::*;

pub(crate) use wenku_test_support::fixtures::{START, clock, d, r, tmp, w};
pub(crate) use wenku_test_support::git::{fsck, git, git_stdout as git_ok};

/// The clerk who commits in these tests.
pub(crate) fn clerk() -> Identity {
    Identity::new("青岛市政务公开办", "gongkai@qingdao.example").expect("valid identity")
}

pub(crate) fn new_lib(dir: &Path, node: &str, hosted: &[&str]) -> Library {
    let mut options = InitOptions::new(clerk()).clock(clock());
    for h in hosted {
        options = options.hosting(r(h));
    }
    Library::init(dir, r(node), options).expect("init library")
}

/// A small regulation whose text depends on `variant`.
pub(crate) fn doc(title: &str, variant: &str) -> Document {
    let mut doc = Document::new(DocType::Regulation, title);
    doc.body.push(Block::Title(title.into()));
    for n in 1..=3u32 {
        let mut a = Unit::new(
            UnitKind::Article,
            format!("第{}条", wenku_model::numeral::to_chinese(n)),
            Some(Number::new(n)),
        );
        a.children
            .push(Block::Para(format!("第{n}条的内容（{variant}）。")));
        doc.body.push(Block::Unit(a));
    }
    doc
}

pub(crate) fn record(work: &str, title: &str) -> Record {
    Record::new(w(work), DocType::Regulation, title)
}

pub(crate) fn publish(lib: &Library, work: &str, title: &str, published: &str) -> RevisionId {
    let c = lib
        .publish(
            &clerk(),
            record(work, title),
            NewVersion::new(doc(title, published), d(published)),
        )
        .expect("publish");
    c.outcomes[0].revision.expect("publish has a revision")
}

pub(crate) fn assert_clean(lib: &Library) {
    let report = lib.verify().expect("verify runs");
    assert!(report.is_clean(), "{report}");
}

pub(crate) fn main_commits(dir: &Path) -> usize {
    git_ok(dir, &["rev-list", "--count", "main"])
        .trim()
        .parse()
        .expect("a number")
}

pub(crate) fn publish_op(work: &str, variant: &str) -> Op {
    Op::Publish {
        record: record(work, "标题"),
        version: NewVersion::new(doc("标题", variant), d("2025-01-01")),
    }
}

/// Commits changes to `main` with plain git, as someone editing the
/// repository by hand would: `(path, Some(bytes))` writes a file,
/// `(path, None)` removes one.
pub(crate) fn edit_with_git(repo: &Path, edits: &[(&str, Option<&[u8]>)], mode: &str) {
    let index = repo.join("tamper.index");
    let env_git = |args: &[&str]| -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(repo)
            .env("GIT_INDEX_FILE", &index)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Someone")
            .env("GIT_AUTHOR_EMAIL", "someone@example.invalid")
            .env("GIT_COMMITTER_NAME", "Someone")
            .env("GIT_COMMITTER_EMAIL", "someone@example.invalid")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    };
    env_git(&["read-tree", "main"]);
    for (path, content) in edits {
        match content {
            Some(bytes) => {
                let file = repo.join("tamper.blob");
                std::fs::write(&file, bytes).expect("write");
                let blob = env_git(&["hash-object", "-w", file.to_str().expect("utf8")]);
                std::fs::remove_file(&file).expect("remove");
                env_git(&[
                    "update-index",
                    "--add",
                    "--cacheinfo",
                    &format!("{mode},{},{path}", blob.trim()),
                ]);
            }
            None => {
                // Mode 0 in --index-info removes the entry (no work tree
                // needed, unlike --force-remove).
                let mut child = Command::new("git")
                    .args(["update-index", "--index-info"])
                    .current_dir(repo)
                    .env("GIT_INDEX_FILE", &index)
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .expect("git update-index");
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(format!("0 {}\t{path}\n", "0".repeat(40)).as_bytes())
                    .expect("write");
                assert!(child.wait().expect("wait").success());
            }
        }
    }
    let tree = env_git(&["write-tree"]);
    let commit = env_git(&[
        "commit-tree",
        tree.trim(),
        "-p",
        "main",
        "-m",
        "edit by hand",
    ]);
    env_git(&["update-ref", "refs/heads/main", commit.trim()]);
    std::fs::remove_file(&index).expect("remove index");
}
