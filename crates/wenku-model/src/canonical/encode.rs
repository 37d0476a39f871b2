//! Writing canonical bytes.

use std::fmt::Write as _;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::{DOCUMENT_NS, Limits, RECORD_NS, is_xml_char};
use crate::citation::Citation;
use crate::document::{Block, Document, MAX_ENTRY_LEVEL, Unit, UnitKind};
use crate::record::{Record, Target};

/// Why a value cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A string holds a character XML cannot carry (a C0 control, U+FFFE …).
    #[error("{field} contains U+{code:04X}, which XML cannot carry")]
    InvalidChar {
        /// Where: `title`, `article 第三条 paragraph` …
        field: String,
        /// The character's code point.
        code: u32,
    },
    /// Units nest deeper than the decoder would accept.
    #[error("units nest {depth} deep; at most {max} levels are allowed")]
    TooDeep {
        /// Depth reached.
        depth: usize,
        /// The limit.
        max: usize,
    },
    /// An outline entry level outside 1–4.
    #[error("outline entry {label:?} has level {level}; levels are 1 to 4")]
    BadLevel {
        /// The entry's label.
        label: String,
        /// Its level.
        level: u8,
    },
    /// A relation, repeal or amendment cites nothing: no work, number or title.
    #[error("{field} cites nothing: give a work id, a document number or a title")]
    EmptyCitation {
        /// Where.
        field: &'static str,
    },
}

struct Out {
    buf: String,
}

impl Out {
    fn raw(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    /// Appends NFC, escaped text.
    fn text(&mut self, s: &str, field: &dyn Fn() -> String, attr: bool) -> Result<(), EncodeError> {
        // Nearly every text of a policy document is CJK, ASCII and common
        // punctuation: valid XML and NFC as it is, escaped a slice at a time.
        if s.chars().all(plain) {
            escape_str(&mut self.buf, s, attr);
            return Ok(());
        }
        if let Some(c) = s.chars().find(|c| !is_xml_char(*c)) {
            return Err(EncodeError::InvalidChar {
                field: field(),
                code: c as u32,
            });
        }
        if is_nfc_quick(s.chars()) == IsNormalized::Yes {
            escape_into(&mut self.buf, s.chars(), attr);
        } else {
            escape_into(&mut self.buf, s.nfc(), attr);
        }
        Ok(())
    }

    fn elem(&mut self, name: &str, s: &str, field: &dyn Fn() -> String) -> Result<(), EncodeError> {
        let _ = write!(self.buf, "<{name}>");
        self.text(s, field, false)?;
        let _ = writeln!(self.buf, "</{name}>");
        Ok(())
    }

    fn attr(&mut self, name: &str, s: &str, field: &dyn Fn() -> String) -> Result<(), EncodeError> {
        let _ = write!(self.buf, " {name}=\"");
        self.text(s, field, true)?;
        self.buf.push('"');
        Ok(())
    }
}

/// A character that is allowed in XML and that no normalization changes
/// or reorders in any context: NFC quick check "yes" and canonical
/// combining class 0 (so a text of these alone is in NFC). The ranges are
/// a conservative subset, checked against the Unicode tables in the tests:
/// Latin-1 below U+0300 (control characters other than tab and line ends
/// excluded), general punctuation U+2010–U+2027 (dashes, quotes, ellipsis),
/// CJK symbols U+3000–U+3029 (、。「」《》〔〕 …; the tone marks from
/// U+302A combine), CJK unified ideographs U+4E00–U+9FFF and the fullwidth
/// forms U+FF01–U+FF5E.
pub(super) fn plain(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | ' '..='\u{2FF}'
        | '\u{2010}'..='\u{2027}'
        | '\u{3000}'..='\u{3029}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{FF01}'..='\u{FF5E}')
        && c != '\u{7F}'
}

/// [`escape_into`] of a whole string, copying the runs between the
/// characters to escape (all ASCII, so never inside a multi-byte one).
fn escape_str(buf: &mut String, s: &str, attr: bool) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attr => "&quot;",
            b'\t' => "&#9;",
            b'\n' => "&#10;",
            b'\r' => "&#13;",
            _ => continue,
        };
        buf.push_str(&s[start..i]);
        buf.push_str(replacement);
        start = i + 1;
    }
    buf.push_str(&s[start..]);
}

fn escape_into(buf: &mut String, chars: impl Iterator<Item = char>, attr: bool) {
    for c in chars {
        match c {
            '&' => buf.push_str("&amp;"),
            '<' => buf.push_str("&lt;"),
            '>' => buf.push_str("&gt;"),
            '"' if attr => buf.push_str("&quot;"),
            '\t' => buf.push_str("&#9;"),
            '\n' => buf.push_str("&#10;"),
            '\r' => buf.push_str("&#13;"),
            c => buf.push(c),
        }
    }
}

