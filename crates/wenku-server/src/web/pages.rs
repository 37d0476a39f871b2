//! The pages' handlers: each reads a snapshot on the blocking pool and
//! renders its template.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use wenku_diff::{Options, Side};
use wenku_model::query::Filter;
use wenku_model::{
    Citation, Date, DocNumber, DocType, Record, Region, RelationKind, Status, Target, VersionEntry,
    WorkId,
};
use wenku_service::resolve;
use wenku_store::{ObjectId, Snapshot};

use super::regions::{self, Tree};
use super::{Crumb, Frame, error_page, text};
use crate::Shared;
use crate::api::works::snapshot;
use crate::api::{Answer, Freshness, Problem, Reply, answer_page, tag, today};

const HTML: &str = "text/html; charset=utf-8";

/// Documents per page of a region's list.
const PER_PAGE: usize = 50;

/// Relations of one kind shown at most on a document page.
const MAX_RELATED: usize = 200;

/// Unchanged units in a row folded away on the compare page.
const FOLD: usize = 3;

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, Problem> {
    q.map(|Query(q)| q)
        .map_err(|e| Problem::bad_request(format!("网址中的参数有误：{}", e.body_text())))
}

fn path<T>(p: Result<Path<T>, PathRejection>) -> Result<T, Problem> {
    p.map(|Path(p)| p)
        .map_err(|e| Problem::bad_request(format!("网址有误：{}", e.body_text())))
}

fn render(page: &impl Template) -> Result<String, Problem> {
    page.render().map_err(|e| {
        tracing::error!(error = %e, "a page template failed");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the page could not be made; the node's log says why".into(),
        )
    })
}

fn record(snapshot: &Snapshot, work: &WorkId) -> Result<Record, Problem> {
    snapshot
        .record(work)?
        .ok_or_else(|| Problem::not_found(format!("本库没有编号为 {work} 的文件。")))
}

fn work_id(region: &str, local: &str) -> Result<WorkId, Problem> {
    WorkId::parse(&format!("{region}/{local}")).map_err(|e| {
        Problem::not_found(format!(
            "“{}/{}” 不是文件编号：{e}",
            clip(region),
            clip(local)
        ))
    })
}

/// At most 80 characters of something a reader typed, to quote back.
fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Whether a document of region `at` belongs to the view of `region`
/// across the levels: a region above it, it, or one inside it.
fn in_view(region: Region, at: Region) -> bool {
    region.contains(&at) || at.contains(&region)
}

/// A `region=` parameter: none when absent or blank, else a region code.
fn region_param(value: Option<&str>) -> Result<Option<Region>, Problem> {
    match value.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => Region::parse(r)
            .map(Some)
            .map_err(|e| Problem::bad_request(format!("地区代码 “{}” 有误：{e}", clip(r)))),
    }
}

fn date_param(value: Option<&str>, what: &str) -> Result<Option<Date>, Problem> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Ok(Some(crate::api::date(v, what)?)),
    }
}

/// A page's reply: HTML, tagged with the head and what the page depends on.
fn page(body: String, head: ObjectId, what: &str) -> Answer {
    Ok(Reply::new(HTML, body, tag(head, what), Freshness::Head))
}

/// `/works/{id}`.
fn work_href(work: &WorkId) -> String {
    format!("/works/{work}")
}

fn version_href(work: &WorkId, revision: &wenku_model::RevisionId) -> String {
    format!("/works/{work}/versions/{revision}")
}

fn compare_href(work: &WorkId, from: &VersionEntry, to: &VersionEntry) -> String {
    format!(
        "/works/{work}/compare?from={}&to={}",
        from.revision, to.revision
    )
}

/// A query string value, percent-encoded.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn status_class(s: Status) -> &'static str {
    s.as_str()
}

/// The frame of a page under a work's own (a version, a comparison, the
/// history, the chain): `title`, at `permalink`, its crumbs the regions,
/// the work, then `leaf`.
fn under_work(
    shared: &Shared,
    snapshot: &Snapshot,
    record: &wenku_model::Record,
    title: String,
    permalink: String,
    leaf: String,
) -> Frame {
    let mut frame = Frame::new(shared, Some(snapshot.commit()), title);
    frame.permalink = permalink;
    frame.crumbs = crumbs_for(
        shared,
        snapshot,
        shared.library.authority().node(),
        record.work.region(),
    );
    frame.crumbs.push(Crumb {
        text: display_title(record),
        href: Some(work_href(&record.work)),
    });
    frame.crumbs.push(Crumb {
        text: leaf,
        href: None,
    });
    frame
}

fn crumbs_for(shared: &Shared, snapshot: &Snapshot, node: Region, region: Region) -> Vec<Crumb> {
    let mut out = vec![Crumb {
        text: "首页".into(),
        href: Some("/".into()),
    }];
    let mut chain: Vec<Region> = region
        .ancestors()
        .take_while(|r| node.contains(r))
        .collect();
    chain.reverse();
    for r in chain {
        out.push(Crumb {
            text: regions::name(&shared.region_names, snapshot, r, None),
            href: Some(format!("/regions/{r}")),
        });
    }
    out
}

/// A row of a list of documents.
pub(crate) struct Row {
    href: String,
    title: String,
    number: String,
    doc_type: &'static str,
    published: String,
    versions: usize,
    status: &'static str,
    status_class: &'static str,
}

impl Row {
    fn of(record: &Record, date: Date) -> Row {
        let status = record.status_at(date);
        Row {
            href: work_href(&record.work),
            title: display_title(record),
            number: record
                .number
                .as_ref()
                .map(|n| n.as_str().to_string())
                .unwrap_or_default(),
            doc_type: record.doc_type.chinese(),
            published: record
                .versions
                .iter()
                .map(|v| v.published)
                .max()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            versions: record.versions.len(),
            status: status.chinese(),
            status_class: status_class(status),
        }
    }
}

/// The latest publication date of `versions`, as text that sorts.
fn latest(versions: &[VersionEntry]) -> String {
    versions
        .iter()
        .map(|v| v.published)
        .max()
        .map(|d| d.to_string())
        .unwrap_or_default()
}

fn display_title(record: &Record) -> String {
    if record.title.trim().is_empty() {
        format!("（无标题 {}）", record.work)
    } else {
        record.title.clone()
    }
}

// ---------------------------------------------------------------- home

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    frame: Frame,
    total: usize,
    recent: Vec<Row>,
    tree: String,
}

/// How many levels of regions below the node the home page shows (a
/// province: its cities and their counties; townships are on the
/// counties' pages).
const HOME_LEVELS: usize = 2;

/// How many documents "what arrived lately" lists.
const RECENT: usize = 12;

pub(crate) async fn home(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    // The same for every reader until the head or the day changes: kept.
    let key = match today() {
        Ok(d) => format!("page.home.{d}"),
        Err(p) => return error_page(p),
    };
    answer_page(shared, headers, Some(key), error_page, |shared| {
        let date = today()?;
        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        let node = shared.library.authority().node();
        let works = snapshot.works(&Filter::all())?;
        let tree = Tree::of(node, &works);
        // What the latest operations brought, newest first. Reading an
        // operation costs about a millisecond or two (a bulk load's lists
        // thousands of works), so read a few and more only if they bring
        // too few works.
        let mut recent: Vec<WorkId> = Vec::new();
        let want = RECENT * 4;
        for limit in [4, 16, 64] {
            recent.clear();
            let ops = shared.library.operations(None, limit)?;
            let walked = ops.len();
            'ops: for op in ops {
                for w in op.works {
                    if !recent.contains(&w) && snapshot.contains(&w)? {
                        recent.push(w);
                        if recent.len() >= want {
                            break 'ops;
                        }
                    }
                }
            }
            if recent.len() >= want || walked < limit {
                break;
            }
        }
        let mut rows: Vec<Row> = recent
            .iter()
            .map(|w| record(&snapshot, w).map(|r| Row::of(&r, date)))
            .collect::<Result<_, _>>()?;
        rows.sort_by(|a, b| b.published.cmp(&a.published));
        rows.truncate(RECENT);
        let mut frame = Frame::new(shared, Some(head), "首页".into());
        frame.feed = Some("/feeds/all.atom".into());
        let tree_html = tree.html(&shared.region_names, &snapshot, node, HOME_LEVELS);
        let body = render(&HomePage {
            total: works.len(),
            recent: rows,
            tree: tree_html,
            frame,
        })?;
        page(body, head, &format!("home.{date}"))
    })
    .await
}

