//! The commands that record a change of a work — `correct`, `relate`,
//! `expire`, `reinstate`, and `repeal` and `withdraw` (in `lifecycle.rs`)
//! — and what they share: every one is a recorded operation (a signed
//! commit whose subject says what changed; the old values stay in the
//! history), `--dry-run` shows the record's fields before and after and
//! writes nothing, `--json` prints a `$defs/change`.

use wenku_model::{Citation, DocNumber, Relation, RelationKind, Target, WorkId};
use wenku_service::output::Change;
use wenku_service::resolve::{self, SelectedBy, VersionName};
use wenku_store::{Correction, Op, Transaction};

use crate::cli::{CorrectArgs, ExpireArgs, MergeArgs, RecordFlags, ReinstateArgs, RelateArgs};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Records `ops` (of `work`) or, with `--dry-run`, shows what they would
/// change: one change per work they change, `work` first (a merge also
/// changes the work it merges into).
pub(crate) fn record(
    dir: &Option<std::path::PathBuf>,
    work: &WorkId,
    ops: Vec<Op>,
    flags: &RecordFlags,
) -> Result<()> {
    let library = context::open(dir)?;
    let library = if flags.dry_run {
        library
    } else {
        context::signing(library)?
    };
    wenku_service::tags::check_ops(
        &context::snapshot(&library)?,
        library.authority().node(),
        &ops.iter().collect::<Vec<_>>(),
        |_| None,
    )?;
    let kinds: Vec<&'static str> = ops.iter().map(|o| o.kind().as_str()).collect();
    let transaction: Transaction = ops.into_iter().collect();
    let head = library.head()?;
    // Every refusal the commit would give, and the record before and after.
    let (outcomes, changes) = library.preview(head, &transaction)?;
    let unchanged: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.unchanged.as_ref().map(|u| u.to_string()))
        .collect();
    let change = changes.iter().find(|c| &c.work == work);
    let (before, after) = match change {
        Some(c) => (c.before.as_ref(), c.after.as_ref()),
        None => (None, None),
    };
    let mut out = Out::stdout();
    if flags.dry_run || change.is_none() {
        let status = if change.is_none() {
            "unchanged"
        } else {
            "would-record"
        };
        let shown = Change::new(work, kinds.clone(), status, None, unchanged, before, after);
        if flags.json {
            out.json(&shown)?;
        } else {
            human(&mut out, work, &shown, status, None)?;
        }
        for c in changes.iter().filter(|c| &c.work != work) {
            let shown = Change::new(
                &c.work,
                kinds.clone(),
                status,
                None,
                Vec::new(),
                c.before.as_ref(),
                c.after.as_ref(),
            );
            if flags.json {
                out.json(&shown)?;
            } else {
                human(&mut out, &c.work, &shown, status, None)?;
            }
        }
        return Ok(());
    }
    let identity = context::identity(library.path())?;
    let committed = library.commit(&identity, transaction)?;
    let commit = committed.commit.map(|c| c.to_string());
    // What was recorded is what was previewed unless main moved between;
    // the record as committed is read back to say so exactly.
    let now = library.snapshot()?.record(work)?;
    let status = if commit.is_some() {
        "recorded"
    } else {
        "unchanged"
    };
    let shown = Change::new(
        work,
        kinds.clone(),
        status,
        commit.clone(),
        committed
            .outcomes
            .iter()
            .filter_map(|o| o.unchanged.as_ref().map(|u| u.to_string()))
            .collect(),
        before,
        now.as_ref(),
    );
    if flags.json {
        out.json(&shown)?;
    } else {
        human(&mut out, work, &shown, status, commit.as_deref())?;
    }
    let snapshot = library.snapshot()?;
    for c in changes.iter().filter(|c| &c.work != work) {
        let now = snapshot.record(&c.work)?;
        let shown = Change::new(
            &c.work,
            kinds.clone(),
            status,
            commit.clone(),
            Vec::new(),
            c.before.as_ref(),
            now.as_ref(),
        );
        if flags.json {
            out.json(&shown)?;
        } else {
            human(&mut out, &c.work, &shown, status, commit.as_deref())?;
        }
    }
    Ok(())
}

/// `wenku merge`.
pub fn merge(dir: &Option<std::path::PathBuf>, args: MergeArgs) -> Result<()> {
    let work = work(dir, &args.work)?;
    let into = self::work(dir, &args.into)?;
    let date = match &args.date {
        Some(d) => context::date(d, "--date")?,
        None => context::today()?,
    };
    record(
        dir,
        &work,
        vec![Op::Merge {
            work: work.clone(),
            into,
            date,
        }],
        &args.flags,
    )
}

fn human(
    out: &mut Out,
    work: &WorkId,
    change: &Change,
    status: &str,
    commit: Option<&str>,
) -> Result<()> {
    let json = serde_json::to_value(change)
        .map_err(|e| CommandError::internal(format!("describing the change: {e}")))?;
    for reason in json["unchanged"].as_array().into_iter().flatten() {
        out.line(format!(
            "{work}: unchanged: {}",
            reason.as_str().unwrap_or_default()
        ))?;
    }
    match status {
        "would-record" => {
            out.styled(style::WARN, "would record")?;
            out.line(format!(" for {work} (dry run: nothing written)"))?;
        }
        "recorded" => {
            out.line(format!(
                "{work}: recorded in {}",
                commit.map(|c| &c[..10]).unwrap_or_default()
            ))?;
        }
        _ => return Ok(()),
    }
    for f in change.fields() {
        out.line(format!("  {}", f.field))?;
        if let Some(b) = &f.before {
            out.styled(style::ERROR, "    - ")?;
            out.line(b)?;
        }
        if let Some(a) = &f.after {
            out.styled(style::GOOD, "    + ")?;
            out.line(a)?;
        }
    }
    Ok(())
}

