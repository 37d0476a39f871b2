//! wenku's derived index: what a library holds at one commit, in a form
//! that opens in milliseconds and answers in microseconds at a million
//! versions.
//!
//! ```
//! use wenku_index::{IndexDir, Oid, WorkEntry};
//! use wenku_model::query::Filter;
//! use wenku_model::{Citation, Date, DocNumber, DocType, Record, RevisionId, Status,
//!                   VersionEntry, WorkId};
//!
//! # let dir = tempfile::tempdir()?;
//! let work = WorkId::parse("370200/qzbf-2025-3")?;
//! let mut record = Record::new(work.clone(), DocType::Policy, "2025年青岛市政务公开工作要点");
//! record.number = DocNumber::parse("青政办发〔2025〕3号");
//! let revision = RevisionId::of(b"the canonical bytes");
//! record.insert_version(VersionEntry::new(revision, Date::parse_iso("2025-05-16")?));
//!
//! // Build the index of one commit from every work's entry (the store
//! // reads the records from git and gives each version's blob id).
//! let commit = Oid([1; 20]);
//! let index = IndexDir::new(dir.path())
//!     .build(commit, vec![WorkEntry::from_record(&record, |_| Some(Oid([2; 20])))])?;
//!
//! // Any process opens it again without reading it all.
//! let index = IndexDir::new(dir.path()).open()?;
//! assert_eq!(index.commit(), commit);
//! let as_of = index.as_of(&work, Date::parse_iso("2025-06-01")?)?.expect("the work exists");
//! assert_eq!(as_of.status, Status::InForce);
//! assert_eq!(as_of.version.map(|v| v.revision), Some(revision));
//! let cited = Citation::parse("青政办发[2025]3号").expect("a citation");
//! assert_eq!(index.lookup(&cited)?, vec![work.clone()]);
//! assert_eq!(index.works(&Filter::all().doc_type(DocType::Policy))?,
//!            vec![work]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it holds
//!
//! For one commit of `main`, per work ([`WorkEntry`]): type, title,
//! document number, subjects, relations, its versions with dates,
//! RevisionIds and the git blob ids of their files, and its status
//! timeline (the dates where its status changes, so "as of D" is two
//! binary searches). Across works: citation keys (document number, title
//! key) → works; region, type and subject → works; RevisionId → works;
//! reverse relations (by target id, and citations filed under their
//! number and title key, resolved when asked by the model's rule,
//! `wenku_model::query::resolve_citation`); citations that resolve to nothing.
//!
//! # Files
//!
//! An index is a base layer (every work) plus a delta layer (works
//! changed since, and works removed), each one file ([`IndexDir`]). An
//! update after a commit rewrites only the small delta; past
//! [`UpdateOptions::max_delta_works`] changed works it writes a new base.
//! Every file is written under a temporary name, synced, made read-only
//! and renamed into place, so readers see the old or the new index, never
//! a partial one.
//!
//! A file is a fixed header (magic, [`FORMAT_VERSION`], a fingerprint of
//! the archive layout this build produces, the file's length, the
//! manifest's place and BLAKE3), blocks, and a manifest (rkyv). Each
//! section of rows (ids, entries, postings …) is cut into blocks of a few
//! kilobytes, each block an independent rkyv archive whose BLAKE3 the
//! manifest records. Opening checks the header and the manifest (hash and
//! bytecheck); a block is checked (hash and bytecheck) the first time a
//! query reads it, once per mapping. A file of another format version or
//! layout is refused ([`OpenError::Format`]); a damaged one — flipped bits,
//! truncated, zeroed — is refused at open or, if the damage is inside a
//! block, by the first query that reads that block ([`Corrupt`]), before
//! any damaged byte is used. Either way the caller answers from git and
//! rebuilds.
//!
//! # Why `unsafe`, and why it is sound
//!
//! The workspace forbids unsafe code; this crate denies it and allows it
//! in three functions of the private `layer` module, each with a
//! `SAFETY` comment: mapping the file (`memmap2::Mmap::map`), and reading
//! the manifest and a block with `rkyv::access_unchecked` after they were
//! validated with `rkyv::access` earlier in the same mapping.
//!
//! The need is measured (BENCHMARKS.md, "Index"): at a million versions
//! the files hold several hundred megabytes. Reading them into memory, or
//! hashing and bytechecking all of them on open, costs far more than the
//! 50 ms a library may take to open; mapping them and checking only the
//! blocks a query touches costs a few milliseconds to open and tens of
//! microseconds for a first query. Re-validating a block on every read
//! would put bytecheck into every microsecond query.
//!
//! Soundness rests on two facts. The bytes do not change while mapped:
//! index files are never written in place, only replaced by rename or
//! removed, which leaves existing mappings on the old inode. And no
//! archived value is read before its bytes passed rkyv's bytecheck in
//! this mapping (the BLAKE3 checks are for detecting damage; bytecheck
//! alone makes reading sound, even for a file crafted to match its
//! checksums).
#![warn(missing_docs)]

mod build;
mod dir;
mod entry;
mod error;
mod format;
mod layer;
mod query;

pub use dir::{CURRENT, Change, IndexDir, NewBase, UpdateOptions, Updated};
pub use entry::{Oid, WorkEntry};
pub use error::{Corrupt, OpenError, WriteError};
pub use format::FORMAT_VERSION;
pub use query::{Index, IndexStats};
