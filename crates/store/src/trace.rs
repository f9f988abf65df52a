//! Trace links between requirements and the conflicts that stay open until a decision resolves
//! them.

use crate::{execute, run, Result, StoreError, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Link {
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub from_id: Uuid,
    pub to_id: Uuid,
    pub kind: String,
    pub created_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

const LINK_COLS: &str = "id, engagement_id, from_id, to_id, kind, created_by, created_at";

/// Inserts a link; the same link twice is a [`StoreError::Conflict`] on `trace_links_pair_idx`.
pub async fn insert_link(tx: &mut Tx, l: &Link) -> Result<()> {
    let sql = format!("insert into trace_links ({LINK_COLS}) values ($1, $2, $3, $4, $5, $6, $7)");
    execute!(tx, |c| sqlx::query(&sql)
        .bind(l.id)
        .bind(l.engagement_id)
        .bind(l.from_id)
        .bind(l.to_id)
        .bind(&l.kind)
        .bind(l.created_by)
        .bind(l.created_at)
        .execute(c)
        .await)?;
    Ok(())
}

/// The engagement's links (those touching `requirement` when given), oldest first.
pub async fn links(
    tx: &mut Tx,
    engagement_id: Uuid,
    requirement: Option<Uuid>,
) -> Result<Vec<Link>> {
    let sql = format!(
        "select {LINK_COLS} from trace_links where engagement_id = $1 and ($2 or from_id = $3 or to_id = $3) \
         order by created_at, id"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .bind(requirement.is_none())
        .bind(requirement.unwrap_or(Uuid::nil()))
        .fetch_all(c)
        .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, PartialEq)]
pub struct Conflict {
    pub id: Uuid,
    pub engagement_id: Uuid,
    #[serde(skip)]
    pub seq: i64,
    pub key: String,
    pub requirement_a: Uuid,
    pub requirement_b: Uuid,
    pub description: String,
    pub raised_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub raised_at: OffsetDateTime,
    pub status: String,
    pub resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    pub version: i64,
}

const CONFLICT_COLS: &str = "id, engagement_id, seq, key, requirement_a, requirement_b, description, raised_by, raised_at, status, resolution, resolved_by, resolved_at, version";

/// Inserts the conflict, or records its resolution if it is still at version `expected`.
pub async fn save_conflict(tx: &mut Tx, k: &Conflict, expected: i64) -> Result<()> {
    let sql = format!(
        "insert into conflicts ({CONFLICT_COLS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         on conflict (id) do update set status = excluded.status, resolution = excluded.resolution, \
         resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at, version = excluded.version \
         where conflicts.version = $15"
    );
    crate::engagement::stale_unless_one(execute!(tx, |c| sqlx::query(&sql)
        .bind(k.id)
        .bind(k.engagement_id)
        .bind(k.seq)
        .bind(&k.key)
        .bind(k.requirement_a)
        .bind(k.requirement_b)
        .bind(&k.description)
        .bind(k.raised_by)
        .bind(k.raised_at)
        .bind(&k.status)
        .bind(&k.resolution)
        .bind(k.resolved_by)
        .bind(k.resolved_at)
        .bind(k.version)
        .bind(expected)
        .execute(c)
        .await)?)
}

pub async fn conflicts(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Conflict>> {
    let sql =
        format!("select {CONFLICT_COLS} from conflicts where engagement_id = $1 order by seq");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?)
}

pub async fn conflict(tx: &mut Tx, engagement_id: Uuid, id: Uuid) -> Result<Conflict> {
    let sql = format!("select {CONFLICT_COLS} from conflicts where id = $1 and engagement_id = $2");
    run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(engagement_id)
        .fetch_optional(c)
        .await)?
    .ok_or(StoreError::NotFound)
}

/// Inserts many links, in batches.
pub async fn insert_links(tx: &mut Tx, rows: &[Link]) -> Result<()> {
    crate::insert_batch!(
        tx,
        "trace_links",
        &[
            "id",
            "engagement_id",
            "from_id",
            "to_id",
            "kind",
            "created_by",
            "created_at"
        ],
        rows,
        |q, l| q
            .bind(l.id)
            .bind(l.engagement_id)
            .bind(l.from_id)
            .bind(l.to_id)
            .bind(&l.kind)
            .bind(l.created_by)
            .bind(l.created_at)
    )
}
