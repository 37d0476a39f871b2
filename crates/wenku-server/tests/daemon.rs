//! wenkud as operators run it: real `wenkud` processes on 127.0.0.1, each
//! with its own library, inbox and port, pulling each other over git smart
//! HTTP. Every listener is bound by the test and handed to its daemon as
//! standard input (`--listen-stdin`), so ports are known before any daemon
//! starts and no port is raced for. Waiting is on conditions (a library
//! holding a work, a status field), polled until a deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wenku_model::{Citation, DocNumber, WorkId};
use wenku_store::Library;
use wenku_test_support::fixtures::county_notice as notice;
use wenku_test_support::git::{git, git_ok};
use wenku_test_support::paths::{corpus_dir, schemas_dir};

const DEADLINE: Duration = Duration::from_secs(90);

/// A running wenkud; killed when dropped.
struct Node {
    name: &'static str,
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Node {
    fn config_path(&self) -> PathBuf {
        self.dir.join("wenku.toml")
    }

    fn library(&self) -> PathBuf {
        self.dir.join("library.git")
    }

    fn inbox(&self) -> PathBuf {
        self.dir.join("inbox")
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/git", self.port)
    }

    /// Writes the configuration; `peers` is the TOML of its peers.
    fn new(root: &Path, name: &'static str, region: &str, peers: &str, port: u16) -> Node {
        let dir = root.join(name);
        std::fs::create_dir_all(dir.join("inbox")).expect("mkdir");
        let config = format!(
            "library = \"library.git\"\nregion = \"{region}\"\nlisten = \"127.0.0.1:{port}\"\nshutdown_grace = \"5s\"\n\
             [identity]\nname = \"{name} clerk\"\nemail = \"{name}@wenku.example\"\n\
             [inbox]\ndir = \"inbox\"\nscan_interval = \"500ms\"\nsettle = \"500ms\"\n\
             [pull]\ninterval = \"1s\"\ntimeout = \"20s\"\nmax_backoff = \"4s\"\n\
             [admin]\ntoken_file = \"token\"\n{peers}"
        );
        std::fs::write(dir.join("wenku.toml"), config).expect("config");
        std::fs::write(dir.join("token"), "secret-token\n").expect("token");
        Node {
            name,
            dir,
            port,
            child: None,
        }
    }

    /// Starts the daemon on the port reserved for it.
    fn start(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).expect("bind the node's port");
        let mut child = Command::new(env!("CARGO_BIN_EXE_wenkud"))
            .arg("--config")
            .arg(self.config_path())
            .arg("--listen-stdin")
            .env("WENKU_LOG", "info")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(Stdio::from(std::os::fd::OwnedFd::from(listener)))
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(self.dir.join("wenkud.log")).expect("log file"))
            .spawn()
            .expect("wenkud starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("wenkud says where it listens");
        assert!(
            line.starts_with("listening on 127.0.0.1:"),
            "{}: {line}",
            self.name
        );
        self.child = Some(child);
        wait_for(&format!("{} ready", self.name), || {
            get(self.port, "/readyz").is_some_and(|(code, _)| code == 200)
        });
    }

