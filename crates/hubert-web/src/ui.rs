//! Server-rendered pages: login, the inbox shell (the conversation list and thread are
//! drawn by our script from the API, so customer text only ever reaches the DOM as
//! text nodes), and the admin quarantine. Every form carries a CSRF token.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hubert_app::two_factor::LoginStep;
use hubert_app::AppError;
use hubert_core::Role;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{cookie, same_secret, ClientAddr, PageUser, LANG_COOKIE, SESSION_COOKIE};
use crate::i18n::Lang;
use crate::Web;

const LOGIN_CSRF_COOKIE: &str = "hubert_login_csrf";
/// A login form is an e-mail address (254 bytes), a password (1 KB) and a token: a few
/// KB encoded. Anything larger is refused (400) before it is read in full.
const MAX_LOGIN_FORM_BYTES: usize = 16 * 1024;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/", get(inbox))
        .route("/conversations/{id}", get(conversation_page))
        .route(
            "/login",
            get(login_page)
                .post(login)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_LOGIN_FORM_BYTES)),
        )
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .route("/admin/quarantine", get(quarantine_page))
}

fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    lang: Lang,
    csrf: String,
    error: Option<&'static str>,
}

pub(crate) fn cookie_attrs(web: &Web) -> &'static str {
    if web.secure_cookies {
        "; Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "; Path=/; HttpOnly; SameSite=Lax"
    }
}

pub(crate) fn login_form(web: &Web, lang: Lang, error: Option<&'static str>, status: StatusCode) -> Response {
    let (csrf, cookie) = login_csrf(web);
    let mut res = render(LoginPage { lang, csrf, error });
    *res.status_mut() = status;
    if let Ok(v) = cookie.parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn login_page(State(web): State<Web>, lang: Lang) -> Response {
    login_form(&web, lang, None, StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    csrf: String,
}

async fn login(
    State(web): State<Web>,
    lang: Lang,
    client: ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return login_form(&web, lang, Some(lang.t("login.invalid")), StatusCode::BAD_REQUEST);
    };
    if !login_csrf_ok(headers, &form.csrf) {
        return login_form(&web, lang, Some(lang.t("error.generic")), StatusCode::FORBIDDEN);
    }
    match web.app.login(form.email.trim(), &form.password, client.0).await {
        Ok(LoginStep::Session(session)) => signed_in(&web, &session, Redirect::to("/").into_response()),
        Ok(LoginStep::Code { token } | LoginStep::Enroll { token }) => {
            crate::two_factor_pages::to_second_step(&web, &token)
        }
        Err(e) => {
            let (key, status) = match &e {
                AppError::Throttled { .. } | AppError::TooManyRequests => {
                    ("login.throttled", StatusCode::TOO_MANY_REQUESTS)
                }
                AppError::Busy { .. } => ("login.busy", StatusCode::SERVICE_UNAVAILABLE),
                AppError::BadRequest(..) => ("login.invalid", StatusCode::BAD_REQUEST),
                AppError::Unauthorized => ("login.failed", StatusCode::UNAUTHORIZED),
                _ => return crate::error::ApiError(e).into_response(),
            };
            let mut res = login_form(&web, lang, Some(lang.t(key)), status);
            crate::error::with_retry_after(&mut res, &e);
            res
        }
    }
}

/// Adds the session cookie to `res` (a redirect or a page) and ends any second step.
pub(crate) fn signed_in(web: &Web, session: &hubert_app::auth::NewSession, mut res: Response) -> Response {
    if let Ok(v) = format!("{SESSION_COOKIE}={}{}", session.cookie_value, cookie_attrs(web)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    if let Ok(v) = crate::two_factor_pages::clear_step_cookie(web).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Whether a login form's CSRF field matches its cookie.
pub(crate) fn login_csrf_ok(headers: HeaderMap, sent: &str) -> bool {
    let (mut parts, _) = axum::http::Request::new(()).into_parts();
    parts.headers = headers;
    let expected = cookie(&parts, LOGIN_CSRF_COOKIE).unwrap_or("");
    !expected.is_empty() && same_secret(expected, sent)
}

/// A fresh CSRF token for a login form, and the cookie that carries it.
pub(crate) fn login_csrf(web: &Web) -> (String, String) {
    let csrf = hubert_app::auth::random_token(24);
    let cookie = format!("{LOGIN_CSRF_COOKIE}={csrf}{}", cookie_attrs(web));
    (csrf, cookie)
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(web): State<Web>,
    user: PageUser,
    client: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !same_secret(&form.csrf, &user.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let (mut parts, _) = axum::http::Request::new(()).into_parts();
    parts.headers = headers;
    if let Some(value) = cookie(&parts, SESSION_COOKIE) {
        let _ = web.app.logout(value, client.0).await;
    }
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = format!("{SESSION_COOKIE}=; Max-Age=0{}", cookie_attrs(&web)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn set_lang(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let code = if code == "en" { "en" } else { "nl" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.split_once("://")
                .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&back).into_response();
    if let Ok(v) = format!("{LANG_COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax").parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "app.html")]
struct AppPage {
    lang: Lang,
    csrf: String,
    i18n: String,
    boot: String,
    user_name: String,
    is_admin: bool,
    is_lead: bool,
}

fn app_page(web: &Web, user: PageUser, lang: Lang, selected: Option<String>) -> Response {
    let p = &user.principal;
    let boot = json!({
        "user": { "id": p.user_id, "name": p.name, "role": p.role.as_str() },
        "lang": lang.code(),
        "now": web.app.now(),
        "time_zone": web.app.calendar.name(),
        "selected": selected,
    })
    .to_string()
    .replace('<', "\\u003c");
    render(AppPage {
        lang,
        csrf: user.csrf.clone(),
        i18n: lang.table_json(),
        boot,
        user_name: p.name.clone(),
        is_admin: p.role >= Role::Admin,
        is_lead: p.role >= Role::Lead,
    })
}

async fn inbox(State(web): State<Web>, user: PageUser, lang: Lang) -> Response {
    app_page(&web, user, lang, None)
}

async fn conversation_page(State(web): State<Web>, user: PageUser, lang: Lang, Path(id): Path<String>) -> Response {
    if !hubert_core::ids::is_id(&id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    app_page(&web, user, lang, Some(id))
}

#[derive(Template)]
#[template(path = "quarantine.html")]
struct QuarantinePage {
    lang: Lang,
    items: Vec<(String, String, String, String)>,
}

async fn quarantine_page(State(web): State<Web>, user: PageUser, lang: Lang) -> Response {
    if user.principal.role < Role::Admin {
        return StatusCode::FORBIDDEN.into_response();
    }
    match web.app.store.quarantined(&user.principal.workspace_id, 200).await {
        Ok(rows) => {
            let items = rows
                .into_iter()
                .map(|q| {
                    let when = web.app.calendar.format_minute(q.received_at);
                    let body: String = q.body.chars().take(4000).collect();
                    (when, q.platform, q.reason, body)
                })
                .collect();
            render(QuarantinePage { lang, items })
        }
        Err(e) => crate::error::ApiError(AppError::from(e)).into_response(),
    }
}
