//! Citations of other documents in running text — `《title》`, with an
//! optional `(文号)` after it, and bare document numbers — and the relation
//! kind the sentence around each implies:
//!
//! - `basis` when a 根据/依据 in the same clause precedes it,
//! - `implements` after 贯彻落实/贯彻执行,
//! - `repeals` when the clause ends in …废止 (`《X》同时废止`),
//! - `interprets` for the X of a `关于《X》的解读` title,
//! - `cites` otherwise.
//!
//! Short names defined with `(以下简称《要点》)` refer back to the citation
//! they follow. References to the document itself (its own title) are not
//! relations. A document published by a `关于印发〈X〉的通知` notice is cited
//! by the title X, the title its work carries.

use std::collections::HashMap;

use wenku_model::{Citation, DocNumber, Relation, RelationKind, Target, title_key};

use crate::diagnostic::{Diagnostic, codes};

/// Longest title inside 《》 taken as a citation, in bytes.
const MAX_TITLE: usize = 600;
/// Longest parenthetical after a title that is examined, in bytes.
const MAX_PAREN: usize = 240;

/// A `《…》` at byte `start` of `s`: the byte just past its closing mark and
/// its inner text. Nested 《》 are balanced.
pub(crate) fn book_title_at(s: &str, start: usize) -> Option<(usize, &str)> {
    let rest = s.get(start..)?.strip_prefix('《')?;
    let inner_start = start + '《'.len_utf8();
    let mut depth = 1;
    for (i, c) in rest.char_indices() {
        if i > MAX_TITLE {
            return None;
        }
        match c {
            '《' => depth += 1,
            '》' => {
                depth -= 1;
                if depth == 0 {
                    let inner = &s[inner_start..inner_start + i];
                    return (!inner.trim().is_empty())
                        .then_some((inner_start + i + '》'.len_utf8(), inner));
                }
            }
            '\n' => return None,
            _ => {}
        }
    }
    None
}

/// The title a citation should carry: `X` for `…关于印发〈X〉的通知` (or
/// `…印发X的通知`).
pub(crate) fn cited_title(inner: &str) -> String {
    let inner = inner.trim();
    if let Some(pos) = inner.find("印发")
        && let Some(body) = inner[pos + "印发".len()..].strip_suffix("的通知")
    {
        let body = body.trim();
        let unwrapped = strip_marks(body);
        if !unwrapped.is_empty() {
            return unwrapped.to_string();
        }
    }
    inner.to_string()
}

fn strip_marks(s: &str) -> &str {
    for (open, close) in [('〈', '〉'), ('<', '>'), ('＜', '＞'), ('《', '》')] {
        if let Some(t) = s.strip_prefix(open).and_then(|t| t.strip_suffix(close)) {
            return t;
        }
    }
    s
}

fn priority(kind: RelationKind) -> u8 {
    match kind {
        RelationKind::Repeals => 6,
        RelationKind::Interprets => 5,
        RelationKind::Implements => 4,
        RelationKind::Basis => 3,
        RelationKind::Consults
        | RelationKind::RespondsTo
        | RelationKind::Reviews
        | RelationKind::Answers
        | RelationKind::Delivers => 5,
        RelationKind::Amends | RelationKind::Replaces | RelationKind::Contains => 2,
        RelationKind::Cites => 1,
    }
}

struct Entry {
    citation: Citation,
    kind: RelationKind,
    line: usize,
}

/// Collects citations over a document's text and merges them into
/// relations, one per cited document.
pub(crate) struct Collector {
    self_keys: Vec<String>,
    aliases: HashMap<String, Option<Citation>>,
    entries: Vec<Entry>,
    by_number: HashMap<DocNumber, usize>,
    by_title: HashMap<String, usize>,
}

impl Collector {
    /// A collector for a document known by these titles (its own title,
    /// the title its cover notice names); citations of them are ignored.
    pub fn new(own_titles: &[&str]) -> Collector {
        Collector {
            self_keys: own_titles
                .iter()
                .map(|t| title_key(t))
                .filter(|k| !k.is_empty())
                .collect(),
            aliases: HashMap::new(),
            entries: Vec::new(),
            by_number: HashMap::new(),
            by_title: HashMap::new(),
        }
    }

