//! Real inputs to wenku documents: policy documents as government sites
//! publish them (plain text, often with web-page chrome), statutes as legal
//! compilations publish them (Markdown, or bare text), and wenku's own
//! canonical XML; in UTF-8 (with or without BOM), GB18030/GBK or UTF-16.
//!
//! An import gives a [`wenku_model::Document`] with the structure
//! recognised — statute divisions, articles (条) with their paragraphs (款),
//! items (项) and sub-items (目); the `一、`/`（一）`/`1.`/`（1）` outline of
//! normative documents with entry headings; cover notices, signatures,
//! attachments — plus [`Proposed`] record metadata (title, number, type,
//! issuers, dates, amending document, relations to the documents it cites,
//! history) and [`Diagnostic`]s saying what was recognised and exactly what
//! was left out.
//!
//! It never silently loses text: the document's plain-text rendering plus
//! every [`Diagnostic::dropped`] text holds the same non-whitespace
//! characters as the input ([`fidelity::check`]). Text is kept as written
//! (after NFC normalisation); only line edges are trimmed.
//!
//! ```
//! use wenku_import::{ImportOptions, import_bytes};
//! use wenku_model::{DocType, RelationKind, UnitKind};
//!
//! let text = "\
//! 各区、市人民政府,市政府各部门:
//! 《2025年青岛市政务公开工作要点》已经市政府同意,现印发给你们,请认真贯彻执行。
//! 青岛市人民政府办公厅
//! 2025年5月16日
//! (此件公开发布)
//! 2025年青岛市政务公开工作要点
//! 根据《山东省人民政府办公厅关于印发〈2025年山东省政务公开工作要点〉的通知》(鲁政办发〔2025〕5号)要求,制定本要点。
//! 一、加强体制机制建设,推进政务公开规范转型
//! (一)完善主动公开机制。健全主动公开事项目录制度。
//! ";
//! let imported = import_bytes("qingdao.txt", text.as_bytes(), &ImportOptions::default())?;
//! let p = &imported.proposed;
//! assert_eq!(p.title.as_deref(), Some("2025年青岛市政务公开工作要点"));
//! assert_eq!(p.issuers, ["青岛市人民政府办公厅"]);
//! assert_eq!(p.published.map(|d| d.to_string()).as_deref(), Some("2025-05-16"));
//! assert_eq!(p.doc_type, DocType::Policy);
//! assert_eq!(p.relations[0].kind, RelationKind::Basis);
//!
//! let entry = imported.document.units_of(UnitKind::Entry(2))[0];
//! assert_eq!(entry.heading.as_deref(), Some("完善主动公开机制。"));
//! wenku_import::fidelity::check(text, &imported)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod chrome;
mod cover;
mod date;
mod diagnostic;
pub mod encoding;
mod error;
pub mod fidelity;
mod front_matter;
mod history;
mod initials;
mod label;
mod line;
mod markdown;
mod metadata;
mod options;
mod read;
mod relation;
mod structure;
mod table;
mod xml;

use std::path::Path;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use wenku_model::canonical::{MAX_CANONICAL_BYTES, decode_document};
use wenku_model::{DocType, Document, render};

pub use diagnostic::{Diagnostic, Severity, codes};
pub use error::ImportError;
pub use history::{HistoryEvent, HistoryKind};
pub use metadata::Proposed;
pub use options::{DEFAULT_MAX_BYTES, Format, ImportOptions, TextEncoding};

/// The result of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// The document, ready to be stored.
    pub document: Document,
    /// Record metadata recognised in (or given for) it.
    pub proposed: Proposed,
    /// What was recognised, guessed and left out, in input order where it
    /// has a line.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a file and imports it; see [`import_bytes`]. The path is the
/// source name in messages and decides the format by its extension.
///
/// Only a regular file (or a symbolic link to one) is read: a directory,
/// device, FIFO or socket is refused before it is opened, and the file is
/// opened without blocking, so a FIFO swapped in at the last moment cannot
/// hang the import. At most [`ImportOptions::max_bytes`] bytes are read,
/// whatever size the file reports.
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    let name = path.display().to_string();
    let bytes = read::bounded(path, &name, options.max_bytes)?;
    import_bytes(&name, &bytes, options)
}

