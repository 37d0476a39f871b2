//! The OpenAPI 3.1 document of the API, served at `/openapi.json` and kept
//! as `schemas/openapi-1.json` (a test regenerates and compares it).
//!
//! It is built here from the route table below and from the JSON Schemas
//! the outputs are contracts of: `cli-1.schema.json` (the outputs the
//! command line shares with the API), `diff-1.schema.json` (comparisons,
//! as `diff` and `diff_*`) and `api-1.schema.json` (the API's own), all
//! gathered under `components/schemas`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::Shared;

const CLI: &str = include_str!("../../../../schemas/cli-1.schema.json");
const DIFF: &str = include_str!("../../../../schemas/diff-1.schema.json");
const API: &str = include_str!("../../../../schemas/api-1.schema.json");

/// One parameter of an endpoint.
struct Param {
    name: &'static str,
    place: &'static str,
    description: &'static str,
    schema: Value,
}

fn path(name: &'static str, description: &'static str) -> Param {
    Param {
        name,
        place: "path",
        description,
        schema: json!({"type": "string"}),
    }
}

fn query(name: &'static str, description: &'static str, schema: Value) -> Param {
    Param {
        name,
        place: "query",
        description,
        schema,
    }
}

/// One endpoint: path, summary, parameters, and its answers by media type.
struct Endpoint {
    method: &'static str,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
    params: Vec<Param>,
    /// (media type, schema) of the 200 answer.
    ok: Vec<(&'static str, Value)>,
    /// Whether it answers 404 (a work or version that is not there).
    not_found: bool,
    /// A write's request body (media type, schema).
    body: Option<(&'static str, Value)>,
}

fn component(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn text() -> Value {
    json!({"type": "string"})
}

fn region() -> Param {
    path("region", "The work's region code (370283).")
}

fn local() -> Param {
    path(
        "local",
        "The work's local id within its region (pzbf-2024-9).",
    )
}

fn date(name: &'static str, description: &'static str) -> Param {
    query(
        name,
        description,
        json!({"type": "string", "format": "date"}),
    )
}

fn format(values: &[&str]) -> Param {
    query(
        "format",
        "The form of the answer (else from Accept).",
        json!({"enum": values}),
    )
}

fn endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/library",
            id: "library",
            summary: "The node: its region, hosted regions, head and number of works.",
            params: vec![],
            ok: vec![("application/json", component("library"))],
            not_found: false,
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/peers",
            id: "peers",
            summary: "Each peer the daemon pulls: last success, last error, accepted and quarantined heads.",
            params: vec![],
            ok: vec![(
                "application/json",
                json!({"type": "array", "items": component("peer_status")}),
            )],
            not_found: false,
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/works",
            id: "listWorks",
            summary: "Works matching filters, a page at a time.",
            params: vec![
                query(
                    "region",
                    "Only works of this region (and, unless subregions=false, of the regions inside it).",
                    text(),
                ),
                query(
                    "subregions",
                    "Whether works of the regions inside region count (default true).",
                    json!({"type": "boolean"}),
                ),
                query(
                    "type",
                    "Only works of this document type (law, regulation, normative …).",
                    component("doc_type"),
                ),
                query(
                    "status",
                    "Only works with this status on at.",
                    component("status"),
                ),
                date(
                    "at",
                    "The date statuses are taken on (default today, China Standard Time).",
                ),
                query("subject", "Only works with this subject (tag).", text()),
                query(
                    "issuer",
                    "Only works one of whose issuers contains this text.",
                    text(),
                ),
                query(
                    "year",
                    "Only works first published in this year.",
                    json!({"type": "integer"}),
                ),
                query(
                    "sort",
                    "id (default), date (latest version's publication) or number.",
                    json!({"enum": ["id", "date", "number"]}),
                ),
                query(
                    "order",
                    "asc or desc (default: desc for date, else asc).",
                    json!({"enum": ["asc", "desc"]}),
                ),
                query(
                    "limit",
                    "Works per page, 1 to 200 (default 50).",
                    json!({"type": "integer", "minimum": 1, "maximum": 200}),
                ),
                query("cursor", "The next of the previous page.", text()),
            ],
            ok: vec![("application/json", component("page"))],
            not_found: false,
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/works/{region}/{local}",
            id: "getWork",
            summary: "A work's record: metadata, versions in legal order, lifecycle, status timeline, relations both ways.",
            params: vec![
                region(),
                local(),
                date("at", "The date statuses are taken on (default today)."),
            ],
            ok: vec![("application/json", component("work_record"))],
            not_found: true,
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/works/{region}/{local}/text",
            id: "getText",
            summary: "The text in force on a date.",
            params: vec![
                region(),
                local(),
                date("at", "The date (default today)."),
                format(&["json", "xml", "text"]),
            ],
            ok: vec![
                ("application/json", component("show")),
                ("application/xml", text()),
                ("text/plain", text()),
            ],
            not_found: true,
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/works/{region}/{local}/versions/{revision}",
            id: "getVersion",
            summary: "One version by its RevisionId (its bytes never change; cached for five minutes, then revalidated, because a version can be withdrawn from public view); a prefix redirects to the full id.",
            params: vec![
                region(),
                local(),
                path(
                    "revision",
                    "The version's RevisionId (64 hex digits), or a prefix of it.",
                ),
                format(&["json", "xml", "text"]),
            ],
            ok: vec![
                ("application/json", component("show")),
                ("application/xml", text()),
                ("text/plain", text()),
            ],
            not_found: true,
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/works/{region}/{local}/diff",
            id: "getDiff",
            summary: "Two versions compared article by article.",
            params: vec![
                region(),
                local(),
                query(
                    "from",
                    "The older version: a date, a revision prefix, previous or current (default: the one before to).",
                    text(),
                ),
                query("to", "The newer version (default: current).", text()),
                query(
                    "format",
                    "json (default, wenku-diff-1), html (side by side), table-html, table-md or csv (修订前后对照表).",
                    json!({"enum": ["json", "html", "table-html", "table-md", "csv"]}),
                ),
            ],
            ok: vec![
                ("application/json", component("diff")),
                ("text/html", text()),
                ("text/markdown", text()),
                ("text/csv", text()),
            ],
            not_found: true,
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/find",
            id: "find",
            summary: "Works a document number (any bracket variant) or a title refers to.",
            params: vec![
                query(
                    "number",
                    "A document number (鲁政办发〔2025〕5号, [2025], (2025) …).",
                    text(),
                ),
                query("title", "An exact title.", text()),
                date("at", "The date statuses are taken on (default today)."),
            ],
            ok: vec![("application/json", component("find"))],
            not_found: false,
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/search",
            id: "search",
            summary: "Searches the texts: Chinese words and \"phrases\", document numbers in any brackets, pinyin (full or initials) against titles; typos corrected (did_you_mean). Works grouped, the version in force today first, each with the article its words were found in. 503 while the search index is being built.",
            params: vec![
                query("q", "What to look for.", text()),
                query(
                    "region",
                    "Only works of this region and the regions under it.",
                    text(),
                ),
                query("type", "Only works of this type.", text()),
                query(
                    "year",
                    "Only works first published this year.",
                    json!({"type": "integer", "minimum": 1000, "maximum": 9999}),
                ),
                query("subject", "Only works with this subject.", text()),
                date("at", "Search the versions in force on this day."),
                query(
                    "limit",
                    "Works per answer, 1 to 200 (default 20).",
                    json!({"type": "integer", "minimum": 1, "maximum": 200}),
                ),
                query(
                    "offset",
                    "Works to skip (default 0).",
                    json!({"type": "integer", "minimum": 0}),
                ),
            ],
            ok: vec![("application/json", component("search"))],
            not_found: false,
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/changes",
            id: "changes",
            summary: "Operations on main after a commit or a date, oldest first; resume with next.",
            params: vec![
                query(
                    "since",
                    "A commit id (40 hex digits) seen before, or a date.",
                    text(),
                ),
                query(
                    "limit",
                    "Operations per answer, 1 to 1000 (default 100).",
                    json!({"type": "integer", "minimum": 1, "maximum": 1000}),
                ),
            ],
            ok: vec![("application/json", component("changes"))],
            not_found: true,
        },
        Endpoint {
            method: "post",
            path: "/api/v1/works/{region}/{local}/versions",
            id: "publishVersion",
            summary: "Publishes the body (plain text, Markdown or canonical XML) as the work's first or a new version. Needs a writer's token for the region.",
            params: vec![
                region(),
                local(),
                date(
                    "published",
                    "Its publication date, if the text does not say.",
                ),
                date(
                    "effective",
                    "The date it takes effect, if the text does not say.",
                ),
                query("title", "The title, if the text has none.", text()),
                query("number", "The document number (文号).", text()),
                query("type", "The document type.", component("doc_type")),
                query("issuer", "The issuing body.", text()),
                query("subject", "A subject (tag).", text()),
                query(
                    "filename",
                    "The file's name, whose extension says its kind (.txt, .md, .xml).",
                    text(),
                ),
                query(
                    "draft",
                    "true: submit the document as a draft for review instead of publishing it (202); an item (370200/qzbf-2025-3): add it to that item's draft, as an interpretation joins its document.",
                    text(),
                ),
            ],
            ok: vec![("application/json", component("written"))],
            not_found: false,
            body: Some((
                "application/octet-stream",
                json!({"type": "string", "format": "binary"}),
            )),
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/drafts",
            id: "drafts",
            summary: "The drafts awaiting review (or returned) in the regions of the token. A writer's or a reviewer's token.",
            params: vec![],
            ok: vec![("application/json", component("drafts"))],
            not_found: false,
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/api/v1/drafts/{region}/{local}",
            id: "draft",
            summary: "What a draft would publish: each work's record before and after, the versions it adds, and the safety sweep's findings in them (masked). A writer's or a reviewer's token.",
            params: vec![region(), local()],
            ok: vec![("application/json", component("draft_review"))],
            not_found: true,
        },
        Endpoint {
            method: "post",
            path: "/api/v1/drafts/{region}/{local}/approve",
            id: "approveDraft",
            summary: "Approves the draft as read (tip) with a note: it is published on main, the review in the commit. A reviewer's token; never the submitter.",
            params: vec![region(), local()],
            ok: vec![("application/json", component("draft_published"))],
            not_found: true,
            body: Some(("application/json", component("review_request"))),
        },
        Endpoint {
            method: "post",
            path: "/api/v1/drafts/{region}/{local}/return",
            id: "returnDraft",
            summary: "Returns the draft as read (tip) to its submitter with reasons (note). A reviewer's token; never the submitter.",
            params: vec![region(), local()],
            ok: vec![("application/json", component("draft"))],
            not_found: true,
            body: Some(("application/json", component("review_request"))),
        },
        Endpoint {
            method: "delete",
            path: "/api/v1/drafts/{region}/{local}",
            id: "discardDraft",
            summary: "Takes the draft as read (tip) back unpublished. A writer's token.",
            params: vec![
                region(),
                local(),
                query("tip", "The draft's tip as read.", text()),
            ],
            ok: vec![],
            not_found: true,
            body: None,
        },
        Endpoint {
            method: "post",
            path: "/api/v1/works/{region}/{local}/repeal",
            id: "repeal",
            summary: "Records the work's repeal. Needs a writer's token for the region.",
            params: vec![region(), local()],
            ok: vec![("application/json", component("written"))],
            not_found: true,
            body: Some(("application/json", component("repeal_request"))),
        },
        Endpoint {
            method: "post",
            path: "/api/v1/works/{region}/{local}/withdraw",
            id: "withdraw",
            summary: "Records the work's withdrawal. Needs a writer's token for the region.",
            params: vec![region(), local()],
            ok: vec![("application/json", component("written"))],
            not_found: true,
            body: Some(("application/json", component("withdraw_request"))),
        },
        Endpoint {
            method: "get",
            body: None,
            path: "/feeds/{feed}",
            id: "feed",
            summary: "Atom feeds: all.atom, regions/{region}.atom, types/{type}.atom, subjects/{subject}.atom, gazettes/{region}.atom (a level's gazette issues), works/{region}/{local}.atom.",
            params: vec![
                path("feed", "The feed's path."),
                query(
                    "subregions",
                    "For a region's or gazettes' feed: whether the regions inside it count (default true).",
                    json!({"type": "boolean"}),
                ),
            ],
            ok: vec![("application/atom+xml", text())],
            not_found: true,
        },
    ]
}

