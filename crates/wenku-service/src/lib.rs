//! wenku's application layer: what the command line and the daemon do
//! with a library, written once.
//!
//! The core crates know documents (wenku-model), texts (wenku-import),
//! comparisons (wenku-diff) and the library in git (wenku-store). Between
//! them and the front ends sits the work of turning a user's request into
//! library operations — recognising files, deciding what each becomes,
//! choosing free ids on the head the commit lands on — and of classifying
//! what went wrong so each front end can say it in its own terms. That is
//! this crate; the `wenku` binary and the daemon are thin edges over it.
//!
//! - [`import`]: plan and commit imports ([`import::import`]), with the one
//!   conversion from the importer's proposal to a record
//!   ([`new_record`], [`new_version`], [`new_version_of`] for a version of
//!   an existing work).
//! - [`output`]: the typed JSON outputs (ls, show, log, links, find,
//!   verify, pull, import) that the command line prints and the daemon
//!   serves, matching `schemas/cli-1.schema.json`.
//! - [`search`]: the search index brought to the head and a query
//!   answered ([`output::Search`]).
//! - [`sweep`]: the quarterly safety sweep (安全巡查) — personal
//!   information found in published versions ([`sweep::detect`]), the
//!   quarter's report and each finding's decision ([`sweep::report`]).
//! - [`catalogue`]: disclosure catalogues (主动公开事项目录): their items
//!   read from the table of their text, and the check that each item's
//!   legal basis is still in force and unamended.
//! - [`tags`]: the province's controlled vocabulary of subjects (标签体系),
//!   checked on a node's own writes with suggestions for unknown tags.
//! - [`resolve`]: what a user names — a work by id, number or title; a
//!   version by revision prefix, date, `current` or `previous`.
//! - [`Error`] and [`Kind`]: one classification of failures (refused, not
//!   found, conflict, usage, unavailable, internal, closed pipe) that keeps
//!   the source error chain; [`Kind::http_status`] for servers.
//!
//! ```
//! use std::sync::Arc;
//! use wenku_import::{ImportOptions, import_bytes};
//! use wenku_model::{Date, Region};
//! use wenku_service::import::{self, Input, Request};
//! use wenku_store::{Identity, InitOptions, Library, SteppingClock, Timestamp};
//!
//! # let dir = tempfile::tempdir()?;
//! let clerk = Identity::new("青岛市政务公开办", "gongkai@qingdao.example")?;
//! let clock = Arc::new(SteppingClock::new(Timestamp::new(1_750_000_000, 480)?, 60));
//! let library = Library::init(dir.path(), Region::parse("370200")?, InitOptions::new(clerk.clone()).clock(clock))?;
//!
//! // Two versions of one regulation: the first publishes a work, the
//! // second (imported with the work named) adds a version to it.
//! let text = |article: &str, published: &str| -> Result<Input, Box<dyn std::error::Error>> {
//!     let body = format!("青岛市示例管理办法\n第一条 为了规范示例管理，制定本办法。\n第二条 {article}\n");
//!     let options = ImportOptions { published: Some(Date::parse_iso(published)?), ..ImportOptions::default() };
//!     Ok(Input::new("banfa.txt", import_bytes("banfa.txt", body.as_bytes(), &options)?))
//! };
//! let first = import::import(&library, &clerk, &[text("本办法自公布之日起施行。", "2020-01-01")?], &Request::default())?;
//! let work = first.planned[0].work.clone().expect("published");
//! let request = Request { work: Some(work.clone()), ..Request::default() };
//! import::import(&library, &clerk, &[text("本办法自2024年1月1日起施行。", "2023-12-01")?], &request)?;
//!
//! // Compare the two versions article by article.
//! let snapshot = library.snapshot()?;
//! let versions = snapshot.versions(&work)?;
//! let old = snapshot.document(&work, &versions[0].revision)?;
//! let new = snapshot.document(&work, &versions[1].revision)?;
//! let comparison = wenku_diff::compare(&old, &new, &wenku_diff::Options::default());
//! let side = |v: &wenku_model::VersionEntry| wenku_diff::Side::labelled(v.published.to_string());
//! print!("{}", wenku_diff::render::terminal::to_terminal(&comparison, &side(&versions[0]), &side(&versions[1]), false));
//! assert_eq!(comparison.summary.modified, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod catalogue;
pub mod draft;
mod error;
pub mod import;
pub mod output;
mod proposal;
pub mod resolve;
pub mod search;
pub mod sweep;
pub mod tags;

pub use error::{Error, Kind, Result};
pub use proposal::{new_record, new_stored_version, new_version, new_version_of, version_document};
