//! The reference corpus, through the real importer.

use super::*;

use wenku_test_support::paths::corpus_dir;

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
            let mut version = wenku_service::new_version(&imported, row.date);
            version.effective = None;
            let op = if i == 0 {
                let record = wenku_service::new_record(work.clone(), &imported);
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

    // The repeal the manifest records, by the successor that repealed it
    // (the successor's own record already says it repeals the old one: the
    // importer found the relation in its text, and the citation resolves by
    // title).
    let old = rows
        .iter()
        .find(|r| r.kind == "repealed")
        .expect("a repeal row");
    let successor = w("100000/cn-reg-huazhuangpinjianduguanlitiaoli");
    lib.commit(
        &clerk(),
        Transaction::new().with(Op::Repeal {
            work: old.work.clone(),
            repeal: Repeal {
                date: old.date,
                by: Some(Target::Work(successor.clone())),
            },
        }),
    )
    .expect("repeal");

    // The seeds, with what the importer recognised.
    let mut seeds = Vec::new();
    for entry in std::fs::read_dir(corpus_dir().join("seeds")).expect("seeds") {
        let file = entry.expect("entry").file_name();
        let file = file.to_str().expect("utf8 name");
        seeds.push(wenku_test_support::federation::publish_seed(&lib, file));
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
