//! Organisations and users.

use crate::error::{ApiResult, Problem};
use crate::extract::Caller;
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
