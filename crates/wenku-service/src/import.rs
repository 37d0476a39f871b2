//! Importing files into a library: what each file becomes (a new work, a
//! new version, or nothing because its text is already stored), decided on
//! the head the commit is made on.
//!
//! Recognition is wenku-import's; this module plans. [`plan`] decides for a
//! batch of imported texts against one snapshot (or none, for a dry run
//! without a library); [`import`] plans inside the store's
//! compare-and-swap retry ([`Library::commit_planned`]) so that a free local
//! id is chosen, and an already stored text recognised, on the very head the
//! commit lands on.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use wenku_import::Imported;
use wenku_import::{ImportOptions, import_file};
use wenku_model::{Citation, DocNumber, Region, RevisionId, WorkId, check_local, title_key};
use wenku_store::{
    Identity, Library, ObjectId, Op, Snapshot, StoredText, TextError, TextPack, Transaction,
};

use crate::error::{Error, Result};
use crate::proposal::{
    new_record, new_stored_version, new_version, new_version_of, version_document,
};

/// From this many files, [`import_files`] writes the texts ahead as it
/// reads them (the store's default pack threshold: a smaller batch's
/// objects are written loose, and its documents are few).
pub const WRITE_AHEAD_FROM: usize = 64;

/// What happens to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A new work.
    Published,
    /// A new version of an existing work.
    Added,
    /// The text is already in the library.
    Unchanged,
}

impl Action {
    /// `published`, `added` or `unchanged`, as the JSON outputs spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Published => "published",
            Action::Added => "added",
            Action::Unchanged => "unchanged",
        }
    }
}

/// One file to import: its name and what the importer made of it.
#[derive(Debug)]
pub struct Input {
    /// The file, as the user named it.
    pub file: PathBuf,
    /// The recognised text and metadata.
    pub imported: Imported,
    /// The text, when it was written ahead ([`import_files`]): the
    /// document's body is then left out of `imported` (its metadata stays)
    /// and the version is this text.
    pub stored: Option<StoredText>,
}

impl Input {
    /// An input whose text is its document.
    pub fn new(file: impl Into<PathBuf>, imported: Imported) -> Input {
        Input {
            file: file.into(),
            imported,
            stored: None,
        }
    }
}

/// Where imported texts go.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Every file is a new version of this work (`--work`).
    pub work: Option<WorkId>,
    /// New works are published in this region ([`import`] defaults to the
    /// node's; [`plan`] without it gives new works no id).
    pub region: Option<Region>,
    /// The new work's local id must be exactly this (`--local`): a taken
    /// id is refused, never suffixed.
    pub exact_local: Option<String>,
    /// Plan only; a missing publication date is then no error.
    pub dry_run: bool,
    /// Publish a new work even when the file's title or document number
    /// is an existing work's (`--new-work`). Without it such a file is
    /// refused: it is most likely a version of that work, imported
    /// without `--work`.
    pub new_work: bool,
    /// Works that a new work's id must not take although the library does
    /// not hold them: those of pending drafts (see [`crate::draft`]).
    pub reserved: BTreeSet<WorkId>,
}

/// The plan for one input.
#[derive(Clone, Debug)]
pub struct Planned {
    /// The input's place in the batch.
    pub input: usize,
    /// The work it goes to (`None` only in a dry run without a library).
    pub work: Option<WorkId>,
    /// The text's RevisionId.
    pub revision: RevisionId,
    /// What happens.
    pub action: Action,
    /// The op that does it (`None` when nothing is to be written).
    pub op: Option<Op>,
}

/// The result of [`import`].
#[derive(Debug)]
pub struct Imports {
    /// One plan per input, in input order, as committed (a version the
    /// store found already there is [`Action::Unchanged`]).
    pub planned: Vec<Planned>,
    /// The commit made, if anything changed.
    pub commit: Option<ObjectId>,
}