    fn is_self(&self, c: &Citation) -> bool {
        c.number.is_none()
            && c.title
                .as_deref()
                .is_some_and(|t| self.self_keys.contains(&title_key(t)))
    }

    /// Adds one citation with its kind, merging with earlier ones of the
    /// same document.
    pub fn add(&mut self, citation: Citation, kind: RelationKind, line: usize) {
        if citation.is_empty() || self.is_self(&citation) {
            return;
        }
        let key = citation.title.as_deref().map(title_key);
        let found = citation
            .number
            .as_ref()
            .and_then(|n| self.by_number.get(n))
            .or_else(|| key.as_ref().and_then(|k| self.by_title.get(k)))
            .copied();
        let idx = match found {
            Some(i) => {
                let e = &mut self.entries[i];
                if e.citation.number.is_none() {
                    e.citation.number = citation.number.clone();
                }
                if e.citation.title.is_none() {
                    e.citation.title = citation.title.clone();
                }
                if priority(kind) > priority(e.kind) {
                    e.kind = kind;
                }
                i
            }
            None => {
                self.entries.push(Entry {
                    citation: citation.clone(),
                    kind,
                    line,
                });
                self.entries.len() - 1
            }
        };
        if let Some(n) = citation.number {
            self.by_number.entry(n).or_insert(idx);
        }
        if let Some(k) = key {
            self.by_title.entry(k).or_insert(idx);
        }
    }

    /// Scans one block of running text; `line` is its input line, or 0
    /// when unknown.
    pub fn scan(&mut self, text: &str, line: usize) {
        for sentence in sentences(text) {
            self.scan_sentence(sentence, line);
        }
    }

    fn scan_sentence(&mut self, s: &str, line: usize) {
        let ctx = Context::new(s);
        let mut titles = ctx.titles.iter().peekable();
        let mut i = 0;
        let mut last_end = 0;
        while i < s.len() {
            let Some(c) = s[i..].chars().next() else {
                break;
            };
            if c == '《' {
                while titles.next_if(|(start, _)| *start < i).is_some() {}
                if let Some(&&(start, end)) = titles.peek()
                    && start == i
                {
                    titles.next();
                    let inner = &s[start + '《'.len_utf8()..end - '》'.len_utf8()];
                    if !inner.trim().is_empty() && inner.len() <= MAX_TITLE {
                        let (citation, after) = self.title_citation(s, end, inner);
                        if let Some(citation) = citation {
                            self.add(citation, ctx.kind(start, after), line);
                        }
                        i = after;
                        last_end = after;
                        continue;
                    }
                }
            } else if is_open(c)
                && let Some((start, end, number)) = bare_number(s, i, last_end)
            {
                self.add(Citation::number(number), ctx.kind(start, end), line);
                i = end;
                last_end = end;
                continue;
            }
            i += c.len_utf8();
        }
    }

    /// The citation a `《inner》` ending at `end` makes (resolving short
    /// names), and the byte where scanning resumes (past a `(文号)` or
    /// `(以下简称…)` that follows).
    fn title_citation(&mut self, s: &str, end: usize, inner: &str) -> (Option<Citation>, usize) {
        let inner_key = title_key(inner);
        if let Some(target) = self.aliases.get(&inner_key) {
            return (target.clone(), end);
        }
        let mut citation = Citation::title(cited_title(inner));
        let mut resume = end;
        let mut alias = None;
        if let Some((paren_end, content)) = paren_at(s, end) {
            let mut used = false;
            for part in content.split(['，', ',', '；', ';']) {
                let part = part.trim();
                if let Some(n) = DocNumber::parse(part) {
                    citation.number = Some(n);
                    used = true;
                } else if let Some(name) = part
                    .strip_prefix("以下简称")
                    .or_else(|| part.strip_prefix("以下称"))
                    .or_else(|| part.strip_prefix("简称"))
                {
                    let name = name.trim();
                    let name = name
                        .strip_prefix('《')
                        .and_then(|n| n.strip_suffix('》'))
                        .or_else(|| name.strip_prefix('“').and_then(|n| n.strip_suffix('”')))
                        .unwrap_or(name);
                    if !name.is_empty() {
                        alias = Some(title_key(name));
                        used = true;
                    }
                }
            }
            if used {
                resume = paren_end;
            }
        }
        let citation = (!self.is_self(&citation)).then_some(citation);
        if let Some(a) = alias {
            self.aliases.insert(a, citation.clone());
        }
        (citation, resume)
    }

