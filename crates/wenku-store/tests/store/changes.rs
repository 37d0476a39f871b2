//! The operation log and what changed between two commits.

use super::*;
use wenku_store::{ChangeKind, ChangesError, OpKind, OperationKind};

#[test]
fn operations_read_back_every_commit_newest_first() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let init = lib.head().expect("head");
    let r1 = publish(&lib, "370200/a", "甲", "2024-01-01");
    let after_a = lib.head().expect("head");
    let c = lib
        .add_version(
            &clerk(),
            w("370200/a"),
            NewVersion::new(doc("甲", "二"), d("2025-01-01")),
        )
        .expect("add");
    let r2 = c.outcomes[0].revision.expect("revision");
    lib.commit(
        &clerk(),
        Op::Repeal {
            work: w("370200/a"),
            repeal: Repeal {
                date: d("2026-01-01"),
                by: None,
            },
        },
    )
    .expect("repeal");
    lib.commit(
        &clerk(),
        [publish_op("370200/b", "一"), publish_op("370200/c", "一")]
            .into_iter()
            .collect::<Transaction>(),
    )
    .expect("batch");

    let ops = lib.operations(None, 100).expect("operations");
    let kinds: Vec<&str> = ops.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds, ["batch", "repeal", "add-version", "publish", "init"]);
    assert_eq!(ops[1].kind, OperationKind::Op(OpKind::Repeal));
    assert_eq!(ops[0].works, [w("370200/b"), w("370200/c")]);
    assert_eq!(ops[2].revisions, [r2]);
    assert_eq!(ops[3].revisions, [r1]);
    assert_eq!(ops[4].commit, init);
    assert!(ops.iter().all(|o| o.node == Some(r("370200"))));
    assert_eq!(ops[3].author.name, "青岛市政务公开办");
    assert!(ops[0].committer.time.seconds > ops[3].committer.time.seconds);
    assert!(ops[0].subject.starts_with("publish "), "{}", ops[0].subject);
    // Paging: a limit, and everything after a commit already seen.
    assert_eq!(lib.operations(None, 2).expect("ops").len(), 2);
    let since = lib.operations(Some(after_a), 100).expect("ops");
    assert_eq!(since.len(), 3);
    assert_eq!(since.last().map(|o| o.kind.as_str()), Some("add-version"));
}

#[test]
fn changes_between_two_commits_name_each_work_and_its_operations() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    publish(&lib, "370200/a", "甲", "2024-01-01");
    publish(&lib, "370200/b", "乙", "2024-01-01");
    let from = lib.head().expect("head");
    let c = lib
        .add_version(
            &clerk(),
            w("370200/a"),
            NewVersion::new(doc("甲", "二"), d("2025-01-01")),
        )
        .expect("add");
    let added = c.outcomes[0].revision.expect("revision");
    lib.commit(
        &clerk(),
        Op::Withdraw {
            work: w("370200/b"),
            withdrawal: Withdrawal {
                date: d("2025-06-01"),
                reason: "错误发布".into(),
            },
        },
    )
    .expect("withdraw");
    publish(&lib, "370200/c", "丙", "2025-01-01");
    let to = lib.head().expect("head");

    let changes = lib.changes(from, to).expect("changes");
    assert_eq!((changes.from, changes.to), (from, to));
    assert_eq!(changes.operations.len(), 3);
    let works: Vec<(String, ChangeKind)> = changes
        .works
        .iter()
        .map(|c| (c.work.to_string(), c.kind))
        .collect();
    assert_eq!(
        works,
        [
            ("370200/a".to_string(), ChangeKind::Changed),
            ("370200/b".to_string(), ChangeKind::Changed),
            ("370200/c".to_string(), ChangeKind::Added),
        ]
    );
    let a = &changes.works[0];
    assert_eq!(a.added_versions, [added]);
    assert!(a.record_changed);
    let a_ops: Vec<&str> = a
        .operations
        .iter()
        .map(|i| changes.operations[*i].kind.as_str())
        .collect();
    assert_eq!(a_ops, ["add-version"]);
    let b = &changes.works[1];
    assert!(b.added_versions.is_empty() && b.record_changed);
    assert_eq!(
        changes.operations[b.operations[0]].kind.as_str(),
        "withdraw"
    );

    // The same commit: nothing. Backwards: refused, naming both.
    let none = lib.changes(to, to).expect("same");
    assert!(none.works.is_empty() && none.operations.is_empty());
    let err = lib.changes(to, from).expect_err("not forward");
    assert!(matches!(err, ChangesError::NotAncestor { .. }), "{err}");
    assert!(err.to_string().contains(&to.to_string()), "{err}");
}

#[test]
fn a_hand_edit_is_an_operation_of_its_own_kind_and_removes_are_seen() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    publish(&lib, "370200/a", "甲", "2024-01-01");
    let from = lib.head().expect("head");
    let record = wenku_store::layout::record_path(&w("370200/a"));
    let dir = record.trim_end_matches("/record.xml").to_string();
    let files = git_ok(t.path(), &["ls-tree", "--name-only", "-r", "main", &dir]);
    let removals: Vec<(&str, Option<&[u8]>)> = files.lines().map(|f| (f, None)).collect();
    edit_with_git(t.path(), &removals, "100644");
    let to = lib.head().expect("head");
    let changes = lib.changes(from, to).expect("changes");
    assert_eq!(changes.works.len(), 1);
    assert_eq!(changes.works[0].kind, ChangeKind::Removed);
    assert_eq!(
        changes.operations[0].kind,
        OperationKind::Other(String::new())
    );
    assert_eq!(changes.operations[0].subject, "edit by hand");
}

#[test]
fn a_batch_too_large_to_list_its_works_still_names_them_all() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let from = lib.head().expect("head");
    let many = wenku_store::MAX_WORK_TRAILERS + 6;
    lib.commit(
        &clerk(),
        (0..many)
            .map(|i| publish_op(&format!("370200/m{i:03}"), "一"))
            .collect::<Transaction>(),
    )
    .expect("batch");
    let ops = lib.operations(None, 1).expect("ops");
    assert_eq!(ops[0].works.len(), many);
    let changes = lib
        .changes(from, lib.head().expect("head"))
        .expect("changes");
    assert_eq!(changes.works.len(), many);
    assert!(changes.works.iter().all(|w| w.operations == [0]));
}
