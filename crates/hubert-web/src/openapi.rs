//! The OpenAPI 3.1 document of the REST API, generated from the handlers' annotations and
//! the typed answers (utoipa): `GET /api/openapi.json`, and a readable reference at
//! `GET /api/docs`, rendered on the server from the same document (no third-party
//! JavaScript). A snapshot test keeps the document from changing by accident.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::Web;

/// Every error: `{"error":{"code","message","request_id"}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine code (`unauthorized`, `not_found`, `invalid_json` …).
    pub code: String,
    /// A sentence for the person.
    pub message: String,
    /// The id of the request, as in the `X-Request-Id` header and the server log.
    pub request_id: Option<String>,
}

struct Security;

/// Adds the error answers every operation can give, so no status is undocumented:
/// 401 (no or bad credentials) and 500 everywhere but `/healthz`; 400, 413 and 422 where
/// a body or query is read; 404 where the path names something.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder};
        let error = || {
            RefOr::T(
                ResponseBuilder::new()
                    .description("An error")
                    .content(
                        "application/json",
                        utoipa::openapi::ContentBuilder::new()
                            .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, false),
            ];
            for (operation, writes) in operations {
                let Some(op) = operation.as_mut() else { continue };
                let mut statuses: Vec<&str> = Vec::new();
                if path.starts_with("/api/") {
                    statuses.extend(["401", "429", "500"]);
                }
                if writes || op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                    statuses.extend(["400", "422"]);
                }
                if writes {
                    statuses.push("413");
                }
                if path.contains('{') {
                    statuses.push("404");
                }
                for status in statuses {
                    op.responses.responses.entry(status.to_owned()).or_insert_with(error);
                }
            }
        }
    }
}

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hubert API",
        description = "The REST API of Hubert, the open webcare hub. Authenticate with `Authorization: Bearer <token>` \
                       (`hubert admin create-token`) or the session cookie plus `X-CSRF-Token` for changes. \
                       Times are epoch milliseconds.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&Security, &CommonErrors),
    security(("bearer" = []), ("session" = [])),
    paths(
        crate::api::healthz,
        crate::api::me,
        crate::api::users,
        crate::api::update_user,
        crate::api::create_user,
        crate::api::change_password,
        crate::api::reset_link,
        crate::api::list_profiles,
        crate::api::create_profile,
        crate::api::update_profile,
        crate::api::disconnect_profile,
        crate::api::templates,
        crate::api::list_conversations,
        crate::api::get_conversation,
        crate::api::reply,
        crate::api::note,
        crate::api::assign,
        crate::api::resolve,
        crate::api::no_reply_needed,
        crate::api::presence,
        crate::api::presence_leave,
        crate::api::resend,
        crate::api::service_level,
        crate::api::today,
        crate::api::quarantine,
        crate::events::stream,
        crate::wallboard::list,
        crate::wallboard::create,
        crate::wallboard::revoke,
        crate::wallboard::star,
        crate::wallboard::unstar,
        crate::wallboard::banner,
        crate::api_text::analyze_text,
        crate::api_text::suggest_word,
        crate::api_text::allow_list,
        crate::api_text::allow_word,
        crate::api_text::disallow_word,
        crate::api_tokens::list,
        crate::api_tokens::create,
        crate::api_tokens::revoke,
        crate::api_calendars::calendar,
        crate::api_calendars::set_calendar,
        crate::api_calendars::norm,
        crate::api_calendars::set_norm,
        crate::api_calendars::deadline,
        crate::api_calendars::holidays,
        crate::api_audit::list,
        crate::api_audit::csv,
        crate::api_media::media,
        crate::api_comments::hide,
        crate::api_comments::unhide,
        crate::api_security::status,
        crate::api_security::begin,
        crate::api_security::confirm,
        crate::api_security::disable,
        crate::api_security::renew,
        crate::api_security::reset,
        crate::api_security::settings,
        crate::api_security::update_settings,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    tags(
        (name = "conversations", description = "The inbox: conversations, replies, notes, assignment"),
        (name = "profiles", description = "Connected accounts and their norms"),
        (name = "reports", description = "Service-level reports"),
        (name = "wallboards", description = "Office screens, the wall of love and the banner"),
        (name = "text", description = "The Dutch text toolkit"),
        (name = "account", description = "Who is calling; colleagues"),
        (name = "operations", description = "Health and quarantine"),
        (name = "tokens", description = "API tokens (admins): list, create, revoke"),
        (name = "audit", description = "The audit log of security events (admins), also as CSV"),
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON (what `/api/openapi.json` serves and the snapshot holds).
pub fn document_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    doc.to_pretty_json().expect("the OpenAPI document serialises")
}

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/openapi.json", get(json_document))
        .route("/api/docs", get(docs_page))
}

