//! Integration tests: real bare repositories in temporary directories,
//! checked with wenku's own reads and with the `git` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use wenku_model::query::Filter;
use wenku_model::{
    Block, Citation, Date, DocNumber, DocType, Document, Number, Record, Region, Relation,
    RelationKind, Repeal, RevisionId, Status, Target, Unit, UnitKind, Withdrawal, WorkId,
    canonical,
};
use wenku_store::{
    Clock, CommitError, CommitOptions, Correction, Identity, InitOptions, Library, NewVersion,
    NoChange, Op, OpenError, ProblemKind, ReadError, Refusal, SteppingClock, Timestamp,
    Transaction,
};

// The index through the library: tests/store/index.rs.
#[path = "store/index.rs"]
mod index;

// ---------------------------------------------------------------------------
// helpers

const START: i64 = 1_750_000_000;

fn r(s: &str) -> Region {
    Region::parse(s).expect("valid region in test")
}

fn w(s: &str) -> WorkId {
    WorkId::parse(s).expect("valid work id in test")
}

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("valid date in test")
}

fn clerk() -> Identity {
    Identity::new("青岛市政务公开办", "gongkai@qingdao.example").expect("valid identity")
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(SteppingClock::new(
        Timestamp::new(START, 480).expect("valid"),
        60,
    ))
}

fn new_lib(dir: &Path, node: &str, hosted: &[&str]) -> Library {
    let mut options = InitOptions::new(clerk()).clock(clock());
    for h in hosted {
        options = options.hosting(r(h));
    }
    Library::init(dir, r(node), options).expect("init library")
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// A small regulation whose text depends on `variant`.
fn doc(title: &str, variant: &str) -> Document {
    let mut doc = Document::new(DocType::Regulation, title);
    doc.body.push(Block::Title(title.into()));
    for n in 1..=3u32 {
        let mut a = Unit::new(
            UnitKind::Article,
            format!("第{}条", wenku_model::numeral::to_chinese(n)),
            Some(Number::new(n)),
        );
        a.children
            .push(Block::Para(format!("第{n}条的内容（{variant}）。")));
        doc.body.push(Block::Unit(a));
    }
    doc
}

fn record(work: &str, title: &str) -> Record {
    Record::new(w(work), DocType::Regulation, title)
}

fn publish(lib: &Library, work: &str, title: &str, published: &str) -> RevisionId {
    let c = lib
        .publish(
            &clerk(),
            record(work, title),
            NewVersion::new(doc(title, published), d(published)),
        )
        .expect("publish");
    c.outcomes[0].revision.expect("publish has a revision")
}

/// Runs git hermetically: no system or global configuration.
fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "Someone")
        .env("GIT_AUTHOR_EMAIL", "someone@example.invalid")
        .env("GIT_COMMITTER_NAME", "Someone")
        .env("GIT_COMMITTER_EMAIL", "someone@example.invalid")
        .env("GIT_AUTHOR_DATE", "1750000000 +0800")
        .env("GIT_COMMITTER_DATE", "1750000000 +0800")
        .output()
        .expect("git runs")
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git prints UTF-8 here")
}

/// `git fsck --strict` passes with no warnings.
fn fsck(dir: &Path) {
    let out = git(dir, &["fsck", "--strict", "--no-dangling", "--no-progress"]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "git fsck --strict failed:\n{all}");
    assert!(
        !all.contains("warning") && !all.contains("error"),
        "git fsck --strict complained:\n{all}"
    );
}

fn assert_clean(lib: &Library) {
    let report = lib.verify().expect("verify runs");
    assert!(report.is_clean(), "{report}");
}

fn main_commits(dir: &Path) -> usize {
    git_ok(dir, &["rev-list", "--count", "main"])
        .trim()
        .parse()
        .expect("a number")
}

// ---------------------------------------------------------------------------
// init and open

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

// ---------------------------------------------------------------------------
// publishing and reading

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

// ---------------------------------------------------------------------------
// refusals

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

// ---------------------------------------------------------------------------
// batches

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

// ---------------------------------------------------------------------------
// catalog: filters, citations, reverse relations

