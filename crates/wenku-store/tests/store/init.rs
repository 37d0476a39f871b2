//! Init and open.

use super::*;

#[test]
fn init_creates_a_bare_library_that_opens() {
    let t = tmp();
    let path = t.path().join("qingdao.wenku");
    let lib = new_lib(&path, "370200", &["370200001"]);
    assert_eq!(lib.authority().node(), r("370200"));
    assert_eq!(lib.authority().hosted(), &[r("370200001")]);
    assert_eq!(
        git_ok(&path, &["rev-parse", "--is-bare-repository"]).trim(),
        "true"
    );
    assert_eq!(
        git_ok(&path, &["symbolic-ref", "HEAD"]).trim(),
        "refs/heads/main"
    );
    assert_eq!(
        git_ok(&path, &["log", "--format=%s|%an|%ad", "--date=raw"]).trim(),
        format!("init library 370200|青岛市政务公开办|{START} +0800")
    );
    assert!(git_ok(&path, &["show", "main:library.xml"]).contains("<node region=\"370200\"/>"));
    let again = Library::open(&path).expect("open");
    assert_eq!(again.meta(), lib.meta());
    assert_clean(&again);
    fsck(&path);
}

#[test]
fn init_refuses_hosting_outside_and_non_empty_directories() {
    let t = tmp();
    let err = Library::init(
        t.path().join("a"),
        r("370283"),
        InitOptions::new(clerk()).hosting(r("370304001")),
    )
    .expect_err("outside");
    assert!(
        err.to_string().contains("cannot host region 370304001"),
        "{err}"
    );
    std::fs::write(t.path().join("file"), "x").expect("write");
    let err =
        Library::init(t.path(), r("370283"), InitOptions::new(clerk())).expect_err("non-empty");
    assert!(
        err.to_string().contains(&t.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn open_refuses_what_is_not_a_library() {
    let t = tmp();
    let err = Library::open(t.path().join("missing")).expect_err("missing");
    assert!(matches!(err, OpenError::NotARepository { .. }), "{err}");

    let plain = t.path().join("plain.git");
    git_ok(
        t.path(),
        &[
            "init",
            "--bare",
            "-q",
            "-b",
            "main",
            plain.to_str().expect("utf8"),
        ],
    );
    let err = Library::open(&plain).expect_err("no main");
    assert!(matches!(err, OpenError::NotALibrary { .. }), "{err}");
    assert!(err.to_string().contains("has no refs/heads/main"), "{err}");

    // A repository with a main branch but no library.xml.
    let blob = git_ok(&plain, &["hash-object", "-w", "--stdin"]);
    let _ = blob;
    let tree = git_ok(&plain, &["mktree"]);
    let commit = git_ok(&plain, &["commit-tree", tree.trim(), "-m", "empty"]);
    git_ok(&plain, &["update-ref", "refs/heads/main", commit.trim()]);
    let err = Library::open(&plain).expect_err("no metadata");
    assert!(err.to_string().contains("has no library.xml"), "{err}");
}

/// Replaces main with a commit whose `library.xml` is `meta` (via git).
fn rewrite_meta(path: &Path, meta: &str) {
    let file = path.join("meta.tmp");
    std::fs::write(&file, meta).expect("write");
    let blob = git_ok(path, &["hash-object", "-w", file.to_str().expect("utf8")]);
    std::fs::remove_file(&file).expect("remove");
    let tree = git_ok(path, &["ls-tree", "main"]);
    let mut lines: Vec<String> = tree
        .lines()
        .filter(|l| !l.ends_with("\tlibrary.xml"))
        .map(str::to_string)
        .collect();
    lines.push(format!("100644 blob {}\tlibrary.xml", blob.trim()));
    let mut child = Command::new("git")
        .args(["mktree"])
        .current_dir(path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git mktree");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{}\n", lines.join("\n")).as_bytes())
        .expect("write tree");
    let out = child.wait_with_output().expect("mktree");
    let tree = String::from_utf8(out.stdout).expect("utf8");
    let commit = git_ok(
        path,
        &["commit-tree", tree.trim(), "-p", "main", "-m", "upgrade"],
    );
    git_ok(path, &["update-ref", "refs/heads/main", commit.trim()]);
}

#[test]
fn newer_formats_are_refused_on_open_and_on_write() {
    let t = tmp();
    let path = t.path().join("lib");
    let lib = new_lib(&path, "370200", &[]);
    rewrite_meta(
        &path,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<library xmlns=\"urn:wenku:library:2\">\n<node region=\"370200\"/>\n<shards depth=\"3\"/>\n</library>\n",
    );
    let err = Library::open(&path).expect_err("newer");
    assert!(
        matches!(
            err,
            OpenError::NewerFormat {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade wenku"), "{err}");
    // A library opened before the upgrade does not write into it either.
    let head = lib.head().expect("head");
    let err = lib
        .publish(
            &clerk(),
            record("370200/a", "甲"),
            NewVersion::new(doc("甲", "1"), d("2025-01-01")),
        )
        .expect_err("newer format");
    assert!(matches!(err, CommitError::Meta { .. }), "{err}");
    assert_eq!(lib.head().expect("head"), head);
    fsck(&path);
}

/// `<git-dir>/wenku/head.cache` lets an open read no git object: a copy of
/// the library whose head commit object is gone still opens with the right
/// metadata; a damaged cache is not believed (that copy then fails to
/// open, as without a cache); after a commit the stale cache is left
/// aside and written again for the new head.
#[test]
fn opening_uses_the_head_cache_and_only_a_whole_one_of_the_head() {
    let t = tmp();
    let path = t.path().join("lib.wenku");
    let lib = new_lib(&path, "370200", &["370200001"]);
    let head = lib.head().expect("head");
    let meta = lib.meta().clone();
    drop(lib);
    let cache = path.join("wenku").join("head.cache");
    assert!(
        std::fs::read_to_string(&cache)
            .expect("open wrote the cache")
            .starts_with(&format!("wenku-head-cache 1 {head} "))
    );

    let copy = t.path().join("copy.wenku");
    let ok = Command::new("cp")
        .arg("-a")
        .arg(&path)
        .arg(&copy)
        .status()
        .expect("cp")
        .success();
    assert!(ok);
    let hex = head.to_string();
    std::fs::remove_file(copy.join("objects").join(&hex[..2]).join(&hex[2..]))
        .expect("the head commit is a loose object");
    let opened = Library::open(&copy).expect("opens from the cache");
    assert_eq!(opened.meta(), &meta);
    let snapshot = opened
        .snapshot()
        .expect("a snapshot of the head needs no commit object");
    assert_eq!(snapshot.commit(), head);
    drop((snapshot, opened));
    let copy_cache = copy.join("wenku").join("head.cache");
    let mut bytes = std::fs::read(&copy_cache).expect("read");
    *bytes.last_mut().expect("bytes") ^= 0x20;
    std::fs::write(&copy_cache, bytes).expect("write");
    assert!(
        Library::open(&copy).is_err(),
        "a damaged cache is not believed"
    );

    let lib = Library::open(&path).expect("open");
    publish(&lib, "370200/a", "甲", "2025-01-01");
    let new_head = lib.head().expect("head");
    drop(lib);
    let again = Library::open(&path).expect("open after a commit");
    assert_eq!(again.meta(), &meta);
    assert!(
        std::fs::read_to_string(&cache)
            .expect("cache")
            .starts_with(&format!("wenku-head-cache 1 {new_head} "))
    );
    assert_eq!(again.snapshot().expect("snapshot").commit(), new_head);
}
