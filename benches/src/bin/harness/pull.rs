//! Benchmark 6: federation pull of 10,000 new versions against `git fetch`
//! of the same objects, and a no-op pull.
//!
//! Setup (not timed, cached under `<scale>/pull/`): a child node for a
//! region the corpus never uses (the township `370283100` of 平度, inside
//! the province) holds a generated corpus of its own (another seed, every
//! work moved into its region). The parent is the scale's library (the
//! province node); a hard-linked copy of it (`cp -al`: packs are immutable,
//! refs are replaced by rename, so the original is never touched) pulls the
//! child's first 200-odd versions once. Then the child commits 10,000 more
//! versions in batches.
//!
//! Measured, each sample on a fresh hard-linked copy of that parent:
//! - wenku: `Library::pull(<child path>, Peer::Child(370283100))` (fetch
//!   with gix, check history, authority and every incoming work, merge,
//!   move main), then the same pull again, which finds nothing new: the
//!   no-op pull. In a probe process; in-process time from the pull's own
//!   timings and whole-process wall time.
//! - git: `git fetch <child path> +refs/heads/main:refs/remotes/child/main`
//!   in the same copy (it has the child's earlier head, so the same objects
//!   come over), then the same fetch again.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;
use wenku_bench::corpus::{GenWork, Spec, generate};
use wenku_bench::library::try_ops;
use wenku_model::{Region, Target, WorkId};
use wenku_store::federation::{Peer, PullOptions};
use wenku_store::{InitOptions, Library, Transaction};

use crate::context::{Ctx, git_timed, harness_command, say};
use crate::measure::{self, GnuTime};
use crate::probe::clerk;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The child node's region.
pub const CHILD: &str = "370283100";

/// Versions the child has before the measured pull.
const BASE: usize = 200;

/// Versions the measured pull brings (fewer with --quick).
fn new_versions(ctx: &Ctx) -> usize {
    ctx.samples(10_000, 150)
}

fn dir(ctx: &Ctx) -> PathBuf {
    ctx.root.join("pull")
}

/// The generated work moved into `region`, with its relations to other
/// generated works moved along.
fn moved(work: &GenWork, region: Region) -> Result<GenWork> {
    let mut w = work.clone();
    let to = |id: &WorkId| WorkId::new(region, id.local());
    w.work = to(&work.work)?;
    for rel in &mut w.relations {
        if let Target::Work(t) = &rel.target {
            rel.target = Target::Work(to(t)?);
        }
    }
    if let Some(r) = &mut w.repealed
        && let Some(Target::Work(t)) = &r.by
    {
        r.by = Some(Target::Work(to(t)?));
    }
    Ok(w)
}

/// `cp -al from to`: a copy sharing every file.
fn hardlink_copy(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        fs::remove_dir_all(to)?;
    }
    let status = std::process::Command::new("cp")
        .arg("-al")
        .arg(from)
        .arg(to)
        .status()?;
    if !status.success() {
        return Err(format!("cp -al {} {} failed", from.display(), to.display()).into());
    }
    Ok(())
}

/// Builds the child and the parent that pulled its first versions.
fn setup(ctx: &mut Ctx) -> Result<(PathBuf, PathBuf)> {
    let d = dir(ctx);
    let (child, parent) = (d.join("child"), d.join("parent"));
    let marker = d.join("ready");
    let library = ctx.ensure_library()?;
    if marker.is_file() && child.is_dir() && parent.is_dir() {
        return Ok((child, parent));
    }
    say("pull: building the child node and the parent that pulled it once (not timed)");
    if d.exists() {
        fs::remove_dir_all(&d)?;
    }
    fs::create_dir_all(&d)?;
    let region = Region::parse(CHILD)?;
    let clerk = clerk()?;
    let lib = Library::init(&child, region, InitOptions::new(clerk.clone()))?;
    let wanted = BASE + new_versions(ctx);
    let mut versions = 0;
    let mut batch = Transaction::new();
    let mut in_batch = 0;
    let mut based = false;
    for work in generate(Spec {
        seed: ctx.o.seed.wrapping_add(0x5EED),
        versions: wanted,
    }) {
        let work = moved(&work, region)?;
        for op in try_ops(&work)? {
            batch.push(op);
        }
        versions += work.versions.len();
        in_batch += work.versions.len();
        if !based && versions >= BASE {
            // The child's state the parent has already pulled.
            lib.commit(&clerk, std::mem::take(&mut batch))?;
            hardlink_copy(&library, &parent)?;
            let p = Library::open(&parent)?;
            p.pull(
                &child.display().to_string(),
                Peer::Child(region),
                &clerk,
                &PullOptions::new(),
            )?;
            based = true;
            in_batch = 0;
        } else if in_batch >= 5_000 {
            lib.commit(&clerk, std::mem::take(&mut batch))?;
            in_batch = 0;
        }
    }
    if !batch.is_empty() {
        lib.commit(&clerk, batch)?;
    }
    fs::write(&marker, format!("{versions}\n"))?;
    Ok((child, parent))
}

