//! Federation tests: libraries of a real hierarchy (Shandong's province,
//! cities and counties from the seeds; Zhejiang's from its local
//! regulations) pulling from each other over real transports on 127.0.0.1
//! — a path, file://, git:// through `git daemon`, smart HTTP through
//! `git http-backend` — and the refusals, kills, races and time limits a
//! pull must survive.

use wenku_test_support::federation as support;

#[path = "federation/hostile.rs"]
mod hostile;

#[path = "federation/transport.rs"]
mod transport;

#[path = "federation/signatures.rs"]
mod signatures;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use support::http::{Behaviour, GitHttpServer, Silent};
use support::*;
use wenku_model::query::Filter;
use wenku_model::{Citation, WorkId};
use wenku_store::federation::{Peer, PullError, PullOptions, quarantine_dir};
use wenku_store::{Library, ProblemKind};

// ---------------------------------------------------------------------------
// whole federations

/// Everything each node ends with: every work with its version ids.
fn catalogue(lib: &Library) -> Vec<(WorkId, Vec<String>)> {
    let snap = lib.snapshot().expect("snapshot");
    snap.works(&Filter::all())
        .expect("works")
        .into_iter()
        .map(|w| {
            let versions = snap
                .versions(&w)
                .expect("versions")
                .iter()
                .map(|v| v.revision.to_string())
                .collect();
            (w, versions)
        })
        .collect()
}

/// Every node has every document, byte-identical: the same region trees
/// (hence the same bytes), the same works and versions; verification and
/// `git fsck --strict` pass, and packs are read-only.
fn assert_converged(nodes: &[(&str, &Library)], works: usize) {
    let (first_name, first) = nodes[0];
    let trees = region_trees(first.path());
    let expected = catalogue(first);
    assert_eq!(expected.len(), works, "{first_name}: {expected:?}");
    for (name, lib) in nodes {
        assert_eq!(
            region_trees(lib.path()),
            trees,
            "{name} and {first_name} differ"
        );
        assert_eq!(catalogue(lib), expected, "{name}");
        let report = lib.verify().expect("verify");
        assert!(report.is_clean(), "{name}: {report}");
        fsck(lib.path());
        packs_are_read_only(lib);
    }
}

fn citation_resolves(lib: &Library, province_doc: &WorkId, citers: &[&WorkId]) {
    let snap = lib.snapshot().expect("snapshot");
    let citation = Citation::parse("鲁政办发〔2025〕5号").expect("parses");
    assert_eq!(
        snap.lookup(&citation).expect("lookup"),
        std::slice::from_ref(province_doc),
        "{}",
        lib.authority()
    );
    let from: Vec<WorkId> = snap
        .referrers(province_doc)
        .expect("referrers")
        .into_iter()
        .map(|r| r.from)
        .collect();
    for citer in citers {
        assert!(from.contains(citer), "{}: {from:?}", lib.authority());
    }
}

/// The seeds' hierarchy: province 370000; cities Qingdao 370200, Zibo
/// 370300, Jinan 370100; counties Pingdu 370283, Boshan 370304, Huaiyin
/// 370104. Each county publishes its document, Qingdao its points, the
/// province the document they cite; cities pull counties, the province
/// pulls cities, then every node pulls down.
fn shandong(root: &Path, transport: &Transport) {
    let province = node(root, "370000");
    let cities = [
        node(root, "370200"),
        node(root, "370300"),
        node(root, "370100"),
    ];
    let counties = [
        node(root, "370283"),
        node(root, "370304"),
        node(root, "370104"),
    ];
    let pingdu = publish_seed(&counties[0], "370283-pingdu-2024-07-16-points.txt");
    publish_seed(&counties[1], "370304-boshan-2025-implementation-plan.txt");
    publish_seed(&counties[2], "370104-huaiyin-2025-interpretation.txt");
    let qingdao = publish_seed(&cities[0], "370200-qingdao-2025-05-16-points.txt");
    let provincial = publish_provincial_points(&province);

    let up =
        |lib: &Library, child: &str| pull(lib, &transport.source(child), Peer::Child(r(child)));
    let down =
        |lib: &Library, parent: &str| pull(lib, &transport.source(parent), Peer::Parent(r(parent)));
    let county_of = ["370283", "370304", "370104"];
    let city_of = ["370200", "370300", "370100"];

    // Up: counties into cities.
    for (city, county) in cities.iter().zip(county_of) {
        let before = city.head().expect("head");
        let report = up(city, county);
        assert!(report.changed() && report.advanced(), "{report:?}");
        assert_eq!(report.added(), 1, "{report:?}");
        assert_eq!(report.regions.len(), 1);
        assert_eq!(report.regions[0].region, r(county));
        assert_eq!(report.old_main, before);
        let merge = report.merge.expect("a merge");
        assert_eq!(report.new_main, merge);
        // The county's head is the merge's second parent.
        let parents = git_ok(
            city.path(),
            &["rev-parse", &format!("{merge}^1"), &format!("{merge}^2")],
        );
        assert_eq!(
            parents,
            format!("{before}\n{}", report.peer_head),
            "first parent ours, second the county's"
        );
        assert_eq!(
            city.accepted_head(r(county)).expect("ref"),
            Some(report.peer_head)
        );
    }
    assert_eq!(
        cities[0]
            .snapshot()
            .expect("snapshot")
            .works(&Filter::all())
            .expect("works"),
        [qingdao.clone(), pingdu.clone()]
    );
    // The county's commit (and author) is in the city's history.
    let story = git_ok(cities[0].path(), &["log", "--format=%s", "--", "370283"]);
    assert!(
        story.contains("publish 370283/pingdu-2024-07-16-points"),
        "{story}"
    );

    // Up: cities into the province; the Qingdao points meet the document
    // they cite.
    for city in city_of {
        up(&province, city);
    }
    citation_resolves(&province, &provincial, &[&qingdao]);

    // Down: the province into cities, cities into counties.
    for city in &cities {
        let report = down(city, "370000");
        assert!(report.changed(), "{report:?}");
        let own = city.authority().node();
        assert!(
            report.regions.iter().all(|c| !own.contains(&c.region)),
            "a city never takes its own regions from the province: {report:?}"
        );
    }
    citation_resolves(&cities[0], &provincial, &[&qingdao]);
    for (county, city) in counties.iter().zip(city_of) {
        down(county, city);
    }
    citation_resolves(&counties[0], &provincial, &[&qingdao]);

    let all: Vec<(&str, &Library)> = [("370000", &province)]
        .into_iter()
        .chain(city_of.iter().copied().zip(cities.iter()))
        .chain(county_of.iter().copied().zip(counties.iter()))
        .collect();
    assert_converged(&all, 5);

    // A second round brings the peers' merges but changes no tree: no
    // commit anywhere. A third finds nothing new at all.
    let counts: Vec<usize> = all.iter().map(|(_, l)| commit_count(l.path())).collect();
    for round in 0..2 {
        let mut reports = Vec::new();
        for (city, county) in cities.iter().zip(county_of) {
            reports.push(up(city, county));
        }
        for city in city_of {
            reports.push(up(&province, city));
        }
        for city in &cities {
            reports.push(down(city, "370000"));
        }
        for (county, city) in counties.iter().zip(city_of) {
            reports.push(down(county, city));
        }
        for report in &reports {
            assert!(!report.changed(), "round {round}: {report:?}");
            assert_eq!(report.merge, None);
            if round == 1 {
                assert!(!report.advanced(), "round {round}: {report:?}");
                assert_eq!(report.fetch.objects, 0, "{report:?}");
            }
        }
    }
    let after: Vec<usize> = all.iter().map(|(_, l)| commit_count(l.path())).collect();
    assert_eq!(counts, after, "pulls that change nothing make no commits");
}

