//! The index seen through the library: the same answers with and without
//! it over random libraries, damage on disk noticed and repaired, the
//! cases that force a rebuild, and readers while writers keep it current.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use wenku_index::IndexDir;
use wenku_store::{IndexOptions, IndexRefresh, RebuildReason, Snapshot};

use super::*;

// ---------------------------------------------------------------------------
// helpers

/// The same library opened without an index: the reference.
fn without_index(path: &Path) -> Library {
    Library::open(path)
        .expect("open")
        .with_clock(clock())
        .with_index(IndexOptions::disabled())
}

fn index_dir(lib: &Library) -> PathBuf {
    lib.git_dir().join("wenku").join("index")
}

fn day(n: u32) -> Date {
    d("2020-01-01").add_days(i64::from(n)).expect("in range")
}

const TITLES: &[&str] = &["甲规定", "甲 规定", "乙办法", "《丙意见》", "丁通知"];
const NUMBERS: &[&str] = &[
    "青政办发〔2025〕5号",
    "青政办发〔2024〕3号",
    "平政发〔2023〕1号",
];
const SUBJECTS: &[&str] = &["政务公开", "交通", "教育"];
const TYPES: &[DocType] = &[DocType::Regulation, DocType::Normative, DocType::Policy];
const REGIONS: &[&str] = &["370200", "370283", "370283001"];

fn citations() -> Vec<Citation> {
    let mut out = Vec::new();
    for n in NUMBERS
        .iter()
        .copied()
        .chain(["无〔2000〕9号"])
        .map(Some)
        .chain([None])
    {
        for t in TITLES
            .iter()
            .copied()
            .chain(["无此文件"])
            .map(Some)
            .chain([None])
        {
            let c = Citation {
                number: n.map(|n| DocNumber::parse(n).expect("valid")),
                title: t.map(str::to_string),
            };
            if !c.is_empty() {
                out.push(c);
            }
        }
    }
    out
}

fn filters() -> Vec<Filter> {
    let mut out = vec![Filter::all()];
    for region in REGIONS {
        out.push(Filter::all().region(r(region)));
    }
    for t in TYPES {
        out.push(Filter::all().doc_type(*t));
    }
    for s in SUBJECTS {
        out.push(Filter::all().subject(*s).region(r("370200")));
    }
    for s in Status::ALL {
        for n in [0, 700, 1500, 2600] {
            out.push(Filter::all().status_on(s, day(n)));
        }
    }
    out
}

/// Every question, asked of both snapshots of the same commit.
fn same_answers(indexed: &Snapshot, tree: &Snapshot, dates: &[Date]) {
    assert_eq!(indexed.commit(), tree.commit());
    let works = tree.works(&Filter::all()).expect("list");
    for f in filters() {
        assert_eq!(
            indexed.works(&f).expect("list"),
            tree.works(&f).expect("list"),
            "{f:?}"
        );
    }
    for work in &works {
        // The given dates, and every date where the answer may change and
        // the day before it.
        let record = tree.require_record(work).expect("record");
        let mut edges: Vec<Date> = record
            .versions
            .iter()
            .flat_map(|v| [v.published, v.effective_date()])
            .collect();
        edges.extend(record.repealed.as_ref().map(|r| r.date));
        edges.extend(record.withdrawn.as_ref().map(|w| w.date));
        edges.extend(
            record
                .expires
                .into_iter()
                .flat_map(|e| [Some(e), e.add_days(1)])
                .flatten(),
        );
        let mut all: Vec<Date> = dates.to_vec();
        all.extend(edges.iter().flat_map(|e| [Some(*e), e.pred()]).flatten());
        for date in &all {
            assert_eq!(
                indexed.as_of(work, *date).expect("as of"),
                tree.as_of(work, *date).expect("as of"),
                "{work} as of {date}"
            );
        }
        let versions = tree.versions(work).expect("versions");
        assert_eq!(indexed.versions(work).expect("versions"), versions);
        for v in &versions {
            assert_eq!(
                indexed.find_revision(&v.revision).expect("find"),
                tree.find_revision(&v.revision).expect("find")
            );
            assert_eq!(
                indexed.version_bytes(work, &v.revision).expect("text"),
                tree.version_bytes(work, &v.revision).expect("text")
            );
        }
        assert_eq!(
            indexed.referrers(work).expect("referrers"),
            tree.referrers(work).expect("referrers"),
            "referrers of {work}"
        );
    }
    let unknown = w("370200/not-there");
    assert!(matches!(
        indexed.as_of(&unknown, day(1)),
        Err(ReadError::UnknownWork { .. })
    ));
    assert!(tree.as_of(&unknown, day(1)).is_err());
    for c in citations() {
        assert_eq!(
            indexed.lookup(&c).expect("lookup"),
            tree.lookup(&c).expect("lookup"),
            "{c}"
        );
    }
    assert_eq!(
        indexed.unresolved_citations().expect("unresolved"),
        tree.unresolved_citations().expect("unresolved")
    );
}

