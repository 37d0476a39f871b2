//! The HTTP API, the OpenAPI document and the Atom feeds, against a real
//! wenkud on 127.0.0.1 serving a library of real laws: every JSON answer
//! is checked against `/openapi.json`, every refusal is a problem
//! document, and nothing is written.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use wenku_model::{Citation, Date, Region, Relation, RelationKind, Repeal, Target, WorkId};
use wenku_store::{Identity, InitOptions, Library, Op, SteppingClock};
use wenku_test_support::fixtures::import_version;
use wenku_test_support::paths::{schemas_dir, testdata};

/// A wenkud on a listener this test bound; killed when dropped.
struct Daemon {
    port: u16,
    child: Child,
    dir: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "---- wenkud.log ----\n{}",
                std::fs::read_to_string(self.dir.join("wenkud.log")).unwrap_or_default()
            );
        }
    }
}

fn identity() -> Identity {
    Identity::new("wenku test", "test@wenku.invalid").expect("identity")
}

fn add(library: &Library, work: &str, title: &str, file: &str, published: &str) {
    let path = testdata().join("corpus").join(file);
    import_version(
        library,
        &identity(),
        work,
        Some(title),
        None,
        &path,
        published,
    );
}

const FANGYI: &str = "100000/dongwu-fangyi";

/// A national library hosting Shandong and Qingdao, as the demo builds it.
fn build(dir: &Path) -> Library {
    let r = |s: &str| Region::parse(s).expect("region");
    let library = Library::init(
        dir,
        r("100000"),
        InitOptions::new(identity())
            .clock(Arc::new(SteppingClock::new(
                wenku_store::Timestamp::new(1_700_000_000, 480).expect("time"),
                60,
            )))
            .hosting(r("370000"))
            .hosting(r("370200")),
    )
    .expect("init");
    let law = "中华人民共和国动物防疫法";
    add(
        &library,
        FANGYI,
        law,
        "laws/cn-law-dongwufangyifa/2021-01-22.txt",
        "2021-01-22",
    );
    add(
        &library,
        FANGYI,
        law,
        "laws/cn-law-dongwufangyifa/1997-07-03.txt",
        "1997-07-03",
    );
    add(
        &library,
        FANGYI,
        law,
        "laws/cn-law-dongwufangyifa/2007-08-30.txt",
        "2007-08-30",
    );
    add(
        &library,
        "100000/lifa",
        "中华人民共和国立法法",
        "laws/cn-law-lifafa/2015-03-15.md",
        "2015-03-15",
    );
    add(
        &library,
        "100000/lifa",
        "中华人民共和国立法法",
        "laws/cn-law-lifafa/2023-03-13.md",
        "2023-03-13",
    );
    add(
        &library,
        "100000/huazhuangpin-weisheng",
        "化妆品卫生监督条例",
        "laws/cn-reg-huazhuangpinweishengjiandutiaoli/2019-03-02.md",
        "2019-03-02",
    );
    add(
        &library,
        "100000/huazhuangpin-jiandu",
        "化妆品监督管理条例",
        "laws/cn-reg-huazhuangpinjianduguanlitiaoli/2020-06-16.md",
        "2020-06-16",
    );
    add(
        &library,
        "370200/qzbf-2025-points",
        "2025年青岛市政务公开工作要点",
        "seeds/370200-qingdao-2025-05-16-points.txt",
        "2025-05-16",
    );
    library
        .commit(
            &identity(),
            Op::Repeal {
                work: WorkId::parse("100000/huazhuangpin-weisheng").expect("id"),
                repeal: Repeal {
                    date: Date::parse_iso("2021-01-01").expect("date"),
                    by: Some(Target::Citation(Citation::title("化妆品监督管理条例"))),
                },
            },
        )
        .expect("repeal");
    library.refresh_index().expect("index");
    library
}

fn start(root: &Path) -> Daemon {
    start_with(root, "")
}

/// Starts wenkud on the library in `root`, with `extra` configuration.
fn start_with(root: &Path, extra: &str) -> Daemon {
    let dir = root.to_path_buf();
    std::fs::write(
        dir.join("wenku.toml"),
        format!(
            "library = \"library.git\"\nregion = \"100000\"\nlisten = \"127.0.0.1:0\"\n\
             [identity]\nname = \"api test\"\nemail = \"api@wenku.invalid\"\n{extra}"
        ),
    )
    .expect("config");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wenkud"))
        .arg("--config")
        .arg(dir.join("wenku.toml"))
        .arg("--listen-stdin")
        .env("WENKU_LOG", "info")
        .env("WENKU_TODAY", "2025-06-01")
        .stdin(Stdio::from(std::os::fd::OwnedFd::from(listener)))
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("wenkud.log")).expect("log"))
        .spawn()
        .expect("wenkud starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("wenkud says where it listens");
    let daemon = Daemon { port, child, dir };
    let started = Instant::now();
    while daemon.get("/readyz", &[]).status != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "wenkud never got ready"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    daemon
}

/// An HTTP answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

impl Daemon {
    /// A raw HTTP/1.1 GET (the target is sent as given, unnormalised).
    fn get(&self, target: &str, headers: &[(&str, &str)]) -> Answer {
        self.request("GET", target, headers, &[])
    }

    /// A raw HTTP/1.1 request with a body.
    fn request(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return Answer {
                status: 0,
                headers: Vec::new(),
                body: Vec::new(),
            };
        };
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let mut request = format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (n, v) in headers {
            request.push_str(&format!("{n}: {v}\r\n"));
        }
        request.push_str("\r\n");
        s.write_all(request.as_bytes()).expect("send");
        // A server may answer (413, 401) before reading the whole body.
        let _ = s.write_all(body);
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(raw.len());
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut body = raw.get(split + 4..).unwrap_or_default().to_vec();
        if headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v == "chunked")
        {
            body = dechunk(&body);
        }
        Answer {
            status,
            headers,
            body,
        }
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = body.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&body[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[end + 2..end + 2 + size]);
        body = &body[end + 2 + size + 2..];
    }
}

/// Checks JSON answers against the OpenAPI document's schemas.
struct Contract {
    document: Value,
}

impl Contract {
    fn check(&self, what: &str, schema: &str, value: &Value) {
        let mut root = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.document["components"].clone(),
        });
        root["$ref"] = Value::String(format!("#/components/schemas/{schema}"));
        let validator = jsonschema::validator_for(&root).expect("the OpenAPI schemas compile");
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not match {schema}:\n{}\n{value:#}",
            errors.join("\n")
        );
    }

    fn problem(&self, what: &str, answer: &Answer, status: u16, kind: &str) -> String {
        assert_eq!(answer.status, status, "{what}: {}", answer.text());
        assert_eq!(
            answer.header("content-type"),
            Some("application/problem+json"),
            "{what}"
        );
        let body = answer.json();
        self.check(what, "problem", &body);
        assert_eq!(
            body["type"],
            format!("urn:wenku:problem:{kind}"),
            "{what}: {body}"
        );
        let detail = body["detail"].as_str().expect("detail").to_string();
        assert!(!detail.contains("/tmp"), "{what} leaks a path: {detail}");
        detail
    }
}

