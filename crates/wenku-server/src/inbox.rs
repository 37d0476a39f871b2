//! The inbox: a directory where a clerk (or a script) drops documents —
//! text, Markdown or wenku XML, UTF-8 or GB18030 — each with an optional
//! sidecar `<file>.meta.toml` saying what the importer cannot read from
//! the text (a new version of which work, the local id, type, title,
//! number, dates).
//!
//! A file is taken when it is complete: written as `<file>.part` and
//! renamed in (atomic on one filesystem), or closed after writing (the
//! inotify close event), or unchanged for `inbox.settle`. Events are only
//! hints: the directory is scanned at start-up and every
//! `inbox.scan_interval` too. A sidecar is written before its document.
//!
//! Each file is published through the service layer in its own
//! transaction, then moved to `done/` beside `<file>.receipt.json` (work,
//! revision, action, commit), or to `rejected/` beside `<file>.error.json`
//! (what was wrong and what to do). Failures of the node itself (a lock
//! held too long, a full disk) leave the file where it is for the next
//! scan. A crash between publishing and moving leaves the file in the
//! inbox; the next run finds its text already stored (`unchanged`) and
//! moves it: nothing is lost and nothing is published twice.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Deserializer, Serialize};
use tokio_util::sync::CancellationToken;
use wenku_import::ImportOptions;
use wenku_model::{Date, DocNumber, DocType, WorkId};
use wenku_service::import::{self, Input, Request};
use wenku_service::{Error, Kind};

use crate::Shared;
use crate::config::InboxConfig;
use crate::state::now_secs;

/// What a sidecar `<file>.meta.toml` may say.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// The document is a new version of this work (`370000/lifa`).
    pub work: Option<String>,
    /// The new work's local id; refused if taken.
    pub local: Option<String>,
    /// Publish a new work even though the title or document number is an
    /// existing work's; without it (and without `work`) such a file is
    /// rejected as most likely a version of that work.
    #[serde(default)]
    pub new_work: bool,
    /// Document type (`law`, `regulation`, `normative`, `policy` …).
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    /// Title, when the text does not carry it.
    pub title: Option<String>,
    /// Document number, e.g. `鲁政办发〔2025〕5号`.
    pub number: Option<String>,
    /// Issuing organs.
    #[serde(default)]
    pub issuers: Vec<String>,
    /// Publication date (a TOML date or `"YYYY-MM-DD"`).
    #[serde(default, deserialize_with = "date")]
    #[schemars(with = "Option<String>")]
    pub published: Option<Date>,
    /// Effective date.
    #[serde(default, deserialize_with = "date")]
    #[schemars(with = "Option<String>")]
    pub effective: Option<Date>,
    /// Date written in the text.
    #[serde(default, deserialize_with = "date")]
    #[schemars(with = "Option<String>")]
    pub written: Option<Date>,
    /// Subjects for search and subscription (added to the text's own).
    #[serde(default)]
    pub subjects: Vec<String>,
    /// Relations to other documents, besides those the text names.
    #[serde(default, rename = "relation")]
    pub relations: Vec<SidecarRelation>,
    /// Add the file to the draft of this item (`370200/qzbf-2025-3`): an
    /// interpretation joins its document, to be reviewed and published
    /// together. Only for an inbox that takes drafts (`[inbox] drafts`).
    pub draft_of: Option<String>,
}

/// One `[[relation]]` of a sidecar: a kind and exactly one of `work`,
/// `number`, `title` (number and title may go together).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SidecarRelation {
    /// `basis`, `implements`, `interprets`, `amends`, `repeals`,
    /// `replaces`, `cites` or `contains`.
    pub kind: String,
    /// A work of the federation, by id.
    pub work: Option<String>,
    /// A document by number, e.g. `鲁政办发〔2025〕5号`.
    pub number: Option<String>,
    /// A document by title.
    pub title: Option<String>,
}

impl SidecarRelation {
    fn relation(&self) -> Result<wenku_model::Relation, Error> {
        let kind = self
            .kind
            .parse::<wenku_model::RelationKind>()
            .map_err(|e| {
                let kinds: Vec<&str> = wenku_model::RelationKind::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect();
                Error::refused(format!("sidecar relation kind: {e}"))
                    .with_hint(format!("a relation kind is one of {}", kinds.join(", ")))
            })?;
        let target = match (&self.work, &self.number, &self.title) {
            (Some(w), None, None) => wenku_model::Target::Work(
                WorkId::parse(w)
                    .map_err(|e| Error::refused(format!("sidecar relation work: {e}")))?,
            ),
            (None, number, title) if number.is_some() || title.is_some() => {
                let number = number
                    .as_deref()
                    .map(|n| {
                        DocNumber::parse(n).ok_or_else(|| {
                            Error::refused(format!(
                                "sidecar relation number: {n:?} is not a document number"
                            ))
                        })
                    })
                    .transpose()?;
                wenku_model::Target::Citation(wenku_model::Citation {
                    number,
                    title: title.clone(),
                })
            }
            _ => {
                return Err(Error::refused(
                    "a sidecar relation names its target by work, or by number and/or title",
                ));
            }
        };
        Ok(wenku_model::Relation { kind, target })
    }
}

fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match Option::<Either>::deserialize(d)? {
        None => return Ok(None),
        Some(Either::Toml(t)) => t.to_string(),
        Some(Either::Text(t)) => t,
    };
    Date::parse_iso(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// The receipt written beside a published file.
#[derive(Debug, Serialize)]
struct Receipt {
    file: String,
    work: String,
    revision: String,
    action: &'static str,
    commit: Option<String>,
    /// With `[inbox] drafts`: the item whose draft the file is in
    /// (`action` is `submitted`; nothing is published until review).
    #[serde(skip_serializing_if = "Option::is_none")]
    draft: Option<String>,
    at: u64,
}

impl Receipt {
    fn new(
        file: &Path,
        planned: &import::Planned,
        action: &'static str,
        commit: Option<String>,
        draft: Option<String>,
    ) -> Receipt {
        Receipt {
            file: file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            work: planned
                .work
                .as_ref()
                .map(|w| w.to_string())
                .unwrap_or_default(),
            revision: planned.revision.to_string(),
            action,
            commit,
            draft,
            at: now_secs(),
        }
    }
}

/// The report written beside a rejected file.
#[derive(Debug, Serialize)]
struct Rejection<'a> {
    file: &'a str,
    kind: &'static str,
    message: String,
    hint: Option<&'a str>,
    at: u64,
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Refused => "refused",
        Kind::NotFound => "not-found",
        Kind::Conflict => "conflict",
        Kind::Usage => "usage",
        Kind::Unavailable => "unavailable",
        _ => "internal",
    }
}

/// Suffixes of files that are not documents.
const NOT_DOCUMENTS: [&str; 5] = [
    ".part",
    ".meta.toml",
    ".tmp",
    ".receipt.json",
    ".error.json",
];

/// Documents in `dir` that are complete (unchanged for `settle`, or closed
/// after writing), in name order, and whether others are still settling.
fn waiting(
    dir: &Path,
    settle: Duration,
    closed: &HashSet<PathBuf>,
) -> std::io::Result<(Vec<PathBuf>, bool)> {
    let mut out = Vec::new();
    let mut settling = false;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if name.starts_with('.') || NOT_DOCUMENTS.iter().any(|s| name.ends_with(s)) {
            continue;
        }
        let meta = entry.metadata()?;
        if !meta.is_file() {
            continue;
        }
        let path = entry.path();
        let age = meta
            .modified()
            .ok()
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .unwrap_or_default();
        if age >= settle || closed.contains(&path) {
            out.push(path);
        } else {
            settling = true;
        }
    }
    out.sort();
    Ok((out, settling))
}

/// Runs the inbox until `stop`.
pub(crate) async fn run(shared: Arc<Shared>, config: InboxConfig, stop: CancellationToken) {
    for sub in ["done", "rejected"] {
        if let Err(e) = std::fs::create_dir_all(config.dir.join(sub)) {
            tracing::error!(dir = %config.dir.display(), error = %e, "cannot create the inbox directories");
        }
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
    let _watcher = watch(&config.dir, tx);
    let mut closed: HashSet<PathBuf> = HashSet::new();
    loop {
        let (files, settling) = match waiting(&config.dir, config.settle, &closed) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(dir = %config.dir.display(), error = %e, "cannot scan the inbox");
                (Vec::new(), false)
            }
        };
        for file in files {
            if stop.is_cancelled() {
                return;
            }
            closed.remove(&file);
            let shared2 = Arc::clone(&shared);
            let dir = config.dir.clone();
            let done = tokio::task::spawn_blocking(move || take(&shared2, &dir, &file)).await;
            if let Err(e) = done {
                tracing::error!(error = %e, "the inbox task ended abnormally");
            }
        }
        shared
            .state
            .inbox
            .last_scan
            .store(now_secs(), Ordering::Relaxed);
        shared.state.first_scan_done.store(true, Ordering::SeqCst);
        // Until the next scan: the timer, a file event, or — when a file is
        // still being written — the moment it will have settled.
        let wait = if settling {
            config
                .scan_interval
                .min(config.settle.max(Duration::from_millis(200)))
        } else {
            config.scan_interval
        };
        let next = tokio::time::sleep(wait);
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = next => {}
            Some(path) = rx.recv() => {
                closed.insert(path);
                while let Ok(p) = rx.try_recv() {
                    closed.insert(p);
                }
            }
        }
    }
}