    /// The relations found, one per cited document, in order of first
    /// mention, with a diagnostic for each.
    pub fn finish(self, diags: &mut Vec<Diagnostic>) -> Vec<Relation> {
        self.entries
            .into_iter()
            .map(|e| {
                diags.push(Diagnostic::info(
                    Some(e.line).filter(|l| *l > 0),
                    codes::RELATION,
                    format!("{} {}", e.kind, e.citation),
                ));
                Relation {
                    kind: e.kind,
                    target: Target::Citation(e.citation),
                }
            })
            .collect()
    }
}

fn is_open(c: char) -> bool {
    matches!(c, '〔' | '[' | '【' | '（' | '(' | '［' | '〖')
}

/// A parenthetical starting exactly at `at`: its end and content.
fn paren_at(s: &str, at: usize) -> Option<(usize, &str)> {
    let rest = s.get(at..)?;
    let open = rest.chars().next()?;
    let close = match open {
        '（' => '）',
        '(' => ')',
        _ => return None,
    };
    let body = &rest[open.len_utf8()..];
    // Either width closes either (texts mix them): the end is past the
    // bracket actually found.
    let (end, found) = body
        .char_indices()
        .take_while(|(i, _)| *i <= MAX_PAREN)
        .find(|(_, c)| *c == close || *c == ')' || *c == '）')?;
    let content = &body[..end];
    Some((at + open.len_utf8() + end + found.len_utf8(), content))
}

/// Words that precede a bare document number but are not part of it.
const LEAD_WORDS: &[&str] = &[
    "根据", "依据", "按照", "依照", "参照", "落实", "执行", "印发", "文件", "通知", "和", "及",
    "与", "的", "或", "即",
];

/// A document number written without a title, whose year bracket opens at
/// `open`: its start, end and value. Its issuer code (the Han characters
/// before the bracket) starts after `floor`.
fn bare_number(s: &str, open: usize, floor: usize) -> Option<(usize, usize, DocNumber)> {
    // `〔2025〕5号`: bracket, four digits, bracket, digits, 号.
    let rest = &s[open..];
    let mut chars = rest.char_indices().skip(1);
    let mut digits = 0;
    let mut close_at = None;
    for (i, c) in chars.by_ref() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            digits += 1;
            if digits > 4 {
                return None;
            }
        } else {
            close_at = Some((i, c));
            break;
        }
    }
    let (ci, cc) = close_at?;
    if digits != 4 || !matches!(cc, '〕' | ']' | '】' | '）' | ')' | '］' | '〗') {
        return None;
    }
    let after = &rest[ci + cc.len_utf8()..];
    let n_len: usize = after
        .chars()
        .take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .take(8)
        .map(char::len_utf8)
        .sum();
    if n_len == 0 || !after[n_len..].starts_with('号') {
        return None;
    }
    let end = open + ci + cc.len_utf8() + n_len + '号'.len_utf8();
    // The issuer code: up to 12 Han characters before the bracket.
    let before = &s[floor..open];
    let mut start = open;
    for (count, (i, c)) in before.char_indices().rev().enumerate() {
        if count >= 12 || !is_han(c) {
            break;
        }
        start = floor + i;
    }
    // Cut after the last word that cannot belong to an issuer code.
    let prefix = &s[start..open];
    let cut = LEAD_WORDS
        .iter()
        .filter_map(|w| prefix.rfind(*w).map(|i| i + w.len()))
        .filter(|c| prefix[*c..].chars().count() >= 2)
        .max()
        .unwrap_or(0);
    start += cut;
    let prefix = &prefix[cut..];
    if prefix.chars().count() < 2 {
        return None;
    }
    let number = DocNumber::parse(&s[start..end])?;
    Some((start, end, number))
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

