//! Lines to the body of a document: the cover notice, the title, the
//! header (history lines, a table of contents), and then either statute
//! structure (编/分编/章/节 → 条 → 款 → 项 → 目) or the outline of a normative
//! document (`一、` → `（一）` → `1.` → `（1）`), with signatures, publication
//! markers and attachments.
//!
//! Every line becomes part of exactly one block, in input order, so the
//! plain-text rendering holds every character of the lines it was given.

use wenku_model::{Block, DocNumber, Number, Signature, Unit, UnitKind, numeral};

use crate::cover::{self, Cover};
use crate::date;
use crate::diagnostic::{Diagnostic, codes};
use crate::history::{self, HistoryEvent};
use crate::label::{self, Label, Shape};
use crate::line::{Line, compact};
use crate::table;

/// Which structure the body has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Articles (条), possibly in divisions.
    Statute,
    /// An outline of `一、`/`（一）`/`1.`/`（1）` entries, or plain paragraphs.
    Outline,
}

/// What was built, with what metadata recognition needs.
#[derive(Debug)]
pub(crate) struct Built {
    pub body: Vec<Block>,
    pub mode: Mode,
    pub cover: Option<Cover>,
    /// The title as the body writes it, and its line.
    pub title: Option<(String, usize)>,
    /// A document number line under the title.
    pub number: Option<DocNumber>,
    pub history: Vec<HistoryEvent>,
    /// Signatures outside the cover notice.
    pub signatures: Vec<Signature>,
    /// For each line given, whether it became running text (a paragraph,
    /// a unit's line): where citations are looked for.
    pub running: Vec<bool>,
}

/// Longest heading an outline entry takes from its line, in characters.
const MAX_ENTRY_HEADING: usize = 60;
/// Longest title line, in characters.
const MAX_TITLE: usize = 100;
/// Most lines a title is joined from when a bracket is left open.
const MAX_TITLE_LINES: usize = 3;

/// Builds the body from trimmed, non-empty lines.
pub(crate) fn build(lines: &[Line], diags: &mut Vec<Diagnostic>) -> Built {
    let mut body = Vec::new();
    let mut running = vec![false; lines.len()];
    let mut i = 0;
    let cover = if lines.first().is_some_and(|l| l.heading.is_none()) {
        cover::detect(lines)
    } else {
        None
    };
    if let Some(c) = &cover {
        diags.push(Diagnostic::info(
            Some(c.span.0),
            codes::COVER,
            format!("cover notice recognised on lines {}–{}", c.span.0, c.span.1),
        ));
        body.push(Block::Unit(c.unit.clone()));
        for p in &c.paras {
            running[*p] = true;
        }
        i = c.len;
    }
    while i < lines.len() && lines[i].chrome {
        body.push(Block::Note(lines[i].text.clone()));
        i += 1;
    }
    let mut title = None;
    if let Some((text, taken)) = title_at(lines, i) {
        diags.push(Diagnostic::info(
            Some(lines[i].no),
            codes::TITLE,
            format!("title line: {text}"),
        ));
        title = Some((text.clone(), lines[i].no));
        body.push(Block::Title(text));
        i += taken;
    }
    let mut number = None;
    if let Some(n) = lines.get(i).and_then(|l| DocNumber::parse(&l.text)) {
        body.push(Block::Note(lines[i].text.clone()));
        number = Some(n);
        i += 1;
    }
    let mut history = Vec::new();
    let mut contents_chapters = None;
    while i < lines.len() {
        let l = &lines[i];
        if l.chrome {
            body.push(Block::Note(l.text.clone()));
        } else if l.header || history::is_history_line(&l.text) {
            history.extend(history::parse_line(&l.text, l.no));
            body.push(Block::Note(l.text.clone()));
        } else if compact(&l.text) == "目录" {
            let (taken, chapters) = contents(lines, i, &mut body);
            diags.push(Diagnostic::info(
                Some(l.no),
                codes::CONTENTS,
                format!("table of contents kept as {taken} notes"),
            ));
            contents_chapters = Some(chapters);
            i += taken;
            continue;
        } else {
            break;
        }
        i += 1;
    }
    if !history.is_empty() {
        diags.push(Diagnostic::info(
            history.first().map(|e| e.line),
            codes::HISTORY,
            format!("{} dated history events", history.len()),
        ));
    }
    let mode = mode_of(&lines[i..]);
    let mut b = Builder {
        body,
        stack: Vec::new(),
        mode,
        signatures: Vec::new(),
        last_article: None,
        started: false,
        running,
        offset: i,
        diags,
    };
    b.run(&lines[i..]);
    b.close_to(0);
    if mode == Mode::Outline {
        lift_closing(&mut b.body, &lines[i..], b.diags);
    }
    let Builder {
        body,
        signatures,
        running,
        ..
    } = b;
    let built = Built {
        body,
        mode,
        cover,
        title,
        number,
        history,
        signatures,
        running,
    };
    summarise(&built, contents_chapters, diags);
    built
}