#[test]
fn shandong_three_levels_over_paths() {
    let t = tmp();
    shandong(t.path(), &Transport::Path(t.path().to_path_buf()));
}

#[test]
fn shandong_three_levels_over_file_urls() {
    let t = tmp();
    shandong(t.path(), &Transport::File(t.path().to_path_buf()));
}

#[test]
fn shandong_three_levels_over_smart_http() {
    let t = tmp();
    let server =
        GitHttpServer::bind(t.path().to_path_buf(), Behaviour::Correct).expect("http server");
    let transport = Transport::Http(server);
    shandong(t.path(), &transport);
    let Transport::Http(server) = &transport else {
        unreachable!("built above")
    };
    // What gix sends: protocol v2 in the Git-Protocol header on every
    // request, upload-pack POSTs, never compressed bodies. (gix 0.90 sends
    // them with a Content-Length; git sends chunked and gzip bodies, see
    // the next test.)
    let seen = server.seen();
    assert!(seen.iter().any(|s| s.method == "POST"), "{seen:?}");
    assert!(
        seen.iter()
            .filter(|s| s.method == "POST")
            .all(|s| s.path.ends_with("/git-upload-pack")),
        "{seen:?}"
    );
    for s in &seen {
        assert_eq!(s.git_protocol.as_deref(), Some("version=2"), "{s:?}");
        assert_eq!(s.content_encoding, None, "{s:?}");
        assert!(s.status.starts_with("200"), "{s:?}");
    }
}

/// The HTTP front end serves git itself, and decodes chunked request
/// bodies (which git sends for large requests and gix 0.90 does not).
#[test]
fn the_http_front_end_serves_git_and_chunked_requests() {
    use std::io::{Read, Write};
    let t = tmp();
    let county = node(t.path(), "370283");
    publish_batch(&county, "370283", "w", 20);
    let server = GitHttpServer::bind(t.path().to_path_buf(), Behaviour::Correct).expect("server");
    let clone = t.path().join("clone.git");
    git_ok(
        t.path(),
        &[
            "-c",
            "protocol.version=2",
            "clone",
            "-q",
            "--bare",
            &server.url("370283.git"),
            clone.to_str().expect("utf8"),
        ],
    );
    let head = county.head().expect("head").to_string();
    assert_eq!(git_ok(&clone, &["rev-parse", "main"]), head);
    fsck(&clone);
    // A clone opens as a library.
    let lib = Library::open(&clone).expect("open the clone");
    assert_eq!(
        lib.snapshot()
            .expect("snapshot")
            .works(&Filter::all())
            .expect("works")
            .len(),
        20
    );

    // A protocol v2 ls-refs request, its body sent in two chunks.
    let url = server.url("370283.git");
    let addr = url
        .strip_prefix("http://")
        .and_then(|u| u.split('/').next())
        .expect("host:port");
    let body = b"0014command=ls-refs\n00010000";
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    let mut request = format!(
        "POST /370283.git/git-upload-pack HTTP/1.1\r\nHost: {addr}\r\nGit-Protocol: version=2\r\nContent-Type: application/x-git-upload-pack-request\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for part in [&body[..10], &body[10..]] {
        request.extend(format!("{:x}\r\n", part.len()).into_bytes());
        request.extend(part);
        request.extend(b"\r\n");
    }
    request.extend(b"0\r\n\r\n");
    stream.write_all(&request).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(&format!("{head} refs/heads/main")),
        "{response}"
    );
    let seen = server.seen();
    assert!(
        seen.iter().any(|s| s.method == "POST" && s.chunked),
        "{seen:?}"
    );
}

