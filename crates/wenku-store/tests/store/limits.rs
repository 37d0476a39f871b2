//! The store writes nothing its readers would refuse: a version or record
//! whose canonical form exceeds the decoder's limit is refused at staging,
//! with nothing written.

use std::sync::Arc;

use wenku_model::canonical::{self, MAX_CANONICAL_BYTES};
use wenku_model::{Block, Date, DocType, Document, Record, Region, WorkId};
use wenku_store::{
    Clock, CommitError, Correction, Identity, InitOptions, Library, NewVersion, Op, Refusal,
    SteppingClock, Timestamp,
};

fn clerk() -> Identity {
    Identity::new("政务公开办", "gongkai@wenku.example").expect("valid identity")
}

fn work() -> WorkId {
    WorkId::parse("370283/big-1").expect("valid work id")
}

fn date() -> Date {
    Date::parse_iso("2025-01-01").expect("valid date")
}

fn doc(para: String) -> Document {
    let mut doc = Document::new(DocType::Normative, "大文件");
    doc.body.push(Block::Title("大文件".into()));
    doc.body.push(Block::Para(para));
    doc
}

/// Text whose canonical document is just over the limit.
fn oversized() -> String {
    "甲".repeat(MAX_CANONICAL_BYTES / 3 + 1)
}

fn assert_too_large(result: Result<impl std::fmt::Debug, CommitError>, what: &str) {
    match result {
        Err(e @ CommitError::Refused { .. }) => {
            let CommitError::Refused {
                work: w, refusal, ..
            } = &e
            else {
                unreachable!()
            };
            assert_eq!(*w, work());
            match refusal {
                Refusal::TooLarge {
                    what: got,
                    size,
                    max,
                } => {
                    assert_eq!(*got, what);
                    assert!(*size > MAX_CANONICAL_BYTES, "{size}");
                    assert_eq!(*max, MAX_CANONICAL_BYTES);
                    assert_eq!(*max, canonical::Limits::default().max_bytes);
                    let message = e.to_string();
                    assert!(message.contains("370283/big-1"), "{message}");
                    assert!(
                        message.contains(&format!(
                            "the {what}'s canonical form is {size} bytes; readers accept at most {MAX_CANONICAL_BYTES} bytes"
                        )),
                        "{message}"
                    );
                }
                other => panic!("expected TooLarge, got {other}"),
            }
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn versions_and_records_readers_would_refuse_are_not_written() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let clock: Arc<dyn Clock> = Arc::new(SteppingClock::new(
        Timestamp::new(1_750_000_000, 480).expect("valid"),
        60,
    ));
    let region = Region::parse("370283").expect("valid region");
    let lib = Library::init(dir.path(), region, InitOptions::new(clerk()).clock(clock))
        .expect("init library");
    let empty = lib.head().expect("head");

    // Publishing an oversized first version.
    let record = Record::new(work(), DocType::Normative, "大文件");
    assert_too_large(
        lib.publish(
            &clerk(),
            record.clone(),
            NewVersion::new(doc(oversized()), date()),
        ),
        "version",
    );
    assert_eq!(lib.head().expect("head"), empty);

    // Adding an oversized version to a work that exists.
    lib.publish(
        &clerk(),
        record,
        NewVersion::new(doc("正文。".into()), date()),
    )
    .expect("a small version is stored");
    let head = lib.head().expect("head");
    assert_too_large(
        lib.commit(
            &clerk(),
            Op::AddVersion {
                work: work(),
                version: NewVersion::new(doc(oversized()), date()),
            },
        ),
        "version",
    );
    assert_eq!(lib.head().expect("head"), head);

    // A correction that would make the record oversized.
    assert_too_large(
        lib.commit(
            &clerk(),
            Op::Correct {
                work: work(),
                correction: Correction {
                    title: Some(oversized()),
                    ..Correction::default()
                },
            },
        ),
        "record",
    );
    assert_eq!(lib.head().expect("head"), head);

    // Just under the limit is stored and reads back.
    let mut text = oversized();
    let overhead = canonical::encode_document(&doc(String::new()))
        .expect("encodes")
        .len();
    text.truncate((MAX_CANONICAL_BYTES - overhead) / 3 * 3);
    let fits = doc(text);
    assert!(canonical::encode_document(&fits).expect("encodes").len() <= MAX_CANONICAL_BYTES);
    let committed = lib
        .commit(
            &clerk(),
            Op::AddVersion {
                work: work(),
                version: NewVersion::new(fits.clone(), date()),
            },
        )
        .expect("a version at the limit is stored");
    let revision = committed.outcomes[0].revision.expect("a revision");
    let snapshot = lib.snapshot().expect("snapshot");
    assert_eq!(
        snapshot.document(&work(), &revision).expect("reads back"),
        fits
    );
    let report = lib.verify().expect("verify");
    assert!(report.problems.is_empty(), "{report}");
}
