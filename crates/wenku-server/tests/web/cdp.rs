//! A small client of the Chrome DevTools Protocol: enough to drive
//! Debian's chromium from a test — open pages, wait for them to load, read
//! the DOM, fill in and submit forms, collect console errors and failed
//! requests, take screenshots at desktop and phone sizes.
//!
//! The browser is started headless with its own profile in a temporary
//! directory and `--remote-debugging-port=0`; the client reads the
//! WebSocket address it prints and speaks JSON-RPC over it (tungstenite),
//! attached to one page target in flat session mode. The browser is
//! killed when the client is dropped.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// How long one protocol call or page load may take.
const DEADLINE: Duration = Duration::from_secs(60);

/// The browser executable: `WENKU_CHROMIUM`, else Debian's.
pub fn executable() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("WENKU_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// What a page load saw.
#[derive(Debug, Default)]
pub struct Load {
    /// The HTTP status of the page itself.
    pub status: u16,
    /// Console errors, uncaught exceptions and failed sub-requests.
    pub errors: Vec<String>,
}

pub struct Browser {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next: u64,
    /// Events received and not yet looked at.
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Starts the browser and opens one blank page.
    pub fn launch(executable: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let mut child = Command::new(executable)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--metrics-recording-only",
                "--mute-audio",
                "--hide-scrollbars",
                "--lang=zh-CN",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", executable.display()));
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent && let Some(at) = line.find("ws://") {
                    let _ = tx.send(line[at..].trim().to_string());
                    sent = true;
                }
            }
        });
        let url = rx
            .recv_timeout(DEADLINE)
            .expect("the browser prints its DevTools address");
        assert!(url.starts_with("ws://127.0.0.1:"), "{url}");
        let (ws, _) = tungstenite::connect(url.as_str()).expect("DevTools WebSocket");
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(DEADLINE)).expect("timeout");
        }
        let mut b = Browser {
            child,
            ws,
            session: String::new(),
            next: 0,
            events: Vec::new(),
            _profile: profile,
        };
        let target = b.call_browser("Target.createTarget", json!({"url": "about:blank"}));
        let id = target["targetId"].as_str().expect("targetId").to_string();
        let attached = b.call_browser(
            "Target.attachToTarget",
            json!({"targetId": id, "flatten": true}),
        );
        b.session = attached["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string();
        for domain in [
            "Page.enable",
            "Runtime.enable",
            "Log.enable",
            "Network.enable",
        ] {
            b.call(domain, json!({}));
        }
        b
    }

    fn send(&mut self, method: &str, params: Value, session: bool) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if session {
            msg["sessionId"] = json!(self.session);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .expect("send to the browser");
        let started = Instant::now();
        loop {
            assert!(started.elapsed() < DEADLINE, "{method}: no answer");
            let v = self.read();
            if v["id"].as_u64() == Some(id) {
                if let Some(e) = v.get("error") {
                    panic!("{method} failed: {e}");
                }
                return v["result"].clone();
            }
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
    }

    fn read(&mut self) -> Value {
        loop {
            match self.ws.read().expect("read from the browser") {
                Message::Text(t) => return serde_json::from_str(t.as_str()).expect("JSON"),
                Message::Close(_) => panic!("the browser closed the connection"),
                _ => continue,
            }
        }
    }

    fn call_browser(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, false)
    }

    /// Calls `method` on the page.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, true)
    }

    /// Waits for an event named `method`, returning it (events before it
    /// stay queued).
    fn wait_for(&mut self, method: &str) -> Value {
        let started = Instant::now();
        loop {
            if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
                return self.events.remove(i);
            }
            assert!(started.elapsed() < DEADLINE, "no {method} event");
            let v = self.read();
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
    }

    /// Sets the viewport: `mobile` emulates a phone (touch, device scale 2).
    pub fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": if mobile { 2 } else { 1 },
                "mobile": mobile,
            }),
        );
    }

    /// Opens `url` and waits until it has loaded.
    pub fn goto(&mut self, url: &str) -> Load {
        self.events.clear();
        let r = self.call("Page.navigate", json!({"url": url}));
        if let Some(e) = r.get("errorText").and_then(Value::as_str) {
            return Load {
                status: 0,
                errors: vec![format!("{url}: {e}")],
            };
        }
        self.finish_load(url)
    }

    /// Runs `script` (which navigates, e.g. submits a form) and waits for
    /// the new page to load.
    pub fn navigate_by(&mut self, script: &str) -> Load {
        self.events.clear();
        self.eval(script);
        self.finish_load("(navigation)")
    }

    fn finish_load(&mut self, url: &str) -> Load {
        self.wait_for("Page.loadEventFired");
        let mut load = Load::default();
        for e in std::mem::take(&mut self.events) {
            let p = &e["params"];
            match e["method"].as_str().unwrap_or("") {
                "Network.responseReceived" => {
                    let status = p["response"]["status"].as_u64().unwrap_or(0) as u16;
                    if p["type"] == "Document" {
                        load.status = status;
                    } else if status >= 400 {
                        load.errors
                            .push(format!("{url}: {} answered {status}", p["response"]["url"]));
                    }
                }
                "Network.loadingFailed" if p["type"] != "Document" => {
                    load.errors.push(format!("{url}: a request failed: {p}"))
                }
                "Runtime.exceptionThrown" => load.errors.push(format!("{url}: exception {p}")),
                "Runtime.consoleAPICalled" if p["type"] == "error" || p["type"] == "warning" => {
                    load.errors.push(format!("{url}: console {p}"))
                }
                "Log.entryAdded" if p["entry"]["level"] == "error" => {
                    load.errors.push(format!("{url}: log {}", p["entry"]))
                }
                _ => {}
            }
        }
        load
    }

    /// Evaluates `expression` in the page and returns its value (JSON).
    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{expression}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Prints the page as the print style sheet lays it out (its
    /// `@page` size) and returns the PDF.
    pub fn print_to_pdf(&mut self) -> Vec<u8> {
        let r = self.call(
            "Page.printToPDF",
            json!({"preferCSSPageSize": true, "printBackground": false}),
        );
        base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().expect("PDF data"))
            .expect("base64")
    }

    /// Saves a PNG of the viewport to `path`.
    pub fn screenshot(&mut self, path: &Path) {
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let data = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().expect("image data"))
            .expect("base64");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        std::fs::write(path, data).expect("write screenshot");
    }
}
