//! Refusals.

use super::*;

fn object_count(path: &Path) -> String {
    git_ok(path, &["count-objects", "-v"])
}

#[test]
fn refusals_write_nothing() {
    let t = tmp();
    let lib = new_lib(t.path(), "370283", &["370283001"]);
    publish(&lib, "370283/pdbf-2024-1", "平度要点", "2024-07-16");
    publish(&lib, "370283001/zhen-1", "镇规定", "2024-01-01");
    let head = lib.head().expect("head");
    let objects = object_count(t.path());

    let check = |tx: Transaction, want: &dyn Fn(&Refusal) -> bool, index: usize| {
        match lib.commit(&clerk(), tx) {
            Err(CommitError::Refused {
                index: i, refusal, ..
            }) => {
                assert!(want(&refusal), "unexpected refusal: {refusal}");
                assert_eq!(i, index);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(lib.head().expect("head"), head);
        assert_eq!(
            object_count(t.path()),
            objects,
            "a refused transaction wrote objects"
        );
    };
    let publish_op = |work: &str| Op::Publish {
        record: record(work, "标题"),
        version: NewVersion::new(doc("标题", work), d("2025-01-01")),
    };
    // A foreign region (the city above, a sibling county), even at the end
    // of a batch whose other ops are fine.
    check(
        Transaction::new()
            .with(publish_op("370283/ok-1"))
            .with(publish_op("370200/qzbf-2025-3")),
        &|r| matches!(r, Refusal::Unauthorized { region, .. } if region.as_str() == "370200"),
        1,
    );
    check(
        publish_op("370304/bs-1").into(),
        &|r| matches!(r, Refusal::Unauthorized { .. }),
        0,
    );
    // Unknown work.
    check(
        Op::AddVersion {
            work: w("370283/nope"),
            version: NewVersion::new(doc("x", "y"), d("2025-01-01")),
        }
        .into(),
        &|r| matches!(r, Refusal::UnknownWork),
        0,
    );
    // Publishing twice.
    check(
        publish_op("370283/pdbf-2024-1").into(),
        &|r| matches!(r, Refusal::WorkExists),
        0,
    );
    // A relation to a work that is not there.
    check(
        Op::AddRelation {
            work: w("370283/pdbf-2024-1"),
            relation: Relation {
                kind: RelationKind::Implements,
                target: Target::Work(w("370200/qzbf-2025-3")),
            },
        }
        .into(),
        &|r| matches!(r, Refusal::UnknownTarget { target } if target.to_string() == "370200/qzbf-2025-3"),
        0,
    );
    check(
        Op::AddRelation {
            work: w("370283/pdbf-2024-1"),
            relation: Relation {
                kind: RelationKind::Cites,
                target: Target::Work(w("370283/pdbf-2024-1")),
            },
        }
        .into(),
        &|r| matches!(r, Refusal::SelfRelation),
        0,
    );
    // A record that lists versions without their text.
    let mut listed = record("370283/listed", "列出");
    listed.insert_version(wenku_model::VersionEntry::new(
        RevisionId::of(b"x"),
        d("2025-01-01"),
    ));
    check(
        Op::Publish {
            record: listed,
            version: NewVersion::new(doc("x", "y"), d("2025-01-01")),
        }
        .into(),
        &|r| matches!(r, Refusal::RecordHasVersions { count: 1 }),
        0,
    );
    // Malformed ids never reach the store: they do not parse.
    for bad in [
        "370283/../x",
        "370283/Abc",
        "37028/x",
        "370283",
        "370283/a/b",
    ] {
        assert!(WorkId::parse(bad).is_err(), "{bad}");
    }
    // A transaction that publishes a work and relates to it later works.
    let c = lib
        .commit(
            &clerk(),
            Transaction::new()
                .with(Op::AddRelation {
                    work: w("370283/pdbf-2024-1"),
                    relation: Relation {
                        kind: RelationKind::Cites,
                        target: Target::Work(w("370283/later")),
                    },
                })
                .with(publish_op("370283/later")),
        )
        .expect("forward reference inside a batch");
    assert!(c.changed());
    assert_clean(&lib);
    fsck(t.path());
}
