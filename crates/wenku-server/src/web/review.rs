//! The reviewer's pages (先审查、后公开): `/review` lists the drafts of the
//! reviewer's regions, `/review/{region}/{local}` shows what one would
//! publish — each work's record before and after, the new versions' text,
//! and the safety sweep's findings in it — with a form to approve it with
//! a note or return it with reasons.
//!
//! The pages have no scripts, so the browser's own HTTP Basic
//! authentication carries the reviewer's token (any user name, the token
//! as the password); nothing here is served to anyone else, and nothing is
//! cached. A decision is a form POST that names the tip the page showed,
//! so a draft changed since is refused. Cross-site requests are refused by
//! their `Origin` (or `Sec-Fetch-Site`), because a browser sends Basic
//! credentials with any form that targets the node.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use wenku_model::WorkId;
use wenku_service::draft;
use wenku_store::DraftState;

use super::{Crumb, Frame, error_page, text};
use crate::Shared;
use crate::api::Problem;
use crate::api::write::{Writer, find_holder};

const HTML: &str = "text/html; charset=utf-8";
const REALM: &str = "Basic realm=\"wenku review\", charset=\"UTF-8\"";

/// Decodes standard base64 (with padding), as HTTP Basic credentials are
/// written.
fn base64(input: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let bytes = input.trim().as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || chunk[..4 - pad].contains(&b'=') {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let three = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&three[..3 - pad]);
    }
    Some(out)
}

/// The reviewer (its place in `shared.reviewers`) whose token the
/// request's Basic credentials carry.
fn reviewer(shared: &Shared, headers: &HeaderMap) -> Result<usize, Box<Response>> {
    if shared.reviewers.is_empty() {
        return Err(Box::new(error_page(Problem::not_found(
            "本节点没有配置审查人员（[[reviewer]]），没有审查页面。",
        ))));
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(base64)
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(_, token)| token.to_string()));
    match token.and_then(|t| find_holder(&shared.reviewers, &t)) {
        Some(i) => Ok(i),
        None => {
            let mut r = error_page(Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "审查页面需要审查人员的令牌：用户名任意，密码为令牌。".into(),
            ));
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
            Err(Box::new(r))
        }
    }
}

/// Refuses a state-changing request that a page of another site made.
fn same_origin(headers: &HeaderMap) -> Result<(), Problem> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let origin_host = origin.split_once("://").map(|(_, h)| h);
        if origin == "null" || origin_host != host {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("审查决定只能从本节点的页面提交（来源 {origin}）。"),
            ));
        }
        return Ok(());
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        None | Some("same-origin") | Some("none") => Ok(()),
        Some(other) => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("审查决定只能从本节点的页面提交（{other}）。"),
        )),
    }
}

fn html(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HTML),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn frame(shared: &Shared, title: String, permalink: String, leaf: Option<String>) -> Frame {
    let mut frame = Frame::new(shared, shared.library.head().ok(), title.clone());
    frame.permalink = permalink;
    frame.crumbs = vec![Crumb {
        text: "首页".into(),
        href: Some("/".into()),
    }];
    match leaf {
        None => frame.crumbs.push(Crumb {
            text: "待审查".into(),
            href: None,
        }),
        Some(leaf) => {
            frame.crumbs.push(Crumb {
                text: "待审查".into(),
                href: Some("/review".into()),
            });
            frame.crumbs.push(Crumb {
                text: leaf,
                href: None,
            });
        }
    }
    frame
}

