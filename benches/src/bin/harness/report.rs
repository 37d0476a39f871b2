//! The results of a run and how they are written: JSON (the contract,
//! below) and a Markdown table.
//!
//! # JSON (`format` 1)
//!
//! One file per scale, `<out>/seed<S>-v<N>.json`:
//!
//! ```json
//! {
//!   "format": 1,
//!   "seed": 1, "versions": 10000, "works": 2870, "quick": false,
//!   "machine": { "cpu": "AMD EPYC", "cores": 2, "memory_gib": 23.5, "disk": "...",
//!                "kernel": "...", "git": "git version 2.47.3", "gnu_time": true },
//!   "rows": [
//!     { "id": "import/wenku", "bench": "import", "label": "...", "tool": "wenku",
//!       "mode": "process", "stats": { "n": 3, "median": 12.3, "min": 12.0, "max": 13.1 },
//!       "peak_rss_kib": 181234, "command": "...", "load": [1.2, 1.0, 0.9],
//!       "when": 1760000000, "info": { ... } }
//!   ],
//!   "comparisons": [
//!     { "bench": "import", "label": "...", "wenku": "import/wenku", "git": "import/git",
//!       "ratio": 1.4, "target": "wenku ≤ 1.0× git", "met": false }
//!   ],
//!   "notes": [ "..." ]
//! }
//! ```
//!
//! Times are seconds. `ratio` is always the wenku median over the git
//! median (below 1 means wenku is faster). `met` is `null` when the target
//! does not apply at this scale. Re-running one benchmark replaces its rows
//! and comparisons and keeps the others.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::machine::Machine;
use crate::measure::Stats;

/// One measured series.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    /// Unique within a run: `<bench>/<what>`.
    pub id: String,
    /// The benchmark: import, as-of, publish, open, diff, pull.
    pub bench: String,
    /// What was measured, for people.
    pub label: String,
    /// `wenku` or `git`.
    pub tool: String,
    /// `process` (wall time of whole processes) or `in-process`.
    pub mode: String,
    /// Timings in seconds.
    pub stats: StatsJson,
    /// Peak resident set size of the measured process, KiB.
    pub peak_rss_kib: Option<u64>,
    /// The command measured (or the probe that measured it).
    pub command: String,
    /// Load averages when the series ended.
    pub load: Option<[f64; 3]>,
    /// Unix time when the series ended.
    pub when: u64,
    /// Anything else worth keeping: sizes, counts, breakdowns.
    pub info: BTreeMap<String, serde_json::Value>,
}

/// [`Stats`] as serialized.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StatsJson {
    /// Samples.
    pub n: usize,
    /// Median (s).
    pub median: f64,
    /// Smallest (s).
    pub min: f64,
    /// Largest (s).
    pub max: f64,
}

impl From<Stats> for StatsJson {
    fn from(s: Stats) -> StatsJson {
        StatsJson {
            n: s.n,
            median: s.median,
            min: s.min,
            max: s.max,
        }
    }
}

/// wenku against its peer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comparison {
    /// The benchmark.
    pub bench: String,
    /// What is compared.
    pub label: String,
    /// The wenku row's id.
    pub wenku: String,
    /// The peer row's id.
    pub git: String,
    /// wenku median ÷ git median.
    pub ratio: f64,
    /// The project's target, if it has one here.
    pub target: Option<String>,
    /// Whether the target is met; `None` when it does not apply at this
    /// scale.
    pub met: Option<bool>,
}

/// A target that is not a comparison with git (open time, diff time).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Check {
    /// The benchmark.
    pub bench: String,
    /// The target, in words.
    pub target: String,
    /// The row it is judged on.
    pub row: String,
    /// Met, missed, or `None` when it does not apply at this scale.
    pub met: Option<bool>,
}

/// Everything one scale's run measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Run {
    /// The format of this file.
    pub format: u32,
    /// The corpus seed.
    pub seed: u64,
    /// Versions in the corpus.
    pub versions: usize,
    /// Works in the corpus.
    pub works: usize,
    /// Whether the run took the fewest samples (`--quick`).
    pub quick: bool,
    /// Where it ran.
    pub machine: Machine,
    /// The measurements.
    pub rows: Vec<Row>,
    /// wenku against git.
    pub comparisons: Vec<Comparison>,
    /// Targets judged on one row.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Remarks the benchmarks made (what was skipped and why).
    pub notes: Vec<String>,
}

impl Run {
    /// An empty run.
    pub fn new(seed: u64, versions: usize, works: usize, quick: bool, machine: Machine) -> Run {
        Run {
            format: 1,
            seed,
            versions,
            works,
            quick,
            machine,
            rows: Vec::new(),
            comparisons: Vec::new(),
            checks: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Reads a run written earlier.
    pub fn read(path: &Path) -> io::Result<Run> {
        let text = fs::read_to_string(path)?;
        serde_json::from_str(&text)
            .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))
    }

