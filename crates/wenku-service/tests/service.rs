//! The service against real libraries: imports planned on the head they
//! are committed on, and the one conversion of an import into a record.

use std::sync::{Arc, Barrier};

use wenku_import::{ImportOptions, import_bytes};
use wenku_model::{Date, Region, RelationKind};
use wenku_service::import::{self, Action, Input, Request};
use wenku_store::{Identity, InitOptions, Library, SystemClock};

fn clerk() -> Identity {
    Identity::new("平度市政务公开办", "gongkai@pingdu.example").expect("valid identity")
}

fn library(dir: &std::path::Path) -> Library {
    let options = InitOptions::new(clerk()).clock(Arc::new(SystemClock::china()));
    Library::init(dir, Region::parse("370283").expect("valid"), options).expect("init")
}

/// A notice numbered 平政办发〔2025〕7号, so the importer suggests the
/// same local id for every text made here; `article` tells them apart.
fn notice(article: &str) -> Input {
    let text = format!(
        "平度市人民政府办公室关于印发示例工作要点的通知\n平政办发〔2025〕7号\n一、总体要求\n{article}\n平度市人民政府办公室\n2025年3月1日\n"
    );
    let options = ImportOptions {
        published: Some(Date::parse_iso("2025-03-01").expect("valid")),
        ..ImportOptions::default()
    };
    Input::new(
        "notice.txt",
        import_bytes("notice.txt", text.as_bytes(), &options).expect("imports"),
    )
}

/// Runs `n` importers at once, each in its own thread with its own handle
/// on the library (as separate processes would), and returns their
/// results. The texts share a document number, so each importer says
/// `new_work` unless `new_work` is false.
fn race_with(
    dir: &std::path::Path,
    inputs: Vec<Input>,
    new_work: bool,
) -> Vec<wenku_service::Result<import::Planned>> {
    let barrier = Arc::new(Barrier::new(inputs.len()));
    let request = Request {
        new_work,
        ..Request::default()
    };
    let threads: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let dir = dir.to_path_buf();
            let barrier = Arc::clone(&barrier);
            let request = request.clone();
            std::thread::spawn(move || {
                let library = Library::open(&dir).expect("open");
                barrier.wait();
                import::import(&library, &clerk(), &[input], &request)
                    .map(|imports| imports.planned.into_iter().next().expect("one plan"))
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("no panic"))
        .collect()
}

/// [`race_with`] for new works, every import expected to succeed.
fn race(dir: &std::path::Path, inputs: Vec<Input>) -> Vec<import::Planned> {
    race_with(dir, inputs, true)
        .into_iter()
        .map(|r| r.expect("a concurrent import never fails"))
        .collect()
}

#[test]
fn concurrent_imports_of_one_document_number_publish_one_work() {
    // Without new_work, the texts that lose the race are planned again on
    // the winner's head and refused as likely versions of its work.
    let dir = tempfile::tempdir().expect("tempdir");
    library(dir.path());
    let inputs = (0..3)
        .map(|i| notice(&format!("（一）第{i}项任务。")))
        .collect();
    let results = race_with(dir.path(), inputs, false);
    let published: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(published.len(), 1, "{results:?}");
    let work = published[0].work.clone().expect("a work").to_string();
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(e.kind(), wenku_service::Kind::Refused);
        assert!(
            e.message().contains(&format!(
                "this looks like a version of {work} (the same document number 平政办发〔2025〕7号)"
            )),
            "{}",
            e.message()
        );
    }
}

#[test]
fn concurrent_imports_of_different_texts_each_get_a_free_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    library(dir.path());
    let inputs = (0..4)
        .map(|i| notice(&format!("（一）第{i}项任务。")))
        .collect();
    let planned = race(dir.path(), inputs);
    let mut works: Vec<String> = planned
        .iter()
        .map(|p| {
            assert_eq!(p.action, Action::Published);
            p.work.as_ref().expect("a work").to_string()
        })
        .collect();
    works.sort();
    let base = works[0].clone();
    assert_eq!(
        works,
        vec![
            base.clone(),
            format!("{base}-2"),
            format!("{base}-3"),
            format!("{base}-4")
        ]
    );
    let library = Library::open(dir.path()).expect("open");
    let all = library
        .snapshot()
        .expect("snapshot")
        .works(&wenku_model::query::Filter::all())
        .expect("works");
    assert_eq!(all.len(), 4);
}

