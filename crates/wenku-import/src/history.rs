//! A statute's enactment and amendment history as compilations write it
//! under the title: `2000年3月15日 第九届全国人民代表大会第三次会议通过`,
//! `(1997年7月3日…通过　2007年8月30日…修订)`, `根据2013年6月29日…《关于修改
//! <…>的决定》修正`, `1989年9月1日 施行`.

use wenku_model::{Citation, Date, DocNumber};

use crate::date;
use crate::line::{compact, is_blank};
use crate::relation::book_title_at;

/// What happened on a history date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HistoryKind {
    /// 通过: adopted by a people's congress or its standing committee.
    Adopted,
    /// 批准: approved by a higher body.
    Approved,
    /// 公布/发布: promulgated.
    Promulgated,
    /// 修正: amended by a decision.
    Amended,
    /// 修订: revised as a whole.
    Revised,
    /// 施行: took effect.
    Effective,
    /// Dated, but none of the above.
    Other,
}

impl HistoryKind {
    /// Whether the event produced a text: adoption, promulgation, approval,
    /// amendment or revision.
    pub fn makes_text(self) -> bool {
        !matches!(self, HistoryKind::Effective | HistoryKind::Other)
    }
}

/// One dated line (or part of a line) of a compilation's history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HistoryEvent {
    /// The date.
    pub date: Date,
    /// What happened.
    pub kind: HistoryKind,
    /// The event as written, from its date on.
    pub text: String,
    /// The amending decision it names (`关于修改〈…〉的决定`), if any.
    pub decision: Option<Citation>,
    /// The 1-based input line.
    pub line: usize,
}

fn kind_of(text: &str) -> HistoryKind {
    // Compilations sometimes space words apart: `会议通 过`.
    let text = compact(text);
    if text.contains("修订") {
        HistoryKind::Revised
    } else if text.contains("修正") || (text.contains("修改") && text.contains("决定")) {
        HistoryKind::Amended
    } else if text.contains("批准") {
        HistoryKind::Approved
    } else if text.contains("通过") {
        HistoryKind::Adopted
    } else if text.contains("公布") || text.contains("发布") {
        HistoryKind::Promulgated
    } else if text.contains("施行") {
        HistoryKind::Effective
    } else {
        HistoryKind::Other
    }
}

fn trim_event(s: &str) -> &str {
    let mut s =
        s.trim_matches(|c: char| is_blank(c) || matches!(c, '(' | ')' | '（' | '）' | '，' | ','));
    loop {
        let t = s.strip_suffix("根据").unwrap_or(s).trim_matches(|c: char| {
            is_blank(c) || matches!(c, '(' | ')' | '（' | '）' | '，' | ',')
        });
        if t.len() == s.len() {
            return t;
        }
        s = t;
    }
}

/// The events of one line, in order.
pub(crate) fn parse_line(text: &str, line: usize) -> Vec<HistoryEvent> {
    let found = date::find_all(text);
    let mut out = Vec::with_capacity(found.len());
    for (i, f) in found.iter().enumerate() {
        let end = found.get(i + 1).map_or(text.len(), |next| next.start);
        let event = trim_event(&text[f.start..end]);
        let rest = &text[f.end..end];
        let decision = rest.find('《').and_then(|open| {
            let (_, inner) = book_title_at(rest, open)?;
            inner
                .contains("决定")
                .then(|| Citation::title(inner.trim()))
        });
        out.push(HistoryEvent {
            date: f.date,
            kind: kind_of(rest),
            text: event.to_string(),
            decision,
            line,
        });
    }
    out
}

/// Whether a line outside a Markdown header is a history line: it opens
/// (after a bracket or 根据) with a date, and every date in it starts an
/// event of a known kind.
pub(crate) fn is_history_line(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| is_blank(c) || matches!(c, '(' | '（'));
    let t = t.strip_prefix("根据").unwrap_or(t);
    let Some(first) = date::find_from(t, 0) else {
        return false;
    };
    if first.start != 0 {
        return false;
    }
    let events = parse_line(text, 0);
    !events.is_empty() && events.iter().all(|e| e.kind != HistoryKind::Other)
}

/// The organ an event names: `第十届全国人民代表大会常务委员会第二十九次会议`
/// → `全国人民代表大会常务委员会`; `上海市第十五届人民代表大会常务委员会…` →
/// `上海市人民代表大会常务委员会`; `国务院…` → `国务院`; `卫生部令第3号发布` →
/// `卫生部`.
pub(crate) fn organ(event: &HistoryEvent) -> Option<String> {
    let text = &event.text;
    // Skip the date itself.
    let body = date::find_from(text, 0).map_or(text.as_str(), |f| &text[f.end..]);
    let body = body.trim_start_matches(is_blank);
    if let Some(pos) = body.find("人民代表大会") {
        let mut end = pos + "人民代表大会".len();
        if body[end..].starts_with("常务委员会") {
            end += "常务委员会".len();
        }
        // Organs are named before any 《》 the event cites.
        if body[..pos].contains('《') {
            return None;
        }
        let named = remove_session(&body[..end]);
        return (!named.is_empty()).then_some(named);
    }
    // 最高人民法院审判委员会第1859次会议通过, 最高人民检察院第九届检察委员会….
    for court in ["最高人民法院", "最高人民检察院"] {
        if body.starts_with(court) {
            return Some(court.into());
        }
    }
    if body.contains("国务院") && !body[..body.find("国务院").unwrap_or(0)].contains('《') {
        return Some("国务院".into());
    }
    if let Some(pos) = body.find("令第") {
        let head = body[..pos].trim_start_matches("中华人民共和国");
        if !head.is_empty() && head.chars().count() <= 12 && !head.contains('《') {
            return Some(head.to_string());
        }
    }
    None
}

