//! A deterministic generator of realistic synthetic libraries.
//!
//! From a seed and a number of versions, [`generate`] yields works one at a
//! time (so a million versions never sit in memory together):
//!
//! - spread over Shandong: the province, its 16 cities, their counties and a
//!   few townships, roughly as documents are spread in a real provincial
//!   library (most from counties and cities);
//! - a mix of types: normative documents and policy points with the
//!   `一、`/`（一）` outline (with or without a cover notice), local
//!   regulations and government rules with chapters and articles,
//!   interpretations of earlier works, gazette issues and disclosure
//!   catalogues;
//! - text built from real articles and outline entries of the corpus,
//!   recombined and perturbed;
//! - versions per work: about half have one, a third 2–5, the rest 8–14
//!   (catalogues and much-amended regulations), about 3.3 on average;
//!   amendments modify, insert and delete articles and renumber the rest;
//! - relations: basis and implements citations of earlier works of the
//!   regions above (by document number or title, so the library must
//!   resolve them), interpretations of the work just before, a share of
//!   citations nothing in the corpus matches, gazette issues containing
//!   works; and lifecycle events (repealed, validity end, withdrawn).

use wenku_model::{
    Block, Citation, Date, DocNumber, DocType, Document, Number, Record, Region, Relation,
    RelationKind, Repeal, Signature, Table, Target, Unit, UnitKind, VersionEntry, Withdrawal,
    WorkId, WrittenDate, numeral,
};

use wenku_model::canonical::EncodeError;

use crate::pool::{Piece, Pool, pool};
use crate::regions::{CITIES, PROVINCE};
use crate::rng::Rng;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// The seed: the same seed gives the same corpus everywhere.
    pub seed: u64,
    /// Total number of versions over all works.
    pub versions: usize,
}

/// One version of a generated work.
#[derive(Clone, Debug)]
pub struct GenVersion {
    /// The text.
    pub document: Document,
    /// Published.
    pub published: Date,
    /// Effective, when later than published.
    pub effective: Option<Date>,
    /// The amending document, for versions after the first.
    pub amended_by: Option<Citation>,
    /// 修正 / 修订 / 发布.
    pub note: Option<String>,
}

/// A generated work with all its versions, oldest first.
#[derive(Clone, Debug)]
pub struct GenWork {
    /// Its id.
    pub work: WorkId,
    /// Its type.
    pub doc_type: DocType,
    /// Title (of the latest version).
    pub title: String,
    /// Document number.
    pub number: Option<DocNumber>,
    /// Issuing organ.
    pub issuer: String,
    /// Subjects.
    pub subjects: Vec<String>,
    /// Relations, targets as citations or works.
    pub relations: Vec<Relation>,
    /// Versions in legal order.
    pub versions: Vec<GenVersion>,
    /// Repeal.
    pub repealed: Option<Repeal>,
    /// Last day of validity.
    pub expires: Option<Date>,
    /// Withdrawal.
    pub withdrawn: Option<Withdrawal>,
}

impl GenWork {
    /// The record this work has in a library: metadata, relations, every
    /// version with its RevisionId (computed from the canonical bytes), and
    /// lifecycle events.
    pub fn record(&self) -> Result<Record, EncodeError> {
        let mut r = Record::new(self.work.clone(), self.doc_type, &self.title);
        r.number = self.number.clone();
        r.issuers = vec![self.issuer.clone()];
        r.subjects = self.subjects.clone();
        for rel in &self.relations {
            r.add_relation(rel.clone());
        }
        for v in &self.versions {
            r.insert_version(VersionEntry {
                revision: v.document.revision_id()?,
                published: v.published,
                effective: v.effective,
                amended_by: v.amended_by.clone(),
                note: v.note.clone(),
                withdrawn: None,
            });
        }
        r.repealed = self.repealed.clone();
        r.expires = self.expires;
        r.withdrawn = self.withdrawn.clone();
        Ok(r)
    }
}

/// Yields works until `spec.versions` versions have been produced.
pub fn generate(spec: Spec) -> Generator {
    Generator {
        rng: Rng::new(spec.seed),
        remaining: spec.versions,
        serial: 0,
        recent: Vec::new(),
        pending_interpretation: None,
        pool: pool(),
    }
}