    /// SIGTERM, and the exit status.
    fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{} did not stop on SIGTERM",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn status(&self) -> serde_json::Value {
        let (code, body) = get(self.port, "/status").expect("status answers");
        assert_eq!(code, 200);
        serde_json::from_str(&body).expect("status is JSON")
    }

    fn drop_file(&self, name: &str, bytes: &[u8], sidecar: Option<&str>) {
        if let Some(meta) = sidecar {
            std::fs::write(self.inbox().join(format!("{name}.meta.toml")), meta).expect("sidecar");
        }
        // Written under another name and renamed in: complete when seen.
        let part = self.inbox().join(format!("{name}.part"));
        std::fs::write(&part, bytes).expect("write");
        std::fs::rename(&part, self.inbox().join(name)).expect("rename");
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("wenkud.log")).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if std::thread::panicking() || std::env::var_os("WENKU_TEST_LOGS").is_some() {
            // The daemon's own account of what it was doing, beside the
            // failed assertion.
            let status = self
                .child
                .as_ref()
                .and_then(|_| get(self.port, "/status"))
                .map(|(_, body)| body)
                .unwrap_or_else(|| "(not running or not answering)".into());
            eprintln!(
                "---- {} /status ----\n{status}\n---- {} wenkud.log ----\n{}",
                self.name,
                self.name,
                self.log()
            );
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A free port on 127.0.0.1 for a node (bound again when the node starts).
/// Never the same port twice in this process, so that two nodes of the
/// tests running in parallel cannot be handed one port.
fn reserve_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// A plain HTTP/1.1 request; `(status, body)`.
fn request(port: u16, method: &str, path: &str, headers: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n{headers}\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let code = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
    Some((code, body))
}

fn get(port: u16, path: &str) -> Option<(u16, String)> {
    request(port, "GET", path, "")
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The revision of `work` in the library at `path`, if it is there.
fn revision_in(path: &Path, work: &WorkId) -> Option<String> {
    let lib = Library::open(path).ok()?;
    let record = lib.snapshot().ok()?.record(work).ok()??;
    record.versions.last().map(|v| v.revision.to_string())
}

fn seed(name: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join("seeds").join(name)).expect("seed")
}

const PROVINCIAL: &str = "山东省人民政府办公厅关于印发2025年山东省政务公开工作要点的通知\n\n\
各市人民政府，各县（市、区）人民政府，省政府各部门、各直属机构：\n\n\
《2025年山东省政务公开工作要点》已经省政府同意，现印发给你们，请认真贯彻执行。\n\n\
山东省人民政府办公厅\n2025年3月20日\n";

const PROVINCIAL_META: &str = "local = \"lzbf-2025-5\"\ntype = \"normative\"\n\
title = \"山东省人民政府办公厅关于印发2025年山东省政务公开工作要点的通知\"\n\
number = \"鲁政办发〔2025〕5号\"\npublished = 2025-03-20\n";

/// The test: province, city and county, each a real wenkud.
#[test]
fn three_nodes_publish_their_inboxes_and_pull_each_other() {
    let root = tempfile::tempdir().expect("tmp");
    let (p_port, c_port, k_port) = (reserve_port(), reserve_port(), reserve_port());
    let url = |port: u16| format!("http://127.0.0.1:{port}/git");
    let mut province = Node::new(
        root.path(),
        "province",
        "370000",
        &format!(
            "[[child]]\nregion = \"370200\"\nurl = \"{}\"\n",
            url(c_port)
        ),
        p_port,
    );
    let mut city = Node::new(
        root.path(),
        "city",
        "370200",
        &format!(
            "[[child]]\nregion = \"370283\"\nurl = \"{}\"\n[parent]\nregion = \"370000\"\nurl = \"{}\"\n",
            url(k_port),
            url(p_port)
        ),
        c_port,
    );
    let mut county = Node::new(
        root.path(),
        "county",
        "370283",
        &format!("[parent]\nregion = \"370200\"\nurl = \"{}\"\n", url(c_port)),
        k_port,
    );
    for n in [&mut province, &mut city, &mut county] {
        n.start();
    }

    // Each node publishes what lands in its inbox.
    county.drop_file(
        "pingdu.txt",
        &seed("370283-pingdu-2024-07-16-points.txt"),
        None,
    );
    city.drop_file(
        "qingdao.txt",
        &seed("370200-qingdao-2025-05-16-points.txt"),
        None,
    );
    province.drop_file("points.txt", PROVINCIAL.as_bytes(), Some(PROVINCIAL_META));
    // A file that cannot be imported is rejected with a report.
    county.drop_file("junk.txt", b"\x00\x01 not a document", None);

    let receipt = |node: &Node, name: &str| -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(
            node.inbox()
                .join("done")
                .join(format!("{name}.receipt.json")),
        )
        .ok()?;
        serde_json::from_str(&text).ok()
    };
    wait_for("the county's receipt", || {
        receipt(&county, "pingdu.txt").is_some()
    });
    wait_for("the province's receipt", || {
        receipt(&province, "points.txt").is_some()
    });
    let pingdu = receipt(&county, "pingdu.txt").expect("receipt");
    assert_eq!(pingdu["action"], "published");
    let pingdu_work = WorkId::parse(pingdu["work"].as_str().expect("work")).expect("work id");
    let pingdu_rev = pingdu["revision"].as_str().expect("revision").to_string();
    let points = receipt(&province, "points.txt").expect("receipt");
    assert_eq!(points["work"], "370000/lzbf-2025-5");
    let points_work = WorkId::parse("370000/lzbf-2025-5").expect("id");
    let points_rev = points["revision"].as_str().expect("revision").to_string();

    wait_for("the junk file's report", || {
        county
            .inbox()
            .join("rejected")
            .join("junk.txt.error.json")
            .exists()
    });
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(county.inbox().join("rejected/junk.txt.error.json"))
            .expect("report"),
    )
    .expect("JSON");
    assert_eq!(report["kind"], "refused");
    assert!(
        report["message"]
            .as_str()
            .expect("message")
            .contains("NUL byte"),
        "{report}"
    );
    assert!(!county.inbox().join("junk.txt").exists());

    // The county's document reaches the province, byte-identical (same
    // RevisionId), through the city; the province's reaches the county.
    wait_for("Pingdu in the province", || {
        revision_in(&province.library(), &pingdu_work).as_deref() == Some(pingdu_rev.as_str())
    });
    wait_for("the provincial points in the county", || {
        revision_in(&county.library(), &points_work).as_deref() == Some(points_rev.as_str())
    });
    // The city's citation of 鲁政办发〔2025〕5号 resolves everywhere.
    let citation = Citation {
        number: DocNumber::parse("鲁政办发〔2025〕5号"),
        title: None,
    };
    for node in [&province, &city, &county] {
        wait_for(&format!("the citation in {}", node.name), || {
            Library::open(node.library())
                .ok()
                .and_then(|l| l.snapshot().ok())
                .and_then(|s| s.lookup(&citation).ok())
                .is_some_and(|found| found == vec![points_work.clone()])
        });
    }

    // A plain git clone of the county over /git is a library that verifies;
    // the node's internal refs are not served, and nothing can be pushed.
    let clone = root.path().join("county-clone.git");
    let out = git(
        root.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &county.url(),
            clone.to_str().expect("utf8"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cloned = Library::open(&clone).expect("the clone opens as a library");
    assert!(cloned.verify().expect("verify").is_clean());
    assert!(
        cloned
            .snapshot()
            .expect("snapshot")
            .contains(&pingdu_work)
            .expect("read")
    );
    let refs = git_ok(root.path(), &["ls-remote", &city.url()]);
    assert!(refs.contains("refs/heads/main"), "{refs}");
    assert!(
        !refs.contains("refs/wenku/"),
        "internal refs are hidden: {refs}"
    );
    let (code, _) = get(c_port, "/git/info/refs?service=git-receive-pack").expect("answer");
    assert_eq!(code, 403);

    // Status and metrics say what happened.
    let status = city.status();
    assert_eq!(status["node"], "370200");
    let peers = status["peers"].as_array().expect("peers");
    assert_eq!(peers.len(), 2);
    for p in peers {
        assert!(p["pulls_ok"].as_u64().expect("count") > 0, "{p}");
        assert!(p["accepted_head"].is_string(), "{p}");
    }
    let (code, metrics) = get(c_port, "/metrics").expect("metrics");
    assert_eq!(code, 200);
    assert!(
        metrics.contains("wenkud_pulls_ok_total{peer=\"370283\",direction=\"child\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("wenkud_inbox_files_total{outcome=\"published\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("\nwenkud_library_works "), "{metrics}");
    assert!(metrics.contains("\nwenkud_ready 1\n"), "{metrics}");

    // The county goes away: the city keeps serving and pulling the
    // province, backs off from the county and says why.
    assert!(
        county.stop().success(),
        "SIGTERM exits 0:\n{}",
        county.log()
    );
    wait_for("the city to notice", || {
        city.status()["peers"][0]["consecutive_failures"]
            .as_u64()
            .unwrap_or(0)
            >= 2
    });
    assert_eq!(
        get(c_port, "/readyz").expect("answer").0,
        200,
        "a dead peer does not make the node unready"
    );
    let failing = &city.status()["peers"][0];
    assert!(failing["last_error"]["message"].is_string(), "{failing}");
    // It comes back; what it published meanwhile arrives.
    county.start();
    county.drop_file(
        "pingdu-v2.txt",
        &seed("370283-pingdu-2024-07-16-points.txt")
            .into_iter()
            .chain("\n（本文件自发布之日起施行。）\n".bytes())
            .collect::<Vec<_>>(),
        Some(&format!(
            "work = \"{pingdu_work}\"\npublished = 2024-08-01\n"
        )),
    );
    wait_for("the county's second receipt", || {
        receipt(&county, "pingdu-v2.txt").is_some()
    });
    let v2 = receipt(&county, "pingdu-v2.txt").expect("receipt");
    assert_eq!(v2["action"], "added", "{v2}");
    let v2_rev = v2["revision"].as_str().expect("revision").to_string();
    let admin = request(
        c_port,
        "POST",
        "/admin/pull?peer=370283",
        "Authorization: Bearer secret-token\r\n",
    )
    .expect("admin answers");
    assert_eq!(admin.0, 202, "{admin:?}");
    assert_eq!(
        request(
            c_port,
            "POST",
            "/admin/pull",
            "Authorization: Bearer wrong\r\n"
        )
        .expect("answer")
        .0,
        401
    );
    wait_for("the new version in the province", || {
        revision_in(&province.library(), &pingdu_work).as_deref() == Some(v2_rev.as_str())
    });
    // The county's feed and the province's name the new version by the
    // same entry id, and the province's API serves the same bytes.
    let entry = format!("<id>urn:wenku:{pingdu_work}:{v2_rev}</id>");
    let (code, county_feed) = get(k_port, "/feeds/all.atom").expect("county feed");
    assert!(code == 200 && county_feed.contains(&entry), "{county_feed}");
    let (code, province_feed) = get(p_port, "/feeds/regions/370283.atom").expect("province feed");
    assert!(
        code == 200 && province_feed.contains(&entry),
        "{province_feed}"
    );
    let version = format!("/api/v1/works/{pingdu_work}/versions/{v2_rev}?format=xml");
    let (code, in_county) = get(k_port, &version).expect("county API");
    assert_eq!(code, 200);
    assert_eq!(
        get(p_port, &version).expect("province API"),
        (200, in_county)
    );

    // A county that writes into the city's region is quarantined; the
    // rest keeps flowing.
    county.stop();
    wenku_test_support::federation::edit_with_git(
        &county.library(),
        &[("370200/xx/forged/record.xml", Some(b"<record/>".as_slice()))],
        &[],
    );
    county.start();
    wait_for("the quarantine in the city's status", || {
        city.status()["peers"][0]["quarantined_head"].is_string()
    });
    let quarantined = &city.status()["peers"][0];
    assert_eq!(
        quarantined["last_error"]["kind"], "outside-authority",
        "{quarantined}"
    );
    province.drop_file(
        "second.txt",
        PROVINCIAL
            .replace("2025年3月20日", "2025年4月1日")
            .replace("认真贯彻执行", "认真贯彻落实")
            .as_bytes(),
        // The same title as the first: said to be a new work, not a
        // version of it.
        Some(&format!(
            "new_work = true\n{}",
            PROVINCIAL_META
                .replace("lzbf-2025-5", "lzbf-2025-6")
                .replace("5号", "6号")
        )),
    );
    wait_for("the province's second document in the county", || {
        revision_in(
            &county.library(),
            &WorkId::parse("370000/lzbf-2025-6").expect("id"),
        )
        .is_some()
    });

    for n in [&mut province, &mut city, &mut county] {
        let log = n.log();
        assert!(n.stop().success(), "{} exits 0 on SIGTERM:\n{log}", n.name);
    }
    for n in [&province, &city, &county] {
        let lib = Library::open(n.library()).expect("open");
        assert!(lib.verify().expect("verify").is_clean(), "{}", n.name);
        wenku_test_support::git::fsck(&n.library());
    }
}

#[test]
fn check_config_names_the_key_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("wenku.toml");
    std::fs::write(
        &path,
        "library = \"l\"\nregion = \"370283\"\n[pull]\nintervall = \"5m\"\n",
    )
    .expect("write");
    let check = || {
        Command::new(env!("CARGO_BIN_EXE_wenkud"))
            .arg("--config")
            .arg(&path)
            .arg("--check-config")
            .output()
            .expect("runs")
    };
    let out = check();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 4") && err.contains("intervall"), "{err}");
    std::fs::write(&path, "library = \"l\"\nregion = \"370283\"\n").expect("write");
    let out = check();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.path().join("l").exists(), "checking creates nothing");
}

/// Pretty JSON with every object's keys sorted, whatever serde_json's
/// features in this build (the workspace turns on `preserve_order`).
fn stable_json(v: serde_json::Value) -> String {
    fn sorted(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                serde_json::Value::Object(
                    entries.into_iter().map(|(k, v)| (k, sorted(v))).collect(),
                )
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.into_iter().map(sorted).collect())
            }
            other => other,
        }
    }
    serde_json::to_string_pretty(&sorted(v)).expect("json") + "\n"
}

