//! Resolving what a user names: a work by id, document number (文号) or
//! title; a version by its handle (`v1`, `v2` … in legal order), revision
//! prefix, date (its publication date, else the version in effect that
//! day), or the words `current` and `previous`; a relation's target to
//! the works it means.
//!
//! Every resolution either finds exactly one thing or fails with an
//! [`Error`] that says why: nothing matched is [`Kind::NotFound`], more
//! than one match is [`Kind::Refused`] and lists the candidates, and a
//! name that cannot be parsed is [`Kind::Refused`] with what was expected.
//!
//! [`Kind::NotFound`]: crate::Kind::NotFound
//! [`Kind::Refused`]: crate::Kind::Refused

use wenku_model::{Citation, Date, Record, RevisionPrefix, Status, Target, VersionEntry, WorkId};
use wenku_store::Snapshot;

use crate::error::{Error, Result};

/// A date typed by a person: `2025-07-04` or `2025年7月4日`. `what` names
/// where it was typed (a flag, an argument) in the error.
pub fn date(value: &str, what: &str) -> Result<Date> {
    Date::parse_iso(value)
        .or_else(|_| Date::parse_chinese(value))
        .map_err(|_| {
            // Report the ISO parser's reason: it names impossible days.
            let reason = Date::parse_iso(value)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            Error::refused(format!("{what}: {reason}"))
                .with_hint("dates are written YYYY-MM-DD, e.g. 2025-07-04")
        })
}

/// A work id, `<region>/<local>`.
pub fn work_id(value: &str) -> Result<WorkId> {
    WorkId::parse(value).map_err(|e| {
        Error::refused(e.to_string()).with_hint(
            "a work id is <region>/<local>, e.g. 370200/qzbf-2025-3; `wenku ls` lists them",
        )
    })
}

/// A work named by its id (anything with a `/` is taken for one), or else
/// by its document number (`青政发〔2025〕3号`, any bracket variant) or its
/// title (`《…》` optional; compared by [`wenku_model::title_key`]),
/// looked up with the library's citation rule ([`Snapshot::lookup`]).
///
/// A work id is returned as given, without asking the library: whether
/// the work exists is the reader's question ([`Snapshot::require_record`]
/// names the commit). A number or title must match exactly one work.
pub fn work(snapshot: &Snapshot, name: &str) -> Result<WorkId> {
    if name.contains('/') {
        return work_id(name);
    }
    let citation = Citation::parse(name).ok_or_else(|| {
        Error::usage("give a work id (370200/qzbf-2025-3), a document number or a title")
    })?;
    let found = snapshot.lookup(&citation)?;
    one_work(&citation, found)
}

/// The one work of `found`, the works `citation` resolved to.
fn one_work(citation: &Citation, found: Vec<WorkId>) -> Result<WorkId> {
    let mut found = found.into_iter();
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => Err(
            Error::not_found(format!("no work in this library matches {citation}")).with_hint(
                "`wenku ls` lists the works; documents of other regions arrive by pulling from their nodes",
            ),
        ),
        (Some(first), Some(second)) => {
            let all: Vec<String> = [first, second]
                .into_iter()
                .chain(found)
                .map(|w| w.to_string())
                .collect();
            Err(Error::refused(format!(
                "{citation} names {} works: {}",
                all.len(),
                all.join(", ")
            ))
            .with_hint("name one of them by its work id"))
        }
    }
}

/// The works a relation's target means in this library: the work itself,
/// or every work its citation resolves to (none when the cited document
/// is not here).
pub fn target(snapshot: &Snapshot, target: &Target) -> Result<Vec<WorkId>> {
    Ok(match target {
        Target::Work(w) => vec![w.clone()],
        Target::Citation(c) => snapshot.lookup(c)?,
    })
}

/// The works whose title contains `words` (compared as titles are:
/// without spaces, brackets 《》 or width differences), in the catalogue's
/// order: what `find` falls back to when no whole title or number matches.
/// Reads every record: a look-up for a person at a terminal, not for a
/// server (full-text search is its own index).
pub fn title_words(snapshot: &Snapshot, words: &str) -> Result<Vec<WorkId>> {
    let key = wenku_model::title_key(words);
    if key.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for work in snapshot.works(&wenku_model::query::Filter::all())? {
        if let Some(record) = snapshot.record(&work)?
            && wenku_model::title_key(&record.title).contains(&key)
        {
            found.push(work);
        }
    }
    Ok(found)
}

