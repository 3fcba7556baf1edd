//! `GET /api/v1/media/{id}`: a stored attachment for signed-in users of its workspace,
//! streamed from disk. Only types proven by the file's first bytes are shown inline;
//! everything else is a download of `application/octet-stream`. Always `nosniff`, a
//! sandboxing CSP and a private cache. The rules live in `hubert-app::media`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new().route("/api/v1/media/{id}", get(media))
}

#[utoipa::path(get, path = "/api/v1/media/{id}", tag = "conversations",
    params(("id" = String, Path, description = "Attachment id (from a message's `media`)")),
    responses((status = 200, description = "The file: an image, video or audio proven by its bytes inline, anything else as a download",
               content_type = "application/octet-stream"),
              (status = 404, body = crate::openapi::ErrorBody), (status = 409, body = crate::openapi::ErrorBody, description = "Not stored (yet)")))]
pub(crate) async fn media(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let file = web.app.media_file(&who, &id).await?;
    let disposition = if file.inline { "inline" } else { "attachment" };
    let stream = tokio_util::io::ReaderStream::new(file.file);
    let mut res = Body::from_stream(stream).into_response();
    let h = res.headers_mut();
    let value = |s: &str| HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, value(&file.content_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(file.size));
    h.insert(
        header::CONTENT_DISPOSITION,
        value(&format!("{disposition}; filename=\"{}\"", file.filename)),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    Ok(res)
}
