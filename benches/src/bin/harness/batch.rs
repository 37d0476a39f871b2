//! Benchmark 7: one `wenku import` of a batch of text files into a new
//! library against `git fast-import` writing the same files in one commit.
//!
//! This is what an archive does when it loads its existing texts: one
//! command, one commit. Where the other benchmarks import the generated
//! corpus version by version, here every file is a new work and the whole
//! batch is one transaction.
//!
//! The texts: `--texts DIR` (every `.txt`, `.md` and `.xml` file under it,
//! e.g. a directory of real law texts), else the newest version of each of
//! the generated corpus's first `--files` works, copied into the cache.
//!
//! wenku: the real `wenku` binary (`--wenku`, default: beside this harness;
//! build it with `cargo build --release -p wenku-cli`), in a library made
//! with `wenku init` (which makes the node key; not timed), runs
//! `wenku import --new-work --published 2025-01-01 FILE…` (every file a new
//! work; the date is given because bare law texts name none in a form the
//! importer takes as the publication date). git: `git init --bare`, then
//! the files streamed to `git fast-import` as one commit, each at its path
//! under the texts directory. Both whole processes, from spawn to exit, with
//! their peak RSS (GNU time), alternating, after a `sync`.

use std::error::Error;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use crate::context::{Ctx, say};
use crate::git;
use crate::measure::{self, GnuTime};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The batch's files: sorted, with their total size.
fn texts(ctx: &mut Ctx) -> Result<(PathBuf, Vec<PathBuf>, u64)> {
    let dir = match &ctx.o.texts {
        Some(dir) => dir.clone(),
        None => generated_batch(ctx)?,
    };
    let mut files: Vec<PathBuf> = measure::files_under(&dir)?
        .into_iter()
        .filter(|f| {
            f.extension()
                .is_some_and(|e| e == "txt" || e == "md" || e == "xml")
                && f.file_name().is_some_and(|n| n != "README.md")
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no .txt, .md or .xml files", dir.display()).into());
    }
    let mut bytes = 0;
    for f in &files {
        bytes += fs::metadata(f)?.len();
    }
    Ok((dir, files, bytes))
}

/// The newest version of each of the first `--files` generated works,
/// copied into `<cache>/…/batch-<N>/` once.
fn generated_batch(ctx: &mut Ctx) -> Result<PathBuf> {
    let n = ctx.o.files;
    let dir = ctx.root.join(format!("batch-{n}"));
    let done = dir.join(".complete");
    if done.is_file() {
        return Ok(dir);
    }
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    let texts = ctx.texts();
    let manifest = ctx.prepare()?;
    let mut copied = 0;
    for work in manifest.works().into_iter().take(n) {
        let Some(newest) = work.last() else { continue };
        let name = Path::new(&newest.file)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("txt");
        let to = dir.join(format!(
            "{}-{}.{name}",
            newest.work.region(),
            newest.work.local()
        ));
        fs::copy(texts.join(&newest.file), &to)?;
        copied += 1;
    }
    if copied < n {
        say(format!(
            "batch: the corpus has {copied} works, fewer than --files {n}: the batch has {copied} files"
        ));
    }
    fs::write(&done, b"")?;
    Ok(dir)
}

/// The `wenku` binary: `--wenku`, else beside this harness.
fn wenku_binary(ctx: &Ctx) -> Result<PathBuf> {
    let path = match &ctx.o.wenku {
        Some(p) => p.clone(),
        None => ctx
            .exe
            .parent()
            .map(|d| d.join("wenku"))
            .ok_or("the harness has no directory")?,
    };
    if !path.is_file() {
        return Err(format!(
            "{}: no wenku binary; build it with `cargo build --release -p wenku-cli` (or name it with --wenku)",
            path.display()
        )
        .into());
    }
    Ok(path)
}

/// Gives a command running `wenku` (directly or under GNU time) the
/// operator and key the batch uses, isolated from the user's git
/// configuration.
fn wenku_env<'c>(c: &'c mut Command, key: &Path) -> &'c mut Command {
    git::isolate(c)
        .env("WENKU_KEY", key)
        .env("WENKU_AUTHOR_NAME", "基准测试")
        .env("WENKU_AUTHOR_EMAIL", "bench@wenku.invalid")
        .env("WENKU_TODAY", "2026-01-15")
        .env("NO_COLOR", "1")
}

