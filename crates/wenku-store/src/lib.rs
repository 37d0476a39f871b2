//! wenku's library in git.
#![forbid(unsafe_code)]

pub mod authority;
pub mod catalog;
pub mod clock;
mod git;
pub mod history;
pub mod identity;
pub mod layout;
pub mod library;
mod lock;
pub mod message;
pub mod metadata;
pub mod op;
mod pack;
pub mod read;
pub mod transaction;
pub mod verify;

pub use authority::{Authority, AuthorityError};
pub use catalog::{Catalog, Filter, Referrer, TreeCatalog};
pub use clock::{Clock, SteppingClock, SystemClock, Timestamp};
pub use git::{GitError, MAIN_REF};
pub use gix::ObjectId;
pub use history::{HistoryEntry, Person};
pub use identity::{Identity, IdentityError};
pub use library::{InitError, InitOptions, Library, OpenError};
pub use lock::LockError;
pub use metadata::{FORMAT_VERSION, LibraryMeta, MetaError};
pub use op::{Correction, NewVersion, NoChange, Op, OpKind, OpOutcome};
pub use read::{AsOfVersion, ReadError, Snapshot};
pub use transaction::{CommitError, CommitOptions, Committed, Refusal, Transaction};
pub use verify::{Problem, ProblemKind, Report, VerifyOptions};
