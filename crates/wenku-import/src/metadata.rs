//! The record metadata an import proposes — title, number, type, issuers,
//! dates, the amending document, relations, history, a local id — from
//! what the structure pass found, with the caller's options overriding it.

use wenku_model::{Block, Citation, Date, DocNumber, DocType, Document, Relation, title_key};

use crate::chrome::PageMeta;
use crate::diagnostic::{Diagnostic, codes};
use crate::history::{self, HistoryEvent, HistoryKind};
use crate::initials;
use crate::line::Line;
use crate::options::ImportOptions;
use crate::relation::{self, Collector};
use crate::structure::{Built, Mode};

/// Record metadata recognised in (or given for) an imported document; the
/// store turns it into a [`wenku_model::Record`] and a version entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposed {
    /// The title, if one was recognised or given.
    pub title: Option<String>,
    /// The document number (发文字号).
    pub number: Option<DocNumber>,
    /// The document type.
    pub doc_type: DocType,
    /// Issuing organs.
    pub issuers: Vec<String>,
    /// Publication date (公布/发布): the latest enactment or amendment of a
    /// compilation, a signature's date, a page's update date.
    pub published: Option<Date>,
    /// Effective date (施行), when the text states one for this version.
    pub effective: Option<Date>,
    /// Last day of validity (`有效期至…`), if stated.
    pub expires: Option<Date>,
    /// The amending decision that produced this version, for compilations
    /// whose latest history line names one.
    pub amended_by: Option<Citation>,
    /// Relations to other documents; every target is a
    /// [`wenku_model::Target::Citation`].
    pub relations: Vec<Relation>,
    /// Dated enactment and amendment events of a compilation, in order.
    pub history: Vec<HistoryEvent>,
    /// A suggestion for the work id's local part, e.g. `lzbf-2025-5` from
    /// the number `鲁政办发〔2025〕5号`.
    pub suggested_local: Option<String>,
    /// What [`Proposed::suggested_local`] was made from: `given` (the
    /// caller's), `number` (its initials and figures) or `title` (its year
    /// and initials).
    pub suggested_from: Option<&'static str>,
}

/// Everything recognised, before options are applied.
pub(crate) struct Recognised {
    pub proposed: Proposed,
    pub written: Option<Date>,
    /// What the type was judged from besides title, issuers and number;
    /// `None` for XML, whose type is its own.
    pub evidence: Option<TypeEvidence>,
}

/// What a document's type is judged from besides its title, issuers and
/// number, kept so the type can be judged again with a given title.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TypeEvidence {
    /// The text has statute structure (章/条).
    statute: bool,
    /// The text came from a web page (it carried page metadata).
    web_page: bool,
}

