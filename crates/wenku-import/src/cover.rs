//! The cover notice (印发通知) that publishes a document — addressees, a
//! short text such as `…现印发给你们，请认真贯彻执行。`, the issuing organ and
//! date, and a `(此件公开发布)` marker — and signature blocks (落款) in
//! general.

use wenku_model::{Block, DocNumber, Signature, Unit, UnitKind, WrittenDate};

use crate::date;
use crate::label;
use crate::line::{Line, compact};
use crate::relation::book_title_at;

/// Endings of organ names (发文机关) as they close a signature.
const ORGAN_ENDINGS: &[&str] = &[
    "办公厅",
    "办公室",
    "人民政府",
    "政府",
    "委员会",
    "管委会",
    "人民代表大会",
    "局",
    "厅",
    "部",
    "委",
    "院",
    "中心",
    "办",
    "处",
    "署",
    "会",
    "所",
    "站",
    "队",
    "公司",
    "政府办",
    "区",
    "县",
    "市",
    "省",
];

/// Phrases of a cover notice's text.
const COVER_PHRASES: &[&str] = &[
    "印发给你们",
    "现印发",
    "现予印发",
    "现将",
    "印发你们",
    "请认真贯彻",
    "请结合实际",
    "遵照执行",
    "认真组织实施",
    "贯彻执行",
    "现予公布",
    "现予发布",
];

/// Whether a line is a publication marker: `(此件公开发布)`, `（此件不公开）`.
pub(crate) fn is_marker(text: &str) -> bool {
    if text.len() > 64 {
        return false;
    }
    let t = compact(text);
    let inner = t
        .strip_prefix(['(', '（'])
        .and_then(|t| t.strip_suffix([')', '）']));
    inner.is_some_and(|i| i.starts_with("此件") && i.chars().count() <= 12)
}

/// Whether a line can be an organ in a signature: short, no sentence
/// punctuation, ending like an organ name.
pub(crate) fn is_organ(text: &str) -> bool {
    let n = text.chars().count();
    if !(2..=40).contains(&n) {
        return false;
    }
    if text.contains([
        '，', '。', '；', '：', ',', ';', ':', '《', '》', '“', '”', '、', '!', '?', '！', '？',
    ]) {
        return false;
    }
    if label::parse(text).is_some() {
        return false;
    }
    let t = compact(text);
    ORGAN_ENDINGS.iter().any(|e| t.ends_with(e))
}

/// A signature block starting at `lines[i]`: up to four organ lines and a
/// date line. Returns it and how many lines it takes.
pub(crate) fn signature_at(lines: &[Line], i: usize) -> Option<(Signature, usize)> {
    let mut organs = Vec::new();
    let mut j = i;
    while j < lines.len() && organs.len() < 4 && !lines[j].chrome && is_organ(&lines[j].text) {
        organs.push(lines[j].text.clone());
        j += 1;
    }
    let line = lines.get(j)?;
    let value = date::whole(&line.text)?;
    Some((
        Signature {
            organs,
            date: Some(WrittenDate {
                value,
                text: line.text.clone(),
            }),
        },
        j + 1 - i,
    ))
}

/// Whether a line reads like addressees: `各区、市人民政府,…,市直各单位:`.
pub(crate) fn is_addressee(text: &str) -> bool {
    let n = text.chars().count();
    (2..=300).contains(&n)
        && text.ends_with(['：', ':'])
        && !text.contains(['。', '！', '？'])
        && label::parse(text).is_none()
}

fn is_cover_text(text: &str) -> bool {
    COVER_PHRASES.iter().any(|p| text.contains(p))
}

/// A recognised cover notice.
#[derive(Clone, Debug)]
pub(crate) struct Cover {
    /// The cover unit.
    pub unit: Unit,
    /// Lines taken, from the start.
    pub len: usize,
    /// The document it publishes: the X of its `…关于印发X的通知` title, or
    /// the first 《title》 its text names.
    pub names: Option<String>,
    /// Its signature.
    pub signature: Signature,
    /// A document number line in it.
    pub number: Option<DocNumber>,
    /// Its first and last input line.
    pub span: (usize, usize),
    /// Indices (into the lines given) of its running text.
    pub paras: Vec<usize>,
}

