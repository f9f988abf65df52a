//! Trace links between requirements, and conflicts with their resolution.

use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, JsonBody, Path, Query};
use crate::AppState;
use accord_app::trace::{ConflictView, LinkView, NewConflict, NewLink};
use accord_app::views::Page;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(links, create_link))
        .routes(routes!(conflicts, create_conflict))
        .routes(routes!(resolve))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LinkFilter {
    /// Only the links from or to this requirement.
    pub requirement_id: Option<Uuid>,
}

/// The trace links between the engagement's requirements.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/links", tag = "traceability", params(("eid" = Uuid, Path), LinkFilter),
    responses((status = 200, body = Page<LinkView>), (status = 404, body = Problem)))]
async fn links(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(f): Query<LinkFilter>,
) -> ApiResult<Json<Page<LinkView>>> {
    Ok(Json(Page {
        items: s.app.links(&a, eid, f.requirement_id).await?,
        next_cursor: None,
    }))
}

/// Link two requirements of the engagement (`kind`: derives_from, depends_on, conflicts_with,
/// verifies, refines); a requirement of another engagement is refused with 422.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/links", tag = "traceability", params(("eid" = Uuid, Path)), request_body = NewLink,
    responses((status = 201, body = LinkView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_link(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(b): JsonBody<NewLink>,
) -> ApiResult<(StatusCode, Json<LinkView>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.app.create_link(&a, eid, b).await?),
    ))
}

/// Conflicts between requirements, open ones first, with how long each has been open.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/conflicts", tag = "traceability", params(("eid" = Uuid, Path)),
    responses((status = 200, body = Page<ConflictView>), (status = 404, body = Problem)))]
async fn conflicts(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<Page<ConflictView>>> {
    Ok(Json(Page {
        items: s.app.conflicts(&a, eid).await?,
        next_cursor: None,
    }))
}

/// Record that two requirements cannot both hold; the conflict stays open until resolved.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/conflicts", tag = "traceability", params(("eid" = Uuid, Path)), request_body = NewConflict,
    responses((status = 201, body = ConflictView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_conflict(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(b): JsonBody<NewConflict>,
) -> ApiResult<(StatusCode, Json<ConflictView>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.app.create_conflict(&a, eid, b).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// The decision that resolves the conflict.
    pub resolution: String,
}

/// Resolve an open conflict with a decision: the functional area manager of either
/// requirement's area or a business process owner may (403 otherwise; 409 when already
/// resolved, or with `If-Match`, when changed since).
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/conflicts/{id}/resolution", tag = "traceability",
    params(("eid" = Uuid, Path), ("id" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = Resolution,
    responses((status = 200, body = ConflictView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn resolve(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    headers: axum::http::HeaderMap,
    JsonBody(b): JsonBody<Resolution>,
) -> ApiResult<Json<ConflictView>> {
    let expected = crate::extract::optional_if_match(&headers)?;
    Ok(Json(
        s.app
            .resolve_conflict(&a, eid, id, &b.resolution, expected)
            .await?,
    ))
}