/// Zhejiang: province 330000; cities Hangzhou 330100, Ningbo 330200,
/// Wenzhou 330300, Lishui 331100; Jingning 331127 under Lishui. Over git://.
#[test]
fn zhejiang_over_git_daemon() {
    let t = tmp();
    let root = t.path();
    let daemon = support::daemon::GitDaemon::start(root.to_path_buf()).expect("git daemon");
    let transport = Transport::Git(daemon);
    let province = node(root, "330000");
    let city_of = ["330100", "330200", "330300", "331100"];
    let cities: Vec<Library> = city_of.iter().map(|c| node(root, c)).collect();
    let jingning = node(root, "331127");
    publish_zhejiang(
        &province,
        "330000",
        "cn-loc-zj-zhejiangshengwuyeguanlitiaoli",
    );
    for (lib, (region, folder)) in cities.iter().zip([
        ("330100", "cn-loc-zj-hangzhoushiwuyeguanlitiaoli"),
        ("330200", "cn-loc-zj-ningboshizhuzhaixiaoquwuyeguanlitiaoli"),
        ("330300", "cn-loc-zj-wenzhoushiwuyeguanlitiaoli"),
        ("331100", "cn-loc-zj-lishuishiwuyeguanlitiaoli"),
    ]) {
        publish_zhejiang(lib, region, folder);
    }
    for folder in [
        "cn-loc-zj-jingningshezuzizhixianchengshiguanlitiaoli",
        "cn-loc-zj-jingningshezuzizhixianshuiziyuanguanlitiaoli",
        "cn-loc-zj-zhejiangshengjingningshezuzizhixianzizhitiaoli",
    ] {
        publish_zhejiang(&jingning, "331127", folder);
    }

    let report = pull(
        &cities[3],
        &transport.source("331127"),
        Peer::Child(r("331127")),
    );
    assert_eq!(report.added(), 3, "{report:?}");
    for city in city_of {
        pull(&province, &transport.source(city), Peer::Child(r(city)));
    }
    assert_eq!(
        province
            .snapshot()
            .expect("snapshot")
            .works(&Filter::all().region(r("331100")))
            .expect("works")
            .len(),
        4,
        "Lishui's and Jingning's through Lishui"
    );
    for city in &cities {
        let report = pull(city, &transport.source("330000"), Peer::Parent(r("330000")));
        assert!(report.changed());
    }
    pull(
        &jingning,
        &transport.source("331100"),
        Peer::Parent(r("331100")),
    );

    let mut all: Vec<(&str, &Library)> = vec![("330000", &province), ("331127", &jingning)];
    all.extend(city_of.iter().copied().zip(cities.iter()));
    assert_converged(&all, 8);
    // What the province published reached the county.
    let snap = jingning.snapshot().expect("snapshot");
    let law = snap
        .record(&WorkId::new(r("330000"), "cn-loc-zj-zhejiangshengwuyeguanlitiaoli").expect("id"))
        .expect("read")
        .expect("the provincial regulation reached Jingning");
    assert_eq!(law.title, "浙江省物业管理条例");
}

// ---------------------------------------------------------------------------
// a city and a county, for the refusals

struct Pair {
    _dir: tempfile::TempDir,
    city: Library,
    county: Library,
}

impl Pair {
    fn new() -> Pair {
        let dir = tmp();
        let city = node(dir.path(), "370200");
        let county = node(dir.path(), "370283");
        publish(&city, "370200/city-1", "city-1");
        publish(&county, "370283/county-1", "county-1");
        Pair {
            _dir: dir,
            city,
            county,
        }
    }

    fn source(&self) -> String {
        self.county.path().display().to_string()
    }

    fn pull(&self) -> Result<wenku_store::federation::PullReport, PullError> {
        self.city.pull(
            &self.source(),
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new(),
        )
    }

    /// A refused pull left main as it was and kept the head in quarantine.
    fn refused(&self, err: &PullError, main_before: wenku_store::ObjectId) {
        assert!(err.is_refusal(), "{err}");
        assert_eq!(
            self.city.head().expect("head"),
            main_before,
            "main unchanged"
        );
        let head = self.county.head().expect("county head");
        assert_eq!(err.offered(), Some(head));
        let kept = std::path::absolute(quarantine_dir(self.city.git_dir(), r("370283")))
            .expect("absolute");
        assert_eq!(err.quarantine(), Some(kept.display().to_string().as_str()));
        assert_eq!(
            self.city.quarantined_head(r("370283")).expect("ref"),
            Some(head)
        );
        assert_ne!(
            self.city.accepted_head(r("370283")).expect("ref"),
            Some(head)
        );
        self.kept_apart(head);
    }

