//! Resolution of revision prefixes, dates, `current`/`previous`, and works
//! by number and title in a real library.

use wenku_model::{Date, DocNumber, DocType, Record, RevisionId, VersionEntry, WorkId};
use wenku_store::NewVersion;
use wenku_test_support::federation::{clerk, doc, node, tmp};

use super::*;
use crate::Kind;

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("a valid date")
}

/// A record whose versions' ids start `abcd1234a`, `abcd1234b` and `ef…`,
/// taking effect in 2015, 2020 and 2030.
fn record() -> Record {
    let mut r = Record::new(
        WorkId::parse("100000/lifa").expect("valid"),
        DocType::Law,
        "中华人民共和国立法法",
    );
    for (hex, date) in [
        ("abcd1234a", "2015-03-15"),
        ("abcd1234b", "2020-01-01"),
        ("ef", "2030-01-01"),
    ] {
        let id = format!("{hex}{}", "0".repeat(64 - hex.len()));
        r.versions.push(VersionEntry::new(
            RevisionId::parse(&id).expect("64 hex digits"),
            d(date),
        ));
    }
    r
}

#[test]
fn a_revision_prefix_finds_one_version_or_says_why_not() {
    let r = record();
    let one = revision(&r, "ABCD1234A").expect("a unique prefix");
    assert_eq!(one.published, d("2015-03-15"));

    let e = revision(&r, "abcd12").expect_err("too short");
    assert_eq!(e.kind(), Kind::Refused);
    let e = revision(&r, "abcd12000").expect_err("nothing starts so");
    assert_eq!(e.kind(), Kind::NotFound);
    assert_eq!(e.message(), "100000/lifa has no version abcd12000");
    assert_eq!(e.hint(), Some("`wenku log 100000/lifa` lists its versions"));

    let e = revision(&r, "abcd1234").expect_err("ambiguous");
    assert_eq!(e.kind(), Kind::Refused);
    assert!(
        e.message()
            .starts_with("revision prefix abcd1234 is ambiguous in 100000/lifa: abcd1234a"),
        "{}",
        e.message()
    );
    assert!(e.message().contains(", abcd1234b"), "{}", e.message());
}

#[test]
fn current_and_previous_follow_legal_order() {
    let r = record();
    let name = |s: &str| VersionName::parse(s, "TO").expect("parses");
    let on = |s: &str, today: &str| {
        name(s)
            .resolve(&r, d(today), "TO")
            .map(|v| v.published.to_string())
    };
    assert_eq!(on("current", "2025-01-01").expect("one"), "2020-01-01");
    assert_eq!(on("previous", "2025-01-01").expect("one"), "2015-03-15");
    // Before any version is in effect, the latest is current.
    assert_eq!(on("current", "2000-01-01").expect("one"), "2030-01-01");
    let e = previous(&r, &r.versions[0]).expect_err("the first has none");
    assert_eq!(e.kind(), Kind::NotFound);
    assert!(e.message().contains("is the first"), "{}", e.message());
    // Dates, in both spellings, and prefixes.
    assert_eq!(on("2016-06-01", "2025-01-01").expect("one"), "2015-03-15");
    assert_eq!(on("2021年1月1日", "2025-01-01").expect("one"), "2020-01-01");
    assert_eq!(on("abcd1234b", "2025-01-01").expect("one"), "2020-01-01");
    let e = on("2010-01-01", "2025-01-01").expect_err("nothing yet");
    assert_eq!(e.kind(), Kind::NotFound);
    assert!(
        VersionName::parse("2023-02-30", "TO").is_err(),
        "an impossible date is refused"
    );
}

