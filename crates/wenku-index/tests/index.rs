//! Integration tests: indexes written to temporary directories, checked
//! against answers computed straight from the records, damaged on disk,
//! and read while they are being replaced.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use wenku_index::{Change, Index, IndexDir, Oid, OpenError, UpdateOptions, WorkEntry};
use wenku_model::query::{Filter, Referrer as Reference};
use wenku_model::{
    Citation, Date, DocNumber, DocType, Record, Region, Relation, RelationKind, Repeal, RevisionId,
    Status, Target, VersionEntry, Withdrawal, WorkId,
};

// ---------------------------------------------------------------------------
// the reference: answers computed from the records themselves, with the
// rules the store's TreeCatalog uses

struct Reference_ {
    records: BTreeMap<WorkId, Record>,
}

impl Reference_ {
    /// The model's citation rule over the records themselves.
    fn resolve(&self, c: &Citation) -> Vec<WorkId> {
        wenku_model::query::resolve(c, self.records.values())
    }

    fn works(&self, q: &Filter) -> Vec<WorkId> {
        self.records
            .values()
            .filter(|r| q.matches(r))
            .map(|r| r.work.clone())
            .collect()
    }

    fn referrers(&self, work: &WorkId) -> Vec<Reference> {
        let mut out = Vec::new();
        for r in self.records.values().filter(|r| r.work != *work) {
            for rel in &r.relations {
                let hit = match &rel.target {
                    Target::Work(w) => w == work,
                    Target::Citation(c) => self.resolve(c).contains(work),
                };
                if hit {
                    out.push(Reference {
                        from: r.work.clone(),
                        kind: rel.kind,
                        target: rel.target.clone(),
                    });
                }
            }
        }
        out.sort();
        out
    }

    fn unresolved(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        for r in self.records.values() {
            for rel in &r.relations {
                if let Target::Citation(c) = &rel.target
                    && self.resolve(c).is_empty()
                {
                    out.push(Reference {
                        from: r.work.clone(),
                        kind: rel.kind,
                        target: rel.target.clone(),
                    });
                }
            }
        }
        out.sort();
        out
    }

    fn find_revision(&self, rev: &RevisionId) -> Vec<WorkId> {
        self.records
            .values()
            .filter(|r| r.version(rev).is_some())
            .map(|r| r.work.clone())
            .collect()
    }
}

// ---------------------------------------------------------------------------
// random records from small pools, so that keys collide

const REGIONS: &[&str] = &["370000", "370200", "370283", "370283001", "370300"];
const LOCALS: &[&str] = &["a", "b", "c", "d"];
const TITLES: &[&str] = &[
    "甲规定",
    "甲 规定",
    "乙办法",
    "《丙意见》",
    "丁通知",
    "关于<戊>的决定",
];
const NUMBERS: &[&str] = &[
    "鲁政办发〔2025〕5号",
    "青政办发〔2024〕3号",
    "平政发〔2023〕1号",
    "国务院令第306号",
];
const SUBJECTS: &[&str] = &["政务公开", "交通", "教育"];
const TYPES: &[DocType] = &[DocType::Regulation, DocType::Normative, DocType::Policy];

fn all_ids() -> Vec<WorkId> {
    let mut out = Vec::new();
    for r in REGIONS {
        for l in LOCALS {
            out.push(WorkId::parse(&format!("{r}/{l}")).expect("valid id"));
        }
    }
    out
}

fn day(n: u32) -> Date {
    Date::parse_iso("2020-01-01")
        .expect("valid")
        .add_days(i64::from(n))
        .expect("in range")
}

fn citation() -> impl Strategy<Value = Citation> {
    (
        prop::option::of(0..NUMBERS.len() + 1),
        prop::option::of(0..TITLES.len() + 1),
    )
        .prop_map(|(n, t)| Citation {
            number: n.map(|i| {
                DocNumber::parse(NUMBERS.get(i).copied().unwrap_or("无〔2000〕9号"))
                    .expect("valid number")
            }),
            title: t.map(|i| TITLES.get(i).copied().unwrap_or("无此文件").to_string()),
        })
}

