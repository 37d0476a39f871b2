//! The JSON forms of documents and records, kept apart from the domain
//! types (the schemas in `schemas/cli-1.schema.json` are the contract).

use serde_json::{Map, Value, json};
use wenku_model::{Block, Citation, Document, Number, Record, Target, Unit, VersionEntry};

fn number(n: Option<Number>, obj: &mut Map<String, Value>) {
    if let Some(n) = n {
        obj.insert("number".into(), json!(n.main));
        if n.sub != 0 {
            obj.insert("sub".into(), json!(n.sub));
        }
    }
}

/// One node of the body tree: `kind`, `label` (as written), `number`,
/// optional `heading` and `text`, and `children`.
pub fn node(block: &Block) -> Value {
    let text = |kind: &str, t: &str| json!({"kind": kind, "text": t, "children": []});
    match block {
        Block::Title(t) => text("title", t),
        Block::Note(t) => text("note", t),
        Block::Para(t) => text("paragraph", t),
        Block::Addressee(t) => text("addressee", t),
        Block::Signature(s) => {
            let mut children: Vec<Value> = s
                .organs
                .iter()
                .map(|o| json!({"kind": "organ", "text": o, "children": []}))
                .collect();
            if let Some(d) = &s.date {
                children.push(json!({"kind": "date", "text": d.text, "date": d.value.to_string(), "children": []}));
            }
            json!({"kind": "signature", "children": children})
        }
        Block::Table(t) => {
            let rows: Vec<Value> = t
                .rows
                .iter()
                .map(|row| {
                    let cells: Vec<Value> = row
                        .iter()
                        .map(|c| json!({"kind": "cell", "text": c, "children": []}))
                        .collect();
                    json!({"kind": "row", "children": cells})
                })
                .collect();
            json!({"kind": "table", "children": rows})
        }
        Block::Unit(u) => unit(u),
    }
}

fn unit(u: &Unit) -> Value {
    let mut obj = Map::new();
    obj.insert("kind".into(), json!(u.kind.as_str()));
    if let Some(level) = u.kind.level() {
        obj.insert("level".into(), json!(level));
    }
    if let Some(l) = &u.label {
        obj.insert("label".into(), json!(l));
    }
    number(u.number, &mut obj);
    if let Some(h) = &u.heading {
        obj.insert("heading".into(), json!(h));
    }
    obj.insert(
        "children".into(),
        Value::Array(u.children.iter().map(node).collect()),
    );
    Value::Object(obj)
}

/// A document's metadata and body.
pub fn document(doc: &Document) -> Map<String, Value> {
    let mut obj = Map::new();
    obj.insert("title".into(), json!(doc.title));
    obj.insert("type".into(), json!(doc.doc_type.as_str()));
    obj.insert(
        "number".into(),
        json!(doc.number.as_ref().map(|n| n.as_str())),
    );
    obj.insert("organs".into(), json!(doc.organs));
    obj.insert("written".into(), json!(doc.written.map(|d| d.to_string())));
    obj.insert("subjects".into(), json!(doc.subjects));
    obj.insert(
        "body".into(),
        Value::Array(doc.body.iter().map(node).collect()),
    );
    obj
}

/// A citation: `{"number": …, "title": …}` with absent parts null.
pub fn citation(c: &Citation) -> Value {
    json!({"number": c.number.as_ref().map(|n| n.as_str()), "title": c.title})
}

/// A relation target: `{"work": id}` or a citation.
pub fn target(t: &Target) -> Value {
    match t {
        Target::Work(w) => json!({"work": w.to_string()}),
        Target::Citation(c) => citation(c),
    }
}

/// One version entry of a record.
pub fn version(v: &VersionEntry) -> Value {
    json!({
        "revision": v.revision.to_string(),
        "published": v.published.to_string(),
        "effective": v.effective_date().to_string(),
        "amended_by": v.amended_by.as_ref().map(citation),
        "note": v.note,
    })
}

/// Lifecycle events of a record, in date order.
pub fn lifecycle(r: &Record) -> Value {
    let mut events: Vec<(wenku_model::Date, Value)> = Vec::new();
    if let Some(rep) = &r.repealed {
        events.push((rep.date, json!({"event": "repealed", "date": rep.date.to_string(), "by": rep.by.as_ref().map(target)})));
    }
    if let Some(e) = r.expires {
        events.push((e, json!({"event": "expires", "date": e.to_string()})));
    }
    if let Some(w) = &r.withdrawn {
        events.push((
            w.date,
            json!({"event": "withdrawn", "date": w.date.to_string(), "reason": w.reason}),
        ));
    }
    events.sort_by_key(|(d, _)| *d);
    Value::Array(events.into_iter().map(|(_, v)| v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_model::canonical;

    #[test]
    fn body_nodes_keep_labels_and_numbers() {
        let bytes = include_bytes!("../../../testdata/xml/valid/law-chapters.xml");
        let doc = canonical::decode_document(bytes).expect("valid sample");
        let v = Value::Object(document(&doc));
        let chapter = &v["body"][3];
        assert_eq!(chapter["kind"], "chapter");
        assert_eq!(chapter["label"], "第一章");
        assert_eq!(chapter["number"], 1);
        assert_eq!(chapter["heading"], "总　　则");
        let article = &chapter["children"][1];
        assert_eq!(article["label"], "第二条");
        assert_eq!(article["children"][1]["kind"], "paragraph");
        let sub = &v["body"][4]["children"][0]["children"][1];
        assert_eq!(sub["label"], "第八条之一");
        assert_eq!(
            (sub["number"].as_u64(), sub["sub"].as_u64()),
            (Some(8), Some(1))
        );
    }
}
