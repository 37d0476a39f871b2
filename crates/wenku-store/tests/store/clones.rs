//! Clones.

use super::*;

#[test]
fn a_git_clone_of_a_library_opens_as_a_library() {
    let t = tmp();
    let origin = t.path().join("origin.git");
    let lib = new_lib(&origin, "370200", &[]);
    let rev = publish(&lib, "370200/wuye", "物业条例", "2020-01-01");
    let o = origin.to_str().expect("utf8");
    git_ok(t.path(), &["clone", "-q", o, "work"]);
    git_ok(t.path(), &["clone", "-q", "--bare", o, "mirror.git"]);
    for path in [
        t.path().join("work"),
        t.path().join("work/.git"),
        t.path().join("mirror.git"),
    ] {
        let clone = Library::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(clone.meta(), lib.meta());
        assert_eq!(clone.head().expect("head"), lib.head().expect("head"));
        let snap = clone.snapshot().expect("snapshot");
        assert_eq!(
            snap.document(&w("370200/wuye"), &rev).expect("document"),
            doc("物业条例", "2020-01-01")
        );
        assert_clean(&clone);
    }
    // The clone's checkout shows the files as they are in git.
    let checked_out = t
        .path()
        .join("work")
        .join(wenku_store::layout::version_path(&w("370200/wuye"), &rev));
    assert_eq!(
        std::fs::read(checked_out).expect("checked out"),
        canonical::encode_document(&doc("物业条例", "2020-01-01")).expect("encodes")
    );
    for dir in [
        origin.clone(),
        t.path().join("work"),
        t.path().join("mirror.git"),
    ] {
        fsck(&dir);
    }
}
