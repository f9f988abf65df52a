//! Sign-in, sign-out and the caller.

use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, ClientAddr, JsonBody};
use crate::AppState;
use accord_app::views::{LoginResponse, UserView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Sign in: a bearer token for the API. Failures are throttled per account and per client
/// address: slowed, then locked for 15 minutes after five (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()),
    request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 422, body = Problem),
              (status = 429, body = Problem, headers(("Retry-After" = i64)))))]
async fn login(
    State(s): State<AppState>,
    addr: ClientAddr,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    s.limiter
        .check(crate::ratelimit::Op::Login, addr.0.as_deref(), &req.email)?;
    Ok(Json(
        s.app
            .login(&req.email, &req.password, addr.0.as_deref())
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 12 to 128 characters, not one of the 10,000 most common passwords.
    pub new_password: String,
}

/// Change your own password. Every other token of yours stops working.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn change_password(
    State(s): State<AppState>,
    Caller(actor): Caller,
    JsonBody(r): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    s.app
        .change_password(&actor, &r.current_password, &r.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign out: revokes the token used for this request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = Problem)))]
async fn logout(State(s): State<AppState>, Caller(actor): Caller) -> ApiResult<StatusCode> {
    s.app.logout(&actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = UserView), (status = 401, body = Problem)))]
async fn me(State(s): State<AppState>, Caller(actor): Caller) -> ApiResult<Json<UserView>> {
    Ok(Json(s.app.me(&actor).await?))
}
