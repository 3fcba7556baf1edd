//! Who is asking. API requests carry `Authorization: Bearer <token>` or the session
//! cookie; a cookie-authenticated request that changes anything must also carry the
//! session's CSRF token in `X-CSRF-Token` (forms: a hidden `csrf` field). Pages need the
//! session cookie and redirect to the login page without it.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hubert_app::Principal;

use crate::error::json_error;
use crate::Web;

pub const SESSION_COOKIE: &str = "hubert_session";
pub const LANG_COOKIE: &str = "hubert_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A cookie's value from the request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Constant-time string comparison for secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The caller's address as the login throttle and the audit log see it: the socket
/// peer, or, when the peer is a trusted proxy (`HUBERT_TRUSTED_PROXIES`), the client it
/// forwarded in `X-Forwarded-For`. Never the header of an untrusted peer.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    pub fn text(&self) -> String {
        self.0.to_string()
    }
}

impl FromRequestParts<Web> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientAddr(web.app.trusted_proxies.client(peer, &forwarded)))
    }
}

/// The caller of an API endpoint.
pub struct ApiUser(pub Principal);

impl FromRequestParts<Web> for ApiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        let unauthorized = || {
            json_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Sign in or send a bearer token.",
            )
        };
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
            let token = auth.strip_prefix("Bearer ").ok_or_else(unauthorized)?;
            return match web.app.token_principal(token.trim()).await {
                Ok(Some(p)) => Ok(ApiUser(p)),
                Ok(None) => Err(unauthorized()),
                Err(e) => Err(crate::error::ApiError(e).into_response()),
            };
        }
        let Some(value) = cookie(parts, SESSION_COOKIE) else {
            return Err(unauthorized());
        };
        match web.app.session_principal(value).await {
            Ok(Some((principal, csrf))) => {
                if !matches!(parts.method, Method::GET | Method::HEAD) {
                    let sent = parts
                        .headers
                        .get(CSRF_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    if !same_secret(sent, &csrf) {
                        return Err(json_error(
                            StatusCode::FORBIDDEN,
                            "csrf",
                            "The page is out of date: reload it and try again.",
                        ));
                    }
                }
                Ok(ApiUser(principal))
            }
            Ok(None) => Err(unauthorized()),
            Err(e) => Err(crate::error::ApiError(e).into_response()),
        }
    }
}

/// The signed-in user of a page, with the session's CSRF token for its forms.
pub struct PageUser {
    pub principal: Principal,
    pub csrf: String,
}

impl FromRequestParts<Web> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/login").into_response();
        let Some(value) = cookie(parts, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match web.app.session_principal(value).await {
            Ok(Some((principal, csrf))) => Ok(PageUser { principal, csrf }),
            Ok(None) => Err(to_login()),
            Err(e) => Err(crate::error::ApiError(e).into_response()),
        }
    }
}
