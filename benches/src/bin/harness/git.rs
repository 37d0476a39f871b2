//! The peer: laws in git done by hand, as legalize.dev, Archeo-Lex and
//! bundestag/gesetze do it. One file per work (`<region>/<local>.md`), one
//! commit per version with the legal date as the commit date, written with
//! `git fast-import`; "as of" with `git log --before` and `git show`;
//! comparison with `git diff --no-index --word-diff`.
//!
//! Every git process runs without system or global configuration
//! (`GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_GLOBAL=/dev/null`), so a user's
//! settings cannot change what is measured, and in the `C.UTF-8` locale (so
//! a word-diff regex sees characters, not bytes).

use std::ffi::OsStr;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wenku_bench::files::Entry;
use wenku_model::Date;

use crate::measure::GnuTime;

/// A `git` command isolated from the machine's configuration.
pub fn git() -> Command {
    let mut c = Command::new("git");
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    c
}

/// The environment [`git`] sets, for wrapping git in another program.
pub fn isolate(c: &mut Command) -> &mut Command {
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
}

/// Runs `git args…` and returns its standard output; fails on a non-zero exit.
pub fn run<I, S>(args: I) -> io::Result<Vec<u8>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut c = git();
    c.args(args);
    let out = c.stdin(Stdio::null()).output()?;
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "{c:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

/// `git init --bare` with `main` as the branch.
pub fn init_bare(path: &Path) -> io::Result<()> {
    run([
        OsStr::new("init"),
        OsStr::new("--bare"),
        OsStr::new("-q"),
        OsStr::new("--initial-branch=main"),
        path.as_os_str(),
    ])
    .map(drop)
}

/// A legal date as a commit time: noon in China Standard Time.
pub fn timestamp(date: Date) -> i64 {
    date.to_days() * 86_400 + 4 * 3_600
}

/// `--before=` for "in force on `date`": the end of that day, CST.
pub fn before(date: Date) -> String {
    format!("--before={date} 23:59:59 +0800")
}

/// Writes one commit of a fast-import stream: `path` set to `bytes`, dated
/// `date`. `from` restarts from an existing branch (`refs/heads/main^0`).
pub fn write_commit(
    w: &mut dyn Write,
    path: &str,
    bytes: &[u8],
    date: Date,
    message: &str,
    from: Option<&str>,
) -> io::Result<()> {
    let ts = timestamp(date);
    let who = "基准测试 <bench@wenku.invalid>";
    write!(
        w,
        "commit refs/heads/main\nauthor {who} {ts} +0800\ncommitter {who} {ts} +0800\ndata {}\n{message}\n",
        message.len()
    )?;
    if let Some(f) = from {
        writeln!(w, "from {f}")?;
    }
    write!(w, "M 100644 inline {path}\ndata {}\n", bytes.len())?;
    w.write_all(bytes)?;
    w.write_all(b"\n")
}

/// The commit message of a version.
pub fn message(e: &Entry) -> String {
    format!(
        "{} {} ({})\n",
        if e.seq == 0 { "发布" } else { "修改" },
        e.title,
        e.published
    )
}

/// What a fast-import run did.
#[derive(Debug)]
pub struct FastImport {
    /// Wall time from spawn to exit, writing the stream included.
    pub wall: Duration,
    /// Its peak RSS, KiB, when GNU time is available.
    pub peak_rss_kib: Option<u64>,
}

/// Runs `git fast-import` into `repo`, feeding it the stream `feed` writes
/// (reading the texts is part of the measured time, as it is for wenku).
pub fn fast_import(
    repo: &Path,
    gnu_time: Option<&GnuTime>,
    scratch: &Path,
    feed: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<FastImport> {
    let report = scratch.join("fast-import.rss");
    let stderr_path = scratch.join("fast-import.stderr");
    let args: Vec<String> = vec![
        "-C".into(),
        repo.display().to_string(),
        "fast-import".into(),
        "--quiet".into(),
        "--done".into(),
    ];
    let mut cmd = match gnu_time {
        Some(t) => t.wrap("git", &args, &report),
        None => {
            let mut c = Command::new("git");
            c.args(&args);
            c
        }
    };
    isolate(&mut cmd);
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&stderr_path)?)
        .spawn()?;
    let stdin = child
        .stdin
        .take()
        .ok_or_else(|| io::Error::other("fast-import has no stdin"))?;
    let mut w = BufWriter::with_capacity(1 << 20, stdin);
    let fed = feed(&mut w).and_then(|()| {
        w.write_all(b"done\n")?;
        w.flush()
    });
    drop(w);
    let status = child.wait()?;
    let wall = start.elapsed();
    if let Err(e) = fed {
        return Err(io::Error::other(format!(
            "feeding git fast-import: {e}; its stderr: {}",
            fs::read_to_string(&stderr_path).unwrap_or_default().trim()
        )));
    }
    if !status.success() {
        return Err(io::Error::other(format!(
            "git fast-import failed ({status}): {}",
            fs::read_to_string(&stderr_path).unwrap_or_default().trim()
        )));
    }
    Ok(FastImport {
        wall,
        peak_rss_kib: gnu_time.and_then(|_| GnuTime::read(&report)),
    })
}

/// Feeds every version of the corpus, in date order, as one commit each.
pub fn feed_corpus(texts: &Path, entries: &[&Entry], w: &mut dyn Write) -> io::Result<()> {
    for e in entries {
        let path = texts.join(&e.file);
        let bytes = fs::read(&path)
            .map_err(|err| io::Error::new(err.kind(), format!("{}: {err}", path.display())))?;
        write_commit(w, &e.repo_path(), &bytes, e.published, &message(e), None)?;
    }
    Ok(())
}