/// The iterator [`generate`] returns.
#[derive(Debug)]
pub struct Generator {
    rng: Rng,
    remaining: usize,
    serial: u64,
    /// Recent works that later ones may cite (a bounded window).
    recent: Vec<Cited>,
    pending_interpretation: Option<Cited>,
    pool: &'static Pool,
}

#[derive(Clone, Debug)]
struct Cited {
    work: WorkId,
    region: Region,
    title: String,
    number: Option<DocNumber>,
    year: u32,
}

const RECENT: usize = 4096;

const TOPICS: &[&str] = &[
    "物业管理",
    "优化营商环境",
    "城市管理",
    "水资源管理",
    "政务公开",
    "安全生产",
    "消防安全",
    "生态环境保护",
    "道路交通安全",
    "养老服务",
    "学前教育",
    "文物保护",
    "旅游促进",
    "农业机械化",
    "林业有害生物防治",
    "住房保障",
    "食品安全",
    "医疗保障",
    "公共数据共享",
    "乡村振兴",
    "历史文化名城保护",
    "海洋环境保护",
    "燃气管理",
    "供热管理",
    "城市绿化",
    "市容和环境卫生",
    "电动自行车管理",
    "文明行为促进",
    "科技创新促进",
    "人才发展",
    "社会信用",
    "法律援助",
];

const SUBJECTS: &[&str] = &[
    "政务公开",
    "城乡建设",
    "环境保护",
    "交通",
    "教育",
    "卫生健康",
    "民政",
    "农业农村",
    "商贸",
    "财政",
    "科技",
    "文化旅游",
    "应急管理",
    "市场监管",
    "自然资源",
    "人力资源",
];

/// Where a work comes from.
struct Place {
    region: Region,
    name: String,
    /// Document-number prefix character(s): 鲁, 青, 平 …
    abbr: String,
    organ: String,
}

impl Generator {
    fn place(&mut self) -> Place {
        let roll = self.rng.below(100);
        let r = |s: &str| Region::parse(s).expect("region table holds valid codes");
        if roll < 6 {
            let (code, name, abbr) = PROVINCE;
            return Place {
                region: r(code),
                name: name.into(),
                abbr: abbr.into(),
                organ: format!("{name}人民政府办公厅"),
            };
        }
        let city = self.rng.pick(CITIES);
        if roll < 40 {
            return Place {
                region: r(city.code),
                name: city.name.into(),
                abbr: city.abbr.into(),
                organ: format!("{}人民政府办公室", city.name),
            };
        }
        let (code, name) = *self.rng.pick(city.counties);
        let abbr: String = name.chars().take(1).collect();
        if roll < 96 {
            return Place {
                region: r(code),
                name: name.into(),
                abbr,
                organ: format!("{name}人民政府办公室"),
            };
        }
        // A township hosted by its county's node.
        let n = self.rng.range(1, 12);
        Place {
            region: r(&format!("{code}{n:03}")),
            name: format!("{name}第{}街道", numeral::to_chinese(n as u32)),
            abbr,
            organ: format!("{name}第{}街道办事处", numeral::to_chinese(n as u32)),
        }
    }

    fn version_count(&mut self, doc_type: DocType) -> usize {
        let roll = self.rng.below(100);
        let n = match doc_type {
            DocType::Interpretation | DocType::Gazette => 1,
            DocType::Catalogue => self.rng.range(8, 14),
            _ if roll < 50 => 1,
            _ if roll < 86 => self.rng.range(2, 5),
            _ => self.rng.range(8, 14),
        };
        n.min(self.remaining).max(1)
    }

    fn doc_type(&mut self) -> DocType {
        match self.rng.below(100) {
            0..=29 => DocType::Normative,
            30..=56 => DocType::Policy,
            57..=66 => DocType::Notice,
            67..=76 => DocType::LocalRegulation,
            77..=90 => DocType::Regulation,
            91..=95 => DocType::Gazette,
            _ => DocType::Catalogue,
        }
    }

    fn cite_upward(&mut self, region: Region) -> Option<Cited> {
        // Look back through recent works for one from a region above.
        for _ in 0..64 {
            if self.recent.is_empty() {
                return None;
            }
            let c = self.rng.pick(&self.recent).clone();
            if c.region != region && c.region.contains(&region) {
                return Some(c);
            }
        }
        None
    }

