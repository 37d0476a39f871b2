//! The machine a run measured, read off the machine itself.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

/// Where a run ran.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model (`/proc/cpuinfo`).
    pub cpu: String,
    /// Cores the process may use.
    pub cores: usize,
    /// Memory (`MemTotal`), GiB.
    pub memory_gib: f64,
    /// The cache directory's filesystem, device and size.
    pub disk: String,
    /// Kernel release.
    pub kernel: String,
    /// `git --version`.
    pub git: String,
    /// Whether GNU time measured the git processes' peak RSS.
    pub gnu_time: bool,
    /// Whether the harness was built with optimisations.
    pub release: bool,
}

impl Machine {
    /// Reads the machine; `cache` is where the benchmarks write.
    pub fn read(cache: &Path, gnu_time: bool) -> Machine {
        let cpu = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("model name"))
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let memory_gib = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            })
            .map_or(0.0, |kib| (kib / (1024.0 * 1024.0) * 10.0).round() / 10.0);
        let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let git = Command::new("git")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        Machine {
            cpu,
            cores,
            memory_gib,
            disk: disk(cache),
            kernel,
            git,
            gnu_time,
            release: !cfg!(debug_assertions),
        }
    }

    /// One line for a report.
    pub fn describe(&self) -> String {
        format!(
            "{} cores of {}, {} GiB, {}; Linux {}; {}{}",
            self.cores,
            self.cpu,
            self.memory_gib,
            self.disk,
            self.kernel,
            self.git,
            if self.release { "" } else { "; DEBUG BUILD" }
        )
    }
}

/// `ext4 on /dev/vda (rotational), 252 GB, 73 GB free`, for the filesystem
/// holding `path`.
fn disk(path: &Path) -> String {
    let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mounts = fs::read_to_string("/proc/mounts").unwrap_or_default();
    // The longest mount point that contains the path.
    let best = mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3).then(|| (f[0], f[1], f[2]))
        })
        .filter(|(_, mnt, _)| path.starts_with(mnt))
        .max_by_key(|(_, mnt, _)| mnt.len());
    let Some((dev, _, fstype)) = best else {
        return "unknown filesystem".into();
    };
    let name = dev.rsplit('/').next().unwrap_or(dev);
    let rotational = fs::read_to_string(format!("/sys/class/block/{name}/queue/rotational"))
        .map(|s| match s.trim() {
            "0" => " (non-rotational)",
            _ => " (reported rotational)",
        })
        .unwrap_or("");
    let size = rustix::fs::statvfs(&path)
        .map(|s| {
            let gb = |blocks: u64| blocks * s.f_frsize / 1_000_000_000;
            format!(", {} GB, {} GB free", gb(s.f_blocks), gb(s.f_bavail))
        })
        .unwrap_or_default();
    format!("{fstype} on {dev}{rotational}{size}")
}
