//! The trust file: which keys may sign for which regions.
//!
//! It lives in the library's tree, at the top level, one directory per
//! trust root (the province's, `trust-370000/`):
//!
//! ```text
//! trust-<root>/allowed_signers   OpenSSH allowed_signers; principals are region codes
//! trust-<root>/revoked_keys      public keys that sign nothing any more, one per line
//! ```
//!
//! Federation moves `trust-<root>/` as it moves the region directory
//! `<root>`: it comes from the node authoritative for that region. So a
//! national library that pulls provinces holds each province's trust file
//! as data beside its own (`trust-100000/`), and a province that pulls the
//! national library keeps its own.
//!
//! Both are OpenSSH's own formats, so stock git checks the history too:
//! `git -c gpg.ssh.allowedSignersFile=allowed_signers
//! -c gpg.ssh.revocationFile=revoked_keys verify-commit <commit>` prints
//! `Good "git" signature for 370283`. A line `370283 namespaces="git"
//! ssh-ed25519 AAAA…` lets that key sign for region 370283 and every region
//! inside it (a county key for its townships; the province's key for the
//! whole province). A comment line `# serial N` numbers the file's
//! versions: a pull never accepts a trust file older than the one a node
//! has (no rollback to a file before a revocation).
//!
//! The file belongs to the **trust root** of a node ([`root_of`]): the
//! province the node lies in (a national node is its own root). Only the
//! root node changes it, each change its own signed commit; every other
//! node takes it from its parent with pulls, like any provincial document,
//! and checks each change against the file before it (or, for the first
//! one, against the root key the operator pinned: [`PINNED_FILE`]).

use std::fmt;

use ssh_key::PublicKey;
use wenku_model::{Level, Region};

use crate::signing::{public_line, same_key};

/// The top-level directory of a root's trust file is this and the root's
/// code: `trust-370000`.
pub const TRUST_PREFIX: &str = "trust-";

/// The top-level directory of `root`'s trust file.
pub fn dir_of(root: Region) -> String {
    format!("{TRUST_PREFIX}{root}")
}

/// The root whose trust file the top-level entry `name` is, if it is one.
pub fn root_of_dir(name: &str) -> Option<Region> {
    let region = Region::parse(name.strip_prefix(TRUST_PREFIX)?).ok()?;
    (root_of(region) == region).then_some(region)
}
/// `trust-<root>/allowed_signers`.
pub const ALLOWED_FILE: &str = "allowed_signers";
/// `trust-<root>/revoked_keys`.
pub const REVOKED_FILE: &str = "revoked_keys";
/// Where a node keeps the root key its operator pinned, in the git
/// directory (never in the tree: a pull cannot change it).
pub const PINNED_FILE: &str = "wenku/trust-root.pub";

/// The trust root of a node of region `node`: its province, or itself
/// when it is a province or the national node.
pub fn root_of(node: Region) -> Region {
    node.ancestors()
        .find(|r| r.level() == Level::Province)
        .unwrap_or(node)
}

/// One line of `allowed_signers`.
#[derive(Clone, Debug)]
pub struct Signer {
    /// The regions the key signs for (and everything inside them).
    pub regions: Vec<Region>,
    /// The key.
    pub key: PublicKey,
}

/// A trust file, parsed.
#[derive(Clone, Debug, Default)]
pub struct Trust {
    /// Its version number; each change raises it.
    pub serial: u64,
    /// Who may sign for what, in file order.
    pub signers: Vec<Signer>,
    /// Keys that sign nothing any more.
    pub revoked: Vec<PublicKey>,
}

