//! Requirements (issue 4): the customer provides and clarifies them (responsibility 2), those
//! with decision authority prioritise them (3), the partner estimates them and the customer
//! acknowledges the estimates (4). Every change makes a new version and an audit event.

use crate::engagement::load_visible;
use crate::views::Page;
use crate::{snapshot, Actor, App, AuditEntry, Error, Result};
use accord_domain::validate;
use accord_store::requirement::{
    Clarification, Estimate, Filter, PriorityDecision, Requirement, Version,
};
use accord_store::{Tx, WriteTx};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

pub const STATUSES: [&str; 7] = [
    "draft",
    "in_clarification",
    "ready_for_review",
    "approved",
    "implemented",
    "verified",
    "retired",
];
pub const PRIORITIES: [&str; 3] = ["must_have", "deferred", "nice_to_have"];
pub const FEASIBILITIES: [&str; 3] = ["feasible", "feasible_with_customisation", "not_feasible"];
pub const FITS: [&str; 3] = ["standard_process", "configuration", "customisation"];

/// The fields a version records and a difference compares, in the order people read them.
const FIELDS: [&str; 8] = [
    "title",
    "statement",
    "rationale",
    "functional_area",
    "source",
    "owner_id",
    "status",
    "priority",
];

/// A new requirement as its author gives it.
#[derive(Debug, Clone, Default)]
pub struct NewRequirement {
    pub title: String,
    pub statement: String,
    pub rationale: String,
    pub functional_area: String,
    pub source: String,
    pub owner_id: Option<Uuid>,
}

/// Changes to a requirement; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct RequirementPatch {
    pub title: Option<String>,
    pub statement: Option<String>,
    pub rationale: Option<String>,
    pub functional_area: Option<String>,
    pub source: Option<String>,
    /// `Some(None)` clears the owner.
    pub owner_id: Option<Option<Uuid>>,
    pub status: Option<String>,
}

/// A person as a record names them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequirementView {
    pub id: Uuid,
    pub key: String,
    pub title: String,
    pub statement: String,
    pub rationale: String,
    pub functional_area: String,
    pub source: String,
    pub owner: Option<PersonRef>,
    /// draft, in_clarification, ready_for_review, approved, implemented, verified or retired.
    pub status: String,
    /// must_have, deferred or nice_to_have; `null` until someone with authority decides.
    pub priority: Option<String>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// One field that differs between a version and the one before it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    #[schema(value_type = Object)]
    pub before: serde_json::Value,
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub author: Option<PersonRef>,
    /// The fields this version changed (for version 1: every field, from null).
    pub changes: Vec<FieldChange>,
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClarificationView {
    pub id: Uuid,
    pub question: String,
    pub asked_by: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub asked_at: OffsetDateTime,
    pub answer: Option<String>,
    pub answered_by: Option<PersonRef>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
    /// How long the question has waited for its answer, in hours; `null` once answered.
    pub open_hours: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    pub priority: String,
    pub rationale: String,
    pub decided_by: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EstimateView {
    pub effort_days: f64,
    pub cost: f64,
    pub currency: String,
    pub feasibility: String,
    pub fit: String,
    pub basis: String,
    pub estimated_by: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub estimated_at: OffsetDateTime,
    pub acknowledged_by: Option<PersonRef>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
}

/// A requirement with everything around it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequirementDetail {
    #[serde(flatten)]
    pub requirement: RequirementView,
    pub clarifications: Vec<ClarificationView>,
    pub decisions: Vec<DecisionView>,
    pub estimate: Option<EstimateView>,
    /// Whether the caller may set the priority (functional area manager of the area, or
    /// business process owner).
    pub can_prioritise: bool,
    /// The ReqIF spec object it was imported from, with every attribute value.
    pub origin: Option<crate::reqif::Origin>,
}

