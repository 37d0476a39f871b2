//! Drafts and review: a draft is off `main` until a reviewer other than
//! its submitter approves it; the publication carries the review.

use super::*;
use wenku_store::{Decision, DraftError, DraftState, draft_ref};

fn reviewer() -> Identity {
    Identity::new("青岛市保密审查员", "shencha@qingdao.example").expect("valid identity")
}

fn publish_op(work: &str, title: &str, variant: &str) -> Op {
    Op::Publish {
        record: record(work, title),
        version: NewVersion::new(doc(title, variant), d("2025-05-16")),
    }
}

/// The Qingdao points with their interpretation, as one item.
fn points_with_interpretation() -> Transaction {
    let mut interpretation = Record::new(
        w("370200/qzbf-2025-3-jiedu"),
        DocType::Interpretation,
        "《2025年青岛市政务公开工作要点》解读",
    );
    interpretation.add_relation(Relation {
        kind: RelationKind::Interprets,
        target: Target::Work(w("370200/qzbf-2025-3")),
    });
    let mut text = Document::new(DocType::Interpretation, &interpretation.title);
    text.body.push(Block::Para("一、起草背景".into()));
    Transaction::new()
        .with(publish_op(
            "370200/qzbf-2025-3",
            "2025年青岛市政务公开工作要点",
            "a",
        ))
        .with(Op::Publish {
            record: interpretation,
            version: NewVersion::new(text, d("2025-05-16")),
        })
}

fn message(dir: &Path, rev: &str) -> String {
    git_ok(dir, &["log", "-1", "--format=%an <%ae>|%cn <%ce>%n%B", rev])
}

#[test]
fn a_draft_is_published_only_when_someone_else_approves_it() {
    let dir = tmp();
    let lib = new_lib(dir.path(), "370200", &[]);
    let before = lib.head().expect("head");
    let draft = lib
        .submit_draft(&clerk(), &points_with_interpretation())
        .expect("submit");
    assert_eq!(draft.item, w("370200/qzbf-2025-3"));
    assert_eq!(
        draft.works,
        [w("370200/qzbf-2025-3"), w("370200/qzbf-2025-3-jiedu")]
    );
    assert_eq!(draft.state, DraftState::Pending);
    assert_eq!(
        (draft.base, draft.round, draft.tip),
        (before, 1, draft.submission)
    );
    // main is untouched; the draft's text is readable at its submission.
    assert_eq!(lib.head().expect("head"), before);
    assert!(
        lib.snapshot()
            .expect("snapshot")
            .record(&w("370200/qzbf-2025-3"))
            .expect("read")
            .is_none()
    );
    let staged = lib.snapshot_at(draft.submission).expect("draft snapshot");
    assert!(
        staged
            .record(&w("370200/qzbf-2025-3-jiedu"))
            .expect("read")
            .is_some()
    );
    assert_eq!(lib.drafts().expect("drafts"), std::slice::from_ref(&draft));

    // The submitter cannot review their own draft.
    let own = lib.approve_draft(&clerk(), &draft.item, draft.tip, "自审");
    assert!(matches!(own, Err(DraftError::OwnDraft { .. })), "{own:?}");
    let empty = lib.approve_draft(&reviewer(), &draft.item, draft.tip, "  ");
    assert!(
        matches!(empty, Err(DraftError::NoteRequired(_))),
        "{empty:?}"
    );

    let published = lib
        .approve_draft(
            &reviewer(),
            &draft.item,
            draft.tip,
            "已审查，不涉及国家秘密和个人信息",
        )
        .expect("approve");
    assert_eq!(published.parent, before);
    assert_eq!(lib.head().expect("head"), published.commit);
    assert_eq!(published.works, draft.works);
    assert_eq!(published.review.decision, Decision::Approved);
    // Both works arrive in one commit, which tells who did what.
    let snap = lib.snapshot().expect("snapshot");
    for work in &draft.works {
        assert!(
            snap.record(work).expect("read").is_some(),
            "{work} published"
        );
    }
    let msg = message(dir.path(), "main");
    assert!(msg.starts_with("青岛市政务公开办 <gongkai@qingdao.example>|青岛市保密审查员 <shencha@qingdao.example>\n"), "{msg}");
    let trailers = wenku_store::Trailers::parse(&msg);
    assert_eq!(trailers.review.as_deref(), Some("approved"));
    assert_eq!(
        trailers.reviewer.as_deref(),
        Some("青岛市保密审查员 <shencha@qingdao.example>")
    );
    assert_eq!(
        trailers.review_note.as_deref(),
        Some("已审查，不涉及国家秘密和个人信息")
    );
    assert_eq!(trailers.draft, Some(draft.submission.to_string()));
    assert_eq!(
        trailers.draft_item, None,
        "the draft marker is not published"
    );
    assert_eq!(trailers.op.as_deref(), Some("batch"));
    // The draft is gone; the record and git agree with each other.
    assert!(lib.drafts().expect("drafts").is_empty());
    assert!(
        !git(
            dir.path(),
            &["rev-parse", "--verify", "-q", &draft_ref(&draft.item)]
        )
        .status
        .success()
    );
    assert_eq!(
        git_ok(dir.path(), &["rev-list", "--count", "main"]).trim(),
        "2",
        "only the publication is on main"
    );
    assert_clean(&lib);
    fsck(dir.path());
}