/// Moves the closing paragraphs of an outline document out of its last
/// entry, to the document level where the text puts them.
///
/// A normative document's outline often ends with a paragraph addressed to
/// everyone (`各镇人民政府、街道办事处……要对照本要点制定……`) after its
/// last entry. Nothing in the layout closes that entry, so the builder files
/// the paragraph under it, and a diff then reports it as part of `（三）`.
/// The paragraph is lifted when the evidence is plain: it is among the
/// trailing paragraphs of the last, deepest entry, it opens the way closing
/// paragraphs do (`各…` addressing the subordinate bodies, or `本…`
/// naming the document), the entry keeps a paragraph of its own, and no
/// other entry of that level has more than one paragraph (so a
/// second paragraph is not how this document writes its entries).
fn lift_closing(body: &mut Vec<Block>, lines: &[Line], diags: &mut Vec<Diagnostic>) {
    let Some(top) = body
        .iter()
        .rposition(|b| matches!(b, Block::Unit(u) if u.kind.level().is_some()))
    else {
        return;
    };
    // Only when the entry ends the running text (a signature, marker or
    // attachment may follow; paragraphs may not).
    if body[top + 1..].iter().any(|b| matches!(b, Block::Para(_))) {
        return;
    }
    // The chain of last entries down to the deepest.
    let mut path = Vec::new();
    {
        let mut unit = match &body[top] {
            Block::Unit(u) => u,
            _ => return,
        };
        while let Some(next) = unit
            .children
            .iter()
            .rposition(|b| matches!(b, Block::Unit(_)))
        {
            // A sub-entry followed by paragraphs: those belong to `unit`.
            if unit.children[next + 1..]
                .iter()
                .any(|b| matches!(b, Block::Para(_)))
            {
                break;
            }
            match &unit.children[next] {
                Block::Unit(u) if u.kind.level().is_some() => {
                    path.push(next);
                    unit = u;
                }
                _ => break,
            }
        }
    }
    let level = {
        let mut unit = match &body[top] {
            Block::Unit(u) => u,
            _ => return,
        };
        for &k in &path {
            if let Block::Unit(u) = &unit.children[k] {
                unit = u;
            }
        }
        unit.kind
    };
    let mut multi = 0;
    count_multi(body, level, &mut multi);
    let Some(Block::Unit(deepest)) = ({
        let mut blocks: &mut Vec<Block> = body;
        let mut idx = top;
        for &k in &path {
            match &mut blocks[idx] {
                Block::Unit(u) => blocks = &mut u.children,
                _ => return,
            }
            idx = k;
        }
        blocks.get_mut(idx)
    }) else {
        return;
    };
    let paras = |u: &Unit| {
        u.children
            .iter()
            .filter(|b| matches!(b, Block::Para(_)))
            .count()
    };
    // The deepest entry is the only one allowed several paragraphs.
    if multi > usize::from(paras(deepest) > 1) {
        return;
    }
    let mut from = deepest.children.len();
    while from > 0
        && let Block::Para(text) = &deepest.children[from - 1]
        && is_closing(text)
    {
        from -= 1;
    }
    if from == deepest.children.len()
        || !deepest.children[..from]
            .iter()
            .any(|b| matches!(b, Block::Para(_)))
    {
        return;
    }
    let lifted: Vec<Block> = deepest.children.drain(from..).collect();
    for block in &lifted {
        if let Block::Para(text) = block {
            let line = lines.iter().find(|l| &l.text == text).map(|l| l.no);
            diags.push(Diagnostic::info(
                line,
                codes::STRUCTURE,
                "closing paragraph after the last outline entry kept at the document level",
            ));
        }
    }
    let at = top + 1;
    body.splice(at..at, lifted);
}

/// Whether a paragraph opens the way an outline's closing paragraph does.
fn is_closing(text: &str) -> bool {
    const DOCUMENT: [&str; 9] = [
        "本要点",
        "本方案",
        "本实施方案",
        "本意见",
        "本通知",
        "本办法",
        "本规定",
        "本细则",
        "本计划",
    ];
    (text.starts_with('各') && (text.contains('要') || text.contains('应')))
        || DOCUMENT.iter().any(|d| text.starts_with(d))
}

/// Counts the entries of `kind` with more than one paragraph.
fn count_multi(blocks: &[Block], kind: UnitKind, n: &mut usize) {
    for b in blocks {
        if let Block::Unit(u) = b {
            if u.kind == kind
                && u.children
                    .iter()
                    .filter(|b| matches!(b, Block::Para(_)))
                    .count()
                    > 1
            {
                *n += 1;
            }
            count_multi(&u.children, kind, n);
        }
    }
}

