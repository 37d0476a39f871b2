//! A quarter's sweep of a library: every published version scanned with
//! the [`Detectors`], each finding named by a stable id, and what was
//! decided about it.
//!
//! **Where it lives.** Reports and decisions are the node's own records
//! of its duty, not library content: they sit beside the search index,
//! in `<git-dir>/wenku/sweep/` — `<year>-Q<n>.json` per quarter (a sweep
//! run again in the same quarter replaces that quarter's report) and
//! `decisions.json` (findings marked as false positives, with who, when
//! and why). A withdrawal is library content: it is a commit
//! ([`Op::WithdrawVersion`]) that every node pulling the library sees,
//! and the report reads it back from the record.
//!
//! **Finding ids.** The first 16 hex digits of the BLAKE3 of the work,
//! the revision, the kind and the matched text: the same personal
//! information in the same version has the same id in every quarter, so
//! a decision made once holds, and a new version with the same data
//! gets a new id (it is a new publication and needs its own decision).
//!
//! The reports never hold the personal information itself: a finding
//! carries its masked form and masked context only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use wenku_model::query::Filter;
use wenku_model::{Block, Date, Document, RevisionId, Unit, Withdrawal, WorkId};
use wenku_store::{Identity, Library, Op, Snapshot};

use super::detect::{Detectors, Finding, Kind};
use crate::{Error, Result};

/// A calendar quarter, `2026-Q4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// The year.
    pub year: u32,
    /// 1 to 4.
    pub number: u32,
}

impl Quarter {
    /// The quarter `date` falls in.
    pub fn of(date: Date) -> Quarter {
        Quarter {
            year: date.year(),
            number: (date.month() - 1) / 3 + 1,
        }
    }

    /// Reads `2026-Q4` (also `2026q4`).
    pub fn parse(s: &str) -> std::result::Result<Quarter, String> {
        let bad = || format!("{s:?} is not a quarter: write it as 2026-Q4");
        let (year, q) = s
            .split_once('-')
            .or_else(|| s.find(['q', 'Q']).map(|i| (&s[..i], &s[i..])))
            .ok_or_else(bad)?;
        let q = q.strip_prefix(['q', 'Q']).ok_or_else(bad)?;
        let year: u32 = year.parse().map_err(|_| bad())?;
        let number: u32 = q.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&number) || !(1000..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Quarter { year, number })
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

/// What has been decided about a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum State {
    /// Nothing yet: the version is served publicly with the information.
    Open,
    /// The version was withdrawn from public view (read from the record).
    Withdrawn {
        /// From this day (`YYYY-MM-DD`).
        date: String,
        /// Why, as recorded.
        reason: String,
    },
    /// Not personal information (a sample number in a form, a published
    /// office line …), with why; it stays public.
    FalsePositive {
        /// Why it is not a finding.
        reason: String,
        /// Who decided (`name <email>`).
        by: String,
        /// When (the day, `YYYY-MM-DD`).
        on: String,
    },
}

/// One finding in the library.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id (see the module's docs).
    pub id: String,
    /// The work.
    pub work: String,
    /// The version (revision id).
    pub revision: String,
    /// The work's title.
    pub title: String,
    /// The version's publication date.
    pub published: String,
    /// What was found (`resident-id`, `mobile`, `bank-card`,
    /// `room-address`, `word`).
    pub kind: String,
    /// The kind in Chinese (居民身份证号码 …).
    pub label: String,
    /// Where in the text: the labels of the units around it (`第五条`),
    /// `标题` for the title, empty for text outside any unit.
    pub place: String,
    /// The information, masked.
    pub masked: String,
    /// Some text either side, with the information masked.
    pub context: String,
    /// The decision.
    #[serde(flatten)]
    pub state: State,
}

/// A quarter's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The quarter, `2026-Q4`.
    pub quarter: String,
    /// The day the sweep ran.
    pub swept_on: String,
    /// The commit swept.
    pub commit: String,
    /// Works and versions scanned.
    pub works: usize,
    /// Versions scanned.
    pub versions: usize,
    /// The configured words looked for.
    pub words: Vec<String>,
    /// Findings open (served publicly, undecided).
    pub open: usize,
    /// Every finding, open first, then by work and version.
    pub items: Vec<Item>,
}

