//! The text toolkit over HTTP, for the composer: `POST /api/v1/text/analyze` (the same JSON as
//! `hubert text analyze`), `POST /api/v1/text/suggest` for one word's corrections, and the
//! team's spelling allow-list (`GET`/`POST /api/v1/text/allow-list`, `DELETE
//! /api/v1/text/allow-list/{word}` for leads).
//!
//! The analysis itself is pure (`hubert_core::text`); it runs on the blocking pool because the
//! first call parses the dictionary and suggestions take milliseconds. The allow-list is the
//! team's, in the database (`hubert-app::words`), read per analysis so every instance agrees.
//! Words the composer sends in `allow` are honoured too.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hubert_app::AppError;
use hubert_core::text::{analyze, suggest, AnalyzeRequest};
use hubert_core::Role;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::Web;

/// Longest text the endpoint analyses (a long e-mail; social posts are far shorter).
const MAX_TEXT_CHARS: usize = 20_000;
/// Longest word the suggester takes (the allow-list's limit).
const MAX_WORD_CHARS: usize = hubert_app::words::MAX_WORD_CHARS;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/v1/text/analyze", post(analyze_text))
        .route("/api/v1/text/suggest", post(suggest_word))
        .route("/api/v1/text/allow-list", get(allow_list).post(allow_word))
        .route("/api/v1/text/allow-list/{word}", delete(disallow_word))
}

fn bad_json(e: JsonRejection) -> ApiError {
    ApiError(AppError::Invalid("invalid_json", e.body_text()))
}

fn invalid(message: &str) -> ApiError {
    ApiError(AppError::Invalid("invalid_text", message.to_string()))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError(AppError::Internal(anyhow::anyhow!("text task failed: {e}"))))
}

async fn analyze_text(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    body: Result<Json<AnalyzeRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    who.require(Role::Agent)?;
    let Json(mut request) = body.map_err(bad_json)?;
    let too_long = |s: &str| s.chars().count() > MAX_TEXT_CHARS;
    if too_long(&request.text) || request.reply.as_deref().is_some_and(too_long) {
        return Err(invalid("The text is too long to analyse."));
    }
    request.allow.extend(web.app.spelling_allow_list(&who).await?);
    let analysis = blocking(move || analyze(&request)).await?;
    Ok(Json(
        serde_json::to_value(analysis).map_err(|e| ApiError(AppError::Internal(e.into())))?,
    ))
}

#[derive(Deserialize)]
struct WordBody {
    word: String,
}

async fn suggest_word(
    ApiUser(who): ApiUser,
    body: Result<Json<WordBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    who.require(Role::Agent)?;
    let Json(WordBody { word }) = body.map_err(bad_json)?;
    if word.trim().is_empty() || word.chars().count() > MAX_WORD_CHARS {
        return Err(invalid("Send one word."));
    }
    let suggestions = blocking(move || suggest(word.trim())).await?;
    Ok(Json(json!({ "suggestions": suggestions })))
}

async fn words_json(web: &Web, who: &hubert_app::Principal) -> Result<Json<Value>, ApiError> {
    let words = web.app.allowed_words(who).await?;
    let items: Vec<&str> = words.iter().map(|w| w.word.as_str()).collect();
    Ok(Json(json!({ "items": items })))
}

async fn allow_list(State(web): State<Web>, ApiUser(who): ApiUser) -> Result<Json<Value>, ApiError> {
    words_json(&web, &who).await
}

async fn allow_word(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    body: Result<Json<WordBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    who.require(Role::Agent)?;
    let Json(WordBody { word }) = body.map_err(bad_json)?;
    web.app.allow_word(&who, &word).await?;
    words_json(&web, &who).await
}

async fn disallow_word(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(word): Path<String>,
) -> Result<Json<Value>, ApiError> {
    web.app.disallow_word(&who, &word).await?;
    words_json(&web, &who).await
}