fn record(work: WorkId) -> impl Strategy<Value = Record> {
    let versions = prop::collection::vec(
        (0u32..2000, prop::option::of(0u32..200), any::<bool>()),
        0..4,
    );
    let relations = prop::collection::vec(
        (
            0..RelationKind::ALL.len(),
            prop_oneof![
                (0..REGIONS.len() * LOCALS.len()).prop_map(|i| Target::Work(all_ids()[i].clone())),
                citation().prop_map(Target::Citation),
            ],
        ),
        0..4,
    );
    (
        0..TYPES.len(),
        0..TITLES.len(),
        prop::option::of(0..NUMBERS.len()),
        prop::collection::vec(0..SUBJECTS.len(), 0..3),
        versions,
        relations,
        (
            prop::option::of(0u32..2500),
            prop::option::of(0u32..2500),
            prop::option::of(0u32..2500),
            prop::option::of(citation()),
        ),
    )
        .prop_map(
            move |(
                t,
                title,
                number,
                subjects,
                versions,
                relations,
                (repeal, expires, withdrawn, amended),
            )| {
                let mut r = Record::new(work.clone(), TYPES[t], TITLES[title]);
                r.number = number.map(|i| DocNumber::parse(NUMBERS[i]).expect("valid"));
                r.subjects = subjects
                    .into_iter()
                    .map(|i| SUBJECTS[i].to_string())
                    .collect();
                for (i, (published, delay, noted)) in versions.into_iter().enumerate() {
                    let mut v = VersionEntry::new(
                        RevisionId::of(format!("{work}-{i}-{published}").as_bytes()),
                        day(published),
                    );
                    v.effective = delay.map(|d| day(published + d));
                    v.note = noted.then(|| "修正".to_string());
                    v.amended_by = if i > 0 { amended.clone() } else { None };
                    r.insert_version(v);
                }
                for (k, target) in relations {
                    r.add_relation(Relation {
                        kind: RelationKind::ALL[k],
                        target,
                    });
                }
                r.repealed = repeal.map(|d| Repeal {
                    date: day(d),
                    by: None,
                });
                r.expires = expires.map(day);
                r.withdrawn = withdrawn.map(|d| Withdrawal {
                    date: day(d),
                    reason: "撤回".into(),
                });
                r
            },
        )
}

/// Some of the pool's works.
fn records() -> impl Strategy<Value = BTreeMap<WorkId, Record>> {
    let ids = all_ids();
    prop::collection::vec(prop::option::of(any::<u8>()), ids.len()).prop_flat_map(move |keep| {
        let chosen: Vec<WorkId> = ids
            .iter()
            .zip(keep)
            .filter(|(_, k)| k.is_some_and(|k| k % 3 != 0))
            .map(|(w, _)| w.clone())
            .collect();
        chosen
            .into_iter()
            .map(record)
            .collect::<Vec<_>>()
            .prop_map(|rs| rs.into_iter().map(|r| (r.work.clone(), r)).collect())
    })
}

/// A step: works to (re)write and works to remove.
fn steps() -> impl Strategy<Value = Vec<(BTreeMap<WorkId, Record>, Vec<usize>)>> {
    prop::collection::vec(
        (
            records(),
            prop::collection::vec(0..REGIONS.len() * LOCALS.len(), 0..4),
        ),
        1..5,
    )
}

fn blob(rev: &RevisionId) -> Option<Oid> {
    // Some versions have no file, as a damaged tree would.
    (!rev.as_bytes()[1].is_multiple_of(5)).then(|| Oid([rev.as_bytes()[0]; 20]))
}

fn entries(records: &BTreeMap<WorkId, Record>) -> Vec<WorkEntry> {
    records
        .values()
        .map(|r| WorkEntry::from_record(r, blob))
        .collect()
}

