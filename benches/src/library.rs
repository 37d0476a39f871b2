//! Libraries filled from the generated corpus, for the store and
//! federation benchmarks.

use std::path::Path;
use std::sync::Arc;

use wenku_model::Region;
use wenku_model::canonical::EncodeError;
use wenku_store::{
    CommitOptions, Identity, IndexOptions, InitOptions, Library, NewVersion, Op, SteppingClock,
    Timestamp, Transaction,
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

/// A province library (370000, hosting every region of the generator's
/// table: [`crate::regions::all`]) at `path` holding the corpus of
/// `versions` versions (seed 1), committed in batches of about 5,000
/// versions (one pack each). The generator is streamed and the index is
/// off during the load (built once at the end), so memory stays that of a
/// batch at any size: a million versions load in the same few hundred MiB
/// as ten thousand.
pub fn province(path: &Path, versions: usize) -> Library {
    let clock = Arc::new(SteppingClock::new(
        Timestamp::new(1_750_000_000, 480).expect("valid"),
        1,
    ));
    let lib = bulk(path, clock, versions);
    lib.refresh_index().expect("index");
    lib
}

/// The province library of `versions` generated versions (seed 1) at
/// `path`, hosting every region of [`crate::regions::all`], committed with
/// `clock` in batches of about 5,000 versions with the index off and at
/// most 64 packs (compaction deferred, as a bulk import would); returned
/// with the index on but not yet built.
pub fn bulk(path: &Path, clock: Arc<SteppingClock>, versions: usize) -> Library {
    let province = Region::parse(crate::regions::PROVINCE.0).expect("valid");
    let mut options = InitOptions::new(clerk()).clock(clock.clone());
    options.hosted = crate::regions::all();
    let lib = Library::init(path, province, options)
        .expect("init")
        .with_index(IndexOptions::disabled())
        .with_commit_options(CommitOptions {
            max_packs: 64,
            ..CommitOptions::default()
        });
    load(&lib, generate(Spec { seed: 1, versions }), versions);
    drop(lib);
    Library::open(path).expect("open").with_clock(clock)
}

/// Commits `works` into `lib` in batches of about 5,000 versions (one
/// pack each), as a bulk import does; with `expected` above 100,000 it
/// says how far it is on stderr every 100,000 versions.
pub fn load<W: std::borrow::Borrow<GenWork>>(
    lib: &Library,
    works: impl IntoIterator<Item = W>,
    expected: usize,
) {
    let started = std::time::Instant::now();
    let mut batch = Transaction::new();
    let (mut in_batch, mut done) = (0, 0);
    for work in works {
        let work = work.borrow();
        for op in ops(work) {
            batch.push(op);
        }
        in_batch += work.versions.len();
        if in_batch >= 5_000 {
            lib.commit(&clerk(), std::mem::take(&mut batch))
                .expect("batch");
            done += in_batch;
            in_batch = 0;
            if expected > 100_000 && done % 100_000 < 5_000 {
                eprintln!(
                    "  {done} of {expected} versions in {:.0} s",
                    started.elapsed().as_secs_f64()
                );
            }
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
