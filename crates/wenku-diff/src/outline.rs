//! A document flattened into what the diff aligns: *divisions* (编, 分编,
//! 章, 节), compared by heading, and *units* (articles, outline entries,
//! cover notice, attachments, loose paragraphs), compared by text.
//!
//! A unit's text is its own content: its heading and paragraphs, with the
//! items (项) and sub-items (目) of an article inline, one line each. Units
//! nested in a unit (a `（一）` entry inside a `一、` entry, an attachment's
//! articles) are units of their own, so an outline entry is compared
//! without its children. The title and the notes under it (题注) are
//! units too, of their own elements, so they are compared like the rest.

use wenku_model::{Block, Document, Number, Unit, UnitKind};

use crate::comparison::Element;
use crate::fold::fold;

/// Where a unit sits: the container that "moved to another chapter" is
/// judged by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Parent {
    /// The nearest enclosing chapter (or, without chapters, the nearest
    /// enclosing division).
    Division(usize),
    /// The enclosing unit (an outline entry's parent entry).
    Unit(usize),
}

/// One node of the outline: a division or a unit.
#[derive(Clone, Debug)]
pub(crate) struct Node<'a> {
    pub element: Element,
    pub label: Option<&'a str>,
    pub number: Option<Number>,
    pub heading: Option<&'a str>,
    /// Display text, paragraphs and items one per line. A division's text
    /// is its heading.
    pub text: String,
    /// [`fold`]ed text: what alignment hashes and compares.
    pub folded: String,
    /// Nesting depth in the document.
    pub depth: usize,
    /// Units: where the unit sits. Divisions: `None`.
    pub parent: Option<Parent>,
    /// Units: every enclosing division, innermost last. Divisions: their
    /// enclosing divisions.
    pub divisions: Vec<usize>,
}

/// A node in reading order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NodeRef {
    Division(usize),
    Unit(usize),
}

/// A flattened document.
#[derive(Clone, Debug, Default)]
pub(crate) struct Outline<'a> {
    pub divisions: Vec<Node<'a>>,
    pub units: Vec<Node<'a>>,
    /// Every node in reading order (pre-order).
    pub order: Vec<NodeRef>,
    /// For each division, how many units it holds, at any depth.
    pub division_sizes: Vec<usize>,
}