fn beijing_day(t: wenku_store::Timestamp) -> String {
    let local = t.seconds + i64::from(t.offset_minutes) * 60;
    let day = wenku_model::Date::from_days(local.div_euclid(86_400))
        .map(|d| d.to_string())
        .unwrap_or_default();
    let secs = local.rem_euclid(86_400);
    format!("{day} {:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

struct DraftRow {
    href: String,
    item: String,
    subject: String,
    state: &'static str,
    returned: bool,
    note: String,
    round: usize,
    submitter: String,
    submitted: String,
    works: usize,
}

#[derive(Template)]
#[template(path = "review_list.html")]
struct ListPage {
    frame: Frame,
    reviewer: String,
    done: Option<String>,
    drafts: Vec<DraftRow>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ListQuery {
    done: Option<String>,
    item: Option<String>,
}

fn subject_title(subject: &str) -> String {
    // `publish 370200/x 标题` → `标题`; batches keep their subject.
    let mut parts = subject.splitn(3, ' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(work), Some(rest)) if work.contains('/') => rest.to_string(),
        _ => subject.to_string(),
    }
}

/// `GET /review`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Query<ListQuery>,
) -> Response {
    let who = match reviewer(&shared, &headers) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let done = match (q.done.as_deref(), q.item.as_deref()) {
        (Some("published"), Some(item)) => Some(format!("已批准并公开：{item}。")),
        (Some("returned"), Some(item)) => Some(format!("已退回：{item}，等待重新报送。")),
        _ => None,
    };
    let made = tokio::task::spawn_blocking(move || -> Result<String, Problem> {
        let me = &shared.reviewers[who];
        let reviewer = me.identity.to_string();
        let drafts = draft::list(&shared.library)?
            .into_iter()
            .filter(|d| me.may(&d.item.region()))
            .map(|d| {
                let (state, returned, note) = match &d.state {
                    DraftState::Pending => ("待审查", false, String::new()),
                    DraftState::Returned(r) => {
                        ("已退回", true, format!("{}：{}", r.reviewer.name, r.note))
                    }
                };
                DraftRow {
                    href: format!("/review/{}", d.item),
                    item: d.item.to_string(),
                    subject: subject_title(&d.subject),
                    state,
                    returned,
                    note,
                    round: d.round,
                    submitter: d.submitter.name.clone(),
                    submitted: beijing_day(d.submitter.time),
                    works: d.works.len(),
                }
            })
            .collect();
        let page = ListPage {
            frame: frame(&shared, "待审查文件".into(), "/review".into(), None),
            reviewer,
            done,
            drafts,
        };
        page.render()
            .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
    })
    .await;
    finish(made)
}

fn finish(made: Result<Result<String, Problem>, tokio::task::JoinError>) -> Response {
    match made {
        Ok(Ok(body)) => html(body),
        Ok(Err(p)) => error_page(p),
        Err(_) => error_page(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the page could not be made; the node's log says why".into(),
        )),
    }
}

struct FieldRow {
    field: &'static str,
    before: String,
    after: String,
}

struct FindingRow {
    label: String,
    masked: String,
    place: String,
    context: String,
}

struct VersionText {
    revision: String,
    published: String,
    html: String,
}

struct WorkView {
    work: String,
    title: String,
    action: &'static str,
    href: Option<String>,
    fields: Vec<FieldRow>,
    findings: Vec<FindingRow>,
    versions: Vec<VersionText>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct DraftPage {
    frame: Frame,
    action: String,
    item: String,
    subject: String,
    pending: bool,
    returned_note: String,
    round: usize,
    submitter: String,
    submitted: String,
    tip: String,
    own: bool,
    findings: usize,
    works: Vec<WorkView>,
}

/// `GET /review/{region}/{local}`.
pub(crate) async fn show(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    p: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let who = match reviewer(&shared, &headers) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let item = match p
        .map_err(|e| Problem::bad_request(e.body_text()))
        .and_then(|Path((r, l))| crate::api::work_id(&r, &l))
    {
        Ok(i) => i,
        Err(p) => return error_page(p),
    };
    let made = tokio::task::spawn_blocking(move || -> Result<String, Problem> {
        let reviewer: &Writer = &shared.reviewers[who];
        if !reviewer.may(&item.region()) {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("您的令牌不能审查 {item} 所在地区的文件。"),
            ));
        }
        let detectors = crate::api::drafts::sweep_detectors(&shared);
        let review = draft::review(&shared.library, &item, &detectors)?;
        let staged = shared.library.snapshot_at(review.draft.submission)?;
        let mut works = Vec::new();
        let mut findings = 0;
        for w in &review.works {
            findings += w.findings.len();
            let mut versions = Vec::new();
            for revision in &w.added {
                let doc = staged.document(&w.work, revision)?;
                let published = w
                    .after
                    .versions
                    .iter()
                    .find(|v| v.revision == *revision)
                    .map(|v| v.published.to_string())
                    .unwrap_or_default();
                versions.push(VersionText {
                    revision: revision.to_string(),
                    published,
                    html: text::document(&doc),
                });
            }
            works.push(WorkView {
                work: w.work.to_string(),
                title: w.after.title.clone(),
                action: if w.before.is_none() {
                    "新发布"
                } else {
                    "修改"
                },
                href: w.before.as_ref().map(|_| format!("/works/{}", w.work)),
                fields: wenku_service::output::field_changes(w.before.as_ref(), Some(&w.after))
                    .into_iter()
                    .map(|f| FieldRow {
                        field: f.field,
                        before: f.before.unwrap_or_else(|| "—".into()),
                        after: f.after.unwrap_or_else(|| "—".into()),
                    })
                    .collect(),
                findings: w
                    .findings
                    .iter()
                    .map(|f| FindingRow {
                        label: f.label.clone(),
                        masked: f.masked.clone(),
                        place: f.place.clone(),
                        context: f.context.clone(),
                    })
                    .collect(),
                versions,
            });
        }
        let d = &review.draft;
        let (pending, returned_note) = match &d.state {
            DraftState::Pending => (true, String::new()),
            DraftState::Returned(r) => (false, format!("{}：{}", r.reviewer.name, r.note)),
        };
        let page = DraftPage {
            frame: frame(
                &shared,
                format!("审查 {}", subject_title(&d.subject)),
                format!("/review/{item}"),
                Some(item.to_string()),
            ),
            action: format!("/review/{item}"),
            item: item.to_string(),
            subject: subject_title(&d.subject),
            pending,
            returned_note,
            round: d.round,
            submitter: format!("{} <{}>", d.submitter.name, d.submitter.email),
            submitted: beijing_day(d.submitter.time),
            tip: d.tip.to_string(),
            own: d
                .submitter
                .email
                .eq_ignore_ascii_case(reviewer.identity.email()),
            findings,
            works,
        };
        page.render()
            .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
    })
    .await;
    finish(made)
}