/// `schemas/wenkud-config-1.schema.json` is what the types generate
/// (`WENKU_UPDATE_SCHEMAS=1` rewrites it), and the example in `testdata/`
/// is a valid configuration.
#[test]
fn the_config_schema_and_example_are_current() {
    let path = schemas_dir().join("wenkud-config-1.schema.json");
    let generated = stable_json(wenku_server::Config::schema());
    if std::env::var_os("WENKU_UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
    }
    let stored = std::fs::read_to_string(&path).expect("the schema is in schemas/");
    assert_eq!(
        stored, generated,
        "regenerate with WENKU_UPDATE_SCHEMAS=1 cargo test -p wenku-server"
    );
    let sidecar = schemas_dir().join("wenkud-sidecar-1.schema.json");
    let generated = stable_json(wenku_server::sidecar_schema());
    if std::env::var_os("WENKU_UPDATE_SCHEMAS").is_some() {
        std::fs::write(&sidecar, &generated).expect("write schema");
    }
    assert_eq!(
        std::fs::read_to_string(&sidecar).expect("in schemas/"),
        generated
    );
    let example = wenku_test_support::paths::testdata().join("wenkud/wenku.toml");
    wenku_server::Config::load(&example).expect("the example configuration is valid");
}

/// SIGKILL at random moments while the inbox publishes and while a pull
/// runs: after each restart nothing is lost, nothing is published twice,
/// and the libraries stay clean.
#[test]
fn killed_daemons_lose_nothing_and_publish_nothing_twice() {
    let root = tempfile::tempdir().expect("tmp");
    let (c_port, k_port) = (reserve_port(), reserve_port());
    let mut county = Node::new(root.path(), "county", "370283", "", k_port);
    let mut city = Node::new(
        root.path(),
        "city",
        "370200",
        &format!("[[child]]\nregion = \"370283\"\nurl = \"http://127.0.0.1:{k_port}/git\"\n"),
        c_port,
    );
    const FILES: usize = 24;
    county.start();
    city.start();
    for n in 0..FILES {
        county.drop_file(&format!("n{n:02}.txt"), notice(n).as_bytes(), None);
    }
    // Kill both at pseudo-random moments, restart, until the inbox is empty.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut kills = 0;
    loop {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::thread::sleep(Duration::from_millis(20 + x % 300));
        let left = std::fs::read_dir(county.inbox())
            .expect("inbox")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "txt"))
            })
            .count();
        if left == 0 && kills >= 6 {
            break;
        }
        for node in [&mut county, &mut city] {
            if let Some(mut child) = node.child.take() {
                child.kill().expect("SIGKILL");
                child.wait().expect("reaped");
            }
        }
        kills += 1;
        assert!(kills < 200, "the inbox does not empty across restarts");
        county.start();
        city.start();
    }
    // Every file has exactly one receipt, and each became its own work.
    let mut works = std::collections::BTreeSet::new();
    for n in 0..FILES {
        let name = format!("n{n:02}.txt");
        let receipt: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(
                county
                    .inbox()
                    .join("done")
                    .join(format!("{name}.receipt.json")),
            )
            .unwrap_or_else(|e| panic!("{name}: no receipt ({e})")),
        )
        .expect("JSON");
        assert!(
            !county
                .inbox()
                .join("done")
                .join(format!("{name}.2"))
                .exists(),
            "{name} taken twice"
        );
        works.insert(receipt["work"].as_str().expect("work").to_string());
    }
    assert_eq!(works.len(), FILES, "no file was published as two works");
    let lib = Library::open(county.library()).expect("open");
    let all = lib
        .snapshot()
        .expect("snapshot")
        .works(&wenku_model::query::Filter::all())
        .expect("list");
    assert_eq!(all.len(), FILES, "{all:?}");
    // The city converges to the county's works.
    let admin = || {
        request(
            c_port,
            "POST",
            "/admin/pull",
            "Authorization: Bearer secret-token\r\n",
        )
    };
    wait_for("the city to have every county work", || {
        let _ = admin();
        Library::open(city.library())
            .ok()
            .and_then(|l| l.snapshot().ok())
            .and_then(|s| s.works(&wenku_model::query::Filter::all()).ok())
            .is_some_and(|w| w.len() == FILES)
    });
    for n in [&mut county, &mut city] {
        assert!(n.stop().success());
        assert!(
            Library::open(n.library())
                .expect("open")
                .verify()
                .expect("verify")
                .is_clean()
        );
        wenku_test_support::git::fsck(&n.library());
    }
}

