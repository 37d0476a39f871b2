//! The dates of a version: a later version's text carries its original's
//! history and effective clause, and neither may date it.
//!
//! The texts are the corpus's (`testdata/corpus/laws/`, copied from the
//! project's shared corpus; `manifest.tsv` there names each file's public
//! source and commit).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use wenku_import::{ImportOptions, Imported, Severity, codes, fidelity, import_bytes, import_file};
use wenku_model::{Date, DocType, Record, RevisionId, VersionEntry, WorkId};
use wenku_test_support::paths::{corpus_dir, corpus_files};

fn date(s: &str) -> Date {
    Date::parse_iso(s).expect("valid test date")
}

fn law(rel: &str, options: &ImportOptions) -> Imported {
    let path = corpus_dir().join("laws").join(rel);
    let imported = import_file(&path, options).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let text = std::fs::read_to_string(&path).expect("utf-8 corpus");
    fidelity::check(&text, &imported).unwrap_or_else(|e| panic!("{rel}: {e}"));
    imported
}

fn dates(imported: &Imported) -> (Option<Date>, Option<Date>) {
    (imported.proposed.published, imported.proposed.effective)
}

fn stale(imported: &Imported) -> Vec<String> {
    imported
        .diagnostics
        .iter()
        .filter(|d| d.code == codes::STALE_HISTORY)
        .inspect(|d| assert_eq!(d.severity, Severity::Warning))
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn a_later_version_with_its_originals_history_is_dated_by_its_file() {
    // The 2019 text of 化妆品卫生监督条例 still opens with the 1989 approval
    // and promulgation, and ends 本条例自1990年1月1日起施行.
    let file = "cn-reg-huazhuangpinweishengjiandutiaoli/2019-03-02.md";
    let imported = law(file, &ImportOptions::default());
    assert_eq!(dates(&imported), (Some(date("2019-03-02")), None));
    let warned = stale(&imported);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("1989-11-13") && warned[0].contains("2019-03-02"),
        "{warned:?}"
    );

    // The same text under a name without a date, dated by the caller.
    let text = std::fs::read(corpus_dir().join("laws").join(file)).expect("corpus");
    let given = ImportOptions {
        published: Some(date("2019-03-02")),
        ..ImportOptions::default()
    };
    let imported = import_bytes("upload.md", &text, &given).expect("imports");
    assert_eq!(dates(&imported), (Some(date("2019-03-02")), None));
    assert!(stale(&imported)[0].contains("the given publication date"));
    // Undated, it is the 1989 text as far as anyone can tell.
    let imported = import_bytes("upload.md", &text, &ImportOptions::default()).expect("imports");
    assert_eq!(
        dates(&imported),
        (Some(date("1989-11-13")), Some(date("1990-01-01")))
    );
    assert!(stale(&imported).is_empty());

    // 专利法实施细则 of 2010 lists nothing after 2002.
    let imported = law(
        "cn-reg-zhuanlifashishixize/2010-01-09.md",
        &ImportOptions::default(),
    );
    assert_eq!(dates(&imported), (Some(date("2010-01-09")), None));
    assert_eq!(stale(&imported).len(), 1);
}

#[test]
fn promulgation_weeks_after_approval_is_not_a_stale_history() {
    // Approved by the province on 2021-07-30, published 2021-08-09: the
    // history's date stands.
    let imported = law(
        "cn-loc-zj-hangzhoushiwuyeguanlitiaoli/2021-08-09.md",
        &ImportOptions::default(),
    );
    assert!(stale(&imported).is_empty());
    assert_eq!(
        dates(&imported),
        (Some(date("2021-07-30")), Some(date("2022-03-01")))
    );
}

#[test]
fn the_last_amendment_dates_a_compilation_and_the_originals_clause_does_not() {
    // 1997 adoption, 2007 revision, amendments 2013 and 2015; the text
    // still ends 本法自2008年1月1日起施行.
    let imported = law(
        "cn-law-dongwufangyifa/2015-04-24.txt",
        &ImportOptions::default(),
    );
    assert_eq!(dates(&imported), (Some(date("2015-04-24")), None));
    // The 2007 revision itself took effect on 2008-01-01.
    let imported = law(
        "cn-law-dongwufangyifa/2007-08-30.txt",
        &ImportOptions::default(),
    );
    assert_eq!(
        dates(&imported),
        (Some(date("2007-08-30")), Some(date("2008-01-01")))
    );
    // A bare text with no dates at all: its file name dates it.
    let imported = law(
        "cn-law-dongwufangyifa/2013-06-29.txt",
        &ImportOptions::default(),
    );
    assert_eq!(dates(&imported), (Some(date("2013-06-29")), None));
    // 本法自公布之日起施行 in an amended text speaks of the original's
    // publication, not of this version's.
    let original = law("cn-law-jianchafa/2018-03-20.md", &ImportOptions::default());
    assert_eq!(
        dates(&original),
        (Some(date("2018-03-20")), Some(date("2018-03-20")))
    );
    let amended = law("cn-law-jianchafa/2024-12-25.md", &ImportOptions::default());
    assert_eq!(dates(&amended), (Some(date("2024-12-25")), None));
    // A given publication date judges the clause too.
    let given = ImportOptions {
        published: Some(date("1998-03-01")),
        ..ImportOptions::default()
    };
    let imported = law("cn-law-dongwufangyifa/1997-07-03.txt", &given);
    assert_eq!(dates(&imported), (Some(date("1998-03-01")), None));
}

