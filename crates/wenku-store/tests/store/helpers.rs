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
/// repository by hand would, writing files with git mode `mode`.
pub(crate) fn edit_with_git(repo: &Path, edits: &[(&str, Option<&[u8]>)], mode: &str) {
    wenku_test_support::federation::edit_with_git_mode(repo, edits, mode, &[]);
}
