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

/// The blocks of a document that are tables, with the unit they sit in.
fn tables(blocks: &[wenku_model::Block], within: &str, out: &mut Vec<(String, Vec<Vec<String>>)>) {
    for b in blocks {
        match b {
            wenku_model::Block::Table(t) => out.push((within.to_string(), t.rows.clone())),
            wenku_model::Block::Unit(u) => {
                tables(&u.children, u.label.as_deref().unwrap_or(within), out)
            }
            _ => {}
        }
    }
}

#[test]
fn tables_laid_out_in_text_are_tables() {
    // A fee schedule as a Markdown pipe table inside an article, and a
    // responsibility list as columns apart by tabs and ideographic spaces.
    let md = "# 某市城市道路占用收费办法\n\n第一条 为了规范城市道路占用收费，制定本办法。\n\n第二条 收费标准如下：\n\n| 占用类型 | 计费单位 | 收费标准（元） |\n| --- | :---: | ---: |\n| 临时堆放 | 平方米·日 | 2 |\n| 摊点 | 平方米·月 | 30 |\n\n第三条 本办法自2025年1月1日起施行。\n";
    let imported = import("fees.md", md).expect("imports");
    let mut found = Vec::new();
    tables(&imported.document.body, "", &mut found);
    assert_eq!(
        found,
        [(
            "第二条".to_string(),
            vec![
                vec![
                    "占用类型".to_string(),
                    "计费单位".into(),
                    "收费标准（元）".into()
                ],
                vec!["临时堆放".into(), "平方米·日".into(), "2".into()],
                vec!["摊点".into(), "平方米·月".into(), "30".into()],
            ]
        )]
    );
    assert_eq!(imported.document.units_of(UnitKind::Article).len(), 3);
    let table = imported
        .diagnostics
        .iter()
        .find(|d| d.code == codes::TABLE)
        .expect("the table is reported");
    assert_eq!(table.line, Some(7));
    assert!(table.dropped.as_deref().is_some_and(|d| d.contains("---")));
    // It survives the canonical form.
    let bytes = imported.document.to_canonical().expect("encodes");
    let back = wenku_model::canonical::decode_document(&bytes).expect("decodes");
    assert_eq!(back, imported.document);

    let txt = "2025年某区政务公开重点任务分工\n一、任务分工\n（一）重点任务如下。\n序号\t任务\t责任单位\n1\t政策解读\t区政府办公室\n2　　依申请公开　　区司法局\n各部门要按期完成。\n";
    let imported = import("tasks.txt", txt).expect("imports");
    let mut found = Vec::new();
    tables(&imported.document.body, "", &mut found);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "（一）");
    assert_eq!(found[0].1[2], ["2", "依申请公开", "区司法局"]);
    let table = imported
        .diagnostics
        .iter()
        .find(|d| d.code == codes::TABLE)
        .expect("reported");
    assert!(table.dropped.is_none(), "whitespace is not text");
}

#[test]
fn the_closing_paragraph_of_an_outline_is_not_part_of_its_last_entry() {
    // 2024年平度市政务公开工作要点 and 博山区贯彻落实…实施方案 end with a
    // paragraph addressed to every subordinate body after their last
    // outline entry.
    for (rel, opening) in [
        (
            "seeds/370283-pingdu-2024-07-16-points.txt",
            "各镇人民政府、街道办事处",
        ),
        (
            "seeds/370304-boshan-2025-implementation-plan.txt",
            "各镇（街道），开发区",
        ),
    ] {
        let text = corpus_text(rel);
        let imported = import(rel, &text).expect("imports");
        let last = imported
            .document
            .body
            .iter()
            .rev()
            .find_map(|b| match b {
                wenku_model::Block::Para(p) => Some(p.as_str()),
                wenku_model::Block::Unit(u) if u.kind.level().is_some() => Some(""),
                _ => None,
            })
            .unwrap_or_default();
        assert!(
            last.starts_with(opening),
            "{rel}: last top-level block is {last:?}"
        );
        let entries = imported.document.units_of(UnitKind::Entry(2));
        let final_entry = entries.last().expect("entries");
        assert!(
            final_entry.children.iter().all(|b| match b {
                wenku_model::Block::Para(p) => !p.starts_with(opening),
                _ => true,
            }),
            "{rel}"
        );
    }
}