/// Imports one input. `source_name` names it in messages and, by its
/// extension, decides the format unless [`ImportOptions::format`] does.
///
/// Fails only when the input cannot be read as text at all (binary, bad or
/// truncated multibyte sequences, too large), holds no text (blank, or all
/// of it left out), an XML input is not a valid wenku document, or the
/// document's canonical form is larger than readers accept
/// ([`wenku_model::canonical::MAX_CANONICAL_BYTES`]); anything else
/// imports, with diagnostics.
///
/// The returned document is exactly what its canonical bytes decode to.
/// Bidirectional control characters are left out of every text line (as
/// dropped text, with a warning), and out of the proposed title and
/// issuers; an impossible date written in the text is reported with its
/// line and never used as a date.
pub fn import_bytes(
    source_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let _span = tracing::debug_span!("import", source = source_name, bytes = bytes.len()).entered();
    if bytes.len() > options.max_bytes {
        return Err(ImportError::TooLarge {
            source_name: source_name.to_string(),
            size: bytes.len(),
            max: options.max_bytes,
        });
    }
    let decoded = encoding::decode(source_name, bytes, options.encoding)?;
    if decoded.text.chars().all(char::is_whitespace) {
        return Err(ImportError::Empty {
            source_name: source_name.to_string(),
        });
    }
    let mut diags = Vec::new();
    if decoded.encoding != TextEncoding::Utf8 {
        diags.push(Diagnostic::info(
            None,
            codes::ENCODING,
            format!("decoded as {}", decoded.encoding.as_str()),
        ));
    }
    if decoded.had_bom {
        diags.push(
            Diagnostic::info(None, codes::ENCODING, "removed the byte order mark")
                .with_dropped("\u{FEFF}"),
        );
    }
    // Front matter fills in what the caller left open.
    let with_front: ImportOptions;
    let mut options = options;
    let format = options
        .format
        .unwrap_or_else(|| Format::detect(source_name, &decoded.text));
    diags.push(Diagnostic::info(
        None,
        codes::FORMAT,
        format!("read as {}", format.as_str()),
    ));

    let (mut document, recognised, statute) = match format {
        Format::Xml => {
            let document = xml::import(source_name, bytes)?;
            let proposed = xml::propose(&document, &mut diags);
            let written = document.written;
            (
                document,
                metadata::Recognised {
                    proposed,
                    written,
                    evidence: None,
                },
                false,
            )
        }
        Format::Text | Format::Markdown => {
            let text: String = match is_nfc_quick(decoded.text.chars()) {
                IsNormalized::Yes => decoded.text,
                _ => decoded.text.nfc().collect(),
            };
            let mut lines = line::split(&text, &mut diags);
            if format == Format::Markdown {
                let (rest, front) = front_matter::read(source_name, lines, &mut diags)?;
                lines = markdown::strip(rest, &mut diags);
                if let Some(front) = front {
                    with_front = front.fill(options);
                    options = &with_front;
                }
            }
            let (lines, page) = chrome::strip(lines, options.keep_web_chrome, &mut diags);
            for line in &lines {
                for bad in date::impossible_all(&line.text) {
                    diags.push(Diagnostic::warning(
                        Some(line.no),
                        codes::IMPOSSIBLE_DATE,
                        format!(
                            "{} is not a date ({}); it is kept as text and not used as a date",
                            bad.text, bad.reason
                        ),
                    ));
                }
            }
            let built = structure::build(&lines, &mut diags);
            let own = options
                .published
                .map(|date| metadata::OwnDate {
                    date,
                    source: metadata::OwnSource::Given,
                })
                .or_else(|| {
                    date::in_file_name(source_name).map(|date| metadata::OwnDate {
                        date,
                        source: metadata::OwnSource::FileName,
                    })
                });
            let recognised = metadata::recognise(&built, &lines, &page, own, &mut diags);
            let statute = built.mode == structure::Mode::Statute;
            let mut document = Document::new(DocType::Other, "");
            document.body = built.body;
            (document, recognised, statute)
        }
    };
    let mut proposed = metadata::apply(options, recognised, &mut document, statute, &mut diags);
    strip_bidi_controls(&mut proposed, &mut diags);
    if format != Format::Xml
        && !render::to_plain_text(&document).contains(|c: char| !c.is_whitespace())
    {
        return Err(ImportError::NothingKept {
            source_name: source_name.to_string(),
            diagnostics: diags,
        });
    }
    let canonical = document
        .to_canonical()
        .map_err(|source| ImportError::Encode {
            source_name: source_name.to_string(),
            source,
        })?;
    if canonical.len() > MAX_CANONICAL_BYTES {
        return Err(ImportError::CanonicalTooLarge {
            source_name: source_name.to_string(),
            size: canonical.len(),
            max: MAX_CANONICAL_BYTES,
            input: bytes.len(),
        });
    }
    // The document as readers will read it: leaving characters out can
    // leave text that is not NFC (an accent next to the letter a control
    // character separated it from), which the canonical form normalises.
    let document = decode_document(&canonical).map_err(|source| ImportError::Reread {
        source_name: source_name.to_string(),
        source,
    })?;
    diags.sort_by_key(|d| d.line.unwrap_or(0));
    Ok(Imported {
        document,
        proposed,
        diagnostics: diags,
    })
}

/// Leaves bidirectional control characters out of the proposed title and
/// issuers, with a warning. Text and Markdown lines never hold them (they
/// are left out of every line, as dropped text); an XML document is passed
/// through as written, and an override is the caller's, so only the
/// proposal made from them is cleaned here.
fn strip_bidi_controls(proposed: &mut Proposed, diags: &mut Vec<Diagnostic>) {
    let fields = proposed
        .title
        .iter_mut()
        .map(|t| ("title", t))
        .chain(proposed.issuers.iter_mut().map(|i| ("issuer", i)));
    for (field, value) in fields {
        if value.contains(line::is_bidi_control) {
            let bad: String = value
                .chars()
                .filter(|c| line::is_bidi_control(*c))
                .collect();
            value.retain(|c| !line::is_bidi_control(c));
            diags.push(Diagnostic::warning(
                None,
                codes::BIDI_CONTROL,
                format!(
                    "left out {} bidirectional control character(s) ({}) from the proposed {field} {value:?}",
                    bad.chars().count(),
                    line::code_points(&bad)
                ),
            ));
        }
    }
    if proposed.title.as_deref() == Some("") {
        proposed.title = None;
    }
    proposed.issuers.retain(|i| !i.is_empty());
}