#[test]
fn filters_citations_and_reverse_relations() {
    let t = tmp();
    let lib = new_lib(t.path(), "370000", &["370200", "370283"]);
    let mut prov = Record::new(
        w("370000/lzbf-2025-5"),
        DocType::Policy,
        "2025年山东省政务公开工作要点",
    );
    prov.number = DocNumber::parse("鲁政办发〔2025〕5号");
    prov.subjects.push("政务公开".into());
    let mut city = Record::new(
        w("370200/qzbf-2025-3"),
        DocType::Policy,
        "2025年青岛市政务公开工作要点",
    );
    city.number = DocNumber::parse("青政办发〔2025〕3号");
    city.add_relation(Relation {
        kind: RelationKind::Basis,
        target: Target::Citation(Citation::number(
            DocNumber::parse("鲁政办发[2025]5号").expect("valid"),
        )),
    });
    let mut county = Record::new(
        w("370283/jd-2025-1"),
        DocType::Interpretation,
        "《2025年青岛市政务公开工作要点》解读",
    );
    county.add_relation(Relation {
        kind: RelationKind::Interprets,
        target: Target::Work(city.work.clone()),
    });
    county.add_relation(Relation {
        kind: RelationKind::Implements,
        target: Target::Citation(Citation::title("《2025年山东省政务公开工作要点》")),
    });
    let tx: Transaction = [
        (prov.clone(), "2025-03-01"),
        (city.clone(), "2025-05-16"),
        (county.clone(), "2025-06-01"),
    ]
    .into_iter()
    .map(|(rec, day)| Op::Publish {
        version: NewVersion::new(doc(&rec.title, day), d(day)),
        record: rec,
    })
    .collect();
    lib.commit(&clerk(), tx).expect("publish three");

    let snap = lib.snapshot().expect("snapshot");
    let all = |f: Filter| snap.works(&f).expect("list");
    assert_eq!(all(Filter::all()).len(), 3);
    assert_eq!(
        all(Filter::all().region(r("370200"))),
        [city.work.clone(), county.work.clone()]
    );
    assert_eq!(
        all(Filter::all().doc_type(DocType::Interpretation)),
        [county.work.clone()]
    );
    assert_eq!(all(Filter::all().subject("政务公开")), [prov.work.clone()]);
    assert_eq!(
        all(Filter::all().status_on(Status::InForce, d("2025-05-20"))),
        [prov.work.clone(), city.work.clone()]
    );
    assert_eq!(
        all(Filter::all().status_on(Status::NotYetEffective, d("2025-05-20"))),
        [county.work.clone()]
    );

    let lookup = |c: Citation| snap.lookup(&c).expect("lookup");
    assert_eq!(
        lookup(Citation::parse("鲁政办发（2025）5号").expect("parses")),
        [prov.work.clone()]
    );
    assert_eq!(
        lookup(Citation::parse("《2025年青岛市政务公开工作要点》").expect("parses")),
        [city.work.clone()]
    );
    assert!(lookup(Citation::parse("鲁政办发〔2024〕2号").expect("parses")).is_empty());

    let referrers = snap.referrers(&prov.work).expect("referrers");
    let seen: Vec<(String, RelationKind)> = referrers
        .iter()
        .map(|x| (x.from.to_string(), x.kind))
        .collect();
    assert_eq!(
        seen,
        [
            ("370200/qzbf-2025-3".to_string(), RelationKind::Basis),
            ("370283/jd-2025-1".to_string(), RelationKind::Implements),
        ]
    );
    let referrers = snap.referrers(&city.work).expect("referrers");
    assert_eq!(referrers.len(), 1);
    assert_eq!(referrers[0].kind.reverse_str(), "interpreted-by");
    let rev = doc(&prov.title, "2025-03-01").revision_id().expect("id");
    assert_eq!(snap.find_revision(&rev).expect("find"), [prov.work.clone()]);
    fsck(t.path());
}

// ---------------------------------------------------------------------------
// history

#[test]
fn history_of_one_work_says_who_when_and_what() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let work = w("370200/wuye");
    let r1 = publish(&lib, "370200/wuye", "物业条例", "2020-01-01");
    publish(&lib, "370200/other", "其他", "2020-01-01");
    let other_clerk = Identity::new("李四", "lisi@qingdao.example").expect("valid");
    let c = lib
        .add_version(
            &other_clerk,
            work.clone(),
            NewVersion::new(doc("物业条例", "二"), d("2010-01-01")),
        )
        .expect("older version");
    let r0 = c.outcomes[0].revision.expect("revision");
    lib.commit(
        &clerk(),
        Op::Repeal {
            work: work.clone(),
            repeal: Repeal {
                date: d("2024-01-01"),
                by: None,
            },
        },
    )
    .expect("repeal");
    let h = lib.history(&work).expect("history");
    let ops: Vec<Option<&str>> = h.iter().map(|e| e.op.as_deref()).collect();
    assert_eq!(ops, [Some("repeal"), Some("add-version"), Some("publish")]);
    assert_eq!(h[1].author.name, "李四");
    assert_eq!(h[1].added_versions, [r0]);
    assert_eq!(h[2].added_versions, [r1]);
    assert!(h[0].added_versions.is_empty() && h[0].record_changed);
    assert!(h[0].committer.time.seconds > h[1].committer.time.seconds);
    assert_eq!(h[0].committer.time.offset_minutes, 480);
    assert_eq!(h[2].node.as_deref(), Some("370200"));
    assert!(lib.history(&w("370200/never")).expect("history").is_empty());
    fsck(t.path());
}

