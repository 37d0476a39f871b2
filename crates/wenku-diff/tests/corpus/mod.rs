//! wenku-diff on the real laws in `testdata/corpus/laws/` (copied from the
//! shared corpus with the importer), read through wenku-import.
//!
//! For every pair the expectations below were written by reading both
//! texts side by side: the articles named as added were looked up in the
//! old text and are not there (searching for a distinctive phrase of each),
//! the deleted ones were looked up in the new text, and the splits,
//! merges and moves were read article against article. Counts that depend
//! on judgement (is a heavily rewritten article "modified" or "deleted and
//! added"?) are asserted within ranges that a careful reader's count falls
//! in; facts that do not (inserted articles, renumbering after them) are
//! asserted exactly.

use wenku_test_support::paths::corpus_dir;

use wenku_diff::{Change, ChangeKind, Comparison, Element, Options, compare};
use wenku_model::{Document, UnitKind};

/// Imports `testdata/corpus/laws/<path>`.
fn law(path: &str) -> Document {
    let file = corpus_dir().join("laws").join(path);
    wenku_import::import_file(&file, &wenku_import::ImportOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .document
}

/// A comparison with questions about its articles.
struct Pair {
    c: Comparison,
    old_articles: usize,
    new_articles: usize,
}

fn pair(old: &str, new: &str) -> Pair {
    let (a, b) = (law(old), law(new));
    let c = compare(&a, &b, &Options::default());
    super::check_invariants(&c);
    super::check_schema(&c);
    Pair {
        old_articles: a.units_of(UnitKind::Article).len(),
        new_articles: b.units_of(UnitKind::Article).len(),
        c,
    }
}

fn label(u: &Option<wenku_diff::UnitRef>) -> String {
    u.as_ref().map(|u| u.display_label()).unwrap_or_default()
}

fn labels(units: &[wenku_diff::UnitRef]) -> String {
    units
        .iter()
        .map(|u| u.display_label())
        .collect::<Vec<_>>()
        .join("、")
}

impl Pair {
    fn articles(&self) -> impl Iterator<Item = &Change> {
        self.c
            .changes
            .iter()
            .filter(|c| c.element == Element::Unit(UnitKind::Article))
    }

    fn count(&self, kind: ChangeKind) -> usize {
        self.articles().filter(|c| c.kind == kind).count()
    }

    fn renumbered(&self) -> usize {
        self.articles().filter(|c| c.renumbered).count()
    }

    /// New labels of the added articles, in order.
    fn added(&self) -> Vec<String> {
        self.articles()
            .filter(|c| c.kind == ChangeKind::Added)
            .map(|c| label(&c.to))
            .collect()
    }

    /// Old labels of the deleted articles, in order.
    fn deleted(&self) -> Vec<String> {
        self.articles()
            .filter(|c| c.kind == ChangeKind::Deleted)
            .map(|c| label(&c.from))
            .collect()
    }

    /// What the old article became: `modified 第五条`, `unchanged 第七条`,
    /// `deleted`.
    fn became(&self, old: &str) -> String {
        let c = self
            .articles()
            .find(|c| {
                label(&c.from) == old || c.merged_from.iter().any(|u| u.display_label() == old)
            })
            .unwrap_or_else(|| panic!("no change from {old}"));
        format!("{} {}", c.kind.as_str(), label(&c.to))
            .trim_end()
            .to_string()
    }

    /// `第二十二条 → 第二十五条、第二十六条`, once per split.
    fn splits(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .articles()
            .filter(|c| !c.split_into.is_empty())
            .map(|c| format!("{} → {}", label(&c.from), labels(&c.split_into)))
            .collect();
        out.dedup();
        out
    }

    /// `第八十三条、第八十四条 → 第九十七条`.
    fn merges(&self) -> Vec<String> {
        self.articles()
            .filter(|c| !c.merged_from.is_empty())
            .map(|c| format!("{} → {}", labels(&c.merged_from), label(&c.to)))
            .collect()
    }

    /// `第六条 → 第二十九条 (第一章 → 第二章)`.
    fn moves(&self) -> Vec<String> {
        self.articles()
            .filter_map(|c| {
                let m = c.moved.as_ref()?;
                Some(format!(
                    "{} → {} ({} → {})",
                    label(&c.from),
                    label(&c.to),
                    m.from_parent.display_label(),
                    m.to_parent.display_label()
                ))
            })
            .collect()
    }

    /// Chapters and sections that are not simply unchanged in place:
    /// `+第二章 公司登记`, `-第三节`, `第五章→第六章 modified`.
    fn divisions(&self) -> Vec<String> {
        self.c
            .changes
            .iter()
            .filter(|c| c.element.is_division())
            .filter(|c| c.kind != ChangeKind::Unchanged || c.renumbered)
            .map(|c| match c.kind {
                ChangeKind::Added => format!(
                    "+{} {}",
                    label(&c.to),
                    c.to.as_ref()
                        .and_then(|u| u.heading.clone())
                        .unwrap_or_default()
                ),
                ChangeKind::Deleted => format!("-{}", label(&c.from)),
                kind => format!("{}→{} {}", label(&c.from), label(&c.to), kind.as_str()),
            })
            .collect()
    }

    /// Asserts article counts: every old article is accounted for once
    /// (aligned, deleted or merged) and every new one too.
    fn check_totals(&self) {
        let new_side = self.articles().filter(|c| c.to.is_some()).count();
        assert_eq!(
            new_side, self.new_articles,
            "every new article appears once"
        );
        let old_side: usize = self
            .articles()
            .map(|c| {
                if !c.merged_from.is_empty() {
                    c.merged_from.len()
                } else if c.split_into.len() > 1 {
                    // Each piece names the same old article.
                    usize::from(label(&c.to) == c.split_into[0].display_label())
                } else {
                    usize::from(c.from.is_some())
                }
            })
            .sum();
        assert_eq!(
            old_side, self.old_articles,
            "every old article appears once"
        );
    }
}

fn within(what: &str, n: usize, range: std::ops::RangeInclusive<usize>) {
    assert!(range.contains(&n), "{what}: {n} not in {range:?}");
}

/// 公司法 2018 → 2023: a complete revision, 218 → 266 articles. Read side
/// by side: a new chapter 第二章 公司登记 and a new chapter 第七章
/// 国家出资公司组织机构的特别规定; the sections 一人有限责任公司 and
/// 国有独资公司 are dissolved (the 国有独资 articles moved to the new 第七章);
/// 第二十二条 (invalid and voidable resolutions) became 第二十五条 and
/// 第二十六条; 第八十三条 and 第八十四条 (the two ways of founding a joint
/// stock company) became 第九十七条. Few articles kept their text; almost
/// none kept their number.
#[test]
fn gongsifa_2018_2023() {
    let p = pair(
        "cn-law-gongsifa/2018-10-26.md",
        "cn-law-gongsifa/2023-12-29.md",
    );
    assert_eq!((p.old_articles, p.new_articles), (218, 266));
    p.check_totals();
    within("unchanged", p.count(ChangeKind::Unchanged), 20..=40);
    within("modified", p.count(ChangeKind::Modified), 145..=180);
    within("added", p.count(ChangeKind::Added), 60..=90);
    within("deleted", p.count(ChangeKind::Deleted), 15..=40);
    within("renumbered", p.renumbered(), 180..=215);
    assert_eq!(p.became("第一条"), "modified 第一条");
    assert_eq!(p.became("第十一条"), "modified 第五条"); // 公司章程
    assert_eq!(p.became("第二百一十八条"), "modified 第二百六十六条"); // commencement, with transition rules
    assert!(
        p.splits()
            .contains(&"第二十二条 → 第二十五条、第二十六条".to_string()),
        "{:?}",
        p.splits()
    );
    assert!(
        p.splits()
            .contains(&"第一百四十七条 → 第一百七十九条、第一百八十条".to_string())
    );
    assert_eq!(p.merges(), ["第八十三条、第八十四条 → 第九十七条"]);
    let moves = p.moves();
    for m in [
        "第六条 → 第二十九条 (第一章 → 第二章)",
        "第六十六条 → 第一百七十二条 (第二章 → 第七章)",
        "第六十九条 → 第一百七十五条 (第二章 → 第七章)",
    ] {
        assert!(moves.contains(&m.to_string()), "{m} not in {moves:#?}");
    }
    let d = p.divisions();
    for x in [
        "+第二章 公司登记",
        "+第七章 国家出资公司组织机构的特别规定",
        "-第三节",
        "-第四节",
        "第十三章→第十五章 unchanged",
    ] {
        assert!(d.contains(&x.to_string()), "{x} not in {d:#?}");
    }
}

/// 立法法 2015 → 2023: an amendment inserting articles (105 → 120). Read
/// side by side: 14 articles are new (第四条, 第八条, 第九条 on principles;
/// 第五十五条, 第六十八条, 第七十条, 第七十一条 on NPC legislation; 第七十九条,
/// 第八十三条, 第九十条; 第一百一十一条, 第一百一十五条, 第一百一十六条 on
/// record review; 第一百一十八条 on supervision regulations); 2015
/// 第七十二条 was split into 2023 第八十条 and 第八十一条; nothing was
/// deleted. Every article after 第三条 is renumbered.
#[test]
fn lifafa_2015_2023() {
    let p = pair("cn-law-lifafa/2015-03-15.md", "cn-law-lifafa/2023-03-13.md");
    assert_eq!((p.old_articles, p.new_articles), (105, 120));
    p.check_totals();
    assert_eq!(
        p.added(),
        [
            "第四条",
            "第八条",
            "第九条",
            "第五十五条",
            "第六十八条",
            "第七十条",
            "第七十一条",
            "第七十九条",
            "第八十三条",
            "第九十条",
            "第一百一十一条",
            "第一百一十五条",
            "第一百一十六条",
            "第一百一十八条"
        ]
    );
    assert!(p.deleted().is_empty());
    assert_eq!(p.splits(), ["第七十二条 → 第八十条、第八十一条"]);
    within("unchanged", p.count(ChangeKind::Unchanged), 55..=70);
    within("modified", p.count(ChangeKind::Modified), 38..=50);
    assert_eq!(p.renumbered(), 103);
    assert_eq!(p.became("第一条"), "unchanged 第一条");
    assert_eq!(p.became("第三条"), "modified 第三条");
    assert_eq!(p.became("第四条"), "modified 第五条");
    assert_eq!(p.became("第六条"), "unchanged 第七条");
    assert_eq!(p.became("第八条"), "modified 第十一条"); // 监察委员会 added to item (二)
    assert_eq!(p.became("第十条"), "unchanged 第十三条");
    assert_eq!(p.became("第一百零五条"), "unchanged 第一百二十条");
    assert!(p.moves().is_empty());
}

/// 监察法 2018 → 2024: 69 → 78 articles. New measures (强制到案 第二十一条,
/// 责令候查 第二十三条, 管护 第二十五条) and procedural articles (第四十六条,
/// 第四十九条, 第五十一条, 第六十二条 特约监察员, 第六十四条); 2018 第四十三条
/// (留置) was split into 第四十七条 and 第四十八条; most articles are
/// unchanged under new numbers.
#[test]
fn jianchafa_2018_2024() {
    let p = pair(
        "cn-law-jianchafa/2018-03-20.md",
        "cn-law-jianchafa/2024-12-25.md",
    );
    assert_eq!((p.old_articles, p.new_articles), (69, 78));
    p.check_totals();
    assert_eq!(
        p.added(),
        [
            "第二十一条",
            "第二十三条",
            "第二十五条",
            "第四十六条",
            "第四十九条",
            "第五十一条",
            "第六十二条",
            "第六十四条"
        ]
    );
    assert!(p.deleted().is_empty());
    assert_eq!(p.splits(), ["第四十三条 → 第四十七条、第四十八条"]);
    within("unchanged", p.count(ChangeKind::Unchanged), 50..=58);
    within("modified", p.count(ChangeKind::Modified), 12..=20);
    assert_eq!(p.became("第二十一条"), "unchanged 第二十二条");
    assert_eq!(p.became("第六十九条"), "unchanged 第七十八条");
}

/// 会计法 2017 → 2024: 52 → 51 articles. The chapter 公司、企业会计核算的特别
/// 规定 is gone: its 第二十四条 and 第二十五条 were deleted and 第二十六条
/// (prohibited practices, now for every unit) moved into 第二章 as
/// 第二十四条. 第四十三条 and 第四十四条 (forging / destroying accounting
/// records), which differ in one clause, were merged into 第四十一条. New:
/// 第四十六条 (lighter penalties) and 第四十九条 (military units).
#[test]
fn kuaijifa_2017_2024() {
    let p = pair(
        "cn-law-kuaijifa/2017-11-04.md",
        "cn-law-kuaijifa/2024-06-28.md",
    );
    assert_eq!((p.old_articles, p.new_articles), (52, 51));
    p.check_totals();
    assert_eq!(p.added(), ["第四十六条", "第四十九条"]);
    assert_eq!(p.deleted(), ["第二十四条", "第二十五条"]);
    assert_eq!(p.merges(), ["第四十三条、第四十四条 → 第四十一条"]);
    assert_eq!(p.moves(), ["第二十六条 → 第二十四条 (第三章 → 第二章)"]);
    assert!(
        p.divisions().contains(&"-第三章".to_string()),
        "{:?}",
        p.divisions()
    );
    assert!(
        p.divisions()
            .contains(&"第四章→第三章 unchanged".to_string())
    );
    within("unchanged", p.count(ChangeKind::Unchanged), 12..=20);
    within("modified", p.count(ChangeKind::Modified), 28..=36);
}

/// 反垄断法 2007 → 2022: 57 → 70 articles; 12 new articles (第五条 公平竞争
/// 审查, 第九条 data and algorithms, 第十一条, 第十九条 organising cartels,
/// 第三十二条, 第三十七条, 第四十条, 第五十四条, 第五十五条, 第六十三条,
/// 第六十四条, 第六十七条); the closing definition of 第十三条 (垄断协议) became
/// its own article 第十六条, ahead of the rest (第十七条); nothing deleted.
#[test]
fn fanlongduanfa_2007_2022() {
    let p = pair(
        "cn-law-fanlongduanfa/2007-08-30.md",
        "cn-law-fanlongduanfa/2022-06-24.md",
    );
    assert_eq!((p.old_articles, p.new_articles), (57, 70));
    p.check_totals();
    assert_eq!(
        p.added(),
        [
            "第五条",
            "第九条",
            "第十一条",
            "第十九条",
            "第三十二条",
            "第三十七条",
            "第四十条",
            "第五十四条",
            "第五十五条",
            "第六十三条",
            "第六十四条",
            "第六十七条"
        ]
    );
    assert!(p.deleted().is_empty());
    assert_eq!(p.splits(), ["第十三条 → 第十六条、第十七条"]);
    assert_eq!(p.became("第五条"), "unchanged 第六条");
    assert_eq!(p.became("第五十七条"), "unchanged 第七十条");
    within("unchanged", p.count(ChangeKind::Unchanged), 28..=38);
}

/// 专利法实施细则 2010 → 2023: 123 → 149 articles. Two new chapters
/// (第五章 专利权期限补偿, 第十二章 关于外观设计国际申请的特别规定), the
/// 强制许可 chapter renamed 专利实施的特别许可; four articles deleted
/// (第五十九条 and 第六十二条 on the 专利复审委员会, 第八十条, 第一百二十一条 on
/// typed application documents).
#[test]
fn zhuanlifashishixize_2010_2023() {
    let p = pair(
        "cn-reg-zhuanlifashishixize/2010-01-09.md",
        "cn-reg-zhuanlifashishixize/2023-12-11.md",
    );
    assert_eq!((p.old_articles, p.new_articles), (123, 149));
    p.check_totals();
    // 第五十九条 and 第六十二条 (on the abolished 专利复审委员会) and
    // 第一百二十一条 (paper forms) were dropped with nothing in their place.
    assert_eq!(p.deleted(), ["第五十九条", "第六十二条", "第一百二十一条"]);
    // The 2023 decision rewrote 第八十条 (the patent office's 业务指导 of
    // local offices) as 第九十六条 (which disputes have 全国重大影响): it
    // stands between 第七十九条 → 第九十五条 and 第八十一条 → 第九十七条 and
    // shares little text, so it is one modification marked as a rewrite.
    assert_eq!(p.became("第八十条"), "modified 第九十六条");
    let rewritten: Vec<String> = p
        .articles()
        .filter(|c| c.rewritten)
        .map(|c| format!("{} → {}", label(&c.from), label(&c.to)))
        .collect();
    assert_eq!(rewritten, ["第八十条 → 第九十六条"]);
    assert_eq!(p.c.summary.rewritten, 1);
    within("added", p.count(ChangeKind::Added), 28..=32);
    // The new chapter on term compensation is new text throughout.
    for a in [
        "第七十七条",
        "第八十八条",
        "第一百三十六条",
        "第一百四十四条",
    ] {
        assert!(p.added().contains(&a.to_string()), "{a}");
    }
    let d = p.divisions();
    for x in [
        "+第五章 专利权期限补偿",
        "+第十二章 关于外观设计国际申请的特别规定",
        "第五章→第六章 modified",
        "第十章→第十一章 modified",
        "第十一章→第十三章 unchanged",
    ] {
        assert!(d.contains(&x.to_string()), "{x} not in {d:#?}");
    }
    within("unchanged", p.count(ChangeKind::Unchanged), 40..=55);
}

/// 上海市优化营商环境条例 2020 → 2024: 80 → 97 articles, 16 inserted (e.g.
/// 第二十三条 on emergencies, 第八十七条 on bankruptcy), none deleted;
/// 2020 第五十六条 (using credit information, and repairing it) was split
/// into 第六十六条 and an expanded 第六十七条 on 信用修复; the commencement
/// article keeps its text as 第九十七条.
#[test]
fn shanghai_youhuayingshanghuanjing_2020_2024() {
    let p = pair(
        "cn-loc-sh-youhuayingshanghuanjingtiaoli/2020-04-10.md",
        "cn-loc-sh-youhuayingshanghuanjingtiaoli/2024-09-27.md",
    );
    assert_eq!((p.old_articles, p.new_articles), (80, 97));
    p.check_totals();
    assert_eq!(p.count(ChangeKind::Added), 16);
    assert_eq!(p.splits(), ["第五十六条 → 第六十六条、第六十七条"]);
    assert!(p.added().contains(&"第二十三条".to_string()));
    assert!(p.added().contains(&"第八十七条".to_string()));
    assert!(p.deleted().is_empty());
    assert_eq!(p.became("第八十条"), "unchanged 第九十七条");
}

/// 动物防疫法, five versions. 1997 → 2007 is a complete revision (58 → 85);
/// 2007 → 2013 an amendment of one article (第五十四条: 执业兽医资格证书 now
/// issued by the provinces) — but the 2013 file is truncated after article
/// 84, so 第十章 附则 and 第八十五条 show as deleted, and come back in 2015;
/// 2013 → 2015 amends 第二十条, 第五十一条 and 第五十二条 (the 工商登记
/// requirements go); 2015 → 2021 is a complete revision again (85 → 113).
#[test]
fn dongwufangyifa_five_versions() {
    let dir = "cn-law-dongwufangyifa";
    let v = |d: &str| format!("{dir}/{d}.txt");

    let p = pair(&v("1997-07-03"), &v("2007-08-30"));
    assert_eq!((p.old_articles, p.new_articles), (58, 85));
    p.check_totals();
    within("unchanged", p.count(ChangeKind::Unchanged), 0..=8);
    within("modified", p.count(ChangeKind::Modified), 25..=40);
    within("added", p.count(ChangeKind::Added), 45..=60);
    within("deleted", p.count(ChangeKind::Deleted), 18..=30);
    // 预防为主 is the one article kept word for word; 第三条 kept its
    // definition of 动物 (a stray space aside) but redefined 动物产品.
    assert_eq!(p.became("第五条"), "unchanged 第五条");
    assert_eq!(p.became("第三条"), "modified 第三条");
    assert_eq!(p.splits(), ["第十一条 → 第十二条、第十三条"]); // 预防规划 / 强制免疫
    assert!(
        p.moves()
            .contains(&"第十条 → 第四条 (第二章 → 第一章)".to_string())
    );

    let p = pair(&v("2007-08-30"), &v("2013-06-29"));
    assert_eq!((p.old_articles, p.new_articles), (85, 84));
    p.check_totals();
    assert_eq!(p.count(ChangeKind::Modified), 1);
    assert_eq!(p.became("第五十四条"), "modified 第五十四条");
    assert_eq!(p.deleted(), ["第八十五条"]);
    assert_eq!(p.divisions(), ["-第十章"]);
    assert_eq!(p.renumbered(), 0);

    let p = pair(&v("2013-06-29"), &v("2015-04-24"));
    assert_eq!((p.old_articles, p.new_articles), (84, 85));
    p.check_totals();
    let modified: Vec<String> = p
        .articles()
        .filter(|c| c.kind == ChangeKind::Modified)
        .map(|c| label(&c.to))
        .collect();
    assert_eq!(modified, ["第二十条", "第五十一条", "第五十二条"]);
    assert_eq!(p.added(), ["第八十五条"]);
    assert_eq!(p.divisions(), ["+第十章 附则"]);
    assert_eq!(p.count(ChangeKind::Unchanged), 81);

    let p = pair(&v("2015-04-24"), &v("2021-01-22"));
    assert_eq!((p.old_articles, p.new_articles), (85, 113));
    p.check_totals();
    within("unchanged", p.count(ChangeKind::Unchanged), 3..=12);
    within("modified", p.count(ChangeKind::Modified), 65..=80);
    within("added", p.count(ChangeKind::Added), 28..=40);
    // 检疫收费 (第四十九条) was abolished.
    assert!(p.deleted().contains(&"第四十九条".to_string()));
    // 监测 and 预警 became one article.
    assert_eq!(p.merges(), ["第十五条、第十六条 → 第十九条"]);
}

/// Two works: 化妆品卫生监督条例 (1989, text of 2019, 35 articles) and the
/// 化妆品监督管理条例 that replaced it (2020, 80 articles). Nearly everything
/// is new, but the purpose clause, the definition of 化妆品, new raw
/// materials, adverse reactions and the commencement clause correspond.
#[test]
fn huazhuangpin_successor_regulation() {
    let p = pair(
        "cn-reg-huazhuangpinweishengjiandutiaoli/2019-03-02.md",
        "cn-reg-huazhuangpinjianduguanlitiaoli/2020-06-16.md",
    );
    assert_eq!((p.old_articles, p.new_articles), (35, 80));
    p.check_totals();
    assert_eq!(p.became("第一条"), "modified 第一条");
    assert_eq!(p.became("第二条"), "modified 第三条"); // 本条例所称化妆品
    assert_eq!(p.became("第九条"), "modified 第十一条"); // 化妆品新原料
    assert_eq!(p.became("第二十三条"), "modified 第五十二条"); // 不良反应
    assert_eq!(p.became("第三十五条"), "modified 第八十条"); // 施行 (and repeal of the old one)
    within("added", p.count(ChangeKind::Added), 65..=78);
    within("deleted", p.count(ChangeKind::Deleted), 22..=32);
    assert_eq!(p.count(ChangeKind::Unchanged), 0);
}

/// Province and city: 浙江省物业管理条例 (2009) against 温州市物业管理条例
/// (2017), and two cities, 杭州 against 宁波. Different works written
/// independently: most articles have no counterpart, a few (scope,
/// definitions, the 业主大会 articles) do.
#[test]
fn zhejiang_property_regulations_across_works() {
    let p = pair(
        "cn-loc-zj-zhejiangshengwuyeguanlitiaoli/2009-11-27.md",
        "cn-loc-zj-wenzhoushiwuyeguanlitiaoli/2017-04-06.md",
    );
    p.check_totals();
    within(
        "aligned",
        p.count(ChangeKind::Modified) + p.count(ChangeKind::Unchanged),
        8..=25,
    );
    within("added", p.count(ChangeKind::Added), 35..=52);
    let p = pair(
        "cn-loc-zj-hangzhoushiwuyeguanlitiaoli/2021-08-09.md",
        "cn-loc-zj-ningboshizhuzhaixiaoquwuyeguanlitiaoli/2021-10-15.md",
    );
    assert_eq!((p.old_articles, p.new_articles), (93, 98));
    p.check_totals();
    within(
        "aligned",
        p.count(ChangeKind::Modified) + p.count(ChangeKind::Unchanged),
        10..=30,
    );
}

/// The same law in two renderings: as published, and with every comma,
/// semicolon, colon and bracket in half width and U+3000 spaces as ASCII
/// spaces (as some sites republish texts). Nothing substantive differs.
#[test]
fn lifafa_2023_in_half_width_is_unchanged() {
    let file = corpus_dir().join("laws/cn-law-lifafa/2023-03-13.md");
    let text = std::fs::read_to_string(&file).expect("the corpus file is UTF-8");
    let half: String = text
        .chars()
        .map(|c| match c {
            '，' => ',',
            '；' => ';',
            '：' => ':',
            '（' => '(',
            '）' => ')',
            '　' => ' ',
            c => c,
        })
        .collect();
    assert_ne!(text, half);
    let options = wenku_import::ImportOptions::default();
    let a = wenku_import::import_bytes("full.md", text.as_bytes(), &options)
        .expect("imports")
        .document;
    let b = wenku_import::import_bytes("half.md", half.as_bytes(), &options)
        .expect("imports")
        .document;
    let c = compare(&a, &b, &Options::default());
    super::check_invariants(&c);
    assert_eq!(
        c.summary.modified,
        0,
        "{:#?}",
        c.changes
            .iter()
            .filter(|c| c.kind != ChangeKind::Unchanged)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        c.summary.added + c.summary.deleted + c.summary.renumbered,
        0
    );
    assert!(c.summary.punctuation_only > 100, "{:?}", c.summary);
    // No rows; the table says so, and why, in its note.
    let csv = wenku_diff::render::table::to_table_csv(&c);
    assert_eq!(
        csv,
        format!(
            "{}修订前,修订后\r\n两个版本之间没有需要列出的修改。注：{} 处仅标点或空白不同，未列入本表。,\r\n",
            '\u{feff}', c.summary.punctuation_only
        )
    );
}

/// Normative documents across works: 平度市 (a county-level city) 2024
/// and 青岛市 2025 政务公开工作要点. Read side by side: the cover notices say
/// the same thing for another issuer and year, the opening paragraph cites
/// the province's points of another year, and the outline was rewritten
/// (the 2024 county points are organised by 聚焦…; the 2025 city points by
/// 加强体制机制建设, 强化数字科技赋能 …), so outline entries mostly have no
/// counterpart.
#[test]
fn pingdu_2024_and_qingdao_2025_points() {
    let seeds = corpus_dir().join("seeds");
    let read = |name: &str| {
        wenku_import::import_file(&seeds.join(name), &wenku_import::ImportOptions::default())
            .expect("imports")
            .document
    };
    let old = read("370283-pingdu-2024-07-16-points.txt");
    let new = read("370200-qingdao-2025-05-16-points.txt");
    let c = compare(&old, &new, &Options::default());
    super::check_invariants(&c);
    super::check_schema(&c);
    let first: Vec<String> = c
        .changes
        .iter()
        .filter(|ch| !ch.element.is_front_matter())
        .take(2)
        .map(|ch| format!("{} {}", ch.element.as_str(), ch.kind.as_str()))
        .collect();
    assert_eq!(first, ["cover modified", "paragraph modified"]);
    let entries = |kind: ChangeKind| {
        c.changes
            .iter()
            .filter(|ch| matches!(ch.element, Element::Unit(UnitKind::Entry(_))) && ch.kind == kind)
            .count()
    };
    within("added entries", entries(ChangeKind::Added), 10..=25);
    within("deleted entries", entries(ChangeKind::Deleted), 10..=25);
    assert!(
        c.changes
            .iter()
            .all(|ch| ch.element != Element::Unit(UnitKind::Article))
    );
}

/// 动物防疫法 1997 → 2007, a complete revision: 1997 第二十七条 (人畜共患疫病,
/// 通报疫情) was rewritten in its place as 2007 第三十七条 (人畜共患传染病,
/// 监测); 公司法 2018 → 2023 put an unrelated article (可以不设董事会) on the
/// place of 第一百一十五条 (no loans to directors), which stays deleted.
#[test]
fn rewrites_in_complete_revisions() {
    let dir = "cn-law-dongwufangyifa";
    let p = pair(
        &format!("{dir}/1997-07-03.txt"),
        &format!("{dir}/2007-08-30.txt"),
    );
    assert_eq!(p.became("第二十七条"), "modified 第三十七条");
    assert!(
        p.articles()
            .any(|c| c.rewritten && label(&c.from) == "第二十七条")
    );
    let p = pair(
        "cn-law-gongsifa/2018-10-26.md",
        "cn-law-gongsifa/2023-12-29.md",
    );
    assert!(p.deleted().contains(&"第一百一十五条".to_string()));
    assert!(p.added().contains(&"第一百二十八条".to_string()));
    assert_eq!(p.c.summary.rewritten, 0);
}

/// The title and the notes under it (题注) are compared first. 立法法's
/// history block gained a line for the 2023 amendment (and the 2015 line
/// changed its inner quotation marks and gained 第一次); 化妆品卫生监督条例
/// and its successor differ in title.
#[test]
fn titles_and_history_notes_are_compared() {
    let p = pair("cn-law-lifafa/2015-03-15.md", "cn-law-lifafa/2023-03-13.md");
    let front: Vec<String> =
        p.c.changes
            .iter()
            .take_while(|c| c.element.is_front_matter())
            .map(|c| format!("{} {}", c.element.as_str(), c.kind.as_str()))
            .collect();
    assert_eq!(
        front,
        [
            "title unchanged",
            "note unchanged",
            "note modified",
            "note added"
        ]
    );
    let added = &p.c.changes[3];
    assert!(added.new_text().starts_with("2023年3月13日"), "{added:?}");
    let text = wenku_diff::render::terminal::to_terminal(
        &p.c,
        &wenku_diff::Side::default(),
        &wenku_diff::Side::default(),
        false,
    );
    assert!(
        text.lines()
            .nth(2)
            .is_some_and(|l| l.ends_with(" · 题注变动 2")),
        "{text}"
    );
    // The 对照表 lists articles, as published tables do, and counts the
    // changed 题注 in its closing note.
    let csv = wenku_diff::render::table::to_table_csv(&p.c);
    assert!(!csv.contains("（题注）"), "{csv}");
    assert!(csv.contains("另有 2 处题注变动"), "{csv}");

    let p = pair(
        "cn-reg-huazhuangpinweishengjiandutiaoli/2019-03-02.md",
        "cn-reg-huazhuangpinjianduguanlitiaoli/2020-06-16.md",
    );
    let title = &p.c.changes[0];
    assert_eq!(title.element, Element::Title);
    assert_eq!(title.kind, ChangeKind::Modified);
    assert_eq!(
        (title.old_text(), title.new_text()),
        (
            "化妆品卫生监督条例".to_string(),
            "化妆品监督管理条例".to_string()
        )
    );
    let json: serde_json::Value = serde_json::from_str(&wenku_diff::render::json::to_json(
        &p.c,
        &wenku_diff::Side::default(),
        &wenku_diff::Side::default(),
        false,
    ))
    .expect("JSON");
    assert_eq!(json["changes"][0]["unit"], "title");
    assert_eq!(json["changes"][1]["unit"], "note");
}
