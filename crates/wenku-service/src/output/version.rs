//! A version of a work and the events of its lifecycle: `$defs/version`
//! and `$defs/event`.

use serde::Serialize;
use wenku_model::{Date, Record, Status, VersionEntry};

use super::citation::{Citation, Target};

/// One version of a record: its `handle` (`v1`, `v2` … in legal order,
/// [`crate::resolve::handle`]), `revision`, `published`, `effective`,
/// `amended_by` and `note` (null when none), its `status` on the day
/// asked about (null when it is not the work's text on any day), and
/// `withdrawn` (date and reason) only when it was withdrawn from public
/// view.
#[derive(Debug, Serialize)]
pub struct Version<'a> {
    handle: String,
    revision: String,
    published: String,
    effective: String,
    amended_by: Option<Citation<'a>>,
    note: Option<&'a str>,
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    withdrawn: Option<Withdrawn<'a>>,
}

/// A version's withdrawal from public view.
#[derive(Debug, Serialize)]
struct Withdrawn<'a> {
    date: String,
    reason: &'a str,
}

impl<'a> Version<'a> {
    /// The JSON form of `version`, one of `record`'s, with its status on
    /// `as_of`.
    pub fn new(record: &Record, version: &'a VersionEntry, as_of: Date) -> Version<'a> {
        Version {
            handle: crate::resolve::handle(record, version),
            revision: version.revision.to_string(),
            published: version.published.to_string(),
            effective: version.effective_date().to_string(),
            amended_by: version.amended_by.as_ref().map(Citation::new),
            note: version.note.as_deref(),
            status: record
                .version_status(&version.revision, as_of)
                .map(Status::as_str),
            withdrawn: version.withdrawn.as_ref().map(|w| Withdrawn {
                date: w.date.to_string(),
                reason: &w.reason,
            }),
        }
    }
}

/// A lifecycle event: `{"event": "repealed", "date", "by"}` (`by` null
/// when the repealing document is unknown), `{"event": "expires", "date"}`
/// or `{"event": "withdrawn", "date", "reason"}`.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Event<'a> {
    /// The work was repealed.
    Repealed {
        /// From when.
        date: String,
        /// By what, when known.
        by: Option<Target<'a>>,
    },
    /// The work is valid until a date.
    Expires {
        /// The last day.
        date: String,
    },
    /// The work was withdrawn.
    Withdrawn {
        /// From when.
        date: String,
        /// Why.
        reason: &'a str,
    },
}

impl<'a> Event<'a> {
    /// A record's lifecycle events in date order (on the same day in the
    /// order repealed, expires, withdrawn).
    pub fn of(record: &'a Record) -> Vec<Event<'a>> {
        let mut events: Vec<(Date, Event<'a>)> = Vec::new();
        if let Some(r) = &record.repealed {
            events.push((
                r.date,
                Event::Repealed {
                    date: r.date.to_string(),
                    by: r.by.as_ref().map(Target::new),
                },
            ));
        }
        if let Some(e) = record.expires {
            events.push((
                e,
                Event::Expires {
                    date: e.to_string(),
                },
            ));
        }
        if let Some(w) = &record.withdrawn {
            events.push((
                w.date,
                Event::Withdrawn {
                    date: w.date.to_string(),
                    reason: &w.reason,
                },
            ));
        }
        events.sort_by_key(|(d, _)| *d);
        events.into_iter().map(|(_, e)| e).collect()
    }
}