#[test]
fn concurrent_imports_of_the_same_text_publish_it_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    library(dir.path());
    let inputs = (0..4).map(|_| notice("（一）同一项任务。")).collect();
    let planned = race(dir.path(), inputs);
    let published = planned
        .iter()
        .filter(|p| p.action == Action::Published)
        .count();
    let unchanged = planned
        .iter()
        .filter(|p| p.action == Action::Unchanged)
        .count();
    assert_eq!((published, unchanged), (1, 3), "{planned:?}");
    let works: std::collections::BTreeSet<_> = planned.iter().map(|p| p.work.clone()).collect();
    assert_eq!(works.len(), 1, "all name the one work: {planned:?}");
}

#[test]
fn a_new_record_keeps_everything_the_importer_proposed() {
    let text = "山东省人民政府办公厅关于做好示例工作的通知\n鲁政办字〔2024〕12号\n根据《中华人民共和国政府信息公开条例》，现将有关事项通知如下。\n一、工作要求\n本通知自2024年3月1日起施行，有效期至2029年2月28日。\n山东省人民政府办公厅\n2024年2月1日\n";
    let imported =
        import_bytes("notice.txt", text.as_bytes(), &ImportOptions::default()).expect("imports");
    let p = &imported.proposed;
    let work = wenku_model::WorkId::parse("370000/lzbz-2024-12").expect("valid");
    let record = wenku_service::new_record(work.clone(), &imported);
    assert_eq!(record.work, work);
    assert_eq!(Some(&record.title), p.title.as_ref());
    assert_eq!(record.doc_type, p.doc_type);
    assert_eq!(record.number, p.number);
    assert_eq!(record.issuers, p.issuers);
    assert_eq!(record.expires, p.expires);
    assert_eq!(record.subjects, imported.document.subjects);
    assert_eq!(record.relations.len(), p.relations.len());
    assert!(
        record
            .relations
            .iter()
            .any(|r| r.kind == RelationKind::Basis || r.kind == RelationKind::Cites),
        "{:?}",
        record.relations
    );
    let published = Date::parse_iso("2024-02-01").expect("valid");
    let version = wenku_service::new_version(&imported, published);
    assert_eq!(version.published, published);
    assert_eq!(version.effective, p.effective);
    assert_eq!(version.amended_by, p.amended_by);
    assert_eq!(version.text.document(), Some(&imported.document));
}

// ---------------------------------------------------------------------------
// the JSON outputs against schemas/cli-1.schema.json

mod outputs {
    use wenku_model::{Citation, Repeal, Target};
    use wenku_service::import::{self, Input, Request};
    use wenku_service::{output, resolve};
    use wenku_store::Op;
    use wenku_store::federation::{Peer, PullOptions};
    use wenku_test_support::federation::{clerk, corpus_dir, d, node, publish_seed, r, tmp};
    use wenku_test_support::schema;

    /// Checks `value` against the definition `def` of the schema.
    fn check(def: &str, value: &impl serde::Serialize) {
        let validator = schema::validator("cli-1.schema.json", Some(def));
        let value = serde_json::to_value(value).expect("serialisable");
        schema::check(&validator, def, &value);
    }

    fn seed(name: &str) -> Input {
        let file = corpus_dir().join("seeds").join(name);
        let imported = wenku_import::import_file(&file, &wenku_import::ImportOptions::default())
            .expect("the seed imports");
        Input::new(file, imported)
    }

