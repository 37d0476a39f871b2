//! Publishing and reading.

use super::*;

#[test]
fn publish_then_read_back_and_interop_with_git() {
    let t = tmp();
    let path = t.path().join("lib");
    let lib = new_lib(&path, "370200", &[]);
    let work = w("370200/qzbf-2025-3");
    let title = "2025年青岛市政务公开工作要点";
    let text = doc(title, "一");
    let mut rec = Record::new(work.clone(), DocType::Policy, title);
    rec.number = DocNumber::parse("青政办发〔2025〕3号");
    rec.subjects.push("政务公开".into());
    rec.add_relation(Relation {
        kind: RelationKind::Basis,
        target: Target::Citation(Citation::number(
            DocNumber::parse("鲁政办发〔2025〕5号").expect("valid"),
        )),
    });
    let c = lib
        .publish(
            &clerk(),
            rec,
            NewVersion::new(text.clone(), d("2025-05-16")),
        )
        .expect("publish");
    let rev = c.outcomes[0].revision.expect("revision");
    assert_eq!(rev, text.revision_id().expect("encodes"));
    assert!(c.changed() && !c.packed && c.attempts == 1);

    let snap = lib.snapshot().expect("snapshot");
    assert_eq!(snap.commit(), c.head());
    assert_eq!(snap.document(&work, &rev).expect("document"), text);
    let got = snap.require_record(&work).expect("record");
    assert_eq!(got.versions.len(), 1);
    assert_eq!(
        got.number.as_ref().map(|n| n.as_str()),
        Some("青政办发〔2025〕3号")
    );

    // git sees an ordinary repository with readable history and files.
    let vpath = wenku_store::layout::version_path(&work, &rev);
    let shown = git(&path, &["show", &format!("main:{vpath}")]).stdout;
    assert_eq!(shown, canonical::encode_document(&text).expect("encodes"));
    let shown = git_ok(
        &path,
        &[
            "show",
            &format!("main:{}", wenku_store::layout::record_path(&work)),
        ],
    );
    assert!(shown.starts_with("<?xml"), "{shown}");
    let msg = git_ok(&path, &["log", "-1", "--format=%B", "main"]);
    assert_eq!(
        msg.lines().next(),
        Some("publish 370200/qzbf-2025-3 2025年青岛市政务公开工作要点")
    );
    let trailers = git_ok(
        &path,
        &["log", "-1", "--format=%(trailers:only,unfold)", "main"],
    );
    assert_eq!(
        trailers.trim(),
        format!(
            "Wenku-Op: publish\nWenku-Work: 370200/qzbf-2025-3\nWenku-Revision: {rev}\nWenku-Node: 370200"
        )
    );
    // Commit time comes from the clock, never from the legal dates.
    let dates = git_ok(&path, &["log", "-1", "--format=%at %ai|%ct", "main"]);
    assert_eq!(
        dates.trim(),
        format!("{} 2025-06-15 23:07:40 +0800|{}", START + 60, START + 60)
    );
    fsck(&path);
    assert_clean(&lib);
}

#[test]
fn versions_arrive_in_any_order_and_as_of_follows_legal_dates() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let work = w("370200/wuye");
    let dates = ["2020-04-10", "2012-06-01", "2024-09-27", "2016-03-01"];
    let first = publish(&lib, "370200/wuye", "青岛市物业管理条例", dates[0]);
    let mut revs = vec![(dates[0], first)];
    for date in &dates[1..] {
        let c = lib
            .add_version(
                &clerk(),
                work.clone(),
                NewVersion::new(doc("青岛市物业管理条例", date), d(date)).effective(d(date)),
            )
            .expect("add version");
        assert!(c.changed());
        revs.push((date, c.outcomes[0].revision.expect("revision")));
    }
    revs.sort();
    let snap = lib.snapshot().expect("snapshot");
    let listed: Vec<RevisionId> = snap
        .versions(&work)
        .expect("versions")
        .iter()
        .map(|v| v.revision)
        .collect();
    assert_eq!(listed, revs.iter().map(|(_, r)| *r).collect::<Vec<_>>());

    let as_of = |day: &str| snap.as_of(&work, d(day)).expect("as of");
    let before = as_of("2012-05-31");
    assert_eq!(before.status, Status::NotYetEffective);
    assert_eq!(before.version, None);
    assert_eq!(
        as_of("2012-06-01").version.map(|v| v.revision),
        Some(revs[0].1)
    );
    assert_eq!(
        as_of("2019-12-31").version.map(|v| v.revision),
        Some(revs[1].1)
    );
    assert_eq!(
        as_of("2020-04-10").version.map(|v| v.revision),
        Some(revs[2].1)
    );
    let after = as_of("2030-01-01");
    assert_eq!(after.status, Status::InForce);
    assert_eq!(after.version.map(|v| v.revision), Some(revs[3].1));
    let (entry, text) = snap
        .text_as_of(&work, d("2017-01-01"))
        .expect("text")
        .expect("in force");
    assert_eq!(entry.revision, revs[1].1);
    assert_eq!(text, doc("青岛市物业管理条例", "2016-03-01"));

    // The same text again is a no-op that says so, and makes no commit.
    let head = lib.head().expect("head");
    let c = lib
        .add_version(
            &clerk(),
            work.clone(),
            NewVersion::new(doc("青岛市物业管理条例", "2012-06-01"), d("2013-01-01")),
        )
        .expect("no-op");
    assert_eq!(c.commit, None);
    assert_eq!(c.head(), head);
    assert_eq!(
        c.outcomes[0].unchanged,
        Some(NoChange::VersionAlreadyPresent {
            revision: revs[0].1,
            published: d("2012-06-01")
        })
    );
    assert!(
        c.outcomes[0]
            .unchanged
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_default()
            .contains("identical text")
    );
    assert_eq!(lib.head().expect("head"), head);
    assert_clean(&lib);
    fsck(t.path());
}