    fn perturb(&mut self, text: &str) -> String {
        // Replace or append a sentence, or swap a few characters with others
        // from the same text, so recombined articles are not verbatim copies.
        let roll = self.rng.below(10);
        if roll < 3 {
            let s = self.rng.pick(&self.pool.sentences).clone();
            let mut parts: Vec<&str> = text.split_inclusive('。').collect();
            if parts.len() > 1 {
                let i = self.rng.below(parts.len());
                parts[i] = &s;
                return parts.concat();
            }
            return format!("{text}{s}");
        }
        if roll < 6 {
            let mut chars: Vec<char> = text.chars().collect();
            let n = chars.len();
            if n > 4 {
                for _ in 0..self.rng.range(1, 3) {
                    let (a, b) = (self.rng.below(n), self.rng.below(n));
                    if !chars[a].is_ascii_punctuation()
                        && !is_cjk_punct(chars[a])
                        && !is_cjk_punct(chars[b])
                    {
                        chars[a] = chars[b];
                    }
                }
            }
            return chars.into_iter().collect();
        }
        text.to_string()
    }

    fn article(&mut self, n: u32) -> Unit {
        let src = self.rng.pick(&self.pool.articles).clone();
        let mut unit = Unit::new(
            UnitKind::Article,
            format!("第{}条", numeral::to_chinese(n)),
            Some(Number::new(n)),
        );
        let mut item = 0;
        for piece in src {
            match piece {
                Piece::Para(t) => {
                    let t = self.perturb(&t);
                    unit.children.push(Block::Para(t));
                }
                Piece::Item(t) => {
                    item += 1;
                    let mut i = Unit::new(
                        UnitKind::Item,
                        format!("（{}）", numeral::to_chinese(item)),
                        Some(Number::new(item)),
                    );
                    i.children.push(Block::Para(t));
                    unit.children.push(Block::Unit(i));
                }
            }
        }
        unit
    }

    fn statute(&mut self, title: &str, place: &Place, published: Date) -> Document {
        let mut doc = Document::new(DocType::LocalRegulation, title);
        doc.organs.push(place.organ.clone());
        doc.body.push(Block::Title(title.into()));
        doc.body.push(Block::Note(format!(
            "{} {}人民代表大会常务委员会第{}次会议通过",
            published.to_chinese(),
            place.name,
            numeral::to_chinese(self.rng.range(2, 40) as u32)
        )));
        // Mostly 8–40 articles; a few long ones (real laws run 26–266).
        let articles = if self.rng.chance(0.04) {
            self.rng.range(60, 150)
        } else {
            self.rng.range(8, 40)
        };
        let chapters = if articles < 15 {
            0
        } else {
            self.rng.range(3, 9).min(articles / 4)
        };
        let mut n = 0u32;
        if chapters == 0 {
            for _ in 0..articles {
                n += 1;
                let a = self.article(n);
                doc.body.push(Block::Unit(a));
            }
            return doc;
        }
        let per = articles / chapters;
        for c in 1..=chapters {
            let heading = match c {
                1 => "总则".to_string(),
                _ if c == chapters => "附则".to_string(),
                _ => self.rng.pick(&self.pool.chapter_headings).clone(),
            };
            let mut ch = Unit::new(
                UnitKind::Chapter,
                format!("第{}章", numeral::to_chinese(c as u32)),
                Some(Number::new(c as u32)),
            );
            ch.heading = Some(heading);
            let count = if c == chapters {
                articles - per * (chapters - 1)
            } else {
                per
            };
            for _ in 0..count {
                n += 1;
                let a = self.article(n);
                ch.children.push(Block::Unit(a));
            }
            doc.body.push(Block::Unit(ch));
        }
        doc
    }

