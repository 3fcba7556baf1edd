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
use hubert_app::AppError;
use serde::Deserialize;

use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::Web;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/api/v1/audit", get(list))
        .route("/api/v1/audit.csv", get(csv))
}

/// The filters plus `format` (serde's `flatten` cannot read numbers from a query string).
#[derive(Deserialize)]
struct Params {
    from: Option<String>,
    to: Option<String>,
    kind: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
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

fn bad_query(e: QueryRejection) -> ApiError {
    ApiError(AppError::Invalid("invalid_query", e.body_text()))
}

async fn list(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(p) = params.map_err(bad_query)?;
    let csv = p.format.as_deref() == Some("csv");
    let q = p.query();
    if csv {
        return csv_response(&web, &who, &q).await;
    }
    Ok(Json(web.app.audit_log(&who, &q).await?).into_response())
}

async fn csv(
    State(web): State<Web>,
    ApiUser(who): ApiUser,
    params: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = params.map_err(bad_query)?;
    csv_response(&web, &who, &q).await
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