#[test]
fn the_api_answers_from_the_library_and_matches_its_contract() {
    let root = tempfile::tempdir().expect("tmp");
    let library = build(&root.path().join("library.git"));
    let head = library.head().expect("head").to_string();
    let d = start(root.path());

    // The OpenAPI document is served and is the one committed.
    let openapi = d.get("/openapi.json", &[]);
    assert_eq!(openapi.status, 200);
    let document = openapi.json();
    assert_eq!(document, wenku_server::api::openapi::document());
    let c = Contract { document };

    let library_info = d.get("/api/v1/library", &[]).json();
    c.check("library", "library", &library_info);
    assert_eq!(library_info["node"], "100000");
    assert_eq!(library_info["head"], head);
    assert_eq!(library_info["works"], 5);

    // Lists: filters, sorting, paging with a cursor.
    let all = d.get("/api/v1/works", &[]);
    assert_eq!(all.status, 200);
    assert_eq!(all.header("access-control-allow-origin"), Some("*"));
    let all = all.json();
    c.check("works", "page", &all);
    assert_eq!(all["total"], 5);
    let regs = d.get("/api/v1/works?type=regulation", &[]).json();
    c.check("works?type", "page", &regs);
    let in_force = d
        .get("/api/v1/works?status=in-force&at=2021-06-01", &[])
        .json();
    let ids: Vec<&str> = in_force["works"]
        .as_array()
        .expect("works")
        .iter()
        .map(|w| w["work"].as_str().expect("id"))
        .collect();
    assert!(
        ids.contains(&FANGYI) && !ids.contains(&"100000/huazhuangpin-weisheng"),
        "{ids:?}"
    );
    let qingdao = d.get("/api/v1/works?region=370200", &[]).json();
    assert_eq!(qingdao["total"], 1);
    let national_only = d
        .get("/api/v1/works?region=100000&subregions=false", &[])
        .json();
    assert_eq!(national_only["total"], 4);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let target = match &cursor {
            Some(c) => format!("/api/v1/works?sort=date&limit=2&cursor={}", urlencode(c)),
            None => "/api/v1/works?sort=date&limit=2".to_string(),
        };
        let page = d.get(&target, &[]).json();
        c.check("works page", "page", &page);
        for w in page["works"].as_array().expect("works") {
            seen.push(w["work"].as_str().expect("id").to_string());
        }
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(seen[0], "370200/qzbf-2025-points", "newest first: {seen:?}");

    // A work's record: versions in legal order, lifecycle, timeline.
    let work = d.get(&format!("/api/v1/works/{FANGYI}"), &[]).json();
    c.check("work", "work_record", &work);
    let published: Vec<&str> = work["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["published"].as_str().expect("date"))
        .collect();
    assert_eq!(published, ["1997-07-03", "2007-08-30", "2021-01-22"]);
    let repealed = d
        .get("/api/v1/works/100000/huazhuangpin-weisheng", &[])
        .json();
    c.check("repealed work", "work_record", &repealed);
    assert_eq!(repealed["status"], "repealed");
    assert_eq!(
        repealed["timeline"]
            .as_array()
            .expect("timeline")
            .last()
            .expect("period")["status"],
        "repealed"
    );
    assert_eq!(repealed["events"][0]["event"], "repealed", "{repealed}");
    // The successor's text repeals it: the relation resolves both ways.
    let successor = d
        .get("/api/v1/works/100000/huazhuangpin-jiandu", &[])
        .json();
    c.check("successor", "work_record", &successor);
    assert_eq!(
        successor["outgoing"][0]["resolved"][0], "100000/huazhuangpin-weisheng",
        "{successor}"
    );
    assert_eq!(
        repealed["incoming"][0]["from"], "100000/huazhuangpin-jiandu",
        "{repealed}"
    );

    // The text in force on a date, in three forms.
    let text = d.get(&format!("/api/v1/works/{FANGYI}/text?at=2010-01-01"), &[]);
    assert_eq!(text.status, 200);
    let shown = text.json();
    c.check("text", "show", &shown);
    assert_eq!(shown["published"], "2007-08-30");
    let xml = d.get(
        &format!("/api/v1/works/{FANGYI}/text?at=2010-01-01"),
        &[("Accept", "application/xml")],
    );
    assert_eq!(xml.header("content-type"), Some("application/xml"));
    assert!(xml.text().starts_with("<?xml"), "{}", xml.text());
    let plain = d.get(
        &format!("/api/v1/works/{FANGYI}/text?at=2010-01-01&format=text"),
        &[],
    );
    assert!(plain.text().contains("第一条"), "{}", plain.text());

    // Conditional requests: 304 with the same ETag, a new answer after a
    // commit.
    let first = d.get(&format!("/api/v1/works/{FANGYI}"), &[]);
    let etag = first.header("etag").expect("an ETag").to_string();
    assert_eq!(first.header("cache-control"), Some("public, no-cache"));
    let again = d.get(
        &format!("/api/v1/works/{FANGYI}"),
        &[("If-None-Match", &etag)],
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    // A version by RevisionId never changes but can be withdrawn: cached
    // briefly, then revalidated; a prefix redirects to it.
    let revision = work["versions"][1]["revision"]
        .as_str()
        .expect("revision")
        .to_string();
    let exact = d.get(
        &format!("/api/v1/works/{FANGYI}/versions/{revision}?format=xml"),
        &[],
    );
    assert_eq!(exact.status, 200);
    assert_eq!(exact.body, xml.body, "the 2007 version is the text of 2010");
    assert!(
        exact
            .header("cache-control")
            .is_some_and(|c| c == "public, max-age=300, must-revalidate"),
        "{:?}",
        exact.headers
    );
    let prefix = d.get(
        &format!(
            "/api/v1/works/{FANGYI}/versions/{}?format=xml",
            &revision[..12]
        ),
        &[],
    );
    assert!(matches!(prefix.status, 302 | 303 | 307), "{prefix:?}");
    assert_eq!(
        prefix.header("location"),
        Some(format!("/api/v1/works/{FANGYI}/versions/{revision}?format=xml").as_str())
    );

    // Comparisons.
    let diff = d.get(
        &format!("/api/v1/works/{FANGYI}/diff?from=2000-01-01&to=2010-01-01"),
        &[],
    );
    assert_eq!(diff.status, 200, "{}", diff.text());
    let diff = diff.json();
    c.check("diff", "diff", &diff);
    assert_eq!(diff["format"], "wenku-diff-1");
    let table = d.get(
        &format!("/api/v1/works/{FANGYI}/diff?format=table-html"),
        &[],
    );
    assert_eq!(
        table.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        table
            .text()
            .contains("中华人民共和国动物防疫法修订前后对照表")
    );
    let csv = d.get(&format!("/api/v1/works/{FANGYI}/diff?format=csv"), &[]);
    assert!(csv.body.starts_with("\u{feff}修订前,修订后".as_bytes()));

    // Citations.
    let found = d.get("/api/v1/find?title=化妆品监督管理条例", &[]);
    let found_json = found.json();
    c.check("find", "find", &found_json);
    assert_eq!(found_json["works"][0]["work"], "100000/huazhuangpin-jiandu");

    // Search: words, pinyin, a typo corrected, as of a day.
    let searched = d
        .get(
            "/api/v1/search?q=化妆品&type=administrative-regulation",
            &[],
        )
        .json();
    c.check("search", "search", &searched);
    assert_eq!(
        searched["hits"][0]["work"], "100000/huazhuangpin-jiandu",
        "{searched}"
    );
    let typo = d
        .get("/api/v1/search?q=动物防役&at=2010-01-01&limit=1", &[])
        .json();
    c.check("search with a typo", "search", &typo);
    assert_eq!(typo["did_you_mean"], "动物防疫");
    assert_eq!(typo["hits"][0]["status"], "superseded");

    // Changes, resumable.
    let changes = d.get("/api/v1/changes?limit=3", &[]).json();
    c.check("changes", "changes", &changes);
    let all_ops = d.get("/api/v1/changes?since=2000-01-01", &[]).json();
    c.check("changes since a date", "changes", &all_ops);
    let ops = all_ops["operations"].as_array().expect("operations");
    assert!(ops.len() >= 10, "{all_ops}");
    let middle = ops[4]["commit"].as_str().expect("commit");
    let after = d
        .get(&format!("/api/v1/changes?since={middle}&limit=2"), &[])
        .json();
    c.check("changes since a commit", "changes", &after);
    assert_eq!(after["operations"][0]["commit"], ops[5]["commit"]);
    assert_eq!(after["more"], true);
    assert_eq!(after["next"], ops[6]["commit"]);

    // Peers (none configured).
    let peers = d.get("/api/v1/peers", &[]).json();
    assert_eq!(peers, serde_json::json!([]));

    // Nothing was written.
    assert_eq!(library.head().expect("head").to_string(), head);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn bad_requests_get_problem_documents_and_write_nothing() {
    let root = tempfile::tempdir().expect("tmp");
    let library = build(&root.path().join("library.git"));
    let head = library.head().expect("head");
    let d = start(root.path());
    let c = Contract {
        document: wenku_server::api::openapi::document(),
    };
    let cases: &[(&str, u16, &str, &str)] = &[
        ("/api/v1/works/100000/nope", 404, "not-found", "100000/nope"),
        ("/api/v1/works/999999/x", 400, "bad-request", "999999/x"),
        (
            &format!("/api/v1/works/{FANGYI}/versions/{}", "0".repeat(64)),
            404,
            "not-found",
            "",
        ),
        (
            &format!("/api/v1/works/{FANGYI}/text?at=2023-02-30"),
            400,
            "bad-request",
            "2023-02-30",
        ),
        (
            &format!("/api/v1/works/{FANGYI}/text?at=1990-01-01"),
            404,
            "not-found",
            "",
        ),
        (
            &format!("/api/v1/works/{FANGYI}/text?format=pdf"),
            400,
            "bad-request",
            "pdf",
        ),
        (
            &format!("/api/v1/works/{FANGYI}/text?bogus=1"),
            400,
            "bad-request",
            "bogus",
        ),
        (
            &format!("/api/v1/works/{FANGYI}/diff?from=2022-01-01&to=2000-01-01"),
            422,
            "refused",
            "later",
        ),
        (
            &format!("/api/v1/works/{FANGYI}/diff?from=current&to=current"),
            422,
            "refused",
            "same",
        ),
        ("/api/v1/works/100000/..", 400, "bad-request", ""),
        ("/api/v1/works/100000/a%2Fb", 400, "bad-request", ""),
        ("/api/v1/works/100000/a%00b", 400, "bad-request", ""),
        ("/api/v1/works?limit=100000", 400, "bad-request", "limit"),
        ("/api/v1/works?type=poem", 400, "bad-request", "type"),
        ("/api/v1/works?region=12", 400, "bad-request", "region"),
        ("/api/v1/works?cursor=garbage", 400, "bad-request", "cursor"),
        ("/api/v1/find", 400, "bad-request", "number"),
        ("/api/v1/search", 400, "bad-request", "q"),
        ("/api/v1/search?q=x&limit=0", 400, "bad-request", "limit"),
        (
            "/api/v1/search?q=x&at=2023-02-30",
            400,
            "bad-request",
            "2023-02-30",
        ),
        ("/api/v1/search?q=x&region=12", 400, "bad-request", "region"),
        (
            "/api/v1/changes?since=0123456789012345678901234567890123456789",
            404,
            "not-found",
            "main line",
        ),
        ("/api/v1/nothing-here", 404, "not-found", "openapi"),
        ("/feeds/nothing.atom", 404, "not-found", "feeds are"),
        (
            "/feeds/works/100000/nope.atom",
            404,
            "not-found",
            "100000/nope",
        ),
    ];
    for (target, status, kind, says) in cases {
        let answer = d.get(target, &[]);
        let detail = c.problem(target, &answer, *status, kind);
        assert!(detail.contains(says), "{target}: {detail}");
    }
    // An oversized query string.
    let long = format!("/api/v1/works?subject={}", "x".repeat(5000));
    c.problem("a long query", &d.get(&long, &[]), 414, "uri-too-long");
    assert_eq!(library.head().expect("head"), head, "nothing was written");
    assert_eq!(
        std::fs::read_dir(root.path().join("library.git/refs/heads"))
            .expect("refs")
            .count(),
        1
    );
}

#[test]
fn feeds_list_versions_and_lifecycle_with_stable_ids() {
    let root = tempfile::tempdir().expect("tmp");
    build(&root.path().join("library.git"));
    let d = start(root.path());
    let all = d.get("/feeds/all.atom", &[]);
    assert_eq!(all.status, 200);
    assert_eq!(
        all.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    let xml = all.text();
    let doc = well_formed(&xml);
    assert!(doc.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    // Every version and the repeal is an entry, with an id derived from
    // what it is about.
    let lifa_2023 = Library::open(root.path().join("library.git"))
        .expect("open")
        .snapshot()
        .expect("snapshot")
        .versions(&WorkId::parse("100000/lifa").expect("id"))
        .expect("versions")[1]
        .revision;
    assert!(
        xml.contains(&format!("<id>urn:wenku:100000/lifa:{lifa_2023}</id>")),
        "{xml}"
    );
    assert!(xml.contains("<id>urn:wenku:100000/huazhuangpin-weisheng:repealed:2021-01-01</id>"));
    assert_eq!(
        xml.matches("<entry>").count(),
        9,
        "8 versions and a repeal:\n{xml}"
    );
    // The comparison with the previous version is linked.
    assert!(xml.contains("/diff?from="), "{xml}");
    // A region's feed, a type's, one work's.
    let qingdao = d.get("/feeds/regions/370200.atom", &[]).text();
    assert_eq!(qingdao.matches("<entry>").count(), 1, "{qingdao}");
    let national = d
        .get("/feeds/regions/100000.atom?subregions=false", &[])
        .text();
    assert_eq!(national.matches("<entry>").count(), 8, "{national}");
    let fangyi = d.get(&format!("/feeds/works/{FANGYI}.atom"), &[]).text();
    assert_eq!(fangyi.matches("<entry>").count(), 3, "{fangyi}");
    // Conditional GET.
    let etag = all.header("etag").expect("etag").to_string();
    assert_eq!(
        d.get("/feeds/all.atom", &[("If-None-Match", &etag)]).status,
        304
    );
    // The schema file is the served document.
    let committed: Value = serde_json::from_slice(
        &std::fs::read(schemas_dir().join("openapi-1.json")).expect("schemas/openapi-1.json"),
    )
    .expect("JSON");
    assert_eq!(committed, wenku_server::api::openapi::document());
}

/// A minimal well-formedness check: balanced, escaped (the feed is read by
/// strict XML parsers).
fn well_formed(xml: &str) -> String {
    let mut depth: i32 = 0;
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("a closed tag") + start;
        let tag = &rest[start + 1..end];
        if tag.starts_with('?') || tag.ends_with('/') {
        } else if tag.starts_with('/') {
            depth -= 1;
        } else {
            depth += 1;
        }
        assert!(depth >= 0, "unbalanced at {tag}");
        rest = &rest[end + 1..];
    }
    assert_eq!(depth, 0, "unbalanced feed");
    xml.to_string()
}

#[test]
fn the_committed_openapi_document_is_current() {
    let path = schemas_dir().join("openapi-1.json");
    let generated = serde_json::to_string_pretty(&wenku_server::api::openapi::document())
        .expect("serialises")
        + "\n";
    if std::env::var_os("WENKU_UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &generated).expect("write");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schemas/openapi-1.json is stale; regenerate with WENKU_UPDATE_SCHEMAS=1 cargo test -p wenku-server --test api"
    );
    // It is a valid JSON Schema set: every component compiles.
    let document: Value = serde_json::from_str(&generated).expect("JSON");
    let names: Vec<String> = document["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .cloned()
        .collect();
    for name in names {
        let root = serde_json::json!({
            "components": document["components"].clone(),
            "$ref": format!("#/components/schemas/{name}"),
        });
        jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

const QINGDAO_TOKEN: &str = "qingdao-writer-token-0123456789";

/// Starts wenkud with Qingdao's office as a writer of 370200 (token
/// [`QINGDAO_TOKEN`]).
fn start_with_qingdao_writer(root: &Path) -> Daemon {
    std::fs::write(root.join("qingdao.token"), format!("{QINGDAO_TOKEN}\n")).expect("token");
    start_with(
        root,
        "[[writer]]\nname = \"青岛市政务公开办\"\nemail = \"gongkai@qingdao.example\"\n\
         token_file = \"qingdao.token\"\nregions = [\"370200\"]\n",
    )
}

#[test]
fn writers_publish_repeal_and_withdraw_only_in_their_regions() {
    let root = tempfile::tempdir().expect("tmp");
    let library = build(&root.path().join("library.git"));
    let d = start_with_qingdao_writer(root.path());
    let c = Contract {
        document: wenku_server::api::openapi::document(),
    };
    let auth = format!("Bearer {QINGDAO_TOKEN}");
    let text = std::fs::read(testdata().join("corpus/seeds/370283-pingdu-2024-07-16-points.txt"))
        .expect("seed");
    let target = "/api/v1/works/370200/api-doc/versions?published=2024-07-16&filename=points.txt&subject=政务公开";
    let target = target.replace("政务公开", "%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80");

    // Without a token, with a wrong one, for another region: refused,
    // nothing written.
    let head = library.head().expect("head");
    let none = d.request("POST", &target, &[], &text);
    c.problem("no token", &none, 401, "unauthorized");
    assert!(none.header("www-authenticate").is_some());
    let wrong = d.request(
        "POST",
        &target,
        &[("Authorization", "Bearer not-the-token-at-all")],
        &text,
    );
    c.problem("a wrong token", &wrong, 401, "unauthorized");
    let elsewhere = d.request(
        "POST",
        "/api/v1/works/100000/lifa/versions?published=2024-07-16",
        &[("Authorization", &auth)],
        &text,
    );
    let detail = c.problem("another region", &elsewhere, 403, "forbidden");
    assert!(
        detail.contains("370200") && detail.contains("100000/lifa"),
        "{detail}"
    );
    c.problem(
        "an empty body",
        &d.request("POST", &target, &[("Authorization", &auth)], b""),
        400,
        "bad-request",
    );
    c.problem(
        "a path for a file name",
        &d.request(
            "POST",
            "/api/v1/works/370200/api-doc/versions?published=2024-07-16&filename=../x.txt",
            &[("Authorization", &auth)],
            &text,
        ),
        400,
        "bad-request",
    );
    c.problem(
        "an impossible date",
        &d.request(
            "POST",
            "/api/v1/works/370200/api-doc/versions?published=2024-02-30",
            &[("Authorization", &auth)],
            &text,
        ),
        400,
        "bad-request",
    );
    let huge = vec![b'x'; wenku_server::api::write::MAX_DOCUMENT + 1];
    let too_large = d.request("POST", &target, &[("Authorization", &auth)], &huge);
    assert_eq!(too_large.status, 413, "{}", too_large.text());
    assert_eq!(library.head().expect("head"), head, "nothing was written");

    // Published, with the writer as author; again: unchanged.
    let published = d.request("POST", &target, &[("Authorization", &auth)], &text);
    assert_eq!(published.status, 201, "{}", published.text());
    let written = published.json();
    c.check("publish", "written", &written);
    assert_eq!(written["work"], "370200/api-doc");
    assert_eq!(written["action"], "published");
    let revision = written["revision"].as_str().expect("revision").to_string();
    assert_eq!(
        published.header("location"),
        Some(format!("/api/v1/works/370200/api-doc/versions/{revision}").as_str())
    );
    let record = d.get("/api/v1/works/370200/api-doc", &[]).json();
    c.check("the new work", "work_record", &record);
    assert_eq!(record["versions"][0]["revision"], revision.as_str());
    assert!(
        record["subjects"]
            .as_array()
            .expect("subjects")
            .iter()
            .any(|s| s == "政务公开"),
        "{record}"
    );
    let history = wenku_test_support::git::git_ok(
        &root.path().join("library.git"),
        &["log", "-1", "--format=%an <%ae>", "main"],
    );
    assert_eq!(history.trim(), "青岛市政务公开办 <gongkai@qingdao.example>");
    let again = d.request("POST", &target, &[("Authorization", &auth)], &text);
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["action"], "unchanged");

    // Answers are kept per head: after the repeal, the same URL answers
    // anew.
    let before = d
        .get("/api/v1/works/370200/api-doc?at=2025-02-01", &[])
        .json();
    assert_eq!(before["status"], "in-force", "{before}");

    // Repeal and withdraw, with their checks.
    c.problem(
        "malformed JSON",
        &d.request(
            "POST",
            "/api/v1/works/370200/api-doc/repeal",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            b"{\"date\": ",
        ),
        400,
        "bad-request",
    );
    c.problem(
        "an unknown field",
        &d.request(
            "POST",
            "/api/v1/works/370200/api-doc/repeal",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            br#"{"date": "2025-01-01", "when": "now"}"#,
        ),
        400,
        "bad-request",
    );
    c.problem(
        "no such work",
        &d.request(
            "POST",
            "/api/v1/works/370200/nope/repeal",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            br#"{"date": "2025-01-01"}"#,
        ),
        404,
        "not-found",
    );
    let repealed = d.request(
        "POST",
        "/api/v1/works/370200/api-doc/repeal",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        br#"{"date": "2025-01-01", "by": "370200/qzbf-2025-points"}"#,
    );
    assert_eq!(repealed.status, 200, "{}", repealed.text());
    c.check("repeal", "written", &repealed.json());
    assert_eq!(repealed.json()["action"], "recorded");
    let status = d
        .get("/api/v1/works/370200/api-doc?at=2025-02-01", &[])
        .json();
    assert_eq!(status["status"], "repealed", "{status}");
    let withdrawn = d.request(
        "POST",
        "/api/v1/works/370200/qzbf-2025-points/withdraw",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        "{\"date\": \"2025-05-20\", \"reason\": \"发布有误\"}".as_bytes(),
    );
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text());
    let feed = d.get("/feeds/regions/370200.atom", &[]).text();
    assert!(
        feed.contains("<id>urn:wenku:370200/api-doc:repealed:2025-01-01</id>")
            && feed.contains("<id>urn:wenku:370200/qzbf-2025-points:withdrawn:2025-05-20</id>"),
        "{feed}"
    );
    assert!(
        Library::open(root.path().join("library.git"))
            .expect("open")
            .verify()
            .expect("verify")
            .is_clean()
    );
}

#[test]
fn a_node_without_writers_takes_no_writes() {
    let root = tempfile::tempdir().expect("tmp");
    let library = build(&root.path().join("library.git"));
    let head = library.head().expect("head");
    let d = start(root.path());
    let c = Contract {
        document: wenku_server::api::openapi::document(),
    };
    let answer = d.request(
        "POST",
        "/api/v1/works/370200/x/versions?published=2024-07-16",
        &[("Authorization", "Bearer anything-at-all-goes-here")],
        b"text",
    );
    let detail = c.problem("no writers", &answer, 403, "forbidden");
    assert!(detail.contains("[[writer]]"), "{detail}");
    assert_eq!(library.head().expect("head"), head);
}

/// A relief list published with a resident ID, an address down to the
/// room, a mobile and a bank card in it, then withdrawn from public view
/// through the API (as `wenku sweep withdraw` does): the record says so,
/// every way to its text answers 410 with when and why, the pages show
/// the notice and never the numbers, search no longer finds the text; the
/// history keeps it.
#[test]
fn a_version_withdrawn_from_public_view_is_no_longer_served() {
    let root = tempfile::tempdir().expect("tmp");
    let library = build(&root.path().join("library.git"));
    import_version(
        &library,
        &identity(),
        "370200/mz-2025-relief",
        None,
        None,
        &testdata().join("sweep/370283-pingdu-2025-relief-list.txt"),
        "2025-05-10",
    );
    let work = WorkId::parse("370200/mz-2025-relief").expect("id");
    let revision = library
        .snapshot()
        .expect("snapshot")
        .versions(&work)
        .expect("versions")[0]
        .revision;
    let d = start_with_qingdao_writer(root.path());
    let c = Contract {
        document: wenku_server::api::openapi::document(),
    };
    let secret = "370283198506124329";
    let text_url = "/api/v1/works/370200/mz-2025-relief/text?format=text";
    let before = d.get(text_url, &[]);
    assert!(
        before.text().contains(secret),
        "{}: {}",
        before.status,
        before.text()
    );

    let auth = format!("Bearer {QINGDAO_TOKEN}");
    let body = format!(
        "{{\"date\": \"2025-05-25\", \"reason\": \"含个人身份证号码等个人信息\", \"version\": \"{}\"}}",
        &revision.to_string()[..12]
    );
    let withdrawn = d.request(
        "POST",
        "/api/v1/works/370200/mz-2025-relief/withdraw",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    );
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text());

    // The record: the version's status and the withdrawal.
    let record = d.get("/api/v1/works/370200/mz-2025-relief", &[]).json();
    c.check("withdrawn work", "work_record", &record);
    let version = &record["versions"][0];
    assert_eq!(version["status"], "withdrawn", "{record:#}");
    assert_eq!(version["withdrawn"]["date"], "2025-05-25");
    assert_eq!(version["withdrawn"]["reason"], "含个人身份证号码等个人信息");

    // Its text, in every form and through every way to it: 410.
    for url in [
        text_url.to_string(),
        "/api/v1/works/370200/mz-2025-relief/text".to_string(),
        "/api/v1/works/370200/mz-2025-relief/text?at=2025-05-20&format=xml".to_string(),
        format!("/api/v1/works/370200/mz-2025-relief/versions/{revision}?format=xml"),
        format!("/api/v1/works/370200/mz-2025-relief/versions/{revision}?format=text"),
        format!("/api/v1/works/370200/mz-2025-relief/versions/{revision}"),
    ] {
        let answer = d.get(&url, &[]);
        let detail = c.problem(&url, &answer, 410, "withdrawn");
        assert!(
            detail.contains("2025-05-25") && detail.contains("含个人身份证号码"),
            "{url}: {detail}"
        );
        assert!(!answer.text().contains(secret), "{url}");
    }

    // The pages: the document and the version show the notice, not the
    // text.
    for url in [
        "/works/370200/mz-2025-relief".to_string(),
        "/works/370200/mz-2025-relief?at=2025-05-20".to_string(),
        format!("/works/370200/mz-2025-relief/versions/{revision}"),
    ] {
        let page = d.get(&url, &[]);
        assert_eq!(page.status, 200, "{url}");
        let html = page.text();
        assert!(html.contains("此版本已于 2025-05-25 撤回"), "{url}: {html}");
        for leaked in [secret, "13806391234", "6217001234567890122", "501室"] {
            assert!(!html.contains(leaked), "{url} shows {leaked}");
        }
    }

    // Search finds the work by its title, not by the text, and shows no
    // text of it.
    let by_text = d
        .get("/api/v1/search?q=%E6%9D%AD%E5%B7%9E%E8%B7%AF", &[])
        .json();
    assert_eq!(
        by_text["hits"].as_array().map(Vec::len),
        Some(0),
        "{by_text:#}"
    );
    let by_title = d
        .get(
            "/api/v1/search?q=%E4%B8%B4%E6%97%B6%E6%95%91%E5%8A%A9%E5%AF%B9%E8%B1%A1",
            &[],
        )
        .json();
    assert_eq!(
        by_title["hits"][0]["work"], "370200/mz-2025-relief",
        "{by_title:#}"
    );
    assert!(!by_title.to_string().contains(secret));

    // The history keeps the text for the archive.
    let kept = Library::open(root.path().join("library.git"))
        .expect("open")
        .snapshot()
        .expect("snapshot")
        .version_bytes(&work, &revision)
        .expect("bytes");
    assert!(String::from_utf8_lossy(&kept).contains(secret));
}

/// The full chain of the Qingdao points ("一码通"): the consultation on
/// its draft and its Q&A, published as documents of their own that point
/// at it, appear in their steps in order; the steps with nothing are
/// shown as missing; the publication is the first version. A chain kind
/// round-trips through the API's record.
#[test]
fn a_policys_full_chain_shows_every_step_and_the_missing_ones() {
    let root = tempfile::tempdir().expect("tmp");
    let library = build(&root.path().join("library.git"));
    let texts = root.path().join("texts");
    std::fs::create_dir_all(&texts).expect("mkdir");
    for (local, title, body, date) in [
        (
            "qd-2025-points-consultation",
            "关于公开征求《2025年青岛市政务公开工作要点（征求意见稿）》意见的公告",
            "现将《2025年青岛市政务公开工作要点（征求意见稿）》向社会公开征求意见，征求意见截止日期为2025年4月30日。",
            "2025-04-15",
        ),
        (
            "qd-2025-points-qa",
            "2025年青岛市政务公开工作要点问答",
            "一、问：工作要点提出了哪些重点任务？\n答：围绕政策发布、解读、回应等方面提出了重点任务。",
            "2025-05-20",
        ),
    ] {
        let path = texts.join(format!("{local}.txt"));
        std::fs::write(
            &path,
            format!("{title}\n\n{body}\n\n青岛市人民政府办公厅\n"),
        )
        .expect("write");
        import_version(
            &library,
            &identity(),
            &format!("370200/{local}"),
            Some(title),
            None,
            &path,
            date,
        );
    }
    let points = WorkId::parse("370200/qzbf-2025-points").expect("id");
    for (from, kind) in [
        ("370200/qd-2025-points-consultation", RelationKind::Consults),
        ("370200/qd-2025-points-qa", RelationKind::Answers),
    ] {
        library
            .commit(
                &identity(),
                Op::AddRelation {
                    work: WorkId::parse(from).expect("id"),
                    relation: Relation {
                        kind,
                        target: Target::Work(points.clone()),
                    },
                },
            )
            .expect("relate");
    }
    let d = start(root.path());
    let page = d.get("/works/370200/qzbf-2025-points/chain", &[]);
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    let step = |name: &str| {
        let at = html
            .find(&format!("<h2>{name}</h2>"))
            .unwrap_or_else(|| panic!("{name}: {html}"));
        let start = html[..at].rfind("<li class=\"").expect("step");
        let end = html[at..].find("\n</li>").expect("end") + at;
        html[start..end].to_string()
    };
    let order: Vec<usize> = [
        "政策依据",
        "意见征集",
        "结果反馈",
        "会议审议",
        "文件发布",
        "政策解读",
        "政策问答",
        "政策兑现",
    ]
    .iter()
    .map(|n| html.find(&format!("<h2>{n}</h2>")).expect("every step"))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "steps in order");
    let consultation = step("意见征集");
    assert!(
        consultation.starts_with("<li class=\"present\"")
            && consultation.contains("href=\"/works/370200/qd-2025-points-consultation\""),
        "{consultation}"
    );
    assert!(step("政策问答").contains("/works/370200/qd-2025-points-qa"));
    for missing in ["结果反馈", "会议审议", "政策兑现"] {
        let s = step(missing);
        assert!(
            s.starts_with("<li class=\"missing\"") && s.contains("尚无（缺失）"),
            "{missing}: {s}"
        );
    }
    assert!(step("文件发布").contains("2025-05-16 公布"));
    // The document page links to it; the record says the kinds.
    assert!(
        d.get("/works/370200/qzbf-2025-points", &[])
            .text()
            .contains("href=\"/works/370200/qzbf-2025-points/chain\"")
    );
    let qa = d.get("/api/v1/works/370200/qd-2025-points-qa", &[]).json();
    assert_eq!(qa["outgoing"][0]["kind"], "answers", "{qa:#}");
}

/// A gazette issue of Qingdao containing two documents: listed on the
/// gazettes page under its gazette with its issue number and the count,
/// per level and across levels, in the gazette's feed, and its page lists
/// what it contains.
#[test]
fn gazette_issues_are_listed_per_gazette_with_their_contents_and_feeds() {
    let root = tempfile::tempdir().expect("tmp");
    let library = build(&root.path().join("library.git"));
    let path = root.path().join("gazette.txt");
    std::fs::write(
        &path,
        "青岛市人民政府公报 2025年第5期\n\n目录\n\n2025年青岛市政务公开工作要点\n\n中华人民共和国立法法\n\n青岛市人民政府办公厅\n",
    )
    .expect("write");
    import_version(
        &library,
        &identity(),
        "370200/gongbao-2025-5",
        Some("青岛市人民政府公报 2025年第5期"),
        Some(wenku_model::DocType::Gazette),
        &path,
        "2025-05-30",
    );
    for target in ["370200/qzbf-2025-points", "100000/lifa"] {
        library
            .commit(
                &identity(),
                Op::AddRelation {
                    work: WorkId::parse("370200/gongbao-2025-5").expect("id"),
                    relation: Relation {
                        kind: RelationKind::Contains,
                        target: Target::Work(WorkId::parse(target).expect("id")),
                    },
                },
            )
            .expect("contains");
    }
    // The province's gazette, one level up.
    let provincial = root.path().join("provincial.txt");
    std::fs::write(
        &provincial,
        "山东省人民政府公报 2025年第10期\n\n目录\n\n2025年山东省政务公开工作要点\n\n山东省人民政府办公厅\n",
    )
    .expect("write");
    import_version(
        &library,
        &identity(),
        "370000/gongbao-2025-10",
        Some("山东省人民政府公报 2025年第10期"),
        Some(wenku_model::DocType::Gazette),
        &provincial,
        "2025-04-10",
    );
    library.refresh_index().expect("index");
    let d = start(root.path());
    for url in [
        "/gazettes",
        "/gazettes?region=370200",
        "/gazettes?region=370000",
    ] {
        let page = d.get(url, &[]);
        assert_eq!(page.status, 200, "{url}");
        let html = page.text();
        assert!(
            html.contains("href=\"/works/370200/gongbao-2025-5\">2025年第5期</a>")
                && html.contains("<td>2</td>")
                && html.contains("/feeds/gazettes/370200.atom?subregions=false"),
            "{url}: {html}"
        );
    }
    // A city's view spans the levels: the province's gazette above its own;
    // a county inside the city sees both.
    for url in ["/gazettes?region=370200", "/gazettes?region=370283"] {
        let html = d.get(url, &[]).text();
        let province = html
            .find("2025年第10期")
            .unwrap_or_else(|| panic!("{url}: {html}"));
        let city = html
            .find("2025年第5期")
            .unwrap_or_else(|| panic!("{url}: {html}"));
        assert!(province < city, "{url}: the province first");
    }
    // Another province has none.
    assert!(
        d.get("/gazettes?region=310000", &[])
            .text()
            .contains("尚无政府公报")
    );
    assert_eq!(d.get("/gazettes?region=37x", &[]).status, 400);
    let feed = d
        .get("/feeds/gazettes/370200.atom?subregions=false", &[])
        .text();
    assert_eq!(feed.matches("<entry>").count(), 1, "{feed}");
    assert!(feed.contains("gongbao-2025-5"), "{feed}");
    let issue = d.get("/works/370200/gongbao-2025-5", &[]).text();
    assert!(
        issue.contains("href=\"/works/370200/qzbf-2025-points\"")
            && issue.contains("href=\"/works/100000/lifa\""),
        "{issue}"
    );
    assert!(
        d.get("/works/370200/qzbf-2025-points", &[])
            .text()
            .contains("href=\"/works/370200/gongbao-2025-5\"")
    );
}

const REVIEWER_TOKEN: &str = "qingdao-reviewer-token-9876543210";

/// Starts wenkud with Qingdao's office as a writer of 370200
/// ([`QINGDAO_TOKEN`]) and its reviewer ([`REVIEWER_TOKEN`]), and `extra`
/// configuration.
fn start_with_reviewer(root: &Path, extra: &str) -> Daemon {
    std::fs::write(root.join("qingdao.token"), format!("{QINGDAO_TOKEN}\n")).expect("token");
    std::fs::write(root.join("reviewer.token"), format!("{REVIEWER_TOKEN}\n")).expect("token");
    start_with(
        root,
        &format!(
            "[[writer]]\nname = \"青岛市政务公开办\"\nemail = \"gongkai@qingdao.example\"\n\
             token_file = \"qingdao.token\"\nregions = [\"370200\"]\n\
             [[reviewer]]\nname = \"青岛市保密审查员\"\nemail = \"shencha@qingdao.example\"\n\
             token_file = \"reviewer.token\"\nregions = [\"370200\"]\n{extra}"
        ),
    )
}

/// 先审查、后公开 through the API: a writer submits a document as a draft
/// and adds its interpretation; nothing is public (API, feeds, git) until
/// a reviewer approves the draft as read; then both are published in one
/// commit that carries the review.
#[test]
fn drafts_are_reviewed_through_the_api_before_anything_is_public() {
    let root = tempfile::tempdir().expect("tmp");
    let library = build(&root.path().join("library.git"));
    let d = start_with_reviewer(root.path(), "");
    let c = Contract {
        document: wenku_server::api::openapi::document(),
    };
    let writer = format!("Bearer {QINGDAO_TOKEN}");
    let reviewer = format!("Bearer {REVIEWER_TOKEN}");
    let head = library.head().expect("head");
    let text = std::fs::read(testdata().join("corpus/seeds/370283-pingdu-2024-07-16-points.txt"))
        .expect("seed");
    let submitted = d.request(
        "POST",
        "/api/v1/works/370200/api-draft/versions?published=2024-07-16&filename=points.txt&draft=true",
        &[("Authorization", &writer)],
        &text,
    );
    assert_eq!(submitted.status, 202, "{}", submitted.text());
    assert_eq!(
        submitted.header("location"),
        Some("/api/v1/drafts/370200/api-draft")
    );
    let draft = submitted.json();
    c.check("a submitted draft", "draft", &draft);
    assert_eq!(
        (draft["item"].as_str(), draft["state"].as_str()),
        (Some("370200/api-draft"), Some("pending"))
    );
    let jiedu =
        std::fs::read(testdata().join("drafts/370200-qingdao-2025-points-interpretation.txt"))
            .expect("sample");
    let added = d.request(
        "POST",
        "/api/v1/works/370200/api-draft-jiedu/versions?filename=jiedu.txt&draft=370200/api-draft",
        &[("Authorization", &writer)],
        &jiedu,
    );
    assert_eq!(added.status, 202, "{}", added.text());
    let draft = added.json();
    c.check("a draft with its interpretation", "draft", &draft);
    assert_eq!(
        (
            draft["round"].as_u64(),
            draft["works"].as_array().map(Vec::len)
        ),
        (Some(2), Some(2))
    );
    let tip = draft["tip"].as_str().expect("tip").to_string();

    // Nothing of it is public.
    assert_eq!(library.head().expect("head"), head);
    assert_eq!(d.get("/api/v1/works/370200/api-draft", &[]).status, 404);
    let feed = d.get("/feeds/regions/370200.atom", &[]).text();
    assert!(!feed.contains("api-draft"), "{feed}");
    let refs = d.get("/git/info/refs?service=git-upload-pack", &[]).text();
    assert!(!refs.contains("drafts"), "{refs}");

    // Reading drafts needs a token of the region.
    c.problem(
        "no token",
        &d.get("/api/v1/drafts", &[]),
        401,
        "unauthorized",
    );
    for token in [&writer, &reviewer] {
        let list = d.get("/api/v1/drafts", &[("Authorization", token)]);
        assert_eq!(list.status, 200, "{}", list.text());
        assert_eq!(list.header("cache-control"), Some("no-store"));
        c.check("drafts", "drafts", &list.json());
        assert_eq!(list.json()["drafts"][0]["item"], "370200/api-draft");
    }
    let review = d.get(
        "/api/v1/drafts/370200/api-draft",
        &[("Authorization", &reviewer)],
    );
    assert_eq!(review.status, 200, "{}", review.text());
    c.check("a draft's review", "draft_review", &review.json());
    assert_eq!(review.json()["works"][1]["work"], "370200/api-draft-jiedu");
    c.problem(
        "no such draft",
        &d.get(
            "/api/v1/drafts/370200/none",
            &[("Authorization", &reviewer)],
        ),
        404,
        "not-found",
    );

    // Only a reviewer decides, on the draft as read.
    let decide = |token: &str, tip: &str, note: &str| {
        d.request(
            "POST",
            "/api/v1/drafts/370200/api-draft/approve",
            &[
                ("Authorization", token),
                ("Content-Type", "application/json"),
            ],
            format!("{{\"tip\": \"{tip}\", \"note\": \"{note}\"}}").as_bytes(),
        )
    };
    c.problem(
        "a writer approving",
        &decide(&writer, &tip, "同意"),
        401,
        "unauthorized",
    );
    c.problem(
        "an old tip",
        &decide(
            &reviewer,
            "0123456789abcdef0123456789abcdef01234567",
            "同意",
        ),
        409,
        "conflict",
    );
    c.problem("no note", &decide(&reviewer, &tip, " "), 400, "bad-request");
    assert_eq!(library.head().expect("head"), head, "nothing was published");
    let approved = decide(&reviewer, &tip, "已审查，同意公开");
    assert_eq!(approved.status, 201, "{}", approved.text());
    let published = approved.json();
    c.check("the publication", "draft_published", &published);
    assert_eq!(published["works"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        published["review"]["reviewer"]["email"],
        "shencha@qingdao.example"
    );
    assert_eq!(d.get("/api/v1/works/370200/api-draft", &[]).status, 200);
    assert_eq!(
        d.get("/api/v1/works/370200/api-draft-jiedu", &[]).status,
        200
    );
    let list = d
        .get("/api/v1/drafts", &[("Authorization", &writer)])
        .json();
    assert_eq!(list["drafts"], serde_json::json!([]));
    let message = wenku_test_support::git::git_ok(
        &root.path().join("library.git"),
        &["log", "-1", "--format=%an|%cn%n%B", "main"],
    );
    assert!(
        message.starts_with("青岛市政务公开办|青岛市保密审查员\n"),
        "{message}"
    );
    assert!(
        message.contains("Wenku-Review-Note: 已审查，同意公开"),
        "{message}"
    );
    let history = d.get("/works/370200/api-draft/history", &[]).text();
    assert!(
        history.contains(
            "审查：青岛市保密审查员 &#60;shencha@qingdao.example&#62; 批准（已审查，同意公开）"
        ),
        "{history}"
    );
}

/// The reviewer's pages: Basic authentication with the reviewer's token,
/// the draft's text and the sweep's findings shown, a cross-site form
/// refused, a decision from the page published.
#[test]
fn the_reviewers_pages_show_a_draft_and_take_the_decision() {
    let root = tempfile::tempdir().expect("tmp");
    let library = build(&root.path().join("library.git"));
    let d = start_with_reviewer(root.path(), "[sweep]\nenabled = false\n");
    let relief =
        std::fs::read(testdata().join("sweep/370283-pingdu-2025-relief-list.txt")).expect("relief");
    let submitted = d.request(
        "POST",
        "/api/v1/works/370200/relief/versions?published=2025-06-03&filename=relief.txt&draft=true",
        &[("Authorization", &format!("Bearer {QINGDAO_TOKEN}"))],
        &relief,
    );
    assert_eq!(submitted.status, 202, "{}", submitted.text());
    let tip = submitted.json()["tip"].as_str().expect("tip").to_string();

    // "审查员:<token>" in base64, as a browser sends it.
    let basic = "Basic 5a6h5p+l5ZGYOnFpbmdkYW8tcmV2aWV3ZXItdG9rZW4tOTg3NjU0MzIxMA==";
    let anonymous = d.get("/review", &[]);
    assert_eq!(anonymous.status, 401);
    assert!(
        anonymous
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Basic"))
    );
    let writer_basic = d.get(
        "/review",
        &[(
            "Authorization",
            "Basic d3JpdGVyOnFpbmdkYW8td3JpdGVyLXRva2VuLTAxMjM0NTY3ODk=",
        )],
    );
    assert_eq!(
        writer_basic.status, 401,
        "a writer's token is not a reviewer's"
    );
    let list = d.get("/review", &[("Authorization", basic)]);
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(list.header("cache-control"), Some("no-store"));
    assert!(
        list.text().contains("/review/370200/relief"),
        "{}",
        list.text()
    );
    let page = d.get("/review/370200/relief", &[("Authorization", basic)]);
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("疑似个人信息") && html.contains("居民身份证号码"),
        "{html}"
    );
    // The reviewer reads the whole text; the list of findings is masked.
    let findings = html
        .split("<ul class=\"findings\">")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .expect("a list of findings");
    assert!(!findings.contains("370283198506124329"), "{findings}");
    assert!(
        html.contains("370283198506124329"),
        "the text is shown whole"
    );
    assert!(
        html.contains(&format!("name=\"tip\" value=\"{tip}\"")),
        "{html}"
    );

    let form = format!("tip={tip}&decision=approve&note=%E5%90%8C%E6%84%8F");
    let cross = d.request(
        "POST",
        "/review/370200/relief",
        &[
            ("Authorization", basic),
            ("Origin", "http://evil.example"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
    );
    assert_eq!(cross.status, 403, "{}", cross.text());
    // Returned from the page, with the reasons.
    let reasons =
        format!("tip={tip}&decision=return&note=%E5%90%AB%E4%B8%AA%E4%BA%BA%E4%BF%A1%E6%81%AF");
    let returned = d.request(
        "POST",
        "/review/370200/relief",
        &[
            ("Authorization", basic),
            ("Origin", "http://127.0.0.1"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        reasons.as_bytes(),
    );
    assert_eq!(returned.status, 303, "{}", returned.text());
    assert_eq!(
        returned.header("location"),
        Some("/review?done=returned&item=370200/relief")
    );
    let drafts = Library::open(root.path().join("library.git"))
        .expect("open")
        .drafts()
        .expect("drafts");
    assert!(
        matches!(&drafts[0].state, wenku_store::DraftState::Returned(r) if r.note == "含个人信息"),
        "{drafts:?}"
    );
    // The page now says so and offers no form; approving the old tip is refused.
    let page = d
        .get("/review/370200/relief", &[("Authorization", basic)])
        .text();
    assert!(
        page.contains("已退回") && !page.contains("<form class=\"review\""),
        "{page}"
    );
    let late = d.request(
        "POST",
        "/review/370200/relief",
        &[
            ("Authorization", basic),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
    );
    assert_eq!(late.status, 409, "{}", late.text());
    assert_eq!(
        library.head().expect("head"),
        Library::open(root.path().join("library.git"))
            .expect("open")
            .head()
            .expect("head")
    );
    assert_eq!(
        d.get("/api/v1/works/370200/relief", &[]).status,
        404,
        "never published"
    );

    // The quarter's sweep report is the reviewers' too, never public.
    let none = d.get("/review/sweep", &[("Authorization", basic)]).text();
    assert!(none.contains("本季度尚未巡查"), "{none}");
    let published = d.request(
        "POST",
        "/api/v1/works/370200/relief-list/versions?published=2025-06-03&filename=relief.txt",
        &[("Authorization", &format!("Bearer {QINGDAO_TOKEN}"))],
        &relief,
    );
    assert_eq!(published.status, 201, "{}", published.text());
    let lib = Library::open(root.path().join("library.git")).expect("open");
    let snapshot = lib.snapshot().expect("snapshot");
    let report = wenku_service::sweep::report::sweep(
        &lib,
        &snapshot,
        &wenku_service::sweep::detect::Detectors::new(Vec::new()),
        &[],
        Date::parse_iso("2025-06-01").expect("date"),
        &mut |_| {},
    )
    .expect("sweep");
    wenku_service::sweep::report::save(&lib, &report).expect("save");
    assert_eq!(d.get("/review/sweep", &[]).status, 401);
    let page = d.get("/review/sweep", &[("Authorization", basic)]);
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("安全巡查 2025-Q2") && html.contains("仍在公开"),
        "{html}"
    );
    assert!(
        html.contains("居民身份证号码") && html.contains("/works/370200/relief-list/versions/"),
        "{html}"
    );
    assert!(!html.contains("370283198506124329"), "masked: {html}");
}

/// The four levels' disclosure catalogues on one page: the province's
/// above the city's, with their items counted; a city's page shows the
/// levels above it, a province's those inside it.
#[test]
fn catalogues_of_the_levels_are_linked_on_one_page() {
    let root = tempfile::tempdir().expect("tmp");
    let library = build(&root.path().join("library.git"));
    let sample = testdata().join("catalogue/370200-2020-disclosure-catalogue.md");
    import_version(
        &library,
        &identity(),
        "370200/gongkai-mulu-2020",
        Some("青岛市主动公开基本目录（2020年版）"),
        Some(wenku_model::DocType::Catalogue),
        &sample,
        "2020-01-10",
    );
    let province = root.path().join("province.md");
    std::fs::write(
        &province,
        std::fs::read_to_string(&sample).expect("sample").replace(
            "青岛市主动公开基本目录（2020年版）",
            "山东省主动公开基本目录（2020年版）",
        ),
    )
    .expect("write");
    import_version(
        &library,
        &identity(),
        "370000/gongkai-mulu-2020",
        Some("山东省主动公开基本目录（2020年版）"),
        Some(wenku_model::DocType::Catalogue),
        &province,
        "2020-01-05",
    );
    library.refresh_index().expect("index");
    let d = start(root.path());
    let city = d.get("/catalogues?region=370200", &[]);
    assert_eq!(city.status, 200, "{}", city.text());
    let html = city.text();
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {html}"))
    };
    assert!(at("省级") < at("山东省主动公开基本目录") && at("山东省主动公开基本目录") < at("市级"));
    assert!(at("市级") < at("青岛市主动公开基本目录") && at("青岛市主动公开基本目录") < at("县级"));
    assert!(
        html.contains("href=\"/works/370200/gongkai-mulu-2020\""),
        "{html}"
    );
    assert!(html.contains("<td>4</td>"), "items counted: {html}");
    assert!(html.contains("尚无此级目录"), "{html}");
    let province = d.get("/catalogues?region=370000", &[]).text();
    assert!(
        province.contains("青岛市主动公开基本目录"),
        "the city's is inside the province: {province}"
    );
    let bad = d.get("/catalogues?region=37", &[]);
    assert_eq!(bad.status, 400, "{}", bad.text());
}
