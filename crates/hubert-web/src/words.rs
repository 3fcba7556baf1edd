//! The settings page of the team's spelling allow-list, `/admin/words` (leads and admins):
//! the words with who added them, a form to add one and a button to remove each. Plain
//! CSRF-checked POST forms that redirect back; the composer adds words through the API
//! (`api_text`). The rules live in `hubert-app::words`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hubert_app::AppError;
use hubert_core::Role;
use serde::Deserialize;

use crate::auth::{same_secret, PageUser};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/admin/words", get(settings).post(settings_add))
        .route("/admin/words/remove", post(settings_remove))
}

struct WordLine {
    word: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "words.html")]
struct WordsPage {
    lang: Lang,
    csrf: String,
    words: Vec<WordLine>,
    error: Option<String>,
    /// What the user typed, shown again after an error.
    attempted: String,
}

async fn render(web: &Web, user: &PageUser, lang: Lang, error: Option<String>, attempted: String) -> Response {
    let words = match web.app.allowed_words(&user.principal).await {
        Ok(w) => w,
        Err(e) => return ApiError(e).into_response(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = WordsPage {
        lang,
        csrf: user.csrf.clone(),
        words: words
            .into_iter()
            .map(|w| WordLine {
                by: w.added_by_name.unwrap_or_else(|| lang.t("words.by_token").to_owned()),
                at: web.app.calendar.format_minute(w.added_at),
                word: w.word,
            })
            .collect(),
        error,
        attempted,
    };
    match page.render() {
        Ok(h) => (status, Html(h)).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn settings(State(web): State<Web>, user: PageUser, lang: Lang) -> Response {
    if user.principal.role < Role::Lead {
        return StatusCode::FORBIDDEN.into_response();
    }
    render(&web, &user, lang, None, String::new()).await
}

#[derive(Deserialize)]
struct WordForm {
    csrf: String,
    #[serde(default)]
    word: String,
}

async fn settings_add(State(web): State<Web>, user: PageUser, lang: Lang, Form(form): Form<WordForm>) -> Response {
    if !same_secret(&form.csrf, &user.csrf) || user.principal.role < Role::Lead {
        return StatusCode::FORBIDDEN.into_response();
    }
    match web.app.allow_word(&user.principal, &form.word).await {
        Ok(_) => Redirect::to("/admin/words").into_response(),
        Err(AppError::Invalid(..)) => {
            let message = lang.t("words.invalid").to_owned();
            render(&web, &user, lang, Some(message), form.word).await
        }
        Err(e) => ApiError(e).into_response(),
    }
}

async fn settings_remove(State(web): State<Web>, user: PageUser, Form(form): Form<WordForm>) -> Response {
    if !same_secret(&form.csrf, &user.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    match web.app.disallow_word(&user.principal, &form.word).await {
        // Already gone (a double click, a colleague): the page shows the list as it is.
        Ok(()) | Err(AppError::NotFound) => Redirect::to("/admin/words").into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}