    /// The refused `head` is readable in the quarantine repository with
    /// stock git, and none of what it brought is in the library's objects.
    fn kept_apart(&self, head: wenku_store::ObjectId) {
        let kept = quarantine_dir(self.city.git_dir(), r("370283"));
        let id = head.to_string();
        assert_eq!(
            wenku_test_support::git::git_ok(&kept, &["rev-parse", "refs/heads/main"]).trim(),
            id
        );
        let in_library = wenku_test_support::git::git(
            self.city.git_dir(),
            &["cat-file", "-e", &format!("{id}^{{object}}")],
        );
        assert!(
            !in_library.status.success(),
            "the refused head {id} is in the library's objects"
        );
        fsck(self.city.path());
    }
}

#[test]
fn pulling_the_same_head_twice_changes_nothing() {
    let p = Pair::new();
    let first = p.pull().expect("first pull");
    assert!(first.changed() && first.advanced());
    assert_eq!(first.previous_peer_head, None);
    let commits = commit_count(p.city.path());
    let second = p.pull().expect("second pull");
    assert!(!second.changed() && !second.advanced(), "{second:?}");
    assert_eq!(second.merge, None);
    assert_eq!(second.old_main, first.new_main);
    assert_eq!(second.previous_peer_head, Some(first.peer_head));
    assert_eq!(second.fetch.objects, 0);
    assert!(second.regions.is_empty());
    assert_eq!(commit_count(p.city.path()), commits);
    // The merge commit says what came in.
    let message = git_ok(p.city.path(), &["log", "-1", "--format=%B", "main"]);
    assert!(
        message.starts_with("pull child 370283: 1 work added"),
        "{message}"
    );
    assert!(message.contains("Wenku-Op: pull"), "{message}");
    assert!(message.contains("Wenku-Work: 370283/county-1"), "{message}");
    assert!(message.contains("Wenku-Node: 370200"), "{message}");
    // A new version in the county is a changed work, and a new work an
    // added one.
    p.county
        .add_version(
            &clerk(),
            w("370283/county-1"),
            wenku_store::NewVersion::new(doc("文件county-1", "county-1 修订"), d("2025-06-01")),
        )
        .expect("add version");
    publish(&p.county, "370283/county-2", "county-2");
    // The city has an index; the pull brings it forward itself.
    p.city.refresh_index().expect("index");
    let third = p.pull().expect("third pull");
    assert_eq!(third.regions.len(), 1);
    assert_eq!(third.regions[0].changed, [w("370283/county-1")]);
    assert_eq!(third.regions[0].added, [w("370283/county-2")]);
    assert_eq!(third.new_commits, 2);
    assert_eq!(
        p.city.refresh_index().expect("index"),
        wenku_store::IndexRefresh::Current {
            commit: third.new_main
        }
    );
    let snapshot = p.city.snapshot().expect("snapshot");
    assert!(
        snapshot
            .record(&w("370283/county-2"))
            .expect("read")
            .is_some()
    );
}

#[test]
fn a_county_writing_into_its_citys_region_is_refused_with_the_paths() {
    let p = Pair::new();
    p.pull().expect("a clean first pull");
    let before = p.city.head().expect("head");
    let forged = format!(
        "370200/{}/forged/record.xml",
        wenku_store::layout::shard_of("forged")
    );
    edit_with_git(p.county.path(), &[(&forged, Some(b"<record/>"))], &[]);
    let err = p.pull().expect_err("refused");
    // The peers list shows the accepted head and the quarantined one.
    let peers = p.city.peers().expect("peers");
    assert_eq!(peers.len(), 1);
    assert_eq!(peers[0].region, r("370283"));
    assert_eq!(peers[0].peer, Some(Peer::Child(r("370283"))));
    assert!(peers[0].accepted.is_some());
    assert_eq!(
        peers[0].quarantined,
        p.city.quarantined_head(r("370283")).expect("ref")
    );
    assert!(peers[0].quarantined.is_some() && peers[0].quarantined != peers[0].accepted);
    let PullError::OutsideAuthority { paths, commits, .. } = &err else {
        panic!("expected OutsideAuthority, got {err}")
    };
    assert_eq!(paths, std::slice::from_ref(&forged));
    assert_eq!(commits.len(), 1);
    assert_eq!(err.kind(), "outside-authority");
    assert!(err.to_string().contains(&forged), "{err}");
    p.refused(&err, before);
    // Offered again and again, refused history never makes the library
    // grow: each refusal replaces the quarantine.
    let objects = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.join("objects/pack"))
            .expect("packs")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let packs = objects(p.city.git_dir());
    for _ in 0..3 {
        let again = p.pull().expect_err("refused again");
        p.refused(&again, before);
    }
    assert_eq!(objects(p.city.git_dir()), packs);

    // The county takes its forgery back (resets to the accepted head):
    // the next pull is fine, and the quarantine is cleared.
    let accepted = p
        .city
        .accepted_head(r("370283"))
        .expect("ref")
        .expect("accepted");
    git_ok(
        p.county.path(),
        &["update-ref", "refs/heads/main", &accepted.to_string()],
    );
    let report = p.pull().expect("pull after the reset");
    assert!(!report.changed());
    assert_eq!(p.city.quarantined_head(r("370283")).expect("ref"), None);
    assert!(!quarantine_dir(p.city.git_dir(), r("370283")).exists());
    let peers = p.city.peers().expect("peers");
    assert_eq!((peers.len(), peers[0].quarantined), (1, None));
    // The county has pulled from nobody.
    assert!(p.county.peers().expect("peers").is_empty());
    // A parent is told apart from a child; a ref that names no region is
    // skipped.
    git_ok(
        p.county.path(),
        &[
            "update-ref",
            "refs/wenku/nodes/370200",
            &accepted.to_string(),
        ],
    );
    git_ok(
        p.county.path(),
        &[
            "update-ref",
            "refs/wenku/nodes/not-a-region",
            &accepted.to_string(),
        ],
    );
    let peers = p.county.peers().expect("peers");
    assert_eq!(peers.len(), 1);
    assert_eq!(peers[0].peer, Some(Peer::Parent(r("370200"))));
}

