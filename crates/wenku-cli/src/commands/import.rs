//! `wenku import`.

use std::io::IsTerminal;
use std::path::PathBuf;

use wenku_import::{ImportOptions, Imported, Severity};
use wenku_model::{Block, DocType, UnitKind, check_local};
use wenku_service::import::{self, Action, Input, Planned, Request};
use wenku_service::output::Import;

use crate::cli::ImportArgs;
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{self, Out, style};

/// Imports files: each becomes a new work, or with `--work` a version of an
/// existing work. All files are one transaction.
pub fn run(dir: &Option<PathBuf>, args: ImportArgs) -> Result<()> {
    if args.work.is_some() && args.region.is_some() {
        return Err(CommandError::usage(
            "--region is for new works; --work names an existing work and its region",
        ));
    }
    if args.files.len() > 1
        && (args.title.is_some() || args.number.is_some() || args.local.is_some())
    {
        return Err(CommandError::usage(
            "--title, --number and --local describe one document; import the files one at a time",
        ));
    }
    let title = match args.title.as_deref().map(str::trim) {
        Some("") => return Err(CommandError::usage("--title must not be empty")),
        t => t.map(str::to_string),
    };
    let number = match args.number.as_deref() {
        None => None,
        Some(n) => Some(wenku_model::DocNumber::parse(n).ok_or_else(|| {
            CommandError::refused(format!("--number: {n:?} is not a document number"))
                .with_hint("a document number looks like 鲁政办发〔2025〕5号")
        })?),
    };
    if let Some(local) = &args.local {
        check_local(local).map_err(|why| {
            CommandError::refused(format!("--local {local:?} {why}")).with_hint(
                "lowercase ASCII letters, digits, '.' and '-', at most 64 bytes, e.g. qzbf-2025-3",
            )
        })?;
    }
    // A dry run can look at files without a library.
    let library = match context::open(dir) {
        Ok(l) if args.dry_run => Some(l),
        Ok(l) => Some(context::signing(l)?),
        Err(e) if args.dry_run => {
            tracing::debug!(error = %e, "no library; a dry run recognises only");
            None
        }
        Err(e) => return Err(e),
    };
    let target = args.work.as_deref().map(context::work).transpose()?;
    let region = match (&args.region, &library) {
        (Some(r), _) => Some(context::region(r, "--region")?),
        (None, Some(l)) => Some(l.authority().node()),
        (None, None) => None,
    };
    let options = ImportOptions {
        doc_type: args
            .doc_type
            .as_deref()
            .map(context::doc_type)
            .transpose()?,
        published: args
            .published
            .as_deref()
            .map(|d| context::date(d, "--published"))
            .transpose()?,
        effective: args
            .effective
            .as_deref()
            .map(|d| context::date(d, "--effective"))
            .transpose()?,
        title,
        number,
        local: args.local.clone(),
        ..ImportOptions::default()
    };

    let request = Request {
        work: target,
        region,
        exact_local: args.local.clone(),
        dry_run: args.dry_run,
        new_work: args.new_work,
        ..Request::default()
    };
    // A national text filed under this node's region by default is
    // probably a mistake: say so, with the way out.
    let national = args.region.is_none() && args.work.is_none();
    let warn_national = |inputs: &[Input]| {
        let Some(node) = region.filter(|r| national && *r != wenku_model::Region::NATIONAL) else {
            return;
        };
        for input in inputs {
            let t = input.imported.proposed.doc_type;
            if matches!(
                t,
                DocType::Law | DocType::AdministrativeRegulation | DocType::JudicialInterpretation
            ) {
                output::warning(format!(
                    "{}: a national text ({t}) is filed under this node's region {node}; national documents belong to 100000 and reach this library by pulls from the parent (pass --region to say where it belongs)",
                    input.file.display()
                ));
            }
        }
    };
    // An import into the library reads the files as it goes: a large
    // batch is never held in memory (see import::import_files).
    if let (Some(library), false, false) = (
        &library,
        args.dry_run,
        args.draft || args.add_to_draft.is_some(),
    ) {
        let identity = context::identity(library.path())?;
        context::refresh_index(library);
        let (inputs, imports) = with_progress(args.files.len(), |tick| {
            import::import_files(library, &identity, &args.files, &options, &request, tick)
        })?;
        warn_national(&inputs);
        return report(&inputs, &imports.planned, args.json, false, imports.commit);
    }
    let inputs = read_all(&args.files, &options)?;
    warn_national(&inputs);
    if args.draft || args.add_to_draft.is_some() {
        let Some(library) = &library else {
            return Err(CommandError::usage("--draft needs a library"));
        };
        let identity = context::identity(library.path())?;
        context::refresh_index(library);
        let submitted = match &args.add_to_draft {
            None => wenku_service::draft::submit(library, &identity, &inputs, &request)?,
            Some(item) => {
                let item = context::work(item)?;
                let seen = wenku_service::draft::tip(library, &item, None)?;
                wenku_service::draft::add(library, &identity, &item, seen, &inputs, &request)?
            }
        };
        let draft = &submitted.draft;
        if args.json {
            return Out::stdout().json(&wenku_service::output::Draft::new(draft));
        }
        let mut out = Out::stdout();
        for p in &submitted.planned {
            let input = &inputs[p.input];
            let verb = match p.action {
                Action::Published => "would publish",
                Action::Added => "would add to",
                Action::Unchanged => "unchanged",
            };
            let work = p.work.as_ref().map(ToString::to_string).unwrap_or_default();
            out.styled(style::HEAD, format!("{verb:<13}"))?;
            out.raw(format!(" {work}  {}", input.imported.document.title))?;
            out.styled(style::DIM, format!("  {}", input.file.display()))?;
            out.line("")?;
        }
        out.line(format!(
            "submitted for review as the draft of {} (round {}); nothing is published until a reviewer approves it",
            draft.item, draft.round
        ))?;
        output::note(format!(
            "`wenku draft show {}` shows it; the reviewer runs `wenku draft approve {} --note …`",
            draft.item, draft.item
        ));
        return Ok(());
    }
    let planned = match &library {
        // A dry run in a library runs every check the import would.
        Some(library) => import::check(library, &inputs, &request)?,
        // Outside a library it can only say what was recognised.
        None => import::plan(&inputs, &request, None)?,
    };
    report(&inputs, &planned, args.json, args.dry_run, None)
}