// ---------------------------------------------------------------------------
// integrity and verification

/// Commits changes to `main` with plain git, as someone editing the
/// repository by hand would: `(path, Some(bytes))` writes a file,
/// `(path, None)` removes one.
fn edit_with_git(repo: &Path, edits: &[(&str, Option<&[u8]>)], mode: &str) {
    let index = repo.join("tamper.index");
    let env_git = |args: &[&str]| -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(repo)
            .env("GIT_INDEX_FILE", &index)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Someone")
            .env("GIT_AUTHOR_EMAIL", "someone@example.invalid")
            .env("GIT_COMMITTER_NAME", "Someone")
            .env("GIT_COMMITTER_EMAIL", "someone@example.invalid")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    };
    env_git(&["read-tree", "main"]);
    for (path, content) in edits {
        match content {
            Some(bytes) => {
                let file = repo.join("tamper.blob");
                std::fs::write(&file, bytes).expect("write");
                let blob = env_git(&["hash-object", "-w", file.to_str().expect("utf8")]);
                std::fs::remove_file(&file).expect("remove");
                env_git(&[
                    "update-index",
                    "--add",
                    "--cacheinfo",
                    &format!("{mode},{},{path}", blob.trim()),
                ]);
            }
            None => {
                // Mode 0 in --index-info removes the entry (no work tree
                // needed, unlike --force-remove).
                let mut child = Command::new("git")
                    .args(["update-index", "--index-info"])
                    .current_dir(repo)
                    .env("GIT_INDEX_FILE", &index)
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .expect("git update-index");
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(format!("0 {}\t{path}\n", "0".repeat(40)).as_bytes())
                    .expect("write");
                assert!(child.wait().expect("wait").success());
            }
        }
    }
    let tree = env_git(&["write-tree"]);
    let commit = env_git(&[
        "commit-tree",
        tree.trim(),
        "-p",
        "main",
        "-m",
        "edit by hand",
    ]);
    env_git(&["update-ref", "refs/heads/main", commit.trim()]);
    std::fs::remove_file(&index).expect("remove index");
}

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

// ---------------------------------------------------------------------------
// clones

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

// ---------------------------------------------------------------------------
// concurrency

#[test]
fn concurrent_writer_threads_lose_no_update() {
    let t = tmp();
    let shared = Arc::new(new_lib(t.path(), "370200", &[]));
    let threads = 4;
    let each = 8;
    std::thread::scope(|s| {
        for i in 0..threads {
            let shared = Arc::clone(&shared);
            let path = t.path().to_path_buf();
            s.spawn(move || {
                // Half the threads share one Library, half open their own.
                let own;
                let lib: &Library = if i % 2 == 0 {
                    &shared
                } else {
                    own = Library::open(&path).expect("open").with_clock(clock());
                    &own
                };
                for j in 0..each {
                    let work = format!("370200/t{i}-{j}");
                    lib.publish(
                        &clerk(),
                        record(&work, "并发"),
                        NewVersion::new(doc("并发", &work), d("2024-01-01")),
                    )
                    .expect("publish under contention");
                }
            });
        }
    });
    assert_eq!(main_commits(t.path()), 1 + threads * each);
    assert_eq!(
        shared
            .snapshot()
            .expect("snapshot")
            .works(&Filter::all())
            .expect("list")
            .len(),
        threads * each
    );
    assert_clean(&shared);
    fsck(t.path());
}

/// A clock that, the first time it is read (after the transaction is
/// staged and before `main` moves), lets another writer commit first.
#[derive(Debug)]
struct RacingClock {
    inner: SteppingClock,
    rival: Library,
    rival_op: std::sync::Mutex<Option<Op>>,
}

impl Clock for RacingClock {
    fn now(&self) -> Timestamp {
        let op = self.rival_op.lock().expect("not poisoned").take();
        if let Some(op) = op {
            self.rival.commit(&clerk(), op).expect("the rival commits");
        }
        self.inner.now()
    }
}

