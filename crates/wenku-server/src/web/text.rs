//! A version's text as HTML: the reading order of the plain-text
//! rendering (`wenku_model::render`), with every structural unit
//! addressable.
//!
//! **Anchors.** Each chapter, article, item and outline entry gets an `id`
//! that a reader can type and that stays the same from one version to the
//! next as long as the label does: an article is its label
//! (`#第五十七条`), since articles are numbered through the whole text; a
//! chapter is its label (`#第三章`); a section, an item, a sub-item or a
//! lower outline entry is its parent's anchor, a hyphen and its own label
//! (`#第三章-第一节`, `#第五十七条-（一）`, `#一、-（二）`). Whitespace in a
//! label becomes `_`. A label that repeats where the rule gives the same
//! anchor (an attachment that numbers its own articles) gets `~2`, `~3` …
//! in reading order. The label itself is a link to its anchor.
//!
//! Every piece of text is escaped: a document that contains `<script>`
//! shows it as text.

use std::collections::HashSet;

use wenku_model::{Block, Date, Document, Unit, UnitKind, VersionEntry, Withdrawal};

/// Writes `text` escaped for element content and attribute values.
pub(crate) fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// [`escape`] into a new string.
pub(crate) fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape(text, &mut out);
    out
}

/// The body of `doc` as HTML (its title included, as the text writes it).
/// In place of the text of a version withdrawn from public view: when
/// and why (escaped), and that the archive keeps it.
pub(crate) fn withheld(withdrawal: &Withdrawal) -> String {
    format!(
        "<p class=\"withheld\" role=\"note\">此版本已于 {} 撤回，不再公开提供正文。原因：{}</p>",
        withdrawal.date,
        escaped(&withdrawal.reason)
    )
}

/// The HTML of a version's text, or the notice that it is withheld (the
/// text is then not read at all).
pub(crate) fn served<E>(
    entry: &VersionEntry,
    today: Date,
    doc: impl FnOnce() -> Result<Document, E>,
) -> Result<String, E> {
    Ok(match &entry.withdrawn {
        Some(w) if entry.is_withheld(today) => withheld(w),
        _ => document(&doc()?),
    })
}

pub(crate) fn document(doc: &Document) -> String {
    let mut r = Renderer {
        out: String::with_capacity(doc.body.len() * 256),
        used: HashSet::new(),
    };
    r.blocks(&doc.body, None, 0);
    r.out
}

struct Renderer {
    out: String,
    used: HashSet<String>,
}

/// Sentence-final punctuation: a heading ending in it runs on into the
/// first paragraph, as on paper.
const SENTENCE_END: [char; 8] = ['。', '！', '？', '；', '.', '!', '?', ';'];

impl Renderer {
    fn blocks(&mut self, blocks: &[Block], parent: Option<&str>, depth: usize) {
        for b in blocks {
            self.block(b, parent, depth);
        }
    }

    fn para(&mut self, class: &str, text: &str) {
        if class.is_empty() {
            self.out.push_str("<p>");
        } else {
            self.out.push_str(&format!("<p class=\"{class}\">"));
        }
        escape(text, &mut self.out);
        self.out.push_str("</p>\n");
    }

    fn block(&mut self, b: &Block, parent: Option<&str>, depth: usize) {
        match b {
            Block::Title(t) => {
                self.out.push_str("<p class=\"doc-title\">");
                escape(t, &mut self.out);
                self.out.push_str("</p>\n");
            }
            Block::Note(t) => self.para("note", t),
            Block::Para(t) => self.para("", t),
            Block::Addressee(t) => self.para("addressee", t),
            Block::Signature(s) => {
                self.out.push_str("<div class=\"signature\">");
                for o in &s.organs {
                    self.para("", o);
                }
                if let Some(d) = &s.date {
                    self.out
                        .push_str(&format!("<p><time datetime=\"{}\">", d.value));
                    escape(&d.text, &mut self.out);
                    self.out.push_str("</time></p>");
                }
                self.out.push_str("</div>\n");
            }
            Block::Table(t) => {
                self.out
                    .push_str("<div class=\"table-wrap\"><table class=\"in-text\">");
                for row in &t.rows {
                    self.out.push_str("<tr>");
                    for cell in row {
                        self.out.push_str("<td>");
                        escape(cell, &mut self.out);
                        self.out.push_str("</td>");
                    }
                    self.out.push_str("</tr>");
                }
                self.out.push_str("</table></div>\n");
            }
            Block::Unit(u) => self.unit(u, parent, depth),
        }
    }

