//! Hostile children: libraries forged from raw git objects (`git mktree`,
//! `git hash-object --literally`, `git commit-tree`, `git update-ref`) that
//! a pull must refuse with an error of their own kind, keeping the head in
//! quarantine and `main` unchanged.

use std::path::Path;

use super::Pair;
use super::support::*;
use wenku_store::ProblemKind;
use wenku_store::federation::PullError;
use wenku_test_support::git::git_stdin;

/// The entries of `treeish` as `git mktree` reads them.
fn ls_tree(repo: &Path, treeish: &str) -> Vec<String> {
    git_ok(repo, &["ls-tree", treeish])
        .lines()
        .map(str::to_string)
        .collect()
}

/// Writes a tree from `git ls-tree` lines, in the order given and with
/// the modes as written (`040000` is written as git writes it, `40000`):
/// `git mktree` would refuse a gitlink that names an existing tree.
fn mktree(repo: &Path, lines: &[String]) -> String {
    let entries: Vec<(String, String, String)> = lines
        .iter()
        .map(|l| {
            let (head, name) = l.split_once('\t').expect("ls-tree line");
            let mut parts = head.split(' ');
            let mode = parts.next().expect("mode");
            let _kind = parts.next().expect("type");
            let id = parts.next().expect("id");
            let mode = if mode == "040000" { "40000" } else { mode };
            (mode.to_string(), name.to_string(), id.to_string())
        })
        .collect();
    raw_tree(repo, &tree_bytes(&entries))
}

/// Raw tree bytes of `(mode, name, hex id)` entries, as given.
pub(super) fn tree_bytes(entries: &[(String, String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (mode, name, id) in entries {
        out.extend_from_slice(mode.as_bytes());
        out.push(b' ');
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(&hex(id));
    }
    out
}

/// The 20 bytes of a hex object id.
fn hex(id: &str) -> Vec<u8> {
    (0..id.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&id[i..i + 2], 16).expect("hex id"))
        .collect()
}

/// Writes raw tree bytes as they are, however malformed.
pub(super) fn raw_tree(repo: &Path, bytes: &[u8]) -> String {
    git_stdin(
        repo,
        &["hash-object", "-t", "tree", "--literally", "-w", "--stdin"],
        bytes,
    )
}

/// Makes a commit of `tree` on top of `main` and moves `main` to it.
pub(super) fn commit_on_main(repo: &Path, tree: &str) -> String {
    let commit = git_ok(repo, &["commit-tree", tree, "-p", "main", "-m", "forged"]);
    git_ok(repo, &["update-ref", "refs/heads/main", &commit]);
    commit
}

#[test]
fn a_region_redeclared_as_a_gitlink_is_refused() {
    let p = Pair::new();
    p.pull().expect("a clean first pull");
    let before = p.city.head().expect("head");
    let works_before = p.city.verify().expect("verify").works;
    // The county's region directory, same id, mode 160000.
    let lines: Vec<String> = ls_tree(p.county.path(), "main")
        .into_iter()
        .map(|l| {
            if l.ends_with("\t370283") {
                l.replacen("040000 tree", "160000 commit", 1)
            } else {
                l
            }
        })
        .collect();
    assert!(
        lines.iter().any(|l| l.starts_with("160000 commit")),
        "{lines:?}"
    );
    let tree = mktree(p.county.path(), &lines);
    commit_on_main(p.county.path(), &tree);

    let err = p.pull().expect_err("refused");
    let PullError::InvalidContent { problems, .. } = &err else {
        panic!("expected InvalidContent, got {err}")
    };
    assert!(
        problems.iter().any(|pr| pr.path == "370283"
            && matches!(&pr.kind, ProblemKind::Unexpected(why) if why.contains("submodule"))),
        "{problems:?}"
    );
    p.refused(&err, before);
    let report = p.city.verify().expect("verify");
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.works, works_before, "no work vanished");
}

#[test]
fn a_shard_redeclared_as_a_gitlink_is_refused() {
    let p = Pair::new();
    p.pull().expect("a clean first pull");
    let before = p.city.head().expect("head");
    // One shard of the county's region, same id, mode 160000.
    let region = git_ok(p.county.path(), &["rev-parse", "main:370283"]);
    let mut shards = ls_tree(p.county.path(), &region);
    shards[0] = shards[0].replacen("040000 tree", "160000 commit", 1);
    let region = mktree(p.county.path(), &shards);
    let lines: Vec<String> = ls_tree(p.county.path(), "main")
        .into_iter()
        .map(|l| match l.strip_suffix("\t370283") {
            Some(_) => format!("040000 tree {region}\t370283"),
            None => l,
        })
        .collect();
    let tree = mktree(p.county.path(), &lines);
    commit_on_main(p.county.path(), &tree);

    let err = p.pull().expect_err("refused");
    assert_eq!(err.kind(), "invalid-content", "{err}");
    p.refused(&err, before);
    assert!(p.city.verify().expect("verify").is_clean());
}