fn racing(path: &Path, op: Op, max_attempts: u32) -> Library {
    let rival = Library::open(path).expect("open").with_clock(clock());
    Library::open(path)
        .expect("open")
        .with_clock(Arc::new(RacingClock {
            inner: SteppingClock::new(Timestamp::new(START + 100_000, 480).expect("valid"), 60),
            rival,
            rival_op: std::sync::Mutex::new(Some(op)),
        }))
        .with_commit_options(CommitOptions {
            max_attempts,
            ..CommitOptions::default()
        })
}

fn publish_op(work: &str, variant: &str) -> Op {
    Op::Publish {
        record: record(work, "标题"),
        version: NewVersion::new(doc("标题", variant), d("2025-01-01")),
    }
}

#[test]
fn the_loser_of_a_race_retries_on_the_new_head_or_reports_a_conflict() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let start = lib.head().expect("head");

    // Without retries: a clear conflict, and the rival's commit stands.
    let loser = racing(t.path(), publish_op("370200/rival-1", "r1"), 1);
    match loser.commit(&clerk(), publish_op("370200/mine-1", "m1")) {
        Err(CommitError::Conflict { attempts: 1, head }) => {
            assert_eq!(head, lib.head().expect("head"))
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let snap = lib.snapshot().expect("snapshot");
    assert!(snap.contains(&w("370200/rival-1")).expect("read"));
    assert!(!snap.contains(&w("370200/mine-1")).expect("read"));
    assert!(snap.commit() != start);

    // With retries: restaged on the new head, both changes kept.
    let winner_after_retry = racing(t.path(), publish_op("370200/rival-2", "r2"), 8);
    let c = winner_after_retry
        .commit(&clerk(), publish_op("370200/mine-2", "m2"))
        .expect("retried");
    assert_eq!(c.attempts, 2);
    let snap = lib.snapshot().expect("snapshot");
    assert!(snap.contains(&w("370200/rival-2")).expect("read"));
    assert!(snap.contains(&w("370200/mine-2")).expect("read"));
    assert_eq!(
        git_ok(t.path(), &["rev-parse", "main~1"]).trim(),
        c.parent.to_string()
    );

    // Restaging re-applies the op: when the rival published the same work,
    // the loser is refused instead of overwriting it.
    let same = racing(t.path(), publish_op("370200/contested", "rival's text"), 8);
    match same.commit(&clerk(), publish_op("370200/contested", "my text")) {
        Err(CommitError::Refused {
            refusal: Refusal::WorkExists,
            ..
        }) => {}
        other => panic!("expected WorkExists, got {other:?}"),
    }
    let kept = lib
        .snapshot()
        .expect("snapshot")
        .require_record(&w("370200/contested"))
        .expect("record");
    assert_eq!(
        kept.versions[0].revision,
        doc("标题", "rival's text").revision_id().expect("id")
    );
    assert_clean(&lib);
    fsck(t.path());
}

#[test]
fn readers_never_see_half_a_transaction() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    let batches = 20;
    let per = 6;
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..batches {
                let tx: Transaction = (0..per)
                    .map(|j| publish_op(&format!("370200/b{i}-{j}"), &format!("{i}-{j}")))
                    .collect();
                lib.commit(&clerk(), tx).expect("batch");
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        s.spawn(|| {
            let reader = Library::open(t.path()).expect("open");
            let mut rounds = 0;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let snap = reader.snapshot().expect("snapshot");
                let works = snap.works(&Filter::all()).expect("list");
                let mut per_batch = std::collections::BTreeMap::<String, usize>::new();
                for work in &works {
                    let batch = work.local().split('-').next().expect("prefix").to_string();
                    *per_batch.entry(batch).or_default() += 1;
                    for v in snap.versions(work).expect("versions") {
                        snap.version_bytes(work, &v.revision)
                            .expect("every listed version is readable");
                    }
                }
                assert!(
                    per_batch.values().all(|n| *n == per),
                    "half a batch visible: {per_batch:?}"
                );
                rounds += 1;
                if finished {
                    assert_eq!(works.len(), batches * per);
                    break;
                }
            }
            assert!(rounds >= 1);
        });
    });
    assert_clean(&lib);
    fsck(t.path());
}

// ---------------------------------------------------------------------------
// crash safety: real writer processes killed with SIGKILL

const WRITER_LIB: &str = "WENKU_TEST_WRITER_LIB";
const WRITER_SEED: &str = "WENKU_TEST_WRITER_SEED";
const WRITER_COMMITS: &str = "WENKU_TEST_WRITER_COMMITS";