#[test]
fn a_returned_draft_waits_for_a_new_submission_and_a_new_review() {
    let dir = tmp();
    let lib = new_lib(dir.path(), "370200", &[]);
    let tx = Transaction::from(publish_op("370200/a", "甲办法", "v1"));
    let first = lib.submit_draft(&clerk(), &tx).expect("submit");
    let returned = lib
        .return_draft(
            &reviewer(),
            &first.item,
            first.tip,
            "第二条含有个人住址，请删除后重新报送。",
        )
        .expect("return");
    let DraftState::Returned(review) = &returned.state else {
        panic!("returned: {returned:?}");
    };
    assert_eq!(review.note, "第二条含有个人住址，请删除后重新报送。");
    assert_eq!(review.reviewer.email, "shencha@qingdao.example");
    assert_eq!(review.submission, first.submission);
    assert_eq!(returned.submission, first.submission);
    // A return needs reasons; a returned draft cannot be approved.
    assert!(matches!(
        lib.return_draft(&reviewer(), &first.item, returned.tip, ""),
        Err(DraftError::NoteRequired(_))
    ));
    let not_pending = lib.approve_draft(&reviewer(), &first.item, returned.tip, "可以");
    assert!(
        matches!(not_pending, Err(DraftError::NotPending { .. })),
        "{not_pending:?}"
    );

    // A changed draft is a new round; a review of what was read before is refused.
    let tx = Transaction::from(publish_op("370200/a", "甲办法", "v2"));
    let second = lib.submit_draft(&clerk(), &tx).expect("resubmit");
    assert_eq!((second.round, &second.state), (2, &DraftState::Pending));
    let stale = lib.approve_draft(&reviewer(), &first.item, first.tip, "可以");
    assert!(
        matches!(stale, Err(DraftError::Changed { .. })),
        "{stale:?}"
    );
    let published = lib
        .approve_draft(
            &reviewer(),
            &second.item,
            second.tip,
            "已删除住址，同意公开",
        )
        .expect("approve");
    let snap = lib.snapshot().expect("snapshot");
    let v = snap.versions(&w("370200/a")).expect("versions");
    assert_eq!(v.len(), 1);
    assert_eq!(
        snap.document(&w("370200/a"), &v[0].revision).expect("text"),
        doc("甲办法", "v2"),
        "the text published is the one approved"
    );
    // Earlier rounds are not reachable from main.
    let reachable = git_ok(dir.path(), &["rev-list", "main"]);
    assert!(!reachable.contains(&first.submission.to_string()));
    assert!(!reachable.contains(&returned.tip.to_string()));
    assert!(reachable.contains(&published.commit.to_string()));
    assert_clean(&lib);
}