/// Runs the benchmark.
pub fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.run.clear("pull");
    let (child, parent) = setup(ctx)?;
    let n = ctx.samples(5, 1);
    let new = new_versions(ctx);
    let scratch = ctx.scratch();
    let child_arg = child.display().to_string();
    let pull_args = |lib: &Path| {
        vec![
            "pull".to_string(),
            "--library".into(),
            lib.display().to_string(),
            "--source".into(),
            child_arg.clone(),
            "--child".into(),
            CHILD.into(),
        ]
    };
    let fetch_args = |repo: &Path| {
        vec![
            "-C".to_string(),
            repo.display().to_string(),
            "fetch".into(),
            "--quiet".into(),
            child_arg.clone(),
            "+refs/heads/main:refs/remotes/child/main".into(),
        ]
    };

    let (mut w_wall, mut w_in, mut w_noop_wall, mut w_noop_in) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut g, mut g_noop) = (Vec::new(), Vec::new());
    let (mut w_rss, mut w_noop_rss) = (None, None);
    let mut w_info = serde_json::Map::new();
    for i in 0..n {
        say(format!("pull {}/{n}: wenku", i + 1));
        let copy = scratch.join(format!("pull-parent-{i}"));
        hardlink_copy(&parent, &copy)?;
        measure::sync();
        let (wall, report) = ctx.probe(&pull_args(&copy), false)?;
        let added = report.info.get("works_added").and_then(|v| v.as_u64());
        if added.unwrap_or(0) == 0 {
            return Err(format!("the measured pull added no works: {:?}", report.info).into());
        }
        w_wall.push(wall);
        w_in.extend(report.samples.first());
        w_rss = w_rss.max(report.peak_rss_kib);
        w_info = report.info.into_iter().collect();
        let (wall, report) = ctx.probe(&pull_args(&copy), false)?;
        if report.info.get("changed").and_then(|v| v.as_bool()) != Some(false) {
            return Err("the second pull changed the library".into());
        }
        w_noop_wall.push(wall);
        w_noop_in.extend(report.samples.first());
        w_noop_rss = w_noop_rss.max(report.peak_rss_kib);
        fs::remove_dir_all(&copy)?;

        say(format!("pull {}/{n}: git fetch", i + 1));
        let copy = scratch.join(format!("fetch-parent-{i}"));
        hardlink_copy(&parent, &copy)?;
        measure::sync();
        g.push(git_timed(&fetch_args(&copy), &[])?.0);
        g_noop.push(git_timed(&fetch_args(&copy), &[])?.0);
        fs::remove_dir_all(&copy)?;
    }
    // Peak memory of git in one more pair of fetches under GNU time.
    let (mut g_rss, mut g_noop_rss) = (None, None);
    if let Some(t) = ctx.gnu_time.clone() {
        let copy = scratch.join("fetch-parent-rss");
        hardlink_copy(&parent, &copy)?;
        let report = scratch.join("fetch.rss");
        for slot in [&mut g_rss, &mut g_noop_rss] {
            let mut c = t.wrap("git", &fetch_args(&copy), &report);
            crate::git::isolate(&mut c);
            measure::run_timed(&mut c, &[])?;
            *slot = GnuTime::read(&report);
        }
        fs::remove_dir_all(&copy)?;
    }

    let cmd = format!(
        "{} (probe: harness probe pull --library COPY --source CHILD --child {CHILD})",
        harness_command(ctx, "pull")
    );
    let label = format!("pull of {new} new versions from a child node");
    ctx.row(
        "pull/wenku",
        &format!("{label}: Library::pull (fetch, check, merge), in-process"),
        "wenku",
        "in-process",
        &w_in,
        w_rss,
        &cmd,
        serde_json::Value::Object(w_info),
    )?;
    ctx.row(
        "pull/wenku-process",
        &format!("{label}: a whole process"),
        "wenku",
        "process",
        &w_wall,
        w_rss,
        &cmd,
        serde_json::Value::Null,
    )?;
    ctx.row(
        "pull/git",
        "git fetch of the same objects",
        "git",
        "process",
        &g,
        g_rss,
        "git fetch --quiet CHILD +refs/heads/main:refs/remotes/child/main",
        json!({ "versions": new }),
    )?;
    ctx.row(
        "pull/wenku-noop",
        "no-op pull (the child has nothing new), in-process",
        "wenku",
        "in-process",
        &w_noop_in,
        w_noop_rss,
        &cmd,
        serde_json::Value::Null,
    )?;
    ctx.row(
        "pull/wenku-noop-process",
        "no-op pull, a whole process",
        "wenku",
        "process",
        &w_noop_wall,
        w_noop_rss,
        &cmd,
        serde_json::Value::Null,
    )?;
    ctx.row(
        "pull/git-noop",
        "git fetch with nothing new",
        "git",
        "process",
        &g_noop,
        g_noop_rss,
        "git fetch --quiet CHILD +refs/heads/main:refs/remotes/child/main (again)",
        serde_json::Value::Null,
    )?;
    let quick = ctx.o.quick;
    ctx.run.compare(
        "pull/wenku-process",
        "pull/git",
        &format!("pull of {new} versions, whole process vs git fetch"),
        Some("wenku ≤ 2× git fetch"),
        |r| (!quick).then_some(r <= 2.0),
    );
    ctx.run.compare(
        "pull/wenku",
        "pull/git",
        &format!("pull of {new} versions, in-process vs git fetch"),
        None,
        |_| None,
    );
    ctx.run.compare(
        "pull/wenku-noop-process",
        "pull/git-noop",
        "no-op pull, whole process vs git fetch",
        None,
        |_| None,
    );
    ctx.run
        .check("pull/wenku-noop", "no-op pull < 50 ms", |m| Some(m < 0.050));
    ctx.run
        .check("pull/wenku-noop-process", "no-op pull < 50 ms", |m| {
            Some(m < 0.050)
        });
    ctx.save()
}