/// The version of `record` whose RevisionId starts with `prefix` (hex
/// digits).
pub fn revision<'a>(record: &'a Record, prefix: &str) -> Result<&'a VersionEntry> {
    let p = RevisionPrefix::parse(prefix).map_err(|e| Error::refused(e.to_string()))?;
    let found: Vec<_> = record
        .versions
        .iter()
        .filter(|v| p.matches(&v.revision))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(
            Error::not_found(format!("{} has no version {}", record.work, p.as_str()))
                .with_hint(format!("`wenku log {}` lists its versions", record.work)),
        ),
        many => Err(Error::refused(format!(
            "revision prefix {} is ambiguous in {}: {}",
            p.as_str(),
            record.work,
            many.iter()
                .map(|v| v.revision.short())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with_hint("type more hex digits")),
    }
}

/// The text of `record` on `date` and the work's status that day: the
/// latest version in effect then (when the work has ended, the last text
/// it had). Before its first version takes effect there is none.
pub fn as_of(record: &Record, date: Date) -> Result<(&VersionEntry, Status)> {
    let as_of = record.as_of(date);
    match as_of.version {
        Some(v) => Ok((v, as_of.status)),
        None => {
            let first = record
                .versions
                .first()
                .map(|v| v.effective_date().to_string())
                .unwrap_or_default();
            Err(Error::not_found(format!(
                "{} was not yet in effect on {date}; its first version takes effect on {first}",
                record.work
            ))
            .with_hint("pass a later --at date, or --version REV"))
        }
    }
}

/// The version of `record` in effect on `date` (`what` names where the
/// date was typed).
pub fn in_effect<'a>(record: &'a Record, date: Date, what: &str) -> Result<&'a VersionEntry> {
    record.version_at(date).ok_or_else(|| {
        Error::not_found(format!(
            "{}: no version of {} was in effect on {date}",
            what, record.work
        ))
        .with_hint(format!(
            "`wenku log {}` lists its versions and dates",
            record.work
        ))
    })
}

/// The current version: the one in effect on `today`, or the latest in
/// legal order when none is yet.
pub fn current(record: &Record, today: Date) -> Result<&VersionEntry> {
    record
        .version_at(today)
        .or(record.versions.last())
        .ok_or_else(|| Error::internal(format!("{} lists no versions", record.work)))
}

/// The version before `of` in legal order.
pub fn previous<'a>(record: &'a Record, of: &VersionEntry) -> Result<&'a VersionEntry> {
    let i = record
        .versions
        .iter()
        .position(|v| v.revision == of.revision)
        .unwrap_or(0);
    record.versions.get(i.wrapping_sub(1)).ok_or_else(|| {
        Error::not_found(format!(
            "{}: the version {} is the first; there is no earlier one to compare",
            record.work,
            of.revision.short()
        ))
    })
}

/// A version's short handle: `v1` for the first version in legal order,
/// `v2` for the next, and so on. `log` prints it; `show --version` and
/// `diff` accept it. Handles follow legal order, so a version inserted
/// before others (imported out of order) renumbers the later ones: a
/// handle names a version of the work as it stands, the revision id names
/// it for ever.
pub fn handle(record: &Record, version: &VersionEntry) -> String {
    let n = record
        .versions
        .iter()
        .position(|v| v.revision == version.revision)
        .map_or(0, |i| i + 1);
    format!("v{n}")
}

/// The version numbered `n` (1-based, legal order): what handle `v{n}`
/// names.
pub fn numbered(record: &Record, n: usize) -> Result<&VersionEntry> {
    n.checked_sub(1)
        .and_then(|i| record.versions.get(i))
        .ok_or_else(|| {
            Error::not_found(format!(
                "{} has {} version{}; there is no v{n}",
                record.work,
                record.versions.len(),
                if record.versions.len() == 1 { "" } else { "s" }
            ))
            .with_hint(format!("`wenku log {}` lists its versions", record.work))
        })
}

/// The version of `record` published on `date`, when exactly one was.
/// Several versions published the same day are refused with their
/// handles.
pub fn published_on(record: &Record, date: Date) -> Result<Option<&VersionEntry>> {
    let found: Vec<&VersionEntry> = record
        .versions
        .iter()
        .filter(|v| v.published == date)
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(Error::refused(format!(
            "{} versions of {} were published on {date}: {}",
            many.len(),
            record.work,
            many.iter()
                .map(|v| format!("{} ({})", handle(record, v), v.revision.short()))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with_hint("name one by its handle or revision prefix")),
    }
}

/// How a version was chosen from what a user typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SelectedBy {
    /// Its handle, `v2`.
    Handle,
    /// A prefix of its revision id.
    Revision,
    /// A date that is its publication date.
    Published,
    /// A date that is no version's publication date: the version in
    /// effect that day.
    InEffect,
    /// `current`, or no name at all where the current version is the
    /// default.
    Current,
    /// `previous`, or no name at all where the version before the other
    /// side is the default.
    Previous,
}