// ---------------------------------------------------------------- region

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct RegionQuery {
    #[serde(rename = "type")]
    doc_type: Option<String>,
    status: Option<String>,
    at: Option<String>,
    year: Option<String>,
    subject: Option<String>,
    issuer: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

struct Child {
    href: String,
    name: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    frame: Frame,
    name: String,
    code: String,
    total: usize,
    subregions: bool,
    feed: String,
    children: Vec<Child>,
    types: Vec<(&'static str, &'static str, bool)>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    sorts: Vec<(&'static str, &'static str, bool)>,
    at: String,
    year: String,
    subject: String,
    issuer: String,
    works: Vec<Row>,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

const STATUSES: [Status; 6] = [
    Status::InForce,
    Status::NotYetEffective,
    Status::Superseded,
    Status::Repealed,
    Status::Expired,
    Status::Withdrawn,
];

pub(crate) async fn region(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    p: Result<Path<String>, PathRejection>,
    q: Result<Query<RegionQuery>, QueryRejection>,
) -> Response {
    answer_page(shared, headers, None, error_page, move |shared| {
        let code = path(p)?;
        let q = query(q)?;
        let region = Region::parse(&code)
            .map_err(|e| Problem::not_found(format!("“{}” 不是地区代码：{e}", clip(&code))))?;
        let today = today()?;
        let at = date_param(q.at.as_deref(), "at")?.unwrap_or(today);
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let doc_type = match blank(&q.doc_type) {
            Some(t) => Some(
                t.parse::<DocType>()
                    .map_err(|e| Problem::bad_request(format!("类型：{e}")))?,
            ),
            None => None,
        };
        let status = match blank(&q.status) {
            Some(s) => Some(
                s.parse::<Status>()
                    .map_err(|e| Problem::bad_request(format!("状态：{e}")))?,
            ),
            None => None,
        };
        let year = match blank(&q.year) {
            Some(y) => Some(
                y.parse::<u32>()
                    .ok()
                    .filter(|y| (1000..=9999).contains(y))
                    .ok_or_else(|| {
                        Problem::bad_request(format!(
                            "年份应是四位数字，如 2024，而不是 “{}”",
                            clip(&y)
                        ))
                    })?,
            ),
            None => None,
        };
        let sort = blank(&q.sort).unwrap_or_else(|| "date".into());
        if !["date", "title", "number", "id"].contains(&sort.as_str()) {
            return Err(Problem::bad_request(format!(
                "排序方式是 date、title、number 或 id，而不是 “{}”",
                clip(&sort)
            )));
        }
        let page_no = match blank(&q.page) {
            Some(p) => p.parse::<usize>().ok().filter(|p| *p >= 1).ok_or_else(|| {
                Problem::bad_request(format!("页码应是正整数，而不是 “{}”", clip(&p)))
            })?,
            None => 1,
        };
        let subject = blank(&q.subject);
        let issuer = blank(&q.issuer);

        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        let node = shared.library.authority().node();
        let mut filter = Filter::all().region(region);
        if let Some(t) = doc_type {
            filter = filter.doc_type(t);
        }
        if let Some(s) = status {
            filter = filter.status_on(s, at);
        }
        if let Some(s) = &subject {
            filter = filter.subject(s.clone());
        }
        let all = snapshot.works(&Filter::all().region(region))?;
        let tree = Tree::of(region, &all);
        let works = if doc_type.is_none() && status.is_none() && subject.is_none() {
            all
        } else {
            snapshot.works(&filter)?
        };
        // Sort keys. Dates and years come from the index (no record is
        // read); an issuer filter or a sort by title or number reads each
        // record once.
        let needs_record = issuer.is_some() || sort == "title" || sort == "number";
        let mut keyed: Vec<(String, WorkId)> = Vec::with_capacity(works.len());
        for w in works {
            let key = if needs_record {
                let r = record(&snapshot, &w)?;
                if let Some(y) = year
                    && r.versions.first().map(|v| v.published.year()) != Some(y)
                {
                    continue;
                }
                if let Some(i) = &issuer
                    && !r.issuers.iter().any(|x| x.contains(i.as_str()))
                {
                    continue;
                }
                match sort.as_str() {
                    "title" => r.title,
                    "number" => r.number.map(|n| n.as_str().to_string()).unwrap_or_default(),
                    "date" => latest(&r.versions),
                    _ => String::new(),
                }
            } else {
                let versions = snapshot.versions(&w)?;
                if let Some(y) = year
                    && versions.first().map(|v| v.published.year()) != Some(y)
                {
                    continue;
                }
                if sort == "date" {
                    latest(&versions)
                } else {
                    String::new()
                }
            };
            keyed.push((key, w));
        }
        if sort == "date" {
            // Newest first; ties by id.
            keyed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        } else {
            keyed.sort();
        }
        let total = keyed.len();
        let pages = total.div_ceil(PER_PAGE).max(1);
        if page_no > pages {
            return Err(Problem::not_found(format!(
                "只有 {pages} 页，没有第 {page_no} 页。"
            )));
        }
        let rows: Vec<Row> = keyed
            .iter()
            .skip((page_no - 1) * PER_PAGE)
            .take(PER_PAGE)
            .map(|(_, w)| record(&snapshot, w).map(|r| Row::of(&r, at)))
            .collect::<Result<_, _>>()?;
        let mut params: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("type", blank(&q.doc_type)),
            ("status", blank(&q.status)),
            ("at", blank(&q.at)),
            ("year", blank(&q.year)),
            ("subject", subject.clone()),
            ("issuer", issuer.clone()),
            ("sort", blank(&q.sort)),
        ] {
            if let Some(v) = v {
                params.push((k, v));
            }
        }
        let link = |n: usize| {
            let mut qs: Vec<String> = params
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect();
            if n > 1 {
                qs.push(format!("page={n}"));
            }
            if qs.is_empty() {
                format!("/regions/{region}")
            } else {
                format!("/regions/{region}?{}", qs.join("&"))
            }
        };
        let name = regions::name(&shared.region_names, &snapshot, region, tree.sample(region));
        let children = tree
            .children(region)
            .into_iter()
            .map(|c| Child {
                href: format!("/regions/{c}"),
                name: regions::name(&shared.region_names, &snapshot, c, tree.sample(c)),
                count: tree.count(c),
            })
            .collect();
        let mut title = format!("{name}的文件");
        if !params.is_empty() {
            title.push_str("（筛选）");
        }
        if page_no > 1 {
            title.push_str(&format!(" 第 {page_no} 页"));
        }
        let mut frame = Frame::new(shared, Some(head), title);
        frame.permalink = link(page_no);
        frame.crumbs = crumbs_for(shared, &snapshot, node, region);
        if let Some(last) = frame.crumbs.last_mut() {
            last.href = None;
        }
        frame.feed = Some(format!("/feeds/regions/{region}.atom"));
        let body = render(&RegionPage {
            name,
            code: region.to_string(),
            total,
            subregions: !tree.children(region).is_empty(),
            feed: format!("/feeds/regions/{region}.atom"),
            children,
            types: DocType::ALL
                .iter()
                .map(|t| (t.as_str(), t.chinese(), Some(*t) == doc_type))
                .collect(),
            statuses: STATUSES
                .iter()
                .map(|s| (s.as_str(), s.chinese(), Some(*s) == status))
                .collect(),
            sorts: [
                ("date", "发布日期（新的在前）"),
                ("title", "标题"),
                ("number", "文号"),
                ("id", "编号"),
            ]
            .into_iter()
            .map(|(k, v)| (k, v, k == sort))
            .collect(),
            at: at.to_string(),
            year: year.map(|y| y.to_string()).unwrap_or_default(),
            subject: subject.unwrap_or_default(),
            issuer: issuer.unwrap_or_default(),
            works: rows,
            page: page_no,
            pages,
            prev: (page_no > 1).then(|| link(page_no - 1)),
            next: (page_no < pages).then(|| link(page_no + 1)),
            frame,
        })?;
        page(body, head, &format!("region.{region}.{today}.{q:?}"))
    })
    .await
}

// ---------------------------------------------------------------- work

/// A link, or the text of a citation that resolves to no work here.
#[derive(Clone)]
pub(crate) struct Link {
    href: Option<String>,
    text: String,
}

struct Group {
    name: &'static str,
    items: Vec<Link>,
}

struct VersionRow {
    handle: String,
    href: String,
    revision: String,
    published: String,
    effective: Option<String>,
    amended_by: Option<Link>,
    status: &'static str,
    status_class: &'static str,
    current: bool,
    compare: Option<String>,
}

struct PeriodRow {
    from: Option<String>,
    status: &'static str,
    status_class: &'static str,
    version: Option<(String, String)>,
    now: bool,
}

struct Links {
    feed: String,
    xml: String,
    json: String,
    history: String,
    chain: String,
}

/// A work's relations as links, grouped by kind: the ones it holds
/// (`outgoing`, citations resolved or marked unresolved) and the ones
/// other works hold to it (`incoming`), each group at most
/// [`MAX_RELATED`] long.
#[allow(clippy::type_complexity)]
fn relations(
    snapshot: &Snapshot,
    record: &wenku_model::Record,
) -> Result<
    (
        BTreeMap<RelationKind, Vec<Link>>,
        BTreeMap<RelationKind, Vec<Link>>,
    ),
    Problem,
> {
    let mut outgoing: BTreeMap<RelationKind, Vec<Link>> = BTreeMap::new();
    for rel in &record.relations {
        let links = target_links(snapshot, &rel.target)?;
        let group = outgoing.entry(rel.kind).or_default();
        for l in links {
            if group.len() < MAX_RELATED {
                group.push(l);
            }
        }
    }
    let mut incoming: BTreeMap<RelationKind, Vec<Link>> = BTreeMap::new();
    for referrer in snapshot.referrers(&record.work)? {
        let group = incoming.entry(referrer.kind).or_default();
        if group.len() >= MAX_RELATED
            || group
                .iter()
                .any(|l| l.href.as_deref() == Some(&work_href(&referrer.from)))
        {
            continue;
        }
        let title = snapshot
            .record(&referrer.from)?
            .map(|r| display_title(&r))
            .unwrap_or_else(|| referrer.from.to_string());
        group.push(Link {
            href: Some(work_href(&referrer.from)),
            text: title,
        });
    }
    Ok((outgoing, incoming))
}

#[derive(Template)]
#[template(path = "work.html")]
struct WorkPage {
    frame: Frame,
    work: String,
    title: String,
    number: String,
    issuers: String,
    doc_type: &'static str,
    subjects: String,
    status: &'static str,
    status_class: &'static str,
    since: Option<String>,
    today: String,
    at: String,
    shown: Option<VersionRow>,
    no_text: String,
    text: String,
    versions: Vec<VersionRow>,
    timeline: Vec<PeriodRow>,
    interprets: Vec<Link>,
    interpretations: Vec<Link>,
    outgoing: Vec<Group>,
    incoming: Vec<Group>,
    compare: String,
    links: Links,
}

/// What a relation kind reads as, from the work that holds it.
fn relation_name(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Basis => "制定依据",
        RelationKind::Implements => "贯彻落实",
        RelationKind::Interprets => "解读对象",
        RelationKind::Amends => "修改",
        RelationKind::Repeals => "废止",
        RelationKind::Replaces => "替代",
        RelationKind::Cites => "引用",
        RelationKind::Contains => "收录",
        RelationKind::Consults => "征求意见的文件",
        RelationKind::RespondsTo => "反馈的意见征集",
        RelationKind::Reviews => "审议的文件",
        RelationKind::Answers => "问答对象",
        RelationKind::Delivers => "兑现的政策",
    }
}

