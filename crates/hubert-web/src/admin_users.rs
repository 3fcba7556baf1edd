//! `/admin/users` in the shared admin frame: the workspace's people with role and state;
//! admins add a colleague (the generated password is shown once), change a role, and
//! deactivate a leaver or let them back in. Plain CSRF-checked forms; the rules live in
//! `hubert-app::users`. Also the public `/reset/{token}` page, where a one-time link made
//! by an admin sets a new password.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hubert_app::users::{NewUserInput, UserInfo, UserPatch};
use hubert_app::AppError;
use hubert_core::Role;
use serde::Deserialize;

use crate::auth::{same_secret, ClientAddr, PageUser};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/admin/users", get(users_page).post(create_user))
        .route("/admin/users/change", post(change_user))
        .route("/admin/users/settings", post(change_settings))
        .route("/reset/{token}", get(reset_page).post(reset_submit))
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    lang: Lang,
    csrf: String,
    me: String,
    users: Vec<UserInfo>,
    /// Users with two-factor sign-in on.
    two_factor: Vec<String>,
    /// The workspace requires two-factor sign-in of admins and leads.
    required: bool,
    /// (what, for whom, secret): a password or reset link made just now, shown this once.
    created: Option<(String, String, String)>,
    error: Option<String>,
}

impl UsersPage {
    /// For the template: is this the user's role?
    fn same(&self, role: &str, option: &str) -> bool {
        role == option
    }

    /// For the template: does this user sign in with two-factor sign-in?
    fn has_two_factor(&self, id: &str) -> bool {
        self.two_factor.iter().any(|u| u == id)
    }
}

