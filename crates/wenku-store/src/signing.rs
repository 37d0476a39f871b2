//! Node keys and git's SSH commit signatures.
//!
//! Every node has one ed25519 key ([`NodeKey`]), kept outside the library
//! in OpenSSH's private-key format with mode 0600. A library given a key
//! ([`crate::Library::with_key`]) signs every commit it writes — publishes,
//! lifecycle changes, trust-file changes, merges of pulls — in git's own
//! format: the commit's bytes without the signature are signed as an
//! SSHSIG (namespace `git`, SHA-512) and the armored signature is stored in
//! the commit's `gpgsig` header, exactly what `git commit -S` with
//! `gpg.format=ssh` writes, so `git verify-commit` checks it with an
//! `allowed_signers` file (see [`crate::trust`]). Signing and verifying run
//! in process: nothing shells out to `ssh-keygen`.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use ssh_key::PublicKey;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, SshSig};

/// The namespace git signs commits in.
pub const NAMESPACE: &str = "git";

/// A problem with a node key file.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The key file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file does not hold a usable key.
    #[error("{}: {reason}", path.display())]
    Invalid {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Others than the owner may read the private key.
    #[error(
        "{}: the private key is readable by others (mode {mode:o}); run `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    Permissions {
        /// The key file.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
    /// A key file is there already and would be overwritten.
    #[error("{} exists already: a node key is never overwritten (move it away first)", path.display())]
    Exists {
        /// The key file.
        path: PathBuf,
    },
    /// Signing failed (an encoding error of the key library).
    #[error("signing: {0}")]
    Sign(String),
}

/// A node's ed25519 signing key.
pub struct NodeKey {
    key: PrivateKey,
}

impl fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the private half.
        f.debug_struct("NodeKey")
            .field("public", &self.fingerprint())
            .finish()
    }
}

impl NodeKey {
    /// A new random key; `comment` is stored with it (the node's region,
    /// by convention).
    pub fn generate(comment: &str) -> Result<NodeKey, KeyError> {
        let mut key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519)
            .map_err(|e| KeyError::Sign(e.to_string()))?;
        key.set_comment(comment);
        Ok(NodeKey { key })
    }

    /// Reads an unencrypted ed25519 key in OpenSSH format. On Unix, a key
    /// readable by group or others is refused, as `ssh` refuses it.
    pub fn read(path: &Path) -> Result<NodeKey, KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(KeyError::Permissions {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let invalid = |reason: String| KeyError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        let key = PrivateKey::from_openssh(text.trim_start())
            .map_err(|e| invalid(format!("not an OpenSSH private key ({e})")))?;
        if key.is_encrypted() {
            return Err(invalid(
                "the key is encrypted with a passphrase; a node signs unattended, so its key is not"
                    .into(),
            ));
        }
        if key.algorithm() != Algorithm::Ed25519 {
            return Err(invalid(format!(
                "the key is {}, not ed25519",
                key.algorithm()
            )));
        }
        Ok(NodeKey { key })
    }

    /// Writes the key to `path` (mode 0600, never replacing a file) and
    /// its public half to `path.pub`; creates the directory (mode 0700)
    /// if needed.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyError> {
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| KeyError::Io { path: p, source }
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            builder.create(dir).map_err(io(dir))?;
        }
        let pem = self
            .key
            .to_openssh(LineEnding::LF)
            .map_err(|e| KeyError::Sign(e.to_string()))?;
        let public = public_path(path);
        for p in [path, public.as_path()] {
            if p.exists() {
                return Err(KeyError::Exists {
                    path: p.to_path_buf(),
                });
            }
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => KeyError::Exists {
                path: path.to_path_buf(),
            },
            _ => io(path)(e),
        })?;
        file.write_all(pem.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io(path))?;
        std::fs::write(&public, format!("{}\n", self.public_line())).map_err(io(&public))?;
        Ok(())
    }

    /// The public key.
    pub fn public(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// The public key as one OpenSSH line: `ssh-ed25519 AAAA… comment`.
    pub fn public_line(&self) -> String {
        public_line(self.public())
    }

    /// The key's SHA-256 fingerprint, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.public())
    }

    /// Signs `data` as git signs a commit's payload: an armored SSHSIG in
    /// namespace `git` with SHA-512.
    pub fn sign_bytes(&self, data: &[u8]) -> Result<String, KeyError> {
        self.key
            .sign(NAMESPACE, HashAlg::Sha512, data)
            .and_then(|s| s.to_pem(LineEnding::LF))
            .map_err(|e| KeyError::Sign(e.to_string()))
    }

    /// Signs `commit` in place: its bytes without a signature are signed
    /// and the armored signature becomes its `gpgsig` header.
    pub(crate) fn sign_commit(&self, commit: &mut gix::objs::Commit) -> Result<(), KeyError> {
        use gix::objs::WriteTo;
        commit.extra_headers.retain(|(name, _)| name != "gpgsig");
        let mut payload = Vec::with_capacity(512);
        commit
            .write_to(&mut payload)
            .map_err(|e| KeyError::Sign(e.to_string()))?;
        let signature = self.sign_bytes(&payload)?;
        commit.extra_headers.push((
            "gpgsig".into(),
            signature.trim_end_matches('\n').to_string().into(),
        ));
        Ok(())
    }
}

