//! Integration tests of the importer over the reference corpus in
//! `testdata/corpus/` (real laws and normative documents, copied from the
//! project's shared corpus).

use std::path::{Path, PathBuf};

use encoding_rs::GB18030;
use proptest::prelude::*;
use wenku_import::{
    Diagnostic, Format, HistoryKind, ImportError, ImportOptions, Imported, Severity, fidelity,
    import_bytes, import_file,
};
use wenku_model::canonical;
use wenku_model::{Block, Citation, Date, DocNumber, DocType, RelationKind, Target, UnitKind};

// Hostile and careless inputs: tests/import/hardening.rs.
#[path = "import/hardening.rs"]
mod hardening;
// The dates of amended versions: tests/import/dates.rs.
#[path = "import/dates.rs"]
mod dates;
// Document types: tests/import/types.rs.
#[path = "import/types.rs"]
mod types;
// Front matter and wrapped lines: tests/import/layouts.rs.
#[path = "import/layouts.rs"]
mod layouts;

use wenku_test_support::paths::{corpus_dir as testdata, corpus_files};

/// Every corpus file, sorted.
fn corpus() -> Vec<PathBuf> {
    let out = corpus_files();
    assert!(out.len() >= 34, "corpus incomplete: {} files", out.len());
    out
}

fn read(rel: &str) -> (PathBuf, String) {
    let path = testdata().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    (path, text)
}

fn import(rel: &str) -> Imported {
    let (path, text) = read(rel);
    let imported =
        import_file(&path, &ImportOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
    fidelity::check(&text, &imported).unwrap_or_else(|e| panic!("{rel}: {e}"));
    imported
}

fn count(imported: &Imported, kind: UnitKind) -> usize {
    imported.document.units_of(kind).len()
}

fn date(s: &str) -> Date {
    Date::parse_iso(s).expect("valid test date")
}

fn number(s: &str) -> DocNumber {
    DocNumber::parse(s).expect("valid test number")
}

fn relation(imported: &Imported, kind: RelationKind, title: Option<&str>, num: Option<&str>) {
    let wanted = Citation {
        number: num.map(number),
        title: title.map(str::to_string),
    };
    let found = imported
        .proposed
        .relations
        .iter()
        .any(|r| r.kind == kind && r.target == Target::Citation(wanted.clone()));
    assert!(
        found,
        "no {kind} relation to {wanted}; relations: {:#?}",
        imported.proposed.relations
    );
}

// ---- statutes ----

/// Every law file with the structure its text really has. Counted by hand
/// with grep over the files (articles: lines starting `第X条` followed by a
/// space; chapters/sections: body heading lines, not the table of contents;
/// items: lines starting `（一）`/`(一)`), and the article counts agree with
/// the `articles=N` column of `manifest.tsv`.
const LAWS: &[(&str, usize, usize, usize, usize)] = &[
    // (file, articles, chapters, sections, items)
    ("cn-law-dongwufangyifa/1997-07-03.txt", 58, 7, 0, 18),
    ("cn-law-dongwufangyifa/2007-08-30.txt", 85, 10, 0, 56),
    ("cn-law-dongwufangyifa/2013-06-29.txt", 84, 9, 0, 56),
    ("cn-law-dongwufangyifa/2015-04-24.txt", 85, 10, 0, 56),
    ("cn-law-dongwufangyifa/2021-01-22.txt", 113, 11, 0, 67),
    ("cn-law-fanlongduanfa/2007-08-30.md", 57, 8, 0, 72),
    ("cn-law-fanlongduanfa/2022-06-24.md", 70, 8, 0, 75),
    ("cn-law-gongsifa/2018-10-26.md", 218, 13, 11, 169),
    ("cn-law-gongsifa/2023-12-29.md", 266, 15, 9, 170),
    ("cn-law-jianchafa/2018-03-20.md", 69, 9, 0, 48),
    ("cn-law-jianchafa/2024-12-25.md", 78, 9, 0, 62),
    ("cn-law-kuaijifa/2017-11-04.md", 52, 7, 0, 30),
    ("cn-law-kuaijifa/2024-06-28.md", 51, 6, 0, 34),
    ("cn-law-lifafa/2015-03-15.md", 105, 6, 7, 39),
    ("cn-law-lifafa/2023-03-13.md", 120, 6, 7, 39),
    (
        "cn-loc-sh-youhuayingshanghuanjingtiaoli/2020-04-10.md",
        80,
        8,
        0,
        5,
    ),
    (
        "cn-loc-sh-youhuayingshanghuanjingtiaoli/2024-09-27.md",
        97,
        8,
        0,
        5,
    ),
    (
        "cn-loc-zj-hangzhoushiwuyeguanlitiaoli/2021-08-09.md",
        93,
        9,
        3,
        162,
    ),
    (
        "cn-loc-zj-jingningshezuzizhixianchengshiguanlitiaoli/2015-06-08.md",
        29,
        0,
        0,
        9,
    ),
    (
        "cn-loc-zj-jingningshezuzizhixianshuiziyuanguanlitiaoli/2021-06-15.md",
        26,
        0,
        0,
        16,
    ),
    (
        "cn-loc-zj-lishuishiwuyeguanlitiaoli/2019-04-08.md",
        55,
        7,
        0,
        94,
    ),
    (
        "cn-loc-zj-ningboshizhuzhaixiaoquwuyeguanlitiaoli/2021-10-15.md",
        98,
        8,
        1,
        148,
    ),
    (
        "cn-loc-zj-wenzhoushiwuyeguanlitiaoli/2017-04-06.md",
        57,
        7,
        0,
        57,
    ),
    (
        "cn-loc-zj-zhejiangshengjingningshezuzizhixianzizhitiaoli/2021-06-15.md",
        69,
        8,
        0,
        0,
    ),
    (
        "cn-loc-zj-zhejiangshengwuyeguanlitiaoli/2009-11-27.md",
        60,
        7,
        0,
        37,
    ),
    (
        "cn-reg-huazhuangpinjianduguanlitiaoli/2020-06-16.md",
        80,
        6,
        0,
        60,
    ),
    (
        "cn-reg-huazhuangpinweishengjiandutiaoli/2019-03-02.md",
        35,
        6,
        0,
        13,
    ),
    ("cn-reg-zhuanlifashishixize/2010-01-09.md", 123, 11, 0, 106),
    ("cn-reg-zhuanlifashishixize/2023-12-11.md", 149, 13, 0, 138),
];

#[test]
fn every_law_imports_with_the_structure_its_text_has() {
    let laws = testdata().join("laws");
    let on_disk = corpus()
        .into_iter()
        .filter(|p| p.starts_with(&laws))
        .count();
    assert_eq!(on_disk, LAWS.len(), "every law file is listed");
    for &(file, articles, chapters, sections, items) in LAWS {
        let imported = import(&format!("laws/{file}"));
        let got = (
            count(&imported, UnitKind::Article),
            count(&imported, UnitKind::Chapter),
            count(&imported, UnitKind::Section),
            count(&imported, UnitKind::Item),
        );
        assert_eq!(got, (articles, chapters, sections, items), "{file}");
        // Articles are numbered 1..=N in order, each with its number.
        let numbers: Vec<u32> = imported
            .document
            .units_of(UnitKind::Article)
            .iter()
            .map(|a| a.number.map_or(0, |n| n.main))
            .collect();
        let expected: Vec<u32> = (1..=articles as u32).collect();
        assert_eq!(numbers, expected, "{file}");
        assert!(
            !imported.diagnostics.iter().any(|d| d.code == "numbering"),
            "{file}: unexpected numbering diagnostics"
        );
    }
}

#[test]
fn the_manifest_agrees_with_the_hand_counts() {
    let (_, manifest) = read("laws/manifest.tsv");
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let file = cols[7].trim_start_matches("cn/");
        if file.is_empty() {
            continue; // a repeal event, no text
        }
        let n: usize = cols[cols.len() - 1]
            .rsplit("articles=")
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no article count in {row}"));
        let listed = LAWS.iter().find(|l| l.0 == file).map(|l| l.1);
        assert_eq!(listed, Some(n), "{file}");
    }
}

