//! Platform webhooks, one URL per profile: `/webhooks/{platform}/{profile_id}`.
//! The body is read once as bytes (size-capped), the signature verified over exactly
//! those bytes, and only then parsed. 200 means "durably stored" (events rejected on
//! their own, e.g. for a crafted id, are quarantined and the rest stored); 401 unknown
//! profile, unsigned or wrong signature (nothing stored, the same answer for all); 400
//! malformed (quarantined); 429 too many handshakes; 503 storage trouble (the platform
//! retries). Handshakes (`GET`) are answered by `hubert_app::handshakes`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hubert_app::ingest::{Signature, WebhookError};
use hubert_core::Platform;

use crate::error::json_error;
use crate::{Web, MAX_WEBHOOK_BYTES};

pub fn routes() -> Router<Web> {
    Router::new()
        .route(
            "/webhooks/whatsapp/{profile}",
            get(whatsapp_handshake).post(whatsapp_delivery),
        )
        .route("/webhooks/x/{profile}", get(x_crc).post(x_delivery))
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BYTES))
}

fn refuse(e: WebhookError) -> Response {
    match e {
        // The same answer whether the profile exists or the signature is wrong: webhook
        // URLs cannot be probed. The reason stays in the debug log.
        WebhookError::UnknownProfile | WebhookError::Unauthorized(_) => {
            if let WebhookError::Unauthorized(reason) = &e {
                tracing::debug!(%reason, "webhook refused");
            }
            json_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unknown webhook or bad signature.",
            )
        }
        WebhookError::BadRequest(reason) => json_error(StatusCode::BAD_REQUEST, "bad_request", &reason),
        WebhookError::RateLimited { retry_after_ms } => {
            let mut res = json_error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many handshakes for this webhook; retry later.",
            );
            let secs = (retry_after_ms.max(0) + 999) / 1000;
            if let Ok(v) = secs.max(1).to_string().parse() {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        WebhookError::Malformed(reason) => json_error(StatusCode::BAD_REQUEST, "malformed", &reason),
        WebhookError::Unavailable => json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Storage is unavailable; retry later.",
        ),
    }
}

async fn whatsapp_handshake(
    State(web): State<Web>,
    Path(profile): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match web.app.whatsapp_handshake(&profile, &query).await {
        Ok(challenge) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], challenge).into_response(),
        Err(e) => refuse(e),
    }
}

async fn whatsapp_delivery(
    State(web): State<Web>,
    Path(profile): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    deliver(&web, &profile, Platform::Whatsapp, signature, &body).await
}

async fn x_crc(
    State(web): State<Web>,
    Path(profile): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = query.get("crc_token").map(String::as_str);
    match web.app.x_crc(&profile, token).await {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => refuse(e),
    }
}

async fn x_delivery(State(web): State<Web>, Path(profile): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers
        .get("x-twitter-webhooks-signature-oauth2")
        .or_else(|| headers.get("x-twitter-webhooks-signature"))
        .and_then(|v| v.to_str().ok());
    deliver(&web, &profile, Platform::X, signature, &body).await
}

async fn deliver(web: &Web, profile: &str, platform: Platform, signature: Option<&str>, body: &[u8]) -> Response {
    let profile = match web.app.webhook_profile(profile, platform).await {
        Ok(p) => p,
        Err(e) => return refuse(e),
    };
    match web
        .app
        .ingest_webhook(&profile, Signature { header: signature }, body)
        .await
    {
        Ok(report) => {
            tracing::debug!(
                messages = report.messages,
                statuses = report.statuses,
                duplicates = report.duplicates,
                "webhook stored"
            );
            (StatusCode::OK, "EVENT_RECEIVED").into_response()
        }
        Err(e) => refuse(e),
    }
}
