//! YAML front matter at the top of a Markdown file: a `---` line, lines of
//! `key: value` (a list as `key:` followed by `- item` lines, or
//! `[a, b]`), and a closing `---`. Only this flat form is read; anything
//! else between the markers is refused with its line, so metadata is never
//! half read. Known keys (English and Chinese) act like the caller's
//! options; the lines are left out of the text and reported as dropped.

use std::str::FromStr;

use wenku_model::{Date, DocNumber, DocType};

use crate::diagnostic::{Diagnostic, codes};
use crate::error::ImportError;
use crate::line::Line;
use crate::options::ImportOptions;

const MARKER: &str = "---";

/// The metadata a front matter carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FrontMatter {
    pub title: Option<String>,
    pub number: Option<DocNumber>,
    pub issuers: Vec<String>,
    pub published: Option<Date>,
    pub effective: Option<Date>,
    pub written: Option<Date>,
    pub doc_type: Option<DocType>,
}

impl FrontMatter {
    /// `options` with every field it leaves open filled from the front
    /// matter: what the caller gives still wins.
    pub(crate) fn fill(self, options: &ImportOptions) -> ImportOptions {
        let mut o = options.clone();
        o.title = o.title.or(self.title);
        o.number = o.number.or(self.number);
        if o.issuers.is_empty() {
            o.issuers = self.issuers;
        }
        o.published = o.published.or(self.published);
        o.effective = o.effective.or(self.effective);
        o.written = o.written.or(self.written);
        o.doc_type = o.doc_type.or(self.doc_type);
        o
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Number,
    Issuers,
    Published,
    Effective,
    Written,
    Type,
}

fn field(key: &str) -> Option<Field> {
    let k = key.to_ascii_lowercase().replace('-', "_");
    Some(match k.as_str() {
        "title" | "标题" | "名称" => Field::Title,
        "number" | "doc_number" | "document_number" | "文号" | "发文字号" | "字号" => {
            Field::Number
        }
        "issuer" | "issuers" | "organ" | "organs" | "author" | "发文机关" | "发布机关"
        | "制定机关" | "发文单位" => Field::Issuers,
        "published" | "publish_date" | "date" | "发布日期" | "公布日期" | "发文日期"
        | "印发日期" => Field::Published,
        "effective" | "effective_date" | "施行日期" | "生效日期" | "实施日期" => {
            Field::Effective
        }
        "written" | "成文日期" => Field::Written,
        "type" | "doc_type" | "类型" | "文种" => Field::Type,
        _ => return None,
    })
}

/// `key: value` → (key, value); `None` if the line is not of that form.
fn key_value(text: &str) -> Option<(&str, &str)> {
    let (key, value) = text.split_once(':').or_else(|| text.split_once('：'))?;
    let key = key.trim();
    let ok_key = !key.is_empty()
        && key.chars().count() <= 40
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    ok_key.then(|| (key, value.trim()))
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// Reads and removes the front matter, if `lines` open with one.
///
/// A first line `---` opens front matter when a closing `---` follows or
/// the next line is `key: value`; otherwise it is left to the Markdown
/// reader.
pub(crate) fn read(
    source_name: &str,
    lines: Vec<Line>,
    diags: &mut Vec<Diagnostic>,
) -> Result<(Vec<Line>, Option<FrontMatter>), ImportError> {
    let opens = lines.first().is_some_and(|l| l.text == MARKER);
    let close = lines.iter().skip(1).position(|l| l.text == MARKER);
    let next_is_key = lines.get(1).is_some_and(|l| key_value(&l.text).is_some());
    if !opens || (close.is_none() && !next_is_key) {
        return Ok((lines, None));
    }
    let err = |line: usize, message: String| ImportError::FrontMatter {
        source_name: source_name.to_string(),
        line,
        message,
    };
    let Some(close) = close.map(|c| c + 1) else {
        return Err(err(
            lines[0].no,
            "the front matter opened here is never closed; expected a line `---`".into(),
        ));
    };
    let mut fm = FrontMatter::default();
    let mut seen: Vec<(Field, usize)> = Vec::new();
    let mut list: Option<Field> = None;
    for l in &lines[1..close] {
        let text = l.text.as_str();
        if text.starts_with('#') {
            continue;
        }
        if let Some(item) = text.strip_prefix("- ") {
            match list {
                Some(Field::Issuers) => fm.issuers.push(unquote(item.trim()).to_string()),
                Some(_) => {
                    return Err(err(
                        l.no,
                        "a list item under a key that takes one value".into(),
                    ));
                }
                None => {} // a list under a key that is not read
            }
            continue;
        }
        let Some((key, value)) = key_value(text) else {
            return Err(err(
                l.no,
                format!("{text:?} is not `key: value`; expected flat `key: value` lines"),
            ));
        };
        let value = unquote(value);
        let Some(f) = field(key) else {
            diags.push(Diagnostic::info(
                Some(l.no),
                codes::FRONT_MATTER,
                format!("front matter key {key:?} is not read"),
            ));
            list = None;
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == f) {
            return Err(err(
                l.no,
                format!("{key:?} repeats what line {first} already set"),
            ));
        }
        seen.push((f, l.no));
        list = value.is_empty().then_some(f);
        if value.is_empty() {
            continue;
        }
        let date = |what: &str| {
            Date::parse_iso(value)
                .or_else(|_| Date::parse_chinese(value))
                .map_err(|e| {
                    err(
                        l.no,
                        format!("{what} {value:?} is not a date ({e}); expected YYYY-MM-DD"),
                    )
                })
        };
        match f {
            Field::Title => fm.title = Some(value.to_string()),
            Field::Number => {
                fm.number = Some(DocNumber::parse(value).ok_or_else(|| {
                    err(
                        l.no,
                        format!(
                            "{value:?} is not a document number; expected e.g. 鲁政办发〔2025〕5号"
                        ),
                    )
                })?);
            }
            Field::Issuers => {
                let inner = value
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .unwrap_or(value);
                fm.issuers = inner
                    .split([',', '，', '、'])
                    .map(|s| unquote(s.trim()).to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
            }
            Field::Published => fm.published = Some(date("published")?),
            Field::Effective => fm.effective = Some(date("effective")?),
            Field::Written => fm.written = Some(date("written")?),
            Field::Type => {
                fm.doc_type = Some(DocType::from_str(value).map_err(|e| err(l.no, e.to_string()))?);
            }
        }
    }
    let mut rest = lines;
    let taken: Vec<Line> = rest.drain(..=close).collect();
    for l in taken {
        diags.push(
            Diagnostic::info(
                Some(l.no),
                codes::FRONT_MATTER,
                "left out a front matter line",
            )
            .with_dropped(l.text),
        );
    }
    Ok((rest, Some(fm)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line> {
        crate::line::split(text, &mut Vec::new())
    }

    fn read_str(text: &str) -> Result<(Vec<Line>, Option<FrontMatter>), ImportError> {
        read("x.md", lines(text), &mut Vec::new())
    }

    #[test]
    fn keys_in_english_and_chinese() {
        let (rest, fm) = read_str(
            "---\ntitle: \"青岛要点\"\n文号: 青政办发[2025]3号\n发文机关: [青岛市人民政府, 青岛市人民政府办公厅]\ndate: 2025-05-16\n施行日期: 2025年6月1日\ntype: 通知\ntags:\n- 公开\n---\n正文",
        )
        .expect("reads");
        let fm = fm.expect("front matter");
        assert_eq!(fm.title.as_deref(), Some("青岛要点"));
        assert_eq!(fm.number, DocNumber::parse("青政办发〔2025〕3号"));
        assert_eq!(fm.issuers, ["青岛市人民政府", "青岛市人民政府办公厅"]);
        assert_eq!(fm.published, Date::parse_iso("2025-05-16").ok());
        assert_eq!(fm.effective, Date::parse_iso("2025-06-01").ok());
        assert_eq!(fm.doc_type, Some(DocType::Notice));
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].text, "正文");
        let (_, fm) = read_str("---\nissuers:\n- 甲局\n- 乙局\n---\n正文").expect("reads");
        assert_eq!(fm.expect("front matter").issuers, ["甲局", "乙局"]);
    }

    #[test]
    fn a_rule_that_is_not_front_matter_is_left_alone() {
        let (rest, fm) = read_str("---\n正文第一段\n正文第二段").expect("reads");
        assert!(fm.is_none());
        assert_eq!(rest.len(), 3);
    }

    #[test]
    fn malformed_front_matter_is_refused_with_its_line() {
        for (text, line, says) in [
            ("---\ntitle: 甲\n正文", 1, "never closed"),
            (
                "---\ntitle: 甲\n这不是键值\n---\n正文",
                3,
                "is not `key: value`",
            ),
            ("---\ndate: 2025-02-30\n---\n正文", 2, "is not a date"),
            (
                "---\ntitle: 甲\n\ntitle: 乙\n---\n正文",
                4,
                "repeats what line 2",
            ),
            ("---\nnumber: 第三号\n---\n正文", 2, "not a document number"),
            ("---\ntype: 小说\n---\n正文", 2, "unknown document type"),
            ("---\ntitle:\n- 甲\n---\n正文", 3, "takes one value"),
        ] {
            match read_str(text) {
                Err(ImportError::FrontMatter {
                    source_name,
                    line: l,
                    message,
                }) => {
                    assert_eq!(source_name, "x.md");
                    assert_eq!(l, line, "{text:?}: {message}");
                    assert!(message.contains(says), "{text:?}: {message}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }
}
