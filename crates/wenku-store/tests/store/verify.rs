//! Integrity and verification.

use super::*;

#[test]
fn a_tampered_version_is_an_integrity_error_and_verify_reports_it() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let work = w("370200/wuye");
    let rev = publish(&lib, "370200/wuye", "物业条例", "2020-01-01");
    let path = wenku_store::layout::version_path(&work, &rev);
    let mut altered = canonical::encode_document(&doc("物业条例", "2020-01-01")).expect("encodes");
    let at = altered.len() - 40;
    altered[at..at + 3].copy_from_slice("改".as_bytes());
    edit_with_git(t.path(), &[(&path, Some(&altered))], "100644");

    let snap = lib.snapshot().expect("snapshot");
    match snap.document(&work, &rev) {
        Err(ReadError::Integrity {
            path: p,
            expected,
            actual,
        }) => {
            assert_eq!(p, path);
            assert_eq!(expected, rev);
            assert_eq!(actual, RevisionId::of(&altered));
        }
        other => panic!("expected an integrity error, got {other:?}"),
    }
    // as-of still answers (the record is fine), the text is refused.
    assert!(snap.as_of(&work, d("2021-01-01")).is_ok());
    assert!(snap.text_as_of(&work, d("2021-01-01")).is_err());
    let report = lib.verify().expect("verify");
    assert_eq!(report.problems.len(), 1, "{report}");
    assert_eq!(report.problems[0].path, path);
    assert!(
        matches!(report.problems[0].kind, ProblemKind::HashMismatch { actual } if actual == RevisionId::of(&altered))
    );
    assert!(
        report
            .to_string()
            .contains("do not hash to the file's name"),
        "{report}"
    );
    // git itself sees nothing wrong: the altered file is a valid blob.
    fsck(t.path());
}

#[test]
fn a_loose_object_altered_on_disk_is_never_used() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let work = w("370200/wuye");
    let rev = publish(&lib, "370200/wuye", "物业条例", "2020-01-01");
    let path = wenku_store::layout::version_path(&work, &rev);
    let blob = git_ok(t.path(), &["rev-parse", &format!("main:{path}")]);
    let blob = blob.trim();
    // Write a different text as a loose object and put its file in place of
    // the version's object file.
    let other = canonical::encode_document(&doc("物业条例", "被篡改")).expect("encodes");
    let file = t.path().join("other.xml");
    std::fs::write(&file, &other).expect("write");
    let other_id = git_ok(
        t.path(),
        &["hash-object", "-w", file.to_str().expect("utf8")],
    );
    let other_id = other_id.trim();
    let object = |id: &str| t.path().join("objects").join(&id[..2]).join(&id[2..]);
    let target = object(blob);
    assert!(target.is_file(), "single publishes write loose objects");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    std::fs::copy(object(other_id), &target).expect("swap object file");

    let reopened = Library::open(t.path()).expect("open");
    let snap = reopened.snapshot().expect("snapshot");
    let err = snap.document(&work, &rev).expect_err("altered object");
    // gix does not re-hash a loose object when it reads it; the BLAKE3
    // check against the file's name is what refuses the bytes.
    assert!(matches!(err, ReadError::Integrity { .. }), "{err}");
    let report = reopened.verify().expect("verify runs");
    assert!(!report.is_clean());
    assert!(report.problems.iter().any(|p| p.path == path), "{report}");
    // git agrees that the object is corrupt (this is the one library in
    // these tests that git fsck must refuse).
    assert!(!git(t.path(), &["fsck", "--strict"]).status.success());
}

