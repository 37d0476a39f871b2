//! The JSON outputs: what the command line prints with `--json` (and
//! `show --format json`) and what the daemon's HTTP API serves, one type
//! per result. `schemas/cli-1.schema.json` is the contract; each type
//! names the definition it serialises to.
//!
//! These types are kept apart from the domain types and borrow from them,
//! so the format changes only when this module does. Members are
//! serialised in the order the schema lists them; members the schema
//! marks optional are left out when absent, the others are `null`. Dates
//! are `YYYY-MM-DD`, revisions 64 hex digits, commits 40.
//!
//! | output | type | schema |
//! |---|---|---|
//! | `ls` (one per work) | [`Ls`] | `$defs/ls` |
//! | `show` | [`Show`] | `$defs/show` |
//! | `log` | [`Log`] | `$defs/log` |
//! | `links` | [`Links`] | `$defs/links` |
//! | `find` | [`Find`] | `$defs/find` |
//! | `verify` | [`Verify`] | `$defs/verify` |
//! | `pull` | [`PullReport`] or [`PullFailure`] | `$defs/pull` |
//! | `import` (one per file) | [`Import`] | `$defs/import` |
//! | `correct`, `relate`, `expire`, `reinstate`, `repeal`, `withdraw` | [`Change`] | `$defs/change` |
//! | `init` | [`Init`] | `$defs/init` |
//! | `host` | [`Hosts`] | `$defs/hosts` |
//! | `quarantine list`, `show`, `discard` | [`Quarantine`] | `$defs/quarantine` |
//! | `verify --signatures` | [`VerifySignatures`] | `$defs/verify_signatures` |
//! | `key show`, `key generate`, `key rotate` | [`Key`] | `$defs/key` |
//! | `key list`, `key grant`, `key revoke` | [`TrustJson`] | `$defs/trust` |
//! | the API's work record | [`Work`] | `$defs/work` of `schemas/api-1.schema.json` |
//!
//! Shared pieces: [`Node`] (`$defs/node`) and [`Document`], [`Citation`]
//! and [`Target`], [`Version`], [`Event`], [`Problem`], [`Diagnostic`],
//! [`Proposed`], [`Commit`].
//!
//! ```
//! use wenku_model::{Citation, DocNumber};
//! use wenku_service::output;
//!
//! let cited = Citation::number(DocNumber::parse("鲁政办发[2025]5号").expect("a number"));
//! let json = serde_json::to_string(&output::Citation::new(&cited))?;
//! assert_eq!(json, r#"{"number":"鲁政办发〔2025〕5号","title":null}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

mod body;
mod change;
mod citation;
mod draft;
mod find;
mod import;
mod links;
mod log;
mod ls;
mod pull;
mod search;
mod show;
mod signing;
mod verify;
mod version;
mod work;

pub use body::{Document, Node};
pub use change::{Change, FieldChange, Hosts, field_changes};
pub use citation::{Citation, Target};
pub use draft::{Draft, DraftPublished, DraftReview};
pub use find::Find;
pub use import::{Diagnostic, Import, Proposed};
pub use links::Links;
pub use log::{Commit, Log};
pub use ls::Ls;
pub use pull::{PullFailure, PullReport, Quarantine};
pub use search::Search;
pub use show::Show;
pub use signing::{
    Init, Key, PullSignatures, SignatureProblemJson, SignerJson, TrustJson, VerifySignatures,
};
pub use verify::{Problem, Verify, problem_kind};
pub use version::{Event, Version};
pub use work::Work;

#[cfg(test)]
mod tests;
