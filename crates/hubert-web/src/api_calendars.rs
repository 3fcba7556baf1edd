//! Opening hours, holidays and norms under `/api/v1`: a profile's calendar and norm
//! (versioned; reading for agents, changing for leads and admins), the deadline of a
//! message received at a moment, and the holiday calendar of a country. The rules live
//! in `hubert-app::calendars`, the arithmetic in `hubert_core::business`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use hubert_app::calendars::{CalendarInput, CalendarView, DeadlineView, HolidayList, NormInput, NormView};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::{bad_query, JsonBody};
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/v1/profiles/{id}/calendar", get(calendar).put(set_calendar))
        .route("/api/v1/profiles/{id}/service-level", get(norm).put(set_norm))
        .route("/api/v1/profiles/{id}/deadline", get(deadline))
        .route("/api/v1/holidays", get(holidays))
        .layer(axum::extract::DefaultBodyLimit::max(crate::api::MAX_API_BODY))
}

type ApiResult<T> = Result<Json<T>, ApiError>;

#[utoipa::path(get, path = "/api/v1/profiles/{id}/calendar", tag = "profiles",
    params(("id" = String, Path, description = "Profile id")),
    responses((status = 200, body = CalendarView), (status = 401, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody)))]
pub(crate) async fn calendar(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<CalendarView> {
    Ok(Json(web.app.calendar(&who, &id).await?))
}

#[utoipa::path(put, path = "/api/v1/profiles/{id}/calendar", tag = "profiles", request_body = CalendarInput,
    params(("id" = String, Path, description = "Profile id")),
    responses((status = 200, body = CalendarView), (status = 401, body = crate::openapi::ErrorBody),
              (status = 403, body = crate::openapi::ErrorBody), (status = 404, body = crate::openapi::ErrorBody),
              (status = 409, body = crate::openapi::ErrorBody, description = "Messages arrived after effective_from (send rewrite_history)"),
              (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn set_calendar(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CalendarInput>,
) -> ApiResult<CalendarView> {
    Ok(Json(web.app.set_calendar(&who, &id, input).await?))
}

#[utoipa::path(get, path = "/api/v1/profiles/{id}/service-level", tag = "profiles",
    params(("id" = String, Path, description = "Profile id")),
    responses((status = 200, body = NormView), (status = 401, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody)))]
pub(crate) async fn norm(State(web): State<Web>, ApiUser(who): ApiUser, Path(id): Path<String>) -> ApiResult<NormView> {
    Ok(Json(web.app.norm(&who, &id).await?))
}

#[utoipa::path(put, path = "/api/v1/profiles/{id}/service-level", tag = "profiles", request_body = NormInput,
    params(("id" = String, Path, description = "Profile id")),
    responses((status = 200, body = NormView), (status = 401, body = crate::openapi::ErrorBody),
              (status = 403, body = crate::openapi::ErrorBody), (status = 404, body = crate::openapi::ErrorBody),
              (status = 409, body = crate::openapi::ErrorBody, description = "Messages arrived after effective_from (send rewrite_history)"),
              (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn set_norm(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<NormInput>,
) -> ApiResult<NormView> {
    Ok(Json(web.app.set_norm(&who, &id, input).await?))
}

/// The moment a message was received.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AtQuery {
    /// Epoch milliseconds.
    at: i64,
}

#[utoipa::path(get, path = "/api/v1/profiles/{id}/deadline", tag = "profiles",
    params(("id" = String, Path, description = "Profile id"), AtQuery),
    responses((status = 200, body = DeadlineView), (status = 401, body = crate::openapi::ErrorBody),
              (status = 404, body = crate::openapi::ErrorBody), (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn deadline(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    Path(id): Path<String>,
    q: Result<Query<AtQuery>, QueryRejection>,
) -> ApiResult<DeadlineView> {
    let Query(q) = q.map_err(bad_query)?;
    Ok(Json(web.app.deadline(&who, &id, q.at).await?))
}

/// A country and a year.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HolidayQuery {
    /// `nl`.
    country: String,
    year: i64,
}

#[utoipa::path(get, path = "/api/v1/holidays", tag = "profiles", params(HolidayQuery),
    responses((status = 200, body = HolidayList), (status = 401, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn holidays(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    q: Result<Query<HolidayQuery>, QueryRejection>,
) -> ApiResult<HolidayList> {
    let Query(q) = q.map_err(bad_query)?;
    Ok(Json(web.app.holidays(&who, &q.country, q.year)?))
}