// ---------------------------------------------------------------------------
// random libraries, committed through the store

#[derive(Clone, Debug)]
enum Pick {
    Work(usize),
    Citation(Option<usize>, Option<usize>),
}

#[derive(Clone, Debug)]
enum Step {
    Publish {
        region: usize,
        doc_type: usize,
        title: usize,
        number: Option<usize>,
        subjects: Vec<usize>,
        published: u32,
        delay: Option<u32>,
        relations: Vec<(usize, Pick)>,
    },
    AddVersion {
        work: usize,
        published: u32,
        delay: Option<u32>,
    },
    Correct {
        work: usize,
        title: Option<usize>,
        number: Option<Option<usize>>,
        subjects: Option<Vec<usize>>,
    },
    AddRelation {
        work: usize,
        kind: usize,
        target: Pick,
    },
    RemoveRelation {
        work: usize,
        which: usize,
    },
    Repeal {
        work: usize,
        date: u32,
    },
    SetExpiry {
        work: usize,
        date: Option<u32>,
    },
    Withdraw {
        work: usize,
        date: u32,
    },
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        (0usize..64).prop_map(Pick::Work),
        (
            prop::option::of(0..NUMBERS.len() + 1),
            prop::option::of(0..TITLES.len() + 1)
        )
            .prop_map(|(n, t)| Pick::Citation(n, t)),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (
            0..REGIONS.len(),
            0..TYPES.len(),
            0..TITLES.len(),
            prop::option::of(0..NUMBERS.len()),
            prop::collection::vec(0..SUBJECTS.len(), 0..3),
            0u32..2000,
            prop::option::of(0u32..300),
            prop::collection::vec((0..RelationKind::ALL.len(), pick()), 0..3),
        )
            .prop_map(|(region, doc_type, title, number, subjects, published, delay, relations)| {
                Step::Publish { region, doc_type, title, number, subjects, published, delay, relations }
            }),
        2 => (0usize..64, 0u32..2000, prop::option::of(0u32..300))
            .prop_map(|(work, published, delay)| Step::AddVersion { work, published, delay }),
        1 => (
            0usize..64,
            prop::option::of(0..TITLES.len()),
            prop::option::of(prop::option::of(0..NUMBERS.len())),
            prop::option::of(prop::collection::vec(0..SUBJECTS.len(), 0..3)),
        )
            .prop_map(|(work, title, number, subjects)| Step::Correct { work, title, number, subjects }),
        2 => (0usize..64, 0..RelationKind::ALL.len(), pick())
            .prop_map(|(work, kind, target)| Step::AddRelation { work, kind, target }),
        1 => (0usize..64, 0usize..8).prop_map(|(work, which)| Step::RemoveRelation { work, which }),
        1 => (0usize..64, 0u32..2600).prop_map(|(work, date)| Step::Repeal { work, date }),
        1 => (0usize..64, prop::option::of(0u32..2600)).prop_map(|(work, date)| Step::SetExpiry { work, date }),
        1 => (0usize..64, 0u32..2600).prop_map(|(work, date)| Step::Withdraw { work, date }),
    ]
}