/// Whether a line can be a title: short, no sentence inside, no label, no
/// date, no history.
fn is_title_like(l: &Line) -> bool {
    let t = &l.text;
    let n = t.chars().count();
    (2..=MAX_TITLE).contains(&n)
        && !l.chrome
        && !l.header
        && label::parse(t).is_none()
        && !t.contains('。')
        && !t.ends_with(['；', '，', '：', ':', ';', ','])
        && date::whole(t).is_none()
        && !cover::is_marker(t)
        && !history::is_history_line(t)
        && DocNumber::parse(t).is_none()
}

/// Whether brackets opened in `s` are left unclosed.
fn open_bracket(s: &str) -> bool {
    let count = |c: char| s.chars().filter(|x| *x == c).count();
    count('《') > count('》')
        || count('（') > count('）')
        || count('(') > count(')')
        || count('“') > count('”')
}

/// Longest second line of a heading or title printed over two lines, in
/// characters.
const MAX_WRAP: usize = 24;

/// Whether a heading or title ends as written (closing punctuation), so
/// nothing on the next line can continue it.
fn closed(text: &str) -> bool {
    text.ends_with([
        '。', '；', '，', '：', '！', '？', '.', ';', ',', ':', '!', '?', '》', '）', ')', '”',
    ])
}

/// Whether `next` can be the second line of a heading or title that did
/// not fit on one: short, not itself a structural line (label, date,
/// history, contents, signature marker, number), no sentence inside.
fn continues_line(next: &Line) -> bool {
    let t = next.text.as_str();
    let n = t.chars().count();
    (1..=MAX_WRAP).contains(&n)
        && next.heading.is_none()
        && !next.chrome
        && !next.header
        && label::parse(t).is_none()
        && attachment_label(t).is_none()
        && !t.contains(['。', '；', '，', '：', ':', ';', ','])
        && !t.starts_with(['（', '(', '〔', '[', '【'])
        && date::find_from(t, 0).is_none()
        && !cover::is_marker(t)
        && !history::is_history_line(t)
        && DocNumber::parse(t).is_none()
        && compact(t) != "目录"
}

/// The words document titles end with.
const TITLE_ENDS: &[&str] = &[
    "法", "条例", "规定", "办法", "细则", "规则", "解释", "批复", "决定", "通知", "意见", "方案",
    "要点", "规划", "计划", "措施", "公告", "通告", "纲要", "标准", "目录", "报告", "指引", "指南",
    "制度", "章程",
];

fn ends_like_title(t: &str) -> bool {
    TITLE_ENDS.iter().any(|e| t.ends_with(e))
}

/// The title at `lines[i]`, joined over lines while a bracket is open, or
/// with the next line when the title is printed over two: the first line
/// does not end like a title, the second is short, not structural, and
/// does.
fn title_at(lines: &[Line], i: usize) -> Option<(String, usize)> {
    let first = lines.get(i)?;
    if first.heading == Some(1) {
        return Some((first.text.clone(), 1));
    }
    if first.heading.is_some() || !is_title_like(first) {
        return None;
    }
    let mut text = first.text.clone();
    let mut taken = 1;
    while open_bracket(&text) && taken < MAX_TITLE_LINES {
        match lines.get(i + taken) {
            Some(next) if next.heading.is_none() && !next.chrome && !next.text.contains('。') => {
                text.push_str(&next.text);
                taken += 1;
            }
            _ => break,
        }
    }
    if open_bracket(&text) && taken > 1 {
        // Joining did not close it: take the first line alone.
        return Some((first.text.clone(), 1));
    }
    if taken == 1
        && !closed(&text)
        && !ends_like_title(&text)
        && let Some(next) = lines.get(i + 1)
        && continues_line(next)
        && ends_like_title(&next.text)
    {
        text.push_str(&next.text);
        taken = 2;
    }
    Some((text, taken))
}

/// A table of contents from the `目录` line at `lines[i]`: its division
/// lines, until one repeats the first (the body starts there). Returns the
/// lines taken and how many chapters it lists.
fn contents(lines: &[Line], i: usize, body: &mut Vec<Block>) -> (usize, usize) {
    body.push(Block::Note(lines[i].text.clone()));
    let mut j = i + 1;
    let mut first_key = None;
    let mut chapters = 0;
    while let Some(l) = lines.get(j) {
        let Some(lab) = label::parse(&l.text).filter(|lab| matches!(lab.shape, Shape::Division(_)))
        else {
            break;
        };
        let key = compact(&l.text);
        match &first_key {
            None => first_key = Some(key),
            Some(k) if *k == key => break,
            Some(_) => {}
        }
        if lab.shape == Shape::Division(UnitKind::Chapter) {
            chapters += 1;
        }
        body.push(Block::Note(l.text.clone()));
        j += 1;
    }
    (j - i, chapters)
}

