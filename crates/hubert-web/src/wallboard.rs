//! The wallboard: a kiosk page and its live stream under `/wallboard/{token}`, its
//! management API (`/api/v1/wallboards`, star, banner) and the settings page. The token
//! in the path is the only thing a kiosk has; it opens this page and stream and nothing
//! else (it is never accepted as a bearer token). Revoking a board ends its open streams
//! at once.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use futures::stream::{self, StreamExt};
use hubert_app::wallboard::{BoardKey, NewWallboard, WallboardView};

use crate::api::Done;
use hubert_app::AppError;
use hubert_core::Role;
use hubert_store::WallboardRow;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::JsonBody;
use crate::auth::{same_secret, ApiUser, PageUser};
use crate::error::{json_error, ApiError};
use crate::i18n::Lang;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/wallboard/{token}", get(page))
        .route("/wallboard/{token}/events", get(events))
        .route("/wallboard/{token}/state", get(state))
        .route("/api/v1/wallboards", get(list).post(create))
        .route("/api/v1/wallboards/{id}", axum::routing::delete(revoke))
        .route("/api/v1/messages/{id}/star", post(star).delete(unstar))
        .route("/api/v1/banner", put(banner))
        .route("/admin/wallboards", get(settings).post(settings_create))
        .route("/admin/wallboards/{id}/revoke", post(settings_revoke))
        .route("/admin/banner", post(settings_banner))
}

fn board_json(w: &WallboardRow) -> Value {
    serde_json::to_value(WallboardView::from(w)).unwrap_or_default()
}

async fn board(web: &Web, token: &str) -> Result<WallboardRow, Response> {
    match web.app.wallboard_for_token(token).await {
        Ok(Some(w)) => Ok(w),
        Ok(None) => Err(json_error(
            StatusCode::NOT_FOUND,
            "unknown_wallboard",
            "This wallboard does not exist or was revoked.",
        )),
        Err(e) => Err(ApiError(e).into_response()),
    }
}

#[derive(Template)]
#[template(path = "wallboard.html")]
struct WallboardPage {
    lang: Lang,
    name: String,
    i18n: String,
}

async fn page(State(web): State<Web>, lang: Lang, Path(token): Path<String>) -> Response {
    let w = match board(&web, &token).await {
        Ok(w) => w,
        Err(_) => {
            return (
                StatusCode::NOT_FOUND,
                Html("<!doctype html><title>Hubert</title><p>Dit scherm bestaat niet (meer).</p>"),
            )
                .into_response()
        }
    };
    let html = WallboardPage {
        lang,
        name: w.name,
        i18n: lang.table_json(),
    }
    .render();
    match html {
        Ok(h) => (
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::REFERRER_POLICY, "no-referrer"),
            ],
            Html(h),
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn state(State(web): State<Web>, Path(token): Path<String>) -> Response {
    let w = match board(&web, &token).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    match web.app.wallboard_state(&BoardKey::of(&w)).await {
        Ok(s) => Json(json!({ "board": board_json(&w), "state": s })).into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

async fn events(State(web): State<Web>, Path(token): Path<String>) -> Response {
    // Listen for revocations before the token check, so none can slip in between.
    let revocations = web.app.wallboard_hub.revocations();
    let w = match board(&web, &token).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let mut rx = match web.app.wallboard_stream(BoardKey::of(&w)).await {
        Ok(rx) => rx,
        Err(e) => return ApiError(e).into_response(),
    };
    let first_board = Event::default()
        .event("board")
        .retry(Duration::from_secs(2))
        .data(board_json(&w).to_string());
    let current = rx.borrow_and_update().clone();
    let first_state = Event::default()
        .event("state")
        .id(web.app.now().max(0).to_string())
        .data(current.as_str());
    let shutdown = web.shutdown.clone();
    let id = w.id.clone();
    // Ids let the browser send Last-Event-ID; every connection starts with the whole
    // state anyway, so nothing is ever replayed.
    let version = web.app.now().max(0) as u64;
    let live = stream::unfold(
        (rx, revocations, shutdown, id, version),
        |(mut rx, mut revoked, mut shutdown, id, version)| async move {
            loop {
                tokio::select! {
                    changed = rx.changed() => {
                        if changed.is_err() {
                            return None;
                        }
                        let s = rx.borrow_and_update().clone();
                        let ev = Event::default().event("state").id((version + 1).to_string()).data(s.as_str());
                        return Some((Ok::<_, Infallible>(ev), (rx, revoked, shutdown, id, version + 1)));
                    }
                    r = revoked.recv() => match r {
                        Ok(gone) if gone == id => return None,
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(_) => return None,
                    },
                    _ = shutdown.changed() => return None,
                }
            }
        },
    );
    let head = stream::iter([Ok::<_, Infallible>(first_board), Ok(first_state)]);
    let live = crate::events::counted(live, web.app.sse_client());
    Sse::new(head.chain(live))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(10)))
        .into_response()
}

type ApiResult<T> = Result<Json<T>, ApiError>;

#[utoipa::path(get, path = "/api/v1/wallboards", tag = "wallboards",
    responses((status = 200, body = WallboardList), (status = 403, body = crate::openapi::ErrorBody)))]
