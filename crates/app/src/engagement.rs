//! Engagements: creating them, moving them through phases and cycles past their gates, and
//! editing the gate checklists and the role-phase matrix.

use crate::views::{
    CriterionView, EngagementView, GateCriterionView, GateView, MatrixRowView, Page, SignatureView,
    TransitionView,
};
use crate::{snapshot, Actor, App, AuditEntry, Error, Result, UnmetCriterion};
use accord_domain::engagement::{self as rules, ChecklistItem, CycleTrigger, MoveRefusal, Phase};
use accord_domain::role::{Holder, Role};
use accord_domain::validate;
use accord_store::audit::ChainKind;
use accord_store::engagement::{Criterion, Engagement, MatrixRow, Transition};
use accord_store::{Tx, WriteTx};
use std::collections::HashMap;
use uuid::Uuid;

/// A new engagement between one customer and one partner.
#[derive(Debug, Clone)]
pub struct NewEngagement {
    /// A human key such as `NWB-LIMS`; generated (`ENG-0001`) when absent.
    pub key: Option<String>,
    pub name: String,
    pub product: String,
    pub customer_id: Uuid,
    pub partner_id: Uuid,
}

/// Changes to an engagement's descriptive fields.
#[derive(Debug, Clone, Default)]
pub struct EngagementPatch {
    pub name: Option<String>,
    pub product: Option<String>,
}

/// Changes to a gate checklist item.
#[derive(Debug, Clone, Default)]
pub struct CriterionPatch {
    pub text: Option<String>,
    pub met: Option<bool>,
    pub evidence: Option<Option<String>>,
}

/// The checklist every new engagement starts with, per target phase; each engagement edits its own.
const DEFAULT_CHECKLIST: &[(Phase, &str)] = &[
    (
        Phase::Implementation,
        "Business case and expected outcomes agreed with the executive sponsor",
    ),
    (
        Phase::Implementation,
        "Customer procurement steps completed and the purchase signed",
    ),
    (
        Phase::Operations,
        "System validated for its intended use and released for production",
    ),
    (
        Phase::Operations,
        "End users trained on their function-specific procedures",
    ),
    (
        Phase::Purchase,
        "The business or technology change and its scope are described",
    ),
];

const MAX_REASON: usize = 2000;

fn parse_phase(field: &str, s: &str) -> Result<Phase> {
    Phase::parse(s)
        .ok_or_else(|| Error::invalid(field, "must be purchase, implementation or operations"))
}

fn phases_of(row: &MatrixRow) -> Vec<Phase> {
    row.phases.split(',').filter_map(Phase::parse).collect()
}

/// Checks the caller's organisation is a party to the engagement; anything else is 404.
pub(crate) fn ensure_party(actor: &Actor, e: &Engagement) -> Result<()> {
    if actor.organisation_id == e.customer_id || actor.organisation_id == e.partner_id {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Loads an engagement the caller may see.
pub(crate) async fn load_visible(tx: &mut Tx, actor: &Actor, id: Uuid) -> Result<Engagement> {
    let e = accord_store::engagement::get(tx, id).await?;
    ensure_party(actor, &e)?;
    Ok(e)
}

/// Roles whose holders steer the engagement: they may move phases and edit gates and the matrix.
const STEERING_ROLES: [Role; 4] = [
    Role::ExecutiveSponsor,
    Role::BusinessProcessOwner,
    Role::AccountLead,
    Role::ProjectManager,
];

pub(crate) async fn ensure_steering(tx: &mut Tx, actor: &Actor, e: &Engagement) -> Result<()> {
    if actor.is_org_admin {
        return Ok(());
    }
    let holds = accord_store::role::list(tx, e.id, false)
        .await?
        .into_iter()
        .any(|a| {
            a.user_id == actor.user_id
                && Role::parse(&a.role).is_some_and(|r| STEERING_ROLES.contains(&r))
        });
    if holds {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "only an organisation admin, the executive sponsor, the business process owner, the account lead or the project manager may do this"
                .into(),
        ))
    }
}

