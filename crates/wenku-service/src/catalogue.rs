//! Disclosure catalogues (主动公开事项目录): the items a level must
//! publish of its own accord, and whether their legal basis still holds.
//!
//! **The document.** A catalogue is a work of type `catalogue`; its items
//! are the rows of the table in its text, the first row naming the
//! columns. The six elements are found by their headers — subject body
//! (主体), content (内容), time limit (时限), method (方式), channel (渠道),
//! responsibility (责任) — besides the item's name (事项) and its legal
//! basis (依据), whose 《titles》 and document numbers are citations. Being
//! a document, a catalogue is versioned and pulled like any other; each
//! level keeps its own in its own region.
//!
//! **The check.** "Kept current and consistent with the laws in force":
//! [`check`] resolves every item's basis in the library and reports the
//! ones that were repealed, expired or withdrawn by `today`, or that have
//! a version published after the catalogue's version (amended since the
//! catalogue was written), and the ones the library does not hold.

use serde::Serialize;
use wenku_model::{Block, Citation, Date, DocNumber, Document, Status, WorkId};
use wenku_store::Snapshot;

use crate::{Error, Result};

/// The columns of a catalogue's table, by what their header contains.
const COLUMNS: [(&str, &[&str]); 8] = [
    ("name", &["事项"]),
    ("subject", &["主体"]),
    ("content", &["内容"]),
    ("time_limit", &["时限"]),
    ("method", &["方式"]),
    ("channel", &["渠道"]),
    ("responsibility", &["责任"]),
    ("basis", &["依据"]),
];

/// One item of a catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Its row in the table (1 is the first after the header).
    pub row: usize,
    /// 事项: what is disclosed.
    pub name: String,
    /// 公开主体.
    pub subject: String,
    /// 公开内容.
    pub content: String,
    /// 公开时限.
    pub time_limit: String,
    /// 公开方式.
    pub method: String,
    /// 公开渠道.
    pub channel: String,
    /// 责任单位.
    pub responsibility: String,
    /// 依据, as written.
    pub basis: String,
}