/// The canonical bytes of a document.
pub fn encode_document(doc: &Document) -> Result<Vec<u8>, EncodeError> {
    let mut out = Out {
        buf: String::with_capacity(4096),
    };
    out.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out.buf,
        "<document xmlns=\"{DOCUMENT_NS}\" type=\"{}\">",
        doc.doc_type.as_str()
    );
    out.raw("<meta>\n");
    out.elem("title", &doc.title, &|| "the title".into())?;
    if let Some(n) = &doc.number {
        out.elem("number", n.as_str(), &|| "the document number".into())?;
    }
    for o in &doc.organs {
        out.elem("organ", o, &|| "an issuing organ".into())?;
    }
    if let Some(w) = &doc.written {
        let _ = writeln!(out.buf, "<written>{w}</written>");
    }
    for s in &doc.subjects {
        out.elem("subject", s, &|| "a subject".into())?;
    }
    out.raw("</meta>\n<body>\n");
    blocks(&mut out, &doc.body, 1)?;
    out.raw("</body>\n</document>\n");
    Ok(out.buf.into_bytes())
}

fn blocks(out: &mut Out, blocks_: &[Block], depth: usize) -> Result<(), EncodeError> {
    for b in blocks_ {
        block(out, b, depth)?;
    }
    Ok(())
}

fn block(out: &mut Out, b: &Block, depth: usize) -> Result<(), EncodeError> {
    match b {
        Block::Title(t) => out.elem("title", t, &|| "the body title".into()),
        Block::Note(t) => out.elem("note", t, &|| "a note".into()),
        Block::Para(t) => out.elem("p", t, &|| format!("paragraph {:?}", preview(t))),
        Block::Addressee(t) => out.elem("addressee", t, &|| "the addressee".into()),
        Block::Signature(s) => {
            out.raw("<signature>");
            for o in &s.organs {
                out.raw("<organ>");
                out.text(o, &|| "a signature organ".into(), false)?;
                out.raw("</organ>");
            }
            if let Some(d) = &s.date {
                let _ = write!(out.buf, "<date value=\"{}\">", d.value);
                out.text(&d.text, &|| "a signature date".into(), false)?;
                out.raw("</date>");
            }
            out.raw("</signature>\n");
            Ok(())
        }
        Block::Table(t) => {
            out.raw("<table>\n");
            for row in &t.rows {
                out.raw("<tr>");
                for cell in row {
                    out.raw("<td>");
                    out.text(cell, &|| "a table cell".into(), false)?;
                    out.raw("</td>");
                }
                out.raw("</tr>\n");
            }
            out.raw("</table>\n");
            Ok(())
        }
        Block::Unit(u) => unit(out, u, depth),
    }
}

fn unit(out: &mut Out, u: &Unit, depth: usize) -> Result<(), EncodeError> {
    // The decoder counts <document>, <body> and this element.
    let max = Limits::default().max_depth;
    if depth + 2 > max {
        return Err(EncodeError::TooDeep {
            depth: depth + 2,
            max,
        });
    }
    let label = || u.label.clone().unwrap_or_default();
    let name = u.kind.as_str();
    let _ = write!(out.buf, "<{name}");
    if let UnitKind::Entry(level) = u.kind {
        if !(1..=MAX_ENTRY_LEVEL).contains(&level) {
            return Err(EncodeError::BadLevel {
                label: label(),
                level,
            });
        }
        let _ = write!(out.buf, " level=\"{level}\"");
    }
    if let Some(l) = &u.label {
        out.attr("label", l, &|| format!("the label of a {name}"))?;
    }
    if let Some(n) = u.number {
        let _ = write!(out.buf, " num=\"{}\"", n.main);
        if n.sub != 0 {
            let _ = write!(out.buf, " sub=\"{}\"", n.sub);
        }
    }
    out.raw(">\n");
    if let Some(h) = &u.heading {
        out.elem("heading", h, &|| {
            format!("the heading of {name} {:?}", label())
        })?;
    }
    blocks(out, &u.children, depth + 1)?;
    let _ = writeln!(out.buf, "</{name}>");
    Ok(())
}

fn preview(s: &str) -> String {
    s.chars().take(16).collect()
}

