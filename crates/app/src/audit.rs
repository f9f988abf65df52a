//! Reading and verifying the audit trail, and exporting checkpoints.

use crate::engagement::load_visible;
use crate::views::{AuditEventView, VerifyReport};
use crate::{Actor, App, Error, Result};
use accord_domain::audit::{BreakKind, Broken, ChainHead, Checkpoint, Verifier};
use accord_store::audit::ScanItem;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

impl App {
    /// Events of an engagement's chain after `after` (a seq), oldest first.
    pub async fn engagement_audit(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        after: i64,
        limit: i64,
    ) -> Result<Vec<AuditEventView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, engagement_id).await?;
        let events =
            accord_store::audit::list(&mut tx, engagement_id, after.max(0), limit.clamp(1, 500))
                .await?;
        with_names(&mut tx, events).await
    }

    /// The newest `limit` events of an engagement's chain, newest first.
    pub async fn recent_engagement_audit(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        limit: i64,
    ) -> Result<Vec<AuditEventView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, engagement_id).await?;
        let events =
            accord_store::audit::recent(&mut tx, engagement_id, limit.clamp(1, 500)).await?;
        with_names(&mut tx, events).await
    }

    /// Verifies one engagement's chain (for a party to it).
    pub async fn verify_engagement_audit(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
    ) -> Result<VerifyReport> {
        {
            let mut tx = self.store.read().await?;
            load_visible(&mut tx, actor, engagement_id).await?;
        }
        let mut report = self.verify_chains(Some(engagement_id), None).await?;
        if report.ok && report.chains_checked == 0 {
            report.ok = false;
            report.first_broken = Some(chain_gone(engagement_id));
        }
        Ok(report)
    }

    /// Verifies every chain (or one), optionally against an exported checkpoint, in one read
    /// snapshot. The first broken event is named; verification stops there.
    pub async fn verify_chains(
        &self,
        only: Option<Uuid>,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<VerifyReport> {
        if let Some(cp) = checkpoint {
            if !cp.is_authentic(&self.key) {
                return Err(Error::invalid(
                    "checkpoint",
                    "the checkpoint's signature does not match: the file was edited or was made with another key",
                ));
            }
        }
        let mut verifier = Verifier::new(&self.key, checkpoint);
        let mut heads: HashMap<Uuid, (i64, String)> = HashMap::new();
        let mut orphans: Vec<Uuid> = Vec::new();
        let mut broken: Option<Broken> = None;
        let mut seen: HashSet<Uuid> = HashSet::new();
        let mut current: Option<Uuid> = None;
        accord_store::audit::scan(&self.store, only, |item| match item {
            ScanItem::Heads(h, o) => {
                heads = h
                    .iter()
                    .map(|h| (h.chain_id, (h.head_seq, h.head_hash.clone())))
                    .collect();
                orphans = o.to_vec();
                true
            }
            ScanItem::Event(ev) => {
                let chain = ev.fields.chain_id;
                if current != Some(chain) {
                    if let Some(prev) = current {
                        let head = heads.get(&prev).map(|(s, h)| (*s, h.as_str()));
                        if let Err(b) = verifier.end_chain(prev, head) {
                            broken = Some(b);
                            return false;
                        }
                    }
                    current = Some(chain);
                    seen.insert(chain);
                    verifier.start_chain(chain);
                }
                match verifier.push(&ev) {
                    Ok(()) => true,
                    Err(b) => {
                        broken = Some(b);
                        false
                    }
                }
            }
        })
        .await?;
        if broken.is_none() {
            if let Some(last) = current {
                let head = heads.get(&last).map(|(s, h)| (*s, h.as_str()));
                broken = verifier.end_chain(last, head).err();
            }
        }
        if broken.is_none() {
            // Chains with a head but no events left: every event was deleted.
            let mut empty: Vec<(&Uuid, &(i64, String))> =
                heads.iter().filter(|(id, _)| !seen.contains(*id)).collect();
            empty.sort_by_key(|(id, _)| **id);
            for (id, (seq, hash)) in empty {
                if let Err(b) = verifier.end_chain(*id, Some((*seq, hash))) {
                    broken = Some(b);
                    break;
                }
                seen.insert(*id);
            }
        }
        if broken.is_none() {
            if let Some(id) = orphans.first() {
                broken = Some(Broken {
                    chain_id: *id,
                    seq: 1,
                    kind: BreakKind::Head {
                        head_seq: 0,
                        last_seq: 0,
                    },
                    message: "the chain's head row is missing".into(),
                });
            }
        }
        if broken.is_none() && only.is_none() {
            broken = verifier.missing_checkpoint_chains(&seen).next();
        }
        if broken.is_none() && only.is_none() {
            let mut tx = self.store.read().await?;
            broken = accord_store::audit::records_without_chain(&mut tx)
                .await?
                .first()
                .map(|id| chain_gone(*id));
        }
        Ok(VerifyReport {
            ok: broken.is_none(),
            chains_checked: seen.len() as u64,
            events_checked: verifier.checked(),
            first_broken: broken,
        })
    }

    /// Signed heads of every chain, to keep outside the database.
    pub async fn checkpoint(&self) -> Result<Checkpoint> {
        let mut tx = self.store.read().await?;
        let heads = accord_store::audit::heads(&mut tx, None)
            .await?
            .into_iter()
            .filter(|h| h.head_seq > 0)
            .map(|h| ChainHead {
                chain_id: h.chain_id,
                seq: h.head_seq,
                hash: h.head_hash,
            })
            .collect();
        Ok(Checkpoint::new(
            &self.key,
            accord_domain::time::unix_micros(self.now()),
            heads,
        ))
    }
}

/// A record whose whole chain, head row and events, is gone.
fn chain_gone(id: Uuid) -> Broken {
    Broken {
        chain_id: id,
        seq: 1,
        kind: BreakKind::Head { head_seq: 0, last_seq: 0 },
        message: "the record's audit chain is gone: its head and every event, the creation event included, were deleted".into(),
    }
}

/// Events as the API shows them, with their actors' names.
async fn with_names(
    tx: &mut accord_store::Tx,
    events: Vec<accord_store::audit::Event>,
) -> Result<Vec<AuditEventView>> {
    let ids: Vec<Uuid> = events
        .iter()
        .filter_map(|e| e.actor_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let names: HashMap<Uuid, String> = accord_store::user::get_many(tx, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(events
        .into_iter()
        .map(|e| AuditEventView {
            seq: e.seq,
            at: accord_domain::time::from_unix_micros(e.at_us)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
            actor: e.actor_id,
            actor_name: e.actor_id.and_then(|id| names.get(&id).cloned()),
            action: e.action,
            record_type: e.record_type,
            record_id: e.record_id,
            before: e.before_json.and_then(|s| serde_json::from_str(&s).ok()),
            after: e.after_json.and_then(|s| serde_json::from_str(&s).ok()),
            reason: e.reason,
            hash: e.hash,
            prev_hash: e.prev_hash,
        })
        .collect())
}
