//! One version's content: metadata and a body that keeps both statute
//! structure (编/章/节/条/款/项/目) and the outline of normative documents
//! (`一、` / `（一）` / `1.` / `（1）`), plus cover notice, signature, notes,
//! attachments and tables, losslessly.
//!
//! Every structural unit keeps its label exactly as written (`第六十八条`,
//! `（一）`, `(一)`, `一、`) next to its numeric value, so rendering a
//! document gives back the text it was read from.

use std::fmt;
use std::str::FromStr;

use crate::citation::DocNumber;
use crate::date::Date;
use crate::revision::RevisionId;

/// What kind of document a work is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocType {
    /// 法律: a law of the National People's Congress or its Standing Committee.
    Law,
    /// 行政法规: an administrative regulation of the State Council.
    AdministrativeRegulation,
    /// 地方性法规: a local regulation of a people's congress.
    LocalRegulation,
    /// 司法解释: a judicial interpretation of the Supreme People's Court or
    /// the Supreme People's Procuratorate.
    JudicialInterpretation,
    /// 规章: departmental or local government rules.
    Regulation,
    /// 行政规范性文件: a normative document.
    Normative,
    /// 其他政策文件: another policy document (work points, plans …).
    Policy,
    /// 解读: an interpretation of another document.
    Interpretation,
    /// 公报: a gazette issue.
    Gazette,
    /// 目录: a disclosure catalogue.
    Catalogue,
    /// 通知: a notice.
    Notice,
    /// Anything else.
    Other,
}

impl DocType {
    /// Every type, in a fixed order. New types are appended: the index
    /// stores a type as its position here.
    pub const ALL: [DocType; 12] = [
        DocType::Law,
        DocType::AdministrativeRegulation,
        DocType::LocalRegulation,
        DocType::Regulation,
        DocType::Normative,
        DocType::Policy,
        DocType::Interpretation,
        DocType::Gazette,
        DocType::Catalogue,
        DocType::Notice,
        DocType::Other,
        DocType::JudicialInterpretation,
    ];

    /// The slug used in XML, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Law => "law",
            DocType::AdministrativeRegulation => "administrative-regulation",
            DocType::LocalRegulation => "local-regulation",
            DocType::JudicialInterpretation => "judicial-interpretation",
            DocType::Regulation => "regulation",
            DocType::Normative => "normative",
            DocType::Policy => "policy",
            DocType::Interpretation => "interpretation",
            DocType::Gazette => "gazette",
            DocType::Catalogue => "catalogue",
            DocType::Notice => "notice",
            DocType::Other => "other",
        }
    }

    /// The Chinese name.
    pub fn chinese(self) -> &'static str {
        match self {
            DocType::Law => "法律",
            DocType::AdministrativeRegulation => "行政法规",
            DocType::LocalRegulation => "地方性法规",
            DocType::JudicialInterpretation => "司法解释",
            DocType::Regulation => "规章",
            DocType::Normative => "行政规范性文件",
            DocType::Policy => "其他政策文件",
            DocType::Interpretation => "解读",
            DocType::Gazette => "公报",
            DocType::Catalogue => "目录",
            DocType::Notice => "通知",
            DocType::Other => "其他",
        }
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown document type name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown document type {0:?}; expected one of law, administrative-regulation, local-regulation, judicial-interpretation, regulation, normative, policy, interpretation, gazette, catalogue, notice, other (or the Chinese name)"
)]
pub struct DocTypeError(pub String);

impl FromStr for DocType {
    type Err = DocTypeError;
    /// Accepts the slug or the Chinese name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocType::ALL
            .into_iter()
            .find(|t| t.as_str() == s || t.chinese() == s)
            .ok_or_else(|| DocTypeError(s.chars().take(40).collect()))
    }
}

/// A unit's number: the integer value of its label, with `sub` for
/// `第X条之一` (sub 1), `之二` (sub 2) …; `sub` is 0 otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Number {
    /// The main number: 68 for `第六十八条`, 1 for `（一）`.
    pub main: u32,
    /// 1 for `之一`, 2 for `之二`; 0 if absent.
    pub sub: u32,
}

impl Number {
    /// A plain number.
    pub fn new(main: u32) -> Number {
        Number { main, sub: 0 }
    }

    /// A number with a 之N part.
    pub fn with_sub(main: u32, sub: u32) -> Number {
        Number { main, sub }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.sub == 0 {
            write!(f, "{}", self.main)
        } else {
            write!(f, "{}-{}", self.main, self.sub)
        }
    }
}

/// The kinds of structural units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitKind {
    /// 印发通知: the cover notice that publishes the document.
    Cover,
    /// 编.
    Part,
    /// 分编.
    Subpart,
    /// 章.
    Chapter,
    /// 节.
    Section,
    /// 条. Its paragraphs (款) are its [`Block::Para`] children.
    Article,
    /// 项: `（一）` inside an article.
    Item,
    /// 目: `1.` / `（1）` inside an item.
    Subitem,
    /// An outline entry of a normative document: level 1 `一、`, level 2
    /// `（一）`, level 3 `1.`, level 4 `（1）`.
    Entry(u8),
    /// 附件: an attachment.
    Attachment,
}