/// An amount per currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Amount {
    pub currency: String,
    pub amount: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PriorityRollup {
    /// must_have, deferred, nice_to_have, or `null` for not prioritised yet.
    pub priority: Option<String>,
    pub requirements: i64,
    pub estimated: i64,
    pub effort_days: f64,
    pub cost: Vec<Amount>,
    /// Of the estimated ones, how many stay on the standard process.
    pub standard_process: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollupView {
    pub by_priority: Vec<PriorityRollup>,
    /// Share of estimated requirements kept on the standard process (0 to 1; `null` when none is
    /// estimated).
    pub standard_process_share: Option<f64>,
}

pub(crate) fn check_one_of(field: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// What a version keeps of a requirement: the fields a person edits.
///
/// Written straight to JSON, with the keys in alphabetical order: the same text as a
/// `serde_json::Value` of these fields gives (its map sorts keys), without building one first
/// (an import makes one per requirement).
#[derive(Serialize)]
struct VersionFields<'a> {
    functional_area: &'a str,
    owner_id: Option<Uuid>,
    priority: Option<&'a str>,
    rationale: &'a str,
    source: &'a str,
    statement: &'a str,
    status: &'a str,
    title: &'a str,
}

/// A version's snapshot of `r`, as JSON text.
pub(crate) fn snapshot_text(r: &Requirement) -> String {
    serde_json::to_string(&VersionFields {
        functional_area: &r.functional_area,
        owner_id: r.owner_id,
        priority: r.priority.as_deref(),
        rationale: &r.rationale,
        source: &r.source,
        statement: &r.statement,
        status: &r.status,
        title: &r.title,
    })
    .unwrap_or_default()
}

pub(crate) async fn names(
    tx: &mut Tx,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(accord_store::user::get_many(tx, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

pub(crate) fn person(names: &HashMap<Uuid, String>, id: Uuid) -> PersonRef {
    PersonRef {
        id,
        name: names.get(&id).cloned().unwrap_or_default(),
    }
}

fn view(r: &Requirement, names: &HashMap<Uuid, String>) -> RequirementView {
    RequirementView {
        id: r.id,
        key: r.key.clone(),
        title: r.title.clone(),
        statement: r.statement.clone(),
        rationale: r.rationale.clone(),
        functional_area: r.functional_area.clone(),
        source: r.source.clone(),
        owner: r.owner_id.map(|id| person(names, id)),
        status: r.status.clone(),
        priority: r.priority.clone(),
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// The functional areas of an engagement: those its functional area managers hold.
pub(crate) async fn areas(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<String>> {
    let mut out: Vec<String> = accord_store::role::list(tx, engagement_id, false)
        .await?
        .into_iter()
        .filter(|a| a.role == "functional_area_manager")
        .filter_map(|a| a.functional_area)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

pub(crate) async fn check_area(tx: &mut Tx, engagement_id: Uuid, area: &str) -> Result<String> {
    let area = validate::text("functional_area", area, 200)?;
    let known = areas(tx, engagement_id).await?;
    if known.iter().any(|a| a == &area) {
        Ok(area)
    } else if known.is_empty() {
        Err(Error::invalid(
            "functional_area",
            "is not an area of this engagement: it has none yet (assign a functional area manager first)",
        ))
    } else {
        Err(Error::invalid(
            "functional_area",
            format!(
                "is not an area of this engagement; its areas are: {}",
                known.join(", ")
            ),
        ))
    }
}

pub(crate) async fn check_owner(
    tx: &mut Tx,
    e: &accord_store::engagement::Engagement,
    owner: Uuid,
) -> Result<()> {
    match accord_store::user::get(tx, owner).await {
        Ok(u)
            if (u.organisation_id == e.customer_id || u.organisation_id == e.partner_id)
                && !u.disabled =>
        {
            Ok(())
        }
        Ok(_) | Err(accord_store::StoreError::NotFound) => Err(Error::invalid(
            "owner_id",
            "is not an active member of the customer or the partner of this engagement",
        )),
        Err(err) => Err(err.into()),
    }
}

/// Whether `actor` has decision authority over priorities in `area`: its functional area
/// manager, or a business process owner of the engagement.
pub(crate) async fn has_authority(
    tx: &mut Tx,
    actor: &Actor,
    engagement_id: Uuid,
    area: &str,
) -> Result<bool> {
    Ok(accord_store::role::list(tx, engagement_id, false)
        .await?
        .iter()
        .any(|a| {
            a.user_id == actor.user_id
                && (a.role == "business_process_owner"
                    || (a.role == "functional_area_manager"
                        && a.functional_area.as_deref() == Some(area)))
        }))
}

impl App {
    /// The engagement's functional areas: those its functional area managers hold.
    pub async fn functional_areas(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
    ) -> Result<Vec<String>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, engagement_id).await?;
        areas(&mut tx, engagement_id).await
    }

    async fn write_version(&self, w: &mut WriteTx, actor: &Actor, r: &Requirement) -> Result<()> {
        accord_store::requirement::insert_version(
            &mut w.tx,
            &Version {
                requirement_id: r.id,
                version: r.version,
                snapshot: snapshot_text(r),
                actor_id: Some(actor.user_id),
                at: r.updated_at,
            },
        )
        .await?;
        Ok(())
    }

    /// Creates a requirement (status draft, version 1) with the next key of the engagement.
    pub async fn create_requirement(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        input: NewRequirement,
    ) -> Result<RequirementView> {
        let mut errors = Vec::new();
        let mut keep = |r: std::result::Result<String, accord_domain::DomainError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.extend(Error::from(e).field_errors());
                String::new()
            }
        };
        let title = keep(validate::text("title", &input.title, 200));
        let statement = keep(validate::text("statement", &input.statement, 10_000));
        let rationale = keep(validate::optional_text(
            "rationale",
            &input.rationale,
            5_000,
        ));
        let source = keep(validate::optional_text("source", &input.source, 500));
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let (mut w, e) = self.write_engagement(actor, engagement_id).await?;
        let area = check_area(&mut w.tx, engagement_id, &input.functional_area).await?;
        if let Some(o) = input.owner_id {
            check_owner(&mut w.tx, &e, o).await?;
        }
        let seq = accord_store::requirement::next_seq(&mut w.tx, engagement_id).await?;
        let now = self.now();
        let r = Requirement {
            id: accord_domain::new_id(),
            engagement_id,
            seq,
            key: format!("REQ-{seq:04}"),
            title,
            statement,
            rationale,
            functional_area: area,
            source,
            owner_id: input.owner_id,
            status: "draft".into(),
            priority: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        accord_store::requirement::insert(&mut w.tx, &r).await?;
        self.write_version(&mut w, actor, &r).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "requirement.create",
                record_type: "requirement",
                record_id: Some(r.id),
                before: None,
                after: Some(snapshot(&r)),
                reason: None,
            },
        )
        .await?;
        let names = names(&mut w.tx, r.owner_id).await?;
        w.commit().await?;
        Ok(view(&r, &names))
    }

    /// Edits a requirement read at version `expected`; a new version records the change.
    pub async fn update_requirement(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        id: Uuid,
        expected: i64,
        patch: RequirementPatch,
    ) -> Result<RequirementView> {
        let (mut w, e) = self.write_engagement(actor, engagement_id).await?;
        let r = self
            .patch_requirement(&mut w, actor, &e, id, expected, &patch, None)
            .await?;
        let names = names(&mut w.tx, r.owner_id).await?;
        w.commit().await?;
        Ok(view(&r, &names))
    }

    /// Gives a selection of requirements the same functional area, owner or status in one
    /// transaction: each changed requirement gets its own version and audit event; if any was
    /// changed since it was read (or any value is refused), none is.
    pub async fn bulk_update_requirements(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        selection: &[(Uuid, i64)],
        patch: RequirementPatch,
    ) -> Result<Vec<RequirementView>> {
        if selection.is_empty() {
            return Err(Error::invalid("items", "select at least one requirement"));
        }
        if selection.len() > 500 {
            return Err(Error::invalid(
                "items",
                format!("{} selected; at most 500 at once", selection.len()),
            ));
        }
        if patch.title.is_some()
            || patch.statement.is_some()
            || patch.rationale.is_some()
            || patch.source.is_some()
        {
            return Err(Error::invalid(
                "items",
                "a bulk edit changes only the functional area, owner or status",
            ));
        }
        if patch.functional_area.is_none() && patch.owner_id.is_none() && patch.status.is_none() {
            return Err(Error::invalid(
                "items",
                "say what to change: functional_area, owner_id or status",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some((id, _)) = selection.iter().find(|(id, _)| !seen.insert(*id)) {
            return Err(Error::invalid("items", format!("{id} is selected twice")));
        }
        let (mut w, e) = self.write_engagement(actor, engagement_id).await?;
        let mut out = Vec::new();
        for (id, version) in selection {
            let r = match self
                .patch_requirement(&mut w, actor, &e, *id, *version, &patch, Some("bulk edit"))
                .await
            {
                Err(Error::NotFound) => {
                    return Err(Error::invalid(
                        "items",
                        format!("{id} is not a requirement of this engagement"),
                    ))
                }
                other => other?,
            };
            out.push(r);
        }
        let names = names(&mut w.tx, out.iter().filter_map(|r| r.owner_id)).await?;
        w.commit().await?;
        Ok(out.iter().map(|r| view(r, &names)).collect())
    }

    /// Applies `patch` to requirement `id` read at version `expected` inside an open write: a
    /// new version and an audit event when anything changed.
    #[allow(clippy::too_many_arguments)]
    async fn patch_requirement(
        &self,
        w: &mut WriteTx,
        actor: &Actor,
        e: &accord_store::engagement::Engagement,
        id: Uuid,
        expected: i64,
        patch: &RequirementPatch,
        reason: Option<&str>,
    ) -> Result<Requirement> {
        let engagement_id = e.id;
        let before = accord_store::requirement::get(&mut w.tx, engagement_id, id).await?;
        if before.version != expected {
            return Err(Error::Stale {
                current_version: Some(before.version),
            });
        }
        let mut r = before.clone();
        let mut c = crate::check::Check::default();
        c.set_text("title", &mut r.title, &patch.title, 200);
        c.set_text("statement", &mut r.statement, &patch.statement, 10_000);
        c.set_optional("rationale", &mut r.rationale, &patch.rationale, 5_000);
        c.set_optional("source", &mut r.source, &patch.source, 500);
        c.set_one_of("status", &mut r.status, &patch.status, &STATUSES);
        c.finish()?;
        if let Some(a) = &patch.functional_area {
            if a.trim() != r.functional_area {
                r.functional_area = check_area(&mut w.tx, engagement_id, a).await?;
            }
        }
        if let Some(o) = patch.owner_id {
            if let Some(o) = o {
                check_owner(&mut w.tx, e, o).await?;
            }
            r.owner_id = o;
        }
        if r == before {
            return Ok(r);
        }
        r.version += 1;
        r.updated_at = self.now();
        accord_store::requirement::update(&mut w.tx, &r, expected).await?;
        self.write_version(w, actor, &r).await?;
        self.audit(
            w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "requirement.update",
                record_type: "requirement",
                record_id: Some(r.id),
                before: Some(snapshot(&before)),
                after: Some(snapshot(&r)),
                reason,
            },
        )
        .await?;
        Ok(r)
    }

    /// A page of the engagement's requirements.
    pub async fn list_requirements(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        mut filter: Filter,
    ) -> Result<Page<RequirementView>> {
        if let Some(s) = &filter.status {
            check_one_of("status", s, &STATUSES)?;
        }
        if let Some(p) = &filter.priority {
            check_one_of("priority", p, &PRIORITIES)?;
        }
        if let Some(s) = &filter.sort {
            if !accord_store::requirement::valid_sort(s) {
                return Err(Error::invalid(
                    "sort",
                    "must be key, title, status, priority or updated, with - for descending",
                ));
            }
        }
        if let Some(q) = &filter.q {
            // Control characters (a NUL, which PostgreSQL refuses in text, among them) and
            // search texts longer than any title are refused by name, not failed on.
            validate::optional_text("q", q, 200)?;
        }
        filter.limit = filter.limit.clamp(1, 500);
        filter.offset = filter.offset.max(0);
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, engagement_id).await?;
        let mut rows = accord_store::requirement::list(&mut tx, engagement_id, &filter).await?;
        let more = rows.len() as i64 > filter.limit;
        rows.truncate(usize::try_from(filter.limit).unwrap_or(500));
        let names = names(&mut tx, rows.iter().filter_map(|r| r.owner_id)).await?;
        Ok(Page {
            items: rows.iter().map(|r| view(r, &names)).collect(),
            next_cursor: more.then(|| (filter.offset + filter.limit).to_string()),
        })
    }

    /// A requirement with its clarifications, priority decisions and estimate.
    pub async fn requirement(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        id: Uuid,
    ) -> Result<RequirementDetail> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, engagement_id).await?;
        let r = accord_store::requirement::get(&mut tx, engagement_id, id).await?;
        let clars = accord_store::requirement::clarifications(&mut tx, id).await?;
        let decisions = accord_store::requirement::decisions(&mut tx, id).await?;
        let estimate = accord_store::requirement::estimate(&mut tx, id).await?;
        let can_prioritise =
            has_authority(&mut tx, actor, engagement_id, &r.functional_area).await?;
        let origin = crate::reqif::origin(&mut tx, id).await?;
        let mut ids: Vec<Uuid> = r.owner_id.into_iter().collect();
        ids.extend(
            clars
                .iter()
                .flat_map(|c| std::iter::once(c.asked_by).chain(c.answered_by)),
        );
        ids.extend(decisions.iter().map(|d| d.decided_by));
        if let Some(e) = &estimate {
            ids.push(e.estimated_by);
            ids.extend(e.acknowledged_by);
        }
        let names = names(&mut tx, ids).await?;
        let now = self.now();
        Ok(RequirementDetail {
            requirement: view(&r, &names),
            clarifications: clars
                .iter()
                .map(|c| clarification_view(c, &names, now))
                .collect(),
            decisions: decisions
                .iter()
                .map(|d| DecisionView {
                    priority: d.priority.clone(),
                    rationale: d.rationale.clone(),
                    decided_by: person(&names, d.decided_by),
                    decided_at: d.decided_at,
                })
                .collect(),
            estimate: estimate.map(|e| EstimateView {
                effort_days: e.effort_days,
                cost: e.cost,
                currency: e.currency.clone(),
                feasibility: e.feasibility.clone(),
                fit: e.fit.clone(),
                basis: e.basis.clone(),
                estimated_by: person(&names, e.estimated_by),
                estimated_at: e.estimated_at,
                acknowledged_by: e.acknowledged_by.map(|id| person(&names, id)),
                acknowledged_at: e.acknowledged_at,
            }),
            can_prioritise,
            origin,
        })
    }

    /// Every version of a requirement with the fields each changed.
    pub async fn requirement_versions(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        id: Uuid,
    ) -> Result<Vec<VersionView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, engagement_id).await?;
        accord_store::requirement::get(&mut tx, engagement_id, id).await?;
        let versions = accord_store::requirement::versions(&mut tx, id).await?;
        let names = names(&mut tx, versions.iter().filter_map(|v| v.actor_id)).await?;
        let mut previous = serde_json::Value::Null;
        let mut out = Vec::new();
        for v in versions {
            let snap: serde_json::Value = serde_json::from_str(&v.snapshot).unwrap_or_default();
            let changes = FIELDS
                .iter()
                .filter_map(|f| {
                    let before = previous.get(f).cloned().unwrap_or(serde_json::Value::Null);
                    let after = snap.get(f).cloned().unwrap_or(serde_json::Value::Null);
                    (before != after).then(|| FieldChange {
                        field: f.to_string(),
                        before,
                        after,
                    })
                })
                .collect();
            out.push(VersionView {
                version: v.version,
                at: v.at,
                author: v.actor_id.map(|id| person(&names, id)),
                changes,
                snapshot: snap.clone(),
            });
            previous = snap;
        }
        Ok(out)
    }

    /// Sets the priority: only the functional area manager of the requirement's area or a
    /// business process owner may. A refusal is audited and changes nothing else.
    pub async fn set_priority(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        id: Uuid,
        priority: &str,
        rationale: &str,
        expected: Option<i64>,
    ) -> Result<RequirementView> {
        check_one_of("priority", priority, &PRIORITIES)?;
        let rationale = validate::text("rationale", rationale, 2_000)?;
        let (mut w, _) = self.write_engagement(actor, engagement_id).await?;
        let before = accord_store::requirement::get(&mut w.tx, engagement_id, id).await?;
        if !has_authority(&mut w.tx, actor, engagement_id, &before.functional_area).await? {
            let detail = format!(
                "only the functional area manager of {} or a business process owner may set the priority of {}",
                before.functional_area, before.key
            );
            self.audit(
                &mut w,
                AuditEntry {
                    actor: Some(actor.user_id),
                    action: "requirement.priority_refused",
                    record_type: "requirement",
                    record_id: Some(id),
                    before: None,
                    after: Some(
                        serde_json::json!({ "priority": priority, "rationale": rationale }),
                    ),
                    reason: Some("no decision authority"),
                },
            )
            .await?;
            w.commit().await?;
            return Err(Error::Forbidden(detail));
        }
        // A decision taken on a page read before the requirement changed is not taken.
        if expected.is_some_and(|v| v != before.version) {
            return Err(Error::Stale {
                current_version: Some(before.version),
            });
        }
        let now = self.now();
        let mut r = before.clone();
        r.priority = Some(priority.to_string());
        r.version += 1;
        r.updated_at = now;
        accord_store::requirement::update(&mut w.tx, &r, before.version).await?;
        self.write_version(&mut w, actor, &r).await?;
        let d = PriorityDecision {
            id: accord_domain::new_id(),
            requirement_id: id,
            priority: priority.to_string(),
            rationale: rationale.clone(),
            decided_by: actor.user_id,
            decided_at: now,
        };
        accord_store::requirement::insert_decision(&mut w.tx, &d).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "requirement.priority",
                record_type: "requirement",
                record_id: Some(id),
                before: Some(serde_json::json!({ "priority": before.priority, "version": before.version })),
                after: Some(serde_json::json!({ "priority": priority, "version": r.version, "decision_id": d.id })),
                reason: Some(&rationale),
            },
        )
        .await?;
        let names = names(&mut w.tx, r.owner_id).await?;
        w.commit().await?;
        Ok(view(&r, &names))
    }

    /// Asks a question about a requirement.
    pub async fn ask_clarification(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        requirement_id: Uuid,
        question: &str,
    ) -> Result<ClarificationView> {
        let question = validate::text("question", question, 5_000)?;
        let (mut w, _) = self.write_engagement(actor, engagement_id).await?;
        accord_store::requirement::get(&mut w.tx, engagement_id, requirement_id).await?;
        let c = Clarification {
            id: accord_domain::new_id(),
            engagement_id,
            requirement_id,
            question,
            asked_by: actor.user_id,
            asked_at: self.now(),
            answer: None,
            answered_by: None,
            answered_at: None,
        };
        accord_store::requirement::insert_clarification(&mut w.tx, &c).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "clarification.ask",
                record_type: "clarification",
                record_id: Some(c.id),
                before: None,
                after: Some(snapshot(&c)),
                reason: None,
            },
        )
        .await?;
        let names = names(&mut w.tx, [actor.user_id]).await?;
        w.commit().await?;
        Ok(clarification_view(&c, &names, c.asked_at))
    }

    /// The clarifications of a requirement, oldest first, with how long open ones have waited.
    pub async fn list_clarifications(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        requirement_id: Uuid,
    ) -> Result<Vec<ClarificationView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, engagement_id).await?;
        accord_store::requirement::get(&mut tx, engagement_id, requirement_id).await?;
        let clars = accord_store::requirement::clarifications(&mut tx, requirement_id).await?;
        let names = names(
            &mut tx,
            clars
                .iter()
                .flat_map(|c| std::iter::once(c.asked_by).chain(c.answered_by)),
        )
        .await?;
        let now = self.now();
        Ok(clars
            .iter()
            .map(|c| clarification_view(c, &names, now))
            .collect())
    }

    /// Answers an open question; a question already answered is refused (409).
    pub async fn answer_clarification(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        requirement_id: Uuid,
        id: Uuid,
        answer: &str,
    ) -> Result<ClarificationView> {
        let answer = validate::text("answer", answer, 5_000)?;
        let (mut w, _) = self.write_engagement(actor, engagement_id).await?;
        accord_store::requirement::get(&mut w.tx, engagement_id, requirement_id).await?;
        let mut c =
            accord_store::requirement::get_clarification(&mut w.tx, requirement_id, id).await?;
        let now = self.now();
        if !accord_store::requirement::answer_clarification(
            &mut w.tx,
            id,
            &answer,
            actor.user_id,
            now,
        )
        .await?
        {
            return Err(Error::Refused {
                detail: "the question has been answered already".into(),
                unmet: Vec::new(),
            });
        }
        c.answer = Some(answer);
        c.answered_by = Some(actor.user_id);
        c.answered_at = Some(now);
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "clarification.answer",
                record_type: "clarification",
                record_id: Some(id),
                before: None,
                after: Some(snapshot(&c)),
                reason: None,
            },
        )
        .await?;
        let names = names(&mut w.tx, [c.asked_by, actor.user_id]).await?;
        w.commit().await?;
        Ok(clarification_view(&c, &names, now))
    }

    /// The partner's estimate of a requirement (members of the partner only). A new estimate
    /// replaces the old one and waits for the customer's acknowledgement again.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_estimate(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        requirement_id: Uuid,
        effort_days: f64,
        cost: f64,
        currency: &str,
        feasibility: &str,
        fit: &str,
        basis: &str,
    ) -> Result<EstimateView> {
        let mut errors = Vec::new();
        if !(effort_days.is_finite() && (0.0..=100_000.0).contains(&effort_days)) {
            errors.push(field_error(
                "effort_days",
                "must be a number of days from 0 to 100000",
            ));
        }
        if !(cost.is_finite() && (0.0..=1e12).contains(&cost)) {
            errors.push(field_error(
                "cost",
                "must be an amount from 0 to 1000000000000",
            ));
        }
        let currency = currency.trim().to_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            errors.push(field_error(
                "currency",
                "must be a three-letter ISO 4217 code such as EUR",
            ));
        }
        for (f, v, allowed) in [
            ("feasibility", feasibility, &FEASIBILITIES),
            ("fit", fit, &FITS),
        ] {
            if let Err(e) = check_one_of(f, v, allowed) {
                errors.extend(e.field_errors());
            }
        }
        let basis = match validate::text("basis", basis, 5_000) {
            Ok(b) => b,
            Err(e) => {
                errors.extend(Error::from(e).field_errors());
                String::new()
            }
        };
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let (mut w, e) = self.write_engagement(actor, engagement_id).await?;
        if actor.organisation_id != e.partner_id {
            return Err(Error::Forbidden(
                "only members of the partner estimate requirements".into(),
            ));
        }
        accord_store::requirement::get(&mut w.tx, engagement_id, requirement_id).await?;
        let before = accord_store::requirement::estimate(&mut w.tx, requirement_id).await?;
        let est = Estimate {
            requirement_id,
            effort_days,
            cost,
            currency,
            feasibility: feasibility.to_string(),
            fit: fit.to_string(),
            basis,
            estimated_by: actor.user_id,
            estimated_at: self.now(),
            acknowledged_by: None,
            acknowledged_at: None,
        };
        accord_store::requirement::put_estimate(&mut w.tx, &est).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "estimate.put",
                record_type: "estimate",
                record_id: Some(requirement_id),
                before: before.as_ref().map(snapshot),
                after: Some(snapshot(&est)),
                reason: None,
            },
        )
        .await?;
        let names = names(&mut w.tx, [actor.user_id]).await?;
        w.commit().await?;
        Ok(estimate_view(&est, &names))
    }

    /// The customer acknowledges the partner's current estimate (members of the customer only).
    /// `seen` is the `estimated_at` of the estimate the customer read: when the partner has
    /// replaced it since, nothing is acknowledged (409).
    pub async fn acknowledge_estimate(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        requirement_id: Uuid,
        seen: Option<OffsetDateTime>,
    ) -> Result<EstimateView> {
        let (mut w, e) = self.write_engagement(actor, engagement_id).await?;
        if actor.organisation_id != e.customer_id {
            return Err(Error::Forbidden(
                "only members of the customer acknowledge estimates".into(),
            ));
        }
        accord_store::requirement::get(&mut w.tx, engagement_id, requirement_id).await?;
        let current = accord_store::requirement::estimate(&mut w.tx, requirement_id).await?;
        if let (Some(seen), Some(cur)) = (seen, &current) {
            if accord_domain::time::to_micros(seen) != cur.estimated_at {
                return Err(Error::Refused {
                    detail: "the partner replaced the estimate since you read it; read it again"
                        .into(),
                    unmet: Vec::new(),
                });
            }
        }
        let now = self.now();
        if !accord_store::requirement::acknowledge_estimate(
            &mut w.tx,
            requirement_id,
            actor.user_id,
            now,
        )
        .await?
        {
            let detail =
                match accord_store::requirement::estimate(&mut w.tx, requirement_id).await? {
                    None => "the requirement has no estimate to acknowledge",
                    Some(_) => "the estimate is acknowledged already",
                };
            return Err(Error::Refused {
                detail: detail.into(),
                unmet: Vec::new(),
            });
        }
        let est = accord_store::requirement::estimate(&mut w.tx, requirement_id)
            .await?
            .ok_or(Error::NotFound)?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "estimate.acknowledge",
                record_type: "estimate",
                record_id: Some(requirement_id),
                before: None,
                // The estimate acknowledged, whole: the trail says what the customer agreed to.
                after: Some(snapshot(&est)),
                reason: None,
            },
        )
        .await?;
        let names = names(&mut w.tx, [est.estimated_by, actor.user_id]).await?;
        w.commit().await?;
        Ok(estimate_view(&est, &names))
    }

    /// Totals per priority: requirements, estimated ones, effort, cost per currency, and the
    /// share kept on the standard process.
    pub async fn requirement_rollup(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
    ) -> Result<RollupView> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, engagement_id).await?;
        let rows = accord_store::requirement::rollup(&mut tx, engagement_id).await?;
        let mut by: BTreeMap<Option<String>, PriorityRollup> = BTreeMap::new();
        for r in rows {
            let entry = by
                .entry(r.priority.clone())
                .or_insert_with(|| PriorityRollup {
                    priority: r.priority.clone(),
                    requirements: 0,
                    estimated: 0,
                    effort_days: 0.0,
                    cost: Vec::new(),
                    standard_process: 0,
                });
            entry.requirements += r.requirements;
            entry.estimated += r.estimated;
            entry.effort_days += r.effort_days.unwrap_or(0.0);
            entry.standard_process += r.standard_process;
            if let (Some(currency), Some(amount)) = (r.currency, r.cost) {
                entry.cost.push(Amount { currency, amount });
            }
        }
        let estimated: i64 = by.values().map(|p| p.estimated).sum();
        let standard: i64 = by.values().map(|p| p.standard_process).sum();
        // must_have first, as the article reads them; then deferred, nice_to_have, none.
        let mut by_priority: Vec<PriorityRollup> = by.into_values().collect();
        let rank = |p: &Option<String>| match p.as_deref() {
            Some("must_have") => 0,
            Some("deferred") => 1,
            Some("nice_to_have") => 2,
            _ => 3,
        };
        by_priority.sort_by_key(|p| rank(&p.priority));
        Ok(RollupView {
            by_priority,
            standard_process_share: (estimated > 0).then(|| standard as f64 / estimated as f64),
        })
    }
}

