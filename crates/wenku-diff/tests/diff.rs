//! wenku-diff on hand-made documents: alignment, renumbering, moves,
//! splits and merges, punctuation width, outlines, the JSON schema and
//! snapshots of every rendering.

mod common;
mod corpus;

use common::{Law, entry, filler};
use wenku_diff::render::html::to_html;
use wenku_diff::render::json::to_json;
use wenku_diff::render::table::{to_table_csv, to_table_html, to_table_markdown};
use wenku_diff::render::terminal::to_terminal;
use wenku_diff::{Change, ChangeKind, Comparison, EditOp, Options, Side, compare};
use wenku_model::{Block, Date, DocType, Document, Unit, UnitKind, numeral};

fn diff(old: &Document, new: &Document) -> Comparison {
    let c = compare(old, new, &Options::default());
    check_invariants(&c);
    check_schema(&c);
    c
}

/// Every change but a split's pieces rebuilds both texts from its edits;
/// summary counts add up.
fn check_invariants(c: &Comparison) {
    let s = &c.summary;
    assert_eq!(
        s.unchanged + s.modified + s.added + s.deleted,
        c.changes.len()
    );
    for ch in &c.changes {
        assert!(ch.edits.iter().all(|e| !e.text.is_empty()), "{ch:?}");
        match ch.kind {
            ChangeKind::Added => assert!(ch.from.is_none() && ch.to.is_some()),
            ChangeKind::Deleted => assert!(ch.from.is_some() && ch.to.is_none()),
            _ => assert!(ch.from.is_some() && ch.to.is_some()),
        }
        if ch.kind == ChangeKind::Unchanged {
            assert!(
                ch.edits
                    .iter()
                    .all(|e| e.op == EditOp::Equal || e.punctuation_only)
            );
        }
    }
}

