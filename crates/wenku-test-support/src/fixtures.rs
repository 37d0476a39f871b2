//! Parsing shorthands and the set-up every test library shares.

use std::sync::Arc;

use wenku_model::{Date, Region, WorkId};
use wenku_store::{Clock, SteppingClock, Timestamp};

/// The first instant of every test clock, in seconds since the epoch
/// (mid-June 2025).
pub const START: i64 = 1_750_000_000;

/// A region code that the test knows to be valid.
pub fn r(s: &str) -> Region {
    Region::parse(s).expect("valid region in test")
}

/// A work id that the test knows to be valid.
pub fn w(s: &str) -> WorkId {
    WorkId::parse(s).expect("valid work id in test")
}

/// An ISO date that the test knows to be valid.
pub fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("valid date in test")
}

/// A clock that starts at [`START`] in UTC+8 and steps a minute a reading,
/// so commit times are deterministic and increasing.
pub fn clock() -> Arc<dyn Clock> {
    Arc::new(SteppingClock::new(
        Timestamp::new(START, 480).expect("valid"),
        60,
    ))
}

/// A fresh temporary directory, removed when dropped.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// A short notice of 平度市 (370283), different for each `n` (its title,
/// text and date), dated 2024年7月(1 + n % 28)日: what a county clerk drops
/// into a node's inbox, many times over.
pub fn county_notice(n: usize) -> String {
    format!(
        "平度市人民政府办公室关于第{n}批政务公开事项的通知\n\n各镇人民政府、街道办事处，市政府各部门：\n\n\
         现将第{n}批政务公开事项通知如下，请认真组织实施。\n\n一、公开范围\n\n第{n}批事项涉及的规范性文件。\n\n\
         二、工作要求\n\n各单位按要求公开第{n}批事项。\n\n平度市人民政府办公室\n2024年7月{}日\n",
        1 + n % 28
    )
}

/// Imports the file at `path` as work `work` of `library`, published on
/// `published` (YYYY-MM-DD), committed by `identity`: the first version
/// publishes the work, a later one adds a version to it. `title` and
/// `doc_type` override what the importer reads from the text.
pub fn import_version(
    library: &wenku_store::Library,
    identity: &wenku_store::Identity,
    work: &str,
    title: Option<&str>,
    doc_type: Option<wenku_model::DocType>,
    path: &std::path::Path,
    published: &str,
) {
    let published = d(published);
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path
        .file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    let imported = wenku_import::import_bytes(
        &name,
        &bytes,
        &wenku_import::ImportOptions {
            published: Some(published),
            title: title.map(str::to_string),
            doc_type,
            ..wenku_import::ImportOptions::default()
        },
    )
    .expect("import");
    let work = w(work);
    let version = wenku_service::new_version(&imported, published);
    let exists = library
        .snapshot()
        .expect("snapshot")
        .contains(&work)
        .expect("read");
    let op = if exists {
        wenku_store::Op::AddVersion { work, version }
    } else {
        wenku_store::Op::Publish {
            record: wenku_service::new_record(work, &imported),
            version,
        }
    };
    library.commit(identity, op).expect("commit");
}
