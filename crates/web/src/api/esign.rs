//! Electronic signatures.

use crate::error::{ApiResult, Problem};
use crate::extract::{Caller, JsonBody, Path, Query};
use crate::AppState;
use accord_app::esign::SignRequest;
use accord_app::views::{Page, SignatureView};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_gate))
        .routes(routes!(list_signatures))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sign {
    /// Your e-mail: required on the first signature with a token, so both identification
    /// components are given (21 CFR 11.200(a)(1)(i)).
    pub email: Option<String>,
    /// Your password, asked again for every signature.
    pub password: String,
    /// `authored`, `reviewed`, `approved` or `rejected`.
    pub meaning: String,
    pub reason: Option<String>,
    /// The gate's `content_hash` as you reviewed it: if the gate changed since, nothing is
    /// signed (409).
    pub content_hash: Option<String>,
}

/// Sign the gate out of the current phase as it stands. An `approved` signature that still covers
/// the gate's content meets the gate's sign-off criterion; any later change to the gate's
/// checklist or role gaps leaves it covering an earlier content.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/gate/signatures", tag = "signatures", params(("eid" = Uuid, Path)),
    request_body = Sign,
    responses((status = 201, body = SignatureView), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn sign_gate(
    State(s): State<AppState>,
    Caller(a): Caller,
    addr: crate::extract::ClientAddr,
    Path(eid): Path<Uuid>,
    JsonBody(r): JsonBody<Sign>,
) -> ApiResult<(StatusCode, Json<SignatureView>)> {
    s.limiter
        .check(crate::ratelimit::Op::Sign, addr.0.as_deref(), &a.email)?;
    let v = s
        .app
        .sign_gate(
            &a,
            eid,
            SignRequest {
                email: r.email,
                password: r.password,
                meaning: r.meaning,
                content_hash: r.content_hash,
                reason: r.reason,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct SignatureFilter {
    /// Only the signatures of this record.
    record_id: Option<Uuid>,
}

/// Signatures with their manifestation: printed name, UTC time, meaning, the content hash signed
/// and whether it covers the record's current content.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/signatures", tag = "signatures", params(("eid" = Uuid, Path), SignatureFilter),
    responses((status = 200, body = Page<SignatureView>), (status = 404, body = Problem)))]
async fn list_signatures(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(f): Query<SignatureFilter>,
) -> ApiResult<Json<Page<SignatureView>>> {
    Ok(Json(Page {
        items: s.app.list_signatures(&a, eid, f.record_id).await?,
        next_cursor: None,
    }))
}