    #[test]
    fn every_output_matches_its_schema_definition() {
        let dir = tmp();
        let city = node(dir.path(), "370200");
        let county = node(dir.path(), "370283");
        publish_seed(&county, "370283-pingdu-2024-07-16-points.txt");
        let work = publish_seed(&city, "370200-qingdao-2025-05-16-points.txt");
        city.commit(
            &clerk(),
            Op::Repeal {
                work: work.clone(),
                repeal: Repeal {
                    date: d("2025-12-01"),
                    by: Some(Target::Citation(
                        Citation::parse("青政办发〔2025〕9号").expect("a number"),
                    )),
                },
            },
        )
        .expect("repeal");

        // pull: a report, then a refusal.
        let source = dir.path().join("370283.git").display().to_string();
        let peer = Peer::Child(r("370283"));
        let report = city
            .pull(&source, peer, &clerk(), &PullOptions::new())
            .expect("pull");
        check("pull", &output::PullReport::new(&report));
        check("pull_report", &output::PullReport::new(&report));
        let refused = city
            .pull(
                &source,
                Peer::Child(r("370203")),
                &clerk(),
                &PullOptions::new(),
            )
            .expect_err("the wrong child");
        check("pull_error", &output::PullFailure::new(&refused));
        // The check does check: a refusal is no report.
        let refusal = output::PullFailure::new(&refused);
        let wrong = std::panic::catch_unwind(|| check("pull_report", &refusal));
        assert!(wrong.is_err(), "a refusal passed as a pull report");

        let today = d("2026-01-15");
        let snapshot = city.snapshot().expect("snapshot");
        let works = snapshot
            .works(&wenku_model::query::Filter::all())
            .expect("works");
        assert_eq!(works.len(), 2);
        for w in &works {
            let record = snapshot.require_record(w).expect("record");
            check("ls", &output::Ls::new(&record, today));
            check("ls", &output::Ls::new(&record, d("2000-01-01")));
            let (version, status) = resolve::as_of(&record, today).expect("a text");
            let document = snapshot.document(w, &version.revision).expect("document");
            check(
                "show",
                &output::Show::new(w, version, status, today, &document),
            );
            let history = city.history(w).expect("history");
            check("log", &output::Log::new(&record, &history, today));
            let resolved = record
                .relations
                .iter()
                .map(|rel| resolve::target(&snapshot, &rel.target))
                .collect::<Result<Vec<_>, _>>()
                .expect("resolved");
            let referrers = snapshot.referrers(w).expect("referrers");
            check("links", &output::Links::new(&record, &resolved, &referrers));
        }
        let citation = Citation::parse("2025年青岛市政务公开工作要点").expect("a title");
        let found = snapshot.lookup(&citation).expect("lookup");
        let records: Vec<_> = found
            .iter()
            .map(|w| snapshot.require_record(w).expect("record"))
            .collect();
        assert_eq!(records.len(), 1);
        check("find", &output::Find::new(&citation, &records, today));
        check(
            "verify",
            &output::Verify::new(&city.verify().expect("verify")),
        );

        // import: a dry run (with what was recognised), and a real import.
        let inputs = [seed("370200-qingdao-2025-05-16-points.txt")];
        let dry = Request {
            dry_run: true,
            ..Request::default()
        };
        for snapshot in [None, Some(&snapshot)] {
            let planned = import::plan(&inputs, &dry, snapshot).expect("plan");
            check(
                "import",
                &output::Import::new(&inputs[0], &planned[0], true),
            );
        }
        let imports =
            import::import(&city, &clerk(), &inputs, &Request::default()).expect("import");
        let value =
            serde_json::to_value(output::Import::new(&inputs[0], &imports.planned[0], false))
                .expect("serialisable");
        assert_eq!(value["action"], "unchanged");
        check("import", &value);
    }
}

