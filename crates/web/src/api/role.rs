//! Role assignments and coverage.

use super::{with_etag, ReasonParam, RetiredParam};
use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, JsonBody, Path, Query};
use crate::AppState;
use accord_app::role::NewAssignment;
use accord_app::views::{CoverageView, Page, RoleAssignmentView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_roles, assign_role))
        .routes(routes!(retire_role))
        .routes(routes!(coverage))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRole {
    pub user_id: Uuid,
    /// One of the customer roles (`executive_sponsor`, `business_process_owner`, `system_owner`,
    /// `system_administrator`, `functional_area_manager`, `end_user`) or partner roles
    /// (`account_lead`, `project_manager`, `solution_consultant`, `support_engineer`).
    pub role: String,
    /// Required for `functional_area_manager`, refused for other roles.
    pub functional_area: Option<String>,
}

/// Who holds which role.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/roles", tag = "roles", params(("eid" = Uuid, Path), RetiredParam),
    responses((status = 200, body = Page<RoleAssignmentView>), (status = 404, body = Problem)))]
async fn list_roles(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(p): Query<RetiredParam>,
) -> ApiResult<Json<Page<RoleAssignmentView>>> {
    let items = s
        .app
        .list_roles(&a, eid, p.include_retired.unwrap_or(false))
        .await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// Give a person of your organisation a role (an organisation admin).
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/roles", tag = "roles", params(("eid" = Uuid, Path)), request_body = AssignRole,
    responses((status = 201, body = RoleAssignmentView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn assign_role(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(r): JsonBody<AssignRole>,
) -> ApiResult<Response> {
    let v = s
        .app
        .assign_role(
            &a,
            eid,
            NewAssignment {
                user_id: r.user_id,
                role: r.role,
                functional_area: r.functional_area,
            },
        )
        .await?;
    Ok(with_etag(StatusCode::CREATED, v.version, v))
}

/// End a role assignment (it stays in the history, retired).
#[utoipa::path(delete, path = "/api/v1/engagements/{eid}/roles/{id}", tag = "roles", params(("eid" = Uuid, Path), ("id" = Uuid, Path), ReasonParam),
    responses((status = 200, body = RoleAssignmentView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn retire_role(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    Query(q): Query<ReasonParam>,
) -> ApiResult<Response> {
    let v = s.app.retire_role(&a, eid, id, q.reason.as_deref()).await?;
    Ok(with_etag(StatusCode::OK, v.version, v))
}

/// Per phase, per role: required, who holds it, and the gaps.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/coverage", tag = "roles", params(("eid" = Uuid, Path)),
    responses((status = 200, body = CoverageView), (status = 404, body = Problem)))]
async fn coverage(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<CoverageView>> {
    Ok(Json(s.app.coverage(&a, eid).await?))
}
