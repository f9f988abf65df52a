//! The glossary the customer teaches and the partner acknowledges; elicitation sessions.

use super::with_etag;
use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, IfMatch, JsonBody, Path, Query};
use crate::AppState;
use accord_app::knowledge::{NewSession, NewTerm, SessionView, TermPatch, TermView};
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
        .routes(routes!(glossary, create_term))
        .routes(routes!(update_term))
        .routes(routes!(acknowledge))
        .routes(routes!(sessions, create_session))
        .routes(routes!(link_session_requirements))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GlossaryFilter {
    /// Only the terms someone of the partner's team has not acknowledged as they read now.
    pub unacknowledged: Option<bool>,
}

/// The glossary, with who on the partner's side has acknowledged each term and who has not.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/glossary", tag = "knowledge", params(("eid" = Uuid, Path), GlossaryFilter),
    responses((status = 200, body = Page<TermView>), (status = 404, body = Problem)))]
async fn glossary(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(f): Query<GlossaryFilter>,
) -> ApiResult<Json<Page<TermView>>> {
    let mut items = s.app.glossary(&a, eid).await?;
    if f.unacknowledged == Some(true) {
        items.retain(|t| !t.partner_pending.is_empty());
    }
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// Teach the partner a business term: definition, functional area, examples, synonyms, in
/// English or Chinese. One definition per term (any case) and engagement.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/glossary", tag = "knowledge", params(("eid" = Uuid, Path)), request_body = NewTerm,
    responses((status = 201, body = TermView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_term(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(b): JsonBody<NewTerm>,
) -> ApiResult<Response> {
    let v = s.app.create_term(&a, eid, b).await?;
    Ok(with_etag(StatusCode::CREATED, v.version, v))
}

/// Correct a term (`If-Match` required); the partner must acknowledge the new wording.
#[utoipa::path(patch, path = "/api/v1/engagements/{eid}/glossary/{id}", tag = "knowledge",
    params(("eid" = Uuid, Path), ("id" = Uuid, Path), ("If-Match" = String, Header)), request_body = TermPatch,
    responses((status = 200, body = TermView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn update_term(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    IfMatch(v): IfMatch,
    JsonBody(b): JsonBody<TermPatch>,
) -> ApiResult<Response> {
    let t = s.app.update_term(&a, eid, id, v, b).await?;
    Ok(with_etag(StatusCode::OK, t.version, t))
}

/// A partner member acknowledges having read the term as it reads now (403 for the customer).
/// With `If-Match`, only the version read: 409 when the wording changed since.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/glossary/{id}/acknowledgements", tag = "knowledge",
    params(("eid" = Uuid, Path), ("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = TermView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn acknowledge(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<TermView>> {
    let expected = crate::extract::optional_if_match(&headers)?;
    Ok(Json(s.app.acknowledge_term(&a, eid, id, expected).await?))
}

/// The elicitation sessions, most recent first, with attendees (and their roles) and the
/// requirements each produced.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/sessions", tag = "knowledge", params(("eid" = Uuid, Path)),
    responses((status = 200, body = Page<SessionView>), (status = 404, body = Problem)))]
async fn sessions(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<Page<SessionView>>> {
    Ok(Json(Page {
        items: s.app.sessions(&a, eid).await?,
        next_cursor: None,
    }))
}

/// Record a workshop or interview: when, who took part, notes, the requirements it produced.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/sessions", tag = "knowledge", params(("eid" = Uuid, Path)), request_body = NewSession,
    responses((status = 201, body = SessionView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_session(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    JsonBody(b): JsonBody<NewSession>,
) -> ApiResult<(StatusCode, Json<SessionView>)> {
    Ok((
        StatusCode::CREATED,
        Json(s.app.create_session(&a, eid, b).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequirements {
    /// Requirements of the engagement the session produced (already linked ones are kept).
    pub requirement_ids: Vec<Uuid>,
}

/// Link requirements written after a session to the session that produced them.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/sessions/{id}/requirements", tag = "knowledge",
    params(("eid" = Uuid, Path), ("id" = Uuid, Path)), request_body = SessionRequirements,
    responses((status = 200, body = SessionView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn link_session_requirements(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    JsonBody(b): JsonBody<SessionRequirements>,
) -> ApiResult<Json<SessionView>> {
    Ok(Json(
        s.app
            .link_session_requirements(&a, eid, id, &b.requirement_ids)
            .await?,
    ))
}