/// Under systemd (`Type=notify`) the daemon says READY=1 once it serves and
/// STOPPING=1 when it stops.
#[test]
fn systemd_hears_ready_and_stopping() {
    let root = tempfile::tempdir().expect("tmp");
    let socket_path = root.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).expect("bind");
    socket.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let node = Node::new(root.path(), "county", "370283", "", reserve_port());
    let listener = TcpListener::bind(("127.0.0.1", node.port)).expect("bind");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wenkud"))
        .arg("--config")
        .arg(node.config_path())
        .arg("--listen-stdin")
        .env("NOTIFY_SOCKET", &socket_path)
        .stdin(Stdio::from(std::os::fd::OwnedFd::from(listener)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("wenkud starts");
    let mut buf = [0u8; 256];
    let n = socket.recv(&mut buf).expect("a notification");
    let ready = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert!(ready.contains("READY=1"), "{ready}");
    assert_eq!(get(node.port, "/livez").expect("serving").0, 200);
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    let n = socket.recv(&mut buf).expect("a notification");
    assert!(String::from_utf8_lossy(&buf[..n]).contains("STOPPING=1"));
    assert!(child.wait().expect("exits").success());
}

/// A hostile peer on 127.0.0.1: every connection gets `answer`, then the
/// connection is held open, dripping a byte every 200 ms when `drip`.
fn hostile_peer(answer: &'static [u8], drip: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
                let _ = s.read(&mut buf);
                let _ = s.write_all(answer);
                if drip {
                    loop {
                        std::thread::sleep(Duration::from_millis(200));
                        if s.write_all(b"0").is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    port
}

/// Children that answer garbage, drip bytes forever, or rewrite their
/// history: each pull fails or is refused within its deadline with its own
/// kind, the failing peers back off instead of being retried in a tight
/// loop, the node stays ready, and the healthy child keeps flowing.
#[test]
fn faulty_peers_fail_alone_and_back_off() {
    let root = tempfile::tempdir().expect("tmp");
    let (c_port, k_port) = (reserve_port(), reserve_port());
    let garbage = hostile_peer(
        b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nnot git at all",
        false,
    );
    // A pkt-line that announces 4091 bytes and then drips them: a valid
    // start that never ends.
    let dripping = hostile_peer(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\n\r\n0fff",
        true,
    );
    // A child served from a path, whose history is rewritten later.
    let rewriter = root.path().join("rewriter.git");
    let rewriter_lib = Library::init(
        &rewriter,
        wenku_model::Region::parse("370285").expect("region"),
        wenku_store::InitOptions::new(wenku_test_support::federation::clerk()),
    )
    .expect("init");
    wenku_test_support::federation::publish(&rewriter_lib, "370285/a", "一");
    let mut county = Node::new(root.path(), "county", "370283", "", k_port);
    let mut city = Node::new(
        root.path(),
        "city",
        "370200",
        &format!(
            "[[child]]\nregion = \"370283\"\nurl = \"http://127.0.0.1:{k_port}/git\"\n\
             [[child]]\nregion = \"370281\"\nurl = \"http://127.0.0.1:{garbage}/git\"\n\
             [[child]]\nregion = \"370282\"\nurl = \"http://127.0.0.1:{dripping}/git\"\n\
             [[child]]\nregion = \"370285\"\nurl = \"{}\"\n",
            rewriter.display()
        ),
        c_port,
    );
    // Short deadlines for this test.
    let config = std::fs::read_to_string(city.config_path()).expect("config");
    std::fs::write(
        city.config_path(),
        config.replace("timeout = \"20s\"", "timeout = \"2s\""),
    )
    .expect("config");
    county.start();
    city.start();
    let peer = |region: &str| -> serde_json::Value {
        city.status()["peers"]
            .as_array()
            .expect("peers")
            .iter()
            .find(|p| p["region"] == region)
            .cloned()
            .expect("configured peer")
    };
    wait_for("the rewriter's first pull", || {
        peer("370285")["pulls_ok"].as_u64() == Some(1)
    });
    // Rewrite its history: a new root commit with the same tree.
    let tree = git_ok(&rewriter, &["rev-parse", "main^{tree}"]);
    let rewritten = git_ok(&rewriter, &["commit-tree", &tree, "-m", "rewritten"]);
    git_ok(&rewriter, &["update-ref", "refs/heads/main", &rewritten]);

    county.drop_file(
        "pingdu.txt",
        &seed("370283-pingdu-2024-07-16-points.txt"),
        None,
    );
    wait_for("the healthy child's document", || {
        Library::open(city.library())
            .ok()
            .and_then(|l| l.snapshot().ok())
            .and_then(|s| s.works(&wenku_model::query::Filter::all()).ok())
            .is_some_and(|w| w.iter().any(|w| w.region().as_str() == "370283"))
    });
    for (region, kind) in [
        ("370281", "fetch-failed"),
        ("370282", "timeout"),
        ("370285", "rewritten-history"),
    ] {
        let started = Instant::now();
        loop {
            let p = peer(region);
            if p["last_error"]["kind"] == kind
                && p["consecutive_failures"].as_u64().unwrap_or(0) >= 2
            {
                break;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "{region} does not fail as {kind}: {p}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    assert!(peer("370285")["quarantined_head"].is_string());
    assert_eq!(get(c_port, "/readyz").expect("answer").0, 200);
    // Backoff: over a few seconds, a failing peer is tried a handful of
    // times, not in a loop.
    let before = peer("370281")["pulls_failed"].as_u64().expect("count");
    std::thread::sleep(Duration::from_secs(6));
    let during = peer("370281")["pulls_failed"].as_u64().expect("count") - before;
    assert!(
        during <= 4,
        "{during} failed pulls in 6 s with a 4 s backoff cap"
    );
    assert!(city.stop().success(), "{}", city.log());
    county.stop();
}

/// What the inbox cannot publish is rejected with a report and changes
/// nothing; a sidecar's subjects and relations reach the record.
#[test]
fn the_inbox_rejects_what_it_cannot_publish() {
    let root = tempfile::tempdir().expect("tmp");
    let mut county = Node::new(root.path(), "county", "370283", "", reserve_port());
    county.start();
    let text = notice(1);
    let undated = text.replace("2024年7月2日", "");
    let cases: [(&str, &str, Option<&str>, &str); 5] = [
        ("undated.txt", undated.as_str(), None, "publication date"),
        (
            "hostile.txt",
            text.as_str(),
            Some("local = \"../../etc\"\n"),
            "local",
        ),
        (
            "foreign.txt",
            text.as_str(),
            Some("work = \"370200/qzbf\"\n"),
            "370200",
        ),
        ("typo.txt", text.as_str(), Some("titel = \"x\"\n"), "titel"),
        (
            "badrel.txt",
            text.as_str(),
            Some("[[relation]]\nkind = \"likes\"\nwork = \"370000/a\"\n"),
            "likes",
        ),
    ];
    let head = Library::open(county.library())
        .expect("open")
        .head()
        .expect("head");
    for (name, body, sidecar, _) in &cases {
        county.drop_file(name, body.as_bytes(), *sidecar);
    }
    for (name, _, _, needle) in &cases {
        let report = county
            .inbox()
            .join("rejected")
            .join(format!("{name}.error.json"));
        wait_for(&format!("{name} rejected"), || report.exists());
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).expect("read")).expect("JSON");
        let message = report["message"].as_str().expect("message");
        assert!(message.contains(needle), "{name}: {report}");
        assert!(county.inbox().join("rejected").join(name).exists());
    }
    assert_eq!(
        Library::open(county.library())
            .expect("open")
            .head()
            .expect("head"),
        head,
        "nothing was published"
    );
    // A sidecar with subjects and a relation.
    county.drop_file(
        "tagged.txt",
        notice(2).as_bytes(),
        Some("subjects = [\"政务公开\"]\n[[relation]]\nkind = \"basis\"\nnumber = \"鲁政办发〔2025〕5号\"\n"),
    );
    let receipt = county.inbox().join("done").join("tagged.txt.receipt.json");
    wait_for("the tagged file's receipt", || receipt.exists());
    let receipt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt).expect("read")).expect("JSON");
    let work = WorkId::parse(receipt["work"].as_str().expect("work")).expect("id");
    let record = Library::open(county.library())
        .expect("open")
        .snapshot()
        .expect("snapshot")
        .require_record(&work)
        .expect("record");
    assert_eq!(record.subjects, ["政务公开"]);
    assert_eq!(record.relations.len(), 1, "{:?}", record.relations);

    // A revised text with the same title and no sidecar looks like a
    // version of that work: rejected with the reason the CLI gives.
    let revised = notice(2).replace("认真组织实施", "认真组织实施并按月报告");
    county.drop_file("revised.txt", revised.as_bytes(), None);
    let report = county.inbox().join("rejected/revised.txt.error.json");
    wait_for("the revised file rejected", || report.exists());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("read")).expect("JSON");
    let message = report["message"].as_str().expect("message");
    assert!(
        message.contains(&format!("this looks like a version of {work}")),
        "{report}"
    );
    // A sidecar that names the work adds it as a version.
    county.drop_file(
        "revised-again.txt",
        revised.as_bytes(),
        Some(&format!("work = \"{work}\"\npublished = \"2024-08-01\"\n")),
    );
    let receipt = county
        .inbox()
        .join("done")
        .join("revised-again.txt.receipt.json");
    wait_for("the revised file's receipt", || receipt.exists());
    let receipt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt).expect("read")).expect("JSON");
    assert_eq!(receipt["action"], "added", "{receipt}");
    assert_eq!(receipt["work"], work.to_string());
    assert!(county.stop().success());
}

