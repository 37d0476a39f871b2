//! Reading canonical (and equivalent non-canonical) XML.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::{DOCUMENT_NS, Limits, RECORD_NS, is_xml_char};
use crate::citation::{Citation, DocNumber};
use crate::date::{Date, DateError};
use crate::document::{
    Block, DocType, Document, MAX_ENTRY_LEVEL, Number, Signature, Table, Unit, UnitKind,
    WrittenDate,
};
use crate::record::{Record, Relation, RelationKind, Repeal, Target, VersionEntry, Withdrawal};
use crate::revision::RevisionId;
use crate::work_id::WorkId;

/// What sort of problem a [`DecodeError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// Not UTF-8.
    Encoding,
    /// Not well-formed XML.
    Syntax,
    /// Well-formed, but not the structure the schema describes.
    Structure,
    /// An attribute or text value is invalid (a bad date, id, number …).
    Value,
    /// The input exceeds a [`Limits`] bound.
    Limit,
    /// A format version this build does not read (e.g. a newer one).
    Version,
}

/// Why bytes are not a valid document or record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}{}: {message}", element.as_ref().map(|e| format!(", in <{e}>")).unwrap_or_default())]
pub struct DecodeError {
    /// What sort of problem.
    pub kind: DecodeErrorKind,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The element being read, if any.
    pub element: Option<String>,
    /// What was wrong and what was expected.
    pub message: String,
}

/// Decodes a document with the default [`Limits`].
pub fn decode_document(bytes: &[u8]) -> Result<Document, DecodeError> {
    decode_document_with(bytes, Limits::default())
}

/// Decodes a record with the default [`Limits`].
pub fn decode_record(bytes: &[u8]) -> Result<Record, DecodeError> {
    decode_record_with(bytes, Limits::default())
}

/// Decodes a document.
pub fn decode_document_with(bytes: &[u8], limits: Limits) -> Result<Document, DecodeError> {
    let mut p = Parser::new(bytes, limits)?;
    let root = p.root("document", DOCUMENT_NS)?;
    let doc = p.document(root)?;
    p.finish()?;
    Ok(doc)
}

/// Decodes a record and normalises it (legal order, sorted relations).
pub fn decode_record_with(bytes: &[u8], limits: Limits) -> Result<Record, DecodeError> {
    let mut p = Parser::new(bytes, limits)?;
    let root = p.root("record", RECORD_NS)?;
    let mut record = p.record(root)?;
    p.finish()?;
    record.normalize();
    Ok(record)
}

/// A start tag, owned.
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    pos: usize,
}

enum Ev {
    Start(Tag),
    End,
    Text { text: String, pos: usize },
    Eof,
}

struct Parser<'a> {
    src: &'a str,
    reader: Reader<&'a [u8]>,
    limits: Limits,
    depth: usize,
    /// Element names from the root to the current element.
    stack: Vec<String>,
    peeked: Option<(Ev, usize)>,
}

impl<'a> Parser<'a> {
    fn new(bytes: &'a [u8], limits: Limits) -> Result<Parser<'a>, DecodeError> {
        if bytes.len() > limits.max_bytes {
            return Err(DecodeError {
                kind: DecodeErrorKind::Limit,
                line: 1,
                column: 1,
                element: None,
                message: format!(
                    "the input is {} bytes; at most {} are allowed",
                    bytes.len(),
                    limits.max_bytes
                ),
            });
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let src = match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
                let (line, column) = line_col(valid, valid.len());
                return Err(DecodeError {
                    kind: DecodeErrorKind::Encoding,
                    line,
                    column,
                    element: None,
                    message: format!(
                        "the input is not UTF-8 (invalid byte at offset {})",
                        e.valid_up_to()
                    ),
                });
            }
        };
        let mut reader = Reader::from_str(src);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.check_comments = true;
        Ok(Parser {
            src,
            reader,
            limits,
            depth: 0,
            stack: Vec::new(),
            peeked: None,
        })
    }

    fn err_at(&self, pos: usize, kind: DecodeErrorKind, message: impl Into<String>) -> DecodeError {
        let (line, column) = line_col(self.src, pos);
        DecodeError {
            kind,
            line,
            column,
            element: self.stack.last().cloned(),
            message: message.into(),
        }
    }

