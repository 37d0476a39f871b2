//! Tables laid out in text.
//!
//! Policy texts carry small tables — fee schedules, responsibility lists,
//! 修改对照 excerpts — and the sources lay them out two ways:
//!
//! - **Markdown pipe tables**: `| 项目 | 标准 |`, a separator row
//!   `| --- | :---: |`, then rows. The pipes and the separator row are
//!   markup; they are left out and reported dropped, so the no-loss check
//!   still holds.
//! - **Aligned text**: columns kept apart by tabs or by runs of two or more
//!   spaces (ASCII or ideographic), the way a table pasted from a word
//!   processor or a PDF arrives. Whitespace is not text, so nothing is
//!   dropped.
//!
//! A paragraph that merely contains a wide gap must not become a table, so
//! aligned text needs evidence: at least two consecutive lines (a header and
//! a row), every line splitting into the same number of columns (two to
//! twelve), and short cells that do not read as sentences. Labelled lines
//! (articles, entries, items) never reach this module: the builder tries
//! labels first.

use wenku_model::Table;

use crate::label;
use crate::line::{Line, is_blank};

/// Widest table recognised in aligned text.
const MAX_COLUMNS: usize = 12;
/// Longest cell of an aligned-text table, in characters.
const MAX_CELL: usize = 40;

/// A table found at a line.
pub(crate) struct Found {
    /// The table, cells trimmed.
    pub table: Table,
    /// How many lines it takes.
    pub taken: usize,
    /// The markup left out (a pipe table's pipes and separator row), in
    /// input order; empty for aligned text.
    pub markup: String,
}

/// The table starting at `lines[i]`, if one does.
pub(crate) fn at(lines: &[Line], i: usize) -> Option<Found> {
    pipe_table(lines, i).or_else(|| aligned(lines, i))
}