/// Statute if articles are written as such (at least two spaced `第X条`
/// lines, or a division and an article); an outline otherwise.
fn mode_of(lines: &[Line]) -> Mode {
    let mut articles = 0;
    let mut divisions = 0;
    for l in lines {
        match label::parse(&l.text) {
            Some(lab) if lab.shape == Shape::Article && lab.spaced => articles += 1,
            Some(lab) if matches!(lab.shape, Shape::Division(_)) => divisions += 1,
            _ => {}
        }
        if articles >= 2 || (articles >= 1 && divisions >= 1) {
            return Mode::Statute;
        }
    }
    Mode::Outline
}

/// Nesting rank: a unit closes every open unit of its rank or deeper.
fn rank(kind: UnitKind) -> u8 {
    match kind {
        UnitKind::Cover | UnitKind::Attachment => 1,
        UnitKind::Part => 2,
        UnitKind::Subpart => 3,
        UnitKind::Chapter => 4,
        UnitKind::Section => 5,
        UnitKind::Article => 6,
        UnitKind::Item => 7,
        UnitKind::Subitem => 8,
        UnitKind::Entry(level) => 5 + level,
    }
}

/// `附件`, `附件1`, `附件一：` alone on a line: an attachment starts.
fn attachment_label(text: &str) -> Option<Option<Number>> {
    if text.len() > 64 || !text.contains('附') {
        return None;
    }
    let t = compact(text);
    let rest = t.strip_prefix("附件")?;
    let rest = rest.trim_end_matches([':', '：']);
    if rest.is_empty() {
        return Some(None);
    }
    numeral::parse(rest)
        .filter(|n| *n > 0)
        .map(|n| Some(Number::new(n)))
}

/// A division line's heading is short and not a sentence; without space
/// after the label it must not read on like `第三章规定的…`.
fn is_division_heading(lab: &Label, rest: &str) -> bool {
    let n = rest.chars().count();
    if n > 40 || rest.contains(['。', '；', '，', ',', ';', '：', ':']) {
        return false;
    }
    lab.spaced
        || (n <= 20
            && !["规定", "的", "中", "所", "至", "和", "或", "、"]
                .iter()
                .any(|w| rest.starts_with(w)))
}

/// An outline entry's heading and running text from the rest of its line:
/// the first sentence is the heading when more text follows it
/// (`完善主动公开机制。健全……`); a short line that is not a sentence is a
/// heading alone at levels 1 and 2.
fn split_heading(rest: &str, level: u8) -> (Option<String>, Option<String>) {
    if rest.is_empty() {
        return (None, None);
    }
    let end = rest
        .char_indices()
        .find(|(_, c)| matches!(c, '。' | '！' | '？' | '!' | '?'))
        .map(|(i, c)| i + c.len_utf8());
    let chars = |s: &str| s.chars().count();
    match end {
        Some(e) if e < rest.len() => {
            let after = rest[e..].trim_start();
            if chars(&rest[..e]) <= MAX_ENTRY_HEADING && !after.is_empty() {
                (Some(rest[..e].to_string()), Some(after.to_string()))
            } else {
                (None, Some(rest.to_string()))
            }
        }
        _ => {
            let heading_like = level <= 2
                && chars(rest) <= MAX_ENTRY_HEADING
                && !rest.ends_with(['；', ';', '，', ',', '：', ':', '、']);
            if heading_like {
                (Some(rest.to_string()), None)
            } else {
                (None, Some(rest.to_string()))
            }
        }
    }
}

struct Builder<'d> {
    body: Vec<Block>,
    stack: Vec<Unit>,
    mode: Mode,
    signatures: Vec<Signature>,
    last_article: Option<(Number, usize)>,
    /// Whether the body's text has started (addressees come first).
    started: bool,
    running: Vec<bool>,
    /// Index of the first line given to `run` among all lines.
    offset: usize,
    diags: &'d mut Vec<Diagnostic>,
}

