//! Search over a library of the reference corpus: every law in every
//! version, the Zhejiang and Shanghai regulations in their regions, the
//! Shandong seeds. Queries written from the documents, with the hits a
//! reader expects first; the index against a fresh rebuild after commits;
//! a damaged index rebuilt with the same answers.

use std::path::Path;
use std::sync::Arc;

use wenku_model::{Citation, Date, DocType, Region, Repeal, Status, Target, WorkId};
use wenku_search::{Query, Refresh, Results, SearchIndex, search};
use wenku_store::{Identity, InitOptions, Library, Op, SteppingClock};
use wenku_test_support::fixtures::import_version;
use wenku_test_support::paths::testdata;

fn identity() -> Identity {
    Identity::new("wenku test", "test@wenku.invalid").expect("identity")
}

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("date")
}

fn add(
    library: &Library,
    work: &str,
    title: Option<&str>,
    doc_type: Option<DocType>,
    path: &Path,
    published: &str,
) {
    import_version(library, &identity(), work, title, doc_type, path, published);
}

/// Where each corpus law is published.
fn region_of(folder: &str) -> &'static str {
    match folder {
        f if f.starts_with("cn-law") || f.starts_with("cn-reg") => "100000",
        f if f.starts_with("cn-loc-sh") => "310000",
        "cn-loc-zj-hangzhoushiwuyeguanlitiaoli" => "330100",
        "cn-loc-zj-ningboshizhuzhaixiaoquwuyeguanlitiaoli" => "330200",
        "cn-loc-zj-wenzhoushiwuyeguanlitiaoli" => "330300",
        "cn-loc-zj-lishuishiwuyeguanlitiaoli" => "331100",
        f if f.contains("jingning") && !f.contains("zhejiangsheng") => "331127",
        _ => "330000",
    }
}

const HOSTED: [&str; 14] = [
    "310000", "330000", "330100", "330200", "330300", "331100", "331127", "370000", "370104",
    "370200", "370283", "370300", "370304", "500118",
];

fn build(dir: &Path) -> Library {
    let r = |s: &str| Region::parse(s).expect("region");
    let mut options = InitOptions::new(identity()).clock(Arc::new(SteppingClock::new(
        wenku_store::Timestamp::new(1_700_000_000, 480).expect("time"),
        60,
    )));
    for h in HOSTED {
        options = options.hosting(r(h));
    }
    let library = Library::init(dir, r("100000"), options).expect("init");
    let laws = testdata().join("corpus/laws");
    let manifest = std::fs::read_to_string(laws.join("manifest.tsv")).expect("manifest");
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (folder, title, date, kind) = (cols[0], cols[1], cols[2], cols[3]);
        if kind == "repealed" {
            continue;
        }
        let file = ["md", "txt"]
            .iter()
            .map(|ext| laws.join(folder).join(format!("{date}.{ext}")))
            .find(|p| p.exists())
            .expect("the version's file");
        let local = folder
            .trim_start_matches("cn-")
            .replace("loc-zj-", "")
            .replace("loc-sh-", "");
        let doc_type = folder
            .starts_with("cn-loc")
            .then_some(DocType::LocalRegulation);
        add(
            &library,
            &format!("{}/{local}", region_of(folder)),
            Some(title),
            doc_type,
            &file,
            date,
        );
    }
    library
        .commit(
            &identity(),
            Op::Repeal {
                work: WorkId::parse("100000/reg-huazhuangpinweishengjiandutiaoli").expect("id"),
                repeal: Repeal {
                    date: d("2021-01-01"),
                    by: Some(Target::Citation(Citation::title("化妆品监督管理条例"))),
                },
            },
        )
        .expect("repeal");
    let seeds = testdata().join("corpus/seeds");
    for (work, file, date) in [
        (
            "370200/qd-2025-points",
            "370200-qingdao-2025-05-16-points.txt",
            "2025-05-16",
        ),
        (
            "370283/pd-2024-points",
            "370283-pingdu-2024-07-16-points.txt",
            "2024-07-16",
        ),
        (
            "370304/bs-2025-plan",
            "370304-boshan-2025-implementation-plan.txt",
            "2025-03-01",
        ),
        (
            "370104/hy-2025-reading",
            "370104-huaiyin-2025-interpretation.txt",
            "2025-05-06",
        ),
    ] {
        add(&library, work, None, None, &seeds.join(file), date);
    }
    library
}

fn today() -> Date {
    d("2025-06-01")
}

fn ask(index: &SearchIndex, library: &Library, q: Query) -> Results {
    search(index, &library.snapshot().expect("snapshot"), &q).expect("search")
}

fn works(r: &Results) -> Vec<String> {
    r.hits.iter().map(|h| h.work.to_string()).collect()
}

fn first(index: &SearchIndex, library: &Library, text: &str) -> Results {
    ask(index, library, Query::new(text, today()))
}