/// `| a | b |` rows around a `|---|---|` separator.
fn pipe_table(lines: &[Line], i: usize) -> Option<Found> {
    let header = pipe_cells(&lines.get(i)?.text)?;
    let separator = lines.get(i + 1)?;
    let columns = separator_columns(&separator.text)?;
    if columns != header.len() || lines[i].heading.is_some() {
        return None;
    }
    let mut markup = pipes(&lines[i].text);
    markup.push_str(&separator.text);
    let mut rows = vec![header];
    let mut taken = 2;
    while let Some(line) = lines.get(i + taken)
        && line.heading.is_none()
        && let Some(mut cells) = pipe_cells(&line.text)
    {
        // GitHub's rule: a short row is padded, a long one cut — but cutting
        // would lose text, so a long row keeps its cells and the table
        // widens.
        cells.resize(cells.len().max(columns), String::new());
        markup.push_str(&pipes(&line.text));
        rows.push(cells);
        taken += 1;
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(columns);
    for row in &mut rows {
        row.resize(width, String::new());
    }
    Some(Found {
        table: Table { rows },
        taken,
        markup,
    })
}

/// The cells of a pipe-table row: a line that starts with `|` and has at
/// least one more.
fn pipe_cells(text: &str) -> Option<Vec<String>> {
    let inner = text.strip_prefix('|')?;
    if !inner.contains('|') && !inner.is_empty() {
        // `|` alone at the start of prose is not a row.
        return None;
    }
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    Some(
        inner
            .split('|')
            .map(|c| c.trim_matches(char::is_whitespace).to_string())
            .collect(),
    )
}

/// The pipes of a row, the markup left out of it.
fn pipes(text: &str) -> String {
    text.chars().filter(|c| *c == '|').collect()
}

/// How many columns a separator row (`| --- | :---: |`) declares.
fn separator_columns(text: &str) -> Option<usize> {
    let inner = text.strip_prefix('|').unwrap_or(text);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut n = 0;
    for cell in inner.split('|') {
        let cell = cell.trim_matches(is_blank);
        let dashes = cell.trim_start_matches(':').trim_end_matches(':');
        if dashes.len() < 3 || !dashes.bytes().all(|b| b == b'-') {
            return None;
        }
        n += 1;
    }
    (n > 0 && text.contains('|')).then_some(n)
}

/// Consecutive lines of aligned columns.
fn aligned(lines: &[Line], i: usize) -> Option<Found> {
    let first = aligned_cells(&lines[i])?;
    let columns = first.len();
    let mut rows = vec![first];
    while let Some(line) = lines.get(i + rows.len())
        && let Some(cells) = aligned_cells(line)
        && cells.len() == columns
    {
        rows.push(cells);
    }
    if rows.len() < 2 {
        return None;
    }
    // Sentences in every row are running text set wide, not a table.
    let prose = rows
        .iter()
        .filter(|row| row.iter().any(|c| c.ends_with(['。', '；', ';'])))
        .count();
    if prose * 2 > rows.len() {
        return None;
    }
    let taken = rows.len();
    Some(Found {
        table: Table { rows },
        taken,
        markup: String::new(),
    })
}

/// The columns of one aligned line: cells apart by a tab or by two or more
/// blanks; `None` unless there are 2 to [`MAX_COLUMNS`] short cells and
/// the line is not labelled structure.
fn aligned_cells(line: &Line) -> Option<Vec<String>> {
    if line.heading.is_some() || label::parse(&line.text).is_some() {
        return None;
    }
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut gap = String::new();
    for c in line.text.chars() {
        // Only whitespace parts columns: a zero-width character is text
        // to the no-loss check and stays in its cell.
        if c.is_whitespace() {
            gap.push(c);
            continue;
        }
        if !gap.is_empty() {
            if gap.contains('\t') || gap.chars().count() >= 2 {
                cells.push(std::mem::take(&mut cell));
            } else {
                cell.push_str(&gap);
            }
            gap.clear();
        }
        cell.push(c);
    }
    cells.push(cell);
    let ok = (2..=MAX_COLUMNS).contains(&cells.len())
        && cells
            .iter()
            .all(|c| !c.is_empty() && c.chars().count() <= MAX_CELL);
    ok.then_some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::test_lines as lines;

    fn rows(found: &Found) -> Vec<Vec<&str>> {
        found
            .table
            .rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn a_pipe_table_keeps_its_cells_and_drops_its_markup() {
        let ls = lines(&[
            "| 收费项目 | 计费单位 | 收费标准（元） |",
            "| --- | :---: | ---: |",
            "| 工本费 | 本 | 10 |",
            "|补证费|次||",
            "第二条 下文。",
        ]);
        let found = at(&ls, 0).expect("a table");
        assert_eq!(found.taken, 4);
        assert_eq!(
            rows(&found),
            [
                vec!["收费项目", "计费单位", "收费标准（元）"],
                vec!["工本费", "本", "10"],
                vec!["补证费", "次", ""],
            ]
        );
        assert_eq!(
            found.markup.chars().filter(|c| *c == '|').count(),
            4 + 4 + 4 + 4
        );
        assert!(found.markup.contains(":---:"));
    }

    #[test]
    fn aligned_columns_make_a_table() {
        let ls = lines(&[
            "序号\t事项名称\t责任单位",
            "1\t政策解读\t市政府办公室",
            "2　　依申请公开　　市司法局",
            "以上事项按期完成。",
        ]);
        let found = at(&ls, 0).expect("a table");
        assert_eq!(found.taken, 3);
        assert_eq!(rows(&found)[2], ["2", "依申请公开", "市司法局"]);
        assert!(found.markup.is_empty());
    }

    #[test]
    fn prose_and_single_lines_are_not_tables() {
        // One line with a wide gap.
        assert!(at(&lines(&["市政府办公室  负责", "下一段没有空隙。"]), 0).is_none());
        // A single space (ASCII or ideographic) does not part columns.
        assert!(at(&lines(&["第一章　总　则", "第二章　管　理"]), 0).is_none());
        // Sentences set wide.
        assert!(
            at(
                &lines(&["各部门要落实。  市政府督查。", "各镇要落实。  区政府督查。"]),
                0
            )
            .is_none()
        );
        // Rows of different widths.
        assert!(at(&lines(&["甲  乙  丙", "丁  戊"]), 0).is_none());
        // A pipe inside prose.
        assert!(at(&lines(&["|这是一句话", "| --- |"]), 0).is_none());
    }
}