    fn outline(
        &mut self,
        doc_type: DocType,
        title: &str,
        place: &Place,
        published: Date,
        number: Option<&DocNumber>,
        basis: Option<&Cited>,
    ) -> Document {
        let mut doc = Document::new(doc_type, title);
        doc.organs.push(place.organ.clone());
        doc.number = number.cloned();
        doc.written = Some(published);
        if self.rng.chance(0.5) {
            let mut cover = Unit {
                kind: UnitKind::Cover,
                label: None,
                number: None,
                heading: None,
                children: Vec::new(),
            };
            cover.children.push(Block::Addressee(format!(
                "各有关单位,{}各部门:",
                place.name
            )));
            cover.children.push(Block::Para(format!(
                "《{title}》已经{}同意,现印发给你们,请认真贯彻执行。",
                place.name
            )));
            cover.children.push(Block::Signature(Signature {
                organs: vec![place.organ.clone()],
                date: Some(WrittenDate {
                    value: published,
                    text: published.to_chinese(),
                }),
            }));
            cover.children.push(Block::Note("(此件公开发布)".into()));
            doc.body.push(Block::Unit(cover));
        }
        doc.body.push(Block::Title(title.into()));
        let preamble = match basis {
            Some(b) => match &b.number {
                Some(n) => format!("根据《{}》({n})要求,结合实际,制定本方案。", b.title),
                None => format!("为贯彻落实《{}》,结合实际,制定本方案。", b.title),
            },
            None => {
                let s = self.rng.pick(&self.pool.sentences).clone();
                format!("为进一步做好相关工作,制定本方案。{s}")
            }
        };
        doc.body.push(Block::Para(preamble));
        let parts = self.rng.range(2, 5);
        let restart = self.rng.chance(0.3);
        let mut entry_no = 0u32;
        for p in 1..=parts {
            let mut part = Unit::new(
                UnitKind::Entry(1),
                format!("{}、", numeral::to_chinese(p as u32)),
                Some(Number::new(p as u32)),
            );
            part.heading = Some(self.rng.pick(&self.pool.part_headings).clone());
            if restart {
                entry_no = 0;
            }
            for _ in 0..self.rng.range(2, 5) {
                entry_no += 1;
                let (h, t) = self.rng.pick(&self.pool.entries).clone();
                let mut e = Unit::new(
                    UnitKind::Entry(2),
                    format!("({})", numeral::to_chinese(entry_no)),
                    Some(Number::new(entry_no)),
                );
                e.heading = Some(h);
                let t = self.perturb(&t);
                e.children.push(Block::Para(t));
                part.children.push(Block::Unit(e));
            }
            doc.body.push(Block::Unit(part));
        }
        doc.body.push(Block::Signature(Signature {
            organs: vec![place.organ.clone()],
            date: Some(WrittenDate {
                value: published,
                text: published.to_chinese(),
            }),
        }));
        doc
    }

    fn interpretation(&mut self, target: &Cited, place: &Place) -> Document {
        let title = format!("关于《{}》的解读", target.title);
        let mut doc = Document::new(DocType::Interpretation, &title);
        doc.organs.push(place.organ.clone());
        doc.body.push(Block::Title(title));
        for (i, h) in [
            "政策背景",
            "决策依据",
            "出台目的",
            "重要举措或核心内容",
            "解读机构及咨询方式",
        ]
        .iter()
        .enumerate()
        {
            let mut e = Unit::new(
                UnitKind::Entry(1),
                format!("{}、", numeral::to_chinese(i as u32 + 1)),
                Some(Number::new(i as u32 + 1)),
            );
            e.heading = Some((*h).into());
            for _ in 0..self.rng.range(1, 3) {
                let s = self.rng.pick(&self.pool.sentences).clone();
                e.children.push(Block::Para(s));
            }
            doc.body.push(Block::Unit(e));
        }
        doc
    }

    fn gazette(&mut self, title: &str, place: &Place, contains: &[Cited]) -> Document {
        let mut doc = Document::new(DocType::Gazette, title);
        doc.organs.push(format!("{}人民政府办公室", place.name));
        doc.body.push(Block::Title(title.into()));
        for c in contains {
            let line = match &c.number {
                Some(n) => format!("{}({n})", c.title),
                None => c.title.clone(),
            };
            doc.body.push(Block::Para(line));
        }
        doc
    }

    fn catalogue(&mut self, title: &str, place: &Place, year: u32) -> Document {
        let mut doc = Document::new(DocType::Catalogue, title);
        doc.organs.push(place.organ.clone());
        doc.body.push(Block::Title(title.into()));
        let mut table = Table {
            rows: vec![vec![
                "序号".into(),
                "事项".into(),
                "公开主体".into(),
                "公开时限".into(),
            ]],
        };
        for i in 1..=self.rng.range(5, 30) {
            let (h, _) = self.rng.pick(&self.pool.entries).clone();
            table.rows.push(vec![
                i.to_string(),
                h.trim_end_matches('。').to_string(),
                place.organ.clone(),
                format!("{year}年内"),
            ]);
        }
        doc.body.push(Block::Table(table));
        doc
    }

