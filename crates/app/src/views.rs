//! What the use cases return: the JSON shapes of API.md, described for the OpenAPI document.

use accord_store::{engagement::Engagement, org::Organisation, user::User};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `?cursor=` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// `customer` or `partner`.
    pub kind: String,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<&Organisation> for OrganisationView {
    fn from(o: &Organisation) -> Self {
        Self {
            id: o.id,
            slug: o.slug.clone(),
            name: o.name.clone(),
            kind: o.kind.clone(),
            version: o.version,
            created_at: o.created_at,
        }
    }
}

/// An organisation as named inside another record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

impl From<&Organisation> for OrgRef {
    fn from(o: &Organisation) -> Self {
        Self {
            id: o.id,
            slug: o.slug.clone(),
            name: o.name.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub organisation: OrgRef,
    pub is_org_admin: bool,
    pub disabled: bool,
    pub version: i64,
}

impl UserView {
    pub fn from_parts(u: &User, org: &Organisation) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            organisation: org.into(),
            is_org_admin: u.is_org_admin,
            disabled: u.disabled,
            version: u.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub user: UserView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EngagementView {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub product: String,
    pub customer: OrgRef,
    pub partner: OrgRef,
    /// `purchase`, `implementation` or `operations`.
    pub phase: String,
    pub cycle: i64,
    pub version: i64,
    pub retired: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl EngagementView {
    pub fn from_parts(e: &Engagement, customer: &Organisation, partner: &Organisation) -> Self {
        Self {
            id: e.id,
            key: e.key.clone(),
            name: e.name.clone(),
            product: e.product.clone(),
            customer: customer.into(),
            partner: partner.into(),
            phase: e.phase.clone(),
            cycle: e.cycle,
            version: e.version,
            retired: e.retired_at.is_some(),
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// One criterion of a gate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionView {
    /// The checklist item's id, or `roles-covered` for the built-in role criterion.
    pub id: String,
    pub text: String,
    pub met: bool,
    pub evidence: Option<String>,
    /// Whether the item is an editable checklist item (false for the built-in one).
    pub editable: bool,
    /// The item's version, for `If-Match` when editing it.
    pub version: Option<i64>,
}

/// The gate out of the current phase.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GateView {
    pub engagement_id: Uuid,
    pub phase: String,
    pub cycle: i64,
    /// The phase the gate leads to.
    pub to_phase: String,
    /// True when passing this gate starts a new cycle (from operations back to purchase).
    pub new_cycle: bool,
    pub criteria: Vec<CriterionView>,
    /// True when every criterion is met.
    pub ready: bool,
    /// SHA-256 of the gate's content as it stands (its checklist and role criterion): what a
    /// sign-off signs.
    pub content_hash: String,
    /// Signatures given on this engagement's gates, each saying whether it covers this content.
    pub signatures: Vec<SignatureView>,
}

/// An electronic signature with its manifestation (21 CFR 11.50): printed name, UTC time and
/// meaning, and whether it still covers the record's current content (11.70).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatureView {
    pub id: Uuid,
    pub record_type: String,
    pub record_id: Uuid,
    pub signer_id: Uuid,
    pub signer_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub signed_at: OffsetDateTime,
    /// `authored`, `reviewed`, `approved` or `rejected`.
    pub meaning: String,
    pub content_hash: String,
    /// False once the record changed after signing: the signature applies to an earlier content.
    pub covers_current_content: bool,
    pub reason: Option<String>,
}

impl SignatureView {
    pub fn new(s: &accord_store::signature::Signature, current_hash: &str) -> Self {
        Self {
            id: s.id,
            record_type: s.record_type.clone(),
            record_id: s.record_id,
            signer_id: s.signer_id,
            signer_name: s.signer_name.clone(),
            signed_at: s.signed_at,
            meaning: s.meaning.clone(),
            content_hash: s.content_hash.clone(),
            covers_current_content: s.content_hash == current_hash,
            reason: s.reason.clone(),
        }
    }
}

/// A checklist item of a gate, as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GateCriterionView {
    pub id: Uuid,
    pub to_phase: String,
    pub text: String,
    pub met: bool,
    pub evidence: Option<String>,
    pub version: i64,
    pub retired: bool,
}

impl From<&accord_store::engagement::Criterion> for GateCriterionView {
    fn from(c: &accord_store::engagement::Criterion) -> Self {
        Self {
            id: c.id,
            to_phase: c.to_phase.clone(),
            text: c.text.clone(),
            met: c.met,
            evidence: c.evidence.clone(),
            version: c.version,
            retired: c.retired_at.is_some(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransitionView {
    pub id: Uuid,
    pub from_phase: String,
    pub to_phase: String,
    pub from_cycle: i64,
    pub to_cycle: i64,
    pub trigger: Option<String>,
    pub reason: String,
    pub actor_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl From<&accord_store::engagement::Transition> for TransitionView {
    fn from(t: &accord_store::engagement::Transition) -> Self {
        Self {
            id: t.id,
            from_phase: t.from_phase.clone(),
            to_phase: t.to_phase.clone(),
            from_cycle: t.from_cycle,
            to_cycle: t.to_cycle,
            trigger: t.cycle_trigger.clone(),
            reason: t.reason.clone(),
            actor_id: t.actor_id,
            at: t.at,
        }
    }
}

/// A person holding a role.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleAssignmentView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub user_name: String,
    pub organisation_id: Uuid,
    pub role: String,
    pub functional_area: Option<String>,
    pub version: i64,
    pub retired: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A holder of a role in the coverage report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolderView {
    pub user_id: Uuid,
    pub name: String,
    pub functional_area: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleCoverageView {
    pub role: String,
    pub required: bool,
    pub holders: Vec<HolderView>,
    /// Required and nobody holds it.
    pub missing: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhaseCoverageView {
    pub phase: String,
    pub roles: Vec<RoleCoverageView>,
    /// The required roles of this phase without a holder.
    pub gaps: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageView {
    pub engagement_id: Uuid,
    pub current_phase: String,
    pub phases: Vec<PhaseCoverageView>,
}

/// One row of an engagement's role-phase matrix.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatrixRowView {
    pub role: String,
    /// The phases in which this role must have a holder.
    pub phases: Vec<String>,
    pub version: i64,
}

/// An audit event as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEventView {
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The user who made the change; `null` for the operator's command line.
    pub actor: Option<Uuid>,
    pub actor_name: Option<String>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub hash: String,
    pub prev_hash: String,
}

/// The outcome of checking audit chains.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VerifyReport {
    pub ok: bool,
    pub chains_checked: u64,
    pub events_checked: u64,
    /// The first broken event, when there is one.
    #[schema(value_type = Option<Object>)]
    pub first_broken: Option<accord_domain::audit::Broken>,
}