    /// Reads the next event, merging text, references and CDATA into one
    /// text event and skipping comments, processing instructions and the
    /// XML declaration.
    fn raw_next(&mut self) -> Result<(Ev, usize), DecodeError> {
        let mut text: Option<(String, usize)> = None;
        loop {
            let pos = self.reader.buffer_position() as usize;
            let ev = match self.reader.read_event() {
                Ok(ev) => ev,
                Err(e) => {
                    let at = self.reader.error_position() as usize;
                    return Err(self.err_at(
                        at,
                        DecodeErrorKind::Syntax,
                        format!("malformed XML: {e}"),
                    ));
                }
            };
            let piece: Cow<'_, str> = match &ev {
                Event::Text(t) => t.xml10_content(),
                Event::CData(c) => match c.clone().into_inner() {
                    Cow::Borrowed(b) => Cow::Owned(b.replace("\r\n", "\n").replace('\r', "\n")),
                    Cow::Owned(b) => Cow::Owned(b.replace("\r\n", "\n").replace('\r', "\n")),
                },
                Event::GeneralRef(r) => {
                    if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) if is_xml_char(c) => Cow::Owned(c.to_string()),
                            _ => {
                                return Err(self.err_at(
                                    pos,
                                    DecodeErrorKind::Syntax,
                                    format!("&{}; is not a valid XML character reference", &**r),
                                ));
                            }
                        }
                    } else {
                        Cow::Borrowed(match &**r {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            other => {
                                return Err(self.err_at(
                                    pos,
                                    DecodeErrorKind::Syntax,
                                    format!("unknown entity &{other}; (only &amp; &lt; &gt; &quot; &apos; and character references are allowed)"),
                                ));
                            }
                        })
                    }
                }
                Event::Comment(_) | Event::PI(_) => continue,
                Event::Decl(d) => {
                    if let Some(Ok(enc)) = d.encoding() {
                        let enc = enc.to_ascii_lowercase();
                        if enc != "utf-8" && enc != "utf8" {
                            return Err(self.err_at(
                                pos,
                                DecodeErrorKind::Encoding,
                                format!("the XML declaration says encoding {enc:?}; only UTF-8 is accepted"),
                            ));
                        }
                    }
                    continue;
                }
                Event::DocType(_) => {
                    return Err(self.err_at(
                        pos,
                        DecodeErrorKind::Structure,
                        "a DOCTYPE is not allowed (no DTDs, no entity declarations)",
                    ));
                }
                _ => {
                    if let Some((t, p)) = text.take() {
                        // Put this event back by re-reading is impossible, so
                        // stash it as the next peeked event.
                        let owned = self.own(ev, pos)?;
                        self.peeked = Some(owned);
                        return Ok((Ev::Text { text: t, pos: p }, p));
                    }
                    return self.own(ev, pos);
                }
            };
            if let Some(c) = piece.chars().find(|c| !is_xml_char(*c)) {
                return Err(self.err_at(
                    pos,
                    DecodeErrorKind::Syntax,
                    format!("U+{:04X} is not allowed in XML text", c as u32),
                ));
            }
            match &mut text {
                Some((t, _)) => t.push_str(&piece),
                None => text = Some((piece.into_owned(), pos)),
            }
        }
    }

    fn own(&self, ev: Event<'_>, pos: usize) -> Result<(Ev, usize), DecodeError> {
        Ok(match ev {
            Event::Start(s) => (Ev::Start(self.tag(&s, pos)?), pos),
            Event::End(_) => (Ev::End, pos),
            Event::Eof => (Ev::Eof, pos),
            // expand_empty_elements turns Empty into Start + End.
            _ => (Ev::Eof, pos),
        })
    }

    fn tag(&self, s: &BytesStart<'_>, pos: usize) -> Result<Tag, DecodeError> {
        let name = s.name().as_ref().to_string();
        let mut attrs = Vec::new();
        let mut it = s.attributes();
        it.with_checks(true);
        for a in it {
            if attrs.len() == self.limits.max_attributes {
                return Err(self.err_at(
                    pos,
                    DecodeErrorKind::Limit,
                    format!(
                        "<{name}> has more than {} attributes",
                        self.limits.max_attributes
                    ),
                ));
            }
            let a = a.map_err(|e| {
                self.err_at(
                    pos,
                    DecodeErrorKind::Syntax,
                    format!("malformed attribute in <{name}>: {e}"),
                )
            })?;
            let key = a.key.as_ref().to_string();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| {
                    self.err_at(
                        pos,
                        DecodeErrorKind::Syntax,
                        format!("bad value of attribute {key:?} in <{name}>: {e}"),
                    )
                })?;
            if let Some(c) = value.chars().find(|c| !is_xml_char(*c)) {
                return Err(self.err_at(
                    pos,
                    DecodeErrorKind::Syntax,
                    format!("U+{:04X} is not allowed in attribute {key:?}", c as u32),
                ));
            }
            attrs.push((key, nfc(value.into_owned())));
        }
        Ok(Tag { name, attrs, pos })
    }

    fn next(&mut self) -> Result<(Ev, usize), DecodeError> {
        match self.peeked.take() {
            Some(ev) => Ok(ev),
            None => self.raw_next(),
        }
    }

    /// Next event that is not whitespace-only text.
    fn next_significant(&mut self) -> Result<(Ev, usize), DecodeError> {
        loop {
            match self.next()? {
                (Ev::Text { text, pos }, _) => {
                    if !text.chars().all(is_xml_space) {
                        let within = self
                            .stack
                            .last()
                            .map(|e| format!(" directly inside <{e}>"))
                            .unwrap_or_default();
                        return Err(self.err_at(
                            pos + leading_space(&text),
                            DecodeErrorKind::Structure,
                            format!(
                                "unexpected text {:?}{within}; expected an element",
                                text.trim().chars().take(20).collect::<String>()
                            ),
                        ));
                    }
                }
                other => return Ok(other),
            }
        }
    }

    fn enter(&mut self, tag: &Tag) -> Result<(), DecodeError> {
        if tag.name.contains(':') {
            return Err(self.err_at(
                tag.pos,
                DecodeErrorKind::Structure,
                format!("<{}>: namespace prefixes are not supported", tag.name),
            ));
        }
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(self.err_at(
                tag.pos,
                DecodeErrorKind::Limit,
                format!("elements nest more than {} deep", self.limits.max_depth),
            ));
        }
        self.stack.push(tag.name.clone());
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
        self.stack.pop();
    }

    fn root(&mut self, expected: &str, ns: &str) -> Result<Tag, DecodeError> {
        let (ev, pos) = self.next_significant()?;
        let tag = match ev {
            Ev::Start(t) => t,
            _ => {
                return Err(self.err_at(
                    pos,
                    DecodeErrorKind::Structure,
                    format!("expected the root element <{expected}>, found no element"),
                ));
            }
        };
        if tag.name != expected {
            return Err(self.err_at(
                tag.pos,
                DecodeErrorKind::Structure,
                format!(
                    "expected the root element <{expected}>, found <{}>",
                    tag.name
                ),
            ));
        }
        let found = tag
            .attrs
            .iter()
            .find(|(k, _)| k == "xmlns")
            .map(|(_, v)| v.as_str());
        match found {
            Some(v) if v == ns => {}
            Some(v) => {
                let prefix = &ns[..ns.len() - 1];
                let kind = if v.starts_with(prefix) {
                    DecodeErrorKind::Version
                } else {
                    DecodeErrorKind::Structure
                };
                let message = if let Some(ver) = v.strip_prefix(prefix) {
                    format!(
                        "format version {ver} (namespace {v}) is not supported; this wenku reads version 1 ({ns}); upgrade wenku to read it"
                    )
                } else {
                    format!("namespace {v:?} is not a wenku {expected}; expected xmlns=\"{ns}\"")
                };
                return Err(self.err_at(tag.pos, kind, message));
            }
            None => {
                return Err(self.err_at(
                    tag.pos,
                    DecodeErrorKind::Structure,
                    format!("<{expected}> lacks xmlns=\"{ns}\""),
                ));
            }
        }
        self.enter(&tag)?;
        Ok(tag)
    }

    fn finish(&mut self) -> Result<(), DecodeError> {
        match self.next_significant()? {
            (Ev::Eof, _) => Ok(()),
            (_, pos) => Err(self.err_at(
                pos,
                DecodeErrorKind::Structure,
                "content after the root element",
            )),
        }
    }

    /// Checks that every attribute of `tag` is in `allowed`; the root may also
    /// carry XML Schema instance attributes.
    fn check_attrs(&self, tag: &Tag, allowed: &[&str]) -> Result<(), DecodeError> {
        for (k, _) in &tag.attrs {
            let schema_hint = k == "xmlns:xsi" || k.starts_with("xsi:");
            let allowed_here = allowed.contains(&k.as_str()) || (schema_hint && self.depth == 1);
            if !allowed_here {
                return Err(self.err_at(
                    tag.pos,
                    DecodeErrorKind::Structure,
                    format!(
                        "unknown attribute {k:?} on <{}>; allowed: {}",
                        tag.name,
                        if allowed.is_empty() {
                            "none".to_string()
                        } else {
                            allowed.join(", ")
                        }
                    ),
                ));
            }
        }
        Ok(())
    }

    fn attr<'t>(&self, tag: &'t Tag, name: &str) -> Option<&'t str> {
        tag.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn required<'t>(&self, tag: &'t Tag, name: &str) -> Result<&'t str, DecodeError> {
        self.attr(tag, name).ok_or_else(|| {
            self.err_at(
                tag.pos,
                DecodeErrorKind::Structure,
                format!("<{}> lacks the required attribute {name:?}", tag.name),
            )
        })
    }

    fn value_err(&self, tag: &Tag, name: &str, err: impl std::fmt::Display) -> DecodeError {
        self.err_at(
            tag.pos,
            DecodeErrorKind::Value,
            format!("attribute {name:?} of <{}>: {err}", tag.name),
        )
    }

    fn date_attr(&self, tag: &Tag, name: &str) -> Result<Option<Date>, DecodeError> {
        self.attr(tag, name)
            .map(|v| Date::parse_iso(v).map_err(|e: DateError| self.value_err(tag, name, e)))
            .transpose()
    }

    fn u32_attr(&self, tag: &Tag, name: &str) -> Result<Option<u32>, DecodeError> {
        self.attr(tag, name)
            .map(|v| {
                let ok = !v.is_empty() && v.len() <= 9 && v.bytes().all(|b| b.is_ascii_digit());
                let n = if ok { v.parse::<u32>().ok() } else { None };
                n.ok_or_else(|| {
                    self.value_err(tag, name, format!("expected a number, found {v:?}"))
                })
            })
            .transpose()
    }

    /// Reads the text content of a leaf element whose start tag was just read.
    fn text_content(&mut self, tag: &Tag) -> Result<String, DecodeError> {
        self.enter(tag)?;
        let mut out = String::new();
        loop {
            match self.next()? {
                (Ev::Text { text, .. }, _) => out.push_str(&text),
                (Ev::End, _) => break,
                (Ev::Start(inner), _) => {
                    return Err(self.err_at(
                        inner.pos,
                        DecodeErrorKind::Structure,
                        format!(
                            "unexpected element <{}> inside <{}>; expected text only",
                            inner.name, tag.name
                        ),
                    ));
                }
                (Ev::Eof, pos) => {
                    return Err(self.err_at(
                        pos,
                        DecodeErrorKind::Syntax,
                        "unexpected end of input",
                    ));
                }
            }
        }
        self.leave();
        Ok(nfc(out))
    }

    /// Skips to and consumes the end of an element whose children are
    /// not allowed (attribute-only elements).
    fn empty_content(&mut self, tag: &Tag) -> Result<(), DecodeError> {
        self.enter(tag)?;
        match self.next_significant()? {
            (Ev::End, _) => {}
            (Ev::Start(inner), _) => {
                return Err(self.err_at(
                    inner.pos,
                    DecodeErrorKind::Structure,
                    format!("<{}> must be empty; found <{}>", tag.name, inner.name),
                ));
            }
            (_, pos) => {
                return Err(self.err_at(pos, DecodeErrorKind::Syntax, "unexpected end of input"));
            }
        }
        self.leave();
        Ok(())
    }

    /// Children of the current element: calls `each` for every child start
    /// tag until the element ends.
    fn children(
        &mut self,
        mut each: impl FnMut(&mut Self, Tag) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        loop {
            match self.next_significant()? {
                (Ev::Start(tag), _) => each(self, tag)?,
                (Ev::End, _) => {
                    self.leave();
                    return Ok(());
                }
                (Ev::Eof, pos) => {
                    return Err(self.err_at(
                        pos,
                        DecodeErrorKind::Syntax,
                        "unexpected end of input",
                    ));
                }
                (Ev::Text { .. }, _) => unreachable!("next_significant skips or rejects text"),
            }
        }
    }

    fn unexpected(&self, tag: &Tag, expected: &str) -> DecodeError {
        self.err_at(
            tag.pos,
            DecodeErrorKind::Structure,
            format!("unexpected element <{}>; expected {expected}", tag.name),
        )
    }

    // ---- documents ----

    fn document(&mut self, root: Tag) -> Result<Document, DecodeError> {
        self.check_attrs(&root, &["xmlns", "type"])?;
        let doc_type: DocType = self
            .required(&root, "type")?
            .parse()
            .map_err(|e| self.value_err(&root, "type", e))?;
        let mut doc = Document::new(doc_type, "");
        let mut seen_meta = false;
        let mut seen_body = false;
        let mut title_seen = false;
        self.children(|p, tag| match tag.name.as_str() {
            "meta" if !seen_meta && !seen_body => {
                seen_meta = true;
                p.check_attrs(&tag, &[])?;
                p.enter(&tag)?;
                // Children in schema order: title, number?, organ*, written?, subject*.
                const ORDER: [&str; 5] = ["title", "number", "organ", "written", "subject"];
                let mut stage = 0usize;
                p.children(|p, t| {
                    p.check_attrs(&t, &[])?;
                    let Some(idx) = ORDER.iter().position(|n| *n == t.name) else {
                        return Err(p.unexpected(&t, "title, number, organ, written or subject"));
                    };
                    let repeatable = matches!(t.name.as_str(), "organ" | "subject");
                    let repeated = idx == stage && !repeatable && title_seen;
                    if idx < stage || repeated || (idx > 0 && !title_seen) {
                        return Err(p.err_at(t.pos, DecodeErrorKind::Structure, format!(
                            "<{}> is out of place or repeated; <meta> lists, in order: title, number?, organ*, written?, subject*",
                            t.name
                        )));
                    }
                    stage = idx;
                    match t.name.as_str() {
                        "title" => {
                            title_seen = true;
                            doc.title = p.text_content(&t)?;
                        }
                        "number" => {
                            let v = p.text_content(&t)?;
                            doc.number = Some(DocNumber::parse(&v).ok_or_else(|| {
                                p.err_at(t.pos, DecodeErrorKind::Value, format!("{v:?} is not a document number like 鲁政办发〔2025〕5号"))
                            })?);
                        }
                        "organ" => doc.organs.push(p.text_content(&t)?),
                        "written" => {
                            let v = p.text_content(&t)?;
                            doc.written = Some(Date::parse_iso(&v).map_err(|e| p.err_at(t.pos, DecodeErrorKind::Value, e.to_string()))?);
                        }
                        _ => doc.subjects.push(p.text_content(&t)?),
                    }
                    Ok(())
                })?;
                if !title_seen {
                    return Err(p.err_at(tag.pos, DecodeErrorKind::Structure, "<meta> lacks <title>"));
                }
                Ok(())
            }
            "body" if seen_meta && !seen_body => {
                seen_body = true;
                p.check_attrs(&tag, &[])?;
                p.enter(&tag)?;
                doc.body = p.blocks()?;
                Ok(())
            }
            _ => Err(p.unexpected(&tag, if seen_meta { if seen_body { "the end of <document>" } else { "<body>" } } else { "<meta>" })),
        })?;
        if !seen_body {
            return Err(self.err_at(
                root.pos,
                DecodeErrorKind::Structure,
                "<document> lacks <meta> or <body>",
            ));
        }
        Ok(doc)
    }

    /// Reads blocks until the current element ends.
    fn blocks(&mut self) -> Result<Vec<Block>, DecodeError> {
        let mut out = Vec::new();
        self.children(|p, tag| {
            out.push(p.block(tag)?);
            Ok(())
        })?;
        Ok(out)
    }

    fn block(&mut self, tag: Tag) -> Result<Block, DecodeError> {
        let leaf = |p: &mut Self, tag: &Tag| -> Result<String, DecodeError> {
            p.check_attrs(tag, &[])?;
            p.text_content(tag)
        };
        Ok(match tag.name.as_str() {
            "title" => Block::Title(leaf(self, &tag)?),
            "note" => Block::Note(leaf(self, &tag)?),
            "p" => Block::Para(leaf(self, &tag)?),
            "addressee" => Block::Addressee(leaf(self, &tag)?),
            "signature" => {
                self.check_attrs(&tag, &[])?;
                self.enter(&tag)?;
                let mut sig = Signature::default();
                self.children(|p, t| match t.name.as_str() {
                    "organ" if sig.date.is_none() => {
                        p.check_attrs(&t, &[])?;
                        sig.organs.push(p.text_content(&t)?);
                        Ok(())
                    }
                    "date" if sig.date.is_none() => {
                        p.check_attrs(&t, &["value"])?;
                        let value = p.date_attr(&t, "value")?.ok_or_else(|| {
                            p.err_at(
                                t.pos,
                                DecodeErrorKind::Structure,
                                "<date> lacks the required attribute \"value\"",
                            )
                        })?;
                        let text = p.text_content(&t)?;
                        sig.date = Some(WrittenDate { value, text });
                        Ok(())
                    }
                    _ => Err(p.unexpected(&t, "<organ> elements followed by at most one <date>")),
                })?;
                Block::Signature(sig)
            }
            "table" => {
                self.check_attrs(&tag, &[])?;
                self.enter(&tag)?;
                let mut table = Table::default();
                self.children(|p, t| {
                    if t.name != "tr" {
                        return Err(p.unexpected(&t, "<tr>"));
                    }
                    p.check_attrs(&t, &[])?;
                    p.enter(&t)?;
                    let mut row = Vec::new();
                    p.children(|p, c| {
                        if c.name != "td" {
                            return Err(p.unexpected(&c, "<td>"));
                        }
                        p.check_attrs(&c, &[])?;
                        row.push(p.text_content(&c)?);
                        Ok(())
                    })?;
                    table.rows.push(row);
                    Ok(())
                })?;
                Block::Table(table)
            }
            name => {
                let kind = match name {
                    "cover" => UnitKind::Cover,
                    "part" => UnitKind::Part,
                    "subpart" => UnitKind::Subpart,
                    "chapter" => UnitKind::Chapter,
                    "section" => UnitKind::Section,
                    "article" => UnitKind::Article,
                    "item" => UnitKind::Item,
                    "subitem" => UnitKind::Subitem,
                    "attachment" => UnitKind::Attachment,
                    "entry" => {
                        self.check_attrs(&tag, &["level", "label", "num", "sub"])?;
                        let level = self.u32_attr(&tag, "level")?.ok_or_else(|| {
                            self.err_at(tag.pos, DecodeErrorKind::Structure, "<entry> lacks the required attribute \"level\"")
                        })?;
                        if !(1..=u32::from(MAX_ENTRY_LEVEL)).contains(&level) {
                            return Err(self.value_err(&tag, "level", format!("expected 1 to {MAX_ENTRY_LEVEL}, found {level}")));
                        }
                        UnitKind::Entry(level as u8)
                    }
                    _ => return Err(self.unexpected(&tag, "a block: title, note, p, addressee, signature, table, cover, part, subpart, chapter, section, article, item, subitem, entry or attachment")),
                };
                if !matches!(kind, UnitKind::Entry(_)) {
                    self.check_attrs(&tag, &["label", "num", "sub"])?;
                }
                Block::Unit(self.unit(tag, kind)?)
            }
        })
    }

    fn unit(&mut self, tag: Tag, kind: UnitKind) -> Result<Unit, DecodeError> {
        let label = self.attr(&tag, "label").map(str::to_string);
        let main = self.u32_attr(&tag, "num")?;
        let sub = self.u32_attr(&tag, "sub")?;
        let number = match (main, sub) {
            (Some(m), s) => Some(Number {
                main: m,
                sub: s.unwrap_or(0),
            }),
            (None, Some(_)) => return Err(self.value_err(&tag, "sub", "a sub number needs a num")),
            (None, None) => None,
        };
        if sub == Some(0) {
            return Err(self.value_err(&tag, "sub", "sub=\"0\" is written by leaving sub out"));
        }
        self.enter(&tag)?;
        let mut unit = Unit {
            kind,
            label,
            number,
            heading: None,
            children: Vec::new(),
        };
        self.children(|p, t| {
            if t.name == "heading" {
                if unit.heading.is_some() || !unit.children.is_empty() {
                    return Err(p.err_at(
                        t.pos,
                        DecodeErrorKind::Structure,
                        format!(
                            "<heading> must be the first child of <{}> and appear once",
                            kind.as_str()
                        ),
                    ));
                }
                p.check_attrs(&t, &[])?;
                unit.heading = Some(p.text_content(&t)?);
            } else {
                unit.children.push(p.block(t)?);
            }
            Ok(())
        })?;
        Ok(unit)
    }

    // ---- records ----

    fn record(&mut self, root: Tag) -> Result<Record, DecodeError> {
        self.check_attrs(&root, &["xmlns", "work", "type"])?;
        let work = WorkId::parse(self.required(&root, "work")?)
            .map_err(|e| self.value_err(&root, "work", e))?;
        let doc_type: DocType = self
            .required(&root, "type")?
            .parse()
            .map_err(|e| self.value_err(&root, "type", e))?;
        let mut rec = Record::new(work, doc_type, "");
        // Elements must come in schema order; `stage` is the index of the last seen group.
        const ORDER: [&str; 9] = [
            "title",
            "number",
            "issuer",
            "subject",
            "relation",
            "version",
            "repealed",
            "expires",
            "withdrawn",
        ];
        let mut stage = 0usize;
        let mut title_seen = false;
        self.children(|p, t| {
            let Some(idx) = ORDER.iter().position(|n| *n == t.name) else {
                return Err(p.unexpected(&t, "title, number, issuer, subject, relation, version, repealed, expires or withdrawn"));
            };
            let repeatable = matches!(t.name.as_str(), "issuer" | "subject" | "relation" | "version");
            if idx < stage || (idx == stage && !repeatable && (idx > 0 || title_seen)) {
                return Err(p.err_at(t.pos, DecodeErrorKind::Structure, format!(
                    "<{}> is out of place or repeated; a record lists, in order: title, number?, issuer*, subject*, relation*, version*, repealed?, expires?, withdrawn?",
                    t.name
                )));
            }
            stage = idx;
            match t.name.as_str() {
                "title" => {
                    p.check_attrs(&t, &[])?;
                    rec.title = p.text_content(&t)?;
                    title_seen = true;
                }
                "number" => {
                    p.check_attrs(&t, &[])?;
                    let v = p.text_content(&t)?;
                    rec.number = Some(DocNumber::parse(&v).ok_or_else(|| {
                        p.err_at(t.pos, DecodeErrorKind::Value, format!("{v:?} is not a document number like 鲁政办发〔2025〕5号"))
                    })?);
                }
                "issuer" => {
                    p.check_attrs(&t, &[])?;
                    rec.issuers.push(p.text_content(&t)?);
                }
                "subject" => {
                    p.check_attrs(&t, &[])?;
                    rec.subjects.push(p.text_content(&t)?);
                }
                "relation" => {
                    p.check_attrs(&t, &["kind", "work", "number", "title"])?;
                    let kind: RelationKind = p.required(&t, "kind")?.parse().map_err(|e| p.value_err(&t, "kind", e))?;
                    let target = p.target(&t, "")?.ok_or_else(|| {
                        p.err_at(t.pos, DecodeErrorKind::Structure, "<relation> needs a work, a number or a title")
                    })?;
                    p.empty_content(&t)?;
                    rec.relations.push(Relation { kind, target });
                }
                "version" => {
                    p.check_attrs(&t, &["revision", "published", "effective", "amended-by-number", "amended-by-title", "note", "withdrawn", "withdrawn-reason"])?;
                    let revision = RevisionId::parse(p.required(&t, "revision")?).map_err(|e| p.value_err(&t, "revision", e))?;
                    if rec.version(&revision).is_some() {
                        return Err(p.err_at(t.pos, DecodeErrorKind::Value, format!("version {revision} is listed twice")));
                    }
                    let published = p.date_attr(&t, "published")?.ok_or_else(|| {
                        p.err_at(t.pos, DecodeErrorKind::Structure, "<version> lacks the required attribute \"published\"")
                    })?;
                    let effective = p.date_attr(&t, "effective")?;
                    let amended_by = p.citation(&t, "amended-by-")?;
                    let note = p.attr(&t, "note").map(str::to_string);
                    let withdrawn = match (p.date_attr(&t, "withdrawn")?, p.attr(&t, "withdrawn-reason")) {
                        (Some(date), Some(reason)) => Some(Withdrawal { date, reason: reason.to_string() }),
                        (None, None) => None,
                        (Some(_), None) => return Err(p.err_at(t.pos, DecodeErrorKind::Structure, "<version withdrawn=…> lacks the required attribute \"withdrawn-reason\"")),
                        (None, Some(_)) => return Err(p.err_at(t.pos, DecodeErrorKind::Structure, "<version withdrawn-reason=…> lacks the attribute \"withdrawn\" (the date)")),
                    };
                    p.empty_content(&t)?;
                    rec.versions.push(VersionEntry { revision, published, effective, amended_by, note, withdrawn });
                }
                "repealed" => {
                    p.check_attrs(&t, &["date", "by-work", "by-number", "by-title"])?;
                    let date = p.date_attr(&t, "date")?.ok_or_else(|| {
                        p.err_at(t.pos, DecodeErrorKind::Structure, "<repealed> lacks the required attribute \"date\"")
                    })?;
                    let by = p.target(&t, "by-")?;
                    p.empty_content(&t)?;
                    rec.repealed = Some(Repeal { date, by });
                }
                "expires" => {
                    p.check_attrs(&t, &["date"])?;
                    rec.expires = p.date_attr(&t, "date")?;
                    if rec.expires.is_none() {
                        return Err(p.err_at(t.pos, DecodeErrorKind::Structure, "<expires> lacks the required attribute \"date\""));
                    }
                    p.empty_content(&t)?;
                }
                _ => {
                    p.check_attrs(&t, &["date", "reason"])?;
                    let date = p.date_attr(&t, "date")?.ok_or_else(|| {
                        p.err_at(t.pos, DecodeErrorKind::Structure, "<withdrawn> lacks the required attribute \"date\"")
                    })?;
                    let reason = p.required(&t, "reason")?.to_string();
                    p.empty_content(&t)?;
                    rec.withdrawn = Some(Withdrawal { date, reason });
                }
            }
            Ok(())
        })?;
        if !title_seen {
            return Err(self.err_at(
                root.pos,
                DecodeErrorKind::Structure,
                "<record> lacks <title>",
            ));
        }
        Ok(rec)
    }

    fn citation(&self, t: &Tag, prefix: &str) -> Result<Option<Citation>, DecodeError> {
        let number_attr = format!("{prefix}number");
        let number = match self.attr(t, &number_attr) {
            Some(v) => Some(DocNumber::parse(v).ok_or_else(|| {
                self.value_err(
                    t,
                    &number_attr,
                    format!("{v:?} is not a document number like 鲁政办发〔2025〕5号"),
                )
            })?),
            None => None,
        };
        let title = self.attr(t, &format!("{prefix}title")).map(str::to_string);
        let c = Citation { number, title };
        Ok((!c.is_empty()).then_some(c))
    }

    fn target(&self, t: &Tag, prefix: &str) -> Result<Option<Target>, DecodeError> {
        let work_attr = format!("{prefix}work");
        let citation = self.citation(t, prefix)?;
        match self.attr(t, &work_attr) {
            Some(w) => {
                if citation.is_some() {
                    return Err(self.err_at(
                        t.pos,
                        DecodeErrorKind::Structure,
                        format!("<{}> names both a work and a citation; give one", t.name),
                    ));
                }
                let id = WorkId::parse(w).map_err(|e| self.value_err(t, &work_attr, e))?;
                Ok(Some(Target::Work(id)))
            }
            None => Ok(citation.map(Target::Citation)),
        }
    }
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn leading_space(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_xml_space).len()
}

fn nfc(s: String) -> String {
    // Almost every text is Chinese, punctuation and ASCII, which no
    // normalization changes: a range test per character, before the
    // quick check's table lookups.
    if s.chars().all(super::encode::plain) || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s
    } else {
        s.nfc().collect()
    }
}

/// 1-based line and column (in characters) of byte offset `pos`.
fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let mut pos = pos.min(src.len());
    while !src.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &src[..pos];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