    /// The next version of a statute: modify, insert and delete articles,
    /// then renumber.
    fn amend_statute(&mut self, prev: &Document, published: Date) -> Document {
        let mut doc = prev.clone();
        let mut units: Vec<&mut Unit> = Vec::new();
        collect_articles(&mut doc.body, &mut units);
        let total = units.len();
        for _ in 0..self.rng.range(1, 5.min(total.max(1))) {
            let i = self.rng.below(total);
            if let Some(Block::Para(t)) = units[i].children.first_mut() {
                let s = self.rng.pick(&self.pool.sentences).clone();
                *t = format!("{t}{s}");
            }
        }
        // Insert and delete at the level that holds articles.
        let inserts = self.rng.range(0, 3);
        let deletes = if total > 10 { self.rng.range(0, 2) } else { 0 };
        for _ in 0..inserts {
            let a = self.article(0);
            let holder = article_holder(&mut doc.body, &mut self.rng);
            let at = self.rng.below(holder.len() + 1);
            holder.insert(at, Block::Unit(a));
        }
        for _ in 0..deletes {
            let holder = article_holder(&mut doc.body, &mut self.rng);
            let idx: Vec<usize> = holder
                .iter()
                .enumerate()
                .filter(|(_, b)| matches!(b, Block::Unit(u) if u.kind == UnitKind::Article))
                .map(|(i, _)| i)
                .collect();
            if idx.len() > 2 {
                let at = *self.rng.pick(&idx);
                holder.remove(at);
            }
        }
        let mut n = 0;
        renumber(&mut doc.body, &mut n);
        doc.body.insert(
            2.min(doc.body.len()),
            Block::Note(format!("{} 修正", published.to_chinese())),
        );
        doc
    }

    fn amend_outline(&mut self, prev: &Document) -> Document {
        let mut doc = prev.clone();
        let mut entries: Vec<&mut Unit> = Vec::new();
        collect_entries(&mut doc.body, &mut entries);
        if entries.is_empty() {
            let s = self.rng.pick(&self.pool.sentences).clone();
            doc.body.push(Block::Para(s));
            return doc;
        }
        for _ in 0..self.rng.range(1, 3) {
            let i = self.rng.below(entries.len());
            let s = self.rng.pick(&self.pool.sentences).clone();
            match entries[i].children.first_mut() {
                Some(Block::Para(t)) => *t = format!("{t}{s}"),
                _ => entries[i].children.push(Block::Para(s)),
            }
        }
        doc
    }

    fn amend_catalogue(&mut self, prev: &Document, year: u32) -> Document {
        let mut doc = prev.clone();
        for b in &mut doc.body {
            if let Block::Table(t) = b {
                let (h, _) = self.rng.pick(&self.pool.entries).clone();
                let n = t.rows.len();
                t.rows.push(vec![
                    n.to_string(),
                    h.trim_end_matches('。').to_string(),
                    "各有关单位".into(),
                    format!("{year}年内"),
                ]);
            }
        }
        doc
    }

