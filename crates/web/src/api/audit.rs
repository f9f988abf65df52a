//! The audit trail of an engagement and its verification.

use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, Path, Query};
use crate::AppState;
use accord_app::views::{AuditEventView, Page, VerifyReport};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(verify_audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct AuditParams {
    /// Events after this sequence number.
    after: Option<i64>,
    /// The `next_cursor` of the previous page (the same as `after`).
    cursor: Option<i64>,
    /// At most this many events (default 50, at most 500).
    limit: Option<i64>,
}

/// The engagement's audit events, oldest first.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/audit", tag = "audit", params(("eid" = Uuid, Path), AuditParams),
    responses((status = 200, body = Page<AuditEventView>), (status = 404, body = Problem)))]
async fn list_audit(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(p): Query<AuditParams>,
) -> ApiResult<Json<Page<AuditEventView>>> {
    let limit = p.limit.unwrap_or(50).clamp(1, 500);
    let items = s
        .app
        .engagement_audit(&a, eid, p.after.or(p.cursor).unwrap_or(0), limit)
        .await?;
    let next_cursor = (items.len() as i64 == limit)
        .then(|| items.last().map(|e| e.seq.to_string()))
        .flatten();
    Ok(Json(Page { items, next_cursor }))
}

/// Verify the engagement's audit chain; names the first broken event.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/audit/verify", tag = "audit", params(("eid" = Uuid, Path)),
    responses((status = 200, body = VerifyReport), (status = 404, body = Problem)))]
async fn verify_audit(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<VerifyReport>> {
    Ok(Json(s.app.verify_engagement_audit(&a, eid).await?))
}
