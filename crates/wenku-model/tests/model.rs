//! Integration tests of the canonical format and the record semantics.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;
use wenku_model::canonical::{self, DecodeErrorKind, Limits};
use wenku_model::{
    Block, Citation, Date, DocNumber, DocType, Document, Number, Record, Region, Relation,
    RelationKind, Repeal, RevisionId, Signature, Status, Table, Target, Unit, UnitKind,
    VersionEntry, Withdrawal, WorkId, WrittenDate,
};

fn testdata() -> PathBuf {
    wenku_test_support::paths::testdata().join("xml")
}

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(testdata().join(dir))
        .expect("testdata directory exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no samples in {dir}");
    v
}

fn is_record(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("record-"))
}

/// Decodes and re-encodes; returns the canonical bytes.
fn canonicalise(path: &Path, bytes: &[u8]) -> Result<Vec<u8>, String> {
    if is_record(path) {
        let r = canonical::decode_record(bytes).map_err(|e| e.to_string())?;
        canonical::encode_record(&r).map_err(|e| e.to_string())
    } else {
        let d = canonical::decode_document(bytes).map_err(|e| e.to_string())?;
        canonical::encode_document(&d).map_err(|e| e.to_string())
    }
}

#[test]
fn every_valid_sample_round_trips_byte_for_byte() {
    for path in files("valid", "xml") {
        let bytes = std::fs::read(&path).expect("readable sample");
        let again =
            canonicalise(&path, &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            again == bytes,
            "{} is not canonical; re-encoded:\n{}",
            path.display(),
            String::from_utf8_lossy(&again)
        );
    }
}

#[test]
fn non_canonical_samples_canonicalise_to_their_twins() {
    for path in files("noncanonical", "xml") {
        let bytes = std::fs::read(&path).expect("readable sample");
        let twin = testdata()
            .join("valid")
            .join(path.file_name().expect("file name"));
        let expected =
            std::fs::read(&twin).expect("every non-canonical sample has a canonical twin");
        let got = canonicalise(&path, &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            got == expected,
            "{} canonicalised to:\n{}",
            path.display(),
            String::from_utf8_lossy(&got)
        );
    }
}

