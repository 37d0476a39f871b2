//! What every benchmark shares: the scale's cache directory, the corpus,
//! the library and git repository built from it, the results, and running
//! probes.
//!
//! ```text
//! <cache>/seed<S>-v<N>/corpus/       manifest.tsv and texts/ (files::write_corpus)
//! <cache>/seed<S>-v<N>/library/      the wenku library the import benchmark built
//! <cache>/seed<S>-v<N>/peer.git/     the git repository fast-import built
//! <cache>/seed<S>-v<N>/scratch/      runs in progress, probe reports
//! <cache>/diff/                      the diff benchmark's plain texts
//! <out>/seed<S>-v<N>.json, .md       results
//! ```

use std::error::Error;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use wenku_bench::corpus::Spec;
use wenku_bench::files::{Manifest, write_corpus};

use crate::Options;
use crate::git;
use crate::machine::Machine;
use crate::measure::{self, GnuTime, Stats};
use crate::probe::ProbeReport;
use crate::report::{self, Row, Run};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// A benchmark run at one scale.
#[derive(Debug)]
pub struct Ctx {
    /// The command-line options.
    pub o: Options,
    /// `<cache>/seed<S>-v<N>`.
    pub root: PathBuf,
    /// The cache directory.
    pub cache: PathBuf,
    /// Where results go.
    pub out: PathBuf,
    /// GNU time, for the git processes' peak RSS.
    pub gnu_time: Option<GnuTime>,
    /// This binary, for probes.
    pub exe: PathBuf,
    /// The corpus, once prepared.
    manifest: Option<Manifest>,
    /// The results so far.
    pub run: Run,
    probes: AtomicUsize,
}

fn cache_dir(o: &Options) -> PathBuf {
    o.cache
        .clone()
        .or_else(|| std::env::var_os("WENKU_BENCH_CACHE").map(PathBuf::from))
        .unwrap_or_else(|| std::env::temp_dir().join("wenku-bench-cache"))
}

fn out_dir(o: &Options) -> PathBuf {
    o.out
        .clone()
        .unwrap_or_else(|| cache_dir(o).join("results"))
}