/// Turns abstract steps into ops against the works published so far
/// (from the reference snapshot), skipping what the store would refuse.
fn ops(steps: &[Step], tree: &Snapshot, serial: &mut usize) -> Transaction {
    let mut works = tree.works(&Filter::all()).expect("list");
    let mut tx = Transaction::new();
    let target = |p: &Pick, works: &[WorkId], me: &WorkId| -> Option<Target> {
        match p {
            Pick::Work(i) => {
                let w = works.get(i % works.len().max(1))?;
                (w != me).then(|| Target::Work(w.clone()))
            }
            Pick::Citation(n, t) => {
                let c = Citation {
                    number: n.map(|i| {
                        DocNumber::parse(NUMBERS.get(i).copied().unwrap_or("无〔2000〕9号"))
                            .expect("valid")
                    }),
                    title: t.map(|i| TITLES.get(i).copied().unwrap_or("无此文件").to_string()),
                };
                (!c.is_empty()).then_some(Target::Citation(c))
            }
        }
    };
    let version = |serial: &mut usize, work: &WorkId, published: u32, delay: Option<u32>| {
        *serial += 1;
        let mut v = NewVersion::new(doc(work.local(), &serial.to_string()), day(published));
        v.effective = delay.map(|x| day(published + x));
        v
    };
    for s in steps {
        let existing = |i: &usize| works.get(i % works.len().max(1)).cloned();
        match s {
            Step::Publish {
                region,
                doc_type,
                title,
                number,
                subjects,
                published,
                delay,
                relations,
            } => {
                let work = w(&format!("{}/w{}", REGIONS[*region], *serial));
                let mut record = Record::new(work.clone(), TYPES[*doc_type], TITLES[*title]);
                record.number = number.map(|i| DocNumber::parse(NUMBERS[i]).expect("valid"));
                record.subjects = subjects.iter().map(|i| SUBJECTS[*i].to_string()).collect();
                for (k, p) in relations {
                    if let Some(t) = target(p, &works, &work) {
                        record.add_relation(Relation {
                            kind: RelationKind::ALL[*k],
                            target: t,
                        });
                    }
                }
                let v = version(serial, &work, *published, *delay);
                tx.push(Op::Publish { record, version: v });
                works.push(work);
            }
            Step::AddVersion {
                work,
                published,
                delay,
            } => {
                if let Some(work) = existing(work) {
                    let v = version(serial, &work, *published, *delay);
                    tx.push(Op::AddVersion { work, version: v });
                }
            }
            Step::Correct {
                work,
                title,
                number,
                subjects,
            } => {
                if let Some(work) = existing(work) {
                    tx.push(Op::Correct {
                        work,
                        correction: Correction {
                            title: title.map(|i| TITLES[i].to_string()),
                            number: number
                                .map(|n| n.map(|i| DocNumber::parse(NUMBERS[i]).expect("valid"))),
                            subjects: subjects
                                .as_ref()
                                .map(|s| s.iter().map(|i| SUBJECTS[*i].to_string()).collect()),
                            ..Correction::default()
                        },
                    });
                }
            }
            Step::AddRelation {
                work,
                kind,
                target: p,
            } => {
                if let Some(work) = existing(work)
                    && let Some(t) = target(p, &works, &work)
                {
                    tx.push(Op::AddRelation {
                        work,
                        relation: Relation {
                            kind: RelationKind::ALL[*kind],
                            target: t,
                        },
                    });
                }
            }
            Step::RemoveRelation { work, which } => {
                if let Some(work) = existing(work)
                    && let Ok(Some(record)) = tree.record(&work)
                    && let Some(relation) =
                        record.relations.get(which % record.relations.len().max(1))
                {
                    tx.push(Op::RemoveRelation {
                        work,
                        relation: relation.clone(),
                    });
                }
            }
            Step::Repeal { work, date } => {
                if let Some(work) = existing(work) {
                    tx.push(Op::Repeal {
                        work,
                        repeal: Repeal {
                            date: day(*date),
                            by: None,
                        },
                    });
                }
            }
            Step::SetExpiry { work, date } => {
                if let Some(work) = existing(work) {
                    tx.push(Op::SetExpiry {
                        work,
                        expires: date.map(day),
                    });
                }
            }
            Step::Withdraw { work, date } => {
                if let Some(work) = existing(work) {
                    tx.push(Op::Withdraw {
                        work,
                        withdrawal: Withdrawal {
                            date: day(*date),
                            reason: "撤回".into(),
                        },
                    });
                }
            }
        }
    }
    tx
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The done-when property: over random libraries committed through the
    /// store and random dates, every question gets the same answer from
    /// the index as from the tree. Some transactions are committed by a
    /// library without the index, so the indexed one catches up over
    /// several commits at once; a small delta limit makes some updates
    /// write a new base.
    #[test]
    fn the_index_answers_as_the_tree_does(
        transactions in prop::collection::vec(
            (prop::collection::vec(step(), 1..5), any::<bool>()),
            1..6,
        ),
        dates in prop::collection::vec(0u32..2800, 4..8),
        limit in 1usize..6,
    ) {
        let t = tmp();
        let lib = new_lib(t.path(), "370200", &["370283", "370283001"])
            .with_index(IndexOptions { max_delta_works: limit, ..IndexOptions::default() });
        let reference = without_index(t.path());
        let dates: Vec<Date> = dates.into_iter().map(day).collect();
        let mut serial = 0;
        for (steps, by_reference) in transactions {
            let tx = ops(&steps, &reference.snapshot().expect("snapshot"), &mut serial);
            if tx.is_empty() {
                continue;
            }
            let writer = if by_reference { &reference } else { &lib };
            match writer.commit(&clerk(), tx) {
                Ok(_) => {}
                // Random dates make impossible lifecycles and second
                // repeals; the store refuses the whole transaction.
                Err(wenku_store::CommitError::Refused {
                    refusal:
                        wenku_store::Refusal::Lifecycle(_)
                        | wenku_store::Refusal::AlreadyRepealed { .. }
                        | wenku_store::Refusal::AlreadyWithdrawn { .. },
                    ..
                }) => continue,
                Err(e) => panic!("commit: {e:?}"),
            }
            // A commit through `reference` leaves the index behind: until a
            // refresh, the snapshot answers from the tree.
            let behind = lib.snapshot().expect("snapshot");
            same_answers(&behind, &reference.snapshot().expect("snapshot"), &dates);
            lib.refresh_index().expect("refresh");
            let indexed = lib.snapshot().expect("snapshot");
            let tree = reference.snapshot().expect("snapshot");
            same_answers(&indexed, &tree, &dates);
        }
        lib.verify().expect("verify");
    }
}