#[test]
fn markdown_statute_shape() {
    let imported = import("laws/cn-law-lifafa/2015-03-15.md");
    let doc = &imported.document;
    assert_eq!(doc.title, "中华人民共和国立法法");
    assert_eq!(doc.doc_type, DocType::Law);
    assert_eq!(doc.organs, ["全国人民代表大会"]);
    assert!(matches!(&doc.body[0], Block::Title(t) if t == "中华人民共和国立法法"));
    assert!(matches!(&doc.body[1], Block::Note(t) if t.starts_with("2000年3月15日")));
    let Block::Unit(chapter) = &doc.body[3] else {
        panic!("a chapter after the history notes: {:?}", doc.body[3]);
    };
    assert_eq!(chapter.kind, UnitKind::Chapter);
    assert_eq!(chapter.label.as_deref(), Some("第一章"));
    assert_eq!(chapter.heading.as_deref(), Some("总则"));
    let Block::Unit(first) = &chapter.children[0] else {
        panic!("an article first");
    };
    assert_eq!(first.label.as_deref(), Some("第一条"));
    assert!(matches!(&first.children[0], Block::Para(p) if p.starts_with("为了规范立法活动")));
    // Sections nest in chapters, articles in sections.
    let sections = doc.units_of(UnitKind::Section);
    assert_eq!(sections[0].label.as_deref(), Some("第一节"));
    assert_eq!(sections[0].heading.as_deref(), Some("立法权限"));
    assert!(matches!(&sections[0].children[0], Block::Unit(a) if a.kind == UnitKind::Article));
    // Paragraphs (款) are the article's Para children; items follow their paragraph.
    let art8 = doc.units_of(UnitKind::Article)[7];
    assert_eq!(art8.label.as_deref(), Some("第八条"));
    assert!(matches!(&art8.children[0], Block::Para(p) if p == "下列事项只能制定法律:"));
    let items: Vec<_> = art8
        .children
        .iter()
        .filter_map(|b| match b {
            Block::Unit(u) if u.kind == UnitKind::Item => u.label.as_deref(),
            _ => None,
        })
        .collect();
    assert_eq!(items.len(), 11);
    assert_eq!(items[0], "（一）");
    // The markers left out are listed.
    let dropped: Vec<&str> = imported
        .diagnostics
        .iter()
        .filter_map(|d| d.dropped.as_deref())
        .collect();
    assert!(dropped.contains(&"<!-- INFO END -->"));
    assert!(dropped.contains(&"#"));
    assert!(dropped.contains(&"##"));
    assert!(dropped.contains(&"###"));
}

