//! What the fetch's transport must hold against a hostile peer: a peer
//! that stalls forever leaves no thread and no lock behind, redirects to
//! other origins are refused, an endless ref advertisement is cut off, and
//! a pack over the size limit never enters the library.

use std::process::Command;
use std::time::Duration;

use super::Pair;
use super::support::http::{Behaviour, EndlessRefs, GitHttpServer, Redirect, Silent};
use super::support::*;
use wenku_store::Library;
use wenku_store::federation::{Peer, PullError, PullOptions};

const STALL_LIB: &str = "WENKU_TEST_STALL_LIB";

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .count()
}

fn packs(lib: &Library) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(lib.git_dir().join("objects").join("pack"))
        .expect("pack dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Nothing of an abandoned or refused fetch is left in the library.
fn no_fetch_left(lib: &Library) {
    let dir = lib.git_dir().join("wenku").join("fetch");
    let left: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.map(|e| e.expect("entry").path()).collect(),
        Err(_) => Vec::new(),
    };
    assert!(left.is_empty(), "fetch directories left: {left:?}");
}

/// Runs in a process of its own (its thread count is its own): times out
/// against a peer that accepts and then stalls, many times, over git://
/// and HTTP.
#[test]
#[ignore = "helper process for stalled_peers_leave_no_threads_and_no_locks"]
fn helper_stalled_pulls() {
    let Some(path) = std::env::var_os(STALL_LIB) else {
        return;
    };
    let lib = Library::open(path).expect("open");
    let before_main = lib.head().expect("head");
    let silent = Silent::bind().expect("silent server");
    let options = PullOptions::new().timeout(Duration::from_millis(300));
    // One pull first, so that lazily started threads of the process
    // (allocator, runtime pools) count in the baseline.
    let _ = lib.pull(
        &format!("git://{}/370283.git", silent.addr()),
        Peer::Child(r("370283")),
        &clerk(),
        &options,
    );
    let before = threads();
    const PULLS: usize = 6;
    for i in 0..PULLS {
        for url in [
            format!("git://{}/370283.git", silent.addr()),
            format!("http://{}/370283.git", silent.addr()),
        ] {
            let err = lib
                .pull(&url, Peer::Child(r("370283")), &clerk(), &options)
                .expect_err("a stalled peer");
            assert!(matches!(err, PullError::Timeout { .. }), "{i} {url}: {err}");
        }
    }
    let after = threads();
    println!(
        "threads before {before}, after {} timed-out pulls {after}",
        2 * PULLS
    );
    // A thread or two of an HTTP client may still be winding down; twelve
    // stray fetches would be twelve threads more.
    assert!(
        after <= before + 2,
        "threads: {before} before, {after} after"
    );
    // No stray thread holds the objects lock: maintenance cleans.
    let stray = lib
        .git_dir()
        .join("objects")
        .join("pack")
        .join(".tmp-left-by-a-dead-writer");
    std::fs::write(&stray, b"x").expect("plant a temporary file");
    let done = lib.maintain().expect("maintain");
    assert!(done.removed_files >= 1, "{done:?}");
    assert!(!stray.exists());
    no_fetch_left(&lib);
    assert_eq!(lib.head().expect("head"), before_main);
    println!("stalled pulls ok");
}

#[test]
fn stalled_peers_leave_no_threads_and_no_locks() {
    let p = Pair::new();
    let exe = std::env::current_exe().expect("test binary path");
    let out = Command::new(exe)
        .args([
            "transport::helper_stalled_pulls",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
            "-q",
        ])
        .env(STALL_LIB, p.city.path())
        .output()
        .expect("run the helper");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("stalled pulls ok"),
        "{stdout}\n{stderr}"
    );
    eprintln!(
        "{}",
        stdout
            .lines()
            .find(|l| l.starts_with("threads"))
            .unwrap_or("")
    );
    fsck(p.city.path());
}

fn served(p: &Pair, behaviour: Behaviour) -> GitHttpServer {
    let root = p.county.path().parent().expect("root").to_path_buf();
    GitHttpServer::bind(root, behaviour).expect("server")
}