/// The items of a catalogue's text: the rows of its first table whose
/// header names an item (事项) and a basis (依据) column. Refuses a text
/// without such a table, saying what was expected.
pub fn items(work: &WorkId, doc: &Document) -> Result<Vec<Item>> {
    fn tables(blocks: &[Block], out: &mut Vec<Vec<Vec<String>>>) {
        for b in blocks {
            match b {
                Block::Table(t) => out.push(t.rows.clone()),
                Block::Unit(u) => tables(&u.children, out),
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    tables(&doc.body, &mut found);
    for rows in found {
        let Some(header) = rows.first() else {
            continue;
        };
        let column = |keys: &[&str]| {
            header
                .iter()
                .position(|h| keys.iter().any(|k| h.contains(k)))
        };
        let at: Vec<Option<usize>> = COLUMNS.iter().map(|(_, keys)| column(keys)).collect();
        let (Some(_), Some(_)) = (at[0], at[7]) else {
            continue;
        };
        let cell = |row: &[String], i: usize| {
            at[i]
                .and_then(|c| row.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        return Ok(rows[1..]
            .iter()
            .enumerate()
            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
            .map(|(i, r)| Item {
                row: i + 1,
                name: cell(r, 0),
                subject: cell(r, 1),
                content: cell(r, 2),
                time_limit: cell(r, 3),
                method: cell(r, 4),
                channel: cell(r, 5),
                responsibility: cell(r, 6),
                basis: cell(r, 7),
            })
            .collect());
    }
    Err(Error::refused(format!(
        "{work} has no table of items: a catalogue's text needs a table whose first row names the columns, with 事项 and 依据 among them (and 主体, 内容, 时限, 方式, 渠道, 责任)"
    )))
}

/// The citations an item's basis makes: each 《title》, and each document
/// number written without one.
pub fn citations(basis: &str) -> Vec<Citation> {
    let mut out = Vec::new();
    let mut rest = basis;
    while let Some(open) = rest.find('《') {
        let after = &rest[open + '《'.len_utf8()..];
        let Some(close) = after.find('》') else {
            break;
        };
        out.push(Citation::title(after[..close].trim()));
        rest = &after[close + '》'.len_utf8()..];
    }
    if out.is_empty() {
        for piece in basis.split(['、', '，', ',', '；', ';', ' ']) {
            if let Some(n) = DocNumber::parse(piece.trim()) {
                out.push(Citation {
                    number: Some(n),
                    title: None,
                });
            }
        }
    }
    out
}

/// What is wrong with an item's basis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum Problem {
    /// The library holds no document the citation names.
    NotInLibrary,
    /// Repealed, expired or withdrawn by the day checked.
    Ended {
        /// 已废止, 失效 or 已撤回, as the status's name.
        status: String,
        /// The document.
        work: String,
    },
    /// A version published after the catalogue's version.
    Amended {
        /// The document.
        work: String,
        /// The new version's publication date.
        published: String,
    },
}

/// One item whose basis no longer holds as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The item's row.
    pub row: usize,
    /// The item's name.
    pub item: String,
    /// The citation as read (`《中华人民共和国立法法》`).
    pub basis: String,
    /// What is wrong.
    #[serde(flatten)]
    pub problem: Problem,
}

/// The result of checking a catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The catalogue.
    pub work: String,
    /// Its version checked (the one in force on the day).
    pub revision: String,
    /// That version's publication date.
    pub published: String,
    /// The day checked.
    pub on: String,
    /// Items read.
    pub items: usize,
    /// Citations resolved.
    pub citations: usize,
    /// What no longer holds.
    pub findings: Vec<Finding>,
}

/// Checks catalogue `work` on `today` (see the module's docs).
pub fn check(snapshot: &Snapshot, work: &WorkId, today: Date) -> Result<Report> {
    let record = snapshot.require_record(work)?;
    let version = record
        .version_at(today)
        .or(record.versions.first())
        .ok_or_else(|| Error::not_found(format!("{work} has no version")))?
        .clone();
    let doc = snapshot.document(work, &version.revision)?;
    let items = items(work, &doc)?;
    let mut findings = Vec::new();
    let mut resolved = 0;
    for item in &items {
        for citation in citations(&item.basis) {
            let basis = match (&citation.title, &citation.number) {
                (Some(t), _) => format!("《{t}》"),
                (None, Some(n)) => n.to_string(),
                (None, None) => continue,
            };
            resolved += 1;
            let found = snapshot.lookup(&citation)?;
            if found.is_empty() {
                findings.push(Finding {
                    row: item.row,
                    item: item.name.clone(),
                    basis,
                    problem: Problem::NotInLibrary,
                });
                continue;
            }
            for target in found {
                let Some(law) = snapshot.record(&target)? else {
                    continue;
                };
                let status = law.status_at(today);
                if matches!(
                    status,
                    Status::Repealed | Status::Expired | Status::Withdrawn
                ) {
                    findings.push(Finding {
                        row: item.row,
                        item: item.name.clone(),
                        basis: basis.clone(),
                        problem: Problem::Ended {
                            status: status.chinese().to_string(),
                            work: target.to_string(),
                        },
                    });
                } else if let Some(newer) = law
                    .versions
                    .iter()
                    .filter(|v| v.published > version.published && v.published <= today)
                    .max_by_key(|v| v.published)
                {
                    findings.push(Finding {
                        row: item.row,
                        item: item.name.clone(),
                        basis: basis.clone(),
                        problem: Problem::Amended {
                            work: target.to_string(),
                            published: newer.published.to_string(),
                        },
                    });
                }
            }
        }
    }
    Ok(Report {
        work: work.to_string(),
        revision: version.revision.to_string(),
        published: version.published.to_string(),
        on: today.to_string(),
        items: items.len(),
        citations: resolved,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_basis_cites_its_titles_or_else_its_numbers() {
        let c = citations("《中华人民共和国政府信息公开条例》第二十条、《山东省政务公开办法》");
        assert_eq!(
            c.iter()
                .map(|c| c.title.clone().unwrap_or_default())
                .collect::<Vec<_>>(),
            ["中华人民共和国政府信息公开条例", "山东省政务公开办法"]
        );
        let n = citations("鲁政办发〔2025〕5号");
        assert_eq!(n.len(), 1);
        assert!(n[0].number.is_some());
        assert!(citations("依法公开").is_empty());
    }
}

/// How one item changed between two versions of a catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    /// `added`, `removed`, or `changed`.
    pub change: &'static str,
    /// The item's name (事项) as the newer version writes it (the older
    /// one's for a removed item).
    pub name: String,
    /// Its row in the older version (null for an added item).
    pub from_row: Option<usize>,
    /// Its row in the newer version (null for a removed item).
    pub to_row: Option<usize>,
    /// The elements that differ (`subject`, `content`, `time_limit`,
    /// `method`, `channel`, `responsibility`, `basis`; `name` when only
    /// its writing changed), before and after; empty for added and
    /// removed items.
    pub fields: Vec<ItemField>,
}

/// One element of an item, before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemField {
    /// The element.
    pub field: &'static str,
    /// Before.
    pub before: String,
    /// After.
    pub after: String,
}

/// Two versions of a catalogue compared item by item.
#[derive(Debug, Serialize)]
pub struct CatalogueDiff {
    /// The catalogue.
    pub work: String,
    /// The older version.
    pub from: String,
    /// Its publication date.
    pub from_published: String,
    /// The newer version.
    pub to: String,
    /// Its publication date.
    pub to_published: String,
    /// Items in both versions, unchanged.
    pub unchanged: usize,
    /// The items added, removed or changed: the newer version's order,
    /// each removed item after the item that preceded it.
    pub items: Vec<ItemChange>,
}

/// An item's name as it is matched: width, spaces and punctuation do not
/// make two items different.
fn item_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .filter(|c| {
            !c.is_whitespace() && !c.is_ascii_punctuation() && !"、，。；：（）《》“”".contains(*c)
        })
        .collect()
}

fn elements(item: &Item) -> [(&'static str, &str); 7] {
    [
        ("subject", &item.subject),
        ("content", &item.content),
        ("time_limit", &item.time_limit),
        ("method", &item.method),
        ("channel", &item.channel),
        ("responsibility", &item.responsibility),
        ("basis", &item.basis),
    ]
}

/// The item-by-item changes from `before` to `after`: items are matched
/// by name (its writing aside; the first of repeated names with the first),
/// and for each matched pair every element that differs is listed.
/// wenku-diff compares a table as one block; this says which item of a
/// catalogue changed and how.
pub fn diff_items(before: &[Item], after: &[Item]) -> (Vec<ItemChange>, usize) {
    let mut unmatched: Vec<Option<&Item>> = before.iter().map(Some).collect();
    let mut out = Vec::new();
    let mut unchanged = 0;
    // For each item of `after`, its partner in `before`.
    let mut partner_of_before: Vec<Option<usize>> = vec![None; before.len()];
    let mut pairs: Vec<(Option<usize>, &Item)> = Vec::new();
    for item in after {
        let key = item_key(&item.name);
        let found = unmatched
            .iter()
            .position(|b| b.is_some_and(|b| item_key(&b.name) == key));
        if let Some(i) = found {
            unmatched[i] = None;
            partner_of_before[i] = Some(pairs.len());
        }
        pairs.push((found, item));
    }
    // Removed items go after the newer item that follows their nearest
    // matched predecessor.
    let mut removed_after: std::collections::BTreeMap<Option<usize>, Vec<&Item>> =
        std::collections::BTreeMap::new();
    let mut last: Option<usize> = None;
    for (i, b) in before.iter().enumerate() {
        match partner_of_before[i] {
            Some(p) => last = Some(p),
            None => removed_after.entry(last).or_default().push(b),
        }
    }
    let removed = |items: Option<&Vec<&Item>>, out: &mut Vec<ItemChange>| {
        for b in items.into_iter().flatten() {
            out.push(ItemChange {
                change: "removed",
                name: b.name.clone(),
                from_row: Some(b.row),
                to_row: None,
                fields: Vec::new(),
            });
        }
    };
    removed(removed_after.get(&None), &mut out);
    for (index, (found, item)) in pairs.iter().enumerate() {
        match found {
            None => out.push(ItemChange {
                change: "added",
                name: item.name.clone(),
                from_row: None,
                to_row: Some(item.row),
                fields: Vec::new(),
            }),
            Some(i) => {
                let old = &before[*i];
                let mut fields: Vec<ItemField> = elements(old)
                    .iter()
                    .zip(elements(item).iter())
                    .filter(|((_, a), (_, b))| a != b)
                    .map(|((field, a), (_, b))| ItemField {
                        field,
                        before: a.to_string(),
                        after: b.to_string(),
                    })
                    .collect();
                if old.name != item.name {
                    fields.insert(
                        0,
                        ItemField {
                            field: "name",
                            before: old.name.clone(),
                            after: item.name.clone(),
                        },
                    );
                }
                if fields.is_empty() {
                    unchanged += 1;
                } else {
                    out.push(ItemChange {
                        change: "changed",
                        name: item.name.clone(),
                        from_row: Some(old.row),
                        to_row: Some(item.row),
                        fields,
                    });
                }
            }
        }
        removed(removed_after.get(&Some(index)), &mut out);
    }
    (out, unchanged)
}

/// Compares two versions of the catalogue `work` item by item.
pub fn diff(
    snapshot: &Snapshot,
    work: &WorkId,
    from: &wenku_model::VersionEntry,
    to: &wenku_model::VersionEntry,
) -> Result<CatalogueDiff> {
    let old = items(work, &snapshot.document(work, &from.revision)?)?;
    let new = items(work, &snapshot.document(work, &to.revision)?)?;
    let (changes, unchanged) = diff_items(&old, &new);
    Ok(CatalogueDiff {
        work: work.to_string(),
        from: from.revision.to_string(),
        from_published: from.published.to_string(),
        to: to.revision.to_string(),
        to_published: to.published.to_string(),
        unchanged,
        items: changes,
    })
}

#[cfg(test)]
mod diff_tests {
    use super::*;

    fn item(row: usize, name: &str, time_limit: &str) -> Item {
        Item {
            row,
            name: name.into(),
            subject: "市政府办公厅".into(),
            content: "内容".into(),
            time_limit: time_limit.into(),
            method: "主动公开".into(),
            channel: "政府网站".into(),
            responsibility: "市政府办公厅".into(),
            basis: "《中华人民共和国政府信息公开条例》".into(),
        }
    }

    #[test]
    fn items_are_matched_by_name_and_compared_element_by_element() {
        let before = [
            item(1, "机构职能", "20个工作日"),
            item(2, "规范性文件", "20个工作日"),
            item(3, "财政预决算", "20日内"),
        ];
        let after = [
            item(1, "机构职能", "20个工作日"),
            item(2, "规范性文件 ", "15个工作日"),
            item(3, "政策解读", "同步"),
        ];
        let (changes, unchanged) = diff_items(&before, &after);
        assert_eq!(unchanged, 1);
        let summary: Vec<(&str, &str, Option<usize>, Option<usize>)> = changes
            .iter()
            .map(|c| (c.change, c.name.trim(), c.from_row, c.to_row))
            .collect();
        assert_eq!(
            summary,
            [
                ("changed", "规范性文件", Some(2), Some(2)),
                ("removed", "财政预决算", Some(3), None),
                ("added", "政策解读", None, Some(3)),
            ]
        );
        let fields: Vec<&str> = changes[0].fields.iter().map(|f| f.field).collect();
        assert_eq!(fields, ["name", "time_limit"]);
        assert_eq!(changes[0].fields[1].before, "20个工作日");
        assert_eq!(changes[0].fields[1].after, "15个工作日");
        // Identical lists: nothing changed.
        let (none, same) = diff_items(&before, &before);
        assert!(none.is_empty());
        assert_eq!(same, 3);
        // A removed first item comes first.
        let (changes, _) = diff_items(&before, &after[1..]);
        assert_eq!(changes[0].change, "removed");
        assert_eq!(changes[0].name, "机构职能");
    }
}