#[test]
fn a_merge_that_brings_what_no_parent_has_is_refused() {
    let p = Pair::new();
    p.pull().expect("city pulls county");
    let city_head = p.city.head().expect("head");
    pull(
        &p.county,
        &p.city.path().display().to_string(),
        Peer::Parent(r("370200")),
    );
    p.pull()
        .expect("city pulls the county's merge: verbatim, accepted");
    // A "merge" of the city's head whose tree changes the city's record.
    let snap = p.city.snapshot().expect("snapshot");
    let record_path = wenku_store::layout::record_path(&w("370200/city-1"));
    assert!(snap.contains(&w("370200/city-1")).expect("read"));
    let before = p.city.head().expect("head");
    edit_with_git(
        p.county.path(),
        &[(&record_path, Some(b"<record>changed</record>"))],
        &[&city_head.to_string()],
    );
    let err = p.pull().expect_err("refused");
    let PullError::OutsideAuthority { paths, .. } = &err else {
        panic!("expected OutsideAuthority, got {err}")
    };
    assert_eq!(paths, &[record_path]);
    p.refused(&err, before);
}

#[test]
fn a_rewritten_history_is_refused() {
    let p = Pair::new();
    publish(&p.county, "370283/county-2", "county-2");
    let accepted = p.pull().expect("first pull").peer_head;
    // Amend the last commit and force main to it.
    let tree = git_ok(p.county.path(), &["rev-parse", "main^{tree}"]);
    let amended = git_ok(
        p.county.path(),
        &["commit-tree", &tree, "-p", "main~1", "-m", "amended"],
    );
    git_ok(
        p.county.path(),
        &["update-ref", "refs/heads/main", &amended],
    );
    let before = p.city.head().expect("head");
    let err = p.pull().expect_err("refused");
    let PullError::RewrittenHistory {
        accepted: a,
        offered,
        ..
    } = &err
    else {
        panic!("expected RewrittenHistory, got {err}")
    };
    assert_eq!((*a, offered.to_string()), (accepted, amended));
    p.refused(&err, before);
    // Going back to an older head is a rewrite too.
    git_ok(
        p.county.path(),
        &["update-ref", "refs/heads/main", "main~1"],
    );
    let err = p.pull().expect_err("refused");
    assert_eq!(err.kind(), "rewritten-history");
}

#[test]
fn altered_bytes_and_broken_records_are_refused() {
    let p = Pair::new();
    publish(&p.county, "370283/county-2", "county-2");
    let before = p.city.head().expect("head");
    let snap = p.county.snapshot().expect("snapshot");
    let one = w("370283/county-1");
    let revision = snap.versions(&one).expect("versions")[0].revision;
    let version_path = wenku_store::layout::version_path(&one, &revision);
    let mut bytes = snap.version_bytes(&one, &revision).expect("bytes");
    let at = bytes.len() / 2;
    bytes[at] = b'X';
    let record_path = wenku_store::layout::record_path(&w("370283/county-2"));
    edit_with_git(
        p.county.path(),
        &[
            (&version_path, Some(&bytes)),
            (&record_path, Some(b"<record xmlns=\"urn:wenku:record:1\">")),
        ],
        &[],
    );
    let err = p.pull().expect_err("refused");
    let PullError::InvalidContent { problems, .. } = &err else {
        panic!("expected InvalidContent, got {err}")
    };
    assert!(
        problems.iter().any(
            |pr| pr.path == version_path && matches!(pr.kind, ProblemKind::HashMismatch { .. })
        ),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|pr| pr.path == record_path && matches!(pr.kind, ProblemKind::BadRecord(_))),
        "{problems:?}"
    );
    p.refused(&err, before);
}

#[test]
fn a_work_removed_by_hand_is_removed_and_reported() {
    let p = Pair::new();
    publish(&p.county, "370283/county-2", "county-2");
    p.pull().expect("first pull");
    let gone = w("370283/county-2");
    let snap = p.county.snapshot().expect("snapshot");
    let revision = snap.versions(&gone).expect("versions")[0].revision;
    edit_with_git(
        p.county.path(),
        &[
            (&wenku_store::layout::record_path(&gone), None),
            (&wenku_store::layout::version_path(&gone, &revision), None),
        ],
        &[],
    );
    let report = p.pull().expect("pull");
    assert_eq!(report.regions[0].removed, std::slice::from_ref(&gone));
    assert!(
        !p.city
            .snapshot()
            .expect("snapshot")
            .contains(&gone)
            .expect("read")
    );
}

