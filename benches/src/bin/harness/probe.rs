//! The wenku side of each benchmark, run in a child process of the harness
//! (`harness probe …`), so that each measurement has a process of its own:
//! its peak RSS (`VmHWM`) is its own, and its whole-process wall time can be
//! taken by the parent. A probe times what it does in-process and writes a
//! [`ProbeReport`] as JSON to `--report` (or standard output).
//!
//! The probes call the libraries the way the `wenku` command would:
//! `wenku_import::import_bytes` on each file, its text written ahead
//! (`TextPack`), then `Library::commit_planned_with_texts` of batches and
//! the index built as a first read would build it;
//! `Library::open` + `Snapshot::text_as_of` (answered from the index); `wenku_diff::compare`
//! and the terminal renderer; `Library::pull`.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use wenku_bench::files::{Entry, Manifest};
use wenku_diff::render::terminal::to_terminal;
use wenku_diff::{Options as DiffOptions, Side, compare};
use wenku_import::{ImportOptions, Imported, import_bytes};
use wenku_model::{Date, DocType, Region, WorkId, render};
use wenku_store::federation::{Peer, PullOptions};
use wenku_store::{Identity, IndexRefresh, InitOptions, Library, Op, Transaction};

use crate::measure::peak_rss_self;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// What a probe measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ProbeReport {
    /// Timings of the repeated operation, seconds.
    pub samples: Vec<f64>,
    /// `VmHWM` at the end, KiB.
    pub peak_rss_kib: Option<u64>,
    /// Counts, sizes, breakdowns.
    pub info: BTreeMap<String, serde_json::Value>,
}

/// A probe and where it reports.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Write the report here instead of standard output.
    #[arg(long, global = true)]
    report: Option<PathBuf>,
    #[command(subcommand)]
    kind: Probe,
}

/// The probes.
#[derive(Debug, Subcommand)]
pub enum Probe {
    /// Import a corpus's text files into a new library (batches of
    /// `--batch` versions, one commit each).
    Import {
        /// The corpus directory (manifest.tsv, texts/).
        #[arg(long)]
        corpus: PathBuf,
        /// The new library.
        #[arg(long)]
        library: PathBuf,
        /// Versions per commit.
        #[arg(long, default_value_t = 5_000)]
        batch: usize,
    },
    /// As-of queries read from `--query-file` (`work<TAB>date` lines), each timed:
    /// the text in force, decoded and rendered as plain text.
    AsOf {
        /// The library.
        #[arg(long)]
        library: PathBuf,
        /// The queries.
        #[arg(long)]
        query_file: PathBuf,
    },
    /// One as-of query, printing the text, as a `wenku show --at` would.
    AsOfOnce {
        /// The library.
        #[arg(long)]
        library: PathBuf,
        /// The work.
        work: String,
        /// The date.
        date: String,
    },
    /// Publish `--count` new works, one commit each, timing each commit.
    Publish {
        /// The library.
        #[arg(long)]
        library: PathBuf,
        /// The text of each new work.
        #[arg(long)]
        text: PathBuf,
        /// A tag making the new works' ids unique.
        #[arg(long)]
        tag: String,
        /// How many.
        #[arg(long, default_value_t = 1)]
        count: usize,
    },
    /// Open the library `--count` times (open, then a snapshot of main).
    Open {
        /// The library.
        #[arg(long)]
        library: PathBuf,
        /// How many.
        #[arg(long, default_value_t = 1)]
        count: usize,
    },
    /// Pull from a child node once (`Library::pull`), reporting the pull's
    /// own timings.
    Pull {
        /// The library that pulls.
        #[arg(long)]
        library: PathBuf,
        /// The child's library (a path or URL).
        #[arg(long)]
        source: String,
        /// The child's region.
        #[arg(long)]
        child: String,
    },
    /// Compare two texts `--count` times (compare + terminal rendering),
    /// after importing them once.
    Diff {
        /// The older text.
        old: PathBuf,
        /// The newer text.
        new: PathBuf,
        /// How many.
        #[arg(long, default_value_t = 1)]
        count: usize,
        /// Print the rendering once (as a `wenku diff` of two files would).
        #[arg(long)]
        print: bool,
    },
}

