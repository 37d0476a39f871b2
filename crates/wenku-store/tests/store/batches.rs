//! Batches.

use super::*;

#[test]
fn a_batch_of_thousands_is_one_commit_and_one_readable_pack() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let n = 3000;
    let tx: Transaction = (0..n)
        .map(|i| Op::Publish {
            record: record(&format!("370200/batch-{i}"), &format!("文件{i}")),
            version: NewVersion::new(doc(&format!("文件{i}"), &i.to_string()), d("2024-01-01")),
        })
        .collect();
    let before = main_commits(t.path());
    let c = lib.commit(&clerk(), tx).expect("batch");
    assert!(c.packed);
    assert_eq!(main_commits(t.path()), before + 1);
    assert_eq!(
        git_ok(t.path(), &["log", "-1", "--format=%s"]).trim(),
        format!("publish {n} works")
    );
    let packs: Vec<PathBuf> = std::fs::read_dir(t.path().join("objects/pack"))
        .expect("pack dir")
        .map(|e| e.expect("entry").path())
        .collect();
    let pack_files: Vec<&PathBuf> = packs
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pack"))
        .collect();
    assert_eq!(pack_files.len(), 1, "{packs:?}");
    assert!(
        !packs
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "keep")),
        "{packs:?}"
    );
    #[cfg(unix)]
    for p in packs
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pack" || e == "idx"))
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o444, "{}", p.display());
    }
    let snap = lib.snapshot().expect("snapshot");
    assert_eq!(snap.works(&Filter::all()).expect("list").len(), n);
    assert_eq!(
        snap.document(
            &w("370200/batch-2999"),
            &doc("文件2999", "2999").revision_id().expect("id")
        )
        .expect("read from the pack"),
        doc("文件2999", "2999")
    );
    // A library stays usable after a batch: a small commit goes loose.
    let c = lib
        .add_version(
            &clerk(),
            w("370200/batch-7"),
            NewVersion::new(doc("文件7", "二"), d("2025-01-01")),
        )
        .expect("add");
    assert!(!c.packed);
    let report = lib.verify().expect("verify");
    assert!(report.is_clean(), "{report}");
    assert_eq!((report.works, report.versions), (n, n + 1));
    fsck(t.path());
}

/// A long regulation (60 articles) whose article `changed` says `variant`.
fn long_doc(title: &str, changed: u32, variant: &str) -> Document {
    let mut doc = Document::new(DocType::Regulation, title);
    doc.body.push(Block::Title(title.into()));
    for n in 1..=60u32 {
        let mut a = Unit::new(
            UnitKind::Article,
            format!("第{}条", wenku_model::numeral::to_chinese(n)),
            Some(Number::new(n)),
        );
        let text = if n == changed {
            format!("本条经修改（{variant}），县级以上人民政府应当依法履行职责。")
        } else {
            format!(
                "第{n}条：县级以上人民政府应当加强对本行政区域内政务公开工作的组织领导，建立健全工作机制，所需经费列入本级预算。"
            )
        };
        a.children.push(Block::Para(text));
        doc.body.push(Block::Unit(a));
    }
    doc
}

/// `git verify-pack -v` of every pack: (objects, deltas, longest chain).
fn pack_deltas(dir: &Path) -> (usize, usize, usize) {
    let (mut objects, mut deltas, mut longest) = (0, 0, 0);
    for e in std::fs::read_dir(dir.join("objects/pack")).expect("pack dir") {
        let p = e.expect("entry").path();
        if p.extension().is_none_or(|x| x != "idx") {
            continue;
        }
        let out = git_ok(dir, &["verify-pack", "-v", p.to_str().expect("utf-8")]);
        for line in out.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() >= 5 && fields[0].len() == 40 {
                objects += 1;
                // A delta's line ends with its depth and base.
                if fields.len() == 7 {
                    deltas += 1;
                    longest = longest.max(fields[5].parse::<usize>().expect("depth"));
                }
            }
        }
    }
    (objects, deltas, longest)
}

#[test]
fn versions_of_one_work_are_stored_as_deltas_in_batches_and_after_compaction() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]).with_commit_options(CommitOptions {
        max_packs: 1,
        ..CommitOptions::default()
    });
    let works = 120;
    // Batch 1: each work published with two versions (a delta in the
    // batch's own pack); then twelve batches of one more version of each,
    // whose packs compaction merges at once (max_packs 1): the new
    // versions become deltas of the old ones there.
    let mut expected = Vec::new();
    let mut tx = Transaction::new();
    for i in 0..works {
        let id = format!("370200/long-{i}");
        let v1 = long_doc("政务公开条例", 1, &format!("{i}-1"));
        let v2 = long_doc("政务公开条例", 2, &format!("{i}-2"));
        tx.push(Op::Publish {
            record: record(&id, "政务公开条例"),
            version: NewVersion::new(v1.clone(), d("2020-01-01")),
        });
        tx.push(Op::AddVersion {
            work: w(&id),
            version: NewVersion::new(v2.clone(), d("2021-01-01")),
        });
        expected.push((id.clone(), v1));
        expected.push((id, v2));
    }
    assert!(lib.commit(&clerk(), tx).expect("batch 1").packed);
    let (objects, deltas, longest) = pack_deltas(t.path());
    assert!(deltas >= works, "{deltas} deltas of {objects} objects");
    assert!(longest <= 1, "{longest}");
    for round in 3..15u32 {
        let tx: Transaction = (0..works)
            .map(|i| {
                let id = format!("370200/long-{i}");
                let v = long_doc("政务公开条例", round, &format!("{i}-{round}"));
                expected.push((id.clone(), v.clone()));
                Op::AddVersion {
                    work: w(&id),
                    version: NewVersion::new(v, d(&format!("20{}-01-01", 19 + round))),
                }
            })
            .collect();
        let c = lib.commit(&clerk(), tx).expect("batch");
        assert!(c.packed);
    }
    lib.maintain().expect("compaction");
    let (objects, deltas, longest) = pack_deltas(t.path());
    // 14 versions of each work, all but the first of each chain a delta,
    // chains at most 10 long.
    assert!(deltas >= works * 12, "{deltas} deltas of {objects} objects");
    assert!(longest <= 10, "{longest}");
    fsck(t.path());
    let snap = lib.snapshot().expect("snapshot");
    for (id, doc) in &expected {
        let rev = doc.revision_id().expect("id");
        assert_eq!(
            &snap.document(&w(id), &rev).expect("read back"),
            doc,
            "{id}"
        );
    }
    assert_clean(&lib);
}
