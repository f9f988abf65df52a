//! Responsibility 3 beyond priorities: trace links between requirements, and conflicts between
//! them that stay open until someone with decision authority resolves them.

use crate::engagement::load_visible;
use crate::knowledge::{requirement_of, RequirementRef};
use crate::requirement::{check_one_of, has_authority, names, person, PersonRef};
use crate::{Actor, App, Error, Result};
use accord_domain::validate;
use accord_store::requirement::Requirement;
use accord_store::trace::{Conflict, Link};
use accord_store::Tx;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

pub const LINK_KINDS: [&str; 5] = [
    "derives_from",
    "depends_on",
    "conflicts_with",
    "verifies",
    "refines",
];

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    pub from_id: Uuid,
    pub to_id: Uuid,
    /// derives_from, depends_on, conflicts_with, verifies or refines.
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkView {
    pub id: Uuid,
    pub from: RequirementRef,
    pub to: RequirementRef,
    pub kind: String,
    pub created_by: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConflict {
    pub requirement_a: Uuid,
    pub requirement_b: Uuid,
    /// Why the two cannot both hold (at most 5,000 characters).
    pub description: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConflictView {
    pub id: Uuid,
    pub key: String,
    pub requirement_a: RequirementRef,
    pub requirement_b: RequirementRef,
    pub description: String,
    pub raised_by: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub raised_at: OffsetDateTime,
    /// open or resolved.
    pub status: String,
    /// The decision that resolved it.
    pub resolution: Option<String>,
    pub resolved_by: Option<PersonRef>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    /// How many days it has been open (until now, or until it was resolved).
    pub open_days: i64,
    pub version: i64,
    /// Whether the caller may resolve it (decision authority over one of the two areas).
    pub can_resolve: bool,
}

fn rref(r: &Requirement) -> RequirementRef {
    RequirementRef {
        id: r.id,
        key: r.key.clone(),
        title: r.title.clone(),
    }
}

/// The requirements of `ids`, by id.
async fn refs(tx: &mut Tx, eid: Uuid, ids: Vec<Uuid>) -> Result<HashMap<Uuid, RequirementRef>> {
    let mut out = HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(v) = out.entry(id) {
            v.insert(rref(&accord_store::requirement::get(tx, eid, id).await?));
        }
    }
    Ok(out)
}

fn link_view(
    l: &Link,
    r: &HashMap<Uuid, RequirementRef>,
    n: &HashMap<Uuid, String>,
) -> Option<LinkView> {
    Some(LinkView {
        id: l.id,
        from: r.get(&l.from_id)?.clone(),
        to: r.get(&l.to_id)?.clone(),
        kind: l.kind.clone(),
        created_by: person(n, l.created_by),
        created_at: l.created_at,
    })
}

fn conflict_view(
    k: &Conflict,
    r: &HashMap<Uuid, RequirementRef>,
    n: &HashMap<Uuid, String>,
    now: OffsetDateTime,
    can_resolve: bool,
) -> Option<ConflictView> {
    Some(ConflictView {
        can_resolve: can_resolve && k.status == "open",
        id: k.id,
        key: k.key.clone(),
        requirement_a: r.get(&k.requirement_a)?.clone(),
        requirement_b: r.get(&k.requirement_b)?.clone(),
        description: k.description.clone(),
        raised_by: person(n, k.raised_by),
        raised_at: k.raised_at,
        status: k.status.clone(),
        resolution: k.resolution.clone(),
        resolved_by: k.resolved_by.map(|u| person(n, u)),
        resolved_at: k.resolved_at,
        open_days: (k.resolved_at.unwrap_or(now) - k.raised_at).whole_days(),
        version: k.version,
    })
}

impl App {
    /// The engagement's trace links (those touching `requirement` when given).
    pub async fn links(
        &self,
        actor: &Actor,
        eid: Uuid,
        requirement: Option<Uuid>,
    ) -> Result<Vec<LinkView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, eid).await?;
        let links = accord_store::trace::links(&mut tx, eid, requirement).await?;
        let ids: Vec<Uuid> = links.iter().flat_map(|l| [l.from_id, l.to_id]).collect();
        let r = refs(&mut tx, eid, ids).await?;
        let n = names(&mut tx, links.iter().map(|l| l.created_by)).await?;
        Ok(links.iter().filter_map(|l| link_view(l, &r, &n)).collect())
    }

    /// Links two requirements of the engagement.
    pub async fn create_link(&self, actor: &Actor, eid: Uuid, input: NewLink) -> Result<LinkView> {
        let (mut w, _) = self.write_engagement(actor, eid).await?;
        check_one_of("kind", &input.kind, &LINK_KINDS)?;
        if input.from_id == input.to_id {
            return Err(Error::invalid(
                "to_id",
                "a requirement cannot be linked to itself",
            ));
        }
        let from = requirement_of(&mut w.tx, eid, input.from_id, "from_id").await?;
        let to = requirement_of(&mut w.tx, eid, input.to_id, "to_id").await?;
        let exists = accord_store::trace::links(&mut w.tx, eid, Some(from.id))
            .await?
            .iter()
            .any(|l| l.from_id == from.id && l.to_id == to.id && l.kind == input.kind);
        if exists {
            return Err(Error::invalid(
                "kind",
                format!("{} already {} {}", from.key, input.kind, to.key),
            ));
        }
        let l = Link {
            id: accord_domain::new_id(),
            engagement_id: eid,
            from_id: from.id,
            to_id: to.id,
            kind: input.kind,
            created_by: actor.user_id,
            created_at: self.now(),
        };
        accord_store::trace::insert_link(&mut w.tx, &l).await?;
        self.audit_record(&mut w, actor, "link.create", "link", l.id, None, &l)
            .await?;
        w.commit().await?;
        let r = HashMap::from([(from.id, rref(&from)), (to.id, rref(&to))]);
        let n = HashMap::from([(actor.user_id, actor.name.clone())]);
        link_view(&l, &r, &n).ok_or(Error::NotFound)
    }

    /// The engagement's conflicts, open ones first.
    pub async fn conflicts(&self, actor: &Actor, eid: Uuid) -> Result<Vec<ConflictView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, eid).await?;
        let mut rows = accord_store::trace::conflicts(&mut tx, eid).await?;
        rows.sort_by_key(|k| (k.status != "open", k.seq));
        let ids: Vec<Uuid> = rows
            .iter()
            .flat_map(|k| [k.requirement_a, k.requirement_b])
            .collect();
        let r = refs(&mut tx, eid, ids).await?;
        let n = names(
            &mut tx,
            rows.iter()
                .flat_map(|k| std::iter::once(k.raised_by).chain(k.resolved_by)),
        )
        .await?;
        let now = self.now();
        let roles = accord_store::role::list(&mut tx, eid, false).await?;
        let mut areas = HashMap::new();
        for k in &rows {
            for id in [k.requirement_a, k.requirement_b] {
                if let std::collections::hash_map::Entry::Vacant(v) = areas.entry(id) {
                    v.insert(
                        accord_store::requirement::get(&mut tx, eid, id)
                            .await?
                            .functional_area,
                    );
                }
            }
        }
        let authority = |area: &String| {
            roles.iter().any(|a| {
                a.user_id == actor.user_id
                    && (a.role == "business_process_owner"
                        || (a.role == "functional_area_manager"
                            && a.functional_area.as_ref() == Some(area)))
            })
        };
        Ok(rows
            .iter()
            .filter_map(|k| {
                let can = [k.requirement_a, k.requirement_b]
                    .iter()
                    .any(|id| areas.get(id).is_some_and(authority));
                conflict_view(k, &r, &n, now, can)
            })
            .collect())
    }

    /// Records that two requirements cannot both hold; it stays open until resolved.
    pub async fn create_conflict(
        &self,
        actor: &Actor,
        eid: Uuid,
        input: NewConflict,
    ) -> Result<ConflictView> {
        let (mut w, _) = self.write_engagement(actor, eid).await?;
        let description = validate::text("description", &input.description, 5_000)?;
        if input.requirement_a == input.requirement_b {
            return Err(Error::invalid(
                "requirement_b",
                "a requirement cannot conflict with itself",
            ));
        }
        let a = requirement_of(&mut w.tx, eid, input.requirement_a, "requirement_a").await?;
        let b = requirement_of(&mut w.tx, eid, input.requirement_b, "requirement_b").await?;
        let seq = accord_store::purchase::next_seq(&mut w.tx, "conflicts", eid).await?;
        let now = self.now();
        let k = Conflict {
            id: accord_domain::new_id(),
            engagement_id: eid,
            seq,
            key: format!("CON-{seq:03}"),
            requirement_a: a.id,
            requirement_b: b.id,
            description,
            raised_by: actor.user_id,
            raised_at: now,
            status: "open".into(),
            resolution: None,
            resolved_by: None,
            resolved_at: None,
            version: 1,
        };
        accord_store::trace::save_conflict(&mut w.tx, &k, 0).await?;
        self.audit_record(&mut w, actor, "conflict.create", "conflict", k.id, None, &k)
            .await?;
        let can = has_authority(&mut w.tx, actor, eid, &a.functional_area).await?
            || has_authority(&mut w.tx, actor, eid, &b.functional_area).await?;
        w.commit().await?;
        let r = HashMap::from([(a.id, rref(&a)), (b.id, rref(&b))]);
        let n = HashMap::from([(actor.user_id, actor.name.clone())]);
        conflict_view(&k, &r, &n, now, can).ok_or(Error::NotFound)
    }

    /// Resolves an open conflict with a decision: only someone with decision authority over
    /// one of the two requirements' areas (its functional area manager, or a business process
    /// owner) may.
    pub async fn resolve_conflict(
        &self,
        actor: &Actor,
        eid: Uuid,
        id: Uuid,
        resolution: &str,
        expected: Option<i64>,
    ) -> Result<ConflictView> {
        let resolution = validate::text("resolution", resolution, 5_000)?;
        let (mut w, _) = self.write_engagement(actor, eid).await?;
        let before = accord_store::trace::conflict(&mut w.tx, eid, id).await?;
        if let Some(v) = expected {
            crate::engagement::stale_check(before.version, v)?;
        }
        if before.status != "open" {
            return Err(Error::Refused {
                detail: format!("{} is already resolved", before.key),
                unmet: Vec::new(),
            });
        }
        let a = accord_store::requirement::get(&mut w.tx, eid, before.requirement_a).await?;
        let b = accord_store::requirement::get(&mut w.tx, eid, before.requirement_b).await?;
        if !has_authority(&mut w.tx, actor, eid, &a.functional_area).await?
            && !has_authority(&mut w.tx, actor, eid, &b.functional_area).await?
        {
            return Err(Error::Forbidden(format!(
                "only the functional area manager of {} or {}, or a business process owner, may resolve {}",
                a.functional_area, b.functional_area, before.key
            )));
        }
        let now = self.now();
        let mut k = before.clone();
        k.status = "resolved".into();
        k.resolution = Some(resolution);
        k.resolved_by = Some(actor.user_id);
        k.resolved_at = Some(now);
        k.version += 1;
        accord_store::trace::save_conflict(&mut w.tx, &k, before.version).await?;
        self.audit_record(
            &mut w,
            actor,
            "conflict.resolve",
            "conflict",
            k.id,
            Some(&before),
            &k,
        )
        .await?;
        let n = names(&mut w.tx, [k.raised_by, actor.user_id]).await?;
        w.commit().await?;
        let r = HashMap::from([(a.id, rref(&a)), (b.id, rref(&b))]);
        conflict_view(&k, &r, &n, now, false).ok_or(Error::NotFound)
    }
}
