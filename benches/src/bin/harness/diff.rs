//! Benchmark 5: the article diff against `git diff --no-index --word-diff`
//! on the same pair of plain texts.
//!
//! Pairs (real texts from `testdata/corpus/laws`, written as plain text
//! under `<cache>/diff/`):
//! - `regulation-571`: the 571-article regulation against its amendment
//!   (586 articles, everything after the amended part renumbered); see
//!   `wenku_bench::regulation`. Target: < 10 ms.
//! - `gongsifa`: 公司法 2018 → 2023, a complete revision (218 → 266).
//!
//! wenku in-process: `wenku_diff::compare` + the terminal rendering (the
//! texts imported once, not timed). wenku whole process: read both files,
//! import, compare, render, print. git: `git diff --no-index --word-diff`
//! (words are runs of non-space characters, so for Chinese a changed line
//! is one word) and, closer to what wenku shows, with
//! `--word-diff-regex=[^[:space:]]` in a UTF-8 locale (one word per
//! character).

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;
use wenku_bench::regulation::{self, regulation_571};
use wenku_model::{Document, render};

use crate::context::{Ctx, git_timed, harness_command, say};
use crate::measure::{self, GnuTime};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn write_text(dir: &Path, name: &str, doc: &Document) -> Result<PathBuf> {
    let path = dir.join(name);
    let mut text = format!("{}\n", doc.title);
    text.push_str(&render::to_plain_text(doc));
    fs::write(&path, text)?;
    Ok(path)
}

/// The pairs, written once under `<cache>/diff/`.
fn pairs(ctx: &Ctx) -> Result<Vec<(&'static str, PathBuf, PathBuf)>> {
    let dir = ctx.cache.join("diff");
    fs::create_dir_all(&dir)?;
    let r = regulation_571()?;
    let gongsi_old = regulation::law("cn-law-gongsifa/2018-10-26.md")?;
    let gongsi_new = regulation::law("cn-law-gongsifa/2023-12-29.md")?;
    Ok(vec![
        (
            "regulation-571",
            write_text(&dir, "regulation-571-old.txt", &r.old)?,
            write_text(&dir, "regulation-571-amended.txt", &r.amended)?,
        ),
        (
            "gongsifa",
            write_text(&dir, "gongsifa-2018.txt", &gongsi_old)?,
            write_text(&dir, "gongsifa-2023.txt", &gongsi_new)?,
        ),
    ])
}

/// Runs the benchmark.
pub fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.run.clear("diff");
    let n_in = ctx.samples(50, 3);
    let n_proc = ctx.samples(20, 2);
    for (name, old, new) in pairs(ctx)? {
        say(format!("diff: {name}"));
        let (o, n) = (old.display().to_string(), new.display().to_string());
        let args = |count: usize, print: bool| {
            let mut a = vec![
                "diff".to_string(),
                o.clone(),
                n.clone(),
                "--count".into(),
                count.to_string(),
            ];
            if print {
                a.push("--print".into());
            }
            a
        };
        let (_, report) = ctx.probe(&args(n_in, false), false)?;
        ctx.row(
            &format!("diff/{name}/wenku"),
            &format!("{name}: compare + terminal rendering"),
            "wenku",
            "in-process",
            &report.samples,
            report.peak_rss_kib,
            &format!(
                "{} (probe: harness probe diff OLD NEW --count N)",
                harness_command(ctx, "diff")
            ),
            serde_json::Value::Object(report.info.into_iter().collect()),
        )?;
        let (mut walls, mut peak) = (Vec::new(), None);
        for _ in 0..n_proc {
            let (wall, r) = ctx.probe(&args(1, true), true)?;
            walls.push(wall);
            peak = peak.max(r.peak_rss_kib);
        }
        ctx.row(
            &format!("diff/{name}/wenku-process"),
            &format!("{name}: a whole process: read, import both, compare, print"),
            "wenku",
            "process",
            &walls,
            peak,
            "harness probe diff OLD NEW --print",
            serde_json::Value::Null,
        )?;
        for (id, extra, label) in [
            ("git", None, "git diff --no-index --word-diff"),
            (
                "git-chars",
                Some("--word-diff-regex=[^[:space:]]"),
                "git diff --no-index --word-diff --word-diff-regex=[^[:space:]] (per character)",
            ),
        ] {
            let mut a = vec![
                "diff".to_string(),
                "--no-index".into(),
                "--word-diff".into(),
            ];
            a.extend(extra.map(str::to_string));
            a.push(o.clone());
            a.push(n.clone());
            let mut walls = Vec::new();
            let mut bytes = 0;
            for _ in 0..n_proc {
                let (wall, out) = git_timed(&a, &[1])?;
                walls.push(wall);
                bytes = out.stdout.len();
            }
            let peak = match &ctx.gnu_time {
                Some(t) => {
                    let report = ctx.scratch().join("git-diff.rss");
                    let mut c = t.wrap("git", &a, &report);
                    crate::git::isolate(&mut c);
                    measure::run_timed(&mut c, &[1])?;
                    GnuTime::read(&report)
                }
                None => None,
            };
            ctx.row(
                &format!("diff/{name}/{id}"),
                &format!("{name}: {label}"),
                "git",
                "process",
                &walls,
                peak,
                &format!("git {}", a.join(" ")),
                json!({ "output_bytes": bytes }),
            )?;
        }
        for (w, g, label) in [
            (
                "wenku-process",
                "git",
                "whole process vs git diff --word-diff",
            ),
            (
                "wenku-process",
                "git-chars",
                "whole process vs git diff, per character",
            ),
            ("wenku", "git", "in-process vs git diff --word-diff"),
        ] {
            ctx.run.compare(
                &format!("diff/{name}/{w}"),
                &format!("diff/{name}/{g}"),
                &format!("{name}: {label}"),
                None,
                |_| None,
            );
        }
    }
    ctx.run.check(
        "diff/regulation-571/wenku",
        "diff of a 550-article regulation < 10 ms (compare + rendering)",
        |m| Some(m < 0.010),
    );
    ctx.save()
}