/// `第十届全国人民代表大会` → `全国人民代表大会`: drops `第N届`.
fn remove_session(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('第') {
        let after = &rest[pos + '第'.len_utf8()..];
        let digits: usize = after
            .chars()
            .take_while(|c| wenku_model::numeral::is_numeral_char(*c))
            .map(char::len_utf8)
            .sum();
        if digits > 0 && after[digits..].starts_with('届') {
            out.push_str(&rest[..pos]);
            rest = &after[digits + '届'.len_utf8()..];
        } else {
            out.push_str(&rest[..pos + '第'.len_utf8()]);
            rest = after;
        }
    }
    out.push_str(rest);
    out.chars().filter(|c| !is_blank(*c)).collect()
}

/// The order number (`国务院令第306号`, `卫生部令第3号`) an event names.
pub(crate) fn order_number(event: &HistoryEvent) -> Option<DocNumber> {
    let text = &event.text;
    let pos = text.find("令第")?;
    let end = pos + text[pos..].find('号')? + '号'.len_utf8();
    let start = date::find_from(text, 0).map_or(0, |f| f.end);
    if start > pos {
        return None;
    }
    DocNumber::parse(&text[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(s: &str) -> Vec<(String, HistoryKind, Option<String>)> {
        parse_line(s, 1)
            .into_iter()
            .map(|e| (e.date.to_string(), e.kind, e.decision.and_then(|d| d.title)))
            .collect()
    }

    #[test]
    fn markdown_history_lines() {
        assert_eq!(
            events("2000年3月15日 第九届全国人民代表大会第三次会议通过"),
            [("2000-03-15".into(), HistoryKind::Adopted, None)]
        );
        assert_eq!(
            events(
                "2015年3月15日 第十二届全国人民代表大会第三次会议《关于修改<中华人民共和国立法法>的决定》修正"
            ),
            [(
                "2015-03-15".into(),
                HistoryKind::Amended,
                Some("关于修改<中华人民共和国立法法>的决定".into())
            )]
        );
        assert_eq!(
            events("1989年9月1日 施行"),
            [("1989-09-01".into(), HistoryKind::Effective, None)]
        );
        assert_eq!(
            events("2005年10月27日 第十届全国人民代表大会常务委员会第十八次会议修订"),
            [("2005-10-27".into(), HistoryKind::Revised, None)]
        );
    }

    #[test]
    fn several_events_on_one_line() {
        let s = "1997年7月3日第八届全国人民代表大会常务委员会第二十六次会议通过  2007年8月30日第十届全国人民代表大会常务委员会第二十九次会议修订  根据2013年6月29日第十二届全国人民代表大会常务委员会第三次会议《关于修改<中华人民共和国文物保护法>等十二部法律的决定》修正 ）";
        let e = parse_line(s, 2);
        let kinds: Vec<_> = e.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                HistoryKind::Adopted,
                HistoryKind::Revised,
                HistoryKind::Amended
            ]
        );
        assert_eq!(
            e[1].text,
            "2007年8月30日第十届全国人民代表大会常务委员会第二十九次会议修订"
        );
        assert!(is_history_line(s));
        assert!(is_history_line(
            "(1997年7月3日第八届全国人民代表大会常务委员会第二十六次会议通过)"
        ));
        assert!(!is_history_line("2025年是“十四五”规划的收官之年"));
        assert!(!is_history_line("本法自2008年1月1日起施行。"));
    }

    #[test]
    fn organs_and_numbers() {
        let organ_of = |s: &str| organ(&parse_line(s, 1)[0]);
        assert_eq!(
            organ_of("2000年3月15日 第九届全国人民代表大会第三次会议通过").as_deref(),
            Some("全国人民代表大会")
        );
        assert_eq!(
            organ_of("2020年4月10日 上海市第十五届人民代表大会常务委员会第二十次会议通过")
                .as_deref(),
            Some("上海市人民代表大会常务委员会")
        );
        assert_eq!(
            organ_of("1989年9月26日 国务院批准　").as_deref(),
            Some("国务院")
        );
        assert_eq!(
            organ_of("1989年11月13日 卫生部令第3号发布").as_deref(),
            Some("卫生部")
        );
        assert_eq!(
            organ_of("2021年12月27日 最高人民法院审判委员会第1859次会议通过").as_deref(),
            Some("最高人民法院")
        );
        let e = &parse_line("2001年6月15日 中华人民共和国国务院令第306号公布", 1)[0];
        assert_eq!(organ(e).as_deref(), Some("国务院"));
        assert_eq!(
            order_number(e).map(|n| n.to_string()).as_deref(),
            Some("中华人民共和国国务院令第306号")
        );
    }
}
