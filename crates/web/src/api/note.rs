//! Internal notes: visible only to the author's side of the engagement.

use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, JsonBody, Path, Query};
use crate::AppState;
use accord_app::note::NoteView;
use accord_app::views::Page;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_notes, add_note))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoteFilter {
    /// Only the notes on this record.
    pub record_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// `engagement`, `criterion` or `role`.
    pub record_type: String,
    /// The record's id (for `engagement`, the engagement's own id).
    pub record_id: Uuid,
    /// At most 10,000 characters.
    pub body: String,
}

/// Your side's internal notes on the engagement: the customer's notes are never shown to the
/// partner, nor the partner's to the customer.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/notes", tag = "notes", params(("eid" = Uuid, Path), NoteFilter),
    responses((status = 200, body = Page<NoteView>), (status = 404, body = Problem)))]
async fn list_notes(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(f): Query<NoteFilter>,
) -> ApiResult<Json<Page<NoteView>>> {
    let items = s.app.list_notes(&a, eid, f.record_id).await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// Add an internal note of your side to a record of the engagement (audited in your
/// organisation's chain, which the other side does not read).
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/notes", tag = "notes", params(("eid" = Uuid, Path)), request_body = NewNote,
    responses((status = 201, body = NoteView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_note(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(n): JsonBody<NewNote>,
) -> ApiResult<(StatusCode, Json<NoteView>)> {
    let v = s
        .app
        .add_note(&a, eid, &n.record_type, n.record_id, &n.body)
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}