/// What a relation kind reads as, from the work it points at.
fn reverse_name(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Basis => "以本文件为依据",
        RelationKind::Implements => "贯彻落实本文件",
        RelationKind::Interprets => "政策解读",
        RelationKind::Amends => "修改本文件",
        RelationKind::Repeals => "废止本文件",
        RelationKind::Replaces => "替代本文件",
        RelationKind::Cites => "引用本文件",
        RelationKind::Contains => "收录于",
        RelationKind::Consults => "意见征集",
        RelationKind::RespondsTo => "结果反馈",
        RelationKind::Reviews => "会议审议",
        RelationKind::Answers => "政策问答",
        RelationKind::Delivers => "政策兑现",
    }
}

/// Links to what `target` means here; a citation to nothing here is one
/// unresolved entry.
fn target_links(snapshot: &Snapshot, target: &Target) -> Result<Vec<Link>, Problem> {
    let works = resolve::target(snapshot, target)?;
    if works.is_empty() {
        return Ok(vec![Link {
            href: None,
            text: target.to_string(),
        }]);
    }
    let mut out = Vec::new();
    for w in works {
        out.push(match snapshot.record(&w)? {
            Some(r) => Link {
                href: Some(work_href(&w)),
                text: display_title(&r),
            },
            // A work id no record carries: the id, unresolved.
            None => Link {
                href: None,
                text: w.to_string(),
            },
        });
    }
    Ok(out)
}

fn citation_link(snapshot: &Snapshot, c: &Citation) -> Result<Link, Problem> {
    let found = snapshot.lookup(c)?;
    Ok(Link {
        href: (found.len() == 1).then(|| work_href(&found[0])),
        text: c.to_string(),
    })
}

fn version_row(
    snapshot: &Snapshot,
    record: &Record,
    v: &VersionEntry,
    today: Date,
) -> Result<VersionRow, Problem> {
    let status = record
        .version_status(&v.revision, today)
        .unwrap_or(Status::Superseded);
    let previous = resolve::previous(record, v).ok();
    Ok(VersionRow {
        handle: resolve::handle(record, v),
        href: version_href(&record.work, &v.revision),
        revision: v.revision.to_string(),
        published: v.published.to_string(),
        effective: (v.effective_date() != v.published).then(|| v.effective_date().to_string()),
        amended_by: v
            .amended_by
            .as_ref()
            .map(|c| citation_link(snapshot, c))
            .transpose()?,
        status: status.chinese(),
        status_class: status_class(status),
        current: status == Status::InForce,
        compare: previous.map(|p| compare_href(&record.work, p, v)),
    })
}

