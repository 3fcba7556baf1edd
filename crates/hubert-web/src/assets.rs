//! Our own small script and stylesheet, compiled into the binary. No CDN, no third-party
//! JavaScript.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::Web;

const APP_JS: &str = include_str!("../assets/app.js");
const TEXT_JS: &str = include_str!("../assets/text.js");
const APP_CSS: &str = include_str!("../assets/app.css");
const FAVICON: &str = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='7' fill='#0b6e4f'/><text x='16' y='23' font-size='20' font-family='sans-serif' font-weight='700' fill='#fff' text-anchor='middle'>H</text></svg>";

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/assets/app.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], APP_JS).into_response() }))
        .route("/assets/text.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], TEXT_JS).into_response() }))
        .route("/favicon.ico", get(|| async { ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "max-age=86400")], FAVICON).into_response() }))
        .route("/assets/app.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], APP_CSS).into_response() }))
}