/// How far into a document a cover's addressee line may start.
const COVER_SEARCH: usize = 4;
/// Most paragraphs of cover text before its signature.
const COVER_TEXT: usize = 8;

/// Recognises a cover notice at the start of `lines`.
pub(crate) fn detect(lines: &[Line]) -> Option<Cover> {
    let a = (0..lines.len().min(COVER_SEARCH)).find(|&a| {
        is_addressee(&lines[a].text) && lines.get(a + 1).is_some_and(|l| is_cover_text(&l.text))
    })?;
    let mut children = Vec::new();
    let mut number = None;
    for l in &lines[..a] {
        if l.chrome || label::parse(&l.text).is_some() {
            return None;
        }
        if let Some(n) = DocNumber::parse(&l.text) {
            number = Some(n);
            children.push(Block::Note(l.text.clone()));
        } else {
            children.push(Block::Title(l.text.clone()));
        }
    }
    // A `…关于印发X的通知` title names the document too.
    let mut names = children.iter().find_map(|b| match b {
        Block::Title(t) if t.contains("印发") && t.ends_with("的通知") => {
            let named = crate::relation::cited_title(t);
            (named != *t).then_some(named)
        }
        _ => None,
    });
    children.push(Block::Addressee(lines[a].text.clone()));
    let mut i = a + 1;
    let mut paras = Vec::new();
    let signature = loop {
        if i >= lines.len() || i > a + COVER_TEXT {
            return None;
        }
        if let Some((sig, n)) = signature_at(lines, i) {
            i += n;
            break sig;
        }
        let text = &lines[i].text;
        if label::parse(text).is_some() {
            return None;
        }
        if names.is_none() {
            names = text
                .find('《')
                .and_then(|open| book_title_at(text, open))
                .map(|(_, inner)| crate::relation::cited_title(inner));
        }
        children.push(Block::Para(text.clone()));
        paras.push(i);
        i += 1;
    };
    children.push(Block::Signature(signature.clone()));
    if lines.get(i).is_some_and(|l| is_marker(&l.text)) {
        children.push(Block::Note(lines[i].text.clone()));
        i += 1;
    }
    let span = (lines[0].no, lines[i - 1].no);
    Some(Cover {
        unit: Unit {
            kind: UnitKind::Cover,
            label: None,
            number: None,
            heading: None,
            children,
        },
        len: i,
        names,
        signature,
        number,
        span,
        paras,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::test_lines as lines;

    #[test]
    fn recognises_a_cover_notice() {
        let l = lines(&[
            "各区、市人民政府,青岛西海岸新区管委,市政府各部门,市直各单位:",
            "《2025年青岛市政务公开工作要点》已经市政府同意,现印发给你们,请认真贯彻执行。",
            "青岛市人民政府办公厅",
            "2025年5月16日",
            "(此件公开发布)",
            "2025年青岛市政务公开工作要点",
        ]);
        let c = detect(&l).expect("cover");
        assert_eq!(c.len, 5);
        assert_eq!(c.names.as_deref(), Some("2025年青岛市政务公开工作要点"));
        assert_eq!(c.signature.organs, ["青岛市人民政府办公厅"]);
        assert_eq!(
            c.signature.date.map(|d| d.value.to_string()).as_deref(),
            Some("2025-05-16")
        );
        assert!(matches!(c.unit.children.last(), Some(Block::Note(n)) if n == "(此件公开发布)"));
    }

    #[test]
    fn a_plain_notice_is_not_a_cover() {
        let l = lines(&[
            "各区市人民政府：",
            "为做好有关工作，现就有关事项通知如下：",
            "一、总体要求",
        ]);
        assert!(detect(&l).is_none());
    }

    #[test]
    fn markers_and_organs() {
        assert!(is_marker("(此件公开发布)"));
        assert!(is_marker("（此件主动公开）"));
        assert!(!is_marker("(一)完善"));
        assert!(is_organ("青岛市人民政府办公厅"));
        assert!(is_organ("平度市人民政府办公室"));
        assert!(!is_organ("政策解读单位:槐荫区人民政府办公室"));
        assert!(!is_organ("加强组织领导"));
    }
}
