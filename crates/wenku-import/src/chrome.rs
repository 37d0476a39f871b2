//! Web-page chrome around an article copied from a government site: the
//! site name and menu, breadcrumbs, `字号：大 中 小`, `更新时间`/`来源` lines,
//! `上一篇`/`下一篇`, `扫码使用手机浏览本页内容`, print and close buttons,
//! footers. Such lines are left out with a diagnostic naming each one (or
//! kept as notes when the caller asks), after their metadata — the update
//! date, the source — has been read.

use wenku_model::Date;

use crate::date;
use crate::diagnostic::{Diagnostic, codes};
use crate::line::{Line, compact, is_blank};

/// Metadata read from chrome lines before they are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PageMeta {
    /// `更新时间`/`发布时间`/`发布日期`.
    pub date: Option<Date>,
    /// `来源`/`文章来源`/`信息来源`.
    pub source: Option<String>,
}

/// Labels of page metadata lines (`更新时间:2025-07-04 浏览量:`).
///
/// Only keys that web pages use and documents do not: `时间：` or `作者：`
/// can be content (a meeting notice's time), so they are not here.
const META_KEYS: &[&str] = &[
    "更新时间",
    "发布时间",
    "发布日期",
    "来源",
    "文章来源",
    "信息来源",
    "浏览量",
    "浏览次数",
    "访问量",
    "点击数",
    "点击量",
    "阅读量",
    "文章作者",
    "责任编辑",
    "字号",
    "字体",
];

/// Whole lines that are page widgets, compared without blanks or brackets.
const WIDGETS: &[&str] = &[
    "大中小",
    "打印本页",
    "打印",
    "关闭窗口",
    "关闭",
    "返回顶部",
    "返回",
    "收藏",
    "分享",
    "分享到",
    "打印关闭",
    "打印本页关闭窗口",
    "保存",
    "纠错",
    "我要纠错",
];

/// Phrases that only chrome contains.
const CHROME_PHRASES: &[&str] = &[
    "扫码使用手机浏览",
    "扫一扫在手机",
    "用手机扫描二维码",
    "手机浏览本页",
    "当前位置",
    "您所在的位置",
    "版权所有",
    "网站标识码",
    "ICP备",
    "主办单位：",
    "主办单位:",
    "承办单位：",
    "承办单位:",
];

fn is_widget(text: &str) -> bool {
    let t: String = compact(text)
        .chars()
        .filter(|c| !matches!(c, '【' | '】' | '[' | ']' | '|' | '｜' | '/'))
        .collect();
    !t.is_empty() && WIDGETS.contains(&t.as_str())
}

/// `更新时间:2025-07-04 浏览量:` and the like: a meta key, then `:`.
fn meta_key(text: &str) -> Option<&'static str> {
    let t = text.trim_start_matches(['【', '[']);
    META_KEYS
        .iter()
        .find(|k| {
            t.strip_prefix(**k)
                .map(|r| r.trim_start_matches(is_blank))
                .is_some_and(|r| r.starts_with([':', '：']))
        })
        .copied()
}

/// A site menu: several short space-separated words, one of them 首页.
fn is_menu(text: &str) -> bool {
    let words: Vec<&str> = text.split(is_blank).filter(|w| !w.is_empty()).collect();
    words.len() >= 4
        && words.iter().any(|w| w.contains("首页") || *w == "主页")
        && words
            .iter()
            .all(|w| w.chars().count() <= 8 && !w.contains(['，', '。', ',']))
}

fn is_chrome(text: &str) -> bool {
    if text.chars().count() > 120 {
        return false;
    }
    text.starts_with("上一篇")
        || text.starts_with("下一篇")
        || meta_key(text).is_some()
        || is_widget(text)
        || is_menu(text)
        || CHROME_PHRASES.iter().any(|p| text.contains(p))
}

