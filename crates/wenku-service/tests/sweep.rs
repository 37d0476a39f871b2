//! The safety sweep over a real-looking county library: the Pingdu
//! points seed document (no personal information) and a relief list
//! published with a resident ID, an address down to the room, a mobile
//! and a bank card number in it. The sweep finds exactly those, names
//! where they are, never writes them out; a finding marked a false
//! positive stays decided; withdrawing the version takes it out of public
//! view (status 已撤回, text kept in the history, not found by search).

use wenku_model::{Date, Region, Status, WorkId};
use wenku_service::sweep::detect::Detectors;
use wenku_service::sweep::report::{self, Quarter, State};
use wenku_store::{Identity, InitOptions, Library, Transaction};
use wenku_test_support::fixtures::{clock, import_version};
use wenku_test_support::paths::testdata;

fn clerk() -> Identity {
    Identity::new("平度市政务公开办", "gongkai@pingdu.example").expect("identity")
}

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("date")
}

const RELIEF: &str = "370283/mz-2025-relief";

fn library(dir: &std::path::Path) -> Library {
    let library = Library::init(
        dir,
        Region::parse("370283").expect("region"),
        InitOptions::new(clerk()).clock(clock()),
    )
    .expect("init");
    import_version(
        &library,
        &clerk(),
        "370283/pd-2024-points",
        None,
        None,
        &testdata().join("corpus/seeds/370283-pingdu-2024-07-16-points.txt"),
        "2024-07-16",
    );
    import_version(
        &library,
        &clerk(),
        RELIEF,
        None,
        None,
        &testdata().join("sweep/370283-pingdu-2025-relief-list.txt"),
        "2025-06-03",
    );
    library
}

