//! Plain-text rendering of a document, one block per line, the way the text
//! reads on paper: `第一条　为了……`, `（一）完善主动公开机制。健全……`.
//!
//! Rendering adds only whitespace: every other character comes from the
//! document, so importing a text and rendering it back keeps every
//! non-whitespace character (the importer's no-loss invariant).

use crate::document::{Block, Document, Unit, UnitKind};

/// Renders the body as plain text (metadata is not repeated).
pub fn to_plain_text(doc: &Document) -> String {
    let mut out = String::new();
    blocks(&mut out, &doc.body);
    out
}

fn blocks(out: &mut String, blocks_: &[Block]) {
    for b in blocks_ {
        block(out, b);
    }
}

fn line(out: &mut String, s: &str) {
    out.push_str(s);
    out.push('\n');
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Title(t) | Block::Note(t) | Block::Para(t) | Block::Addressee(t) => line(out, t),
        Block::Signature(s) => {
            for o in &s.organs {
                line(out, o);
            }
            if let Some(d) = &s.date {
                line(out, &d.text);
            }
        }
        Block::Table(t) => {
            for row in &t.rows {
                line(out, &row.join("\t"));
            }
        }
        Block::Unit(u) => unit(out, u),
    }
}

fn unit(out: &mut String, u: &Unit) {
    let label = u.label.as_deref().unwrap_or("");
    let mut rest = &u.children[..];
    match u.kind {
        UnitKind::Cover => {}
        kind if kind.is_division() => {
            let mut head = label.to_string();
            if let Some(h) = &u.heading {
                head.push('　');
                head.push_str(h);
            }
            line(out, &head);
        }
        UnitKind::Attachment => {
            if !label.is_empty() {
                line(out, label);
            }
            if let Some(h) = &u.heading {
                line(out, h);
            }
        }
        _ => {
            // Article, item, subitem, outline entry: the label, the heading
            // and the first paragraph share a line, as they do on paper when
            // the heading is a sentence (`（一）完善主动公开机制。健全……`); a
            // heading that is a bare phrase (`一、政策背景`) stands on its own.
            let mut head = label.to_string();
            if let Some(h) = &u.heading {
                head.push_str(h);
            }
            let joins = u
                .heading
                .as_deref()
                .is_none_or(|h| h.ends_with(['。', '！', '？', '；', '.', '!', '?', ';']));
            if let (true, Some((Block::Para(first), tail))) = (joins, rest.split_first()) {
                if u.kind == UnitKind::Article && !head.is_empty() {
                    head.push('　');
                }
                head.push_str(first);
                rest = tail;
            }
            line(out, &head);
        }
    }
    blocks(out, rest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DocType, Number};

    fn entry(label: &str, heading: &str, text: &str) -> Block {
        let mut u = Unit::new(UnitKind::Entry(1), label, Some(Number::new(1)));
        u.heading = Some(heading.into());
        u.children.push(Block::Para(text.into()));
        Block::Unit(u)
    }

    #[test]
    fn headings_share_a_line_only_when_they_are_sentences() {
        let mut doc = Document::new(DocType::Policy, "t");
        doc.body.push(entry(
            "(一)",
            "完善主动公开机制。",
            "健全主动公开事项目录制度。",
        ));
        doc.body
            .push(entry("一、", "政策背景", "2025年是收官之年。"));
        assert_eq!(
            to_plain_text(&doc),
            "(一)完善主动公开机制。健全主动公开事项目录制度。\n一、政策背景\n2025年是收官之年。\n"
        );
    }
}