impl Builder<'_> {
    fn push(&mut self, block: Block) {
        match self.stack.last_mut() {
            Some(u) => u.children.push(block),
            None => self.body.push(block),
        }
    }

    /// Closes open units of `rank` or deeper.
    fn close_to(&mut self, r: u8) {
        while self.stack.last().is_some_and(|u| rank(u.kind) >= r) {
            if let Some(u) = self.stack.pop() {
                self.push(Block::Unit(u));
            }
        }
    }

    fn open(&mut self, unit: Unit) {
        self.close_to(rank(unit.kind));
        self.stack.push(unit);
        self.started = true;
    }

    fn in_article(&self) -> bool {
        self.stack.iter().any(|u| u.kind == UnitKind::Article)
    }

    fn top_kind(&self) -> Option<UnitKind> {
        self.stack.last().map(|u| u.kind)
    }

    fn run(&mut self, lines: &[Line]) {
        let mut i = 0;
        while i < lines.len() {
            i += self.line(lines, i);
        }
    }

    fn mark_running(&mut self, i: usize) {
        if let Some(r) = self.running.get_mut(self.offset + i) {
            *r = true;
        }
    }

    /// Handles `lines[i]`; returns how many lines it took.
    fn line(&mut self, lines: &[Line], i: usize) -> usize {
        let l = &lines[i];
        let text = l.text.as_str();
        if l.chrome {
            self.push(Block::Note(text.to_string()));
            return 1;
        }
        if l.heading.is_none() {
            if let Some((sig, n)) = cover::signature_at(lines, i) {
                // Signatures close everything but an attachment.
                self.close_to(2);
                self.signatures.push(sig.clone());
                self.push(Block::Signature(sig));
                return n;
            }
            if cover::is_marker(text) {
                self.close_to(2);
                self.push(Block::Note(text.to_string()));
                return 1;
            }
        }
        if let Some(number) = attachment_label(text) {
            let mut unit = Unit {
                kind: UnitKind::Attachment,
                label: Some(text.to_string()),
                number,
                heading: None,
                children: Vec::new(),
            };
            let mut taken = 1;
            if let Some(next) = lines.get(i + 1)
                && next.heading.is_none()
                && is_title_like(next)
                && attachment_label(&next.text).is_none()
            {
                let mut heading = next.text.clone();
                self.mark_running(i + 1);
                taken = 2;
                if !closed(&heading)
                    && !ends_like_title(&heading)
                    && let Some(after) = lines.get(i + 2)
                    && continues_line(after)
                    && ends_like_title(&after.text)
                {
                    heading.push_str(&after.text);
                    self.mark_running(i + 2);
                    taken = 3;
                }
                unit.heading = Some(heading);
            }
            self.open(unit);
            self.last_article = None;
            return taken;
        }
        if let Some(lab) = label::parse(text)
            && self.labelled(l, lab)
        {
            self.mark_running(i);
            if matches!(lab.shape, Shape::Division(_))
                && let Some(next) = lines.get(i + 1)
                && continues_line(next)
                && let Some(unit) = self.stack.last_mut()
                && let Some(heading) = unit.heading.as_mut()
                && !closed(heading)
            {
                // A heading printed over two lines: `第四章　外商投资经营国际海运`
                // + `及其辅助性业务的特别规定`.
                heading.push_str(&next.text);
                self.mark_running(i + 1);
                return 2;
            }
            return 1;
        }
        if !self.started && self.mode == Mode::Outline && cover::is_addressee(text) {
            // Addressees open a notice's text, before anything else.
            self.started = true;
            self.push(Block::Addressee(text.to_string()));
            return 1;
        }
        self.started = true;
        if self.mode == Mode::Statute
            && matches!(self.top_kind(), Some(UnitKind::Item | UnitKind::Subitem))
        {
            // A paragraph after an article's items is its next 款.
            self.close_to(rank(UnitKind::Item));
        }
        if let Some(found) = table::at(lines, i) {
            let rows = found.table.rows.len();
            let columns = found.table.rows.first().map_or(0, Vec::len);
            let mut d = Diagnostic::info(
                Some(l.no),
                codes::TABLE,
                format!(
                    "lines {}–{}: a table of {rows} rows and {columns} columns{}",
                    l.no,
                    lines[i + found.taken - 1].no,
                    if found.markup.is_empty() {
                        ""
                    } else {
                        "; its Markdown markup (pipes, the separator row) left out"
                    }
                ),
            );
            if !found.markup.is_empty() {
                d = d.with_dropped(found.markup);
            }
            self.diags.push(d);
            for k in i..i + found.taken {
                self.mark_running(k);
            }
            self.push(Block::Table(found.table));
            return found.taken;
        }
        self.push(Block::Para(text.to_string()));
        self.mark_running(i);
        1
    }

    /// Handles a labelled line; `false` if the label does not start a unit
    /// here (the line is then a paragraph).
    fn labelled(&mut self, l: &Line, lab: Label) -> bool {
        let (written, rest) = lab.split(&l.text);
        let unit = |kind: UnitKind, heading: Option<String>| Unit {
            kind,
            label: Some(written.to_string()),
            number: Some(lab.number),
            heading,
            children: Vec::new(),
        };
        match lab.shape {
            Shape::Division(kind) => {
                if l.heading.is_none() && !is_division_heading(&lab, rest) {
                    return false;
                }
                let heading = (!rest.is_empty()).then(|| rest.to_string());
                self.open(unit(kind, heading));
                true
            }
            Shape::Article => {
                if self.mode != Mode::Statute {
                    return false;
                }
                let expected = self.last_article.map_or(1, |(n, _)| n.main + 1);
                let continues = lab.number.main == expected
                    || (lab.number.sub > 0
                        && self
                            .last_article
                            .is_some_and(|(n, _)| n.main == lab.number.main));
                if !lab.spaced && !continues {
                    return false;
                }
                if !continues {
                    let message = match self.last_article {
                        Some((n, line)) => format!(
                            "article {} follows article {} (line {line}); expected article {expected}",
                            lab.number, n
                        ),
                        None => format!("the first article is {written}, not 第一条"),
                    };
                    self.diags
                        .push(Diagnostic::warning(Some(l.no), codes::NUMBERING, message));
                }
                self.last_article = Some((lab.number, l.no));
                let mut u = unit(UnitKind::Article, None);
                if !rest.is_empty() {
                    u.children.push(Block::Para(rest.to_string()));
                }
                self.open(u);
                true
            }
            shape => {
                let kind = if self.mode == Mode::Statute && self.in_article() {
                    match shape {
                        Shape::ChineseParen | Shape::ChineseComma => UnitKind::Item,
                        _ if self.stack.iter().any(|u| u.kind == UnitKind::Item) => {
                            UnitKind::Subitem
                        }
                        _ => UnitKind::Item,
                    }
                } else {
                    UnitKind::Entry(match shape {
                        Shape::ChineseComma => 1,
                        Shape::ChineseParen => 2,
                        Shape::ArabicDot => 3,
                        _ => 4,
                    })
                };
                let (heading, para) = match kind {
                    UnitKind::Entry(level) => split_heading(rest, level),
                    _ => (None, (!rest.is_empty()).then(|| rest.to_string())),
                };
                let mut u = unit(kind, heading);
                if let Some(p) = para {
                    u.children.push(Block::Para(p));
                }
                self.open(u);
                true
            }
        }
    }
}