/// Recognises metadata from the built body.
///
/// Citations are looked for in the lines that became running text;
/// notes (history, contents, markers), titles and addressees are not read.
pub(crate) fn recognise(
    built: &Built,
    lines: &[Line],
    page: &PageMeta,
    own: Option<OwnDate>,
    diags: &mut Vec<Diagnostic>,
) -> Recognised {
    let body_title = built.title.as_ref().map(|(t, _)| t.clone());
    let cover_names = built.cover.as_ref().and_then(|c| c.names.clone());
    let title = body_title
        .as_deref()
        .map(clean_title)
        .or_else(|| cover_names.clone());
    if title.is_none() {
        diags.push(Diagnostic::warning(
            None,
            codes::TITLE,
            "no title recognised; pass one in ImportOptions::title",
        ));
    }

    let history = &built.history;
    let makes_text: Vec<&HistoryEvent> = history.iter().filter(|e| e.kind.makes_text()).collect();
    let latest = makes_text.iter().max_by_key(|e| e.date).copied();
    let amended = history
        .iter()
        .any(|e| matches!(e.kind, HistoryKind::Amended | HistoryKind::Revised));

    // Signatures: the cover's, else the last closing one.
    let signature = built
        .cover
        .as_ref()
        .map(|c| &c.signature)
        .or_else(|| built.signatures.last());
    let written = signature.and_then(|s| s.date.as_ref()).map(|d| d.value);

    let mut issuers: Vec<String> = signature.map(|s| s.organs.clone()).unwrap_or_default();
    if issuers.is_empty()
        && let Some(o) = history.iter().find_map(history::organ)
    {
        issuers.push(o);
    }
    if issuers.is_empty()
        && let Some(o) = interpreting_unit(&built.body)
    {
        issuers.push(o);
    }
    if issuers.is_empty()
        && let Some(s) = &page.source
    {
        issuers.push(s.clone());
    }
    if issuers.is_empty()
        && let Some(area) = title.as_deref().and_then(area_prefix)
    {
        diags.push(Diagnostic::warning(
            None,
            codes::METADATA,
            format!("issuer guessed from the title: {area}"),
        ));
        issuers.push(area);
    }

    let number = built
        .cover
        .as_ref()
        .and_then(|c| c.number.clone())
        .or_else(|| built.number.clone())
        .or_else(|| {
            (!amended)
                .then(|| history.iter().find_map(history::order_number))
                .flatten()
        });

    let in_text = latest.map(|e| e.date).or(written).or(page.date);
    let stale = own.filter(|o| stale_history(history, o.date));
    if let Some(o) = stale {
        let listed = history.iter().map(|e| e.date).max();
        diags.push(Diagnostic::warning(
            history.first().map(|e| e.line),
            codes::STALE_HISTORY,
            format!(
                "the history lists nothing after {}, but this version is dated {} by {}: the history is an earlier version's; its dates are not used for this one",
                listed.map_or_else(|| "-".into(), |d| d.to_string()),
                o.date,
                o.source.as_str()
            ),
        ));
    }
    let published = match (stale, in_text, own) {
        (Some(o), _, _) => Some(o.date),
        (None, Some(p), _) => Some(p),
        (None, None, Some(o)) => {
            if o.source == OwnSource::FileName {
                diags.push(Diagnostic::info(
                    None,
                    codes::METADATA,
                    format!(
                        "the text states no publication date; {} from the file name",
                        o.date
                    ),
                ));
            }
            Some(o.date)
        }
        (None, None, None) => None,
    };
    // The date this version will be stored with: a given one wins.
    let final_published = own
        .filter(|o| o.source == OwnSource::Given)
        .map(|o| o.date)
        .or(published);
    let dating = Dating {
        published: final_published,
        // Only an original text whose own dates are read from it can state
        // that it took effect before it was published.
        explicit: !amended && stale.is_none() && in_text.is_some() && in_text == final_published,
        later_version: amended || stale.is_some(),
    };
    let (effective, expires) = effective_and_expiry(built, &dating, diags);
    let amended_by = latest
        .filter(|e| matches!(e.kind, HistoryKind::Amended | HistoryKind::Revised))
        .and_then(|e| e.decision.clone());

    let evidence = TypeEvidence {
        statute: built.mode == Mode::Statute,
        web_page: page.date.is_some() || page.source.is_some(),
    };
    let doc_type = doc_type(evidence, title.as_deref(), &issuers, number.as_ref());

    let mut own: Vec<&str> = Vec::new();
    own.extend(title.as_deref());
    own.extend(body_title.as_deref());
    own.extend(cover_names.as_deref());
    let mut collector = Collector::new(&own);
    for t in [body_title.as_deref(), title.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Some((kind, citation)) = relation::from_title(t) {
            collector.add(citation, kind, built.title.as_ref().map_or(0, |(_, l)| *l));
            break;
        }
    }
    for (line, _) in lines.iter().zip(&built.running).filter(|(_, r)| **r) {
        collector.scan(&line.text, line.no);
    }
    let relations = collector.finish(diags);

    Recognised {
        proposed: Proposed {
            title,
            number,
            doc_type,
            issuers,
            published,
            effective,
            expires,
            amended_by,
            relations,
            history: history.clone(),
            suggested_local: None,
            suggested_from: None,
        },
        written,
        evidence: Some(evidence),
    }
}

/// `中华人民共和国动物防疫法（2015年修正本）` → `中华人民共和国动物防疫法`.
fn clean_title(title: &str) -> String {
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(head) = title.strip_suffix(close)
            && let Some(pos) = head.rfind(open)
        {
            let inner = &head[pos + open.len_utf8()..];
            if pos > 0 && (inner.contains("修正") || inner.contains("修订")) && inner.contains('年')
            {
                return head[..pos].trim_end().to_string();
            }
        }
    }
    title.to_string()
}

/// `政策解读单位:槐荫区人民政府办公室` → the interpreting organ.
fn interpreting_unit(blocks: &[Block]) -> Option<String> {
    let mut stack: Vec<&[Block]> = vec![blocks];
    while let Some(bs) = stack.pop() {
        for b in bs {
            match b {
                Block::Para(t) => {
                    for key in ["解读单位", "解读机构", "起草单位"] {
                        if let Some(pos) = t.find(key) {
                            let rest = t[pos + key.len()..]
                                .trim_start_matches([':', '：', ' ', '\u{3000}']);
                            if rest.len() < t.len() - pos - key.len()
                                && (2..=30).contains(&rest.chars().count())
                                && !rest.contains(['，', '。', ','])
                            {
                                return Some(rest.to_string());
                            }
                        }
                    }
                }
                Block::Unit(u) => stack.push(&u.children),
                _ => {}
            }
        }
    }
    None
}

