//! The REST API under `/api/v1`: JSON in, JSON out, errors as
//! `{"error":{"code","message"}}`. Callers authenticate with a bearer token or the
//! session cookie (plus CSRF header for changes).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hubert_app::conversations::ReplyRequest;
use hubert_app::profiles::NewProfile;
use hubert_app::view::{conversation_json, message_json};
use hubert_app::AppError;
use hubert_core::time::{Bucket, DAY};
use hubert_core::Role;
use hubert_store::ConversationFilter;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::Web;

type ApiResult<T = Json<Value>> = Result<T, ApiError>;

/// Conversations per page when the caller gives no `limit` (most urgent first); at most
/// 1000 with `limit`.
const DEFAULT_PAGE: i64 = 50;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/users", get(users))
        .route("/api/v1/profiles", get(list_profiles).post(create_profile))
        .route("/api/v1/profiles/{id}/templates", get(templates))
        .route("/api/v1/conversations", get(list_conversations))
        .route("/api/v1/conversations/{id}", get(get_conversation))
        .route("/api/v1/conversations/{id}/replies", post(reply))
        .route("/api/v1/conversations/{id}/notes", post(note))
        .route("/api/v1/conversations/{id}/assign", post(assign))
        .route("/api/v1/conversations/{id}/resolve", post(resolve))
        .route("/api/v1/conversations/{id}/no-reply-needed", post(no_reply_needed))
        .route(
            "/api/v1/conversations/{id}/presence",
            post(presence).delete(presence_leave),
        )
        .route("/api/v1/messages/{id}/resend", post(resend))
        .route("/api/v1/reports/service-level", get(service_level))
        .route("/api/v1/reports/today", get(today))
        .route("/api/v1/quarantine", get(quarantine))
        .route("/api/v1/events", get(crate::events::stream))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_API_BODY))
}

pub async fn healthz(State(web): State<Web>) -> Response {
    match web.app.store.ping().await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "database unavailable" })),
        )
            .into_response(),
    }
}

async fn me(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult {
    Ok(Json(json!({
        "id": who.user_id, "name": who.name, "role": who.role.as_str(), "now": web.app.now(),
    })))
}

async fn users(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult {
    who.require(Role::Agent)?;
    let users = web.app.store.users(&who.workspace_id).await.map_err(AppError::from)?;
    let items: Vec<Value> = users
        .iter()
        .map(|u| json!({ "id": u.id, "name": u.name, "role": u.role }))
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn list_profiles(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult {
    let items: Vec<Value> = web
        .app
        .profiles(&who)
        .await?
        .iter()
        .map(|p| web.app.profile_json(p))
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn create_profile(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    body: Result<Json<NewProfile>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(input) = body.map_err(bad_json)?;
    let row = web.app.create_profile(&who, input).await?;
    Ok((StatusCode::CREATED, Json(web.app.profile_json(&row))))
}

async fn templates(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult {
    who.require(Role::Agent)?;
    let items = web
        .app
        .store
        .templates(&who.workspace_id, &id)
        .await
        .map_err(AppError::from)?;
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    profile: Option<String>,
    platform: Option<String>,
    /// `me`, `unassigned`, or a user id.
    assignee: Option<String>,
    limit: Option<i64>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|v| !v.is_empty()).cloned()
}

async fn list_conversations(State(web): State<Web>, ApiUser(who): ApiUser, Query(q): Query<ListQuery>) -> ApiResult {
    let mut filter = ConversationFilter {
        status: non_empty(&q.status),
        profile_id: non_empty(&q.profile),
        platform: non_empty(&q.platform),
        limit: q.limit.unwrap_or(DEFAULT_PAGE),
        ..Default::default()
    };
    if let Some(s) = &filter.status {
        if !["open", "pending", "resolved"].contains(&s.as_str()) {
            return Err(AppError::Invalid("invalid_status", "status is open, pending or resolved".into()).into());
        }
    }
    match non_empty(&q.assignee).as_deref() {
        Some("me") => filter.assignee_id = Some(who.user_id.clone().unwrap_or_default()),
        Some("unassigned") => filter.unassigned = true,
        Some(id) => filter.assignee_id = Some(id.to_owned()),
        None => {}
    }
    let now = web.app.now();
    let items: Vec<Value> = web
        .app
        .list_conversations(&who, &filter)
        .await?
        .iter()
        .map(|c| conversation_json(c, now))
        .collect();
    Ok(Json(json!({ "items": items, "now": now })))
}

async fn get_conversation(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult {
    let d = web.app.conversation(&who, &id).await?;
    let now = web.app.now();
    let mut body = conversation_json(&d.conversation, now);
    body["messages"] = d.messages.iter().map(message_json).collect();
    body["earlier"] = d.earlier.iter().map(|c| conversation_json(c, now)).collect();
    body["window_open"] = json!(d.window_open);
    body["starred"] = json!(web
        .app
        .store
        .starred_in_conversation(&who.workspace_id, &id)
        .await
        .map_err(AppError::from)?);
    body["viewers"] = json!(web.app.presence.viewers(&who.workspace_id, &id, now));
    body["now"] = json!(now);
    Ok(Json(body))
}

pub(crate) fn bad_json(e: axum::extract::rejection::JsonRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError(AppError::TooLarge(
            "body_too_large",
            format!("A request body may be at most {} KiB.", MAX_API_BODY / 1024),
        ));
    }
    ApiError(AppError::Invalid("invalid_json", e.body_text()))
}

/// The largest JSON body the API reads.
pub(crate) const MAX_API_BODY: usize = 256 * 1024;

async fn reply(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<ReplyRequest>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(req) = body.map_err(bad_json)?;
    let message_id = web.app.reply(&who, &id, &req).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "id": message_id, "status": "queued" })),
    ))
}

