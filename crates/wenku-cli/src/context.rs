//! What every command needs: the library, today's date, the operator's
//! identity, and parsing of the values people type.

use std::path::{Path, PathBuf};
use std::process::Command;

use wenku_model::{Date, DocType, Region, Status, WorkId};
use wenku_store::signing::NodeKey;
use wenku_store::{Identity, Library, Snapshot};

use crate::error::{CommandError, Result};

/// The directory given with `-C`, or the current one.
pub fn library_dir(dir: &Option<PathBuf>) -> PathBuf {
    dir.clone().unwrap_or_else(|| PathBuf::from("."))
}

/// Opens the library at `-C PATH` (default: the current directory).
pub fn open(dir: &Option<PathBuf>) -> Result<Library> {
    let path = library_dir(dir);
    Library::open(&path).map_err(|e| {
        let hint = match &e {
            wenku_store::OpenError::NotARepository { .. } | wenku_store::OpenError::NotALibrary { .. } => Some(
                "run the command inside a library, pass -C PATH, or create one with `wenku init --region CODE PATH`",
            ),
            _ => None,
        };
        let err = CommandError::from(e);
        match hint {
            Some(h) => err.with_hint(h),
            None => err,
        }
    })
}

/// The library as of `main` now, for a command that reads: the index is
/// brought to the head first (built if the library has none), so catalog
/// questions are answered from it. A library that cannot be written (a
/// read-only mirror) is read from the tree, with the reason logged.
pub fn snapshot(library: &Library) -> Result<Snapshot> {
    refresh_index(library);
    Ok(library.snapshot()?)
}

/// Brings the index to the head before a command reads or plans against
/// the library; a failure is logged and the command reads from the tree.
pub fn refresh_index(library: &Library) {
    if let Err(e) = library.refresh_index() {
        tracing::warn!(error = %e, "the index could not be brought current; answering from the tree");
    }
}

/// Today in China Standard Time (UTC+8), or `WENKU_TODAY`.
pub fn today() -> Result<Date> {
    if let Ok(s) = std::env::var("WENKU_TODAY") {
        return Date::parse_iso(&s).map_err(|e| CommandError::usage(format!("WENKU_TODAY: {e}")));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| CommandError::internal(format!("the system clock is before 1970: {e}")))?
        .as_secs() as i64;
    Date::from_days((secs + 8 * 3600).div_euclid(86_400))
        .ok_or_else(|| CommandError::internal("the system clock is outside the years 1000–9999"))
}

/// The operator identity for commits: `WENKU_AUTHOR_NAME` and
/// `WENKU_AUTHOR_EMAIL`, else git's `user.name` and `user.email` as seen
/// from the library directory.
pub fn identity(dir: &Path) -> Result<Identity> {
    let from_git = |key: &str| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["config", "--get", key])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let var = |name: &str| std::env::var(name).ok().filter(|s| !s.is_empty());
    let name = var("WENKU_AUTHOR_NAME")
        .or_else(|| var("GIT_AUTHOR_NAME"))
        .or_else(|| from_git("user.name"));
    let email = var("WENKU_AUTHOR_EMAIL")
        .or_else(|| var("GIT_AUTHOR_EMAIL"))
        .or_else(|| from_git("user.email"));
    match (name, email) {
        (Some(n), Some(e)) => {
            Identity::new(n, e).map_err(|e| CommandError::refused(format!("the operator identity: {e}")))
        }
        // Not a mistake on the command line: the environment lacks it.
        _ => Err(CommandError::internal("no operator identity for the commit").with_hint(
            "set WENKU_AUTHOR_NAME and WENKU_AUTHOR_EMAIL (or git's GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL), or `git config --global user.name …` and `user.email …`",
        )),
    }
}

/// Parses a date typed by a person, naming the flag.
pub fn date(value: &str, what: &str) -> Result<Date> {
    wenku_service::resolve::date(value, what)
}

/// Parses a work id.
pub fn work(value: &str) -> Result<WorkId> {
    wenku_service::resolve::work_id(value)
}

/// Parses a region code.
pub fn region(value: &str, what: &str) -> Result<Region> {
    Region::parse(value).map_err(|e| CommandError::refused(format!("{what}: {e}")))
}

/// Parses a document type. A value that is not one is refused like a bad
/// date or region (exit 1: invalid input), not a usage error.
pub fn doc_type(value: &str) -> Result<DocType> {
    value
        .parse()
        .map_err(|e: wenku_model::DocTypeError| CommandError::refused(e.to_string()))
}

/// Parses a status name (refused like [`doc_type`]).
pub fn status(value: &str) -> Result<Status> {
    value
        .parse()
        .map_err(|e: wenku_model::StatusError| CommandError::refused(e.to_string()))
}

/// Where this node's signing key is: `WENKU_KEY`, else
/// `$XDG_CONFIG_HOME/wenku/keys/<region>` (`~/.config/…` without it).
pub fn key_path(node: Region) -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("WENKU_KEY").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|p| !p.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })
        .ok_or_else(|| {
            CommandError::internal("neither WENKU_KEY, XDG_CONFIG_HOME nor HOME is set")
                .with_hint("set WENKU_KEY to the node key's path")
        })?;
    Ok(config.join("wenku").join("keys").join(node.as_str()))
}

/// This node's key, if there is one at [`key_path`].
pub fn node_key(node: Region) -> Result<Option<(PathBuf, std::sync::Arc<NodeKey>)>> {
    let path = key_path(node)?;
    if !path.exists() {
        return Ok(None);
    }
    let key = NodeKey::read(&path).map_err(|e| match e {
        wenku_store::signing::KeyError::Permissions { .. } => CommandError::refused(e.to_string()),
        other => CommandError::refused(other.to_string())
            .with_hint("WENKU_KEY names the key file; `wenku key generate` creates one"),
    })?;
    Ok(Some((path, std::sync::Arc::new(key))))
}

/// The library, signing with this node's key from now on. Without a key,
/// commits are unsigned: said on stderr when the library checks signatures
/// (it has a trust file or a pinned root key), where an unsigned commit
/// will be refused by the nodes that pull it.
pub fn signing(library: Library) -> Result<Library> {
    let node = library.authority().node();
    match node_key(node)? {
        Some((_, key)) => Ok(library.with_key(key)),
        None => {
            let checks = library.pinned_root().ok().flatten().is_some()
                || library.trust().ok().flatten().is_some();
            if checks {
                crate::output::warning(format!(
                    "no node key at {}: this commit is not signed, and nodes that check signatures will refuse it (create one with `wenku key generate`)",
                    key_path(node)?.display()
                ));
            }
            Ok(library)
        }
    }
}