impl SelectedBy {
    /// The word in JSON output: `handle`, `revision`, `published`,
    /// `in-effect`, `current`, `previous`.
    pub fn as_str(self) -> &'static str {
        match self {
            SelectedBy::Handle => "handle",
            SelectedBy::Revision => "revision",
            SelectedBy::Published => "published",
            SelectedBy::InEffect => "in-effect",
            SelectedBy::Current => "current",
            SelectedBy::Previous => "previous",
        }
    }
}

/// A version chosen by a [`VersionName`], with how it was chosen.
#[derive(Clone, Debug)]
pub struct Selected<'a> {
    /// The version.
    pub version: &'a VersionEntry,
    /// Its handle (`v2`).
    pub handle: String,
    /// How it was chosen.
    pub by: SelectedBy,
    /// A sentence for the reader when the choice is not the obvious
    /// reading of what was typed: a date that is no version's publication
    /// date names the version in effect that day, which a reader of `log`
    /// (listing publication dates) would not expect. `None` otherwise.
    pub note: Option<String>,
}

impl<'a> Selected<'a> {
    /// `version` of `record`, chosen `by`, without a note.
    pub fn new(record: &Record, version: &'a VersionEntry, by: SelectedBy) -> Selected<'a> {
        Selected {
            version,
            handle: handle(record, version),
            by,
            note: None,
        }
    }
}

/// How a user names one version of a work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionName {
    /// `current`: the version in effect today (the latest, if none is yet).
    Current,
    /// `previous`: the version before the current one.
    Previous,
    /// A date: the version published that day, or else the version in
    /// effect that day.
    Date(Date),
    /// A handle, `v1`, `v2` …: the version with that number in legal
    /// order ([`handle`]).
    Handle(usize),
    /// Hex digits: the version whose RevisionId starts with them.
    Revision(String),
}

impl VersionName {
    /// Parses what a user typed: the words `current` and `previous`, a
    /// handle (`v` and a number), a date (anything with `-` or `年`),
    /// else a revision prefix (checked when it is resolved). `what` names
    /// where it was typed.
    pub fn parse(value: &str, what: &str) -> Result<VersionName> {
        let number = value
            .strip_prefix(['v', 'V'])
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if let Some(n) = number {
            return n.parse().map(VersionName::Handle).map_err(|_| {
                Error::refused(format!("{what}: version handle {value} is too large"))
            });
        }
        Ok(match value {
            "current" => VersionName::Current,
            "previous" => VersionName::Previous,
            v if v.contains('-') || v.contains('年') => VersionName::Date(date(v, what)?),
            v => VersionName::Revision(v.to_string()),
        })
    }

    /// The version of `record` this names on `today`.
    pub fn resolve<'a>(
        &self,
        record: &'a Record,
        today: Date,
        what: &str,
    ) -> Result<&'a VersionEntry> {
        Ok(self.select(record, today, what)?.version)
    }

    /// The version of `record` this names on `today`, with how it was
    /// chosen. A date that is exactly one version's publication date
    /// selects that version; any other date selects the version in effect
    /// that day and says so in [`Selected::note`].
    pub fn select<'a>(&self, record: &'a Record, today: Date, what: &str) -> Result<Selected<'a>> {
        let chosen = |v, by| Selected::new(record, v, by);
        Ok(match self {
            VersionName::Current => chosen(current(record, today)?, SelectedBy::Current),
            VersionName::Previous => chosen(
                previous(record, current(record, today)?)?,
                SelectedBy::Previous,
            ),
            VersionName::Handle(n) => chosen(numbered(record, *n)?, SelectedBy::Handle),
            VersionName::Revision(p) => chosen(revision(record, p)?, SelectedBy::Revision),
            VersionName::Date(d) => match published_on(record, *d)? {
                Some(v) => chosen(v, SelectedBy::Published),
                None => {
                    let v = in_effect(record, *d, what)?;
                    let mut s = chosen(v, SelectedBy::InEffect);
                    s.note = Some(format!(
                        "{what} {d} is not the publication date of any version of {}; \
                         it names {} (published {}, effective {}), the version in effect on {d}",
                        record.work,
                        s.handle,
                        v.published,
                        v.effective_date()
                    ));
                    s
                }
            },
        })
    }
}

#[cfg(test)]
mod tests;