/// The writer process of the kill test: this test binary re-run with only
/// this (ignored) test selected. It commits a deterministic mix of single
/// publishes, added versions and packed batches, printing each new head.
#[test]
#[ignore = "helper process for killed_writers_leave_main_at_a_committed_state"]
fn kill_helper_writer() {
    let Ok(path) = std::env::var(WRITER_LIB) else {
        return;
    };
    let seed: i64 = std::env::var(WRITER_SEED)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let commits: usize = std::env::var(WRITER_COMMITS)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let lib = Library::open(&path)
        .expect("open")
        .with_clock(Arc::new(SteppingClock::new(
            Timestamp::new(START + seed * 1_000_000, 480).expect("valid"),
            1,
        )));
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for i in 0..commits {
        let tx: Transaction = match i % 4 {
            // 40 works = 80 files: written as one pack
            0 => (0..40)
                .map(|j| {
                    publish_op(
                        &format!("370200/k{seed}-{i}-{j}"),
                        &format!("{seed}-{i}-{j}"),
                    )
                })
                .collect(),
            1 | 2 => publish_op(&format!("370200/k{seed}-{i}-0"), &format!("{seed}-{i}")).into(),
            _ => Op::AddVersion {
                work: w(&format!("370200/k{seed}-{}-0", i - 1)),
                version: NewVersion::new(doc("标题", &format!("{seed}-{i}-new")), d("2026-01-01")),
            }
            .into(),
        };
        let c = lib.commit(&clerk(), tx).expect("commit");
        writeln!(out, "committed {}", c.head()).expect("stdout");
        out.flush().expect("stdout");
    }
}

/// A small deterministic generator for kill delays.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn spawn_writer(path: &Path, seed: u64, commits: Option<usize>) -> std::process::Child {
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = Command::new(exe);
    cmd.args([
        "kill_helper_writer",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env(WRITER_LIB, path)
    .env(WRITER_SEED, seed.to_string())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    if let Some(n) = commits {
        cmd.env(WRITER_COMMITS, n.to_string());
    }
    cmd.spawn().expect("spawn writer")
}

fn is_ancestor(path: &Path, ancestor: &str, of: &str) -> bool {
    git(path, &["merge-base", "--is-ancestor", ancestor, of])
        .status
        .success()
}

#[test]
fn killed_writers_leave_main_at_a_committed_state() {
    use std::io::BufRead;
    let t = tmp();
    let path = t.path().join("lib");
    let lib = new_lib(&path, "370200", &[]);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    // 25 rounds of two writers: 50 kills. WENKU_KILL_ROUNDS raises it for
    // stress runs.
    let rounds: u64 = std::env::var("WENKU_KILL_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(25);
    let mut kills = 0;
    for round in 0..rounds {
        let before = lib.head().expect("head").to_string();
        // Two writers race each other; each is killed at a random moment
        // after its first commit, mid-way through a later one.
        let mut writers: Vec<_> = (0..2)
            .map(|k| spawn_writer(&path, round * 2 + k, None))
            .collect();
        let mut reported = Vec::new();
        for child in &mut writers {
            let stdout = child.stdout.take().expect("piped");
            let mut lines = std::io::BufReader::new(stdout).lines();
            // Wait for the event: the writer is committing.
            for line in lines.by_ref() {
                let line = line.expect("read");
                if let Some(id) = line.strip_prefix("committed ") {
                    reported.push(id.to_string());
                    break;
                }
            }
            std::thread::sleep(std::time::Duration::from_micros(rng.below(25_000)));
            child.kill().expect("SIGKILL");
            let status = child.wait().expect("wait");
            kills += 1;
            for line in lines {
                if let Some(id) = line.expect("read").strip_prefix("committed ") {
                    reported.push(id.to_string());
                }
            }
            if status.success() {
                continue;
            }
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "writer failed: {:?}", {
                let mut s = String::new();
                use std::io::Read;
                child.stderr.take().map(|mut e| e.read_to_string(&mut s));
                s
            });
        }
        let after = lib.head().expect("head").to_string();
        assert!(
            is_ancestor(&path, &before, &after),
            "round {round}: main moved backwards"
        );
        for id in &reported {
            assert!(
                is_ancestor(&path, id, &after),
                "round {round}: reported commit {id} was lost"
            );
        }
        let report = lib.verify().expect("verify");
        assert!(report.is_clean(), "round {round}:\n{report}");
    }
    assert_eq!(kills, rounds * 2);
    // The library is still writable by a new process (no stale lock).
    let mut last = spawn_writer(&path, 1000, Some(5));
    let status = last.wait().expect("wait");
    assert!(status.success(), "a writer after the kills failed");
    assert_clean(&lib);
    fsck(&path);
}

#[test]
fn batches_keep_the_number_of_packs_small() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]).with_commit_options(CommitOptions {
        pack_threshold: 3,
        max_packs: 4,
        ..CommitOptions::default()
    });
    // An old reader opened before any pack exists must see every later one.
    let early = Library::open(t.path()).expect("open");
    // An unreachable object that exists only in a pack, as one written by a
    // writer that has not moved main yet: compaction must keep it.
    let file = t.path().join("pending.txt");
    std::fs::write(&file, "pending").expect("write");
    let pending = git_ok(
        t.path(),
        &["hash-object", "-w", file.to_str().expect("utf8")],
    );
    let pending = pending.trim().to_string();
    let mut child = Command::new("git")
        .args(["pack-objects", "-q", "objects/pack/pack"])
        .current_dir(t.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("git pack-objects");
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{pending}\n").as_bytes())
            .expect("write");
    }
    assert!(child.wait().expect("wait").success());
    git_ok(t.path(), &["prune-packed"]);
    let mut revs = Vec::new();
    // Enough batches for many rounds of compaction, each replacing packs
    // that both libraries' object stores had loaded.
    for i in 0..200 {
        let tx: Transaction = (0..2)
            .map(|j| publish_op(&format!("370200/p{i}-{j}"), &format!("{i}-{j}")))
            .collect();
        let c = lib.commit(&clerk(), tx).expect("batch");
        assert!(c.packed);
        revs.push((
            w(&format!("370200/p{i}-0")),
            c.outcomes[0].revision.expect("rev"),
        ));
        assert!(lib.pack_count().expect("count") <= 4, "after batch {i}");
        let snap = early.snapshot().expect("snapshot");
        let (work, rev) = &revs[i / 2];
        snap.version_bytes(work, rev)
            .expect("readable after compaction");
        if i % 50 == 0 {
            assert_clean(&early);
        }
    }
    let snap = early.snapshot().expect("snapshot");
    for (work, rev) in &revs {
        snap.version_bytes(work, rev)
            .expect("readable after compaction");
    }
    assert_clean(&early);
    fsck(t.path());
    assert!(
        git(t.path(), &["cat-file", "-e", &pending])
            .status
            .success(),
        "compaction lost an unreachable object"
    );
}

