//! API token management for admins under `/api/v1/tokens`: list (never a token or its
//! hash), create (the token is in the 201 answer, once) and revoke (204). The rules live
//! in `hubert-app::tokens`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use hubert_app::tokens::{CreatedToken, NewToken, TokenInfo};
use hubert_app::AppError;
use serde::Serialize;

use crate::auth::{ApiUser, ClientAddr};
use crate::error::ApiError;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/v1/tokens", get(list).post(create))
        .route("/api/v1/tokens/{id}", delete(revoke))
}

/// The workspace's tokens, newest first.
#[derive(Serialize)]
struct TokenList {
    items: Vec<TokenInfo>,
}

async fn list(State(web): State<Web>, ApiUser(who): ApiUser) -> Result<Json<TokenList>, ApiError> {
    Ok(Json(TokenList {
        items: web.app.api_tokens(&who).await?,
    }))
}

async fn create(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: ClientAddr,
    body: Result<Json<NewToken>, JsonRejection>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let Json(input) = body.map_err(|e| ApiError(AppError::Invalid("invalid_json", e.body_text())))?;
    let created = web.app.create_api_token(&who, input, &client.text()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn revoke(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    client: ClientAddr,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    web.app.revoke_api_token(&who, &id, &client.text()).await?;
    Ok(StatusCode::NO_CONTENT)
}
