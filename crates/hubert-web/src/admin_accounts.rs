//! The admin pages of accounts, in the shared admin frame (`admin_frame.html`):
//! `/admin/tokens` (list, create — the token is shown once —, revoke) and `/admin/audit`
//! (the audit log with filters, paged, and a link to the CSV export). Plain forms; changes
//! are CSRF-checked POSTs. The rules live in `hubert-app::{tokens, audit}`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hubert_app::audit::{AuditKind, AuditQuery};
use hubert_app::tokens::{NewToken, TokenState};
use hubert_app::AppError;
use hubert_core::Role;
use serde::Deserialize;

use crate::auth::{same_secret, ClientAddr, PageUser};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/admin/tokens", get(tokens_page).post(create_token))
        .route("/admin/tokens/revoke", post(revoke_token))
        .route("/admin/audit", get(audit_page))
}

/// Renders a page template with `status`; a template failure is logged and answers 500.
pub(crate) fn page(t: impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(h) => (status, Html(h)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

struct TokenLine {
    id: String,
    name: String,
    role: String,
    state: &'static str,
    active: bool,
    created: String,
    last_used: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    lang: Lang,
    csrf: String,
    tokens: Vec<TokenLine>,
    /// (name, token) of a token made just now: shown this once.
    created: Option<(String, String)>,
    error: Option<String>,
}

async fn render_tokens(
    web: &Web,
    user: &PageUser,
    lang: Lang,
    created: Option<(String, String)>,
    error: Option<String>,
) -> Response {
    let tokens = match web.app.api_tokens(&user.principal).await {
        Ok(t) => t,
        Err(e) => return ApiError(e).into_response(),
    };
    let when = |t: Option<i64>, none: &str| t.map_or_else(|| none.to_owned(), |t| web.app.calendar.format_minute(t));
    let tokens = tokens
        .into_iter()
        .map(|t| TokenLine {
            state: lang.t(match t.state {
                TokenState::Active => "tokens.active",
                TokenState::Expired => "tokens.expired",
                TokenState::Revoked => "tokens.revoked",
            }),
            active: t.state == TokenState::Active,
            created: web.app.calendar.format_minute(t.created_at),
            last_used: when(t.last_used_at, "—"),
            expires: when(t.expires_at, lang.t("tokens.never")),
            id: t.id,
            name: t.name,
            role: t.role,
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let csrf = user.csrf.clone();
    page(
        TokensPage {
            lang,
            csrf,
            tokens,
            created,
            error,
        },
        status,
    )
}

async fn tokens_page(State(web): State<Web>, user: PageUser, lang: Lang) -> Response {
    if user.principal.role < Role::Admin {
        return StatusCode::FORBIDDEN.into_response();
    }
    render_tokens(&web, &user, lang, None, None).await
}

#[derive(Deserialize)]
struct TokenForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    expires_in_days: String,
    #[serde(default)]
    id: String,
}

async fn create_token(
    State(web): State<Web>,
    user: PageUser,
    lang: Lang,
    client: ClientAddr,
    Form(form): Form<TokenForm>,
) -> Response {
    if !same_secret(&form.csrf, &user.csrf) || user.principal.role < Role::Admin {
        return StatusCode::FORBIDDEN.into_response();
    }
    let days = form.expires_in_days.trim();
    let expires_in_days = match days {
        "" => None,
        d => match d.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return render_tokens(&web, &user, lang, None, Some(lang.t("tokens.invalid").into())).await,
        },
    };
    let input = NewToken {
        name: form.name,
        role: form.role,
        expires_in_days,
    };
    match web.app.create_api_token(&user.principal, input, &client.text()).await {
        Ok(c) => render_tokens(&web, &user, lang, Some((c.info.name, c.token)), None).await,
        Err(AppError::Invalid(..)) => {
            render_tokens(&web, &user, lang, None, Some(lang.t("tokens.invalid").into())).await
        }
        Err(e) => ApiError(e).into_response(),
    }
}

async fn revoke_token(
    State(web): State<Web>,
    user: PageUser,
    client: ClientAddr,
    Form(form): Form<TokenForm>,
) -> Response {
    if !same_secret(&form.csrf, &user.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    match web
        .app
        .revoke_api_token(&user.principal, &form.id, &client.text())
        .await
    {
        Ok(()) | Err(AppError::NotFound) => Redirect::to("/admin/tokens").into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

struct AuditLine {
    when: String,
    kind: String,
    actor: String,
    subject: String,
    client: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    lang: Lang,
    from: String,
    to: String,
    /// (kind, selected)
    kinds: Vec<(&'static str, bool)>,
    entries: Vec<AuditLine>,
    csv_url: String,
    next_url: Option<String>,
    error: Option<String>,
}

/// The filters as a query string (for the CSV link and the next page).
fn filter_query(q: &AuditQuery) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [("from", &q.from), ("to", &q.to), ("kind", &q.kind)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

async fn audit_page(
    State(web): State<Web>,
    user: PageUser,
    lang: Lang,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if user.principal.role < Role::Admin {
        return StatusCode::FORBIDDEN.into_response();
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (entries, next, error) = match web.app.audit_log(&user.principal, &q).await {
        Ok(p) => (p.items, p.next_offset, None),
        Err(AppError::Invalid(_, m)) => (Vec::new(), None, Some(m)),
        Err(e) => return ApiError(e).into_response(),
    };
    let filters = filter_query(&q);
    let sep = if filters.is_empty() { "" } else { "&" };
    let selected = q.kind.clone().unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let entries = entries
        .into_iter()
        .map(|e| AuditLine {
            when: web.app.calendar.format_minute(e.at),
            kind: e.kind,
            actor: e.actor_name.unwrap_or(e.actor),
            subject: e.subject,
            client: e.client,
            detail: e.detail,
        })
        .collect();
    page(
        AuditPage {
            lang,
            from: q.from.clone().unwrap_or_default(),
            to: q.to.clone().unwrap_or_default(),
            kinds: AuditKind::ALL
                .iter()
                .map(|k| (k.as_str(), k.as_str() == selected))
                .collect(),
            entries,
            csv_url: format!("/api/v1/audit.csv?{filters}"),
            next_url: next.map(|n| format!("/admin/audit?{filters}{sep}offset={n}")),
            error,
        },
        status,
    )
}
