//! Engagements, their gates, phase transitions, cycles and role-phase matrix.

use super::{with_etag, ListParams, ReasonParam, RetiredParam};
use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, IfMatch, JsonBody, Path, Query};
use crate::AppState;
use accord_app::engagement::{CriterionPatch, EngagementPatch, NewEngagement};
use accord_app::views::{
    EngagementView, GateCriterionView, GateView, MatrixRowView, Page, TransitionView,
};
use accord_app::Error;
use accord_domain::engagement::CycleTrigger;
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
        .routes(routes!(list_engagements, create_engagement))
        .routes(routes!(
            get_engagement,
            update_engagement,
            retire_engagement
        ))
        .routes(routes!(gate))
        .routes(routes!(list_criteria, add_criterion))
        .routes(routes!(update_criterion, retire_criterion))
        .routes(routes!(list_transitions, transition))
        .routes(routes!(new_cycle))
        .routes(routes!(matrix))
        .routes(routes!(set_matrix_row))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEngagement {
    /// Human key such as `NWB-LIMS`; generated when absent.
    pub key: Option<String>,
    pub name: String,
    /// The product or programme, e.g. "Helix LIMS 8".
    pub product: String,
    pub customer_id: Uuid,
    pub partner_id: Uuid,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEngagement {
    pub name: Option<String>,
    pub product: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The next phase: `implementation` from purchase, `operations` from implementation.
    pub to_phase: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleRequest {
    #[schema(value_type = String, example = "technology_change")]
    pub trigger: CycleTrigger,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCriterion {
    /// The phase whose gate this item belongs to.
    pub to_phase: String,
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCriterion {
    pub text: Option<String>,
    pub met: Option<bool>,
    /// Evidence that the criterion is met; `null` clears it.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub evidence: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixRowRequest {
    /// The phases in which the role must have a holder.
    pub phases: Vec<String>,
}

fn cursor(p: &ListParams) -> Result<Option<Uuid>, Error> {
    p.cursor
        .as_deref()
        .map(|c| {
            Uuid::parse_str(c)
                .map_err(|_| Error::invalid("cursor", "is not a cursor this API gave out"))
        })
        .transpose()
}

/// The caller's engagements.
#[utoipa::path(get, path = "/api/v1/engagements", tag = "engagements", params(ListParams),
    responses((status = 200, body = Page<EngagementView>), (status = 401, body = Problem)))]
async fn list_engagements(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Page<EngagementView>>> {
    let c = cursor(&p)?;
    Ok(Json(
        s.app
            .list_engagements(
                &a,
                p.include_retired.unwrap_or(false),
                c,
                p.limit.unwrap_or(50),
            )
            .await?,
    ))
}

/// Start an engagement between a customer and a partner (an organisation admin of either).
#[utoipa::path(post, path = "/api/v1/engagements", tag = "engagements", request_body = CreateEngagement,
    responses((status = 201, body = EngagementView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_engagement(
    State(s): State<AppState>,
    Caller(a): Caller,
    JsonBody(r): JsonBody<CreateEngagement>,
) -> ApiResult<Response> {
    let v = s
        .app
        .create_engagement(
            &a,
            NewEngagement {
                key: r.key,
                name: r.name,
                product: r.product,
                customer_id: r.customer_id,
                partner_id: r.partner_id,
            },
        )
        .await?;
    Ok(with_etag(StatusCode::CREATED, v.version, v))
}

/// One engagement.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}", tag = "engagements", params(("eid" = Uuid, Path)),
    responses((status = 200, body = EngagementView, headers(("ETag" = String))), (status = 404, body = Problem)))]
async fn get_engagement(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Response> {
    let v = s.app.get_engagement(&a, eid).await?;
    Ok(with_etag(StatusCode::OK, v.version, v))
}

/// Rename an engagement or change its product (`If-Match` required).
#[utoipa::path(patch, path = "/api/v1/engagements/{eid}", tag = "engagements", params(("eid" = Uuid, Path), ("If-Match" = String, Header)),
    request_body = UpdateEngagement,
    responses((status = 200, body = EngagementView), (status = 409, body = Problem), (status = 428, body = Problem)))]
async fn update_engagement(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    IfMatch(v): IfMatch,
    JsonBody(r): JsonBody<UpdateEngagement>,
) -> ApiResult<Response> {
    let e = s
        .app
        .update_engagement(
            &a,
            eid,
            v,
            EngagementPatch {
                name: r.name,
                product: r.product,
            },
        )
        .await?;
    Ok(with_etag(StatusCode::OK, e.version, e))
}

/// Retire an engagement (it is kept, and listed with `include_retired=true`).
#[utoipa::path(delete, path = "/api/v1/engagements/{eid}", tag = "engagements", params(("eid" = Uuid, Path), ReasonParam),
    responses((status = 200, body = EngagementView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn retire_engagement(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(q): Query<ReasonParam>,
) -> ApiResult<Response> {
    let e = s
        .app
        .retire_engagement(&a, eid, q.reason.as_deref().unwrap_or(""))
        .await?;
    Ok(with_etag(StatusCode::OK, e.version, e))
}

/// The gate out of the current phase: the next phase and its criteria, met or not.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/gate", tag = "engagements", params(("eid" = Uuid, Path)),
    responses((status = 200, body = GateView), (status = 404, body = Problem)))]
async fn gate(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<GateView>> {
    Ok(Json(s.app.gate(&a, eid).await?))
}

/// The checklist items of every gate of the engagement.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/gate/criteria", tag = "engagements", params(("eid" = Uuid, Path), RetiredParam),
    responses((status = 200, body = Page<GateCriterionView>), (status = 404, body = Problem)))]
async fn list_criteria(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(p): Query<RetiredParam>,
) -> ApiResult<Json<Page<GateCriterionView>>> {
    let items = s
        .app
        .list_gate_criteria(&a, eid, p.include_retired.unwrap_or(false))
        .await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// Add an item to a gate's checklist.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/gate/criteria", tag = "engagements", params(("eid" = Uuid, Path)),
    request_body = NewCriterion,
    responses((status = 201, body = GateCriterionView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn add_criterion(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(r): JsonBody<NewCriterion>,
) -> ApiResult<Response> {
    let c = s
        .app
        .add_gate_criterion(&a, eid, &r.to_phase, &r.text)
        .await?;
    Ok(with_etag(StatusCode::CREATED, c.version, c))
}

/// Edit a checklist item: mark it met, give evidence, reword it (`If-Match` required).
#[utoipa::path(patch, path = "/api/v1/engagements/{eid}/gate/criteria/{cid}", tag = "engagements",
    params(("eid" = Uuid, Path), ("cid" = Uuid, Path), ("If-Match" = String, Header)), request_body = UpdateCriterion,
    responses((status = 200, body = GateCriterionView), (status = 409, body = Problem), (status = 428, body = Problem)))]
async fn update_criterion(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, cid)): Path<(Uuid, Uuid)>,
    IfMatch(v): IfMatch,
    JsonBody(r): JsonBody<UpdateCriterion>,
) -> ApiResult<Response> {
    let c = s
        .app
        .update_gate_criterion(
            &a,
            eid,
            cid,
            v,
            CriterionPatch {
                text: r.text,
                met: r.met,
                evidence: r.evidence,
            },
        )
        .await?;
    Ok(with_etag(StatusCode::OK, c.version, c))
}