/// A progress bar on a terminal, for more than one file.
fn progress_bar(files: usize) -> Option<indicatif::ProgressBar> {
    (files > 1 && !output::quiet() && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(files as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
        {
            bar.set_style(style);
        }
        bar
    })
}

/// Reads the files for a dry run or a draft, with a progress bar.
fn read_all(files: &[PathBuf], options: &ImportOptions) -> Result<Vec<Input>> {
    with_progress(files.len(), |tick| import::read_files(files, options, tick))
}

/// Runs `work` with a progress bar on a terminal, ticked once per file.
fn with_progress<T>(
    files: usize,
    work: impl FnOnce(&(dyn Fn(&std::path::Path) + Sync)) -> Result<T>,
) -> Result<T> {
    let bar = progress_bar(files);
    let tick = |file: &std::path::Path| {
        if let Some(b) = &bar {
            b.set_message(file.display().to_string());
            b.inc(1);
        }
    };
    let done = work(&tick);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    done
}

fn report(
    inputs: &[Input],
    planned: &[Planned],
    as_json: bool,
    dry_run: bool,
    head: Option<wenku_store::ObjectId>,
) -> Result<()> {
    let mut out = Out::stdout();
    for p in planned {
        let input = &inputs[p.input];
        let name = input.file.display().to_string();
        if as_json {
            out.json(&Import::new(input, p, dry_run))?;
            continue;
        }
        let work = p
            .work
            .as_ref()
            .map(|w| w.to_string())
            .unwrap_or_else(|| "(no library)".into());
        let verb = if dry_run {
            match p.action {
                Action::Published => "would publish",
                Action::Added => "would add to",
                Action::Unchanged => "unchanged",
            }
        } else {
            p.action.as_str()
        };
        let title = input
            .imported
            .proposed
            .title
            .clone()
            .unwrap_or_else(|| input.imported.document.title.clone());
        out.styled(style::HEAD, format!("{verb:<13}"))?;
        out.raw(format!(" {work}  {title}"))?;
        out.styled(style::DIM, format!("  {}  {name}", p.revision.short()))?;
        out.line("")?;
        // A new work's id, when wenku made it: say how, and how to choose.
        if p.action == Action::Published
            && let Some(w) = &p.work
        {
            let proposed = &input.imported.proposed;
            let how = match proposed.suggested_from {
                Some("number") if proposed.suggested_local.as_deref() == Some(w.local()) => {
                    Some("the initials and figures of its document number")
                }
                Some("title") if proposed.suggested_local.as_deref() == Some(w.local()) => {
                    Some("the year and initials of its title, the place left out")
                }
                Some("given") => None,
                _ => Some("its file name and text (neither number nor title gave one free)"),
            };
            if let Some(how) = how {
                output::note(format!(
                    "  id {w}: from {how}; --local NAME chooses another"
                ));
            }
        }
        if dry_run {
            dry_run_details(&mut out, &input.imported)?;
        } else {
            for d in input
                .imported
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
            {
                let line = d.line.map(|l| format!(":{l}")).unwrap_or_default();
                output::warning(format!("{name}{line}: {}", d.message));
            }
        }
    }
    if let (Some(h), false) = (head, as_json) {
        output::note(format!("committed {}", &h.to_string()[..10]));
    }
    Ok(())
}