#[derive(Deserialize)]
struct NoteBody {
    text: String,
}

async fn note(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<NoteBody>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(b) = body.map_err(bad_json)?;
    let note_id = web.app.add_note(&who, &id, &b.text).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": note_id }))))
}

#[derive(Deserialize)]
struct AssignBody {
    /// A user id, `"me"`, or null to unassign.
    assignee: Option<String>,
}

async fn assign(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<AssignBody>, axum::extract::rejection::JsonRejection>,
) -> ApiResult {
    let Json(b) = body.map_err(bad_json)?;
    let assignee = match b.assignee.as_deref() {
        Some("me") => Some(
            who.user_id
                .clone()
                .ok_or(AppError::Invalid("not_a_user", "A token cannot be assigned.".into()))?,
        ),
        Some(other) => Some(other.to_owned()),
        None => None,
    };
    web.app.assign(&who, &id, assignee.as_deref()).await?;
    Ok(Json(json!({ "ok": true })))
}

async fn resolve(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult {
    web.app.resolve(&who, &id).await?;
    Ok(Json(json!({ "ok": true })))
}

async fn no_reply_needed(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult {
    web.app.no_reply_needed(&who, &id).await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(Deserialize, Default)]
struct PresenceBody {
    #[serde(default)]
    typing: bool,
}

async fn presence(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    body: Option<Json<PresenceBody>>,
) -> ApiResult {
    let typing = body.map(|Json(b)| b.typing).unwrap_or(false);
    let viewers = web.app.presence_beat(&who, &id, typing).await?;
    Ok(Json(json!({ "viewers": viewers })))
}

async fn presence_leave(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult {
    web.app.presence_leave(&who, &id).await?;
    Ok(Json(json!({ "ok": true })))
}

async fn resend(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    web.app.resend(&who, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "id": id, "status": "queued" }))))
}

#[derive(Deserialize)]
struct ReportQuery {
    profile: Option<String>,
    from: Option<String>,
    to: Option<String>,
    bucket: Option<String>,
}

async fn service_level(State(web): State<Web>, ApiUser(who): ApiUser, Query(q): Query<ReportQuery>) -> ApiResult {
    let now = web.app.now();
    let cal = &web.app.calendar;
    let bad = |what: &str| {
        AppError::Invalid(
            "invalid_query",
            format!("{what} must be YYYY-MM-DD or epoch milliseconds"),
        )
    };
    let to = match non_empty(&q.to) {
        // A date given for `to` means "up to and including that day".
        Some(s) => cal
            .parse_date(&s)
            .map(|t| {
                if s.contains('-') {
                    cal.bucket_next(Bucket::Day, t)
                } else {
                    t
                }
            })
            .ok_or_else(|| bad("to"))?,
        None => cal.bucket_next(Bucket::Day, cal.day_start(now)),
    };
    let from = match non_empty(&q.from) {
        Some(s) => cal.parse_date(&s).ok_or_else(|| bad("from"))?,
        None => to - 7 * DAY,
    };
    let bucket = match non_empty(&q.bucket) {
        Some(b) => Bucket::parse(&b)
            .ok_or_else(|| AppError::Invalid("invalid_bucket", "bucket is day, week or month".into()))?,
        None => Bucket::Day,
    };
    let profile = non_empty(&q.profile);
    Ok(Json(
        web.app
            .service_level_report(&who, profile.as_deref(), from, to, bucket)
            .await?,
    ))
}

async fn today(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult {
    Ok(Json(
        json!({ "items": web.app.today(&who).await?, "now": web.app.now() }),
    ))
}

async fn quarantine(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult {
    who.require(Role::Admin)?;
    let items = web
        .app
        .store
        .quarantined(&who.workspace_id, 200)
        .await
        .map_err(AppError::from)?;
    Ok(Json(json!({ "items": items })))
}
