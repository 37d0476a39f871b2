//! Resolving what a user names: a work by id, document number (文号) or
//! title; a version by revision prefix, by date, or by the words
//! `current` and `previous`; a relation's target to the works it means.
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

/// How a user names one version of a work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionName {
    /// `current`: the version in effect today (the latest, if none is yet).
    Current,
    /// `previous`: the version before the current one.
    Previous,
    /// A date: the version in effect that day.
    Date(Date),
    /// Hex digits: the version whose RevisionId starts with them.
    Revision(String),
}

impl VersionName {
    /// Parses what a user typed: the words `current` and `previous`, a
    /// date (anything with `-` or `年`), else a revision prefix (checked
    /// when it is resolved). `what` names where it was typed.
    pub fn parse(value: &str, what: &str) -> Result<VersionName> {
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
        match self {
            VersionName::Current => current(record, today),
            VersionName::Previous => previous(record, current(record, today)?),
            VersionName::Date(d) => in_effect(record, *d, what),
            VersionName::Revision(p) => revision(record, p),
        }
    }
}

#[cfg(test)]
mod tests;