fn scale_name(o: &Options) -> String {
    format!("seed{}-v{}", o.seed, o.versions)
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Progress on standard error.
pub fn say(msg: impl AsRef<str>) {
    eprintln!("[harness] {}", msg.as_ref());
}

impl Ctx {
    /// Sets up a run at the scale `o` names, continuing an earlier run's
    /// results for the same scale.
    pub fn new(o: Options) -> Result<Ctx> {
        if o.versions == 0 {
            return Err("--versions must be at least 1".into());
        }
        let cache = cache_dir(&o);
        let out = out_dir(&o);
        let root = cache.join(scale_name(&o));
        fs::create_dir_all(root.join("scratch"))?;
        fs::create_dir_all(&out)?;
        let gnu_time = GnuTime::find();
        let machine = Machine::read(&cache, gnu_time.is_some());
        let results = out.join(format!("{}.json", scale_name(&o)));
        let mut run = match Run::read(&results) {
            Ok(r) if r.format == 1 && r.quick == o.quick => r,
            _ => Run::new(o.seed, o.versions, 0, o.quick, machine.clone()),
        };
        run.machine = machine;
        if gnu_time.is_none() {
            run.notes.retain(|n| !n.starts_with("rss: "));
            run.note(
                "rss",
                "GNU time (/usr/bin/time) is not installed: the git processes' peak RSS is not measured",
            );
        }
        Ok(Ctx {
            exe: std::env::current_exe()?,
            o,
            root,
            cache,
            out,
            gnu_time,
            manifest: None,
            run,
            probes: AtomicUsize::new(0),
        })
    }

    /// The corpus directory.
    pub fn corpus(&self) -> PathBuf {
        self.root.join("corpus")
    }

    /// The corpus's text files.
    pub fn texts(&self) -> PathBuf {
        self.corpus().join("texts")
    }

    /// The library built from the corpus.
    pub fn library(&self) -> PathBuf {
        self.root.join("library")
    }

    /// The git repository built from the corpus.
    pub fn peer(&self) -> PathBuf {
        self.root.join("peer.git")
    }

    /// Scratch space for runs in progress.
    pub fn scratch(&self) -> PathBuf {
        self.root.join("scratch")
    }

    /// Generates the corpus unless it is cached.
    pub fn prepare(&mut self) -> Result<&Manifest> {
        if self.manifest.is_none() {
            let corpus = self.corpus();
            if !Manifest::path(&corpus).is_file() {
                let partial = self.root.join("corpus.partial");
                if partial.exists() {
                    fs::remove_dir_all(&partial)?;
                }
                say(format!(
                    "generating {} versions (seed {}) into {}",
                    self.o.versions,
                    self.o.seed,
                    corpus.display()
                ));
                let t = Instant::now();
                let w = write_corpus(
                    Spec {
                        seed: self.o.seed,
                        versions: self.o.versions,
                    },
                    &partial,
                )?;
                if corpus.exists() {
                    fs::remove_dir_all(&corpus)?;
                }
                fs::rename(&partial, &corpus)?;
                say(format!(
                    "wrote {} works, {} files, {} MB of text in {:.1} s",
                    w.works,
                    w.versions,
                    w.bytes / 1_000_000,
                    t.elapsed().as_secs_f64()
                ));
            }
            let m = Manifest::read(&corpus)?;
            self.run.works = m.works().len();
            self.manifest = Some(m);
        }
        self.manifest
            .as_ref()
            .ok_or_else(|| "the corpus was not prepared".into())
    }

    /// The prepared corpus.
    pub fn manifest(&self) -> Result<&Manifest> {
        self.manifest
            .as_ref()
            .ok_or_else(|| "the corpus was not prepared".into())
    }

    fn marker(&self, what: &str) -> PathBuf {
        self.root.join(format!("{what}.ok"))
    }

    /// Records that `path` (library or peer) was built completely.
    pub fn mark_built(&self, what: &str) -> Result<()> {
        fs::write(self.marker(what), now().to_string())?;
        Ok(())
    }

    /// Forgets a built library, peer or pull setup.
    pub fn unmark(&self, what: &str) -> Result<()> {
        let m = if what == "pull" {
            self.root.join("pull").join("ready")
        } else {
            self.marker(what)
        };
        if m.exists() {
            fs::remove_file(m)?;
        }
        Ok(())
    }

    /// The library, built (untimed) if no earlier run left one.
    pub fn ensure_library(&mut self) -> Result<PathBuf> {
        let lib = self.library();
        if self.marker("library").is_file() && lib.is_dir() {
            return Ok(lib);
        }
        say("building the library (not timed)");
        if lib.exists() {
            fs::remove_dir_all(&lib)?;
        }
        let args = crate::import::wenku_args(&self.corpus(), &lib);
        self.probe(&args, false)?;
        self.mark_built("library")?;
        Ok(lib)
    }

    /// The git repository, built (untimed) if no earlier run left one.
    pub fn ensure_peer(&mut self) -> Result<PathBuf> {
        let peer = self.peer();
        if self.marker("peer").is_file() && peer.is_dir() {
            return Ok(peer);
        }
        say("building the git repository (not timed)");
        if peer.exists() {
            fs::remove_dir_all(&peer)?;
        }
        crate::import::git_import(self, &peer)?;
        self.mark_built("peer")?;
        Ok(peer)
    }

    /// Runs `harness probe ARGS…` in a child process; returns its wall time
    /// and report. With `print` its standard output (the text a command
    /// would print) is read and dropped; otherwise it goes nowhere.
    pub fn probe(&self, args: &[String], print: bool) -> Result<(f64, ProbeReport)> {
        let n = self.probes.fetch_add(1, Ordering::Relaxed);
        let report = self
            .scratch()
            .join(format!("probe-{}-{n}.json", std::process::id()));
        let mut c = Command::new(&self.exe);
        c.arg("probe").arg("--report").arg(&report).args(args);
        c.stdout(if print { Stdio::piped() } else { Stdio::null() });
        c.stderr(Stdio::piped());
        let timed = measure::run_timed(&mut c, &[])?;
        let text = fs::read_to_string(&report)
            .map_err(|e| format!("probe {args:?} wrote no report ({e})"))?;
        fs::remove_file(&report)?;
        let parsed: ProbeReport = serde_json::from_str(&text)?;
        Ok((timed.wall.as_secs_f64(), parsed))
    }

    /// Adds a row of timings (seconds).
    #[allow(clippy::too_many_arguments)]
    pub fn row(
        &mut self,
        id: &str,
        label: &str,
        tool: &str,
        mode: &str,
        samples: &[f64],
        peak_rss_kib: Option<u64>,
        command: &str,
        info: serde_json::Value,
    ) -> Result<()> {
        let stats = Stats::of(samples).ok_or_else(|| format!("{id}: no samples"))?;
        let bench = id.split('/').next().unwrap_or(id).to_string();
        let info = match info {
            serde_json::Value::Object(m) => m.into_iter().collect(),
            serde_json::Value::Null => Default::default(),
            other => [("value".to_string(), other)].into_iter().collect(),
        };
        say(format!(
            "{id}: median {} (n {}, {} – {}){}",
            report::duration(stats.median),
            stats.n,
            report::duration(stats.min),
            report::duration(stats.max),
            peak_rss_kib
                .map(|k| format!(", peak RSS {}", report::mib(k)))
                .unwrap_or_default()
        ));
        self.run.rows.retain(|r| r.id != id);
        self.run.rows.push(Row {
            id: id.to_string(),
            bench,
            label: label.to_string(),
            tool: tool.to_string(),
            mode: mode.to_string(),
            stats: stats.into(),
            peak_rss_kib,
            command: command.to_string(),
            load: measure::load_average(),
            when: now(),
            info,
        });
        Ok(())
    }

    /// Writes the results so far (after each benchmark, so an interrupted
    /// run keeps what it measured).
    pub fn save(&self) -> Result<()> {
        let name = scale_name(&self.o);
        self.run.write(&self.out.join(format!("{name}.json")))?;
        fs::write(self.out.join(format!("{name}.md")), self.run.to_markdown())?;
        Ok(())
    }

    /// Saves, prints the results and cleans up if asked.
    pub fn finish(self) -> Result<()> {
        self.save()?;
        if self.o.json {
            println!("{}", serde_json::to_string_pretty(&self.run)?);
        } else {
            println!("{}", self.run.to_markdown());
        }
        let scratch = self.scratch();
        if scratch.exists() {
            fs::remove_dir_all(&scratch)?;
        }
        if self.o.clean {
            clean(&self.o)?;
        }
        Ok(())
    }

    /// The number of samples: `full`, or `quick` with --quick.
    pub fn samples(&self, full: usize, quick: usize) -> usize {
        if self.o.quick { quick } else { full }
    }
}

/// `harness clean`: deletes the scale's cache directory (results stay).
pub fn clean(o: &Options) -> Result<()> {
    let root = cache_dir(o).join(scale_name(o));
    if root.exists() {
        say(format!("deleting {}", root.display()));
        fs::remove_dir_all(&root)?;
    }
    Ok(())
}

/// `harness report`: every scale's results in `--out`, smallest first, and
/// the publish cost across scales.
pub fn merged_report(o: &Options) -> Result<()> {
    let out = out_dir(o);
    let mut runs = Vec::new();
    for entry in fs::read_dir(&out)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            runs.push(Run::read(&path)?);
        }
    }
    runs.sort_by_key(|r| (r.seed, r.versions));
    if o.json {
        println!("{}", serde_json::to_string_pretty(&runs)?);
        return Ok(());
    }
    for r in &runs {
        println!(
            "## {} versions\n\n{}",
            report::thousands(r.versions as u64),
            r.to_markdown()
        );
    }
    println!("{}", publish_across_scales(&runs));
    Ok(())
}

