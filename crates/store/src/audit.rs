//! The audit trail's storage: chain heads, appending events, reading and streaming them.

use crate::{execute, run, Result, StoreError, Tx};
use accord_domain::audit::{AuditKey, EventFields, GENESIS};
use futures_util::TryStreamExt;
use serde::Serialize;
use uuid::Uuid;

/// What a chain belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainKind {
    Engagement,
    Organisation,
}

impl ChainKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChainKind::Engagement => "engagement",
            ChainKind::Organisation => "organisation",
        }
    }
}

/// The last event of a chain as seen under its lock.
#[derive(Debug, Clone)]
pub struct Head {
    pub seq: i64,
    pub hash: [u8; 32],
}

/// An event to append: everything but the chain position and hashes.
#[derive(Debug, Clone)]
pub struct Draft {
    pub at: time::OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<Uuid>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
}

/// A stored audit event.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Event {
    pub id: Uuid,
    pub chain_id: Uuid,
    pub seq: i64,
    pub at_us: i64,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<Uuid>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Event {
    pub fn fields(&self) -> EventFields<'_> {
        EventFields {
            chain_id: self.chain_id,
            seq: self.seq,
            at_us: self.at_us,
            actor_id: self.actor_id,
            action: &self.action,
            record_type: &self.record_type,
            record_id: self.record_id,
            before: self.before_json.as_deref(),
            after: self.after_json.as_deref(),
            reason: self.reason.as_deref(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    head_seq: i64,
    head_hash: String,
}

/// Locks the head of `chain_id` for the rest of the transaction, creating the chain if new.
pub(crate) async fn lock_head(tx: &mut Tx, chain_id: Uuid, kind: ChainKind) -> Result<Head> {
    let sql = crate::dialect::lock_chain_head_sql(tx.engine());
    let row: Option<HeadRow> = run!(tx, |c| sqlx::query_as(sql)
        .bind(chain_id)
        .fetch_optional(c)
        .await)?;
    match row {
        Some(r) => {
            let mut hash = [0u8; 32];
            hex::decode_to_slice(&r.head_hash, &mut hash).map_err(|_| {
                StoreError::Other(format!(
                    "audit chain {chain_id}: the stored head hash is not hex"
                ))
            })?;
            Ok(Head {
                seq: r.head_seq,
                hash,
            })
        }
        None => {
            let genesis = hex::encode(GENESIS);
            execute!(tx, |c| {
                sqlx::query(
                "insert into audit_chains (chain_id, kind, head_seq, head_hash) values ($1, $2, 0, $3)"
            )
            .bind(chain_id)
            .bind(kind.as_str())
            .bind(&genesis)
            .execute(c)
            .await
            })?;
            Ok(Head {
                seq: 0,
                hash: GENESIS,
            })
        }
    }
}

pub(crate) async fn insert_event(
    tx: &mut Tx,
    key: &AuditKey,
    chain_id: Uuid,
    head: &mut Head,
    d: Draft,
) -> Result<Event> {
    let at = accord_domain::time::to_micros(d.at);
    let mut ev = Event {
        id: accord_domain::new_id(),
        chain_id,
        seq: head.seq + 1,
        at_us: accord_domain::time::unix_micros(at),
        actor_id: d.actor_id,
        action: d.action,
        record_type: d.record_type,
        record_id: d.record_id,
        before_json: d.before,
        after_json: d.after,
        reason: d.reason,
        prev_hash: hex::encode(head.hash),
        hash: String::new(),
    };
    let h = key.link(&head.hash, &ev.fields());
    ev.hash = hex::encode(h);
    execute!(tx, |c| {
        sqlx::query(
        "insert into audit_events (id, chain_id, seq, at_us, actor_id, action, record_type, record_id, \
         before_json, after_json, reason, prev_hash, hash) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    )
    .bind(ev.id)
    .bind(ev.chain_id)
    .bind(ev.seq)
    .bind(ev.at_us)
    .bind(ev.actor_id)
    .bind(&ev.action)
    .bind(&ev.record_type)
    .bind(ev.record_id)
    .bind(&ev.before_json)
    .bind(&ev.after_json)
    .bind(&ev.reason)
    .bind(&ev.prev_hash)
    .bind(&ev.hash)
    .execute(c)
    .await
    })?;
    head.seq = ev.seq;
    head.hash = h;
    Ok(ev)
}

pub(crate) async fn save_head(tx: &mut Tx, chain_id: Uuid, head: &Head) -> Result<()> {
    let hash = hex::encode(head.hash);
    execute!(tx, |c| sqlx::query(
        "update audit_chains set head_seq = $1, head_hash = $2 where chain_id = $3"
    )
    .bind(head.seq)
    .bind(&hash)
    .bind(chain_id)
    .execute(c)
    .await)?;
    Ok(())
}

const EVENT_COLUMNS: &str = "id, chain_id, seq, at_us, actor_id, action, record_type, record_id, \
                             before_json, after_json, reason, prev_hash, hash";

/// Events of one chain after `after_seq`, oldest first.
pub async fn list(tx: &mut Tx, chain_id: Uuid, after_seq: i64, limit: i64) -> Result<Vec<Event>> {
    let sql = format!(
        "select {EVENT_COLUMNS} from audit_events where chain_id = $1 and seq > $2 order by seq limit $3"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(chain_id)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// The newest `limit` events of one chain, newest first.
pub async fn recent(tx: &mut Tx, chain_id: Uuid, limit: i64) -> Result<Vec<Event>> {
    let sql = format!(
        "select {EVENT_COLUMNS} from audit_events where chain_id = $1 order by seq desc limit $2"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(chain_id)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Number of events in all chains.
pub async fn count_all(tx: &mut Tx) -> Result<i64> {
    Ok(run!(tx, |c| sqlx::query_scalar(
        "select count(*) from audit_events"
    )
    .fetch_one(c)
    .await)?)
}

/// A chain's head as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StoredHead {
    pub chain_id: Uuid,
    pub kind: String,
    pub head_seq: i64,
    pub head_hash: String,
}

/// Every chain head, or just one chain's.
pub async fn heads(tx: &mut Tx, only: Option<Uuid>) -> Result<Vec<StoredHead>> {
    Ok(match only {
        Some(id) => run!(tx, |c| sqlx::query_as(
            "select chain_id, kind, head_seq, head_hash from audit_chains where chain_id = $1"
        )
        .bind(id)
        .fetch_all(c)
        .await)?,
        None => run!(tx, |c| sqlx::query_as(
            "select chain_id, kind, head_seq, head_hash from audit_chains order by chain_id"
        )
        .fetch_all(c)
        .await)?,
    })
}

/// Ids of chains that have events but no head row (a head deleted behind the application).
pub async fn chains_without_head(tx: &mut Tx) -> Result<Vec<Uuid>> {
    Ok(run!(tx, |c| sqlx::query_scalar(
        "select distinct e.chain_id from audit_events e \
         left join audit_chains h on h.chain_id = e.chain_id where h.chain_id is null"
    )
    .fetch_all(c)
    .await)?)
}

/// Streams every event of `chain_id` (or of all chains), ordered by chain then seq, into `f`.
/// `f` returns `false` to stop early. Rows are decoded one at a time, so memory stays flat.
pub async fn for_each_event<F>(tx: &mut Tx, chain_id: Option<Uuid>, mut f: F) -> Result<()>
where
    F: FnMut(&Event) -> bool + Send,
{
    let sql = match chain_id {
        Some(_) => format!(
            "select {EVENT_COLUMNS} from audit_events where chain_id = $1 order by chain_id, seq"
        ),
        None => format!("select {EVENT_COLUMNS} from audit_events order by chain_id, seq"),
    };
    run!(tx, |c| {
        let mut q = sqlx::query_as::<_, Event>(&sql);
        if let Some(id) = chain_id {
            q = q.bind(id);
        }
        let mut rows = q.fetch(c);
        while let Some(ev) = rows.try_next().await? {
            if !f(&ev) {
                break;
            }
        }
        Ok::<(), StoreError>(())
    })
}