    /// The anchor of `u` under `parent`, unique in this document.
    fn anchor(&mut self, u: &Unit, parent: Option<&str>) -> Option<String> {
        let label: String = u
            .label
            .as_deref()?
            .chars()
            .map(|c| if c.is_whitespace() { '_' } else { c })
            .collect();
        if label.is_empty() {
            return None;
        }
        let own = matches!(
            u.kind,
            UnitKind::Article | UnitKind::Chapter | UnitKind::Part | UnitKind::Attachment
        ) || (matches!(u.kind, UnitKind::Entry(1)) && parent.is_none());
        let base = match (own, parent) {
            (false, Some(p)) => format!("{p}-{label}"),
            _ => label,
        };
        let mut id = base.clone();
        let mut n = 1;
        while !self.used.insert(id.clone()) {
            n += 1;
            id = format!("{base}~{n}");
        }
        Some(id)
    }

    fn label_link(&mut self, id: Option<&str>, label: &str) {
        match id {
            Some(id) => {
                self.out.push_str("<a class=\"label\" href=\"#");
                escape(id, &mut self.out);
                self.out.push_str("\">");
                escape(label, &mut self.out);
                self.out.push_str("</a>");
            }
            None => {
                self.out.push_str("<span class=\"label\">");
                escape(label, &mut self.out);
                self.out.push_str("</span>");
            }
        }
    }

    fn unit(&mut self, u: &Unit, parent: Option<&str>, depth: usize) {
        let label = u.label.as_deref().unwrap_or("");
        let id = self.anchor(u, parent);
        let id_attr = id
            .as_deref()
            .map(|i| format!(" id=\"{}\"", escaped(i)))
            .unwrap_or_default();
        match u.kind {
            UnitKind::Cover => {
                self.out.push_str("<section class=\"cover\">\n");
                self.blocks(&u.children, parent, depth);
                self.out.push_str("</section>\n");
            }
            kind if kind.is_division() || kind == UnitKind::Attachment => {
                let level = (3 + depth).min(6);
                let class = kind.as_str();
                self.out
                    .push_str(&format!("<section class=\"{class}\"{id_attr}>\n<h{level}>"));
                if !label.is_empty() {
                    self.label_link(id.as_deref(), label);
                }
                if let Some(h) = &u.heading {
                    if !label.is_empty() {
                        self.out.push('　');
                    }
                    escape(h, &mut self.out);
                }
                self.out.push_str(&format!("</h{level}>\n"));
                self.blocks(&u.children, id.as_deref().or(parent), depth + 1);
                self.out.push_str("</section>\n");
            }
            kind => {
                let class = match kind {
                    UnitKind::Entry(l) => format!("entry entry-{l}"),
                    other => other.as_str().to_string(),
                };
                self.out
                    .push_str(&format!("<div class=\"{class}\"{id_attr}>\n<p>"));
                if !label.is_empty() {
                    self.label_link(id.as_deref(), label);
                }
                let mut rest = &u.children[..];
                let joins = u
                    .heading
                    .as_deref()
                    .is_none_or(|h| h.ends_with(SENTENCE_END));
                if let Some(h) = &u.heading {
                    self.out.push_str("<span class=\"heading\">");
                    escape(h, &mut self.out);
                    self.out.push_str("</span>");
                }
                if joins && let Some((Block::Para(first), tail)) = rest.split_first() {
                    if kind == UnitKind::Article && !label.is_empty() {
                        self.out.push('　');
                    }
                    escape(first, &mut self.out);
                    rest = tail;
                }
                self.out.push_str("</p>\n");
                let inner = id.as_deref().or(parent);
                self.blocks(rest, inner, depth);
                self.out.push_str("</div>\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wenku_model::{DocType, Number};

    fn article(label: &str, n: u32, text: &str, items: &[&str]) -> Block {
        let mut u = Unit::new(UnitKind::Article, label, Some(Number::new(n)));
        u.children.push(Block::Para(text.into()));
        for (k, item) in items.iter().enumerate() {
            let mut i = Unit::new(UnitKind::Item, *item, Some(Number::new(k as u32 + 1)));
            i.children.push(Block::Para("项".into()));
            u.children.push(Block::Unit(i));
        }
        Block::Unit(u)
    }

    #[test]
    fn articles_items_and_chapters_are_addressable_and_text_is_escaped() {
        let mut doc = Document::new(DocType::Law, "法");
        let mut chapter = Unit::new(UnitKind::Chapter, "第一章", Some(Number::new(1)));
        chapter.heading = Some("总则".into());
        chapter.children.push(article(
            "第一条",
            1,
            "<script>alert(1)</script>",
            &["（一）"],
        ));
        chapter
            .children
            .push(article("第二条", 2, "二", &["（一）"]));
        doc.body.push(Block::Unit(chapter));
        let mut attachment = Unit::new(UnitKind::Attachment, "附件", None);
        attachment
            .children
            .push(article("第一条", 1, "附件一", &[]));
        doc.body.push(Block::Unit(attachment));
        let html = document(&doc);
        for id in [
            "第一章",
            "第一条",
            "第一条-（一）",
            "第二条-（一）",
            "附件",
            "第一条~2",
        ] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("<a class=\"label\" href=\"#第一条\">第一条</a>　&lt;script"));
    }
}