#[test]
fn every_invalid_sample_fails_with_its_message() {
    let mut failures = Vec::new();
    for path in files("invalid", "xml") {
        let bytes = std::fs::read(&path).expect("readable sample");
        let expected = std::fs::read_to_string(path.with_extension("expected"))
            .unwrap_or_else(|_| panic!("{} has an .expected file", path.display()));
        let expected = expected.trim_end_matches('\n');
        match canonicalise(&path, &bytes) {
            Ok(_) => failures.push(format!(
                "{} decoded, but should fail with {expected:?}",
                path.display()
            )),
            Err(msg) if !msg.contains(expected) => failures.push(format!(
                "{}:\n  got:      {msg}\n  expected: {expected}",
                path.display()
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same document hashes the same everywhere: nothing in the bytes
/// depends on the machine, locale, clock or map order. The pinned value
/// changes only if the canonical format changes, which needs a new
/// format version.
#[test]
fn revision_ids_are_stable() {
    let bytes = std::fs::read(testdata().join("valid/law-chapters.xml")).expect("sample");
    let doc = canonical::decode_document(&bytes).expect("valid sample");
    assert_eq!(
        doc.revision_id().expect("encodable"),
        RevisionId::of(&bytes)
    );
    assert_eq!(
        RevisionId::of(&bytes).to_string(),
        include_str!("../../../testdata/xml/law-chapters.revision").trim()
    );
}

#[test]
fn limits_are_enforced() {
    let deep = format!(
        "<document xmlns=\"urn:wenku:document:1\" type=\"law\"><meta><title>T</title></meta><body>{}{}</body></document>",
        "<chapter>".repeat(100_000),
        "</chapter>".repeat(100_000)
    );
    let err = canonical::decode_document(deep.as_bytes()).expect_err("too deep");
    assert_eq!(err.kind, DecodeErrorKind::Limit);
    assert!(err.to_string().contains("nest more than 48 deep"), "{err}");

    let attrs: String = (0..40).map(|i| format!(" a{i}=\"x\"")).collect();
    let wide = format!("<document xmlns=\"urn:wenku:document:1\" type=\"law\"{attrs}/>");
    let err = canonical::decode_document(wide.as_bytes()).expect_err("too many attributes");
    assert!(err.to_string().contains("more than 16 attributes"), "{err}");

    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let big = std::fs::read(testdata().join("valid/law-chapters.xml")).expect("sample");
    let err = canonical::decode_document_with(&big, small).expect_err("too big");
    assert!(err.to_string().contains("at most 100 are allowed"), "{err}");

    // Documents built in memory are bounded the same way when encoded.
    let mut unit = Unit::new(UnitKind::Item, "（一）", Some(Number::new(1)));
    for _ in 0..100 {
        let mut outer = Unit::new(UnitKind::Item, "（一）", Some(Number::new(1)));
        outer.children.push(Block::Unit(unit));
        unit = outer;
    }
    let mut doc = Document::new(DocType::Law, "deep");
    doc.body.push(Block::Unit(unit));
    assert!(canonical::encode_document(&doc).is_err());
}

#[test]
fn control_characters_are_refused_when_encoding() {
    let doc = Document::new(DocType::Law, "bell \u{7}");
    let err = canonical::encode_document(&doc).expect_err("U+0007");
    assert_eq!(
        err.to_string(),
        "the title contains U+0007, which XML cannot carry"
    );
}

/// Validates the samples against the published schemas with xmllint, the
/// way a third party would. CI installs xmllint and sets
/// WENKU_REQUIRE_XMLLINT=1 so this cannot silently skip there.
#[test]
fn samples_validate_against_the_published_schemas() {
    let required = std::env::var_os("WENKU_REQUIRE_XMLLINT").is_some();
    if std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            !required,
            "xmllint is required (WENKU_REQUIRE_XMLLINT is set) but not installed"
        );
        eprintln!("xmllint not installed: schema validation skipped (install libxml2-utils)");
        return;
    }
    let schemas = wenku_test_support::paths::schemas_dir();
    for path in files("valid", "xml") {
        let schema = if is_record(&path) {
            "record-1.xsd"
        } else {
            "document-1.xsd"
        };
        let out = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(schemas.join(schema))
            .arg(&path)
            .output()
            .expect("xmllint runs");
        assert!(
            out.status.success(),
            "{} does not validate against {schema}:\n{}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A structurally invalid sample must fail schema validation too.
    for name in [
        "unknown-element.xml",
        "entry-level.xml",
        "record-out-of-order.xml",
        "heading-late.xml",
        "meta-out-of-order.xml",
        "missing-type.xml",
    ] {
        let path = testdata().join("invalid").join(name);
        let schema = if is_record(&path) {
            "record-1.xsd"
        } else {
            "document-1.xsd"
        };
        let out = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(schemas.join(schema))
            .arg(&path)
            .output()
            .expect("xmllint runs");
        assert!(
            !out.status.success(),
            "{name} validates against {schema} but wenku rejects it"
        );
    }
}

// ---------- property tests ----------

fn text() -> impl Strategy<Value = String> {
    // Chinese, ASCII, markup characters, whitespace and line breaks, and
    // characters NFC changes.
    proptest::string::string_regex(
        "[一-龥a-z0-9 　，。、；：“”《》（）()\\[\\]&<>\"'\t\n\r\u{301}é豈🎉]{0,24}",
    )
    .expect("valid regex")
    .prop_map(|s| s.nfc().collect())
}

fn label() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(
        prop_oneof![
            Just("第一条"),
            Just("（一）"),
            Just("(一)"),
            Just("一、"),
            Just("1."),
            Just("附件1"),
            Just("第六十八条之一")
        ]
        .prop_map(str::to_string),
    )
}

fn date() -> impl Strategy<Value = Date> {
    (0i64..30_000).prop_map(|d| Date::from_days(d).expect("in range"))
}

fn leaf() -> impl Strategy<Value = Block> {
    prop_oneof![
        text().prop_map(Block::Title),
        text().prop_map(Block::Note),
        text().prop_map(Block::Para),
        text().prop_map(Block::Para),
        text().prop_map(Block::Addressee),
        (
            proptest::collection::vec(text(), 0..3),
            proptest::option::of((date(), text()))
        )
            .prop_map(|(organs, d)| Block::Signature(Signature {
                organs,
                date: d.map(|(value, text)| WrittenDate { value, text }),
            })),
        proptest::collection::vec(proptest::collection::vec(text(), 0..3), 0..3)
            .prop_map(|rows| Block::Table(Table { rows })),
    ]
}

fn kind() -> impl Strategy<Value = UnitKind> {
    prop_oneof![
        Just(UnitKind::Cover),
        Just(UnitKind::Part),
        Just(UnitKind::Subpart),
        Just(UnitKind::Chapter),
        Just(UnitKind::Section),
        Just(UnitKind::Article),
        Just(UnitKind::Item),
        Just(UnitKind::Subitem),
        (1u8..=4).prop_map(UnitKind::Entry),
        Just(UnitKind::Attachment),
    ]
}

fn block() -> impl Strategy<Value = Block> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        (
            kind(),
            label(),
            proptest::option::of((1u32..300, 0u32..3)),
            proptest::option::of(text()),
            proptest::collection::vec(inner, 0..6),
        )
            .prop_map(|(kind, label, number, heading, children)| {
                Block::Unit(Unit {
                    kind,
                    label,
                    number: number.map(|(main, sub)| Number { main, sub }),
                    heading,
                    children,
                })
            })
    })
}

fn doc_type() -> impl Strategy<Value = DocType> {
    proptest::sample::select(DocType::ALL.to_vec())
}

fn document() -> impl Strategy<Value = Document> {
    (
        text(),
        proptest::option::of((1990u32..2030, 1u32..200)),
        proptest::collection::vec(text(), 0..3),
        doc_type(),
        proptest::option::of(date()),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(block(), 0..8),
    )
        .prop_map(
            |(title, number, organs, doc_type, written, subjects, body)| Document {
                title,
                number: number
                    .and_then(|(y, n)| DocNumber::parse(&format!("鲁政办发〔{y}〕{n}号"))),
                organs,
                doc_type,
                written,
                subjects,
                body,
            },
        )
}

fn work() -> impl Strategy<Value = WorkId> {
    (
        proptest::sample::select(vec!["370000", "370200", "370283", "370283001", "100000"]),
        "[a-z0-9][a-z0-9-]{0,12}",
    )
        // The pattern also makes reserved device names (con, nul, com1 …).
        .prop_filter("a valid local", |(_, l)| {
            wenku_model::check_local(l).is_ok()
        })
        .prop_map(|(r, l)| WorkId::new(Region::parse(r).expect("valid"), &l).expect("valid local"))
}

fn citation() -> impl Strategy<Value = Citation> {
    (
        proptest::option::of(1u32..100),
        proptest::option::of(text()),
    )
        .prop_map(|(n, t)| Citation {
            number: n.and_then(|n| DocNumber::parse(&format!("青政办发〔2024〕{n}号"))),
            title: t,
        })
        .prop_filter("a citation names something", |c| !c.is_empty())
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        work().prop_map(Target::Work),
        citation().prop_map(Target::Citation)
    ]
}