/// A trust file that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("trust file {file} line {line}: {reason}")]
pub struct TrustError {
    /// `allowed_signers` or `revoked_keys`.
    pub file: &'static str,
    /// 1-based.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl Trust {
    /// Parses the two files.
    pub fn parse(allowed: &str, revoked: &str) -> Result<Trust, TrustError> {
        let mut trust = Trust::default();
        let mut serial = None;
        for (n, line) in allowed.lines().enumerate() {
            let fail = |reason: String| TrustError {
                file: ALLOWED_FILE,
                line: n + 1,
                reason,
            };
            let line = line.trim();
            if let Some(comment) = line.strip_prefix('#') {
                if let Some(value) = comment.trim().strip_prefix("serial ") {
                    let value = value
                        .trim()
                        .parse::<u64>()
                        .map_err(|_| fail(format!("serial {value:?} is not a number")))?;
                    if serial.replace(value).is_some() {
                        return Err(fail("a second serial line".into()));
                    }
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let (principals, rest) = line
                .split_once(char::is_whitespace)
                .ok_or_else(|| fail("expected `<regions> namespaces=\"git\" <key>`".into()))?;
            let regions = principals
                .split(',')
                .map(Region::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| fail(format!("principals must be region codes: {e}")))?;
            let mut rest = rest.trim_start();
            // Options: only namespaces="git" (validity dates would trust
            // commit times, which their authors choose).
            if !rest.starts_with("ssh-") {
                let (options, after) = rest
                    .split_once(char::is_whitespace)
                    .ok_or_else(|| fail("expected a key after the options".into()))?;
                for option in options.split(',') {
                    if !option.eq_ignore_ascii_case("namespaces=\"git\"") {
                        return Err(fail(format!(
                            "unsupported option {option:?}: only namespaces=\"git\" is allowed (commit times are not trusted, so validity dates are not used)"
                        )));
                    }
                }
                rest = after.trim_start();
            }
            let key = PublicKey::from_openssh(rest)
                .map_err(|e| fail(format!("not an OpenSSH public key: {e}")))?;
            trust.signers.push(Signer { regions, key });
        }
        trust.serial = serial.unwrap_or(0);
        for (n, line) in revoked.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let key = PublicKey::from_openssh(line).map_err(|e| TrustError {
                file: REVOKED_FILE,
                line: n + 1,
                reason: format!("not an OpenSSH public key: {e}"),
            })?;
            trust.revoked.push(key);
        }
        Ok(trust)
    }

    /// The two files' text: `(allowed_signers, revoked_keys)`.
    pub fn encode(&self) -> (String, String) {
        let mut allowed = String::from(
            "# wenku trust file: which keys sign for which regions (OpenSSH allowed_signers;\n\
             # principals are region codes, each covering the regions inside it).\n\
             # Changed only with `wenku trust`, by the trust root's node.\n",
        );
        allowed.push_str(&format!("# serial {}\n", self.serial));
        for s in &self.signers {
            let regions: Vec<&str> = s.regions.iter().map(Region::as_str).collect();
            allowed.push_str(&format!(
                "{} namespaces=\"git\" {}\n",
                regions.join(","),
                public_line(&s.key)
            ));
        }
        let mut revoked = String::from("# keys that sign nothing any more (OpenSSH public keys)\n");
        for k in &self.revoked {
            revoked.push_str(&public_line(k));
            revoked.push('\n');
        }
        (allowed, revoked)
    }

    /// Whether `key` is revoked.
    pub fn is_revoked(&self, key: &PublicKey) -> bool {
        self.revoked.iter().any(|k| same_key(k, key))
    }

    /// The regions `key` signs for (empty for an unknown key).
    pub fn regions_of(&self, key: &PublicKey) -> Vec<Region> {
        let mut out: Vec<Region> = self
            .signers
            .iter()
            .filter(|s| same_key(&s.key, key))
            .flat_map(|s| s.regions.iter().copied())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Whether `key` is listed and not revoked.
    pub fn knows(&self, key: &PublicKey) -> bool {
        !self.regions_of(key).is_empty() && !self.is_revoked(key)
    }

    /// Whether `key` may sign for `region`: listed for it or a region
    /// containing it, and not revoked.
    pub fn covers(&self, key: &PublicKey, region: &Region) -> bool {
        !self.is_revoked(key) && self.regions_of(key).iter().any(|r| r.contains(region))
    }

    /// Adds `key` for `regions` (merged into its line if it has one).
    pub fn grant(&mut self, key: PublicKey, regions: &[Region]) {
        if let Some(s) = self.signers.iter_mut().find(|s| same_key(&s.key, &key)) {
            for r in regions {
                if !s.regions.contains(r) {
                    s.regions.push(*r);
                }
            }
        } else {
            self.signers.push(Signer {
                regions: regions.to_vec(),
                key,
            });
        }
    }

    /// Revokes `key`; false if it was revoked already.
    pub fn revoke(&mut self, key: PublicKey) -> bool {
        if self.is_revoked(&key) {
            return false;
        }
        self.revoked.push(key);
        true
    }
}

impl fmt::Display for Trust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "trust file serial {}: {} keys, {} revoked",
            self.serial,
            self.signers.len(),
            self.revoked.len()
        )
    }
}

