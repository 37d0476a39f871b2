//! The little Markdown legal compilations use: a `# title`, dated history
//! lines, an `<!-- INFO END -->` marker, and `##`/`###` headings for
//! 编/章/节. Markers are removed (and reported as dropped); what they marked
//! is kept on the line for structure recognition.

use crate::diagnostic::{Diagnostic, codes};
use crate::line::{Line, is_blank, is_zero_width};

/// The marker ending a compilation's header.
const INFO_END: &str = "<!-- INFO END -->";

/// Removes Markdown markers from `lines`, recording heading levels and
/// which lines form the compilation header.
pub(crate) fn strip(lines: Vec<Line>, diags: &mut Vec<Diagnostic>) -> Vec<Line> {
    let has_info_end = lines.iter().any(|l| l.text == INFO_END);
    let mut in_header = false;
    let mut seen_title = false;
    let mut out = Vec::with_capacity(lines.len());
    for mut line in lines {
        if line.text.starts_with("<!--") && line.text.ends_with("-->") {
            let message = if line.text == INFO_END {
                in_header = false;
                "left out the compilation's header marker"
            } else {
                "left out an HTML comment"
            };
            diags.push(
                Diagnostic::info(Some(line.no), codes::MARKDOWN_COMMENT, message)
                    .with_dropped(line.text),
            );
            continue;
        }
        if let Some((level, rest)) = heading(&line.text) {
            // The marker, and any zero-width characters between it and the text.
            let gap = &line.text[usize::from(level)..line.text.len() - rest.len()];
            let mut marker = "#".repeat(usize::from(level));
            marker.extend(gap.chars().filter(|c| is_zero_width(*c)));
            diags.push(
                Diagnostic::info(
                    Some(line.no),
                    codes::MARKDOWN_MARKER,
                    format!(
                        "left out the Markdown heading marker {:?}",
                        "#".repeat(usize::from(level))
                    ),
                )
                .with_dropped(marker),
            );
            if rest.is_empty() {
                continue;
            }
            line.text = rest.to_string();
            line.heading = Some(level);
            if level == 1 && !seen_title {
                seen_title = true;
                in_header = has_info_end;
                out.push(line);
                continue;
            }
            in_header = false;
        }
        line.header = in_header;
        out.push(line);
    }
    out
}

/// `## 第一章 总则` → (2, `第一章 总则`).
fn heading(text: &str) -> Option<(u8, &str)> {
    let hashes = text.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &text[hashes..];
    if !(rest.is_empty() || rest.starts_with(is_blank)) {
        return None;
    }
    u8::try_from(hashes)
        .ok()
        .map(|h| (h, rest.trim_start_matches(is_blank)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::test_lines as lines;

    #[test]
    fn strips_markers_and_marks_the_header() {
        let mut d = Vec::new();
        let out = strip(
            lines(&[
                "# 中华人民共和国立法法",
                "2000年3月15日 第九届全国人民代表大会第三次会议通过",
                "<!-- INFO END -->",
                "## 第一章 总则",
                "第一条 为了……",
                "#hashtag",
            ]),
            &mut d,
        );
        let got: Vec<_> = out
            .iter()
            .map(|l| (l.text.as_str(), l.heading, l.header))
            .collect();
        assert_eq!(
            got,
            [
                ("中华人民共和国立法法", Some(1), false),
                (
                    "2000年3月15日 第九届全国人民代表大会第三次会议通过",
                    None,
                    true
                ),
                ("第一章 总则", Some(2), false),
                ("第一条 为了……", None, false),
                ("#hashtag", None, false),
            ]
        );
        let dropped: Vec<_> = d.iter().filter_map(|x| x.dropped.as_deref()).collect();
        assert_eq!(dropped, ["#", "<!-- INFO END -->", "##"]);
    }
}