/// A finding's decision as kept in `decisions.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Decision {
    reason: String,
    by: String,
    on: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Decisions {
    /// False positives by finding id.
    #[serde(rename = "false-positives")]
    false_positives: BTreeMap<String, Decision>,
}

/// The words of a word list file: one per line, `#` starts a comment.
pub fn read_words(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::usage(format!(
            "the word list {}: {e} (a UTF-8 text file, one word per line)",
            path.display()
        ))
    })?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect())
}

/// The directory of `library`'s sweep reports and decisions.
pub fn dir_of(library: &Library) -> PathBuf {
    library.git_dir().join("wenku").join("sweep")
}

/// The report file of `quarter`.
pub fn report_path(library: &Library, quarter: Quarter) -> PathBuf {
    dir_of(library).join(format!("{quarter}.json"))
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::unavailable(format!("{}: {e}", path.display())).with_source(e)
}

fn read_json<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> Result<T> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Error::refused(format!(
                "{} is not a sweep file wenku can read ({e}); move it away to start afresh",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(io(path, e)),
    }
}

/// Writes `value` to `path` whole or not at all (a temporary file renamed
/// over it).
fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let dir = path.parent().expect("sweep files are in a directory");
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut bytes = serde_json::to_vec_pretty(value).expect("sweep files serialise");
    bytes.push(b'\n');
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, &bytes).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

fn decisions_path(library: &Library) -> PathBuf {
    dir_of(library).join("decisions.json")
}

/// The id of a finding (see the module's docs).
pub fn finding_id(work: &WorkId, revision: &RevisionId, kind: Kind, matched: &str) -> String {
    let mut h = blake3::Hasher::new();
    for part in [
        work.to_string().as_str(),
        &revision.to_string(),
        kind.as_str(),
        matched,
    ] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    h.finalize().to_hex()[..16].to_string()
}

/// Every stretch of a document's text with the place it is in: the
/// title, then each unit's own text under its labels, outside in.
fn stretches(doc: &Document) -> Vec<(String, String)> {
    fn own(u: &Unit) -> String {
        let mut s = String::new();
        if let Some(h) = &u.heading {
            s.push_str(h);
            s.push('\n');
        }
        for b in &u.children {
            text_of(b, &mut s);
        }
        s
    }
    fn text_of(b: &Block, s: &mut String) {
        match b {
            Block::Para(t) | Block::Note(t) => {
                s.push_str(t);
                s.push('\n');
            }
            Block::Table(t) => {
                for row in &t.rows {
                    // Cells apart, so that numbers in neighbouring cells
                    // do not run together into one.
                    s.push_str(&row.join(" \t "));
                    s.push('\n');
                }
            }
            _ => {}
        }
    }
    fn walk(blocks: &[Block], path: &mut Vec<String>, out: &mut Vec<(String, String)>) {
        let mut loose = String::new();
        for b in blocks {
            match b {
                Block::Unit(u) => {
                    let labelled = u.label.is_some();
                    if let Some(l) = &u.label {
                        path.push(l.clone());
                    }
                    out.push((path.join(" "), own(u)));
                    walk(&u.children, path, out);
                    if labelled {
                        path.pop();
                    }
                }
                b => text_of(b, &mut loose),
            }
        }
        if !loose.is_empty() {
            out.push((path.join(" "), loose));
        }
    }
    let mut out = vec![("标题".to_string(), doc.title.clone())];
    walk(&doc.body, &mut Vec::new(), &mut out);
    out
}

/// `text` with every finding masked, and where each finding's masked
/// form stands in it (findings are sorted and do not overlap).
fn masked(text: &str, found: &[Finding]) -> (String, Vec<std::ops::Range<usize>>) {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut places = Vec::with_capacity(found.len());
    for f in found {
        if f.range.start < at {
            // Overlapping (the detectors say they never do): keep the
            // first, and mask what is left of this one.
            places.push(out.len()..out.len());
            continue;
        }
        out.push_str(&text[at..f.range.start]);
        let start = out.len();
        out.push_str(&f.masked);
        places.push(start..out.len());
        at = f.range.end;
    }
    out.push_str(&text[at..]);
    (out, places)
}