/// SIGHUP pulls every peer at once, an hour before the schedule would.
#[test]
fn sighup_pulls_now() {
    let root = tempfile::tempdir().expect("tmp");
    let (c_port, k_port) = (reserve_port(), reserve_port());
    let mut county = Node::new(root.path(), "county", "370283", "", k_port);
    let mut city = Node::new(
        root.path(),
        "city",
        "370200",
        &format!("[[child]]\nregion = \"370283\"\nurl = \"http://127.0.0.1:{k_port}/git\"\n"),
        c_port,
    );
    let config = std::fs::read_to_string(city.config_path()).expect("config");
    std::fs::write(
        city.config_path(),
        config.replace("interval = \"1s\"", "interval = \"1h\""),
    )
    .expect("config");
    county.start();
    city.start();
    let pulls = |node: &Node| node.status()["peers"][0]["pulls_ok"].as_u64().unwrap_or(0);
    wait_for("the pull at start", || pulls(&city) == 1);
    let pid = city.child.as_ref().expect("running").id().to_string();
    assert!(
        Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .expect("kill")
            .success()
    );
    wait_for("the pull SIGHUP asked for", || pulls(&city) == 2);
    assert!(city.stop().success());
    county.stop();
}

/// Writes a node key into `dir` and returns it with its path.
fn node_key(dir: &Path, region: &str) -> (std::sync::Arc<wenku_store::signing::NodeKey>, PathBuf) {
    let key = wenku_store::signing::NodeKey::generate(region).expect("key");
    let path = dir.join(format!("{region}.key"));
    key.write_new(&path).expect("key written");
    (std::sync::Arc::new(key), path)
}