    fn make_work(&mut self) -> GenWork {
        self.serial += 1;
        let serial = self.serial;
        // An interpretation follows the work it interprets.
        if let Some(target) = self.pending_interpretation.take() {
            let place = Place {
                region: target.region,
                name: String::new(),
                abbr: String::new(),
                organ: "人民政府办公室".into(),
            };
            let published = Date::new(target.year.min(2026), 1, 1)
                .ok()
                .and_then(|d| d.add_days(self.rng.range(0, 300) as i64))
                .expect("dates in range");
            let doc = self.interpretation(&target, &place);
            let work = WorkId::new(target.region, &format!("jd-{}-{serial}", target.year))
                .expect("valid local");
            self.remaining -= 1;
            return GenWork {
                work,
                doc_type: DocType::Interpretation,
                title: doc.title.clone(),
                number: None,
                issuer: place.organ,
                subjects: vec!["政策解读".into()],
                relations: vec![Relation {
                    kind: RelationKind::Interprets,
                    target: Target::Citation(Citation::title(target.title)),
                }],
                versions: vec![GenVersion {
                    document: doc,
                    published,
                    effective: None,
                    amended_by: None,
                    note: None,
                }],
                repealed: None,
                expires: None,
                withdrawn: None,
            };
        }

        let place = self.place();
        let doc_type = self.doc_type();
        let k = self.version_count(doc_type);
        // Dates: versions spread over 1995–2026.
        let span_end = Date::new(2026, 6, 30).expect("valid").to_days();
        let gap_max = 1500i64;
        let first_latest = span_end - (k as i64 - 1) * 200;
        let first = Date::new(1995, 1, 1).expect("valid").to_days()
            + self.rng.below(
                (first_latest - Date::new(1995, 1, 1).expect("valid").to_days()).max(1) as usize,
            ) as i64;
        let gap = ((span_end - first) / k as i64).clamp(200, gap_max);
        let mut dates = Vec::with_capacity(k);
        let mut d = first;
        for _ in 0..k {
            dates.push(Date::from_days(d.min(span_end)).expect("in range"));
            d += self.rng.range(200, gap as usize) as i64;
        }
        let year = dates[0].year();
        let topic = *self.rng.pick(TOPICS);
        let (title, number, local, is_statute) = match doc_type {
            DocType::LocalRegulation => (
                format!("{}{topic}条例", place.name),
                None,
                format!("tl-{serial}"),
                true,
            ),
            DocType::Regulation => (
                format!("{}{topic}办法", place.name),
                DocNumber::parse(&format!(
                    "{}人民政府令第{}号",
                    place.name.trim_end_matches(['市', '省', '区', '县']),
                    100 + serial % 300
                )),
                format!("bf-{year}-{serial}"),
                true,
            ),
            DocType::Gazette => (
                format!(
                    "{}人民政府公报{year}年第{}期",
                    place.name,
                    self.rng.range(1, 24)
                ),
                None,
                format!("gb-{year}-{serial}"),
                false,
            ),
            DocType::Catalogue => (
                format!("{}{topic}领域主动公开事项目录", place.name),
                None,
                format!("ml-{serial}"),
                false,
            ),
            _ => {
                let kind = if doc_type == DocType::Notice {
                    "通知"
                } else if doc_type == DocType::Normative {
                    "实施方案"
                } else {
                    "工作要点"
                };
                (
                    format!("{year}年{}{topic}{kind}", place.name),
                    DocNumber::parse(&format!(
                        "{}政办发〔{year}〕{}号",
                        place.abbr,
                        1 + serial % 150
                    )),
                    format!("zbf-{year}-{serial}"),
                    false,
                )
            }
        };
        let work = WorkId::new(place.region, &local).expect("generated locals are valid");
        let basis = self.cite_upward(place.region);
        let mut relations = Vec::new();
        if let Some(b) = &basis {
            let kind = if self.rng.chance(0.3) {
                RelationKind::Implements
            } else {
                RelationKind::Basis
            };
            let citation = match &b.number {
                Some(n) if kind == RelationKind::Basis => Citation::number(n.clone()),
                _ => Citation::title(b.title.clone()),
            };
            relations.push(Relation {
                kind,
                target: Target::Citation(citation),
            });
        }
        if self.rng.chance(0.15) {
            // A national document no library in the federation holds.
            let n = DocNumber::parse(&format!(
                "国办发〔{}〕{}号",
                year.saturating_sub(1).max(1995),
                self.rng.range(1, 80)
            ))
            .expect("valid number");
            relations.push(Relation {
                kind: RelationKind::Cites,
                target: Target::Citation(Citation::number(n)),
            });
        }
        if self.rng.chance(0.05) && !self.recent.is_empty() {
            let c = self.rng.pick(&self.recent).clone();
            relations.push(Relation {
                kind: RelationKind::Cites,
                target: Target::Work(c.work),
            });
        }
        let mut contains = Vec::new();
        if doc_type == DocType::Gazette {
            for _ in 0..self.rng.range(3, 12) {
                if let Some(c) = self
                    .recent
                    .get(self.recent.len().saturating_sub(1 + self.rng.below(200)))
                {
                    contains.push(c.clone());
                }
            }
            for c in &contains {
                relations.push(Relation {
                    kind: RelationKind::Contains,
                    target: Target::Work(c.work.clone()),
                });
            }
        }

        let mut versions: Vec<GenVersion> = Vec::with_capacity(k);
        for (i, published) in dates.iter().copied().enumerate() {
            let document = match (i, doc_type) {
                (0, DocType::Gazette) => self.gazette(&title, &place, &contains),
                (0, DocType::Catalogue) => self.catalogue(&title, &place, year),
                (0, _) if is_statute => {
                    let mut d = self.statute(&title, &place, published);
                    d.doc_type = doc_type;
                    d.number = number.clone();
                    d
                }
                (0, _) => self.outline(
                    doc_type,
                    &title,
                    &place,
                    published,
                    number.as_ref(),
                    basis.as_ref(),
                ),
                (_, DocType::Catalogue) => {
                    self.amend_catalogue(&versions[i - 1].document, published.year())
                }
                _ if is_statute => self.amend_statute(&versions[i - 1].document, published),
                _ => self.amend_outline(&versions[i - 1].document),
            };
            let effective = if is_statute && self.rng.chance(0.7) {
                published.add_days(self.rng.range(10, 180) as i64)
            } else {
                None
            };
            let amended_by = (i > 0).then(|| Citation::title(format!("关于修改《{title}》的决定")));
            let note = Some(
                if i == 0 {
                    "发布"
                } else if self.rng.chance(0.3) {
                    "修订"
                } else {
                    "修正"
                }
                .to_string(),
            );
            versions.push(GenVersion {
                document,
                published,
                effective,
                amended_by,
                note,
            });
        }
        let last = versions
            .last()
            .map(|v| v.published)
            .expect("at least one version");
        let roll = self.rng.below(100);
        let (mut repealed, mut expires, mut withdrawn) = (None, None, None);
        if roll < 6 {
            repealed = Some(Repeal {
                date: last
                    .add_days(self.rng.range(300, 2000) as i64)
                    .expect("in range"),
                by: Some(Target::Citation(Citation::title(format!(
                    "{}{topic}条例",
                    place.name
                )))),
            });
        } else if roll < 16 && !is_statute {
            expires = last.add_days(365 * self.rng.range(2, 5) as i64);
        } else if roll < 17 {
            withdrawn = Some(Withdrawal {
                date: last
                    .add_days(self.rng.range(1, 60) as i64)
                    .expect("in range"),
                reason: "发布有误，予以撤回".into(),
            });
        }

        let cited = Cited {
            work: work.clone(),
            region: place.region,
            title: title.clone(),
            number: number.clone(),
            year,
        };
        if matches!(doc_type, DocType::Normative | DocType::Policy)
            && self.rng.chance(0.12)
            && self.remaining > k
        {
            self.pending_interpretation = Some(cited.clone());
        }
        if self.recent.len() == RECENT {
            let i = self.rng.below(RECENT);
            self.recent[i] = cited;
        } else {
            self.recent.push(cited);
        }
        self.remaining -= versions.len();
        let subjects = vec![(*self.rng.pick(SUBJECTS)).to_string()];
        GenWork {
            work,
            doc_type,
            title,
            number,
            issuer: place.organ,
            subjects,
            relations,
            versions,
            repealed,
            expires,
            withdrawn,
        }
    }
}