/// Plans a batch against `snapshot` (`None`: no library, a dry run that
/// only recognises). Inputs are planned in order; ids taken by earlier
/// inputs of the batch are not given twice.
pub fn plan(
    inputs: &[Input],
    request: &Request,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<Planned>> {
    if let (Some(w), Some(s)) = (&request.work, snapshot)
        && !s.contains(w)?
    {
        return Err(Error::not_found(format!(
            "unknown work {w}: --work must name a work in the library"
        ))
        .with_hint(
            "leave --work out to publish the file as a new work; `wenku ls` lists the works",
        ));
    }
    let mut taken = BTreeSet::new();
    let mut batch = Vec::new();
    let mut planned = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        planned.push(plan_one(
            i, input, request, snapshot, &mut taken, &mut batch,
        )?);
    }
    // Subjects must come from the province's vocabulary, when it has one
    // (see `crate::tags`).
    if let Some(s) = snapshot {
        let (ops, files): (Vec<&Op>, Vec<String>) = planned
            .iter()
            .filter_map(|p| {
                let op = p.op.as_ref()?;
                crate::tags::subjects_of(op)?;
                Some((op, inputs[p.input].file.display().to_string()))
            })
            .unzip();
        if !ops.is_empty() {
            let node = s.meta()?.authority.node();
            crate::tags::check_ops(s, node, &ops, |i| files.get(i).cloned())?;
        }
    }
    // --local names the work exactly: never a neighbour with -2 appended.
    if let (Some(local), Some(p)) = (&request.exact_local, planned.first())
        && let Some(work) = p.work.as_ref().filter(|w| w.local() != local.as_str())
    {
        if p.action == Action::Unchanged {
            return Err(Error::refused(format!(
                "--local {local}: this text is already stored, identical, in {work}; nothing was written"
            ))
            .with_hint(format!(
                "a text is stored once: `wenku log {work}` shows where it is"
            )));
        }
        let wanted = format!("{}/{local}", work.region());
        return Err(Error::refused(format!(
                "--local {local}: the library already has the work {wanted}; nothing was written"
            ))
            .with_hint(format!(
                "add the file as a version with `wenku import --work {wanted} FILE`, or choose another --local"
            )));
    }
    Ok(planned)
}

/// A dry run against a library that runs every check [`import`] runs —
/// the planning's (a publication date, a likely version of an existing
/// work) and the store's (authority, lifecycle, targets, limits) — on the
/// current head, and writes nothing. `request.dry_run` is ignored: what
/// the real import would refuse, this refuses.
pub fn check(library: &Library, inputs: &[Input], request: &Request) -> Result<Vec<Planned>> {
    let request = Request {
        region: request.region.or(Some(library.authority().node())),
        dry_run: false,
        ..request.clone()
    };
    let snapshot = library.snapshot()?;
    let mut planned = plan(inputs, &request, Some(&snapshot))?;
    let transaction: Transaction = planned.iter().filter_map(|p| p.op.clone()).collect();
    let outcomes = library
        .check(snapshot.commit(), &transaction)
        .map_err(|e| name_the_file(Error::from(e), inputs, &planned))?;
    mark_unchanged(&mut planned, &outcomes);
    Ok(planned)
}

/// Marks the plans whose version the store found already there.
fn mark_unchanged(planned: &mut [Planned], outcomes: &[wenku_store::OpOutcome]) {
    for o in outcomes {
        if o.unchanged.is_some() {
            for p in planned
                .iter_mut()
                .filter(|p| p.work.as_ref() == Some(&o.work) && Some(p.revision) == o.revision)
            {
                p.action = Action::Unchanged;
            }
        }
    }
}

/// Imports a batch as one commit, planned on the head it is committed on:
/// a concurrent writer that takes an id or stores the same text first
/// makes this import plan again, not fail.
pub fn import(
    library: &Library,
    identity: &Identity,
    inputs: &[Input],
    request: &Request,
) -> Result<Imports> {
    import_with(library, identity, inputs, request, None)
}

/// [`import`], with the texts of `inputs` that were written ahead in
/// `texts`.
fn import_with(
    library: &Library,
    identity: &Identity,
    inputs: &[Input],
    request: &Request,
    texts: Option<&mut TextPack>,
) -> Result<Imports> {
    // New works go to the node's own region unless told otherwise.
    let defaulted;
    let request = match request.region {
        Some(_) => request,
        None => {
            defaulted = Request {
                region: Some(library.authority().node()),
                ..request.clone()
            };
            &defaulted
        }
    };
    let mut last = Vec::new();
    let plan_on = |snapshot: &Snapshot, last: &mut Vec<Planned>| -> Result<Transaction> {
        *last = plan(inputs, request, Some(snapshot))?;
        Ok(last.iter().filter_map(|p| p.op.clone()).collect())
    };
    let committed = match texts {
        None => library.commit_planned(identity, |s| plan_on(s, &mut last)),
        Some(texts) => {
            library.commit_planned_with_texts(identity, texts, |s| plan_on(s, &mut last))
        }
    };
    let committed = committed.map_err(|e| name_the_file(e, inputs, &last))?;
    // The store knows best whether a version was already there.
    mark_unchanged(&mut last, &committed.outcomes);
    Ok(Imports {
        planned: last,
        commit: committed.commit,
    })
}