/// Puts top-level keys at the head of a node's configuration.
fn with_top(node: &Node, top: &str) {
    let config = std::fs::read_to_string(node.config_path()).expect("config");
    std::fs::write(node.config_path(), format!("{top}{config}")).expect("config");
}

#[test]
fn signed_daemons_accept_their_granted_children_and_refuse_a_stranger() {
    use wenku_store::signing::CommitSignature;
    let root = tempfile::tempdir().expect("tmp");
    let keys = root.path().join("keys");
    std::fs::create_dir_all(&keys).expect("mkdir");
    let (p_port, k_port, s_port) = (reserve_port(), reserve_port(), reserve_port());
    let url = |port: u16| format!("http://127.0.0.1:{port}/git");
    let mut province = Node::new(
        root.path(),
        "province",
        "370000",
        &format!(
            "[[child]]\nregion = \"370283\"\nurl = \"{}\"\n[[child]]\nregion = \"370211\"\nurl = \"{}\"\n",
            url(k_port),
            url(s_port)
        ),
        p_port,
    );
    let mut county = Node::new(root.path(), "county", "370283", "", k_port);
    let mut stranger = Node::new(root.path(), "stranger", "370211", "", s_port);
    let (p_key, p_path) = node_key(&keys, "370000");
    let (k_key, k_path) = node_key(&keys, "370283");
    let (_, s_path) = node_key(&keys, "370211");
    let province_pub = wenku_store::signing::public_path(&p_path);
    with_top(
        &province,
        &format!("key = {:?}\n", p_path.display().to_string()),
    );
    for (node, key) in [(&county, &k_path), (&stranger, &s_path)] {
        with_top(
            node,
            &format!(
                "key = {:?}\ntrust_root = {:?}\n",
                key.display().to_string(),
                province_pub.display().to_string()
            ),
        );
    }
    // The province's library, made before its daemon starts: its trust
    // file grants the county's key, not the stranger's.
    let lib = wenku_store::Library::init(
        province.library(),
        wenku_model::Region::parse("370000").expect("region"),
        wenku_store::InitOptions::new(
            wenku_store::Identity::new("省政务公开办", "p@wenku.example").expect("identity"),
        )
        .key(std::sync::Arc::clone(&p_key)),
    )
    .expect("init");
    lib.change_trust(
        &wenku_store::Identity::new("省政务公开办", "p@wenku.example").expect("identity"),
        &wenku_store::TrustChange::Grant {
            key: k_key.public().clone(),
            regions: vec![wenku_model::Region::parse("370283").expect("region")],
        },
        false,
    )
    .expect("grant");
    drop(lib);

    for n in [&mut province, &mut county, &mut stranger] {
        n.start();
    }
    county.drop_file(
        "pingdu.txt",
        &seed("370283-pingdu-2024-07-16-points.txt"),
        None,
    );
    stranger.drop_file("notice.txt", notice(1).as_bytes(), None);

    // The county's publication arrives, signed by the county.
    let has_pingdu = || {
        Library::open(province.library())
            .ok()
            .and_then(|l| l.snapshot().ok())
            .and_then(|s| {
                s.works(&wenku_model::query::Filter::all())
                    .ok()
                    .map(|ws| ws.iter().any(|w| w.region().as_str() == "370283"))
            })
            .unwrap_or(false)
    };
    wait_for("the county's work at the province", has_pingdu);
    let peer = |node: &Node, region: &str| -> serde_json::Value {
        node.status()["peers"]
            .as_array()
            .expect("peers")
            .iter()
            .find(|p| p["region"] == region)
            .cloned()
            .expect("peer")
    };
    wait_for("the county's signature check in /status", || {
        peer(&province, "370283")["signatures"]["mode"] == "enforced"
    });
    let status = peer(&province, "370283");
    assert!(
        status["signatures"]["checked"].as_u64().unwrap_or(0) >= 2,
        "{status}"
    );
    let lib = Library::open(province.library()).expect("open");
    let verified = lib.verify_signatures().expect("verify");
    assert!(verified.is_clean(), "{verified:?}");
    let county_commit = git_ok(
        &province.library(),
        &["log", "--format=%H", "-1", "--", "370283"],
    );
    let raw = git_ok(&province.library(), &["cat-file", "commit", &county_commit]);
    match CommitSignature::of(format!("{raw}\n").as_bytes()) {
        CommitSignature::Good(key) => {
            assert!(wenku_store::signing::same_key(&key, k_key.public()))
        }
        other => panic!("{other:?}"),
    }

    // The stranger's key is not in the trust file: refused and kept apart.
    wait_for("the stranger's refusal", || {
        peer(&province, "370211")["last_error"]["kind"] == "signatures"
    });
    let refused = peer(&province, "370211");
    assert!(refused["quarantined_head"].is_string(), "{refused}");
    assert!(
        refused["last_error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no trust file lists")),
        "{refused}"
    );
    let stranger_lib = Library::open(stranger.library()).expect("open");
    assert!(
        stranger_lib.key().is_none(),
        "opened by the test without a key"
    );
    for n in [&mut province, &mut county, &mut stranger] {
        assert!(n.stop().success());
    }
}