/// File-system hints: a file closed after writing or renamed in.
fn watch(
    dir: &Path,
    tx: tokio::sync::mpsc::UnboundedSender<PathBuf>,
) -> Option<notify::RecommendedWatcher> {
    use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
    use notify::{RecursiveMode, Watcher};
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let complete = matches!(
            event.kind,
            EventKind::Access(AccessKind::Close(AccessMode::Write))
                | EventKind::Modify(ModifyKind::Name(RenameMode::To))
                | EventKind::Modify(ModifyKind::Name(RenameMode::Both))
        );
        if complete {
            for p in event.paths {
                let _ = tx.send(p);
            }
        }
    })
    .map_err(|e| tracing::warn!(error = %e, "no file-system events; scanning on the timer only"))
    .ok()?;
    watcher
        .watch(dir, RecursiveMode::NonRecursive)
        .map_err(|e| tracing::warn!(dir = %dir.display(), error = %e, "cannot watch the inbox; scanning on the timer only"))
        .ok()?;
    Some(watcher)
}

/// Publishes one file and moves it out of the inbox.
fn take(shared: &Shared, dir: &Path, file: &Path) {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let sidecar_path = dir.join(format!("{name}.meta.toml"));
    match publish(shared, file, &sidecar_path) {
        Ok(receipt) => {
            let counter = if receipt.action == "unchanged" {
                &shared.state.inbox.unchanged
            } else {
                &shared.state.inbox.published
            };
            counter.fetch_add(1, Ordering::Relaxed);
            tracing::info!(file = %name, work = %receipt.work, revision = %receipt.revision, action = receipt.action, "inbox");
            let json = serde_json::to_vec_pretty(&receipt).expect("a receipt serialises");
            settle_into(dir, "done", &name, &sidecar_path, "receipt.json", &json);
        }
        Err(e)
            if matches!(
                e.kind(),
                Kind::Unavailable | Kind::Internal | Kind::Conflict
            ) =>
        {
            tracing::warn!(file = %name, error = %crate::peers::chain(&e), "not published now; trying again at the next scan");
        }
        Err(e) => {
            shared.state.inbox.rejected.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(file = %name, error = %crate::peers::chain(&e), "inbox file rejected");
            let report = Rejection {
                file: &name,
                kind: kind_name(e.kind()),
                message: crate::peers::chain(&e),
                hint: e.hint(),
                at: now_secs(),
            };
            let json = serde_json::to_vec_pretty(&report).expect("a report serialises");
            settle_into(dir, "rejected", &name, &sidecar_path, "error.json", &json);
        }
    }
}

