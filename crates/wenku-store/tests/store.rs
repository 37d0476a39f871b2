//! Integration tests: real bare repositories in temporary directories,
//! checked with wenku's own reads and with the `git` binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use wenku_model::query::Filter;
use wenku_model::{
    Block, Citation, Date, DocNumber, DocType, Document, Number, Record, Region, Relation,
    RelationKind, Repeal, RevisionId, Status, Target, Unit, UnitKind, Withdrawal, WorkId,
    canonical,
};
use wenku_store::{
    Clock, CommitError, CommitOptions, Correction, Identity, InitOptions, Library, NewVersion,
    NoChange, Op, OpenError, ProblemKind, ReadError, Refusal, SteppingClock, StoredText, Timestamp,
    Transaction,
};

// One test binary, one file per section under tests/store/.
#[path = "store/batches.rs"]
mod batches;
#[path = "store/catalog.rs"]
mod catalog;
#[path = "store/changes.rs"]
mod changes;
#[path = "store/clones.rs"]
mod clones;
#[path = "store/concurrency.rs"]
mod concurrency;
#[path = "store/corpus.rs"]
mod corpus;
#[path = "store/crash.rs"]
mod crash;
#[path = "store/drafts.rs"]
mod drafts;
#[path = "store/helpers.rs"]
mod helpers;
#[path = "store/history.rs"]
mod history;
#[path = "store/index.rs"]
mod index;
// Sizes readers refuse are never written.
#[path = "store/init.rs"]
mod init;
#[path = "store/limits.rs"]
mod limits;
#[path = "store/metadata.rs"]
mod metadata;
#[path = "store/publish.rs"]
mod publish;
#[path = "store/refusals.rs"]
mod refusals;
#[path = "store/verify.rs"]
mod verify;

use helpers::*;
