//! Reading and verifying the audit trail, and exporting checkpoints.

use crate::engagement::load_visible;
use crate::views::{AuditEventView, VerifyReport};
use crate::{Actor, App, Error, Result};
use accord_domain::audit::{Broken, ChainHead, Checkpoint, StoredEvent, Verifier};
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
        let ids: Vec<Uuid> = events
            .iter()
            .filter_map(|e| e.actor_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let names: HashMap<Uuid, String> = accord_store::user::get_many(&mut tx, &ids)
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
        self.verify_chains(Some(engagement_id), None).await
    }

    /// Verifies every chain (or one), optionally against an exported checkpoint. The first
    /// broken event is named; verification stops there.
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
        let mut tx = self.store.read().await?;
        let heads = accord_store::audit::heads(&mut tx, only).await?;
        let head_map: HashMap<Uuid, (i64, String)> = heads
            .iter()
            .map(|h| (h.chain_id, (h.head_seq, h.head_hash.clone())))
            .collect();
        let mut verifier = Verifier::new(&self.key, checkpoint);
        let mut broken: Option<Broken> = None;
        let mut seen: HashSet<Uuid> = HashSet::new();
        let mut current: Option<Uuid> = None;
        accord_store::audit::for_each_event(&mut tx, only, |ev| {
            if current != Some(ev.chain_id) {
                if let Some(prev) = current {
                    let head = head_map.get(&prev).map(|(s, h)| (*s, h.as_str()));
                    if let Err(b) = verifier.end_chain(prev, head) {
                        broken = Some(b);
                        return false;
                    }
                }
                current = Some(ev.chain_id);
                seen.insert(ev.chain_id);
                verifier.start_chain(ev.chain_id);
            }
            let stored = StoredEvent {
                fields: ev.fields(),
                prev_hash: &ev.prev_hash,
                hash: &ev.hash,
            };
            match verifier.push(&stored) {
                Ok(()) => true,
                Err(b) => {
                    broken = Some(b);
                    false
                }
            }
        })
        .await?;
        if broken.is_none() {
            if let Some(last) = current {
                let head = head_map.get(&last).map(|(s, h)| (*s, h.as_str()));
                broken = verifier.end_chain(last, head).err();
            }
        }
        if broken.is_none() {
            // Chains with a head but no events left: every event was deleted.
            for h in &heads {
                if !seen.contains(&h.chain_id) {
                    if let Err(b) = verifier.end_chain(h.chain_id, Some((h.head_seq, &h.head_hash)))
                    {
                        broken = Some(b);
                        break;
                    }
                    seen.insert(h.chain_id);
                }
            }
        }
        if broken.is_none() && only.is_none() {
            if let Some(id) = accord_store::audit::chains_without_head(&mut tx)
                .await?
                .into_iter()
                .next()
            {
                broken = verifier.end_chain(id, None).err().or_else(|| {
                    Some(Broken {
                        chain_id: id,
                        seq: 1,
                        kind: accord_domain::audit::BreakKind::Head {
                            head_seq: 0,
                            last_seq: 0,
                        },
                        message: "the chain's head row is missing".into(),
                    })
                });
            }
            if broken.is_none() {
                broken = verifier.missing_checkpoint_chains(&seen).next();
            }
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
