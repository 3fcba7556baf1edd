//! The REST API under `/api/v1`: JSON in, JSON out, errors as
//! `{"error":{"code","message","request_id"}}`. Callers authenticate with a bearer token
//! or the session cookie (plus CSRF header for changes). Every handler is annotated for
//! the OpenAPI document (`crate::openapi`); answers are typed structs, so the document
//! and the bytes cannot disagree.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hubert_app::conversations::ReplyRequest;
use hubert_app::presence::Viewer;
use hubert_app::profiles::NewProfile;
use hubert_app::profiles::ProfileView;
use hubert_app::reports::{ServiceLevelReport, TodayScore};
use hubert_app::users::{CreatedUser, NewUserInput, PasswordChange, ResetLink, UserInfo, UserPatch};
use hubert_app::view::{ConversationThread, ConversationView, MessageView};
use hubert_app::AppError;
use hubert_core::time::{Bucket, DAY};
use hubert_core::Role;
use hubert_store::ConversationFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::Web;

type ApiResult<T> = Result<Json<T>, ApiError>;

/// A change was made.
#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

const DONE: Done = Done { ok: true };

/// Something was queued for sending.
#[derive(Serialize, ToSchema)]
pub struct Queued {
    pub id: String,
    /// Always `queued`.
    pub status: String,
}

/// Something was created.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Who is calling.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// The user id; null for an API token.
    pub id: Option<String>,
    pub name: String,
    pub role: String,
    pub now: i64,
}

/// A colleague.
#[derive(Serialize, ToSchema)]
pub struct UserItem {
    pub id: String,
    pub name: String,
    pub role: String,
    /// False once an admin deactivated the user.
    pub active: bool,
    /// Shown to admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the user signs in with two-factor sign-in; shown to admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub two_factor: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserItem>,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileList {
    pub items: Vec<ProfileView>,
    /// Admins: the workspace's shared Meta webhook URL (`/webhooks/meta/{key}`), for a
    /// Meta app whose deliveries for all Pages and accounts go to one callback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta_webhook_url: Option<String>,
}

/// An approved WhatsApp message template.
#[derive(Serialize, ToSchema)]
pub struct TemplateItem {
    pub id: String,
    pub profile_id: String,
    pub name: String,
    pub language: String,
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct TemplateList {
    pub items: Vec<TemplateItem>,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationView>,
    pub now: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ViewerList {
    pub viewers: Vec<Viewer>,
}

#[derive(Serialize, ToSchema)]
pub struct TodayList {
    pub items: Vec<TodayScore>,
    pub now: i64,
}

/// A signed delivery that could not be used, kept for an admin.
#[derive(Serialize, ToSchema)]
pub struct QuarantineItem {
    pub id: String,
    pub profile_id: Option<String>,
    pub platform: String,
    pub reason: String,
    /// The raw body (or the single rejected event).
    pub body: String,
    pub received_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct QuarantineList {
    pub items: Vec<QuarantineItem>,
}

/// The service answers.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `database unavailable`.
    pub status: String,
}

/// Conversations per page when the caller gives no `limit` (most urgent first); at most
/// 1000 with `limit`.
const DEFAULT_PAGE: i64 = 50;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/users", get(users).post(create_user))
        .route("/api/v1/me/password", post(change_password))
        .route("/api/v1/users/{id}", axum::routing::patch(update_user))
        .route("/api/v1/users/{id}/reset-link", post(reset_link))
        .route("/api/v1/profiles", get(list_profiles).post(create_profile))
        .route(
            "/api/v1/profiles/{id}",
            axum::routing::patch(update_profile).delete(disconnect_profile),
        )
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

#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn healthz(State(web): State<Web>) -> Response {
    let (status, text) = match web.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    };
    (status, Json(Health { status: text.into() })).into_response()
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = crate::openapi::ErrorBody)))]
async fn me(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult<Me> {
    Ok(Json(Me {
        id: who.user_id,
        name: who.name,
        role: who.role.as_str().into(),
        now: web.app.now(),
    }))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "account",
    responses((status = 200, body = UserList), (status = 401, body = crate::openapi::ErrorBody)))]
