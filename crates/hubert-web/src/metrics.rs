//! `GET /metrics`: the Prometheus text format, behind `Authorization: Bearer
//! $HUBERT_METRICS_TOKEN` when that is set (compared in constant time).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::same_secret;
use crate::error::{json_error, ApiError};
use crate::Web;

pub async fn render(State(web): State<Web>, headers: HeaderMap) -> Response {
    if let Some(expected) = &web.metrics_token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same_secret(sent.trim(), expected) {
            return json_error(StatusCode::UNAUTHORIZED, "unauthorized", "Send the metrics token.");
        }
    }
    match web.app.render_metrics().await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}
