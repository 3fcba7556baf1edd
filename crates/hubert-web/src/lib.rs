//! The HTTP face of Hubert (axum): server-rendered pages (`ui`), the REST API (`api`),
//! platform webhooks (`webhooks`) and live events (`events`, SSE). Handlers are thin:
//! extract, call one `hubert-app` use case, render. No SQL and no business rules here.

mod admin_accounts;
mod admin_users;
mod api;
mod api_audit;
mod api_calendars;
mod api_comments;
mod api_media;
mod api_security;
mod api_text;
mod api_tokens;
mod assets;
mod auth;
mod error;
mod events;
pub mod i18n;
pub mod layers;
mod metrics;
pub mod openapi;
pub mod server;
mod two_factor_pages;
mod ui;
mod wallboard;
mod webhooks;
mod words;

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use hubert_app::App;
use tower_http::timeout::TimeoutLayer;

/// Largest webhook body we accept (WhatsApp documents up to 3 MB).
pub const MAX_WEBHOOK_BYTES: usize = 3 * 1024 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct Web {
    pub app: App,
    /// Cookies get `Secure` (`HUBERT_COOKIE_SECURE`, by default when served over HTTPS).
    pub secure_cookies: bool,
    /// Security headers (HSTS, who may frame the wallboard).
    pub headers: layers::HeaderPolicy,
    /// `HUBERT_METRICS_TOKEN`: when set, `/metrics` wants it as a bearer token.
    pub metrics_token: Option<String>,
    /// Turns true when the server shuts down; live streams end then.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

/// Operator settings of the HTTP face.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// `HUBERT_WALLBOARD_FRAME_ANCESTORS`: origins allowed to frame the wallboard.
    pub wallboard_frame_ancestors: String,
    /// `HUBERT_METRICS_TOKEN`.
    pub metrics_token: Option<String>,
}

/// The whole application router.
pub fn router(app: App, shutdown: tokio::sync::watch::Receiver<bool>, config: WebConfig) -> Router {
    let https = app.public_url.starts_with("https://");
    let secure_cookies = app.cookie_secure;
    let web = Web {
        app,
        secure_cookies,
        headers: layers::HeaderPolicy {
            hsts: https,
            ..Default::default()
        }
        .with_frame_ancestors(&config.wallboard_frame_ancestors),
        metrics_token: config.metrics_token.filter(|t| !t.is_empty()),
        shutdown,
    };
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(metrics::render))
        .merge(api::routes())
        .merge(openapi::routes())
        .merge(api_text::routes())
        .merge(api_tokens::routes())
        .merge(api_calendars::routes())
        .merge(api_security::routes())
        .merge(api_media::routes())
        .merge(api_comments::routes())
        .merge(api_audit::routes())
        .merge(admin_accounts::routes())
        .merge(admin_users::routes())
        .merge(webhooks::routes())
        .merge(ui::routes())
        .merge(two_factor_pages::routes())
        .merge(wallboard::routes())
        .merge(words::routes())
        .merge(assets::routes())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn_with_state(web.clone(), layers::around))
        .with_state(web)
}