/// Runs the benchmark.
pub fn run_bench(ctx: &mut Ctx) -> Result<()> {
    ctx.run.clear("batch");
    let bin = wenku_binary(ctx)?;
    let (dir, files, bytes) = texts(ctx)?;
    let repeats = ctx.o.repeats.unwrap_or(if ctx.o.quick { 1 } else { 3 });
    let scratch = ctx.scratch().join("batch");
    if scratch.exists() {
        fs::remove_dir_all(&scratch)?;
    }
    fs::create_dir_all(&scratch)?;
    let key = scratch.join("node.key");
    say(format!(
        "batch: {} files, {:.1} MB, from {}",
        files.len(),
        bytes as f64 / 1e6,
        dir.display()
    ));
    let gnu_time = ctx.gnu_time.clone();
    let (mut w_walls, mut g_walls) = (Vec::new(), Vec::new());
    let (mut w_rss, mut g_rss) = (None::<u64>, None::<u64>);
    let (mut w_bytes, mut g_bytes) = (0, 0);
    for i in 0..repeats {
        let lib = scratch.join(format!("library-{i}"));
        measure::run_timed(
            wenku_env(&mut Command::new(&bin), &key)
                .args(["init", "--region", "370000"])
                .arg(&lib),
            &[],
        )?;
        measure::sync();
        say(format!("batch {}/{repeats}: wenku import", i + 1));
        let (wall, rss) = timed_import(&bin, &key, &lib, &files, gnu_time.as_ref(), &scratch)?;
        w_walls.push(wall);
        w_rss = w_rss.max(rss);
        w_bytes = measure::disk_bytes(&lib)?;
        fs::remove_dir_all(&lib)?;

        let repo = scratch.join(format!("git-{i}"));
        git::init_bare(&repo)?;
        measure::sync();
        say(format!("batch {}/{repeats}: git fast-import", i + 1));
        let fi = git::fast_import(&repo, gnu_time.as_ref(), &scratch, |w| {
            feed_one_commit(&dir, &files, w)
        })?;
        g_walls.push(fi.wall.as_secs_f64());
        g_rss = g_rss.max(fi.peak_rss_kib);
        g_bytes = measure::disk_bytes(&repo)?;
        fs::remove_dir_all(&repo)?;
    }
    let source = match &ctx.o.texts {
        Some(d) => d.display().to_string(),
        None => format!("the newest version of {} generated works", files.len()),
    };
    let command = format!(
        "harness batch{} --repeats {repeats}",
        match &ctx.o.texts {
            Some(d) => format!(" --texts {}", d.display()),
            None => format!(
                " --versions {} --seed {} --files {}",
                ctx.o.versions, ctx.o.seed, ctx.o.files
            ),
        }
    );
    let info = |repo_bytes: u64| {
        json!({
            "files": files.len(),
            "text_bytes": bytes,
            "texts": source,
            "repository_bytes": repo_bytes,
        })
    };
    ctx.row(
        "batch/wenku",
        &format!(
            "{} text files ({:.1} MB) → one wenku import, one commit",
            files.len(),
            bytes as f64 / 1e6
        ),
        "wenku",
        "process",
        &w_walls,
        w_rss,
        &format!(
            "{command} (runs: wenku init --region 370000 LIB; wenku import --new-work --published 2025-01-01 FILE…)"
        ),
        info(w_bytes),
    )?;
    ctx.row(
        "batch/git",
        "the same files → git fast-import, one commit",
        "git",
        "process",
        &g_walls,
        g_rss,
        "git init --bare; (one commit of every file) | git fast-import --quiet --done",
        info(g_bytes),
    )?;
    ctx.run.compare(
        "batch/wenku",
        "batch/git",
        "batch import of text files, whole process",
        Some("wenku ≤ 1.0× git fast-import"),
        |r| Some(r <= 1.0),
    );
    ctx.save()
}

/// `wenku import` of every file, timed from spawn to exit.
fn timed_import(
    bin: &Path,
    key: &Path,
    lib: &Path,
    files: &[PathBuf],
    gnu_time: Option<&GnuTime>,
    scratch: &Path,
) -> Result<(f64, Option<u64>)> {
    let report = scratch.join("wenku.rss");
    let mut args: Vec<String> = vec![
        "import".into(),
        "--new-work".into(),
        "--published".into(),
        "2025-01-01".into(),
        "--quiet".into(),
    ];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let mut c = match gnu_time {
        Some(t) => t.wrap(&bin.display().to_string(), &args, &report),
        None => {
            let mut c = Command::new(bin);
            c.args(&args);
            c
        }
    };
    wenku_env(&mut c, key).current_dir(lib);
    let timed = measure::run_timed(&mut c, &[])?;
    Ok((
        timed.wall.as_secs_f64(),
        gnu_time.and_then(|_| GnuTime::read(&report)),
    ))
}

/// Every file as one commit of a fast-import stream, at its path under
/// `dir`.
fn feed_one_commit(dir: &Path, files: &[PathBuf], w: &mut dyn Write) -> std::io::Result<()> {
    let ts = git::timestamp(wenku_model::Date::new(2025, 1, 1).expect("a date"));
    let who = "基准测试 <bench@wenku.invalid>";
    let message = "导入\n";
    write!(
        w,
        "commit refs/heads/main\nauthor {who} {ts} +0800\ncommitter {who} {ts} +0800\ndata {}\n{message}",
        message.len()
    )?;
    for f in files {
        let bytes = fs::read(f)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", f.display())))?;
        let path = f.strip_prefix(dir).unwrap_or(f).display().to_string();
        write!(w, "M 100644 inline {path}\ndata {}\n", bytes.len())?;
        w.write_all(&bytes)?;
        w.write_all(b"\n")?;
    }
    w.write_all(b"\n")
}