/// Replaces the entry at `path` (slash-separated, below `main`'s tree)
/// by `id` with `mode`, rewriting the trees above it; returns the new root.
fn replace_at(repo: &Path, path: &str, mode: &str, id: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let mut new_id = id.to_string();
    let mut new_mode = mode.to_string();
    for depth in (0..parts.len()).rev() {
        let dir = parts[..depth].join("/");
        let treeish = format!("main:{dir}");
        let name = parts[depth];
        let lines: Vec<String> = ls_tree(repo, &treeish)
            .into_iter()
            .map(|l| match l.split_once('\t') {
                Some((_, n)) if n == name => format!("{new_mode} x {new_id}\t{name}"),
                _ => l,
            })
            .collect();
        new_id = mktree(repo, &lines);
        new_mode = "40000".into();
    }
    new_id
}

/// Pulls a forged county and expects a refusal naming malformed objects,
/// one of whose problems contains `needle`.
fn refused_as_malformed(p: &Pair, needle: &str) {
    let before = p.city.head().expect("head");
    let err = p.pull().expect_err("refused");
    let PullError::MalformedObjects { objects, .. } = &err else {
        panic!("expected MalformedObjects ({needle}), got {err}")
    };
    assert!(
        objects.iter().any(|o| o.problem.contains(needle)),
        "{needle}: {objects:?}"
    );
    assert_eq!(err.kind(), "malformed-objects");
    assert!(err.is_refusal());
    assert_eq!(p.city.head().expect("head"), before, "main unchanged");
    let head = p.county.head().expect("county head");
    assert_eq!(err.offered(), Some(head));
    assert_eq!(
        p.city.quarantined_head(r("370283")).expect("ref"),
        Some(head)
    );
    assert!(p.city.verify().expect("verify").is_clean());
    p.kept_apart(head);
}

/// The work directory of `county-1` as `(mode, name, id)` entries.
fn work_entries(p: &Pair) -> (String, Vec<(String, String, String)>) {
    let path = wenku_store::layout::work_dir(&w("370283/county-1"));
    let path = path.trim_end_matches('/').to_string();
    let entries = ls_tree(p.county.path(), &format!("main:{path}"))
        .into_iter()
        .map(|l| {
            let (head, name) = l.split_once('\t').expect("ls-tree line");
            let parts: Vec<&str> = head.split(' ').collect();
            (parts[0].to_string(), name.to_string(), parts[2].to_string())
        })
        .collect();
    (path, entries)
}

#[test]
fn trees_git_calls_malformed_are_refused_before_merging() {
    type Forge = fn(&mut Vec<(String, String, String)>);
    let cases: [(&str, Forge, &str); 6] = [
        (
            "two record.xml",
            |e| {
                let record = e
                    .iter()
                    .find(|x| x.1 == "record.xml")
                    .expect("record")
                    .clone();
                e.push(record);
            },
            "appears twice",
        ),
        ("unsorted", |e| e.reverse(), "out of order"),
        (
            "zero-padded mode",
            |e| e[0].0 = "0100644".into(),
            "zero-padded",
        ),
        ("unknown mode", |e| e[0].0 = "100664".into(), "unknown mode"),
        (
            ".git entry",
            |e| {
                let id = e[0].2.clone();
                e.insert(0, ("100644".into(), ".GIT".into(), id));
            },
            "reserves",
        ),
        (
            "a .. entry",
            |e| {
                let id = e[0].2.clone();
                e.insert(0, ("100644".into(), "..".into(), id));
            },
            ". or ..",
        ),
    ];
    for (what, forge, needle) in cases {
        let p = Pair::new();
        p.pull().expect("a clean first pull");
        let (path, mut entries) = work_entries(&p);
        assert!(entries.len() >= 2, "{what}: {entries:?}");
        forge(&mut entries);
        let work = raw_tree(p.county.path(), &tree_bytes(&entries));
        let root = replace_at(p.county.path(), &path, "40000", &work);
        commit_on_main(p.county.path(), &root);
        refused_as_malformed(&p, needle);
    }
}