/// Runs a probe and writes its report.
pub fn main(args: ProbeArgs) -> Result<()> {
    let mut report = match args.kind {
        Probe::Import {
            corpus,
            library,
            batch,
        } => import(&corpus, &library, batch)?,
        Probe::AsOf {
            library,
            query_file,
        } => as_of(&library, &query_file)?,
        Probe::AsOfOnce {
            library,
            work,
            date,
        } => as_of_once(&library, &work, &date)?,
        Probe::Publish {
            library,
            text,
            tag,
            count,
        } => publish(&library, &text, &tag, count)?,
        Probe::Open { library, count } => open(&library, count)?,
        Probe::Pull {
            library,
            source,
            child,
        } => pull(&library, &source, &child)?,
        Probe::Diff {
            old,
            new,
            count,
            print,
        } => diff(&old, &new, count, print)?,
    };
    report.peak_rss_kib = peak_rss_self();
    let json = serde_json::to_string(&report)?;
    match args.report {
        Some(path) => fs::write(path, json)?,
        None => println!("{json}"),
    }
    Ok(())
}

/// The identity every benchmark commit is made as.
pub fn clerk() -> Result<Identity> {
    Ok(Identity::new("基准测试", "bench@wenku.invalid")?)
}

/// The province whose node holds the whole corpus.
pub fn province() -> Result<Region> {
    Ok(Region::parse("370000")?)
}

fn info(pairs: &[(&str, serde_json::Value)]) -> BTreeMap<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

/// What `wenku import --type T --published D --effective E FILE` does
/// with one file.
fn import_entry(texts: &Path, e: &Entry) -> Result<Imported> {
    let path = texts.join(&e.file);
    let bytes = fs::read(&path).map_err(|err| format!("{}: {err}", path.display()))?;
    let options = ImportOptions {
        doc_type: Some(e.doc_type),
        published: Some(e.published),
        effective: e.effective,
        local: Some(e.work.local().to_string()),
        ..ImportOptions::default()
    };
    Ok(import_bytes(&e.file, &bytes, &options)?)
}

