//! Document bodies and metadata: the `node` definition of the schema and
//! the document members of `show`.

use serde::Serialize;
use wenku_model::{Block, Number, Unit};

/// One node of a document body (`$defs/node`): `kind`, for units `level`,
/// `label` (exactly as written), `number` and `sub` (之N, only when not
/// zero) and `heading`; for text `text`; for a signature's date `date`;
/// always `children`. Absent members are left out, never null.
#[derive(Debug, Serialize)]
pub struct Node<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    heading: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    children: Vec<Node<'a>>,
}

impl<'a> Node<'a> {
    fn bare(kind: &'static str, children: Vec<Node<'a>>) -> Node<'a> {
        Node {
            kind,
            level: None,
            label: None,
            number: None,
            sub: None,
            heading: None,
            text: None,
            date: None,
            children,
        }
    }

    fn text(kind: &'static str, text: &'a str) -> Node<'a> {
        Node {
            text: Some(text),
            ..Node::bare(kind, Vec::new())
        }
    }

    /// The node of one block, with everything inside it.
    pub fn new(block: &'a Block) -> Node<'a> {
        match block {
            Block::Title(t) => Node::text("title", t),
            Block::Note(t) => Node::text("note", t),
            Block::Para(t) => Node::text("paragraph", t),
            Block::Addressee(t) => Node::text("addressee", t),
            Block::Signature(s) => {
                let mut children: Vec<Node<'a>> =
                    s.organs.iter().map(|o| Node::text("organ", o)).collect();
                if let Some(d) = &s.date {
                    children.push(Node {
                        date: Some(d.value.to_string()),
                        ..Node::text("date", &d.text)
                    });
                }
                Node::bare("signature", children)
            }
            Block::Table(t) => Node::bare(
                "table",
                t.rows
                    .iter()
                    .map(|row| {
                        Node::bare("row", row.iter().map(|c| Node::text("cell", c)).collect())
                    })
                    .collect(),
            ),
            Block::Unit(u) => Node::unit(u),
        }
    }

    fn unit(u: &'a Unit) -> Node<'a> {
        let (number, sub) = match u.number {
            Some(Number { main, sub }) => (Some(main), (sub != 0).then_some(sub)),
            None => (None, None),
        };
        Node {
            level: u.kind.level(),
            label: u.label.as_deref(),
            number,
            sub,
            heading: u.heading.as_deref(),
            ..Node::bare(u.kind.as_str(), u.children.iter().map(Node::new).collect())
        }
    }

    /// The nodes of a body, in order.
    pub fn body(blocks: &'a [Block]) -> Vec<Node<'a>> {
        blocks.iter().map(Node::new).collect()
    }
}

/// A document's metadata and body, the members `show` ends with:
/// `title`, `type`, `number` (null when none), `organs`, `written` (null
/// when unknown), `subjects`, `body`.
#[derive(Debug, Serialize)]
pub struct Document<'a> {
    title: &'a str,
    #[serde(rename = "type")]
    doc_type: &'static str,
    number: Option<&'a str>,
    organs: &'a [String],
    written: Option<String>,
    subjects: &'a [String],
    body: Vec<Node<'a>>,
}

impl<'a> Document<'a> {
    /// The JSON form of `doc`.
    pub fn new(doc: &'a wenku_model::Document) -> Document<'a> {
        Document {
            title: &doc.title,
            doc_type: doc.doc_type.as_str(),
            number: doc.number.as_ref().map(|n| n.as_str()),
            organs: &doc.organs,
            written: doc.written.map(|d| d.to_string()),
            subjects: &doc.subjects,
            body: Node::body(&doc.body),
        }
    }
}
