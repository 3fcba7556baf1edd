//! The pages of two-factor sign-in: the second step of a sign-in (`/login/code`: a code,
//! a recovery code, or enrolling when the workspace requires it), the recovery codes
//! shown once, and `/account`, where a user turns it on or off, renews recovery codes
//! and changes their password. The step between password and code is carried by a
//! short-lived cookie scoped to `/login`. Plain CSRF-checked forms; the rules live in
//! `hubert-app::two_factor`.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hubert_app::two_factor::{ChallengePurpose, Enrollment, TwoFactorStatus};
use hubert_app::users::PasswordChange;
use hubert_app::AppError;
use serde::Deserialize;

use crate::admin_accounts::page;
use crate::auth::{cookie, same_secret, ClientAddr, PageUser};
use crate::i18n::Lang;
use crate::ui::{cookie_attrs, login_csrf, login_csrf_ok, login_form, signed_in};
use crate::Web;

const STEP_COOKIE: &str = "hubert_login_step";
/// A code form is a CSRF token and a code: small.
const MAX_FORM_BYTES: usize = 4 * 1024;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/login/code", get(code_page).post(code_submit))
        .route("/account", get(account_page))
        .route("/account/two-factor", post(account_two_factor))
        .route("/account/password", post(account_password))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES))
}

fn step_cookie(web: &Web, token: &str, max_age_secs: i64) -> String {
    let attrs = cookie_attrs(web)
        .replace("Path=/", "Path=/login")
        .replace("SameSite=Lax", "SameSite=Strict");
    format!("{STEP_COOKIE}={token}{attrs}; Max-Age={max_age_secs}")
}

/// The cookie that ends a second step.
pub(crate) fn clear_step_cookie(web: &Web) -> String {
    step_cookie(web, "", 0)
}