/// Rewrites every `$ref` in `value`: `#/$defs/x` to `#/components/schemas/{prefix}x`,
/// and `cli-1#/$defs/x` to `#/components/schemas/x`.
fn rewrite(value: &mut Value, prefix: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                if let Some(name) = r.strip_prefix("#/$defs/") {
                    *r = format!("#/components/schemas/{prefix}{name}");
                } else if let Some(name) = r.strip_prefix("cli-1#/$defs/") {
                    *r = format!("#/components/schemas/{name}");
                }
            }
            for v in map.values_mut() {
                rewrite(v, prefix);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, prefix)),
        _ => {}
    }
}

fn defs(schema: &str, prefix: &str, into: &mut Map<String, Value>) -> Value {
    let mut root: Value = serde_json::from_str(schema).expect("the schemas in schemas/ are JSON");
    rewrite(&mut root, prefix);
    let defs = root
        .as_object_mut()
        .and_then(|m| m.remove("$defs"))
        .unwrap_or(Value::Null);
    if let Value::Object(defs) = defs {
        for (name, def) in defs {
            into.insert(format!("{prefix}{name}"), def);
        }
    }
    root
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut schemas = Map::new();
    defs(CLI, "", &mut schemas);
    defs(API, "", &mut schemas);
    let mut diff = defs(DIFF, "diff_", &mut schemas);
    if let Some(m) = diff.as_object_mut() {
        for key in ["$schema", "$id", "title"] {
            m.remove(key);
        }
    }
    schemas.insert("diff".into(), diff);

    let problem = json!({
        "content": {"application/problem+json": {"schema": component("problem")}}
    });
    let mut paths = Map::new();
    for e in endpoints() {
        let parameters: Vec<Value> = e
            .params
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "in": p.place,
                    "required": p.place == "path",
                    "description": p.description,
                    "schema": p.schema,
                })
            })
            .collect();
        let content: Map<String, Value> =
            e.ok.iter()
                .map(|(media, schema)| (media.to_string(), json!({"schema": schema})))
                .collect();
        let mut responses = Map::new();
        let write = e.method == "post";
        let drafts = e.path.starts_with("/api/v1/drafts");
        if e.method == "delete" {
            responses.insert(
                "204".into(),
                json!({"description": "Done: the draft is gone, nothing was published."}),
            );
        } else if e.id == "returnDraft" {
            responses.insert(
                "200".into(),
                json!({"description": "Returned: the draft waits for a new submission.", "content": content.clone()}),
            );
        } else {
            responses.insert(
                if write { "201" } else { "200" }.into(),
                json!({
                    "description": if e.id == "approveDraft" {
                        "Published after review; Location names the item's work."
                    } else if write {
                        "Written; Location names the new version."
                    } else if drafts {
                        "The answer; never cached (Cache-Control: no-store)."
                    } else {
                        "The answer. ETag and Cache-Control say how long it holds."
                    },
                    "content": content.clone(),
                }),
            );
        }
        if e.id == "publishVersion" {
            responses.insert(
                "202".into(),
                json!({
                    "description": "With draft: submitted for review, nothing published; Location names the draft.",
                    "content": {"application/json": {"schema": component("draft")}},
                }),
            );
        }
        if drafts {
            // Answers that depend on a token are never cached.
        } else if write {
            responses.insert(
                "200".into(),
                json!({"description": "Nothing changed (the text or the event is already recorded).", "content": content}),
            );
        } else {
            responses.insert(
                "304".into(),
                json!({"description": "Not modified since the ETag given in If-None-Match."}),
            );
        }
        if e.path.contains("{revision}") {
            responses.insert(
                "302".into(),
                json!({"description": "A revision prefix: the Location names the version by its full RevisionId."}),
            );
        }
        let mut problems = vec!["400", "414", "503"];
        if e.not_found {
            problems.push("404");
        }
        if e.path.ends_with("/diff") || write {
            problems.push("422");
        }
        if ["/text", "/diff", "/versions/{revision}"]
            .iter()
            .any(|end| e.path.ends_with(end))
        {
            problems.push("410");
        }
        if write || drafts {
            problems.extend(["401", "403", "409"]);
        }
        if write {
            problems.push("413");
        }
        for status in problems {
            let mut p = problem.clone();
            p["description"] = json!(match status {
                "400" => "A malformed parameter, date, id or body.",
                "401" => "No writer's (or reviewer's) token, or an unknown one.",
                "403" =>
                    "The token may not act in this region, or the node takes no writes (or has no reviewers).",
                "404" => "No such work, version, commit, feed or draft.",
                "409" =>
                    "Other writers kept changing the library, or the draft changed since it was read (or main changed its works): read it again.",
                "410" =>
                    "The version was withdrawn from public view (已撤回): the problem says when and why.",
                "413" => "The body is too large.",
                "414" => "The query string is too long.",
                "422" =>
                    "Refused as asked: versions that cannot be compared, a document or event the library refuses.",
                _ => "The node is busy or the answer took too long.",
            });
            responses.insert(status.into(), p);
        }
        let mut operation = json!({
            "operationId": e.id,
            "summary": e.summary,
            "parameters": parameters,
            "responses": responses,
        });
        if let Some((media, schema)) = &e.body {
            operation["requestBody"] = json!({
                "required": true,
                "content": {*media: {"schema": schema}},
            });
            operation["security"] = json!([{"writer": []}]);
        }
        if drafts {
            operation["security"] = json!([{"writer": []}]);
        }
        let entry = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        entry[e.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wenku node API",
            "version": "1",
            "description": "The library a wenkud node holds: works, every version's text, comparisons, citations, changes and feeds. Read-only; errors are application/problem+json (RFC 9457). Every answer names the library's head in its ETag; a version's text is cached for five minutes and then revalidated (a version can be withdrawn from public view).",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "writer": {"type": "http", "scheme": "bearer", "description": "A writer's token from the node's configuration ([[writer]]), or for drafts a reviewer's ([[reviewer]])."}
            },
        },
    })
}

pub(crate) async fn serve(State(_shared): State<Arc<Shared>>) -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=3600")],
        axum::Json(document()),
    )
        .into_response()
}
