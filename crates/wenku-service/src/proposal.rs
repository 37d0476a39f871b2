//! The one conversion from what the importer proposes to what the store
//! records.

use wenku_import::Imported;
use wenku_model::{Date, DocType, Document, Record, WorkId};
use wenku_store::{NewVersion, StoredText};

/// A new work's record from an imported text: title (the proposed one, else
/// the document's), type, document number, issuers, subjects, end of
/// validity and relations.
///
/// Every caller that turns an import into a record — the command line,
/// the daemon's inbox, the demo, the benchmarks, the tests — goes through
/// here, so a field the importer recognises is never kept by one and
/// dropped by another.
pub fn new_record(work: WorkId, imported: &Imported) -> Record {
    let proposed = &imported.proposed;
    let title = proposed
        .title
        .clone()
        .unwrap_or_else(|| imported.document.title.clone());
    let mut record = Record::new(work, proposed.doc_type, title);
    record.number = proposed.number.clone();
    record.issuers = proposed.issuers.clone();
    record.subjects = imported.document.subjects.clone();
    record.expires = proposed.expires;
    for relation in &proposed.relations {
        record.add_relation(relation.clone());
    }
    record
}

/// The version an imported text becomes, published on `published`: the
/// document with the effective date and amending document the importer
/// found (callers that know better set them on the result).
pub fn new_version(imported: &Imported, published: Date) -> NewVersion {
    with_dates(
        NewVersion::new(imported.document.clone(), published),
        imported,
    )
}

/// `version` with the effective date and amending document the importer
/// found.
fn with_dates(mut version: NewVersion, imported: &Imported) -> NewVersion {
    version.effective = imported.proposed.effective;
    version.amended_by = imported.proposed.amended_by.clone();
    version
}

/// [`new_version`] of a text written ahead ([`wenku_store::TextPack`]):
/// the stored text in place of the document, the effective date and
/// amending document the importer found.
pub fn new_stored_version(text: StoredText, imported: &Imported, published: Date) -> NewVersion {
    with_dates(NewVersion::stored(text, published), imported)
}

/// `imported`'s text as a new version of the work `record` describes: a
/// title or type the text does not give (an empty title, the fallback type
/// `other`) is the work's, so a bare text added to a work keeps its name
/// and kind. What the text gives explicitly is kept.
pub fn version_document(record: &Record, imported: &Imported) -> Document {
    let mut document = imported.document.clone();
    if document.title.trim().is_empty() {
        document.title = record.title.clone();
    }
    if document.doc_type == DocType::Other {
        document.doc_type = record.doc_type;
    }
    document
}

/// [`new_version`] of a text added to the work `record` describes, with
/// the work's title and type where the text has none
/// ([`version_document`]).
pub fn new_version_of(record: &Record, imported: &Imported, published: Date) -> NewVersion {
    with_dates(
        NewVersion::new(version_document(record, imported), published),
        imported,
    )
}
