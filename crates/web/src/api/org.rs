//! Organisations and users.

use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, JsonBody};
use crate::extract::{Path, Query};
use crate::AppState;
use accord_app::views::{OrganisationView, Page, UserView};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organisations))
        .routes(routes!(get_organisation))
        .routes(routes!(list_users))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(reset_password))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    /// Why (kept in the audit trail).
    pub reason: String,
}

/// Disable an account of your organisation (an organisation admin); it loses access at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "organisations", params(("id" = Uuid, Path)), request_body = AccountChange,
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn disable_user(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
    JsonBody(r): JsonBody<AccountChange>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        s.app.set_user_disabled(&actor, id, true, &r.reason).await?,
    ))
}

/// Enable a disabled account of your organisation again (an organisation admin).
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "organisations", params(("id" = Uuid, Path)), request_body = AccountChange,
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn enable_user(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
    JsonBody(r): JsonBody<AccountChange>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        s.app
            .set_user_disabled(&actor, id, false, &r.reason)
            .await?,
    ))
}

/// The caller's organisation and those it shares an engagement with.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Page<OrganisationView>), (status = 401, body = Problem)))]
async fn list_organisations(
    State(s): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Page<OrganisationView>>> {
    let items = s.app.list_organisations(&actor).await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// One organisation.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = OrganisationView), (status = 404, body = Problem)))]
async fn get_organisation(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<OrganisationView>> {
    Ok(Json(s.app.get_organisation(&actor, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct UserFilter {
    /// An organisation the caller can see; the caller's own by default.
    organisation_id: Option<Uuid>,
}

/// Users of an organisation.
#[utoipa::path(get, path = "/api/v1/users", tag = "organisations", params(UserFilter),
    responses((status = 200, body = Page<UserView>), (status = 401, body = Problem)))]
async fn list_users(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Query(f): Query<UserFilter>,
) -> ApiResult<Json<Page<UserView>>> {
    let items = s.app.list_users(&actor, f.organisation_id).await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// 12 to 128 characters, not one of the 10,000 most common passwords.
    pub new_password: String,
    /// Why (kept in the audit trail).
    pub reason: String,
}

/// Set a new password for a member of your organisation who forgot theirs (an organisation
/// admin). Every session and token of the member ends.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "organisations", params(("id" = Uuid, Path)), request_body = PasswordReset,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reset_password(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
    JsonBody(r): JsonBody<PasswordReset>,
) -> ApiResult<axum::http::StatusCode> {
    s.app
        .reset_member_password(&actor, id, &r.new_password, &r.reason)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