#[test]
fn malformed_commit_headers_are_refused() {
    for (what, author, needle) in [
        (
            "zero-padded date",
            "A <a@b.example> 01750000000 +0800",
            "zero-padded date",
        ),
        (
            "bad time zone",
            "A <a@b.example> 1750000000 0800",
            "time zone",
        ),
        ("no name", "<a@b.example> 1750000000 +0800", "no name"),
        ("no date", "A <a@b.example>", "space before the date"),
    ] {
        let p = Pair::new();
        p.pull().expect("a clean first pull");
        let tree = git_ok(p.county.path(), &["rev-parse", "main^{tree}"]);
        let parent = git_ok(p.county.path(), &["rev-parse", "main"]);
        let body = format!(
            "tree {tree}\nparent {parent}\nauthor {author}\ncommitter A <a@b.example> 1750000000 +0800\n\n{what}\n"
        );
        let commit = git_stdin(
            p.county.path(),
            &[
                "hash-object",
                "-t",
                "commit",
                "--literally",
                "-w",
                "--stdin",
            ],
            body.as_bytes(),
        );
        git_ok(p.county.path(), &["update-ref", "refs/heads/main", &commit]);
        refused_as_malformed(&p, needle);
    }
}

#[test]
fn a_tree_twenty_thousand_levels_deep_is_refused_not_a_crash() {
    use gix::objs::Write as _;
    let p = Pair::new();
    p.pull().expect("a clean first pull");
    // git refuses trees deeper than core.maxTreeDepth (4096) when it
    // packs them; the county's git is told to send this one.
    git_ok(p.county.path(), &["config", "core.maxTreeDepth", "1000000"]);
    let repo = gix::open(p.county.path()).expect("open the county with gix");
    let blob = repo
        .write_buf(gix::objs::Kind::Blob, b"deep\n")
        .expect("blob");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"100644 f\0");
    bytes.extend_from_slice(blob.as_bytes());
    let mut tree = repo.write_buf(gix::objs::Kind::Tree, &bytes).expect("tree");
    for _ in 0..20_000 {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"40000 d\0");
        bytes.extend_from_slice(tree.as_bytes());
        tree = repo.write_buf(gix::objs::Kind::Tree, &bytes).expect("tree");
    }
    // Outside the county's scope: a top-level entry that is no region.
    let mut lines = ls_tree(p.county.path(), "main");
    lines.push(format!("040000 tree {tree}\tzzz"));
    let root = mktree(p.county.path(), &lines);
    commit_on_main(p.county.path(), &root);

    refused_as_malformed(&p, "deeper than");
    // And again: the next pull of the same head is refused the same way.
    refused_as_malformed(&p, "deeper than");
}

#[test]
fn a_main_pointing_at_a_tree_or_a_tag_is_refused() {
    for target in ["tree", "tag"] {
        let p = Pair::new();
        p.pull().expect("a clean first pull");
        let id = match target {
            "tree" => git_ok(p.county.path(), &["rev-parse", "main^{tree}"]),
            _ => {
                git_ok(p.county.path(), &["tag", "-a", "-m", "v1", "v1", "main"]);
                git_ok(p.county.path(), &["rev-parse", "refs/tags/v1"])
            }
        };
        // git update-ref refuses a non-commit under refs/heads; a hand
        // edit of the ref file does not.
        let _ = std::fs::remove_file(p.county.path().join("packed-refs"));
        std::fs::write(p.county.path().join("refs/heads/main"), format!("{id}\n"))
            .expect("write the ref");
        let before = p.city.head().expect("head");
        let err = p.pull().expect_err("refused");
        let PullError::MalformedObjects { objects, .. } = &err else {
            panic!("{target}: expected MalformedObjects, got {err}")
        };
        assert!(
            objects[0]
                .problem
                .contains(&format!("points at a {target}")),
            "{objects:?}"
        );
        assert_eq!(p.city.head().expect("head"), before);
        // The ref as written (quarantined_head peels a tag to its commit).
        assert_eq!(
            git_ok(
                &wenku_store::federation::quarantine_dir(p.city.git_dir(), r("370283")),
                &["rev-parse", "refs/heads/main"]
            ),
            id
        );
    }
}

