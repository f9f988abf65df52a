//! Requirements, their versions, clarifications, priorities, estimates and roll-ups.

use super::with_etag;
use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, IfMatch, JsonBody, Path, Query};
use crate::AppState;
use accord_app::requirement::{
    ClarificationView, EstimateView, NewRequirement, RequirementDetail, RequirementPatch,
    RequirementView, RollupView, VersionView,
};
use accord_app::views::Page;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requirements, create_requirement))
        .routes(routes!(rollup))
        .routes(routes!(bulk_update))
        .routes(routes!(get_requirement, update_requirement))
        .routes(routes!(versions))
        .routes(routes!(list_clarifications, ask))
        .routes(routes!(answer))
        .routes(routes!(set_priority))
        .routes(routes!(put_estimate))
        .routes(routes!(acknowledge_estimate))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RequirementFilter {
    /// draft, in_clarification, ready_for_review, approved, implemented, verified or retired.
    pub status: Option<String>,
    /// must_have, deferred or nice_to_have.
    pub priority: Option<String>,
    pub functional_area: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Words that must all appear in the key, title or statement, in any letter case; at most
    /// 200 characters, no control characters.
    pub q: Option<String>,
    /// key (default), title, status, priority or updated; `-` in front for descending.
    pub sort: Option<String>,
    /// Page size, default 50, at most 500.
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The engagement's requirements, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/requirements", tag = "requirements", params(("eid" = Uuid, Path), RequirementFilter),
    responses((status = 200, body = Page<RequirementView>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list_requirements(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(f): Query<RequirementFilter>,
) -> ApiResult<Json<Page<RequirementView>>> {
    let offset = match f.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => c
            .parse::<i64>()
            .map_err(|_| accord_app::Error::invalid("cursor", "is not a cursor this list gave"))?,
    };
    let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let filter = accord_store::requirement::Filter {
        status: blank(f.status),
        priority: blank(f.priority),
        functional_area: blank(f.functional_area),
        owner_id: f.owner_id,
        q: blank(f.q),
        sort: blank(f.sort),
        offset,
        limit: f.limit.unwrap_or(50),
    };
    Ok(Json(s.app.list_requirements(&a, eid, filter).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequirement {
    /// At most 200 characters.
    pub title: String,
    /// At most 10,000 characters.
    pub statement: String,
    #[serde(default)]
    pub rationale: String,
    /// One of the engagement's functional areas (those its functional area managers hold).
    pub functional_area: String,
    /// Where the requirement came from (a workshop, a regulation, a document).
    #[serde(default)]
    pub source: String,
    pub owner_id: Option<Uuid>,
}

/// Write down a requirement: it starts as a draft at version 1 with the next `REQ-` key.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/requirements", tag = "requirements", params(("eid" = Uuid, Path)), request_body = CreateRequirement,
    responses((status = 201, body = RequirementView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_requirement(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(r): JsonBody<CreateRequirement>,
) -> ApiResult<Response> {
    let v = s
        .app
        .create_requirement(
            &a,
            eid,
            NewRequirement {
                title: r.title,
                statement: r.statement,
                rationale: r.rationale,
                functional_area: r.functional_area,
                source: r.source,
                owner_id: r.owner_id,
            },
        )
        .await?;
    Ok(with_etag(StatusCode::CREATED, v.version, v))
}

/// One requirement with its clarifications, priority decisions and estimate.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/requirements/{rid}", tag = "requirements", params(("eid" = Uuid, Path), ("rid" = Uuid, Path)),
    responses((status = 200, body = RequirementDetail), (status = 404, body = Problem)))]
async fn get_requirement(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
) -> ApiResult<Response> {
    let d = s.app.requirement(&a, eid, rid).await?;
    Ok(with_etag(StatusCode::OK, d.requirement.version, d))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequirement {
    pub title: Option<String>,
    pub statement: Option<String>,
    pub rationale: Option<String>,
    pub functional_area: Option<String>,
    pub source: Option<String>,
    /// `null` clears the owner.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    pub status: Option<String>,
}

/// Edit a requirement (`If-Match` required): a new version records the change. The priority
/// has its own route.
#[utoipa::path(patch, path = "/api/v1/engagements/{eid}/requirements/{rid}", tag = "requirements",
    params(("eid" = Uuid, Path), ("rid" = Uuid, Path), ("If-Match" = String, Header)), request_body = UpdateRequirement,
    responses((status = 200, body = RequirementView), (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn update_requirement(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    IfMatch(v): IfMatch,
    JsonBody(r): JsonBody<UpdateRequirement>,
) -> ApiResult<Response> {
    let view = s
        .app
        .update_requirement(
            &a,
            eid,
            rid,
            v,
            RequirementPatch {
                title: r.title,
                statement: r.statement,
                rationale: r.rationale,
                functional_area: r.functional_area,
                source: r.source,
                owner_id: r.owner_id,
                status: r.status,
            },
        )
        .await?;
    Ok(with_etag(StatusCode::OK, view.version, view))
}

/// Every version of the requirement, with the fields each one changed.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/requirements/{rid}/versions", tag = "requirements", params(("eid" = Uuid, Path), ("rid" = Uuid, Path)),
    responses((status = 200, body = Page<VersionView>), (status = 404, body = Problem)))]
async fn versions(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
) -> ApiResult<Json<Page<VersionView>>> {
    Ok(Json(Page {
        items: s.app.requirement_versions(&a, eid, rid).await?,
        next_cursor: None,
    }))
}

/// The questions asked about the requirement, with how long open ones have waited.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/requirements/{rid}/clarifications", tag = "requirements", params(("eid" = Uuid, Path), ("rid" = Uuid, Path)),
    responses((status = 200, body = Page<ClarificationView>), (status = 404, body = Problem)))]
async fn list_clarifications(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
) -> ApiResult<Json<Page<ClarificationView>>> {
    Ok(Json(Page {
        items: s.app.list_clarifications(&a, eid, rid).await?,
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ask {
    pub question: String,
}

/// Ask a question about the requirement (a query on an estimate is one too).
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/requirements/{rid}/clarifications", tag = "requirements", params(("eid" = Uuid, Path), ("rid" = Uuid, Path)),
    request_body = Ask, responses((status = 201, body = ClarificationView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn ask(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    JsonBody(r): JsonBody<Ask>,
) -> ApiResult<(StatusCode, Json<ClarificationView>)> {
    let c = s.app.ask_clarification(&a, eid, rid, &r.question).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub answer: String,
}

/// Answer an open question (409 when it was answered already).
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/requirements/{rid}/clarifications/{cid}/answer", tag = "requirements",
    params(("eid" = Uuid, Path), ("rid" = Uuid, Path), ("cid" = Uuid, Path)), request_body = Answer,
    responses((status = 200, body = ClarificationView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn answer(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, rid, cid)): Path<(Uuid, Uuid, Uuid)>,
    JsonBody(r): JsonBody<Answer>,
) -> ApiResult<Json<ClarificationView>> {
    Ok(Json(
        s.app
            .answer_clarification(&a, eid, rid, cid, &r.answer)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPriority {
    /// must_have, deferred or nice_to_have.
    pub priority: String,
    /// Why (kept with the decision).
    pub rationale: String,
}

/// Decide the priority: only the functional area manager of the requirement's area or a
/// business process owner may (403 otherwise, and the attempt is audited). With `If-Match`, the
/// decision is taken only on that version of the requirement (409 otherwise).
#[utoipa::path(put, path = "/api/v1/engagements/{eid}/requirements/{rid}/priority", tag = "requirements",
    params(("eid" = Uuid, Path), ("rid" = Uuid, Path), ("If-Match" = Option<String>, Header)), request_body = SetPriority,
    responses((status = 200, body = RequirementView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn set_priority(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    headers: axum::http::HeaderMap,
    JsonBody(r): JsonBody<SetPriority>,
) -> ApiResult<Response> {
    let expected = crate::extract::optional_if_match(&headers)?;
    let v = s
        .app
        .set_priority(&a, eid, rid, &r.priority, &r.rationale, expected)
        .await?;
    Ok(with_etag(StatusCode::OK, v.version, v))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutEstimate {
    pub effort_days: f64,
    pub cost: f64,
    /// ISO 4217, such as EUR.
    pub currency: String,
    /// feasible, feasible_with_customisation or not_feasible.
    pub feasibility: String,
    /// standard_process, configuration or customisation.
    pub fit: String,
    /// What the estimate rests on.
    pub basis: String,
}

/// The partner's estimate (partner members only); it replaces an earlier one and waits for the
/// customer's acknowledgement.
#[utoipa::path(put, path = "/api/v1/engagements/{eid}/requirements/{rid}/estimate", tag = "requirements",
    params(("eid" = Uuid, Path), ("rid" = Uuid, Path)), request_body = PutEstimate,
    responses((status = 200, body = EstimateView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn put_estimate(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    JsonBody(r): JsonBody<PutEstimate>,
) -> ApiResult<Json<EstimateView>> {
    Ok(Json(
        s.app
            .put_estimate(
                &a,
                eid,
                rid,
                r.effort_days,
                r.cost,
                &r.currency,
                &r.feasibility,
                &r.fit,
                &r.basis,
            )
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SeenEstimate {
    /// The `estimated_at` of the estimate read; when the partner replaced it since, nothing is
    /// acknowledged (409).
    pub estimated_at: Option<String>,
}

/// The customer acknowledges the current estimate (customer members only; to question it, ask
/// a clarification).
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/requirements/{rid}/estimate/acknowledgement", tag = "requirements",
    params(("eid" = Uuid, Path), ("rid" = Uuid, Path), SeenEstimate),
    responses((status = 200, body = EstimateView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn acknowledge_estimate(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    Query(q): Query<SeenEstimate>,
) -> ApiResult<Json<EstimateView>> {
    let seen = parse_seen(q.estimated_at.as_deref())?;
    Ok(Json(s.app.acknowledge_estimate(&a, eid, rid, seen).await?))
}

/// An RFC 3339 time given to say which estimate was read.
pub(crate) fn parse_seen(
    v: Option<&str>,
) -> Result<Option<time::OffsetDateTime>, accord_app::Error> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
            .map(Some)
            .map_err(|_| {
                accord_app::Error::invalid(
                    "estimated_at",
                    "must be the estimate's estimated_at (RFC 3339)",
                )
            }),
    }
}

/// Per priority: how many requirements, how many estimated, total effort and cost (per
/// currency), how many stay on the standard process.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/requirements/rollup", tag = "requirements", params(("eid" = Uuid, Path)),
    responses((status = 200, body = RollupView), (status = 404, body = Problem)))]
async fn rollup(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<RollupView>> {
    Ok(Json(s.app.requirement_rollup(&a, eid).await?))
}

/// A requirement of a bulk edit at the version it was read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Selected {
    pub id: Uuid,
    pub version: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkUpdate {
    /// The selection (at most 500), each at the version it was read.
    pub items: Vec<Selected>,
    pub functional_area: Option<String>,
    /// `null` clears the owner.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    pub status: Option<String>,
}

/// Give a selection the same functional area, owner or status: one transaction, a new version
/// and an audit event per changed requirement; 409 naming none changed if any was changed since
/// it was read.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/requirements/bulk", tag = "requirements", params(("eid" = Uuid, Path)), request_body = BulkUpdate,
    responses((status = 200, body = Page<RequirementView>), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn bulk_update(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(b): JsonBody<BulkUpdate>,
) -> ApiResult<Json<Page<RequirementView>>> {
    let selection: Vec<(Uuid, i64)> = b.items.iter().map(|i| (i.id, i.version)).collect();
    let items = s
        .app
        .bulk_update_requirements(
            &a,
            eid,
            &selection,
            RequirementPatch {
                functional_area: b.functional_area,
                owner_id: b.owner_id,
                status: b.status,
                ..Default::default()
            },
        )
        .await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}
