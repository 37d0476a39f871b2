//! Property: an index kept current commit by commit (from the typed
//! changes) answers every query as a fresh rebuild of the same head does,
//! whatever the sequence of publications, new versions, repeals,
//! withdrawals and reinstatements.

use std::sync::Arc;

use proptest::prelude::*;
use wenku_model::{Block, Date, DocType, Document, Record, Region, Repeal, Withdrawal, WorkId};
use wenku_search::{Query, Refresh, Results, SearchIndex, search};
use wenku_store::{Identity, InitOptions, Library, NewVersion, Op, SteppingClock};

/// Words the generated texts are made of, and the queries.
const WORDS: [&str; 8] = [
    "营商环境",
    "物业管理",
    "动物防疫",
    "政务公开",
    "劳务派遣",
    "城市管理",
    "水资源",
    "化妆品",
];

#[derive(Clone, Debug)]
enum Step {
    /// Publish work `n` (if new) or add a version of it, with words.
    Version {
        n: usize,
        words: Vec<usize>,
        year: i32,
    },
    Repeal {
        n: usize,
        year: i32,
    },
    Withdraw {
        n: usize,
        year: i32,
    },
    Reinstate {
        n: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..5usize, prop::collection::vec(0..WORDS.len(), 1..4), 2015..2025i32)
            .prop_map(|(n, words, year)| Step::Version { n, words, year }),
        1 => (0..5usize, 2015..2026i32).prop_map(|(n, year)| Step::Repeal { n, year }),
        1 => (0..5usize, 2015..2026i32).prop_map(|(n, year)| Step::Withdraw { n, year }),
        1 => (0..5usize).prop_map(|n| Step::Reinstate { n }),
    ]
}

fn identity() -> Identity {
    Identity::new("wenku test", "test@wenku.invalid").expect("identity")
}

fn work(n: usize) -> WorkId {
    let region = ["370000", "370200", "370283", "330100", "330000"][n];
    WorkId::parse(&format!("{region}/w{n}")).expect("id")
}

fn date(year: i32) -> Date {
    Date::parse_iso(&format!("{year}-03-01")).expect("date")
}

fn apply(library: &Library, s: &Step) -> bool {
    let snapshot = library.snapshot().expect("snapshot");
    let op = match s {
        Step::Version { n, words, year } => {
            let title = format!("{}规定{n}", WORDS[words[0]]);
            let mut doc = Document::new(DocType::Normative, title.clone());
            doc.body.push(Block::Title(title.clone()));
            let text: String = words
                .iter()
                .map(|w| format!("加强{}工作。", WORDS[*w]))
                .collect();
            doc.body.push(Block::Para(format!("{text}（{year}年）")));
            let version = NewVersion::new(doc, date(*year));
            if snapshot.contains(&work(*n)).expect("read") {
                Op::AddVersion {
                    work: work(*n),
                    version,
                }
            } else {
                Op::Publish {
                    record: Record::new(work(*n), DocType::Normative, title),
                    version,
                }
            }
        }
        Step::Repeal { n, year } => Op::Repeal {
            work: work(*n),
            repeal: Repeal {
                date: date(*year),
                by: None,
            },
        },
        Step::Withdraw { n, year } => Op::Withdraw {
            work: work(*n),
            withdrawal: Withdrawal {
                date: date(*year),
                reason: "测试".into(),
            },
        },
        Step::Reinstate { n } => Op::Reinstate {
            work: work(*n),
            reason: "测试".into(),
        },
    };
    // Refused steps (a repeal of a work not there, a version on a day
    // taken) change nothing: the property holds all the same.
    match library.commit(&identity(), op) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("refused: {e}");
            false
        }
    }
}

