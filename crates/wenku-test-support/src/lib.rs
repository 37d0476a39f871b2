//! Helpers shared by wenku's test binaries (a dev-dependency only, never
//! published), so that no test file carries its own copy:
//!
//! - [`fixtures`]: parsing shorthands, the stepping clock every test
//!   library uses, temporary directories;
//! - [`git`]: the `git` binary run hermetically (no system or global
//!   configuration, fixed identity and time) and `git fsck --strict`;
//! - [`paths`]: the workspace's `testdata/` and `schemas/`, and the files of
//!   the reference corpus;
//! - [`schema`]: JSON outputs validated against the schemas;
//! - [`daemon`] and [`http`]: git:// and smart HTTP servers on 127.0.0.1;
//! - [`federation`]: libraries of nodes, the corpus published through the
//!   real importer, and the transports between nodes.
//!
//! Helpers panic with a message naming what failed: they are for tests.

pub mod daemon;
pub mod federation;
pub mod fixtures;
pub mod git;
pub mod http;
pub mod paths;
pub mod schema;