/// The masked text around one finding's place: about 16 characters
/// either side, on one line.
fn context(masked_text: &str, place: &std::ops::Range<usize>) -> String {
    let before: Vec<char> = masked_text[..place.start].chars().collect();
    let before: String = before[before.len().saturating_sub(16)..].iter().collect();
    let after: String = masked_text[place.end..].chars().take(16).collect();
    format!("{before}{}{after}", &masked_text[place.clone()])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Works handed to a sweep thread at a time.
const CHUNK: usize = 256;

/// Scans every version of `work` into `items`; returns the versions.
fn scan_work(
    snapshot: &Snapshot,
    detectors: &Detectors,
    decisions: &Decisions,
    work: &WorkId,
    only: Option<&[RevisionId]>,
    items: &mut Vec<Item>,
) -> Result<usize> {
    let Some(record) = snapshot.record(work)? else {
        return Ok(0);
    };
    for v in &record.versions {
        if only.is_some_and(|only| !only.contains(&v.revision)) {
            continue;
        }
        let doc = snapshot.document(work, &v.revision)?;
        let mut seen = std::collections::HashSet::new();
        for (place, text) in stretches(&doc) {
            let found_here = detectors.scan(&text);
            let (masked_text, places) = masked(&text, &found_here);
            for (found, at) in found_here.iter().zip(&places) {
                let id = finding_id(work, &v.revision, found.kind, &found.matched);
                // The same information twice in one version is one
                // finding (one decision), reported where it is first.
                if !seen.insert(id.clone()) {
                    continue;
                }
                let state = match (&v.withdrawn, decisions.false_positives.get(&id)) {
                    (Some(w), _) => State::Withdrawn {
                        date: w.date.to_string(),
                        reason: w.reason.clone(),
                    },
                    (None, Some(d)) => State::FalsePositive {
                        reason: d.reason.clone(),
                        by: d.by.clone(),
                        on: d.on.clone(),
                    },
                    (None, None) => State::Open,
                };
                items.push(Item {
                    id,
                    work: work.to_string(),
                    revision: v.revision.to_string(),
                    title: record.title.clone(),
                    published: v.published.to_string(),
                    kind: found.kind.as_str().to_string(),
                    label: found.kind.label().to_string(),
                    place: place.clone(),
                    masked: found.masked.clone(),
                    context: context(&masked_text, at),
                    state,
                });
            }
        }
    }
    Ok(record.versions.len())
}

/// The findings in some versions of one work (`revisions`; all when
/// empty), as a sweep would report them, without decisions: what a
/// reviewer is shown for a draft's new versions before it is published.
pub fn scan_versions(
    snapshot: &Snapshot,
    detectors: &Detectors,
    work: &WorkId,
    revisions: &[RevisionId],
) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    let only = (!revisions.is_empty()).then_some(revisions);
    scan_work(
        snapshot,
        detectors,
        &Decisions::default(),
        work,
        only,
        &mut items,
    )?;
    Ok(items)
}

/// Scans every version of every work of `snapshot`; `today` for the
/// report's date and the withdrawals in force.
pub fn sweep(
    library: &Library,
    snapshot: &Snapshot,
    detectors: &Detectors,
    words: &[String],
    today: Date,
    progress: &mut dyn FnMut(usize),
) -> Result<Report> {
    let decisions: Decisions = read_json(&decisions_path(library))?;
    let works = snapshot.works(&Filter::all())?;
    // Reading and decoding the versions is most of the work: the works
    // are shared out among the cores in chunks, and this thread reports
    // progress meanwhile. The order of the findings is fixed by the sort
    // below, not by which thread found them.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let next = AtomicUsize::new(0);
    let scanned = AtomicUsize::new(0);
    let found: Vec<Result<Vec<Item>>> = std::thread::scope(|scope| {
        let running: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| {
                    let mut items = Vec::new();
                    loop {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        let Some(chunk) = works.get(start..(start + CHUNK).min(works.len())) else {
                            break;
                        };
                        if chunk.is_empty() {
                            break;
                        }
                        for work in chunk {
                            let n =
                                scan_work(snapshot, detectors, &decisions, work, None, &mut items)?;
                            scanned.fetch_add(n, Ordering::Relaxed);
                        }
                    }
                    Ok(items)
                })
            })
            .collect();
        while !running.iter().all(|t| t.is_finished()) {
            progress(scanned.load(Ordering::Relaxed));
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        running
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err(Error::internal("a sweep thread panicked")))
            })
            .collect()
    });
    let mut items = Vec::new();
    for part in found {
        items.extend(part?);
    }
    let versions = scanned.into_inner();
    progress(versions);
    items.sort_by(|a, b| {
        (a.state != State::Open, &a.work, &a.published, &a.id).cmp(&(
            b.state != State::Open,
            &b.work,
            &b.published,
            &b.id,
        ))
    });
    Ok(Report {
        quarter: Quarter::of(today).to_string(),
        swept_on: today.to_string(),
        commit: snapshot.commit().to_string(),
        works: works.len(),
        versions,
        words: words.to_vec(),
        open: items.iter().filter(|i| i.state == State::Open).count(),
        items,
    })
}