pub(crate) async fn work(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    p: Result<Path<(String, String)>, PathRejection>,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    answer_page(shared, headers, None, error_page, move |shared| {
        let (region, local) = path(p)?;
        let q = query(q)?;
        let work = work_id(&region, &local)?;
        let today = today()?;
        let at = date_param(q.get("at").map(String::as_str), "at")?.unwrap_or(today);
        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        let record = record(&snapshot, &work)?;
        let as_of = record.as_of(today);
        let shown_entry = record.version_at(at);
        let (shown, text) = match shown_entry {
            Some(v) => {
                let html = text::served(v, today, || snapshot.document(&work, &v.revision))?;
                (Some(version_row(&snapshot, &record, v, today)?), html)
            }
            None => (None, String::new()),
        };
        let no_text = match record.versions.first() {
            Some(first) if at < first.effective_date() => {
                format!("本文件最早的版本自 {} 起施行。", first.effective_date())
            }
            _ => format!("本文件当日的状态是{}。", record.status_at(at).chinese()),
        };
        let versions = record
            .versions
            .iter()
            .map(|v| version_row(&snapshot, &record, v, today))
            .collect::<Result<Vec<_>, _>>()?;
        let periods = record.timeline();
        let now_index = periods
            .iter()
            .rposition(|p| p.from.is_none_or(|f| f <= today))
            .unwrap_or(0);
        let timeline = periods
            .iter()
            .enumerate()
            .map(|(i, p)| PeriodRow {
                from: p.from.map(|d| d.to_string()),
                status: p.status.chinese(),
                status_class: status_class(p.status),
                version: p.revision.and_then(|r| record.version(&r)).map(|v| {
                    (
                        resolve::handle(&record, v),
                        version_href(&work, &v.revision),
                    )
                }),
                now: i == now_index,
            })
            .collect();

        let (mut outgoing, mut incoming) = relations(&snapshot, &record)?;
        let interprets = outgoing
            .remove(&RelationKind::Interprets)
            .unwrap_or_default();
        let interpretations = incoming
            .remove(&RelationKind::Interprets)
            .unwrap_or_default();
        let node = shared.library.authority().node();
        let title = if at == today {
            display_title(&record)
        } else {
            format!("{}（{at} 有效文本）", display_title(&record))
        };
        let mut frame = Frame::new(shared, Some(head), title);
        frame.permalink = if at == today {
            work_href(&work)
        } else {
            format!("{}?at={at}", work_href(&work))
        };
        frame.feed = Some(format!("/feeds/works/{work}.atom"));
        frame.crumbs = crumbs_for(shared, &snapshot, node, work.region());
        frame.crumbs.push(Crumb {
            text: display_title(&record),
            href: None,
        });
        let body = render(&WorkPage {
            work: work.to_string(),
            title: display_title(&record),
            number: record
                .number
                .as_ref()
                .map(|n| n.as_str().to_string())
                .unwrap_or_default(),
            issuers: record.issuers.join("、"),
            doc_type: record.doc_type.chinese(),
            subjects: record.subjects.join("、"),
            status: as_of.status.chinese(),
            status_class: status_class(as_of.status),
            since: as_of.since.map(|d| d.to_string()),
            today: today.to_string(),
            at: at.to_string(),
            shown,
            no_text,
            text,
            versions,
            timeline,
            interprets,
            interpretations,
            outgoing: outgoing
                .into_iter()
                .map(|(k, items)| Group {
                    name: relation_name(k),
                    items,
                })
                .collect(),
            incoming: incoming
                .into_iter()
                .map(|(k, items)| Group {
                    name: reverse_name(k),
                    items,
                })
                .collect(),
            compare: format!("/works/{work}/compare"),
            links: Links {
                feed: format!("/feeds/works/{work}.atom"),
                xml: format!("/api/v1/works/{work}/text?format=xml"),
                json: format!("/api/v1/works/{work}"),
                history: format!("/works/{work}/history"),
                chain: format!("/works/{work}/chain"),
            },
            frame,
        })?;
        page(body, head, &format!("work.{work}.{today}.{at}"))
    })
    .await
}

// ---------------------------------------------------------------- version

#[derive(Template)]
#[template(path = "version.html")]
struct VersionPage {
    frame: Frame,
    title: String,
    handle: String,
    revision: String,
    published: String,
    effective: String,
    amended_by: Option<Link>,
    note: Option<String>,
    today: String,
    current: bool,
    ended: bool,
    status: &'static str,
    status_class: &'static str,
    current_href: Option<String>,
    work_href: String,
    compare_prev: Option<String>,
    compare_current: Option<String>,
    xml: String,
    text: String,
}

pub(crate) async fn version(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    p: Result<Path<(String, String, String)>, PathRejection>,
) -> Response {
    answer_page(shared, headers, None, error_page, move |shared| {
        let (region, local, revision) = path(p)?;
        let work = work_id(&region, &local)?;
        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        let record = record(&snapshot, &work)?;
        let entry = resolve::revision(&record, &revision)
            .map_err(|e| {
                Problem::not_found(format!(
                    "{} 没有版本 “{}”：{}",
                    display_title(&record),
                    clip(&revision),
                    e.message()
                ))
            })?
            .clone();
        if revision.len() != 64 {
            return Ok(Reply::redirect(version_href(&work, &entry.revision)));
        }
        let today = today()?;
        let status = record
            .version_status(&entry.revision, today)
            .unwrap_or(Status::Superseded);
        let current = resolve::current(&record, today)?;
        let html = text::served(&entry, today, || snapshot.document(&work, &entry.revision))?;
        let handle = resolve::handle(&record, &entry);
        let frame = under_work(
            shared,
            &snapshot,
            &record,
            format!(
                "{} {handle}（{} 公布）",
                display_title(&record),
                entry.published
            ),
            version_href(&work, &entry.revision),
            handle.clone(),
        );
        let is_current = status == Status::InForce;
        let body = render(&VersionPage {
            title: display_title(&record),
            handle,
            revision: entry.revision.to_string(),
            published: entry.published.to_string(),
            effective: entry.effective_date().to_string(),
            amended_by: entry
                .amended_by
                .as_ref()
                .map(|c| citation_link(&snapshot, c))
                .transpose()?,
            note: entry.note.clone(),
            today: today.to_string(),
            current: is_current,
            ended: matches!(
                status,
                Status::Repealed | Status::Expired | Status::Withdrawn
            ),
            status: status.chinese(),
            status_class: status_class(status),
            current_href: (current.revision != entry.revision).then(|| work_href(&work)),
            work_href: work_href(&work),
            compare_prev: resolve::previous(&record, &entry)
                .ok()
                .map(|p| compare_href(&work, p, &entry)),
            compare_current: (current.revision != entry.revision
                && current.effective_date() >= entry.effective_date())
            .then(|| compare_href(&work, &entry, current)),
            xml: format!(
                "/api/v1/works/{work}/versions/{}?format=xml",
                entry.revision
            ),
            text: html,
            frame,
        })?;
        // The text never changes, but the banner follows the head and the
        // date.
        page(
            body,
            head,
            &format!("version.{work}.{}.{today}", entry.revision),
        )
    })
    .await
}

// ---------------------------------------------------------------- compare

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    frame: Frame,
    action: String,
    title: String,
    options: Vec<(String, String)>,
    from_revision: String,
    to_revision: String,
    from_href: String,
    to_href: String,
    from_describe: String,
    to_describe: String,
    summary: String,
    side: String,
    table: String,
    downloads: (String, String, String),
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
}