#[test]
fn bare_text_statute_shape() {
    let imported = import("laws/cn-law-dongwufangyifa/1997-07-03.txt");
    let doc = &imported.document;
    assert_eq!(doc.title, "中华人民共和国动物防疫法");
    // Title, history, the table of contents as notes (目录 and seven chapters).
    let notes = doc
        .body
        .iter()
        .take_while(|b| !matches!(b, Block::Unit(_)))
        .count();
    assert_eq!(notes, 10);
    assert!(matches!(&doc.body[3], Block::Note(t) if t == "第一章 总 则"));
    let chapters = doc.units_of(UnitKind::Chapter);
    assert_eq!(chapters.len(), 7);
    assert_eq!(chapters[0].heading.as_deref(), Some("总 则"));
    assert_eq!(chapters[6].label.as_deref(), Some("第七章"));
    // A paragraph after an article's items is its next 款.
    let art10 = doc.units_of(UnitKind::Article)[9];
    let kinds: Vec<&str> = art10
        .children
        .iter()
        .map(|b| match b {
            Block::Para(_) => "p",
            Block::Unit(u) => u.kind.as_str(),
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["p", "item", "item", "item", "p"]);
    assert_eq!(imported.proposed.published, Some(date("1997-07-03")));
    assert_eq!(imported.proposed.effective, Some(date("1998-01-01")));
    assert_eq!(imported.proposed.doc_type, DocType::Law);
}

#[test]
fn the_truncated_2013_text_imports_what_is_there_and_nothing_more() {
    let file = "laws/cn-law-dongwufangyifa/2013-06-29.txt";
    let imported = import(file);
    let articles = imported.document.units_of(UnitKind::Article);
    assert_eq!(articles.len(), 84);
    let last = articles[83];
    assert_eq!(last.label.as_deref(), Some("第八十四条"));
    // The last paragraph is the file's last line, and nothing follows it.
    let (_, text) = read(file);
    let last_line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .expect("text");
    assert!(matches!(last.children.last(), Some(Block::Para(p)) if p == last_line.trim()));
    assert_eq!(count(&imported, UnitKind::Chapter), 9);
    assert!(
        imported
            .document
            .units_of(UnitKind::Chapter)
            .iter()
            .all(|c| c.number.is_some_and(|n| n.main <= 9))
    );
    // The table of contents lists a tenth chapter the text lacks: said, not invented.
    assert!(
        imported
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Warning
                && d.message.contains("lists 10 chapters but the text has 9"))
    );
}

#[test]
fn compilation_history_and_dates() {
    let lifafa = import("laws/cn-law-lifafa/2023-03-13.md");
    let p = &lifafa.proposed;
    let kinds: Vec<HistoryKind> = p.history.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            HistoryKind::Adopted,
            HistoryKind::Amended,
            HistoryKind::Amended
        ]
    );
    assert_eq!(p.published, Some(date("2023-03-13")));
    // 本法自2000年7月1日起施行 dates the original text, not this version.
    assert_eq!(p.effective, None);
    assert_eq!(
        p.amended_by,
        Some(Citation::title("关于修改〈中华人民共和国立法法〉的决定"))
    );
    assert_eq!(p.suggested_local.as_deref(), Some("lff"));

    let original = import("laws/cn-law-fanlongduanfa/2007-08-30.md");
    assert_eq!(original.proposed.published, Some(date("2007-08-30")));
    assert_eq!(original.proposed.effective, Some(date("2008-08-01")));
    assert_eq!(original.proposed.amended_by, None);

    // A separate 施行 line; approval by the province; the county's congress issues.
    let zizhi =
        import("laws/cn-loc-zj-zhejiangshengjingningshezuzizhixianzizhitiaoli/2021-06-15.md");
    let p = &zizhi.proposed;
    assert_eq!(p.history.len(), 6);
    assert_eq!(p.history[2].kind, HistoryKind::Effective);
    assert_eq!(p.history[2].date, date("1989-09-01"));
    assert_eq!(p.published, Some(date("2021-05-28")));
    assert_eq!(p.issuers, ["景宁畲族自治县人民代表大会"]);
    assert_eq!(p.doc_type, DocType::LocalRegulation);

    // An order number from a promulgation line.
    let weisheng = import("laws/cn-reg-huazhuangpinweishengjiandutiaoli/2019-03-02.md");
    assert_eq!(weisheng.proposed.number, Some(number("卫生部令第3号")));
    assert_eq!(
        weisheng.proposed.doc_type,
        DocType::AdministrativeRegulation
    );
    assert_eq!(weisheng.proposed.issuers, ["国务院"]);
    // Its 1990 effective date is the original's: tests/import/dates.rs.
    assert_eq!(weisheng.proposed.effective, None);
}

#[test]
fn repeals_on_real_text() {
    let successor = import("laws/cn-reg-huazhuangpinjianduguanlitiaoli/2020-06-16.md");
    relation(
        &successor,
        RelationKind::Repeals,
        Some("化妆品卫生监督条例"),
        None,
    );
    assert_eq!(successor.proposed.effective, Some(date("2021-01-01")));
    let jiancha = import("laws/cn-law-jianchafa/2018-03-20.md");
    relation(
        &jiancha,
        RelationKind::Repeals,
        Some("中华人民共和国行政监察法"),
        None,
    );
}

#[test]
fn cites_on_real_text() {
    let law = import("laws/cn-law-dongwufangyifa/2007-08-30.txt");
    relation(
        &law,
        RelationKind::Cites,
        Some("中华人民共和国进出境动植物检疫法"),
        None,
    );
    // Without a title line the title is missing, and said to be.
    assert_eq!(law.proposed.title, None);
    assert!(
        law.diagnostics
            .iter()
            .any(|d| d.code == "title" && d.severity == Severity::Warning)
    );
}

// ---- the no-loss invariant, encodings, canonical form ----

#[test]
fn no_text_is_lost_anywhere_in_the_corpus() {
    for path in corpus() {
        let text = std::fs::read_to_string(&path).expect("utf-8 corpus");
        for keep_web_chrome in [false, true] {
            let options = ImportOptions {
                keep_web_chrome,
                ..ImportOptions::default()
            };
            let imported =
                import_file(&path, &options).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            fidelity::check(&text, &imported).unwrap_or_else(|e| {
                panic!("{} (keep chrome {keep_web_chrome}): {e}", path.display())
            });
        }
    }
}

#[test]
fn every_import_is_canonical() {
    for path in corpus() {
        let imported = import_file(&path, &ImportOptions::default()).expect("imports");
        let bytes = canonical::encode_document(&imported.document).expect("encodes");
        let again = canonical::decode_document(&bytes).expect("decodes");
        assert_eq!(again, imported.document, "{}", path.display());
    }
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, had_errors) = GB18030.encode(text);
    assert!(!had_errors, "GB18030 encodes all of Unicode");
    bytes.into_owned()
}