#[test]
fn an_original_may_say_it_took_effect_before_it_was_published() {
    let text = "关于调整补助标准的通知
各区人民政府：
现将补助标准调整如下，本通知自2024年1月1日起执行。
某市人民政府办公厅
2024年3月1日";
    let imported =
        import_bytes("notice.txt", text.as_bytes(), &ImportOptions::default()).expect("imports");
    assert_eq!(
        dates(&imported),
        (Some(date("2024-03-01")), Some(date("2024-01-01")))
    );
    assert!(
        imported
            .diagnostics
            .iter()
            .any(|d| d.message.contains("as it states"))
    );
}

/// Every version of every corpus work with several versions, imported as
/// its file is (no options), in the order of their file names.
fn series() -> &'static BTreeMap<String, Vec<(PathBuf, Imported)>> {
    static SERIES: OnceLock<BTreeMap<String, Vec<(PathBuf, Imported)>>> = OnceLock::new();
    SERIES.get_or_init(|| {
        let mut out: BTreeMap<String, Vec<(PathBuf, Imported)>> = BTreeMap::new();
        for path in corpus_files() {
            let Some(work) = path
                .parent()
                .filter(|p| p.parent().is_some_and(|l| l.ends_with("laws")))
                .and_then(|p| p.file_name())
            else {
                continue;
            };
            let imported = import_file(&path, &ImportOptions::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.entry(work.to_string_lossy().into_owned())
                .or_default()
                .push((path, imported));
        }
        for versions in out.values_mut() {
            versions.sort_by(|a, b| a.0.cmp(&b.0));
        }
        out
    })
}

fn stated_before_publication(imported: &Imported) -> bool {
    imported
        .diagnostics
        .iter()
        .any(|d| d.code == codes::METADATA && d.message.ends_with("as it states"))
}

#[test]
fn every_corpus_version_takes_effect_on_or_after_its_publication() {
    let mut seen = 0;
    for (path, imported) in series().values().flatten() {
        let (published, effective) = dates(imported);
        let published = published.unwrap_or_else(|| panic!("{}: undated", path.display()));
        if let Some(e) = effective {
            assert!(
                e >= published || stated_before_publication(imported),
                "{}: effective {e} before published {published}",
                path.display()
            );
        }
        seen += 1;
    }
    assert!(seen >= 29, "{seen} versions");
}

/// A record of one work's corpus versions as an import would store them.
fn record(work: &str) -> (Record, Vec<RevisionId>) {
    let id = WorkId::parse(&format!("100000/{work}")).expect("corpus folder names are ids");
    let mut record = Record::new(id, DocType::Law, work);
    let mut order = Vec::new();
    for (path, imported) in &series()[work] {
        let revision = imported.document.revision_id().expect("hashes");
        let published = imported
            .proposed
            .published
            .unwrap_or_else(|| panic!("{}: undated", path.display()));
        let mut entry = VersionEntry::new(revision, published);
        entry.effective = imported.proposed.effective;
        record.insert_version(entry);
        order.push(revision);
    }
    (record, order)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Between a version's taking effect and the next version's
    /// publication, as-of answers that version: a later version never
    /// answers for a day before it existed.
    #[test]
    fn as_of_between_two_versions_answers_the_earlier(work in any::<prop::sample::Index>(),
                                                      pair in any::<prop::sample::Index>(),
                                                      at in any::<prop::sample::Index>()) {
        let multi: Vec<&String> = series().iter().filter(|(_, v)| v.len() > 1).map(|(k, _)| k).collect();
        prop_assume!(!multi.is_empty());
        let work = multi[work.index(multi.len())];
        let (record, order) = record(work);
        let i = pair.index(order.len() - 1);
        let earlier = record.version(&order[i]).expect("inserted");
        let later = record.version(&order[i + 1]).expect("inserted");
        let from = earlier.effective_date().to_days();
        let to = later.published.to_days();
        prop_assert!(from < to, "{work}: version {i} takes effect on {} but version {} is published on {}",
            earlier.effective_date(), i + 1, later.published);
        let day = Date::from_days(from + at.index((to - from) as usize) as i64).expect("in range");
        let answer = record.version_at(day).map(|v| v.revision);
        prop_assert_eq!(answer, Some(order[i]), "{} as of {}", work, day);
    }
}
