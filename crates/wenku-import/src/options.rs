//! What a caller may tell the importer: the format and encoding if known,
//! and metadata that overrides whatever is recognised.

use std::path::Path;

use wenku_model::{Date, DocNumber, DocType};

/// Largest input accepted by default: 16 MiB, far above any real policy
/// document, and a bound on the work a hostile input can cause.
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// An input format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text as published on government sites, or a bare statute.
    Text,
    /// Markdown as published by legal compilations (`# title`, dated history
    /// lines, `<!-- INFO END -->`, `##` headings).
    Markdown,
    /// wenku's own canonical XML (validated and passed through).
    Xml,
}

impl Format {
    /// The format a file extension names (`txt`, `md`, `markdown`, `xml`),
    /// ignoring case.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }

    /// The format of an input: from its name's extension if it has a known
    /// one, otherwise from the decoded content (an XML declaration or
    /// `<document` start; a `# ` title line, a `---` opening front matter
    /// or `<!-- INFO END -->`; plain
    /// text otherwise).
    pub fn detect(source_name: &str, text: &str) -> Format {
        if let Some(f) = Path::new(source_name)
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
        {
            return f;
        }
        Format::sniff(text)
    }

    /// The format the content looks like, ignoring any name.
    pub fn sniff(text: &str) -> Format {
        let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        if start.starts_with("<?xml") || start.starts_with("<document") {
            return Format::Xml;
        }
        let first = start.lines().next().unwrap_or("");
        if first.starts_with("# ")
            || first.trim_end() == "---"
            || text.contains("<!-- INFO END -->")
        {
            return Format::Markdown;
        }
        Format::Text
    }

    /// A short name: `text`, `markdown`, `xml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Xml => "xml",
        }
    }
}

/// A text encoding the importer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte order mark.
    Utf8,
    /// GB18030, which includes GBK and GB2312.
    Gb18030,
    /// UTF-16, little endian (only with a byte order mark when detected).
    Utf16Le,
    /// UTF-16, big endian (only with a byte order mark when detected).
    Utf16Be,
}

impl TextEncoding {
    /// The encoding's name.
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// How to import. Everything is optional: `ImportOptions::default()`
/// recognises all it can. Values given here override what is recognised,
/// both in the [`wenku_model::Document`] and in the [`crate::Proposed`]
/// metadata.
///
/// ```
/// use wenku_import::{Format, ImportOptions};
/// use wenku_model::DocType;
///
/// let options = ImportOptions {
///     format: Some(Format::Text),
///     doc_type: Some(DocType::Policy),
///     ..ImportOptions::default()
/// };
/// assert!(!options.keep_web_chrome);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// The format; detected from the name and content when `None`.
    pub format: Option<Format>,
    /// The encoding; detected (BOM, UTF-8, else GB18030) when `None`.
    pub encoding: Option<TextEncoding>,
    /// The document type.
    pub doc_type: Option<DocType>,
    /// The title.
    pub title: Option<String>,
    /// The document number (发文字号).
    pub number: Option<DocNumber>,
    /// The issuing organs; recognised when empty.
    pub issuers: Vec<String>,
    /// The publication date (公布/发布).
    pub published: Option<Date>,
    /// The effective date (施行).
    pub effective: Option<Date>,
    /// The date the text was written (成文日期).
    pub written: Option<Date>,
    /// The local part of the work id, replacing the suggestion.
    pub local: Option<String>,
    /// Keep web-page chrome (as notes) instead of leaving it out.
    pub keep_web_chrome: bool,
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
}

impl Default for ImportOptions {
    fn default() -> ImportOptions {
        ImportOptions {
            format: None,
            encoding: None,
            doc_type: None,
            title: None,
            number: None,
            issuers: Vec::new(),
            published: None,
            effective: None,
            written: None,
            local: None,
            keep_web_chrome: false,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        assert_eq!(Format::detect("a/b/2015-03-15.md", ""), Format::Markdown);
        assert_eq!(
            Format::detect("x.TXT", "# looks like markdown"),
            Format::Text
        );
        assert_eq!(Format::detect("x.xml", ""), Format::Xml);
        assert_eq!(
            Format::detect("inbox/doc", "\u{FEFF}<?xml version=\"1.0\"?>"),
            Format::Xml
        );
        assert_eq!(Format::detect("doc", "# 标题\n正文"), Format::Markdown);
        assert_eq!(
            Format::detect("doc", "标题\n<!-- INFO END -->"),
            Format::Markdown
        );
        assert_eq!(Format::detect("doc", "第一条　正文"), Format::Text);
    }
}