#[test]
fn lifecycle_ops_and_the_story_in_git_log() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let a = w("370200/old-rule");
    let b = w("370200/new-rule");
    publish(&lib, "370200/old-rule", "旧办法", "2015-01-01");
    publish(&lib, "370200/new-rule", "新办法", "2020-06-16");
    let ops = [
        Op::Correct {
            work: a.clone(),
            correction: Correction {
                number: Some(DocNumber::parse("青政发〔2015〕1号")),
                subjects: Some(vec!["物业".into()]),
                ..Correction::default()
            },
        },
        Op::AddRelation {
            work: b.clone(),
            relation: Relation {
                kind: RelationKind::Repeals,
                target: Target::Work(a.clone()),
            },
        },
        Op::AddRelation {
            work: b.clone(),
            relation: Relation {
                kind: RelationKind::Cites,
                target: Target::Citation(Citation::title("旧办法")),
            },
        },
        Op::RemoveRelation {
            work: b.clone(),
            relation: Relation {
                kind: RelationKind::Cites,
                target: Target::Citation(Citation::title("旧办法")),
            },
        },
        Op::Repeal {
            work: a.clone(),
            repeal: Repeal {
                date: d("2021-01-01"),
                by: Some(Target::Work(b.clone())),
            },
        },
        Op::SetExpiry {
            work: b.clone(),
            expires: Some(d("2025-12-31")),
        },
        Op::Withdraw {
            work: b.clone(),
            withdrawal: Withdrawal {
                date: d("2026-03-01"),
                reason: "依法撤回".into(),
            },
        },
    ];
    for op in ops.iter().cloned() {
        let c = lib.commit(&clerk(), op).expect("commit");
        assert!(c.changed(), "{:?}", c.outcomes);
    }
    // Repeating any of them changes nothing.
    for op in ops.iter().filter(|o| !matches!(o, Op::AddRelation { relation, .. } if matches!(relation.target, Target::Citation(_)))).cloned() {
        let c = lib.commit(&clerk(), op).expect("commit");
        assert!(!c.changed(), "{:?}", c.outcomes);
    }
    let snap = lib.snapshot().expect("snapshot");
    assert_eq!(
        snap.as_of(&a, d("2020-12-31")).expect("as of").status,
        Status::InForce
    );
    let repealed = snap.as_of(&a, d("2021-01-01")).expect("as of");
    assert_eq!(
        (repealed.status, repealed.since),
        (Status::Repealed, Some(d("2021-01-01")))
    );
    assert_eq!(
        snap.as_of(&b, d("2026-01-01")).expect("as of").status,
        Status::Expired
    );
    assert_eq!(
        snap.as_of(&b, d("2026-03-01")).expect("as of").status,
        Status::Withdrawn
    );
    let rec = snap.require_record(&a).expect("record");
    assert_eq!(rec.subjects, ["物业"]);

    // The work's directory, or a glob that needs no shard.
    let story = git_ok(
        t.path(),
        &[
            "log",
            "--format=%s",
            "--",
            &wenku_store::layout::work_dir(&a),
        ],
    );
    assert_eq!(
        story,
        git_ok(
            t.path(),
            &["log", "--format=%s", "--", "370200/*/old-rule/*"]
        )
    );
    assert_eq!(
        story.lines().collect::<Vec<_>>(),
        [
            "repeal 370200/old-rule 旧办法 (2021-01-01, by 370200/new-rule)",
            "correct 370200/old-rule 旧办法",
            "publish 370200/old-rule 旧办法",
        ]
    );
    let story = git_ok(
        t.path(),
        &["log", "--format=%s", "--", "370200/*/new-rule/*"],
    );
    assert_eq!(
        story.lines().collect::<Vec<_>>(),
        [
            "withdraw 370200/new-rule 新办法 (2026-03-01: 依法撤回)",
            "set-expiry 370200/new-rule 新办法 (valid until 2025-12-31)",
            "remove-relation 370200/new-rule 新办法 (cites 《旧办法》)",
            "add-relation 370200/new-rule 新办法 (cites 《旧办法》)",
            "add-relation 370200/new-rule 新办法 (repeals 370200/old-rule)",
            "publish 370200/new-rule 新办法",
        ]
    );
    assert_clean(&lib);
    fsck(t.path());
}