fn publish(shared: &Shared, file: &Path, sidecar_path: &Path) -> Result<Receipt, Error> {
    let sidecar = match std::fs::read_to_string(sidecar_path) {
        Ok(text) => toml::from_str::<Sidecar>(&text).map_err(|e| {
            Error::refused(format!("{}: {}", sidecar_path.display(), e.to_string().trim_end()))
                .with_hint("a sidecar may say work, local, new_work, type, title, number, issuers, published, effective, written, subjects and [[relation]]")
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Sidecar::default(),
        Err(e) => {
            return Err(Error::internal(format!("cannot read {}: {e}", sidecar_path.display())).with_source(e));
        }
    };
    let work = sidecar
        .work
        .as_deref()
        .map(|w| WorkId::parse(w).map_err(|e| Error::refused(format!("sidecar work: {e}"))))
        .transpose()?;
    let options = ImportOptions {
        doc_type: sidecar
            .doc_type
            .as_deref()
            .map(|t| {
                t.parse::<DocType>()
                    .map_err(|e| Error::refused(format!("sidecar type: {e}")))
            })
            .transpose()?,
        title: sidecar.title.clone(),
        number: sidecar
            .number
            .as_deref()
            .map(|n| {
                DocNumber::parse(n).ok_or_else(|| {
                    Error::refused(format!("sidecar number: {n:?} is not a document number"))
                })
            })
            .transpose()?,
        issuers: sidecar.issuers.clone(),
        published: sidecar.published,
        effective: sidecar.effective,
        written: sidecar.written,
        local: sidecar.local.clone(),
        ..ImportOptions::default()
    };
    let relations = sidecar
        .relations
        .iter()
        .map(SidecarRelation::relation)
        .collect::<Result<Vec<_>, _>>()?;
    let mut imported = wenku_import::import_file(file, &options).map_err(|e| {
        Error::refused(e.to_string()).with_hint(
            "fix the file (or add a sidecar <file>.meta.toml with what is missing) and drop it in again",
        )
    })?;
    for subject in &sidecar.subjects {
        if !imported.document.subjects.contains(subject) {
            imported.document.subjects.push(subject.clone());
        }
    }
    for relation in relations {
        if !imported.proposed.relations.contains(&relation) {
            imported.proposed.relations.push(relation);
        }
    }
    let input = Input::new(file, imported);
    let request = Request {
        work,
        region: None,
        exact_local: sidecar.local.clone(),
        dry_run: false,
        new_work: sidecar.new_work,
        ..Request::default()
    };
    if shared.config.inbox.as_ref().is_some_and(|i| i.drafts) {
        return submit_draft(shared, file, &sidecar, &input, &request);
    }
    if sidecar.draft_of.is_some() {
        return Err(
            Error::refused("draft_of: this inbox publishes; it takes no drafts")
                .with_hint("leave draft_of out, or set drafts = true in the node's [inbox]"),
        );
    }
    let imports = import::import(&shared.library, &shared.identity, &[input], &request)?;
    let planned = imports
        .planned
        .first()
        .ok_or_else(|| Error::internal("the import planned nothing for one file"))?;
    Ok(Receipt::new(
        file,
        planned,
        planned.action.as_str(),
        imports.commit.map(|c| c.to_string()),
        None,
    ))
}

/// The inbox of a node that reviews before publishing: the file becomes a
/// draft of its own, or joins the draft its sidecar names (`draft_of`).
/// A conflict (a work another draft holds, a draft that changed) is the
/// sender's to resolve, not the node's to retry: the file is rejected.
fn submit_draft(
    shared: &Shared,
    file: &Path,
    sidecar: &Sidecar,
    input: &Input,
    request: &Request,
) -> Result<Receipt, Error> {
    let inputs = std::slice::from_ref(input);
    let submitted = match &sidecar.draft_of {
        None => wenku_service::draft::submit(&shared.library, &shared.identity, inputs, request),
        Some(item) => {
            let item = wenku_model::WorkId::parse(item).map_err(|e| {
                Error::refused(format!("draft_of {item:?}: {e}"))
                    .with_hint("name the item as its work id, e.g. 370200/qzbf-2025-3")
            })?;
            wenku_service::draft::tip(&shared.library, &item, None).and_then(|seen| {
                wenku_service::draft::add(
                    &shared.library,
                    &shared.identity,
                    &item,
                    seen,
                    inputs,
                    request,
                )
            })
        }
    };
    let submitted = submitted.map_err(|e| {
        if e.kind() == Kind::Conflict {
            let message = e.to_string();
            Error::refused(message).with_source(e)
        } else {
            e
        }
    })?;
    let planned = submitted
        .planned
        .first()
        .ok_or_else(|| Error::internal("the draft planned nothing for one file"))?;
    tracing::info!(item = %submitted.draft.item, round = submitted.draft.round, "inbox file submitted as a draft for review");
    Ok(Receipt::new(
        file,
        planned,
        "submitted",
        None,
        Some(submitted.draft.item.to_string()),
    ))
}

/// Writes the report, then moves the file and its sidecar into `sub`.
fn settle_into(dir: &Path, sub: &str, name: &str, sidecar: &Path, suffix: &str, report: &[u8]) {
    let target = dir.join(sub);
    let mut base = name.to_string();
    let mut n = 1;
    while target.join(&base).exists() {
        n += 1;
        base = format!("{name}.{n}");
    }
    let report_path = target.join(format!("{base}.{suffix}"));
    let tmp = target.join(format!(".{base}.{suffix}.tmp"));
    let written = std::fs::write(&tmp, report).and_then(|()| std::fs::rename(&tmp, &report_path));
    if let Err(e) = written {
        tracing::error!(file = %report_path.display(), error = %e, "cannot write the inbox report");
    }
    // The document first: a crash between the two moves leaves a sidecar
    // without a document (ignored), never a document without its sidecar
    // (which would be published again with other metadata).
    if let Err(e) = std::fs::rename(dir.join(name), target.join(&base)) {
        tracing::error!(file = %name, error = %e, "cannot move the file out of the inbox");
        return;
    }
    if sidecar.exists()
        && let Err(e) = std::fs::rename(sidecar, target.join(format!("{base}.meta.toml")))
    {
        tracing::error!(file = %sidecar.display(), error = %e, "cannot move the sidecar");
    }
}
