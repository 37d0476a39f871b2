//! Why an import failed.

use wenku_model::canonical::{DecodeError, EncodeError};

/// An input that cannot be imported at all. Every message names the input
/// and, where it applies, the byte offset and what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// More than [`crate::ImportOptions::max_bytes`] bytes could be read
    /// from a file that reported a smaller size (it grew while read, or
    /// misreports its size); reading stopped at the limit.
    #[error(
        "{source_name}: more than {max} bytes could be read (the file reported {reported} bytes); at most {max} bytes are accepted"
    )]
    GrewTooLarge {
        /// The input's name.
        source_name: String,
        /// The size the file reported before it was read.
        reported: u64,
        /// The limit.
        max: usize,
    },
    /// The input is not a regular file (a directory, device, FIFO or
    /// socket): it is refused before it is opened, so nothing blocks on it
    /// or reads without end.
    #[error("{source_name}: not a regular file but {kind}; expected a text file")]
    NotAFile {
        /// The input's name (its path).
        source_name: String,
        /// What it is: `a directory`, `a FIFO`, `a character device` …
        kind: &'static str,
    },
    /// The input holds no text (it is empty or only blank space).
    #[error("{source_name}: the input is empty (no text beyond blank space); expected a document")]
    Empty {
        /// The input's name.
        source_name: String,
    },
    /// Every piece of the input's text was left out (web-page chrome,
    /// markup, characters XML cannot carry): the document would be empty.
    #[error(
        "{source_name}: nothing of the input would be kept: all its text was left out (see the {} diagnostics); expected a document",
        diagnostics.len()
    )]
    NothingKept {
        /// The input's name.
        source_name: String,
        /// What the import said, each left-out text among them.
        diagnostics: Vec<crate::Diagnostic>,
    },
    /// The document's canonical form is larger than what readers accept
    /// ([`wenku_model::canonical::MAX_CANONICAL_BYTES`]); storing it would
    /// leave a version no one can read back.
    #[error(
        "{source_name}: the imported document's canonical form is {size} bytes; readers accept at most {max} bytes (the input was {input} bytes)"
    )]
    CanonicalTooLarge {
        /// The input's name.
        source_name: String,
        /// The size of the canonical XML.
        size: usize,
        /// The limit.
        max: usize,
        /// The size of the input.
        input: usize,
    },
    /// The imported document's canonical form does not read back (a bug).
    #[error(
        "{source_name}: the imported document does not read back from its canonical form: {source}"
    )]
    Reread {
        /// The input's name.
        source_name: String,
        /// Why.
        #[source]
        source: DecodeError,
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
    /// A Markdown file's front matter (`---` / `key: value` / `---`) is
    /// not the flat form the importer reads, or a value is not what its key
    /// takes.
    #[error("{source_name}: line {line}: front matter: {message}")]
    FrontMatter {
        /// The input's name.
        source_name: String,
        /// The 1-based line.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
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