fn county_name(p: &Pair) -> String {
    p.county
        .path()
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn redirects_to_another_origin_are_refused_unless_allowed() {
    let p = Pair::new();
    let before = p.city.head().expect("head");
    let server = served(&p, Behaviour::Correct);
    let target = server.url("");
    let redirect = Redirect::bind(target.trim_end_matches('/')).expect("redirect server");
    let name = county_name(&p);
    let from = redirect.url(&name);
    let err = p
        .city
        .pull(
            &from,
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new(),
        )
        .expect_err("refused");
    let PullError::Redirected { url, to } = &err else {
        panic!("expected Redirected, got {err}")
    };
    assert_eq!(url, &from);
    assert!(to.starts_with(target.trim_end_matches('/')), "{to}");
    assert_eq!(err.kind(), "redirected");
    assert!(err.to_string().contains(&from) && err.to_string().contains(to.as_str()));
    assert!(!err.is_refusal(), "nothing to quarantine");
    assert_eq!(p.city.head().expect("head"), before);
    assert_eq!(p.city.quarantined_head(r("370283")).expect("ref"), None);
    let seen = server.seen();
    assert!(
        seen.iter().all(|s| s.method == "GET"),
        "no pack was asked for: {seen:?}"
    );
    no_fetch_left(&p.city);
    fsck(p.city.path());

    // Allowed, it is followed.
    let report = p
        .city
        .pull(
            &from,
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new().follow_redirects(true),
        )
        .expect("followed");
    assert!(report.changed());
}

#[test]
fn redirects_within_the_origin_are_followed() {
    let p = Pair::new();
    let server = served(&p, Behaviour::RedirectMoved);
    let url = server.url(&format!("moved/{}", county_name(&p)));
    let report = p
        .city
        .pull(
            &url,
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new(),
        )
        .expect("same origin");
    assert!(report.changed());
    assert!(
        server.seen().iter().any(|s| s.status.starts_with("301")),
        "{:?}",
        server.seen()
    );
}

#[test]
fn an_endless_ref_advertisement_is_cut_off() {
    endless_refs_are_cut_off(EndlessRefs::bind().expect("server"));
}

#[test]
fn an_endless_v2_ref_listing_is_cut_off() {
    endless_refs_are_cut_off(EndlessRefs::bind_v2().expect("server"));
}

fn endless_refs_are_cut_off(endless: EndlessRefs) {
    let p = Pair::new();
    let before = p.city.head().expect("head");
    let err = p
        .city
        .pull(
            &endless.url("370283.git"),
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new(),
        )
        .expect_err("cut off");
    assert!(
        matches!(err, PullError::AdvertisementTooLarge { limit, .. } if limit == wenku_store::federation::ADVERTISEMENT_LIMIT),
        "{err}"
    );
    assert_eq!(err.kind(), "advertisement-too-large");
    // Cut off at the limit, not at the deadline: the server wrote little
    // more than the limit (plus what the socket buffers hold).
    eprintln!("the endless server wrote {} bytes", endless.sent());
    assert_eq!(p.city.head().expect("head"), before);
    no_fetch_left(&p.city);
    fsck(p.city.path());
}

fn pack_too_large(p: &Pair, source: &str) {
    let before = p.city.head().expect("head");
    let packs_before = packs(&p.city);
    let err = p
        .city
        .pull(
            source,
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new().max_pack_bytes(64),
        )
        .expect_err("too large");
    assert!(
        matches!(err, PullError::PackTooLarge { limit: 64, .. }),
        "{source}: {err}"
    );
    assert_eq!(err.kind(), "pack-too-large");
    assert_eq!(p.city.head().expect("head"), before);
    assert_eq!(packs(&p.city), packs_before, "nothing entered the library");
    assert_eq!(p.city.accepted_head(r("370283")).expect("ref"), None);
    no_fetch_left(&p.city);
    fsck(p.city.path());
}

#[test]
fn a_pack_over_the_limit_never_enters_the_library() {
    let p = Pair::new();
    // Measured as it arrives (HTTP).
    let server = served(&p, Behaviour::Correct);
    pack_too_large(&p, &server.url(&county_name(&p)));
    // Measured when complete (a path: gix runs git-upload-pack).
    pack_too_large(&p, &p.source());
    // Within the limit, the same pull succeeds.
    p.pull().expect("default limit");
}