/// A refusal names the file, not the op's place in the transaction.
fn name_the_file(err: Error, inputs: &[Input], planned: &[Planned]) -> Error {
    let refused = std::error::Error::source(&err)
        .and_then(|s| s.downcast_ref::<wenku_store::CommitError>())
        .and_then(|c| match c {
            wenku_store::CommitError::Refused {
                index,
                kind,
                work,
                refusal,
            } => Some((*index, kind.to_string(), work.clone(), refusal.to_string())),
            _ => None,
        });
    let Some((index, kind, work, refusal)) = refused else {
        return err;
    };
    let file = planned
        .iter()
        .filter(|p| p.op.is_some())
        .nth(index)
        .and_then(|p| inputs.get(p.input))
        .map(|i| i.file.display().to_string())
        .unwrap_or_else(|| "?".into());
    err.with_message(format!(
        "{file}: cannot {kind} {work}: {refusal}; nothing was written"
    ))
}

/// A new work planned earlier in the batch: its id, title key and number.
type BatchWork = (WorkId, Option<String>, Option<DocNumber>);

fn plan_one(
    index: usize,
    input: &Input,
    request: &Request,
    snapshot: Option<&Snapshot>,
    taken: &mut BTreeSet<WorkId>,
    batch: &mut Vec<BatchWork>,
) -> Result<Planned> {
    let Input { file, imported, .. } = input;
    let name = file.display().to_string();
    // A version of a named work takes the work's title and type where the
    // text has none; its id is that of the text as stored.
    let target = match (&request.work, snapshot) {
        (Some(w), Some(s)) => Some(s.require_record(w)?),
        _ => None,
    };
    let revision = match (&input.stored, &target) {
        // Written ahead with the work's title and type already given.
        (Some(text), _) => Ok(text.revision()),
        (None, Some(record)) => version_document(record, imported).revision_id(),
        (None, None) => imported.document.revision_id(),
    }
    .map_err(|e| Error::refused(format!("{name}: cannot be stored: {e}")).with_source(e))?;
    let published = imported.proposed.published;
    let no_date = || {
        Error::refused(format!("{name}: no publication date found in the text"))
            .with_hint("pass --published YYYY-MM-DD")
    };
    let planned = |work: Option<WorkId>, action, op| Planned {
        input: index,
        work,
        revision,
        action,
        op,
    };

    // The same text anywhere in the library: importing again changes nothing.
    if let Some(s) = snapshot {
        let holders = s.find_revision(&revision)?;
        let holder = match &request.work {
            Some(t) => holders.iter().find(|w| *w == t),
            None => holders.first(),
        };
        if let Some(w) = holder {
            return Ok(planned(Some(w.clone()), Action::Unchanged, None));
        }
    }

    if let Some(work) = &request.work {
        let op = match published {
            Some(p) => Some(Op::AddVersion {
                work: work.clone(),
                version: match (&input.stored, &target) {
                    (Some(text), _) => new_stored_version(*text, imported, p),
                    (None, Some(record)) => new_version_of(record, imported, p),
                    (None, None) => new_version(imported, p),
                },
            }),
            None if request.dry_run => None,
            None => return Err(no_date()),
        };
        return Ok(planned(Some(work.clone()), Action::Added, op));
    }

    let title_key = imported
        .proposed
        .title
        .as_deref()
        .map(title_key)
        .filter(|k| !k.is_empty());
    let number = imported.proposed.number.clone();
    if !request.new_work
        && let Some((work, why)) = existing_work(
            snapshot,
            batch,
            imported.proposed.title.as_deref(),
            title_key.as_deref(),
            &number,
        )?
    {
        return Err(Error::refused(format!(
            "{name}: this looks like a version of {work} ({why}); use `--work {work}` or `--new-work`; nothing was written"
        ))
        .with_hint(format!(
            "`wenku log {work}` lists its versions; a wenkud inbox sidecar says work = \"{work}\" or new_work = true"
        )));
    }

    let Some(region) = request.region else {
        return Ok(planned(None, Action::Published, None));
    };
    let base = imported
        .proposed
        .suggested_local
        .clone()
        .filter(|l| check_local(l).is_ok())
        .unwrap_or_else(|| local_from_file(file, &revision));
    // A free id: the suggestion, else with -2, -3 … appended.
    let mut n = 1;
    let work = loop {
        let local = if n == 1 {
            base.clone()
        } else {
            format!("{}-{n}", base.chars().take(60).collect::<String>())
        };
        let id = WorkId::new(region, &local)
            .map_err(|e| Error::internal(format!("local id {local:?}: {e}")).with_source(e))?;
        let exists = match snapshot {
            Some(s) => s.contains(&id)?,
            None => false,
        };
        if !exists && !taken.contains(&id) && !request.reserved.contains(&id) {
            break id;
        }
        n += 1;
    };
    taken.insert(work.clone());
    batch.push((work.clone(), title_key, number));
    let op = match published {
        Some(p) => Some(Op::Publish {
            record: new_record(work.clone(), imported),
            version: match &input.stored {
                Some(text) => new_stored_version(*text, imported, p),
                None => new_version(imported, p),
            },
        }),
        None if request.dry_run => None,
        None => return Err(no_date()),
    };
    Ok(planned(Some(work), Action::Published, op))
}

