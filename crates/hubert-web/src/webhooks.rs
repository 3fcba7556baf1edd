//! Platform webhooks, one generic route for every channel in the registry and one URL
//! per profile: `/webhooks/{platform}/{profile_id}` (GET handshake, POST delivery).
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

use crate::error::json_error;
use crate::{Web, MAX_WEBHOOK_BYTES};

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/webhooks/meta/{key}", get(meta_handshake).post(meta_delivery))
        .route("/webhooks/{platform}/{profile}", get(handshake).post(delivery))
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
        WebhookError::UnknownPlatform => json_error(StatusCode::NOT_FOUND, "not_found", "Not found."),
        WebhookError::Malformed(reason) => json_error(StatusCode::BAD_REQUEST, "malformed", &reason),
        WebhookError::Unavailable => json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Storage is unavailable; retry later.",
        ),
    }
}

async fn handshake(
    State(web): State<Web>,
    Path((platform, profile)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match web.app.webhook_handshake(&platform, &profile, &query).await {
        Ok(reply) => ([(header::CONTENT_TYPE, reply.content_type)], reply.body).into_response(),
        Err(e) => refuse(e),
    }
}

async fn delivery(
    State(web): State<Web>,
    Path((platform, profile)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(channel) = hubert_channels::channel_by_name(&platform) else {
        return refuse(WebhookError::UnknownPlatform);
    };
    let profile = match web.app.webhook_profile(&profile, channel.platform()).await {
        Ok(p) => p,
        Err(e) => return refuse(e),
    };
    let signature = channel
        .signature_headers()
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok());
    match web
        .app
        .ingest_webhook(&profile, Signature { header: signature }, &body)
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

/// `GET /webhooks/meta/{key}`: the shared Meta endpoint's handshake.
async fn meta_handshake(
    State(web): State<Web>,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match web.app.meta_endpoint_handshake(&key, &query).await {
        Ok(reply) => ([(header::CONTENT_TYPE, reply.content_type)], reply.body).into_response(),
        Err(e) => refuse(e),
    }
}

/// `POST /webhooks/meta/{key}`: every Meta delivery of the workspace, routed by entry id.
async fn meta_delivery(State(web): State<Web>, Path(key): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers
        .get(hubert_channels::meta::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    match web.app.ingest_meta_shared(&key, signature, &body).await {
        Ok(_) => (StatusCode::OK, "EVENT_RECEIVED").into_response(),
        Err(e) => refuse(e),
    }
}