#[test]
fn corpus_queries_find_what_a_reader_expects() {
    let tmp = tempfile::tempdir().expect("tmp");
    let library = build(&tmp.path().join("lib.git"));
    let mut index = SearchIndex::open(&library).expect("open");
    let refresh = index.refresh(&library, &mut |_| {}).expect("build");
    assert!(
        matches!(refresh, Refresh::Rebuilt { versions, .. } if versions >= 30),
        "{refresh:?}"
    );

    // Words: title hits first.
    for (q, top) in [
        ("营商环境", "310000/youhuayingshanghuanjingtiaoli"),
        ("动物防疫", "100000/law-dongwufangyifa"),
        ("反垄断", "100000/law-fanlongduanfa"),
        ("会计", "100000/law-kuaijifa"),
        ("监察", "100000/law-jianchafa"),
        ("专利 实施细则", "100000/reg-zhuanlifashishixize"),
        (
            "化妆品 监督管理",
            "100000/reg-huazhuangpinjianduguanlitiaoli",
        ),
        (
            "畲族 自治条例",
            "330000/zhejiangshengjingningshezuzizhixianzizhitiaoli",
        ),
        (
            "水资源",
            "331127/jingningshezuzizhixianshuiziyuanguanlitiaoli",
        ),
        ("政务公开 青岛", "370200/qd-2025-points"),
        ("平度", "370283/pd-2024-points"),
        ("槐荫区", "370104/hy-2025-reading"),
    ] {
        let r = first(&index, &library, q);
        assert_eq!(
            works(&r).first().map(String::as_str),
            Some(top),
            "{q}: {:?}",
            works(&r)
        );
    }

    // Pinyin, full and initials, against titles.
    for (q, top) in [
        ("yingshanghuanjing", "310000/youhuayingshanghuanjingtiaoli"),
        ("yshj", "310000/youhuayingshanghuanjingtiaoli"),
        ("fanlongduan", "100000/law-fanlongduanfa"),
        ("dongwufangyi", "100000/law-dongwufangyifa"),
        ("dwfy", "100000/law-dongwufangyifa"),
    ] {
        let r = first(&index, &library, q);
        assert_eq!(
            works(&r).first().map(String::as_str),
            Some(top),
            "{q}: {:?}",
            works(&r)
        );
    }
    let wuye = first(&index, &library, "wuyeguanli");
    assert!(wuye.works >= 5, "{:?}", works(&wuye));
    assert!(
        works(&wuye).iter().all(|w| w.starts_with("33")),
        "{:?}",
        works(&wuye)
    );

    // Typos: a homophone and a near form, with a "did you mean".
    for (typed, meant, top) in [
        (
            "营商环竟",
            "营商环境",
            "310000/youhuayingshanghuanjingtiaoli",
        ),
        ("动物防役", "动物防疫", "100000/law-dongwufangyifa"),
        ("物业管埋", "物业管理", ""),
    ] {
        let r = first(&index, &library, typed);
        assert_eq!(r.did_you_mean.as_deref(), Some(meant), "{typed}: {r:?}");
        assert!(!r.hits.is_empty(), "{typed}");
        if !top.is_empty() {
            assert_eq!(works(&r)[0], top, "{typed}");
        }
    }
    // A word that is right is not "corrected".
    assert_eq!(first(&index, &library, "营商环境").did_you_mean, None);

    // Phrases: the words next to each other, in order.
    let phrase = first(&index, &library, "\"重大动物疫情\"");
    assert_eq!(
        works(&phrase).first().map(String::as_str),
        Some("100000/law-dongwufangyifa")
    );

    // The hit names the article and marks the words.
    let hit = &phrase.hits[0];
    let unit = hit.snippet.unit.clone().unwrap_or_default();
    assert!(unit.contains('条'), "{:?}", hit.snippet);
    assert!(
        hit.snippet.marked("[", "]").contains("[重大动物疫情]"),
        "{:?}",
        hit.snippet
    );

    // Regions include everything under them; types, years.
    let zj = ask(
        &index,
        &library,
        Query {
            region: Some(Region::parse("330000").expect("r")),
            ..Query::new("条例", today())
        },
    );
    assert!(zj.works >= 7, "{:?}", works(&zj));
    assert!(
        works(&zj).iter().all(|w| w.starts_with("33")),
        "{:?}",
        works(&zj)
    );
    let facet = zj
        .facets
        .iter()
        .find(|f| f.name == "region")
        .expect("region facet");
    assert!(facet.counts.iter().any(|(r, _)| r == "331127"), "{facet:?}");
    let sd = ask(
        &index,
        &library,
        Query {
            region: Some(Region::parse("370000").expect("r")),
            ..Query::new("政务公开", today())
        },
    );
    assert_eq!(sd.works, 4, "{:?}", works(&sd));
    let laws = ask(
        &index,
        &library,
        Query {
            doc_type: Some(DocType::LocalRegulation),
            ..Query::new("物业", today())
        },
    );
    assert!(
        works(&laws).iter().all(|w| !w.starts_with("100000")),
        "{:?}",
        works(&laws)
    );

    // Document numbers in other brackets.
    let snapshot = library.snapshot().expect("snapshot");
    let numbered: Vec<(WorkId, String)> = snapshot
        .works(&wenku_model::query::Filter::all())
        .expect("works")
        .into_iter()
        .filter_map(|w| {
            let r = snapshot.record(&w).ok()??;
            r.number.map(|n| (w, n.as_str().to_string()))
        })
        .collect();
    assert!(!numbered.is_empty());
    for (work, number) in &numbered {
        for typed in [
            number.replace('〔', "[").replace('〕', "]"),
            number.replace('〔', "（").replace('〕', "）"),
        ] {
            let r = first(&index, &library, &typed);
            assert_eq!(works(&r).first(), Some(&work.to_string()), "{typed}");
        }
    }

    // In force on a day: the version of that day, and its status.
    let in_2010 = ask(
        &index,
        &library,
        Query {
            at: Some(d("2010-01-01")),
            ..Query::new("动物防疫", today())
        },
    );
    let hit = &in_2010.hits[0];
    let record = snapshot
        .record(&WorkId::parse("100000/law-dongwufangyifa").expect("id"))
        .expect("read")
        .expect("record");
    assert_eq!(
        hit.revision,
        record
            .version_at(d("2010-01-01"))
            .expect("in force")
            .revision
    );
    assert_eq!(hit.status, Status::Superseded);
    // Today, the current version is the one shown.
    let now = first(&index, &library, "动物防疫");
    assert_eq!(
        now.hits[0].revision,
        record.versions.last().expect("v").revision
    );
    assert_eq!(now.hits[0].status, Status::InForce);
    // A repealed regulation ranks after the one that replaced it.
    let cosmetics = first(&index, &library, "化妆品");
    assert_eq!(
        works(&cosmetics)[0],
        "100000/reg-huazhuangpinjianduguanlitiaoli"
    );
    let repealed = cosmetics
        .hits
        .iter()
        .find(|h| h.work.to_string().contains("weisheng"))
        .expect("the repealed one");
    assert_eq!(repealed.status, Status::Repealed);
}

