//! Drives the real `wenku` binary over real libraries: every command, human
//! output as snapshots, JSON output against `schemas/cli-1.schema.json`, and
//! refused inputs that must leave `main` where it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const TODAY: &str = "2026-01-15";

fn corpus(path: &str) -> PathBuf {
    wenku_test_support::paths::corpus_dir().join(path)
}

/// A temporary directory with a hermetic environment for the binary.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn lib(&self) -> PathBuf {
        self.dir.path().join("lib")
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_wenku"));
        c.current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("WENKU_TODAY", TODAY)
            .env("WENKU_AUTHOR_NAME", "档案员 张")
            .env("WENKU_AUTHOR_EMAIL", "clerk@qingdao.example")
            .env("NO_COLOR", "1");
        c
    }

    /// Runs `wenku -C lib ARGS`.
    fn run(&self, args: &[&str]) -> Output {
        let mut c = self.cmd();
        c.arg("-C").arg(self.lib()).args(args);
        c.output().expect("the binary runs")
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "wenku {args:?} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Runs and expects failure with `code`; returns stderr.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "wenku {args:?}: expected exit {code}; stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("UTF-8 output")
    }

    fn main_head(&self) -> String {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(self.lib())
            .args(["rev-parse", "refs/heads/main"])
            .output()
            .expect("git runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// How many commits `main` has after `from`.
    fn commits_since(&self, from: &str) -> usize {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(self.lib())
            .args(["rev-list", "--count", &format!("{from}..main")])
            .output()
            .expect("git runs");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a count")
    }

    /// A library of Qingdao (hosting Pingdu) with the two seed documents,
    /// and the national 立法法 in two versions in a second library.
    fn qingdao(&self) {
        self.ok(&["init", "--region", "370200", "--host", "370283"]);
        let qd = corpus("seeds/370200-qingdao-2025-05-16-points.txt");
        let pd = corpus("seeds/370283-pingdu-2024-07-16-points.txt");
        self.ok(&["import", qd.to_str().expect("UTF-8 path")]);
        self.ok(&[
            "import",
            "--region",
            "370283",
            pd.to_str().expect("UTF-8 path"),
        ]);
    }
}

/// Replaces what depends on the clock (commit ids), the node's random key
/// (fingerprints) and the temp dir.
fn redact(s: &str, env: &Env) -> String {
    let s = s.replace(&env.dir.path().display().to_string(), "[tmp]");
    let s = match s.find("SHA256:") {
        None => s,
        Some(_) => {
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(at) = rest.find("SHA256:") {
                out.push_str(&rest[..at]);
                out.push_str("[fingerprint]");
                let tail = &rest[at + "SHA256:".len()..];
                let end = tail
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/'))
                    .unwrap_or(tail.len());
                rest = &tail[end..];
            }
            out.push_str(rest);
            out
        }
    };
    let s = s.replace(&corpus("").display().to_string(), "[corpus]/");
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() == 10 || run.len() == 40 {
            out.push_str("[commit]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_hexdigit() && !c.is_ascii_uppercase() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Checks every line of `out` (JSON Lines) against the schema of `def`.
fn check_json(def: &str, out: &str) -> Vec<Value> {
    let validator = wenku_test_support::schema::validator("cli-1.schema.json", Some(def));
    let values: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert!(!values.is_empty(), "no JSON output for {def}");
    for value in &values {
        wenku_test_support::schema::check(&validator, def, value);
    }
    values
}

#[test]
fn init_import_ls_show_and_find_on_the_seeds() {
    let env = Env::new();
    env.qingdao();
    let ls = env.ok(&["ls"]);
    insta::assert_snapshot!("ls", redact(&ls, &env));
    let rows = check_json("ls", &env.ok(&["ls", "--json"]));
    assert_eq!(rows.len(), 2);
    let qingdao = rows
        .iter()
        .find(|r| r["work"].as_str().is_some_and(|w| w.starts_with("370200/")))
        .expect("Qingdao");
    let work = qingdao["work"].as_str().expect("work id").to_string();

    // Filters.
    assert_eq!(
        env.ok(&["ls", "--region", "370283", "--json"])
            .lines()
            .count(),
        1
    );
    assert_eq!(
        env.ok(&["ls", "--type", "policy", "--json"])
            .lines()
            .count(),
        2
    );
    assert_eq!(
        env.ok(&["ls", "--status", "in-force", "--at", "2025-01-01", "--json"])
            .lines()
            .count(),
        1
    );
    assert_eq!(
        env.ok(&[
            "ls",
            "--status",
            "not-yet-effective",
            "--at",
            "2025-01-01",
            "--json"
        ])
        .lines()
        .count(),
        1
    );

    // show: text as on paper, canonical XML exactly as stored, JSON tree.
    let text = env.ok(&["show", &work]);
    assert!(text.starts_with("各区、市人民政府"), "{text}");
    assert!(text.contains("(一)完善主动公开机制。健全主动公开事项目录制度"));
    let xml = env.ok(&["show", &work, "--format", "xml"]);
    let revision = qingdao["revision"].as_str().expect("revision");
    assert_eq!(wenku_model_revision(xml.as_bytes()), revision);
    let doc = &check_json("show", &env.ok(&["show", &work, "--format", "json"]))[0];
    assert_eq!(doc["revision"], qingdao["revision"]);
    let parts: Vec<&Value> = doc["body"]
        .as_array()
        .expect("body")
        .iter()
        .filter(|n| n["kind"] == "entry")
        .collect();
    assert_eq!(parts.len(), 4);
    assert_eq!(parts[0]["label"], "一、");
    assert_eq!(parts[0]["children"][0]["label"], "(一)");
    assert_eq!(parts[0]["children"][0]["heading"], "完善主动公开机制。");

    // find by any bracket variant, links resolve nothing outside the library.
    let found = &check_json(
        "find",
        &env.ok(&["find", "2025年青岛市政务公开工作要点", "--json"]),
    )[0];
    assert_eq!(found["works"][0]["work"], work.as_str());
    let links = &check_json("links", &env.ok(&["links", &work, "--json"]))[0];
    assert_eq!(links["outgoing"][0]["kind"], "basis");
    assert_eq!(
        links["outgoing"][0]["target"]["number"],
        "鲁政办发〔2025〕5号"
    );
    assert_eq!(links["outgoing"][0]["resolved"], Value::Array(vec![]));
    let err = env.fails(1, &["find", "鲁政办发[2025]5号"]);
    assert!(
        err.contains("no work in this library matches 鲁政办发〔2025〕5号"),
        "{err}"
    );

    // Human output of the reading commands.
    let head: String = text.lines().take(12).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("show_text_head", head);
    insta::assert_snapshot!("links", redact(&env.ok(&["links", &work]), &env));
    insta::assert_snapshot!(
        "find",
        redact(&env.ok(&["find", "《2025年青岛市政务公开工作要点》"]), &env)
    );
    insta::assert_snapshot!("verify", redact(&env.ok(&["verify"]), &env));
}

/// The revision id of canonical bytes, computed here, not by the binary.
fn wenku_model_revision(bytes: &[u8]) -> String {
    wenku_model::RevisionId::of(bytes).to_string()
}

#[test]
fn a_law_in_versions_imported_out_of_order() {
    let env = Env::new();
    env.ok(&["init", "--region", "100000"]);
    let dir = corpus("laws/cn-law-dongwufangyifa");
    let file = |d: &str| dir.join(format!("{d}.txt")).display().to_string();
    let first = check_json(
        "import",
        &env.ok(&[
            "import",
            "--json",
            "--published",
            "2021-01-22",
            &file("2021-01-22"),
        ]),
    );
    let work = first[0]["work"].as_str().expect("work").to_string();
    assert_eq!(first[0]["action"], "published");
    for d in ["1997-07-03", "2015-04-24", "2007-08-30", "2013-06-29"] {
        let added = check_json(
            "import",
            &env.ok(&[
                "import",
                "--json",
                "--work",
                &work,
                "--published",
                d,
                &file(d),
            ]),
        );
        assert_eq!(added[0]["action"], "added", "{d}");
    }
    // The same text again changes nothing and says so.
    let again = check_json(
        "import",
        &env.ok(&[
            "import",
            "--json",
            "--work",
            &work,
            "--published",
            "2007-08-30",
            &file("2007-08-30"),
        ]),
    );
    assert_eq!(again[0]["action"], "unchanged");

    let log = &check_json("log", &env.ok(&["log", &work, "--json"]))[0];
    let dates: Vec<&str> = log["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["published"].as_str().expect("date"))
        .collect();
    assert_eq!(
        dates,
        [
            "1997-07-03",
            "2007-08-30",
            "2013-06-29",
            "2015-04-24",
            "2021-01-22"
        ]
    );
    assert_eq!(log["versions"][4]["status"], "in-force");
    assert_eq!(log["versions"][0]["status"], "superseded");
    assert_eq!(log["history"].as_array().expect("history").len(), 5);

    // As of a date between versions.
    let rev_2007 = log["versions"][1]["revision"].as_str().expect("revision");
    let shown = &check_json(
        "show",
        &env.ok(&["show", &work, "--at", "2010-06-01", "--format", "json"]),
    )[0];
    assert_eq!(shown["revision"], rev_2007);
    assert_eq!(shown["status"], "in-force");
    let err = env.fails(1, &["show", &work, "--at", "1990-01-01"]);
    assert!(err.contains("was not yet in effect on 1990-01-01"), "{err}");
    // By revision prefix.
    let by_prefix = &check_json(
        "show",
        &env.ok(&[
            "show",
            &work,
            "--version",
            &rev_2007[..8],
            "--format",
            "json",
        ]),
    )[0];
    assert_eq!(by_prefix["revision"], rev_2007);
    assert_eq!(by_prefix["status"], "superseded");

    // diff by dates and the default (previous against current), every format.
    let table = env.ok(&[
        "diff",
        &work,
        "2013-06-29",
        "2015-04-24",
        "--format",
        "table-md",
    ]);
    insta::assert_snapshot!("diff_table_md", table);
    let diff: Value =
        serde_json::from_str(&env.ok(&["diff", &work, "--format", "json"])).expect("JSON");
    assert_eq!(diff["from"]["published"], "2015-04-24");
    assert_eq!(diff["to"]["published"], "2021-01-22");
    assert!(
        env.ok(&["diff", &work, "--format", "html"])
            .contains("</html>")
    );
    assert!(
        env.ok(&["diff", &work, "--format", "table-csv"])
            .contains("修订前")
    );
    assert!(
        env.ok(&["diff", &work, "--format", "table-html"])
            .contains("<table")
    );
    let term = env.ok(&["diff", &work, &rev_2007[..8]]);
    assert!(!term.contains('\u{1b}'), "no colour when piped");

    // The human timeline.
    insta::assert_snapshot!("log", redact(&env.ok(&["log", &work]), &env));
}

#[test]
fn repeal_withdraw_and_verify() {
    let env = Env::new();
    env.qingdao();
    let works: Vec<String> = env
        .ok(&["ls", "--json"])
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("JSON");
            v["work"].as_str().expect("work").to_string()
        })
        .collect();
    env.ok(&[
        "repeal",
        &works[0],
        "--date",
        "2025-12-01",
        "--by",
        "青政办发〔2025〕9号",
    ]);
    env.ok(&[
        "withdraw",
        &works[1],
        "--date",
        "2024-08-01",
        "--reason",
        "发布有误",
    ]);
    let repealed = env.ok(&["ls", "--status", "repealed", "--json"]);
    assert!(repealed.contains(&works[0]));
    let log = &check_json("log", &env.ok(&["log", &works[0], "--json"]))[0];
    assert_eq!(log["events"][0]["event"], "repealed");
    assert_eq!(log["events"][0]["by"]["number"], "青政办发〔2025〕9号");
    // Recording the same repeal again changes nothing.
    let head = env.main_head();
    let same = env.ok(&[
        "repeal",
        &works[0],
        "--date",
        "2025-12-01",
        "--by",
        "青政办发〔2025〕9号",
    ]);
    assert!(same.contains("unchanged"), "{same}");
    assert_eq!(env.main_head(), head);

    let report = &check_json("verify", &env.ok(&["verify", "--json"]))[0];
    assert_eq!(report["clean"], true);
    assert_eq!(report["versions"], 2);

    // Tamper with a version file through git itself: verify names it.
    let tree = Command::new("git")
        .arg("--git-dir")
        .arg(env.lib())
        .args(["ls-tree", "-r", "--name-only", "main"])
        .output()
        .expect("git");
    let listing = String::from_utf8_lossy(&tree.stdout).to_string();
    let version = listing
        .lines()
        .find(|p| p.starts_with("370283/") && !p.ends_with("record.xml"))
        .expect("a version file")
        .to_string();
    tamper(&env.lib(), &version);
    let out = env.run(&["verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report = &check_json("verify", &String::from_utf8_lossy(&out.stdout))[0];
    assert_eq!(report["clean"], false);
    assert_eq!(report["problems"][0]["kind"], "hash-mismatch");
    assert_eq!(report["problems"][0]["path"], version.as_str());
    let human = env.fails(1, &["verify"]);
    assert!(human.contains("1 problem found"), "{human}");
}

/// Rewrites one file in a new commit on main with plain git plumbing, the
/// way a careless or hostile process would.
fn tamper(git_dir: &Path, path: &str) {
    edit_blob(git_dir, path, |s| s.replacen("政务公开", "政务公示", 1));
}

/// Commits `edit` of the blob at `path` on `main` with git alone, as a
/// hand edit or another tool would.
fn edit_blob(git_dir: &Path, path: &str, edit: impl Fn(&str) -> String) {
    let git = |args: &[&str], input: Option<&[u8]>| -> String {
        let mut c = Command::new("git");
        c.arg("--git-dir")
            .arg(git_dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "x")
            .env("GIT_AUTHOR_EMAIL", "x@x")
            .env("GIT_COMMITTER_NAME", "x")
            .env("GIT_COMMITTER_EMAIL", "x@x");
        c.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut child = c.spawn().expect("git runs");
        if let Some(bytes) = input {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(bytes)
                .expect("write");
        }
        let out = child.wait_with_output().expect("git finishes");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let original = git(&["cat-file", "blob", &format!("main:{path}")], None);
    let altered = edit(&original);
    let blob = git(&["hash-object", "-w", "--stdin"], Some(altered.as_bytes()));
    let index = git_dir.join("tamper-index");
    let with_index = |args: &[&str]| {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(git_dir)
            .env("GIT_INDEX_FILE", &index)
            .args(args)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    with_index(&["read-tree", "main"]);
    with_index(&[
        "update-index",
        "--cacheinfo",
        &format!("100644,{blob},{path}"),
    ]);
    let tree = with_index(&["write-tree"]);
    let commit = git(&["commit-tree", &tree, "-p", "main", "-m", "edit"], None);
    git(&["update-ref", "refs/heads/main", &commit], None);
}

#[test]
fn refused_inputs_leave_the_library_unchanged() {
    let env = Env::new();
    env.qingdao();
    let head = env.main_head();
    let boshan = corpus("seeds/370304-boshan-2025-implementation-plan.txt")
        .display()
        .to_string();
    let huaiyin = corpus("seeds/370104-huaiyin-2025-interpretation.txt")
        .display()
        .to_string();
    let binary = env.dir.path().join("scan.pdf");
    std::fs::write(&binary, b"%PDF-1.4\n\x00\x01\x02binary").expect("write");
    let truncated = env.dir.path().join("truncated.txt");
    let mut gbk = encoding_rs::GB18030
        .encode("第一条　为了规范")
        .0
        .into_owned();
    gbk.push(0xB9); // half of a two-byte character
    std::fs::write(&truncated, gbk).expect("write");

    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            vec![
                "import".into(),
                "--region".into(),
                "370304".into(),
                "--published".into(),
                "2025-03-01".into(),
                boshan.clone(),
            ],
            1,
            "outside this node's authority",
        ),
        (
            vec![
                "import".into(),
                "--published".into(),
                "2025-03-01".into(),
                boshan.clone(),
                binary.display().to_string(),
            ],
            1,
            "binary input",
        ),
        (
            vec![
                "import".into(),
                "--published".into(),
                "2025-03-01".into(),
                truncated.display().to_string(),
            ],
            1,
            "truncated",
        ),
        (
            vec![
                "import".into(),
                "--published".into(),
                "2023-02-30".into(),
                huaiyin.clone(),
            ],
            1,
            "2023-02 has days 1 to 28",
        ),
        (
            vec!["import".into(), huaiyin.clone()],
            1,
            "no publication date found",
        ),
        (
            vec![
                "import".into(),
                "--work".into(),
                "370200/none".into(),
                "--published".into(),
                "2025-03-01".into(),
                huaiyin.clone(),
            ],
            1,
            "unknown work 370200/none",
        ),
        (
            vec![
                "import".into(),
                "--work".into(),
                "370200/Bad".into(),
                huaiyin.clone(),
            ],
            1,
            "invalid work id",
        ),
        (
            vec!["show".into(), "370200/../../etc".into()],
            1,
            "invalid work id",
        ),
        (
            vec!["show".into(), "370200/nope".into()],
            1,
            "unknown work 370200/nope",
        ),
        (
            vec![
                "repeal".into(),
                "370200/nope".into(),
                "--date".into(),
                "2025-01-01".into(),
            ],
            1,
            "unknown work",
        ),
        (
            vec![
                "withdraw".into(),
                "370200/x".into(),
                "--date".into(),
                "2025-02-29".into(),
                "--reason".into(),
                "r".into(),
            ],
            1,
            "2025-02 has days 1 to 28",
        ),
        (
            vec!["ls".into(), "--type".into(), "statute".into()],
            1,
            "unknown document type",
        ),
        (vec!["show".into()], 2, "required"),
        (
            vec!["init".into(), "--region".into(), "370200".into()],
            1,
            "is already a wenku library for 370200",
        ),
        (vec!["init".into()], 2, "a library needs the region"),
        (
            vec![
                "diff".into(),
                "370200/x".into(),
                "--format".into(),
                "pdf".into(),
            ],
            2,
            "invalid value 'pdf'",
        ),
    ];
    for (args, code, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = env.fails(code, &args);
        assert!(
            err.contains(needle),
            "wenku {args:?}: expected {needle:?} in:\n{err}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{err}"
        );
        assert_eq!(env.main_head(), head, "wenku {args:?} moved main");
    }
    // A library that is not there.
    let out = env
        .cmd()
        .args(["-C", "/nonexistent-wenku", "ls"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("hint: run the command inside a library")
    );
}

#[test]
fn dry_run_shows_what_was_recognised_and_writes_nothing() {
    let env = Env::new();
    env.qingdao();
    let head = env.main_head();
    let file = corpus("seeds/370104-huaiyin-2025-interpretation.txt")
        .display()
        .to_string();
    let human = env.ok(&[
        "import",
        "--dry-run",
        "--region",
        "370200",
        "--published",
        "2025-03-01",
        &file,
    ]);
    insta::assert_snapshot!("import_dry_run", redact(&human, &env));
    let json = check_json(
        "import",
        &env.ok(&[
            "import",
            "--dry-run",
            "--json",
            "--published",
            "2025-03-01",
            &file,
        ]),
    );
    assert_eq!(json[0]["dry_run"], true);
    assert_eq!(json[0]["proposed"]["type"], "interpretation");
    assert!(
        json[0]["proposed"]["relations"]
            .as_array()
            .expect("relations")
            .iter()
            .any(|r| r["kind"] == "interprets")
    );
    assert_eq!(env.main_head(), head);
    // A dry run needs no library.
    let out = env
        .cmd()
        .args(["import", "--dry-run", "--json", &file])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["work"], Value::Null);
}

#[test]
fn many_files_are_one_transaction() {
    let env = Env::new();
    env.ok(&["init", "--region", "100000"]);
    let head = env.main_head();
    let files: Vec<String> = [
        "cn-law-jianchafa/2018-03-20.md",
        "cn-law-kuaijifa/2024-06-28.md",
        "cn-law-fanlongduanfa/2022-06-24.md",
    ]
    .iter()
    .map(|f| corpus(&format!("laws/{f}")).display().to_string())
    .collect();
    let mut args = vec!["import", "--json", "--type", "law"];
    args.extend(files.iter().map(String::as_str));
    let out = check_json("import", &env.ok(&args));
    assert_eq!(out.len(), 3);
    assert!(out.iter().all(|o| o["action"] == "published"));
    assert_eq!(env.commits_since(&head), 1, "one commit for the batch");
    let ls = check_json("ls", &env.ok(&["ls", "--json"]));
    assert_eq!(ls.len(), 3);
    assert!(ls.iter().all(|w| w["type"] == "law"));
}

#[test]
fn a_large_batch_is_read_as_it_goes_and_refused_whole() {
    let env = Env::new();
    env.ok(&["init", "--region", "100000"]);
    let head = env.main_head();
    // Every law text of the corpus (versions of the same laws: --new-work)
    // and notices, more than the service reads into memory at once.
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus("laws"))
        .expect("laws")
        .flat_map(|d| {
            let d = d.expect("entry").path();
            std::fs::read_dir(&d)
                .map(|f| f.map(|f| f.expect("entry").path()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .filter(|f| f.extension().is_some_and(|e| e == "md" || e == "txt"))
        .collect();
    files.sort();
    let notices = env.dir.path().join("notices");
    std::fs::create_dir_all(&notices).expect("mkdir");
    while files.len() < wenku_service::import::WRITE_AHEAD_FROM + 8 {
        let i = files.len();
        let path = notices.join(format!("notice-{i}.txt"));
        std::fs::write(
            &path,
            format!("国务院办公厅关于第{i}批示例工作的通知\n国办发〔2025〕{i}号\n一、总体要求\n第{i}批工作。\n国务院办公厅\n2025年3月1日\n"),
        )
        .expect("write");
        files.push(path);
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let with = |first: &[&'static str]| {
        let mut args: Vec<&str> = first.to_vec();
        args.extend(names.iter().map(String::as_str));
        args
    };
    // What a dry run (the documents in memory) says each text is …
    let planned = check_json(
        "import",
        &env.ok(&with(&["import", "--json", "--new-work", "--dry-run"])),
    );
    // … is what the import read as it goes stores.
    let imported = check_json(
        "import",
        &env.ok(&with(&["import", "--json", "--new-work"])),
    );
    assert_eq!(imported.len(), files.len());
    assert!(imported.iter().all(|o| o["action"] == "published"));
    for (p, i) in planned.iter().zip(&imported) {
        assert_eq!(p["revision"], i["revision"], "{}", i["file"]);
        assert_eq!(p["file"], i["file"]);
    }
    let batch = env.main_head();
    assert_eq!(env.commits_since(&head), 1, "one commit for the batch");
    assert!(env.ok(&["verify"]).starts_with("ok:"));
    wenku_test_support::git::fsck(&env.lib());

    // One empty file refuses the whole batch, naming it; nothing is
    // written and nothing is left behind.
    let empty = notices.join("empty.txt");
    std::fs::write(&empty, "\n").expect("write");
    let packs = std::fs::read_dir(env.lib().join("objects/pack"))
        .expect("packs")
        .count();
    let mut args = with(&["import", "--new-work"]);
    let empty_name = empty.display().to_string();
    args.insert(10, &empty_name);
    let out = env.run(&args);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("empty.txt") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(env.main_head(), batch);
    assert_eq!(
        std::fs::read_dir(env.lib().join("objects/pack"))
            .expect("packs")
            .count(),
        packs
    );
}

#[test]
fn broken_pipe_exits_quietly() {
    let env = Env::new();
    env.qingdao();
    let mut child = env
        .cmd()
        .arg("-C")
        .arg(env.lib())
        .args(["diff", "--help"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("finishes");
    assert!(out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains("panicked"));
    // A real command writing into a closed pipe.
    let mut child = env
        .cmd()
        .arg("-C")
        .arg(env.lib())
        .args(["show", "370200/2025-zwgkgzyd", "--format", "xml"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("finishes");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_explains_each_command_with_an_example() {
    let env = Env::new();
    let top = env.ok(&["--help"]);
    assert!(
        top.contains("Exit status:") && top.contains("WENKU_LOG"),
        "{top}"
    );
    for cmd in [
        "init",
        "import",
        "ls",
        "show",
        "log",
        "diff",
        "links",
        "find",
        "repeal",
        "withdraw",
        "pull",
        "verify",
        "demo",
        "completions",
    ] {
        let help = env.ok(&[cmd, "--help"]);
        assert!(
            help.contains("Example: wenku"),
            "{cmd} --help has no example:\n{help}"
        );
    }
    let bash = env.ok(&["completions", "bash"]);
    assert!(bash.contains("_wenku()"));
}

#[test]
fn demo_builds_and_tours_a_library() {
    let env = Env::new();
    let dir = env.dir.path().join("demo");
    let out = env.cmd().args(["demo"]).arg(&dir).output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tour = String::from_utf8(out.stdout).expect("UTF-8");
    for needle in [
        "10 versions of real documents",
        "--child 370283",
        "370283  1 added",
        "7 works and 12 versions in the library now",
        "$ wenku ls",
        "$ wenku log 100000/dongwu-fangyi",
        "1997-07-03",
        "repealed",
        "修订前后对照表",
        "第五十一条",
        "The library is an ordinary git repository",
    ] {
        assert!(tour.contains(needle), "the tour lacks {needle:?}:\n{tour}");
    }
    let verify = env
        .cmd()
        .arg("-C")
        .arg(&dir)
        .arg("verify")
        .output()
        .expect("runs");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let fsck = Command::new("git")
        .arg("--git-dir")
        .arg(&dir)
        .args(["fsck", "--strict"])
        .output()
        .expect("git");
    assert!(
        fsck.status.success(),
        "{}",
        String::from_utf8_lossy(&fsck.stderr)
    );
    // A non-empty directory is refused.
    let again = env.cmd().args(["demo"]).arg(&dir).output().expect("runs");
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn search_finds_words_numbers_pinyin_and_typos() {
    let env = Env::new();
    let dir = env.dir.path().join("demo");
    let out = env
        .cmd()
        .args(["-q", "demo"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let demo = dir.to_str().expect("path");

    // The first search builds the index and says so; words are marked.
    let first = env.run_at(demo, &["search", "重大动物疫情"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(stderr.contains("built the search index"), "{stderr}");
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        stdout.starts_with("100000/dongwu-fangyi 中华人民共和国动物防疫法  (in-force)"),
        "{stdout}"
    );
    assert!(stdout.contains("【重大动物疫情】"), "{stdout}");

    // JSON, checked against the schema: pinyin initials, a document
    // number in other brackets, in force on a day.
    let pinyin = &check_json("search", &env.ok_at(demo, &["search", "dwfy", "--json"]))[0];
    assert_eq!(pinyin["hits"][0]["work"], "100000/dongwu-fangyi");
    let number = &check_json(
        "search",
        &env.ok_at(demo, &["search", "卫生部令第３号", "--json"]),
    )[0];
    assert_eq!(number["hits"][0]["work"], "100000/huazhuangpin-weisheng");
    assert_eq!(number["hits"][0]["status"], "repealed");
    let in_2010 = &check_json(
        "search",
        &env.ok_at(
            demo,
            &["search", "动物防疫", "--at", "2010-01-01", "--json"],
        ),
    )[0];
    assert_eq!(in_2010["hits"][0]["status"], "superseded");
    assert_eq!(
        in_2010["hits"][0]["unit"]
            .as_str()
            .map(|u| u.contains('条')),
        Some(true)
    );
    let facets = in_2010["facets"].as_array().expect("facets");
    assert!(facets.iter().any(|f| f["name"] == "year"), "{in_2010}");

    // A typo is corrected and said so.
    let typo = &check_json(
        "search",
        &env.ok_at(demo, &["search", "动物防役", "--json"]),
    )[0];
    assert_eq!(typo["did_you_mean"], "动物防疫");
    assert_eq!(typo["hits"][0]["work"], "100000/dongwu-fangyi");

    // Nothing found or an impossible date: exit 1, saying why; a malformed
    // filter: 2.
    let none = env.fails_at(demo, 1, &["search", "营商环境"]);
    assert!(none.contains("read as: words 营商 环境"), "{none}");
    let bad = env.fails_at(demo, 1, &["search", "法", "--at", "2023-02-30"]);
    assert!(bad.contains("2023-02-30"), "{bad}");
    env.fails_at(demo, 2, &["search", "法", "--region", "12"]);
    // A damaged index is rebuilt by the next search.
    let search_dir = dir.join("wenku/search");
    std::fs::write(search_dir.join("meta.json"), b"garbage").expect("damage");
    let again = env.run_at(demo, &["search", "dwfy"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("built the search index"));
    // So is one whose segment files are garbled (meta.json intact).
    for entry in std::fs::read_dir(&search_dir).expect("search dir") {
        let path = entry.expect("entry").path();
        if path
            .extension()
            .is_some_and(|e| e == "idx" || e == "pos" || e == "term")
        {
            let mut bytes = std::fs::read(&path).expect("read");
            for b in bytes.iter_mut().step_by(5) {
                *b = b.wrapping_mul(31).wrapping_add(7);
            }
            std::fs::write(&path, bytes).expect("garble");
        }
    }
    let garbled = env.ok_at(demo, &["search", "dwfy"]);
    assert!(garbled.starts_with("100000/dongwu-fangyi"), "{garbled}");
}

impl Env {
    /// Runs `wenku -C <name> ARGS` in the temporary directory.
    fn run_at(&self, name: &str, args: &[&str]) -> Output {
        let mut c = self.cmd();
        c.arg("-C").arg(name).args(args);
        c.output().expect("the binary runs")
    }

    /// Runs `wenku -C NAME ARGS` and expects success; returns stdout.
    fn ok_at(&self, name: &str, args: &[&str]) -> String {
        stdout_of(&self.run_at(name, args), 0, &format!("{args:?}"))
    }

    /// Runs `wenku -C NAME ARGS`, expects failure with `code`; returns stderr.
    fn fails_at(&self, name: &str, code: i32, args: &[&str]) -> String {
        let out = self.run_at(name, args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "wenku -C {name} {args:?}: expected exit {code}; stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("UTF-8 output")
    }

    fn head_of(&self, name: &str) -> String {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(self.dir.path().join(name))
            .args(["rev-parse", "refs/heads/main"])
            .output()
            .expect("git runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

fn stdout_of(out: &Output, code: i32, what: &str) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: expected exit {code}; stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn pull_brings_a_child_up_and_the_parent_down_and_refuses_what_does_not_fit() {
    let env = Env::new();
    let seed = |name: &str| corpus(&format!("seeds/{name}")).display().to_string();
    // The province hosts Huaiyin (370104), which has no node of its own.
    for init in [
        vec!["province", "init", "--region", "370000", "--host", "370104"],
        vec!["city", "init", "--region", "370200"],
        vec!["county", "init", "--region", "370283"],
    ] {
        stdout_of(&env.run_at(init[0], &init[1..]), 0, "init");
    }
    let imported = env.run_at(
        "county",
        &[
            "import",
            "--json",
            &seed("370283-pingdu-2024-07-16-points.txt"),
        ],
    );
    let county_work = check_json("import", &stdout_of(&imported, 0, "import"))[0]["work"]
        .as_str()
        .expect("a work id")
        .to_string();
    let imported = env.run_at(
        "province",
        &[
            "import",
            "--region",
            "370104",
            "--published",
            "2025-05-01",
            "--json",
            &seed("370104-huaiyin-2025-interpretation.txt"),
        ],
    );
    let province_work = check_json("import", &stdout_of(&imported, 0, "import"))[0]["work"]
        .as_str()
        .expect("a work id")
        .to_string();

    // Up: the county's work arrives in the city, reported by region.
    let out = env.run_at(
        "city",
        &["pull", "../county", "--child", "370283", "--json"],
    );
    let report = &check_json("pull", &stdout_of(&out, 0, "pull up"))[0];
    assert_eq!(report["status"], "pulled");
    assert_eq!(report["peer"]["direction"], "child");
    assert_eq!(report["regions"][0]["region"], "370283");
    assert_eq!(report["regions"][0]["added"][0], county_work.as_str());
    assert_eq!(report["new_main"], env.head_of("city").as_str());
    let shown = env.run_at("city", &["show", &county_work]);
    assert!(stdout_of(&shown, 0, "show").contains("平度市"));

    // The same head again changes nothing; the human report says so.
    let out = env.run_at("city", &["pull", "../county", "--child", "370283"]);
    let text = stdout_of(&out, 0, "pull again");
    assert!(text.contains("nothing new since the last pull"), "{text}");
    assert!(text.contains("main unchanged"), "{text}");

    // Down: the province's work arrives, the city's own regions stay.
    let out = env.run_at("city", &["pull", "../province", "--parent", "370000"]);
    let text = stdout_of(&out, 0, "pull down");
    assert!(text.contains("parent 370000 at"), "{text}");
    assert!(
        text.contains(&format!("added    {province_work}")),
        "{text}"
    );
    let listed = env.run_at("city", &["ls", "--json"]);
    let works: Vec<String> = check_json("ls", &stdout_of(&listed, 0, "ls"))
        .iter()
        .map(|w| w["work"].as_str().expect("id").to_string())
        .collect();
    assert!(
        works.contains(&county_work) && works.contains(&province_work),
        "{works:?}"
    );

    // A library pulled as the wrong child is refused, kept in quarantine,
    // and main does not move.
    let before = env.head_of("city");
    let out = env.run_at(
        "city",
        &["pull", "../county", "--child", "370203", "--json"],
    );
    let refusal = &check_json("pull", &stdout_of(&out, 1, "wrong child"))[0];
    assert_eq!(refusal["status"], "refused");
    assert_eq!(refusal["error"], "wrong-library");
    let kept = refusal["quarantine"].as_str().expect("a path");
    assert!(kept.ends_with("wenku/quarantine/370203"), "{kept}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("names node 370283"), "{stderr}");
    assert!(
        stderr.contains(&format!("git --git-dir {kept} log")),
        "{stderr}"
    );
    // Stock git reads the refused head there.
    let shown = std::process::Command::new("git")
        .args(["--git-dir", kept, "log", "--format=%H", "-1"])
        .output()
        .expect("git runs");
    assert!(shown.status.success(), "{shown:?}");
    assert_eq!(env.head_of("city"), before);

    // Another library for the same county (history rewritten) is refused.
    stdout_of(
        &env.run_at("county2", &["init", "--region", "370283"]),
        0,
        "init",
    );
    let out = env.run_at(
        "city",
        &["pull", "../county2", "--child", "370283", "--json"],
    );
    let refusal = &check_json("pull", &stdout_of(&out, 1, "rewritten"))[0];
    assert_eq!(refusal["error"], "rewritten-history");
    assert_eq!(refusal["offered"], env.head_of("county2").as_str());
    assert_eq!(env.head_of("city"), before);

    // Peers that do not fit the hierarchy, and sources that are not there.
    let err = env.run_at("city", &["pull", "../county", "--child", "330100"]);
    stdout_of(&err, 1, "a child outside the region");
    assert!(String::from_utf8_lossy(&err.stderr).contains("does not"));
    let err = env.run_at("city", &["pull", "nowhere", "--child", "370283"]);
    stdout_of(&err, 1, "a missing source");
    assert!(String::from_utf8_lossy(&err.stderr).contains("nowhere: no such library"));
    // A relative source is relative to -C's library, as with git -C: the
    // `county` beside the process's directory is not the one meant here.
    let err = env.run_at("city", &["pull", "county", "--child", "370283"]);
    stdout_of(&err, 1, "a source relative to the process's directory");
    assert!(
        String::from_utf8_lossy(&err.stderr).contains("city/county: no such library"),
        "{}",
        String::from_utf8_lossy(&err.stderr)
    );
    let err = env.run_at("city", &["pull", "county"]);
    stdout_of(&err, 2, "no peer given");
    assert_eq!(env.head_of("city"), before);
    let verified = env.run_at("city", &["verify"]);
    stdout_of(&verified, 0, "verify");
}

#[test]
fn import_takes_title_number_and_local_for_bare_texts() {
    let env = Env::new();
    env.ok(&["init", "--region", "100000"]);
    let law = corpus("laws/cn-law-dongwufangyifa/1997-07-03.txt");
    let law = law.to_str().expect("UTF-8 path");
    let out = env.ok(&[
        "import",
        "--json",
        "--type",
        "law",
        "--title",
        "中华人民共和国动物防疫法",
        "--local",
        "dongwu-fangyi",
        "--published",
        "1997-07-03",
        law,
    ]);
    let imported = &check_json("import", &out)[0];
    assert_eq!(imported["work"], "100000/dongwu-fangyi");
    let listed = &check_json("ls", &env.ok(&["ls", "--json"]))[0];
    assert_eq!(listed["title"], "中华人民共和国动物防疫法");
    let shown = env.ok(&["show", "100000/dongwu-fangyi", "--format", "json"]);
    assert!(shown.contains("中华人民共和国动物防疫法"), "{shown}");

    // The same --local again is refused instead of becoming dongwu-fangyi-2.
    let before = env.main_head();
    let later = corpus("laws/cn-law-dongwufangyifa/2007-08-30.txt");
    let later = later.to_str().expect("UTF-8 path");
    let err = env.fails(
        1,
        &[
            "import",
            "--local",
            "dongwu-fangyi",
            "--published",
            "2007-08-30",
            later,
        ],
    );
    assert!(
        err.contains("already has the work 100000/dongwu-fangyi"),
        "{err}"
    );
    assert!(err.contains("--work 100000/dongwu-fangyi"), "{err}");
    let err = env.fails(1, &["import", "--number", "第五号", law]);
    assert!(err.contains("is not a document number"), "{err}");
    let err = env.fails(1, &["import", "--local", "Bad/Id", law]);
    assert!(err.contains("--local"), "{err}");
    let err = env.fails(2, &["import", "--title", "两个文件", law, law]);
    assert!(err.contains("one document"), "{err}");
    let err = env.fails(
        2,
        &[
            "import",
            "--local",
            "x",
            "--work",
            "100000/dongwu-fangyi",
            law,
        ],
    );
    assert!(
        err.contains("--local") || err.contains("cannot be used"),
        "{err}"
    );
    assert_eq!(env.main_head(), before);
}

#[test]
fn show_log_diff_and_links_take_a_number_or_title_for_the_work() {
    let env = Env::new();
    env.ok(&["init", "--region", "100000"]);
    let file = |d: &str| {
        corpus(&format!("laws/cn-law-dongwufangyifa/{d}.txt"))
            .display()
            .to_string()
    };
    let import = |extra: &[&str], date: &str| {
        let mut args = vec!["import", "--json", "--type", "law", "--published", date];
        args.extend_from_slice(extra);
        let f = file(date);
        args.push(&f);
        check_json("import", &env.ok(&args))[0]["work"]
            .as_str()
            .expect("a work id")
            .to_string()
    };
    let work = import(
        &[
            "--title",
            "中华人民共和国动物防疫法",
            "--number",
            "国办发〔2021〕1号",
            "--local",
            "dongwu",
        ],
        "2013-06-29",
    );
    assert_eq!(work, "100000/dongwu");
    import(&["--work", "100000/dongwu"], "2021-01-22");

    // By title (with or without 《》) and by number in any bracket variant.
    for name in [
        "中华人民共和国动物防疫法",
        "《中华人民共和国动物防疫法》",
        "国办发[2021]1号",
    ] {
        let shown = &check_json("show", &env.ok(&["show", name, "--format", "json"]))[0];
        assert_eq!(shown["work"], "100000/dongwu", "{name}");
    }
    let log = &check_json(
        "log",
        &env.ok(&["log", "中华人民共和国动物防疫法", "--json"]),
    )[0];
    assert_eq!(log["work"], "100000/dongwu");
    let links = &check_json(
        "links",
        &env.ok(&["links", "中华人民共和国动物防疫法", "--json"]),
    )[0];
    assert_eq!(links["work"], "100000/dongwu");
    // diff names its sides `previous` and `current` too.
    let by_title = env.ok(&["diff", "中华人民共和国动物防疫法", "--format", "json"]);
    let by_words = env.ok(&["diff", &work, "previous", "current", "--format", "json"]);
    // The same versions; only what was typed differs.
    let parse = |s: &str| -> Value { serde_json::from_str(s).expect("JSON") };
    let (mut by_title, mut by_words) = (parse(&by_title), parse(&by_words));
    assert_eq!(by_words["from"]["selected"]["asked"], "previous");
    assert_eq!(by_title["from"]["selected"]["asked"], Value::Null);
    for side in ["from", "to"] {
        for d in [&mut by_title, &mut by_words] {
            d[side].as_object_mut().expect("a side").remove("selected");
        }
    }
    assert_eq!(by_title, by_words);
    let diff = by_words;
    assert_eq!(diff["from"]["published"], "2013-06-29");
    assert_eq!(diff["to"]["published"], "2021-01-22");

    // Nothing matches: exit 1 with the citation as understood.
    let err = env.fails(1, &["show", "中华人民共和国立法法"]);
    assert!(
        err.contains("no work in this library matches 《中华人民共和国立法法》"),
        "{err}"
    );
    // Two works with the title (the second said to be new on purpose):
    // exit 1, both listed.
    import(
        &[
            "--new-work",
            "--title",
            "中华人民共和国动物防疫法",
            "--local",
            "dongwu-old",
        ],
        "1997-07-03",
    );
    let err = env.fails(1, &["log", "中华人民共和国动物防疫法"]);
    assert!(
        err.contains("names 2 works: 100000/dongwu, 100000/dongwu-old"),
        "{err}"
    );
    // The number still names one of them.
    let shown = &check_json(
        "show",
        &env.ok(&["show", "国办发〔2021〕1号", "--format", "json"]),
    )[0];
    assert_eq!(shown["work"], "100000/dongwu");
}

/// `env.run` that succeeds, returning stdout and stderr.
fn ok_with_stderr(env: &Env, args: &[&str]) -> (String, String) {
    let out = env.run(args);
    assert!(
        out.status.success(),
        "wenku {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        String::from_utf8(out.stderr).expect("UTF-8 output"),
    )
}

/// A diff's JSON, checked against `schemas/diff-1.schema.json`.
fn diff_json(out: &str) -> Value {
    let value: Value = serde_json::from_str(out).expect("diff writes JSON");
    let validator = wenku_test_support::schema::validator("diff-1.schema.json", None);
    wenku_test_support::schema::check(&validator, "diff", &value);
    value
}

/// 动物防疫法 (testdata/corpus/laws/cn-law-dongwufangyifa, from the
/// reference corpus) in three versions whose effective dates differ from
/// their publication dates: 1997-07-03 → 1998-01-01, 2007-08-30 →
/// 2008-01-01, 2021-01-22 → 2021-05-01.
fn dongwufangyifa(env: &Env) -> String {
    env.ok(&["init", "--region", "100000"]);
    let dir = corpus("laws/cn-law-dongwufangyifa");
    let file = |d: &str| dir.join(format!("{d}.txt")).display().to_string();
    let first = check_json(
        "import",
        &env.ok(&[
            "import",
            "--json",
            "--published",
            "1997-07-03",
            &file("1997-07-03"),
        ]),
    );
    let work = first[0]["work"].as_str().expect("work").to_string();
    for d in ["2007-08-30", "2021-01-22"] {
        env.ok(&["import", "--work", &work, "--published", d, &file(d)]);
    }
    work
}

#[test]
fn diff_and_show_take_the_dates_and_handles_that_log_prints() {
    let env = Env::new();
    let work = dongwufangyifa(&env);

    // log: a handle per version, both dates.
    let log = env.ok(&["log", &work]);
    for line in [
        "  published 1997-07-03  effective 1998-01-01  superseded",
        "  published 2007-08-30  effective 2008-01-01  superseded",
        "  published 2021-01-22  effective 2021-05-01  in-force",
    ] {
        assert!(log.contains(line), "{line}\n{log}");
    }
    let handles: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("  published "))
        .map(|l| l.split_whitespace().next().expect("a handle"))
        .collect();
    assert_eq!(handles, ["v1", "v2", "v3"]);
    let log = &check_json("log", &env.ok(&["log", &work, "--json"]))[0];
    let rev = |i: usize| log["versions"][i]["revision"].as_str().expect("revision");
    assert_eq!(log["versions"][1]["handle"], "v2");

    // Publication dates, as log prints them, select those versions, even
    // when another version is in effect that day (2021-01-22: the 2007
    // text) or none is yet (1997-07-03).
    let (out, err) = ok_with_stderr(
        &env,
        &[
            "diff",
            &work,
            "2007-08-30",
            "2021-01-22",
            "--format",
            "json",
        ],
    );
    let diff = diff_json(&out);
    assert_eq!(diff["from"]["revision"], rev(1));
    assert_eq!(diff["to"]["revision"], rev(2));
    assert_eq!(diff["from"]["handle"], "v2");
    assert_eq!(diff["to"]["effective"], "2021-05-01");
    assert_eq!(diff["from"]["selected"]["by"], "published");
    assert_eq!(diff["from"]["selected"]["asked"], "2007-08-30");
    assert!(diff["from"]["selected"].get("note").is_none());
    assert_eq!(err, "");
    let (term, err) = ok_with_stderr(&env, &["diff", &work, "1997-07-03", "2007-08-30"]);
    assert!(
        term.starts_with(
            "--- 中华人民共和国动物防疫法 · v1 · 1997-07-03 (effective 1998-01-01) · "
        ),
        "{term}"
    );
    assert_eq!(err, "", "an exact publication date needs no explanation");

    // Handles, in diff and show.
    let diff = diff_json(&env.ok(&["diff", &work, "v1", "v3", "--format", "json"]));
    assert_eq!(diff["from"]["revision"], rev(0));
    assert_eq!(diff["to"]["revision"], rev(2));
    assert_eq!(diff["to"]["selected"]["by"], "handle");
    let shown = &check_json(
        "show",
        &env.ok(&["show", &work, "--version", "v2", "--format", "json"]),
    )[0];
    assert_eq!(shown["revision"], rev(1));
    let err = env.fails(1, &["diff", &work, "v1", "v4"]);
    assert!(err.contains("has 3 versions; there is no v4"), "{err}");

    // Any other date names the version in effect then, and says so: on
    // stderr beside terminal output, in `selected.note` in JSON.
    let (_, err) = ok_with_stderr(&env, &["diff", &work, "2010-06-01", "v3"]);
    assert_eq!(
        err.trim_end(),
        format!(
            "FROM 2010-06-01 is not the publication date of any version of {work}; \
             it names v2 (published 2007-08-30, effective 2008-01-01), the version in effect on 2010-06-01"
        )
    );
    let (out, err) = ok_with_stderr(
        &env,
        &["diff", &work, "2010-06-01", "v3", "--format", "json"],
    );
    assert_eq!(err, "", "JSON carries the note itself");
    let diff = diff_json(&out);
    assert_eq!(diff["from"]["revision"], rev(1));
    assert_eq!(diff["from"]["selected"]["by"], "in-effect");
    assert!(
        diff["from"]["selected"]["note"]
            .as_str()
            .expect("a note")
            .contains("the version in effect on 2010-06-01"),
        "{diff:#}"
    );
    // The defaults say what they are.
    let diff = diff_json(&env.ok(&["diff", &work, "--format", "json"]));
    assert_eq!(diff["from"]["selected"]["by"], "previous");
    assert_eq!(diff["to"]["selected"]["by"], "current");
    assert_eq!(diff["to"]["selected"]["asked"], Value::Null);
}

#[test]
fn a_revision_without_work_is_refused_as_a_likely_version() {
    let env = Env::new();
    env.ok(&["init", "--region", "100000"]);
    // Two versions of 动物防疫法, both carrying the title
    // (testdata/corpus/laws/cn-law-dongwufangyifa).
    let dir = corpus("laws/cn-law-dongwufangyifa");
    let file = |d: &str| dir.join(format!("{d}.txt")).display().to_string();
    let first = check_json(
        "import",
        &env.ok(&[
            "import",
            "--json",
            "--published",
            "1997-07-03",
            &file("1997-07-03"),
        ]),
    );
    let work = first[0]["work"].as_str().expect("work").to_string();
    let head = env.main_head();

    let err = env.fails(
        1,
        &["import", "--published", "2013-06-29", &file("2013-06-29")],
    );
    assert!(
        err.contains(&format!(
            "this looks like a version of {work} (the same title 《中华人民共和国动物防疫法》); \
             use `--work {work}` or `--new-work`; nothing was written"
        )),
        "{err}"
    );
    assert_eq!(env.main_head(), head, "nothing was written");
    // The same refusal in a dry run.
    env.fails(
        1,
        &[
            "import",
            "--dry-run",
            "--published",
            "2013-06-29",
            &file("2013-06-29"),
        ],
    );
    // --work and --new-work exclude each other.
    env.fails(
        2,
        &["import", "--work", &work, "--new-work", &file("2013-06-29")],
    );
    // Said explicitly, either way is done.
    let added = check_json(
        "import",
        &env.ok(&[
            "import",
            "--json",
            "--work",
            &work,
            "--published",
            "2013-06-29",
            &file("2013-06-29"),
        ]),
    );
    assert_eq!(added[0]["action"], "added");
    let second = check_json(
        "import",
        &env.ok(&[
            "import",
            "--json",
            "--new-work",
            "--published",
            "2015-04-24",
            &file("2015-04-24"),
        ]),
    );
    assert_eq!(second[0]["action"], "published");
    assert_ne!(second[0]["work"], work.as_str());

    // Two versions in one batch: the second looks like a version of the
    // first, planned a moment earlier.
    let fresh = Env::new();
    fresh.ok(&["init", "--region", "100000"]);
    let err = fresh.fails(1, &["import", &file("1997-07-03"), &file("2013-06-29")]);
    assert!(
        err.contains("this looks like a version of 100000/"),
        "{err}"
    );
    assert!(err.contains("2013-06-29.txt: "), "{err}");
}

#[test]
fn impossible_lifecycles_are_refused_and_verify_reports_stored_ones() {
    let env = Env::new();
    let work = dongwufangyifa(&env);
    let head = env.main_head();

    // A repeal before the first publication (1997-07-03).
    let err = env.fails(1, &["repeal", &work, "--date", "1980-01-01"]);
    assert!(
        err.contains(
            "impossible lifecycle: repealed from 1980-01-01, before its first version was published on 1997-07-03"
        ),
        "{err}"
    );
    // A withdrawal too.
    let err = env.fails(
        1,
        &[
            "withdraw",
            &work,
            "--date",
            "1990-01-01",
            "--reason",
            "发布有误",
        ],
    );
    assert!(err.contains("withdrawn from 1990-01-01, before"), "{err}");
    // A version effective years before it was published.
    let text = corpus("laws/cn-law-dongwufangyifa/2013-06-29.txt");
    let err = env.fails(
        1,
        &[
            "import",
            "--work",
            &work,
            "--published",
            "2013-06-29",
            "--effective",
            "2010-01-01",
            text.to_str().expect("UTF-8 path"),
        ],
    );
    assert!(
        err.contains(
            "takes effect on 2010-01-01, more than a year before it was published on 2013-06-29"
        ),
        "{err}"
    );
    assert_eq!(env.main_head(), head, "nothing was written");

    // A second repeal would replace the first and lose its --by.
    env.ok(&[
        "repeal",
        &work,
        "--date",
        "2025-01-01",
        "--by",
        "国务院令第1号",
    ]);
    let err = env.fails(1, &["repeal", &work, "--date", "2025-06-01"]);
    assert!(
        err.contains("the work is already repealed from 2025-01-01 by 国务院令第1号"),
        "{err}"
    );
    // The same repeal again changes nothing.
    env.ok(&[
        "repeal",
        &work,
        "--date",
        "2025-01-01",
        "--by",
        "国务院令第1号",
    ]);
    let log = &check_json("log", &env.ok(&["log", &work, "--json"]))[0];
    assert_eq!(log["events"][0]["date"], "2025-01-01");
    assert!(log["events"][0]["by"].is_object(), "{log:#}");

    // A record edited outside wenku with an impossible repeal: verify
    // reports it.
    assert!(env.ok(&["verify"]).starts_with("ok"));
    let path = wenku_store::layout::record_path(&wenku_model::WorkId::parse(&work).expect("id"));
    // (The helper reads the blob trimmed; canonical XML ends with a newline.)
    edit_blob(&env.lib(), &path, |s| {
        s.replace("2025-01-01", "1980-01-01") + "\n"
    });
    let out = env.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let report =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        report.contains(&format!(
            "{path}: impossible lifecycle: repealed from 1980-01-01, before its first version was published on 1997-07-03"
        )),
        "{report}"
    );
    let out = env.run(&["verify", "--json"]);
    let json = check_json("verify", &String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        json[0]["problems"].as_array().map(Vec::len),
        Some(1),
        "{json:?}"
    );
    assert_eq!(json[0]["problems"][0]["kind"], "lifecycle", "{json:?}");
}

#[test]
fn a_dry_run_refuses_what_the_import_would_refuse() {
    let env = Env::new();
    env.qingdao();
    let head = env.main_head();
    // testdata/corpus/laws/cn-law-dongwufangyifa/2021-01-22.txt: a bare
    // text with no date in it, under a name that has none either (a date
    // in the file name dates the version).
    let bare = env.dir.path().join("dongwufangyifa.txt");
    std::fs::copy(corpus("laws/cn-law-dongwufangyifa/2021-01-22.txt"), &bare).expect("copy");
    let bare = bare.display().to_string();
    let seed = corpus("seeds/370104-huaiyin-2025-interpretation.txt")
        .display()
        .to_string();
    for dry in [false, true] {
        let with = |args: &[&str]| -> Vec<String> {
            let mut v = vec!["import".to_string()];
            if dry {
                v.push("--dry-run".into());
            }
            v.extend(args.iter().map(|s| s.to_string()));
            v
        };
        let run = |args: Vec<String>| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            env.fails(1, &args)
        };
        // No publication date.
        let err = run(with(&[&bare]));
        assert!(
            err.contains("no publication date found in the text"),
            "dry run {dry}: {err}"
        );
        // A region outside the library's authority (济南 in Qingdao's).
        let err = run(with(&[
            "--region",
            "370104",
            "--published",
            "2025-03-01",
            &seed,
        ]));
        assert!(
            err.contains("region 370104 is outside this node's authority"),
            "dry run {dry}: {err}"
        );
        // An effective date years before publication.
        let err = run(with(&[
            "--published",
            "2025-03-01",
            "--effective",
            "2020-01-01",
            &seed,
        ]));
        assert!(err.contains("impossible lifecycle"), "dry run {dry}: {err}");
    }
    assert_eq!(env.main_head(), head);
    // What the import would do, the dry run still says.
    let json = check_json(
        "import",
        &env.ok(&[
            "import",
            "--dry-run",
            "--json",
            "--published",
            "2025-03-01",
            &seed,
        ]),
    );
    assert_eq!(json[0]["action"], "published");
    assert_eq!(env.main_head(), head);
}

#[test]
fn a_new_version_keeps_the_work_title_and_type_the_text_does_not_give() {
    let env = Env::new();
    // 1997 carries the title; the 2021 text
    // (testdata/corpus/laws/cn-law-dongwufangyifa/2021-01-22.txt) has none.
    let work = dongwufangyifa(&env);
    let version = |handle: &str| {
        check_json(
            "show",
            &env.ok(&["show", &work, "--version", handle, "--format", "json"]),
        )
        .remove(0)
    };
    let first = version("v1");
    assert_eq!(first["title"], "中华人民共和国动物防疫法");
    let latest = version("v3");
    assert_eq!(latest["published"], "2021-01-22");
    assert_eq!(latest["title"], first["title"]);
    assert_eq!(latest["type"], first["type"]);
    // Importing the same text again is still recognised as stored.
    let again = check_json(
        "import",
        &env.ok(&[
            "import",
            "--json",
            "--work",
            &work,
            "--published",
            "2021-01-22",
            corpus("laws/cn-law-dongwufangyifa/2021-01-22.txt")
                .to_str()
                .expect("UTF-8 path"),
        ]),
    );
    assert_eq!(again[0]["action"], "unchanged");
    // A title the text gives explicitly is kept.
    let renamed = check_json(
        "import",
        &env.ok(&[
            "import",
            "--json",
            "--work",
            &work,
            "--published",
            "2015-04-24",
            "--title",
            "动物防疫法（2015年修正）",
            corpus("laws/cn-law-dongwufangyifa/2015-04-24.txt")
                .to_str()
                .expect("UTF-8 path"),
        ]),
    );
    assert_eq!(renamed[0]["action"], "added");
    assert_eq!(version("v3")["title"], "动物防疫法（2015年修正）");
}

#[test]
fn nodes_sign_their_commits_and_pulls_check_them_against_the_trust_file() {
    let env = Env::new();
    let keys = env.dir.path().join(".config/wenku/keys");
    let public = |region: &str| keys.join(format!("{region}.pub")).display().to_string();
    let seed = |name: &str| corpus(&format!("seeds/{name}")).display().to_string();

    // The province is its own trust root; the county pins its key.
    let text = stdout_of(
        &env.run_at("province", &["init", "--region", "370000"]),
        0,
        "init province",
    );
    assert!(text.contains("key: created"), "{text}");
    assert!(text.contains("trust root of 370000"), "{text}");
    let text = stdout_of(
        &env.run_at(
            "county",
            &[
                "init",
                "--region",
                "370283",
                "--trust-root",
                &public("370000"),
            ],
        ),
        0,
        "init county",
    );
    assert!(text.contains("pinned SHA256:"), "{text}");
    let imported = env.run_at(
        "county",
        &[
            "import",
            "--json",
            &seed("370283-pingdu-2024-07-16-points.txt"),
        ],
    );
    let work = check_json("import", &stdout_of(&imported, 0, "import"))[0]["work"]
        .as_str()
        .expect("a work id")
        .to_string();

    // Before the province grants the county's key, its commits are refused.
    let out = env.run_at("province", &["pull", "../county", "--child", "370283"]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("signature problems"), "{said}");
    assert!(said.contains("no trust file lists"), "{said}");

    // A dry run changes nothing; the grant is a signed commit of its own.
    let head = env.head_of("province");
    let text = stdout_of(
        &env.run_at(
            "province",
            &[
                "key",
                "grant",
                "370283",
                "--key",
                &public("370283"),
                "--dry-run",
            ],
        ),
        0,
        "grant dry",
    );
    assert!(
        text.contains("would change the trust file to serial 2"),
        "{text}"
    );
    assert_eq!(env.head_of("province"), head);
    let out = env.run_at(
        "province",
        &[
            "key",
            "grant",
            "370283",
            "--key",
            &public("370283"),
            "--json",
        ],
    );
    let trust = &check_json("trust", &stdout_of(&out, 0, "grant"))[0];
    assert_eq!(trust["serial"], 2);
    assert_eq!(trust["changed"], true);
    // A private key is refused where a public one belongs.
    let said = env.fails_at(
        "province",
        1,
        &[
            "key",
            "grant",
            "370283",
            "--key",
            keys.join("370283").to_str().expect("UTF-8"),
        ],
    );
    assert!(said.contains("private key"), "{said}");

    let text = stdout_of(
        &env.run_at("province", &["pull", "../county", "--child", "370283"]),
        0,
        "pull up",
    );
    assert!(
        text.contains("signatures: 2 commits checked against trust file serial 2"),
        "{text}"
    );
    let out = env.run_at("province", &["verify", "--signatures", "--json"]);
    let verified = &check_json("verify", &stdout_of(&out, 0, "verify"))[0];
    assert_eq!(verified["signatures"]["clean"], true, "{verified}");
    let text = stdout_of(&env.run_at("province", &["log", &work]), 0, "log");
    assert!(text.contains("signed by SHA256:"), "{text}");
    assert!(text.contains(", the key of 370283"), "{text}");
    let out = env.run_at("province", &["log", "--json", &work]);
    let log = &check_json("log", &stdout_of(&out, 0, "log json"))[0];
    assert_eq!(log["history"][0]["signer"]["status"], "good");
    assert_eq!(log["history"][0]["signer"]["regions"][0], "370283");

    // Down: the county takes the trust file, anchored on the pinned key.
    let out = env.run_at(
        "county",
        &["pull", "../province", "--parent", "370000", "--json"],
    );
    let report = &check_json("pull", &stdout_of(&out, 0, "pull down"))[0];
    assert_eq!(report["signatures"]["mode"], "enforced");
    assert_eq!(report["signatures"]["trust_serial"], 2);
    let out = env.run_at("county", &["key", "show", "--json"]);
    let key = &check_json("key", &stdout_of(&out, 0, "key show"))[0];
    assert_eq!(key["regions"][0], "370283");

    // A commit made without the key is unsigned: said when it is made,
    // refused by the province, accepted loudly in warn mode.
    let mut c = env.cmd();
    c.env("WENKU_KEY", env.dir.path().join("no-such-key"))
        .arg("-C")
        .arg("county")
        .args(["repeal", &work, "--date", "2025-12-31"]);
    let out = c.output().expect("runs");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(said.contains("not signed"), "{said}");
    let out = env.run_at(
        "province",
        &["pull", "../county", "--child", "370283", "--json"],
    );
    let refused = &check_json("pull", &stdout_of(&out, 1, "refused"))[0];
    assert_eq!(refused["error"], "signatures");
    assert_eq!(refused["signatures"][0]["kind"], "unsigned");
    let out = env.run_at(
        "province",
        &[
            "pull",
            "../county",
            "--child",
            "370283",
            "--signatures",
            "warn",
        ],
    );
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(said.contains("1 signature problem accepted"), "{said}");
    let said = env.fails_at("province", 1, &["verify", "--signatures"]);
    assert!(said.contains("signature problem"), "{said}");

    // The trust root cannot revoke the key it signs with; it revokes the
    // county's.
    let said = env.fails_at(
        "province",
        1,
        &["key", "revoke", "--key", &public("370000")],
    );
    assert!(said.contains("cannot revoke itself"), "{said}");
    let text = stdout_of(
        &env.run_at("province", &["key", "revoke", "--key", &public("370283")]),
        0,
        "revoke",
    );
    assert!(text.contains("serial 3"), "{text}");
    let text = stdout_of(&env.run_at("province", &["key", "list"]), 0, "list");
    assert!(text.contains("revoked"), "{text}");
    // Only the trust root changes the trust file.
    let said = env.fails_at(
        "county",
        1,
        &["key", "grant", "370283", "--key", &public("370283")],
    );
    assert!(said.contains("trust root is 370000"), "{said}");
}

#[test]
fn a_clerks_mistakes_are_corrected_as_recorded_changes() {
    let env = Env::new();
    env.ok(&["init", "--region", "370200"]);
    let seed = corpus("seeds/370200-qingdao-2025-05-16-points.txt");
    let out = env.ok(&["import", "--json", seed.to_str().expect("UTF-8")]);
    let work = check_json("import", &out)[0]["work"]
        .as_str()
        .expect("work")
        .to_string();
    let title = "2025年青岛市政务公开工作要点";

    // Repealed by mistake, then reinstated: both stay in the history.
    env.ok(&["repeal", &work, "--date", "2025-06-01"]);
    let said = env.fails(1, &["repeal", &work, "--date", "2025-07-01"]);
    assert!(said.contains("wenku reinstate"), "{said}");
    let head = env.main_head();
    let out = env.ok(&[
        "reinstate",
        &work,
        "--reason",
        "废止对象错误",
        "--dry-run",
        "--json",
    ]);
    let change = &check_json("change", &out)[0];
    assert_eq!(change["status"], "would-record");
    assert_eq!(change["fields"][0]["field"], "repealed");
    assert_eq!(change["fields"][0]["before"], "2025-06-01");
    assert!(change["fields"][0]["after"].is_null());
    assert_eq!(env.main_head(), head, "a dry run writes nothing");
    let text = env.ok(&["reinstate", &work, "--reason", "废止对象错误"]);
    assert!(text.contains("recorded in"), "{text}");
    assert!(text.contains("- 2025-06-01"), "{text}");
    let text = env.ok(&["show", &work]);
    assert!(!text.contains("repealed"), "{text}");
    // Nothing to undo any more: said, and nothing recorded.
    let head = env.main_head();
    let text = env.ok(&["reinstate", &work, "--reason", "again"]);
    assert!(text.contains("nothing to undo"), "{text}");
    assert_eq!(env.main_head(), head);

    // A wrong title and number, corrected; the dry run shows the fields.
    let out = env.ok(&[
        "correct",
        &work,
        "--title",
        "青岛市政务公开工作要点（2025年）",
        "--number",
        "青政办字[2025]12号",
        "--dry-run",
        "--json",
    ]);
    let change = &check_json("change", &out)[0];
    let fields: Vec<&str> = change["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().expect("name"))
        .collect();
    assert_eq!(fields, ["title", "number"], "{change}");
    assert_eq!(change["fields"][0]["before"], title);
    assert_eq!(change["fields"][1]["after"], "青政办字〔2025〕12号");
    env.ok(&[
        "correct",
        &work,
        "--title",
        title,
        "--number",
        "青政办字[2025]12号",
    ]);
    let said = env.fails(2, &["correct", &work]);
    assert!(said.contains("nothing to correct"), "{said}");

    // A version's effective date typed wrong, corrected by its handle.
    let out = env.ok(&[
        "correct",
        &work,
        "--version",
        "v1",
        "--effective",
        "2025-06-01",
        "--json",
    ]);
    let change = &check_json("change", &out)[0];
    assert_eq!(change["status"], "recorded");
    assert_eq!(change["ops"][0], "correct-version");
    assert!(
        change["fields"][0]["after"]
            .as_str()
            .is_some_and(|v| v.contains("effective 2025-06-01")),
        "{change}"
    );
    // An impossible date is refused with the reason, nothing written.
    let head = env.main_head();
    let said = env.fails(
        1,
        &[
            "correct",
            &work,
            "--version",
            "v1",
            "--effective",
            "2019-01-01",
        ],
    );
    assert!(said.contains("impossible lifecycle"), "{said}");
    assert_eq!(env.main_head(), head);
    let said = env.fails(
        1,
        &[
            "correct",
            &work,
            "--version",
            "v9",
            "--published",
            "2025-05-16",
        ],
    );
    assert!(said.contains("v9"), "{said}");

    // Relations added and removed; the end of validity set and cleared.
    env.ok(&["relate", &work, "implements", "国办发〔2025〕1号"]);
    let text = env.ok(&["relate", &work, "implements", "国办发[2025]1号"]);
    assert!(text.contains("already recorded"), "{text}");
    let said = env.fails(1, &["relate", &work, "obeys", "国办发〔2025〕1号"]);
    assert!(said.contains("not a relation kind"), "{said}");
    env.ok(&[
        "relate",
        &work,
        "implements",
        "国办发〔2025〕1号",
        "--remove",
    ]);
    env.ok(&["expire", &work, "--date", "2027-12-31"]);
    let text = env.ok(&["ls", "--status", "expired", "--at", "2028-01-05"]);
    assert!(text.contains(&work), "{text}");
    env.ok(&["expire", &work, "--clear"]);

    // verify is clean, and log tells the whole story, newest first.
    env.ok(&["verify"]);
    let log = env.ok(&["log", &work]);
    let story: Vec<&str> = [
        "set-expiry",
        "remove-relation",
        "add-relation",
        "correct-version",
        "correct ",
        "reinstate",
        "repeal",
        "publish",
    ]
    .into_iter()
    .collect();
    let mut at = 0;
    for step in story {
        let found = log[at..]
            .find(&format!(" {step}"))
            .unwrap_or_else(|| panic!("{step} missing after byte {at} in:\n{log}"));
        at += found + 1;
    }
    assert!(log.contains("(废止对象错误)"), "{log}");
}

#[test]
fn conventions_hold_across_commands() {
    let env = Env::new();
    // init prints JSON too.
    let out = env.ok(&["init", "--region", "370200", "--json"]);
    let init = &check_json("init", &out)[0];
    assert_eq!(init["node"], "370200");
    assert_eq!(init["trust_root"], "370000");
    assert_eq!(init["key"]["created"], true);
    let seed = corpus("seeds/370200-qingdao-2025-05-16-points.txt");
    let out = env.ok(&["import", "--json", seed.to_str().expect("UTF-8")]);
    let work = check_json("import", &out)[0]["work"]
        .as_str()
        .expect("work")
        .to_string();

    // The same text again under another --local: said for what it is.
    let said = env.fails(
        1,
        &[
            "import",
            "--new-work",
            "--local",
            "other",
            seed.to_str().expect("UTF-8"),
        ],
    );
    assert!(said.contains("already stored, identical"), "{said}");

    // --json where --format json was the only spelling.
    let out = env.ok(&["show", &work, "--json"]);
    check_json("show", &out);
    assert_eq!(out, env.ok(&["show", &work, "--format", "json"]));

    // A bad type, status, date or region is invalid input: one status.
    for args in [
        vec!["ls", "--type", "nonsense"],
        vec!["ls", "--status", "nonsense"],
        vec!["ls", "--at", "2025-02-30"],
        vec!["ls", "--region", "99"],
    ] {
        env.fails(1, &args);
    }

    // find matches words inside titles, and says so.
    let out = env.run(&["find", "政务公开"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(text.contains(&work), "{text}");
    assert!(said.contains("contain"), "{said}");
    // --quiet drops the note, not the result; -v logs what happens.
    let out = env.run(&["-q", "find", "政务公开"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&work));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = env.run(&["-v", "expire", &work, "--date", "2030-01-01"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("INFO"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = env.fails(1, &["find", "不存在的标题"]);
    assert!(said.contains("wenku ls"), "{said}");
    assert!(!said.contains("pull"), "{said}");

    // git's author variables are the identity when wenku's are unset; no
    // identity at all is an environment problem (exit 4), not usage.
    let mut c = env.cmd();
    c.env_remove("WENKU_AUTHOR_NAME")
        .env_remove("WENKU_AUTHOR_EMAIL")
        .env("GIT_AUTHOR_NAME", "档案员 李")
        .env("GIT_AUTHOR_EMAIL", "li@qingdao.example")
        .arg("-C")
        .arg(env.lib())
        .args(["expire", &work, "--date", "2027-12-31"]);
    let out = c.output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let author = Command::new("git")
        .arg("--git-dir")
        .arg(env.lib())
        .args(["log", "-1", "--format=%an <%ae>", "main"])
        .output()
        .expect("git");
    assert_eq!(
        String::from_utf8_lossy(&author.stdout).trim(),
        "档案员 李 <li@qingdao.example>"
    );
    let mut c = env.cmd();
    c.env_remove("WENKU_AUTHOR_NAME")
        .env_remove("WENKU_AUTHOR_EMAIL")
        .arg("-C")
        .arg(env.lib())
        .args(["expire", &work, "--clear"]);
    let out = c.output().expect("runs");
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GIT_AUTHOR_NAME"));

    // A national law filed under the city by default is said.
    let law = corpus("laws/cn-law-dongwufangyifa/2021-01-22.txt");
    let out = env.run(&[
        "import",
        "--type",
        "law",
        "--title",
        "中华人民共和国动物防疫法",
        "--published",
        "2021-01-22",
        law.to_str().expect("UTF-8"),
    ]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(said.contains("national text"), "{said}");
    assert!(said.contains("--region"), "{said}");
}

#[test]
fn a_quarantined_head_is_inspected_then_accepted_or_discarded() {
    let env = Env::new();
    let keys = env.dir.path().join(".config/wenku/keys");
    let public = |region: &str| keys.join(format!("{region}.pub")).display().to_string();
    let seed = |name: &str| corpus(&format!("seeds/{name}")).display().to_string();
    stdout_of(
        &env.run_at("province", &["init", "--region", "370000"]),
        0,
        "init",
    );
    stdout_of(
        &env.run_at(
            "county",
            &[
                "init",
                "--region",
                "370283",
                "--trust-root",
                &public("370000"),
            ],
        ),
        0,
        "init",
    );
    stdout_of(
        &env.run_at(
            "county",
            &["import", &seed("370283-pingdu-2024-07-16-points.txt")],
        ),
        0,
        "import",
    );
    // The county's key is not granted yet: refused and kept apart.
    env.fails_at("province", 1, &["pull", "../county", "--child", "370283"]);
    let out = env.run_at("province", &["quarantine", "list", "--json"]);
    let kept = &check_json("quarantine", &stdout_of(&out, 0, "list"))[0];
    assert_eq!(kept["region"], "370283");
    assert_eq!(kept["quarantined"], env.head_of("county").as_str());
    let text = stdout_of(
        &env.run_at("province", &["quarantine", "show", "370283"]),
        0,
        "show",
    );
    assert!(text.contains("git --git-dir"), "{text}");
    // Once the key is granted, the kept head passes the checks again.
    stdout_of(
        &env.run_at(
            "province",
            &["key", "grant", "370283", "--key", &public("370283")],
        ),
        0,
        "grant",
    );
    let out = env.run_at("province", &["quarantine", "accept", "370283", "--json"]);
    let report = &check_json("pull", &stdout_of(&out, 0, "accept"))[0];
    assert_eq!(report["status"], "pulled");
    assert_eq!(report["signatures"]["mode"], "enforced");
    let text = stdout_of(&env.run_at("province", &["quarantine", "list"]), 0, "list");
    assert!(text.contains("nothing is quarantined"), "{text}");

    // An unsigned commit: refused; accepted only when told to warn.
    let mut c = env.cmd();
    c.env("WENKU_KEY", env.dir.path().join("none"))
        .arg("-C")
        .arg("county")
        .args(["expire", "370283/2024-zwgkgzyd", "--date", "2027-12-31"]);
    assert!(c.output().expect("runs").status.success());
    env.fails_at("province", 1, &["pull", "../county", "--child", "370283"]);
    env.fails_at("province", 1, &["quarantine", "accept", "370283"]);
    let out = env.run_at(
        "province",
        &["quarantine", "accept", "370283", "--signatures", "warn"],
    );
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(said.contains("signature problem accepted"), "{said}");

    // Another one, discarded after inspection: nothing of it stays.
    let mut c = env.cmd();
    c.env("WENKU_KEY", env.dir.path().join("none"))
        .arg("-C")
        .arg("county")
        .args(["expire", "370283/2024-zwgkgzyd", "--clear"]);
    assert!(c.output().expect("runs").status.success());
    env.fails_at("province", 1, &["pull", "../county", "--child", "370283"]);
    let text = env.ok_at(
        "province",
        &["quarantine", "discard", "370283", "--dry-run"],
    );
    assert!(text.contains("would discard"), "{text}");
    env.ok_at("province", &["quarantine", "show", "370283"]);
    let out = env.run_at("province", &["quarantine", "discard", "370283", "--json"]);
    let gone = &check_json("quarantine", &stdout_of(&out, 0, "discard"))[0];
    assert_eq!(gone["discarded"], true);
    assert!(gone["quarantined"].is_null());
    env.fails_at("province", 1, &["quarantine", "show", "370283"]);
    let out = env.run_at("province", &["verify", "--signatures"]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    // The one accepted in warn mode is still reported by verify.
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("unsigned"), "{said}");
}

#[test]
fn hosted_regions_change_as_recorded_changes() {
    let env = Env::new();
    env.ok(&["init", "--region", "370200"]);
    let head = env.main_head();
    let out = env.ok(&["host", "add", "370203001", "--dry-run", "--json"]);
    let hosts = &check_json("hosts", &out)[0];
    assert_eq!(hosts["status"], "would-record");
    assert_eq!(hosts["after"][0], "370203001");
    assert_eq!(env.main_head(), head);
    let text = env.ok(&["host", "add", "370203001"]);
    assert!(text.contains("recorded in"), "{text}");
    assert_eq!(env.ok(&["host", "list"]).trim(), "370203001");
    // Its documents can be imported now; then it cannot be given up.
    let notice = env.dir.path().join("notice.txt");
    std::fs::write(&notice, wenku_test_support::fixtures::county_notice(3)).expect("write");
    env.ok(&[
        "import",
        "--region",
        "370203001",
        notice.to_str().expect("UTF-8"),
    ]);
    let said = env.fails(1, &["host", "remove", "370203001"]);
    assert!(said.contains("holds 1 works"), "{said}");
    // A region outside the node, or a child node's, is refused.
    let said = env.fails(1, &["host", "add", "370000"]);
    assert!(said.contains("370000"), "{said}");
    stdout_of(
        &env.run_at("county", &["init", "--region", "370283"]),
        0,
        "init county",
    );
    env.ok(&["pull", "../county", "--child", "370283"]);
    let said = env.fails(1, &["host", "add", "370283001"]);
    assert!(said.contains("child node 370283"), "{said}");
    env.ok(&["verify"]);
    let log = Command::new("git")
        .arg("--git-dir")
        .arg(env.lib())
        .args(["log", "--format=%s", "main"])
        .output()
        .expect("git");
    let log = String::from_utf8_lossy(&log.stdout);
    assert!(log.contains("hosts 370200: 370203001 (was none)"), "{log}");
}

#[test]
fn a_work_imported_twice_is_merged_into_the_right_one() {
    let env = Env::new();
    env.ok(&["init", "--region", "100000"]);
    let law = |date: &str| {
        corpus(&format!("laws/cn-law-dongwufangyifa/{date}.txt"))
            .display()
            .to_string()
    };
    let import = |date: &str, local: &str| {
        let out = env.ok(&[
            "import",
            "--json",
            "--new-work",
            "--type",
            "law",
            "--title",
            "中华人民共和国动物防疫法",
            "--local",
            local,
            "--published",
            date,
            &law(date),
        ]);
        check_json("import", &out)[0]["work"]
            .as_str()
            .expect("work")
            .to_string()
    };
    let right = import("1997-07-03", "dongwu");
    // The revision imported as a work of its own by mistake.
    let twice = import("2007-08-30", "dongwu-again");
    let head = env.main_head();
    let out = env.ok(&["merge", &twice, "--into", &right, "--dry-run", "--json"]);
    let changes = check_json("change", &out);
    assert_eq!(changes.len(), 2, "{out}");
    assert_eq!(changes[0]["work"], twice.as_str());
    assert_eq!(changes[0]["fields"][0]["field"], "withdrawn");
    assert_eq!(changes[1]["work"], right.as_str());
    assert_eq!(changes[1]["fields"][0]["field"], "versions");
    assert_eq!(env.main_head(), head);
    let said = env.fails(1, &["merge", &right, "--into", &right]);
    assert!(said.contains("into itself"), "{said}");

    let text = env.ok(&["merge", &twice, "--into", &right, "--date", "2026-01-15"]);
    assert!(text.contains("recorded in"), "{text}");
    let log = env.ok(&["log", &right]);
    assert!(log.contains("v2"), "{log}");
    assert!(log.contains("published 2007-08-30"), "{log}");
    assert!(log.contains(&format!("merge {twice}")), "{log}");
    let log = env.ok(&["log", &twice]);
    assert!(log.contains(&format!("merged into {right}")), "{log}");
    // Merging again changes nothing; verify is clean.
    let head = env.main_head();
    let text = env.ok(&["merge", &twice, "--into", &right]);
    assert!(text.contains("unchanged"), "{text}");
    assert_eq!(env.main_head(), head);
    env.ok(&["verify"]);
}

/// Splits an example's command line as a shell would (single quotes only).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

#[test]
fn every_help_example_runs_as_written_against_the_demo_library() {
    let env = Env::new();
    let root = env.dir.path();
    let demo = env.cmd().args(["demo", "demo"]).output().expect("demo");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    // What a few examples stand on: the county node the demo pulled from
    // (its accepted head, as a library of its own), a notice to import,
    // and a work imported twice.
    let pingdu = root.join("pingdu.git");
    let git_ok = |args: &[&str]| {
        let out = Command::new("git").args(args).output().expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git_ok(&["init", "-q", "--bare", pingdu.to_str().expect("UTF-8")]);
    git_ok(&[
        "--git-dir",
        root.join("demo").to_str().expect("UTF-8"),
        "push",
        "-q",
        pingdu.to_str().expect("UTF-8"),
        "refs/wenku/nodes/370283:refs/heads/main",
    ]);
    let seed = corpus("seeds/370200-qingdao-2025-05-16-points.txt");
    let run = |dir: &Path, args: &[&str]| -> Output {
        let mut c = env.cmd();
        c.current_dir(dir).args(args);
        c.output().expect("runs")
    };
    let help = run(root, &["help"]);
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line starts with two spaces; wrapped text with more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 20, "{commands:?}");
    let mut ran = 0;
    for (n, command) in commands.iter().enumerate() {
        let out = run(root, &[command, "--help"]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let examples: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Example: wenku "))
            .collect();
        assert!(
            !examples.is_empty(),
            "wenku {command} --help has no example"
        );
        for example in examples {
            // A fresh copy of everything for each example.
            let work = root.join(format!("run-{n}-{ran}"));
            std::fs::create_dir_all(&work).expect("mkdir");
            let copied = Command::new("cp")
                .args(["-a"])
                .arg(root.join("demo"))
                .arg(work.join("lib"))
                .status()
                .expect("cp");
            assert!(copied.success());
            let copied = Command::new("cp")
                .args(["-a"])
                .arg(&pingdu)
                .arg(work.join("pingdu.git"))
                .status()
                .expect("cp");
            assert!(copied.success());
            std::fs::write(
                work.join("notice.txt"),
                wenku_test_support::fixtures::county_notice(7),
            )
            .expect("notice");
            // The points again, as a clerk's second copy (one line more).
            let mut copy = std::fs::read_to_string(&seed).expect("seed");
            copy.push_str("\n（此件公开发布）\n");
            std::fs::write(work.join("points-again.txt"), copy).expect("copy");
            let dup = run(
                &work,
                &[
                    "-C",
                    "lib",
                    "import",
                    "--new-work",
                    "--region",
                    "370200",
                    "--local",
                    "qzbf-2025-points-2",
                    "points-again.txt",
                ],
            );
            assert!(
                dup.status.success(),
                "{}",
                String::from_utf8_lossy(&dup.stderr)
            );
            let mut args = vec!["-C".to_string(), "lib".to_string()];
            args.extend(words(example));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run(&work, &args);
            assert!(
                out.status.success(),
                "the example `wenku {example}` failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= commands.len());
}

#[test]
fn a_generated_id_is_short_and_explained() {
    let env = Env::new();
    env.ok(&["init", "--region", "370200"]);
    let seed = corpus("seeds/370200-qingdao-2025-05-16-points.txt");
    let out = env.run(&["import", seed.to_str().expect("UTF-8")]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("370200/2025-zwgkgzyd"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        said.contains("id 370200/2025-zwgkgzyd: from the year and initials of its title"),
        "{said}"
    );
    assert!(said.contains("--local NAME"), "{said}");
    // A chosen id is not explained.
    let other = corpus("seeds/370104-huaiyin-2025-interpretation.txt");
    let out = env.run(&[
        "import",
        "--local",
        "huaiyin-jd",
        "--published",
        "2025-03-01",
        other.to_str().expect("UTF-8"),
    ]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("id 370200/huaiyin-jd"), "{said}");
}

#[test]
fn long_output_goes_through_a_pager_on_a_terminal_only() {
    let script = Command::new("script").arg("--version").output();
    if script.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "script (util-linux) is needed on CI"
        );
        eprintln!("skipping: script is not installed");
        return;
    }
    let env = Env::new();
    env.qingdao();
    let paged = env.dir.path().join("paged.txt");
    // Under a terminal (script gives the command one), show goes through
    // the pager; here a pager that keeps what it is given.
    let run_on_tty = |args: &str, pager: &str| {
        let line = format!(
            "{} -C {} {args}",
            env!("CARGO_BIN_EXE_wenku"),
            env.lib().display()
        );
        let out = Command::new("script")
            .args(["-q", "-e", "-c", &line, "/dev/null"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env.dir.path())
            .env("WENKU_TODAY", TODAY)
            .env("NO_COLOR", "1")
            .env("WENKU_PAGER", pager)
            .output()
            .expect("script runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = run_on_tty(
        "show 370200/2025-zwgkgzyd",
        &format!("cat > {}", paged.display()),
    );
    let kept = std::fs::read_to_string(&paged).expect("the pager ran");
    assert!(kept.contains("2025年青岛市政务公开工作要点"), "{kept}");
    // On a terminal the text comes with what it is: work, title, dates, status.
    assert!(
        kept.starts_with("370200/2025-zwgkgzyd  2025年青岛市"),
        "{kept}"
    );
    assert!(kept.contains("in-force (现行有效) on 2026-01-15"), "{kept}");
    assert!(
        !shown.contains("一、"),
        "the text went to the pager: {shown}"
    );
    // An empty pager means none: the text comes straight out.
    std::fs::remove_file(&paged).expect("rm");
    let shown = run_on_tty("show 370200/2025-zwgkgzyd", "");
    assert!(shown.contains("2025年青岛市政务公开工作要点"), "{shown}");
    assert!(!paged.exists());
    // Piped, never paged.
    let piped = env.ok(&["show", "370200/2025-zwgkgzyd"]);
    assert!(piped.contains("2025年青岛市政务公开工作要点"));
    assert!(!paged.exists());
}

#[test]
fn the_readme_session_runs_as_written_against_the_demo_library() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("README.md");
    let usage = &readme[readme.find("## Using it").expect("a usage section")..];
    let block = &usage[usage.find("```sh\n").expect("a shell block") + 6..];
    let block = &block[..block.find("```").expect("the block ends")];
    let env = Env::new();
    let root = env.dir.path();
    // What the session stands on beside the library.
    std::fs::write(
        root.join("notice.txt"),
        wenku_test_support::fixtures::county_notice(11),
    )
    .expect("notice");
    let mut again = std::fs::read_to_string(corpus("seeds/370200-qingdao-2025-05-16-points.txt"))
        .expect("seed");
    again.push_str("\n（此件公开发布）\n");
    std::fs::write(root.join("points-again.txt"), again).expect("copy");
    std::fs::copy(
        corpus("laws/cn-law-lifafa/2015-03-15.md"),
        root.join("lifa-2015.md"),
    )
    .expect("lifa");
    let mut cwd = root.to_path_buf();
    let mut ran = 0;
    for line in block.lines() {
        let command = line.split(" #").next().unwrap_or_default().trim();
        if command.is_empty() || command.starts_with('#') {
            continue;
        }
        if let Some(dir) = command.strip_prefix("cd ") {
            cwd = cwd.join(dir.trim());
            // The county node the demo pulled from, as a library of its
            // own, once the demo exists.
            let pingdu = root.join("pingdu.git");
            if !pingdu.exists() {
                let git = |args: &[&str]| {
                    let out = Command::new("git").args(args).output().expect("git");
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                };
                git(&["init", "-q", "--bare", pingdu.to_str().expect("UTF-8")]);
                git(&[
                    "--git-dir",
                    cwd.to_str().expect("UTF-8"),
                    "push",
                    "-q",
                    pingdu.to_str().expect("UTF-8"),
                    "refs/wenku/nodes/370283:refs/heads/main",
                ]);
            }
            continue;
        }
        let args = words(command.strip_prefix("wenku ").expect("a wenku command"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env
            .cmd()
            .current_dir(&cwd)
            .args(&args)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "README: `{command}` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 20, "{ran} commands");
}

/// The safety sweep from the command line: the quarter's report (JSON as
/// the schema says, the numbers masked), a finding dismissed and one
/// withdrawn, both decisions read back by the next sweep and `show`;
/// `withdraw --version` for one version; clear errors for what cannot be.
#[test]
fn a_sweep_reports_personal_data_and_each_finding_is_decided() {
    let env = Env::new();
    env.qingdao();
    let relief =
        wenku_test_support::paths::testdata().join("sweep/370283-pingdu-2025-relief-list.txt");
    env.ok(&[
        "import",
        "--region",
        "370283",
        "--local",
        "mz-2025-relief",
        "--published",
        "2025-06-03",
        relief.to_str().expect("UTF-8 path"),
    ]);
    let words = env.dir.path().join("words.txt");
    std::fs::write(&words, "# 不得公开的词\n因病致贫\n\n").expect("words");
    let out = env.ok(&["sweep", "--words", words.to_str().expect("path"), "--json"]);
    let report = &check_json("sweep", &out)[0];
    assert_eq!(report["quarter"], "2026-Q1");
    assert_eq!(report["open"], 5, "{report:#}");
    assert_eq!(report["works"], 3);
    for secret in ["370283198506124329", "13806391234", "6217001234567890122"] {
        assert!(!out.contains(secret), "{secret} in the report");
    }
    let items = report["items"].as_array().expect("items");
    let id_of = |kind: &str| {
        items
            .iter()
            .find(|i| i["kind"] == kind)
            .and_then(|i| i["id"].as_str())
            .expect("finding")
            .to_string()
    };
    // The saved report reads back, in words too.
    let human = env.ok(&["sweep", "show"]);
    assert!(human.contains("5 findings: 5 open"), "{human}");
    assert!(human.contains("居民身份证号码"), "{human}");
    assert_eq!(
        check_json(
            "sweep",
            &env.ok(&["sweep", "show", "--json", "--quarter", "2026-Q1"])
        )[0],
        *report
    );

    // Dismissed with a reason; withdrawn with a reason.
    let word = id_of("word");
    let dismissed = &check_json(
        "sweep_finding",
        &env.ok(&[
            "sweep",
            "dismiss",
            &word[..8],
            "--reason",
            "救助原因，依规公示",
            "--json",
        ]),
    )[0];
    assert_eq!(dismissed["state"], "false-positive");
    assert!(dismissed["by"].as_str().expect("by").contains("档案员 张"));
    let head = env.main_head();
    let withdrawn = &check_json(
        "sweep_finding",
        &env.ok(&[
            "sweep",
            "withdraw",
            &id_of("resident-id"),
            "--reason",
            "含个人身份证号码",
            "--json",
        ]),
    )[0];
    assert_eq!(withdrawn["state"], "withdrawn");
    assert_ne!(env.main_head(), head, "the withdrawal is a commit");
    let log = &check_json("log", &env.ok(&["log", "370283/mz-2025-relief", "--json"]))[0];
    assert_eq!(log["versions"][0]["status"], "withdrawn", "{log:#}");
    assert!(
        log["versions"][0]["withdrawn"]["reason"]
            .as_str()
            .expect("reason")
            .contains("安全巡查 2026-Q1")
    );
    // Withdrawing again is refused and changes nothing.
    let head = env.main_head();
    let again = env.fails(
        1,
        &["sweep", "withdraw", &id_of("mobile"), "--reason", "again"],
    );
    assert!(again.contains("already withdrawn"), "{again}");
    assert_eq!(env.main_head(), head);

    // The next sweep reads both decisions back.
    let next = &check_json("sweep", &env.ok(&["sweep", "--json"]))[0];
    assert_eq!(next["open"], 0, "{next:#}");

    // One version of another work, by its handle.
    let works: Vec<String> = env
        .ok(&["ls", "--json", "--region", "370200"])
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("JSON")["work"]
                .as_str()
                .expect("work")
                .to_string()
        })
        .collect();
    let change = &check_json(
        "change",
        &env.ok(&[
            "withdraw",
            &works[0],
            "--version",
            "v1",
            "--date",
            "2026-01-10",
            "--reason",
            "附件含个人信息",
            "--json",
        ]),
    )[0];
    assert_eq!(change["ops"][0], "withdraw-version");

    // What cannot be is said clearly.
    let bad = env.fails(2, &["sweep", "show", "--quarter", "2026-Q5"]);
    assert!(bad.contains("2026-Q4"), "{bad}");
    let none = env.fails(1, &["sweep", "show", "--quarter", "2025-Q3"]);
    assert!(none.contains("no sweep report for 2025-Q3"), "{none}");
    let unknown = env.fails(1, &["sweep", "dismiss", "ffffffffffff", "--reason", "x"]);
    assert!(unknown.contains("no finding ffffffffffff"), "{unknown}");
    let missing = env.fails(2, &["sweep", "--words", "nope.txt"]);
    assert!(missing.contains("nope.txt"), "{missing}");
}

/// The province's tag vocabulary is a document of its own region: it
/// reaches the city by a pull, lists with the works that carry each tag;
/// `tags check` names the works whose tags it lacks, and the city's
/// corrections are refused an unknown tag with the closest ones.
#[test]
fn the_provinces_vocabulary_travels_down_and_unknown_tags_are_refused() {
    let env = Env::new();
    for init in [
        vec!["province", "init", "--region", "370000"],
        vec!["city", "init", "--region", "370200"],
    ] {
        stdout_of(&env.run_at(init[0], &init[1..]), 0, "init");
    }
    // Before any vocabulary, tags are free.
    let qd = corpus("seeds/370200-qingdao-2025-05-16-points.txt");
    let imported = env.ok_at("city", &["import", "--json", qd.to_str().expect("path")]);
    let work = check_json("import", &imported)[0]["work"]
        .as_str()
        .expect("work")
        .to_string();
    env.ok_at("city", &["correct", &work, "--subject", "城市更新"]);
    let free = &check_json("tags", &env.ok_at("city", &["tags", "--json"]))[0];
    assert_eq!(free["vocabulary"], Value::Null);
    assert!(env.ok_at("city", &["tags"]).contains("no vocabulary"));

    // The province publishes its vocabulary; the city pulls it down.
    let vocabulary = wenku_test_support::paths::testdata().join("tags/370000-tags.txt");
    env.ok_at(
        "province",
        &[
            "import",
            "--region",
            "370000",
            "--local",
            "tags",
            vocabulary.to_str().expect("path"),
        ],
    );
    env.ok_at("city", &["pull", "../province", "--parent", "370000"]);
    let listed = &check_json("tags", &env.ok_at("city", &["tags", "--json"]))[0];
    assert_eq!(listed["vocabulary"], "370000/tags");
    let tags: Vec<&str> = listed["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t["tag"].as_str().expect("tag"))
        .collect();
    assert_eq!(
        tags,
        ["政务公开", "政策解读", "营商环境", "劳务派遣", "社会救助"]
    );
    assert_eq!(
        listed["tags"][4]["about"],
        "最低生活保障、临时救助、特困供养"
    );
    assert!(
        env.ok_at("city", &["tags"])
            .contains("5 tags in 370000/tags")
    );

    // The tag given before the vocabulary arrived is reported.
    let out = env.run_at("city", &["tags", "check", "--json"]);
    let check = &check_json("tags_check", &stdout_of(&out, 1, "tags check"))[0];
    assert_eq!(check["works"][0]["work"], work.as_str());
    assert_eq!(check["works"][0]["unknown"][0], "城市更新");

    // An unknown tag is refused with the closest ones, nothing written.
    let head = env.head_of("city");
    let refused = env.fails_at(
        "city",
        1,
        &[
            "correct",
            &work,
            "--subject",
            "政务公开",
            "--subject",
            "营商",
        ],
    );
    assert!(
        refused.contains("\"营商\" is not in the vocabulary of 370000/tags")
            && refused.contains("did you mean 营商环境"),
        "{refused}"
    );
    assert!(refused.contains("wenku tags"), "{refused}");
    let typo = env.fails_at("city", 1, &["correct", &work, "--subject", "劳物派遣"]);
    assert!(typo.contains("did you mean 劳务派遣"), "{typo}");
    assert_eq!(env.head_of("city"), head);

    // Tags of the vocabulary are taken, counted, and the check passes.
    env.ok_at(
        "city",
        &[
            "correct",
            &work,
            "--subject",
            "政务公开",
            "--subject",
            "营商环境",
        ],
    );
    let counted = &check_json("tags", &env.ok_at("city", &["tags", "--json"]))[0];
    assert_eq!(counted["tags"][0]["works"], 1, "{counted:#}");
    assert_eq!(counted["tags"][1]["works"], 0, "{counted:#}");
    assert!(
        env.ok_at("city", &["tags", "check"])
            .contains("every work's tags")
    );
}

/// The demo's sample disclosure catalogue: its items with the six
/// elements, and the check of their legal basis against the laws in the
/// library, today (one law amended since, one repealed, one amended, one
/// not held) and on a day before those changes (only the one not held).
#[test]
fn a_disclosure_catalogue_is_checked_against_the_laws_in_force() {
    let env = Env::new();
    let demo = env.cmd().args(["demo", "lib"]).output().expect("demo");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let items = check_json(
        "catalogue_item",
        &env.ok(&["catalogue", "items", "370200/gongkai-mulu-2020", "--json"]),
    );
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["name"], "政府规章");
    assert_eq!(items[0]["channel"], "政府网站、政府公报");
    assert_eq!(items[3]["basis"], "《中华人民共和国政府信息公开条例》");
    // By title too, as any command names a work.
    let human = env.ok(&["catalogue", "items", "青岛市主动公开基本目录（2020年版）"]);
    assert!(human.contains("责任：市司法局"), "{human}");

    let out = env.run(&["catalogue", "check", "370200/gongkai-mulu-2020", "--json"]);
    let report = &check_json("catalogue_check", &stdout_of(&out, 1, "check"))[0];
    let problems: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["item"].as_str().expect("item").to_string(),
                f["problem"].as_str().expect("problem").to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            ("政府规章".to_string(), "amended".to_string()),
            ("化妆品卫生监督信息".to_string(), "ended".to_string()),
            ("动物疫情信息".to_string(), "amended".to_string()),
            (
                "政府信息公开工作年度报告".to_string(),
                "not-in-library".to_string()
            ),
        ]
    );
    assert_eq!(report["findings"][0]["published"], "2023-03-13");
    assert_eq!(report["findings"][1]["status"], "已废止");
    let out = env.run(&[
        "catalogue",
        "check",
        "370200/gongkai-mulu-2020",
        "--at",
        "2020-06-01",
        "--json",
    ]);
    let then = &check_json("catalogue_check", &stdout_of(&out, 1, "check then"))[0];
    assert_eq!(
        then["findings"].as_array().map(Vec::len),
        Some(1),
        "{then:#}"
    );
    // A document without a table of items is refused, saying what is needed.
    let refused = env.fails(1, &["catalogue", "items", "100000/lifa"]);
    assert!(
        refused.contains("事项") && refused.contains("依据"),
        "{refused}"
    );

    // The catalogue revised: compared item by item.
    let text = std::fs::read_to_string(
        wenku_test_support::paths::testdata().join("catalogue/370200-2020-disclosure-catalogue.md"),
    )
    .expect("catalogue")
    .replace("（2020年版）", "（2024年版）")
    .replace("《化妆品卫生监督条例》", "《化妆品监督管理条例》")
    .replace("| 及时 |", "| 发生后24小时内 |")
    .replace(
        "| 4 | 政府信息公开工作年度报告 | 青岛市人民政府办公厅 | 年度报告全文 | 每年1月31日前 | 主动公开 | 政府网站 | 市政府办公厅 | 《中华人民共和国政府信息公开条例》 |",
        "| 4 | 政策解读 | 青岛市人民政府办公厅 | 解读材料 | 与政策文件同步 | 主动公开 | 政府网站 | 市政府办公厅 | 《中华人民共和国政府信息公开条例》 |",
    )
    .replace("2020年1月10日", "2024年1月10日");
    let revised = env.dir.path().join("catalogue-2024.md");
    std::fs::write(&revised, text).expect("write");
    env.ok(&[
        "import",
        "--work",
        "370200/gongkai-mulu-2020",
        "--published",
        "2024-01-10",
        revised.to_str().expect("UTF-8 path"),
    ]);
    let diff = check_json(
        "catalogue_diff",
        &env.ok(&["catalogue", "diff", "370200/gongkai-mulu-2020", "--json"]),
    )
    .remove(0);
    assert_eq!(
        (
            diff["from_published"].as_str(),
            diff["to_published"].as_str()
        ),
        (Some("2020-01-10"), Some("2024-01-10"))
    );
    assert_eq!(diff["unchanged"], 1);
    let changes: Vec<(&str, &str, Vec<&str>)> = diff["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| {
            (
                c["change"].as_str().expect("change"),
                c["name"].as_str().expect("name"),
                c["fields"]
                    .as_array()
                    .expect("fields")
                    .iter()
                    .filter_map(|f| f["field"].as_str())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("changed", "化妆品卫生监督信息", vec!["basis"]),
            ("changed", "动物疫情信息", vec!["time_limit"]),
            ("removed", "政府信息公开工作年度报告", vec![]),
            ("added", "政策解读", vec![]),
        ]
    );
    let human = env.ok(&["catalogue", "diff", "370200/gongkai-mulu-2020", "v1", "v2"]);
    assert!(human.contains("时限：及时 → 发生后24小时内"), "{human}");
    assert!(human.contains("- 政府信息公开工作年度报告"), "{human}");
}

/// Runs `wenku -C lib ARGS` as the reviewer (not the clerk who submits).
fn as_reviewer(env: &Env, args: &[&str]) -> Output {
    let mut c = env.cmd();
    c.env("WENKU_AUTHOR_NAME", "保密审查员 李")
        .env("WENKU_AUTHOR_EMAIL", "shencha@qingdao.example")
        .arg("-C")
        .arg(env.lib())
        .args(args);
    c.output().expect("the binary runs")
}

/// 先审查、后公开: the Qingdao points and their interpretation submitted as
/// one draft, invisible until someone other than the submitter approves
/// it; then both are published in one commit that carries the review.
#[test]
fn a_draft_is_published_with_its_interpretation_after_someone_else_reviews_it() {
    let env = Env::new();
    env.ok(&["init", "--region", "370200", "--host", "370283"]);
    let points = corpus("seeds/370200-qingdao-2025-05-16-points.txt");
    let jiedu = wenku_test_support::paths::testdata()
        .join("drafts/370200-qingdao-2025-points-interpretation.txt");
    let (points, jiedu) = (
        points.to_str().expect("UTF-8 path"),
        jiedu.to_str().expect("UTF-8 path"),
    );
    let head = env.main_head();
    // The document first; its interpretation joins the same item.
    let first = check_json("draft", &env.ok(&["import", "--draft", "--json", points])).remove(0);
    let item = first["item"].as_str().expect("item").to_string();
    assert_eq!(first["works"].as_array().map(Vec::len), Some(1));
    let draft = check_json(
        "draft",
        &env.ok(&["import", "--add-to-draft", &item, "--json", jiedu]),
    )
    .remove(0);
    let tip = draft["tip"].as_str().expect("tip").to_string();
    assert_eq!(draft["state"], "pending");
    assert_eq!(draft["item"], item.as_str());
    assert_eq!(
        (
            draft["round"].as_u64(),
            draft["works"].as_array().map(Vec::len)
        ),
        (Some(2), Some(2))
    );
    assert_eq!(draft["submitter"]["email"], "clerk@qingdao.example");
    // Nothing is published: main did not move, ls sees nothing.
    assert_eq!(env.main_head(), head);
    assert_eq!(env.ok(&["ls", "--json"]), "");
    assert_eq!(
        check_json("draft", &env.ok(&["draft", "list", "--json"]))[0],
        draft
    );
    let review = check_json("draft_review", &env.ok(&["draft", "show", &item, "--json"])).remove(0);
    let works = review["works"].as_array().expect("works");
    assert_eq!(works[0]["work"], item.as_str(), "the item comes first");
    assert!(
        works.iter().all(
            |w| w["action"] == "publish" && w["findings"].as_array().is_some_and(Vec::is_empty)
        )
    );
    assert!(works[1]["title"].as_str().expect("title").contains("解读"));
    let human = env.ok(&["draft", "show", &item]);
    assert!(human.contains("find no personal information"), "{human}");
    assert!(
        human.contains("一、加强体制机制建设"),
        "the text is shown: {human}"
    );

    // The submitter cannot approve their own draft; an approval needs a note.
    let own = env.fails(1, &["draft", "approve", &item, "--note", "自审通过"]);
    assert!(own.contains("reviewed by someone else"), "{own}");
    assert_eq!(env.main_head(), head);

    let out = as_reviewer(
        &env,
        &[
            "draft",
            "approve",
            &item,
            "--tip",
            &tip[..12],
            "--note",
            "已审查，不涉及国家秘密、工作秘密和个人信息，同意公开",
            "--json",
        ],
    );
    let published = check_json("draft_published", &stdout_of(&out, 0, "approve")).remove(0);
    assert_eq!(published["parent"], head.as_str());
    assert_eq!(published["commit"], env.main_head().as_str());
    assert_eq!(
        published["review"]["reviewer"]["email"],
        "shencha@qingdao.example"
    );
    assert_eq!(published["review"]["submission"], draft["submission"]);
    // Both arrive together; the interpretation's citation resolves.
    let ls = env.ok(&["ls"]);
    assert!(
        ls.contains("2025年青岛市政务公开工作要点") && ls.contains("解读"),
        "{ls}"
    );
    let links = env.ok(&["links", &item]);
    assert!(links.contains("解读"), "{links}");
    let message = Command::new("git")
        .arg("--git-dir")
        .arg(env.lib())
        .args(["log", "-1", "--format=%an|%cn%n%B", "main"])
        .output()
        .expect("git runs");
    let message = String::from_utf8_lossy(&message.stdout);
    assert!(
        message.starts_with("档案员 张|保密审查员 李\n"),
        "{message}"
    );
    assert!(message.contains("Wenku-Review: approved\n"), "{message}");
    assert!(
        message.contains("Wenku-Reviewer: 保密审查员 李 <shencha@qingdao.example>\n"),
        "{message}"
    );
    assert!(
        message
            .contains("Wenku-Review-Note: 已审查，不涉及国家秘密、工作秘密和个人信息，同意公开\n"),
        "{message}"
    );
    assert_eq!(env.ok(&["draft", "list"]), "no drafts\n");
    let log = check_json("log", &env.ok(&["log", &item, "--json"])).remove(0);
    let review = &log["history"][0]["review"];
    assert_eq!(
        review["reviewer"], "保密审查员 李 <shencha@qingdao.example>",
        "{log:#}"
    );
    assert!(
        env.ok(&["log", &item])
            .contains("reviewed by 保密审查员 李 <shencha@qingdao.example>: 已审查")
    );
    env.ok(&["verify"]);
}

/// A draft carrying personal information: the review shows the sweep's
/// findings (masked), the reviewer returns it with reasons, and it cannot
/// be approved until it is submitted again.
#[test]
fn a_draft_with_personal_information_is_returned_with_reasons() {
    let env = Env::new();
    env.qingdao();
    let relief =
        wenku_test_support::paths::testdata().join("sweep/370283-pingdu-2025-relief-list.txt");
    let relief = relief.to_str().expect("UTF-8 path");
    let submit = [
        "import",
        "--draft",
        "--json",
        "--region",
        "370283",
        "--local",
        "mz-2025-relief",
        "--published",
        "2025-06-03",
        relief,
    ];
    let draft = check_json("draft", &env.ok(&submit)).remove(0);
    let item = draft["item"].as_str().expect("item").to_string();
    assert_eq!(item, "370283/mz-2025-relief");
    let out = env.ok(&["draft", "show", &item, "--json"]);
    let review = check_json("draft_review", &out).remove(0);
    let kinds: Vec<&str> = review["works"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["kind"].as_str())
        .collect();
    for kind in ["resident-id", "mobile", "bank-card", "room-address"] {
        assert!(kinds.contains(&kind), "{kind} not found: {kinds:?}");
    }
    for secret in ["370283198506124329", "13806391234", "6217001234567890122"] {
        assert!(!out.contains(secret), "{secret} in the review");
    }
    // A decision on another tip is refused as a conflict.
    let stale = as_reviewer(
        &env,
        &[
            "draft",
            "return",
            &item,
            "--tip",
            "0000000000000000000000000000000000000000",
            "--note",
            "x",
        ],
    );
    assert_eq!(
        stale.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&stale.stderr)
    );
    let out = as_reviewer(
        &env,
        &[
            "draft",
            "return",
            &item,
            "--note",
            "含身份证号码、手机号码、银行卡号和门牌号，删除后重新报送。",
            "--json",
        ],
    );
    let returned = check_json("draft", &stdout_of(&out, 0, "return")).remove(0);
    assert_eq!(returned["state"], "returned");
    assert_eq!(returned["review"]["decision"], "returned");
    assert_eq!(
        returned["review"]["note"],
        "含身份证号码、手机号码、银行卡号和门牌号，删除后重新报送。"
    );
    let list = env.ok(&["draft", "list"]);
    assert!(
        list.contains("returned by 保密审查员 李") && list.contains("删除后重新报送"),
        "{list}"
    );
    let out = as_reviewer(&env, &["draft", "approve", &item, "--note", "同意"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("waits for a new submission"));
    // Submitted again, it is a new round; discarding it publishes nothing.
    let again = check_json("draft", &env.ok(&submit)).remove(0);
    assert_eq!(
        (again["state"].as_str(), again["round"].as_u64()),
        (Some("pending"), Some(2))
    );
    let head = env.main_head();
    env.ok(&["draft", "discard", &item]);
    assert_eq!(env.main_head(), head);
    assert_eq!(env.ok(&["draft", "list"]), "no drafts\n");
    let missing = env.fails(1, &["draft", "show", &item]);
    assert!(
        missing.contains("there is no draft of 370283/mz-2025-relief"),
        "{missing}"
    );
}