// ---------------------------------------------------------------------------
// a library to damage and repair

/// A library with related works, cited by number and by title, some
/// citations unresolved, several versions.
fn related_library(path: &Path) -> Library {
    let lib = new_lib(path, "370200", &["370283"]);
    let mut tx = Transaction::new();
    for i in 0..12 {
        let work = w(&format!(
            "{}/doc-{i}",
            if i % 3 == 0 { "370283" } else { "370200" }
        ));
        let title = format!("文件{}", i % 5);
        let mut record = Record::new(work.clone(), TYPES[i % 3], &title);
        record.number = DocNumber::parse(&format!("青政发〔2025〕{}号", i % 4));
        record.subjects = vec![SUBJECTS[i % 3].to_string()];
        if i > 0 {
            record.add_relation(Relation {
                kind: RelationKind::Implements,
                target: Target::Citation(Citation {
                    number: DocNumber::parse(&format!("青政发〔2025〕{}号", (i + 1) % 6)),
                    title: Some(format!("文件{}", (i + 2) % 7)),
                }),
            });
        }
        tx.push(Op::Publish {
            record,
            version: NewVersion::new(doc(&title, "1"), day(i as u32 * 100)),
        });
        if i > 1 {
            tx.push(Op::AddRelation {
                work: work.clone(),
                relation: Relation {
                    kind: RelationKind::Interprets,
                    target: Target::Work(w(&format!(
                        "{}/doc-{}",
                        if (i - 1) % 3 == 0 { "370283" } else { "370200" },
                        i - 1
                    ))),
                },
            });
        }
        let mut v = NewVersion::new(doc(&title, "2"), day(i as u32 * 100 + 400));
        v.effective = Some(day(i as u32 * 100 + 500));
        tx.push(Op::AddVersion { work, version: v });
    }
    lib.commit(&clerk(), tx).expect("commit");
    lib
}

fn all_dates() -> Vec<Date> {
    (0..30).map(|i| day(i * 97)).collect()
}

/// Log lines at warning level and above while `f` runs (this thread).
fn warnings<T>(f: impl FnOnce() -> T) -> (T, String) {
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(sink.0.lock().expect("lock").clone()).expect("utf8");
    (out, text)
}

fn index_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("index dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wki"))
        .collect();
    out.sort();
    out
}

fn overwrite(path: &Path, bytes: &[u8]) {
    let mut p = std::fs::metadata(path).expect("exists").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    p.set_readonly(false);
    std::fs::set_permissions(path, p).expect("writable");
    std::fs::write(path, bytes).expect("write");
}