fn field_error(field: &str, message: &str) -> crate::FieldError {
    crate::FieldError {
        field: field.into(),
        message: message.into(),
    }
}

fn clarification_view(
    c: &Clarification,
    names: &HashMap<Uuid, String>,
    now: OffsetDateTime,
) -> ClarificationView {
    ClarificationView {
        id: c.id,
        question: c.question.clone(),
        asked_by: person(names, c.asked_by),
        asked_at: c.asked_at,
        answer: c.answer.clone(),
        answered_by: c.answered_by.map(|id| person(names, id)),
        answered_at: c.answered_at,
        open_hours: c
            .answer
            .is_none()
            .then(|| (now - c.asked_at).whole_hours().max(0)),
    }
}

fn estimate_view(e: &Estimate, names: &HashMap<Uuid, String>) -> EstimateView {
    EstimateView {
        effort_days: e.effort_days,
        cost: e.cost,
        currency: e.currency.clone(),
        feasibility: e.feasibility.clone(),
        fit: e.fit.clone(),
        basis: e.basis.clone(),
        estimated_by: person(names, e.estimated_by),
        estimated_at: e.estimated_at,
        acknowledged_by: e.acknowledged_by.map(|id| person(names, id)),
        acknowledged_at: e.acknowledged_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reqif::new_requirement;

    fn requirement(owner: Option<Uuid>, priority: Option<&str>, text: &str) -> Requirement {
        let (mut r, _) = new_requirement(
            Uuid::from_u128(7),
            42,
            "QC laboratory",
            format!("Title {text}"),
            format!("Statement \"{text}\"\n\twith a tab and a \\ backslash"),
            format!("ReqIF spec: {text}"),
            Uuid::from_u128(9),
            time::macros::datetime!(2026-11-27 21:05:01.123456 UTC),
        );
        r.owner_id = owner;
        r.priority = priority.map(str::to_string);
        r
    }

    fn cases() -> Vec<Requirement> {
        vec![
            requirement(None, None, "plain"),
            requirement(
                Some(Uuid::from_u128(3)),
                Some("high"),
                "Prüfung 检验 </p> &amp;",
            ),
            requirement(None, Some(""), "\u{1}control"),
        ]
    }

    /// A version's snapshot is the text the `Value` it replaced gave, byte for byte.
    #[test]
    fn version_snapshot_is_the_value_it_replaced() {
        for r in cases() {
            let expected = serde_json::json!({
                "title": r.title, "statement": r.statement, "rationale": r.rationale,
                "functional_area": r.functional_area, "source": r.source, "owner_id": r.owner_id,
                "status": r.status, "priority": r.priority,
            });
            assert_eq!(snapshot_text(&r), expected.to_string());
        }
    }
}
