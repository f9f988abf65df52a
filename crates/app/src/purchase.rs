//! The purchase cycle (issue 4, item 1): the business case's objectives, the procurement map
//! that lines the customer's procurement steps up with the partner's sales and onboarding steps,
//! and the register of stakeholder insights (opportunities, limitations, risks). Objectives and
//! risks feed the purchase → implementation gate (see [`gate_criteria`]).

use crate::check::Check;
use crate::engagement::load_visible;
use crate::requirement::{check_owner, names, person, PersonRef};
use crate::{snapshot, Actor, App, AuditEntry, Error, Result};
use accord_domain::engagement::Criterion;
use accord_store::purchase::{Insight, Objective, ProcurementStep};
use accord_store::Tx;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

pub const OBJECTIVE_STATUSES: [&str; 4] = ["proposed", "approved", "achieved", "dropped"];
pub const STEP_STATUSES: [&str; 4] = ["not_started", "in_progress", "done", "blocked"];
pub const INSIGHT_KINDS: [&str; 3] = ["opportunity", "limitation", "risk"];
pub const SEVERITIES: [&str; 3] = ["low", "medium", "high"];
pub const INSIGHT_STATUSES: [&str; 3] = ["open", "addressed", "closed"];

/// The id of the gate criterion "the business case has objectives, all approved by the
/// executive sponsor".
pub const OBJECTIVES_APPROVED: &str = "objectives-approved";
/// The id of the gate criterion "no open high risk without an owner".
pub const RISKS_OWNED: &str = "risks-owned";

/// A business-case objective as its author gives it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObjective {
    /// The business outcome expected (at most 500 characters).
    pub outcome: String,
    /// How it is measured.
    pub metric: String,
    /// The measure today.
    #[serde(default)]
    pub baseline: String,
    /// The measure that shows the value.
    pub target: String,
    /// The date by which the value must be shown, `YYYY-MM-DD`.
    pub value_by: String,
    /// The strategy or mission the objective serves.
    #[serde(default)]
    pub serves: String,
    pub owner_id: Option<Uuid>,
}