/// One diagnostic describing the structure found, and a warning when a
/// table of contents lists more chapters than the text has.
fn summarise(built: &Built, contents_chapters: Option<usize>, diags: &mut Vec<Diagnostic>) {
    let count = |kind: UnitKind| count_units(&built.body, kind);
    let message = match built.mode {
        Mode::Statute => format!(
            "statute: {} parts, {} chapters, {} sections, {} articles, {} items, {} subitems",
            count(UnitKind::Part),
            count(UnitKind::Chapter),
            count(UnitKind::Section),
            count(UnitKind::Article),
            count(UnitKind::Item),
            count(UnitKind::Subitem),
        ),
        Mode::Outline => format!(
            "outline: {} level-1 entries, {} level-2, {} level-3, {} level-4",
            count(UnitKind::Entry(1)),
            count(UnitKind::Entry(2)),
            count(UnitKind::Entry(3)),
            count(UnitKind::Entry(4)),
        ),
    };
    diags.push(Diagnostic::info(None, codes::STRUCTURE, message));
    if let Some(listed) = contents_chapters {
        let found = count(UnitKind::Chapter);
        if listed > found {
            diags.push(Diagnostic::warning(
                None,
                codes::STRUCTURE,
                format!(
                    "the table of contents lists {listed} chapters but the text has {found}: the text may be truncated"
                ),
            ));
        }
    }
}