async fn list(State(web): State<Web>, ApiUser(who): ApiUser) -> ApiResult<WallboardList> {
    let items = web
        .app
        .wallboards(&who)
        .await?
        .iter()
        .map(WallboardView::from)
        .collect();
    Ok(Json(WallboardList { items }))
}

#[utoipa::path(post, path = "/api/v1/wallboards", tag = "wallboards", request_body = NewWallboard,
    responses((status = 201, body = WallboardView), (status = 400, body = crate::openapi::ErrorBody),
              (status = 403, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
async fn create(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    JsonBody(input): JsonBody<NewWallboard>,
) -> Result<(StatusCode, Json<WallboardView>), ApiError> {
    let (row, url) = web.app.create_wallboard(&who, input).await?;
    let mut view = WallboardView::from(&row);
    view.url = Some(url);
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(delete, path = "/api/v1/wallboards/{id}", tag = "wallboards",
    params(("id" = String, Path, description = "Wallboard id")),
    responses((status = 200, body = Done), (status = 403, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody)))]
async fn revoke(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult<Done> {
    web.app.revoke_wallboard(&who, &id).await?;
    Ok(Json(Done { ok: true }))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/star", tag = "wallboards",
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, body = Done), (status = 404, body = crate::openapi::ErrorBody)))]
async fn star(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult<Done> {
    web.app.star(&who, &id, true).await?;
    Ok(Json(Done { ok: true }))
}

#[utoipa::path(delete, path = "/api/v1/messages/{id}/star", tag = "wallboards",
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, body = Done), (status = 404, body = crate::openapi::ErrorBody)))]
async fn unstar(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult<Done> {
    web.app.star(&who, &id, false).await?;
    Ok(Json(Done { ok: true }))
}

/// The banner on every wallboard; empty text removes it.
#[derive(Deserialize, utoipa::ToSchema)]
struct BannerBody {
    #[serde(default)]
    text: String,
    #[serde(default)]
    minutes: Option<i64>,
}

#[utoipa::path(put, path = "/api/v1/banner", tag = "wallboards", request_body = BannerBody,
    responses((status = 200, body = Done), (status = 400, body = crate::openapi::ErrorBody),
              (status = 403, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
async fn banner(State(web): State<Web>, ApiUser(who): ApiUser, JsonBody(b): JsonBody<BannerBody>) -> ApiResult<Done> {
    web.app.set_banner(&who, &b.text, b.minutes).await?;
    Ok(Json(Done { ok: true }))
}

/// The wallboards of the workspace.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WallboardList {
    pub items: Vec<WallboardView>,
}

// ---------- settings page ----------

struct BoardLine {
    id: String,
    name: String,
    profiles: String,
    privacy: bool,
    rotate: String,
    created: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "wallboards.html")]
struct SettingsPage {
    lang: Lang,
    csrf: String,
    boards: Vec<BoardLine>,
    profiles: Vec<(String, String)>,
    new_url: Option<String>,
    banner: String,
}

async fn render_settings(web: &Web, user: &PageUser, lang: Lang, new_url: Option<String>) -> Response {
    let who = &user.principal;
    let (boards, profiles, banner) = match (
        web.app.wallboards(who).await,
        web.app.profiles(who).await,
        web.app.store.banner(&who.workspace_id, web.app.now()).await,
    ) {
        (Ok(b), Ok(p), Ok(banner)) => (b, p, banner.unwrap_or_default()),
        (Err(e), _, _) | (_, Err(e), _) => return ApiError(e).into_response(),
        (_, _, Err(e)) => return ApiError(AppError::from(e)).into_response(),
    };
    let names = |ids: &str| {
        let ids: Vec<String> = serde_json::from_str(ids).unwrap_or_default();
        if ids.is_empty() {
            return lang.t("filter.all").to_owned();
        }
        ids.iter()
            .filter_map(|id| profiles.iter().find(|p| &p.id == id).map(|p| p.name.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let page = SettingsPage {
        lang,
        csrf: user.csrf.clone(),
        boards: boards
            .iter()
            .map(|b| BoardLine {
                id: b.id.clone(),
                name: b.name.clone(),
                profiles: names(&b.profile_ids),
                privacy: b.privacy != 0,
                rotate: b.rotate_seconds.map(|s| format!("{s} s")).unwrap_or_else(|| "—".into()),
                created: web.app.calendar.format_minute(b.created_at),
                revoked: b.revoked_at.is_some(),
            })
            .collect(),
        profiles: profiles.iter().map(|p| (p.id.clone(), p.name.clone())).collect(),
        new_url,
        banner,
    };
    match page.render() {
        Ok(h) => Html(h).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn settings(State(web): State<Web>, user: PageUser, lang: Lang) -> Response {
    if user.principal.role < Role::Lead {
        return StatusCode::FORBIDDEN.into_response();
    }
    render_settings(&web, &user, lang, None).await
}

#[derive(Deserialize)]
struct CreateForm {
    csrf: String,
    name: String,
    #[serde(default)]
    profile: Vec<String>,
    #[serde(default)]
    privacy: Option<String>,
    #[serde(default)]
    rotate_seconds: String,
}

async fn settings_create(State(web): State<Web>, user: PageUser, lang: Lang, body: axum::body::Bytes) -> Response {
    // Repeated `profile` fields: parse by hand, serde_urlencoded cannot collect them.
    let pairs: Vec<(String, String)> = url_pairs(&body);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let form = CreateForm {
        csrf: get("csrf"),
        name: get("name"),
        profile: pairs
            .iter()
            .filter(|(n, _)| n == "profile")
            .map(|(_, v)| v.clone())
            .collect(),
        privacy: pairs.iter().find(|(n, _)| n == "privacy").map(|(_, v)| v.clone()),
        rotate_seconds: get("rotate_seconds"),
    };
    if !same_secret(&form.csrf, &user.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let input = NewWallboard {
        name: form.name,
        profile_ids: form.profile,
        privacy: form.privacy.is_some(),
        rotate_seconds: form.rotate_seconds.trim().parse().ok(),
        layouts: None,
    };
    match web.app.create_wallboard(&user.principal, input).await {
        Ok((_, url)) => render_settings(&web, &user, lang, Some(url)).await,
        Err(e) => ApiError(e).into_response(),
    }
}

fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn settings_revoke(
    State(web): State<Web>,
    user: PageUser,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !same_secret(&form.csrf, &user.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    match web.app.revoke_wallboard(&user.principal, &id).await {
        Ok(()) => Redirect::to("/admin/wallboards").into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

#[derive(Deserialize)]
struct BannerForm {
    csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    minutes: String,
}

async fn settings_banner(State(web): State<Web>, user: PageUser, Form(form): Form<BannerForm>) -> Response {
    if !same_secret(&form.csrf, &user.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    match web
        .app
        .set_banner(&user.principal, &form.text, form.minutes.trim().parse().ok())
        .await
    {
        Ok(()) => Redirect::to("/admin/wallboards").into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_bodies_keep_repeated_fields() {
        let pairs = super::url_pairs(b"name=TV+koffiehoek&profile=a&profile=b&csrf=x%2By");
        assert_eq!(pairs[0], ("name".into(), "TV koffiehoek".into()));
        assert_eq!(pairs.iter().filter(|(k, _)| k == "profile").count(), 2);
        assert_eq!(pairs[3].1, "x+y");
    }
}
