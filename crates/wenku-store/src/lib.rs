//! wenku's library in git: every work's record and every version's text in
//! an ordinary git repository, written through gix.
//!
//! ```
//! use std::sync::Arc;
//! use wenku_model::{Block, Date, DocType, Document, Record, Region, Status, WorkId};
//! use wenku_store::{Identity, InitOptions, Library, NewVersion, SteppingClock, Timestamp};
//!
//! # let dir = tempfile::tempdir()?;
//! let clerk = Identity::new("青岛市政务公开办", "gongkai@qingdao.example")?;
//! let clock = Arc::new(SteppingClock::new(Timestamp::new(1_750_000_000, 480)?, 60));
//! let library = Library::init(dir.path(), Region::parse("370200")?, InitOptions::new(clerk.clone()).clock(clock))?;
//!
//! // Publish a work with its first version: one commit on refs/heads/main.
//! let work = WorkId::parse("370200/qzbf-2025-3")?;
//! let mut text = Document::new(DocType::Policy, "2025年青岛市政务公开工作要点");
//! text.body.push(Block::Para("一、总体要求".into()));
//! let record = Record::new(work.clone(), DocType::Policy, &text.title);
//! library.publish(&clerk, record, NewVersion::new(text.clone(), Date::parse_iso("2025-05-16")?))?;
//!
//! // Read it back as of a date, from one consistent snapshot of main.
//! let snapshot = library.snapshot()?;
//! let as_of = snapshot.as_of(&work, Date::parse_iso("2025-06-01")?)?;
//! assert_eq!(as_of.status, Status::InForce);
//! let revision = as_of.version.expect("in force").revision;
//! assert_eq!(snapshot.document(&work, &revision)?, text);
//! assert!(library.verify()?.is_clean());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The library
//!
//! A library is a bare git repository; `refs/heads/main` is its state. The
//! tree is partitioned by region ([`layout`]):
//!
//! ```text
//! library.xml                                  format version and the node's authority (metadata)
//! <region>/<shard>/<local>/record.xml          a work's record
//! <region>/<shard>/<local>/<revision-id>.xml   one file per version, named by its BLAKE3 id
//! ```
//!
//! Everything is canonical XML ([`wenku_model::canonical`]), so `git show`,
//! `git log -p` and `git diff` read naturally, and `git fsck --strict`
//! passes. A `git clone` of a library opens as a library.
//!
//! # Writing
//!
//! [`Library::commit`] applies a [`Transaction`] of [`Op`]s — publish, add a
//! version (older or newer: versions take their place in legal order),
//! correct metadata, add or remove relations, repeal, set the end of
//! validity, withdraw — as one commit whose author and committer are the
//! caller's [`Identity`] and whose time comes from the library's [`Clock`],
//! never from legal dates. The node writes only in the regions of its
//! [`Authority`]; everything is checked before any object is written.
//! `main` moves by compare-and-swap; a transaction that loses the race is
//! staged again on the new head (see [`Transaction`]). Batches of many
//! works are written as one pack, and [`Library::maintain`] compacts packs
//! ([`Maintenance`]).
//!
//! # Reading
//!
//! A [`Snapshot`] reads one commit: records, version texts (checked against
//! their BLAKE3 names), versions in legal order, as-of resolution, and —
//! through a [`Catalog`] that the index can replace — filters, citation
//! look-up and reverse relations. [`Library::history`] tells one work's
//! story from git; [`Library::verify`] checks a whole tree and reports every
//! problem.
//!
//! # Federation
//!
//! [`Library::pull`] brings another node's library in: a child's regions
//! come up, everything outside our region comes down from the parent. The
//! peer's head is fetched with gix (a path, `file://`, `git://`, smart
//! HTTP) under a time limit, checked (history, authority of every new
//! commit, every incoming document) and merged by whole region
//! directories; refusals are typed ([`federation::PullError`]) and leave `main` as it
//! was. See [`federation`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod authority;
mod catalog;
mod changes;
mod clock;
mod delta;
pub mod draft;
pub mod federation;
mod git;
mod head_cache;
mod history;
mod hosting;
mod identity;
mod index;
pub mod layout;
mod library;
mod lifecycle;
mod lock;
mod message;
mod metadata;
mod object_id;
mod op;
mod pack;
mod provenance;
mod read;
pub mod signing;
mod texts;
mod transaction;
pub mod trust;
mod verify;

pub use authority::{Authority, AuthorityError};
pub use catalog::{Catalog, TreeCatalog};
pub use changes::{ChangeKind, Changes, ChangesError, Operation, OperationKind, WorkChange};
pub use clock::{Clock, SteppingClock, SystemClock, Timestamp, TimestampError};
pub use draft::{
    DRAFTS_PREFIX, Decision, Draft, DraftError, DraftState, Published, Review, draft_ref,
};
pub use git::{GitError, MAIN_REF};
pub use history::{HistoryEntry, Person};
pub use hosting::{HostingChanged, HostingError};
pub use identity::{Identity, IdentityError};
pub use index::{IndexError, IndexOptions, IndexRefresh, RebuildReason};
pub use library::{InitError, InitOptions, Library, OpenError, RecordChange};
pub use lifecycle::LifecycleProblem;
pub use lock::LockError;
pub use message::{BODY_LINES, MAX_WORK_TRAILERS, Trailers};
pub use metadata::{FORMAT_VERSION, LibraryMeta, MetaError, NAMESPACE_PREFIX};
pub use object_id::{ObjectId, ObjectIdError};
pub use op::{Correction, NewVersion, NoChange, Op, OpKind, OpOutcome, VersionText};
pub use pack::{Compaction, Maintenance};
pub use provenance::{SignatureReport, Signer, TrustChange, TrustChanged, TrustOpError};
pub use read::{ReadError, Snapshot};
pub use texts::{PreparedText, StoredText, TextEncoder, TextError, TextPack};
pub use transaction::{CommitError, CommitOptions, Committed, Refusal, Transaction};
pub use verify::{Problem, ProblemKind, Report, VerifyOptions};

/// What a server's request handlers hold is `Send + Sync`: checked when
/// the crate compiles.
#[cfg(test)]
mod thread_safety {
    fn send_sync<T: Send + Sync>() {}

    #[test]
    fn libraries_and_snapshots_are_send_and_sync() {
        send_sync::<crate::Library>();
        send_sync::<crate::Snapshot>();
        send_sync::<Box<dyn crate::Catalog>>();
        send_sync::<crate::TreeCatalog>();
        send_sync::<crate::ReadError>();
        send_sync::<crate::CommitError>();
        send_sync::<crate::federation::PullError>();
        // A batch's texts can be written ahead on any thread.
        send_sync::<crate::TextPack>();
        send_sync::<crate::PreparedText>();
        send_sync::<crate::TextError>();
    }
}
