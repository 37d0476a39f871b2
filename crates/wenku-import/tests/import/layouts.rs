//! Layouts seen in real collections: YAML front matter on Markdown files,
//! headings and titles printed over two lines.

use wenku_import::{ImportError, ImportOptions, Imported, codes, fidelity, import_bytes};
use wenku_model::{Date, DocNumber, DocType, UnitKind};
use wenku_test_support::paths::corpus_dir;

fn corpus_text(rel: &str) -> String {
    std::fs::read_to_string(corpus_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn import(name: &str, text: &str) -> Result<Imported, ImportError> {
    let imported = import_bytes(name, text.as_bytes(), &ImportOptions::default())?;
    fidelity::check(text, &imported).unwrap_or_else(|e| panic!("{name}: {e}"));
    Ok(imported)
}

#[test]
fn front_matter_carries_the_metadata_of_a_markdown_file() {
    // A static-site collection keeps the 2020 text of 化妆品监督管理条例
    // (the corpus file) under front matter instead of the compilation's
    // header.
    let body = corpus_text("laws/cn-reg-huazhuangpinjianduguanlitiaoli/2020-06-16.md");
    let text = format!(
        "---\ntitle: 化妆品监督管理条例\n文号: 国务院令第七百二十七号\nissuer: 国务院\npublished: 2020-06-16\n施行日期: 2021-01-01\ntags: [化妆品, 监管]\n---\n{body}"
    );
    let imported = import("upload.md", &text).expect("imports");
    let p = &imported.proposed;
    assert_eq!(p.title.as_deref(), Some("化妆品监督管理条例"));
    assert_eq!(p.number, DocNumber::parse("国务院令第727号"));
    assert_eq!(p.issuers, ["国务院"]);
    assert_eq!(p.published, Date::parse_iso("2020-06-16").ok());
    assert_eq!(p.effective, Date::parse_iso("2021-01-01").ok());
    assert_eq!(p.doc_type, DocType::AdministrativeRegulation);
    // The front matter is not the title, and not text.
    assert_eq!(imported.document.title, "化妆品监督管理条例");
    assert_eq!(imported.document.units_of(UnitKind::Article).len(), 80);
    let front: Vec<_> = imported
        .diagnostics
        .iter()
        .filter(|d| d.code == codes::FRONT_MATTER)
        .collect();
    assert!(front.iter().any(|d| d.message.contains("\"tags\"")));
    assert_eq!(front.iter().filter(|d| d.dropped.is_some()).count(), 8);

    // The caller still wins over the front matter.
    let given = ImportOptions {
        title: Some("另一个标题".into()),
        ..ImportOptions::default()
    };
    let imported = import_bytes("upload.md", text.as_bytes(), &given).expect("imports");
    assert_eq!(imported.proposed.title.as_deref(), Some("另一个标题"));
    assert_eq!(imported.proposed.issuers, ["国务院"]);
}

#[test]
fn malformed_front_matter_names_the_file_and_line() {
    let text = "---\ntitle: 某条例\npublished: 2020年13月1日\n---\n# 某条例\n\n第一条 内容。\n";
    let err = import("inbox/x.md", text).expect_err("refused");
    assert!(
        matches!(err, ImportError::FrontMatter { line: 3, .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with("inbox/x.md: line 3: front matter:"),
        "{message}"
    );
    let unclosed = "---\ntitle: 某条例\n# 某条例\n\n第一条 内容。\n";
    let err = import("inbox/y.md", unclosed).expect_err("refused");
    assert!(err.to_string().contains("never closed"), "{err}");
}

#[test]
fn a_title_printed_over_two_lines_is_one_title() {
    // The interpretation attached to the 2016 amending decision, as a bare
    // text starts: its title printed over two lines.
    let source = std::fs::read_to_string(
        wenku_test_support::paths::testdata().join("import/judicial/2016-12-16-spc-feifaxingyi.md"),
    )
    .expect("testdata");
    let start = source
        .find("关于审理非法行医刑事案件具体应用法律\n")
        .expect("the attached text");
    let text = &source[start..];
    let imported = import("feifaxingyi.txt", text).expect("imports");
    assert_eq!(
        imported.proposed.title.as_deref(),
        Some("关于审理非法行医刑事案件具体应用法律若干问题的解释")
    );
    assert_eq!(imported.document.units_of(UnitKind::Article).len(), 6);
    // Nothing of the title is left as a paragraph of its own.
    assert!(!imported.document.body.iter().any(|b| matches!(
        b,
        wenku_model::Block::Para(p) if p == "若干问题的解释"
    )));
}
