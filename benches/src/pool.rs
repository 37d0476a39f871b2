//! Text material for generated documents, taken from the real corpus in
//! `testdata/corpus`: statute articles (with their paragraphs and items),
//! chapter headings, outline entries of normative documents and their part
//! headings. Generated documents recombine and perturb these, so their text
//! statistics (article length, vocabulary, punctuation) follow real ones.

use std::sync::OnceLock;

macro_rules! corpus {
    ($($path:literal),* $(,)?) => {
        &[$(include_str!(concat!("../../testdata/corpus/", $path))),*]
    };
}

const LAWS: &[&str] = corpus![
    "laws/cn-law-dongwufangyifa/2021-01-22.txt",
    "laws/cn-law-fanlongduanfa/2022-06-24.md",
    "laws/cn-law-gongsifa/2023-12-29.md",
    "laws/cn-law-jianchafa/2024-12-25.md",
    "laws/cn-law-kuaijifa/2024-06-28.md",
    "laws/cn-law-lifafa/2023-03-13.md",
    "laws/cn-loc-sh-youhuayingshanghuanjingtiaoli/2024-09-27.md",
    "laws/cn-loc-zj-hangzhoushiwuyeguanlitiaoli/2021-08-09.md",
    "laws/cn-loc-zj-jingningshezuzizhixianchengshiguanlitiaoli/2015-06-08.md",
    "laws/cn-loc-zj-jingningshezuzizhixianshuiziyuanguanlitiaoli/2021-06-15.md",
    "laws/cn-loc-zj-lishuishiwuyeguanlitiaoli/2019-04-08.md",
    "laws/cn-loc-zj-ningboshizhuzhaixiaoquwuyeguanlitiaoli/2021-10-15.md",
    "laws/cn-loc-zj-wenzhoushiwuyeguanlitiaoli/2017-04-06.md",
    "laws/cn-loc-zj-zhejiangshengjingningshezuzizhixianzizhitiaoli/2021-06-15.md",
    "laws/cn-loc-zj-zhejiangshengwuyeguanlitiaoli/2009-11-27.md",
    "laws/cn-reg-huazhuangpinjianduguanlitiaoli/2020-06-16.md",
    "laws/cn-reg-huazhuangpinweishengjiandutiaoli/2019-03-02.md",
    "laws/cn-reg-zhuanlifashishixize/2023-12-11.md",
];

const SEEDS: &[&str] = corpus![
    "seeds/370200-qingdao-2025-05-16-points.txt",
    "seeds/370283-pingdu-2024-07-16-points.txt",
    "seeds/370304-boshan-2025-implementation-plan.txt",
    "seeds/370104-huaiyin-2025-interpretation.txt",
];

/// One paragraph of an article: running text, or an item `（一）…`.
#[derive(Clone, Debug)]
pub enum Piece {
    /// A paragraph (款).
    Para(String),
    /// An item (项): its text without the label.
    Item(String),
}