impl<'a> Outline<'a> {
    /// Flattens `doc`.
    pub fn of(doc: &'a Document) -> Outline<'a> {
        let mut outline = Outline::default();
        let ctx = Context {
            divisions: Vec::new(),
            parent: None,
            depth: 0,
        };
        outline.container(&doc.body, &ctx);
        outline.division_sizes = vec![0; outline.divisions.len()];
        for unit in &outline.units {
            for &d in &unit.divisions {
                outline.division_sizes[d] += 1;
            }
        }
        outline
    }

    fn container(&mut self, blocks: &'a [Block], ctx: &Context) {
        for block in blocks {
            match block {
                Block::Title(t) => self.push_unit(Element::Title, None, vec![t.clone()], ctx),
                Block::Note(t) => self.push_unit(Element::Note, None, vec![t.clone()], ctx),
                Block::Unit(u) if u.kind.is_division() => self.division(u, ctx),
                Block::Unit(u) => self.unit(u, ctx),
                Block::Para(_) | Block::Addressee(_) | Block::Signature(_) | Block::Table(_) => {
                    let mut lines = Vec::new();
                    content_block(block, &mut lines);
                    self.push_unit(Element::Paragraph, None, lines, ctx);
                }
            }
        }
    }

    fn division(&mut self, u: &'a Unit, ctx: &Context) {
        let index = self.divisions.len();
        let heading = u.heading.as_deref().unwrap_or("");
        self.divisions.push(Node {
            element: Element::Unit(u.kind),
            label: u.label.as_deref(),
            number: u.number,
            heading: u.heading.as_deref(),
            text: heading.to_string(),
            folded: fold(heading),
            depth: ctx.depth,
            parent: None,
            divisions: ctx.divisions.clone(),
        });
        self.order.push(NodeRef::Division(index));
        let mut inner = ctx.clone();
        inner.divisions.push(index);
        inner.depth += 1;
        // Articles directly in this division now sit in it, unless it is a
        // section inside a chapter: "moved to another chapter" is judged by
        // chapter.
        let chapter_above = ctx
            .divisions
            .iter()
            .any(|&d| self.divisions[d].element == Element::Unit(UnitKind::Chapter));
        if u.kind == UnitKind::Chapter || !chapter_above {
            inner.parent = Some(Parent::Division(index));
        }
        self.container(&u.children, &inner);
    }

    fn unit(&mut self, u: &'a Unit, ctx: &Context) {
        let mut lines = Vec::new();
        let mut first = u.heading.clone().unwrap_or_default();
        let mut nested = Vec::new();
        let mut started = false;
        for child in &u.children {
            match child {
                Block::Unit(c) if is_inline(u.kind, c.kind) => {
                    flush(&mut first, &mut started, &mut lines);
                    inline_unit(c, &mut lines);
                }
                Block::Unit(c) => nested.push(c),
                Block::Para(p) if !started => {
                    first.push_str(p);
                    flush(&mut first, &mut started, &mut lines);
                }
                other => {
                    flush(&mut first, &mut started, &mut lines);
                    content_block(other, &mut lines);
                }
            }
        }
        flush(&mut first, &mut started, &mut lines);
        let index = self.units.len();
        self.push_unit(Element::Unit(u.kind), Some(u), lines, ctx);
        let inner = Context {
            divisions: ctx.divisions.clone(),
            parent: Some(Parent::Unit(index)),
            depth: ctx.depth + 1,
        };
        for c in nested {
            if c.kind.is_division() {
                self.division(c, &inner);
            } else {
                self.unit(c, &inner);
            }
        }
    }

    fn push_unit(
        &mut self,
        element: Element,
        u: Option<&'a Unit>,
        lines: Vec<String>,
        ctx: &Context,
    ) {
        let text = lines.join("\n");
        let index = self.units.len();
        self.units.push(Node {
            element,
            label: u.and_then(|u| u.label.as_deref()),
            number: u.and_then(|u| u.number),
            heading: u.and_then(|u| u.heading.as_deref()),
            folded: fold(&text),
            text,
            depth: ctx.depth,
            parent: ctx.parent,
            divisions: ctx.divisions.clone(),
        });
        self.order.push(NodeRef::Unit(index));
    }
}

#[derive(Clone, Debug)]
struct Context {
    divisions: Vec<usize>,
    parent: Option<Parent>,
    depth: usize,
}

/// Whether a `child` unit inside a `parent` unit is part of the parent's
/// text (an article's items) rather than a unit of its own.
fn is_inline(parent: UnitKind, child: UnitKind) -> bool {
    matches!(child, UnitKind::Item | UnitKind::Subitem)
        && matches!(
            parent,
            UnitKind::Article | UnitKind::Item | UnitKind::Subitem | UnitKind::Cover
        )
}

fn flush(first: &mut String, started: &mut bool, lines: &mut Vec<String>) {
    if !*started {
        *started = true;
        if !first.is_empty() {
            lines.push(std::mem::take(first));
        }
    }
}

/// An item or sub-item: label, heading and first paragraph on one line, as
/// on paper.
fn inline_unit(u: &Unit, lines: &mut Vec<String>) {
    let mut first = u.label.clone().unwrap_or_default();
    if let Some(h) = &u.heading {
        first.push_str(h);
    }
    let mut started = false;
    for child in &u.children {
        match child {
            Block::Para(p) if !started => {
                first.push_str(p);
                flush(&mut first, &mut started, lines);
            }
            Block::Unit(c) => {
                flush(&mut first, &mut started, lines);
                inline_unit(c, lines);
            }
            other => {
                flush(&mut first, &mut started, lines);
                content_block(other, lines);
            }
        }
    }
    flush(&mut first, &mut started, lines);
}

/// The lines of a block of content.
fn content_block(block: &Block, lines: &mut Vec<String>) {
    match block {
        Block::Title(t) | Block::Note(t) | Block::Para(t) | Block::Addressee(t) => {
            lines.push(t.clone())
        }
        Block::Signature(s) => {
            lines.extend(s.organs.iter().cloned());
            if let Some(d) = &s.date {
                lines.push(d.text.clone());
            }
        }
        Block::Table(t) => lines.extend(t.rows.iter().map(|row| row.join("\t"))),
        Block::Unit(u) => inline_unit(u, lines),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_model::DocType;

    fn article(n: u32, paras: &[&str]) -> Unit {
        let mut u = Unit::new(
            UnitKind::Article,
            format!("第{}条", wenku_model::numeral::to_chinese(n)),
            Some(Number::new(n)),
        );
        u.children = paras.iter().map(|p| Block::Para(p.to_string())).collect();
        u
    }

    #[test]
    fn articles_keep_items_inline_and_sit_in_their_chapter() {
        let mut doc = Document::new(DocType::Law, "示例法");
        doc.body.push(Block::Title("示例法".into()));
        doc.body.push(Block::Note("2020年通过".into()));
        let mut chapter = Unit::new(UnitKind::Chapter, "第一章", Some(Number::new(1)));
        chapter.heading = Some("总则".into());
        let mut a = article(1, &["下列事项适用本法："]);
        let mut item = Unit::new(UnitKind::Item, "（一）", Some(Number::new(1)));
        item.children.push(Block::Para("甲；".into()));
        a.children.push(Block::Unit(item));
        a.children
            .push(Block::Para("前款以外的事项另行规定。".into()));
        let mut section = Unit::new(UnitKind::Section, "第一节", Some(Number::new(1)));
        section.children.push(Block::Unit(article(2, &["乙。"])));
        chapter.children.push(Block::Unit(a));
        chapter.children.push(Block::Unit(section));
        doc.body.push(Block::Unit(chapter));

        let o = Outline::of(&doc);
        assert_eq!(o.divisions.len(), 2);
        assert_eq!(o.units.len(), 4);
        // The title and the note under it come first, as units of their own.
        assert_eq!(o.units[0].element, Element::Title);
        assert_eq!(o.units[0].text, "示例法");
        assert_eq!(o.units[1].element, Element::Note);
        assert_eq!(o.units[1].text, "2020年通过");
        assert_eq!(
            o.units[2].text,
            "下列事项适用本法：\n（一）甲；\n前款以外的事项另行规定。"
        );
        // The article in the section is judged by its chapter.
        assert_eq!(o.units[3].parent, Some(Parent::Division(0)));
        assert_eq!(o.units[3].divisions, vec![0, 1]);
        assert_eq!(o.division_sizes, vec![2, 1]);
        assert_eq!(
            o.order,
            vec![
                NodeRef::Unit(0),
                NodeRef::Unit(1),
                NodeRef::Division(0),
                NodeRef::Unit(2),
                NodeRef::Division(1),
                NodeRef::Unit(3)
            ]
        );
    }

    #[test]
    fn outline_entries_are_units_of_their_own() {
        let mut doc = Document::new(DocType::Policy, "要点");
        doc.body.push(Block::Para("根据要求，制定本要点。".into()));
        let mut one = Unit::new(UnitKind::Entry(1), "一、", Some(Number::new(1)));
        one.heading = Some("加强机制建设".into());
        let mut sub = Unit::new(UnitKind::Entry(2), "（一）", Some(Number::new(1)));
        sub.heading = Some("完善主动公开机制。".into());
        sub.children.push(Block::Para("健全目录制度。".into()));
        one.children.push(Block::Unit(sub));
        doc.body.push(Block::Unit(one));

        let o = Outline::of(&doc);
        assert_eq!(o.units.len(), 3);
        assert_eq!(o.units[0].element, Element::Paragraph);
        assert_eq!(o.units[1].text, "加强机制建设");
        assert_eq!(o.units[2].text, "完善主动公开机制。健全目录制度。");
        assert_eq!(o.units[2].parent, Some(Parent::Unit(1)));
        assert_eq!(o.units[2].depth, 1);
    }
}
