//! `POST` and `DELETE /api/v1/messages/{id}/hide`: hide or unhide a customer's comment
//! on the platform (Facebook, Instagram). The rules (who may, which messages) live in
//! `hubert-app::comments`.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use hubert_app::comments::HiddenState;

use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new().route("/api/v1/messages/{id}/hide", post(hide).delete(unhide))
}

#[utoipa::path(post, path = "/api/v1/messages/{id}/hide", tag = "conversations",
    params(("id" = String, Path, description = "A customer's comment (message id)")),
    responses((status = 200, body = HiddenState), (status = 404, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody, description = "Not a comment, or the platform refused")))]
pub(crate) async fn hide(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<HiddenState>, ApiError> {
    Ok(Json(web.app.set_comment_hidden(&who, &id, true).await?))
}

#[utoipa::path(delete, path = "/api/v1/messages/{id}/hide", tag = "conversations",
    params(("id" = String, Path, description = "A customer's comment (message id)")),
    responses((status = 200, body = HiddenState), (status = 404, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody, description = "Not a comment, or the platform refused")))]
pub(crate) async fn unhide(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<HiddenState>, ApiError> {
    Ok(Json(web.app.set_comment_hidden(&who, &id, false).await?))
}