/// The target "single publish at 1M within 1.5× of the same at 10k", from
/// the runs at each scale.
pub fn publish_across_scales(runs: &[Run]) -> String {
    let id = "publish/wenku";
    let medians: Vec<(usize, f64)> = runs
        .iter()
        .filter(|r| !r.quick)
        .filter_map(|r| r.row(id).map(|row| (r.versions, row.stats.median)))
        .collect();
    let mut s = String::from(
        "| versions | one publish (median, in-process) | ÷ 10,000 versions |\n|---|---|---|\n",
    );
    let base = medians.iter().find(|(v, _)| *v == 10_000).map(|(_, m)| *m);
    for (v, m) in &medians {
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            report::thousands(*v as u64),
            report::duration(*m),
            base.map(|b| report::ratio(m / b))
                .unwrap_or_else(|| "—".into())
        ));
    }
    let verdict = match (base, medians.iter().find(|(v, _)| *v == 1_000_000)) {
        (Some(b), Some((_, m))) if m / b <= 1.5 => "met".to_string(),
        (Some(b), Some((_, m))) => format!("**missed** ({})", report::ratio(m / b)),
        _ => "not judged: needs runs at 10,000 and 1,000,000 versions".to_string(),
    };
    s.push_str(&format!(
        "\nTarget: single publish at 1M versions within 1.5× of 10k: {verdict}\n"
    ));
    s
}

/// A reproducible command line for a row: the harness invocation.
pub fn harness_command(ctx: &Ctx, bench: &str) -> String {
    format!(
        "harness {bench} --versions {} --seed {}{}",
        ctx.o.versions,
        ctx.o.seed,
        if ctx.o.quick { " --quick" } else { "" }
    )
}

/// Runs git with args, timed; the wall time in seconds and its output.
/// Exit codes in `ok` besides 0 are not errors (`git diff` exits 1 when the
/// files differ).
pub fn git_timed(args: &[String], ok: &[i32]) -> Result<(f64, std::process::Output)> {
    let mut c = git::git();
    c.args(args);
    let t = measure::run_timed(&mut c, ok)?;
    Ok((t.wall.as_secs_f64(), t.output))
}
