//! Platform webhooks, one URL per profile: `/webhooks/{platform}/{profile_id}`.
//! The body is read once as bytes (size-capped), the signature verified over exactly
//! those bytes, and only then parsed. 200 means "durably stored"; 401 unsigned or wrong
//! signature (nothing stored); 400 malformed (quarantined); 503 storage trouble (the
//! platform retries).

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
        WebhookError::UnknownProfile => json_error(
            StatusCode::NOT_FOUND,
            "unknown_webhook",
            "No profile has this webhook URL.",
        ),
        WebhookError::Unauthorized(reason) => json_error(StatusCode::UNAUTHORIZED, "bad_signature", &reason),
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
    let profile = match web.app.webhook_profile(&profile, Platform::Whatsapp).await {
        Ok(p) => p,
        Err(e) => return refuse(e),
    };
    let Ok(creds) = serde_json::from_str::<hubert_channels::whatsapp::WhatsappCredentials>(&profile.credentials) else {
        return refuse(WebhookError::Unavailable);
    };
    match hubert_channels::whatsapp::verify_handshake(&query, &creds.verify_token) {
        Some(challenge) => ([(header::CONTENT_TYPE, "text/plain")], challenge).into_response(),
        None => json_error(
            StatusCode::FORBIDDEN,
            "bad_verify_token",
            "The verify token does not match.",
        ),
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
    let profile = match web.app.webhook_profile(&profile, Platform::X).await {
        Ok(p) => p,
        Err(e) => return refuse(e),
    };
    let Some(token) = query.get("crc_token") else {
        return json_error(StatusCode::BAD_REQUEST, "missing_crc_token", "crc_token is required.");
    };
    let Ok(creds) = serde_json::from_str::<hubert_channels::x::XCredentials>(&profile.credentials) else {
        return refuse(WebhookError::Unavailable);
    };
    let body = hubert_channels::x::crc_response(&creds.consumer_secret, token);
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
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