#[test]
fn verify_reports_every_problem() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let a = w("370200/a");
    let b = w("370200/b");
    let ra = publish(&lib, "370200/a", "甲", "2020-01-01");
    let rb = publish(&lib, "370200/b", "乙", "2020-01-01");
    publish(&lib, "370200/c", "丙", "2020-01-01");
    let layout = |w: &WorkId| wenku_store::layout::work_dir(w);
    let orphan = canonical::encode_document(&doc("甲", "孤儿")).expect("encodes");
    let orphan_id = RevisionId::of(&orphan);
    let mut b_rec = lib
        .snapshot()
        .expect("snapshot")
        .require_record(&b)
        .expect("record");
    b_rec.add_relation(Relation {
        kind: RelationKind::Cites,
        target: Target::Work(w("370200/gone")),
    });
    let b_bytes = canonical::encode_record(&b_rec).expect("encodes");
    let mut noncanonical = b_bytes.clone();
    noncanonical.extend_from_slice(b"\n\n");
    let c_rec = canonical::encode_record(&record("370200/zzz", "丙")).expect("encodes");
    let wrong_shard = if wenku_store::layout::shard_of("d") == "00" {
        "01"
    } else {
        "00"
    };
    edit_with_git(
        t.path(),
        &[
            // an unlisted version file in a
            (&format!("{}/{orphan_id}.xml", layout(&a)), Some(&orphan)),
            // b's only version removed, and a dangling relation added
            (&wenku_store::layout::version_path(&b, &rb), None),
            (&wenku_store::layout::record_path(&b), Some(&b_bytes)),
            // c's record names another work
            (
                &wenku_store::layout::record_path(&w("370200/c")),
                Some(&c_rec),
            ),
            // stray files
            ("README.md", Some(b"hello")),
            (&format!("{}/notes.txt", layout(&a)), Some(b"x")),
            (
                &format!("370200/{wrong_shard}/d/record.xml"),
                Some(&noncanonical),
            ),
        ],
        "100644",
    );
    edit_with_git(
        t.path(),
        &[(
            &wenku_store::layout::version_path(&a, &ra),
            Some(&canonical::encode_document(&doc("甲", "2020-01-01")).expect("encodes")),
        )],
        "100755",
    );
    let report = lib.verify().expect("verify");
    let kinds: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    let expect = [
        "README.md: unexpected entry",
        "notes.txt: unexpected entry",
        "is executable",
        &format!("version file {orphan_id} is not listed"),
        &format!("record lists version {rb}, whose file is missing"),
        "relation target 370200/gone is not in the library",
        "record of 370200/zzz in another work's directory",
        // ... which lists no versions, so c's own version is unlisted
        "record lists no versions",
        "c/605fc31646c3",
        "work 370200/d belongs in shard",
    ];
    for e in expect {
        assert!(
            kinds.iter().any(|k| k.contains(e)),
            "missing {e:?} in\n{report}"
        );
    }
    assert_eq!(report.problems.len(), expect.len(), "{report}");
    // Reads of the damaged parts fail with typed errors.
    let snap = lib.snapshot().expect("snapshot");
    assert!(matches!(
        snap.version_bytes(&b, &rb),
        Err(ReadError::MissingVersion { .. })
    ));
    assert!(matches!(
        snap.record(&w("370200/c")),
        Err(ReadError::Misplaced { .. })
    ));
    // Every one of these is valid git; only wenku's checks find them.
    fsck(t.path());
}

#[test]
fn verify_reports_a_version_published_later_but_effective_earlier() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let work = w("370200/wuye");
    let mut first = NewVersion::new(doc("物业条例", "原文"), d("2020-01-01"));
    first.effective = Some(d("2021-01-01"));
    lib.publish(&clerk(), record("370200/wuye", "物业条例"), first)
        .expect("publish");
    assert_clean(&lib);
    // An amendment dated by its original's clause: published after the
    // original, effective before it.
    let mut amended = NewVersion::new(doc("物业条例", "修正"), d("2020-06-01"));
    amended.effective = Some(d("2020-03-01"));
    let c = lib
        .commit(
            &clerk(),
            Op::AddVersion {
                work: work.clone(),
                version: amended,
            },
        )
        .expect("the store takes what it is given");
    let later = c.outcomes[0].revision.expect("revision");
    let report = lib.verify().expect("verify");
    assert_eq!(report.problems.len(), 1, "{report}");
    let problem = &report.problems[0];
    assert_eq!(problem.path, wenku_store::layout::record_path(&work));
    assert!(
        matches!(problem.kind, ProblemKind::ContradictoryDates { later: l, .. } if l == later),
        "{report}"
    );
    assert!(
        report.to_string().contains("is published after version"),
        "{report}"
    );

    // Published later and effective on the same day as the earlier one, or
    // later: no contradiction.
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let mut first = NewVersion::new(doc("物业条例", "原文"), d("2020-01-01"));
    first.effective = Some(d("2021-01-01"));
    lib.publish(&clerk(), record("370200/wuye", "物业条例"), first)
        .expect("publish");
    let mut amended = NewVersion::new(doc("物业条例", "修正"), d("2020-06-01"));
    amended.effective = Some(d("2021-01-01"));
    lib.commit(
        &clerk(),
        Op::AddVersion {
            work,
            version: amended,
        },
    )
    .expect("add");
    assert_clean(&lib);
}
