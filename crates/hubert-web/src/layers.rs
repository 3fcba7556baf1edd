//! Cross-cutting HTTP layers, applied to every route: a request id (accepted from a
//! well-formed `X-Request-Id` header or made here) in the log span, the response header
//! and error bodies; the security headers (CSP without `unsafe-inline`, nosniff,
//! referrer policy, HSTS on https, `Cache-Control: no-store` unless a handler chose
//! caching); and the HTTP metrics by matched route. The raw path is never logged: it
//! can hold a wallboard token.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use hubert_app::metrics::{HttpLabels, RouteLabels};
use tracing::Instrument;

use crate::Web;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, for error bodies.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Operator settings for the headers every response gets.
#[derive(Clone, Debug, Default)]
pub struct HeaderPolicy {
    /// `Strict-Transport-Security` (the public URL is https).
    pub hsts: bool,
    /// Origins that may frame the wallboard (`HUBERT_WALLBOARD_FRAME_ANCESTORS`,
    /// space- or comma-separated); every other page may not be framed at all.
    pub wallboard_frame_ancestors: Vec<String>,
}

impl HeaderPolicy {
    /// Keeps only well-formed origins (`https://host[:port]`, `http://…`, `'self'`).
    pub fn with_frame_ancestors(mut self, list: &str) -> Self {
        self.wallboard_frame_ancestors = list
            .split([',', ' '])
            .map(str::trim)
            .filter(|o| is_origin(o))
            .map(str::to_owned)
            .collect();
        self
    }

    fn csp(&self, wallboard: bool) -> String {
        let ancestors = if wallboard && !self.wallboard_frame_ancestors.is_empty() {
            self.wallboard_frame_ancestors.join(" ")
        } else {
            "'none'".to_owned()
        };
        format!("default-src 'self'; frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'")
    }
}

fn is_origin(o: &str) -> bool {
    if o == "'self'" {
        return true;
    }
    let Some(rest) = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://")) else {
        return false;
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'*'))
}

/// A request id we accept from outside: 1 to 64 of `A-Z a-z 0-9 - _ .`.
fn acceptable_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The method as a metrics label: the standard ones by name, any other as `other`, so a
/// client inventing methods cannot grow the label set.
fn metric_method(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// A refused request with a body larger than this gets `Connection: close`.
const REFUSED_BODY_KEEPALIVE_BYTES: u64 = 64 * 1024;

/// The outermost layer: request id, log span, security headers, metrics.
pub async fn around(State(web): State<Web>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(hubert_core::new_id);
    if let Ok(v) = HeaderValue::from_str(&id) {
        req.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = metric_method(req.method()).to_owned();
    let big_body = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > REFUSED_BODY_KEEPALIVE_BYTES);
    let span = tracing::info_span!("request", request_id = %id, %method, %route);
    let mut res = REQUEST_ID
        .scope(id.clone(), next.run(req).instrument(span.clone()))
        .await;
    let status = res.status().as_u16();
    if big_body && res.status().is_client_error() {
        // The body was refused unread: say the connection ends, so no client sends its
        // next request on a connection the server is closing.
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let elapsed = started.elapsed();
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, ms = elapsed.as_millis() as u64, "request failed");
        } else {
            tracing::debug!(status, ms = elapsed.as_millis() as u64, "request");
        }
    });
    let metrics = &web.app.metrics;
    metrics
        .http_requests
        .get_or_create(&HttpLabels {
            route: route.clone(),
            method,
            status,
        })
        .inc();
    metrics
        .http_latency
        .get_or_create(&RouteLabels { route: route.clone() })
        .observe(elapsed.as_secs_f64());
    secure_headers(&web.headers, &route, &id, &mut res);
    res
}

fn secure_headers(policy: &HeaderPolicy, route: &str, id: &str, res: &mut Response) {
    let wallboard = route.starts_with("/wallboard/");
    let headers = res.headers_mut();
    let cache_chosen = headers.contains_key(header::CACHE_CONTROL);
    // A handler may choose a stricter policy (media files: `sandbox`).
    let csp_chosen = headers.contains_key(header::CONTENT_SECURITY_POLICY);
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    if !csp_chosen {
        set(header::CONTENT_SECURITY_POLICY, &policy.csp(wallboard));
    }
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    set(HeaderName::from_static(REQUEST_ID_HEADER), id);
    if !wallboard {
        set(header::X_FRAME_OPTIONS, "DENY");
    }
    if policy.hsts {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    if !cache_chosen {
        set(header::CACHE_CONTROL, "no-store");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csp_lets_only_listed_origins_frame_the_wallboard() {
        let policy =
            HeaderPolicy::default().with_frame_ancestors("https://signage.example.nl, javascript:alert(1) 'self'");
        assert_eq!(
            policy.wallboard_frame_ancestors,
            ["https://signage.example.nl", "'self'"]
        );
        assert!(policy
            .csp(true)
            .contains("frame-ancestors https://signage.example.nl 'self';"));
        assert!(policy.csp(false).contains("frame-ancestors 'none';"));
        assert!(!policy.csp(true).contains("unsafe-inline"));
    }

    #[test]
    fn invented_methods_share_one_metrics_label() {
        let invented = axum::http::Method::from_bytes(b"FOOBAR123").unwrap();
        assert_eq!(metric_method(&invented), "other");
        assert_eq!(metric_method(&axum::http::Method::PATCH), "PATCH");
    }

    #[test]
    fn only_tidy_request_ids_are_taken_from_outside() {
        assert!(acceptable_request_id("0190f5c2-7b3e-7000-8000-000000000002"));
        assert!(!acceptable_request_id("a\r\nSet-Cookie: x"));
        assert!(!acceptable_request_id(&"a".repeat(65)));
        assert!(!acceptable_request_id(""));
    }
}
