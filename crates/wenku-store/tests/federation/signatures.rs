//! Signed provenance: three nodes with their own keys and the province's
//! trust file. The normal flow verifies end to end (and stock `git
//! verify-commit` agrees); unsigned commits, a sibling's key, revoked keys,
//! signatures copied onto altered commits and trust-file changes not signed
//! by the province are refused, each as its own kind; rotation keeps old
//! history valid.

use std::path::Path;
use std::sync::Arc;

use super::support::*;
use wenku_store::federation::{
    Peer, PullError, PullOptions, SignatureMode, SignatureProblemKind, quarantine_dir,
};
use wenku_store::signing::NodeKey;
use wenku_store::{InitOptions, Library, TrustChange};

/// A node with its own key; the counties pin the province's key.
fn keyed(root: &Path, region: &str, key: &Arc<NodeKey>, pin: Option<&NodeKey>) -> Library {
    let path = root.join(format!("{region}.git"));
    let lib = Library::init(
        &path,
        r(region),
        InitOptions::new(clerk())
            .clock(clock())
            .key(Arc::clone(key)),
    )
    .expect("init library");
    if let Some(p) = pin {
        lib.pin_root(p.public()).expect("pin");
    }
    lib
}

fn key(comment: &str) -> Arc<NodeKey> {
    Arc::new(NodeKey::generate(comment).expect("key"))
}

fn source(lib: &Library) -> String {
    lib.path().display().to_string()
}

struct Three {
    _dir: tempfile::TempDir,
    province: Library,
    pingdu: Library,
    huangdao: Library,
    p: Arc<NodeKey>,
    a: Arc<NodeKey>,
    b: Arc<NodeKey>,
}

/// Province 370000 trusting Pingdu (370283) and Huangdao (370211), each
/// with its key, each county having published one document.
fn three() -> Three {
    let dir = tempfile::tempdir().expect("dir");
    let (p, a, b) = (key("370000"), key("370283"), key("370211"));
    let province = keyed(dir.path(), "370000", &p, None);
    let pingdu = keyed(dir.path(), "370283", &a, Some(&p));
    let huangdao = keyed(dir.path(), "370211", &b, Some(&p));
    for (k, region) in [(&a, "370283"), (&b, "370211")] {
        let changed = province
            .change_trust(
                &clerk(),
                &TrustChange::Grant {
                    key: k.public().clone(),
                    regions: vec![r(region)],
                },
                false,
            )
            .expect("grant");
        assert!(changed.commit.is_some());
    }
    publish(&pingdu, "370283/points", "平度");
    publish(&huangdao, "370211/plan", "黄岛");
    Three {
        _dir: dir,
        province,
        pingdu,
        huangdao,
        p,
        a,
        b,
    }
}

fn refused(lib: &Library, from: &Library, peer: Peer) -> Vec<(SignatureProblemKind, String)> {
    match lib.pull(&source(from), peer, &clerk(), &PullOptions::new()) {
        Err(PullError::Signatures { problems, .. }) => {
            problems.into_iter().map(|p| (p.kind, p.detail)).collect()
        }
        other => panic!("expected a signature refusal, got {other:?}"),
    }
}

/// Writes the province's trust file where stock git reads it.
fn allowed_signers(province: &Library, dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let allowed = dir.join("allowed_signers");
    let revoked = dir.join("revoked_keys");
    let show = |file: &str| {
        git_ok(
            province.path(),
            &["show", &format!("main:trust-370000/{file}")],
        )
    };
    std::fs::write(&allowed, show("allowed_signers") + "\n").expect("write");
    std::fs::write(&revoked, show("revoked_keys") + "\n").expect("write");
    (allowed, revoked)
}

