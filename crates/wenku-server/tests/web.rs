//! The archivists' web pages, against a real wenkud on 127.0.0.1 serving
//! a library of real documents: first over plain HTTP (statuses, error
//! pages, escaping, caching, compression), then in Debian's chromium,
//! driven over the DevTools protocol (`web/cdp.rs`): every page reachable
//! from the home page loads with 200 and no console error, every link
//! within the node and every in-page anchor resolves, the compare page
//! of a real amended law shows exactly the changes the comparison finds,
//! the date picker changes the text shown, an interpretation and the
//! document it interprets link to each other. Screenshots of the main
//! pages at desktop and phone widths are saved in
//! `target/web-screenshots/` (or `WENKU_SCREENSHOTS`).
//!
//! Without a browser the browser test says so and passes, unless
//! `WENKU_REQUIRE_BROWSER` is set (CI sets it and installs chromium).

#[path = "web/cdp.rs"]
mod cdp;

use std::collections::{BTreeSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wenku_model::{Date, Region, WorkId};
use wenku_store::{Identity, InitOptions, Library, SteppingClock};
use wenku_test_support::fixtures::import_version;
use wenku_test_support::paths::{testdata, workspace};

/// The day the pages are made on (`WENKU_TODAY`).
const TODAY: &str = "2025-06-01";

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
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Daemon {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// A raw HTTP/1.1 GET (bodies are read whole; no chunked encoding is
    /// expected from a `Connection: close` request with a known length,
    /// but it is undone if it comes).
    fn get(&self, target: &str, headers: &[(&str, &str)]) -> Answer {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let mut request =
            format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (n, v) in headers {
            request.push_str(&format!("{n}: {v}\r\n"));
        }
        request.push_str("\r\n");
        s.write_all(request.as_bytes()).expect("send");
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
            .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
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

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..eol])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
}

fn identity() -> Identity {
    Identity::new("wenku test", "test@wenku.invalid").expect("identity")
}

fn add(library: &Library, work: &str, title: Option<&str>, path: &Path, published: &str) {
    import_version(library, &identity(), work, title, None, path, published);
}

const FANGYI: &str = "100000/dongwu-fangyi";
const HUAIYIN_POINTS: &str = "370104/hy-2025-points";
const HUAIYIN_READING: &str = "370104/hy-2025-reading";
const MARKUP: &str = "370283/markup";

/// A national library hosting Shandong, Jinan's Huaiyin district, Qingdao
/// and Pingdu, with real laws in several versions and the seeds.
fn build(dir: &Path) {
    let r = |s: &str| Region::parse(s).expect("region");
    let library = Library::init(
        dir.join("library.git"),
        r("100000"),
        InitOptions::new(identity())
            .clock(Arc::new(SteppingClock::new(
                wenku_store::Timestamp::new(1_700_000_000, 480).expect("time"),
                60,
            )))
            .hosting(r("370000"))
            .hosting(r("370104"))
            .hosting(r("370200"))
            .hosting(r("370283")),
    )
    .expect("init");
    let corpus = testdata().join("corpus");
    let law = "中华人民共和国动物防疫法";
    for date in [
        "1997-07-03",
        "2007-08-30",
        "2013-06-29",
        "2015-04-24",
        "2021-01-22",
    ] {
        add(
            &library,
            FANGYI,
            Some(law),
            &corpus.join(format!("laws/cn-law-dongwufangyifa/{date}.txt")),
            date,
        );
    }
    for date in ["2015-03-15", "2023-03-13"] {
        add(
            &library,
            "100000/lifa",
            Some("中华人民共和国立法法"),
            &corpus.join(format!("laws/cn-law-lifafa/{date}.md")),
            date,
        );
    }
    add(
        &library,
        "370200/qd-2025-points",
        Some("2025年青岛市政务公开工作要点"),
        &corpus.join("seeds/370200-qingdao-2025-05-16-points.txt"),
        "2025-05-16",
    );
    add(
        &library,
        "370283/pd-2024-points",
        Some("2024年平度市政务公开工作要点"),
        &corpus.join("seeds/370283-pingdu-2024-07-16-points.txt"),
        "2024-07-16",
    );
    add(
        &library,
        HUAIYIN_POINTS,
        None,
        &testdata().join("web/370104-huaiyin-2025-points-standin.txt"),
        "2025-04-30",
    );
    add(
        &library,
        HUAIYIN_READING,
        None,
        &corpus.join("seeds/370104-huaiyin-2025-interpretation.txt"),
        "2025-05-06",
    );
    add(
        &library,
        MARKUP,
        None,
        &testdata().join("web/370283-markup-in-text.txt"),
        "2025-03-03",
    );
}