#[test]
fn the_index_follows_commits_and_equals_a_rebuild_and_a_damaged_one_is_rebuilt() {
    let tmp = tempfile::tempdir().expect("tmp");
    let library = build(&tmp.path().join("lib.git"));
    let mut index = SearchIndex::open(&library).expect("open");
    index.refresh(&library, &mut |_| {}).expect("build");
    assert_eq!(
        index.refresh(&library, &mut |_| {}).expect("again"),
        Refresh::Current
    );

    // A new work, a new version, a repeal: updated from the changes.
    add(
        &library,
        "370283/markup",
        None,
        None,
        &testdata().join("web/370283-markup-in-text.txt"),
        "2025-03-03",
    );
    library
        .commit(
            &identity(),
            Op::Repeal {
                work: WorkId::parse("331100/lishuishiwuyeguanlitiaoli").expect("id"),
                repeal: Repeal {
                    date: d("2025-01-01"),
                    by: None,
                },
            },
        )
        .expect("repeal");
    let refresh = index.refresh(&library, &mut |_| {}).expect("update");
    // The new work's one version, and the repealed work's last (its end
    // moved); the repealed work's earlier versions are kept.
    assert_eq!(
        refresh,
        Refresh::Updated {
            works: 2,
            versions: 2
        }
    );
    let queries = [
        "网页转义",
        "物业管理",
        "wuyeguanli",
        "动物防疫",
        "\"劳务派遣\"",
        "营商环竟",
    ];
    let answers = |index: &SearchIndex| -> Vec<String> {
        queries
            .iter()
            .map(|q| format!("{:?}", summary(&first(index, &library, q))))
            .collect()
    };
    let updated = answers(&index);
    assert!(updated[0].contains("370283/markup"), "{}", updated[0]);
    assert!(updated[1].contains("Repealed"), "{}", updated[1]);

    // Equal to a rebuild: the same answers, and the same documents.
    let held = index.contents().expect("contents");
    index.rebuild_now(&library, &mut |_| {}).expect("rebuild");
    assert_eq!(answers(&index), updated);
    assert_eq!(index.contents().expect("contents"), held);

    // Damage: a segment file cut short. Opening finds it, rebuilds, and
    // the answers are the same.
    drop(index);
    let dir = SearchIndex::dir_of(&library);
    let victim = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx" || e == "term"))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .expect("a segment file");
    std::fs::write(&victim, b"damaged").expect("damage");
    std::fs::write(dir.join("meta.json"), b"{ not json").expect("damage meta");
    let mut index = SearchIndex::open(&library).expect("open a damaged index");
    assert_eq!(index.indexed(), None);
    let refresh = index.refresh(&library, &mut |_| {}).expect("rebuild");
    assert!(matches!(refresh, Refresh::Rebuilt { .. }), "{refresh:?}");
    assert_eq!(answers(&index), updated);
}

/// What a test compares of an answer: what was found, not its order
/// (an updated index scores with statistics that still count the
/// versions it replaced until its segments merge; a rebuilt one does not).
fn summary(r: &Results) -> (usize, Option<String>, Vec<(String, String, Status)>) {
    let mut hits: Vec<(String, String, Status)> = r
        .hits
        .iter()
        .map(|h| (h.work.to_string(), h.revision.to_string(), h.status))
        .collect();
    hits.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    (r.versions, r.did_you_mean.clone(), hits)
}
