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
    assert_reads_back(&lib, expected.iter());
    assert_clean(&lib);
}

/// Each work's version reads back as the document given.
fn assert_reads_back<'a>(lib: &Library, docs: impl Iterator<Item = &'a (String, Document)>) {
    let snap = lib.snapshot().expect("snapshot");
    for (id, doc) in docs {
        let rev = doc.revision_id().expect("id");
        assert_eq!(
            &snap.document(&w(id), &rev).expect("read back"),
            doc,
            "{id}"
        );
    }
}

/// The files under `objects/pack`, by name.
fn pack_dir_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("objects/pack"))
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The batch of `n` works the write-ahead tests commit, one text given
/// twice.
fn batch_docs(n: usize) -> Vec<(String, Document)> {
    (0..n)
        .map(|i| {
            let variant = if i == n - 1 {
                "0".to_string()
            } else {
                i.to_string()
            };
            (
                format!("370200/ahead-{i}"),
                long_doc("预先写入条例", 7, &variant),
            )
        })
        .collect()
}

#[test]
fn texts_written_ahead_commit_the_tree_their_documents_would_in_one_valid_pack() {
    let n = 300;
    let docs = batch_docs(n);
    // The same batch with its documents in the transaction, as the
    // reference.
    let reference = tmp();
    let lib = new_lib(reference.path(), "370200", &[]);
    let tx: Transaction = docs
        .iter()
        .map(|(id, doc)| Op::Publish {
            record: record(id, "预先写入条例"),
            version: NewVersion::new(doc.clone(), d("2024-01-01")),
        })
        .collect();
    lib.commit(&clerk(), tx).expect("reference batch");

    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let before = pack_dir_files(t.path());
    let mut texts = lib.text_pack().expect("a text pack");
    let encoder = texts.encoder();
    let stored: Vec<StoredText> = docs
        .iter()
        .map(|(_, doc)| {
            let prepared = encoder.prepare(doc).expect("prepared");
            texts.append(prepared).expect("appended")
        })
        .collect();
    // The text given twice is written once.
    assert_eq!(texts.len(), n - 1);
    assert_eq!(stored[0], stored[n - 1]);
    assert_eq!(stored[0].revision(), docs[0].1.revision_id().expect("id"));
    // Nothing is in the repository before the commit.
    assert!(
        pack_dir_files(t.path())
            .iter()
            .all(|f| before.contains(f) || f.starts_with(".tmp")),
        "{:?}",
        pack_dir_files(t.path())
    );
    let mut plans = 0;
    let committed = lib
        .commit_planned_with_texts(&clerk(), &mut texts, |_| {
            plans += 1;
            Ok::<_, CommitError>(
                docs.iter()
                    .zip(&stored)
                    .map(|((id, _), text)| Op::Publish {
                        record: record(id, "预先写入条例"),
                        version: NewVersion::stored(*text, d("2024-01-01")),
                    })
                    .collect(),
            )
        })
        .expect("commit");
    assert_eq!(plans, 1);
    assert!(committed.commit.is_some());
    drop(texts);
    // The same tree as the batch committed with its documents.
    assert_eq!(
        git_ok(t.path(), &["rev-parse", "main^{tree}"]),
        git_ok(reference.path(), &["rev-parse", "main^{tree}"])
    );
    // git reads the pack and the index written for it; no temporary
    // file is left.
    let (objects, ..) = pack_deltas(t.path());
    assert!(objects >= n, "{objects}");
    assert!(
        !pack_dir_files(t.path())
            .iter()
            .any(|f| f.starts_with(".tmp")),
        "{:?}",
        pack_dir_files(t.path())
    );
    fsck(t.path());
    assert_reads_back(&lib, docs.iter().step_by(37));
    assert_clean(&lib);
}

#[test]
fn a_refused_batch_written_ahead_leaves_nothing_in_the_repository() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let head = git_ok(t.path(), &["rev-parse", "main"]);
    let before = pack_dir_files(t.path());
    let docs = batch_docs(100);
    let mut texts = lib.text_pack().expect("a text pack");
    let stored: Vec<StoredText> = docs
        .iter()
        .map(|(_, doc)| texts.store(doc).expect("stored"))
        .collect();
    // The last op is outside the node's authority: the whole batch is
    // refused.
    let err = lib
        .commit_planned_with_texts(&clerk(), &mut texts, |_| {
            Ok::<_, CommitError>(
                docs.iter()
                    .zip(&stored)
                    .enumerate()
                    .map(|(i, ((id, _), text))| {
                        let id = if i == 99 {
                            "370300/elsewhere".to_string()
                        } else {
                            id.clone()
                        };
                        Op::Publish {
                            record: record(&id, "预先写入条例"),
                            version: NewVersion::stored(*text, d("2024-01-01")),
                        }
                    })
                    .collect(),
            )
        })
        .expect_err("refused");
    assert!(
        matches!(err, CommitError::Refused { index: 99, .. }),
        "{err}"
    );
    drop(texts);
    assert_eq!(git_ok(t.path(), &["rev-parse", "main"]), head);
    assert_eq!(pack_dir_files(t.path()), before);
    fsck(t.path());
}

#[test]
fn a_text_written_ahead_for_another_library_is_refused() {
    let (a, b) = (tmp(), tmp());
    let (lib_a, lib_b) = (
        new_lib(a.path(), "370200", &[]),
        new_lib(b.path(), "370200", &[]),
    );
    let mut texts = lib_a.text_pack().expect("a text pack");
    let text = texts
        .store(&long_doc("别处条例", 3, "别处"))
        .expect("stored");
    let head = git_ok(b.path(), &["rev-parse", "main"]);
    let err = lib_b
        .publish(
            &clerk(),
            record("370200/elsewhere", "别处条例"),
            NewVersion::stored(text, d("2024-01-01")),
        )
        .expect_err("its text is not in this library");
    assert!(
        err.to_string().contains("was not written to this library"),
        "{err}"
    );
    assert_eq!(git_ok(b.path(), &["rev-parse", "main"]), head);
}