/// The work a file to be published as new most likely belongs to: one
/// in the library, or planned earlier in the batch, with the same
/// document number or the same title (compared by [`title_key`]), and
/// which of the two matched.
fn existing_work(
    snapshot: Option<&Snapshot>,
    batch: &[BatchWork],
    title: Option<&str>,
    title_key: Option<&str>,
    number: &Option<DocNumber>,
) -> Result<Option<(WorkId, String)>> {
    let by_number = |n: &DocNumber| format!("the same document number {}", n.as_str());
    let by_title = |t: &str| format!("the same title 《{t}》");
    for (work, key, num) in batch {
        if let (Some(n), Some(m)) = (number, num)
            && n == m
        {
            return Ok(Some((work.clone(), by_number(n))));
        }
        if let (Some(t), Some(k)) = (title_key, key)
            && t == k
        {
            return Ok(Some((work.clone(), by_title(title.unwrap_or(t)))));
        }
    }
    let Some(s) = snapshot else {
        return Ok(None);
    };
    if let Some(n) = number
        && let Some(w) = s.lookup(&Citation::number(n.clone()))?.into_iter().next()
    {
        return Ok(Some((w, by_number(n))));
    }
    if let Some(t) = title.filter(|_| title_key.is_some())
        && let Some(w) = s.lookup(&Citation::title(t))?.into_iter().next()
    {
        let title = s.require_record(&w)?.title;
        return Ok(Some((w, by_title(&title))));
    }
    Ok(None)
}

/// A local id from the file name when the importer suggests none.
fn local_from_file(file: &Path, revision: &RevisionId) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut local: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while local.contains("--") {
        local = local.replace("--", "-");
    }
    let local = local
        .trim_matches(['-', '.'])
        .chars()
        .take(48)
        .collect::<String>();
    if check_local(&local).is_ok() {
        local
    } else {
        format!("doc-{}", &revision.to_string()[..8])
    }
}