/// A named way of damaging a file's bytes.
type Damage = (String, Box<dyn Fn(&mut Vec<u8>)>);

/// Each way of damaging a file, at places spread over it.
fn damages(len: usize) -> Vec<Damage> {
    let mut out: Vec<Damage> = Vec::new();
    for at in [
        0,
        9,
        20,
        50,
        100,
        127,
        128,
        200,
        len / 3,
        len / 2,
        len * 2 / 3,
        len - 200,
        len - 40,
        len - 1,
    ] {
        out.push((
            format!("byte {at} flipped"),
            Box::new(move |b: &mut Vec<u8>| b[at] ^= 0x04),
        ));
    }
    for keep in [0, 64, len / 2, len - 1] {
        out.push((
            format!("truncated to {keep}"),
            Box::new(move |b: &mut Vec<u8>| b.truncate(keep)),
        ));
    }
    for (from, to) in [
        (0, len),
        (0, 128),
        (len / 2, len / 2 + 512),
        (len - 300, len),
    ] {
        out.push((
            format!("bytes {from}..{to} zeroed"),
            Box::new(move |b: &mut Vec<u8>| {
                let end = to.min(b.len());
                b[from..end].fill(0)
            }),
        ));
    }
    out
}

/// The issue's corruption test: every file of the index, damaged in every
/// way, is noticed with a warning before any wrong answer, the library
/// answers as without an index, and the index is rebuilt to the same
/// bytes.
#[test]
fn a_damaged_index_is_noticed_answered_around_and_rebuilt() {
    let t = tmp();
    let lib = related_library(t.path());
    lib.refresh_index().expect("builds the index");
    let dir = index_dir(&lib);
    let reference = without_index(t.path());
    let tree = reference.snapshot().expect("snapshot");
    let files = index_files(&dir);
    assert_eq!(files.len(), 2, "{files:?}");
    let good: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("read"))
        .collect();
    for (file, original) in files.iter().zip(&good) {
        for (what, damage) in damages(original.len()) {
            let mut bytes = original.clone();
            damage(&mut bytes);
            assert_ne!(&bytes, original, "{what}");
            overwrite(file, &bytes);
            let fresh = Library::open(t.path()).expect("open");
            let (_, logged) = warnings(|| {
                let snap = fresh.snapshot().expect("snapshot");
                same_answers(&snap, &tree, &all_dates());
                fresh.refresh_index().expect("refresh")
            });
            assert!(
                logged.contains("WARN") && logged.contains("index"),
                "{} {what}: no warning:\n{logged}",
                file.display()
            );
            // Repaired: the same files, byte for byte, as before the damage.
            let now: Vec<Vec<u8>> = index_files(&dir)
                .iter()
                .map(|f| std::fs::read(f).expect("read"))
                .collect();
            assert_eq!(now, good, "{} {what}: not rebuilt", file.display());
            let repaired = fresh.snapshot().expect("snapshot");
            same_answers(&repaired, &tree, &all_dates());
        }
    }
    fsck(t.path());
}

#[test]
fn as_of_reads_no_record_when_the_index_is_current() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]);
    publish(&lib, "370200/a", "甲", "2025-01-01");
    lib.refresh_index().expect("builds the index");
    // Take the record's blob out of the object database.
    let blob = git_ok(
        t.path(),
        &[
            "rev-parse",
            &format!("main:{}", wenku_store::layout::record_path(&w("370200/a"))),
        ],
    );
    let blob = blob.trim();
    let loose = t.path().join("objects").join(&blob[..2]).join(&blob[2..]);
    assert!(loose.exists(), "a single publish writes loose objects");
    std::fs::remove_file(&loose).expect("remove");
    let snap = lib.snapshot().expect("snapshot");
    let a = snap
        .as_of(&w("370200/a"), d("2025-02-01"))
        .expect("answered by the index");
    assert_eq!(a.status, Status::InForce);
    assert_eq!(snap.versions(&w("370200/a")).expect("versions").len(), 1);
    let revision = a.version.expect("in force").revision;
    assert!(snap.document(&w("370200/a"), &revision).is_ok());
    // Without the index the same question needs the record.
    let tree = without_index(t.path()).snapshot().expect("snapshot");
    assert!(tree.as_of(&w("370200/a"), d("2025-02-01")).is_err());
}

