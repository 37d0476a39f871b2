//! The metadata format.

use super::*;

/// The samples in `testdata/library/` decode (or are refused) as their
/// names say, and agree with `schemas/library-1.xsd` when xmllint is there
/// (CI sets WENKU_REQUIRE_XMLLINT=1 so this cannot silently skip).
#[test]
fn library_metadata_samples_agree_with_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut samples: Vec<PathBuf> = std::fs::read_dir(root.join("testdata/library"))
        .expect("samples")
        .map(|e| e.expect("entry").path())
        .collect();
    samples.sort();
    assert!(samples.len() >= 5);
    let xmllint = Command::new("xmllint").arg("--version").output().is_ok();
    assert!(
        xmllint || std::env::var_os("WENKU_REQUIRE_XMLLINT").is_none(),
        "xmllint is required (WENKU_REQUIRE_XMLLINT is set) but not installed"
    );
    for path in samples {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf8")
            .to_string();
        let valid = name.starts_with("valid-");
        let bytes = std::fs::read(&path).expect("read");
        let decoded = wenku_store::LibraryMeta::decode(&bytes);
        assert_eq!(decoded.is_ok(), valid, "{name}: {decoded:?}");
        if let Ok(meta) = decoded {
            assert_eq!(meta.encode(), bytes, "{name} is canonical");
        }
        if xmllint {
            let out = Command::new("xmllint")
                .args(["--noout", "--schema"])
                .arg(root.join("schemas/library-1.xsd"))
                .arg(&path)
                .output()
                .expect("xmllint runs");
            assert_eq!(
                out.status.success(),
                valid,
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // What wenku writes validates too.
    if xmllint {
        let t = tmp();
        let lib = new_lib(&t.path().join("lib"), "370283", &["370283001"]);
        let file = t.path().join("library.xml");
        std::fs::write(&file, lib.meta().encode()).expect("write");
        let out = Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(root.join("schemas/library-1.xsd"))
            .arg(&file)
            .output()
            .expect("xmllint runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        fsck(&t.path().join("lib"));
    }
}

#[test]
fn a_ref_lock_of_a_dead_writer_is_removed_and_anyone_elses_is_respected() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let ref_lock = t.path().join("refs/heads/main.lock");
    let state = t.path().join("wenku/write.lock");
    // A wenku writer died between creating main.lock and renaming it: its
    // write.lock still says so.
    std::fs::write(&ref_lock, "0000000000000000000000000000000000000000\n").expect("write");
    std::fs::write(&state, "swap\n").expect("write");
    publish(&lib, "370200/a", "甲", "2025-01-01");
    assert!(!ref_lock.exists());
    assert_eq!(
        std::fs::read(&state).expect("read"),
        b"",
        "the swap is over"
    );

    // A lock taken by someone else (git pack-refs, say) is not wenku's to
    // remove: the commit fails like any git lock conflict, nothing changes.
    let head = lib.head().expect("head");
    std::fs::write(&ref_lock, "0000000000000000000000000000000000000000\n").expect("write");
    let err = lib
        .publish(
            &clerk(),
            record("370200/b", "乙"),
            NewVersion::new(doc("乙", "1"), d("2025-01-01")),
        )
        .expect_err("main is locked");
    assert!(matches!(err, CommitError::Git(_)), "{err}");
    assert!(ref_lock.exists());
    assert_eq!(lib.head().expect("head"), head);
    std::fs::remove_file(&ref_lock).expect("remove");
    publish(&lib, "370200/b", "乙", "2025-01-01");
    assert_clean(&lib);
    fsck(t.path());
}

/// A catalog that answers every question with one fixed work, to see that
/// snapshots use a plugged-in catalog only for its own commit.
#[derive(Debug)]
struct FixedCatalog(wenku_store::ObjectId, WorkId);

impl wenku_store::Catalog for FixedCatalog {
    fn commit(&self) -> wenku_store::ObjectId {
        self.0
    }
    fn works(&self, _: &Filter) -> Result<Vec<WorkId>, ReadError> {
        Ok(vec![self.1.clone()])
    }
    fn lookup(&self, _: &Citation) -> Result<Vec<WorkId>, ReadError> {
        Ok(vec![self.1.clone()])
    }
    fn referrers(&self, _: &WorkId) -> Result<Vec<wenku_model::query::Referrer>, ReadError> {
        Ok(Vec::new())
    }
    fn find_revision(&self, _: &RevisionId) -> Result<Vec<WorkId>, ReadError> {
        Ok(vec![self.1.clone()])
    }
    fn unresolved(&self) -> Result<Vec<wenku_model::query::Referrer>, ReadError> {
        Ok(Vec::new())
    }
}

#[test]
fn a_plugged_in_catalog_answers_only_for_its_commit() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    publish(&lib, "370200/a", "甲", "2025-01-01");
    let marker = w("370200/from-the-catalog");
    let head = lib.head().expect("head");
    let snap = lib
        .snapshot()
        .expect("snapshot")
        .with_catalog(Box::new(FixedCatalog(head, marker.clone())));
    assert_eq!(
        snap.works(&Filter::all()).expect("list"),
        std::slice::from_ref(&marker)
    );
    let parent = git_ok(t.path(), &["rev-parse", "main~1"]);
    let stale = wenku_store::ObjectId::from_hex(parent.trim()).expect("hex");
    let snap = lib
        .snapshot()
        .expect("snapshot")
        .with_catalog(Box::new(FixedCatalog(stale, marker)));
    assert_eq!(snap.works(&Filter::all()).expect("list"), [w("370200/a")]);
    fsck(t.path());
}