/// The review form.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct DecisionForm {
    tip: String,
    note: String,
    decision: String,
}

/// `POST /review/{region}/{local}`: approve or return, then back to the
/// list (303).
pub(crate) async fn decide(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    p: Result<Path<(String, String)>, PathRejection>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Response {
    let who = match reviewer(&shared, &headers) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    if let Err(p) = same_origin(&headers) {
        return error_page(p);
    }
    let item: WorkId = match p
        .map_err(|e| Problem::bad_request(e.body_text()))
        .and_then(|Path((r, l))| crate::api::work_id(&r, &l))
    {
        Ok(i) => i,
        Err(p) => return error_page(p),
    };
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => return error_page(Problem::bad_request(e.body_text())),
    };
    let permit = match Arc::clone(&shared.api_slots).acquire_owned().await {
        Ok(p) => p,
        Err(_) => {
            return error_page(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the node is shutting down".into(),
            ));
        }
    };
    let location_item = item.to_string();
    let done = tokio::task::spawn_blocking(move || -> Result<&'static str, Problem> {
        let _permit = permit;
        let me = Some(&shared.reviewers[who])
            .filter(|r| r.may(&item.region()))
            .ok_or_else(|| {
                Problem::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    format!("您的令牌不能审查 {item} 所在地区的文件。"),
                )
            })?;
        let seen = draft::tip(&shared.library, &item, Some(&form.tip))?;
        match form.decision.as_str() {
            "approve" => {
                let published = draft::approve(&shared.library, &me.identity, &item, seen, &form.note)?;
                tracing::info!(item = %item, commit = %published.commit, reviewer = me.identity.name(), "draft approved on the review page");
                Ok("published")
            }
            "return" => {
                draft::send_back(&shared.library, &me.identity, &item, seen, &form.note)?;
                tracing::info!(item = %item, reviewer = me.identity.name(), "draft returned on the review page");
                Ok("returned")
            }
            other => Err(Problem::bad_request(format!(
                "decision must be approve or return, not {other:?}"
            ))),
        }
    })
    .await;
    match done {
        Ok(Ok(what)) => {
            let location = format!("/review?done={what}&item={location_item}");
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Ok(Err(p)) => error_page(p),
        Err(_) => error_page(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the decision failed unexpectedly; the node's log says why".into(),
        )),
    }
}

