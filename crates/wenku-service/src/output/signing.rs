//! Signed provenance: signature problems, how a pull checked signatures,
//! `verify --signatures`, the node key and the trust file.

use serde::Serialize;
use wenku_store::federation::{SignatureProblem, SignatureSummary};
use wenku_store::signing::{NodeKey, PublicKey, fingerprint, public_line};
use wenku_store::trust::Trust;
use wenku_store::{SignatureReport, Signer};

/// One commit whose signature does not check out (`$defs/signature_problem`):
/// the `commit`, the `kind` (`unsigned`, `bad-signature`, `unknown-key`,
/// `revoked-key`, `wrong-region`, `trust-change`, `trust-rollback`) and
/// the `detail`.
#[derive(Debug, Serialize)]
pub struct SignatureProblemJson<'a> {
    commit: String,
    kind: &'static str,
    detail: &'a str,
}

impl<'a> SignatureProblemJson<'a> {
    /// The JSON forms of `problems`.
    pub fn list(problems: &'a [SignatureProblem]) -> Vec<SignatureProblemJson<'a>> {
        problems
            .iter()
            .map(|p| SignatureProblemJson {
                commit: p.commit.to_string(),
                kind: p.kind.as_str(),
                detail: &p.detail,
            })
            .collect()
    }
}

/// How a pull checked signatures (`$defs/pull_signatures`): the `mode`
/// (`enforced`, `warn`, `not-checked`), the `reason` they were not
/// checked (or null), the commits `checked`, the trust file's serial
/// after the pull (or null) and the `problems` accepted in warn mode.
#[derive(Debug, Serialize)]
pub struct PullSignatures<'a> {
    mode: &'static str,
    reason: Option<&'a str>,
    checked: usize,
    trust_serial: Option<u64>,
    problems: Vec<SignatureProblemJson<'a>>,
}

impl<'a> PullSignatures<'a> {
    /// The JSON form of `s`.
    pub fn new(s: &'a SignatureSummary) -> PullSignatures<'a> {
        PullSignatures {
            mode: s.mode,
            reason: s.reason.as_deref(),
            checked: s.checked,
            trust_serial: s.trust_serial,
            problems: SignatureProblemJson::list(&s.problems),
        }
    }
}

/// `verify --signatures` (`$defs/verify_signatures`): the `commits`
/// checked, how many are `signed` with a good signature, the trust file's
/// `trust_serial` (null without one), whether a root key is `pinned`, the
/// `reason` nothing could be checked (or null) and the `problems`.
#[derive(Debug, Serialize)]
pub struct VerifySignatures<'a> {
    clean: bool,
    commits: usize,
    signed: usize,
    trust_serial: Option<u64>,
    pinned: bool,
    reason: Option<&'a str>,
    problems: Vec<SignatureProblemJson<'a>>,
}

impl<'a> VerifySignatures<'a> {
    /// The JSON form of `r`.
    pub fn new(r: &'a SignatureReport) -> VerifySignatures<'a> {
        VerifySignatures {
            clean: r.is_clean(),
            commits: r.commits,
            signed: r.signed,
            trust_serial: r.trust.as_ref().map(|t| t.serial),
            pinned: r.pinned,
            reason: r.reason.as_deref(),
            problems: SignatureProblemJson::list(&r.problems),
        }
    }
}

/// Who signed a commit (`$defs/signer`): `status` (`unsigned`, `bad`,
/// `good`), and for a good signature the key's `fingerprint`, `comment`,
/// the `regions` the trust file lets it sign for and whether it is
/// `revoked`; for a bad one the `reason`.
#[derive(Debug, Serialize)]
pub struct SignerJson<'a> {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fingerprint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    regions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

impl<'a> SignerJson<'a> {
    /// The JSON form of `s`.
    pub fn new(s: &'a Signer) -> SignerJson<'a> {
        let mut out = SignerJson {
            status: "unsigned",
            fingerprint: None,
            comment: None,
            regions: None,
            revoked: None,
            reason: None,
        };
        match s {
            Signer::Unsigned => {}
            Signer::Bad(why) => {
                out.status = "bad";
                out.reason = Some(why);
            }
            Signer::Key {
                fingerprint,
                comment,
                regions,
                revoked,
            } => {
                out.status = "good";
                out.fingerprint = Some(fingerprint);
                out.comment = Some(comment);
                out.regions = Some(regions.iter().map(|r| r.to_string()).collect());
                out.revoked = Some(*revoked);
            }
        }
        out
    }
}

/// The node's key (`$defs/key`): its `path`, `public` line,
/// `fingerprint`, whether it was `created` by this command, and the
/// `regions` the library's trust file lets it sign for (null when the
/// library has no trust file).
#[derive(Debug, Serialize)]
pub struct Key<'a> {
    path: String,
    public: String,
    fingerprint: String,
    created: bool,
    regions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retired: Option<&'a str>,
}

impl<'a> Key<'a> {
    /// The JSON form of `key` at `path`.
    pub fn new(
        key: &NodeKey,
        path: &std::path::Path,
        created: bool,
        trust: Option<&Trust>,
    ) -> Key<'a> {
        Key {
            path: path.display().to_string(),
            public: key.public_line(),
            fingerprint: key.fingerprint(),
            created,
            regions: trust.map(|t| {
                t.regions_of(key.public())
                    .iter()
                    .map(|r| r.to_string())
                    .collect()
            }),
            retired: None,
        }
    }

