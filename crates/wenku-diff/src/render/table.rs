//! The 修订前后对照表: a two-column table, 修订前 / 修订后, listing only the
//! units that changed — modified, added, deleted, moved, split or merged —
//! each with its label as written in that version. Renumbering alone and
//! width-only differences are left out, and a closing note counts them, as
//! tables published with amendments do ("条文序号作相应调整").
//!
//! Deleted text is struck through and inserted text underlined in HTML;
//! Markdown uses the same `<del>`/`<ins>` tags, because `~~`/`**` emphasis
//! does not open or close reliably next to CJK punctuation in CommonMark.
//! CSV cells hold plain text. A unit rewritten in place is one row, its
//! new label marked `（全文改写）`.

use crate::comparison::{Change, Comparison, Element};
use crate::render::{Mark, REWRITTEN, Version, escape_html, html, label, lines, separator};
use crate::side::Side;

const STYLE: &str = "\
body{font-family:\"Noto Serif CJK SC\",\"Source Han Serif SC\",\"SimSun\",serif;margin:1.5em;color:#1b1b1b}
table.comparison{border-collapse:collapse;width:100%;table-layout:fixed}
table.comparison caption{font-size:1.2em;font-weight:bold;margin-bottom:.5em}
table.comparison th,table.comparison td{border:1px solid #888;padding:.4em .6em;vertical-align:top;line-height:1.7}
table.comparison th{background:#f2f2f2}
td p{margin:0}
del{text-decoration:line-through;color:#a00}
ins{text-decoration:underline;font-weight:bold}
p.note{color:#444;font-size:.9em}
";

/// The rows of the table: changes that belong in it. Changed 题注 (the
/// history of adoption and amendment, a table of contents printed under
/// the title) are counted in the closing note instead, as tables
/// published with amendments list articles, not those lines.
fn rows(comparison: &Comparison) -> impl Iterator<Item = &Change> {
    comparison.changes.iter().filter(|c| listed(c))
}

fn listed(c: &Change) -> bool {
    c.is_substantive() && c.element != Element::Note
}

/// What the table says when no unit belongs in it.
const NO_ROWS: &str = "两个版本之间没有需要列出的修改。";

/// The closing note: what the table leaves out, if anything; when the
/// table is empty, that it is, so an empty table never says nothing.
fn note(comparison: &Comparison) -> Option<String> {
    let omitted = omitted(comparison);
    if rows(comparison).next().is_none() {
        return Some(match omitted {
            Some(o) => format!("{NO_ROWS}{o}"),
            None => NO_ROWS.to_string(),
        });
    }
    omitted
}

/// What the table leaves out, if anything.
fn omitted(comparison: &Comparison) -> Option<String> {
    let notes = comparison
        .changes
        .iter()
        .filter(|c| c.element == Element::Note && c.is_substantive())
        .count();
    let renumbered = comparison
        .changes
        .iter()
        .filter(|c| c.renumbered && !listed(c))
        .count();
    let width = comparison
        .changes
        .iter()
        .filter(|c| c.punctuation_only && !listed(c))
        .count();
    let mut parts = Vec::new();
    if notes > 0 {
        parts.push(format!("另有 {notes} 处题注变动"));
    }
    if renumbered > 0 {
        parts.push(format!(
            "{}{renumbered} 处仅序号调整",
            if parts.is_empty() { "另有 " } else { "" }
        ));
    }
    if width > 0 {
        parts.push(format!("{width} 处仅标点或空白不同"));
    }
    (!parts.is_empty()).then(|| format!("注：{}，未列入本表。", parts.join("，")))
}

fn caption(from: &Side, to: &Side) -> String {
    match (&from.label, &to.label) {
        (Some(a), Some(b)) if a == b => format!("{a}修订前后对照表"),
        _ => "修订前后对照表".to_string(),
    }
}

/// One cell: the label, then the text with changes marked by `mark`
/// (`mark(text, changed, width_only)`), lines joined by `newline`.
fn cell(
    c: &Change,
    version: Version,
    newline: &str,
    escape: impl Fn(&str) -> String,
    mark: impl Fn(&str, Version, bool) -> String,
) -> String {
    let present = match version {
        Version::Old => c.from.is_some(),
        Version::New => c.to.is_some(),
    };
    if !present {
        return String::new();
    }
    let mut out = String::new();
    if let Some(l) = label(c, version) {
        out.push_str(&escape(&l));
        if version == Version::New && c.rewritten {
            out.push_str(&escape(&format!("（{REWRITTEN}）")));
        }
        out.push_str(separator(c.element));
    } else if c.element.is_front_matter() {
        // A title or note has no label; say what the row is.
        out.push_str(&escape(&format!("（{}）", c.element.chinese())));
    }
    let text = lines(&c.edits, version);
    for (n, line) in text.iter().enumerate() {
        if n > 0 {
            out.push_str(newline);
        }
        for (m, piece) in line {
            match m {
                Mark::Same => out.push_str(&escape(piece)),
                Mark::Changed => out.push_str(&mark(&escape(piece), version, false)),
                Mark::Width => out.push_str(&mark(&escape(piece), version, true)),
            }
        }
    }
    out
}

fn html_mark(text: &str, version: Version, width_only: bool) -> String {
    if width_only {
        // Width differences are not revisions; show them plainly.
        return text.to_string();
    }
    match version {
        Version::Old => format!("<del>{text}</del>"),
        Version::New => format!("<ins>{text}</ins>"),
    }
}

/// The 修订前后对照表 as a complete HTML page.
pub fn to_table_html(comparison: &Comparison, from: &Side, to: &Side) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!(
        "<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        html(&caption(from, to))
    ));
    out.push_str(&to_table_fragment(comparison, from, to));
    out.push_str("</body>\n</html>\n");
    out
}

/// The 修订前后对照表 alone (the table and its closing note), for a page
/// that brings its own frame and style sheet.
pub fn to_table_fragment(comparison: &Comparison, from: &Side, to: &Side) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "<table class=\"comparison\">\n<caption>{}</caption>\n",
        html(&caption(from, to))
    ));
    out.push_str("<colgroup><col><col></colgroup>\n<thead><tr><th scope=\"col\">修订前");
    side_note(&mut out, from);
    out.push_str("</th><th scope=\"col\">修订后");
    side_note(&mut out, to);
    out.push_str("</th></tr></thead>\n<tbody>\n");
    for c in rows(comparison) {
        out.push_str("<tr>");
        for version in [Version::Old, Version::New] {
            let text = cell(c, version, "</p><p>", html, html_mark);
            if text.is_empty() {
                out.push_str("<td></td>");
            } else {
                out.push_str(&format!("<td><p>{text}</p></td>"));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if let Some(n) = note(comparison) {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", html(&n)));
    }
    out
}

fn side_note(out: &mut String, side: &Side) {
    let mut parts = Vec::new();
    if let Some(d) = side.published {
        parts.push(d.to_string());
    }
    if let Some(r) = side.revision {
        parts.push(r.short());
    }
    if !parts.is_empty() {
        out.push('（');
        escape_html(&parts.join(" · "), out);
        out.push('）');
    }
}

/// Escapes text for a Markdown table cell.
fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

/// The 修订前后对照表 as a Markdown table (lines within a cell joined by
/// `<br>`).
pub fn to_table_markdown(comparison: &Comparison, from: &Side, to: &Side) -> String {
    let mut out = format!("## {}\n\n", markdown(&caption(from, to)));
    let head = |side: &Side, name: &str| {
        let mut h = String::from(name);
        side_note(&mut h, side);
        h
    };
    out.push_str(&format!(
        "| {} | {} |\n| --- | --- |\n",
        head(from, "修订前"),
        head(to, "修订后")
    ));
    for c in rows(comparison) {
        let old = cell(c, Version::Old, "<br>", markdown, html_mark);
        let new = cell(c, Version::New, "<br>", markdown, html_mark);
        out.push_str(&format!("| {old} | {new} |\n"));
    }
    if let Some(n) = note(comparison) {
        out.push_str(&format!("\n{}\n", markdown(&n)));
    }
    out
}

/// Quotes a CSV field (RFC 4180).
fn csv(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// The 修订前后对照表 as CSV: a byte-order mark (spreadsheet programs on
/// Chinese systems read CSV without one as GBK and garble it), a header
/// row `修订前,修订后`, one row per listed unit, plain text, lines within a
/// cell joined by line breaks, and the closing note, if any, as a last row
/// of its own (first cell).
pub fn to_table_csv(comparison: &Comparison) -> String {
    let mut out = String::from("\u{feff}修订前,修订后\r\n");
    let plain = |t: &str| t.to_string();
    let unmarked = |t: &str, _: Version, _: bool| t.to_string();
    for c in rows(comparison) {
        let old = cell(c, Version::Old, "\n", plain, unmarked);
        let new = cell(c, Version::New, "\n", plain, unmarked);
        out.push_str(&format!("{},{}\r\n", csv(&old), csv(&new)));
    }
    if let Some(n) = note(comparison) {
        out.push_str(&format!("{},\r\n", csv(&n)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv("第一条　为了规范"), "第一条　为了规范");
        assert_eq!(csv("a,b"), "\"a,b\"");
        assert_eq!(csv("说\"明\"\n第二行"), "\"说\"\"明\"\"\n第二行\"");
    }

    #[test]
    fn markdown_escapes_table_syntax() {
        assert_eq!(markdown("a|b*c<d>"), "a\\|b\\*c&lt;d&gt;");
    }
}
