//! How errors leave the server: JSON `{"error":{"code","message","request_id"}}` for the
//! API, a plain status for everything else. Internal causes are logged (with the request
//! id), never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hubert_app::AppError;
use serde_json::json;

/// An API error response.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Invalid(..) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(..) => StatusCode::CONFLICT,
        AppError::TooLarge(..) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::TooManyRequests | AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::BadRequest(..) => StatusCode::BAD_REQUEST,
        AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        if let AppError::Internal(cause) = &self.0 {
            tracing::error!(error = %cause, "internal error");
        }
        let message = match &self.0 {
            AppError::Internal(_) => "Something went wrong on our side.".to_owned(),
            other => other.to_string(),
        };
        let mut res = json_error(status, self.0.code(), &message);
        with_retry_after(&mut res, &self.0);
        res
    }
}

/// Adds `Retry-After` when the error passes with time (throttled, busy).
pub fn with_retry_after(res: &mut Response, e: &AppError) {
    if let Some(secs) = e.retry_after_secs() {
        res.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, secs.max(1).into());
    }
}

/// A JSON error with an explicit status and code (for extractor and webhook failures),
/// carrying the request id so a user's report can be found in the log.
pub fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let request_id = crate::layers::current_request_id();
    (
        status,
        Json(json!({ "error": { "code": code, "message": message, "request_id": request_id } })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_one_status() {
        assert_eq!(status_of(&AppError::Unauthorized), StatusCode::UNAUTHORIZED);
        assert_eq!(status_of(&AppError::Forbidden), StatusCode::FORBIDDEN);
        assert_eq!(status_of(&AppError::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(
            status_of(&AppError::Invalid("x", "y".into())),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(status_of(&AppError::Conflict("x", "y".into())), StatusCode::CONFLICT);
        let mut res = ApiError(AppError::Busy { retry_after_secs: 2 }).into_response();
        assert_eq!(res.headers()["retry-after"], "2");
        with_retry_after(&mut res, &AppError::NotFound);
        assert_eq!(status_of(&AppError::TooManyRequests), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            status_of(&AppError::TooLarge("x", "y".into())),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            status_of(&AppError::Throttled { retry_after_secs: 3 }),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            status_of(&AppError::Busy { retry_after_secs: 1 }),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status_of(&AppError::BadRequest("x", "y".into())),
            StatusCode::BAD_REQUEST
        );
    }
}