/// `key.pub` beside `key`.
pub fn public_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".pub");
    PathBuf::from(name)
}

/// A public key as one OpenSSH line (`ssh-ed25519 AAAA… comment`).
pub fn public_line(key: &PublicKey) -> String {
    key.to_openssh()
        .unwrap_or_else(|e| format!("<unencodable key: {e}>"))
}

/// A key's SHA-256 fingerprint, as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Parses one OpenSSH public key line (or the content of a `.pub` file).
pub fn parse_public(text: &str) -> Result<PublicKey, String> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or("no public key in it")?;
    PublicKey::from_openssh(line).map_err(|e| format!("not an OpenSSH public key: {e}"))
}

/// A public key without its comment, for comparing keys.
pub fn same_key(a: &PublicKey, b: &PublicKey) -> bool {
    a.key_data() == b.key_data()
}

/// What a commit's signature is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitSignature {
    /// No `gpgsig` header.
    Unsigned,
    /// A signature that is not an SSH signature in namespace `git` over
    /// this commit's bytes, with why.
    Bad(String),
    /// A good signature by `key`.
    Good(PublicKey),
}

impl CommitSignature {
    /// Reads and checks the signature of the raw commit object `data`.
    pub fn of(data: &[u8]) -> CommitSignature {
        let found = match gix::objs::CommitRefIter::signature(data, gix::hash::Kind::Sha1) {
            Ok(found) => found,
            Err(e) => return CommitSignature::Bad(format!("unreadable commit: {e}")),
        };
        let Some((armored, signed)) = found else {
            return CommitSignature::Unsigned;
        };
        let armored = String::from_utf8_lossy(armored.as_ref()).into_owned();
        if !armored.starts_with("-----BEGIN SSH SIGNATURE-----") {
            return CommitSignature::Bad("not an SSH signature (OpenPGP or X.509)".into());
        }
        let sig = match SshSig::from_pem(armored.as_bytes()) {
            Ok(sig) => sig,
            Err(e) => return CommitSignature::Bad(format!("the signature does not decode: {e}")),
        };
        if sig.namespace() != NAMESPACE {
            return CommitSignature::Bad(format!(
                "signed in namespace {:?}, not {NAMESPACE:?}",
                sig.namespace()
            ));
        }
        let key = PublicKey::from(sig.public_key().clone());
        let payload = signed.to_bstring();
        match key.verify(NAMESPACE, payload.as_ref(), &sig) {
            Ok(()) => CommitSignature::Good(key),
            Err(_) => CommitSignature::Bad(
                "the signature does not match the commit (altered after signing)".into(),
            ),
        }
    }
}