#[test]
fn rebuilds_happen_for_the_reasons_the_issue_names_and_updates_otherwise() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &["370283"]);
    assert_eq!(
        lib.refresh_index().expect("refresh"),
        IndexRefresh::Rebuilt {
            commit: lib.head().expect("head"),
            works: 0,
            reason: RebuildReason::Missing,
        }
    );
    publish(&lib, "370200/a", "甲", "2025-01-01");
    // The commit brought the index forward itself.
    assert!(matches!(
        lib.refresh_index().expect("refresh"),
        IndexRefresh::Current { .. }
    ));
    let before = lib.head().expect("head");
    // Someone else commits (without the index): the next refresh follows
    // the tree diff.
    let other = without_index(t.path());
    publish(&other, "370283/b", "乙", "2025-01-01");
    publish(&other, "370200/c", "丙", "2025-01-01");
    match lib.refresh_index().expect("refresh") {
        IndexRefresh::Updated {
            from,
            works,
            merged,
            ..
        } => {
            assert_eq!((from, works, merged), (before, 2, false));
        }
        other => panic!("expected an update, got {other:?}"),
    }
    // A work removed by hand: the tree diff removes it from the index.
    let a = wenku_store::layout::work_dir(&w("370200/a"));
    let files = git_ok(t.path(), &["ls-tree", "-r", "--name-only", "main", &a]);
    let removals: Vec<(&str, Option<&[u8]>)> = files.lines().map(|p| (p, None)).collect();
    edit_with_git(t.path(), &removals, "100644");
    assert!(matches!(
        lib.refresh_index().expect("refresh"),
        IndexRefresh::Updated { works: 1, .. }
    ));
    let snap = lib.snapshot().expect("snapshot");
    assert_eq!(
        snap.works(&Filter::all()).expect("list"),
        [w("370200/c"), w("370283/b")]
    );
    same_answers(&snap, &other.snapshot().expect("snapshot"), &all_dates());

    // main reset to a commit the index never saw on its history.
    let side = git_ok(
        t.path(),
        &[
            "commit-tree",
            &format!("{before}^{{tree}}"),
            "-m",
            "elsewhere",
        ],
    );
    let indexed = lib.head().expect("head");
    git_ok(t.path(), &["update-ref", "refs/heads/main", side.trim()]);
    let (refresh, logged) = warnings(|| lib.refresh_index().expect("refresh"));
    assert_eq!(
        refresh,
        IndexRefresh::Rebuilt {
            commit: lib.head().expect("head"),
            works: 1,
            reason: RebuildReason::NotAncestor { indexed },
        }
    );
    assert!(logged.contains("not an ancestor"), "{logged}");

    // Deleted: rebuilt (quietly: a missing cache is no surprise).
    std::fs::remove_dir_all(index_dir(&lib)).expect("remove");
    let fresh = Library::open(t.path()).expect("open");
    assert!(matches!(
        fresh.refresh_index().expect("refresh"),
        IndexRefresh::Rebuilt {
            reason: RebuildReason::Missing,
            ..
        }
    ));

    // Another format version: rebuilt, not misread.
    let current = index_dir(&lib).join(wenku_index::CURRENT);
    let mut bytes = std::fs::read(&current).expect("read");
    bytes[8..12].copy_from_slice(&99u32.to_le_bytes());
    overwrite(&current, &bytes);
    let fresh = Library::open(t.path()).expect("open");
    let (refresh, logged) = warnings(|| fresh.refresh_index().expect("refresh"));
    assert!(
        matches!(&refresh, IndexRefresh::Rebuilt { reason: RebuildReason::Format(s), .. } if s.contains("format version 99")),
        "{refresh:?}"
    );
    assert!(logged.contains("rebuilding the index"), "{logged}");

    // Turned off: nothing is read or written.
    std::fs::remove_dir_all(index_dir(&lib)).expect("remove");
    let off = without_index(t.path());
    assert_eq!(
        off.refresh_index().expect("refresh"),
        IndexRefresh::Disabled
    );
    publish(&off, "370200/d", "丁", "2025-01-01");
    off.snapshot()
        .expect("snapshot")
        .works(&Filter::all())
        .expect("list");
    assert!(!index_dir(&lib).exists());
    fsck(t.path());
}