fn queries() -> Vec<Filter> {
    let mut out = vec![Filter::default()];
    for r in REGIONS {
        out.push(Filter {
            region: Some(Region::parse(r).expect("valid")),
            ..Filter::default()
        });
    }
    for t in TYPES {
        out.push(Filter {
            doc_type: Some(*t),
            ..Filter::default()
        });
    }
    for s in SUBJECTS {
        out.push(Filter {
            subject: Some(s.to_string()),
            region: Some(Region::parse("370200").expect("valid")),
            ..Filter::default()
        });
    }
    for s in Status::ALL {
        for d in [0, 400, 900, 1500, 2400, 3000] {
            out.push(Filter {
                status: Some((s, day(d))),
                doc_type: (d % 2 == 0).then_some(DocType::Regulation),
                ..Filter::default()
            });
        }
    }
    out
}

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
            out.push(Citation {
                number: n.map(|n| DocNumber::parse(n).expect("valid")),
                title: t.map(str::to_string),
            });
        }
    }
    out
}

/// Every query the index answers, against the reference.
fn check(index: &Index, reference: &Reference_) {
    for id in all_ids() {
        let record = reference.records.get(&id);
        let mut dates: Vec<Date> = [0, 1, 199, 400, 777, 1000, 1500, 1999, 2200, 2600]
            .into_iter()
            .map(day)
            .collect();
        // Every date where the answer may change, and the day before.
        if let Some(r) = record {
            let mut edges: Vec<Date> = r
                .versions
                .iter()
                .flat_map(|v| [v.published, v.effective_date()])
                .collect();
            edges.extend(r.repealed.as_ref().map(|x| x.date));
            edges.extend(r.withdrawn.as_ref().map(|x| x.date));
            edges.extend(
                r.expires
                    .into_iter()
                    .flat_map(|e| [Some(e), e.add_days(1)])
                    .flatten(),
            );
            dates.extend(edges.iter().flat_map(|e| [Some(*e), e.pred()]).flatten());
        }
        for date in dates {
            let got = index.as_of(&id, date).expect("no damage");
            match record {
                None => assert_eq!(got, None, "{id}"),
                Some(r) => {
                    let a = r.as_of(date);
                    let got = got.expect("present");
                    assert_eq!(
                        (got.status, got.since, got.version.as_ref()),
                        (a.status, a.since, a.version),
                        "{id} as of {date}"
                    );
                }
            }
        }
        assert_eq!(
            index.versions(&id).expect("no damage"),
            record.map(|r| r.versions.clone())
        );
        assert_eq!(index.contains(&id).expect("no damage"), record.is_some());
        if let Some(r) = record {
            for v in &r.versions {
                assert_eq!(
                    index.version_blob(&id, &v.revision).expect("no damage"),
                    blob(&v.revision)
                );
                assert_eq!(
                    index.find_revision(&v.revision).expect("no damage"),
                    reference.find_revision(&v.revision)
                );
            }
        }
        assert_eq!(
            index.referrers(&id).expect("no damage"),
            reference.referrers(&id),
            "referrers of {id}"
        );
    }
    for c in citations() {
        assert_eq!(
            index.lookup(&c).expect("no damage"),
            reference.resolve(&c),
            "{c}"
        );
    }
    for q in queries() {
        assert_eq!(
            index.works(&q).expect("no damage"),
            reference.works(&q),
            "{q:?}"
        );
    }
    assert_eq!(
        index.unresolved().expect("no damage"),
        reference.unresolved()
    );
    assert!(
        index
            .find_revision(&RevisionId::of(b"none"))
            .expect("no damage")
            .is_empty()
    );
}

fn commit(n: u8) -> Oid {
    Oid([n; 20])
}

