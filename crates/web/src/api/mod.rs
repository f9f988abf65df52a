//! The `/api/v1` handlers, one module per area.

pub mod audit;
pub mod auth;
pub mod engagement;
pub mod esign;
pub mod interchange;
pub mod knowledge;
pub mod note;
pub mod org;
pub mod purchase;
pub mod requirement;
pub mod role;
pub mod trace;

use crate::error::Problem;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// Any route that does not exist.
pub async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not-found", "no such route")
}

/// A versioned record with its `ETag`.
pub(crate) fn with_etag<T: Serialize>(status: StatusCode, version: i64, body: T) -> Response {
    let mut res = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// `?limit=` and `?cursor=` of a list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Page size, default 50, at most 500.
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Include retired records.
    pub include_retired: Option<bool>,
}

/// `?include_retired=` of a list that is short enough to come whole.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RetiredParam {
    /// Include retired records.
    pub include_retired: Option<bool>,
}

/// The query of a route that reads none: any parameter is refused (422, field `query`), as
/// every route's query refuses one it does not know, so that a mistyped or not yet supported one
/// (`?baseline=`) never gets the engagement as it is now without a word. The router checks it
/// on every route whose OpenAPI operation has no query parameter.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// `?reason=` of a retiring `DELETE`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReasonParam {
    /// Why the record is retired (kept in the audit trail).
    pub reason: Option<String>,
}

/// A field that may be absent (leave it), `null` (clear it) or a value (set it).
pub(crate) fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Ok(Some(serde::Deserialize::deserialize(d)?))
}