/// Imports take their subjects from the province's vocabulary once it
/// has one: an unknown tag is refused naming the file and the closest
/// tags, nothing written; a tag of the vocabulary is taken.
#[test]
fn imports_refuse_tags_outside_the_provinces_vocabulary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = InitOptions::new(clerk()).clock(Arc::new(SystemClock::china()));
    let library =
        Library::init(dir.path(), Region::parse("370000").expect("valid"), options).expect("init");
    let text = std::fs::read(wenku_test_support::paths::testdata().join("tags/370000-tags.txt"))
        .expect("vocabulary");
    let vocabulary = Input::new(
        "370000-tags.txt",
        import_bytes(
            "370000-tags.txt",
            &text,
            &ImportOptions {
                local: Some("tags".into()),
                ..ImportOptions::default()
            },
        )
        .expect("imports"),
    );
    let request = Request {
        region: Some(Region::parse("370000").expect("valid")),
        exact_local: Some("tags".into()),
        ..Request::default()
    };
    import::import(&library, &clerk(), &[vocabulary], &request).expect("the vocabulary");
    let tagged = |subject: &str| {
        let mut input = notice("（一）推进政务公开。");
        input.imported.document.subjects = vec![subject.to_string()];
        input
    };
    let request = Request {
        region: Some(Region::parse("370000").expect("valid")),
        ..Request::default()
    };
    let head = library.head().expect("head");
    let refused = import::import(&library, &clerk(), &[tagged("营商")], &request)
        .expect_err("an unknown tag");
    assert!(
        refused
            .message()
            .starts_with("notice.txt: the tag \"营商\"")
            && refused.message().contains("did you mean 营商环境"),
        "{}",
        refused.message()
    );
    assert_eq!(library.head().expect("head"), head, "nothing written");
    let published = import::import(&library, &clerk(), &[tagged("营商环境")], &request)
        .expect("a tag of the vocabulary");
    let work = published.planned[0].work.clone().expect("published");
    let record = library
        .snapshot()
        .expect("snapshot")
        .require_record(&work)
        .expect("record");
    assert_eq!(record.subjects, ["营商环境"]);
}

/// `count` distinct notices as files in `dir`, each with its own number.
fn notice_files(dir: &std::path::Path, count: usize) -> Vec<std::path::PathBuf> {
    (0..count)
        .map(|i| {
            let text = format!(
                "平度市人民政府办公室关于印发第{i}批示例工作要点的通知\n平政办发〔2025〕{n}号\n一、总体要求\n第{i}批工作要点。\n平度市人民政府办公室\n2025年3月1日\n",
                n = i + 100
            );
            let path = dir.join(format!("notice-{i:03}.txt"));
            std::fs::write(&path, text).expect("write");
            path
        })
        .collect()
}

fn main_tree(dir: &std::path::Path) -> String {
    wenku_test_support::git::git_stdout(dir, &["rev-parse", "main^{tree}"])
}