/// Applies one step to the reference and returns the index changes that
/// say the same.
fn apply_step(
    reference: &mut Reference_,
    upserts: BTreeMap<WorkId, Record>,
    removals: Vec<usize>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for id in removals.into_iter().map(|i| all_ids()[i].clone()) {
        reference.records.remove(&id);
        changes.push(Change::Remove(id.to_string()));
    }
    for (id, r) in upserts {
        changes.push(Change::Upsert(WorkEntry::from_record(&r, blob)));
        reference.records.insert(id, r);
    }
    changes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Built from scratch, then brought forward through updates (with a
    /// delta limit small enough that some updates write a new base), the
    /// index answers every query as the records do; so does a fresh open.
    #[test]
    fn answers_match_the_records_through_updates(
        initial in records(),
        steps in steps(),
        limit in 0usize..8,
    ) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let index_dir = IndexDir::new(dir.path()).with_options(UpdateOptions { max_delta_works: limit });
        let mut reference = Reference_ { records: initial };
        let mut index = index_dir.build(commit(0), entries(&reference.records)).expect("build");
        check(&index, &reference);
        for (i, (upserts, removals)) in steps.into_iter().enumerate() {
            let changes = apply_step(&mut reference, upserts, removals);
            let next = commit(i as u8 + 1);
            let updated = index_dir.update(&index, next, changes).expect("update");
            index = updated.index;
            prop_assert_eq!(index.commit(), next);
            check(&index, &reference);
        }
        let reopened = index_dir.open().expect("open");
        check(&reopened, &reference);
        reopened.verify().expect("no damage");
    }

    /// A base written apart from the updates (at step `at`, as a
    /// background thread does) and installed after later updates to the
    /// delta: the index answers every query as the records do, its delta
    /// is no larger than before, and a fresh open agrees.
    #[test]
    fn a_base_written_apart_is_installed_under_later_updates(
        initial in records(),
        steps in steps(),
        at in 0usize..5,
    ) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let index_dir = IndexDir::new(dir.path()).with_options(UpdateOptions { max_delta_works: 0 });
        let mut reference = Reference_ { records: initial };
        let mut index = index_dir.build(commit(0), entries(&reference.records)).expect("build");
        let mut new_base = None;
        let at = at.min(steps.len() - 1);
        for (i, (upserts, removals)) in steps.into_iter().enumerate() {
            let changes = apply_step(&mut reference, upserts, removals);
            index = index_dir.update_delta(&index, commit(i as u8 + 1), changes).expect("update").index;
            check(&index, &reference);
            if i == at {
                new_base = Some(index_dir.write_base(&index).expect("a base"));
            }
        }
        let installed = index_dir
            .install_base(new_base.expect("written"), &index)
            .expect("install")
            .expect("the base was not replaced meanwhile");
        prop_assert_eq!(installed.commit(), index.commit());
        check(&installed, &reference);
        prop_assert!(installed.stats().delta_works <= index.stats().delta_works);
        let reopened = index_dir.open().expect("open");
        check(&reopened, &reference);
        reopened.verify().expect("no damage");
    }
}

#[test]
fn a_base_written_apart_is_dropped_when_another_writer_replaced_the_base() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let index_dir = IndexDir::new(dir.path()).with_options(UpdateOptions { max_delta_works: 0 });
    let (a, b) = (all_ids()[0].clone(), all_ids()[1].clone());
    let rec = |w: &WorkId, title: &str| {
        let mut r = Record::new(w.clone(), DocType::Regulation, title);
        r.insert_version(VersionEntry::new(RevisionId::of(title.as_bytes()), day(10)));
        r
    };
    let index = index_dir
        .build(
            commit(0),
            vec![WorkEntry::from_record(&rec(&a, "甲"), blob)],
        )
        .expect("build");
    let index = index_dir
        .update_delta(
            &index,
            commit(1),
            vec![Change::Upsert(WorkEntry::from_record(&rec(&b, "乙"), blob))],
        )
        .expect("update")
        .index;
    let new_base = index_dir.write_base(&index).expect("a base");
    // Another writer merges inline (max 0): a new base under a new top.
    let merged = index_dir
        .update(
            &index,
            commit(2),
            vec![Change::Upsert(WorkEntry::from_record(&rec(&a, "丙"), blob))],
        )
        .expect("update")
        .index;
    assert!(
        index_dir
            .install_base(new_base, &merged)
            .expect("install")
            .is_none()
    );
    let bases: Vec<_> = files(dir.path())
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("base-"))
        })
        .collect();
    assert_eq!(bases.len(), 1, "only the merged base is left: {bases:?}");
    let reopened = index_dir.open().expect("open");
    assert_eq!(reopened.commit(), commit(2));
    assert_eq!(reopened.versions(&a).expect("read").expect("a").len(), 1);
}