/// Changes to an objective; absent fields stay as they are. Setting `status` to `approved` is
/// the executive sponsor's alone; changing what an approved objective says withdraws the
/// approval.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectivePatch {
    pub outcome: Option<String>,
    pub metric: Option<String>,
    pub baseline: Option<String>,
    pub target: Option<String>,
    pub value_by: Option<String>,
    pub serves: Option<String>,
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    /// proposed, approved, achieved or dropped.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObjectiveView {
    pub id: Uuid,
    pub key: String,
    pub outcome: String,
    pub metric: String,
    pub baseline: String,
    pub target: String,
    /// `YYYY-MM-DD`.
    pub value_by: String,
    pub serves: String,
    pub owner: Option<PersonRef>,
    /// proposed, approved, achieved or dropped.
    pub status: String,
    pub approved_by: Option<PersonRef>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A procurement step as its author gives it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProcurementStep {
    /// The customer's step (vendor qualification, quality agreement, purchase order...).
    pub customer_step: String,
    /// The partner's sales or onboarding step it meets.
    pub partner_step: String,
    pub owner_id: Option<Uuid>,
    /// `YYYY-MM-DD`.
    pub due_on: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcurementStepPatch {
    pub customer_step: Option<String>,
    pub partner_step: Option<String>,
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    pub due_on: Option<String>,
    /// not_started, in_progress, done or blocked.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProcurementStepView {
    pub id: Uuid,
    pub key: String,
    pub customer_step: String,
    pub partner_step: String,
    pub owner: Option<PersonRef>,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// not_started, in_progress, done or blocked.
    pub status: String,
    /// Past its due date and not done.
    pub overdue: bool,
    /// How many days past its due date (0 when not overdue).
    pub days_overdue: i64,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A stakeholder insight as its author gives it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInsight {
    /// opportunity, limitation or risk.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// low, medium (default) or high.
    #[serde(default)]
    pub severity: Option<String>,
    pub owner_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightPatch {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub severity: Option<String>,
    #[serde(default, deserialize_with = "crate::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    /// open, addressed or closed.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InsightView {
    pub id: Uuid,
    pub key: String,
    /// opportunity, limitation or risk.
    pub kind: String,
    pub title: String,
    pub description: String,
    /// low, medium or high.
    pub severity: String,
    pub owner: Option<PersonRef>,
    /// open, addressed or closed.
    pub status: String,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

fn owner(names: &HashMap<Uuid, String>, id: Option<Uuid>) -> Option<PersonRef> {
    id.map(|id| person(names, id))
}

fn objective_view(o: &Objective, n: &HashMap<Uuid, String>) -> ObjectiveView {
    ObjectiveView {
        id: o.id,
        key: o.key.clone(),
        outcome: o.outcome.clone(),
        metric: o.metric.clone(),
        baseline: o.baseline.clone(),
        target: o.target.clone(),
        value_by: o.value_by.to_string(),
        serves: o.serves.clone(),
        owner: owner(n, o.owner_id),
        status: o.status.clone(),
        approved_by: owner(n, o.approved_by),
        approved_at: o.approved_at,
        version: o.version,
        updated_at: o.updated_at,
    }
}

fn step_view(s: &ProcurementStep, n: &HashMap<Uuid, String>, today: Date) -> ProcurementStepView {
    let days = (today - s.due_on).whole_days();
    let overdue = s.status != "done" && days > 0;
    ProcurementStepView {
        id: s.id,
        key: s.key.clone(),
        customer_step: s.customer_step.clone(),
        partner_step: s.partner_step.clone(),
        owner: owner(n, s.owner_id),
        due_on: s.due_on.to_string(),
        status: s.status.clone(),
        overdue,
        days_overdue: if overdue { days } else { 0 },
        version: s.version,
        updated_at: s.updated_at,
    }
}

fn insight_view(i: &Insight, n: &HashMap<Uuid, String>) -> InsightView {
    InsightView {
        id: i.id,
        key: i.key.clone(),
        kind: i.kind.clone(),
        title: i.title.clone(),
        description: i.description.clone(),
        severity: i.severity.clone(),
        owner: owner(n, i.owner_id),
        status: i.status.clone(),
        version: i.version,
        updated_at: i.updated_at,
    }
}

/// Whether `actor` holds the executive sponsor role in the engagement.
async fn is_sponsor(tx: &mut Tx, actor: &Actor, engagement_id: Uuid) -> Result<bool> {
    Ok(accord_store::role::list(tx, engagement_id, false)
        .await?
        .iter()
        .any(|a| a.user_id == actor.user_id && a.role == "executive_sponsor"))
}

/// The purchase cycle's criteria of the gate into implementation, evaluated now.
pub(crate) async fn gate_criteria(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Criterion>> {
    let objectives: Vec<Objective> = accord_store::purchase::objectives(tx, engagement_id)
        .await?
        .into_iter()
        .filter(|o| o.status != "dropped")
        .collect();
    let waiting: Vec<&str> = objectives
        .iter()
        .filter(|o| o.approved_by.is_none())
        .map(|o| o.key.as_str())
        .collect();
    let objectives_evidence = if objectives.is_empty() {
        "no objectives recorded".to_string()
    } else if waiting.is_empty() {
        format!("{} objectives approved", objectives.len())
    } else {
        format!("not approved yet: {}", waiting.join(", "))
    };
    let unowned: Vec<String> = accord_store::purchase::insights(tx, engagement_id)
        .await?
        .into_iter()
        .filter(|i| {
            i.kind == "risk" && i.severity == "high" && i.status == "open" && i.owner_id.is_none()
        })
        .map(|i| i.key)
        .collect();
    Ok(vec![
        Criterion {
            id: OBJECTIVES_APPROVED.into(),
            text: "The business case has objectives, each approved by the executive sponsor".into(),
            met: !objectives.is_empty() && waiting.is_empty(),
            evidence: Some(objectives_evidence),
        },
        Criterion {
            id: RISKS_OWNED.into(),
            text: "No open high risk is without an owner".into(),
            met: unowned.is_empty(),
            evidence: Some(if unowned.is_empty() {
                "every open high risk has an owner".into()
            } else {
                format!("without an owner: {}", unowned.join(", "))
            }),
        },
    ])
}

impl App {
    pub async fn list_objectives(&self, actor: &Actor, eid: Uuid) -> Result<Vec<ObjectiveView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, eid).await?;
        let rows = accord_store::purchase::objectives(&mut tx, eid).await?;
        let n = names(
            &mut tx,
            rows.iter()
                .flat_map(|o| o.owner_id.into_iter().chain(o.approved_by)),
        )
        .await?;
        Ok(rows.iter().map(|o| objective_view(o, &n)).collect())
    }

    /// Records an objective of the business case (status proposed).
    pub async fn create_objective(
        &self,
        actor: &Actor,
        eid: Uuid,
        input: NewObjective,
    ) -> Result<ObjectiveView> {
        let mut c = Check::default();
        let outcome = c.text("outcome", &input.outcome, 500);
        let metric = c.text("metric", &input.metric, 500);
        let baseline = c.optional("baseline", &input.baseline, 500);
        let target = c.text("target", &input.target, 500);
        let value_by = c.date("value_by", &input.value_by);
        let serves = c.optional("serves", &input.serves, 500);
        c.finish()?;
        let (mut w, e) = self.write_engagement(actor, eid).await?;
        if let Some(o) = input.owner_id {
            check_owner(&mut w.tx, &e, o).await?;
        }
        let seq = accord_store::purchase::next_seq(&mut w.tx, "objectives", eid).await?;
        let now = self.now();
        let o = Objective {
            id: accord_domain::new_id(),
            engagement_id: eid,
            seq,
            key: format!("OBJ-{seq:03}"),
            outcome,
            metric,
            baseline,
            target,
            value_by: value_by.unwrap_or(now.date()),
            serves,
            owner_id: input.owner_id,
            status: "proposed".into(),
            approved_by: None,
            approved_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        accord_store::purchase::save_objective(&mut w.tx, &o, 0).await?;
        self.audit_record(
            &mut w,
            actor,
            "objective.create",
            "objective",
            o.id,
            None,
            &o,
        )
        .await?;
        let n = names(&mut w.tx, o.owner_id).await?;
        w.commit().await?;
        Ok(objective_view(&o, &n))
    }

    /// Edits an objective read at version `expected`.
    pub async fn update_objective(
        &self,
        actor: &Actor,
        eid: Uuid,
        id: Uuid,
        expected: i64,
        p: ObjectivePatch,
    ) -> Result<ObjectiveView> {
        let (mut w, e) = self.write_engagement(actor, eid).await?;
        let before = accord_store::purchase::objective(&mut w.tx, eid, id).await?;
        crate::engagement::stale_check(before.version, expected)?;
        let mut o = before.clone();
        let mut c = Check::default();
        c.set_text("outcome", &mut o.outcome, &p.outcome, 500);
        c.set_text("metric", &mut o.metric, &p.metric, 500);
        c.set_optional("baseline", &mut o.baseline, &p.baseline, 500);
        c.set_text("target", &mut o.target, &p.target, 500);
        c.set_date("value_by", &mut o.value_by, &p.value_by);
        c.set_optional("serves", &mut o.serves, &p.serves, 500);
        c.set_one_of("status", &mut o.status, &p.status, &OBJECTIVE_STATUSES);
        c.finish()?;
        if let Some(owner) = p.owner_id {
            if let Some(u) = owner {
                check_owner(&mut w.tx, &e, u).await?;
            }
            o.owner_id = owner;
        }
        let content_changed = (&o.outcome, &o.metric, &o.baseline, &o.target, o.value_by)
            != (
                &before.outcome,
                &before.metric,
                &before.baseline,
                &before.target,
                before.value_by,
            );
        let now = self.now();
        // Value is shown for an objective the sponsor approved; nothing skips the approval.
        if o.status == "achieved" && before.status != "achieved" && before.status != "approved" {
            return Err(Error::Refused {
                detail: format!(
                    "{} is {}: only an objective the executive sponsor approved can be achieved",
                    o.key, before.status
                ),
                unmet: Vec::new(),
            });
        }
        if o.status == "achieved" && content_changed {
            // New words are not what was approved and achieved.
            o.status = "proposed".into();
        }
        if o.status == "approved" && (before.status != "approved" || content_changed) {
            if p.status.as_deref() == Some("approved") {
                if !is_sponsor(&mut w.tx, actor, eid).await? {
                    return Err(Error::Forbidden(format!(
                        "only the executive sponsor of the engagement may approve {}",
                        o.key
                    )));
                }
                o.approved_by = Some(actor.user_id);
                o.approved_at = Some(now);
            } else {
                // The sponsor approved other words: the approval does not cover these.
                o.status = "proposed".into();
                o.approved_by = None;
                o.approved_at = None;
            }
        }
        if o.status == "proposed" {
            o.approved_by = None;
            o.approved_at = None;
        }
        if o == before {
            let n = names(&mut w.tx, o.owner_id.into_iter().chain(o.approved_by)).await?;
            return Ok(objective_view(&o, &n));
        }
        o.version += 1;
        o.updated_at = now;
        accord_store::purchase::save_objective(&mut w.tx, &o, expected).await?;
        let action = if o.status == "approved" && before.status != "approved" {
            "objective.approve"
        } else {
            "objective.update"
        };
        self.audit_record(&mut w, actor, action, "objective", o.id, Some(&before), &o)
            .await?;
        let n = names(&mut w.tx, o.owner_id.into_iter().chain(o.approved_by)).await?;
        w.commit().await?;
        Ok(objective_view(&o, &n))
    }

    pub async fn list_procurement_steps(
        &self,
        actor: &Actor,
        eid: Uuid,
    ) -> Result<Vec<ProcurementStepView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, eid).await?;
        let rows = accord_store::purchase::steps(&mut tx, eid).await?;
        let n = names(&mut tx, rows.iter().filter_map(|s| s.owner_id)).await?;
        let today = self.now().date();
        Ok(rows.iter().map(|s| step_view(s, &n, today)).collect())
    }

    /// Maps a customer procurement step to the partner's step (status not_started).
    pub async fn create_procurement_step(
        &self,
        actor: &Actor,
        eid: Uuid,
        input: NewProcurementStep,
    ) -> Result<ProcurementStepView> {
        let mut c = Check::default();
        let customer_step = c.text("customer_step", &input.customer_step, 300);
        let partner_step = c.text("partner_step", &input.partner_step, 300);
        let due_on = c.date("due_on", &input.due_on);
        c.finish()?;
        let (mut w, e) = self.write_engagement(actor, eid).await?;
        if let Some(o) = input.owner_id {
            check_owner(&mut w.tx, &e, o).await?;
        }
        let seq = accord_store::purchase::next_seq(&mut w.tx, "procurement_steps", eid).await?;
        let now = self.now();
        let s = ProcurementStep {
            id: accord_domain::new_id(),
            engagement_id: eid,
            seq,
            key: format!("PRC-{seq:03}"),
            customer_step,
            partner_step,
            owner_id: input.owner_id,
            due_on: due_on.unwrap_or(now.date()),
            status: "not_started".into(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        accord_store::purchase::save_step(&mut w.tx, &s, 0).await?;
        self.audit_record(
            &mut w,
            actor,
            "procurement_step.create",
            "procurement_step",
            s.id,
            None,
            &s,
        )
        .await?;
        let n = names(&mut w.tx, s.owner_id).await?;
        w.commit().await?;
        Ok(step_view(&s, &n, now.date()))
    }

    pub async fn update_procurement_step(
        &self,
        actor: &Actor,
        eid: Uuid,
        id: Uuid,
        expected: i64,
        p: ProcurementStepPatch,
    ) -> Result<ProcurementStepView> {
        let (mut w, e) = self.write_engagement(actor, eid).await?;
        let before = accord_store::purchase::step(&mut w.tx, eid, id).await?;
        crate::engagement::stale_check(before.version, expected)?;
        let mut s = before.clone();
        let mut c = Check::default();
        c.set_text("customer_step", &mut s.customer_step, &p.customer_step, 300);
        c.set_text("partner_step", &mut s.partner_step, &p.partner_step, 300);
        c.set_date("due_on", &mut s.due_on, &p.due_on);
        c.set_one_of("status", &mut s.status, &p.status, &STEP_STATUSES);
        c.finish()?;
        if let Some(owner) = p.owner_id {
            if let Some(u) = owner {
                check_owner(&mut w.tx, &e, u).await?;
            }
            s.owner_id = owner;
        }
        let now = self.now();
        if s != before {
            s.version += 1;
            s.updated_at = now;
            accord_store::purchase::save_step(&mut w.tx, &s, expected).await?;
            self.audit_record(
                &mut w,
                actor,
                "procurement_step.update",
                "procurement_step",
                s.id,
                Some(&before),
                &s,
            )
            .await?;
        }
        let n = names(&mut w.tx, s.owner_id).await?;
        w.commit().await?;
        Ok(step_view(&s, &n, now.date()))
    }

    pub async fn list_insights(&self, actor: &Actor, eid: Uuid) -> Result<Vec<InsightView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, eid).await?;
        let rows = accord_store::purchase::insights(&mut tx, eid).await?;
        let n = names(&mut tx, rows.iter().filter_map(|i| i.owner_id)).await?;
        Ok(rows.iter().map(|i| insight_view(i, &n)).collect())
    }

    /// Registers an opportunity, limitation or risk (status open).
    pub async fn create_insight(
        &self,
        actor: &Actor,
        eid: Uuid,
        input: NewInsight,
    ) -> Result<InsightView> {
        let mut c = Check::default();
        let kind = c.one_of("kind", &input.kind, &INSIGHT_KINDS);
        let title = c.text("title", &input.title, 300);
        let description = c.optional("description", &input.description, 5_000);
        let severity = c.one_of(
            "severity",
            input.severity.as_deref().unwrap_or("medium"),
            &SEVERITIES,
        );
        c.finish()?;
        let (mut w, e) = self.write_engagement(actor, eid).await?;
        if let Some(o) = input.owner_id {
            check_owner(&mut w.tx, &e, o).await?;
        }
        let seq = accord_store::purchase::next_seq(&mut w.tx, "insights", eid).await?;
        let now = self.now();
        let i = Insight {
            id: accord_domain::new_id(),
            engagement_id: eid,
            seq,
            key: format!("INS-{seq:03}"),
            kind,
            title,
            description,
            severity,
            owner_id: input.owner_id,
            status: "open".into(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        accord_store::purchase::save_insight(&mut w.tx, &i, 0).await?;
        self.audit_record(&mut w, actor, "insight.create", "insight", i.id, None, &i)
            .await?;
        let n = names(&mut w.tx, i.owner_id).await?;
        w.commit().await?;
        Ok(insight_view(&i, &n))
    }

    pub async fn update_insight(
        &self,
        actor: &Actor,
        eid: Uuid,
        id: Uuid,
        expected: i64,
        p: InsightPatch,
    ) -> Result<InsightView> {
        let (mut w, e) = self.write_engagement(actor, eid).await?;
        let before = accord_store::purchase::insight(&mut w.tx, eid, id).await?;
        crate::engagement::stale_check(before.version, expected)?;
        let mut i = before.clone();
        let mut c = Check::default();
        c.set_one_of("kind", &mut i.kind, &p.kind, &INSIGHT_KINDS);
        c.set_text("title", &mut i.title, &p.title, 300);
        c.set_optional("description", &mut i.description, &p.description, 5_000);
        c.set_one_of("severity", &mut i.severity, &p.severity, &SEVERITIES);
        c.set_one_of("status", &mut i.status, &p.status, &INSIGHT_STATUSES);
        c.finish()?;
        if let Some(owner) = p.owner_id {
            if let Some(u) = owner {
                check_owner(&mut w.tx, &e, u).await?;
            }
            i.owner_id = owner;
        }
        if i != before {
            i.version += 1;
            i.updated_at = self.now();
            accord_store::purchase::save_insight(&mut w.tx, &i, expected).await?;
            self.audit_record(
                &mut w,
                actor,
                "insight.update",
                "insight",
                i.id,
                Some(&before),
                &i,
            )
            .await?;
        }
        let n = names(&mut w.tx, i.owner_id).await?;
        w.commit().await?;
        Ok(insight_view(&i, &n))
    }

    /// Appends the audit event of one record's creation or change.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn audit_record<T: Serialize>(
        &self,
        w: &mut accord_store::WriteTx,
        actor: &Actor,
        action: &str,
        record_type: &str,
        id: Uuid,
        before: Option<&T>,
        after: &T,
    ) -> Result<()> {
        self.audit(
            w,
            AuditEntry {
                actor: Some(actor.user_id),
                action,
                record_type,
                record_id: Some(id),
                before: before.map(snapshot),
                after: Some(snapshot(after)),
                reason: None,
            },
        )
        .await
    }
}