/// Reads `root`'s trust file in `tree`, if it has one.
pub(crate) fn at_tree(
    repo: &gix::Repository,
    tree: crate::ObjectId,
    root: Region,
) -> Result<Option<Result<Trust, TrustError>>, crate::git::GitError> {
    let dir = dir_of(root);
    let allowed = crate::git::blob_at(repo, tree, &format!("{dir}/{ALLOWED_FILE}"))?;
    let Some(allowed) = allowed else {
        return Ok(None);
    };
    let revoked =
        crate::git::blob_at(repo, tree, &format!("{dir}/{REVOKED_FILE}"))?.unwrap_or_default();
    let text = |bytes: &[u8], file: &'static str| {
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|e| TrustError {
                file,
                line: 1 + bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count(),
                reason: "not UTF-8".into(),
            })
    };
    Ok(Some(text(&allowed, ALLOWED_FILE).and_then(|a| {
        text(&revoked, REVOKED_FILE).and_then(|r| Trust::parse(&a, &r))
    })))
}

/// Pins `key` as the trust root of the library in `git_dir`.
pub fn pin(git_dir: &std::path::Path, key: &PublicKey) -> std::io::Result<()> {
    let path = git_dir.join(PINNED_FILE);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("pub.tmp");
    std::fs::write(
        &tmp,
        format!(
            "# the trust root's key: the first trust file must be signed by it\n{}\n",
            public_line(key)
        ),
    )?;
    std::fs::rename(&tmp, &path)
}

/// The root key pinned in `git_dir`, if any.
pub fn pinned(git_dir: &std::path::Path) -> Result<Option<PublicKey>, TrustError> {
    let path = git_dir.join(PINNED_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(_) => return Ok(None),
    };
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    match line {
        None => Ok(None),
        Some(l) => PublicKey::from_openssh(l)
            .map(Some)
            .map_err(|e| TrustError {
                file: "trust-root.pub",
                line: 1,
                reason: format!("the pinned root key is not an OpenSSH public key: {e}"),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::NodeKey;

    fn r(s: &str) -> Region {
        Region::parse(s).expect("region")
    }

    #[test]
    fn trust_directories_are_named_by_their_root() {
        assert_eq!(dir_of(r("370000")), "trust-370000");
        assert_eq!(root_of_dir("trust-370000"), Some(r("370000")));
        assert_eq!(root_of_dir("trust-100000"), Some(r("100000")));
        assert_eq!(root_of_dir("trust-370283"), None, "a county is no root");
        assert_eq!(root_of_dir("trust"), None);
        assert_eq!(root_of_dir("370000"), None);
    }

    #[test]
    fn the_trust_root_is_the_province() {
        assert_eq!(root_of(r("370283")), r("370000"));
        assert_eq!(root_of(r("370283001")), r("370000"));
        assert_eq!(root_of(r("370000")), r("370000"));
        assert_eq!(root_of(r("100000")), r("100000"));
    }

    #[test]
    fn a_trust_file_round_trips_and_covers_regions_inside() {
        let province = NodeKey::generate("370000").expect("key");
        let county = NodeKey::generate("370283").expect("key");
        let mut t = Trust {
            serial: 3,
            ..Trust::default()
        };
        t.grant(province.public().clone(), &[r("370000")]);
        t.grant(county.public().clone(), &[r("370283")]);
        let (a, v) = t.encode();
        let back = Trust::parse(&a, &v).expect("parses");
        assert_eq!(back.serial, 3);
        assert!(back.covers(county.public(), &r("370283001")));
        assert!(!back.covers(county.public(), &r("370211")));
        assert!(back.covers(province.public(), &r("370211")));
        let mut revoked = back.clone();
        assert!(revoked.revoke(county.public().clone()));
        let (a, v) = revoked.encode();
        let back = Trust::parse(&a, &v).expect("parses");
        assert!(!back.covers(county.public(), &r("370283")));
        assert!(back.is_revoked(county.public()));
    }

    proptest::proptest! {
        /// Whatever a peer puts in its trust files, parsing says what is
        /// wrong with a line number, or parses: it never panics.
        #[test]
        fn any_text_parses_or_names_its_line(allowed in ".{0,400}", revoked in ".{0,200}") {
            match Trust::parse(&allowed, &revoked) {
                Ok(_) => {}
                Err(e) => proptest::prop_assert!(e.line >= 1),
            }
        }
    }

    #[test]
    fn validity_dates_and_bad_principals_are_refused_with_the_line() {
        let key = NodeKey::generate("x").expect("key").public_line();
        let e = Trust::parse(
            &format!("# serial 1\n370283 valid-after=\"20200101\" {key}\n"),
            "",
        )
        .expect_err("refused");
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("valid-after"), "{e}");
        let e = Trust::parse(&format!("alice@example {key}\n"), "").expect_err("refused");
        assert!(e.reason.contains("region codes"), "{e}");
    }
}