async fn users(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult<UserList> {
    who.require(Role::Agent)?;
    let admin = who.role >= Role::Admin;
    let users = web.app.store.users(&who.workspace_id).await.map_err(AppError::from)?;
    let with_two_factor = if admin {
        web.app.two_factor_users(&who).await?
    } else {
        Vec::new()
    };
    let items = users
        .into_iter()
        .map(|u| UserItem {
            two_factor: admin.then(|| with_two_factor.contains(&u.id)),
            active: u.deactivated_at.is_none(),
            email: admin.then_some(u.email),
            id: u.id,
            name: u.name,
            role: u.role,
        })
        .collect();
    Ok(Json(UserList { items }))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "account", request_body = NewUserInput,
    responses((status = 201, body = CreatedUser, description = "The password is in this answer only"),
              (status = 403, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody)))]
async fn create_user(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: crate::auth::ClientAddr,
    JsonBody(input): JsonBody<NewUserInput>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    let created = web.app.create_user_by_admin(&who, input, &client.text()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", request_body = PasswordChange,
    responses((status = 200, body = Done), (status = 422, body = crate::openapi::ErrorBody),
              (status = 503, body = crate::openapi::ErrorBody)))]
async fn change_password(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: crate::auth::ClientAddr,
    headers: axum::http::HeaderMap,
    JsonBody(change): JsonBody<PasswordChange>,
) -> ApiResult<Done> {
    let (mut parts, _) = axum::http::Request::new(()).into_parts();
    parts.headers = headers;
    let session = crate::auth::cookie(&parts, crate::auth::SESSION_COOKIE)
        .map(hubert_app::auth::hash_secret)
        .unwrap_or_default();
    web.app
        .change_own_password(&who, change, &session, &client.text())
        .await?;
    Ok(Json(DONE))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/reset-link", tag = "account",
    params(("id" = String, Path, description = "User id")),
    responses((status = 201, body = ResetLink, description = "The link is in this answer only"),
              (status = 403, body = crate::openapi::ErrorBody), (status = 404, body = crate::openapi::ErrorBody),
              (status = 409, body = crate::openapi::ErrorBody)))]
async fn reset_link(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: crate::auth::ClientAddr,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ResetLink>), ApiError> {
    let link = web.app.reset_link(&who, &id, &client.text()).await?;
    Ok((StatusCode::CREATED, Json(link)))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "account", request_body = UserPatch,
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = UserInfo), (status = 403, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody)))]
async fn update_user(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: crate::auth::ClientAddr,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<UserPatch>,
) -> ApiResult<UserInfo> {
    Ok(Json(web.app.update_user(&who, &id, patch, &client.text()).await?))
}

#[utoipa::path(get, path = "/api/v1/profiles", tag = "profiles",
    responses((status = 200, body = ProfileList), (status = 401, body = crate::openapi::ErrorBody)))]