/// The required (role, phase) pairs of an engagement's matrix.
pub(crate) async fn required_pairs(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<(Role, Phase)>> {
    Ok(accord_store::engagement::matrix(tx, engagement_id)
        .await?
        .iter()
        .filter_map(|row| Role::parse(&row.role).map(|r| (r, phases_of(row))))
        .flat_map(|(r, ps)| ps.into_iter().map(move |p| (r, p)))
        .collect())
}

/// Active role holders. A disabled account holds no role: it cannot act in the engagement.
pub(crate) async fn holders(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Holder>> {
    let assignments = accord_store::role::list(tx, engagement_id, false).await?;
    let ids: Vec<Uuid> = assignments.iter().map(|a| a.user_id).collect();
    let disabled: std::collections::HashSet<Uuid> = accord_store::user::get_many(tx, &ids)
        .await?
        .into_iter()
        .filter(|u| u.disabled)
        .map(|u| u.id)
        .collect();
    Ok(assignments
        .into_iter()
        .filter(|a| !disabled.contains(&a.user_id))
        .filter_map(|a| {
            Role::parse(&a.role).map(|role| Holder {
                user_id: a.user_id,
                role,
                functional_area: a.functional_area,
            })
        })
        .collect())
}

/// The record type of a gate sign-off; its record id is the engagement's.
pub(crate) const GATE_RECORD: &str = "gate";

/// The canonical content of the gate out of the current phase (what a sign-off signs) and its
/// hash: the engagement, cycle and phases, and the checklist and role criterion as they stand.
pub(crate) async fn gate_content(
    tx: &mut Tx,
    e: &Engagement,
) -> Result<(Vec<Criterion>, Vec<rules::Criterion>, String)> {
    let phase = parse_phase("phase", &e.phase)?;
    let to = phase.next();
    let items: Vec<Criterion> = accord_store::engagement::criteria(tx, e.id, false)
        .await?
        .into_iter()
        .filter(|c| c.to_phase == to.as_str())
        .collect();
    let checklist: Vec<ChecklistItem> = items
        .iter()
        .map(|c| ChecklistItem {
            id: c.id.to_string(),
            text: c.text.clone(),
            met: c.met,
            evidence: c.evidence.clone(),
        })
        .collect();
    let gaps = accord_domain::role::gaps(
        to,
        &required_pairs(tx, e.id).await?,
        &holders(tx, e.id).await?,
    );
    let mut content = rules::content(&checklist, &gaps);
    if to == Phase::Implementation {
        content.extend(crate::purchase::gate_criteria(tx, e.id).await?);
    }
    let canonical = serde_json::json!({
        "engagement_id": e.id,
        "cycle": e.cycle,
        "from_phase": phase.as_str(),
        "to_phase": to.as_str(),
        "criteria": content,
    })
    .to_string();
    Ok((
        items,
        content,
        accord_domain::esign::content_hash(&canonical),
    ))
}

/// The gate out of the engagement's current phase, evaluated now.
pub(crate) async fn evaluate_gate(tx: &mut Tx, e: &Engagement) -> Result<GateView> {
    let phase = parse_phase("phase", &e.phase)?;
    let (items, content, hash) = gate_content(tx, e).await?;
    let signatures: Vec<SignatureView> = accord_store::signature::list(tx, e.id, Some(e.id))
        .await?
        .iter()
        .filter(|s| s.record_type == GATE_RECORD)
        .map(|s| SignatureView::new(s, &hash))
        .collect();
    // The latest approval or rejection that covers the gate as it stands decides.
    let decision = signatures
        .iter()
        .rev()
        .find(|s| s.covers_current_content && (s.meaning == "approved" || s.meaning == "rejected"));
    let since = accord_store::engagement::list_transitions(tx, e.id)
        .await?
        .last()
        .map(|t| t.at);
    let stale_approval = signatures.iter().any(|s| {
        s.meaning == "approved"
            && !s.covers_current_content
            && since.is_none_or(|t| s.signed_at > t)
    });
    let sign_off = match decision {
        Some(d) if d.meaning == "approved" => {
            rules::SignOff { met: true, evidence: format!("approved by {} at {}", d.signer_name, rfc3339(d.signed_at)) }
        }
        Some(d) => rules::SignOff { met: false, evidence: format!("rejected by {} at {}", d.signer_name, rfc3339(d.signed_at)) },
        None if stale_approval => rules::SignOff {
            met: false,
            evidence: "an approval given in this phase no longer covers the gate: it changed after signing".into(),
        },
        None => rules::SignOff { met: false, evidence: "not signed off yet".into() },
    };
    let mut all = content;
    all.push(rules::signed_off(&sign_off));
    let versions: HashMap<String, i64> = items
        .iter()
        .map(|c| (c.id.to_string(), c.version))
        .collect();
    let criteria: Vec<CriterionView> = all
        .into_iter()
        .map(|c| CriterionView {
            editable: versions.contains_key(&c.id),
            version: versions.get(&c.id).copied(),
            id: c.id,
            text: c.text,
            met: c.met,
            evidence: c.evidence,
        })
        .collect();
    Ok(GateView {
        engagement_id: e.id,
        phase: e.phase.clone(),
        cycle: e.cycle,
        to_phase: phase.next().as_str().to_string(),
        new_cycle: phase == Phase::Operations,
        ready: criteria.iter().all(|c| c.met),
        criteria,
        content_hash: hash,
        signatures,
    })
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn refusal(r: MoveRefusal) -> Error {
    match r {
        MoveRefusal::NotNext { from, to } => Error::Refused {
            detail: if from == Phase::Operations && to == Phase::Purchase {
                "a new cycle starts with POST .../cycles and a business or technology change".into()
            } else if to == Phase::Purchase {
                format!("a new cycle can only start from operations; the engagement is in {from}")
            } else {
                format!(
                    "the engagement is in {from}; it can only move to {}",
                    from.next()
                )
            },
            unmet: Vec::new(),
        },
        MoveRefusal::Unmet(unmet) => Error::Refused {
            detail: format!(
                "the gate has {} unmet criteria: {}",
                unmet.len(),
                unmet
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            unmet: unmet
                .into_iter()
                .map(|c| UnmetCriterion {
                    id: c.id,
                    text: c.text,
                    evidence: c.evidence,
                })
                .collect(),
        },
    }
}

impl App {
    pub(crate) async fn engagement_view(
        &self,
        tx: &mut Tx,
        e: &Engagement,
    ) -> Result<EngagementView> {
        let customer = accord_store::org::get(tx, e.customer_id).await?;
        let partner = accord_store::org::get(tx, e.partner_id).await?;
        Ok(EngagementView::from_parts(e, &customer, &partner))
    }

    /// Opens a write on an engagement: locks its chain, then loads it and checks the caller may
    /// see it.
    pub(crate) async fn write_engagement(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(WriteTx, Engagement)> {
        let w = self.begin(id, ChainKind::Engagement).await?;
        self.changeable(actor, id, w).await
    }

    /// [`App::write_engagement`] for a change that inserts many rows and changes none that
    /// others refer to (an import): [`accord_store::Store::begin_bulk_write`].
    pub(crate) async fn write_engagement_bulk(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(WriteTx, Engagement)> {
        let w = self
            .store
            .begin_bulk_write(id, ChainKind::Engagement)
            .await?;
        self.changeable(actor, id, w).await
    }

    async fn changeable(
        &self,
        actor: &Actor,
        id: Uuid,
        mut w: WriteTx,
    ) -> Result<(WriteTx, Engagement)> {
        let e = match accord_store::engagement::get(&mut w.tx, id).await {
            Ok(e) => e,
            // Opening the chain of an id that is no engagement must not leave a chain behind.
            Err(accord_store::StoreError::NotFound) => return Err(Error::NotFound),
            Err(err) => return Err(err.into()),
        };
        ensure_changeable(actor, &e)?;
        Ok((w, e))
    }

    /// What a preview of a change reads: one read snapshot of an engagement the actor may
    /// change, and its audit chain's head in that snapshot, without the write lock, so that a
    /// large file's preview holds no other writer up. The change itself takes the lock
    /// ([`App::write_engagement`]) and compares again; the head is part of the preview's
    /// confirmation token, so a preview taken before any later change no longer confirms.
    pub(crate) async fn preview_engagement(&self, actor: &Actor, id: Uuid) -> Result<Held> {
        let mut tx = self.store.read().await?;
        let e = accord_store::engagement::get(&mut tx, id).await?;
        ensure_changeable(actor, &e)?;
        let head = accord_store::audit::read_head(&mut tx, id).await?;
        Ok(Held::Read(tx, (head.seq, head.hash)))
    }
}

/// A transaction on an engagement: the write lock (to change it) or a read snapshot (to
/// preview a change), with the audit chain's head as that transaction sees it.
pub(crate) enum Held {
    Write(WriteTx),
    Read(Tx, (i64, [u8; 32])),
}

impl Held {
    pub(crate) fn tx(&mut self) -> &mut Tx {
        match self {
            Held::Write(w) => &mut w.tx,
            Held::Read(tx, _) => tx,
        }
    }

    pub(crate) fn head(&self) -> (i64, [u8; 32]) {
        match self {
            Held::Write(w) => w.head(),
            Held::Read(_, head) => *head,
        }
    }
}

/// The actor is a party to `e` and `e` may still change.
fn ensure_changeable(actor: &Actor, e: &Engagement) -> Result<()> {
    ensure_party(actor, e)?;
    if e.retired_at.is_some() {
        return Err(Error::Refused {
            detail: format!(
                "the engagement {} is retired; it can no longer change",
                e.key
            ),
            unmet: Vec::new(),
        });
    }
    Ok(())
}

impl App {
    /// Creates an engagement with the default role-phase matrix and gate checklists.
    pub async fn create_engagement(
        &self,
        actor: &Actor,
        input: NewEngagement,
    ) -> Result<EngagementView> {
        let name = validate::text("name", &input.name, 200)?;
        let product = validate::text("product", &input.product, 200)?;
        let key = match &input.key {
            Some(k) => Some(validate_key(k)?),
            None => None,
        };
        if actor.organisation_id != input.customer_id && actor.organisation_id != input.partner_id {
            return Err(Error::Forbidden(
                "an engagement can only be created by the customer or the partner it is between"
                    .into(),
            ));
        }
        if !actor.is_org_admin {
            return Err(Error::Forbidden(
                "only an organisation admin may create an engagement".into(),
            ));
        }
        let id = accord_domain::new_id();
        let mut w = self.begin(id, ChainKind::Engagement).await?;
        let customer = org_of_kind(&mut w.tx, input.customer_id, "customer_id", "customer").await?;
        let partner = org_of_kind(&mut w.tx, input.partner_id, "partner_id", "partner").await?;
        let key = match key {
            Some(k) => k,
            None => accord_store::engagement::next_key(&mut w.tx).await?,
        };
        let now = self.now();
        let e = Engagement {
            id,
            key,
            name,
            product,
            customer_id: customer.id,
            partner_id: partner.id,
            phase: Phase::Purchase.as_str().into(),
            cycle: 1,
            version: 1,
            created_at: now,
            updated_at: now,
            retired_at: None,
        };
        accord_store::engagement::insert(&mut w.tx, &e).await?;
        let mut matrix = Vec::new();
        for role in Role::ALL {
            let row = MatrixRow {
                id: accord_domain::new_id(),
                engagement_id: id,
                role: role.as_str().into(),
                phases: role
                    .default_phases()
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                version: 1,
                updated_at: now,
            };
            accord_store::engagement::insert_matrix_row(&mut w.tx, &row).await?;
            matrix.push(row);
        }
        let mut checklist = Vec::new();
        for (phase, text) in DEFAULT_CHECKLIST {
            let c = Criterion {
                id: accord_domain::new_id(),
                engagement_id: id,
                to_phase: phase.as_str().into(),
                text: (*text).into(),
                met: false,
                evidence: None,
                version: 1,
                created_at: now,
                updated_at: now,
                retired_at: None,
            };
            accord_store::engagement::insert_criterion(&mut w.tx, &c).await?;
            checklist.push(c);
        }
        let view = EngagementView::from_parts(&e, &customer, &partner);
        let mut after = snapshot(&view);
        after["role_matrix"] = snapshot(
            &matrix
                .iter()
                .map(|r| (r.role.clone(), r.phases.clone()))
                .collect::<Vec<_>>(),
        );
        after["gate_criteria"] = snapshot(
            &checklist
                .iter()
                .map(|c| (c.to_phase.clone(), c.text.clone()))
                .collect::<Vec<_>>(),
        );
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "engagement.create",
                record_type: "engagement",
                record_id: Some(id),
                before: None,
                after: Some(after),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok(view)
    }

    pub async fn get_engagement(&self, actor: &Actor, id: Uuid) -> Result<EngagementView> {
        let mut tx = self.store.read().await?;
        let e = load_visible(&mut tx, actor, id).await?;
        self.engagement_view(&mut tx, &e).await
    }

    /// Resolves an engagement key (`ENG-0001`) to its id, for the command line.
    pub async fn engagement_id_by_key(&self, key: &str) -> Result<Uuid> {
        let mut tx = self.store.read().await?;
        accord_store::engagement::find_by_key(&mut tx, key)
            .await?
            .map(|e| e.id)
            .ok_or_else(|| Error::invalid("engagement", format!("no engagement with key {key}")))
    }

    /// The caller's engagements, a page at a time (`cursor` is the last id of the page before).
    pub async fn list_engagements(
        &self,
        actor: &Actor,
        include_retired: bool,
        cursor: Option<Uuid>,
        limit: i64,
    ) -> Result<Page<EngagementView>> {
        let limit = limit.clamp(1, 500);
        let mut tx = self.store.read().await?;
        let rows = accord_store::engagement::list_for_org(
            &mut tx,
            actor.organisation_id,
            include_retired,
            cursor,
            limit + 1,
        )
        .await?;
        let more = rows.len() as i64 > limit;
        let mut orgs = HashMap::new();
        for o in accord_store::org::list_visible_to(&mut tx, actor.organisation_id).await? {
            orgs.insert(o.id, o);
        }
        let mut items = Vec::new();
        for e in rows.iter().take(limit as usize) {
            let (Some(c), Some(p)) = (orgs.get(&e.customer_id), orgs.get(&e.partner_id)) else {
                continue;
            };
            items.push(EngagementView::from_parts(e, c, p));
        }
        let next_cursor = if more {
            items.last().map(|e| e.id.to_string())
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Changes an engagement's name or product, if it is still at version `expected`.
    pub async fn update_engagement(
        &self,
        actor: &Actor,
        id: Uuid,
        expected: i64,
        patch: EngagementPatch,
    ) -> Result<EngagementView> {
        let (mut w, before) = self.write_engagement(actor, id).await?;
        ensure_steering(&mut w.tx, actor, &before).await?;
        stale_check(before.version, expected)?;
        let mut e = before.clone();
        if let Some(n) = &patch.name {
            e.name = validate::text("name", n, 200)?;
        }
        if let Some(p) = &patch.product {
            e.product = validate::text("product", p, 200)?;
        }
        e.updated_at = self.now();
        accord_store::engagement::update(&mut w.tx, &e, expected).await?;
        e.version += 1;
        let view = self.engagement_view(&mut w.tx, &e).await?;
        let before_view = self.engagement_view(&mut w.tx, &before).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "engagement.update",
                record_type: "engagement",
                record_id: Some(id),
                before: Some(snapshot(&before_view)),
                after: Some(snapshot(&view)),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok(view)
    }

    /// Retires an engagement (nothing is deleted); an organisation admin only.
    pub async fn retire_engagement(
        &self,
        actor: &Actor,
        id: Uuid,
        reason: &str,
    ) -> Result<EngagementView> {
        let reason = validate::text("reason", reason, MAX_REASON)?;
        let (mut w, before) = self.write_engagement(actor, id).await?;
        if !actor.is_org_admin {
            return Err(Error::Forbidden(
                "only an organisation admin may retire an engagement".into(),
            ));
        }
        let mut e = before.clone();
        e.retired_at = Some(self.now());
        e.updated_at = self.now();
        accord_store::engagement::update(&mut w.tx, &e, before.version).await?;
        e.version += 1;
        let view = self.engagement_view(&mut w.tx, &e).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "engagement.retire",
                record_type: "engagement",
                record_id: Some(id),
                before: Some(serde_json::json!({ "retired": false, "version": before.version })),
                after: Some(snapshot(&view)),
                reason: Some(&reason),
            },
        )
        .await?;
        w.commit().await?;
        Ok(view)
    }

    /// The gate out of the current phase: the next phase's criteria, met or not.
    pub async fn gate(&self, actor: &Actor, id: Uuid) -> Result<GateView> {
        let mut tx = self.store.read().await?;
        let e = load_visible(&mut tx, actor, id).await?;
        evaluate_gate(&mut tx, &e).await
    }

    /// Moves the engagement forward to `to_phase` if the gate's criteria are all met.
    pub async fn transition(
        &self,
        actor: &Actor,
        id: Uuid,
        to_phase: &str,
        reason: &str,
    ) -> Result<EngagementView> {
        let to = parse_phase("to_phase", to_phase)?;
        let reason = validate::text("reason", reason, MAX_REASON)?;
        self.move_phase(actor, id, to, None, &reason).await
    }

    /// Records a business or technology change in operations and starts a new cycle.
    pub async fn new_cycle(
        &self,
        actor: &Actor,
        id: Uuid,
        trigger: CycleTrigger,
        reason: &str,
    ) -> Result<EngagementView> {
        let reason = validate::text("reason", reason, MAX_REASON)?;
        self.move_phase(actor, id, Phase::Purchase, Some(trigger), &reason)
            .await
    }

    async fn move_phase(
        &self,
        actor: &Actor,
        id: Uuid,
        to: Phase,
        trigger: Option<CycleTrigger>,
        reason: &str,
    ) -> Result<EngagementView> {
        let (mut w, before) = self.write_engagement(actor, id).await?;
        ensure_steering(&mut w.tx, actor, &before).await?;
        let from = parse_phase("phase", &before.phase)?;
        let gate = evaluate_gate(&mut w.tx, &before).await?;
        let criteria: Vec<rules::Criterion> = gate
            .criteria
            .iter()
            .map(|c| rules::Criterion {
                id: c.id.clone(),
                text: c.text.clone(),
                met: c.met,
                evidence: c.evidence.clone(),
            })
            .collect();
        let decided = match trigger {
            None => rules::check_transition(from, to, &criteria),
            Some(_) => rules::check_new_cycle(from, &criteria),
        };
        decided.map_err(refusal)?;
        let now = self.now();
        let mut e = before.clone();
        e.phase = to.as_str().into();
        if trigger.is_some() {
            e.cycle += 1;
        }
        e.updated_at = now;
        accord_store::engagement::update(&mut w.tx, &e, before.version).await?;
        e.version += 1;
        let t = Transition {
            id: accord_domain::new_id(),
            engagement_id: id,
            from_phase: before.phase.clone(),
            to_phase: e.phase.clone(),
            from_cycle: before.cycle,
            to_cycle: e.cycle,
            cycle_trigger: trigger.map(|t| t.as_str().to_string()),
            reason: reason.to_string(),
            actor_id: actor.user_id,
            at: now,
        };
        accord_store::engagement::insert_transition(&mut w.tx, &t).await?;
        let mut after = snapshot(&TransitionView::from(&t));
        after["gate"] = snapshot(&gate.criteria);
        if trigger.is_some() {
            // A new cycle starts with no sign-offs: every gate is passed afresh.
            after["checklist_reset"] = accord_store::engagement::reset_criteria(&mut w.tx, id, now)
                .await?
                .into();
        }
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: if trigger.is_some() { "engagement.new_cycle" } else { "engagement.transition" },
                record_type: "engagement",
                record_id: Some(id),
                before: Some(serde_json::json!({ "phase": before.phase, "cycle": before.cycle, "version": before.version })),
                after: Some(after),
                reason: Some(reason),
            },
        )
        .await?;
        let view = self.engagement_view(&mut w.tx, &e).await?;
        w.commit().await?;
        Ok(view)
    }

    /// The engagement's phase history.
    pub async fn list_transitions(&self, actor: &Actor, id: Uuid) -> Result<Vec<TransitionView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, id).await?;
        Ok(accord_store::engagement::list_transitions(&mut tx, id)
            .await?
            .iter()
            .map(Into::into)
            .collect())
    }

    /// Every checklist item of every gate of the engagement.
    pub async fn list_gate_criteria(
        &self,
        actor: &Actor,
        id: Uuid,
        include_retired: bool,
    ) -> Result<Vec<GateCriterionView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, id).await?;
        Ok(
            accord_store::engagement::criteria(&mut tx, id, include_retired)
                .await?
                .iter()
                .map(Into::into)
                .collect(),
        )
    }

    /// Adds an item to the checklist of the gate into `to_phase`.
    pub async fn add_gate_criterion(
        &self,
        actor: &Actor,
        id: Uuid,
        to_phase: &str,
        text: &str,
    ) -> Result<GateCriterionView> {
        let to = parse_phase("to_phase", to_phase)?;
        let text = validate::text("text", text, 500)?;
        let (mut w, e) = self.write_engagement(actor, id).await?;
        ensure_steering(&mut w.tx, actor, &e).await?;
        let now = self.now();
        let c = Criterion {
            id: accord_domain::new_id(),
            engagement_id: id,
            to_phase: to.as_str().into(),
            text,
            met: false,
            evidence: None,
            version: 1,
            created_at: now,
            updated_at: now,
            retired_at: None,
        };
        accord_store::engagement::insert_criterion(&mut w.tx, &c).await?;
        let view = GateCriterionView::from(&c);
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "gate_criterion.create",
                record_type: "gate_criterion",
                record_id: Some(c.id),
                before: None,
                after: Some(snapshot(&view)),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok(view)
    }

    /// Edits a checklist item (its text, whether it is met, the evidence).
    pub async fn update_gate_criterion(
        &self,
        actor: &Actor,
        id: Uuid,
        criterion_id: Uuid,
        expected: i64,
        patch: CriterionPatch,
    ) -> Result<GateCriterionView> {
        let (mut w, e) = self.write_engagement(actor, id).await?;
        ensure_steering(&mut w.tx, actor, &e).await?;
        let before = accord_store::engagement::get_criterion(&mut w.tx, id, criterion_id).await?;
        stale_check(before.version, expected)?;
        if before.retired_at.is_some() {
            return Err(Error::Refused {
                detail: "the criterion is retired".into(),
                unmet: Vec::new(),
            });
        }
        let mut c = before.clone();
        if let Some(t) = &patch.text {
            c.text = validate::text("text", t, 500)?;
        }
        if let Some(m) = patch.met {
            c.met = m;
        }
        if let Some(ev) = &patch.evidence {
            c.evidence = match ev {
                Some(s) => {
                    Some(validate::optional_text("evidence", s, 2000)?).filter(|s| !s.is_empty())
                }
                None => None,
            };
        }
        c.updated_at = self.now();
        accord_store::engagement::update_criterion(&mut w.tx, &c, expected).await?;
        c.version += 1;
        let view = GateCriterionView::from(&c);
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "gate_criterion.update",
                record_type: "gate_criterion",
                record_id: Some(c.id),
                before: Some(snapshot(&GateCriterionView::from(&before))),
                after: Some(snapshot(&view)),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok(view)
    }

    /// Retires a checklist item; it no longer counts at the gate.
    pub async fn retire_gate_criterion(
        &self,
        actor: &Actor,
        id: Uuid,
        criterion_id: Uuid,
        reason: &str,
    ) -> Result<GateCriterionView> {
        let reason = validate::text("reason", reason, MAX_REASON)?;
        let (mut w, e) = self.write_engagement(actor, id).await?;
        ensure_steering(&mut w.tx, actor, &e).await?;
        let before = accord_store::engagement::get_criterion(&mut w.tx, id, criterion_id).await?;
        if before.retired_at.is_some() {
            return Err(Error::Refused {
                detail: "the criterion is already retired".into(),
                unmet: Vec::new(),
            });
        }
        let mut c = before.clone();
        c.retired_at = Some(self.now());
        c.updated_at = self.now();
        accord_store::engagement::update_criterion(&mut w.tx, &c, before.version).await?;
        c.version += 1;
        let view = GateCriterionView::from(&c);
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "gate_criterion.retire",
                record_type: "gate_criterion",
                record_id: Some(c.id),
                before: Some(snapshot(&GateCriterionView::from(&before))),
                after: Some(snapshot(&view)),
                reason: Some(&reason),
            },
        )
        .await?;
        w.commit().await?;
        Ok(view)
    }

    /// The engagement's role-phase matrix, one row per role.
    pub async fn role_matrix(&self, actor: &Actor, id: Uuid) -> Result<Vec<MatrixRowView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, id).await?;
        let rows = accord_store::engagement::matrix(&mut tx, id).await?;
        Ok(matrix_views(&rows))
    }

    /// Sets the phases in which `role` must have a holder.
    pub async fn set_role_phases(
        &self,
        actor: &Actor,
        id: Uuid,
        role: &str,
        phases: &[String],
        expected: i64,
    ) -> Result<MatrixRowView> {
        let role = Role::parse(role)
            .ok_or_else(|| Error::invalid("role", format!("unknown role {role}")))?;
        let mut wanted = Vec::new();
        for (i, p) in phases.iter().enumerate() {
            let p = parse_phase(&format!("phases[{i}]"), p)?;
            if !wanted.contains(&p) {
                wanted.push(p);
            }
        }
        wanted.sort();
        let (mut w, e) = self.write_engagement(actor, id).await?;
        ensure_steering(&mut w.tx, actor, &e).await?;
        let rows = accord_store::engagement::matrix(&mut w.tx, id).await?;
        let before = rows
            .into_iter()
            .find(|r| r.role == role.as_str())
            .ok_or(Error::NotFound)?;
        stale_check(before.version, expected)?;
        let mut row = before.clone();
        row.phases = wanted
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",");
        row.updated_at = self.now();
        accord_store::engagement::update_matrix_row(&mut w.tx, &row, expected).await?;
        row.version += 1;
        let view = matrix_views(std::slice::from_ref(&row)).remove(0);
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "role_matrix.update",
                record_type: "role_matrix",
                record_id: Some(row.id),
                before: Some(snapshot(
                    &matrix_views(std::slice::from_ref(&before)).remove(0),
                )),
                after: Some(snapshot(&view)),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok(view)
    }
}

