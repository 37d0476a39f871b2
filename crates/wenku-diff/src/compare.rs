//! From an alignment to the list of changes, in reading order of the new
//! version.

use std::collections::HashMap;

use wenku_model::Document;

use crate::Options;
use crate::align::{Alignment, align};
use crate::comparison::{Change, ChangeKind, Comparison, Edit, EditOp, Move, Summary, UnitRef};
use crate::fold::fold;
use crate::inline::{self, is_substantive, whole};
use crate::outline::{Node, NodeRef, Outline, Parent};

/// Compares two versions (or two different documents) unit by unit.
///
/// Units are aligned by content, not by number, so an inserted article
/// renumbers the following ones without making them "changed". Inside
/// aligned units the diff is by character, and width-only punctuation and
/// whitespace differences are not substantive.
pub fn compare(old: &Document, new: &Document, options: &Options) -> Comparison {
    let a = Outline::of(old);
    let b = Outline::of(new);
    let alignment = align(&a, &b, options);
    let changes = Assembler {
        a: &a,
        b: &b,
        alignment: &alignment,
        options,
        split_edits: HashMap::new(),
    }
    .changes();
    Comparison {
        summary: Summary::of(&changes),
        changes,
    }
}

struct Assembler<'x, 'a> {
    a: &'x Outline<'a>,
    b: &'x Outline<'a>,
    alignment: &'x Alignment,
    options: &'x Options,
    /// The edits of each split group's pieces, computed with the first.
    split_edits: HashMap<usize, Vec<Vec<Edit>>>,
}

impl Assembler<'_, '_> {
    fn changes(mut self) -> Vec<Change> {
        let (a, b, al) = (self.a, self.b, self.alignment);
        let mut position = HashMap::new();
        for (p, r) in b.order.iter().enumerate() {
            position.insert(*r, p);
        }
        // Deleted old nodes go after the counterpart of the nearest earlier
        // old node that has one in order.
        let mut after: Vec<Vec<NodeRef>> = vec![Vec::new(); b.order.len() + 1];
        let mut last = 0;
        for &r in &a.order {
            let counterpart = match r {
                NodeRef::Division(x) => al.old_division[x].map(|y| Some(NodeRef::Division(y))),
                NodeRef::Unit(i) => al.old_group[i].map(|g| {
                    let group = &al.groups[g];
                    group.in_order.then(|| NodeRef::Unit(group.new[0]))
                }),
            };
            match counterpart {
                Some(Some(c)) => last = position[&c] + 1,
                Some(None) => {}
                None => after[last].push(r),
            }
        }
        let mut out = Vec::with_capacity(b.order.len() + after.iter().map(Vec::len).sum::<usize>());
        for (p, deleted) in after.iter().enumerate() {
            if p > 0 {
                let change = match b.order[p - 1] {
                    NodeRef::Division(y) => self.division(y),
                    NodeRef::Unit(j) => self.unit(j),
                };
                out.push(change);
            }
            for &r in deleted {
                out.push(match r {
                    NodeRef::Division(x) => lone(&a.divisions[x], ChangeKind::Deleted),
                    NodeRef::Unit(i) => lone(&a.units[i], ChangeKind::Deleted),
                });
            }
        }
        out
    }

    fn division(&self, y: usize) -> Change {
        let to = &self.b.divisions[y];
        let Some((x, score)) = self.alignment.new_division[y] else {
            return lone(to, ChangeKind::Added);
        };
        let mut change = self.pair(&self.a.divisions[x], to, score);
        change.edits = inline::diff(&self.a.divisions[x].text, &to.text, self.options.timeout);
        classify(&mut change);
        change
    }

    fn unit(&mut self, j: usize) -> Change {
        let (a, b, al) = (self.a, self.b, self.alignment);
        let timeout = self.options.timeout;
        let to = &b.units[j];
        let Some(g) = al.new_group[j] else {
            return lone(to, ChangeKind::Added);
        };
        let group = &al.groups[g];
        let from = &a.units[group.old[0]];
        let mut change = self.pair(from, to, group.similarity);
        change.moved = self.moved(group.old[0], j);
        if group.new.len() > 1 {
            let edits = self.split_edits.entry(g).or_insert_with(|| {
                let texts: Vec<&str> = group
                    .new
                    .iter()
                    .map(|&p| b.units[p].text.as_str())
                    .collect();
                split(&from.text, &texts, timeout)
            });
            let k = group.new.iter().position(|&p| p == j).unwrap_or(0);
            change.edits = std::mem::take(&mut edits[k]);
            change.split_into = group.new.iter().map(|&p| unit_ref(&b.units[p])).collect();
            change.kind = ChangeKind::Modified;
        } else if group.old.len() > 1 {
            let texts: Vec<&str> = group
                .old
                .iter()
                .map(|&p| a.units[p].text.as_str())
                .collect();
            change.edits = inline::diff(&texts.join("\n"), &to.text, timeout);
            change.merged_from = group.old.iter().map(|&p| unit_ref(&a.units[p])).collect();
            change.kind = ChangeKind::Modified;
        } else if group.rewritten {
            // Texts this different make a character diff of scattered
            // coincidences; the old text is replaced whole.
            change.edits = whole(EditOp::Delete, &from.text);
            change.edits.extend(whole(EditOp::Insert, &to.text));
            change.rewritten = true;
            change.kind = ChangeKind::Modified;
        } else {
            change.edits = inline::diff(&from.text, &to.text, timeout);
            classify(&mut change);
        }
        change
    }