fn import(corpus: &Path, library: &Path, batch: usize) -> Result<ProbeReport> {
    let start = Instant::now();
    let manifest = Manifest::read(corpus)?;
    let texts_dir = corpus.join("texts");
    let province = province()?;
    let mut options = InitOptions::new(clerk()?);
    options.hosted = manifest
        .regions()
        .into_iter()
        .filter(|r| *r != province)
        .collect();
    let lib = Library::init(library, province, options)?;
    let clerk = clerk()?;
    let (mut import_s, mut commit_s) = (0.0, 0.0);
    let (mut commits, mut unchanged, mut in_batch) = (0usize, 0usize, 0usize);
    // As `wenku import` does: each text written ahead as it is read
    // (wenku_store::TextPack), so a batch holds metadata, not documents.
    let mut tx = Transaction::new();
    let mut texts = lib.text_pack()?;
    let mut flush = |tx: &mut Transaction,
                     texts: &mut wenku_store::TextPack,
                     commit_s: &mut f64|
     -> Result<()> {
        let t = Instant::now();
        let ops = std::mem::take(tx);
        let c = lib.commit_planned_with_texts(&clerk, texts, |_| {
            Ok::<_, wenku_store::CommitError>(ops.clone())
        })?;
        *commit_s += t.elapsed().as_secs_f64();
        commits += 1;
        unchanged += c.outcomes.iter().filter(|o| !o.changed()).count();
        Ok(())
    };
    for work in manifest.works() {
        let t = Instant::now();
        for e in work {
            let imported = import_entry(&texts_dir, e)?;
            let text = texts.store(&imported.document)?;
            let version = wenku_service::new_stored_version(text, &imported, e.published);
            tx.push(if e.seq == 0 {
                Op::Publish {
                    record: wenku_service::new_record(e.work.clone(), &imported),
                    version,
                }
            } else {
                Op::AddVersion {
                    work: e.work.clone(),
                    version,
                }
            });
        }
        import_s += t.elapsed().as_secs_f64();
        in_batch += work.len();
        if in_batch >= batch {
            flush(&mut tx, &mut texts, &mut commit_s)?;
            texts = lib.text_pack()?;
            in_batch = 0;
        }
    }
    if !tx.is_empty() {
        flush(&mut tx, &mut texts, &mut commit_s)?;
    }
    drop(texts);
    // A new library has no index until something builds it; the first
    // read would. Build it here, as part of the import, so the library is
    // what a user reads from and its cost is counted.
    let t = Instant::now();
    let refresh = lib.refresh_index()?;
    let index_s = t.elapsed().as_secs_f64();
    if !matches!(refresh, IndexRefresh::Rebuilt { .. }) {
        return Err(format!("expected the import to build the index, got {refresh:?}").into());
    }
    let total = start.elapsed().as_secs_f64();
    Ok(ProbeReport {
        samples: vec![total],
        peak_rss_kib: None,
        info: info(&[
            ("versions", manifest.entries.len().into()),
            ("works", manifest.works().len().into()),
            ("read_and_import_s", import_s.into()),
            ("commit_s", commit_s.into()),
            ("index_build_s", index_s.into()),
            ("commits", commits.into()),
            ("unchanged_ops", unchanged.into()),
            ("packs", lib.pack_count()?.into()),
        ]),
    })
}

/// Reads `work<TAB>date` lines.
pub fn read_queries(path: &Path) -> Result<Vec<(WorkId, Date)>> {
    let text = fs::read_to_string(path)?;
    let mut out = Vec::new();
    for line in text.lines() {
        let (w, d) = line
            .split_once('\t')
            .ok_or_else(|| format!("{}: expected work<TAB>date", path.display()))?;
        out.push((WorkId::parse(w)?, Date::parse_iso(d)?));
    }
    Ok(out)
}

fn as_of(library: &Path, queries: &Path) -> Result<ProbeReport> {
    let queries = read_queries(queries)?;
    let lib = Library::open(library)?;
    let snapshot = lib.snapshot()?;
    let mut samples = Vec::with_capacity(queries.len());
    let (mut answered, mut bytes) = (0usize, 0usize);
    for (work, date) in &queries {
        let t = Instant::now();
        let text = snapshot
            .text_as_of(work, *date)?
            .map(|(_, doc)| render::to_plain_text(&doc));
        samples.push(t.elapsed().as_secs_f64());
        if let Some(text) = text {
            answered += 1;
            bytes += text.len();
        }
    }
    Ok(ProbeReport {
        samples,
        peak_rss_kib: None,
        info: info(&[("answered", answered.into()), ("text_bytes", bytes.into())]),
    })
}

fn as_of_once(library: &Path, work: &str, date: &str) -> Result<ProbeReport> {
    let t = Instant::now();
    let lib = Library::open(library)?;
    let text = lib
        .snapshot()?
        .text_as_of(&WorkId::parse(work)?, Date::parse_iso(date)?)?
        .map(|(_, doc)| render::to_plain_text(&doc))
        .unwrap_or_default();
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ProbeReport {
        samples: vec![t.elapsed().as_secs_f64()],
        ..ProbeReport::default()
    })
}