#[test]
fn a_draft_is_refused_when_main_changed_its_works_or_another_draft_holds_them() {
    let dir = tmp();
    let lib = new_lib(dir.path(), "370200", &[]);
    publish(&lib, "370200/a", "甲办法", "2025-01-01");
    let add = |variant: &str| {
        Transaction::from(Op::AddVersion {
            work: w("370200/a"),
            version: NewVersion::new(doc("甲办法", variant), d("2025-06-01")),
        })
    };
    let draft = lib.submit_draft(&clerk(), &add("修订")).expect("submit");
    // Another item touching the same work is refused while the draft waits.
    let mut other = add("另一修订");
    other = Transaction::new()
        .with(publish_op("370200/b", "乙办法", "b"))
        .with(other.ops()[0].clone());
    let held = lib.submit_draft(&clerk(), &other);
    assert!(
        matches!(held, Err(DraftError::InOtherDraft { .. })),
        "{held:?}"
    );
    // Unrelated changes on main do not stale a draft …
    publish(&lib, "370200/c", "丙办法", "2025-02-01");
    // … a change to its work does.
    lib.commit(&clerk(), add("直接修订"))
        .expect("direct commit");
    let head = lib.head().expect("head");
    let stale = lib.approve_draft(&reviewer(), &draft.item, draft.tip, "同意");
    assert!(matches!(stale, Err(DraftError::Stale { .. })), "{stale:?}");
    assert_eq!(lib.head().expect("head"), head, "nothing was published");
    // Staging refusals are a commit's refusals; nothing is written.
    let refused = lib.submit_draft(
        &clerk(),
        &Transaction::from(publish_op("370100/x", "济南", "x")),
    );
    assert!(
        matches!(
            refused,
            Err(DraftError::Commit(CommitError::Refused { .. }))
        ),
        "{refused:?}"
    );
    // Discarding takes the draft back.
    lib.discard_draft(&clerk(), &draft.item, draft.tip)
        .expect("discard");
    assert!(lib.drafts().expect("drafts").is_empty());
}

#[test]
fn an_unrelated_commit_between_submission_and_approval_is_kept() {
    let dir = tmp();
    let lib = new_lib(dir.path(), "370200", &[]);
    let draft = lib
        .submit_draft(
            &clerk(),
            &Transaction::from(publish_op("370200/a", "甲办法", "a")),
        )
        .expect("submit");
    publish(&lib, "370200/c", "丙办法", "2025-02-01");
    lib.approve_draft(&reviewer(), &draft.item, draft.tip, "同意公开")
        .expect("approve");
    let snap = lib.snapshot().expect("snapshot");
    assert!(snap.record(&w("370200/a")).expect("read").is_some());
    assert!(snap.record(&w("370200/c")).expect("read").is_some());
    assert_clean(&lib);
    fsck(dir.path());
}

#[test]
fn an_interpretation_added_to_a_pending_draft_makes_one_item_and_a_new_round() {
    let dir = tmp();
    let lib = new_lib(dir.path(), "370200", &[]);
    let both = points_with_interpretation();
    let first = lib
        .submit_draft(&clerk(), &Transaction::from(both.ops()[0].clone()))
        .expect("submit the document");
    assert_eq!(first.works.len(), 1);
    let stale = lib.add_to_draft(
        &clerk(),
        &first.item,
        lib.head().expect("head"),
        &Transaction::from(both.ops()[1].clone()),
    );
    assert!(
        matches!(stale, Err(DraftError::Changed { .. })),
        "{stale:?}"
    );
    let second = lib
        .add_to_draft(
            &clerk(),
            &first.item,
            first.tip,
            &Transaction::from(both.ops()[1].clone()),
        )
        .expect("add the interpretation");
    assert_eq!(
        (second.round, second.base, second.works.len()),
        (2, first.base, 2)
    );
    let review = lib.approve_draft(&reviewer(), &first.item, first.tip, "同意");
    assert!(
        matches!(review, Err(DraftError::Changed { .. })),
        "{review:?}"
    );
    let published = lib
        .approve_draft(
            &reviewer(),
            &second.item,
            second.tip,
            "文件与解读同步审签、同步发布",
        )
        .expect("approve");
    assert_eq!(published.works, second.works);
    assert_clean(&lib);
}