#[test]
fn gbk_crlf_and_bom_variants_import_to_the_same_revision() {
    for path in corpus() {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("utf-8 corpus");
        let options = ImportOptions::default();
        let original = import_bytes(&name, text.as_bytes(), &options).expect("imports");
        let id = original.document.revision_id().expect("encodes");
        let crlf = text.replace('\n', "\r\n");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        for (variant, bytes) in [
            ("GB18030", gbk(&text)),
            ("GB18030 CRLF", gbk(&crlf)),
            ("BOM", bom),
        ] {
            let imported = import_bytes(&name, &bytes, &options)
                .unwrap_or_else(|e| panic!("{name} ({variant}): {e}"));
            assert_eq!(
                imported.document.revision_id().expect("encodes"),
                id,
                "{name} ({variant})"
            );
            assert_eq!(imported.proposed, original.proposed, "{name} ({variant})");
        }
    }
}

#[test]
fn binary_and_truncated_inputs_fail_clearly() {
    let (_, text) = read("laws/cn-law-lifafa/2015-03-15.md");
    let mut bytes = gbk(&text);
    let len = bytes.len();
    // Cut the last character (a 。 at the end, two bytes in GB18030) in half.
    let cut = text.trim_end().len();
    let cut_gbk = gbk(&text[..cut]).len();
    bytes.truncate(cut_gbk - 1);
    let err =
        import_bytes("lifafa-gbk.md", &bytes, &ImportOptions::default()).expect_err("truncated");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "lifafa-gbk.md: undecodable input: truncated GB18030 multibyte sequence at byte {} (not UTF-8 either: invalid sequence at byte 2)",
            cut_gbk - 2
        )),
        "{message}"
    );
    assert!(
        message.ends_with("expected UTF-8 or GB18030 text"),
        "{message}"
    );
    assert!(cut_gbk <= len);

    let mut utf8 = text.as_bytes()[..cut].to_vec();
    utf8.pop();
    let err = import_bytes("lifafa.md", &utf8, &ImportOptions::default()).expect_err("truncated");
    assert_eq!(
        err.to_string(),
        format!(
            "lifafa.md: undecodable input: truncated UTF-8 multibyte sequence at byte {}; expected UTF-8 or GB18030 text",
            cut - 3
        )
    );

    let mut binary = text.as_bytes()[..99].to_vec();
    binary.extend_from_slice(&[0x00, 0x01, 0x02, 0xFF]);
    let err = import_bytes("x.txt", &binary, &ImportOptions::default()).expect_err("binary");
    assert!(
        matches!(err, ImportError::Binary { offset: 99, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "x.txt: binary input: NUL byte at byte 99; expected UTF-8 or GB18030 text"
    );

    let err = import_bytes(
        "big.txt",
        &[b'a'; 100],
        &ImportOptions {
            max_bytes: 10,
            ..ImportOptions::default()
        },
    )
    .expect_err("too large");
    assert_eq!(
        err.to_string(),
        "big.txt: the input is 100 bytes; at most 10 bytes are accepted"
    );
}

#[test]
fn xml_passes_through_validated() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/xml/valid/normative-outline.xml");
    let bytes = std::fs::read(&path).expect("sample");
    let imported = import_file(&path, &ImportOptions::default()).expect("valid sample");
    assert_eq!(
        imported.document,
        canonical::decode_document(&bytes).expect("valid")
    );
    assert_eq!(
        imported.proposed.number,
        Some(number("青政办发〔2025〕3号"))
    );
    assert_eq!(
        imported.proposed.suggested_local.as_deref(),
        Some("qzbf-2025-3")
    );
    relation(
        &imported,
        RelationKind::Basis,
        Some("2025年山东省政务公开工作要点"),
        Some("鲁政办发〔2025〕5号"),
    );
    let bad = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/xml/invalid/unknown-element.xml");
    let err = import_file(&bad, &ImportOptions::default()).expect_err("invalid");
    assert!(
        err.to_string().contains("not a valid wenku document"),
        "{err}"
    );
    // Format by content when the name says nothing.
    let imported =
        import_bytes("inbox/upload", &bytes, &ImportOptions::default()).expect("sniffed");
    assert!(
        imported
            .diagnostics
            .iter()
            .any(|d| d.message == "read as xml")
    );
    let _ = Format::Xml;
}

#[test]
fn explicit_options_override_recognition() {
    let (path, _) = read("seeds/370200-qingdao-2025-05-16-points.txt");
    let options = ImportOptions {
        title: Some("青岛要点".into()),
        number: Some(number("青政办发〔2025〕3号")),
        doc_type: Some(DocType::Normative),
        issuers: vec!["青岛市人民政府".into()],
        published: Some(date("2025-05-20")),
        effective: Some(date("2025-06-01")),
        written: Some(date("2025-05-15")),
        local: Some("qd-points".into()),
        ..ImportOptions::default()
    };
    let imported = import_file(&path, &options).expect("imports");
    let p = &imported.proposed;
    assert_eq!(p.title.as_deref(), Some("青岛要点"));
    assert_eq!(p.number, Some(number("青政办发〔2025〕3号")));
    assert_eq!(p.doc_type, DocType::Normative);
    assert_eq!(p.issuers, ["青岛市人民政府"]);
    assert_eq!(
        (p.published, p.effective),
        (Some(date("2025-05-20")), Some(date("2025-06-01")))
    );
    assert_eq!(p.suggested_local.as_deref(), Some("qd-points"));
    let doc = &imported.document;
    assert_eq!(
        (doc.title.as_str(), doc.doc_type),
        ("青岛要点", DocType::Normative)
    );
    assert_eq!(doc.number, Some(number("青政办发〔2025〕3号")));
    assert_eq!(doc.organs, ["青岛市人民政府"]);
    assert_eq!(doc.written, Some(date("2025-05-15")));
    assert!(imported.diagnostics.iter().any(|d| d.code == "override"));
    // Without a local part, the number suggests one.
    let options = ImportOptions {
        number: Some(number("青政办发[2025]3号")),
        ..ImportOptions::default()
    };
    let imported = import_file(&path, &options).expect("imports");
    assert_eq!(
        imported.proposed.suggested_local.as_deref(),
        Some("qzbf-2025-3")
    );
}

