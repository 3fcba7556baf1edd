//! The text toolkit over HTTP, for the composer: `POST /api/v1/text/analyze` (the same JSON as
//! `hubert text analyze`), `POST /api/v1/text/suggest` for one word's corrections, and the
//! team's spelling allow-list (`GET`/`POST /api/v1/text/allow-list`).
//!
//! The analysis itself is pure (`hubert_core::text`); it runs on the blocking pool because the
//! first call parses the dictionary and suggestions take milliseconds. The allow-list lives in
//! this process's memory per workspace until it gets a table (a migration on both databases):
//! it is lost on restart and not shared between instances. Words the composer sends in `allow`
//! are honoured too.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use axum::extract::rejection::JsonRejection;
use axum::routing::{get, post};
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
/// Longest word on the allow-list.
const MAX_WORD_CHARS: usize = 60;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/v1/text/analyze", post(analyze_text))
        .route("/api/v1/text/suggest", post(suggest_word))
        .route("/api/v1/text/allow-list", get(allow_list).post(allow_word))
}

type AllowLists = Mutex<HashMap<String, BTreeSet<String>>>;

fn allow_lists() -> &'static AllowLists {
    static LISTS: OnceLock<AllowLists> = OnceLock::new();
    LISTS.get_or_init(Default::default)
}

fn team_words(workspace_id: &str) -> Vec<String> {
    let lists = allow_lists().lock().unwrap_or_else(|e| e.into_inner());
    lists
        .get(workspace_id)
        .map(|set| set.iter().cloned().collect())
        .unwrap_or_default()
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
    ApiUser(who): ApiUser,
    body: Result<Json<AnalyzeRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    who.require(Role::Agent)?;
    let Json(mut request) = body.map_err(bad_json)?;
    let too_long = |s: &str| s.chars().count() > MAX_TEXT_CHARS;
    if too_long(&request.text) || request.reply.as_deref().is_some_and(too_long) {
        return Err(invalid("The text is too long to analyse."));
    }
    request.allow.extend(team_words(&who.workspace_id));
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

async fn allow_list(ApiUser(who): ApiUser) -> Result<Json<Value>, ApiError> {
    who.require(Role::Agent)?;
    Ok(Json(json!({ "items": team_words(&who.workspace_id) })))
}

async fn allow_word(
    ApiUser(who): ApiUser,
    body: Result<Json<WordBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    who.require(Role::Agent)?;
    let Json(WordBody { word }) = body.map_err(bad_json)?;
    let word = word.trim().to_string();
    if word.is_empty() || word.chars().count() > MAX_WORD_CHARS || word.contains(char::is_whitespace) {
        return Err(invalid("Send one word."));
    }
    let mut lists = allow_lists().lock().unwrap_or_else(|e| e.into_inner());
    let set = lists.entry(who.workspace_id.clone()).or_default();
    set.insert(word);
    Ok(Json(json!({ "items": set.iter().collect::<Vec<_>>() })))
}