async fn list_profiles(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult<ProfileList> {
    let items = web.app.profile_views(&who).await?;
    let meta_webhook_url = match who.require(hubert_core::Role::Admin).is_ok() {
        true => web.app.meta_endpoint_url(&who).await?,
        false => None,
    };
    Ok(Json(ProfileList {
        items,
        meta_webhook_url,
    }))
}

#[utoipa::path(patch, path = "/api/v1/profiles/{id}", tag = "profiles", request_body = hubert_app::profiles::ProfilePatch,
    params(("id" = String, Path, description = "Profile id")),
    responses((status = 200, body = ProfileView), (status = 403, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn update_profile(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<hubert_app::profiles::ProfilePatch>,
) -> ApiResult<ProfileView> {
    let row = web.app.update_profile(&who, &id, patch).await?;
    Ok(Json(web.app.profile_view(&row)))
}

#[utoipa::path(delete, path = "/api/v1/profiles/{id}", tag = "profiles",
    params(("id" = String, Path, description = "Profile id")),
    responses((status = 204, description = "Disconnected: webhooks and sends stop, history stays"),
              (status = 403, body = crate::openapi::ErrorBody), (status = 404, body = crate::openapi::ErrorBody)))]
pub(crate) async fn disconnect_profile(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    web.app.disconnect_profile(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/profiles", tag = "profiles", request_body = NewProfile,
    responses((status = 201, body = ProfileView), (status = 400, body = crate::openapi::ErrorBody),
              (status = 403, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
async fn create_profile(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    JsonBody(input): JsonBody<NewProfile>,
) -> Result<(StatusCode, Json<ProfileView>), ApiError> {
    let row = web.app.create_profile(&who, input).await?;
    Ok((StatusCode::CREATED, Json(web.app.profile_view(&row))))
}

#[utoipa::path(get, path = "/api/v1/profiles/{id}/templates", tag = "profiles",
    params(("id" = String, Path, description = "Profile id")),
    responses((status = 200, body = TemplateList), (status = 401, body = crate::openapi::ErrorBody)))]
async fn templates(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult<TemplateList> {
    who.require(Role::Agent)?;
    let items = web
        .app
        .store
        .templates(&who.workspace_id, &id)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|t| TemplateItem {
            id: t.id,
            profile_id: t.profile_id,
            name: t.name,
            language: t.language,
            body: t.body,
        })
        .collect();
    Ok(Json(TemplateList { items }))
}

/// Filters of the conversation list.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    status: Option<String>,
    profile: Option<String>,
    platform: Option<String>,
    /// `me`, `unassigned`, or a user id.
    assignee: Option<String>,
    /// At most 1000; 50 by default.
    limit: Option<i64>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|v| !v.is_empty()).cloned()
}

#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", params(ListQuery),
    responses((status = 200, body = ConversationList), (status = 400, body = crate::openapi::ErrorBody),
              (status = 401, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
async fn list_conversations(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<ConversationList> {
    let Query(q) = q.map_err(bad_query)?;
    let mut filter = ConversationFilter {
        status: non_empty(&q.status),
        profile_id: non_empty(&q.profile),
        platform: non_empty(&q.platform),
        limit: q.limit.unwrap_or(DEFAULT_PAGE),
        ..Default::default()
    };
    if let Some(s) = &filter.status {
        if hubert_core::ConversationStatus::parse(s).is_none() {
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
    let clocks = web.app.profile_clocks(&who.workspace_id).await?;
    let items = web
        .app
        .list_conversations(&who, &filter)
        .await?
        .iter()
        .map(|c| ConversationView::new(c, clocks.get(&c.profile_id), now))
        .collect();
    Ok(Json(ConversationList { items, now }))
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = ConversationThread), (status = 401, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody)))]
async fn get_conversation(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<ConversationThread> {
    let d = web.app.conversation(&who, &id).await?;
    let now = web.app.now();
    let starred = web
        .app
        .store
        .starred_in_conversation(&who.workspace_id, &id)
        .await
        .map_err(AppError::from)?;
    let clocks = web.app.profile_clocks(&who.workspace_id).await?;
    let clock = clocks.get(&d.conversation.profile_id);
    let mut messages: Vec<MessageView> = d.messages.iter().map(MessageView::from).collect();
    for m in d.media {
        if let Some(view) = messages.iter_mut().find(|v| v.id == m.message_id) {
            view.media.push(m.into());
        }
    }
    Ok(Json(ConversationThread {
        conversation: ConversationView::new(&d.conversation, clock, now),
        messages,
        earlier: d.earlier.iter().map(|c| ConversationView::new(c, clock, now)).collect(),
        window_open: d.reply_rules.window_open,
        reply_rules: (&d.reply_rules).into(),
        starred,
        viewers: web.app.presence.viewers(&who.workspace_id, &id, now),
        now,
    }))
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

/// A JSON object body parsed into `T`. Anything else (an array, a string, a number) is
/// refused with 422, so the API accepts only what its OpenAPI document describes (serde
/// alone would read a struct from an array).
pub(crate) struct JsonBody<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(bad_json)?;
        if !value.is_object() {
            return Err(ApiError(AppError::Invalid(
                "invalid_json",
                "The body must be a JSON object.".into(),
            )));
        }
        serde_json::from_value(value).map(JsonBody).map_err(|e| {
            ApiError(AppError::Invalid(
                "invalid_json",
                format!("Failed to deserialize the JSON body: {e}"),
            ))
        })
    }
}

pub(crate) fn bad_query(e: axum::extract::rejection::QueryRejection) -> ApiError {
    ApiError(AppError::Invalid("invalid_query", e.body_text()))
}

/// The largest JSON body the API reads.
pub(crate) const MAX_API_BODY: usize = 256 * 1024;

#[utoipa::path(post, path = "/api/v1/conversations/{id}/replies", tag = "conversations", request_body = ReplyRequest,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 202, body = Queued), (status = 400, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody),
              (status = 413, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
async fn reply(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ReplyRequest>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let message_id = web.app.reply(&who, &id, &req).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Queued {
            id: message_id,
            status: "queued".into(),
        }),
    ))
}

/// An internal note.
#[derive(Deserialize, ToSchema)]
struct NoteBody {
    text: String,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/notes", tag = "conversations", request_body = NoteBody,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 201, body = Created), (status = 400, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody), (status = 413, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody)))]
async fn note(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NoteBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = web.app.add_note(&who, &id, &b.text).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Who takes the conversation.
#[derive(Deserialize, ToSchema)]
struct AssignBody {
    /// A user id, `"me"`, or null to unassign.
    assignee: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/assign", tag = "conversations", request_body = AssignBody,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Done), (status = 400, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
async fn assign(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AssignBody>,
) -> ApiResult<Done> {
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
    Ok(Json(DONE))
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/resolve", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Done), (status = 404, body = crate::openapi::ErrorBody)))]
async fn resolve(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult<Done> {
    web.app.resolve(&who, &id).await?;
    Ok(Json(DONE))
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/no-reply-needed", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Done), (status = 404, body = crate::openapi::ErrorBody)))]
async fn no_reply_needed(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult<Done> {
    web.app.no_reply_needed(&who, &id).await?;
    Ok(Json(DONE))
}

/// A presence heartbeat.
#[derive(Deserialize, Default, ToSchema)]
struct PresenceBody {
    #[serde(default)]
    typing: bool,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/presence", tag = "conversations", request_body = PresenceBody,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = ViewerList), (status = 404, body = crate::openapi::ErrorBody)))]
async fn presence(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<PresenceBody>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<ViewerList> {
    use axum::extract::rejection::JsonRejection;
    let typing = match body {
        Ok(Json(b)) => b.typing,
        // A heartbeat may come without a body.
        Err(JsonRejection::MissingJsonContentType(_)) => false,
        Err(e) => return Err(bad_json(e)),
    };
    let viewers = web.app.presence_beat(&who, &id, typing).await?;
    Ok(Json(ViewerList { viewers }))
}

#[utoipa::path(delete, path = "/api/v1/conversations/{id}/presence", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Done), (status = 404, body = crate::openapi::ErrorBody)))]
async fn presence_leave(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult<Done> {
    web.app.presence_leave(&who, &id).await?;
    Ok(Json(DONE))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/resend", tag = "conversations",
    params(("id" = String, Path, description = "Message id")),
    responses((status = 202, body = Queued), (status = 404, body = crate::openapi::ErrorBody),
              (status = 409, body = crate::openapi::ErrorBody)))]
async fn resend(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    web.app.resend(&who, &id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Queued {
            id,
            status: "queued".into(),
        }),
    ))
}

/// The period and profile of a report.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    /// A profile id; all profiles when absent.
    profile: Option<String>,
    /// `YYYY-MM-DD` or epoch milliseconds; a week before `to` by default.
    from: Option<String>,
    /// `YYYY-MM-DD` (inclusive) or epoch milliseconds; the end of today by default.
    to: Option<String>,
    /// `day`, `week` or `month`.
    bucket: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/service-level", tag = "reports", params(ReportQuery),
    responses((status = 200, body = ServiceLevelReport), (status = 400, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
async fn service_level(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    q: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<ServiceLevelReport> {
    let Query(q) = q.map_err(bad_query)?;
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

#[utoipa::path(get, path = "/api/v1/reports/today", tag = "reports",
    responses((status = 200, body = TodayList), (status = 401, body = crate::openapi::ErrorBody)))]
async fn today(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult<TodayList> {
    let items = web.app.today(&who).await?;
    Ok(Json(TodayList {
        items,
        now: web.app.now(),
    }))
}

#[utoipa::path(get, path = "/api/v1/quarantine", tag = "operations",
    responses((status = 200, body = QuarantineList), (status = 403, body = crate::openapi::ErrorBody)))]
async fn quarantine(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult<QuarantineList> {
    who.require(Role::Admin)?;
    let items = web
        .app
        .store
        .quarantined(&who.workspace_id, 200)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|q| QuarantineItem {
            id: q.id,
            profile_id: q.profile_id,
            platform: q.platform,
            reason: q.reason,
            body: q.body,
            received_at: q.received_at,
        })
        .collect();
    Ok(Json(QuarantineList { items }))
}