/// The extracted material.
#[derive(Debug)]
pub struct Pool {
    /// Articles: their paragraphs and items, without the `第X条` label.
    pub articles: Vec<Vec<Piece>>,
    /// Chapter headings (总则, 法律责任 …), without 第X章.
    pub chapter_headings: Vec<String>,
    /// Outline entries: (heading sentence, running text).
    pub entries: Vec<(String, String)>,
    /// Part headings of outlines (一、… without the label).
    pub part_headings: Vec<String>,
    /// Sentences ending in 。, for perturbing text.
    pub sentences: Vec<String>,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// Splits `第…条 rest` into the rest, if the line starts an article.
fn article_start(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('第')?;
    let end = rest.find('条')?;
    let num = &rest[..end];
    if num.is_empty() || !num.chars().all(wenku_model::numeral::is_numeral_char) {
        return None;
    }
    let mut tail = &rest[end + '条'.len_utf8()..];
    if let Some(t) = tail.strip_prefix('之') {
        tail = t.trim_start_matches(wenku_model::numeral::is_numeral_char);
    }
    Some(tail.trim_start_matches(is_space))
}

/// `第…章 heading` → heading.
fn chapter_start(line: &str) -> Option<String> {
    let line = line.trim_start_matches(['#', ' ']);
    let rest = line.strip_prefix('第')?;
    let end = rest.find('章')?;
    if !rest[..end]
        .chars()
        .all(wenku_model::numeral::is_numeral_char)
    {
        return None;
    }
    let heading: String = rest[end + '章'.len_utf8()..]
        .chars()
        .filter(|c| !is_space(*c))
        .collect();
    (!heading.is_empty()).then_some(heading)
}

/// `（一）text` / `(一)text` → text.
fn item_start(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('（').or_else(|| line.strip_prefix('('))?;
    let close = rest.find(['）', ')'])?;
    if close == 0
        || !rest[..close]
            .chars()
            .all(wenku_model::numeral::is_numeral_char)
    {
        return None;
    }
    let after = &rest[close..];
    let skip = after.chars().next().map_or(0, char::len_utf8);
    Some(&after[skip..])
}

/// `一、text` → text.
fn part_start(line: &str) -> Option<&str> {
    let (num, rest) = line.split_once('、')?;
    (!num.is_empty()
        && num.chars().count() <= 3
        && num.chars().all(wenku_model::numeral::is_numeral_char))
    .then_some(rest)
}

fn build() -> Pool {
    let mut pool = Pool {
        articles: Vec::new(),
        chapter_headings: Vec::new(),
        entries: Vec::new(),
        part_headings: Vec::new(),
        sentences: Vec::new(),
    };
    for text in LAWS {
        let body = text.split("<!-- INFO END -->").last().unwrap_or(text);
        let mut current: Option<Vec<Piece>> = None;
        for raw in body.lines() {
            let line = raw.trim_matches(is_space);
            if line.is_empty() {
                continue;
            }
            if let Some(h) = chapter_start(line) {
                pool.chapter_headings.push(h);
                pool.articles.extend(current.take());
            } else if let Some(rest) = article_start(line) {
                pool.articles.extend(current.take());
                current = Some(vec![Piece::Para(rest.to_string())]);
            } else if line.starts_with('#') {
                pool.articles.extend(current.take());
            } else if let Some(a) = current.as_mut() {
                match item_start(line) {
                    Some(t) => a.push(Piece::Item(t.to_string())),
                    None => a.push(Piece::Para(line.to_string())),
                }
            }
        }
        pool.articles.extend(current);
    }
    for text in SEEDS {
        for raw in text.lines() {
            let line = raw.trim_matches(is_space);
            if let Some(rest) = item_start(line) {
                // Heading and running text share the line: split at the first 。
                if let Some(i) = rest.find('。') {
                    let (h, t) = rest.split_at(i + '。'.len_utf8());
                    if !t.is_empty() {
                        pool.entries.push((h.to_string(), t.to_string()));
                    }
                }
            } else if let Some(rest) = part_start(line)
                && rest.chars().count() < 40
            {
                pool.part_headings.push(rest.to_string());
            }
        }
    }
    for a in &pool.articles {
        for p in a {
            let (Piece::Para(t) | Piece::Item(t)) = p;
            pool.sentences.extend(
                t.split_inclusive('。')
                    .filter(|s| s.ends_with('。') && s.chars().count() > 6)
                    .map(str::to_string),
            );
        }
    }
    pool.chapter_headings.sort();
    pool.chapter_headings.dedup();
    pool
}

/// The pool, built once.
pub fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_real_material() {
        let p = pool();
        assert!(p.articles.len() > 1000, "{} articles", p.articles.len());
        assert!(p.chapter_headings.iter().any(|h| h == "总则"));
        assert!(p.chapter_headings.iter().any(|h| h == "法律责任"));
        assert!(p.entries.len() > 30, "{} entries", p.entries.len());
        assert!(
            p.part_headings.len() > 10,
            "{} part headings",
            p.part_headings.len()
        );
        assert!(p.sentences.len() > 2000);
        // No label leaked into article text.
        assert!(p.articles.iter().all(|a| match &a[0] {
            Piece::Para(t) => article_start(t).is_none(),
            Piece::Item(_) => false,
        }));
    }
}