/// The administrative area a title starts with: `博山区贯彻落实…` → `博山区`.
fn area_prefix(title: &str) -> Option<String> {
    let t = title.trim_start_matches(|c: char| c.is_ascii_digit());
    let t = t.strip_prefix('年').unwrap_or(t);
    let mut end = None;
    for (count, (i, c)) in t.char_indices().enumerate() {
        if count >= 8 || !('\u{4E00}'..='\u{9FFF}').contains(&c) {
            break;
        }
        if matches!(c, '省' | '市' | '区' | '县' | '州' | '旗') && count >= 2 {
            end = Some(i + c.len_utf8());
            break;
        }
    }
    end.map(|e| t[..e].to_string())
}

/// How a version is dated, for judging the effective dates its text states.
struct Dating {
    /// The publication date the version will be stored with.
    published: Option<Date>,
    /// Whether an effective date before `published` may stand: the text is
    /// an original that states both dates itself.
    explicit: bool,
    /// Whether this is a later version (amendments listed, or a history
    /// older than the version's own date).
    later_version: bool,
}

/// Where a version's own date comes from, besides its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OwnSource {
    /// [`ImportOptions::published`].
    Given,
    /// A `YYYY-MM-DD` in the file name.
    FileName,
}

impl OwnSource {
    fn as_str(self) -> &'static str {
        match self {
            OwnSource::Given => "the given publication date",
            OwnSource::FileName => "its file name",
        }
    }
}

/// A version's own date from outside its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OwnDate {
    /// The date.
    pub date: Date,
    /// Where it comes from.
    pub source: OwnSource,
}

/// How much later than the last event of its history a version may be
/// dated before the history counts as an earlier version's: local
/// regulations are promulgated some weeks after their approval.
const HISTORY_LAG_DAYS: i64 = 90;

/// Whether the history block lists nothing near `own`: every event is more
/// than [`HISTORY_LAG_DAYS`] older, so it was copied from an earlier
/// version.
fn stale_history(history: &[HistoryEvent], own: Date) -> bool {
    history
        .iter()
        .map(|e| e.date)
        .max()
        .is_some_and(|last| own.to_days() - last.to_days() > HISTORY_LAG_DAYS)
}

/// The effective date and the last day of validity the text states.
///
/// A `施行` history line or the text's own clause (`自…起施行`) dates this
/// version only if it is not before the version's publication: a
/// consolidated text keeps the original's clause, so an earlier date is
/// the original's. Only an original text stating both dates itself may
/// take effect before it was published.
fn effective_and_expiry(
    built: &Built,
    dating: &Dating,
    diags: &mut Vec<Diagnostic>,
) -> (Option<Date>, Option<Date>) {
    let mut effective = None;
    let mut expires = None;
    // A `施行` history line.
    for e in &built.history {
        if e.kind == HistoryKind::Effective {
            effective = Some(e.date);
        }
    }
    // The text's own clause, usually in the last article.
    let mut texts = Vec::new();
    collect_paras(&built.body, &mut texts);
    for t in texts.iter().rev() {
        if let Some(clause) = effective_clause(t) {
            let date = match clause {
                Clause::On(d) => Some(d),
                Clause::OnPublication if dating.later_version => {
                    if effective.is_none() {
                        diags.push(Diagnostic::info(
                            None,
                            codes::METADATA,
                            "the text takes effect on its publication, which in a later version's text is the original's: no effective date is proposed",
                        ));
                    }
                    None
                }
                Clause::OnPublication => dating.published,
            };
            if effective.is_none() {
                effective = date;
            }
            break;
        }
    }
    for t in &texts {
        if let Some(pos) = t.find("有效期至")
            && let Some(f) = crate::date::find_from(t, pos)
            && f.start == pos + "有效期至".len()
        {
            expires = Some(f.date);
        }
    }
    if let (Some(e), Some(p)) = (effective, dating.published)
        && e < p
    {
        let plausible = p.to_days() - e.to_days() <= wenku_model::MAX_RETROACTIVE_DAYS;
        if dating.explicit && plausible {
            diags.push(Diagnostic::info(
                None,
                codes::METADATA,
                format!(
                    "the text takes effect on {e}, before its publication on {p}, as it states"
                ),
            ));
        } else {
            diags.push(Diagnostic::info(
                None,
                codes::METADATA,
                format!(
                    "the text takes effect on {e}, before this version's publication on {p}: that date is the original text's, so no effective date is proposed"
                ),
            ));
            effective = None;
        }
    }
    (effective, expires)
}

