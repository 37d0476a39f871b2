//! Libraries filled from the generated corpus, for the store and
//! federation benchmarks.

use std::path::Path;
use std::sync::Arc;

use wenku_model::Region;
use wenku_model::canonical::EncodeError;
use wenku_store::{
    Identity, InitOptions, Library, NewVersion, Op, SteppingClock, Timestamp, Transaction,
};

use crate::corpus::{GenWork, Spec, generate};

/// The identity benchmark commits are made with.
pub fn clerk() -> Identity {
    Identity::new("基准测试", "bench@wenku.invalid").expect("valid identity")
}

/// The ops that publish a generated work: its record and first version,
/// then each later version.
pub fn ops(work: &GenWork) -> Vec<Op> {
    try_ops(work).expect("generated records encode")
}

/// [`ops`], with the error of a record that does not encode.
pub fn try_ops(work: &GenWork) -> Result<Vec<Op>, EncodeError> {
    let mut record = work.record()?;
    record.versions.clear();
    let mut out = Vec::with_capacity(work.versions.len());
    for (i, v) in work.versions.iter().enumerate() {
        let mut version = NewVersion::new(v.document.clone(), v.published);
        version.effective = v.effective;
        version.amended_by = v.amended_by.clone();
        version.note = v.note.clone();
        out.push(if i == 0 {
            Op::Publish {
                record: record.clone(),
                version,
            }
        } else {
            Op::AddVersion {
                work: work.work.clone(),
                version,
            }
        });
    }
    Ok(out)
}

/// A province library (370000, hosting every region the corpus uses) at
/// `path` holding the corpus of `versions` versions (seed 1), committed in
/// batches of about 5,000 versions (one pack each).
pub fn province(path: &Path, versions: usize) -> Library {
    let works: Vec<GenWork> = generate(Spec { seed: 1, versions }).collect();
    let province = Region::parse("370000").expect("valid");
    let mut hosted: Vec<Region> = works
        .iter()
        .map(|w| w.work.region())
        .filter(|r| *r != province)
        .collect();
    hosted.sort();
    hosted.dedup();
    let clock = Arc::new(SteppingClock::new(
        Timestamp::new(1_750_000_000, 480).expect("valid"),
        1,
    ));
    let mut options = InitOptions::new(clerk()).clock(clock);
    options.hosted = hosted;
    let lib = Library::init(path, province, options).expect("init");
    load(&lib, &works);
    lib
}

/// Commits `works` into `lib` in batches of about 5,000 versions (one
/// pack each), as a bulk import does.
pub fn load<'a>(lib: &Library, works: impl IntoIterator<Item = &'a GenWork>) {
    let mut batch = Transaction::new();
    let mut in_batch = 0;
    for work in works {
        for op in ops(work) {
            batch.push(op);
        }
        in_batch += work.versions.len();
        if in_batch >= 5_000 {
            lib.commit(&clerk(), std::mem::take(&mut batch))
                .expect("batch");
            in_batch = 0;
        }
    }
    if !batch.is_empty() {
        lib.commit(&clerk(), batch).expect("batch");
    }
}

/// An empty library of the national node (100000), whose child the
/// province is.
pub fn national(path: &Path) -> Library {
    let clock = Arc::new(SteppingClock::new(
        Timestamp::new(1_760_000_000, 480).expect("valid"),
        1,
    ));
    Library::init(
        path,
        Region::parse("100000").expect("valid"),
        InitOptions::new(clerk()).clock(clock),
    )
    .expect("init")
}

/// [`province`] of `versions` versions plus the 571-article regulation
/// (`370000/reg-571`, [`crate::regulation::regulation_571`]) in two
/// versions, published 2020-01-01 and amended 2023-01-01, indexed: what
/// the API and web page benchmarks serve.
pub fn province_with_regulation(path: &Path, versions: usize) -> (Library, wenku_model::WorkId) {
    use wenku_model::{Date, DocType, Record, WorkId};
    let lib = province(path, versions);
    let reg = crate::regulation::regulation_571().expect("the regulation's corpus texts import");
    let work = WorkId::parse("370000/reg-571").expect("id");
    let d = |s: &str| Date::parse_iso(s).expect("date");
    lib.commit(
        &clerk(),
        Op::Publish {
            record: Record::new(work.clone(), DocType::Regulation, "五百七十一条条例"),
            version: NewVersion::new(reg.old, d("2020-01-01")),
        },
    )
    .expect("publish");
    lib.commit(
        &clerk(),
        Op::AddVersion {
            work: work.clone(),
            version: NewVersion::new(reg.amended, d("2023-01-01")),
        },
    )
    .expect("amend");
    lib.refresh_index().expect("index");
    (lib, work)
}
