//! A short tour of the model: builds a small regulation in two versions,
//! prints the canonical XML and revision ids, and answers "what was in force
//! on date D". Run with `cargo run -p wenku-model --example tour`.

use wenku_model::{
    Block, Date, DocType, Document, Number, Record, Unit, UnitKind, VersionEntry, WorkId,
    canonical, render,
};

fn article(n: u32, paragraphs: &[&str]) -> Block {
    let label = format!("第{}条", wenku_model::numeral::to_chinese(n));
    let mut unit = Unit::new(UnitKind::Article, label, Some(Number::new(n)));
    unit.children = paragraphs
        .iter()
        .map(|p| Block::Para(p.to_string()))
        .collect();
    Block::Unit(unit)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut v1 = Document::new(DocType::LocalRegulation, "示例市物业管理条例");
    v1.organs.push("示例市人民代表大会常务委员会".into());
    v1.body = vec![
        Block::Title("示例市物业管理条例".into()),
        article(1, &["为了规范物业管理活动，制定本条例。"]),
        article(2, &["本条例适用于本市行政区域内的物业管理活动。"]),
    ];
    let mut v2 = v1.clone();
    v2.body.insert(
        2,
        article(2, &["物业管理应当遵循业主自治、专业服务的原则。"]),
    );
    if let Some(Block::Unit(u)) = v2.body.get_mut(3) {
        u.label = Some("第三条".into());
        u.number = Some(Number::new(3));
    }

    let bytes = canonical::encode_document(&v2)?;
    println!(
        "== canonical XML of the second version\n{}",
        String::from_utf8(bytes)?
    );
    println!(
        "== the same version as plain text\n{}",
        render::to_plain_text(&v2)
    );

    let (r1, r2) = (v1.revision_id()?, v2.revision_id()?);
    let mut record = Record::new(
        WorkId::parse("370200/example-wuye")?,
        DocType::LocalRegulation,
        &v1.title,
    );
    // Versions may arrive in any order; the record keeps legal order.
    record.insert_version(VersionEntry::new(r2, Date::parse_iso("2024-09-27")?));
    record.insert_version(VersionEntry::new(r1, Date::parse_iso("2020-04-10")?));
    println!("== versions of {} in legal order", record.work);
    for v in &record.versions {
        println!("  {}  published {}", v.revision.short(), v.published);
    }
    for day in ["2019-01-01", "2021-06-01", "2025-01-01"] {
        let as_of = record.as_of(Date::parse_iso(day)?);
        let text = as_of
            .version
            .map(|v| v.revision.short())
            .unwrap_or_else(|| "-".into());
        println!(
            "  as of {day}: {} ({}), text {text}",
            as_of.status,
            as_of.status.chinese()
        );
    }
    Ok(())
}
