//! wenku's canonical XML, validated by the model's decoder and passed
//! through; the proposal is read from the document's metadata and text.

use wenku_model::canonical;
use wenku_model::{Block, Document};

use crate::ImportError;
use crate::diagnostic::Diagnostic;
use crate::metadata::Proposed;
use crate::relation::{self, Collector};

/// Decodes `bytes` as a wenku document.
pub(crate) fn import(source_name: &str, bytes: &[u8]) -> Result<Document, ImportError> {
    canonical::decode_document(bytes).map_err(|source| ImportError::Xml {
        source_name: source_name.to_string(),
        source,
    })
}

/// What a decoded document says about its record.
pub(crate) fn propose(doc: &Document, diags: &mut Vec<Diagnostic>) -> Proposed {
    let mut collector = Collector::new(&[doc.title.as_str()]);
    if let Some((kind, citation)) = relation::from_title(&doc.title) {
        collector.add(citation, kind, 0);
    }
    relation::scan_blocks(&doc.body, &mut collector);
    let signature_date = doc.units().iter().find_map(|(_, u)| {
        u.children.iter().find_map(|b| match b {
            Block::Signature(s) => s.date.as_ref().map(|d| d.value),
            _ => None,
        })
    });
    let published = doc.written.or(signature_date);
    Proposed {
        title: (!doc.title.is_empty()).then(|| doc.title.clone()),
        number: doc.number.clone(),
        doc_type: doc.doc_type,
        issuers: doc.organs.clone(),
        published,
        effective: None,
        expires: None,
        amended_by: None,
        relations: collector.finish(diags),
        history: Vec::new(),
        suggested_local: None,
        suggested_from: None,
    }
}