pub(crate) async fn compare(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    p: Result<Path<(String, String)>, PathRejection>,
    q: Result<Query<CompareQuery>, QueryRejection>,
) -> Response {
    answer_page(shared, headers, None, error_page, move |shared| {
        let (region, local) = path(p)?;
        let q = query(q)?;
        let work = work_id(&region, &local)?;
        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        let record = record(&snapshot, &work)?;
        let today = today()?;
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let (asked_from, asked_to) = (blank(&q.from), blank(&q.to));
        if record.versions.len() < 2 {
            return Err(Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!(
                    "{} 只有一个版本，没有可以对照的修订。",
                    display_title(&record)
                ),
            ));
        }
        let select = |asked: &Option<String>,
                      what: &str|
         -> Result<Option<resolve::Selected<'_>>, Problem> {
            match asked {
                None => Ok(None),
                Some(s) => Ok(Some(
                    resolve::VersionName::parse(s, what)
                        .map_err(|e| Problem::bad_request(e.message()))?
                        .select(&record, today, what)?,
                )),
            }
        };
        let to = match select(&asked_to, "to")? {
            Some(s) => s,
            None => resolve::Selected::new(
                &record,
                resolve::current(&record, today)?,
                resolve::SelectedBy::Current,
            ),
        };
        let from = match select(&asked_from, "from")? {
            Some(s) => s,
            None => match resolve::previous(&record, to.version) {
                Ok(p) => resolve::Selected::new(&record, p, resolve::SelectedBy::Previous),
                // The current version is the first: compare it with the next.
                Err(_) => {
                    let next = record
                        .versions
                        .iter()
                        .position(|v| v.revision == to.version.revision)
                        .and_then(|i| record.versions.get(i + 1))
                        .unwrap_or(to.version);
                    let first = to.clone();
                    return Ok(Reply::redirect(compare_href(&work, first.version, next)));
                }
            },
        };
        let (f, t) = (from.version, to.version);
        if f.revision == t.revision {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "refused",
                format!(
                    "修订前和修订后是同一个版本（{}），请选两个不同的版本。",
                    from.handle
                ),
            ));
        }
        Problem::unless_served(&work, f, today)?;
        Problem::unless_served(&work, t, today)?;
        let old = snapshot.document(&work, &f.revision)?;
        let new = snapshot.document(&work, &t.revision)?;
        let comparison = wenku_diff::compare(&old, &new, &Options::default());
        let side = |s: &resolve::Selected| {
            let v = s.version;
            Side {
                revision: Some(v.revision),
                published: Some(v.published),
                label: Some(display_title(&record)),
                handle: Some(s.handle.clone()),
                effective: Some(v.effective_date()),
                selected: None,
            }
        };
        let (a, b) = (side(&from), side(&to));
        let describe = |s: &resolve::Selected| {
            let v = s.version;
            let mut d = format!("{} · {} 公布", s.handle, v.published);
            if v.effective_date() != v.published {
                d.push_str(&format!("，{} 施行", v.effective_date()));
            }
            d
        };
        let summary = wenku_diff::render::summary_line(&comparison);
        let options = record
            .versions
            .iter()
            .map(|v| {
                (
                    v.revision.to_string(),
                    format!("{} · {} 公布", resolve::handle(&record, v), v.published),
                )
            })
            .collect();
        let frame = under_work(
            shared,
            &snapshot,
            &record,
            format!(
                "{} 修订对照 {} → {}",
                display_title(&record),
                from.handle,
                to.handle
            ),
            compare_href(&work, f, t),
            "修订对照".into(),
        );
        let api = format!(
            "/api/v1/works/{work}/diff?from={}&to={}",
            f.revision, t.revision
        );
        let body = render(&ComparePage {
            action: format!("/works/{work}/compare"),
            title: display_title(&record),
            options,
            from_revision: f.revision.to_string(),
            to_revision: t.revision.to_string(),
            from_href: version_href(&work, &f.revision),
            to_href: version_href(&work, &t.revision),
            from_describe: describe(&from),
            to_describe: describe(&to),
            summary,
            side: wenku_diff::render::html::to_html_fragment(&comparison, FOLD),
            table: wenku_diff::render::table::to_table_fragment(&comparison, &a, &b),
            downloads: (
                format!("{api}&format=table-html"),
                format!("{api}&format=table-md"),
                format!("{api}&format=csv"),
            ),
            frame,
        })?;
        page(
            body,
            head,
            &format!(
                "compare.{work}.{}.{}.{today}.{:?}",
                f.revision,
                t.revision,
                (asked_from, asked_to)
            ),
        )
    })
    .await
}

// ---------------------------------------------------------------- history

struct HistoryRow {
    time: String,
    op: String,
    versions: Vec<(String, String)>,
    node: String,
    author: String,
    signature: String,
    subject: String,
    review: Option<String>,
    commit: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    frame: Frame,
    title: String,
    entries: Vec<HistoryRow>,
    work_href: String,
}

/// A commit time as a date and time in China Standard Time.
fn beijing(seconds: i64) -> String {
    let local = seconds + 8 * 3600;
    let days = local.div_euclid(86_400);
    let rest = local.rem_euclid(86_400);
    let date = Date::from_days(days)
        .map(|d| d.to_string())
        .unwrap_or_default();
    format!("{date} {:02}:{:02}", rest / 3600, rest % 3600 / 60)
}

pub(crate) async fn history(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    p: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    answer_page(shared, headers, None, error_page, move |shared| {
        let (region, local) = path(p)?;
        let work = work_id(&region, &local)?;
        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        let record = record(&snapshot, &work)?;
        let entries = shared.library.history(&work)?;
        let rows = entries
            .into_iter()
            .map(|e| HistoryRow {
                time: beijing(e.author.time.seconds),
                op: e.op.clone().unwrap_or_else(|| "（非 wenku 提交）".into()),
                versions: e
                    .added_versions
                    .iter()
                    .filter_map(|r| record.version(r))
                    .map(|v| {
                        (
                            format!("新增 {}", resolve::handle(&record, v)),
                            version_href(&work, &v.revision),
                        )
                    })
                    .collect(),
                node: e.node.clone().unwrap_or_default(),
                review: e
                    .review
                    .as_ref()
                    .map(|(who, note)| format!("审查：{who} 批准（{note}）")),
                author: e.author.name.clone(),
                signature: match &e.signature {
                    wenku_store::signing::CommitSignature::Unsigned => "未签名".into(),
                    wenku_store::signing::CommitSignature::Bad(why) => format!("签名无效：{why}"),
                    wenku_store::signing::CommitSignature::Good(key) => {
                        let who = match &e.signer_regions {
                            None => String::new(),
                            Some(r) if r.is_empty() => "（信任文件未列出此密钥）".into(),
                            Some(r) => format!(
                                "（{}）",
                                r.iter()
                                    .map(|r| r.to_string())
                                    .collect::<Vec<_>>()
                                    .join("、")
                            ),
                        };
                        format!("{}{who}", key.fingerprint(Default::default()))
                    }
                },
                subject: e.subject.clone(),
                commit: e.commit.short(12),
            })
            .collect();
        let frame = under_work(
            shared,
            &snapshot,
            &record,
            format!("{} 修改记录", display_title(&record)),
            format!("/works/{work}/history"),
            "修改记录".into(),
        );
        let body = render(&HistoryPage {
            title: display_title(&record),
            entries: rows,
            work_href: work_href(&work),
            frame,
        })?;
        page(body, head, &format!("history.{work}"))
    })
    .await
}

// ---------------------------------------------------------------- chain

/// One step of a policy's full chain.
struct ChainStep {
    /// 政策依据, 意见征集 …
    name: &'static str,
    /// The documents of this step (none: the link is missing).
    links: Vec<Link>,
    /// What the step is, for a reader who does not know the plan.
    about: &'static str,
}

#[derive(Template)]
#[template(path = "chain.html")]
struct ChainPage {
    frame: Frame,
    title: String,
    steps: Vec<ChainStep>,
    present: usize,
    work_href: String,
}

