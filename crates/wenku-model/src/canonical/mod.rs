//! The canonical XML format of documents and records.
//!
//! Canonical bytes are what a [`crate::RevisionId`] hashes, so they are
//! fully determined by the value: UTF-8 without BOM, NFC text, LF line ends,
//! a fixed element and attribute order, fixed escaping (`&amp; &lt; &gt;` in
//! text, plus `&quot;` in attributes, and `&#9; &#10; &#13;` for tab and
//! line breaks inside values), no indentation, and one block per line
//! (title, paragraph, note, heading, the start and end of every unit, every
//! table row) so that `git diff` of two versions reads like a text diff.
//!
//! The schemas are `schemas/document-1.xsd` and `schemas/record-1.xsd`; the
//! format version is in the root element's namespace
//! (`urn:wenku:document:1`, `urn:wenku:record:1`).
//!
//! Decoding accepts any well-formed input that means the same thing
//! (indentation, attribute order, CDATA, character references, comments,
//! CRLF, a BOM, non-NFC text) and canonicalises it; it refuses DTDs,
//! unknown elements and attributes, and input past the [`Limits`], naming
//! the line, column and element.

mod decode;
mod encode;

pub use decode::{
    DecodeError, DecodeErrorKind, decode_document, decode_document_with, decode_record,
    decode_record_with,
};
pub use encode::{EncodeError, encode_document, encode_record};

/// Namespace of documents, format version 1.
pub const DOCUMENT_NS: &str = "urn:wenku:document:1";
/// Namespace of records, format version 1.
pub const RECORD_NS: &str = "urn:wenku:record:1";

/// The largest canonical document or record, in bytes, that readers accept
/// ([`Limits::default`]'s `max_bytes`). It is the one size limit of the
/// library: the importer refuses a document whose canonical form is larger,
/// and the store refuses to write a record or version that is, so nothing
/// is written that its readers would then refuse.
pub const MAX_CANONICAL_BYTES: usize = 32 * 1024 * 1024;

/// Bounds on hostile input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input, in bytes ([`MAX_CANONICAL_BYTES`] by default).
    pub max_bytes: usize,
    /// Deepest element nesting.
    pub max_depth: usize,
    /// Most attributes on one element.
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: MAX_CANONICAL_BYTES,
            max_depth: 48,
            max_attributes: 16,
        }
    }
}

/// Whether `bytes` are exactly the canonical encoding of the document they
/// decode to.
pub fn is_canonical_document(bytes: &[u8]) -> bool {
    decode_document(bytes)
        .ok()
        .and_then(|d| encode_document(&d).ok())
        .is_some_and(|b| b == bytes)
}

/// Whether `c` may appear in XML 1.0 text.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