// ---------------------------------------------------------------------------
// the reference corpus, through the real importer

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/corpus")
}

/// The region of a manifest's jurisdiction (GB/T 2260).
fn jurisdiction(j: &str) -> Region {
    r(match j {
        "全国" => "100000",
        "上海市" => "310000",
        "浙江省" => "330000",
        "浙江省/杭州市" => "330100",
        "浙江省/宁波市" => "330200",
        "浙江省/温州市" => "330300",
        "浙江省/丽水市" => "331100",
        "浙江省/丽水市/景宁畲族自治县" => "331127",
        other => panic!("jurisdiction {other} has no code in this test"),
    })
}

fn doc_type_of(level: &str) -> DocType {
    match level {
        "法律" => DocType::Law,
        "行政法规" => DocType::AdministrativeRegulation,
        "地方性法规" => DocType::LocalRegulation,
        other => panic!("level {other}"),
    }
}

struct ManifestRow {
    work: WorkId,
    title: String,
    date: Date,
    kind: String,
    file: Option<PathBuf>,
    doc_type: DocType,
}

fn manifest() -> Vec<ManifestRow> {
    let text = std::fs::read_to_string(corpus_dir().join("laws/manifest.tsv")).expect("manifest");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let (c_work, c_title, c_date, c_kind, c_file, c_level, c_jur) = (
        col("work_id"),
        col("title"),
        col("version_date"),
        col("kind"),
        col("file"),
        col("level"),
        col("jurisdiction"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            ManifestRow {
                work: WorkId::new(jurisdiction(f[c_jur]), f[c_work])
                    .expect("manifest ids are valid locals"),
                title: f[c_title].to_string(),
                date: d(f[c_date]),
                kind: f[c_kind].to_string(),
                file: (!f[c_file].is_empty()).then(|| {
                    corpus_dir()
                        .join("laws")
                        .join(f[c_file].strip_prefix("cn/").expect("cn/ prefix"))
                }),
                doc_type: doc_type_of(f[c_level]),
            }
        })
        .collect()
}

