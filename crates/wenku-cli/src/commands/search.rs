//! `wenku search`.

use std::io::IsTerminal;
use std::time::Duration;

use wenku_model::{DocType, Region};
use wenku_search::{Query, Refresh, SearchIndex};

use crate::cli::SearchArgs;
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// Searches the library's texts.
pub fn run(dir: &Option<std::path::PathBuf>, args: SearchArgs) -> Result<()> {
    let library = context::open(dir)?;
    let today = context::today()?;
    let text = args.query.join(" ");
    let region = args
        .region
        .as_deref()
        .map(|r| Region::parse(r).map_err(|e| CommandError::usage(format!("--region: {e}"))))
        .transpose()?;
    let doc_type = args
        .doc_type
        .as_deref()
        .map(|t| {
            t.parse::<DocType>()
                .map_err(|e| CommandError::usage(format!("--type: {e}")))
        })
        .transpose()?;
    let at = args
        .at
        .as_deref()
        .map(|d| wenku_service::resolve::date(d, "--at"))
        .transpose()?;
    if args.limit == 0 || args.limit > 200 {
        return Err(CommandError::usage("--limit is 1 to 200"));
    }
    if args.page == 0 {
        return Err(CommandError::usage("--page starts at 1"));
    }

    // The index: brought to the head, built on first use with progress.
    let bar =
        (!args.json && !crate::output::quiet() && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_message("bringing the search index to the library's head");
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
    let mut progress = |n: usize| {
        if let Some(bar) = &bar
            && n.is_multiple_of(100)
        {
            bar.set_message(format!("building the search index: {n} versions"));
        }
    };
    let mut index = SearchIndex::open(&library).map_err(wenku_service::Error::from)?;
    let refresh = if args.rebuild {
        index.rebuild_now(&library, &mut progress)
    } else {
        index.refresh(&library, &mut progress)
    }
    .map_err(wenku_service::Error::from)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Refresh::Rebuilt { versions, reason } = &refresh {
        crate::output::note(format!(
            "built the search index: {versions} versions ({reason})"
        ));
    }
    if text.trim().is_empty() {
        return Ok(());
    }
    let query = Query {
        region,
        doc_type,
        year: args.year,
        subject: args.subject.clone(),
        at,
        limit: args.limit,
        offset: (args.page - 1) * args.limit,
        ..Query::new(text.clone(), today)
    };
    let found = wenku_service::search::search(&library, &mut index, &query)?;
    let mut out = Out::stdout();
    if args.json {
        return out.json(&found);
    }
    if let Some(meant) = found.did_you_mean() {
        crate::output::note(format!("nothing matches {text:?}; showing {meant:?}"));
    }
    if found.works() == 0 {
        return Err(
            CommandError::not_found(format!("nothing in this library matches {text:?}"))
                .with_hint(format!("read as: {}", found.read_as().join("; "))),
        );
    }
    let (open, close) = if std::io::stdout().is_terminal() {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    for (work, title, status, unit, snippet) in found.lines(open, close, str::to_string) {
        out.styled(style::HEAD, &work)?;
        out.line(format!(" {title}  ({status})"))?;
        match unit {
            Some(u) => out.line(format!("    {u}: {snippet}"))?,
            None => out.line(format!("    {snippet}"))?,
        }
    }
    out.flush()?;
    let shown = found.shown();
    let first = query.offset + 1;
    crate::output::note(format!(
        "works {first}–{} of {} ({} versions match){}",
        query.offset + shown,
        found.works(),
        found.versions(),
        if found.works() > query.offset + shown {
            format!("; --page {} for more", args.page + 1)
        } else {
            String::new()
        }
    ));
    Ok(())
}
