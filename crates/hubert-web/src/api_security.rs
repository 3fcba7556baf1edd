//! Two-factor sign-in and workspace settings over the API: the caller's own authenticator
//! under `/api/v1/me/two-factor` (status, begin, confirm with the first code, disable and
//! new recovery codes with a valid code), an admin removing a colleague's
//! (`DELETE /api/v1/users/{id}/two-factor`), and `GET/PUT /api/v1/settings`. The rules
//! live in `hubert-app::two_factor`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hubert_app::two_factor::{CodeInput, Enrollment, RecoveryCodes, Settings, SettingsPatch, TwoFactorStatus};

use crate::api::JsonBody;
use crate::auth::{ApiUser, ClientAddr};
use crate::error::ApiError;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/v1/me/two-factor", get(status).post(begin))
        .route("/api/v1/me/two-factor/confirm", post(confirm))
        .route("/api/v1/me/two-factor/disable", post(disable))
        .route("/api/v1/me/two-factor/recovery-codes", post(renew))
        .route("/api/v1/users/{id}/two-factor", delete(reset))
        .route("/api/v1/settings", get(settings).put(update_settings))
        .layer(axum::extract::DefaultBodyLimit::max(crate::api::MAX_API_BODY))
}

#[utoipa::path(get, path = "/api/v1/me/two-factor", tag = "account",
    responses((status = 200, body = TwoFactorStatus), (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn status(State(web): State<Web>, ApiUser(who): ApiUser) -> Result<Json<TwoFactorStatus>, ApiError> {
    Ok(Json(web.app.own_two_factor(&who).await?))
}

#[utoipa::path(post, path = "/api/v1/me/two-factor", tag = "account",
    responses((status = 200, body = Enrollment, description = "Add this to the authenticator app, then confirm with its first code"),
              (status = 409, body = crate::openapi::ErrorBody, description = "Two-factor sign-in is on already"),
              (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn begin(State(web): State<Web>, ApiUser(who): ApiUser) -> Result<Json<Enrollment>, ApiError> {
    Ok(Json(web.app.begin_own_two_factor(&who).await?))
}

#[utoipa::path(post, path = "/api/v1/me/two-factor/confirm", tag = "account", request_body = CodeInput,
    responses((status = 200, body = RecoveryCodes, description = "On; the recovery codes are in this answer only"),
              (status = 409, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn confirm(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: ClientAddr,
    JsonBody(input): JsonBody<CodeInput>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    Ok(Json(
        web.app
            .confirm_own_two_factor(&who, &input.code, &client.text())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/me/two-factor/disable", tag = "account", request_body = CodeInput,
    responses((status = 204, description = "Off"), (status = 409, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn disable(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: ClientAddr,
    JsonBody(input): JsonBody<CodeInput>,
) -> Result<StatusCode, ApiError> {
    web.app
        .disable_own_two_factor(&who, &input.code, &client.text())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/me/two-factor/recovery-codes", tag = "account", request_body = CodeInput,
    responses((status = 200, body = RecoveryCodes, description = "New codes, in this answer only; the old ones stopped working"),
              (status = 409, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn renew(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: ClientAddr,
    JsonBody(input): JsonBody<CodeInput>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    Ok(Json(
        web.app.renew_recovery_codes(&who, &input.code, &client.text()).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/users/{id}/two-factor", tag = "account",
    params(("id" = String, Path, description = "User id")),
    responses((status = 204, description = "Removed; the user enrols again"),
              (status = 403, body = crate::openapi::ErrorBody), (status = 404, body = crate::openapi::ErrorBody),
              (status = 409, body = crate::openapi::ErrorBody)))]
pub(crate) async fn reset(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: ClientAddr,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    web.app.reset_two_factor(&who, &id, &client.text()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/settings", tag = "account",
    responses((status = 200, body = Settings), (status = 403, body = crate::openapi::ErrorBody)))]
pub(crate) async fn settings(State(web): State<Web>, ApiUser(who): ApiUser) -> Result<Json<Settings>, ApiError> {
    Ok(Json(web.app.settings(&who).await?))
}

#[utoipa::path(put, path = "/api/v1/settings", tag = "account", request_body = SettingsPatch,
    responses((status = 200, body = Settings), (status = 403, body = crate::openapi::ErrorBody),
              (status = 409, body = crate::openapi::ErrorBody, description = "Turn on two-factor sign-in for yourself first")))]
pub(crate) async fn update_settings(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: ClientAddr,
    JsonBody(patch): JsonBody<SettingsPatch>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(web.app.update_settings(&who, patch, &client.text()).await?))
}
