//! The audit trail's storage: chain heads, appending events, reading and streaming them.

use crate::{execute, run, Result, Store, StoreError, Tx};
use accord_domain::audit::{AuditKey, EventFields, StoredEvent, GENESIS};
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

fn decode_head(chain_id: Uuid, seq: i64, hash_hex: &str) -> Result<Head> {
    let mut hash = [0u8; 32];
    hex::decode_to_slice(hash_hex, &mut hash).map_err(|_| {
        StoreError::Other(format!(
            "audit chain {chain_id}: the stored head hash is not hex"
        ))
    })?;
    Ok(Head { seq, hash })
}

/// The head of `chain_id` as the transaction sees it, without locking it (the genesis head
/// when the chain has no events yet): what a preview compares a later write against.
pub async fn read_head(tx: &mut Tx, chain_id: Uuid) -> Result<Head> {
    match heads(tx, Some(chain_id)).await?.first() {
        Some(h) => decode_head(chain_id, h.head_seq, &h.head_hash),
        None => Ok(Head {
            seq: 0,
            hash: GENESIS,
        }),
    }
}

/// Locks the head of `chain_id` for the rest of the transaction, creating the chain if new.
pub(crate) async fn lock_head(tx: &mut Tx, chain_id: Uuid, kind: ChainKind) -> Result<Head> {
    let sql = crate::dialect::lock_chain_head_sql(tx.engine());
    let row: Option<HeadRow> = run!(tx, |c| sqlx::query_as(sql)
        .bind(chain_id)
        .fetch_optional(c)
        .await)?;
    match row {
        Some(r) => decode_head(chain_id, r.head_seq, &r.head_hash),
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

/// The next event of a chain: its position and hashes, the head moved on to it.
pub(crate) fn chain_event(key: &AuditKey, chain_id: Uuid, head: &mut Head, d: Draft) -> Event {
    let at = accord_domain::time::to_micros(d.at);
    let mut ev = Event {
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
    head.seq = ev.seq;
    head.hash = h;
    ev
}

/// Events chained from a known head, to be appended by [`crate::WriteTx::append_chained`].
#[derive(Debug)]
pub struct Chained {
    pub(crate) chain_id: Uuid,
    pub(crate) from: Head,
    pub(crate) to: Head,
    pub(crate) events: Vec<Event>,
}

impl Chained {
    /// The head after these events: where the next events follow.
    pub fn to(&self) -> &Head {
        &self.to
    }
}

/// [`Chained`] events with their insert statements made ([`Chained::prepare`]), to be
/// appended by [`crate::WriteTx::append_prepared`].
#[derive(Debug)]
pub struct PreparedChain {
    pub(crate) chain_id: Uuid,
    pub(crate) from: Head,
    pub(crate) to: Head,
    pub(crate) statements: crate::Prepared,
}

impl Chained {
    /// Makes the events' insert statements for `engine` (on any thread, off the transaction's
    /// task).
    pub fn prepare(self, engine: crate::Engine) -> Result<PreparedChain> {
        Ok(PreparedChain {
            statements: prepare_events(engine, self.events)?,
            chain_id: self.chain_id,
            from: self.from,
            to: self.to,
        })
    }
}

impl PreparedChain {
    /// The head after these events: where the next events follow.
    pub fn to(&self) -> &Head {
        &self.to
    }
}

/// Chains `drafts` after `from` (from [`crate::WriteTx::next_link`] or an earlier
/// [`Chained::to`]) without the transaction: the hashing can run on another thread while the
/// transaction writes.
pub fn chain_drafts(key: &AuditKey, chain_id: Uuid, from: Head, drafts: Vec<Draft>) -> Chained {
    let mut head = from.clone();
    let events = drafts
        .into_iter()
        .map(|d| chain_event(key, chain_id, &mut head, d))
        .collect();
    Chained {
        chain_id,
        from,
        to: head,
        events,
    }
}

/// Inserts events already chained by [`chain_event`], in batches.
pub(crate) async fn insert_events(tx: &mut Tx, events: Vec<Event>) -> Result<()> {
    let statements = prepare_events(tx.engine(), events)?;
    tx.run_prepared(statements).await
}

fn prepare_events(engine: crate::Engine, events: Vec<Event>) -> Result<crate::Prepared> {
    crate::prepare_batch!(
        engine,
        "audit_events",
        &[
            "chain_id",
            "seq",
            "at_us",
            "actor_id",
            "action",
            "record_type",
            "record_id",
            "before_json",
            "after_json",
            "reason",
            "prev_hash",
            "hash"
        ],
        events,
        |a, ev| {
            a.add(ev.chain_id)?;
            a.add(ev.seq)?;
            a.add(ev.at_us)?;
            a.add(ev.actor_id)?;
            a.add(ev.action)?;
            a.add(ev.record_type)?;
            a.add(ev.record_id)?;
            a.add(ev.before_json)?;
            a.add(ev.after_json)?;
            a.add(ev.reason)?;
            a.add(ev.prev_hash)?;
            a.add(ev.hash)?;
        }
    )
}

pub(crate) async fn insert_event(
    tx: &mut Tx,
    key: &AuditKey,
    chain_id: Uuid,
    head: &mut Head,
    d: Draft,
) -> Result<Event> {
    // Chained on a copy: the head moves only once the row is in.
    let mut next = head.clone();
    let ev = chain_event(key, chain_id, &mut next, d);
    execute!(tx, |c| {
        sqlx::query(
        "insert into audit_events (chain_id, seq, at_us, actor_id, action, record_type, record_id, \
         before_json, after_json, reason, prev_hash, hash) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )
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
    *head = next;
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

const EVENT_COLUMNS: &str = "chain_id, seq, at_us, actor_id, action, record_type, record_id, \
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

/// Engagements and organisations whose audit chain is gone altogether (no head row): every one
/// of them wrote its creation event into its own chain.
pub async fn records_without_chain(tx: &mut Tx) -> Result<Vec<Uuid>> {
    Ok(run!(tx, |c| sqlx::query_scalar(
        "select id from engagements where id not in (select chain_id from audit_chains) \
         union select id from organisations where id not in (select chain_id from audit_chains)"
    )
    .fetch_all(c)
    .await)?)
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

/// What a verification scan sees, in order: first the chain heads, then every event ordered by
/// chain and sequence number, all from one consistent snapshot.
pub enum ScanItem<'a> {
    /// The stored heads, and the chains that have events but no head row.
    Heads(&'a [StoredHead], &'a [Uuid]),
    Event(StoredEvent<'a>),
}

/// Scans the audit trail (every chain, or one) in one read snapshot, calling `f` for each item
/// until it returns `false`. Memory stays flat: rows are decoded one at a time.
pub async fn scan<F>(store: &Store, only: Option<Uuid>, mut f: F) -> Result<()>
where
    F: FnMut(ScanItem<'_>) -> bool + Send,
{
    if let Some(path) = store.sqlite_file() {
        let path = path.to_path_buf();
        let mut run = || sqlite_scan(&path, only, &mut f);
        return match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(run),
            _ => run(),
        };
    }
    let mut tx = store.read().await?;
    let heads = heads(&mut tx, only).await?;
    let orphans = if only.is_none() {
        chains_without_head(&mut tx).await?
    } else {
        Vec::new()
    };
    if !f(ScanItem::Heads(&heads, &orphans)) {
        return Ok(());
    }
    let sql = match only {
        Some(_) => format!(
            "select {EVENT_COLUMNS} from audit_events where chain_id = $1 order by chain_id, seq"
        ),
        None => format!("select {EVENT_COLUMNS} from audit_events order by chain_id, seq"),
    };
    run!(&mut tx, |c| {
        let mut q = sqlx::query_as::<_, Event>(&sql);
        if let Some(id) = only {
            q = q.bind(id);
        }
        let mut rows = q.fetch(c);
        while let Some(ev) = rows.try_next().await? {
            let item = StoredEvent {
                fields: ev.fields(),
                prev_hash: &ev.prev_hash,
                hash: &ev.hash,
            };
            if !f(ScanItem::Event(item)) {
                break;
            }
        }
        Ok::<(), StoreError>(())
    })
}

fn sqlite_err(e: rusqlite::Error) -> StoreError {
    StoreError::Other(format!("audit scan: {e}"))
}

fn blob_uuid(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<Option<Uuid>> {
    match v {
        rusqlite::types::ValueRef::Null => Ok(None),
        rusqlite::types::ValueRef::Blob(b) => Uuid::from_slice(b).map(Some).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(16, rusqlite::types::Type::Blob, Box::new(e))
        }),
        other => Err(rusqlite::Error::InvalidColumnType(
            0,
            "uuid".into(),
            other.data_type(),
        )),
    }
}

fn text_ref(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<Option<&str>> {
    match v {
        rusqlite::types::ValueRef::Null => Ok(None),
        other => other.as_str().map(Some).map_err(Into::into),
    }
}

fn sqlite_scan<F>(path: &std::path::Path, only: Option<Uuid>, f: &mut F) -> Result<()>
where
    F: FnMut(ScanItem<'_>) -> bool,
{
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(sqlite_err)?;
    // One read transaction: the heads and the events come from the same snapshot.
    conn.execute_batch("begin").map_err(sqlite_err)?;
    let only_blob = only.map(|u| u.as_bytes().to_vec());
    let mut heads = Vec::new();
    {
        let sql = match only {
            Some(_) => {
                "select chain_id, kind, head_seq, head_hash from audit_chains where chain_id = ?1"
            }
            None => {
                "select chain_id, kind, head_seq, head_hash from audit_chains order by chain_id"
            }
        };
        let mut stmt = conn.prepare(sql).map_err(sqlite_err)?;
        let mut rows = match &only_blob {
            Some(b) => stmt.query([b]),
            None => stmt.query([]),
        }
        .map_err(sqlite_err)?;
        while let Some(r) = rows.next().map_err(sqlite_err)? {
            heads.push(StoredHead {
                chain_id: blob_uuid(r.get_ref(0).map_err(sqlite_err)?)
                    .map_err(sqlite_err)?
                    .unwrap_or_default(),
                kind: r.get(1).map_err(sqlite_err)?,
                head_seq: r.get(2).map_err(sqlite_err)?,
                head_hash: r.get(3).map_err(sqlite_err)?,
            });
        }
    }
    let mut orphans = Vec::new();
    if only.is_none() {
        let mut stmt = conn
            .prepare("select distinct e.chain_id from audit_events e left join audit_chains h on h.chain_id = e.chain_id where h.chain_id is null")
            .map_err(sqlite_err)?;
        let mut rows = stmt.query([]).map_err(sqlite_err)?;
        while let Some(r) = rows.next().map_err(sqlite_err)? {
            if let Some(id) = blob_uuid(r.get_ref(0).map_err(sqlite_err)?).map_err(sqlite_err)? {
                orphans.push(id);
            }
        }
    }
    if !f(ScanItem::Heads(&heads, &orphans)) {
        return Ok(());
    }
    let sql = match only {
        Some(_) => format!(
            "select {EVENT_COLUMNS} from audit_events where chain_id = ?1 order by chain_id, seq"
        ),
        None => format!("select {EVENT_COLUMNS} from audit_events order by chain_id, seq"),
    };
    let mut stmt = conn.prepare(&sql).map_err(sqlite_err)?;
    let mut rows = match &only_blob {
        Some(b) => stmt.query([b]),
        None => stmt.query([]),
    }
    .map_err(sqlite_err)?;
    let bad = |what: &str| StoreError::Other(format!("audit scan: an event has no valid {what}"));
    while let Some(r) = rows.next().map_err(sqlite_err)? {
        let g = |i: usize| r.get_ref(i).map_err(sqlite_err);
        let fields = EventFields {
            chain_id: blob_uuid(g(0)?)
                .map_err(sqlite_err)?
                .ok_or_else(|| bad("chain id"))?,
            seq: g(1)?.as_i64().map_err(|_| bad("sequence number"))?,
            at_us: g(2)?.as_i64().map_err(|_| bad("time"))?,
            actor_id: blob_uuid(g(3)?).map_err(sqlite_err)?,
            action: text_ref(g(4)?).map_err(sqlite_err)?.unwrap_or_default(),
            record_type: text_ref(g(5)?).map_err(sqlite_err)?.unwrap_or_default(),
            record_id: blob_uuid(g(6)?).map_err(sqlite_err)?,
            before: text_ref(g(7)?).map_err(sqlite_err)?,
            after: text_ref(g(8)?).map_err(sqlite_err)?,
            reason: text_ref(g(9)?).map_err(sqlite_err)?,
        };
        let item = StoredEvent {
            fields,
            prev_hash: text_ref(g(10)?).map_err(sqlite_err)?.unwrap_or_default(),
            hash: text_ref(g(11)?).map_err(sqlite_err)?.unwrap_or_default(),
        };
        if !f(ScanItem::Event(item)) {
            break;
        }
    }
    Ok(())
}
