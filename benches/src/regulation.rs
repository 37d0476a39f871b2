//! Real documents for the diff benchmarks, from `testdata/corpus/laws/`.
//!
//! No single text in the corpus is as long as a long provincial
//! regulation, so [`regulation_571`] builds one from real texts: seven laws
//! and regulations, each in an earlier version, joined into one body with
//! chapters and articles numbered through (第一章 …, 第一条 … 第五百七十一条):
//! 立法法 2015, 监察法 2018, 反垄断法 2007, 专利法实施细则 2010, 动物防疫法
//! 2007, 上海市优化营商环境条例 2020, 会计法 2017. Joining real texts keeps
//! the vocabulary, article lengths and amendment patterns real.

use std::path::{Path, PathBuf};

use wenku_import::{ImportError, ImportOptions, import_file};
use wenku_model::{Block, DocType, Document, Number, UnitKind, numeral};

/// The corpus's law directory (`testdata/corpus/laws`).
pub fn laws_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/corpus/laws")
}

/// One law of the corpus, imported: `rel` is relative to
/// [`laws_dir`], e.g. `cn-law-gongsifa/2023-12-29.md`.
pub fn law(rel: &str) -> Result<Document, ImportError> {
    Ok(import_file(&laws_dir().join(rel), &ImportOptions::default())?.document)
}

/// Running numbers while joining documents into one.
#[derive(Default)]
struct Numbering {
    chapter: u32,
    article: u32,
}

/// The bodies of `parts` joined into one regulation, chapters and
/// articles numbered through; titles and notes dropped.
pub fn joined(parts: &[Document]) -> Document {
    let mut doc = Document::new(DocType::Regulation, "合编条例");
    let mut n = Numbering::default();
    for part in parts {
        for block in &part.body {
            if let Block::Unit(_) = block {
                doc.body.push(renumbered(block, &mut n));
            }
        }
    }
    doc
}

fn renumbered(block: &Block, n: &mut Numbering) -> Block {
    let Block::Unit(u) = block else {
        return block.clone();
    };
    let mut u = u.clone();
    match u.kind {
        UnitKind::Chapter => {
            n.chapter += 1;
            u.label = Some(format!("第{}章", numeral::to_chinese(n.chapter)));
            u.number = Some(Number::new(n.chapter));
        }
        UnitKind::Article => {
            n.article += 1;
            u.label = Some(format!("第{}条", numeral::to_chinese(n.article)));
            u.number = Some(Number::new(n.article));
            return Block::Unit(u);
        }
        _ => {}
    }
    u.children = u.children.iter().map(|b| renumbered(b, n)).collect();
    Block::Unit(u)
}

/// The 571-article regulation and two later versions of it.
#[derive(Clone, Debug)]
pub struct Regulation571 {
    /// 571 articles.
    pub old: Document,
    /// Its first part replaced by that part's real amendment (立法法 2023):
    /// 43 articles modified, 14 inserted and one split near the start, so
    /// every article after them is renumbered (586 articles).
    pub amended: Document,
    /// Every part in its next real version (650 articles, about 250
    /// modified and 85 inserted): far more than one amendment changes.
    pub all_parts_amended: Document,
}

/// Builds the 571-article regulation and its later versions.
pub fn regulation_571() -> Result<Regulation571, ImportError> {
    let pairs = [
        ("cn-law-lifafa/2015-03-15.md", "cn-law-lifafa/2023-03-13.md"),
        (
            "cn-law-jianchafa/2018-03-20.md",
            "cn-law-jianchafa/2024-12-25.md",
        ),
        (
            "cn-law-fanlongduanfa/2007-08-30.md",
            "cn-law-fanlongduanfa/2022-06-24.md",
        ),
        (
            "cn-reg-zhuanlifashishixize/2010-01-09.md",
            "cn-reg-zhuanlifashishixize/2023-12-11.md",
        ),
        (
            "cn-law-dongwufangyifa/2007-08-30.txt",
            "cn-law-dongwufangyifa/2015-04-24.txt",
        ),
        (
            "cn-loc-sh-youhuayingshanghuanjingtiaoli/2020-04-10.md",
            "cn-loc-sh-youhuayingshanghuanjingtiaoli/2024-09-27.md",
        ),
        (
            "cn-law-kuaijifa/2017-11-04.md",
            "cn-law-kuaijifa/2024-06-28.md",
        ),
    ];
    let mut old = Vec::new();
    let mut new = Vec::new();
    for (a, b) in pairs {
        old.push(law(a)?);
        new.push(law(b)?);
    }
    let mut amended = old.clone();
    amended[0] = new[0].clone();
    Ok(Regulation571 {
        old: joined(&old),
        amended: joined(&amended),
        all_parts_amended: joined(&new),
    })
}
