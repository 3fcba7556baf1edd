//! The text toolkit over HTTP, for the composer: `POST /api/v1/text/analyze` (the same JSON as
//! `hubert text analyze`), `POST /api/v1/text/suggest` for one word's corrections, and the
//! team's spelling allow-list (`GET`/`POST /api/v1/text/allow-list`, `DELETE
//! /api/v1/text/allow-list/{word}` for leads).
//!
//! The analysis itself is pure (`hubert_core::text`); it runs on the blocking pool because the
//! first call parses the dictionary and suggestions take milliseconds. The allow-list is the
//! team's, in the database (`hubert-app::words`), read per analysis so every instance agrees.
//! Words the composer sends in `allow` are honoured too.

use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hubert_app::AppError;
use hubert_core::text::{analyze, suggest, AnalyzeRequest};
use hubert_core::Role;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::JsonBody;
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
        .layer(axum::extract::DefaultBodyLimit::max(crate::api::MAX_API_BODY))
}

/// Names and allow-list entries a request may carry, and their length: every one costs
/// a pass over the text.
const MAX_NAMES: usize = 20;
const MAX_ALLOWED: usize = 500;
const MAX_NAME_CHARS: usize = 200;

/// Refuses (413) a request whose analysis would be unbounded work.
fn check_limits(request: &AnalyzeRequest) -> Result<(), ApiError> {
    let too_large = |code: &'static str, message: String| ApiError(AppError::TooLarge(code, message));
    let too_long = |s: &str| s.chars().count() > MAX_TEXT_CHARS;
    if too_long(&request.text) || request.reply.as_deref().is_some_and(too_long) {
        return Err(too_large(
            "text_too_long",
            format!("A text may be at most {MAX_TEXT_CHARS} characters."),
        ));
    }
    if request.names.len() > MAX_NAMES || request.allow.len() > MAX_ALLOWED {
        return Err(too_large(
            "too_many_names",
            format!("At most {MAX_NAMES} names and {MAX_ALLOWED} allowed words per request."),
        ));
    }
    let short = [request.first_name.as_deref(), request.signature.as_deref()];
    let names = request.names.iter().chain(&request.allow).map(String::as_str);
    if names
        .chain(short.into_iter().flatten())
        .any(|n| n.chars().count() > MAX_NAME_CHARS)
    {
        return Err(too_large(
            "name_too_long",
            format!("Names, allowed words and signatures may be at most {MAX_NAME_CHARS} characters."),
        ));
    }
    Ok(())
}

fn invalid(message: &str) -> ApiError {
    ApiError(AppError::Invalid("invalid_text", message.to_string()))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError(AppError::Internal(anyhow::anyhow!("text task failed: {e}"))))
}

/// What to analyse (the schema of `hubert_core::text::AnalyzeRequest`). Every field may
/// be left out (an absent `text` is the empty text).
#[derive(ToSchema)]
#[schema(as = AnalyzeRequest)]
#[allow(dead_code)]
struct AnalyzeRequestSchema {
    /// The customer's message (at most 20,000 characters).
    text: Option<String>,
    /// The agent's draft answer, checked against the customer's register.
    reply: Option<String>,
    /// Names the caller knows (the contact's): masked, never spelling mistakes. At most 20.
    names: Option<Vec<String>>,
    /// `formal` or `informal`: the team's house style when the customer gives no cue.
    house_style: Option<String>,
    /// Brand and product names the dictionary does not know. At most 500.
    allow: Option<Vec<String>>,
    /// The profile's language (`nl`, `en` …), used when the text is too short to tell.
    language: Option<String>,
    /// Compute up to five suggestions per misspelling.
    suggest: Option<bool>,
    first_name: Option<String>,
    signature: Option<String>,
}

/// Everything the toolkit says about a text (register, sentiment, language, masking,
/// spelling, d/t and reply checks); offsets in characters.
#[derive(Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct TextAnalysis(Value);

/// Spelling suggestions for one word.
#[derive(Serialize, ToSchema)]
pub struct Suggestions {
    pub suggestions: Vec<String>,
}

/// The team's spelling allow-list.
#[derive(Serialize, ToSchema)]
pub struct AllowList {
    pub items: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/text/analyze", tag = "text", request_body = AnalyzeRequestSchema,
    responses((status = 200, body = TextAnalysis), (status = 400, body = crate::openapi::ErrorBody),
              (status = 413, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
async fn analyze_text(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    JsonBody(mut request): JsonBody<AnalyzeRequest>,
) -> Result<Json<TextAnalysis>, ApiError> {
    who.require(Role::Agent)?;
    check_limits(&request)?;
    request.allow.extend(web.app.spelling_allow_list(&who).await?);
    let analysis = blocking(move || analyze(&request)).await?;
    Ok(Json(TextAnalysis(
        serde_json::to_value(analysis).map_err(|e| ApiError(AppError::Internal(e.into())))?,
    )))
}

/// One word.
#[derive(Deserialize, ToSchema)]
struct WordBody {
    word: String,
}

#[utoipa::path(post, path = "/api/v1/text/suggest", tag = "text", request_body = WordBody,
    responses((status = 200, body = Suggestions), (status = 400, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody)))]
async fn suggest_word(
    ApiUser(who): ApiUser,
    JsonBody(WordBody { word }): JsonBody<WordBody>,
) -> Result<Json<Suggestions>, ApiError> {
    who.require(Role::Agent)?;
    if word.trim().is_empty() || word.chars().count() > MAX_WORD_CHARS {
        return Err(invalid("Send one word."));
    }
    let suggestions = blocking(move || suggest(word.trim())).await?;
    Ok(Json(Suggestions { suggestions }))
}

async fn words_json(web: &Web, who: &hubert_app::Principal) -> Result<Json<AllowList>, ApiError> {
    let words = web.app.allowed_words(who).await?;
    let items = words.into_iter().map(|w| w.word).collect();
    Ok(Json(AllowList { items }))
}

#[utoipa::path(get, path = "/api/v1/text/allow-list", tag = "text",
    responses((status = 200, body = AllowList), (status = 401, body = crate::openapi::ErrorBody)))]
async fn allow_list(State(web): State<Web>, ApiUser(who): ApiUser) -> Result<Json<AllowList>, ApiError> {
    words_json(&web, &who).await
}

#[utoipa::path(post, path = "/api/v1/text/allow-list", tag = "text", request_body = WordBody,
    responses((status = 200, body = AllowList), (status = 400, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody)))]
async fn allow_word(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    JsonBody(WordBody { word }): JsonBody<WordBody>,
) -> Result<Json<AllowList>, ApiError> {
    who.require(Role::Agent)?;
    web.app.allow_word(&who, &word).await?;
    words_json(&web, &who).await
}

#[utoipa::path(delete, path = "/api/v1/text/allow-list/{word}", tag = "text",
    params(("word" = String, Path, description = "The allowed word")),
    responses((status = 200, body = AllowList), (status = 404, body = crate::openapi::ErrorBody)))]
async fn disallow_word(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(word): Path<String>,
) -> Result<Json<AllowList>, ApiError> {
    web.app.disallow_word(&who, &word).await?;
    words_json(&web, &who).await
}