fn answers(index: &SearchIndex, library: &Library) -> Vec<String> {
    let snapshot = library.snapshot().expect("snapshot");
    let today = Date::parse_iso("2025-06-01").expect("today");
    let mut out = Vec::new();
    for w in WORDS {
        for at in [None, Some(date(2018)), Some(date(2024))] {
            for region in [None, Some("370000")] {
                let q = Query {
                    at,
                    region: region.map(|r| Region::parse(r).expect("region")),
                    limit: 50,
                    ..Query::new(w, today)
                };
                let r: Results = search(index, &snapshot, &q).expect("search");
                let mut hits: Vec<String> = r
                    .hits
                    .iter()
                    .map(|h| format!("{} {} {:?}", h.work, h.revision.short(), h.status))
                    .collect();
                hits.sort();
                out.push(format!("{w} {at:?} {region:?}: {} {hits:?}", r.versions));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn an_index_kept_current_equals_a_rebuild(steps in prop::collection::vec(step(), 1..10)) {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut options = InitOptions::new(identity()).clock(Arc::new(SteppingClock::new(
            wenku_store::Timestamp::new(1_700_000_000, 480).expect("time"),
            60,
        )));
        for n in 0..5 {
            options = options.hosting(work(n).region());
        }
        let library = Library::init(tmp.path().join("lib.git"), Region::NATIONAL, options)
            .expect("init");
        let mut index = SearchIndex::open(&library).expect("open");
        index.refresh(&library, &mut |_| {}).expect("first build");
        let mut committed = 0;
        for s in &steps {
            committed += usize::from(apply(&library, s));
            let refresh = index.refresh(&library, &mut |_| {}).expect("follow");
            prop_assert!(!matches!(refresh, Refresh::Rebuilt { .. }), "{refresh:?}");
            // Searching between updates keeps what the index holds per
            // segment for searches (each segment's dates and columns),
            // and so does warming it, as a server does after an update;
            // the answers at the end must not depend on either.
            if committed % 2 == 0 {
                index.warm().expect("warm");
            }
            answers(&index, &library);
        }
        // The first step is a version, or a refused step; a version is
        // always committed when its work is new.
        if matches!(steps[0], Step::Version { .. }) {
            prop_assert!(committed > 0);
        }
        let followed = answers(&index, &library);
        let held = index.contents().expect("contents");
        index.rebuild_now(&library, &mut |_| {}).expect("rebuild");
        prop_assert_eq!(followed, answers(&index, &library));
        // Not only the same answers: the same documents, every version
        // with the same text and metadata (the slots hash them).
        prop_assert_eq!(held, index.contents().expect("contents"));
    }
}

#[test]
fn an_index_follows_pulls_up_and_down() {
    use wenku_store::federation::Peer;
    use wenku_test_support::federation::{node, publish, publish_batch, pull};
    let tmp = tempfile::tempdir().expect("tmp");
    let city = node(tmp.path(), "370200");
    let county = node(tmp.path(), "370283");
    let today = Date::parse_iso("2025-06-01").expect("today");
    let mut index = SearchIndex::open(&city).expect("open");
    index.refresh(&city, &mut |_| {}).expect("build");

    // Up: the county's documents arrive by a merge.
    publish(&county, "370283/pd-1", "平度营商环境");
    publish_batch(&county, "370283", "pd-batch", 5);
    let source = tmp.path().join("370283.git").display().to_string();
    pull(
        &city,
        &source,
        Peer::Child(Region::parse("370283").expect("region")),
    );
    let refresh = index.refresh(&city, &mut |_| {}).expect("follow the pull");
    assert_eq!(
        refresh,
        Refresh::Updated {
            works: 6,
            versions: 6
        }
    );
    let found = search(
        &index,
        &city.snapshot().expect("snapshot"),
        &Query::new("平度营商环境", today),
    )
    .expect("search");
    assert_eq!(found.hits[0].work.to_string(), "370283/pd-1");
    // The county's own search index follows its own commits and a pull
    // down from the city.
    publish(&city, "370200/qd-1", "青岛物业管理");
    let mut county_index = SearchIndex::open(&county).expect("open");
    county_index.refresh(&county, &mut |_| {}).expect("build");
    let source = tmp.path().join("370200.git").display().to_string();
    pull(
        &county,
        &source,
        Peer::Parent(Region::parse("370200").expect("region")),
    );
    let refresh = county_index
        .refresh(&county, &mut |_| {})
        .expect("follow the pull");
    assert!(matches!(refresh, Refresh::Updated { .. }), "{refresh:?}");
    let followed = answers(&county_index, &county);
    let held = county_index.contents().expect("contents");
    county_index
        .rebuild_now(&county, &mut |_| {})
        .expect("rebuild");
    assert_eq!(followed, answers(&county_index, &county));
    assert_eq!(held, county_index.contents().expect("contents"));
    let found = search(
        &county_index,
        &county.snapshot().expect("snapshot"),
        &Query::new("青岛物业管理", today),
    )
    .expect("search");
    assert_eq!(found.hits[0].work.to_string(), "370200/qd-1");
}

/// An update of more than 200 works indexes on every core, the one-work
/// updates after it on one thread (a new writer each time the kind
/// changes): the index still answers as a rebuild does, and has taken
/// every version.
#[test]
fn large_and_small_updates_switch_writers_and_keep_the_index_right() {
    let tmp = tempfile::tempdir().expect("tmp");
    let options = InitOptions::new(identity())
        .clock(Arc::new(SteppingClock::new(
            wenku_store::Timestamp::new(1_700_000_000, 480).expect("time"),
            60,
        )))
        .hosting(Region::parse("370200").expect("region"));
    let library =
        Library::init(tmp.path().join("lib.git"), Region::NATIONAL, options).expect("init");
    let mut index = SearchIndex::open(&library).expect("open");
    index.refresh(&library, &mut |_| {}).expect("first build");
    let doc = |n: usize, word: &str| {
        let title = format!("{word}规定{n}");
        let mut doc = Document::new(DocType::Normative, title.clone());
        doc.body.push(Block::Title(title));
        doc.body
            .push(Block::Para(format!("加强{word}工作，第{n}号。")));
        doc
    };
    let id = |n: usize| WorkId::parse(&format!("370200/big{n}")).expect("id");
    // One commit of 250 works: a large update.
    let batch: wenku_store::Transaction = (0..250)
        .map(|n| Op::Publish {
            record: Record::new(id(n), DocType::Normative, format!("营商环境规定{n}")),
            version: NewVersion::new(doc(n, "营商环境"), date(2020)),
        })
        .collect();
    library.commit(&identity(), batch).expect("batch");
    assert_eq!(
        index.refresh(&library, &mut |_| {}).expect("large"),
        Refresh::Updated {
            works: 250,
            versions: 250
        }
    );
    // Then small ones, then a large one again.
    for n in 0..3 {
        library
            .commit(
                &identity(),
                Op::AddVersion {
                    work: id(n),
                    version: NewVersion::new(doc(n, "物业管理"), date(2022)),
                },
            )
            .expect("one work");
        // The new version, and the one it ends: the work's other
        // versions are kept as they were.
        assert_eq!(
            index.refresh(&library, &mut |_| {}).expect("small"),
            Refresh::Updated {
                works: 1,
                versions: 2
            }
        );
    }
    let batch: wenku_store::Transaction = (0..220)
        .map(|n| Op::AddVersion {
            work: id(n),
            version: NewVersion::new(doc(n, "水资源"), date(2024)),
        })
        .collect();
    library.commit(&identity(), batch).expect("batch");
    // Each work's new version and the one it ends: the first versions of
    // the three works with two are kept as they were.
    assert_eq!(
        index.refresh(&library, &mut |_| {}).expect("large again"),
        Refresh::Updated {
            works: 220,
            versions: 440
        }
    );
    // With 250 works of the same text, which works fill a page depends on
    // how ties fall between segments; compare what does not: counts,
    // facets, and each work's best version found by its id.
    let today = Date::parse_iso("2025-06-01").expect("today");
    let snapshot = library.snapshot().expect("snapshot");
    let summary = |index: &SearchIndex| -> Vec<String> {
        let mut out = Vec::new();
        for w in ["规定", "营商环境", "物业管理", "水资源"] {
            let r = search(index, &snapshot, &Query::new(w, today)).expect("search");
            out.push(format!(
                "{w}: {} versions, {} works, {:?}",
                r.versions, r.works, r.facets
            ));
        }
        for n in 0..250 {
            let r =
                search(index, &snapshot, &Query::new(id(n).to_string(), today)).expect("search");
            let h = &r.hits[0];
            out.push(format!(
                "{} {} {:?} of {}",
                h.work,
                h.revision.short(),
                h.status,
                r.versions
            ));
        }
        out
    };
    let followed = summary(&index);
    assert!(
        followed[0].starts_with("规定: 473 versions, 250 works"),
        "{}",
        followed[0]
    );
    let held = index.contents().expect("contents");
    index.rebuild_now(&library, &mut |_| {}).expect("rebuild");
    assert_eq!(followed, summary(&index));
    assert_eq!(held, index.contents().expect("contents"));
}