fn git_verify(repo: &Path, allowed: &Path, revoked: &Path, commit: &str) -> (bool, String) {
    let out = git(
        repo,
        &[
            "-c",
            &format!("gpg.ssh.allowedSignersFile={}", allowed.display()),
            "-c",
            &format!("gpg.ssh.revocationFile={}", revoked.display()),
            "verify-commit",
            commit,
        ],
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ssh_keygen_present() -> bool {
    std::process::Command::new("ssh-keygen")
        .arg("-?")
        .output()
        .is_ok()
}

#[test]
fn three_signed_nodes_verify_end_to_end_and_git_agrees() {
    let t = three();
    for county in ["370283", "370211"] {
        let from = if county == "370283" {
            &t.pingdu
        } else {
            &t.huangdao
        };
        let report = pull(&t.province, &source(from), Peer::Child(r(county)));
        assert_eq!(report.signatures.mode, "enforced", "{report:?}");
        assert!(report.signatures.checked >= 2, "{report:?}");
        assert!(report.signatures.problems.is_empty(), "{report:?}");
    }
    // Down: Pingdu takes the trust file, anchored on the pinned key, and
    // Huangdao's commits verify against it.
    let report = pull(&t.pingdu, &source(&t.province), Peer::Parent(r("370000")));
    assert_eq!(report.signatures.mode, "enforced");
    assert_eq!(report.signatures.trust_serial, Some(3), "{report:?}");
    assert!(t.pingdu.trust().expect("trust").is_some());
    for lib in [&t.province, &t.pingdu] {
        let v = lib.verify_signatures().expect("verify");
        assert!(v.is_clean(), "{}: {v:?}", lib.authority());
        assert_eq!(v.signed, v.commits, "every commit signed");
        assert!(lib.verify().expect("verify").is_clean());
    }
    // Who signed the county's publish, as `log` shows it.
    let head = t.pingdu.head().expect("head");
    let publish = git_ok(
        t.province.path(),
        &["log", "--format=%H", "-1", "--", "370283"],
    );
    match t
        .province
        .signer(wenku_store::ObjectId::from_hex(&publish).expect("id"))
        .expect("signer")
    {
        wenku_store::Signer::Key {
            regions, revoked, ..
        } => {
            assert_eq!(regions, [r("370283")]);
            assert!(!revoked);
        }
        other => panic!("{other:?}"),
    }

    if !ssh_keygen_present() {
        assert!(
            std::env::var_os("CI").is_none(),
            "ssh-keygen is needed for git verify-commit on CI"
        );
        eprintln!("skipping git verify-commit: ssh-keygen is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let (allowed, revoked) = allowed_signers(&t.province, dir.path());
    let (ok, said) = git_verify(t.province.path(), &allowed, &revoked, &publish);
    assert!(ok, "{said}");
    assert!(said.contains("Good \"git\" signature for 370283"), "{said}");
    let (ok, said) = git_verify(t.pingdu.path(), &allowed, &revoked, &head.to_string());
    assert!(ok, "{said}");
    // Every commit of the province's history verifies with stock git.
    let all = git_ok(t.province.path(), &["rev-list", "main"]);
    for c in all.lines() {
        let (ok, said) = git_verify(t.province.path(), &allowed, &revoked, c);
        assert!(ok, "{c}: {said}");
    }
}

#[test]
fn an_unsigned_commit_is_refused_and_warn_mode_accepts_it_loudly() {
    let t = three();
    // Pingdu's library opened without its key: its next commit is unsigned.
    let unsigned = Library::open(t.pingdu.path())
        .expect("open")
        .with_clock(clock());
    publish(&unsigned, "370283/unsigned", "无签名");
    let problems = refused(&t.province, &t.pingdu, Peer::Child(r("370283")));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, SignatureProblemKind::Unsigned);
    assert!(
        quarantine_dir(t.province.git_dir(), r("370283")).exists(),
        "kept apart"
    );
    assert!(
        t.province
            .snapshot()
            .expect("snapshot")
            .record(&w("370283/unsigned"))
            .expect("read")
            .is_none()
    );

    let report = t
        .province
        .pull(
            &source(&t.pingdu),
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new().signatures(SignatureMode::Warn),
        )
        .expect("accepted in warn mode");
    assert_eq!(report.signatures.mode, "warn");
    assert_eq!(report.signatures.problems.len(), 1);
    assert_eq!(
        report.signatures.problems[0].kind,
        SignatureProblemKind::Unsigned
    );
    let v = t.province.verify_signatures().expect("verify");
    assert!(!v.is_clean(), "history verification still reports it");
}

#[test]
fn a_siblings_key_cannot_sign_for_this_county() {
    let t = three();
    // Pingdu's library signing with Huangdao's key.
    let forged = Library::open(t.pingdu.path())
        .expect("open")
        .with_clock(clock())
        .with_key(Arc::clone(&t.b));
    publish(&forged, "370283/forged", "冒名");
    let problems = refused(&t.province, &t.pingdu, Peer::Child(r("370283")));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, SignatureProblemKind::WrongRegion);
    assert!(problems[0].1.contains("370211"), "{problems:?}");
    assert!(problems[0].1.contains("370283"), "{problems:?}");

    // A key nobody listed.
    let stranger = Library::open(t.huangdao.path())
        .expect("open")
        .with_clock(clock())
        .with_key(key("stranger"));
    publish(&stranger, "370211/stranger", "陌生");
    let problems = refused(&t.province, &t.huangdao, Peer::Child(r("370211")));
    assert_eq!(
        problems[0].0,
        SignatureProblemKind::UnknownKey,
        "{problems:?}"
    );
}

#[test]
fn a_revoked_key_signs_nothing_new() {
    let t = three();
    pull(&t.province, &source(&t.pingdu), Peer::Child(r("370283")));
    t.province
        .change_trust(
            &clerk(),
            &TrustChange::Revoke {
                key: t.a.public().clone(),
            },
            false,
        )
        .expect("revoke");
    publish(&t.pingdu, "370283/after", "吊销后");
    let problems = refused(&t.province, &t.pingdu, Peer::Child(r("370283")));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, SignatureProblemKind::RevokedKey);
    // The province cannot trust a revoked key again, and cannot revoke its own.
    assert!(
        t.province
            .change_trust(
                &clerk(),
                &TrustChange::Grant {
                    key: t.a.public().clone(),
                    regions: vec![r("370283")],
                },
                false,
            )
            .is_err()
    );
    assert!(
        t.province
            .change_trust(
                &clerk(),
                &TrustChange::Revoke {
                    key: t.p.public().clone(),
                },
                false,
            )
            .is_err()
    );
}

#[test]
fn a_signature_copied_onto_an_altered_commit_is_refused() {
    let t = three();
    let head = t.pingdu.head().expect("head").to_string();
    let raw = git_ok(t.pingdu.path(), &["cat-file", "commit", &head]);
    // Same signature, another message (a forger changing what the commit
    // says it did, or pointing it at another tree).
    let altered = raw.replace("publish 370283/points", "publish 370283/pointz");
    assert_ne!(altered, raw);
    let forged = git_stdin(
        t.pingdu.path(),
        &["hash-object", "-t", "commit", "-w", "--stdin"],
        format!("{altered}\n").as_bytes(),
    );
    git_ok(t.pingdu.path(), &["update-ref", "refs/heads/main", &forged]);
    let problems = refused(&t.province, &t.pingdu, Peer::Child(r("370283")));
    assert!(
        problems
            .iter()
            .any(|(k, d)| *k == SignatureProblemKind::BadSignature && d.contains("altered")),
        "{problems:?}"
    );
}

#[test]
fn a_trust_change_not_signed_by_the_province_is_refused() {
    let t = three();
    pull(&t.pingdu, &source(&t.province), Peer::Parent(r("370000")));
    // Someone answering at the province's address adds a key of their own
    // to the trust file, signing with Pingdu's (stolen) key.
    let rogue = key("rogue");
    let mut trust = t.province.trust().expect("trust").expect("a file");
    trust.serial += 1;
    trust.grant(rogue.public().clone(), &[r("370000")]);
    let (allowed, revoked) = trust.encode();
    let hostile = Library::open(t.province.path())
        .expect("open")
        .with_clock(clock())
        .with_key(Arc::clone(&t.a));
    // Written as a plain commit by git (wenku refuses to make it), then
    // signed with the stolen key through a library commit on top.
    edit_with_git(
        t.province.path(),
        &[
            ("trust-370000/allowed_signers", Some(allowed.as_bytes())),
            ("trust-370000/revoked_keys", Some(revoked.as_bytes())),
        ],
        &[],
    );
    publish(&hostile, "370000/after", "篡改");
    let problems = refused(&t.pingdu, &t.province, Peer::Parent(r("370000")));
    assert!(
        problems
            .iter()
            .any(|(k, _)| *k == SignatureProblemKind::TrustChange),
        "{problems:?}"
    );
    // Pingdu's trust file is unchanged.
    assert_eq!(t.pingdu.trust().expect("trust").expect("file").serial, 3);
}

#[test]
fn an_older_trust_file_is_a_rollback() {
    let t = three();
    let before = t.province.head().expect("head");
    t.province
        .change_trust(
            &clerk(),
            &TrustChange::Revoke {
                key: t.b.public().clone(),
            },
            false,
        )
        .expect("revoke");
    pull(&t.pingdu, &source(&t.province), Peer::Parent(r("370000")));
    assert_eq!(t.pingdu.trust().expect("t").expect("f").serial, 4);
    // A province "restored from backup" to before the revocation, then
    // publishing on: its history no longer descends from what Pingdu
    // accepted, which is refused before signatures are looked at; a node
    // that never pulled from it compares serials instead.
    git_ok(
        t.province.path(),
        &["update-ref", "refs/heads/main", &before.to_string()],
    );
    publish(&t.province, "370000/restored", "回滚");
    let err = t
        .pingdu
        .pull(
            &source(&t.province),
            Peer::Parent(r("370000")),
            &clerk(),
            &PullOptions::new(),
        )
        .expect_err("refused");
    assert!(matches!(err, PullError::RewrittenHistory { .. }), "{err}");
}

#[test]
fn a_trust_file_with_an_older_serial_is_refused_even_when_signed_by_the_province() {
    if !ssh_keygen_present() {
        assert!(
            std::env::var_os("CI").is_none(),
            "ssh-keygen is needed to sign with git on CI"
        );
        eprintln!("skipping: ssh-keygen is not installed");
        return;
    }
    let t = three();
    let before = t.province.head().expect("head").to_string();
    t.province
        .change_trust(
            &clerk(),
            &TrustChange::Revoke {
                key: t.b.public().clone(),
            },
            false,
        )
        .expect("revoke");
    pull(&t.pingdu, &source(&t.province), Peer::Parent(r("370000")));
    assert_eq!(t.pingdu.trust().expect("t").expect("f").serial, 4);
    // The province's own key (stolen, or a faulty tool) signs a commit on
    // top of its history that puts back the trust file of before the
    // revocation: signed by the root, but older.
    let dir = tempfile::tempdir().expect("dir");
    let key_file = dir.path().join("province");
    t.p.write_new(&key_file).expect("key file");
    let lib = t.province.path();
    let old_trust = git_ok(lib, &["rev-parse", &format!("{before}:trust-370000")]);
    let entries = git_ok(lib, &["ls-tree", "main"]);
    let listing: String = entries
        .lines()
        .map(|l| {
            if l.ends_with("\ttrust-370000") {
                format!("040000 tree {old_trust}\ttrust-370000\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let tree = git_stdin(lib, &["mktree"], listing.as_bytes());
    let commit = git_ok(
        lib,
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingkey={}", key_file.display()),
            "commit-tree",
            "-S",
            &tree,
            "-p",
            "main",
            "-m",
            "trust: restore",
        ],
    );
    git_ok(lib, &["update-ref", "refs/heads/main", &commit]);
    let problems = refused(&t.pingdu, &t.province, Peer::Parent(r("370000")));
    assert!(
        problems
            .iter()
            .any(|(k, d)| *k == SignatureProblemKind::TrustRollback && d.contains("serial 3")),
        "{problems:?}"
    );
    // The signature git and ssh-keygen made is good to wenku: the only
    // problem is the rollback.
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(t.pingdu.trust().expect("t").expect("f").serial, 4);
}

#[test]
fn key_rotation_keeps_old_history_valid() {
    let t = three();
    pull(&t.province, &source(&t.pingdu), Peer::Child(r("370283")));
    let a2 = key("370283");
    t.province
        .change_trust(
            &clerk(),
            &TrustChange::Grant {
                key: a2.public().clone(),
                regions: vec![r("370283")],
            },
            false,
        )
        .expect("grant the new key");
    let rotated = Library::open(t.pingdu.path())
        .expect("open")
        .with_clock(clock())
        .with_key(Arc::clone(&a2));
    publish(&rotated, "370283/rotated", "轮换");
    let report = pull(&t.province, &source(&t.pingdu), Peer::Child(r("370283")));
    assert!(report.signatures.problems.is_empty());
    let v = t.province.verify_signatures().expect("verify");
    assert!(v.is_clean(), "{v:?}");
    let _ = &t.a;
}

#[test]
fn without_a_trust_root_the_pull_says_signatures_were_not_checked() {
    let dir = tempfile::tempdir().expect("dir");
    let city = node(dir.path(), "370200");
    let county = node(dir.path(), "370283");
    publish(&county, "370283/x", "x");
    let report = pull(&city, &source(&county), Peer::Child(r("370283")));
    assert_eq!(report.signatures.mode, "not-checked");
    assert!(
        report
            .signatures
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("pin")),
        "{report:?}"
    );
    let v = city.verify_signatures().expect("verify");
    assert!(!v.is_clean() && v.reason.is_some());
}

#[test]
fn a_national_library_holds_each_provinces_trust_file_as_data() {
    let t = three();
    pull(&t.province, &source(&t.pingdu), Peer::Child(r("370283")));
    // The national node is its own trust root; it lets the province's
    // key sign for 370000 (and so for the counties inside it).
    let dir = tempfile::tempdir().expect("dir");
    let n = key("100000");
    let national = keyed(dir.path(), "100000", &n, None);
    // Without the grant, the province's trust file vouches for itself
    // only: refused, and its commits with it.
    let problems = refused(&national, &t.province, Peer::Child(r("370000")));
    assert!(
        problems
            .iter()
            .any(|(k, d)| *k == SignatureProblemKind::WrongRegion && d.contains("trust-370000")),
        "{problems:?}"
    );
    national
        .change_trust(
            &clerk(),
            &TrustChange::Grant {
                key: t.p.public().clone(),
                regions: vec![r("370000")],
            },
            false,
        )
        .expect("grant");
    // The county's commits (they came through the province) are judged
    // by the province's own file, which the national file now vouches for:
    // the national file need not list the county's key.
    let report = pull(&national, &source(&t.province), Peer::Child(r("370000")));
    assert!(report.signatures.problems.is_empty(), "{report:?}");
    // Both trust files, each under its root.
    let tree = git_ok(national.path(), &["ls-tree", "--name-only", "main"]);
    assert!(tree.contains("trust-100000"), "{tree}");
    assert!(tree.contains("trust-370000"), "{tree}");
    assert!(national.verify().expect("verify").is_clean());
    assert!(national.verify_signatures().expect("v").is_clean());
    // And the province, pulling the national library down, keeps its own
    // file; the national commits need the national key in it.
    let problems = refused(&t.province, &national, Peer::Parent(r("100000")));
    assert!(
        problems
            .iter()
            .any(|(k, d)| *k == SignatureProblemKind::WrongRegion && d.contains("trust-100000")),
        "{problems:?}"
    );
    t.province
        .change_trust(
            &clerk(),
            &TrustChange::Grant {
                key: n.public().clone(),
                regions: vec![r("100000")],
            },
            false,
        )
        .expect("grant");
    pull(&t.province, &source(&national), Peer::Parent(r("100000")));
    assert_eq!(t.province.trust().expect("t").expect("f").serial, 4);
    assert!(t.province.verify_signatures().expect("v").is_clean());
}

#[test]
fn a_province_library_made_before_keys_starts_its_trust_file_with_its_own_key() {
    let dir = tempfile::tempdir().expect("dir");
    // Made without a key, as libraries were before signing.
    let old = node(dir.path(), "370000");
    let p = key("370000");
    let signed = Library::open(old.path())
        .expect("open")
        .with_clock(clock())
        .with_key(Arc::clone(&p));
    let a = key("370283");
    let grant = TrustChange::Grant {
        key: a.public().clone(),
        regions: vec![r("370283")],
    };
    // Without the key pinned, it is not authorised.
    assert!(signed.change_trust(&clerk(), &grant, false).is_err());
    signed.pin_root(p.public()).expect("pin");
    signed.change_trust(&clerk(), &grant, false).expect("grant");
    let trust = signed.trust().expect("read").expect("a file");
    assert_eq!(trust.serial, 1);
    assert!(trust.covers(p.public(), &r("370000")), "{trust:?}");
    assert!(trust.covers(a.public(), &r("370283")));
    // The next change is judged by the file: it verifies without the pin.
    let b = key("370211");
    signed
        .change_trust(
            &clerk(),
            &TrustChange::Grant {
                key: b.public().clone(),
                regions: vec![r("370211")],
            },
            false,
        )
        .expect("grant");
    std::fs::remove_file(signed.git_dir().join(wenku_store::trust::PINNED_FILE)).expect("unpin");
    let v = signed.verify_signatures().expect("verify");
    // The commits made before the key are unsigned; the trust changes check out.
    assert!(
        v.problems
            .iter()
            .all(|p| p.kind == SignatureProblemKind::Unsigned),
        "{v:?}"
    );
}

#[test]
fn another_provinces_commits_are_judged_by_its_own_trust_file() {
    let dir = tempfile::tempdir().expect("dir");
    let (n, s, b) = (key("100000"), key("370000"), key("110000"));
    let national = keyed(dir.path(), "100000", &n, None);
    let shandong = keyed(dir.path(), "370000", &s, None);
    let beijing = keyed(dir.path(), "110000", &b, None);
    publish(&beijing, "110000/notice", "北京");
    publish(&shandong, "370000/points", "山东");
    for (k, region) in [(&s, "370000"), (&b, "110000")] {
        national
            .change_trust(
                &clerk(),
                &TrustChange::Grant {
                    key: k.public().clone(),
                    regions: vec![r(region)],
                },
                false,
            )
            .expect("grant");
    }
    pull(&national, &source(&shandong), Peer::Child(r("370000")));
    pull(&national, &source(&beijing), Peer::Child(r("110000")));
    // Shandong trusts the national key for what the national library
    // relays; Beijing's commits are judged by Beijing's own file, which the
    // national file vouches for. Shandong lists no Beijing key.
    shandong
        .change_trust(
            &clerk(),
            &TrustChange::Grant {
                key: n.public().clone(),
                regions: vec![r("100000")],
            },
            false,
        )
        .expect("grant");
    let report = pull(&shandong, &source(&national), Peer::Parent(r("100000")));
    assert_eq!(report.signatures.mode, "enforced");
    assert!(report.signatures.problems.is_empty(), "{report:?}");
    let snap = shandong.snapshot().expect("snapshot");
    assert!(snap.contains(&w("110000/notice")).expect("read"));
    assert!(shandong.verify().expect("verify").is_clean());
    let tree = git_ok(shandong.path(), &["ls-tree", "--name-only", "main"]);
    assert!(
        tree.contains("trust-110000") && tree.contains("trust-100000"),
        "{tree}"
    );
    assert_eq!(shandong.trust().expect("t").expect("f").serial, 2);

    // A Beijing commit signed by a key no file lists, relayed by a
    // national library that accepted it in warn mode, is refused here.
    let forged = Library::open(beijing.path())
        .expect("open")
        .with_clock(clock())
        .with_key(key("stranger"));
    publish(&forged, "110000/forged", "伪造");
    national
        .pull(
            &source(&beijing),
            Peer::Child(r("110000")),
            &clerk(),
            &PullOptions::new().signatures(SignatureMode::Warn),
        )
        .expect("accepted in warn mode");
    let problems = refused(&shandong, &national, Peer::Parent(r("100000")));
    assert!(
        problems
            .iter()
            .any(|(k, _)| *k == SignatureProblemKind::UnknownKey),
        "{problems:?}"
    );
}
