//! Our own small scripts and stylesheets, compiled into the binary. No CDN, no
//! third-party JavaScript.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, MethodRouter};
use axum::Router;

use crate::Web;

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const FAVICON: &str = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='7' fill='#0b6e4f'/><text x='16' y='23' font-size='20' font-family='sans-serif' font-weight='700' fill='#fff' text-anchor='middle'>H</text></svg>";

/// A static file; `no-cache` so a deploy is picked up at once (the files are small).
fn asset(content_type: &'static str, body: &'static str, cache: &'static str) -> MethodRouter<Web> {
    get(move || async move {
        (
            [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, cache)],
            body,
        )
            .into_response()
    })
}

pub fn routes() -> Router<Web> {
    Router::new()
        .route(
            "/assets/app.js",
            asset(JS, include_str!("../assets/app.js"), "no-cache"),
        )
        .route(
            "/assets/text.js",
            asset(JS, include_str!("../assets/text.js"), "no-cache"),
        )
        .route(
            "/assets/app.css",
            asset(CSS, include_str!("../assets/app.css"), "no-cache"),
        )
        .route(
            "/assets/wallboard.js",
            asset(JS, include_str!("../assets/wallboard.js"), "no-cache"),
        )
        .route(
            "/assets/wallboard.css",
            asset(CSS, include_str!("../assets/wallboard.css"), "no-cache"),
        )
        .route("/favicon.ico", asset("image/svg+xml", FAVICON, "max-age=86400"))
}
