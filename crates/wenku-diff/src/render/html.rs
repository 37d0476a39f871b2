//! A self-contained side-by-side HTML page: the old version on the left,
//! the new one on the right, one row per aligned unit, changed characters
//! highlighted, renumbering shown as `第六十九条 → 第六十八条`. No scripts,
//! fonts or style sheets are loaded from anywhere.

use crate::comparison::{Change, ChangeKind, Comparison};
use crate::render::{
    Mark, Version, escape_html, heading, html, label, lines, notes, separator, summary_line,
};
use crate::side::Side;

const STYLE: &str = "\
body{font-family:\"Noto Serif CJK SC\",\"Source Han Serif SC\",\"SimSun\",serif;margin:1.5em;color:#1b1b1b;background:#fff}
h1{font-size:1.3em;margin:0 0 .3em}
.sides,.summary{margin:.2em 0;color:#444}
table.diff{border-collapse:collapse;width:100%;table-layout:fixed;margin-top:1em}
table.diff th{background:#f2f2f2;text-align:left;padding:.4em .6em;border:1px solid #ddd}
table.diff td{vertical-align:top;padding:.35em .6em;border:1px solid #e4e4e4;line-height:1.7}
td p{margin:0}
.label{font-weight:bold;margin-right:.3em}
.badge{display:inline-block;font-size:.8em;padding:0 .4em;margin-right:.4em;border-radius:.3em;background:#eee;color:#333}
.modified .badge{background:#fff1c2}.added .badge{background:#d7f5d9}.deleted .badge{background:#fbd9d9}
.note{font-size:.8em;color:#555;margin-left:.4em}
tr.unchanged td{color:#666}
tr.division td{background:#fafafa;font-weight:bold}
tr.title td{font-weight:bold;font-size:1.1em}
td.empty{background:#fcfcfc}
del{background:#fbd9d9;text-decoration:line-through}
ins{background:#c8f0cb;text-decoration:none}
del.width,ins.width{background:#eef;text-decoration:none;outline:1px dotted #99c}
";

/// Renders the comparison as a complete HTML page.
pub fn to_html(comparison: &Comparison, from: &Side, to: &Side) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<title>修订对照：{} → {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        html(&from.describe()),
        html(&to.describe())
    ));
    out.push_str("<h1>修订对照</h1>\n");
    out.push_str(&format!(
        "<p class=\"sides\">修订前：{}<br>修订后：{}</p>\n",
        html(&from.describe()),
        html(&to.describe())
    ));
    out.push_str(&format!(
        "<p class=\"summary\">{}</p>\n",
        html(&summary_line(comparison))
    ));
    out.push_str("<table class=\"diff\">\n<colgroup><col><col></colgroup>\n");
    out.push_str("<thead><tr><th>修订前</th><th>修订后</th></tr></thead>\n<tbody>\n");
    for (k, c) in comparison.changes.iter().enumerate() {
        row(&mut out, k, c, false);
    }
    out.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    out
}

/// The side-by-side table alone, for a page that brings its own frame and
/// style sheet (wenkud's compare page). Each row carries what it shows as
/// data attributes — `data-kind` (`unchanged`, `modified`, `added`,
/// `deleted`), `data-from` and `data-to` (the labels in each version),
/// and `data-renumbered`, `data-moved`, `data-split`, `data-merged` when
/// they hold — so that readers and tests can find them without parsing
/// text.
///
/// Runs of at least `fold` unchanged articles (or paragraphs, entries …;
/// never chapter headings, which give the reader their bearings) are
/// folded into a `<details>` element that opens in place, without
/// scripts; its summary says how many units it holds and how many of
/// them were only renumbered. `fold` 0 folds nothing.
pub fn to_html_fragment(comparison: &Comparison, fold: usize) -> String {
    let mut out = String::new();
    out.push_str("<table class=\"diff\">\n<colgroup><col><col></colgroup>\n");
    out.push_str("<thead><tr><th scope=\"col\">修订前</th><th scope=\"col\">修订后</th></tr></thead>\n<tbody>\n");
    let changes = &comparison.changes;
    let foldable = |c: &Change| {
        c.kind == ChangeKind::Unchanged && !c.is_substantive() && !c.element.is_division()
    };
    let mut k = 0;
    while k < changes.len() {
        let run = changes[k..].iter().take_while(|c| foldable(c)).count();
        if fold > 0 && run >= fold {
            let renumbered = changes[k..k + run].iter().filter(|c| c.renumbered).count();
            let mut summary = format!("{run} 处未修改");
            if renumbered > 0 {
                summary.push_str(&format!("（其中 {renumbered} 处仅序号调整）"));
            }
            let first = changes[k].to.as_ref().map(|u| u.display_label());
            let last = changes[k + run - 1].to.as_ref().map(|u| u.display_label());
            if let (Some(a), Some(b)) = (first, last) {
                summary.push_str(&format!("：{a}至{b}"));
            }
            out.push_str(&format!(
                "<tr class=\"fold\"><td colspan=\"2\"><details><summary>{}</summary>\n\
                 <table class=\"diff folded\"><colgroup><col><col></colgroup><tbody>\n",
                html(&summary)
            ));
            for (j, c) in changes[k..k + run].iter().enumerate() {
                row(&mut out, k + j, c, true);
            }
            out.push_str("</tbody></table></details></td></tr>\n");
            k += run;
        } else {
            let n = run.max(1);
            for (j, c) in changes[k..k + n].iter().enumerate() {
                row(&mut out, k + j, c, true);
            }
            k += n;
        }
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn row(out: &mut String, k: usize, c: &Change, data: bool) {
    let mut classes = vec![c.kind.as_str()];
    if c.element.is_division() {
        classes.push("division");
    }
    if c.element.is_front_matter() {
        classes.push(c.element.as_str());
    }
    if c.rewritten {
        classes.push("rewritten");
    }
    out.push_str(&format!("<tr id=\"c{k}\" class=\"{}\"", classes.join(" ")));
    if data {
        out.push_str(&format!(" data-kind=\"{}\"", c.kind.as_str()));
        for (name, unit) in [("from", &c.from), ("to", &c.to)] {
            if let Some(l) = unit.as_ref().and_then(|u| u.label.as_deref()) {
                out.push_str(&format!(" data-{name}=\"{}\"", html(l)));
            }
        }
        for (name, set) in [
            ("renumbered", c.renumbered),
            ("moved", c.moved.is_some()),
            ("split", !c.split_into.is_empty()),
            ("merged", !c.merged_from.is_empty()),
            ("rewritten", c.rewritten),
        ] {
            if set {
                out.push_str(&format!(" data-{name}=\"true\""));
            }
        }
    }
    out.push('>');
    cell(out, c, Version::Old);
    cell(out, c, Version::New);
    out.push_str("</tr>\n");
}

fn cell(out: &mut String, c: &Change, version: Version) {
    let present = match version {
        Version::Old => c.from.is_some(),
        Version::New => c.to.is_some(),
    };
    if !present {
        out.push_str("<td class=\"empty\"></td>");
        return;
    }
    let side = match version {
        Version::Old => "old",
        Version::New => "new",
    };
    out.push_str(&format!(
        "<td class=\"{side}\" style=\"padding-left:{}em\">",
        0.6 + c.depth as f32 * 1.5
    ));
    let text = lines(&c.edits, version);
    // The new side carries the kind, the renumbering and the notes; a
    // deleted unit's kind shows on the old side.
    let mut head = String::new();
    let badge = match (version, c.kind) {
        (Version::New, ChangeKind::Unchanged) => None,
        (Version::New, kind) | (Version::Old, kind @ ChangeKind::Deleted) => Some(kind),
        (Version::Old, _) => None,
    };
    if let Some(kind) = badge {
        head.push_str(&format!("<span class=\"badge\">{}</span>", kind.chinese()));
    }
    if label(c, version).is_some() {
        let shown = match version {
            Version::New => heading(c),
            Version::Old => label(c, version).unwrap_or_default(),
        };
        head.push_str(&format!("<span class=\"label\">{}</span>", html(&shown)));
    }
    // Notes follow the label of a unit, but the heading of a division:
    // between `第一章` and `总则` they would cut the heading in two.
    let mut tail = String::new();
    if version == Version::New {
        let target = if c.element.is_division() {
            &mut tail
        } else {
            &mut head
        };
        for note in notes(c) {
            target.push_str(&format!("<span class=\"note\">{}</span>", html(&note)));
        }
    }
    if text.is_empty() {
        out.push_str(&format!("<p>{head}{tail}</p>"));
    }
    for (n, line) in text.iter().enumerate() {
        out.push_str("<p>");
        if n == 0 {
            out.push_str(&head);
            if !head.is_empty() {
                out.push_str(separator(c.element));
            }
        }
        for (mark, piece) in line {
            match mark {
                Mark::Same => escape_html(piece, out),
                Mark::Changed | Mark::Width => {
                    let tag = match version {
                        Version::Old => "del",
                        Version::New => "ins",
                    };
                    let class = if *mark == Mark::Width {
                        " class=\"width\""
                    } else {
                        ""
                    };
                    out.push_str(&format!("<{tag}{class}>"));
                    escape_html(piece, out);
                    out.push_str(&format!("</{tag}>"));
                }
            }
        }
        if n == 0 {
            out.push_str(&tail);
        }
        out.push_str("</p>");
    }
    out.push_str("</td>");
}