/// The signature of commit `id` in `repo`.
pub(crate) fn commit_signature(
    repo: &gix::Repository,
    id: crate::ObjectId,
) -> Result<CommitSignature, crate::git::GitError> {
    use crate::git::Context;
    let object = repo
        .find_object(id.to_gix())
        .ctx(|| format!("reading commit {id}"))?;
    Ok(CommitSignature::of(&object.data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit() -> gix::objs::Commit {
        let sig = gix::actor::Signature {
            name: "县档案馆".into(),
            email: "clerk@example.invalid".into(),
            time: gix::date::Time::new(1_700_000_000, 8 * 3600),
        };
        gix::objs::Commit {
            tree: gix::ObjectId::empty_tree(gix::hash::Kind::Sha1),
            parents: Default::default(),
            author: sig.clone(),
            committer: sig,
            encoding: None,
            message: "publish 370283/x\n".into(),
            extra_headers: Vec::new(),
        }
    }

    fn bytes(c: &gix::objs::Commit) -> Vec<u8> {
        use gix::objs::WriteTo;
        let mut out = Vec::new();
        c.write_to(&mut out).expect("encodes");
        out
    }

    #[test]
    fn a_signed_commit_verifies_and_names_its_key() {
        let key = NodeKey::generate("370283").expect("key");
        let mut c = commit();
        key.sign_commit(&mut c).expect("signs");
        match CommitSignature::of(&bytes(&c)) {
            CommitSignature::Good(k) => assert!(same_key(&k, key.public())),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_altered_or_unsigned_commit_does_not() {
        let key = NodeKey::generate("370283").expect("key");
        let mut c = commit();
        assert!(matches!(
            CommitSignature::of(&bytes(&c)),
            CommitSignature::Unsigned
        ));
        key.sign_commit(&mut c).expect("signs");
        c.message = "publish 370283/y\n".into();
        assert!(matches!(
            CommitSignature::of(&bytes(&c)),
            CommitSignature::Bad(_)
        ));
    }

    #[test]
    fn hostile_signature_headers_are_bad_signatures_not_panics() {
        let with = |sig: &str| {
            let mut c = commit();
            c.extra_headers.push(("gpgsig".into(), sig.into()));
            CommitSignature::of(&bytes(&c))
        };
        for sig in [
            "-----BEGIN SSH SIGNATURE-----\nnot base64 at all\n-----END SSH SIGNATURE-----",
            "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----",
            "-----BEGIN PGP SIGNATURE-----\n\niQEz\n-----END PGP SIGNATURE-----",
            "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----",
        ] {
            assert!(
                matches!(with(sig), CommitSignature::Bad(_)),
                "{sig:?} gave {:?}",
                with(sig)
            );
        }
        // A good signature in another namespace is not a commit signature.
        let key = NodeKey::generate("370283").expect("key");
        let mut c = commit();
        let payload = bytes(&c);
        let other = key
            .key
            .sign("file", HashAlg::Sha512, &payload)
            .and_then(|s| s.to_pem(LineEnding::LF))
            .expect("signs");
        c.extra_headers
            .push(("gpgsig".into(), other.trim_end().to_string().into()));
        match CommitSignature::of(&bytes(&c)) {
            CommitSignature::Bad(why) => assert!(why.contains("namespace"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_round_trip_through_files_with_tight_permissions() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("keys").join("node");
        let key = NodeKey::generate("370283").expect("key");
        key.write_new(&path).expect("written");
        let again = NodeKey::read(&path).expect("read");
        assert_eq!(again.public_line(), key.public_line());
        assert!(matches!(key.write_new(&path), Err(KeyError::Exists { .. })));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            assert!(matches!(
                NodeKey::read(&path),
                Err(KeyError::Permissions { .. })
            ));
        }
    }
}