/// Retire a checklist item; it no longer counts at its gate.
#[utoipa::path(delete, path = "/api/v1/engagements/{eid}/gate/criteria/{cid}", tag = "engagements",
    params(("eid" = Uuid, Path), ("cid" = Uuid, Path), ReasonParam),
    responses((status = 200, body = GateCriterionView), (status = 422, body = Problem)))]
async fn retire_criterion(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, cid)): Path<(Uuid, Uuid)>,
    Query(q): Query<ReasonParam>,
) -> ApiResult<Response> {
    let c = s
        .app
        .retire_gate_criterion(&a, eid, cid, q.reason.as_deref().unwrap_or(""))
        .await?;
    Ok(with_etag(StatusCode::OK, c.version, c))
}

/// The engagement's phase history.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/transitions", tag = "engagements", params(("eid" = Uuid, Path)),
    responses((status = 200, body = Page<TransitionView>), (status = 404, body = Problem)))]
async fn list_transitions(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<Page<TransitionView>>> {
    Ok(Json(Page {
        items: s.app.list_transitions(&a, eid).await?,
        next_cursor: None,
    }))
}

/// Move to the next phase; refused with 409 naming the unmet criteria when the gate is not passed.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/transitions", tag = "engagements", params(("eid" = Uuid, Path)),
    request_body = TransitionRequest,
    responses((status = 200, body = EngagementView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn transition(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(r): JsonBody<TransitionRequest>,
) -> ApiResult<Response> {
    let e = s.app.transition(&a, eid, &r.to_phase, &r.reason).await?;
    Ok(with_etag(StatusCode::OK, e.version, e))
}

/// Record a business or technology change in operations: a new cycle starts in purchase.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/cycles", tag = "engagements", params(("eid" = Uuid, Path)),
    request_body = CycleRequest,
    responses((status = 200, body = EngagementView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn new_cycle(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(r): JsonBody<CycleRequest>,
) -> ApiResult<Response> {
    let e = s.app.new_cycle(&a, eid, r.trigger, &r.reason).await?;
    Ok(with_etag(StatusCode::OK, e.version, e))
}

/// The role-phase matrix: in which phases each role must have a holder.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/matrix", tag = "roles", params(("eid" = Uuid, Path)),
    responses((status = 200, body = Page<MatrixRowView>), (status = 404, body = Problem)))]
async fn matrix(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<Page<MatrixRowView>>> {
    Ok(Json(Page {
        items: s.app.role_matrix(&a, eid).await?,
        next_cursor: None,
    }))
}

/// Set the phases in which a role must have a holder (`If-Match` with the row's version).
#[utoipa::path(put, path = "/api/v1/engagements/{eid}/matrix/{role}", tag = "roles",
    params(("eid" = Uuid, Path), ("role" = String, Path), ("If-Match" = String, Header)), request_body = MatrixRowRequest,
    responses((status = 200, body = MatrixRowView), (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn set_matrix_row(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, role)): Path<(Uuid, String)>,
    IfMatch(v): IfMatch,
    JsonBody(r): JsonBody<MatrixRowRequest>,
) -> ApiResult<Response> {
    let row = s.app.set_role_phases(&a, eid, &role, &r.phases, v).await?;
    Ok(with_etag(StatusCode::OK, row.version, row))
}