fn is_comma(c: char) -> bool {
    matches!(c, '，' | ',' | '：' | ':')
}

/// What the kinds of a sentence's citations depend on, found in one pass so
/// that a sentence with many citations costs no more than one with few.
struct Context {
    /// Outermost balanced 《…》 spans (start of 《, end past 》).
    titles: Vec<(usize, usize)>,
    /// Commas outside titles: clause boundaries.
    commas: Vec<usize>,
    basis: Vec<usize>,
    implements: Vec<usize>,
    repeals: Vec<usize>,
}

impl Context {
    fn new(s: &str) -> Context {
        let mut titles = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let mut all_commas = Vec::new();
        for (i, c) in s.char_indices() {
            match c {
                '《' => open.push(i),
                '》' => {
                    if let Some(start) = open.pop()
                        && open.is_empty()
                    {
                        titles.push((start, i + c.len_utf8()));
                    }
                }
                c if is_comma(c) => all_commas.push(i),
                _ => {}
            }
        }
        // Commas inside titles do not end a clause. Both lists are sorted.
        let mut t = 0;
        let commas = all_commas
            .into_iter()
            .filter(|&p| {
                while titles.get(t).is_some_and(|(_, end)| *end <= p) {
                    t += 1;
                }
                titles.get(t).is_none_or(|(start, _)| *start > p)
            })
            .collect();
        let find = |words: &[&str]| {
            let mut v: Vec<usize> = words
                .iter()
                .flat_map(|w| s.match_indices(*w).map(|(i, _)| i))
                .collect();
            v.sort_unstable();
            v
        };
        Context {
            titles,
            commas,
            basis: find(&["根据", "依据"]),
            implements: find(&["贯彻落实", "贯彻执行"]),
            repeals: find(&["废止"]),
        }
    }

    /// Whether a keyword in `at` lies in `from..to`.
    fn any_in(at: &[usize], from: usize, to: usize) -> bool {
        let i = at.partition_point(|p| *p < from);
        at.get(i).is_some_and(|p| *p < to)
    }

    /// The kind of a citation spanning `start..end`: from the keywords of
    /// its clause (the text between the commas around it).
    fn kind(&self, start: usize, end: usize) -> RelationKind {
        let i = self.commas.partition_point(|c| *c < start);
        let clause_start = i.checked_sub(1).map_or(0, |j| self.commas[j]);
        let j = self.commas.partition_point(|c| *c < end);
        let clause_end = self.commas.get(j).copied().unwrap_or(usize::MAX);
        if Self::any_in(&self.repeals, end, clause_end) {
            RelationKind::Repeals
        } else if Self::any_in(&self.implements, clause_start, start) {
            RelationKind::Implements
        } else if Self::any_in(&self.basis, clause_start, start) {
            RelationKind::Basis
        } else {
            RelationKind::Cites
        }
    }
}

/// Sentences of `text`, split after 。！？；!? outside 《》 titles.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '《' => depth += 1,
            '》' => depth = (depth - 1).max(0),
            '。' | '！' | '？' | '；' | '!' | '?' | ';' if depth == 0 => {
                let end = i + c.len_utf8();
                out.push(&text[start..end]);
                start = end;
            }
            _ => {}
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Scans a decoded document's running text (paragraphs, headings, table
/// cells), which carries no line numbers.
pub(crate) fn scan_blocks(blocks: &[wenku_model::Block], c: &mut Collector) {
    use wenku_model::Block;
    for b in blocks {
        match b {
            Block::Para(t) => c.scan(t, 0),
            Block::Table(t) => t.rows.iter().flatten().for_each(|cell| c.scan(cell, 0)),
            Block::Unit(u) => {
                if let Some(h) = &u.heading {
                    c.scan(h, 0);
                }
                scan_blocks(&u.children, c);
            }
            Block::Title(_) | Block::Note(_) | Block::Addressee(_) | Block::Signature(_) => {}
        }
    }
}