/// The canonical bytes of a record. Versions are written in legal order and
/// relations in sorted order whatever their order in memory.
pub fn encode_record(record: &Record) -> Result<Vec<u8>, EncodeError> {
    let mut out = Out {
        buf: String::with_capacity(1024),
    };
    out.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out.buf,
        "<record xmlns=\"{RECORD_NS}\" work=\"{}\" type=\"{}\">",
        record.work,
        record.doc_type.as_str()
    );
    out.elem("title", &record.title, &|| "the title".into())?;
    if let Some(n) = &record.number {
        out.elem("number", n.as_str(), &|| "the document number".into())?;
    }
    for i in &record.issuers {
        out.elem("issuer", i, &|| "an issuer".into())?;
    }
    for s in &record.subjects {
        out.elem("subject", s, &|| "a subject".into())?;
    }
    let mut relations: Vec<_> = record.relations.iter().collect();
    relations.sort();
    relations.dedup();
    for r in relations {
        let _ = write!(out.buf, "<relation kind=\"{}\"", r.kind.as_str());
        target_attrs(&mut out, &r.target, "")?;
        out.raw("/>\n");
    }
    let mut versions: Vec<_> = record.versions.iter().collect();
    versions.sort_by_key(|v| v.legal_key());
    for v in versions {
        let _ = write!(
            out.buf,
            "<version revision=\"{}\" published=\"{}\"",
            v.revision, v.published
        );
        if let Some(e) = v.effective {
            let _ = write!(out.buf, " effective=\"{e}\"");
        }
        if let Some(c) = &v.amended_by {
            citation_attrs(&mut out, c, "amended-by-")?;
        }
        if let Some(n) = &v.note {
            out.attr("note", n, &|| "a version note".into())?;
        }
        if let Some(w) = &v.withdrawn {
            let _ = write!(out.buf, " withdrawn=\"{}\"", w.date);
            out.attr("withdrawn-reason", &w.reason, &|| {
                "a version's withdrawal reason".into()
            })?;
        }
        out.raw("/>\n");
    }
    if let Some(r) = &record.repealed {
        let _ = write!(out.buf, "<repealed date=\"{}\"", r.date);
        if let Some(t) = &r.by {
            target_attrs(&mut out, t, "by-")?;
        }
        out.raw("/>\n");
    }
    if let Some(e) = &record.expires {
        let _ = writeln!(out.buf, "<expires date=\"{e}\"/>");
    }
    if let Some(w) = &record.withdrawn {
        let _ = write!(out.buf, "<withdrawn date=\"{}\"", w.date);
        out.attr("reason", &w.reason, &|| "the withdrawal reason".into())?;
        out.raw("/>\n");
    }
    out.raw("</record>\n");
    Ok(out.buf.into_bytes())
}

fn target_attrs(out: &mut Out, t: &Target, prefix: &str) -> Result<(), EncodeError> {
    match t {
        Target::Work(w) => {
            let _ = write!(out.buf, " {prefix}work=\"{w}\"");
            Ok(())
        }
        Target::Citation(c) => citation_attrs(out, c, prefix),
    }
}

fn citation_attrs(out: &mut Out, c: &Citation, prefix: &str) -> Result<(), EncodeError> {
    if c.is_empty() {
        return Err(EncodeError::EmptyCitation {
            field: match prefix {
                "by-" => "the repeal",
                "amended-by-" => "a version's amending document",
                _ => "a relation",
            },
        });
    }
    if let Some(n) = &c.number {
        out.attr(&format!("{prefix}number"), n.as_str(), &|| {
            "a cited number".into()
        })?;
    }
    if let Some(t) = &c.title {
        out.attr(&format!("{prefix}title"), t, &|| "a cited title".into())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::char::canonical_combining_class;

    #[test]
    fn plain_characters_are_xml_and_nfc_in_any_context() {
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| plain(*c))
        {
            assert!(super::super::is_xml_char(c), "U+{:04X}", c as u32);
            assert_eq!(
                is_nfc_quick(std::iter::once(c)),
                IsNormalized::Yes,
                "U+{:04X}",
                c as u32
            );
            assert_eq!(canonical_combining_class(c), 0, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn escaping_a_string_at_once_matches_character_by_character() {
        for s in [
            "",
            "第一条　为了规范<行政>行为 & \"程序\"，制定本条例。",
            "a\tb\nc\rd",
            "“引号”……——《》〔2025〕",
            "&&<<>>\"\"",
        ] {
            for attr in [false, true] {
                let (mut a, mut b) = (String::new(), String::new());
                escape_str(&mut a, s, attr);
                escape_into(&mut b, s.chars(), attr);
                assert_eq!(a, b, "{s:?}");
            }
        }
    }
}