/// Deepest outline level.
pub const MAX_ENTRY_LEVEL: u8 = 4;

impl UnitKind {
    /// The XML element name and JSON `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Cover => "cover",
            UnitKind::Part => "part",
            UnitKind::Subpart => "subpart",
            UnitKind::Chapter => "chapter",
            UnitKind::Section => "section",
            UnitKind::Article => "article",
            UnitKind::Item => "item",
            UnitKind::Subitem => "subitem",
            UnitKind::Entry(_) => "entry",
            UnitKind::Attachment => "attachment",
        }
    }

    /// The outline level of an entry.
    pub fn level(self) -> Option<u8> {
        match self {
            UnitKind::Entry(l) => Some(l),
            _ => None,
        }
    }

    /// Whether this kind groups articles (编, 分编, 章, 节).
    pub fn is_division(self) -> bool {
        matches!(
            self,
            UnitKind::Part | UnitKind::Subpart | UnitKind::Chapter | UnitKind::Section
        )
    }
}

/// A structural unit: a chapter, an article, an outline entry, an item …
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unit {
    /// What it is.
    pub kind: UnitKind,
    /// The label exactly as written: `第六十八条`, `（一）`, `(一)`, `一、`,
    /// `附件1`. `None` for units without one (a cover notice).
    pub label: Option<String>,
    /// The label's value.
    pub number: Option<Number>,
    /// A heading: a chapter's name (`总则`), an outline entry's heading
    /// sentence (`完善主动公开机制。`), an attachment's title.
    pub heading: Option<String>,
    /// The content, in order.
    pub children: Vec<Block>,
}

impl Unit {
    /// A unit with a label and number and no content yet.
    pub fn new(kind: UnitKind, label: impl Into<String>, number: Option<Number>) -> Unit {
        Unit {
            kind,
            label: Some(label.into()),
            number,
            heading: None,
            children: Vec::new(),
        }
    }
}

/// A date as written in the text, with its value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WrittenDate {
    /// The date.
    pub value: Date,
    /// How the text writes it: `2025年5月16日`.
    pub text: String,
}

/// A signature block (落款): the issuing organs and the date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Signature {
    /// One line per organ.
    pub organs: Vec<String>,
    /// The date line.
    pub date: Option<WrittenDate>,
}

/// A table: rows of cells of plain text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Table {
    /// Rows, each a list of cells.
    pub rows: Vec<Vec<String>>,
}

/// One block of a document body.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Block {
    /// The title as the text writes it.
    Title(String),
    /// A note that is not running text: the enactment and amendment history
    /// under a statute's title (题注), `（此件公开发布）` markers.
    Note(String),
    /// A paragraph of running text; inside an article, a 款.
    Para(String),
    /// The addressees of a cover notice (主送机关).
    Addressee(String),
    /// A signature block.
    Signature(Signature),
    /// A table.
    Table(Table),
    /// A structural unit.
    Unit(Unit),
}

/// One version's content.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Document {
    /// The title (metadata; the body keeps the title as written too).
    pub title: String,
    /// The document number (发文字号), if it has one.
    pub number: Option<DocNumber>,
    /// Issuing organs (发文机关).
    pub organs: Vec<String>,
    /// The document type.
    pub doc_type: DocType,
    /// The date the text was written (成文日期).
    pub written: Option<Date>,
    /// Subjects (主题词, tags).
    pub subjects: Vec<String>,
    /// The content.
    pub body: Vec<Block>,
}

impl Document {
    /// An empty document of a type with a title.
    pub fn new(doc_type: DocType, title: impl Into<String>) -> Document {
        Document {
            title: title.into(),
            number: None,
            organs: Vec::new(),
            doc_type,
            written: None,
            subjects: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The canonical bytes of this document (see [`crate::canonical`]).
    pub fn to_canonical(&self) -> Result<Vec<u8>, crate::canonical::EncodeError> {
        crate::canonical::encode_document(self)
    }

    /// The id of this document's canonical bytes.
    pub fn revision_id(&self) -> Result<RevisionId, crate::canonical::EncodeError> {
        Ok(RevisionId::of(&self.to_canonical()?))
    }

    /// Every unit in document order, depth first, with its depth.
    pub fn units(&self) -> Vec<(usize, &Unit)> {
        let mut out = Vec::new();
        fn walk<'a>(blocks: &'a [Block], depth: usize, out: &mut Vec<(usize, &'a Unit)>) {
            for b in blocks {
                if let Block::Unit(u) = b {
                    out.push((depth, u));
                    walk(&u.children, depth + 1, out);
                }
            }
        }
        walk(&self.body, 0, &mut out);
        out
    }

    /// Every unit of one kind, in document order.
    pub fn units_of(&self, kind: UnitKind) -> Vec<&Unit> {
        self.units()
            .into_iter()
            .filter(|(_, u)| u.kind == kind)
            .map(|(_, u)| u)
            .collect()
    }
}