/// A relation target or repealing document as typed: a work id, else a
/// document number or title.
pub(crate) fn target(value: &str, what: &str) -> Result<Target> {
    match WorkId::parse(value) {
        Ok(w) => Ok(Target::Work(w)),
        Err(_) => Citation::parse(value).map(Target::Citation).ok_or_else(|| {
            CommandError::usage(format!("{what} needs a work id, document number or title"))
        }),
    }
}

/// The work a correcting command names: an id, a number or a title.
fn work(dir: &Option<std::path::PathBuf>, value: &str) -> Result<WorkId> {
    let library = context::open(dir)?;
    let snapshot = context::snapshot(&library)?;
    resolve::work(&snapshot, value)
}

/// `wenku correct`.
pub fn correct(dir: &Option<std::path::PathBuf>, args: CorrectArgs) -> Result<()> {
    let work = work(dir, &args.work)?;
    let mut ops = Vec::new();
    let number = if args.no_number {
        Some(None)
    } else {
        match &args.number {
            None => None,
            Some(n) => Some(Some(DocNumber::parse(n).ok_or_else(|| {
                CommandError::refused(format!(
                    "--number {n:?} is not a document number (e.g. 鲁政办发〔2025〕5号)"
                ))
            })?)),
        }
    };
    let correction = Correction {
        doc_type: args
            .doc_type
            .as_deref()
            .map(context::doc_type)
            .transpose()?,
        title: match &args.title {
            Some(t) if t.trim().is_empty() => {
                return Err(CommandError::usage("--title cannot be empty"));
            }
            t => t.as_ref().map(|t| t.trim().to_string()),
        },
        number,
        issuers: (!args.issuers.is_empty()).then(|| args.issuers.clone()),
        subjects: (!args.subjects.is_empty()).then(|| args.subjects.clone()),
    };
    if correction != Correction::default() {
        ops.push(Op::Correct {
            work: work.clone(),
            correction,
        });
    }
    if let Some(v) = &args.version {
        if args.published.is_none() && args.effective.is_none() {
            return Err(CommandError::usage(
                "--rev needs --published or --effective: the dates to correct",
            ));
        }
        let library = context::open(dir)?;
        let snapshot = context::snapshot(&library)?;
        let record = snapshot.require_record(&work)?;
        let today = context::today()?;
        let selected = VersionName::parse(v, "--rev")?.select(&record, today, "--rev")?;
        if selected.by == SelectedBy::InEffect {
            return Err(CommandError::refused(format!(
                "--rev {v} is not the publication date of any version of {work}"
            ))
            .with_hint(format!(
                "name the version by its handle or revision: `wenku log {work}` lists them"
            )));
        }
        let published = args
            .published
            .as_deref()
            .map(|d| context::date(d, "--published"))
            .transpose()?;
        let effective = match args.effective.as_deref() {
            None => None,
            Some("published") => Some(None),
            Some(d) => Some(Some(context::date(d, "--effective")?)),
        };
        ops.push(Op::CorrectVersion {
            work: work.clone(),
            revision: selected.version.revision,
            published,
            effective,
        });
    }
    if ops.is_empty() {
        return Err(CommandError::usage("nothing to correct").with_hint(
            "give --title, --number, --no-number, --type, --issuer, --subject, or --rev with --published/--effective",
        ));
    }
    record(dir, &work, ops, &args.flags)
}

/// `wenku relate`.
pub fn relate(dir: &Option<std::path::PathBuf>, args: RelateArgs) -> Result<()> {
    let work = work(dir, &args.work)?;
    let kind: RelationKind = args.kind.parse().map_err(|_| {
        CommandError::refused(format!(
            "{:?} is not a relation kind; one of {}",
            args.kind,
            RelationKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let relation = Relation {
        kind,
        target: target(&args.target, "TARGET")?,
    };
    let op = if args.remove {
        Op::RemoveRelation {
            work: work.clone(),
            relation,
        }
    } else {
        Op::AddRelation {
            work: work.clone(),
            relation,
        }
    };
    record(dir, &work, vec![op], &args.flags)
}

/// `wenku expire`.
pub fn expire(dir: &Option<std::path::PathBuf>, args: ExpireArgs) -> Result<()> {
    let work = work(dir, &args.work)?;
    let expires = match (&args.date, args.clear) {
        (Some(d), false) => Some(context::date(d, "--date")?),
        (None, true) => None,
        // clap's argument group makes exactly one of them present.
        _ => {
            return Err(CommandError::usage(
                "give exactly one of --date and --clear",
            ));
        }
    };
    record(
        dir,
        &work,
        vec![Op::SetExpiry {
            work: work.clone(),
            expires,
        }],
        &args.flags,
    )
}

/// `wenku reinstate`.
pub fn reinstate(dir: &Option<std::path::PathBuf>, args: ReinstateArgs) -> Result<()> {
    let work = work(dir, &args.work)?;
    if args.reason.trim().is_empty() {
        return Err(CommandError::usage(
            "--reason must say why the repeal or withdrawal was wrong",
        ));
    }
    record(
        dir,
        &work,
        vec![Op::Reinstate {
            work: work.clone(),
            reason: args.reason.trim().to_string(),
        }],
        &args.flags,
    )
}