    /// Names where the key it replaced was moved.
    pub fn retired(mut self, path: &'a str) -> Key<'a> {
        self.retired = Some(path);
        self
    }
}

/// The trust file (`$defs/trust`): `serial`, the `commit` that changed it
/// (null when nothing changed or on a dry run), whether it `changed`,
/// every `signer` (regions, public line, fingerprint) and every `revoked`
/// key.
#[derive(Debug, Serialize)]
pub struct TrustJson {
    serial: u64,
    commit: Option<String>,
    changed: bool,
    signers: Vec<TrustSigner>,
    revoked: Vec<TrustKey>,
}

#[derive(Debug, Serialize)]
struct TrustSigner {
    regions: Vec<String>,
    public: String,
    fingerprint: String,
    revoked: bool,
}

#[derive(Debug, Serialize)]
struct TrustKey {
    public: String,
    fingerprint: String,
}

impl TrustJson {
    /// The JSON form of `trust`, changed by `commit` (if any).
    pub fn new(trust: &Trust, commit: Option<String>, changed: bool) -> TrustJson {
        let fp = |k: &PublicKey| fingerprint(k);
        TrustJson {
            serial: trust.serial,
            commit,
            changed,
            signers: trust
                .signers
                .iter()
                .map(|s| TrustSigner {
                    regions: s.regions.iter().map(|r| r.to_string()).collect(),
                    public: public_line(&s.key),
                    fingerprint: fp(&s.key),
                    revoked: trust.is_revoked(&s.key),
                })
                .collect(),
            revoked: trust
                .revoked
                .iter()
                .map(|k| TrustKey {
                    public: public_line(k),
                    fingerprint: fp(k),
                })
                .collect(),
        }
    }
}

/// A new library (`$defs/init`): its `path`, its `node` and `hosted`
/// regions, the node `key` (path, fingerprint, whether `wenku init`
/// created it) and its trust `root` with the fingerprint of the `pinned`
/// root key (null when none is pinned).
#[derive(Debug, Serialize)]
pub struct Init {
    path: String,
    node: String,
    hosted: Vec<String>,
    key: InitKey,
    trust_root: String,
    pinned: Option<String>,
}

#[derive(Debug, Serialize)]
struct InitKey {
    path: String,
    fingerprint: String,
    created: bool,
}

impl Init {
    /// The JSON form of a library just made.
    pub fn new(
        library: &wenku_store::Library,
        key: &NodeKey,
        key_path: &std::path::Path,
        created: bool,
        pinned: Option<&PublicKey>,
    ) -> Init {
        let authority = library.authority();
        let node = authority.node();
        Init {
            path: library.path().display().to_string(),
            node: node.to_string(),
            hosted: authority.hosted().iter().map(|r| r.to_string()).collect(),
            key: InitKey {
                path: key_path.display().to_string(),
                fingerprint: key.fingerprint(),
                created,
            },
            trust_root: wenku_store::trust::root_of(node).to_string(),
            pinned: pinned.map(fingerprint),
        }
    }
}