#[test]
fn a_record_rewritten_in_place_is_reported_by_verify() {
    let p = Pair::new();
    let lib = p.county.path();
    // Every object loose, so that one can be rewritten in place.
    let pack_dir = lib.join("objects/pack");
    let aside = lib.join("packs-aside");
    std::fs::create_dir_all(&aside).expect("mkdir");
    for entry in std::fs::read_dir(&pack_dir).expect("read packs") {
        let path = entry.expect("entry").path();
        let to = aside.join(path.file_name().expect("name"));
        std::fs::rename(&path, &to).expect("move a pack aside");
    }
    for entry in std::fs::read_dir(&aside).expect("read aside") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "pack") {
            let bytes = std::fs::read(&path).expect("read pack");
            git_stdin(lib, &["unpack-objects", "-q"], &bytes);
        }
    }
    assert!(p.county.verify().expect("verify").is_clean());

    let record = wenku_store::layout::record_path(&w("370283/county-1"));
    let id = git_ok(lib, &["rev-parse", &format!("main:{record}")]);
    let text = git_ok(lib, &["cat-file", "blob", &id]);
    let forged = text.replace("文件county-1", "文件forged-1");
    assert_ne!(forged, text);
    let forged_id = git_stdin(lib, &["hash-object", "-w", "--stdin"], forged.as_bytes());
    let loose = |id: &str| lib.join("objects").join(&id[..2]).join(&id[2..]);
    let target = loose(&id);
    let mut perms = std::fs::metadata(&target).expect("stat").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&target, perms).expect("chmod");
    std::fs::copy(loose(&forged_id), &target).expect("rewrite in place");

    let report = p.county.verify().expect("verify");
    assert!(
        report
            .problems
            .iter()
            .any(|pr| pr.path == record && pr.to_string().contains("corrupt")),
        "{report}"
    );
}

/// One change to a tree's entries, as a hostile child might make it.
#[derive(Clone, Debug)]
enum Mutation {
    Duplicate(usize),
    Swap(usize, usize),
    Mode(usize, &'static str),
    Name(usize, &'static str),
    Drop(usize),
    Id(usize, usize),
    MissingId(usize),
}

fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
    use proptest::prelude::*;
    const MODES: [&str; 8] = [
        "100644", "100755", "120000", "160000", "40000", "0100644", "100664", "644",
    ];
    const NAMES: [&str; 9] = [
        "..",
        ".",
        ".git",
        ".GIT",
        "",
        "a/b",
        "record.xml",
        "x.xml",
        "zz",
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<usize>(), prop::sample::select(MODES.to_vec()))
            .prop_map(|(i, m)| Mutation::Mode(i, m)),
        (any::<usize>(), prop::sample::select(NAMES.to_vec()))
            .prop_map(|(i, n)| Mutation::Name(i, n)),
        any::<usize>().prop_map(Mutation::Drop),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Id(a, b)),
        any::<usize>().prop_map(Mutation::MissingId),
    ]
}

fn apply(entries: &mut Vec<(String, String, String)>, m: &Mutation) {
    if entries.is_empty() {
        return;
    }
    let n = entries.len();
    match *m {
        Mutation::Duplicate(i) => {
            let e = entries[i % n].clone();
            entries.push(e);
        }
        Mutation::Swap(a, b) => entries.swap(a % n, b % n),
        Mutation::Mode(i, mode) => entries[i % n].0 = mode.into(),
        Mutation::Name(i, name) => entries[i % n].1 = name.into(),
        Mutation::Drop(i) => {
            entries.remove(i % n);
        }
        Mutation::Id(a, b) => entries[a % n].2 = entries[b % n].2.clone(),
        Mutation::MissingId(i) => entries[i % n].2 = "1234567890".repeat(4),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Random malformed work directories from a child: the pull either
    /// refuses (main unchanged) or merges something that `verify` and
    /// `git fsck --strict` accept.
    #[test]
    fn a_child_s_random_malformed_trees_are_refused_or_harmless(
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let p = Pair::new();
        p.pull().expect("a clean first pull");
        let (path, mut entries) = work_entries(&p);
        for m in &mutations {
            apply(&mut entries, m);
        }
        let work = raw_tree(p.county.path(), &tree_bytes(&entries));
        let root = replace_at(p.county.path(), &path, "40000", &work);
        commit_on_main(p.county.path(), &root);
        let before = p.city.head().expect("head");
        match p.pull() {
            Ok(report) => {
                proptest::prop_assert!(
                    p.city.verify().expect("verify").is_clean(),
                    "{mutations:?} merged into a library that does not verify: {report:?}"
                );
                fsck(p.city.path());
            }
            Err(e) => {
                proptest::prop_assert_eq!(
                    p.city.head().expect("head"),
                    before,
                    "{:?} refused ({}) but main moved",
                    mutations,
                    e
                );
                // Nothing of the refused head entered the library, which
                // git itself still finds sound.
                if let Some(head) = e.offered() {
                    p.kept_apart(head);
                }
            }
        }
    }
}