fn collect_paras<'a>(blocks: &'a [Block], out: &mut Vec<&'a str>) {
    for b in blocks {
        match b {
            Block::Para(t) => out.push(t),
            Block::Unit(u) => collect_paras(&u.children, out),
            _ => {}
        }
    }
}

/// An effective-date clause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Clause {
    /// `自2008年1月1日起施行`.
    On(Date),
    /// `自公布之日起施行`.
    OnPublication,
}

/// `自2008年1月1日起施行` → that date; `自公布之日起施行` → on publication.
fn effective_clause(text: &str) -> Option<Clause> {
    for verb in ["起施行", "起实施", "起执行", "起生效"] {
        let Some(pos) = text.rfind(verb) else {
            continue;
        };
        let head = &text[..pos];
        if let Some(start) = head.rfind('自') {
            let between = &head[start + '自'.len_utf8()..];
            if let Some(f) = crate::date::find_from(between, 0)
                && f.start == 0
                && f.end == between.len()
            {
                return Some(Clause::On(f.date));
            }
            if ["公布之日", "发布之日", "印发之日", "颁布之日"].contains(&between) {
                return Some(Clause::OnPublication);
            }
        }
    }
    None
}

fn has_place_prefix(title: &str) -> bool {
    area_prefix(title).is_some() || title.contains("自治")
}

/// Whether the title is that of a judicial interpretation:
/// `最高人民法院关于…的解释`, `最高人民法院、最高人民检察院关于…的规定`,
/// `…的批复`.
fn judicial_title(t: &str) -> bool {
    let court = t.starts_with("最高人民法院") || t.starts_with("最高人民检察院");
    court
        && t.contains("关于")
        && ["解释", "规定", "批复", "决定", "规则"]
            .iter()
            .any(|s| t.ends_with(s))
        && !t.contains("解读")
}

/// The document type the title, issuers and number suggest.
fn doc_type(
    evidence: TypeEvidence,
    title: Option<&str>,
    issuers: &[String],
    number: Option<&DocNumber>,
) -> DocType {
    let t = title.unwrap_or("");
    let n = number.map_or("", DocNumber::as_str);
    let by = |s: &str| issuers.iter().any(|i| i.contains(s));
    if t.contains("解读") {
        return DocType::Interpretation;
    }
    // 法释〔2020〕15号, 高检发释字〔2019〕1号.
    let court = by("最高人民法院") || by("最高人民检察院");
    let court_form = ["解释", "规定", "批复", "规则", "决定"]
        .iter()
        .any(|s| t.ends_with(s));
    if n.starts_with("法释") || n.contains("发释字") || judicial_title(t) || (court && court_form)
    {
        return DocType::JudicialInterpretation;
    }
    // 法 but not 办法 (measures).
    let law_title = t.ends_with('法') && !t.ends_with("办法");
    let order = |who: &str| {
        n.strip_prefix("中华人民共和国")
            .unwrap_or(n)
            .starts_with(&format!("{who}令第"))
    };
    if order("主席") || (t.starts_with("中华人民共和国") && law_title) {
        return DocType::Law;
    }
    if order("国务院") {
        return DocType::AdministrativeRegulation;
    }
    if evidence.statute {
        if by("全国人民代表大会") {
            return DocType::Law;
        }
        if by("国务院") {
            return DocType::AdministrativeRegulation;
        }
        if by("人民代表大会") {
            return DocType::LocalRegulation;
        }
        if law_title {
            return DocType::Law;
        }
        if t.ends_with("条例") || t.ends_with("细则") {
            return if has_place_prefix(t) {
                DocType::LocalRegulation
            } else {
                DocType::AdministrativeRegulation
            };
        }
        if n.contains("令第") {
            return DocType::Regulation;
        }
        if ["办法", "规定", "规则"].iter().any(|s| t.ends_with(s)) {
            return DocType::Normative;
        }
        return DocType::Other;
    }
    if evidence.web_page {
        return DocType::Other;
    }
    if t.ends_with("通知") {
        return DocType::Notice;
    }
    if ["要点", "方案", "规划", "计划", "意见", "措施"]
        .iter()
        .any(|s| t.contains(s))
    {
        return DocType::Policy;
    }
    if ["办法", "规定", "细则", "规则"]
        .iter()
        .any(|s| t.ends_with(s))
    {
        return DocType::Normative;
    }
    DocType::Other
}

