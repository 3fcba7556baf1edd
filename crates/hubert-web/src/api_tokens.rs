//! API token management for admins under `/api/v1/tokens`: list (never a token or its
//! hash), create (the token is in the 201 answer, once) and revoke (204). The rules live
//! in `hubert-app::tokens`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use hubert_app::tokens::{CreatedToken, NewToken, TokenInfo};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::JsonBody;
use crate::auth::{ApiUser, ClientAddr};
use crate::error::ApiError;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/v1/tokens", get(list).post(create))
        .route("/api/v1/tokens/{id}", delete(revoke))
        .layer(axum::extract::DefaultBodyLimit::max(crate::api::MAX_API_BODY))
}

/// The workspace's tokens, newest first.
#[derive(Serialize, ToSchema)]
pub(crate) struct TokenList {
    items: Vec<TokenInfo>,
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = TokenList), (status = 401, body = crate::openapi::ErrorBody),
              (status = 403, body = crate::openapi::ErrorBody)))]
pub(crate) async fn list(State(web): State<Web>, ApiUser(who): ApiUser) -> Result<Json<TokenList>, ApiError> {
    Ok(Json(TokenList {
        items: web.app.api_tokens(&who).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken, description = "The token is in this answer only"),
              (status = 401, body = crate::openapi::ErrorBody), (status = 403, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn create(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: ClientAddr,
    JsonBody(input): JsonBody<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let created = web.app.create_api_token(&who, input, &client.text()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked (or already revoked)"),
              (status = 401, body = crate::openapi::ErrorBody), (status = 403, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody)))]
pub(crate) async fn revoke(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: ClientAddr,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    web.app.revoke_api_token(&who, &id, &client.text()).await?;
    Ok(StatusCode::NO_CONTENT)
}