// ---------------------------------------------------------------------------
// damage

fn small_index(dir: &Path) -> (Index, Reference_) {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let records = loop {
        let r = records().new_tree(&mut runner).expect("a value").current();
        if r.len() >= 8 && r.values().any(|r| !r.relations.is_empty()) {
            break r;
        }
    };
    let reference = Reference_ { records };
    let dir = IndexDir::new(dir);
    let index = dir
        .build(commit(0), entries(&reference.records))
        .expect("build");
    // A delta on top, so that both files have content.
    let mut extra = reference
        .records
        .values()
        .next()
        .cloned()
        .expect("some record");
    extra.title = "新标题".into();
    let mut reference = reference;
    reference.records.insert(extra.work.clone(), extra.clone());
    let index = dir
        .update(
            &index,
            commit(1),
            vec![Change::Upsert(WorkEntry::from_record(&extra, blob))],
        )
        .expect("update")
        .index;
    (index, reference)
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    out.sort();
    out
}

fn write(path: &Path, bytes: &[u8]) {
    let mut p = std::fs::metadata(path).expect("exists").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    p.set_readonly(false);
    std::fs::set_permissions(path, p).expect("writable");
    std::fs::write(path, bytes).expect("write");
}

/// Opens and reads everything; `Err` if the damage was noticed. Answers
/// given before that must be right.
fn read_all(dir: &Path, reference: &Reference_) -> Result<(), String> {
    let index = IndexDir::new(dir).open().map_err(|e| e.to_string())?;
    // Queries either answer right or report the damage.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_or_damage(&index, reference)
    }));
    match outcome {
        Ok(Err(e)) => return Err(e),
        Ok(Ok(())) => {}
        Err(_) => panic!("a query over a damaged index gave a wrong answer"),
    }
    index.verify().map_err(|e| e.to_string())
}

fn check_or_damage(index: &Index, reference: &Reference_) -> Result<(), String> {
    let e = |x: wenku_index::Corrupt| x.to_string();
    for id in all_ids() {
        let got = index.as_of(&id, day(900)).map_err(e)?;
        let want = reference.records.get(&id).map(|r| r.as_of(day(900)));
        assert_eq!(
            got.map(|g| (g.status, g.since, g.version)),
            want.map(|a| (a.status, a.since, a.version.cloned()))
        );
        assert_eq!(index.referrers(&id).map_err(e)?, reference.referrers(&id));
    }
    for c in citations() {
        assert_eq!(index.lookup(&c).map_err(e)?, reference.resolve(&c));
    }
    for q in queries() {
        assert_eq!(index.works(&q).map_err(e)?, reference.works(&q));
    }
    assert_eq!(index.unresolved().map_err(e)?, reference.unresolved());
    Ok(())
}

#[test]
fn every_flipped_byte_is_noticed_before_a_wrong_answer() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_, reference) = small_index(dir.path());
    read_all(dir.path(), &reference).expect("the intact index reads");
    for file in files(dir.path()) {
        let good = std::fs::read(&file).expect("read");
        assert!(
            good.len() > 1000,
            "{} is {} bytes",
            file.display(),
            good.len()
        );
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 1 << (i % 8);
            write(&file, &bad);
            assert!(
                read_all(dir.path(), &reference).is_err(),
                "flipping byte {i} of {} went unnoticed",
                file.display()
            );
        }
        write(&file, &good);
    }
    read_all(dir.path(), &reference).expect("restored");
}

#[test]
fn truncated_and_zeroed_files_are_noticed() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_, reference) = small_index(dir.path());
    for file in files(dir.path()) {
        let good = std::fs::read(&file).expect("read");
        for len in (0..good.len()).step_by(7) {
            write(&file, &good[..len]);
            assert!(
                read_all(dir.path(), &reference).is_err(),
                "truncated to {len}"
            );
        }
        for start in (0..good.len()).step_by(64) {
            let mut bad = good.clone();
            let end = (start + 256).min(bad.len());
            bad[start..end].fill(0);
            if bad == good {
                continue;
            }
            write(&file, &bad);
            assert!(
                read_all(dir.path(), &reference).is_err(),
                "zeroed from {start}"
            );
        }
        write(&file, &vec![0; good.len()]);
        assert!(read_all(dir.path(), &reference).is_err(), "all zero");
        write(&file, &good);
    }
    read_all(dir.path(), &reference).expect("restored");
}