#[test]
fn a_batch_read_as_it_goes_commits_what_the_batch_in_memory_commits() {
    let texts = tempfile::tempdir().expect("tempdir");
    let files = notice_files(texts.path(), import::WRITE_AHEAD_FROM + 6);
    let (a, b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let (streamed_lib, memory_lib) = (library(a.path()), library(b.path()));
    let options = ImportOptions::default();
    let request = Request::default();
    let read = std::sync::atomic::AtomicUsize::new(0);
    let tick = |_: &std::path::Path| {
        read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let (inputs, streamed) =
        import::import_files(&streamed_lib, &clerk(), &files, &options, &request, &tick)
            .expect("the batch read as it goes");
    assert_eq!(read.into_inner(), files.len());
    // Written ahead: the inputs keep metadata, not the bodies.
    for input in &inputs {
        assert!(input.stored.is_some(), "{}", input.file.display());
        assert!(input.imported.document.body.is_empty());
        assert!(!input.imported.document.title.is_empty());
    }
    let in_memory: Vec<Input> = files
        .iter()
        .map(|f| Input::new(f, wenku_import::import_file(f, &options).expect("imports")))
        .collect();
    let whole = import::import(&memory_lib, &clerk(), &in_memory, &request).expect("in memory");
    let plans = |i: &import::Imports| {
        i.planned
            .iter()
            .map(|p| (p.input, p.work.clone(), p.revision, p.action))
            .collect::<Vec<_>>()
    };
    assert_eq!(plans(&streamed), plans(&whole));
    assert!(
        streamed
            .planned
            .iter()
            .all(|p| p.action == Action::Published)
    );
    assert_eq!(main_tree(a.path()), main_tree(b.path()));
    assert!(streamed_lib.verify().expect("verify").is_clean());
    wenku_test_support::git::fsck(a.path());

    // The same files again change nothing, and write nothing.
    let packs = std::fs::read_dir(a.path().join("objects/pack"))
        .expect("packs")
        .count();
    let (_, again) =
        import::import_files(&streamed_lib, &clerk(), &files, &options, &request, &|_| {})
            .expect("again");
    assert!(again.commit.is_none());
    assert!(again.planned.iter().all(|p| p.action == Action::Unchanged));
    assert_eq!(
        std::fs::read_dir(a.path().join("objects/pack"))
            .expect("packs")
            .count(),
        packs
    );
}

#[test]
fn one_file_the_importer_refuses_refuses_a_batch_read_as_it_goes() {
    let texts = tempfile::tempdir().expect("tempdir");
    let files = notice_files(texts.path(), import::WRITE_AHEAD_FROM + 6);
    std::fs::write(&files[40], " \n\n").expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let library = library(dir.path());
    let head = wenku_test_support::git::git_stdout(dir.path(), &["rev-parse", "main"]);
    let pack_files = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path().join("objects/pack"))
            .map(|e| {
                e.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let before = pack_files();
    let err = import::import_files(
        &library,
        &clerk(),
        &files,
        &ImportOptions::default(),
        &Request::default(),
        &|_| {},
    )
    .expect_err("an empty file");
    assert_eq!(err.kind(), wenku_service::Kind::Refused, "{err}");
    assert!(err.message().contains("notice-040.txt"), "{err}");
    assert!(err.message().contains("empty"), "{err}");
    assert_eq!(
        wenku_test_support::git::git_stdout(dir.path(), &["rev-parse", "main"]),
        head
    );
    assert_eq!(pack_files(), before);
}

#[test]
fn untitled_versions_read_as_they_go_take_the_works_title_as_in_memory() {
    let texts = tempfile::tempdir().expect("tempdir");
    let notice = notice_files(texts.path(), 1).remove(0);
    // Bare amended texts, no title: each takes the work's.
    let bare: Vec<std::path::PathBuf> = (0..import::WRITE_AHEAD_FROM + 2)
        .map(|i| {
            let path = texts.path().join(format!("bare-{i:03}.txt"));
            std::fs::write(&path, format!("一、总体要求\n第{i}次修改后的工作要点。\n"))
                .expect("write");
            path
        })
        .collect();
    let options = ImportOptions {
        published: Some(Date::parse_iso("2025-06-01").expect("date")),
        ..ImportOptions::default()
    };
    let (a, b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let (streamed_lib, memory_lib) = (library(a.path()), library(b.path()));
    let mut work = None;
    for lib in [&streamed_lib, &memory_lib] {
        let input = Input::new(
            &notice,
            wenku_import::import_file(&notice, &ImportOptions::default()).expect("imports"),
        );
        let first = import::import(lib, &clerk(), &[input], &Request::default()).expect("notice");
        work = first.planned[0].work.clone();
    }
    let request = Request {
        work: work.clone(),
        ..Request::default()
    };
    let (_, streamed) =
        import::import_files(&streamed_lib, &clerk(), &bare, &options, &request, &|_| {})
            .expect("read as it goes");
    let in_memory: Vec<Input> = bare
        .iter()
        .map(|f| Input::new(f, wenku_import::import_file(f, &options).expect("imports")))
        .collect();
    let whole = import::import(&memory_lib, &clerk(), &in_memory, &request).expect("in memory");
    let revisions = |i: &import::Imports| i.planned.iter().map(|p| p.revision).collect::<Vec<_>>();
    assert_eq!(revisions(&streamed), revisions(&whole));
    assert!(streamed.planned.iter().all(|p| p.action == Action::Added));
    assert_eq!(main_tree(a.path()), main_tree(b.path()));
    let work = work.expect("the notice's work");
    let snapshot = streamed_lib.snapshot().expect("snapshot");
    let title = snapshot.require_record(&work).expect("record").title;
    let stored = snapshot
        .document(&work, &streamed.planned[0].revision)
        .expect("the stored text");
    assert_eq!(stored.title, title);
}