    /// A change between two aligned nodes, without edits yet.
    fn pair(&self, from: &Node, to: &Node, similarity: f32) -> Change {
        Change {
            kind: ChangeKind::Modified,
            element: to.element,
            from: Some(unit_ref(from)),
            to: Some(unit_ref(to)),
            renumbered: renumbered(from, to),
            punctuation_only: false,
            similarity: Some(similarity),
            moved: None,
            rewritten: false,
            split_into: Vec::new(),
            merged_from: Vec::new(),
            edits: Vec::new(),
            depth: to.depth,
        }
    }

    /// Whether old unit `i`, now new unit `j`, changed chapter (or parent
    /// outline entry).
    fn moved(&self, i: usize, j: usize) -> Option<Move> {
        let al = self.alignment;
        match (self.a.units[i].parent?, self.b.units[j].parent?) {
            (Parent::Division(x), Parent::Division(y)) => {
                (al.old_division[x] != Some(y)).then(|| Move {
                    from_parent: unit_ref(&self.a.divisions[x]),
                    to_parent: unit_ref(&self.b.divisions[y]),
                })
            }
            (Parent::Unit(p), Parent::Unit(q)) => {
                let same = al.old_group[p].is_some_and(|g| al.groups[g].new.contains(&q));
                (!same).then(|| Move {
                    from_parent: unit_ref(&self.a.units[p]),
                    to_parent: unit_ref(&self.b.units[q]),
                })
            }
            _ => None,
        }
    }
}

/// Sets kind and `punctuation_only` of a 1:1 change from its edits.
fn classify(change: &mut Change) {
    let differs = change.edits.iter().any(|e| e.op != EditOp::Equal);
    if is_substantive(&change.edits) {
        change.kind = ChangeKind::Modified;
    } else {
        change.kind = ChangeKind::Unchanged;
        change.punctuation_only = differs;
    }
}

/// An added or deleted node.
fn lone(node: &Node, kind: ChangeKind) -> Change {
    let (from, to, op) = match kind {
        ChangeKind::Deleted => (Some(unit_ref(node)), None, EditOp::Delete),
        _ => (None, Some(unit_ref(node)), EditOp::Insert),
    };
    Change {
        kind,
        element: node.element,
        from,
        to,
        renumbered: false,
        punctuation_only: false,
        similarity: None,
        moved: None,
        rewritten: false,
        split_into: Vec::new(),
        merged_from: Vec::new(),
        edits: whole(op, &node.text),
        depth: node.depth,
    }
}

fn unit_ref(node: &Node) -> UnitRef {
    UnitRef {
        element: node.element,
        label: node.label.map(str::to_string),
        number: node.number,
        heading: node.heading.map(str::to_string),
    }
}

/// Whether the number (or, without numbers, the label) changed.
fn renumbered(from: &Node, to: &Node) -> bool {
    match (from.number, to.number) {
        (Some(x), Some(y)) => x != y,
        _ => from.label.map(fold) != to.label.map(fold),
    }
}

/// The edits of each piece of a split: the old text is diffed against the
/// pieces joined by line breaks, and the edits are cut where the pieces
/// meet. Deletions at a cut stay with the earlier piece.
fn split(old: &str, pieces: &[&str], timeout: Option<std::time::Duration>) -> Vec<Vec<Edit>> {
    let joined = pieces.join("\n");
    let mut ends = Vec::with_capacity(pieces.len());
    let mut end = 0;
    for p in pieces {
        end += p.len();
        ends.push(end);
        end += 1;
    }
    let mut out: Vec<Vec<Edit>> = vec![Vec::new(); pieces.len()];
    let mut k = 0;
    let mut pos = 0;
    for edit in inline::diff(old, &joined, timeout) {
        if edit.op == EditOp::Delete {
            push(&mut out[k], edit.op, &edit.text, edit.punctuation_only);
            continue;
        }
        let mut rest = edit.text.as_str();
        while !rest.is_empty() {
            if k + 1 < pieces.len() && pos + rest.len() > ends[k] {
                let (head, tail) = rest.split_at(ends[k] - pos);
                push(&mut out[k], edit.op, head, edit.punctuation_only);
                // Skip the joining line break.
                rest = &tail[1..];
                pos = ends[k] + 1;
                k += 1;
            } else {
                push(&mut out[k], edit.op, rest, edit.punctuation_only);
                pos += rest.len();
                rest = "";
            }
        }
    }
    out
}

fn push(edits: &mut Vec<Edit>, op: EditOp, text: &str, punctuation_only: bool) {
    if text.is_empty() {
        return;
    }
    match edits.last_mut() {
        Some(last) if last.op == op && last.punctuation_only == punctuation_only => {
            last.text.push_str(text)
        }
        _ => edits.push(Edit {
            op,
            text: text.to_string(),
            punctuation_only,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_edits_follow_the_pieces() {
        let pieces = split("甲乙丙。丁戊己。", &["甲乙丙。", "丁戊庚。"], None);
        let new_text = |edits: &[Edit]| -> String {
            edits
                .iter()
                .filter(|e| e.op != EditOp::Delete)
                .map(|e| e.text.as_str())
                .collect()
        };
        assert_eq!(new_text(&pieces[0]), "甲乙丙。");
        assert_eq!(new_text(&pieces[1]), "丁戊庚。");
        assert!(
            pieces[1]
                .iter()
                .any(|e| e.op == EditOp::Delete && e.text == "己")
        );
    }
}
