//! The purchase cycle: business-case objectives, the procurement map, stakeholder insights.

use super::with_etag;
use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, IfMatch, JsonBody, Path};
use crate::AppState;
use accord_app::purchase::{
    InsightPatch, InsightView, NewInsight, NewObjective, NewProcurementStep, ObjectivePatch,
    ObjectiveView, ProcurementStepPatch, ProcurementStepView,
};
use accord_app::views::Page;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_objectives, create_objective))
        .routes(routes!(update_objective))
        .routes(routes!(list_steps, create_step))
        .routes(routes!(update_step))
        .routes(routes!(list_insights, create_insight))
        .routes(routes!(update_insight))
}

fn page<T>(items: Vec<T>) -> Json<Page<T>> {
    Json(Page {
        items,
        next_cursor: None,
    })
}

/// The business case's objectives.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/objectives", tag = "purchase", params(("eid" = Uuid, Path)),
    responses((status = 200, body = Page<ObjectiveView>), (status = 404, body = Problem)))]
async fn list_objectives(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<Page<ObjectiveView>>> {
    Ok(page(s.app.list_objectives(&a, eid).await?))
}

/// Record an objective of the business case: outcome, metric, baseline, target, the date by
/// which value must be shown and what it serves. It starts `proposed`.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/objectives", tag = "purchase", params(("eid" = Uuid, Path)), request_body = NewObjective,
    responses((status = 201, body = ObjectiveView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_objective(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(b): JsonBody<NewObjective>,
) -> ApiResult<Response> {
    let v = s.app.create_objective(&a, eid, b).await?;
    Ok(with_etag(StatusCode::CREATED, v.version, v))
}

/// Edit an objective (`If-Match` required). `status: approved` is the executive sponsor's
/// alone (403 otherwise); changing what an approved objective says withdraws the approval.
#[utoipa::path(patch, path = "/api/v1/engagements/{eid}/objectives/{id}", tag = "purchase",
    params(("eid" = Uuid, Path), ("id" = Uuid, Path), ("If-Match" = String, Header)), request_body = ObjectivePatch,
    responses((status = 200, body = ObjectiveView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn update_objective(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    IfMatch(v): IfMatch,
    JsonBody(b): JsonBody<ObjectivePatch>,
) -> ApiResult<Response> {
    let o = s.app.update_objective(&a, eid, id, v, b).await?;
    Ok(with_etag(StatusCode::OK, o.version, o))
}

/// The procurement map, by due date; `overdue` flags steps past their date and not done.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/procurement-steps", tag = "purchase", params(("eid" = Uuid, Path)),
    responses((status = 200, body = Page<ProcurementStepView>), (status = 404, body = Problem)))]
async fn list_steps(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<Page<ProcurementStepView>>> {
    Ok(page(s.app.list_procurement_steps(&a, eid).await?))
}

/// Map one of the customer's procurement steps to the partner's sales or onboarding step.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/procurement-steps", tag = "purchase", params(("eid" = Uuid, Path)), request_body = NewProcurementStep,
    responses((status = 201, body = ProcurementStepView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_step(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(b): JsonBody<NewProcurementStep>,
) -> ApiResult<Response> {
    let v = s.app.create_procurement_step(&a, eid, b).await?;
    Ok(with_etag(StatusCode::CREATED, v.version, v))
}

/// Edit a procurement step (`If-Match` required).
#[utoipa::path(patch, path = "/api/v1/engagements/{eid}/procurement-steps/{id}", tag = "purchase",
    params(("eid" = Uuid, Path), ("id" = Uuid, Path), ("If-Match" = String, Header)), request_body = ProcurementStepPatch,
    responses((status = 200, body = ProcurementStepView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn update_step(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    IfMatch(v): IfMatch,
    JsonBody(b): JsonBody<ProcurementStepPatch>,
) -> ApiResult<Response> {
    let o = s.app.update_procurement_step(&a, eid, id, v, b).await?;
    Ok(with_etag(StatusCode::OK, o.version, o))
}

/// The stakeholder insights register: opportunities, limitations and risks.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/insights", tag = "purchase", params(("eid" = Uuid, Path)),
    responses((status = 200, body = Page<InsightView>), (status = 404, body = Problem)))]
async fn list_insights(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<Page<InsightView>>> {
    Ok(page(s.app.list_insights(&a, eid).await?))
}

/// Register an opportunity, limitation or risk raised by the cross-functional team.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/insights", tag = "purchase", params(("eid" = Uuid, Path)), request_body = NewInsight,
    responses((status = 201, body = InsightView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_insight(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(b): JsonBody<NewInsight>,
) -> ApiResult<Response> {
    let v = s.app.create_insight(&a, eid, b).await?;
    Ok(with_etag(StatusCode::CREATED, v.version, v))
}

/// Edit an insight (`If-Match` required).
#[utoipa::path(patch, path = "/api/v1/engagements/{eid}/insights/{id}", tag = "purchase",
    params(("eid" = Uuid, Path), ("id" = Uuid, Path), ("If-Match" = String, Header)), request_body = InsightPatch,
    responses((status = 200, body = InsightView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn update_insight(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    IfMatch(v): IfMatch,
    JsonBody(b): JsonBody<InsightPatch>,
) -> ApiResult<Response> {
    let o = s.app.update_insight(&a, eid, id, v, b).await?;
    Ok(with_etag(StatusCode::OK, o.version, o))
}
