//! Why an import failed.

use wenku_model::canonical::{DecodeError, EncodeError};

/// An input that cannot be imported at all. Every message names the input
/// and, where it applies, the byte offset and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{source_name}: cannot read the file: {source}")]
    Io {
        /// The input's name (its path).
        source_name: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input is larger than [`crate::ImportOptions::max_bytes`].
    #[error("{source_name}: the input is {size} bytes; at most {max} bytes are accepted")]
    TooLarge {
        /// The input's name.
        source_name: String,
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The input holds a NUL byte: it is binary, not text.
    #[error(
        "{source_name}: binary input: NUL byte at byte {offset}; expected UTF-8 or GB18030 text"
    )]
    Binary {
        /// The input's name.
        source_name: String,
        /// Byte offset of the first NUL.
        offset: usize,
    },
    /// The bytes are not valid in the encoding they were read as.
    #[error(
        "{source_name}: undecodable input: {problem} at byte {offset}{also}; expected UTF-8 or GB18030 text"
    )]
    Undecodable {
        /// The input's name.
        source_name: String,
        /// What is wrong, e.g. `invalid GB18030 sequence`, `truncated UTF-8 sequence`.
        problem: String,
        /// Byte offset of the first bad byte.
        offset: usize,
        /// What the other encoding tried said, if one was tried (`" (not UTF-8 either: …)"`).
        also: String,
    },
    /// An XML input is not a valid wenku document.
    #[error("{source_name}: not a valid wenku document: {source}")]
    Xml {
        /// The input's name.
        source_name: String,
        /// Where and why decoding failed.
        #[source]
        source: DecodeError,
    },
    /// The imported document cannot be written canonically (a bug, or a
    /// document nesting deeper than the format allows).
    #[error("{source_name}: the imported document cannot be encoded: {source}")]
    Encode {
        /// The input's name.
        source_name: String,
        /// Why.
        #[source]
        source: EncodeError,
    },
}