/// The steps of the full chain ("一码通") in the order a policy lives
/// them, and which relation fills each: the basis the policy names
/// itself; the others point at the policy from documents of their own
/// (a consultation, its feedback, the meeting, interpretations, Q&A,
/// delivery), so they are the policy's incoming relations.
const CHAIN: [(&str, Option<RelationKind>, &str); 8] = [
    (
        "政策依据",
        Some(RelationKind::Basis),
        "制定本文件所依据的法律、法规和上级文件",
    ),
    (
        "意见征集",
        Some(RelationKind::Consults),
        "起草时公开征求意见",
    ),
    (
        "结果反馈",
        Some(RelationKind::RespondsTo),
        "对征集到的意见的采纳情况反馈",
    ),
    ("会议审议", Some(RelationKind::Reviews), "审议本文件的会议"),
    ("文件发布", None, "本文件的发布"),
    (
        "政策解读",
        Some(RelationKind::Interprets),
        "与文件同步发布的解读",
    ),
    ("政策问答", Some(RelationKind::Answers), "围绕本文件的问答"),
    (
        "政策兑现",
        Some(RelationKind::Delivers),
        "本文件承诺事项的兑现情况",
    ),
];

pub(crate) async fn chain(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    p: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    answer_page(shared, headers, None, error_page, move |shared| {
        let (region, local) = path(p)?;
        let work = work_id(&region, &local)?;
        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        let record = record(&snapshot, &work)?;
        let (mut outgoing, mut incoming) = relations(&snapshot, &record)?;
        let published = record.versions.first().map(|v| Link {
            href: Some(version_href(&work, &v.revision)),
            text: format!(
                "{} {} 公布（共 {} 个版本）",
                display_title(&record),
                v.published,
                record.versions.len()
            ),
        });
        let steps: Vec<ChainStep> = CHAIN
            .iter()
            .map(|(name, kind, about)| ChainStep {
                name,
                about,
                links: match kind {
                    Some(RelationKind::Basis) => {
                        outgoing.remove(&RelationKind::Basis).unwrap_or_default()
                    }
                    Some(k) => incoming.remove(k).unwrap_or_default(),
                    None => published.clone().into_iter().collect(),
                },
            })
            .collect();
        let present = steps.iter().filter(|s| !s.links.is_empty()).count();
        let frame = under_work(
            shared,
            &snapshot,
            &record,
            format!("{} 全链条", display_title(&record)),
            format!("/works/{work}/chain"),
            "全链条".into(),
        );
        let body = render(&ChainPage {
            title: display_title(&record),
            steps,
            present,
            work_href: work_href(&work),
            frame,
        })?;
        page(body, head, &format!("chain.{work}"))
    })
    .await
}

// ---------------------------------------------------------------- gazettes

/// One gazette issue in the list.
struct IssueRow {
    /// `2025年第5期`, or the title when it names no issue.
    issue: String,
    title: String,
    href: String,
    published: String,
    /// Documents it contains (its `contains` relations).
    contains: usize,
}

/// An issue with what orders it: its year and number, its date.
type Dated = (Option<(u32, u32)>, Date, IssueRow);

/// The issues of one gazette: one issuer at one region.
struct Series {
    name: String,
    region: String,
    feed: String,
    issues: Vec<IssueRow>,
}