fn dropped(imported: &Imported) -> Vec<(&str, &str)> {
    imported
        .diagnostics
        .iter()
        .filter_map(|d: &Diagnostic| d.dropped.as_deref().map(|x| (d.code, x)))
        .collect()
}

// ---- normative documents ----

/// The level-2 entries under each level-1 entry, as (label of the part,
/// labels of its entries).
fn outline(imported: &Imported) -> Vec<(String, Vec<String>)> {
    imported
        .document
        .units_of(UnitKind::Entry(1))
        .iter()
        .map(|part| {
            let entries = part
                .children
                .iter()
                .filter_map(|b| match b {
                    Block::Unit(u) if u.kind == UnitKind::Entry(2) => u.label.clone(),
                    _ => None,
                })
                .collect();
            (part.label.clone().unwrap_or_default(), entries)
        })
        .collect()
}

fn labels(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn qingdao_points_with_cover_and_numbering_across_parts() {
    let imported = import("seeds/370200-qingdao-2025-05-16-points.txt");
    let p = &imported.proposed;
    assert_eq!(p.title.as_deref(), Some("2025年青岛市政务公开工作要点"));
    assert_eq!(p.issuers, ["青岛市人民政府办公厅"]);
    assert_eq!(p.published, Some(date("2025-05-16")));
    assert_eq!(p.doc_type, DocType::Policy);
    assert_eq!(imported.document.written, Some(date("2025-05-16")));
    let o = outline(&imported);
    assert_eq!(o.len(), 4);
    assert_eq!(
        o.iter().map(|(_, e)| e.len()).collect::<Vec<_>>(),
        [5, 4, 3, 3]
    );
    assert_eq!(
        o[1],
        ("二、".into(), labels(&["(六)", "(七)", "(八)", "(九)"]))
    );
    let numbers: Vec<u32> = imported
        .document
        .units_of(UnitKind::Entry(2))
        .iter()
        .map(|u| u.number.map_or(0, |n| n.main))
        .collect();
    assert_eq!(numbers, (1..=15).collect::<Vec<_>>());
    // Heading and running text shared one line.
    let first = imported.document.units_of(UnitKind::Entry(2))[0];
    assert_eq!(first.heading.as_deref(), Some("完善主动公开机制。"));
    assert!(
        matches!(&first.children[0], Block::Para(t) if t.starts_with("健全主动公开事项目录制度"))
    );
    assert_eq!(
        imported.document.units_of(UnitKind::Entry(1))[0]
            .heading
            .as_deref(),
        Some("加强体制机制建设,推进政务公开规范转型")
    );
    // The cover notice, separated from the document it publishes.
    let Block::Unit(cover) = &imported.document.body[0] else {
        panic!("a cover first");
    };
    assert_eq!(cover.kind, UnitKind::Cover);
    let shape: Vec<&str> = cover
        .children
        .iter()
        .map(|b| match b {
            Block::Addressee(_) => "addressee",
            Block::Para(_) => "p",
            Block::Signature(_) => "signature",
            Block::Note(_) => "note",
            _ => "other",
        })
        .collect();
    assert_eq!(shape, ["addressee", "p", "signature", "note"]);
    assert!(matches!(&cover.children[3], Block::Note(n) if n == "(此件公开发布)"));
    assert!(
        matches!(&imported.document.body[1], Block::Title(t) if t == "2025年青岛市政务公开工作要点")
    );
    // basis: 根据《…》(鲁政办发〔2025〕5号)要求
    relation(
        &imported,
        RelationKind::Basis,
        Some("2025年山东省政务公开工作要点"),
        Some("鲁政办发〔2025〕5号"),
    );
    assert_eq!(p.relations.len(), 1, "{:?}", p.relations);
}

#[test]
fn pingdu_points_restart_numbering_in_each_part() {
    let imported = import("seeds/370283-pingdu-2024-07-16-points.txt");
    let p = &imported.proposed;
    assert_eq!(p.title.as_deref(), Some("2024年平度市政务公开工作要点"));
    assert_eq!(p.issuers, ["平度市人民政府办公室"]);
    assert_eq!(p.published, Some(date("2024-07-16")));
    let o = outline(&imported);
    assert_eq!(
        o.iter().map(|(_, e)| e.len()).collect::<Vec<_>>(),
        [3, 4, 5, 3]
    );
    assert_eq!(o[2].1, labels(&["(一)", "(二)", "(三)", "(四)", "(五)"]));
    relation(
        &imported,
        RelationKind::Basis,
        Some("2024年山东省政务公开工作要点"),
        Some("鲁政办发〔2024〕2号"),
    );
    relation(
        &imported,
        RelationKind::Basis,
        Some("2024年青岛市政务公开工作要点"),
        Some("青政办发〔2024〕2号"),
    );
    assert_eq!(p.suggested_local.as_deref(), Some("2024-zwgkgzyd"));
}

#[test]
fn boshan_plan_implements_the_provincial_points() {
    let imported = import("seeds/370304-boshan-2025-implementation-plan.txt");
    let p = &imported.proposed;
    // The title is split over two lines in the source.
    assert_eq!(
        p.title.as_deref(),
        Some("博山区贯彻落实《2025年山东省政务公开工作要点》实施方案")
    );
    assert_eq!(p.issuers, ["博山区"]);
    assert!(
        imported
            .diagnostics
            .iter()
            .any(|d| d.message.contains("issuer guessed from the title"))
    );
    assert_eq!(p.published, None);
    let o = outline(&imported);
    assert_eq!(o.len(), 3);
    assert_eq!(o.iter().map(|(_, e)| e.len()).sum::<usize>(), 9);
    assert_eq!(o[1], ("二、".into(), labels(&["（五）", "（六）"])));
    relation(
        &imported,
        RelationKind::Implements,
        Some("2025年山东省政务公开工作要点"),
        None,
    );
}

#[test]
fn huaiyin_interpretation() {
    let imported = import("seeds/370104-huaiyin-2025-interpretation.txt");
    let p = &imported.proposed;
    assert_eq!(
        p.title.as_deref(),
        Some("关于《2025年槐荫区政务公开工作要点》的解读")
    );
    assert_eq!(p.doc_type, DocType::Interpretation);
    assert_eq!(p.issuers, ["槐荫区人民政府办公室"]);
    assert_eq!(p.published, None);
    let o = outline(&imported);
    assert_eq!(o.len(), 6);
    let with_entries: Vec<(&str, usize)> = o
        .iter()
        .filter(|(_, e)| !e.is_empty())
        .map(|(l, e)| (l.as_str(), e.len()))
        .collect();
    assert_eq!(with_entries, [("四、", 4), ("五、", 2)]);
    let parts = imported.document.units_of(UnitKind::Entry(1));
    assert_eq!(parts[0].heading.as_deref(), Some("政策背景"));
    // interprets: 关于《X》的解读; the 《要点》 short name is the same document.
    relation(
        &imported,
        RelationKind::Interprets,
        Some("2025年槐荫区政务公开工作要点"),
        None,
    );
    // basis: 起草《要点》的主要依据包含《…》(…)…
    for (title, num) in [
        ("中华人民共和国政府信息公开条例", None),
        (
            "国务院关于加强数字政府建设的指导意见",
            Some("国发〔2022〕14号"),
        ),
        (
            "公共企事业单位信息公开规定制定办法",
            Some("国办发〔2020〕50号"),
        ),
        ("2025年山东省政务公开工作要点", Some("鲁政办发〔2025〕5号")),
        ("2025年济南市政务公开工作要点", Some("济政办发〔2025〕2号")),
    ] {
        relation(&imported, RelationKind::Basis, Some(title), num);
    }
    relation(
        &imported,
        RelationKind::Cites,
        Some("全省主动公开事项目录编制工作方案"),
        None,
    );
    assert_eq!(p.relations.len(), 7);
    // The page chrome is left out and listed.
    assert_eq!(
        dropped(&imported),
        [
            ("web-chrome", "字号:"),
            ("web-chrome", "大 中 小"),
            ("web-chrome", "扫码使用手机浏览本页内容")
        ]
    );
}

#[test]
fn yongchuan_news_page_without_its_chrome() {
    let imported = import("seeds/500118-yongchuan-2025-07-04-news-shandong-points.txt");
    let p = &imported.proposed;
    assert_eq!(
        p.title.as_deref(),
        Some("2025年山东省政务公开有何大动作?政策服务场景等要点全解析")
    );
    assert_eq!(p.published, Some(date("2025-07-04")));
    assert_eq!(p.issuers, ["永川行政服务中心"]);
    assert_eq!(p.doc_type, DocType::Other);
    let chrome: Vec<&str> = dropped(&imported).into_iter().map(|(_, t)| t).collect();
    assert_eq!(chrome.len(), 5);
    assert_eq!(chrome[0], "永川行政服务中心");
    assert!(chrome[1].starts_with("网站首页 要闻动态"));
    assert!(chrome[2].starts_with("更新时间:2025-07-04"));
    assert!(chrome[3].starts_with("文章来源:"));
    assert!(chrome[4].starts_with("上一篇 :"));
    // cites: the article only reports on the provincial points.
    relation(
        &imported,
        RelationKind::Cites,
        Some("2025年山东省政务公开工作要点"),
        None,
    );
    // Asked to, the chrome stays, as notes.
    let (path, _) = read("seeds/500118-yongchuan-2025-07-04-news-shandong-points.txt");
    let kept = import_file(
        &path,
        &ImportOptions {
            keep_web_chrome: true,
            ..ImportOptions::default()
        },
    )
    .expect("imports");
    assert!(dropped(&kept).is_empty());
    assert!(matches!(&kept.document.body[0], Block::Note(n) if n == "永川行政服务中心"));
}

// ---- shapes on small texts ----

/// The body as an indented outline, one line per block.
fn shape(blocks: &[Block], depth: usize, out: &mut Vec<String>) {
    for b in blocks {
        let pad = "  ".repeat(depth);
        match b {
            Block::Unit(u) => {
                let mut head = format!("{pad}{}", u.kind.as_str());
                if let Some(l) = u.kind.level() {
                    head.push_str(&l.to_string());
                }
                if let Some(l) = &u.label {
                    head.push_str(&format!(" {l}"));
                }
                if let Some(h) = &u.heading {
                    head.push_str(&format!(" [{h}]"));
                }
                out.push(head);
                shape(&u.children, depth + 1, out);
            }
            Block::Title(t) => out.push(format!("{pad}title {t}")),
            Block::Note(t) => out.push(format!("{pad}note {t}")),
            Block::Para(t) => out.push(format!("{pad}p {t}")),
            Block::Addressee(t) => out.push(format!("{pad}addressee {t}")),
            Block::Signature(sig) => out.push(format!(
                "{pad}signature {} {}",
                sig.organs.join("/"),
                sig.date
                    .as_ref()
                    .map_or(String::new(), |d| d.value.to_string())
            )),
            Block::Table(t) => out.push(format!("{pad}table {}", t.rows.len())),
        }
    }
}

/// Imports `input` and compares its outline with `expected`.
fn check(input: &str, expected: &[&str]) -> Imported {
    let imported =
        import_bytes("sample.txt", input.as_bytes(), &ImportOptions::default()).expect("imports");
    fidelity::check(input, &imported).expect("no loss");
    let mut got = Vec::new();
    shape(&imported.document.body, 0, &mut got);
    assert_eq!(got, expected, "\n{}", got.join("\n"));
    imported
}

#[test]
fn a_notice_publishing_rules_with_articles() {
    let imported = check(
        "青岛市人民政府办公厅关于印发青岛市政府信息公开办法的通知
青政办发〔2024〕7号
各区、市人民政府，市政府各部门：
　　现将《青岛市政府信息公开办法》印发给你们，请认真贯彻执行。
青岛市人民政府办公厅
2024年3月1日
（此件公开发布）
青岛市政府信息公开办法
第一章　总　　则
第一条　为了规范政府信息公开工作，根据《中华人民共和国政府信息公开条例》，制定本办法。
第二条　本办法自2024年4月1日起施行，有效期至2029年3月31日。
",
        &[
            "cover",
            "  title 青岛市人民政府办公厅关于印发青岛市政府信息公开办法的通知",
            "  note 青政办发〔2024〕7号",
            "  addressee 各区、市人民政府，市政府各部门：",
            "  p 现将《青岛市政府信息公开办法》印发给你们，请认真贯彻执行。",
            "  signature 青岛市人民政府办公厅 2024-03-01",
            "  note （此件公开发布）",
            "title 青岛市政府信息公开办法",
            "chapter 第一章 [总　　则]",
            "  article 第一条",
            "    p 为了规范政府信息公开工作，根据《中华人民共和国政府信息公开条例》，制定本办法。",
            "  article 第二条",
            "    p 本办法自2024年4月1日起施行，有效期至2029年3月31日。",
        ],
    );
    let p = &imported.proposed;
    assert_eq!(p.title.as_deref(), Some("青岛市政府信息公开办法"));
    assert_eq!(p.number, Some(number("青政办发〔2024〕7号")));
    assert_eq!(p.doc_type, DocType::Normative);
    assert_eq!(p.issuers, ["青岛市人民政府办公厅"]);
    assert_eq!(p.published, Some(date("2024-03-01")));
    assert_eq!(p.effective, Some(date("2024-04-01")));
    assert_eq!(p.expires, Some(date("2029-03-31")));
    assert_eq!(p.suggested_local.as_deref(), Some("qzbf-2024-7"));
    relation(
        &imported,
        RelationKind::Basis,
        Some("中华人民共和国政府信息公开条例"),
        None,
    );
    assert_eq!(p.relations.len(), 1);
    // Without a title of its own, the notice's 关于印发X的通知 names it.
    let untitled = "青岛市人民政府办公厅关于印发青岛市政府信息公开办法的通知
各区、市人民政府：
现印发给你们，请认真贯彻执行。
青岛市人民政府办公厅
2024年3月1日
第一条　为了规范政府信息公开工作，制定本办法。
第二条　本办法自印发之日起施行。
";
    let imported =
        import_bytes("n.txt", untitled.as_bytes(), &ImportOptions::default()).expect("imports");
    fidelity::check(untitled, &imported).expect("no loss");
    assert_eq!(
        imported.proposed.title.as_deref(),
        Some("青岛市政府信息公开办法")
    );
    assert_eq!(imported.proposed.effective, Some(date("2024-03-01")));
    assert_eq!(count(&imported, UnitKind::Article), 2);
}

#[test]
fn a_plain_notice_with_addressees_signature_and_attachment() {
    let imported = check(
        "关于做好2025年政务公开工作的通知
各区、市人民政府：
为做好有关工作，现就有关事项通知如下：
一、总体要求
（一）加强领导。各单位要高度重视。
1.明确分工；
（1）按时报送。
二、工作安排
青岛市人民政府办公厅
2025年1月2日
附件1
重点任务分工表
一、完善机制
",
        &[
            "title 关于做好2025年政务公开工作的通知",
            "addressee 各区、市人民政府：",
            "p 为做好有关工作，现就有关事项通知如下：",
            "entry1 一、 [总体要求]",
            "  entry2 （一） [加强领导。]",
            "    p 各单位要高度重视。",
            "    entry3 1.",
            "      p 明确分工；",
            "      entry4 （1）",
            "        p 按时报送。",
            "entry1 二、 [工作安排]",
            "signature 青岛市人民政府办公厅 2025-01-02",
            "attachment 附件1 [重点任务分工表]",
            "  entry1 一、 [完善机制]",
        ],
    );
    assert_eq!(imported.proposed.doc_type, DocType::Notice);
    assert_eq!(imported.proposed.published, Some(date("2025-01-02")));
    assert_eq!(imported.document.written, Some(date("2025-01-02")));
}

#[test]
fn labels_written_with_spaces_and_zero_width_characters() {
    check(
        "第 一 章　总则\n第 一 条　正文。\n（ 一 ）项。\n第\u{200B}二条\u{200B}正文。\n",
        &[
            "chapter 第 一 章 [总则]",
            "  article 第 一 条",
            "    p 正文。",
            "    item （ 一 ）",
            "      p 项。",
            "  article 第\u{200B}二条",
            "    p \u{200B}正文。",
        ],
    );
}

// ---- hostile input ----

/// Characters that exercise every recogniser: labels, brackets, dates,
/// numbers, Markdown, chrome words, blanks, zero-width and control
/// characters.
const ALPHABET: &[&str] = &[
    "第",
    "条",
    "章",
    "节",
    "编",
    "之",
    "一",
    "二",
    "十",
    "百",
    "〇",
    "1",
    "2",
    "０",
    "、",
    "。",
    "，",
    ",",
    ":",
    "：",
    "（",
    "）",
    "(",
    ")",
    "《",
    "》",
    "〈",
    "〉",
    "〔",
    "〕",
    "[",
    "]",
    "号",
    "年",
    "月",
    "日",
    "-",
    ".",
    "．",
    "#",
    "## ",
    "<!-- INFO END -->",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\u{3000}",
    "\u{200B}",
    "\u{FEFF}",
    "\u{A0}",
    "\t",
    "\u{1}",
    "\u{FFFF}",
    "附件",
    "根据",
    "贯彻落实",
    "废止",
    "解读",
    "关于",
    "印发",
    "的通知",
    "此件公开发布",
    "人民政府办公厅",
    "各区:",
    "现印发给你们",
    "目录",
    "上一篇",
    "字号:",
    "大 中 小",
    "网站首页 要闻 动态 政务 公开",
    "更新时间:2025-07-04",
    "通过",
    "修正",
    "鲁政办发",
    "令第",
    "以下简称",
    "A",
    "é",
    "e\u{301}",
    "豈",
];

fn assemble(parts: &[usize]) -> String {
    parts
        .iter()
        .map(|i| ALPHABET[*i % ALPHABET.len()])
        .collect()
}

proptest! {
    // No failure files: a failing case is printed, and the tests stay hermetic.
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048),
                                   format in prop_oneof![Just(None), Just(Some(Format::Text)), Just(Some(Format::Markdown)), Just(Some(Format::Xml))]) {
        let options = ImportOptions { format, ..ImportOptions::default() };
        if let Ok(imported) = import_bytes("fuzz", &bytes, &options)
            && format != Some(Format::Xml) && imported.diagnostics.iter().all(|d| d.message != "read as xml") {
                let decoded = wenku_import::encoding::decode("fuzz", &bytes, None).expect("it decoded once");
                let text = if decoded.had_bom { format!("\u{FEFF}{}", decoded.text) } else { decoded.text };
                prop_assert!(fidelity::check(&text, &imported).is_ok());
            }
    }

    #[test]
    fn structured_noise_loses_no_text(parts in proptest::collection::vec(0usize..1000, 0..400),
                                      markdown in any::<bool>(), keep in any::<bool>()) {
        let text = assemble(&parts);
        let options = ImportOptions {
            format: Some(if markdown { Format::Markdown } else { Format::Text }),
            keep_web_chrome: keep,
            ..ImportOptions::default()
        };
        let imported = match import_bytes("noise", text.as_bytes(), &options) {
            Ok(imported) => imported,
            // Blank input (a leading byte order mark is not text: the
            // decoder removes it), or input all of whose text is left
            // out, is refused; what was left out is still all reported.
            Err(ImportError::Empty { .. })
                if text.strip_prefix('\u{FEFF}').unwrap_or(&text).trim().is_empty() =>
            {
                return Ok(())
            }
            Err(ImportError::NothingKept { diagnostics, .. }) => {
                let significant = |s: &str| -> Vec<char> {
                    let mut v: Vec<char> = unicode_normalization::UnicodeNormalization::nfd(s).filter(|c| !c.is_whitespace()).collect();
                    v.sort_unstable();
                    v
                };
                let dropped: String = diagnostics.iter().filter_map(|d| d.dropped.as_deref()).collect();
                prop_assert_eq!(significant(&dropped), significant(&text));
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("text always imports: {e}\ninput: {text:?}"))),
        };
        if let Err(e) = fidelity::check(&text, &imported) {
            return Err(TestCaseError::fail(format!("{e}\ninput: {text:?}")));
        }
        let bytes = canonical::encode_document(&imported.document).expect("encodes");
        prop_assert_eq!(canonical::decode_document(&bytes).expect("decodes"), imported.document);
    }

    #[test]
    fn mutated_corpus_text_loses_no_text(file in 0usize..64, edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..1000, 0u8..3), 1..40)) {
        let files = corpus();
        let path = &files[file % files.len()];
        let mut chars: Vec<char> = std::fs::read_to_string(path).expect("corpus").chars().collect();
        for (at, piece, op) in edits {
            if chars.is_empty() { break; }
            let i = at.index(chars.len());
            let insert: Vec<char> = assemble(&[piece]).chars().collect();
            match op {
                0 => { chars.remove(i); }
                1 => { chars.splice(i..i, insert); }
                _ => { chars.splice(i..=i, insert); }
            }
        }
        let text: String = chars.into_iter().collect();
        let imported = import_bytes(&path.display().to_string(), text.as_bytes(), &ImportOptions::default())
            .expect("text always imports");
        if let Err(e) = fidelity::check(&text, &imported) {
            return Err(TestCaseError::fail(format!("{}: {e}", path.display())));
        }
    }
}

#[test]
fn large_pathological_inputs_are_linear() {
    // Each would take quadratic time in a naive recogniser; here each is a
    // few megabytes and imports in well under a second in release builds.
    let n = 400_000;
    for text in [
        "《".repeat(n),
        "《a》".repeat(n / 3),
        "根据《a》".repeat(n / 5),
        "（".repeat(n),
        "〔2025〕5号".repeat(n / 8),
        "第一条 ".repeat(n / 4),
        "一、\n".repeat(n / 3),
        "1.\n（1）\n".repeat(n / 6),
        "2025年".repeat(n / 5),
        "a\u{200B}".repeat(n),
        format!("{}\n", "字".repeat(n)),
    ] {
        let imported =
            import_bytes("big.txt", text.as_bytes(), &ImportOptions::default()).expect("imports");
        fidelity::check(&text, &imported).expect("no loss");
    }
}
