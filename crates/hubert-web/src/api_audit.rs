//! The audit log for admins: `GET /api/v1/audit?from=&to=&kind=&limit=&offset=` (newest
//! first, paged) and the CSV export at `GET /api/v1/audit.csv` (or `?format=csv`), with
//! the same filters. The rules and the CSV escaping live in `hubert-app::audit`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hubert_app::audit::AuditQuery;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/v1/audit", get(list))
        .route("/api/v1/audit.csv", get(csv))
}

/// The filters plus `format` (serde's `flatten` cannot read numbers from a query string).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Params {
    /// From this day (`YYYY-MM-DD`, local) or epoch milliseconds.
    from: Option<String>,
    /// Up to and including this day (`YYYY-MM-DD`), or before these epoch milliseconds.
    to: Option<String>,
    /// One kind of event, e.g. `login.failed`, `token.created`.
    kind: Option<String>,
    /// Entries per page, 1 to 1000 (100 by default).
    limit: Option<i64>,
    /// Entries to skip (the previous page's `next_offset`).
    offset: Option<i64>,
    /// `csv` for the CSV export (as `/api/v1/audit.csv`).
    format: Option<String>,
}

impl Params {
    fn query(self) -> AuditQuery {
        AuditQuery {
            from: self.from,
            to: self.to,
            kind: self.kind,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(Params),
    responses((status = 200, description = "Newest first; CSV with `format=csv`",
               content((hubert_app::audit::AuditPage = "application/json"), (String = "text/csv"))),
              (status = 401, body = crate::openapi::ErrorBody), (status = 403, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn list(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(p) = params.map_err(crate::api::bad_query)?;
    let csv = p.format.as_deref() == Some("csv");
    let q = p.query();
    if csv {
        return csv_response(&web, &who, &q).await;
    }
    Ok(Json(web.app.audit_log(&who, &q).await?).into_response())
}

#[utoipa::path(get, path = "/api/v1/audit.csv", tag = "audit", params(Params),
    responses((status = 200, content_type = "text/csv", body = String,
               description = "time,at,kind,actor,actor_name,subject,client,detail; formulas neutralised"),
              (status = 401, body = crate::openapi::ErrorBody), (status = 403, body = crate::openapi::ErrorBody),
              (status = 422, body = crate::openapi::ErrorBody)))]
pub(crate) async fn csv(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(p) = params.map_err(crate::api::bad_query)?;
    csv_response(&web, &who, &p.query()).await
}

async fn csv_response(web: &Web, who: &hubert_app::Principal, q: &AuditQuery) -> Result<Response, ApiError> {
    let body = web.app.audit_csv(who, q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"hubert-audit.csv\""),
        ],
        body,
    )
        .into_response())
}