fn schema() -> jsonschema::Validator {
    let text = include_str!("../../../schemas/diff-1.schema.json");
    let schema: serde_json::Value = serde_json::from_str(text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn json(c: &Comparison, from: &Side, to: &Side) -> serde_json::Value {
    serde_json::from_str(&to_json(c, from, to, false)).expect("to_json writes JSON")
}

fn check_schema(c: &Comparison) {
    let from = Side {
        revision: None,
        published: Some(Date::parse_iso("2015-03-15").expect("a date")),
        label: Some("旧".into()),
        ..Side::default()
    };
    let json = json(c, &from, &Side::default());
    let v = schema();
    let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{json:#}");
}

/// Labels of a change: `第六条→第五条`, `+第九条`, `-第八条`.
fn arrow(c: &Change) -> String {
    let l = |u: &Option<wenku_diff::UnitRef>| {
        u.as_ref().and_then(|u| u.label.clone()).unwrap_or_default()
    };
    match c.kind {
        ChangeKind::Added => format!("+{}", l(&c.to)),
        ChangeKind::Deleted => format!("-{}", l(&c.from)),
        _ if l(&c.from) == l(&c.to) => l(&c.to),
        _ => format!("{}→{}", l(&c.from), l(&c.to)),
    }
}

fn articles(c: &Comparison) -> Vec<&Change> {
    c.changes
        .iter()
        .filter(|ch| ch.element == wenku_diff::Element::Unit(UnitKind::Article))
        .collect()
}

fn label(n: u32) -> String {
    format!("第{}条", numeral::to_chinese(n))
}

/// A flat law of articles `texts`, numbered from 1.
fn flat(texts: &[String]) -> Document {
    let mut law = Law::new("示例条例");
    for (i, t) in texts.iter().enumerate() {
        law = law.article(&label(i as u32 + 1), &[t]);
    }
    law.build()
}

#[test]
fn a_deleted_article_renumbers_the_rest_without_changing_them() {
    // The design's example: article 68 deleted, 69–83 become 68–82 unchanged.
    let old_texts: Vec<String> = (1..=83).map(filler).collect();
    let mut new_texts = old_texts.clone();
    new_texts.remove(67);
    let c = diff(&flat(&old_texts), &flat(&new_texts));
    // The title (the first change) and 82 articles.
    assert_eq!(c.changes[0].element, wenku_diff::Element::Title);
    assert_eq!(c.summary.unchanged, 83);
    assert_eq!(c.summary.deleted, 1);
    assert_eq!(c.summary.modified, 0);
    assert_eq!(c.summary.renumbered, 15);
    assert_eq!(arrow(&c.changes[68]), "-第六十八条");
    assert_eq!(arrow(&c.changes[69]), "第六十九条→第六十八条");
    assert_eq!(arrow(&c.changes[83]), "第八十三条→第八十二条");
    assert!(
        c.changes[69..]
            .iter()
            .all(|ch| ch.kind == ChangeKind::Unchanged && ch.renumbered)
    );

    let json = json(&c, &Side::default(), &Side::default());
    let ch = &json["changes"][69];
    assert_eq!(ch["kind"], "unchanged");
    assert_eq!(ch["unit"], "article");
    assert_eq!(ch["from"]["label"], "第六十九条");
    assert_eq!(ch["from"]["number"], 69);
    assert_eq!(ch["to"]["number"], 68);
    assert_eq!(ch["renumbered"], true);
    assert_eq!(json["changes"][68]["to"], serde_json::Value::Null);
}

#[test]
fn inserted_articles_and_a_modified_one() {
    let old_texts: Vec<String> = (1..=20).map(filler).collect();
    let mut new_texts = old_texts.clone();
    new_texts.insert(
        5,
        "国家鼓励和支持社会力量参与物业管理活动，推动物业服务标准化。".into(),
    );
    new_texts.insert(
        6,
        "任何单位和个人不得阻挠、妨碍业主依法成立业主大会。".into(),
    );
    new_texts[12] =
        new_texts[12].replace("及时处理投诉举报", "及时受理并处理投诉举报，反馈处理结果");
    let c = diff(&flat(&old_texts), &flat(&new_texts));
    let a: Vec<String> = articles(&c).iter().map(|ch| arrow(ch)).collect();
    assert_eq!(a[4], "第五条");
    assert_eq!(a[5], "+第六条");
    assert_eq!(a[6], "+第七条");
    assert_eq!(a[7], "第六条→第八条");
    assert_eq!(c.summary.added, 2);
    assert_eq!(c.summary.modified, 1);
    assert_eq!(c.summary.renumbered, 15);
    let modified = &articles(&c)[12];
    assert_eq!(modified.kind, ChangeKind::Modified);
    assert_eq!(arrow(modified), "第十一条→第十三条");
    let inserted: Vec<&str> = modified
        .edits
        .iter()
        .filter(|e| e.op == EditOp::Insert)
        .map(|e| e.text.as_str())
        .collect();
    // The clause slides to start after a comma.
    assert_eq!(inserted, ["受理并", "反馈处理结果，"]);
}

/// `第八条之一`, inserted without renumbering anything: JSON carries 8 and
/// sub 1.
#[test]
fn an_article_zhi_yi_is_inserted_without_renumbering() {
    let t: Vec<String> = (1..=10).map(filler).collect();
    let mut old = Law::new("示例条例");
    let mut new = Law::new("示例条例");
    for (i, text) in t.iter().enumerate() {
        old = old.article(&label(i as u32 + 1), &[text]);
        new = new.article(&label(i as u32 + 1), &[text]);
        if i == 7 {
            new = new.article(
                "第八条之一",
                &["业主可以委托物业服务企业代为收取公共收益，但应当单独列账。"],
            );
        }
    }
    let c = diff(&old.build(), &new.build());
    assert_eq!(c.summary.added, 1);
    assert_eq!(c.summary.renumbered, 0);
    let json = json(&c, &Side::default(), &Side::default());
    let added = &json["changes"][9];
    assert_eq!(added["kind"], "added");
    assert_eq!(added["to"]["label"], "第八条之一");
    assert_eq!(added["to"]["number"], 8);
    assert_eq!(added["to"]["sub"], 1);
    assert!(json["changes"][8]["to"].get("sub").is_none());
}

/// The same regulation written with full-width and with half-width
/// punctuation and different spacing.
#[test]
fn width_only_differences_are_not_substantive() {
    let full: Vec<String> = (1..=30).map(filler).collect();
    let half: Vec<String> = full
        .iter()
        .map(|t| t.replace('，', ", ").replace('。', "。 "))
        .collect();
    let mut old = Law::new("示例条例").chapter("第一章", "总　　则");
    let mut new = Law::new("示例条例").chapter("第一章", "总则");
    for (i, (f, h)) in full.iter().zip(&half).enumerate() {
        old = old.article(&label(i as u32 + 1), &[&format!("（{i}）{f}：")]);
        new = new.article(&label(i as u32 + 1), &[&format!("({i}){h}:")]);
    }
    let c = diff(&old.build(), &new.build());
    assert_eq!(c.summary.modified, 0, "{:#?}", c.summary);
    assert_eq!(c.summary.added + c.summary.deleted, 0);
    // The title is the same; the chapter and the 30 articles differ in
    // width only.
    assert_eq!(c.summary.unchanged, 32);
    assert_eq!(c.summary.punctuation_only, 31);
    assert!(
        c.changes[1..]
            .iter()
            .all(|ch| ch.punctuation_only && ch.kind == ChangeKind::Unchanged)
    );
    // The comparison table has nothing to list, and says so (with a BOM
    // for spreadsheet programs, and the note on what it leaves out).
    assert_eq!(
        to_table_csv(&c),
        "\u{feff}修订前,修订后\r\n两个版本之间没有需要列出的修改。注：31 处仅标点或空白不同，未列入本表。,\r\n"
    );
    let md = to_table_markdown(&c, &Side::default(), &Side::default());
    assert!(md.contains("两个版本之间没有需要列出的修改。"), "{md}");
    let html = to_table_html(&c, &Side::default(), &Side::default());
    assert!(html.contains("两个版本之间没有需要列出的修改。"), "{html}");
}

#[test]
fn zero_width_and_ideographic_spaces_are_whitespace() {
    let old = flat(&["本条例自２０２４年１月１日起施行。".into()]);
    let new = flat(&["本条例自\u{200B}2024年1月1日起施行。 ".into()]);
    let c = diff(&old, &new);
    assert_eq!(c.changes[1].kind, ChangeKind::Unchanged);
    assert!(c.changes[1].punctuation_only);
}

#[test]
fn an_article_moved_to_another_chapter() {
    let t: Vec<String> = (1..=6).map(filler).collect();
    let old = Law::new("示例条例")
        .chapter("第一章", "总则")
        .article("第一条", &[&t[0]])
        .article("第二条", &[&t[1]])
        .article("第三条", &[&t[2]])
        .chapter("第二章", "监督管理")
        .article("第四条", &[&t[3]])
        .article("第五条", &[&t[4]])
        .chapter("第三章", "附则")
        .article("第六条", &[&t[5]])
        .build();
    let new = Law::new("示例条例")
        .chapter("第一章", "总则")
        .article("第一条", &[&t[0]])
        .article("第二条", &[&t[2]])
        .chapter("第二章", "监督管理")
        .article("第三条", &[&t[3]])
        .article("第四条", &[&t[1]])
        .article("第五条", &[&t[4]])
        .chapter("第三章", "附则")
        .article("第六条", &[&t[5]])
        .build();
    let c = diff(&old, &new);
    assert_eq!(c.summary.moved, 1);
    let moved: Vec<&Change> = c.changes.iter().filter(|ch| ch.moved.is_some()).collect();
    assert_eq!(arrow(moved[0]), "第二条→第四条");
    assert_eq!(moved[0].kind, ChangeKind::Unchanged);
    let m = moved[0].moved.as_ref().expect("moved");
    assert_eq!(m.from_parent.label.as_deref(), Some("第一章"));
    assert_eq!(m.to_parent.label.as_deref(), Some("第二章"));
    // Chapters are aligned and unchanged.
    let chapters: Vec<String> = c
        .changes
        .iter()
        .filter(|ch| ch.element.is_division())
        .map(|ch| format!("{}:{}", arrow(ch), ch.kind.as_str()))
        .collect();
    assert_eq!(
        chapters,
        ["第一章:unchanged", "第二章:unchanged", "第三章:unchanged"]
    );
    let json = json(&c, &Side::default(), &Side::default());
    let moved_json = json["changes"]
        .as_array()
        .and_then(|a| a.iter().find(|ch| ch.get("moved").is_some()))
        .expect("a moved change");
    assert_eq!(moved_json["moved"]["from_parent"]["label"], "第一章");
    assert_eq!(moved_json["moved"]["to_parent"]["heading"], "监督管理");
}

#[test]
fn chapters_are_aligned_by_heading_and_content() {
    let t: Vec<String> = (1..=8).map(filler).collect();
    let old = Law::new("示例条例")
        .chapter("第一章", "总则")
        .article("第一条", &[&t[0]])
        .article("第二条", &[&t[1]])
        .chapter("第二章", "物业服务")
        .article("第三条", &[&t[2]])
        .article("第四条", &[&t[3]])
        .chapter("第三章", "法律责任")
        .article("第五条", &[&t[4]])
        .build();
    let new = Law::new("示例条例")
        .chapter("第一章", "总则")
        .article("第一条", &[&t[0]])
        .article("第二条", &[&t[1]])
        .chapter("第二章", "业主大会和业主委员会")
        .article(
            "第三条",
            &["业主大会由物业管理区域内全体业主组成，代表和维护全体业主的合法权益。"],
        )
        .chapter("第三章", "物业服务和管理")
        .article("第四条", &[&t[2]])
        .article("第五条", &[&t[3]])
        .chapter("第四章", "法律责任")
        .article("第六条", &[&t[4]])
        .build();
    let c = diff(&old, &new);
    let chapters: Vec<String> = c
        .changes
        .iter()
        .filter(|ch| ch.element.is_division())
        .map(|ch| format!("{}:{}", arrow(ch), ch.kind.as_str()))
        .collect();
    assert_eq!(
        chapters,
        [
            "第一章:unchanged",
            "+第二章:added",
            "第二章→第三章:modified",
            "第三章→第四章:unchanged"
        ]
    );
    // No article changed chapter.
    assert_eq!(c.summary.moved, 0);
}

#[test]
fn an_article_split_in_two_and_two_merged_into_one() {
    let old = Law::new("示例条例")
        .article("第一条", &["为了规范物业管理活动，维护业主和物业服务企业的合法权益，制定本条例。"])
        .article(
            "第二条",
            &[
                "业主大会由物业管理区域内全体业主组成，代表和维护全体业主在物业管理活动中的合法权益。",
                "业主委员会是业主大会的执行机构，由业主大会选举产生，向业主大会负责并报告工作。",
            ],
        )
        .article("第三条", &["物业服务企业应当按照物业服务合同的约定提供服务。"])
        .article("第四条", &["物业服务企业应当及时公开服务内容、服务标准和收费项目。"])
        .article("第五条", &["本条例自2024年1月1日起施行。"])
        .build();
    let new = Law::new("示例条例")
        .article("第一条", &["为了规范物业管理活动，维护业主和物业服务企业的合法权益，制定本条例。"])
        .article("第二条", &["业主大会由物业管理区域内全体业主组成，代表和维护全体业主在物业管理活动中的合法权益。"])
        .article("第三条", &["业主委员会是业主大会的执行机构，由业主大会依法选举产生，向业主大会负责并报告工作。"])
        .article(
            "第四条",
            &["物业服务企业应当按照物业服务合同的约定提供服务，并及时公开服务内容、服务标准和收费项目。"],
        )
        .article("第五条", &["本条例自2024年1月1日起施行。"])
        .build();
    let c = diff(&old, &new);
    assert_eq!(c.summary.split, 1, "{:#?}", c.changes);
    assert_eq!(c.summary.merged, 1);
    let a = articles(&c);
    assert_eq!(a.len(), 5);
    // 第二条 → 第二条 and 第三条.
    for piece in &a[1..3] {
        assert_eq!(
            piece.from.as_ref().and_then(|u| u.label.as_deref()),
            Some("第二条")
        );
        let into: Vec<&str> = piece
            .split_into
            .iter()
            .filter_map(|u| u.label.as_deref())
            .collect();
        assert_eq!(into, ["第二条", "第三条"]);
    }
    // The second piece's edits show only its own change.
    let inserted: Vec<&str> = a[2]
        .edits
        .iter()
        .filter(|e| e.op == EditOp::Insert)
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(inserted, ["依法"]);
    // 第三条 and 第四条 → 第四条.
    let merged: Vec<&str> = a[3]
        .merged_from
        .iter()
        .filter_map(|u| u.label.as_deref())
        .collect();
    assert_eq!(merged, ["第三条", "第四条"]);
    assert_eq!(
        a[3].new_text(),
        "物业服务企业应当按照物业服务合同的约定提供服务，并及时公开服务内容、服务标准和收费项目。"
    );
    assert_eq!(arrow(a[4]), "第五条");
    let json = json(&c, &Side::default(), &Side::default());
    assert_eq!(json["summary"]["split"], 1);
    assert_eq!(json["changes"][4]["merged_from"][1]["label"], "第四条");
}

fn outline(entries: Vec<Unit>) -> Document {
    let mut doc = Document::new(DocType::Policy, "政务公开工作要点");
    doc.body
        .push(Block::Para("根据有关要求，制定本要点。".into()));
    doc.body.extend(entries.into_iter().map(Block::Unit));
    doc
}

#[test]
fn outline_entries_align_and_move_between_parents() {
    let old = outline(vec![
        entry(
            1,
            "一、",
            "加强体制机制建设",
            &[],
            vec![
                entry(
                    2,
                    "（一）",
                    "完善主动公开机制。",
                    &["健全主动公开事项目录制度，分层级分领域梳理形成目录。"],
                    vec![],
                ),
                entry(
                    2,
                    "（二）",
                    "提高依申请公开办理效能。",
                    &["规范做好依申请公开全流程办理，畅通受理渠道。"],
                    vec![],
                ),
            ],
        ),
        entry(
            1,
            "二、",
            "强化数字科技赋能",
            &[],
            vec![entry(
                2,
                "（三）",
                "推进政务公开数字化转型。",
                &["加快政府网站集约化建设。"],
                vec![],
            )],
        ),
    ]);
    let new = outline(vec![
        entry(
            1,
            "一、",
            "加强体制机制建设",
            &[],
            vec![entry(
                2,
                "（一）",
                "完善主动公开机制。",
                &["健全主动公开事项目录制度，分层级分领域梳理形成并动态更新目录。"],
                vec![],
            )],
        ),
        entry(
            1,
            "二、",
            "强化数字科技赋能",
            &[],
            vec![
                entry(
                    2,
                    "（二）",
                    "推进政务公开数字化转型。",
                    &["加快政府网站集约化建设。"],
                    vec![],
                ),
                entry(
                    2,
                    "（三）",
                    "提高依申请公开办理效能。",
                    &["规范做好依申请公开全流程办理，畅通受理渠道。"],
                    vec![],
                ),
            ],
        ),
    ]);
    let c = diff(&old, &new);
    let shown: Vec<String> = c
        .changes
        .iter()
        .map(|ch| {
            format!(
                "{} {}{}",
                arrow(ch),
                ch.kind.as_str(),
                if ch.moved.is_some() { " moved" } else { "" }
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            " unchanged",
            "一、 unchanged",
            "（一） modified",
            "二、 unchanged",
            "（三）→（二） unchanged",
            "（二）→（三） unchanged moved",
        ]
    );
    let json = json(&c, &Side::default(), &Side::default());
    assert_eq!(json["changes"][0]["unit"], "paragraph");
    assert_eq!(json["changes"][2]["unit"], "entry");
    assert_eq!(json["changes"][2]["to"]["level"], 2);
    assert_eq!(json["changes"][5]["moved"]["from_parent"]["label"], "一、");
    assert_eq!(json["changes"][5]["moved"]["to_parent"]["label"], "二、");
}

/// Two cities' regulations on one subject: different works, aligned all
/// the same.
#[test]
fn two_cities_regulations() {
    let hangzhou = Law::new("杭州市物业管理条例")
        .article("第一条", &["为了规范物业管理活动，维护业主、物业使用人和物业服务人的合法权益，根据有关法律、法规，结合本市实际，制定本条例。"])
        .article("第二条", &["本条例适用于本市行政区域内的物业管理活动及其监督管理。"])
        .article("第三条", &["市住房保障和房产管理部门是本市物业管理的行政主管部门。"])
        .article("第四条", &["鼓励物业服务人采用新技术、新方法，提高物业管理和服务水平。"])
        .build();
    let ningbo = Law::new("宁波市住宅小区物业管理条例")
        .article("第一条", &["为了规范住宅小区物业管理活动，维护业主、物业使用人和物业服务人的合法权益，根据有关法律、法规，结合本市实际，制定本条例。"])
        .article("第二条", &["本条例适用于本市行政区域内住宅小区的物业管理活动及其监督管理。"])
        .article("第三条", &["市住房和城乡建设主管部门是本市物业管理的行政主管部门。"])
        .article("第四条", &["业主大会、业主委员会应当依法履行职责，不得作出与物业管理无关的决定。"])
        .build();
    let c = diff(&hangzhou, &ningbo);
    let kinds: Vec<&str> = c.changes.iter().map(|ch| ch.kind.as_str()).collect();
    // The titles first; the unmatched old 第四条 shows where it stood,
    // before the new one.
    assert_eq!(
        kinds,
        [
            "modified", "modified", "modified", "modified", "deleted", "added"
        ]
    );
    assert!(c.changes[..4].iter().all(|ch| !ch.renumbered));
}

#[test]
fn empty_documents() {
    let empty = Document::new(DocType::Law, "空");
    let c = diff(&empty, &empty);
    assert!(c.changes.is_empty());
    let one = flat(&["本法自公布之日起施行。".into()]);
    // The title and the article.
    let c = diff(&empty, &one);
    assert_eq!(c.summary.added, 2);
    let c = diff(&one, &empty);
    assert_eq!(c.summary.deleted, 2);
}

#[test]
fn schema_rejects_malformed_documents() {
    let v = schema();
    let dir = wenku_test_support::paths::testdata().join("diff");
    let mut seen = 0;
    for (sub, valid) in [("valid", true), ("invalid", false)] {
        let mut paths: Vec<_> = std::fs::read_dir(dir.join(sub))
            .expect("testdata/diff exists")
            .map(|e| e.expect("a directory entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("a sample");
            let json: serde_json::Value = serde_json::from_str(&text).expect("samples are JSON");
            assert_eq!(v.is_valid(&json), valid, "{}", path.display());
            seen += 1;
        }
    }
    assert!(seen >= 6);
}

/// 立法法 2015 → 2023, the first articles: a split (第三条), a new first
/// paragraph, insertions, renumbering and a new item text.
fn lifafa_excerpt() -> (Document, Document) {
    let old = Law::new("中华人民共和国立法法")
        .chapter("第一章", "总则")
        .article("第一条", &["为了规范立法活动，健全国家立法制度，提高立法质量，完善中国特色社会主义法律体系，发挥立法的引领和推动作用，保障和发展社会主义民主，全面推进依法治国，建设社会主义法治国家，根据宪法，制定本法。"])
        .article("第三条", &["立法应当遵循宪法的基本原则，以经济建设为中心，坚持社会主义道路、坚持人民民主专政、坚持中国共产党的领导、坚持马克思列宁主义毛泽东思想邓小平理论，坚持改革开放。"])
        .article("第四条", &["立法应当依照法定的权限和程序，从国家整体利益出发，维护社会主义法制的统一和尊严。"])
        .article("第五条", &["立法应当体现人民的意志，发扬社会主义民主，坚持立法公开，保障人民通过多种途径参与立法活动。"])
        .article("第六条", &["立法应当从实际出发，适应经济社会发展和全面深化改革的要求，科学合理地规定公民、法人和其他组织的权利与义务、国家机关的权力与责任。", "法律规范应当明确、具体，具有针对性和可执行性。"])
        .chapter("第二章", "法律")
        .section("第一节", "立法权限")
        .article("第八条", &["下列事项只能制定法律:"])
        .item("（一）", "国家主权的事项；")
        .item("（二）", "各级人民代表大会、人民政府、人民法院和人民检察院的产生、组织和职权；")
        .build();
    let new = Law::new("中华人民共和国立法法")
        .chapter("第一章", "总则")
        .article("第一条", &["为了规范立法活动，健全国家立法制度，提高立法质量，完善中国特色社会主义法律体系，发挥立法的引领和推动作用，保障和发展社会主义民主，全面推进依法治国，建设社会主义法治国家，根据宪法，制定本法。"])
        .article("第三条", &["立法应当坚持中国共产党的领导，坚持以马克思列宁主义、毛泽东思想、邓小平理论、“三个代表”重要思想、科学发展观、习近平新时代中国特色社会主义思想为指导，推进中国特色社会主义法治体系建设，保障在法治轨道上全面建设社会主义现代化国家。"])
        .article("第四条", &["立法应当坚持以经济建设为中心，坚持改革开放，贯彻新发展理念，保障以中国式现代化全面推进中华民族伟大复兴。"])
        .article("第五条", &["立法应当符合宪法的规定、原则和精神，依照法定的权限和程序，从国家整体利益出发，维护社会主义法制的统一、尊严、权威。"])
        .article("第六条", &["立法应当坚持和发展全过程人民民主，尊重和保障人权，保障和促进社会公平正义。", "立法应当体现人民的意志，发扬社会主义民主，坚持立法公开，保障人民通过多种途径参与立法活动。"])
        .article("第七条", &["立法应当从实际出发，适应经济社会发展和全面深化改革的要求，科学合理地规定公民、法人和其他组织的权利与义务、国家机关的权力与责任。", "法律规范应当明确、具体，具有针对性和可执行性。"])
        .article("第八条", &["立法应当倡导和弘扬社会主义核心价值观，坚持依法治国和以德治国相结合，铸牢中华民族共同体意识，推动社会主义精神文明建设。"])
        .chapter("第二章", "法律")
        .section("第一节", "立法权限")
        .article("第十一条", &["下列事项只能制定法律："])
        .item("（一）", "国家主权的事项；")
        .item("（二）", "各级人民代表大会、人民政府、监察委员会、人民法院和人民检察院的产生、组织和职权；")
        .build();
    (old, new)
}

fn sides() -> (Side, Side) {
    let side = |date: &str| Side {
        revision: None,
        published: Some(Date::parse_iso(date).expect("a date")),
        label: Some("中华人民共和国立法法".into()),
        ..Side::default()
    };
    (side("2015-03-15"), side("2023-03-13"))
}

#[test]
fn lifafa_excerpt_reads_as_a_person_would() {
    let (old, new) = lifafa_excerpt();
    let c = diff(&old, &new);
    let shown: Vec<String> = c
        .changes
        .iter()
        .map(|ch| format!("{} {}", arrow(ch), ch.kind.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            " unchanged",
            "第一章 unchanged",
            "第一条 unchanged",
            "第三条 modified",
            "+第四条 added",
            "第四条→第五条 modified",
            "第五条→第六条 modified",
            "第六条→第七条 unchanged",
            "+第八条 added",
            "第二章 unchanged",
            "第一节 unchanged",
            "第八条→第十一条 modified",
        ]
    );
    // The colon after 只能制定法律 changed width only; the item gained 监察委员会.
    let last = c.changes.last().expect("changes");
    let ins: Vec<(&str, bool)> = last
        .edits
        .iter()
        .filter(|e| e.op == EditOp::Insert)
        .map(|e| (e.text.as_str(), e.punctuation_only))
        .collect();
    assert_eq!(ins, [("：", true), ("监察委员会、", false)]);
}

#[test]
fn snapshots() {
    let (old, new) = lifafa_excerpt();
    let c = compare(&old, &new, &Options::default());
    let (from, to) = sides();
    insta::assert_snapshot!("terminal", to_terminal(&c, &from, &to, false));
    insta::assert_snapshot!(
        "terminal_color",
        to_terminal(&c, &from, &to, true).replace('\x1b', "\\e")
    );
    insta::assert_snapshot!("html", to_html(&c, &from, &to));
    insta::assert_snapshot!("table_html", to_table_html(&c, &from, &to));
    insta::assert_snapshot!("table_markdown", to_table_markdown(&c, &from, &to));
    insta::assert_snapshot!("table_csv", to_table_csv(&c));
    insta::assert_snapshot!("json", to_json(&c, &from, &to, true));
}

#[test]
fn the_summary_line_counts_articles_not_headings() {
    let old = Law::new("条例")
        .chapter("第一章", "总则")
        .article("第一条", &["为了规范管理，制定本条例。"])
        .article("第二条", &["本条例适用于本市。"])
        .chapter("第二章", "附则")
        .article("第三条", &["本条例自公布之日起施行。"])
        .build();
    let new = Law::new("条例")
        .chapter("第一章", "一般规定")
        .article("第一条", &["为了规范管理，制定本条例。"])
        .article("第二条", &["本条例适用于本市。"])
        .chapter("第二章", "附则")
        .article("第三条", &["本条例自公布之日起施行。"])
        .build();
    let c = diff(&old, &new);
    // The JSON's summary counts every change, the title and divisions
    // included.
    assert_eq!(c.summary.unchanged + c.summary.modified, 6);
    let text = to_terminal(&c, &Side::default(), &Side::default(), false);
    let summary = text.lines().nth(2).expect("a summary line");
    assert!(summary.starts_with("未变 3 · 修改 0 ·"), "{summary}");
    assert!(summary.ends_with(" · 章节标题变动 1"), "{summary}");
}

/// 专利法实施细则 2010 → 2023 replaced 第八十条 (业务指导) by a new text on
/// the same place (now 第九十六条, on 在全国有重大影响的专利侵权纠纷); the
/// first sentence of each, between unchanged neighbours.
fn rewritten_in_place() -> (Document, Document) {
    let old = Law::new("示例细则")
        .article("第一条", &[&filler(1)])
        .article("第二条", &[&filler(2)])
        .article(
            "第三条",
            &["国务院专利行政部门应当对管理专利工作的部门处理专利侵权纠纷、查处假冒专利行为、调解专利纠纷进行业务指导。"],
        )
        .article("第四条", &[&filler(4)])
        .article("第五条", &[&filler(5)])
        .build();
    let new = Law::new("示例细则")
        .article("第一条", &[&filler(1)])
        .article(
            "第二条",
            &["国家鼓励和支持社会力量参与物业管理活动，推动物业服务标准化。"],
        )
        .article("第三条", &[&filler(2)])
        .article(
            "第四条",
            &["有下列情形之一的，属于专利法第七十条所称的在全国有重大影响的专利侵权纠纷："],
        )
        .item("（一）", "涉及重大公共利益的；")
        .item("（二）", "国务院专利行政部门认为可能有重大影响的其他情形。")
        .article("第五条", &[&filler(4)])
        .article("第六条", &[&filler(5)])
        .build();
    (old, new)
}

#[test]
fn an_article_rewritten_in_place_is_one_modification() {
    let (old, new) = rewritten_in_place();
    let c = diff(&old, &new);
    let shown: Vec<String> = articles(&c)
        .iter()
        .map(|ch| format!("{} {}", arrow(ch), ch.kind.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            "第一条 unchanged",
            "+第二条 added",
            "第二条→第三条 unchanged",
            "第三条→第四条 modified",
            "第四条→第五条 unchanged",
            "第五条→第六条 unchanged",
        ]
    );
    let rewritten = articles(&c)[3];
    assert!(rewritten.rewritten);
    assert!(rewritten.renumbered);
    let similarity = rewritten.similarity.expect("a similarity");
    assert!(similarity < 0.4, "{similarity}");
    // The old text is replaced whole, not diffed into scattered pieces.
    let ops: Vec<EditOp> = rewritten.edits.iter().map(|e| e.op).collect();
    assert_eq!(ops, [EditOp::Delete, EditOp::Insert]);
    assert_eq!(rewritten.old_text(), old_text_of(&old, 2));
    assert_eq!(
        (c.summary.rewritten, c.summary.modified, c.summary.added),
        (1, 1, 1)
    );

    // Every output says so, and the table has one row for it.
    let json = json(&c, &Side::default(), &Side::default());
    assert_eq!(json["summary"]["rewritten"], 1);
    assert_eq!(json["changes"][4]["rewritten"], true);
    assert!(json["changes"][3].get("rewritten").is_none());
    let text = to_terminal(&c, &Side::default(), &Side::default(), false);
    assert!(text.contains("修改 第三条 → 第四条  [全文改写]"), "{text}");
    assert!(text.contains(" · 改写 1"), "{text}");
    let html = to_html(&c, &Side::default(), &Side::default());
    assert!(html.contains("class=\"modified rewritten\""), "{html}");
    assert!(
        html.contains("<span class=\"note\">全文改写</span>"),
        "{html}"
    );
    let csv = to_table_csv(&c);
    let rows: Vec<&str> = csv.split("\r\n").collect();
    // The header, 第二条, 第三条 → 第四条, the note on renumbering, the end.
    assert_eq!(rows.len(), 5, "{csv}");
    assert!(
        rows[2].starts_with("第三条　国务院专利行政部门")
            && rows[2].contains(",\"第四条（全文改写）　有下列情形"),
        "{csv}"
    );
    let md = to_table_markdown(&c, &Side::default(), &Side::default());
    assert!(md.contains("| 第四条（全文改写）　<ins>有下列情形"), "{md}");
    let table = to_table_html(&c, &Side::default(), &Side::default());
    // The head row, 第二条, 第三条 → 第四条.
    assert_eq!(table.matches("<tr>").count(), 3, "{table}");
}

/// The old text of the `k`-th article of `doc`.
fn old_text_of(doc: &Document, k: usize) -> String {
    let articles = doc.units_of(UnitKind::Article);
    articles[k]
        .children
        .iter()
        .filter_map(|b| match b {
            Block::Para(p) => Some(p.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A revision that drops one article and adds an unrelated one elsewhere
/// keeps them apart; so does one that puts a text sharing nothing with
/// the old one on its place, and one where the place holds two new
/// articles.
#[test]
fn unrelated_articles_stay_deleted_and_added() {
    let (old, _) = rewritten_in_place();
    let rule = |label: &str, text: &str| (label.to_string(), text.to_string());
    let build = |articles: Vec<(String, String)>| {
        let mut law = Law::new("示例细则");
        for (label, text) in &articles {
            law = law.article(label, &[text]);
        }
        law.build()
    };
    let unrelated = "规模较小或者股东人数较少的股份有限公司，可以不设董事会，设一名董事，行使本法规定的董事会的职权。";
    // On the place of 第三条, this would be a rewrite (see above).
    let rewrite = "有下列情形之一的，属于专利法第七十条所称的在全国有重大影响的专利侵权纠纷：（一）涉及重大公共利益的；（二）国务院专利行政部门认为可能有重大影响的其他情形。";
    let elsewhere = build(vec![
        rule("第一条", &filler(1)),
        rule("第二条", &filler(2)),
        rule("第三条", &filler(4)),
        rule("第四条", &filler(5)),
        rule("第五条", rewrite),
    ]);
    let nothing_shared = build(vec![
        rule("第一条", &filler(1)),
        rule("第二条", &filler(2)),
        rule("第三条", unrelated),
        rule("第四条", &filler(4)),
        rule("第五条", &filler(5)),
    ]);
    let two_new = build(vec![
        rule("第一条", &filler(1)),
        rule("第二条", &filler(2)),
        rule("第三条", rewrite),
        rule("第四条", unrelated),
        rule("第五条", &filler(4)),
        rule("第六条", &filler(5)),
    ]);
    for new in [elsewhere, nothing_shared, two_new] {
        let c = diff(&old, &new);
        assert_eq!(c.summary.rewritten, 0, "{:#?}", c.changes);
        assert_eq!(c.summary.modified, 0, "{:#?}", c.changes);
        assert_eq!(c.summary.deleted, 1);
        assert!(c.changes.iter().all(|ch| !ch.rewritten));
    }
}

/// A chapter heading that differs only in spacing (`总　　则` / `总则`):
/// the HTML note follows the heading, it does not stand between
/// `第一章` and `总则`.
#[test]
fn a_width_note_never_splits_a_chapter_heading() {
    let old = Law::new("示例条例")
        .chapter("第一章", "总　　则")
        .article("第一条", &[&filler(1)])
        .build();
    let new = Law::new("示例条例")
        .chapter("第一章", "总则")
        .article("第一条", &[&filler(1)])
        .build();
    let c = diff(&old, &new);
    assert!(c.changes[1].punctuation_only);
    let html = to_html(&c, &Side::default(), &Side::default());
    assert!(
        html.contains(
            "<td class=\"new\" style=\"padding-left:0.6em\"><p><span class=\"label\">第一章</span>　总则<span class=\"note\">仅标点或空白不同</span></p></td>"
        ),
        "{html}"
    );
    assert!(
        !html.contains("第一章</span><span class=\"note\">"),
        "{html}"
    );
    // An article's notes still follow its label.
    let (old, new) = rewritten_in_place();
    let html = to_html(&diff(&old, &new), &Side::default(), &Side::default());
    assert!(
        html.contains(
            "<span class=\"label\">第三条 → 第四条</span><span class=\"note\">全文改写</span>　"
        ),
        "{html}"
    );
}