fn publish(library: &Path, text: &Path, tag: &str, count: usize) -> Result<ProbeReport> {
    let start = Instant::now();
    let lib = Library::open(library)?;
    let clerk = clerk()?;
    let bytes = fs::read(text)?;
    let name = text.display().to_string();
    let options = ImportOptions {
        doc_type: Some(DocType::Normative),
        ..ImportOptions::default()
    };
    let published = Date::parse_iso("2026-07-01")?;
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        let imported = import_bytes(&name, &bytes, &options)?;
        let work = WorkId::new(province()?, &format!("bench-{tag}-{i}"))?;
        let record = wenku_service::new_record(work, &imported);
        let version = wenku_service::new_version(&imported, published);
        let t = Instant::now();
        let c = lib.publish(&clerk, record, version)?;
        samples.push(t.elapsed().as_secs_f64());
        if !c.changed() {
            return Err(format!("publishing bench-{tag}-{i} changed nothing").into());
        }
    }
    Ok(ProbeReport {
        samples,
        peak_rss_kib: None,
        info: info(&[("total_s", start.elapsed().as_secs_f64().into())]),
    })
}

fn open(library: &Path, count: usize) -> Result<ProbeReport> {
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let t = Instant::now();
        let lib = Library::open(library)?;
        let snapshot = lib.snapshot()?;
        samples.push(t.elapsed().as_secs_f64());
        drop(snapshot);
    }
    Ok(ProbeReport {
        samples,
        ..ProbeReport::default()
    })
}

fn pull(library: &Path, source: &str, child: &str) -> Result<ProbeReport> {
    let lib = Library::open(library)?;
    let r = lib.pull(
        source,
        Peer::Child(Region::parse(child)?),
        &clerk()?,
        &PullOptions::new(),
    )?;
    let t = r.timings;
    Ok(ProbeReport {
        samples: vec![t.total.as_secs_f64()],
        peak_rss_kib: None,
        info: info(&[
            ("changed", r.changed().into()),
            ("works_added", r.added().into()),
            ("works_changed", r.changed_works().into()),
            ("new_commits", r.new_commits.into()),
            ("fetched_objects", r.fetch.objects.into()),
            ("fetched_pack_bytes", r.fetch.pack_bytes.into()),
            ("fetch_s", t.fetch.as_secs_f64().into()),
            ("check_s", t.check.as_secs_f64().into()),
            ("merge_s", t.merge.as_secs_f64().into()),
        ]),
    })
}

fn diff(old: &Path, new: &Path, count: usize, print: bool) -> Result<ProbeReport> {
    let t = Instant::now();
    let read = |p: &Path| -> Result<Imported> {
        let bytes = fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok(import_bytes(
            &p.display().to_string(),
            &bytes,
            &ImportOptions::default(),
        )?)
    };
    let (a, b) = (read(old)?, read(new)?);
    let import_s = t.elapsed().as_secs_f64();
    let options = DiffOptions::default();
    let (from, to) = (
        Side::labelled(old.display().to_string()),
        Side::labelled(new.display().to_string()),
    );
    let mut samples = Vec::with_capacity(count);
    let mut compare_only = Vec::with_capacity(count);
    let mut rendered = String::new();
    for _ in 0..count {
        let t = Instant::now();
        let comparison = compare(&a.document, &b.document, &options);
        compare_only.push(t.elapsed().as_secs_f64());
        rendered = to_terminal(&comparison, &from, &to, false);
        samples.push(t.elapsed().as_secs_f64());
    }
    if print {
        let mut out = io::stdout().lock();
        out.write_all(rendered.as_bytes())?;
        out.flush()?;
    }
    let median = crate::measure::Stats::of(&compare_only).map_or(f64::NAN, |s| s.median);
    Ok(ProbeReport {
        samples,
        peak_rss_kib: None,
        info: info(&[
            ("import_both_s", import_s.into()),
            ("compare_only_median_s", median.into()),
            ("rendered_bytes", rendered.len().into()),
            (
                "articles",
                serde_json::json!([
                    a.document.units_of(wenku_model::UnitKind::Article).len(),
                    b.document.units_of(wenku_model::UnitKind::Article).len()
                ]),
            ),
        ]),
    })
}