/// Applies the caller's options to the document and the proposal, with a
/// diagnostic wherever a given value replaces a different recognised one,
/// and fills in the suggested local part.
pub(crate) fn apply(
    options: &ImportOptions,
    rec: Recognised,
    doc: &mut Document,
    statute: bool,
    diags: &mut Vec<Diagnostic>,
) -> Proposed {
    let Recognised {
        mut proposed,
        written,
        evidence,
    } = rec;
    fn over<T: PartialEq + std::fmt::Debug>(
        given: Option<T>,
        slot: &mut Option<T>,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) {
        if let Some(g) = given {
            if slot.as_ref().is_some_and(|s| *s != g) {
                diags.push(Diagnostic::info(
                    None,
                    codes::OVERRIDE,
                    format!(
                        "{what}: using the given {g:?} instead of the recognised {:?}",
                        slot.as_ref()
                    ),
                ));
            }
            *slot = Some(g);
        }
    }
    over(options.title.clone(), &mut proposed.title, "title", diags);
    over(
        options.number.clone(),
        &mut proposed.number,
        "number",
        diags,
    );
    over(
        options.published,
        &mut proposed.published,
        "published",
        diags,
    );
    over(
        options.effective,
        &mut proposed.effective,
        "effective",
        diags,
    );
    let mut written = written;
    over(options.written, &mut written, "written", diags);
    if !options.issuers.is_empty() {
        proposed.issuers = options.issuers.clone();
    }
    // A given title, number or issuer says more about the type than the
    // text did: judge it again (a bare law text has no title of its own).
    if let Some(evidence) = evidence
        && (options.title.is_some() || options.number.is_some() || !options.issuers.is_empty())
    {
        let again = doc_type(
            evidence,
            proposed.title.as_deref(),
            &proposed.issuers,
            proposed.number.as_ref(),
        );
        if again != proposed.doc_type {
            diags.push(Diagnostic::info(
                None,
                codes::METADATA,
                format!(
                    "type {} from the given metadata instead of {}",
                    again.as_str(),
                    proposed.doc_type.as_str()
                ),
            ));
            proposed.doc_type = again;
        }
    }
    let mut doc_type = Some(proposed.doc_type);
    over(options.doc_type, &mut doc_type, "type", diags);
    proposed.doc_type = doc_type.unwrap_or(proposed.doc_type);
    let (local, from) = match options.local.clone() {
        Some(l) => (Some(l), Some("given")),
        None => match proposed.number.as_ref().and_then(initials::from_number) {
            Some(l) => (Some(l), Some("number")),
            None => {
                let year = (!statute).then_some(proposed.published).flatten();
                let l = proposed
                    .title
                    .as_deref()
                    .and_then(|t| initials::from_title(t, year));
                let from = l.as_ref().map(|_| "title");
                (l, from)
            }
        },
    };
    proposed.suggested_local = local;
    proposed.suggested_from = from;
    // Drop relations to the document itself by the given title too.
    if let Some(t) = &options.title {
        let key = title_key(t);
        proposed.relations.retain(|r| match &r.target {
            wenku_model::Target::Citation(c) => {
                c.number.is_some() || c.title.as_deref().map(title_key) != Some(key.clone())
            }
            wenku_model::Target::Work(_) => true,
        });
    }
    doc.title = proposed.title.clone().unwrap_or_default();
    doc.number = proposed.number.clone();
    doc.organs = proposed.issuers.clone();
    doc.doc_type = proposed.doc_type;
    doc.written = written;
    proposed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_areas() {
        assert_eq!(
            clean_title("中华人民共和国动物防疫法（2015年修正本）"),
            "中华人民共和国动物防疫法"
        );
        assert_eq!(clean_title("关于《要点》的解读"), "关于《要点》的解读");
        assert_eq!(
            area_prefix("博山区贯彻落实《2025年山东省政务公开工作要点》实施方案").as_deref(),
            Some("博山区")
        );
        assert_eq!(
            area_prefix("2025年青岛市政务公开工作要点").as_deref(),
            Some("青岛市")
        );
        assert_eq!(area_prefix("化妆品监督管理条例"), None);
    }

    #[test]
    fn effective_clauses() {
        let on = |s: &str| Clause::On(Date::parse_iso(s).expect("test date"));
        assert_eq!(
            effective_clause("本条例自2021年1月1日起施行。《化妆品卫生监督条例》同时废止。"),
            Some(on("2021-01-01"))
        );
        assert_eq!(
            effective_clause("本法自公布之日起施行。"),
            Some(Clause::OnPublication)
        );
        assert_eq!(
            effective_clause("本要点自印发之日起实施。"),
            Some(Clause::OnPublication)
        );
        assert_eq!(effective_clause("自治县人民政府应当施行。"), None);
    }
}
