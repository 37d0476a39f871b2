//! wenku's domain model: what a policy document library stores.
//!
//! - [`Region`]: a GB/T 2260 code; authority in the federation follows it.
//! - [`WorkId`]: a work's stable, path-safe id, `370200/qzbf-2025-3`.
//! - [`Document`]: one version's content, with statute structure
//!   (编/章/节/条/款/项/目) and normative-document outlines (`一、`/`（一）`).
//! - [`RevisionId`]: the BLAKE3 hash of a version's canonical bytes.
//! - [`Record`]: the work's catalogue entry: relations, versions with legal
//!   dates, lifecycle events; [`Record::as_of`] answers "what was in force on
//!   date D".
//! - [`canonical`]: the deterministic XML both are stored as.
//! - [`query`]: the questions asked of a whole library (filters, citation
//!   look-up, reverse relations, as-of) and their answers, shared by the
//!   store and the index.
//!
//! The crate does no I/O: no files, no clock, no environment.
//!
//! ```
//! use wenku_model::{Block, Date, DocType, Document, Record, Status, Unit, UnitKind, Number,
//!                   VersionEntry, WorkId, canonical};
//!
//! let mut doc = Document::new(DocType::Regulation, "示例条例");
//! let mut article = Unit::new(UnitKind::Article, "第一条", Some(Number::new(1)));
//! article.children.push(Block::Para("为了规范示例，制定本条例。".into()));
//! doc.body.push(Block::Unit(article));
//!
//! let bytes = canonical::encode_document(&doc)?;
//! assert_eq!(canonical::decode_document(&bytes)?, doc);
//! let revision = doc.revision_id()?;
//!
//! let work = WorkId::parse("370200/example-1")?;
//! let mut record = Record::new(work, DocType::Regulation, "示例条例");
//! record.insert_version(VersionEntry::new(revision, Date::parse_iso("2025-01-01")?));
//! assert_eq!(record.status_at(Date::parse_iso("2024-12-31")?), Status::NotYetEffective);
//! assert_eq!(record.as_of(Date::parse_iso("2025-06-01")?).version.map(|v| v.revision), Some(revision));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod canonical;
mod citation;
mod date;
mod document;
pub mod numeral;
pub mod query;
mod record;
mod region;
pub mod render;
mod revision;
mod status;
mod work_id;

pub use citation::{Citation, DocNumber, title_key};
pub use date::{Date, DateError};
pub use document::{
    Block, DocType, DocTypeError, Document, MAX_ENTRY_LEVEL, Number, Signature, Table, Unit,
    UnitKind, WrittenDate,
};
pub use record::{
    Inserted, MAX_RETROACTIVE_DAYS, Period, Record, Relation, RelationKind, RelationKindError,
    Repeal, Target, VersionEntry, Withdrawal,
};
pub use region::{Level, Region, RegionError};
pub use revision::{RevisionId, RevisionIdError, RevisionPrefix};
pub use status::{AsOf, Status, StatusError};
pub use work_id::{MAX_LOCAL_LEN, WorkId, WorkIdError, check_local};