async fn render(
    web: &Web,
    user: &PageUser,
    lang: Lang,
    created: Option<(String, String, String)>,
    error: Option<String>,
) -> Response {
    let users = match web.app.store.users(&user.principal.workspace_id).await {
        Ok(u) => u.into_iter().map(UserInfo::from).collect(),
        Err(e) => return ApiError(AppError::from(e)).into_response(),
    };
    let (two_factor, required) = match (
        web.app.two_factor_users(&user.principal).await,
        web.app.settings(&user.principal).await,
    ) {
        (Ok(t), Ok(s)) => (t, s.two_factor_required),
        (Err(e), _) | (_, Err(e)) => return ApiError(e).into_response(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = UsersPage {
        lang,
        csrf: user.csrf.clone(),
        me: user.principal.user_id.clone().unwrap_or_default(),
        users,
        two_factor,
        required,
        created,
        error,
    };
    crate::admin_accounts::page(page, status)
}

async fn users_page(State(web): State<Web>, user: PageUser, lang: Lang) -> Response {
    if user.principal.role < Role::Admin {
        return StatusCode::FORBIDDEN.into_response();
    }
    render(&web, &user, lang, None, None).await
}

#[derive(Deserialize)]
struct UserForm {
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    id: String,
    /// `deactivate`, `activate`, `reset` (a password link) or `reset_2fa`.
    #[serde(default)]
    action: String,
    /// The two-factor rule's checkbox ("on" when ticked).
    #[serde(default)]
    required: Option<String>,
}

async fn create_user(
    State(web): State<Web>,
    user: PageUser,
    lang: Lang,
    client: ClientAddr,
    Form(form): Form<UserForm>,
) -> Response {
    if !same_secret(&form.csrf, &user.csrf) || user.principal.role < Role::Admin {
        return StatusCode::FORBIDDEN.into_response();
    }
    let input = NewUserInput {
        email: form.email,
        name: form.name,
        role: form.role,
    };
    match web
        .app
        .create_user_by_admin(&user.principal, input, &client.text())
        .await
    {
        Ok(c) => {
            let label = lang.t("users.created").to_owned();
            render(&web, &user, lang, Some((label, c.user.email, c.password)), None).await
        }
        Err(AppError::Invalid(_, m) | AppError::Conflict(_, m)) => render(&web, &user, lang, None, Some(m)).await,
        Err(e) => ApiError(e).into_response(),
    }
}

async fn change_user(
    State(web): State<Web>,
    user: PageUser,
    lang: Lang,
    client: ClientAddr,
    Form(form): Form<UserForm>,
) -> Response {
    if !same_secret(&form.csrf, &user.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if form.action == "reset_2fa" {
        return match web
            .app
            .reset_two_factor(&user.principal, &form.id, &client.text())
            .await
        {
            Ok(()) | Err(AppError::NotFound) => Redirect::to("/admin/users").into_response(),
            Err(AppError::Conflict(_, m)) => render(&web, &user, lang, None, Some(m)).await,
            Err(e) => ApiError(e).into_response(),
        };
    }
    if form.action == "reset" {
        return match web.app.reset_link(&user.principal, &form.id, &client.text()).await {
            Ok(link) => {
                let who = web
                    .app
                    .store
                    .user(&user.principal.workspace_id, &form.id)
                    .await
                    .ok()
                    .flatten()
                    .map(|u| u.email)
                    .unwrap_or_default();
                let label = lang.t("users.reset_made").to_owned();
                render(&web, &user, lang, Some((label, who, link.url)), None).await
            }
            Err(AppError::Conflict(_, m)) => render(&web, &user, lang, None, Some(m)).await,
            Err(e) => ApiError(e).into_response(),
        };
    }
    let patch = UserPatch {
        name: None,
        role: Some(form.role).filter(|r| !r.is_empty()),
        active: match form.action.as_str() {
            "deactivate" => Some(false),
            "activate" => Some(true),
            _ => None,
        },
    };
    match web
        .app
        .update_user(&user.principal, &form.id, patch, &client.text())
        .await
    {
        Ok(_) | Err(AppError::NotFound) => Redirect::to("/admin/users").into_response(),
        Err(AppError::Invalid(_, m) | AppError::Conflict(_, m)) => render(&web, &user, lang, None, Some(m)).await,
        Err(e) => ApiError(e).into_response(),
    }
}

async fn change_settings(
    State(web): State<Web>,
    user: PageUser,
    lang: Lang,
    client: ClientAddr,
    Form(form): Form<UserForm>,
) -> Response {
    if !same_secret(&form.csrf, &user.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let patch = hubert_app::two_factor::SettingsPatch {
        two_factor_required: Some(form.required.is_some()),
    };
    match web.app.update_settings(&user.principal, patch, &client.text()).await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(AppError::Conflict(_, m)) => render(&web, &user, lang, None, Some(m)).await,
        Err(e) => ApiError(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    lang: Lang,
    token: String,
    valid: bool,
    error: Option<String>,
}

fn render_reset(page: ResetPage, status: StatusCode) -> Response {
    crate::admin_accounts::page(page, status)
}

/// Only token-shaped path segments are looked up (43 URL-safe characters).
fn token_shaped(token: &str) -> bool {
    (20..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn reset_page(
    State(web): State<Web>,
    lang: Lang,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Response {
    let valid = token_shaped(&token) && web.app.reset_link_valid(&token).await.unwrap_or(false);
    let status = if valid { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let token = if valid { token } else { String::new() };
    render_reset(
        ResetPage {
            lang,
            token,
            valid,
            error: None,
        },
        status,
    )
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
}

async fn reset_submit(
    State(web): State<Web>,
    lang: Lang,
    axum::extract::Path(token): axum::extract::Path<String>,
    Form(form): Form<ResetForm>,
) -> Response {
    if !token_shaped(&token) {
        return render_reset(
            ResetPage {
                lang,
                token: String::new(),
                valid: false,
                error: None,
            },
            StatusCode::NOT_FOUND,
        );
    }
    match web.app.reset_password(&token, &form.password).await {
        Ok(()) => Redirect::to("/login").into_response(),
        Err(AppError::Invalid(_, m) | AppError::BadRequest(_, m)) => render_reset(
            ResetPage {
                lang,
                token,
                valid: true,
                error: Some(m),
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(AppError::NotFound) => render_reset(
            ResetPage {
                lang,
                token: String::new(),
                valid: false,
                error: None,
            },
            StatusCode::NOT_FOUND,
        ),
        Err(e) => ApiError(e).into_response(),
    }
}