#[test]
fn peers_that_do_not_fit_are_refused_before_fetching() {
    let t = tmp();
    let city = node(t.path(), "370200");
    let boshan = node(t.path(), "370304");
    publish(&boshan, "370304/b-1", "b-1");
    let source = boshan.path().display().to_string();
    let before = city.head().expect("head");
    let err = city
        .pull(
            &source,
            Peer::Child(r("370304")),
            &clerk(),
            &PullOptions::new(),
        )
        .expect_err("Boshan is not Qingdao's child");
    assert_eq!(err.kind(), "invalid-peer", "{err}");
    let err = city
        .pull(
            &source,
            Peer::Parent(r("370283")),
            &clerk(),
            &PullOptions::new(),
        )
        .expect_err("a county is not a city's parent");
    assert_eq!(err.kind(), "invalid-peer", "{err}");
    // Boshan's library offered as Pingdu's: its library.xml says so.
    let err = city
        .pull(
            &source,
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new(),
        )
        .expect_err("wrong library");
    let PullError::WrongLibrary { reason, .. } = &err else {
        panic!("expected WrongLibrary, got {err}")
    };
    assert!(reason.contains("370304"), "{reason}");
    assert_eq!(city.head().expect("head"), before);
    // Not a library at all.
    let empty = t.path().join("empty.git");
    git_ok(
        t.path(),
        &["init", "--bare", "-q", empty.to_str().expect("utf8")],
    );
    let err = city
        .pull(
            &empty.display().to_string(),
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new(),
        )
        .expect_err("no main");
    assert_eq!(err.kind(), "no-main", "{err}");
    let err = city
        .pull(
            &t.path().join("missing.git").display().to_string(),
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new(),
        )
        .expect_err("no repository");
    assert_eq!(err.kind(), "fetch-failed", "{err}");
}

// ---------------------------------------------------------------------------
// races

#[test]
fn a_local_publish_during_a_pull_is_kept() {
    let p = Pair::new();
    // Deterministic: the hook publishes in the city after the merge is
    // written and before main moves; the pull loses the race and merges
    // again on the new head.
    let other = Arc::new(Library::open(p.city.path()).expect("open"));
    let fired = Arc::new(AtomicBool::new(false));
    let options = {
        let other = Arc::clone(&other);
        let fired = Arc::clone(&fired);
        PullOptions::new().before_swap(move || {
            if !fired.swap(true, Ordering::SeqCst) {
                publish(&other, "370200/during-the-pull", "during");
            }
        })
    };
    let report = p
        .city
        .pull(&p.source(), Peer::Child(r("370283")), &clerk(), &options)
        .expect("pull");
    assert_eq!(report.attempts, 2, "{report:?}");
    let merge = report.merge.expect("a merge");
    let first_parent = git_ok(p.city.path(), &["rev-parse", &format!("{merge}^1")]);
    assert_eq!(first_parent, report.old_main.to_string());
    assert_eq!(
        git_ok(p.city.path(), &["log", "-1", "--format=%s", &first_parent]),
        "publish 370200/during-the-pull 文件during"
    );
    let snap = p.city.snapshot().expect("snapshot");
    assert!(snap.contains(&w("370200/during-the-pull")).expect("read"));
    assert!(snap.contains(&w("370283/county-1")).expect("read"));
    fsck(p.city.path());
}