struct SweepRow {
    label: String,
    masked: String,
    href: String,
    title: String,
    place: String,
    context: String,
    state: String,
    open: bool,
    id: String,
}

#[derive(Template)]
#[template(path = "review_sweep.html")]
struct SweepPage {
    frame: Frame,
    quarter: String,
    found: bool,
    swept_on: String,
    versions: usize,
    works: usize,
    open: usize,
    rows: Vec<SweepRow>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct SweepQuery {
    quarter: Option<String>,
}

/// `GET /review/sweep[?quarter=2026-Q4]`: the quarter's safety sweep
/// report (安全巡查), for reviewers only — it points at personal
/// information still served publicly, so it is not public itself. The
/// findings are masked; decisions are made with `wenku sweep withdraw` or
/// `dismiss`.
pub(crate) async fn sweep(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    q: Query<SweepQuery>,
) -> Response {
    let who = match reviewer(&shared, &headers) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let made = tokio::task::spawn_blocking(move || -> Result<String, Problem> {
        use wenku_service::sweep::report::{self, Quarter, State as Decided};
        let me = &shared.reviewers[who];
        let quarter = match q.quarter.as_deref() {
            Some(q) => Quarter::parse(q).map_err(Problem::bad_request)?,
            None => Quarter::of(crate::api::today()?),
        };
        let report = report::load(&shared.library, quarter)?;
        let mut page = SweepPage {
            frame: frame(
                &shared,
                format!("安全巡查 {quarter}"),
                format!("/review/sweep?quarter={quarter}"),
                Some(format!("安全巡查 {quarter}")),
            ),
            quarter: quarter.to_string(),
            found: report.is_some(),
            swept_on: String::new(),
            versions: 0,
            works: 0,
            open: 0,
            rows: Vec::new(),
        };
        if let Some(r) = report {
            page.swept_on = r.swept_on.clone();
            page.versions = r.versions;
            page.works = r.works;
            for item in r.items {
                let Ok(work) = WorkId::parse(&item.work) else {
                    continue;
                };
                if !me.may(&work.region()) {
                    continue;
                }
                let (state, open) = match &item.state {
                    Decided::Open => ("未处理：仍在公开".to_string(), true),
                    Decided::Withdrawn { date, reason } => {
                        (format!("已撤回（{date}，{reason}）"), false)
                    }
                    Decided::FalsePositive { reason, by, on } => {
                        (format!("误报（{by}，{on}：{reason}）"), false)
                    }
                };
                page.open += usize::from(open);
                page.rows.push(SweepRow {
                    label: item.label,
                    masked: item.masked,
                    href: format!("/works/{}/versions/{}", item.work, item.revision),
                    title: item.title,
                    place: item.place,
                    context: item.context,
                    state,
                    open,
                    id: item.id,
                });
            }
        }
        page.render()
            .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
    })
    .await;
    finish(made)
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn basic_credentials_decode() {
        assert_eq!(
            base64("dXNlcjp0b2tlbg==").as_deref(),
            Some(&b"user:token"[..])
        );
        assert_eq!(base64("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64("YWI=").as_deref(), Some(&b"ab"[..]));
        assert_eq!(base64("YWJj").as_deref(), Some(&b"abc"[..]));
        assert_eq!(base64("").as_deref(), Some(&b""[..]));
        for bad in ["YQ=", "Y===", "YQ=a", "!!!!", "YWJ"] {
            assert_eq!(base64(bad), None, "{bad}");
        }
    }
}