/// The quarter's safety sweep runs by itself: a county library holding a
/// relief list with a resident ID, a mobile, a bank card and an address
/// down to the room gets its quarter's report (the numbers masked in it)
/// without anyone asking, and the library is left as it was.
#[test]
fn the_daemon_sweeps_the_quarter_by_itself() {
    let root = tempfile::tempdir().expect("tmp");
    let mut county = Node::new(
        root.path(),
        "county",
        "370283",
        "[sweep]\ncheck = \"1s\"\n",
        reserve_port(),
    );
    let clerk =
        wenku_store::Identity::new("平度市政务公开办", "gongkai@pingdu.example").expect("identity");
    let library = Library::init(
        county.library(),
        wenku_model::Region::parse("370283").expect("region"),
        wenku_store::InitOptions::new(clerk.clone()),
    )
    .expect("init");
    wenku_test_support::fixtures::import_version(
        &library,
        &clerk,
        "370283/mz-2025-relief",
        None,
        None,
        &wenku_test_support::paths::testdata().join("sweep/370283-pingdu-2025-relief-list.txt"),
        "2025-06-03",
    );
    let head = library.head().expect("head");
    drop(library);
    county.start();
    let sweeps = county.library().join("wenku").join("sweep");
    let report = || {
        std::fs::read_dir(&sweeps)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.extension().is_some_and(|x| x == "json")
                    && p.file_name().is_some_and(|n| n != "decisions.json")
            })
    };
    wait_for("the quarter's sweep report", || report().is_some());
    let path = report().expect("report");
    let text = std::fs::read_to_string(&path).expect("read");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["open"], 4, "{json:#}");
    assert_eq!(json["commit"], head.to_string());
    assert!(
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n == format!("{}.json", json["quarter"].as_str().expect("quarter")))
    );
    assert!(!text.contains("370283198506124329") && !text.contains("13806391234"));
    let log = std::fs::read_to_string(county.dir.join("wenkud.log")).expect("log");
    assert!(log.contains("safety sweep done"), "{log}");
    assert_eq!(
        Library::open(county.library())
            .expect("open")
            .head()
            .expect("head"),
        head,
        "the sweep changes nothing in the library"
    );
}