/// Writes `report` as its quarter's report; returns the file.
pub fn save(library: &Library, report: &Report) -> Result<PathBuf> {
    let quarter = Quarter::parse(&report.quarter).map_err(Error::refused)?;
    let path = report_path(library, quarter);
    write_json(&path, report)?;
    Ok(path)
}

/// The saved report of `quarter`, if a sweep wrote one.
pub fn load(library: &Library, quarter: Quarter) -> Result<Option<Report>> {
    let path = report_path(library, quarter);
    if !path.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Error::refused(format!(
            "{} is not a sweep report wenku can read ({e}); run the sweep again",
            path.display()
        ))
    })
}

/// The finding `id` in `report`, or a clear error.
fn item<'a>(report: &'a Report, id: &str) -> Result<&'a Item> {
    let matching: Vec<&Item> = report
        .items
        .iter()
        .filter(|i| i.id.starts_with(id))
        .collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::not_found(format!(
            "no finding {id} in the {} report; `wenku sweep show` lists them",
            report.quarter
        ))),
        _ => Err(Error::usage(format!(
            "{id} names {} findings; give more of the id",
            matching.len()
        ))),
    }
}

/// Marks finding `id` of `report` as a false positive: later sweeps
/// report it as decided. Refuses an empty reason.
pub fn dismiss(
    library: &Library,
    report: &Report,
    id: &str,
    reason: &str,
    by: &Identity,
    today: Date,
) -> Result<Item> {
    if reason.trim().is_empty() {
        return Err(Error::usage(
            "say why the finding is not personal information: --reason TEXT",
        ));
    }
    let found = item(report, id)?.clone();
    let path = decisions_path(library);
    let mut decisions: Decisions = read_json(&path)?;
    let decision = Decision {
        reason: reason.trim().to_string(),
        by: format!("{} <{}>", by.name(), by.email()),
        on: today.to_string(),
    };
    decisions
        .false_positives
        .insert(found.id.clone(), decision.clone());
    write_json(&path, &decisions)?;
    Ok(Item {
        state: State::FalsePositive {
            reason: decision.reason,
            by: decision.by,
            on: decision.on,
        },
        ..found
    })
}

/// The op that withdraws the version of finding `id` from public view,
/// its reason naming the sweep, the finding and the operator's reason.
pub fn withdrawal(report: &Report, id: &str, reason: &str, today: Date) -> Result<(Item, Op)> {
    if reason.trim().is_empty() {
        return Err(Error::usage(
            "say why the version is withdrawn: --reason TEXT",
        ));
    }
    let found = item(report, id)?.clone();
    let bad = |what: &str, e: String| {
        Error::refused(format!(
            "the {} report names a {what} wenku cannot read ({e}); run the sweep again",
            report.quarter
        ))
    };
    let work = WorkId::parse(&found.work).map_err(|e| bad("work", e.to_string()))?;
    let revision =
        RevisionId::parse(&found.revision).map_err(|e| bad("revision", e.to_string()))?;
    let op = Op::WithdrawVersion {
        work,
        revision,
        withdrawal: Withdrawal {
            date: today,
            reason: format!(
                "安全巡查 {}：{}（{}，{}）。{}",
                report.quarter,
                found.label,
                found.place,
                found.id,
                reason.trim()
            ),
        },
    };
    Ok((found, op))
}
