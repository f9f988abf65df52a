//! Request extractors: the caller, JSON bodies that fail with a problem naming the field, and
//! `If-Match`.

use crate::error::{ApiError, Problem};
use crate::AppState;
use accord_app::{Actor, Error, FieldError};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// The signed-in caller, from `Authorization: Bearer TOKEN`, or from the browser's session
/// cookie. With the cookie, a request that changes anything must also carry the session's CSRF
/// token in `X-CSRF-Token` and come from this site (RELIABILITY.md S7): a cookie is sent by the
/// browser whoever made the page, a header only by our own pages.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        if let Some(token) = bearer {
            let actor = state.app.authenticate(token).await?;
            return must_change_first(parts, actor);
        }
        let cookie_name = crate::ui::session::session_cookie_name(state.web.secure_cookies);
        let Some(token) = crate::ui::session::cookie(&parts.headers, cookie_name) else {
            return Err(ApiError(Error::Unauthorized(
                "sign in first: send Authorization: Bearer TOKEN".into(),
            )));
        };
        let safe = matches!(
            parts.method,
            axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
        );
        if !safe {
            let given = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !crate::ui::session::same_origin(&parts.headers)
                || !accord_app::auth::csrf_matches(token, given)
            {
                return Err(ApiError(Error::Forbidden(
                    "a request with the session cookie must carry the session's X-CSRF-Token \
                     and come from this site"
                        .into(),
                )));
            }
        }
        let actor = state.app.authenticate(token).await?;
        must_change_first(parts, actor)
    }
}

/// A user whose password an admin set may only read who they are, choose their own password, or
/// sign out, until they have chosen it.
fn must_change_first(parts: &Parts, actor: Actor) -> Result<Caller, ApiError> {
    let allowed = matches!(
        (parts.method.as_str(), parts.uri.path()),
        ("GET", "/api/v1/me") | ("POST", "/api/v1/me/password") | ("POST", "/api/v1/auth/logout")
    );
    if actor.must_change_password && !allowed {
        return Err(ApiError(Error::Forbidden(
            "your organisation's admin set your password: choose your own first (POST /api/v1/me/password)"
                .into(),
        )));
    }
    Ok(Caller(actor))
}

/// The version a write is based on, from `If-Match: "<version>"`; 428 without it.
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts
            .headers
            .get(header::IF_MATCH)
            .ok_or(ApiError(Error::PreconditionRequired))?;
        let s = raw.to_str().unwrap_or_default().trim();
        let s = s.strip_prefix("W/").unwrap_or(s).trim_matches('"');
        s.parse::<i64>().map(IfMatch).map_err(|_| {
            ApiError(Error::invalid(
                "If-Match",
                "must be the record's version, as its ETag gives it",
            ))
        })
    }
}

/// `If-Match` when it is given: routes where it is optional check it only then.
pub fn optional_if_match(headers: &axum::http::HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let s = raw.to_str().unwrap_or_default().trim();
    let s = s.strip_prefix("W/").unwrap_or(s).trim_matches('"');
    s.parse::<i64>().map(Some).map_err(|_| {
        ApiError(Error::invalid(
            "If-Match",
            "must be the record's version, as its ETag gives it",
        ))
    })
}

/// A JSON body. Malformed JSON is 400; a missing, unknown or mistyped field is 422 naming it.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    "the request body is larger than the limit",
                )
            } else {
                Problem::new(StatusCode::BAD_REQUEST, "malformed", e.body_text())
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses JSON, naming the field that failed.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Data => {
                let field = if path == "." {
                    unknown_field(&inner.to_string()).unwrap_or_else(|| "body".into())
                } else {
                    path
                };
                Problem::validation(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    vec![FieldError {
                        field,
                        message: strip_position(&inner.to_string()),
                    }],
                )
            }
            _ => Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed",
                format!("the body is not valid JSON: {inner}"),
            ),
        }
    })
}

/// serde reports "missing field `x`" against the parent; pull the name out.
fn unknown_field(msg: &str) -> Option<String> {
    let start = msg.find('`')? + 1;
    let end = start + msg[start..].find('`')?;
    Some(msg[start..end].to_string())
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// `axum::extract::Path` whose rejection is a problem document: a malformed id is 404.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Problem))]
pub struct Path<T>(pub T);

impl From<axum::extract::rejection::PathRejection> for Problem {
    fn from(e: axum::extract::rejection::PathRejection) -> Self {
        // A malformed id in the path names no record that exists.
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no such record: {}", e.body_text()),
        )
    }
}

/// `axum::extract::Query` whose rejection is a problem document (422 naming the parameter).
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Problem))]
pub struct Query<T>(pub T);

impl From<axum::extract::rejection::QueryRejection> for Problem {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        Problem::validation(
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![FieldError {
                field: "query".into(),
                message: e.body_text(),
            }],
        )
    }
}

/// The client's address as the server's socket saw it. `X-Forwarded-For` is not trusted: a
/// client could put anything there and escape its address's throttle.
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}