/// After a right password that needs a code: the step cookie and on to `/login/code`.
pub(crate) fn to_second_step(web: &Web, token: &str) -> Response {
    let mut res = Redirect::to("/login/code").into_response();
    let ttl = hubert_app::two_factor::CHALLENGE_TTL_MS / 1000;
    if let Ok(v) = step_cookie(web, token, ttl).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

fn step_token(headers: &HeaderMap) -> Option<String> {
    let (mut parts, _) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    cookie(&parts, STEP_COOKIE)
        .filter(|t| !t.is_empty() && t.len() <= 64)
        .map(str::to_owned)
}

/// An authenticator to add, with its QR code drawn as SVG (made here, from our own URI).
struct ShownEnrollment {
    secret: String,
    qr_svg: String,
}

fn shown(e: Enrollment) -> ShownEnrollment {
    let qr_svg = qrcode::QrCode::new(e.otpauth_uri.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    // Grouped by four for typing it over.
    let secret = e
        .secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    ShownEnrollment { secret, qr_svg }
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    lang: Lang,
    csrf: String,
    enrollment: Option<ShownEnrollment>,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct CodesPage {
    lang: Lang,
    codes: Vec<String>,
    next: &'static str,
}

async fn draw_code_page(
    web: &Web,
    lang: Lang,
    token: &str,
    error: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let purpose = match web.app.login_challenge_purpose(token).await {
        Ok(Some(p)) => p,
        Ok(None) => return login_form(web, lang, Some(lang.t("twofa.expired")), StatusCode::UNAUTHORIZED),
        Err(e) => return crate::error::ApiError(e).into_response(),
    };
    let enrollment = if purpose == ChallengePurpose::Enroll {
        match web.app.login_enrollment(token).await {
            Ok(e) => Some(shown(e)),
            Err(e) => return crate::error::ApiError(e).into_response(),
        }
    } else {
        None
    };
    let (csrf, csrf_cookie) = login_csrf(web);
    let mut res = page(
        CodePage {
            lang,
            csrf,
            enrollment,
            error,
        },
        status,
    );
    if let Ok(v) = csrf_cookie.parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn code_page(State(web): State<Web>, lang: Lang, headers: HeaderMap) -> Response {
    let Some(token) = step_token(&headers) else {
        return Redirect::to("/login").into_response();
    };
    draw_code_page(&web, lang, &token, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
}

async fn code_submit(
    State(web): State<Web>,
    lang: Lang,
    client: ClientAddr,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Some(token) = step_token(&headers) else {
        return login_form(&web, lang, Some(lang.t("twofa.expired")), StatusCode::UNAUTHORIZED);
    };
    let Ok(Form(form)) = form else {
        return draw_code_page(&web, lang, &token, Some(lang.t("twofa.wrong")), StatusCode::BAD_REQUEST).await;
    };
    if !login_csrf_ok(headers, &form.csrf) {
        return draw_code_page(&web, lang, &token, Some(lang.t("error.generic")), StatusCode::FORBIDDEN).await;
    }
    match web.app.login_second_step(&token, &form.code, client.0).await {
        Ok((session, None)) => signed_in(&web, &session, Redirect::to("/").into_response()),
        Ok((session, Some(codes))) => {
            let shown = page(
                CodesPage {
                    lang,
                    codes: codes.codes,
                    next: "/",
                },
                StatusCode::OK,
            );
            signed_in(&web, &session, shown)
        }
        Err(AppError::Invalid("wrong_code", _)) => {
            draw_code_page(
                &web,
                lang,
                &token,
                Some(lang.t("twofa.wrong")),
                StatusCode::UNAUTHORIZED,
            )
            .await
        }
        Err(e @ AppError::Throttled { .. }) => {
            let mut res = draw_code_page(
                &web,
                lang,
                &token,
                Some(lang.t("login.throttled")),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await;
            crate::error::with_retry_after(&mut res, &e);
            res
        }
        Err(AppError::Unauthorized) => {
            let mut res = login_form(&web, lang, Some(lang.t("twofa.expired")), StatusCode::UNAUTHORIZED);
            if let Ok(v) = clear_step_cookie(&web).parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => crate::error::ApiError(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    lang: Lang,
    csrf: String,
    status: TwoFactorStatus,
    codes_left: String,
    enrollment: Option<ShownEnrollment>,
    notice: Option<&'static str>,
    error: Option<String>,
}

async fn draw_account(
    web: &Web,
    user: &PageUser,
    lang: Lang,
    enrollment: Option<ShownEnrollment>,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Response {
    let status = match web.app.own_two_factor(&user.principal).await {
        Ok(s) => s,
        Err(e) => return crate::error::ApiError(e).into_response(),
    };
    let code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let codes_left = lang
        .t("twofa.codes_left")
        .replace("{n}", &status.recovery_codes_left.to_string());
    page(
        AccountPage {
            lang,
            csrf: user.csrf.clone(),
            status,
            codes_left,
            enrollment,
            notice,
            error,
        },
        code,
    )
}

async fn account_page(State(web): State<Web>, user: PageUser, lang: Lang) -> Response {
    draw_account(&web, &user, lang, None, None, None).await
}

#[derive(Deserialize)]
struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    code: String,
}

fn error_text(lang: Lang, e: &AppError) -> String {
    match e {
        AppError::Invalid("wrong_code", _) => lang.t("twofa.wrong").to_owned(),
        other => other.to_string(),
    }
}

async fn account_two_factor(
    State(web): State<Web>,
    user: PageUser,
    lang: Lang,
    client: ClientAddr,
    Form(form): Form<AccountForm>,
) -> Response {
    if !same_secret(&form.csrf, &user.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let (who, client) = (&user.principal, client.text());
    let result = match form.action.as_str() {
        "begin" => match web.app.begin_own_two_factor(who).await {
            Ok(e) => return draw_account(&web, &user, lang, Some(shown(e)), None, None).await,
            Err(e) => Err(e),
        },
        "confirm" => web.app.confirm_own_two_factor(who, &form.code, &client).await.map(Some),
        "renew" => web.app.renew_recovery_codes(who, &form.code, &client).await.map(Some),
        "disable" => web
            .app
            .disable_own_two_factor(who, &form.code, &client)
            .await
            .map(|()| None),
        _ => return StatusCode::BAD_REQUEST.into_response(),
    };
    match result {
        Ok(Some(codes)) => page(
            CodesPage {
                lang,
                codes: codes.codes,
                next: "/account",
            },
            StatusCode::OK,
        ),
        Ok(None) => Redirect::to("/account").into_response(),
        Err(e) => {
            // A wrong first code while enrolling: show the same authenticator again.
            let again = if form.action == "confirm" {
                web.app.begin_own_two_factor(who).await.ok().map(shown)
            } else {
                None
            };
            draw_account(&web, &user, lang, again, None, Some(error_text(lang, &e))).await
        }
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn account_password(
    State(web): State<Web>,
    user: PageUser,
    lang: Lang,
    client: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    if !same_secret(&form.csrf, &user.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let (mut parts, _) = axum::http::Request::new(()).into_parts();
    parts.headers = headers;
    let session = cookie(&parts, crate::auth::SESSION_COOKIE)
        .map(hubert_app::auth::hash_secret)
        .unwrap_or_default();
    let change = PasswordChange {
        current_password: form.current_password,
        new_password: form.new_password,
    };
    match web
        .app
        .change_own_password(&user.principal, change, &session, &client.text())
        .await
    {
        Ok(()) => draw_account(&web, &user, lang, None, Some(lang.t("account.saved")), None).await,
        Err(e) => draw_account(&web, &user, lang, None, None, Some(e.to_string())).await,
    }
}
