//! The archivists' web pages: the policy document library as a reader
//! sees it. Server-rendered HTML from templates compiled with the crate
//! (askama, escaped by default), no scripts, one style sheet (served with
//! the pages, cached for good under a versioned URL), gzip when the
//! browser takes it.
//!
//! | page | path |
//! |---|---|
//! | home: the regions as a tree with counts, what arrived lately | `/` |
//! | a region's documents, filtered, sorted, paged | `/regions/{region}` |
//! | a document: status, versions, relations, the text in force on a day | `/works/{region}/{local}[?at=D]` |
//! | one version's text | `/works/{region}/{local}/versions/{revision}` |
//! | two versions compared, with the 修订前后对照表 | `/works/{region}/{local}/compare[?from=&to=]` |
//! | the git history of the record | `/works/{region}/{local}/history` |
//! | the policy's full chain (一码通), missing links shown | `/works/{region}/{local}/chain` |
//! | gazette issues (政府公报), per gazette, with their feeds | `/gazettes[?region=R]` |
//! | look-up by document number or title | `/find?q=` |
//! | full-text search with facets (`wenku_search`) | `/search?q=` |
//! | the node: peers, last pulls, quarantines | `/node` |
//!
//! Pages follow the API's rules ([`crate::api`]): library work on the
//! blocking pool within the same limits, an `ETag` from the head, the date
//! and the page's parameters, `304` for a matching `If-None-Match` (a
//! version page too: its banner follows the head). What goes wrong is an HTML page with the
//! right status, what was wrong, and a way back ([`error_page`]). Each page
//! says in `Server-Timing` how long the server worked on it.

mod pages;
pub(crate) mod regions;
mod review;
pub(crate) mod text;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::Shared;
use crate::api::Problem;

/// The style sheet, compiled in.
const CSS: &str = include_str!("../../assets/wenku.css");

/// The site's icon (browsers ask for `/favicon.ico` whatever the page
/// says).
const ICON: &str = include_str!("../../assets/favicon.svg");

/// The style sheet's version in its URL: its hash, so a new build's sheet
/// is never mistaken for a cached old one.
fn css_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| blake3::hash(CSS.as_bytes()).to_hex()[..12].to_string())
}

/// The routes of the pages.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(pages::home))
        .route("/regions/{region}", get(pages::region))
        .route("/works/{region}/{local}", get(pages::work))
        .route(
            "/works/{region}/{local}/versions/{revision}",
            get(pages::version),
        )
        .route("/works/{region}/{local}/compare", get(pages::compare))
        .route("/works/{region}/{local}/history", get(pages::history))
        .route("/works/{region}/{local}/chain", get(pages::chain))
        .route("/gazettes", get(pages::gazettes))
        .route("/catalogues", get(pages::catalogues))
        .route("/find", get(pages::find))
        .route("/search", get(pages::search))
        .route("/node", get(pages::node))
        .route("/review", get(review::list))
        .route("/review/sweep", get(review::sweep))
        .route(
            "/review/{region}/{local}",
            get(review::show).post(review::decide),
        )
        .route("/assets/wenku.css", get(css))
        .route("/assets/favicon.svg", get(icon))
        .route("/favicon.ico", get(icon))
}

async fn icon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
        .into_response()
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
        .into_response()
}

/// One step of the breadcrumb trail.
#[derive(Clone, Debug)]
pub(crate) struct Crumb {
    pub text: String,
    pub href: Option<String>,
}

/// What every page's frame shows.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    /// The page's title (the `<title>` adds the site's name).
    pub title: String,
    /// The site's name: the node's region's library.
    pub site: String,
    /// The node's region code.
    pub node: String,
    /// The head commit, short.
    pub head: String,
    /// The page's own path and query: its permalink.
    pub permalink: String,
    /// The page's feed, if it has one.
    pub feed: Option<String>,
    /// The look-up box's text.
    pub query: String,
    pub crumbs: Vec<Crumb>,
    pub css: &'static str,
}

impl Frame {
    pub(crate) fn new(
        shared: &Shared,
        head: Option<wenku_store::ObjectId>,
        title: String,
    ) -> Frame {
        let node = shared.library.authority().node();
        Frame {
            title,
            site: format!("{}政策文件库", regions::known_name(node)),
            node: node.to_string(),
            head: head.map(|h| h.short(12)).unwrap_or_default(),
            permalink: "/".into(),
            feed: None,
            query: String::new(),
            crumbs: Vec::new(),
            css: css_version(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    frame: Frame,
    heading: &'static str,
    detail: String,
    status: u16,
    back: Option<(String, String)>,
}

/// A problem as an HTML page: the status, what was wrong in the reader's
/// words, the detail, and a way back.
pub(crate) fn error_page(problem: Problem) -> Response {
    let heading = match problem.kind() {
        "not-found" => "没有找到",
        "bad-request" => "请求有误",
        "refused" => "无法按此请求显示",
        "unavailable" | "conflict" => "暂时无法显示",
        "uri-too-long" => "地址过长",
        "withdrawn" => "此版本已撤回，不再公开",
        _ => "出错了",
    };
    let frame = Frame {
        title: heading.to_string(),
        site: "政策文件库".into(),
        node: String::new(),
        head: String::new(),
        permalink: "/".into(),
        feed: None,
        query: String::new(),
        crumbs: vec![
            Crumb {
                text: "首页".into(),
                href: Some("/".into()),
            },
            Crumb {
                text: heading.into(),
                href: None,
            },
        ],
        css: css_version(),
    };
    let page = ErrorPage {
        frame,
        heading,
        detail: problem.detail().to_string(),
        status: problem.status().as_u16(),
        back: None,
    };
    let body = page
        .render()
        .unwrap_or_else(|_| format!("{heading}: {}", problem.detail()));
    let mut response = (problem.status(), body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page for a path no route knows.
pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    let path: String = uri.path().chars().take(200).collect();
    error_page(Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        format!("本站没有 {path} 这个页面。"),
    ))
}