/// How many units of `kind` the blocks hold, at any depth.
fn count_units(blocks: &[Block], kind: UnitKind) -> usize {
    let mut n = 0;
    let mut stack: Vec<&[Block]> = vec![blocks];
    while let Some(bs) = stack.pop() {
        for b in bs {
            if let Block::Unit(u) = b {
                n += usize::from(u.kind == kind);
                stack.push(&u.children);
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::test_lines as lines;

    fn shape(blocks: &[Block], out: &mut Vec<String>, depth: usize) {
        for b in blocks {
            let pad = "  ".repeat(depth);
            match b {
                Block::Unit(u) => {
                    out.push(format!(
                        "{pad}{}{} {}{}",
                        u.kind.as_str(),
                        u.kind.level().map(|l| l.to_string()).unwrap_or_default(),
                        u.label.as_deref().unwrap_or("-"),
                        u.heading
                            .as_deref()
                            .map(|h| format!(" [{h}]"))
                            .unwrap_or_default()
                    ));
                    shape(&u.children, out, depth + 1);
                }
                Block::Para(p) => out.push(format!("{pad}p {p}")),
                Block::Title(t) => out.push(format!("{pad}title {t}")),
                Block::Note(t) => out.push(format!("{pad}note {t}")),
                Block::Addressee(t) => out.push(format!("{pad}addressee {t}")),
                Block::Signature(s) => out.push(format!("{pad}signature {:?}", s.organs)),
                Block::Table(_) => out.push(format!("{pad}table")),
            }
        }
    }

    fn check(input: &[&str], expected: &[&str]) {
        let mut d = Vec::new();
        let built = build(&lines(input), &mut d);
        let mut got = Vec::new();
        shape(&built.body, &mut got, 0);
        assert_eq!(got, expected, "\n{}", got.join("\n"));
    }

    #[test]
    fn statute_with_items_and_trailing_paragraph() {
        check(
            &[
                "中华人民共和国动物防疫法",
                "(1997年7月3日第八届全国人民代表大会常务委员会第二十六次会议通过)",
                "目 录",
                "第一章 总 则",
                "第二章 动物疫病的预防",
                "第一章 总 则",
                "第一条 为了加强管理，制定本法。",
                "第二章 动物疫病的预防",
                "第十条 动物疫病分为下列三类：",
                "(一)一类疫病；",
                "1.情形甲；",
                "(二)二类疫病。",
                "前款三类疫病的具体病种名录由国务院规定。",
                "第十条之一 新增条文。",
            ],
            &[
                "title 中华人民共和国动物防疫法",
                "note (1997年7月3日第八届全国人民代表大会常务委员会第二十六次会议通过)",
                "note 目 录",
                "note 第一章 总 则",
                "note 第二章 动物疫病的预防",
                "chapter 第一章 [总 则]",
                "  article 第一条",
                "    p 为了加强管理，制定本法。",
                "chapter 第二章 [动物疫病的预防]",
                "  article 第十条",
                "    p 动物疫病分为下列三类：",
                "    item (一)",
                "      p 一类疫病；",
                "      subitem 1.",
                "        p 情形甲；",
                "    item (二)",
                "      p 二类疫病。",
                "    p 前款三类疫病的具体病种名录由国务院规定。",
                "  article 第十条之一",
                "    p 新增条文。",
            ],
        );
    }

    #[test]
    fn outline_headings_share_the_line() {
        check(
            &[
                "2025年青岛市政务公开工作要点",
                "根据《通知》要求,制定本要点。",
                "一、加强体制机制建设,推进政务公开规范转型",
                "(一)完善主动公开机制。健全主动公开事项目录制度。(责任单位:市政府各部门)",
                "1.明确具体责任及工作要求；",
                "（1）申请受理、审核、答复。",
                "二、决策依据",
                "起草的主要依据。",
                "(六)与上级政策的一致性",
                "本级政策。",
                "平度市人民政府办公室",
                "2024年7月16日",
            ],
            &[
                "title 2025年青岛市政务公开工作要点",
                "p 根据《通知》要求,制定本要点。",
                "entry1 一、 [加强体制机制建设,推进政务公开规范转型]",
                "  entry2 (一) [完善主动公开机制。]",
                "    p 健全主动公开事项目录制度。(责任单位:市政府各部门)",
                "    entry3 1.",
                "      p 明确具体责任及工作要求；",
                "      entry4 （1）",
                "        p 申请受理、审核、答复。",
                "entry1 二、 [决策依据]",
                "  p 起草的主要依据。",
                "  entry2 (六) [与上级政策的一致性]",
                "    p 本级政策。",
                "signature [\"平度市人民政府办公室\"]",
            ],
        );
    }

    #[test]
    fn an_outline_closing_paragraph_is_kept_at_the_document_level() {
        // The end of 2024年平度市政务公开工作要点 (corpus seed 370283).
        check(
            &[
                "2024年平度市政务公开工作要点",
                "一、聚焦夯实工作基础,提升政务公开业务能力",
                "(一)加强组织领导。各级各部门要定期研究解决重点难点问题。",
                "(二)加强督促落实。市政府办公室进一步完善考评方案。",
                "各镇人民政府、街道办事处,市政府各部门要对照本要点制定任务清单。",
                "平度市人民政府办公室",
                "2024年7月16日",
            ],
            &[
                "title 2024年平度市政务公开工作要点",
                "entry1 一、 [聚焦夯实工作基础,提升政务公开业务能力]",
                "  entry2 (一) [加强组织领导。]",
                "    p 各级各部门要定期研究解决重点难点问题。",
                "  entry2 (二) [加强督促落实。]",
                "    p 市政府办公室进一步完善考评方案。",
                "p 各镇人民政府、街道办事处,市政府各部门要对照本要点制定任务清单。",
                "signature [\"平度市人民政府办公室\"]",
            ],
        );
    }

    #[test]
    fn a_last_entry_written_like_the_others_keeps_its_paragraphs() {
        // Entries of this document run over several paragraphs, so the last
        // one's second paragraph is its own; and a paragraph that does not
        // open like a closing one stays where it is.
        let entries = [
            "一、工作要求",
            "(一)加强组织领导。市政府办公室牵头。",
            "各部门要明确分工。",
            "(二)加强督促落实。市政府办公室进一步完善考评方案。",
            "各镇要对照本要点制定任务清单。",
        ];
        check(
            &entries,
            &[
                "entry1 一、 [工作要求]",
                "  entry2 (一) [加强组织领导。]",
                "    p 市政府办公室牵头。",
                "    p 各部门要明确分工。",
                "  entry2 (二) [加强督促落实。]",
                "    p 市政府办公室进一步完善考评方案。",
                "    p 各镇要对照本要点制定任务清单。",
            ],
        );
        check(
            &[
                "一、工作要求",
                "(一)加强督促落实。市政府办公室进一步完善考评方案。",
                "落实情况纳入年度报告。",
            ],
            &[
                "entry1 一、 [工作要求]",
                "  entry2 (一) [加强督促落实。]",
                "    p 市政府办公室进一步完善考评方案。",
                "    p 落实情况纳入年度报告。",
            ],
        );
    }

    #[test]
    fn attachments_and_markers() {
        check(
            &[
                "一、任务",
                "(此件公开发布)",
                "附件1",
                "重点任务分工表",
                "一、完善机制",
            ],
            &[
                "entry1 一、 [任务]",
                "note (此件公开发布)",
                "attachment 附件1 [重点任务分工表]",
                "  entry1 一、 [完善机制]",
            ],
        );
    }

    #[test]
    fn a_title_split_over_lines_is_joined() {
        check(
            &[
                "博山区贯彻落实《2025年山东省政务公开",
                "工作要点》实施方案",
                "为进一步提升质效，制定如下方案。",
            ],
            &[
                "title 博山区贯彻落实《2025年山东省政务公开工作要点》实施方案",
                "p 为进一步提升质效，制定如下方案。",
            ],
        );
    }

    #[test]
    fn a_heading_printed_over_two_lines_is_joined() {
        check(
            &[
                "国际海运条例",
                "第三章　国际海运业务经营活动",
                "第二十条　国际船舶运输经营者之间订立的协议，应当报备。",
                "第四章　外商投资经营国际海运",
                "及其辅助性业务的特别规定",
                "第二十一条　经批准，外国投资者可以依照有关法律的规定投资经营。",
            ],
            &[
                "title 国际海运条例",
                "chapter 第三章 [国际海运业务经营活动]",
                "  article 第二十条",
                "    p 国际船舶运输经营者之间订立的协议，应当报备。",
                "chapter 第四章 [外商投资经营国际海运及其辅助性业务的特别规定]",
                "  article 第二十一条",
                "    p 经批准，外国投资者可以依照有关法律的规定投资经营。",
            ],
        );
        // A heading that ends, a long line, a structural line: kept apart.
        check(
            &[
                "第一章　总则（一般规定）",
                "及其他",
                "第二章　管理",
                "第一节　一般规定",
                "第一条　内容。",
                "第三章　附则",
                "这一行很长很长很长很长很长很长很长很长很长很长很长很长很长",
            ],
            &[
                "chapter 第一章 [总则（一般规定）]",
                "  p 及其他",
                "chapter 第二章 [管理]",
                "  section 第一节 [一般规定]",
                "    article 第一条",
                "      p 内容。",
                "chapter 第三章 [附则]",
                "  p 这一行很长很长很长很长很长很长很长很长很长很长很长很长很长",
            ],
        );
    }

    #[test]
    fn a_title_printed_over_two_lines_is_joined() {
        check(
            &[
                "关于审理非法行医刑事案件具体应用法律",
                "若干问题的解释",
                "第一条　具有下列情形之一的，应认定为非法行医。",
                "第二条　具有下列情形之一的，应认定为情节严重。",
            ],
            &[
                "title 关于审理非法行医刑事案件具体应用法律若干问题的解释",
                "article 第一条",
                "  p 具有下列情形之一的，应认定为非法行医。",
                "article 第二条",
                "  p 具有下列情形之一的，应认定为情节严重。",
            ],
        );
        // An attachment's title, too.
        check(
            &[
                "关于印发解释的通知",
                "现将解释印发给你们。",
                "附件",
                "关于审理非法行医刑事案件具体应用法律",
                "若干问题的解释",
                "为依法惩处非法行医犯罪，现解释如下。",
            ],
            &[
                "title 关于印发解释的通知",
                "p 现将解释印发给你们。",
                "attachment 附件 [关于审理非法行医刑事案件具体应用法律若干问题的解释]",
                "  p 为依法惩处非法行医犯罪，现解释如下。",
            ],
        );
        // A complete title keeps the next line to itself.
        check(
            &[
                "2025年青岛市政务公开工作要点",
                "青岛市人民政府办公厅",
                "一、加强体制机制建设",
            ],
            &[
                "title 2025年青岛市政务公开工作要点",
                "p 青岛市人民政府办公厅",
                "entry1 一、 [加强体制机制建设]",
            ],
        );
    }

    #[test]
    fn headings() {
        assert_eq!(
            split_heading("完善主动公开机制。健全……", 2),
            (Some("完善主动公开机制。".into()), Some("健全……".into()))
        );
        assert_eq!(
            split_heading("政策背景", 1),
            (Some("政策背景".into()), None)
        );
        assert_eq!(
            split_heading("明确具体责任及工作要求；", 3),
            (None, Some("明确具体责任及工作要求；".into()))
        );
        assert_eq!(
            split_heading("公开内容从“全面覆盖”向“精准聚焦”深化,服务区域发展大局。", 2),
            (
                Some("公开内容从“全面覆盖”向“精准聚焦”深化,服务区域发展大局。".into()),
                None
            )
        );
    }
}
