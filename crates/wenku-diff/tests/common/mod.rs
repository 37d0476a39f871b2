//! Builders for hand-made documents.

use wenku_model::{Block, DocType, Document, Number, Unit, UnitKind, numeral};

/// The number of a label such as `第六十八条`, `第八条之一`, `（十一）`, `一、`.
pub fn number_of(label: &str) -> Option<Number> {
    let inner = label
        .trim_start_matches('第')
        .trim_start_matches(['（', '('])
        .trim_end_matches(['）', ')', '、', '.']);
    let (main, sub) = match inner.split_once('之') {
        Some((m, s)) => (m, numeral::parse(s)?),
        None => (inner, 0),
    };
    let main = main.trim_end_matches(['条', '章', '节', '编']);
    Some(Number::with_sub(numeral::parse(main)?, sub))
}

/// Builds a statute: chapters, sections, articles with paragraphs and items.
pub struct Law {
    doc: Document,
    chapter: Option<Unit>,
    section: Option<Unit>,
    article: Option<Unit>,
}

impl Law {
    pub fn new(title: &str) -> Law {
        let mut doc = Document::new(DocType::Law, title);
        doc.body.push(Block::Title(title.to_string()));
        Law {
            doc,
            chapter: None,
            section: None,
            article: None,
        }
    }

    pub fn chapter(mut self, label: &str, heading: &str) -> Law {
        self.close_chapter();
        let mut u = Unit::new(UnitKind::Chapter, label, number_of(label));
        u.heading = Some(heading.to_string());
        self.chapter = Some(u);
        self
    }

    pub fn section(mut self, label: &str, heading: &str) -> Law {
        self.close_section();
        let mut u = Unit::new(UnitKind::Section, label, number_of(label));
        u.heading = Some(heading.to_string());
        self.section = Some(u);
        self
    }

    /// An article with its paragraphs (款).
    pub fn article(mut self, label: &str, paras: &[&str]) -> Law {
        self.close_article();
        let mut u = Unit::new(UnitKind::Article, label, number_of(label));
        u.children = paras.iter().map(|p| Block::Para(p.to_string())).collect();
        self.article = Some(u);
        self
    }

    /// An item (项) in the current article.
    pub fn item(mut self, label: &str, text: &str) -> Law {
        let mut u = Unit::new(UnitKind::Item, label, number_of(label));
        u.children.push(Block::Para(text.to_string()));
        self.article
            .as_mut()
            .expect("items follow an article")
            .children
            .push(Block::Unit(u));
        self
    }

    fn close_article(&mut self) {
        if let Some(a) = self.article.take() {
            let target = match (&mut self.section, &mut self.chapter) {
                (Some(s), _) => &mut s.children,
                (None, Some(c)) => &mut c.children,
                (None, None) => &mut self.doc.body,
            };
            target.push(Block::Unit(a));
        }
    }

    fn close_section(&mut self) {
        self.close_article();
        if let Some(s) = self.section.take() {
            match &mut self.chapter {
                Some(c) => c.children.push(Block::Unit(s)),
                None => self.doc.body.push(Block::Unit(s)),
            }
        }
    }

    fn close_chapter(&mut self) {
        self.close_section();
        if let Some(c) = self.chapter.take() {
            self.doc.body.push(Block::Unit(c));
        }
    }

    pub fn build(mut self) -> Document {
        self.close_chapter();
        self.doc
    }
}

/// An outline entry with a heading and paragraphs.
pub fn entry(level: u8, label: &str, heading: &str, paras: &[&str], children: Vec<Unit>) -> Unit {
    let mut u = Unit::new(UnitKind::Entry(level), label, number_of(label));
    if !heading.is_empty() {
        u.heading = Some(heading.to_string());
    }
    u.children = paras.iter().map(|p| Block::Para(p.to_string())).collect();
    u.children.extend(children.into_iter().map(Block::Unit));
    u
}

/// The text of article `n` of a long made-up regulation, distinct for
/// every `n`.
pub fn filler(n: u32) -> String {
    const SUBJECTS: [&str; 8] = [
        "县级以上人民政府",
        "市场监督管理部门",
        "住房城乡建设主管部门",
        "生态环境主管部门",
        "街道办事处",
        "物业服务企业",
        "业主委员会",
        "行业协会",
    ];
    const DUTIES: [&str; 6] = [
        "应当建立健全监督检查制度，定期公布检查结果",
        "应当加强对相关活动的指导和监督，及时处理投诉举报",
        "应当按照规定公开办事指南，简化办理流程",
        "应当会同有关部门制定具体实施办法",
        "应当加强宣传教育，提高公众的参与意识",
        "应当建立信用档案，依法实施联合惩戒",
    ];
    format!(
        "{}在第{}项工作中{}，并于每年{}月底前报告上一年度的执行情况。",
        SUBJECTS[n as usize % 8],
        numeral::to_chinese(n),
        DUTIES[(n as usize / 8) % 6],
        n % 12 + 1
    )
}