/// Reads and imports `files` as one commit, as [`import`] does, the files
/// read and recognised on every core, and without holding a large batch
/// in memory: from [`WRITE_AHEAD_FROM`] files on, each text is also
/// encoded, hashed and compressed there and written ahead to a
/// [`TextPack`] as soon as it is read, and only its metadata is kept for
/// planning; the texts become part of the library when the commit is made
/// ([`Library::commit_planned_with_texts`]).
/// A file that cannot be imported refuses the whole batch, naming it, with
/// nothing written. `progress` is called once per file read, in the order
/// they finish.
///
/// With `--work` (`request.work`), a text without a title or type takes
/// the work's as they are when the batch starts (see
/// [`crate::proposal::version_document`]).
///
/// Returns the inputs (their bodies left out when written ahead) and the
/// import.
pub fn import_files(
    library: &Library,
    identity: &Identity,
    files: &[PathBuf],
    options: &ImportOptions,
    request: &Request,
    progress: &(dyn Fn(&Path) + Sync),
) -> Result<(Vec<Input>, Imports)> {
    if files.len() < WRITE_AHEAD_FROM {
        let inputs = read_files(files, options, progress)?;
        let imports = import_with(library, identity, &inputs, request, None)?;
        return Ok((inputs, imports));
    }
    let mut slots: Vec<Option<Input>> = (0..files.len()).map(|_| None).collect();
    let target = match &request.work {
        Some(w) => Some(library.snapshot()?.require_record(w)?),
        None => None,
    };
    let mut texts = library.text_pack().map_err(text_error)?;
    let encoder = texts.encoder();
    read_each(
        files,
        |file| {
            let mut imported = import_file(file, options).map_err(unreadable)?;
            let prepared = match &target {
                Some(record) => encoder.prepare(&version_document(record, &imported)),
                None => encoder.prepare(&imported.document),
            }
            .map_err(|e| {
                let err = text_error(e);
                let message = format!("{}: {}", file.display(), err.message());
                err.with_message(message)
            })?;
            // The text is written ahead: keep the metadata.
            imported.document.body = Vec::new();
            Ok((imported, prepared))
        },
        |i, (imported, prepared)| {
            let stored = texts.append(prepared).map_err(text_error)?;
            progress(&files[i]);
            slots[i] = Some(Input {
                file: files[i].clone(),
                imported,
                stored: Some(stored),
            });
            Ok(())
        },
    )?;
    let inputs = all_read(slots)?;
    let imports = import_with(library, identity, &inputs, request, Some(&mut texts))?;
    Ok((inputs, imports))
}

/// Reads and recognises `files` on every core, their documents kept: what
/// a dry run or a draft plans with. A file the importer refuses is an
/// error naming it. `progress` is called once per file read, in the order
/// they finish.
pub fn read_files(
    files: &[PathBuf],
    options: &ImportOptions,
    progress: &(dyn Fn(&Path) + Sync),
) -> Result<Vec<Input>> {
    let mut slots: Vec<Option<Input>> = (0..files.len()).map(|_| None).collect();
    read_each(
        files,
        |file| import_file(file, options).map_err(unreadable),
        |i, imported| {
            progress(&files[i]);
            slots[i] = Some(Input::new(files[i].clone(), imported));
            Ok(())
        },
    )?;
    all_read(slots)
}

/// Runs `read` on each file on every core and hands each result to
/// `take` on this thread, in the order they finish. The channel between
/// them is short, so at most a few results wait in memory. The first
/// error stops the readers and is returned.
fn read_each<T: Send>(
    files: &[PathBuf],
    read: impl Fn(&Path) -> Result<T> + Sync,
    mut take: impl FnMut(usize, T) -> Result<()>,
) -> Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len())
        .max(1);
    let (next, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    let (send, receive) = std::sync::mpsc::sync_channel::<(usize, Result<T>)>(threads * 2);
    let mut failed = None;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let send = send.clone();
            let (next, stop, read) = (&next, &stop, &read);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    if send.send((i, read(file))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        for (i, result) in receive {
            if failed.is_some() {
                continue;
            }
            if let Err(e) = result.and_then(|t| take(i, t)) {
                stop.store(true, Ordering::Relaxed);
                failed = Some(e);
            }
        }
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The inputs of a batch once every file was read.
fn all_read(slots: Vec<Option<Input>>) -> Result<Vec<Input>> {
    slots
        .into_iter()
        .map(|s| s.ok_or_else(|| Error::internal("a file of the batch was not read")))
        .collect()
}

/// A file the importer refused: nothing of the batch is written.
fn unreadable(e: wenku_import::ImportError) -> Error {
    Error::refused(e.to_string())
        .with_hint("nothing was written; fix or leave out this file and run the command again")
        .with_source(e)
}

/// A text that could not be written ahead.
fn text_error(e: TextError) -> Error {
    match &e {
        TextError::Refused(r) => Error::refused(format!("cannot be stored: {r}")),
        _ => Error::internal(e.to_string()),
    }
    .with_source(e)
}
