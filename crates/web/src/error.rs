//! The one mapping from application errors to HTTP: RFC 9457 `application/problem+json`.

use accord_app::{Error, FieldError, UnmetCriterion};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

/// The problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For 422: each refused field and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a gate refusal (409): the criteria not met.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmet_criteria: Vec<UnmetCriterion>,
    /// For a stale write (409): the record's current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:accord:problem:{kind}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            unmet_criteria: Vec::new(),
            current_version: None,
        }
    }

    pub fn validation(status: StatusCode, errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            errors,
            ..Problem::new(status, "validation", detail)
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, axum::Json(&self)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        res
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let p = match self.0 {
            Error::Unauthorized(m) => Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", m),
            Error::Forbidden(m) => Problem::new(StatusCode::FORBIDDEN, "forbidden", m),
            Error::NotFound => Problem::new(StatusCode::NOT_FOUND, "not-found", "no such record"),
            Error::Validation(errors) => Problem::validation(StatusCode::UNPROCESSABLE_ENTITY, errors),
            Error::Stale { current_version } => Problem {
                current_version,
                ..Problem::new(
                    StatusCode::CONFLICT,
                    "stale",
                    "the record was changed since you read it; reload it and apply your change again",
                )
            },
            Error::Refused { detail, unmet } => Problem {
                unmet_criteria: unmet,
                ..Problem::new(StatusCode::CONFLICT, "refused", detail)
            },
            Error::Throttled { retry_after_secs } => {
                let mut res = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttled",
                    format!("too many failed attempts; try again in {retry_after_secs} seconds"),
                )
                .into_response();
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
                return res;
            }
            Error::PreconditionRequired => Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition-required",
                "send If-Match with the version you read (the ETag of the record)",
            ),
            Error::Busy(m) => {
                tracing::warn!(error = %m, "database busy");
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "the database is busy; try again")
            }
            Error::Full(m) => {
                tracing::error!(error = %m, "storage full");
                Problem::new(StatusCode::INSUFFICIENT_STORAGE, "storage-full", "the storage is full; nothing was written")
            }
            Error::Unavailable(m) => {
                tracing::error!(error = %m, "storage unavailable");
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the database is unavailable; nothing was written")
            }
            Error::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "an internal error occurred")
            }
        };
        p.into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
