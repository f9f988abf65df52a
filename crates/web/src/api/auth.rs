//! Sign-in, sign-out and the caller.

use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, JsonBody};
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
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Sign in: a bearer token for the API.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()),
    request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn login(
    State(s): State<AppState>,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    Ok(Json(s.app.login(&req.email, &req.password).await?))
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