#[test]
fn a_sweep_finds_the_personal_data_and_a_withdrawn_version_is_no_longer_public() {
    let dir = tempfile::tempdir().expect("tmp");
    let library = library(dir.path());
    let today = d("2026-12-04");
    let words = vec!["因病致贫".to_string()];
    let detectors = Detectors::new(words.clone());
    let snapshot = library.snapshot().expect("snapshot");
    let swept =
        report::sweep(&library, &snapshot, &detectors, &words, today, &mut |_| {}).expect("sweep");

    // Exactly the five planted findings, all in the relief list's first
    // item, none in the seed document; the office line 0532-87362345 and
    // the 12345 hotline are not findings.
    let mut kinds: Vec<&str> = swept.items.iter().map(|i| i.kind.as_str()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        ["bank-card", "mobile", "resident-id", "room-address", "word"],
        "{:#?}",
        swept.items
    );
    assert_eq!(swept.quarter, "2026-Q4");
    assert_eq!(swept.open, 5);
    assert_eq!(swept.works, 2);
    assert!(swept.items.iter().all(|i| i.work == RELIEF));
    let id = swept
        .items
        .iter()
        .find(|i| i.kind == "resident-id")
        .expect("the ID number");
    assert_eq!(id.label, "居民身份证号码");
    assert!(id.place.contains("一、"), "{}", id.place);
    assert!(id.title.contains("临时救助"), "{}", id.title);
    // The report never holds the numbers themselves.
    let saved = report::save(&library, &swept).expect("save");
    let written = std::fs::read_to_string(&saved).expect("report");
    for secret in [
        "370283198506124329",
        "13806391234",
        "6217001234567890122",
        "501室",
    ] {
        assert!(!written.contains(secret), "{secret} is in the report");
    }
    assert_eq!(
        report::load(&library, Quarter::parse("2026-Q4").expect("quarter"))
            .expect("load")
            .expect("saved"),
        swept
    );

    // The listed word is judged a false positive (it is the reason for
    // relief, published on purpose): decided, with who and why.
    let word = swept.items.iter().find(|i| i.kind == "word").expect("word");
    let dismissed = report::dismiss(
        &library,
        &swept,
        &word.id[..8],
        "救助原因，依规公示",
        &clerk(),
        today,
    )
    .expect("dismiss");
    assert!(matches!(dismissed.state, State::FalsePositive { .. }));
    assert!(report::dismiss(&library, &swept, &word.id, "  ", &clerk(), today).is_err());
    assert!(report::dismiss(&library, &swept, "ffffffffffff", "x", &clerk(), today).is_err());
    // The next sweep reads the decision back.
    let again =
        report::sweep(&library, &snapshot, &detectors, &words, today, &mut |_| {}).expect("sweep");
    assert_eq!(again.open, 4);
    let decided = again
        .items
        .iter()
        .find(|i| i.id == word.id)
        .expect("same id");
    assert!(
        matches!(&decided.state, State::FalsePositive { reason, by, .. }
            if reason == "救助原因，依规公示" && by.contains("平度市政务公开办")),
        "{decided:?}"
    );

    // The ID number's version is withdrawn from public view.
    let (item, op) = report::withdrawal(&swept, &id.id, "含个人身份证号码等个人信息", today)
        .expect("withdrawal");
    library
        .commit(&clerk(), Transaction::new().with(op))
        .expect("withdraw");
    let work = WorkId::parse(RELIEF).expect("work");
    let snapshot = library.snapshot().expect("snapshot");
    let record = snapshot.require_record(&work).expect("record");
    let version = &record.versions[0];
    assert_eq!(version.revision.to_string(), item.revision);
    let withdrawn = version.withdrawn.as_ref().expect("withdrawn");
    assert!(
        withdrawn.reason.contains("安全巡查 2026-Q4"),
        "{}",
        withdrawn.reason
    );
    assert!(withdrawn.reason.contains(&id.id), "{}", withdrawn.reason);
    assert_eq!(
        record.version_status(&version.revision, today),
        Some(Status::Withdrawn)
    );
    // Before the withdrawal's day the version was the text in force.
    assert_eq!(
        record.version_status(&version.revision, d("2025-07-01")),
        Some(Status::InForce)
    );
    // The archive keeps the text.
    let text = wenku_model::render::to_plain_text(
        &snapshot.document(&work, &version.revision).expect("text"),
    );
    assert!(text.contains("370283198506124329"));

    // The next sweep reads the withdrawal back: every finding of that
    // version is decided by it, nothing is open.
    let again =
        report::sweep(&library, &snapshot, &detectors, &words, today, &mut |_| {}).expect("sweep");
    assert_eq!(again.open, 0, "{:#?}", again.items);
    assert!(
        again
            .items
            .iter()
            .all(|i| matches!(i.state, State::Withdrawn { .. }))
    );
    // Withdrawing it twice is refused with what is recorded.
    let (_, op) = report::withdrawal(&again, &id.id, "again", today).expect("op");
    assert!(
        library
            .commit(&clerk(), Transaction::new().with(op))
            .is_err()
    );

    // Search finds the work by its title, never by the withdrawn text.
    let mut index = wenku_search::SearchIndex::open(&library).expect("index");
    index.refresh(&library, &mut |_| {}).expect("refresh");
    let snapshot = library.snapshot().expect("snapshot");
    let by_text = wenku_search::search(
        &index,
        &snapshot,
        &wenku_search::Query::new("杭州路", today),
    )
    .expect("search");
    assert!(by_text.hits.is_empty(), "{:?}", by_text.hits);
    let by_title = wenku_search::search(
        &index,
        &snapshot,
        &wenku_search::Query::new("临时救助对象", today),
    )
    .expect("search");
    let hit = by_title.hits.first().expect("found by title");
    assert_eq!(hit.work, work);
    assert!(hit.snippet.text.is_empty(), "{:?}", hit.snippet);
}

#[test]
fn quarters_read_and_print_as_written() {
    let q = Quarter::parse("2026-Q4").expect("quarter");
    assert_eq!(q.to_string(), "2026-Q4");
    assert_eq!(
        Quarter::parse("2026q1").expect("quarter").to_string(),
        "2026-Q1"
    );
    assert_eq!(Quarter::of(d("2026-03-31")).to_string(), "2026-Q1");
    assert_eq!(Quarter::of(d("2026-04-01")).to_string(), "2026-Q2");
    for bad in ["2026-Q5", "2026-Q0", "26-Q1", "2026", "Q4-2026", ""] {
        assert!(Quarter::parse(bad).is_err(), "{bad}");
    }
}
