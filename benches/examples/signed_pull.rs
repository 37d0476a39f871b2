//! What signed provenance costs: signing each commit, and checking the
//! signature of every commit a pull brings.
//!
//! ```sh
//! cargo run --release -p wenku-bench --example signed_pull -- [COMMITS] [RUNS]
//! ```
//!
//! 1. **Signing.** Publishes COMMITS/10 one-version works one commit each
//!    into two fresh county libraries (370283), one with a node key and
//!    one without, alternating, and reports the mean commit time of each
//!    and their difference; then times `NodeKey`'s signing of one typical
//!    commit object alone (10,000 times).
//! 2. **Checking.** Builds a county library (370283) of COMMITS commits
//!    (10,000 by default), each publishing one small work, signed with the
//!    county's key. Then, RUNS times (5 by default), alternating which goes
//!    first, a fresh province library (370000) pulls it over file://:
//!    once as the trust root, with the county's key granted (every commit's
//!    signature checked: SSHSIG decode, ed25519 verification, trust-file
//!    look-up and the regions each commit changes), and once without a
//!    trust file or a pinned key (signatures not checked). Reports the
//!    medians, their ratio (goal ≤ 1.2) and the cost per checked commit.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wenku_bench::library::clerk;
use wenku_model::{Block, Date, DocType, Document, Record, Region, WorkId};
use wenku_store::federation::{Peer, PullOptions};
use wenku_store::signing::NodeKey;
use wenku_store::{InitOptions, Library, NewVersion, TrustChange};

fn region(s: &str) -> Region {
    Region::parse(s).expect("region")
}

fn doc(i: usize) -> Document {
    let title = format!("平度市关于第{i}号事项的通知");
    let mut doc = Document::new(DocType::Normative, &title);
    doc.body.push(Block::Title(title));
    doc.body.push(Block::Para(format!(
        "一、第{i}号事项自发布之日起施行，各镇街道、各部门要认真贯彻落实。"
    )));
    doc.body
        .push(Block::Para("二、本通知由市政府办公室负责解释。".into()));
    doc
}

fn publish(lib: &Library, i: usize) {
    let title = format!("平度市关于第{i}号事项的通知");
    lib.publish(
        &clerk(),
        Record::new(
            WorkId::parse(&format!("370283/n-{i}")).expect("id"),
            DocType::Normative,
            title,
        ),
        NewVersion::new(doc(i), Date::parse_iso("2025-03-01").expect("date")),
    )
    .expect("publish");
}

fn county(path: &Path, key: Option<Arc<NodeKey>>) -> Library {
    let mut options = InitOptions::new(clerk());
    if let Some(k) = key {
        options = options.key(k);
    }
    Library::init(path, region("370283"), options).expect("init")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let commits = numbers.first().copied().unwrap_or(10_000).max(10);
    let runs = numbers.get(1).copied().unwrap_or(5).max(1);
    let dir = tempfile::tempdir()?;
    let county_key = Arc::new(NodeKey::generate("370283")?);

    // 1. Signing.
    let n = commits / 10;
    let signed_lib = county(
        &dir.path().join("signed.git"),
        Some(Arc::clone(&county_key)),
    );
    let plain_lib = county(&dir.path().join("plain.git"), None);
    let (mut signed, mut plain) = (Duration::ZERO, Duration::ZERO);
    for i in 0..n {
        for step in 0..2 {
            let (lib, total) = if (step == 0) == (i % 2 == 0) {
                (&signed_lib, &mut signed)
            } else {
                (&plain_lib, &mut plain)
            };
            let t = Instant::now();
            publish(lib, i);
            *total += t.elapsed();
        }
    }
    let per = |d: Duration| d.as_secs_f64() * 1e3 / n as f64;
    println!(
        "commit\tsigned {:.3} ms\tunsigned {:.3} ms\tdifference {:.3} ms\t({n} commits each)",
        per(signed),
        per(plain),
        per(signed) - per(plain)
    );
    let head = signed_lib.head()?;
    let raw = std::process::Command::new("git")
        .args(["--git-dir", &signed_lib.git_dir().display().to_string()])
        .args(["cat-file", "commit", &head.to_string()])
        .output()?
        .stdout;
    let t = Instant::now();
    let rounds = 10_000;
    for _ in 0..rounds {
        std::hint::black_box(county_key.sign_bytes(std::hint::black_box(&raw))?);
    }
    println!(
        "sign\t{:.1} µs per commit object ({} bytes), goal < 1 ms",
        t.elapsed().as_secs_f64() * 1e6 / rounds as f64,
        raw.len()
    );
    drop((signed_lib, plain_lib));

    // 2. Checking.
    let child_path = dir.path().join("370283.git");
    let started = Instant::now();
    let child = county(&child_path, Some(Arc::clone(&county_key)));
    for i in 0..commits {
        publish(&child, i);
    }
    drop(child);
    eprintln!(
        "child: {commits} signed commits, built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let source = format!("file://{}", child_path.display());
    let province_key = Arc::new(NodeKey::generate("370000")?);
    let (mut checked, mut unchecked) = (Vec::new(), Vec::new());
    println!("run\tchecked\t(check)\tnot checked\t(check)\tratio");
    for run in 0..runs {
        let mut times = [Duration::ZERO; 2];
        let mut checks = [Duration::ZERO; 2];
        for step in 0..2 {
            let with_trust = (step == 0) == (run % 2 == 0);
            let path = dir.path().join(format!("province-{run}-{with_trust}.git"));
            let parent = if with_trust {
                let p = Library::init(
                    &path,
                    region("370000"),
                    InitOptions::new(clerk()).key(Arc::clone(&province_key)),
                )?;
                p.change_trust(
                    &clerk(),
                    &TrustChange::Grant {
                        key: county_key.public().clone(),
                        regions: vec![region("370283")],
                    },
                    false,
                )?;
                p
            } else {
                Library::init(&path, region("370000"), InitOptions::new(clerk()))?
            };
            let _ = std::process::Command::new("sync").status();
            let t = Instant::now();
            let report = parent.pull(
                &source,
                Peer::Child(region("370283")),
                &clerk(),
                &PullOptions::new(),
            )?;
            let i = usize::from(!with_trust);
            times[i] = t.elapsed();
            checks[i] = report.timings.check;
            assert_eq!(
                report.signatures.mode,
                if with_trust {
                    "enforced"
                } else {
                    "not-checked"
                }
            );
            if with_trust {
                assert!(report.signatures.checked >= commits);
            }
            drop(parent);
            std::fs::remove_dir_all(&path)?;
        }
        println!(
            "{run}\t{:.3} s\t({:.3})\t{:.3} s\t({:.3})\t{:.2}",
            times[0].as_secs_f64(),
            checks[0].as_secs_f64(),
            times[1].as_secs_f64(),
            checks[1].as_secs_f64(),
            times[0].as_secs_f64() / times[1].as_secs_f64()
        );
        checked.push(times[0]);
        unchecked.push(times[1]);
    }
    let (c, u) = (median(checked), median(unchecked));
    println!(
        "median\t{:.3} s\t\t{:.3} s\t\t{:.2}\t({:.1} µs per checked commit)",
        c.as_secs_f64(),
        u.as_secs_f64(),
        c.as_secs_f64() / u.as_secs_f64(),
        (c.as_secs_f64() - u.as_secs_f64()) * 1e6 / commits as f64
    );
    Ok(())
}
