//! `wenku draft`: drafts awaiting review (先审查、后公开, 一事一审) and the
//! reviewer's decisions. `wenku import --draft` submits.

use std::path::PathBuf;

use wenku_model::render;
use wenku_service::draft;
use wenku_service::output::{Draft, DraftPublished, DraftReview};
use wenku_service::sweep::detect::Detectors;
use wenku_service::sweep::report;
use wenku_store::DraftState;

use crate::cli::{DraftAction, DraftArgs, DraftDecide, DraftDiscard, DraftList, DraftShow};
use crate::context;
use crate::error::Result;
use crate::output::{Out, style};

/// Runs a `wenku draft` action.
pub fn run(dir: &Option<PathBuf>, args: DraftArgs) -> Result<()> {
    match args.action {
        DraftAction::List(a) => list(dir, a),
        DraftAction::Show(a) => show(dir, a),
        DraftAction::Approve(a) => approve(dir, a),
        DraftAction::Return(a) => send_back(dir, a),
        DraftAction::Discard(a) => discard(dir, a),
    }
}

/// The day of a commit time, in the time zone it was written with.
fn when(t: wenku_store::Timestamp) -> String {
    let local = t.seconds + i64::from(t.offset_minutes) * 60;
    wenku_model::Date::from_days(local.div_euclid(86_400))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// One draft in a line or two.
pub(crate) fn summary(out: &mut Out, d: &wenku_store::Draft) -> Result<()> {
    let state = match &d.state {
        DraftState::Pending => "pending".to_string(),
        DraftState::Returned(r) => format!("returned by {}", r.reviewer.name),
    };
    out.styled(style::HEAD, &d.item)?;
    out.line(format!(
        "  [{state}, round {}]  {}",
        d.round,
        d.subject
            .split_once(' ')
            .map_or(d.subject.as_str(), |(_, s)| s)
    ))?;
    out.styled(
        style::DIM,
        format!(
            "    submitted by {} <{}> on {}; tip {}; {} work{}",
            d.submitter.name,
            d.submitter.email,
            when(d.submitter.time),
            &d.tip.to_string()[..12],
            d.works.len(),
            if d.works.len() == 1 { "" } else { "s" }
        ),
    )?;
    out.line("")?;
    if let DraftState::Returned(r) = &d.state {
        for l in r.note.lines() {
            out.line(format!("    {l}"))?;
        }
    }
    Ok(())
}

fn list(dir: &Option<PathBuf>, args: DraftList) -> Result<()> {
    let library = context::open(dir)?;
    let drafts = draft::list(&library)?;
    let mut out = Out::stdout();
    if args.json {
        for d in &drafts {
            out.json(&Draft::new(d))?;
        }
        return Ok(());
    }
    if drafts.is_empty() {
        return out.line("no drafts");
    }
    for d in &drafts {
        summary(&mut out, d)?;
    }
    Ok(())
}

fn show(dir: &Option<PathBuf>, args: DraftShow) -> Result<()> {
    let library = context::open(dir)?;
    let item = context::work(&args.item)?;
    let words = args
        .words
        .as_deref()
        .map(report::read_words)
        .transpose()?
        .unwrap_or_default();
    let review = draft::review(&library, &item, &Detectors::new(words))?;
    if args.json {
        return Out::stdout().json(&DraftReview::new(&review));
    }
    let staged = library.snapshot_at(review.draft.submission)?;
    let mut out = Out::paged();
    summary(&mut out, &review.draft)?;
    let findings: usize = review.works.iter().map(|w| w.findings.len()).sum();
    for w in &review.works {
        out.line("")?;
        let verb = if w.before.is_none() {
            "publish"
        } else {
            "change"
        };
        out.styled(style::HEAD, format!("{verb} {}", w.work))?;
        out.line(format!("  {}", w.after.title))?;
        for f in wenku_service::output::field_changes(w.before.as_ref(), Some(&w.after)) {
            out.line(format!(
                "    {:<10} {} → {}",
                f.field,
                f.before.as_deref().unwrap_or("—"),
                f.after.as_deref().unwrap_or("—")
            ))?;
        }
        for item in &w.findings {
            crate::commands::sweep::line(&mut out, item)?;
        }
        for revision in &w.added {
            out.line("")?;
            out.styled(style::DIM, format!("── {} {}", w.work, revision.short()))?;
            out.line("")?;
            let doc = staged.document(&w.work, revision)?;
            out.raw(render::to_plain_text(&doc))?;
        }
    }
    out.line("")?;
    out.line(match findings {
        0 => "the safety sweep's detectors find no personal information in the new texts".to_string(),
        n => format!("{n} finding{} of personal information in the new texts: return the draft unless each is meant to be public", if n == 1 { "" } else { "s" }),
    })?;
    out.line(format!(
        "decide with: wenku draft approve {item} --tip {} --note …  |  wenku draft return {item} --tip {} --note …",
        &review.draft.tip.to_string()[..12],
        &review.draft.tip.to_string()[..12]
    ))
}

fn decide_on(
    dir: &Option<PathBuf>,
    args: &DraftDecide,
) -> Result<(
    wenku_store::Library,
    wenku_model::WorkId,
    wenku_store::ObjectId,
    wenku_store::Identity,
)> {
    let library = context::signing(context::open(dir)?)?;
    let item = context::work(&args.item)?;
    let seen = draft::tip(&library, &item, args.tip.as_deref())?;
    let reviewer = context::identity(library.path())?;
    Ok((library, item, seen, reviewer))
}

fn approve(dir: &Option<PathBuf>, args: DraftDecide) -> Result<()> {
    let (library, item, seen, reviewer) = decide_on(dir, &args)?;
    let published = draft::approve(&library, &reviewer, &item, seen, &args.note)?;
    context::refresh_index(&library);
    let mut out = Out::stdout();
    if args.json {
        return out.json(&DraftPublished::new(&item, &published));
    }
    out.styled(style::HEAD, "published")?;
    out.line(format!(
        " {} after review by {}: {}",
        published
            .works
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        reviewer,
        published.review.note
    ))?;
    crate::output::note(format!("committed {}", &published.commit.to_string()[..10]));
    Ok(())
}

fn send_back(dir: &Option<PathBuf>, args: DraftDecide) -> Result<()> {
    let (library, item, seen, reviewer) = decide_on(dir, &args)?;
    let returned = draft::send_back(&library, &reviewer, &item, seen, &args.note)?;
    let mut out = Out::stdout();
    if args.json {
        return out.json(&Draft::new(&returned));
    }
    summary(&mut out, &returned)
}

fn discard(dir: &Option<PathBuf>, args: DraftDiscard) -> Result<()> {
    let library = context::open(dir)?;
    let item = context::work(&args.item)?;
    let seen = draft::tip(&library, &item, args.tip.as_deref())?;
    let identity = context::identity(library.path())?;
    draft::discard(&library, &identity, &item, seen)?;
    Out::stdout().line(format!(
        "discarded the draft of {item}; nothing was published"
    ))
}