    /// Writes the run as pretty JSON.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        fs::write(path, text + "\n")
    }

    /// Drops everything `bench` measured before (before measuring it again).
    pub fn clear(&mut self, bench: &str) {
        self.rows.retain(|r| r.bench != bench);
        self.comparisons.retain(|c| c.bench != bench);
        self.checks.retain(|c| c.bench != bench);
        let prefix = format!("{bench}: ");
        self.notes.retain(|n| !n.starts_with(&prefix));
    }

    /// A row by id.
    pub fn row(&self, id: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.id == id)
    }

    /// Adds a comparison of two rows already added: `target` in words and
    /// `judge`, which turns the ratio (wenku ÷ git) into met, missed, or
    /// `None` where the target does not apply.
    pub fn compare(
        &mut self,
        wenku: &str,
        git: &str,
        label: &str,
        target: Option<&str>,
        judge: impl FnOnce(f64) -> Option<bool>,
    ) -> Option<f64> {
        let (w, g) = (self.row(wenku)?, self.row(git)?);
        let ratio = w.stats.median / g.stats.median;
        let bench = w.bench.clone();
        self.comparisons.push(Comparison {
            bench,
            label: label.to_string(),
            wenku: wenku.to_string(),
            git: git.to_string(),
            ratio,
            target: target.map(str::to_string),
            met: target.and_then(|_| judge(ratio)),
        });
        Some(ratio)
    }

    /// Judges a target on one row's median.
    pub fn check(&mut self, row: &str, target: &str, judge: impl FnOnce(f64) -> Option<bool>) {
        let Some(r) = self.row(row) else {
            return;
        };
        let (bench, median) = (r.bench.clone(), r.stats.median);
        self.checks.push(Check {
            bench,
            target: target.to_string(),
            row: row.to_string(),
            met: judge(median),
        });
    }

    /// Adds a note for `bench`.
    pub fn note(&mut self, bench: &str, text: impl AsRef<str>) {
        self.notes.push(format!("{bench}: {}", text.as_ref()));
    }

    /// The run as Markdown: every row, then the comparisons and targets.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "seed {}, {} versions in {} works{}; {}",
            self.seed,
            self.versions,
            self.works,
            if self.quick { " (quick)" } else { "" },
            self.machine.describe()
        );
        out.push('\n');
        out.push_str(
            "| benchmark | measured | tool | mode | median | min – max | n | peak RSS |\n",
        );
        out.push_str("|---|---|---|---|---|---|---|---|\n");
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} – {} | {} | {} |",
                r.bench,
                r.label,
                r.tool,
                r.mode,
                duration(r.stats.median),
                duration(r.stats.min),
                duration(r.stats.max),
                r.stats.n,
                r.peak_rss_kib.map(mib).unwrap_or_else(|| "—".into())
            );
        }
        if !self.comparisons.is_empty() {
            out.push('\n');
            out.push_str("| benchmark | compared | wenku | git | wenku ÷ git | target |\n");
            out.push_str("|---|---|---|---|---|---|\n");
            for c in &self.comparisons {
                let w = self
                    .row(&c.wenku)
                    .map(|r| r.stats.median)
                    .unwrap_or(f64::NAN);
                let g = self.row(&c.git).map(|r| r.stats.median).unwrap_or(f64::NAN);
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    c.bench,
                    c.label,
                    duration(w),
                    duration(g),
                    ratio(c.ratio),
                    verdict(c.target.as_deref(), c.met)
                );
            }
        }
        if !self.checks.is_empty() {
            out.push('\n');
            out.push_str(
                "| benchmark | target | measured | median | verdict |\n|---|---|---|---|---|\n",
            );
            for c in &self.checks {
                let row = self.row(&c.row);
                let m = row.map(|r| r.stats.median).unwrap_or(f64::NAN);
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    c.bench,
                    c.target,
                    row.map(|r| r.label.as_str()).unwrap_or("—"),
                    duration(m),
                    verdict(Some(""), c.met).trim_start_matches(": ")
                );
            }
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for n in &self.notes {
                let _ = writeln!(out, "- {n}");
            }
        }
        out
    }
}

fn verdict(target: Option<&str>, met: Option<bool>) -> String {
    if target.is_none() && met.is_none() {
        return "—".into();
    }
    let v = match met {
        Some(true) => "met",
        Some(false) => "**missed**",
        None => "n/a at this scale",
    };
    match target {
        Some(t) => format!("{t}: {v}"),
        None => v.to_string(),
    }
}

/// A duration for people: µs, ms or s with three significant digits.
pub fn duration(s: f64) -> String {
    if !s.is_finite() {
        return "—".into();
    }
    if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{} ms", sig3(s * 1e3))
    } else {
        format!("{} s", sig3(s))
    }
}

fn sig3(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// A ratio for people: `0.42×`, `1.3×`; below 0.1 as a fraction,
/// `1/2,400×` (wenku 2,400 times faster).
pub fn ratio(r: f64) -> String {
    if !r.is_finite() {
        "—".into()
    } else if r < 0.1 {
        format!("1/{}×", thousands((1.0 / r).round() as u64))
    } else {
        format!("{}×", sig3(r))
    }
}

/// KiB as MiB.
pub fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_people() {
        assert_eq!(duration(0.000_123), "123 µs");
        assert_eq!(duration(0.012_34), "12.3 ms");
        assert_eq!(duration(123.4), "123 s");
        assert_eq!(ratio(0.000_5), "1/2,000×");
        assert_eq!(ratio(1.234), "1.23×");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