/// Writers keep the index current while other threads, each with its own
/// library handle, take snapshots: every snapshot's answers are those of
/// its own commit.
#[test]
fn readers_during_updates_see_the_old_or_the_new_index() {
    let t = tmp();
    let lib = Arc::new(new_lib(t.path(), "370200", &[]).with_index(IndexOptions {
        max_delta_works: 3,
        ..IndexOptions::default()
    }));
    publish(&lib, "370200/first", "第一", "2025-01-01");
    lib.refresh_index().expect("builds the index");
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (path, done) = (t.path().to_path_buf(), Arc::clone(&done));
            std::thread::spawn(move || {
                let reader = Library::open(&path).expect("open");
                let tree = without_index(&path);
                let mut checked = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) || checked == 0 {
                    let snap = reader.snapshot().expect("snapshot");
                    let at = tree.snapshot_at(snap.commit()).expect("snapshot");
                    assert_eq!(
                        snap.works(&Filter::all()).expect("list"),
                        at.works(&Filter::all()).expect("list")
                    );
                    for work in at.works(&Filter::all()).expect("list") {
                        assert_eq!(
                            snap.versions(&work).expect("versions"),
                            at.versions(&work).expect("versions")
                        );
                    }
                    // Opened straight from disk, too.
                    let index = IndexDir::new(path.join("wenku").join("index"))
                        .open()
                        .expect("an index is always there");
                    index.verify().expect("complete");
                    checked += 1;
                }
                checked
            })
        })
        .collect();
    for i in 0..25 {
        publish(
            &lib,
            &format!("370200/n{i}"),
            &format!("文件{i}"),
            "2025-01-01",
        );
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        assert!(r.join().expect("reader passed") > 0);
    }
    let indexed = lib.snapshot().expect("snapshot");
    same_answers(
        &indexed,
        &without_index(t.path()).snapshot().expect("snapshot"),
        &all_dates(),
    );
}

/// One batch of related works (citations by number and title, some
/// unresolved; relations by id): the index and the tree agree.
#[test]
fn index_and_tree_agree_on_a_batch() {
    let t = tmp();
    let lib = related_library(t.path());
    let tree = without_index(t.path()).snapshot().expect("snapshot");
    let indexed = lib.snapshot().expect("snapshot");
    same_answers(&indexed, &tree, &all_dates());
    assert!(!tree.unresolved_citations().expect("unresolved").is_empty());
    let map: BTreeMap<_, _> = tree
        .works(&Filter::all())
        .expect("list")
        .into_iter()
        .map(|w| (w.clone(), tree.referrers(&w).expect("referrers").len()))
        .collect();
    assert!(map.values().any(|n| *n > 1), "{map:?}");
}

/// Past the delta limit, a commit writes only the delta and leaves the new
/// base to a thread of its own, which installs it under whatever the
/// index has become; dropping the library waits for it. The index then
/// has a small delta over a base with the works, and answers as the tree.
#[test]
fn commits_leave_new_bases_to_a_thread_and_the_index_stays_right() {
    let t = tmp();
    let lib = new_lib(t.path(), "370200", &[]).with_index(IndexOptions {
        max_delta_works: 3,
        ..IndexOptions::default()
    });
    lib.refresh_index().expect("build");
    for i in 0..40 {
        publish(
            &lib,
            &format!("370200/w{i}"),
            &format!("文件{i}"),
            "2025-01-01",
        );
        if i % 7 == 0 {
            let indexed = lib.snapshot().expect("snapshot");
            let tree = without_index(t.path()).snapshot().expect("snapshot");
            same_answers(&indexed, &tree, &[day(2000)]);
        }
    }
    let head = lib.head().expect("head");
    drop(lib);
    let index = IndexDir::new(t.path().join("wenku").join("index"))
        .open()
        .expect("open");
    assert_eq!(
        index.commit().0,
        *head.as_bytes().first_chunk::<20>().expect("sha1")
    );
    let stats = index.stats();
    assert!(
        stats.base_works >= 30 && stats.delta_works < 20,
        "bases were written along the way: {stats:?}"
    );
    let lib = Library::open(t.path()).expect("open").with_clock(clock());
    let indexed = lib.snapshot().expect("snapshot");
    let tree = without_index(t.path()).snapshot().expect("snapshot");
    same_answers(&indexed, &tree, &[day(0), day(2000)]);
    let bases = std::fs::read_dir(t.path().join("wenku").join("index"))
        .expect("index dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("base-"))
        })
        .count();
    assert_eq!(bases, 1, "older bases are removed");
}