async fn json_document() -> Response {
    let value: Value = serde_json::from_str(&document_json()).unwrap_or_default();
    Json(value).into_response()
}

/// One operation on the reference page.
struct Operation {
    method: String,
    path: String,
    summary: String,
    tag: String,
    parameters: Vec<(String, String, String)>,
    request: String,
    responses: Vec<(String, String)>,
}

/// One schema on the reference page: its fields (name, type, required, description).
struct SchemaDoc {
    name: String,
    description: String,
    fields: Vec<(String, String, bool, String)>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    title: String,
    description: String,
    operations: Vec<Operation>,
    schemas: Vec<SchemaDoc>,
}

async fn docs_page() -> Response {
    let doc: Value = serde_json::from_str(&document_json()).unwrap_or_default();
    let page = DocsPage {
        title: text(&doc["info"]["title"]),
        description: text(&doc["info"]["description"]),
        operations: operations(&doc),
        schemas: schemas(&doc),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "api docs template failed");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// `#/components/schemas/X` → `X`; arrays and one-ofs in a short readable form.
fn type_name(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    if let Some(items) = schema.get("items") {
        return format!("[{}]", type_name(items));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema.get(key).and_then(Value::as_array) {
            let names: Vec<String> = parts.iter().map(type_name).filter(|n| n != "null").collect();
            return names.join(" | ");
        }
    }
    match schema.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" | "),
        Some(Value::String(t)) => t.clone(),
        _ => "any".to_owned(),
    }
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else { continue };
        for (method, op) in methods {
            let parameters = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (
                                format!("{} ({})", text(&p["name"]), text(&p["in"])),
                                type_name(&p["schema"]),
                                text(&p["description"]),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let request = type_name(&op["requestBody"]["content"]["application/json"]["schema"]);
            let responses = op["responses"]
                .as_object()
                .map(|rs| {
                    rs.iter()
                        .map(|(status, r)| {
                            let body = &r["content"]["application/json"]["schema"];
                            let name = if body.is_null() { String::new() } else { type_name(body) };
                            (status.clone(), name)
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(&op["summary"]),
                tag: op["tags"][0].as_str().unwrap_or_default().to_owned(),
                parameters,
                request: if op["requestBody"].is_null() {
                    String::new()
                } else {
                    request
                },
                responses,
            });
        }
    }
    out.sort_by(|a, b| (&a.tag, &a.path).cmp(&(&b.tag, &b.path)));
    out
}

fn schemas(doc: &Value) -> Vec<SchemaDoc> {
    let Some(all) = doc["components"]["schemas"].as_object() else {
        return Vec::new();
    };
    all.iter()
        .map(|(name, schema)| {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let fields = schema["properties"]
                .as_object()
                .map(|props| {
                    props
                        .iter()
                        .map(|(field, s)| {
                            (
                                field.clone(),
                                type_name(s),
                                required.contains(&field.as_str()),
                                text(&s["description"]),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            SchemaDoc {
                name: name.clone(),
                description: text(&schema["description"]),
                fields,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

    /// The document changes only on purpose: run with `UPDATE_OPENAPI=1` to accept a
    /// change, and review the diff of `crates/hubert-web/openapi.json`.
    #[test]
    fn the_openapi_document_matches_its_snapshot() {
        let now = document_json();
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(SNAPSHOT, &now).expect("write the snapshot");
        }
        let before = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
        assert!(
            before == now,
            "the OpenAPI document changed: run `UPDATE_OPENAPI=1 cargo test -p hubert-web openapi` and review the diff"
        );
    }

    #[test]
    fn every_api_route_is_documented() {
        let doc: Value = serde_json::from_str(&document_json()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        let source = [
            include_str!("api.rs"),
            include_str!("wallboard.rs"),
            include_str!("api_text.rs"),
            include_str!("api_tokens.rs"),
            include_str!("api_calendars.rs"),
            include_str!("api_audit.rs"),
            include_str!("api_security.rs"),
            include_str!("api_media.rs"),
            include_str!("api_comments.rs"),
        ]
        .concat();
        for line in source
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with(".route(\"/api/v1"))
        {
            let path = line.trim_start_matches(".route(\"").split('"').next().unwrap();
            assert!(paths.contains_key(path), "{path} is not in the OpenAPI document");
        }
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    }
}