#[test]
fn another_format_version_is_refused_as_such() {
    let dir = tempfile::tempdir().expect("temporary directory");
    small_index(dir.path());
    let current = IndexDir::new(dir.path()).current_path();
    let mut bytes = std::fs::read(&current).expect("read");
    bytes[8..12].copy_from_slice(&0u32.to_le_bytes());
    write(&current, &bytes);
    match IndexDir::new(dir.path()).open() {
        Err(OpenError::Format { reason, .. }) => {
            assert!(reason.contains("format version 0"), "{reason}")
        }
        other => panic!("expected a format error, got {other:?}"),
    }
    std::fs::remove_file(&current).expect("remove");
    assert!(matches!(
        IndexDir::new(dir.path()).open(),
        Err(OpenError::Missing { .. })
    ));
}

// ---------------------------------------------------------------------------
// readers during updates

/// One writer brings the index forward through many commits, writing a new
/// base now and then; readers open it over and over. Every index a reader
/// opens is complete and is exactly the index of some commit the writer
/// wrote.
#[test]
fn readers_see_the_old_or_the_new_index() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let index_dir = IndexDir::new(dir.path()).with_options(UpdateOptions { max_delta_works: 5 });
    let ids = all_ids();
    let state = |n: usize| -> BTreeMap<WorkId, Record> {
        // After commit n: works 0..n+1 of the pool, titled by the commit
        // that last wrote them.
        (0..=n.min(ids.len() - 1))
            .map(|i| {
                let mut r = Record::new(ids[i].clone(), DocType::Normative, format!("第{n}版{i}"));
                r.insert_version(VersionEntry::new(
                    RevisionId::of(&[n as u8, i as u8]),
                    day(i as u32),
                ));
                (r.work.clone(), r)
            })
            .collect()
    };
    let expected: Arc<Mutex<HashMap<Oid, BTreeMap<WorkId, Record>>>> = Arc::default();
    expected.lock().expect("lock").insert(commit(0), state(0));
    let mut index = index_dir
        .build(commit(0), entries(&state(0)))
        .expect("build");
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (dir, expected, done) = (
                dir.path().to_path_buf(),
                Arc::clone(&expected),
                Arc::clone(&done),
            );
            std::thread::spawn(move || {
                let mut seen = BTreeSet::new();
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let index = IndexDir::new(&dir)
                        .open()
                        .expect("a reader always finds an index");
                    let records = expected
                        .lock()
                        .expect("lock")
                        .get(&index.commit())
                        .cloned()
                        .expect("the index of a commit the writer wrote");
                    let reference = Reference_ { records };
                    assert_eq!(
                        index.works(&Filter::default()).expect("no damage"),
                        reference.records.keys().cloned().collect::<Vec<_>>()
                    );
                    for (id, r) in &reference.records {
                        assert_eq!(
                            index.versions(id).expect("no damage"),
                            Some(r.versions.clone())
                        );
                    }
                    index.verify().expect("no damage");
                    seen.insert(index.commit());
                }
                seen.len()
            })
        })
        .collect();
    for n in 1..60usize {
        let next = state(n);
        let oid = commit(n as u8);
        expected.lock().expect("lock").insert(oid, next.clone());
        let changes = next
            .values()
            .map(|r| Change::Upsert(WorkEntry::from_record(r, blob)))
            .collect();
        index = index_dir
            .update(&index, oid, changes)
            .expect("update")
            .index;
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        let seen = r.join().expect("reader passed");
        assert!(seen >= 1);
    }
    // Only the current base is left.
    let bases = files(dir.path())
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("base-"))
        })
        .count();
    assert_eq!(bases, 1);
}