#[derive(Template)]
#[template(path = "gazettes.html")]
struct GazettesPage {
    frame: Frame,
    scope: String,
    series: Vec<Series>,
    feed: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GazettesQuery {
    region: Option<String>,
}

// ---------------------------------------------------------- catalogues

struct CatalogueRow {
    region: String,
    region_name: String,
    title: String,
    href: String,
    published: String,
    items: String,
    status: &'static str,
    status_class: &'static str,
}

struct CatalogueLevel {
    name: &'static str,
    rows: Vec<CatalogueRow>,
}

#[derive(Template)]
#[template(path = "catalogues.html")]
struct CataloguesPage {
    frame: Frame,
    scope: String,
    levels: Vec<CatalogueLevel>,
}

/// `/catalogues[?region=R]`: the disclosure catalogues (主动公开事项目录)
/// of the four levels around a region — those of the regions above it
/// and of the region itself and every region inside it — grouped by
/// level, each with its items counted from its current text.
pub(crate) async fn catalogues(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<GazettesQuery>, QueryRejection>,
) -> Response {
    answer_page(shared, headers, None, error_page, move |shared| {
        let q = query(q)?;
        let node = shared.library.authority().node();
        let region = region_param(q.region.as_deref())?.unwrap_or(node);
        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        let today = today()?;
        let mut levels: Vec<CatalogueLevel> = ["省级", "市级", "县级", "乡镇（街道）级"]
            .into_iter()
            .map(|name| CatalogueLevel {
                name,
                rows: Vec::new(),
            })
            .collect();
        let level_index = |r: Region| match r.level() {
            wenku_model::Level::National | wenku_model::Level::Province => 0,
            wenku_model::Level::City => 1,
            wenku_model::Level::County => 2,
            wenku_model::Level::Township => 3,
        };
        for work in snapshot.works(&Filter::all().doc_type(DocType::Catalogue))? {
            let at = work.region();
            if !in_view(region, at) {
                continue;
            }
            let Some(record) = snapshot.record(&work)? else {
                continue;
            };
            let Ok(current) = resolve::current(&record, today) else {
                continue;
            };
            let status = record.status_at(today);
            let items = if current.withdrawn.is_some() {
                "—".to_string()
            } else {
                match snapshot
                    .document(&work, &current.revision)
                    .map_err(wenku_service::Error::from)
                    .and_then(|doc| wenku_service::catalogue::items(&work, &doc))
                {
                    Ok(items) => items.len().to_string(),
                    Err(_) => "（无事项表）".to_string(),
                }
            };
            levels[level_index(at)].rows.push(CatalogueRow {
                region: at.to_string(),
                region_name: regions::name(&shared.region_names, &snapshot, at, Some(&work)),
                title: display_title(&record),
                href: work_href(&work),
                published: current.published.to_string(),
                items,
                status: status.chinese(),
                status_class: status_class(status),
            });
        }
        for level in &mut levels {
            level
                .rows
                .sort_by(|a, b| a.region.cmp(&b.region).then(b.published.cmp(&a.published)));
        }
        let scope = regions::name(&shared.region_names, &snapshot, region, None);
        let mut frame = Frame::new(shared, Some(head), format!("主动公开事项目录（{scope}）"));
        frame.permalink = format!("/catalogues?region={region}");
        frame.crumbs = crumbs_for(shared, &snapshot, node, region);
        frame.crumbs.push(Crumb {
            text: "主动公开事项目录".into(),
            href: None,
        });
        let body = render(&CataloguesPage {
            scope,
            levels,
            frame,
        })?;
        page(body, head, &format!("catalogues.{region}.{today}"))
    })
    .await
}

/// The year and issue number a gazette's title names: `2025年第5期`.
fn issue_of(title: &str) -> Option<(u32, u32)> {
    let at = title.find("年第")?;
    let year: u32 = title[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .ok()?;
    let rest = &title[at + "年第".len()..];
    let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = &rest[number.len()..];
    (after.starts_with('期') && (1000..=9999).contains(&year))
        .then(|| number.parse().ok().map(|n| (year, n)))
        .flatten()
}

/// `/gazettes[?region=R]`: the gazette issues (政府公报) of the library,
/// or of a region and the regions under it, one list per gazette (issuer
/// and level), newest issue first, each with the documents it contains
/// and the gazette's feed.
pub(crate) async fn gazettes(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<GazettesQuery>, QueryRejection>,
) -> Response {
    answer_page(shared, headers, None, error_page, move |shared| {
        let q = query(q)?;
        let region = region_param(q.region.as_deref())?;
        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        // A region's view spans the levels: the gazettes of the regions
        // above it, its own, and those of every region inside it.
        let mut by_series: BTreeMap<(Region, String), Vec<Dated>> = BTreeMap::new();
        for work in snapshot.works(&Filter::all().doc_type(DocType::Gazette))? {
            if let Some(r) = region
                && !in_view(r, work.region())
            {
                continue;
            }
            let Some(record) = snapshot.record(&work)? else {
                continue;
            };
            let Some(first) = record.versions.first() else {
                continue;
            };
            let title = display_title(&record);
            let issue = issue_of(&title);
            let issuer = record
                .issuers
                .first()
                .cloned()
                .unwrap_or_else(|| work.region().to_string());
            by_series.entry((work.region(), issuer)).or_default().push((
                issue,
                first.published,
                IssueRow {
                    issue: issue
                        .map(|(y, n)| format!("{y}年第{n}期"))
                        .unwrap_or_else(|| title.clone()),
                    title,
                    href: work_href(&work),
                    published: first.published.to_string(),
                    contains: record
                        .relations
                        .iter()
                        .filter(|r| r.kind == RelationKind::Contains)
                        .count(),
                },
            ));
        }
        let series = by_series
            .into_iter()
            .map(|((region, issuer), mut issues)| {
                issues.sort_by_key(|i| std::cmp::Reverse((i.0, i.1)));
                Series {
                    name: issuer,
                    region: region.to_string(),
                    feed: format!("/feeds/gazettes/{region}.atom?subregions=false"),
                    issues: issues.into_iter().map(|(_, _, row)| row).collect(),
                }
            })
            .collect();
        let scope = match region {
            Some(r) => format!("{r}、其上级及所辖地区"),
            None => "本库".to_string(),
        };
        let node = shared.library.authority().node();
        let mut frame = Frame::new(shared, Some(head), format!("政府公报（{scope}）"));
        frame.permalink = match region {
            Some(r) => format!("/gazettes?region={r}"),
            None => "/gazettes".into(),
        };
        frame.crumbs = crumbs_for(shared, &snapshot, node, region.unwrap_or(node));
        frame.crumbs.push(Crumb {
            text: "政府公报".into(),
            href: None,
        });
        let body = render(&GazettesPage {
            scope,
            series,
            feed: format!("/feeds/gazettes/{}.atom", region.unwrap_or(node)),
            frame,
        })?;
        page(body, head, &format!("gazettes.{region:?}"))
    })
    .await
}

// ---------------------------------------------------------------- find

#[derive(Template)]
#[template(path = "find.html")]
struct FindPage {
    frame: Frame,
    query: String,
    explain: String,
    works: Vec<Row>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct FindQuery {
    q: Option<String>,
}

pub(crate) async fn find(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<FindQuery>, QueryRejection>,
) -> Response {
    answer_page(shared, headers, None, error_page, move |shared| {
        let q = query(q)?;
        let text = q.q.as_deref().map(str::trim).unwrap_or("").to_string();
        if text.is_empty() {
            return Ok(Reply::redirect("/".into()));
        }
        if text.chars().count() > 200 {
            return Err(Problem::bad_request("查找的内容过长（至多 200 字）。"));
        }
        let today = today()?;
        let snapshot = snapshot(shared)?;
        let head = snapshot.commit();
        let (found, explain) = if let Ok(work) = WorkId::parse(&text)
            && snapshot.contains(&work)?
        {
            (vec![work], "按文件编号查找。".to_string())
        } else if let Some(number) = DocNumber::parse(&text) {
            let found = snapshot.lookup(&Citation {
                number: Some(number),
                title: None,
            })?;
            (found, "按文号查找（括号写法不同也能找到）。".to_string())
        } else {
            let whole = snapshot.lookup(&Citation {
                number: None,
                title: Some(text.clone()),
            })?;
            if whole.is_empty() {
                (
                    resolve::title_words(&snapshot, &text)?,
                    "标题中含有这些字的文件。".to_string(),
                )
            } else {
                (whole, "标题完全相同的文件。".to_string())
            }
        };
        if let [one] = found.as_slice() {
            return Ok(Reply::redirect(work_href(one)));
        }
        let works = found
            .iter()
            .take(500)
            .map(|w| record(&snapshot, w).map(|r| Row::of(&r, today)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut frame = Frame::new(shared, Some(head), format!("查找：{text}"));
        frame.permalink = format!("/find?q={}", encode(&text));
        frame.query = text.clone();
        frame.crumbs = vec![
            Crumb {
                text: "首页".into(),
                href: Some("/".into()),
            },
            Crumb {
                text: "查找".into(),
                href: None,
            },
        ];
        let body = render(&FindPage {
            query: text.clone(),
            explain,
            works,
            frame,
        })?;
        page(body, head, &format!("find.{today}.{text}"))
    })
    .await
}

// ---------------------------------------------------------------- node

struct PeerRow {
    region: String,
    direction: &'static str,
    last_success: String,
    last_attempt: String,
    failures: u32,
    error: String,
    quarantine: String,
    signatures: String,
}

#[derive(Template)]
#[template(path = "node.html")]
struct NodePage {
    frame: Frame,
    hosted: String,
    head: String,
    ready: bool,
    peers: Vec<PeerRow>,
}

pub(crate) async fn node(State(shared): State<Arc<Shared>>) -> Response {
    let shared2 = Arc::clone(&shared);
    let made = tokio::task::spawn_blocking(move || -> Result<String, Problem> {
        let shared = shared2;
        let head = shared.library.head().ok();
        let when = |t: Option<u64>| t.map(|t| beijing(t as i64)).unwrap_or_else(|| "—".into());
        let peers = shared
            .state
            .peers()
            .into_iter()
            .map(|p| PeerRow {
                region: p.region.clone(),
                direction: if p.direction == "child" {
                    "下级（拉取上来）"
                } else {
                    "上级（拉取下来）"
                },
                last_success: when(p.last_success),
                last_attempt: when(p.last_attempt),
                failures: p.consecutive_failures,
                error: p
                    .last_error
                    .as_ref()
                    .map(|e| format!("{}：{}", e.kind, e.message))
                    .unwrap_or_default(),
                quarantine: p
                    .quarantined_head
                    .clone()
                    .map(|h| h.chars().take(12).collect())
                    .unwrap_or_default(),
                signatures: p
                    .signatures
                    .as_ref()
                    .map(|s| format!("{}，检查 {} 个提交", s.mode, s.checked))
                    .unwrap_or_default(),
            })
            .collect();
        let mut frame = Frame::new(&shared, head, "节点状态".into());
        frame.permalink = "/node".into();
        frame.crumbs = vec![
            Crumb {
                text: "首页".into(),
                href: Some("/".into()),
            },
            Crumb {
                text: "节点状态".into(),
                href: None,
            },
        ];
        render(&NodePage {
            hosted: shared
                .library
                .authority()
                .hosted()
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join("、"),
            head: head.map(|h| h.to_string()).unwrap_or_default(),
            ready: shared.state.ready(),
            peers,
            frame,
        })
    })
    .await;
    match made {
        Ok(Ok(body)) => (
            [
                (axum::http::header::CONTENT_TYPE, HTML),
                (axum::http::header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Ok(Err(p)) => error_page(p),
        Err(_) => error_page(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the page could not be made; the node's log says why".into(),
        )),
    }
}

// ---------------------------------------------------------------- search

struct SearchHit {
    href: String,
    anchor: String,
    title: String,
    work: String,
    status: &'static str,
    status_class: &'static str,
    unit: Option<String>,
    snippet: String,
}

struct FacetCount {
    label: String,
    works: usize,
    href: Option<String>,
}

struct FacetView {
    name: &'static str,
    counts: Vec<FacetCount>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    frame: Frame,
    query: String,
    region: String,
    types: Vec<(&'static str, &'static str, bool)>,
    year: String,
    subject: String,
    at: String,
    did_you_mean: Option<String>,
    read_as: String,
    works: usize,
    versions: usize,
    more: bool,
    first: usize,
    hits: Vec<SearchHit>,
    facets: Vec<FacetView>,
    prev: Option<String>,
    next: Option<String>,
}

/// The anchor of a unit on a document page from its labels, outside in
/// (see `text.rs`): an article and what is inside it by the article's
/// label on; anything else by all its labels.
fn unit_anchor(unit: &str) -> String {
    let labels: Vec<&str> = unit.split(' ').collect();
    let from = labels.iter().rposition(|l| l.ends_with('条')).unwrap_or(0);
    format!("#{}", labels[from..].join("-"))
}

/// Results per search page.
const SEARCH_PAGE: usize = 20;

pub(crate) async fn search(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    answer_page(shared, headers, None, error_page, move |shared| {
        let q = query(q)?;
        let get = |k: &str| {
            q.get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let page_no = match get("page") {
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|p| (1..=500).contains(p))
                .ok_or_else(|| {
                    Problem::bad_request(format!("页码应是 1 到 500 的整数，而不是 “{}”", clip(&p)))
                })?,
            None => 1,
        };
        let params = crate::api::works::SearchQuery {
            q: get("q"),
            region: get("region"),
            doc_type: get("type"),
            year: get("year"),
            subject: get("subject"),
            at: get("at"),
            limit: Some(SEARCH_PAGE.to_string()),
            offset: Some(((page_no - 1) * SEARCH_PAGE).to_string()),
        };
        let search = params.to_query()?;
        let text = search.text.clone();
        let head = shared.library.head()?;
        // The link to this page with one parameter changed.
        let link = |key: &str, value: Option<String>| {
            let mut parts: Vec<String> = Vec::new();
            for k in ["q", "region", "type", "year", "subject", "at", "page"] {
                let v = if k == key {
                    value.clone()
                } else if key != "page" && k == "page" {
                    None
                } else {
                    get(k)
                };
                if let Some(v) = v {
                    parts.push(format!("{k}={}", encode(&v)));
                }
            }
            format!("/search?{}", parts.join("&"))
        };
        let mut title = if text.is_empty() {
            "搜索".to_string()
        } else {
            format!("搜索：{text}")
        };
        for (key, name) in [
            ("region", "地区"),
            ("type", "类型"),
            ("year", "年份"),
            ("subject", "主题"),
            ("at", "于"),
        ] {
            if let Some(v) = get(key) {
                title.push_str(&format!("（{name} {v}）"));
            }
        }
        if page_no > 1 {
            title.push_str(&format!(" 第 {page_no} 页"));
        }
        let mut frame = Frame::new(shared, Some(head), title);
        frame.query = text.clone();
        frame.permalink = link("page", (page_no > 1).then(|| page_no.to_string()));
        frame.crumbs = vec![
            Crumb {
                text: "首页".into(),
                href: Some("/".into()),
            },
            Crumb {
                text: "搜索".into(),
                href: None,
            },
        ];
        let types = DocType::ALL
            .iter()
            .map(|t| (t.as_str(), t.chinese(), Some(*t) == search.doc_type))
            .collect();
        let mut view = SearchPage {
            query: text.clone(),
            region: get("region").unwrap_or_default(),
            types,
            year: get("year").unwrap_or_default(),
            subject: get("subject").unwrap_or_default(),
            at: get("at").unwrap_or_default(),
            did_you_mean: None,
            read_as: String::new(),
            works: 0,
            versions: 0,
            more: false,
            first: search.offset + 1,
            hits: Vec::new(),
            facets: Vec::new(),
            prev: None,
            next: None,
            frame,
        };
        if !text.is_empty() {
            let found = crate::api::works::run_search(shared, &search)?;
            let snapshot = snapshot(shared)?;
            view.did_you_mean = found.did_you_mean().map(str::to_string);
            view.read_as = found.read_as().join("；");
            view.works = found.works();
            view.versions = found.versions();
            view.more = found.more();
            view.hits = found
                .lines("<mark>", "</mark>", text::escaped)
                .into_iter()
                .map(|(work, title, status, unit, snippet)| {
                    let status: Status = status.parse().unwrap_or(Status::InForce);
                    let id = WorkId::parse(&work).ok();
                    SearchHit {
                        href: id.as_ref().map(work_href).unwrap_or_default(),
                        anchor: unit.as_deref().map(unit_anchor).unwrap_or_default(),
                        title,
                        work,
                        status: status.chinese(),
                        status_class: status_class(status),
                        unit,
                        snippet,
                    }
                })
                .collect();
            // Hits from another day's text link to that version.
            if search.at.is_some() {
                for (hit, (w, r)) in view.hits.iter_mut().zip(found.hit_versions()) {
                    hit.href = format!("/works/{w}/versions/{r}");
                }
            }
            view.facets = found
                .facet_counts()
                .into_iter()
                .map(|(name, counts)| FacetView {
                    name: match name {
                        "region" => "地区",
                        "type" => "类型",
                        "year" => "年份",
                        "subject" => "主题",
                        _ => "今日状态",
                    },
                    counts: counts
                        .into_iter()
                        .take(20)
                        .map(|(value, works)| {
                            let (label, href) = match name {
                                "region" => (
                                    Region::parse(&value)
                                        .map(|r| {
                                            regions::name(&shared.region_names, &snapshot, r, None)
                                        })
                                        .unwrap_or_else(|_| value.clone()),
                                    Some(link("region", Some(value.clone()))),
                                ),
                                "type" => (
                                    value
                                        .parse::<DocType>()
                                        .map(|t| t.chinese().to_string())
                                        .unwrap_or_else(|_| value.clone()),
                                    Some(link("type", Some(value.clone()))),
                                ),
                                "year" => (
                                    format!("{value} 年"),
                                    Some(link("year", Some(value.clone()))),
                                ),
                                "subject" => {
                                    (value.clone(), Some(link("subject", Some(value.clone()))))
                                }
                                _ => (
                                    value
                                        .parse::<Status>()
                                        .map(|s| s.chinese().to_string())
                                        .unwrap_or_else(|_| value.clone()),
                                    None,
                                ),
                            };
                            FacetCount { label, works, href }
                        })
                        .collect(),
                })
                .collect();
            let shown = view.hits.len();
            view.prev = (page_no > 1).then(|| link("page", Some((page_no - 1).to_string())));
            view.next = (search.offset + shown < found.works())
                .then(|| link("page", Some((page_no + 1).to_string())));
        }
        let body = render(&view)?;
        page(body, head, &format!("search.{q:?}.{}", today()?))
    })
    .await
}

#[cfg(test)]
mod gazette_tests {
    use super::issue_of;

    #[test]
    fn a_gazettes_title_names_its_year_and_issue() {
        assert_eq!(issue_of("青岛市人民政府公报 2025年第5期"), Some((2025, 5)));
        assert_eq!(
            issue_of("山东省人民政府公报2024年第36期（总第1234期）"),
            Some((2024, 36))
        );
        assert_eq!(issue_of("2025年第5号"), None);
        assert_eq!(issue_of("第5期"), None);
        assert_eq!(issue_of("25年第5期"), None);
        assert_eq!(issue_of("政府公报"), None);
    }
}