fn dry_run_details(out: &mut Out, imp: &Imported) -> Result<()> {
    let p = &imp.proposed;
    let field = |out: &mut Out, k: &str, v: String| -> Result<()> {
        out.styled(style::DIM, format!("    {k:<10}"))?;
        out.line(v)
    };
    field(
        out,
        "type",
        format!("{} ({})", p.doc_type.as_str(), p.doc_type.chinese()),
    )?;
    if let Some(n) = &p.number {
        field(out, "number", n.to_string())?;
    }
    if !p.issuers.is_empty() {
        field(out, "issuers", p.issuers.join("、"))?;
    }
    let date =
        |d: Option<wenku_model::Date>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
    field(
        out,
        "dates",
        format!(
            "published {}  effective {}  written {}",
            date(p.published),
            date(p.effective),
            date(imp.document.written)
        ),
    )?;
    for r in &p.relations {
        field(out, "relation", format!("{} {}", r.kind.as_str(), r.target))?;
    }
    out.styled(style::DIM, "    outline")?;
    out.line("")?;
    outline(out, &imp.document.body, 3)?;
    for d in &imp.diagnostics {
        let line = d.line.map(|l| format!("line {l}: ")).unwrap_or_default();
        let sev = match d.severity {
            Severity::Info => style::DIM,
            Severity::Warning => style::WARN,
        };
        out.styled(sev, format!("    {line}{}", d.message))?;
        out.line("")?;
    }
    Ok(())
}

/// The structure, with articles and deep entries summarised by count.
fn outline(out: &mut Out, blocks: &[Block], indent: usize) -> Result<()> {
    let pad = " ".repeat(indent * 2);
    let mut articles = 0;
    let mut paragraphs = 0;
    for b in blocks {
        match b {
            Block::Unit(u)
                if matches!(
                    u.kind,
                    UnitKind::Article | UnitKind::Item | UnitKind::Subitem | UnitKind::Entry(3..)
                ) =>
            {
                articles += 1
            }
            Block::Unit(u) => {
                let label = u.label.as_deref().unwrap_or(u.kind.as_str());
                let heading: String = u
                    .heading
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .take(30)
                    .collect();
                out.line(format!(
                    "{pad}{label}{}{heading}",
                    if u.kind.is_division() { " " } else { "" }
                ))?;
                outline(out, &u.children, indent + 1)?;
            }
            Block::Title(t) => out.line(format!("{pad}title: {t}"))?,
            Block::Signature(s) => {
                let date = s.date.as_ref().map(|d| d.text.clone()).unwrap_or_default();
                out.line(format!("{pad}signature: {} {date}", s.organs.join(" ")))?;
            }
            Block::Para(_) => paragraphs += 1,
            Block::Note(_) | Block::Addressee(_) | Block::Table(_) => {}
        }
    }
    if articles > 0 {
        let noun = if articles == 1 {
            "article, item or sub-entry"
        } else {
            "articles, items or sub-entries"
        };
        out.styled(style::DIM, format!("{pad}({articles} {noun})"))?;
        out.line("")?;
    } else if paragraphs > 0 && indent == 3 {
        let noun = if paragraphs == 1 {
            "paragraph"
        } else {
            "paragraphs"
        };
        out.styled(style::DIM, format!("{pad}({paragraphs} {noun})"))?;
        out.line("")?;
    }
    Ok(())
}
