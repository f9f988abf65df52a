//! Role assignments and coverage: who holds which role, and which required roles have nobody.

use crate::engagement::{holders, load_visible, required_pairs};
use crate::views::{
    CoverageView, HolderView, PhaseCoverageView, RoleAssignmentView, RoleCoverageView,
};
use crate::{snapshot, Actor, App, AuditEntry, Error, Result};
use accord_domain::engagement::Phase;
use accord_domain::role::Role;
use accord_domain::validate;
use accord_store::role::Assignment;
use accord_store::user::User;
use accord_store::Tx;
use std::collections::HashMap;
use uuid::Uuid;

/// A role to give someone.
#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub user_id: Uuid,
    pub role: String,
    pub functional_area: Option<String>,
}

fn view(a: &Assignment, u: &User) -> RoleAssignmentView {
    RoleAssignmentView {
        id: a.id,
        user_id: a.user_id,
        user_name: u.name.clone(),
        organisation_id: u.organisation_id,
        role: a.role.clone(),
        functional_area: a.functional_area.clone(),
        version: a.version,
        retired: a.retired_at.is_some(),
        created_at: a.created_at,
    }
}

async fn users_by_id(tx: &mut Tx, ids: &[Uuid]) -> Result<HashMap<Uuid, User>> {
    Ok(accord_store::user::get_many(tx, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// Organisation admins manage the roles of their own organisation's people.
fn ensure_admin_of(actor: &Actor, user: &User) -> Result<()> {
    if actor.is_org_admin && actor.organisation_id == user.organisation_id {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "only an admin of the person's own organisation may change their roles".into(),
        ))
    }
}

impl App {
    /// Gives a person a role in an engagement.
    pub async fn assign_role(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        input: NewAssignment,
    ) -> Result<RoleAssignmentView> {
        let role = Role::parse(&input.role)
            .ok_or_else(|| Error::invalid("role", format!("unknown role {}", input.role)))?;
        let area = match input.functional_area.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(a) => Some(validate::text("functional_area", a, 120)?),
        };
        if role.needs_functional_area() && area.is_none() {
            return Err(Error::invalid(
                "functional_area",
                "a functional area manager must name the area they manage",
            ));
        }
        if !role.needs_functional_area() && area.is_some() {
            return Err(Error::invalid(
                "functional_area",
                format!("only a functional area manager names an area, not a {role}"),
            ));
        }
        let (mut w, e) = self.write_engagement(actor, engagement_id).await?;
        let user = match accord_store::user::get(&mut w.tx, input.user_id).await {
            Ok(u) => u,
            Err(accord_store::StoreError::NotFound) => {
                return Err(Error::invalid(
                    "user_id",
                    "no such user in this engagement's organisations",
                ))
            }
            Err(err) => return Err(err.into()),
        };
        // Someone outside both parties is indistinguishable from nobody.
        if user.organisation_id != e.customer_id && user.organisation_id != e.partner_id {
            return Err(Error::invalid(
                "user_id",
                "no such user in this engagement's organisations",
            ));
        }
        ensure_admin_of(actor, &user)?;
        let side_org = match role.side() {
            accord_domain::org::OrgKind::Customer => e.customer_id,
            accord_domain::org::OrgKind::Partner => e.partner_id,
        };
        if user.organisation_id != side_org {
            return Err(Error::invalid(
                "role",
                format!(
                    "{role} is a {} role; {} belongs to the other side",
                    role.side().as_str(),
                    user.name
                ),
            ));
        }
        if user.disabled {
            return Err(Error::invalid("user_id", "the account is disabled"));
        }
        let existing = accord_store::role::list(&mut w.tx, engagement_id, false).await?;
        if existing
            .iter()
            .any(|a| a.user_id == user.id && a.role == role.as_str() && a.functional_area == area)
        {
            return Err(Error::Refused {
                detail: format!("{} already holds {role}", user.name),
                unmet: Vec::new(),
            });
        }
        let a = Assignment {
            id: accord_domain::new_id(),
            engagement_id,
            user_id: user.id,
            role: role.as_str().into(),
            functional_area: area,
            version: 1,
            created_at: self.now(),
            retired_at: None,
        };
        accord_store::role::insert(&mut w.tx, &a).await?;
        let v = view(&a, &user);
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "role.assign",
                record_type: "role_assignment",
                record_id: Some(a.id),
                before: None,
                after: Some(snapshot(&v)),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok(v)
    }

    /// Ends a role assignment (it stays in the history as retired).
    pub async fn retire_role(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        assignment_id: Uuid,
        reason: Option<&str>,
    ) -> Result<RoleAssignmentView> {
        let reason = match reason {
            Some(r) if !r.trim().is_empty() => Some(validate::text("reason", r, 2000)?),
            _ => None,
        };
        let (mut w, _e) = self.write_engagement(actor, engagement_id).await?;
        let before = accord_store::role::get(&mut w.tx, engagement_id, assignment_id).await?;
        let user = accord_store::user::get(&mut w.tx, before.user_id).await?;
        ensure_admin_of(actor, &user)?;
        if before.retired_at.is_some() {
            return Err(Error::Refused {
                detail: "the assignment is already retired".into(),
                unmet: Vec::new(),
            });
        }
        let now = self.now();
        accord_store::role::retire(&mut w.tx, assignment_id, before.version, now).await?;
        let mut a = before.clone();
        a.retired_at = Some(now);
        a.version += 1;
        let v = view(&a, &user);
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "role.retire",
                record_type: "role_assignment",
                record_id: Some(a.id),
                before: Some(snapshot(&view(&before, &user))),
                after: Some(snapshot(&v)),
                reason: reason.as_deref(),
            },
        )
        .await?;
        w.commit().await?;
        Ok(v)
    }

    /// Who holds which role in the engagement.
    pub async fn list_roles(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        include_retired: bool,
    ) -> Result<Vec<RoleAssignmentView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, engagement_id).await?;
        let all = accord_store::role::list(&mut tx, engagement_id, include_retired).await?;
        let ids: Vec<Uuid> = all.iter().map(|a| a.user_id).collect();
        let users = users_by_id(&mut tx, &ids).await?;
        Ok(all
            .iter()
            .filter_map(|a| users.get(&a.user_id).map(|u| view(a, u)))
            .collect())
    }

    /// Per phase, per role: required or not, who holds it, and the gaps.
    pub async fn coverage(&self, actor: &Actor, engagement_id: Uuid) -> Result<CoverageView> {
        let mut tx = self.store.read().await?;
        let e = load_visible(&mut tx, actor, engagement_id).await?;
        let required = required_pairs(&mut tx, engagement_id).await?;
        let hs = holders(&mut tx, engagement_id).await?;
        let ids: Vec<Uuid> = hs.iter().map(|h| h.user_id).collect();
        let users = users_by_id(&mut tx, &ids).await?;
        let phases = Phase::ALL
            .into_iter()
            .map(|phase| {
                let roles: Vec<RoleCoverageView> =
                    accord_domain::role::coverage(phase, &required, &hs)
                        .into_iter()
                        .map(|c| RoleCoverageView {
                            role: c.role.as_str().into(),
                            required: c.required,
                            missing: c.missing,
                            holders: hs
                                .iter()
                                .filter(|h| h.role == c.role)
                                .map(|h| HolderView {
                                    user_id: h.user_id,
                                    name: users
                                        .get(&h.user_id)
                                        .map(|u| u.name.clone())
                                        .unwrap_or_default(),
                                    functional_area: h.functional_area.clone(),
                                })
                                .collect(),
                        })
                        .collect();
                PhaseCoverageView {
                    phase: phase.as_str().into(),
                    gaps: roles
                        .iter()
                        .filter(|r| r.missing)
                        .map(|r| r.role.clone())
                        .collect(),
                    roles,
                }
            })
            .collect();
        Ok(CoverageView {
            engagement_id,
            current_phase: e.phase,
            phases,
        })
    }
}