#[test]
fn local_commits_and_pulls_side_by_side_lose_nothing() {
    let p = Pair::new();
    let city = Arc::new(Library::open(p.city.path()).expect("open"));
    let published = Arc::new(AtomicUsize::new(0));
    let writer = {
        let city = Arc::clone(&city);
        let published = Arc::clone(&published);
        std::thread::spawn(move || {
            for i in 0..30 {
                publish(&city, &format!("370200/local-{i}"), &format!("local-{i}"));
                published.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    for i in 0..10 {
        publish(
            &p.county,
            &format!("370283/remote-{i}"),
            &format!("remote-{i}"),
        );
        p.pull().expect("pull");
    }
    writer.join().expect("writer");
    let report = p.pull().expect("last pull");
    let _ = report;
    let snap = p.city.snapshot().expect("snapshot");
    for i in 0..30 {
        assert!(
            snap.contains(&w(&format!("370200/local-{i}")))
                .expect("read"),
            "local-{i}"
        );
    }
    for i in 0..10 {
        assert!(
            snap.contains(&w(&format!("370283/remote-{i}")))
                .expect("read"),
            "remote-{i}"
        );
    }
    assert_eq!(published.load(Ordering::SeqCst), 30);
    assert!(p.city.verify().expect("verify").is_clean());
    fsck(p.city.path());
}

// ---------------------------------------------------------------------------
// killed pulls: real processes, SIGKILL

const PULL_LIB: &str = "WENKU_TEST_PULL_LIB";
const PULL_SOURCE: &str = "WENKU_TEST_PULL_SOURCE";
const PULL_REGION: &str = "WENKU_TEST_PULL_REGION";

/// The puller process of the kill test and of the missing-git test: this
/// test binary re-run with only this (ignored) test selected. Prints
/// `pulling`, pulls once, prints `pulled <main>` or `error <kind>`.
#[test]
#[ignore = "helper process for the kill and missing-git tests"]
fn helper_puller() {
    let (Some(path), Some(source), Some(region)) = (
        std::env::var_os(PULL_LIB),
        std::env::var(PULL_SOURCE).ok(),
        std::env::var(PULL_REGION).ok(),
    ) else {
        return;
    };
    use std::io::Write;
    let lib = Library::open(path).expect("open");
    let mut out = std::io::stdout().lock();
    writeln!(out, "pulling").expect("stdout");
    out.flush().expect("stdout");
    match lib.pull(
        &source,
        Peer::Child(r(&region)),
        &clerk(),
        &PullOptions::new(),
    ) {
        Ok(report) => writeln!(out, "pulled {}", report.new_main),
        Err(e) => writeln!(out, "error {} {e}", e.kind()),
    }
    .expect("stdout");
}

fn spawn_puller(
    lib: &Path,
    source: &str,
    region: &str,
    path_var: Option<&str>,
) -> std::process::Child {
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = Command::new(exe);
    cmd.args([
        "helper_puller",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env(PULL_LIB, lib)
    .env(PULL_SOURCE, source)
    .env(PULL_REGION, region)
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    if let Some(p) = path_var {
        cmd.env("PATH", p);
    }
    cmd.spawn().expect("spawn puller")
}

/// A small deterministic generator for kill delays.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn killed_pulls_leave_main_whole_and_the_next_pull_succeeds() {
    use std::io::BufRead;
    let p = Pair::new();
    // How long a pull of one batch takes here, to spread the kills over it.
    publish_batch(&p.county, "370283", "warm", 100);
    let typical = p.pull().expect("warm-up pull").timings.total;
    let span = u64::try_from(typical.as_micros())
        .unwrap_or(u64::MAX)
        .max(1_000)
        * 2;
    let rounds: usize = std::env::var("WENKU_KILL_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    let (mut completed, mut moved) = (0, 0);
    for round in 0..rounds {
        publish_batch(&p.county, "370283", &format!("r{round}"), 100);
        let county_head = p.county.head().expect("head").to_string();
        let before = p.city.head().expect("head").to_string();
        let mut child = spawn_puller(p.city.path(), &p.source(), "370283", None);
        let stdout = child.stdout.take().expect("piped");
        let mut lines = std::io::BufReader::new(stdout).lines();
        // Wait for the event: the puller has started.
        for line in lines.by_ref() {
            if line.expect("read") == "pulling" {
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        child.kill().expect("SIGKILL");
        child.wait().expect("wait");
        let rest: Vec<String> = lines.map(|l| l.expect("read")).collect();
        if rest.iter().any(|l| l.starts_with("pulled ")) {
            completed += 1;
        }
        assert!(!rest.iter().any(|l| l.starts_with("error")), "{rest:?}");
        // main is the old head or the whole merge, nothing between.
        let after = p.city.head().expect("head").to_string();
        if after != before {
            moved += 1;
            let parents = git_ok(
                p.city.path(),
                &["rev-parse", &format!("{after}^1"), &format!("{after}^2")],
            );
            assert_eq!(parents, format!("{before}\n{county_head}"), "round {round}");
        }
        let report = p.city.verify().expect("verify");
        assert!(report.is_clean(), "round {round}:\n{report}");
    }
    eprintln!(
        "pull time {typical:?}; of {rounds} killed pulls, {moved} had moved main and {completed} had finished"
    );
    // The next pull succeeds and brings everything.
    let report = p.pull().expect("the pull after the kills");
    let _ = report;
    let snap = p.city.snapshot().expect("snapshot");
    let works = snap
        .works(&Filter::all().region(r("370283")))
        .expect("works");
    assert_eq!(works.len(), 1 + 100 + rounds * 100);
    assert_eq!(
        p.city.accepted_head(r("370283")).expect("ref"),
        Some(p.county.head().expect("head"))
    );
    assert!(p.city.verify().expect("verify").is_clean());
    fsck(p.city.path());
    // And a pull in another process works too (no lock left behind).
    let mut child = spawn_puller(p.city.path(), &p.source(), "370283", None);
    let status = child.wait().expect("wait");
    assert!(status.success());
}

/// A pull that died after moving main and before recording the head it
/// accepted: the next pull finds the merge in main, makes no commit and
/// records the head.
#[test]
fn a_pull_that_died_before_recording_its_head_is_completed_by_the_next() {
    let p = Pair::new();
    let first = p.pull().expect("first pull");
    publish(&p.county, "370283/county-2", "county-2");
    let second = p.pull().expect("second pull");
    assert!(second.changed());
    // As if the second pull had died right after main moved.
    git_ok(
        p.city.path(),
        &[
            "update-ref",
            "refs/wenku/nodes/370283",
            &first.peer_head.to_string(),
        ],
    );
    let third = p.pull().expect("third pull");
    assert!(third.advanced() && !third.changed(), "{third:?}");
    assert_eq!(third.previous_peer_head, Some(first.peer_head));
    assert_eq!(third.new_commits, 0, "the merge in main covers them");
    assert_eq!(
        p.city.accepted_head(r("370283")).expect("ref"),
        Some(second.peer_head)
    );
    // And a stale ref lock of a dead pull is removed by the next one.
    let lock = p.city.git_dir().join("refs/wenku/nodes/370283.lock");
    std::fs::write(&lock, b"").expect("write lock");
    publish(&p.county, "370283/county-3", "county-3");
    p.pull().expect("pull with a stale lock");
    assert!(!lock.exists());
}

#[test]
fn without_git_on_path_a_file_pull_says_so() {
    use std::io::Read;
    let p = Pair::new();
    let mut child = spawn_puller(p.city.path(), &p.source(), "370283", Some(""));
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut out)
        .expect("read");
    assert!(child.wait().expect("wait").success(), "{out}");
    assert!(out.contains("error git-not-found"), "{out}");
    assert!(out.contains("not on PATH"), "{out}");
}

// ---------------------------------------------------------------------------
// time limits

#[test]
fn a_silent_peer_times_out() {
    let p = Pair::new();
    let before = p.city.head().expect("head");
    let silent = Silent::bind().expect("silent server");
    let options = PullOptions::new().timeout(Duration::from_millis(500));
    for url in [
        format!("http://{}/370283.git", silent.addr()),
        format!("git://{}/370283.git", silent.addr()),
    ] {
        let err = p
            .city
            .pull(&url, Peer::Child(r("370283")), &clerk(), &options)
            .expect_err("no answer");
        assert!(matches!(err, PullError::Timeout { .. }), "{url}: {err}");
    }
    // The caller's interrupt flag ends a fetch too.
    let flag = Arc::new(AtomicBool::new(true));
    let err = p
        .city
        .pull(
            &format!("git://{}/370283.git", silent.addr()),
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new().interrupt(flag),
        )
        .expect_err("interrupted");
    assert_eq!(err.kind(), "interrupted", "{err}");
    assert_eq!(p.city.head().expect("head"), before);
}

#[test]
fn servers_that_drop_the_protocol_header_work_or_time_out() {
    let p = Pair::new();
    let root = p.county.path().parent().expect("root").to_path_buf();
    // Without Git-Protocol the backend speaks v1; a working one serves.
    let v1 = GitHttpServer::bind(root.clone(), Behaviour::DropGitProtocol).expect("server");
    let report = p
        .city
        .pull(
            &v1.url("370283.git"),
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new(),
        )
        .expect("a v1 server serves");
    assert!(report.changed());
    let seen = v1.seen();
    assert_eq!(
        seen[0].git_protocol.as_deref(),
        Some("version=2"),
        "{seen:?}"
    );
    // Its upload-pack failing: gix would re-send forever; the time limit
    // ends it and main stays.
    publish(&p.county, "370283/county-2", "county-2");
    let before = p.city.head().expect("head");
    let failing = GitHttpServer::bind(root, Behaviour::FailUploadPack).expect("server");
    let err = p
        .city
        .pull(
            &failing.url("370283.git"),
            Peer::Child(r("370283")),
            &clerk(),
            &PullOptions::new().timeout(Duration::from_secs(2)),
        )
        .expect_err("fails");
    assert!(
        matches!(err, PullError::Timeout { .. } | PullError::Fetch { .. }),
        "{err}"
    );
    eprintln!(
        "failing upload-pack: {err} after {} requests",
        failing.seen().len()
    );
    assert_eq!(p.city.head().expect("head"), before);
}

#[test]
fn a_quarantine_ref_of_an_older_library_is_read_and_cleared() {
    let p = Pair::new();
    let first = p.pull().expect("a clean first pull");
    // Libraries written before refused heads were kept apart kept them
    // under refs/wenku/quarantine/<region>.
    git_ok(
        p.city.path(),
        &[
            "update-ref",
            "refs/wenku/quarantine/370283",
            &first.old_main.to_string(),
        ],
    );
    assert_eq!(
        p.city.quarantined_head(r("370283")).expect("ref"),
        Some(first.old_main)
    );
    assert_eq!(
        p.city.peers().expect("peers")[0].quarantined,
        Some(first.old_main)
    );
    p.pull().expect("the next pull");
    assert_eq!(p.city.quarantined_head(r("370283")).expect("ref"), None);
}

#[test]
fn a_draft_is_never_visible_to_a_pulling_parent() {
    let dir = tmp();
    let city = node(dir.path(), "370200");
    let county = node(dir.path(), "370283");
    publish(&county, "370283/county-1", "county-1");
    let secret = "county-draft 第三条 含待审内容";
    let draft = county
        .submit_draft(
            &clerk(),
            &wenku_store::Transaction::from(wenku_store::Op::Publish {
                record: wenku_model::Record::new(
                    w("370283/draft-1"),
                    wenku_model::DocType::Normative,
                    "待审文件",
                ),
                version: wenku_store::NewVersion::new(doc("待审文件", secret), d("2025-06-01")),
            }),
        )
        .expect("submit");
    // Over a path (git-upload-pack of the whole repository) and git://.
    let daemon = support::daemon::GitDaemon::start(dir.path().to_path_buf()).expect("git daemon");
    for source in [
        county.path().display().to_string(),
        daemon.url("370283.git"),
    ] {
        pull(&city, &source, Peer::Child(r("370283")));
        let snapshot = city.snapshot().expect("snapshot");
        assert!(
            snapshot
                .record(&w("370283/county-1"))
                .expect("read")
                .is_some()
        );
        assert!(
            snapshot
                .record(&w("370283/draft-1"))
                .expect("read")
                .is_none()
        );
        for object in [draft.submission.to_string(), draft.tip.to_string()] {
            let found = git(city.path(), &["cat-file", "-e", &object]);
            assert!(
                !found.status.success(),
                "{object} reached the parent from {source}"
            );
        }
        let refs = git_stdout(city.path(), &["for-each-ref"]);
        assert!(!refs.contains("drafts"), "{refs}");
    }
    // Once approved it travels like any publication.
    let reviewer = wenku_store::Identity::new("审查员", "shencha@wenku.example").expect("identity");
    county
        .approve_draft(&reviewer, &draft.item, draft.tip, "同意公开")
        .expect("approve");
    pull(
        &city,
        &county.path().display().to_string(),
        Peer::Child(r("370283")),
    );
    let snapshot = city.snapshot().expect("snapshot");
    assert!(
        snapshot
            .record(&w("370283/draft-1"))
            .expect("read")
            .is_some()
    );
}