fn is_cjk_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '；' | '：' | '、' | '（' | '）' | '《' | '》' | '“' | '”'
    )
}

fn collect_articles<'a>(blocks: &'a mut [Block], out: &mut Vec<&'a mut Unit>) {
    for b in blocks {
        if let Block::Unit(u) = b {
            if u.kind == UnitKind::Article {
                out.push(u);
            } else {
                collect_articles(&mut u.children, out);
            }
        }
    }
}

fn collect_entries<'a>(blocks: &'a mut [Block], out: &mut Vec<&'a mut Unit>) {
    for b in blocks {
        if let Block::Unit(u) = b {
            if u.kind == UnitKind::Entry(2) {
                out.push(u);
            } else {
                collect_entries(&mut u.children, out);
            }
        }
    }
}

/// The block list that holds articles: a random chapter's children, or the
/// body when there are no chapters.
fn article_holder<'a>(body: &'a mut Vec<Block>, rng: &mut Rng) -> &'a mut Vec<Block> {
    let chapters: Vec<usize> = body
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, Block::Unit(u) if u.kind == UnitKind::Chapter))
        .map(|(i, _)| i)
        .collect();
    if chapters.is_empty() {
        return body;
    }
    let i = *rng.pick(&chapters);
    match &mut body[i] {
        Block::Unit(u) => &mut u.children,
        _ => unreachable!("index chosen among chapters"),
    }
}