#[test]
fn the_reference_corpus_loads_with_versions_in_scrambled_order() {
    use std::collections::BTreeMap;
    let t = tmp();
    let rows = manifest();
    // One library for everything: a national node hosting every region the
    // corpus has documents for.
    let mut regions: Vec<&str> = vec![
        "310000", "330000", "330100", "330200", "330300", "331100", "331127",
    ];
    regions.extend(["370200", "370283", "370304", "370104", "500118"]);
    let lib = new_lib(t.path(), "100000", &regions);

    // Each law's text versions, imported, then committed in a scrambled
    // order: latest first, then the oldest, then the rest.
    let mut laws: BTreeMap<WorkId, Vec<&ManifestRow>> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.file.is_some()) {
        laws.entry(row.work.clone()).or_default().push(row);
    }
    let mut expected: BTreeMap<WorkId, Vec<(Date, RevisionId)>> = BTreeMap::new();
    for (work, versions) in &laws {
        let mut order: Vec<&ManifestRow> = versions.clone();
        order.sort_by_key(|r| r.date);
        let last = order.pop().expect("at least one version");
        order.insert(0, last);
        if order.len() > 2 {
            let oldest = order.remove(1);
            order.push(oldest);
        }
        for (i, row) in order.iter().enumerate() {
            let options = wenku_import::ImportOptions {
                title: Some(row.title.clone()),
                doc_type: Some(row.doc_type),
                published: Some(row.date),
                ..wenku_import::ImportOptions::default()
            };
            let path = row.file.as_ref().expect("a text version");
            let imported = wenku_import::import_file(path, &options)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // The manifest's date is the version's date (the date basis of
            // the corpus); effective = published.
            let version = NewVersion::new(imported.document, row.date);
            let op = if i == 0 {
                let mut record = Record::new(work.clone(), row.doc_type, &row.title);
                record.number = imported.proposed.number.clone();
                record.issuers = imported.proposed.issuers.clone();
                Op::Publish { record, version }
            } else {
                Op::AddVersion {
                    work: work.clone(),
                    version,
                }
            };
            let c = lib.commit(&clerk(), op).expect("commit a version");
            assert!(c.changed(), "{work} {}: {:?}", row.date, c.outcomes);
            expected
                .entry(work.clone())
                .or_default()
                .push((row.date, c.outcomes[0].revision.expect("revision")));
        }
    }

    // The repeal the manifest records, by the successor that repealed it.
    let old = rows
        .iter()
        .find(|r| r.kind == "repealed")
        .expect("a repeal row");
    let successor = w("100000/cn-reg-huazhuangpinjianduguanlitiaoli");
    lib.commit(
        &clerk(),
        Transaction::new()
            .with(Op::Repeal {
                work: old.work.clone(),
                repeal: Repeal {
                    date: old.date,
                    by: Some(Target::Work(successor.clone())),
                },
            })
            .with(Op::AddRelation {
                work: successor.clone(),
                relation: Relation {
                    kind: RelationKind::Repeals,
                    target: Target::Work(old.work.clone()),
                },
            }),
    )
    .expect("repeal");

    // The seeds, with what the importer recognised.
    let mut seeds = Vec::new();
    for entry in std::fs::read_dir(corpus_dir().join("seeds")).expect("seeds") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf8 name")
            .to_string();
        let (region, local) = name.split_once('-').expect("<region>-<name>");
        let imported = wenku_import::import_file(&path, &wenku_import::ImportOptions::default())
            .expect("import seed");
        let p = &imported.proposed;
        let work = WorkId::new(r(region), local).expect("valid local");
        let mut record = Record::new(
            work.clone(),
            p.doc_type,
            p.title.clone().unwrap_or_else(|| name.clone()),
        );
        record.number = p.number.clone();
        record.issuers = p.issuers.clone();
        for rel in &p.relations {
            record.add_relation(rel.clone());
        }
        // Two seeds carry no date; their catalogue date stands in.
        let published = p.published.unwrap_or(d("2025-01-01"));
        lib.commit(
            &clerk(),
            Op::Publish {
                record,
                version: NewVersion::new(imported.document, published),
            },
        )
        .expect("publish seed");
        seeds.push(work);
    }

    let snap = lib.snapshot().expect("snapshot");
    assert_eq!(
        snap.works(&Filter::all()).expect("list").len(),
        laws.len() + seeds.len()
    );
    for (work, mut versions) in expected {
        versions.sort();
        let listed: Vec<(Date, RevisionId)> = snap
            .versions(&work)
            .expect("versions")
            .iter()
            .map(|v| (v.effective_date(), v.revision))
            .collect();
        assert_eq!(listed, versions, "{work}: versions in legal order");
        let first = versions[0].0;
        let before = snap
            .as_of(&work, first.pred().expect("a day before"))
            .expect("as of");
        assert_eq!(
            (before.status, before.version),
            (Status::NotYetEffective, None),
            "{work}"
        );
        for (k, (date, rev)) in versions.iter().enumerate() {
            let on = snap.as_of(&work, *date).expect("as of");
            assert_eq!(
                on.version.map(|v| v.revision),
                Some(*rev),
                "{work} on {date}"
            );
            if let Some((next, _)) = versions.get(k + 1) {
                let between = snap
                    .as_of(&work, next.pred().expect("day before"))
                    .expect("as of");
                assert_eq!(
                    between.version.map(|v| v.revision),
                    Some(*rev),
                    "{work} before {next}"
                );
                assert_eq!(between.status, Status::InForce);
            }
        }
        let (_, last) = versions.last().expect("versions");
        let after = snap.as_of(&work, d("2030-01-01")).expect("as of");
        assert_eq!(
            after.version.map(|v| v.revision),
            Some(*last),
            "{work} after the last version"
        );
        // The texts read back and their git story has one commit per version.
        snap.document(&work, last).expect("text");
        let story = git_ok(
            t.path(),
            &[
                "log",
                "--format=%s",
                "--",
                &wenku_store::layout::work_dir(&work),
            ],
        );
        let publishes = story.lines().filter(|l| l.starts_with("publish ")).count();
        let adds = story
            .lines()
            .filter(|l| l.starts_with("add-version "))
            .count();
        assert_eq!(
            (publishes, adds),
            (1, versions.len() - 1),
            "{work}: {story}"
        );
    }
    // 动物防疫法: five versions inserted out of order.
    let dongwu = w("100000/cn-law-dongwufangyifa");
    assert_eq!(snap.versions(&dongwu).expect("versions").len(), 5);
    let mid = snap.as_of(&dongwu, d("2014-01-01")).expect("as of");
    assert_eq!(mid.version.map(|v| v.published), Some(d("2013-06-29")));

    // 化妆品卫生监督条例: in force before 2021-01-01, repealed from then on.
    assert_eq!(
        snap.as_of(&old.work, d("2020-12-31"))
            .expect("as of")
            .status,
        Status::InForce
    );
    let repealed = snap.as_of(&old.work, d("2021-01-01")).expect("as of");
    assert_eq!(
        (repealed.status, repealed.since),
        (Status::Repealed, Some(d("2021-01-01")))
    );
    assert_eq!(
        snap.as_of(&old.work, d("2025-01-01"))
            .expect("as of")
            .status,
        Status::Repealed
    );
    let by = snap.referrers(&old.work).expect("referrers");
    assert_eq!(
        by.iter().map(|r| (&r.from, r.kind)).collect::<Vec<_>>(),
        [(&successor, RelationKind::Repeals)]
    );
    assert_eq!(
        snap.lookup(&Citation::title("《化妆品卫生监督条例》"))
            .expect("lookup"),
        std::slice::from_ref(&old.work)
    );
    assert_eq!(
        snap.works(&Filter::all().status_on(Status::Repealed, d("2022-01-01")))
            .expect("list"),
        std::slice::from_ref(&old.work)
    );

    // The seeds' citations of documents not in the corpus stay citations.
    let qingdao = w("370200/qingdao-2025-05-16-points");
    let rec = snap.require_record(&qingdao).expect("Qingdao points");
    assert!(
        rec.relations.iter().any(|r| matches!(&r.target, Target::Citation(c) if c.number.as_ref().is_some_and(|n| n.as_str() == "鲁政办发〔2025〕5号"))),
        "{:?}",
        rec.relations
    );
    assert!(
        snap.lookup(&Citation::parse("鲁政办发〔2025〕5号").expect("parses"))
            .expect("lookup")
            .is_empty()
    );
    assert_eq!(
        snap.works(&Filter::all().region(r("370200")))
            .expect("list"),
        [qingdao.clone(), w("370283/pingdu-2024-07-16-points")]
    );

    assert_clean(&lib);
    fsck(t.path());
}

// ---------------------------------------------------------------------------
// the metadata format

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
    let stale = wenku_store::ObjectId::from_hex(parent.trim().as_bytes()).expect("hex");
    let snap = lib
        .snapshot()
        .expect("snapshot")
        .with_catalog(Box::new(FixedCatalog(stale, marker)));
    assert_eq!(snap.works(&Filter::all()).expect("list"), [w("370200/a")]);
    fsck(t.path());
}
