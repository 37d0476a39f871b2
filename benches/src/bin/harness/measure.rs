//! Taking measurements: wall time of processes, peak memory, medians, and
//! the page cache.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

/// Summary of repeated timings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Number of samples.
    pub n: usize,
    /// Median, in seconds.
    pub median: f64,
    /// Smallest, in seconds.
    pub min: f64,
    /// Largest, in seconds.
    pub max: f64,
}

impl Stats {
    /// Stats of `samples` (seconds); `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Stats> {
        if samples.is_empty() {
            return None;
        }
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let median = if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        };
        Some(Stats {
            n,
            median,
            min: s[0],
            max: s[n - 1],
        })
    }
}

/// Peak resident set size of this process so far (`VmHWM`), in KiB.
pub fn peak_rss_self() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A command's result with its wall time.
#[derive(Debug)]
pub struct Timed {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// What it wrote and its exit status.
    pub output: Output,
}

/// Runs `cmd` to completion, capturing its output, and times it. A
/// non-zero exit is an error unless `ok_codes` lists it.
pub fn run_timed(cmd: &mut Command, ok_codes: &[i32]) -> io::Result<Timed> {
    cmd.stdin(Stdio::null());
    let start = Instant::now();
    let output = cmd.output()?;
    let wall = start.elapsed();
    let code = output.status.code().unwrap_or(-1);
    if !output.status.success() && !ok_codes.contains(&code) {
        return Err(io::Error::other(format!(
            "{cmd:?} exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(Timed { wall, output })
}

/// GNU time, when installed: it reports a child's peak RSS (`%M`).
#[derive(Clone, Debug)]
pub struct GnuTime {
    path: PathBuf,
}

impl GnuTime {
    /// `/usr/bin/time`, if it is GNU time (understands `-f %M`).
    pub fn find() -> Option<GnuTime> {
        let path = PathBuf::from("/usr/bin/time");
        let ok = Command::new(&path)
            .args(["-f", "%M", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&ok.stderr);
        (ok.status.success() && text.trim().parse::<u64>().is_ok()).then_some(GnuTime { path })
    }

    /// `cmd` wrapped so that its peak RSS is written to `report`.
    pub fn wrap(&self, program: &str, args: &[String], report: &Path) -> Command {
        let mut c = Command::new(&self.path);
        c.arg("-f").arg("%M").arg("-o").arg(report).arg(program);
        c.args(args);
        c
    }

    /// Reads the peak RSS (KiB) a wrapped run wrote.
    pub fn read(report: &Path) -> Option<u64> {
        let text = fs::read_to_string(report).ok()?;
        // GNU time prefixes "Command exited with non-zero status N" lines.
        text.lines().last()?.trim().parse().ok()
    }
}

/// Every regular file under `dir`.
pub fn files_under(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)? {
            let entry = entry?;
            let t = entry.file_type()?;
            if t.is_dir() {
                stack.push(entry.path());
            } else if t.is_file() {
                out.push(entry.path());
            }
        }
    }
    Ok(out)
}

/// Total size of the regular files under `dir`, in bytes.
pub fn disk_bytes(dir: &Path) -> io::Result<u64> {
    let mut total = 0;
    for f in files_under(dir)? {
        total += fs::metadata(&f)?.len();
    }
    Ok(total)
}

/// Evicts every file under `dir` from the page cache: writes dirty pages
/// back (`syncfs`), then `posix_fadvise(POSIX_FADV_DONTNEED)` on each file.
/// Only this directory's pages go; the rest of the machine keeps its cache.
pub fn evict(dir: &Path) -> io::Result<usize> {
    let d = fs::File::open(dir)?;
    rustix::fs::syncfs(&d)?;
    let files = files_under(dir)?;
    for f in &files {
        let file = fs::File::open(f)?;
        rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed)?;
    }
    Ok(files.len())
}

/// Bytes of the files under `dir` resident in the page cache, measured
/// with util-linux `fincore`; `None` when it is not installed.
pub fn resident_bytes(dir: &Path) -> Option<u64> {
    let files = files_under(dir).ok()?;
    let mut total = 0;
    for chunk in files.chunks(256) {
        let out = Command::new("fincore")
            .args(["--bytes", "--noheadings", "--raw", "--output", "RES"])
            .args(chunk)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            total += line.trim().parse::<u64>().ok()?;
        }
    }
    Some(total)
}

/// The 1-, 5- and 15-minute load averages.
pub fn load_average() -> Option<[f64; 3]> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(|s| s.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// Flushes every filesystem (so one run's writeback does not land in the
/// next run's measurement).
pub fn sync() {
    let _ = Command::new("sync").status();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        let s = Stats::of(&[3.0, 1.0, 2.0]).expect("samples");
        assert_eq!((s.n, s.median, s.min, s.max), (3, 2.0, 1.0, 3.0));
        assert_eq!(
            Stats::of(&[4.0, 1.0, 2.0, 3.0]).expect("samples").median,
            2.5
        );
        assert!(Stats::of(&[]).is_none());
    }

    #[test]
    fn reads_own_peak_rss() {
        assert!(peak_rss_self().is_some_and(|k| k > 0));
    }
}
