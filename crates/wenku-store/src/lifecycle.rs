//! What a record's dates may not say: a lifecycle that could not have
//! happened. The transaction refuses an op that would introduce one
//! ([`crate::Refusal::Lifecycle`]), and `verify` reports those already
//! stored ([`crate::ProblemKind::Lifecycle`]).
//!
//! The rules are deliberately few and certain: a repeal or withdrawal
//! before the work was first published, an end of validity before it
//! first took effect, and a version that takes effect more than a year
//! before its own publication (retroactive effect of days or months
//! happens — a regulation published in January effective from the first
//! of the year — but years are a typing error).

use wenku_model::{Date, MAX_RETROACTIVE_DAYS, Record, RevisionId};

/// An impossible lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LifecycleProblem {
    /// Repealed before the work was first published.
    #[error("repealed from {repealed}, before its first version was published on {published}")]
    RepealedBeforePublished {
        /// The repeal's date.
        repealed: Date,
        /// The earliest publication date of its versions.
        published: Date,
    },
    /// Withdrawn before the work was first published.
    #[error("withdrawn from {withdrawn}, before its first version was published on {published}")]
    WithdrawnBeforePublished {
        /// The withdrawal's date.
        withdrawn: Date,
        /// The earliest publication date of its versions.
        published: Date,
    },
    /// Valid until a day before it first took effect.
    #[error("valid until {expires}, before its first version takes effect on {effective}")]
    ExpiresBeforeEffective {
        /// The last day of validity.
        expires: Date,
        /// The earliest effective date of its versions.
        effective: Date,
    },
    /// A version takes effect more than a year before it was published.
    #[error(
        "version {} takes effect on {effective}, more than a year before it was published on {published}",
        revision.short()
    )]
    EffectiveLongBeforePublished {
        /// The version.
        revision: RevisionId,
        /// Its effective date.
        effective: Date,
        /// Its publication date.
        published: Date,
    },
}

/// Every impossible date of `record`'s lifecycle, in a stable order.
pub fn problems(record: &Record) -> Vec<LifecycleProblem> {
    let mut out = Vec::new();
    for v in &record.versions {
        let effective = v.effective_date();
        if v.published.to_days() - effective.to_days() > MAX_RETROACTIVE_DAYS {
            out.push(LifecycleProblem::EffectiveLongBeforePublished {
                revision: v.revision,
                effective,
                published: v.published,
            });
        }
    }
    let first_published = record.versions.iter().map(|v| v.published).min();
    let first_effective = record.versions.iter().map(|v| v.effective_date()).min();
    if let (Some(r), Some(published)) = (&record.repealed, first_published)
        && r.date < published
    {
        out.push(LifecycleProblem::RepealedBeforePublished {
            repealed: r.date,
            published,
        });
    }
    if let (Some(w), Some(published)) = (&record.withdrawn, first_published)
        && w.date < published
    {
        out.push(LifecycleProblem::WithdrawnBeforePublished {
            withdrawn: w.date,
            published,
        });
    }
    if let (Some(expires), Some(effective)) = (record.expires, first_effective)
        && expires < effective
    {
        out.push(LifecycleProblem::ExpiresBeforeEffective { expires, effective });
    }
    out
}