fn matrix_views(rows: &[MatrixRow]) -> Vec<MatrixRowView> {
    let mut out: Vec<(usize, MatrixRowView)> = rows
        .iter()
        .map(|r| {
            let order = Role::parse(&r.role)
                .and_then(|role| Role::ALL.iter().position(|x| *x == role))
                .unwrap_or(usize::MAX);
            (
                order,
                MatrixRowView {
                    role: r.role.clone(),
                    phases: phases_of(r)
                        .iter()
                        .map(|p| p.as_str().to_string())
                        .collect(),
                    version: r.version,
                },
            )
        })
        .collect();
    out.sort_by_key(|(o, _)| *o);
    out.into_iter().map(|(_, v)| v).collect()
}

/// 409 with the current version when the caller's copy is stale.
pub(crate) fn stale_check(current: i64, expected: i64) -> Result<()> {
    if current == expected {
        Ok(())
    } else {
        Err(Error::Stale {
            current_version: Some(current),
        })
    }
}

fn validate_key(k: &str) -> Result<String> {
    let k = k.trim();
    let ok = (2..=20).contains(&k.len())
        && k.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        && k.as_bytes()[0].is_ascii_uppercase();
    if ok {
        Ok(k.to_string())
    } else {
        Err(Error::invalid(
            "key",
            "must be 2 to 20 uppercase letters, digits or hyphens, starting with a letter",
        ))
    }
}

async fn org_of_kind(
    tx: &mut Tx,
    id: Uuid,
    field: &str,
    kind: &str,
) -> Result<accord_store::org::Organisation> {
    match accord_store::org::get(tx, id).await {
        Ok(o) if o.kind == kind => Ok(o),
        // One answer for both, so the answer does not tell whether an organisation id exists.
        Ok(_) | Err(accord_store::StoreError::NotFound) => Err(Error::invalid(
            field,
            format!("is not a {kind} organisation"),
        )),
        Err(e) => Err(e.into()),
    }
}