fn version(days: std::ops::Range<i64>) -> impl Strategy<Value = VersionEntry> {
    (
        proptest::array::uniform32(any::<u8>()),
        days.clone(),
        proptest::option::of(0i64..400),
        proptest::option::of(citation()),
        proptest::option::of(text()),
        proptest::option::of((0i64..4000, text())),
    )
        .prop_map(|(rev, p, delay, amended_by, note, withdrawn)| {
            let published = Date::from_days(p).expect("in range");
            VersionEntry {
                revision: RevisionId::from_bytes(rev),
                published,
                effective: delay.map(|d| published.add_days(d).expect("in range")),
                amended_by,
                note,
                withdrawn: withdrawn.map(|(after, reason)| wenku_model::Withdrawal {
                    date: published.add_days(after).expect("in range"),
                    reason,
                }),
            }
        })
}

fn record() -> impl Strategy<Value = Record> {
    (
        work(),
        doc_type(),
        text(),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(
            (
                proptest::sample::select(RelationKind::ALL.to_vec()),
                target(),
            ),
            0..5,
        ),
        proptest::collection::vec(version(0..20_000), 0..6),
        proptest::option::of((date(), proptest::option::of(target()))),
        proptest::option::of(date()),
        proptest::option::of((date(), text())),
    )
        .prop_map(
            |(w, t, title, issuers, rels, versions, repeal, expires, withdrawn)| {
                let mut r = Record::new(w, t, title);
                r.issuers = issuers;
                for (kind, target) in rels {
                    r.add_relation(Relation { kind, target });
                }
                for v in versions {
                    r.insert_version(v);
                }
                r.repealed = repeal.map(|(date, by)| Repeal { date, by });
                r.expires = expires;
                r.withdrawn = withdrawn.map(|(date, reason)| Withdrawal { date, reason });
                r
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn documents_round_trip(doc in document()) {
        let bytes = canonical::encode_document(&doc).expect("encodable");
        let back = canonical::decode_document(&bytes).expect("decodable");
        prop_assert_eq!(&back, &doc);
        prop_assert_eq!(canonical::encode_document(&back).expect("encodable"), bytes.clone());
        // One block per line: no raw line break inside any element's text.
        let s = String::from_utf8(bytes).expect("UTF-8");
        prop_assert!(!s.contains('\r'));
        prop_assert!(s.ends_with("</document>\n"));
    }

    #[test]
    fn records_round_trip(rec in record()) {
        let bytes = canonical::encode_record(&rec).expect("encodable");
        let back = canonical::decode_record(&bytes).expect("decodable");
        prop_assert_eq!(&back, &rec);
        prop_assert_eq!(canonical::encode_record(&back).expect("encodable"), bytes);
    }

    #[test]
    fn version_order_does_not_depend_on_insertion_order(
        versions in proptest::collection::vec(version(0..20_000), 0..8),
        seed in any::<u64>(),
    ) {
        let w = WorkId::parse("370200/x").expect("valid");
        let mut a = Record::new(w.clone(), DocType::Policy, "x");
        for v in versions.iter().cloned() { a.insert_version(v); }
        let mut shuffled = versions.clone();
        // Deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let mut b = Record::new(w, DocType::Policy, "x");
        for v in shuffled { b.insert_version(v); }
        prop_assert_eq!(a, b);
    }

    #[test]
    fn as_of_is_the_latest_effective_version(rec in record(), d in 0i64..21_000) {
        let date = Date::from_days(d).expect("in range");
        let expected = rec.versions.iter()
            .filter(|v| v.effective_date() <= date)
            .max_by_key(|v| v.legal_key());
        let as_of = rec.as_of(date);
        prop_assert_eq!(as_of.version, expected);

        let withdrawn = rec.withdrawn.as_ref().is_some_and(|w| w.date <= date);
        let repealed = rec.repealed.as_ref().is_some_and(|r| r.date <= date);
        let expired = rec.expires.is_some_and(|e| e < date);
        let expected_status = if withdrawn {
            Status::Withdrawn
        } else if repealed || expired {
            if repealed && expired {
                let r = rec.repealed.as_ref().map(|r| r.date).expect("repealed");
                let e = rec.expires.and_then(|e| e.add_days(1)).expect("expires");
                if e < r { Status::Expired } else { Status::Repealed }
            } else if repealed { Status::Repealed } else { Status::Expired }
        } else if expected.is_none() {
            Status::NotYetEffective
        } else {
            Status::InForce
        };
        prop_assert_eq!(as_of.status, expected_status);

        // Exactly the as-of version is in force, and only when the work is
        // (and the version is not withheld from public view, which its
        // status says instead).
        let in_force: Vec<_> = rec.versions.iter()
            .filter(|v| rec.version_status(&v.revision, date) == Some(Status::InForce))
            .collect();
        if as_of.status == Status::InForce && !as_of.version.is_some_and(|v| v.is_withheld(date)) {
            prop_assert_eq!(in_force.len(), 1);
            prop_assert_eq!(Some(in_force[0]), as_of.version);
        } else {
            prop_assert!(in_force.is_empty());
        }
        // Versions withheld say so; versions not yet effective say so;
        // earlier ones are superseded or ended.
        for v in &rec.versions {
            let st = rec.version_status(&v.revision, date).expect("listed");
            if v.is_withheld(date) {
                prop_assert_eq!(st, Status::Withdrawn);
            } else if v.effective_date() > date {
                prop_assert_eq!(st, Status::NotYetEffective);
            } else if Some(v) != as_of.version {
                prop_assert_eq!(st, Status::Superseded);
            }
        }
    }

    #[test]
    fn the_timeline_agrees_with_as_of_on_every_date(rec in record(), a in 0i64..21_000) {
        let timeline = rec.timeline();
        prop_assert_eq!(timeline[0].from, None);
        prop_assert_eq!(timeline[0].status, Status::NotYetEffective);
        // Periods start in order and each differs from the one before.
        for pair in timeline.windows(2) {
            prop_assert!(pair[0].from < pair[1].from);
            prop_assert!((pair[0].status, pair[0].revision) != (pair[1].status, pair[1].revision));
        }
        // The period that holds a date says what as_of says.
        let date = Date::from_days(a).expect("in range");
        let period = timeline
            .iter()
            .rev()
            .find(|p| p.from.is_none_or(|f| f <= date))
            .expect("the first period holds every date");
        let as_of = rec.as_of(date);
        prop_assert_eq!(period.status, as_of.status);
        prop_assert_eq!(period.revision, as_of.version.map(|v| v.revision));
    }

    #[test]
    fn ended_works_stay_ended(rec in record(), a in 0i64..21_000, gap in 0i64..3_000) {
        let d1 = Date::from_days(a).expect("in range");
        let d2 = Date::from_days(a + gap).expect("in range");
        let ended = |s: Status| matches!(s, Status::Repealed | Status::Expired | Status::Withdrawn);
        if ended(rec.status_at(d1)) {
            prop_assert!(ended(rec.status_at(d2)));
        }
    }
}

#[test]
fn adding_an_older_version_later_keeps_legal_order() {
    let d = |s: &str| Date::parse_iso(s).expect("valid date");
    let w = WorkId::parse("100000/dongwu-fangyi").expect("valid");
    let mut r = Record::new(w, DocType::Law, "中华人民共和国动物防疫法");
    let rev = |n: u8| RevisionId::from_bytes([n; 32]);
    r.insert_version(VersionEntry::new(rev(3), d("2015-04-24")));
    r.insert_version(VersionEntry::new(rev(1), d("1997-07-03")));
    r.insert_version(VersionEntry::new(rev(4), d("2021-01-22")));
    r.insert_version(VersionEntry::new(rev(2), d("2007-08-30")));
    assert_eq!(
        r.insert_version(VersionEntry::new(rev(2), d("2007-08-30"))),
        wenku_model::Inserted::AlreadyPresent
    );
    let order: Vec<_> = r.versions.iter().map(|v| v.revision).collect();
    assert_eq!(order, [rev(1), rev(2), rev(3), rev(4)]);
    assert_eq!(r.status_at(d("1990-01-01")), Status::NotYetEffective);
    assert_eq!(
        r.as_of(d("2010-05-05")).version.map(|v| v.revision),
        Some(rev(2))
    );
    assert_eq!(
        r.as_of(d("2015-04-24")).version.map(|v| v.revision),
        Some(rev(3))
    );
    assert_eq!(
        r.version_status(&rev(2), d("2020-01-01")),
        Some(Status::Superseded)
    );
    r.repealed = Some(Repeal {
        date: d("2030-01-01"),
        by: None,
    });
    assert_eq!(r.status_at(d("2030-01-01")), Status::Repealed);
    assert_eq!(r.status_at(d("2029-12-31")), Status::InForce);
}