/// `[inbox] drafts = true`: files become drafts awaiting review, a
/// sidecar's `draft_of` joins a file to an item's draft, and nothing is
/// published until a reviewer approves.
#[test]
fn an_inbox_that_reviews_first_submits_drafts() {
    let root = tempfile::tempdir().expect("tmp");
    let mut county = Node::new(root.path(), "county", "370283", "", reserve_port());
    let config = std::fs::read_to_string(county.config_path()).expect("config");
    std::fs::write(
        county.config_path(),
        config.replace(
            "settle = \"500ms\"\n",
            "settle = \"500ms\"\ndrafts = true\n",
        ),
    )
    .expect("config");
    county.start();
    let head = Library::open(county.library())
        .expect("open")
        .head()
        .expect("head");
    county.drop_file(
        "notice.txt",
        notice(1).as_bytes(),
        Some("local = \"tz-2024-1\"\n"),
    );
    let receipt = county.inbox().join("done/notice.txt.receipt.json");
    wait_for("the notice's receipt", || receipt.exists());
    let receipt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt).expect("read")).expect("JSON");
    assert_eq!(receipt["action"], "submitted", "{receipt}");
    assert_eq!(receipt["draft"], "370283/tz-2024-1", "{receipt}");
    assert_eq!(receipt["commit"], serde_json::Value::Null);
    county.drop_file(
        "second.txt",
        notice(2).as_bytes(),
        Some("draft_of = \"370283/tz-2024-1\"\n"),
    );
    let receipt = county.inbox().join("done/second.txt.receipt.json");
    wait_for("the second file's receipt", || receipt.exists());
    // A draft_of naming no draft is the sender's mistake: rejected.
    county.drop_file(
        "stray.txt",
        notice(3).as_bytes(),
        Some("draft_of = \"370283/none\"\n"),
    );
    let report = county.inbox().join("rejected/stray.txt.error.json");
    wait_for("the stray file rejected", || report.exists());
    let library = Library::open(county.library()).expect("open");
    assert_eq!(library.head().expect("head"), head, "nothing was published");
    let drafts = library.drafts().expect("drafts");
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert_eq!((drafts[0].round, drafts[0].works.len()), (2, 2));
    let reviewer = wenku_store::Identity::new("审查员", "shencha@wenku.example").expect("identity");
    let published = library
        .approve_draft(&reviewer, &drafts[0].item, drafts[0].tip, "同意公开")
        .expect("approve");
    assert_eq!(published.works.len(), 2);
    assert!(county.stop().success());
}