#[test]
fn handles_and_publication_dates_name_versions_exactly() {
    let mut r = record();
    // The second version is published in 2019 and takes effect in 2020.
    r.versions[1].published = d("2019-06-01");
    r.versions[1].effective = Some(d("2020-01-01"));
    let today = d("2025-01-01");
    let select = |s: &str| {
        VersionName::parse(s, "FROM")
            .expect("parses")
            .select(&r, today, "FROM")
    };
    for (name, handle) in [("v1", "v1"), ("V2", "v2"), ("v3", "v3")] {
        let s = select(name).expect("a handle");
        assert_eq!((s.handle.as_str(), s.by), (handle, SelectedBy::Handle));
        assert_eq!(s.note, None);
    }
    let e = select("v4").expect_err("three versions");
    assert_eq!(e.kind(), Kind::NotFound);
    assert_eq!(e.message(), "100000/lifa has 3 versions; there is no v4");
    assert!(select("v0").is_err());

    // The publication date names that version, though it is not yet in
    // effect that day, and says nothing more.
    let s = select("2019-06-01").expect("published that day");
    assert_eq!((s.handle.as_str(), s.by), ("v2", SelectedBy::Published));
    assert_eq!(s.note, None);
    // Any other date names the version in effect, and says so.
    let s = select("2019-07-01").expect("in effect");
    assert_eq!((s.handle.as_str(), s.by), ("v1", SelectedBy::InEffect));
    assert_eq!(
        s.note.as_deref(),
        Some(
            "FROM 2019-07-01 is not the publication date of any version of 100000/lifa; \
             it names v1 (published 2015-03-15, effective 2015-03-15), the version in effect on 2019-07-01"
        )
    );

    // Two versions published the same day: refused with their handles.
    r.versions[2].published = d("2019-06-01");
    let e = VersionName::parse("2019-06-01", "TO")
        .expect("parses")
        .select(&r, today, "TO")
        .expect_err("two that day");
    assert_eq!(e.kind(), Kind::Refused);
    assert!(e.message().contains("v2 (abcd1234b00"), "{}", e.message());
    assert!(e.message().contains("v3 (ef00"), "{}", e.message());
}

#[test]
fn as_of_before_the_first_version_is_not_found() {
    let r = record();
    let (v, status) = as_of(&r, d("2021-01-01")).expect("in force");
    assert_eq!((v.published, status), (d("2020-01-01"), Status::InForce));
    let e = as_of(&r, d("1990-01-01")).expect_err("nothing yet");
    assert_eq!(e.kind(), Kind::NotFound);
    assert!(
        e.message().contains(
            "was not yet in effect on 1990-01-01; its first version takes effect on 2015-03-15"
        ),
        "{}",
        e.message()
    );
}

#[test]
fn a_work_is_found_by_id_number_or_title() {
    let dir = tmp();
    let library = node(dir.path(), "370200");
    let publish = |local: &str, title: &str, number: Option<&str>| {
        let mut record = Record::new(
            WorkId::parse(&format!("370200/{local}")).expect("valid"),
            DocType::Normative,
            title,
        );
        record.number = number.map(|n| DocNumber::parse(n).expect("a number"));
        library
            .publish(
                &clerk(),
                record,
                NewVersion::new(doc(title, local), d("2025-03-01")),
            )
            .expect("publish");
    };
    publish("a", "青岛市政务公开工作要点", Some("青政发〔2025〕3号"));
    publish("b", "青岛市示例办法", Some("青政发〔2025〕4号"));
    publish("c", "青岛市示例办法", None);
    let snapshot = library.snapshot().expect("snapshot");

    // An id is taken as given; an invalid one says what an id looks like.
    assert_eq!(
        work(&snapshot, "370200/zz").expect("an id").to_string(),
        "370200/zz"
    );
    let e = work(&snapshot, "370200/../../etc").expect_err("invalid");
    assert!(e.message().contains("invalid work id"), "{}", e.message());

    // One match, by number in any bracket variant or by title.
    assert_eq!(
        work(&snapshot, "青政发[2025]3号").expect("one").to_string(),
        "370200/a"
    );
    assert_eq!(
        work(&snapshot, "《青岛市政务公开工作要点》")
            .expect("one")
            .to_string(),
        "370200/a"
    );
    // No match.
    let e = work(&snapshot, "青政发〔2025〕5号").expect_err("none");
    assert_eq!(e.kind(), Kind::NotFound);
    assert_eq!(
        e.message(),
        "no work in this library matches 青政发〔2025〕5号"
    );
    let e = work(&snapshot, "不存在的文件").expect_err("none");
    assert_eq!(e.kind(), Kind::NotFound);
    // Two matches: an error that lists both.
    let e = work(&snapshot, "青岛市示例办法").expect_err("two");
    assert_eq!(e.kind(), Kind::Refused);
    assert_eq!(
        e.message(),
        "《青岛市示例办法》 names 2 works: 370200/b, 370200/c"
    );
    assert_eq!(e.hint(), Some("name one of them by its work id"));
    // A blank name is a usage error.
    assert_eq!(
        work(&snapshot, "  ").expect_err("blank").kind(),
        Kind::Usage
    );
}