fn start(root: &Path) -> Daemon {
    let dir = root.to_path_buf();
    std::fs::write(
        dir.join("wenku.toml"),
        "library = \"library.git\"\nregion = \"100000\"\nlisten = \"127.0.0.1:0\"\n\
         [identity]\nname = \"web test\"\nemail = \"web@wenku.invalid\"\n",
    )
    .expect("config");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wenkud"))
        .arg("--config")
        .arg(dir.join("wenku.toml"))
        .arg("--listen-stdin")
        .env("WENKU_LOG", "info")
        .env("WENKU_TODAY", TODAY)
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

fn library_and_daemon() -> (tempfile::TempDir, Daemon) {
    let tmp = tempfile::tempdir().expect("tmp");
    build(tmp.path());
    let daemon = start(tmp.path());
    (tmp, daemon)
}

#[test]
fn pages_answer_in_html_with_the_right_status_and_escape_every_text() {
    let (_tmp, d) = library_and_daemon();
    for path in [
        "/".to_string(),
        "/regions/100000".into(),
        "/regions/370000".into(),
        "/regions/370000?type=policy&status=in-force&at=2025-01-01&sort=title".into(),
        format!("/works/{FANGYI}"),
        format!("/works/{FANGYI}?at=2010-01-01"),
        format!("/works/{FANGYI}/compare"),
        format!("/works/{FANGYI}/history"),
        format!("/works/{HUAIYIN_READING}"),
        "/node".into(),
        // 要点: three works' titles.
        "/find?q=%E8%A6%81%E7%82%B9".into(),
    ] {
        let a = d.get(&path, &[]);
        assert_eq!(a.status, 200, "{path}: {}", a.text());
        assert_eq!(
            a.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        let html = a.text();
        assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(html.contains("<title>"), "{path}");
        assert!(html.contains("<main id=\"main\">"), "{path}");
        assert!(!html.contains("<script"), "{path}: pages carry no scripts");
        if path != "/node" {
            assert!(
                a.header("server-timing")
                    .is_some_and(|t| t.starts_with("app;dur=")),
                "{path}: {:?}",
                a.headers
            );
        }
    }

    // Text from documents is escaped, wherever it appears.
    let markup = d.get(&format!("/works/{MARKUP}"), &[]).text();
    assert!(markup.contains("&lt;script&gt;alert(&quot;wenku&quot;)&lt;/script&gt;"));
    assert!(markup.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
    assert!(markup.contains("&amp;amp;"));
    assert!(!markup.contains("<script") && !markup.contains("<img"));

    // Bad input: a readable page with the right status and a way back.
    let unknown_rev = "0".repeat(64);
    for (path, status, says) in [
        (
            "/works/100000/no-such-work".to_string(),
            404,
            "本库没有编号为 100000/no-such-work 的文件",
        ),
        ("/regions/123".into(), 404, "不是地区代码"),
        ("/regions/999999".into(), 404, "不是地区代码"),
        (format!("/works/{FANGYI}?at=2023-02-30"), 400, "2023-02-30"),
        (format!("/works/{FANGYI}?at=yesterday"), 400, "yesterday"),
        (format!("/works/{FANGYI}/versions/zzz"), 404, "没有版本"),
        (
            format!("/works/{FANGYI}/versions/{unknown_rev}"),
            404,
            "没有版本",
        ),
        (format!("/works/{FANGYI}/compare?from=v9"), 404, "v9"),
        (
            format!("/works/{FANGYI}/compare?from=v2&to=v2"),
            422,
            "同一个版本",
        ),
        ("/works/..%2F..%2Fetc/passwd".into(), 404, "不是文件编号"),
        ("/works/100000/%2E%2E".into(), 404, "不是文件编号"),
        ("/works/100000/a%00b".into(), 404, "不是文件编号"),
        ("/works/100000/%3Cscript%3E".into(), 404, "&#60;script&#62;"),
        ("/regions/370000?page=99".into(), 404, "没有第 99 页"),
        ("/regions/370000?year=20x5".into(), 400, "20x5"),
        ("/no/such/page".into(), 404, "没有 /no/such/page 这个页面"),
        ("/works/100000/%FF%FE".into(), 400, "网址有误"),
    ] {
        let a = d.get(&path, &[]);
        let html = a.text();
        assert_eq!(a.status, status, "{path}: {html}");
        assert_eq!(
            a.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert!(html.contains(says), "{path}: {html}");
        assert!(html.contains("<a href=\"/\">返回首页</a>"), "{path}");
        assert!(!html.contains("<script"), "{path}: {html}");
    }

    // A revision prefix is sent to the version's lasting address.
    let page = d.get(&format!("/works/{FANGYI}/compare"), &[]).text();
    let full = page
        .split("name=\"to\">")
        .nth(1)
        .and_then(|s| s.split("selected").next())
        .and_then(|s| s.rsplit("value=\"").next())
        .map(|s| s.trim_end_matches("\"").trim_end_matches('"').to_string())
        .expect("the selected revision");
    let full: String = full.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    assert_eq!(full.len(), 64, "{full}");
    let a = d.get(&format!("/works/{FANGYI}/versions/{}", &full[..10]), &[]);
    assert_eq!(a.status, 303);
    assert_eq!(
        a.header("location"),
        Some(format!("/works/{FANGYI}/versions/{full}").as_str())
    );

    // Conditional requests and compression.
    let first = d.get(&format!("/works/{FANGYI}"), &[]);
    let etag = first.header("etag").expect("an ETag").to_string();
    let again = d.get(&format!("/works/{FANGYI}"), &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    let gz = d.get(&format!("/works/{FANGYI}"), &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(
        gz.body.len() * 3 < first.body.len(),
        "gzip: {} of {} bytes",
        gz.body.len(),
        first.body.len()
    );
    let css = d.get("/assets/wenku.css", &[]);
    assert_eq!(css.status, 200);
    assert!(
        css.header("cache-control")
            .is_some_and(|c| c.contains("immutable"))
    );
    assert!(css.text().contains("@media print"));

    // Search: words marked in the article they were found in, a typo
    // corrected and said, pinyin, facets that filter; the API the same.
    let a = d.get(
        "/search?q=%E9%87%8D%E5%A4%A7%E5%8A%A8%E7%89%A9%E7%96%AB%E6%83%85",
        &[],
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let html = a.text();
    assert!(html.contains("<mark>重大动物疫情</mark>"), "{html}");
    assert!(
        html.contains(&format!("href=\"/works/{FANGYI}#第")),
        "{html}"
    );
    let typo = d
        .get("/search?q=%E5%8A%A8%E7%89%A9%E9%98%B2%E5%BD%B9", &[])
        .text();
    assert!(
        typo.contains("以下是 “<strong>动物防疫</strong>” 的结果"),
        "{typo}"
    );
    let pinyin = d.get("/search?q=lifa", &[]).text();
    assert!(pinyin.contains("中华人民共和国立法法"), "{pinyin}");
    let hostile = d.get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", &[]);
    assert_eq!(hostile.status, 200);
    assert!(!hostile.text().contains("<script"), "{}", hostile.text());
    let bad = d.get("/search?q=x&at=2023-02-30", &[]);
    assert_eq!(bad.status, 400);
    let api = d.get(
        "/api/v1/search?q=%E5%8A%A8%E7%89%A9%E9%98%B2%E7%96%AB&at=2010-01-01",
        &[],
    );
    assert_eq!(api.status, 200, "{}", api.text());
    let json: serde_json::Value = serde_json::from_slice(&api.body).expect("JSON");
    assert_eq!(json["hits"][0]["work"], FANGYI);
    assert_eq!(json["hits"][0]["status"], "superseded");
    assert_eq!(d.get("/api/v1/search", &[]).status, 400);

    // The look-up: a document number in other brackets, a title word.
    let a = d.get("/find?q=%E5%8A%A8%E7%89%A9%E9%98%B2%E7%96%AB", &[]);
    assert_eq!(a.status, 303, "{}", a.text());
    assert_eq!(
        a.header("location"),
        Some(format!("/works/{FANGYI}").as_str())
    );
}

/// Every link of `page` (absolute, fragment removed) and the in-page
/// anchors that do not resolve.
const LINKS: &str = r##"(() => {
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
  const missing = Array.from(document.querySelectorAll('a[href^="#"]'))
    .map(a => decodeURIComponent(a.getAttribute('href').slice(1)))
    .filter(id => id !== '' && !document.getElementById(id));
  return {links, missing};
})()"##;

/// What every page must have for people using assistive technology and
/// the keyboard: a language, a title, one `h1`, the landmarks, a label
/// for every form field, a skip link to the main content, tables with
/// header cells.
const A11Y: &str = r##"(() => {
  const problems = [];
  if (document.documentElement.lang !== 'zh-CN') problems.push('lang is ' + document.documentElement.lang);
  if (!document.title.trim()) problems.push('no title');
  if (document.querySelectorAll('h1').length !== 1) problems.push(document.querySelectorAll('h1').length + ' h1');
  for (const sel of ['header', 'main#main', 'footer', 'a.skip[href="#main"]']) {
    if (!document.querySelector(sel)) problems.push('no ' + sel);
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type !== 'hidden' && el.labels.length === 0) problems.push('unlabelled ' + (el.name || el.id));
  }
  for (const t of document.querySelectorAll('table.list, table.diff:not(.folded), table.comparison')) {
    if (!t.querySelector('th')) problems.push('a table without header cells');
  }
  const canonical = document.querySelector('link[rel="canonical"]');
  if (!canonical) problems.push('no permalink');
  return {title: document.title, canonical: canonical && canonical.href, problems};
})()"##;

#[test]
fn pages_in_a_real_browser() {
    let Some(exe) = cdp::executable() else {
        assert!(
            std::env::var_os("WENKU_REQUIRE_BROWSER").is_none(),
            "WENKU_REQUIRE_BROWSER is set but no chromium was found (apt-get install chromium)"
        );
        eprintln!(
            "no chromium: the browser test is skipped (apt-get install chromium fonts-noto-cjk)"
        );
        return;
    };
    let (_tmp, d) = library_and_daemon();
    let mut b = cdp::Browser::launch(&exe);
    b.viewport(1280, 900, false);
    let origin = d.url("");

    // Crawl every page within the node from the home page (and from a
    // search, whose form the crawl cannot fill in).
    let mut queue: VecDeque<String> = VecDeque::from([
        d.url("/"),
        d.url("/search?q=%E5%8A%A8%E7%89%A9%E9%98%B2%E7%96%AB"),
    ]);
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut pages = 0;
    let mut other = BTreeSet::new();
    let mut titles = std::collections::BTreeMap::new();
    while let Some(url) = queue.pop_front() {
        let load = b.goto(&url);
        pages += 1;
        assert_eq!(load.status, 200, "{url}");
        assert!(load.errors.is_empty(), "{url}: {:#?}", load.errors);
        let a11y = b.eval(A11Y);
        assert_eq!(a11y["problems"], serde_json::json!([]), "{url}: {a11y}");
        // Two pages share a title only if they are one page (the same
        // permalink): a bookmark's title tells pages apart.
        let title = a11y["title"].as_str().unwrap_or("").to_string();
        let canonical = a11y["canonical"].as_str().unwrap_or("").to_string();
        let first = titles
            .entry(title.clone())
            .or_insert_with(|| canonical.clone());
        assert_eq!(
            *first, canonical,
            "{url}: the title {title:?} is another page's too"
        );
        let found = b.eval(LINKS);
        let missing = found["missing"].as_array().expect("missing");
        assert!(
            missing.is_empty(),
            "{url}: anchors without a target: {missing:?}"
        );
        for link in found["links"].as_array().expect("links") {
            let link = link.as_str().expect("href");
            let link = link.split('#').next().unwrap_or(link).to_string();
            if !link.starts_with(&origin) {
                continue;
            }
            let path = &link[origin.len()..];
            // JSON, XML, feeds and downloads are checked over HTTP.
            if path.starts_with("/api/")
                || path.starts_with("/feeds/")
                || path.starts_with("/openapi.json")
                || path == "/status"
            {
                other.insert(path.to_string());
                continue;
            }
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
        assert!(pages < 400, "the crawl does not end");
    }
    for path in &other {
        let a = d.get(path, &[]);
        assert_eq!(a.status, 200, "{path}: {}", a.text());
    }
    assert!(pages >= 20, "only {pages} pages reached from the home page");
    assert!(!other.is_empty());
    eprintln!("crawled {pages} pages and {} other links", other.len());

    // The compare page of a real amended law shows exactly the changes
    // the comparison finds, with the renumbering, in the DOM.
    let lib = Library::open(d.dir.join("library.git")).expect("open");
    let snap = lib.snapshot().expect("snapshot");
    let work = WorkId::parse(FANGYI).expect("work");
    let record = snap.record(&work).expect("read").expect("record");
    let (v4, v5) = (&record.versions[3], &record.versions[4]);
    let expected = wenku_diff::compare(
        &snap.document(&work, &v4.revision).expect("v4"),
        &snap.document(&work, &v5.revision).expect("v5"),
        &wenku_diff::Options::default(),
    );
    let load = b.goto(&d.url(&format!("/works/{FANGYI}/compare")));
    assert_eq!(load.status, 200);
    let rows = b.eval(
        r#"Array.from(document.querySelectorAll('table.diff tr[data-kind]')).map(r => [
             r.dataset.kind, r.dataset.from || '', r.dataset.to || '', r.dataset.renumbered === 'true',
             r.closest('details') !== null])"#,
    );
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), expected.changes.len());
    let mut shown_changed = 0;
    for (row, change) in rows.iter().zip(&expected.changes) {
        let label = |u: &Option<wenku_diff::UnitRef>| {
            u.as_ref().and_then(|u| u.label.clone()).unwrap_or_default()
        };
        assert_eq!(row[0], change.kind.as_str(), "{row}");
        assert_eq!(row[1], label(&change.from).as_str(), "{row}");
        assert_eq!(row[2], label(&change.to).as_str(), "{row}");
        assert_eq!(row[3], change.renumbered, "{row}");
        // Changed rows are never folded away.
        if change.is_substantive() {
            assert_eq!(row[4], false, "{row}");
            shown_changed += 1;
        }
    }
    assert!(shown_changed > 50, "{shown_changed}");
    assert!(expected.summary.renumbered > 50);
    // Each renumbered unit says so where a reader looks: `第六十九条 → 第六十八条`.
    let renumbered_shown = b.eval(
        r#"Array.from(document.querySelectorAll('table.diff tr[data-renumbered="true"]'))
             .every(r => {
               const t = r.querySelector('td.new .label').textContent;
               return t.includes(r.dataset.from) && t.endsWith(' → ' + r.dataset.to);
             })"#,
    );
    assert_eq!(renumbered_shown, true);
    // The 对照表 lists the substantive changes, one row each.
    let table_rows = b.eval("document.querySelectorAll('table.comparison tbody tr').length");
    assert!(table_rows.as_u64().unwrap_or(0) > 50, "{table_rows}");
    // Runs of unchanged articles are folded (the 2023 立法法 left many
    // alone), and only those.
    b.goto(&d.url("/works/100000/lifa/compare"));
    let folded = b.eval(
        r#"[document.querySelectorAll('table.diff tr.fold details').length,
            Array.from(document.querySelectorAll('tr.fold details tr[data-kind]')).every(r => r.dataset.kind === 'unchanged')]"#,
    );
    assert!(folded[0].as_u64().unwrap_or(0) >= 1, "{folded}");
    assert_eq!(folded[1], true);

    // Printed, the compare page is the 对照表 alone, on A4.
    b.call(
        "Emulation.setEmulatedMedia",
        serde_json::json!({"media": "print"}),
    );
    let printed = b.eval(
        r#"[getComputedStyle(document.querySelector('section.noprint')).display,
            getComputedStyle(document.querySelector('header')).display,
            getComputedStyle(document.querySelector('table.comparison')).display,
            getComputedStyle(document.querySelector('table.comparison thead')).display]"#,
    );
    assert_eq!(
        printed,
        serde_json::json!(["none", "none", "table", "table-header-group"])
    );
    b.call(
        "Emulation.setEmulatedMedia",
        serde_json::json!({"media": ""}),
    );
    let pdf = b.print_to_pdf();
    let text = String::from_utf8_lossy(&pdf);
    // A4 is 595.28 × 841.89 points (Letter would be 612 × 792); chromium
    // rounds through CSS pixels.
    let media_box: Vec<f64> = text
        .split("/MediaBox [")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .map(|b| {
            b.split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        media_box.len() == 4
            && (media_box[2] - 595.28).abs() < 2.0
            && (media_box[3] - 841.89).abs() < 2.0,
        "not A4: {media_box:?}"
    );
    eprintln!("the 对照表 prints on A4 ({} bytes of PDF)", pdf.len());
    let dir = std::env::var_os("WENKU_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/web-screenshots"));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("compare-print.pdf"), &pdf).expect("pdf");

    // The date picker changes the text shown.
    b.goto(&d.url(&format!("/works/{FANGYI}")));
    let shown = b.eval("document.querySelector('article.text').dataset.revision");
    assert_eq!(shown, v5.revision.to_string());
    let load = b.navigate_by(
        "document.getElementById('at').value = '2010-01-01'; document.getElementById('at').form.submit()",
    );
    assert_eq!(load.status, 200);
    assert!(load.errors.is_empty(), "{:?}", load.errors);
    let url = b.eval("location.pathname + location.search");
    assert_eq!(url, format!("/works/{FANGYI}?at=2010-01-01"));
    let in_2010 = record
        .version_at(Date::parse_iso("2010-01-01").expect("date"))
        .expect("a version in force in 2010");
    let shown = b.eval("document.querySelector('article.text').dataset.revision");
    assert_eq!(shown, in_2010.revision.to_string());
    assert_ne!(in_2010.revision, v5.revision);
    let banner = b.eval("document.querySelector('p.banner').textContent");
    assert!(
        banner
            .as_str()
            .is_some_and(|t| t.contains("2010-01-01") && t.contains("不是今日的现行文本")),
        "{banner}"
    );

    // The interpretation links to the document it interprets, and back.
    b.goto(&d.url(&format!("/works/{HUAIYIN_READING}")));
    let to = b.eval(
        "Array.from(document.querySelectorAll('p.banner a')).map(a => a.getAttribute('href'))",
    );
    assert_eq!(to, serde_json::json!([format!("/works/{HUAIYIN_POINTS}")]));
    b.goto(&d.url(&format!("/works/{HUAIYIN_POINTS}")));
    let back = b.eval(
        "Array.from(document.querySelectorAll('aside.side h2')).filter(h => h.textContent === '政策解读')
           .map(h => Array.from(h.nextElementSibling.querySelectorAll('a')).map(a => a.getAttribute('href')))",
    );
    assert_eq!(
        back,
        serde_json::json!([[format!("/works/{HUAIYIN_READING}")]])
    );

    // Articles are addressable.
    let load = b.goto(&d.url(&format!("/works/{FANGYI}#第五十七条")));
    assert_eq!(load.status, 200);
    let target =
        b.eval("document.querySelector(':target') && document.querySelector(':target').id");
    assert_eq!(target, "第五十七条");

    // Screenshots of the main pages, desktop and phone.
    let shots = [
        ("home", "/".to_string()),
        ("region", "/regions/370000".into()),
        ("work", format!("/works/{FANGYI}")),
        (
            "version",
            format!("/works/{FANGYI}/versions/{}", v4.revision),
        ),
        ("compare", format!("/works/{FANGYI}/compare")),
        ("interpretation", format!("/works/{HUAIYIN_READING}")),
        ("error", "/works/100000/no-such-work".into()),
    ];
    for (width, height, mobile, suffix) in
        [(1280, 900, false, "desktop"), (390, 844, true, "phone")]
    {
        b.viewport(width, height, mobile);
        for (name, path) in &shots {
            b.goto(&d.url(path));
            // Nothing wider than the screen: no sideways scrolling.
            let overflow = b.eval(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth",
            );
            assert!(
                overflow.as_i64().unwrap_or(0) <= 0,
                "{name} at {width}px scrolls sideways by {overflow}px"
            );
            b.screenshot(&dir.join(format!("{name}-{suffix}.png")));
        }
    }
    eprintln!("screenshots in {}", dir.display());
}