/// Marks web chrome: removes it from `lines` (or keeps it marked when
/// `keep` is set), recording a diagnostic for each line and reading page
/// metadata from it.
pub(crate) fn strip(
    lines: Vec<Line>,
    keep: bool,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Line>, PageMeta) {
    let mut chrome: Vec<bool> = lines
        .iter()
        .map(|l| l.heading.is_none() && !l.header && is_chrome(&l.text))
        .collect();
    // A site name: a short line right before a menu at the top of the page.
    for i in 1..lines.len().min(6) {
        if chrome[i] && is_menu(&lines[i].text) {
            let name = &lines[i - 1].text;
            if name.chars().count() <= 20 && !name.contains(['，', '。', ',', '：', ':']) {
                chrome[i - 1] = true;
            }
        }
    }
    let mut meta = PageMeta::default();
    let mut out = Vec::with_capacity(lines.len());
    for (mut line, is_chrome) in lines.into_iter().zip(chrome) {
        if !is_chrome {
            out.push(line);
            continue;
        }
        read_meta(&line.text, &mut meta);
        let message = if keep {
            "kept web-page chrome as a note"
        } else {
            "left out web-page chrome"
        };
        // Chrome is recognised by heuristics, so what they drop is a warning.
        let mut d = Diagnostic::warning(Some(line.no), codes::WEB_CHROME, message);
        if !keep {
            d = d.with_dropped(line.text.clone());
            diags.push(d);
            continue;
        }
        diags.push(d);
        line.chrome = true;
        out.push(line);
    }
    (out, meta)
}

fn read_meta(text: &str, meta: &mut PageMeta) {
    match meta_key(text) {
        Some("更新时间" | "发布时间" | "发布日期") if meta.date.is_none() => {
            meta.date = date::find_from(text, 0).map(|f| f.date);
        }
        Some(key @ ("来源" | "文章来源" | "信息来源")) if meta.source.is_none() => {
            let rest = text.trim_start_matches(['【', '[']);
            let rest = rest[key.len()..].trim_start_matches(is_blank);
            let rest = rest
                .trim_start_matches([':', '：'])
                .trim_start_matches(is_blank);
            // The value ends where the next `key:` pair starts.
            let value = rest.split(is_blank).next().unwrap_or("");
            if !value.is_empty() {
                meta.source = Some(value.to_string());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::test_lines as lines;

    #[test]
    fn news_page_chrome() {
        let mut d = Vec::new();
        let (out, meta) = strip(
            lines(&[
                "永川行政服务中心",
                "网站首页 要闻动态 政务公开 政务服务 政民互动",
                "2025年山东省政务公开有何大动作?",
                "更新时间:2025-07-04 浏览量:",
                "山东省政府办公厅近期发布了《2025年山东省政务公开工作要点》。",
                "文章来源:永川行政服务中心  文章作者:永川行政服务中心",
                "上一篇 : 珠江新城政务中心",
            ]),
            false,
            &mut d,
        );
        let kept: Vec<_> = out.iter().map(|l| l.no).collect();
        assert_eq!(kept, [3, 5]);
        assert_eq!(d.len(), 5);
        assert_eq!(d[0].dropped.as_deref(), Some("永川行政服务中心"));
        assert_eq!(
            meta.date.map(|d| d.to_string()).as_deref(),
            Some("2025-07-04")
        );
        assert_eq!(meta.source.as_deref(), Some("永川行政服务中心"));
    }

    #[test]
    fn font_size_widgets_and_kept_chrome() {
        let mut d = Vec::new();
        let (out, _) = strip(
            lines(&[
                "关于《要点》的解读",
                "字号:",
                "大 中 小",
                "正文。",
                "扫码使用手机浏览本页内容",
            ]),
            true,
            &mut d,
        );
        let chrome: Vec<_> = out.iter().map(|l| l.chrome).collect();
        assert_eq!(chrome, [false, true, true, false, true]);
        assert!(d.iter().all(|x| x.dropped.is_none()));
    }

    #[test]
    fn ordinary_text_is_not_chrome() {
        for s in [
            "政策解读单位:槐荫区人民政府办公室",
            "(责任单位:市政府各部门,各区、市政府)",
            "一、政策背景",
            "各区、市人民政府,青岛西海岸新区管委,市政府各部门,市直各单位:",
        ] {
            assert!(!is_chrome(s), "{s}");
        }
    }
}
