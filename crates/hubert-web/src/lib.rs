//! The HTTP face of Hubert (axum): server-rendered pages (`ui`), the REST API (`api`),
//! platform webhooks (`webhooks`) and live events (`events`, SSE). Handlers are thin:
//! extract, call one `hubert-app` use case, render. No SQL and no business rules here.

mod api;
mod api_text;
mod assets;
mod auth;
mod error;
mod events;
pub mod i18n;
pub mod server;
mod ui;
mod wallboard;
mod webhooks;
mod words;

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use hubert_app::App;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest webhook body we accept (WhatsApp documents up to 3 MB).
pub const MAX_WEBHOOK_BYTES: usize = 3 * 1024 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct Web {
    pub app: App,
    /// Cookies get `Secure` when Hubert is served over HTTPS.
    pub secure_cookies: bool,
    /// Turns true when the server shuts down; live streams end then.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

/// The whole application router.
pub fn router(app: App, shutdown: tokio::sync::watch::Receiver<bool>) -> Router {
    let secure_cookies = app.public_url.starts_with("https://");
    let web = Web {
        app,
        secure_cookies,
        shutdown,
    };
    Router::new()
        .route("/healthz", get(api::healthz))
        .merge(api::routes())
        .merge(api_text::routes())
        .merge(webhooks::routes())
        .merge(ui::routes())
        .merge(wallboard::routes())
        .merge(words::routes())
        .merge(assets::routes())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(web)
}