fn renumber(blocks: &mut [Block], n: &mut u32) {
    for b in blocks {
        if let Block::Unit(u) = b {
            if u.kind == UnitKind::Article {
                *n += 1;
                u.number = Some(Number::new(*n));
                u.label = Some(format!("第{}条", numeral::to_chinese(*n)));
            } else {
                renumber(&mut u.children, n);
            }
        }
    }
}

impl Iterator for Generator {
    type Item = GenWork;

    fn next(&mut self) -> Option<GenWork> {
        (self.remaining > 0).then(|| self.make_work())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn deterministic_from_the_seed() {
        let ids = |seed| {
            generate(Spec {
                seed,
                versions: 300,
            })
            .flat_map(|w| {
                w.record()
                    .expect("encodable")
                    .versions
                    .into_iter()
                    .map(|v| v.revision)
            })
            .collect::<Vec<_>>()
        };
        assert_eq!(ids(1), ids(1));
        assert_ne!(ids(1), ids(2));
    }

    #[test]
    fn shape_follows_the_spec() {
        let works: Vec<GenWork> = generate(Spec {
            seed: 42,
            versions: 8_000,
        })
        .collect();
        let versions: usize = works.iter().map(|w| w.versions.len()).sum();
        assert_eq!(versions, 8_000);
        let mean = versions as f64 / works.len() as f64;
        assert!((2.6..4.0).contains(&mean), "mean versions per work {mean}");
        let single =
            works.iter().filter(|w| w.versions.len() == 1).count() as f64 / works.len() as f64;
        assert!(single > 0.4, "share with one version {single}");
        assert!(works.iter().any(|w| w.versions.len() >= 10));

        // Ids are unique and every version is distinct text.
        let ids: HashSet<_> = works.iter().map(|w| w.work.clone()).collect();
        assert_eq!(ids.len(), works.len());
        let mut revisions = HashSet::new();
        for w in &works {
            let r = w.record().expect("encodable");
            assert_eq!(
                r.versions.len(),
                w.versions.len(),
                "{}: versions collide",
                w.work
            );
            for v in r.versions {
                revisions.insert(v.revision);
            }
        }
        assert_eq!(revisions.len(), versions);

        // Spread over levels and types.
        let mut levels: HashMap<_, usize> = HashMap::new();
        for w in &works {
            *levels.entry(w.work.region().level()).or_default() += 1;
        }
        assert!(levels.len() >= 4, "{levels:?}");
        let statutes = works
            .iter()
            .filter(|w| w.doc_type == DocType::LocalRegulation)
            .count();
        assert!(statutes > works.len() / 30);
        assert!(works.iter().any(|w| w.doc_type == DocType::Interpretation));
        assert!(
            works
                .iter()
                .any(|w| w.relations.iter().any(|r| r.kind == RelationKind::Basis))
        );
        assert!(works.iter().any(|w| w.repealed.is_some()));
    }

    #[test]
    fn amendments_renumber_articles() {
        let work = generate(Spec {
            seed: 9,
            versions: 5000,
        })
        .find(|w| w.doc_type == DocType::LocalRegulation && w.versions.len() >= 3)
        .expect("a multi-version statute");
        for v in &work.versions {
            let numbers: Vec<u32> = v
                .document
                .units_of(UnitKind::Article)
                .iter()
                .map(|u| u.number.expect("numbered").main)
                .collect();
            let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
            assert_eq!(numbers, expected);
        }
    }

    #[test]
    fn documents_are_realistic_in_size() {
        let works: Vec<GenWork> = generate(Spec {
            seed: 3,
            versions: 3000,
        })
        .collect();
        let sizes: Vec<usize> = works
            .iter()
            .flat_map(|w| {
                w.versions
                    .iter()
                    .map(|v| v.document.to_canonical().expect("encodable").len())
            })
            .collect();
        let mean = sizes.iter().sum::<usize>() / sizes.len();
        assert!(
            (2_000..20_000).contains(&mean),
            "mean canonical size {mean} bytes"
        );
    }
}
