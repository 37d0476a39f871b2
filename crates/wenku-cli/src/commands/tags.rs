//! `wenku tags`: the province's controlled vocabulary of subjects, and the
//! works whose tags it does not have.

use serde::Serialize;
use wenku_service::tags;

use crate::cli::{TagsAction, TagsArgs};
use crate::context;
use crate::error::{CommandError, Result};
use crate::output::{Out, style};

/// `wenku tags --json`: the vocabulary with the works carrying each tag.
#[derive(Debug, Serialize)]
struct Listing<'a> {
    vocabulary: Option<String>,
    tags: Vec<Tag<'a>>,
}

#[derive(Debug, Serialize)]
struct Tag<'a> {
    tag: &'a str,
    about: &'a str,
    works: usize,
}

/// `wenku tags check --json`: works with tags the vocabulary lacks.
#[derive(Debug, Serialize)]
struct Check {
    vocabulary: Option<String>,
    works: Vec<Unknown>,
}

#[derive(Debug, Serialize)]
struct Unknown {
    work: String,
    unknown: Vec<String>,
}

/// Runs `wenku tags` or `wenku tags check`.
pub fn run(dir: &Option<std::path::PathBuf>, args: TagsArgs) -> Result<()> {
    let library = context::open(dir)?;
    let node = library.authority().node();
    let snapshot = context::snapshot(&library)?;
    let vocabulary = tags::vocabulary(&snapshot, node)?;
    let mut out = Out::stdout();
    let missing = || {
        format!(
            "no vocabulary: tags are free until the province publishes the document {} (one tag per line, \"tag：description\")",
            tags::work_of(node)
        )
    };
    match args.action {
        None => {
            let counts = match &vocabulary {
                Some(v) => tags::counts(&snapshot, v)?,
                None => Vec::new(),
            };
            if args.json {
                let listing = Listing {
                    vocabulary: vocabulary.as_ref().map(|v| v.work.to_string()),
                    tags: vocabulary
                        .iter()
                        .flat_map(|v| v.tags.iter())
                        .zip(&counts)
                        .map(|((tag, about), works)| Tag {
                            tag,
                            about,
                            works: *works,
                        })
                        .collect(),
                };
                return out.json(&listing);
            }
            let Some(v) = &vocabulary else {
                return out.line(missing());
            };
            out.styled(style::HEAD, format!("{} tags in {}", v.tags.len(), v.work))?;
            for ((tag, about), works) in v.tags.iter().zip(&counts) {
                if about.is_empty() {
                    out.line(format!("  {tag}  ({works} works)"))?;
                } else {
                    out.line(format!("  {tag}  ({works} works)  {about}"))?;
                }
            }
            Ok(())
        }
        Some(TagsAction::Check) => {
            let unknown = match &vocabulary {
                Some(v) => tags::unknown_in(&snapshot, v)?,
                None => Default::default(),
            };
            if args.json {
                out.json(&Check {
                    vocabulary: vocabulary.as_ref().map(|v| v.work.to_string()),
                    works: unknown
                        .iter()
                        .map(|(w, u)| Unknown {
                            work: w.to_string(),
                            unknown: u.clone(),
                        })
                        .collect(),
                })?;
            } else if vocabulary.is_none() {
                out.line(missing())?;
            } else if unknown.is_empty() {
                out.line("every work's tags are in the vocabulary")?;
            } else {
                for (work, tags) in &unknown {
                    out.line(format!("{work}: {}", tags.join(", ")))?;
                }
            }
            if unknown.is_empty() {
                Ok(())
            } else {
                Err(CommandError::refused(format!(
                    "{} works carry tags the vocabulary does not have",
                    unknown.len()
                ))
                .with_hint("`wenku correct WORK --subject TAG …` replaces a work's tags"))
            }
        }
    }
}