/// The relation a document's title implies: `关于《X》的解读` interprets X,
/// `…贯彻落实《X》…` implements X.
pub(crate) fn from_title(title: &str) -> Option<(RelationKind, Citation)> {
    let open = title.find('《')?;
    let (end, inner) = book_title_at(title, open)?;
    let before = &title[..open];
    let after = &title[end..];
    let kind = if title.contains("解读") && (after.contains("解读") || before.contains("解读"))
    {
        RelationKind::Interprets
    } else if before.contains("贯彻落实") || before.contains("贯彻执行") || before.contains("落实")
    {
        RelationKind::Implements
    } else {
        return None;
    };
    Some((kind, Citation::title(cited_title(inner))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_half_width_parenthesis_closed_by_a_full_width_one_is_measured_by_what_closes_it() {
        // Found by the no-loss property test: `(…）` made the scan resume
        // inside the three bytes of `）`.
        let s = "《国务院关于加强数字政府建设的指导意见》(国发〔2022〕14号）、《条例》";
        let at = s.find('(').expect("open");
        let (end, content) = paren_at(s, at).expect("a parenthesis");
        assert_eq!(content, "国发〔2022〕14号");
        assert!(s.is_char_boundary(end));
        assert_eq!(&s[end..], "、《条例》");
        let mut c = Collector::new(&[]);
        c.scan(s, 1);
    }

    fn relations(own: &[&str], text: &str) -> Vec<String> {
        let mut c = Collector::new(own);
        c.scan(text, 1);
        c.finish(&mut Vec::new())
            .into_iter()
            .map(|r| format!("{} {}", r.kind, r.target))
            .collect()
    }

    #[test]
    fn basis_with_number_and_notice_title() {
        assert_eq!(
            relations(
                &[],
                "根据《山东省人民政府办公厅关于印发〈2025年山东省政务公开工作要点〉的通知》(鲁政办发〔2025〕5号)要求,制定本要点。"
            ),
            ["basis 《2025年山东省政务公开工作要点》(鲁政办发〔2025〕5号)"]
        );
    }

    #[test]
    fn repeals_cites_and_implements() {
        assert_eq!(
            relations(
                &[],
                "本条例自2021年1月1日起施行。《化妆品卫生监督条例》同时废止。"
            ),
            ["repeals 《化妆品卫生监督条例》"]
        );
        assert_eq!(
            relations(
                &[],
                "进出境动物的检疫，适用《中华人民共和国进出境动植物检疫法》。"
            ),
            ["cites 《中华人民共和国进出境动植物检疫法》"]
        );
        assert_eq!(
            relations(
                &[],
                "为贯彻落实《X方案》，根据工作需要，按照《Y办法》执行。"
            ),
            ["implements 《X方案》", "cites 《Y办法》"]
        );
    }

    #[test]
    fn short_names_and_self_references() {
        assert_eq!(
            relations(
                &["2025年槐荫区政务公开工作要点"],
                "制定了《2025年槐荫区政务公开工作要点》(以下简称《要点》)。起草《要点》的主要依据包含《A条例》、《B意见》(国发〔2022〕14号)等文件。"
            ),
            ["basis 《A条例》", "basis 《B意见》(国发〔2022〕14号)"]
        );
    }

    #[test]
    fn bare_numbers() {
        assert_eq!(
            relations(
                &[],
                "根据鲁政办发〔2025〕5号文件和青政办发[2024]2号文件要求。"
            ),
            ["basis 鲁政办发〔2025〕5号", "basis 青政办发〔2024〕2号"]
        );
        assert_eq!(relations(&[], "共（2025）5号"), Vec::<String>::new());
    }

    #[test]
    fn titles() {
        assert_eq!(
            from_title("关于《2025年槐荫区政务公开工作要点》的解读")
                .map(|(k, c)| format!("{k} {c}")),
            Some("interprets 《2025年槐荫区政务公开工作要点》".into())
        );
        assert_eq!(
            from_title("博山区贯彻落实《2025年山东省政务公开工作要点》实施方案")
                .map(|(k, c)| format!("{k} {c}")),
            Some("implements 《2025年山东省政务公开工作要点》".into())
        );
        assert_eq!(from_title("2025年青岛市政务公开工作要点"), None);
    }
}
