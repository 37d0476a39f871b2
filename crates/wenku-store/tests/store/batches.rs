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
