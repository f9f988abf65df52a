//! Engagements, their phase transitions, the role-phase matrix and gate checklists.

use crate::{execute, run, Result, StoreError, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Engagement {
    pub id: Uuid,
    pub key: String,
    pub name: String,
    pub product: String,
    pub customer_id: Uuid,
    pub partner_id: Uuid,
    pub phase: String,
    pub cycle: i64,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub retired_at: Option<OffsetDateTime>,
}

const COLS: &str = "id, key, name, product, customer_id, partner_id, phase, cycle, version, created_at, updated_at, retired_at";

pub async fn insert(tx: &mut Tx, e: &Engagement) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "insert into engagements (id, key, name, product, customer_id, partner_id, phase, cycle, version, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )
    .bind(e.id)
    .bind(&e.key)
    .bind(&e.name)
    .bind(&e.product)
    .bind(e.customer_id)
    .bind(e.partner_id)
    .bind(&e.phase)
    .bind(e.cycle)
    .bind(e.version)
    .bind(e.created_at)
    .bind(e.updated_at)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Engagement> {
    let sql = format!("select {COLS} from engagements where id = $1");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(c)
        .await)?)
}

pub async fn find_by_key(tx: &mut Tx, key: &str) -> Result<Option<Engagement>> {
    let sql = format!("select {COLS} from engagements where key = $1");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(key)
        .fetch_optional(c)
        .await)?)
}

/// Engagements in which `org_id` is the customer or the partner, after `cursor` (an id), by id.
pub async fn list_for_org(
    tx: &mut Tx,
    org_id: Uuid,
    include_retired: bool,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Engagement>> {
    let retired = if include_retired {
        ""
    } else {
        " and retired_at is null"
    };
    let sql = format!(
        "select {COLS} from engagements where (customer_id = $1 or partner_id = $1){retired} and id > $2 order by id limit $3"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(org_id)
        .bind(after.unwrap_or(Uuid::nil()))
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Every engagement (operator's CLI, demo).
pub async fn list_all(tx: &mut Tx) -> Result<Vec<Engagement>> {
    let sql = format!("select {COLS} from engagements order by key");
    Ok(run!(tx, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

/// The next free human key `ENG-0001`, `ENG-0002`...: one past the highest number in use, so
/// a key chosen by hand never collides with a generated one.
pub async fn next_key(tx: &mut Tx) -> Result<String> {
    let keys: Vec<String> = run!(tx, |c| sqlx::query_scalar(
        "select key from engagements where key like 'ENG-%'"
    )
    .fetch_all(c)
    .await)?;
    let max = keys
        .iter()
        .filter_map(|k| k.strip_prefix("ENG-")?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("ENG-{:04}", max + 1))
}

/// Writes the engagement's mutable fields if its version is still `expected`; bumps the version.
pub async fn update(tx: &mut Tx, e: &Engagement, expected: i64) -> Result<()> {
    let n = execute!(tx, |c| {
        sqlx::query(
        "update engagements set name = $1, product = $2, phase = $3, cycle = $4, retired_at = $5, updated_at = $6, \
         version = version + 1 where id = $7 and version = $8"
    )
    .bind(&e.name)
    .bind(&e.product)
    .bind(&e.phase)
    .bind(e.cycle)
    .bind(e.retired_at)
    .bind(e.updated_at)
    .bind(e.id)
    .bind(expected)
    .execute(c)
    .await
    })?;
    stale_unless_one(n)
}

/// Turns an optimistic update's row count into `Ok` or a stale-version conflict.
pub fn stale_unless_one(n: u64) -> Result<()> {
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            constraint: "version".into(),
        })
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Transition {
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub from_phase: String,
    pub to_phase: String,
    pub from_cycle: i64,
    pub to_cycle: i64,
    pub cycle_trigger: Option<String>,
    pub reason: String,
    pub actor_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

pub async fn insert_transition(tx: &mut Tx, t: &Transition) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "insert into phase_transitions (id, engagement_id, from_phase, to_phase, from_cycle, to_cycle, cycle_trigger, reason, actor_id, at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )
    .bind(t.id)
    .bind(t.engagement_id)
    .bind(&t.from_phase)
    .bind(&t.to_phase)
    .bind(t.from_cycle)
    .bind(t.to_cycle)
    .bind(&t.cycle_trigger)
    .bind(&t.reason)
    .bind(t.actor_id)
    .bind(t.at)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn list_transitions(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Transition>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
        "select id, engagement_id, from_phase, to_phase, from_cycle, to_cycle, cycle_trigger, reason, actor_id, at \
         from phase_transitions where engagement_id = $1 order by at, id"
    )
    .bind(engagement_id)
    .fetch_all(c)
    .await
    })?)
}

/// One row of the role-phase matrix: the phases in which `role` must have a holder.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MatrixRow {
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub role: String,
    /// Comma-separated phase names, possibly empty.
    pub phases: String,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

pub async fn insert_matrix_row(tx: &mut Tx, m: &MatrixRow) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "insert into role_matrix (id, engagement_id, role, phases, version, updated_at) values ($1, $2, $3, $4, $5, $6)"
    )
    .bind(m.id)
    .bind(m.engagement_id)
    .bind(&m.role)
    .bind(&m.phases)
    .bind(m.version)
    .bind(m.updated_at)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn matrix(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<MatrixRow>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
        "select id, engagement_id, role, phases, version, updated_at from role_matrix where engagement_id = $1"
    )
    .bind(engagement_id)
    .fetch_all(c)
    .await
    })?)
}

pub async fn update_matrix_row(tx: &mut Tx, m: &MatrixRow, expected: i64) -> Result<()> {
    let n = execute!(tx, |c| {
        sqlx::query(
        "update role_matrix set phases = $1, updated_at = $2, version = version + 1 where id = $3 and version = $4"
    )
    .bind(&m.phases)
    .bind(m.updated_at)
    .bind(m.id)
    .bind(expected)
    .execute(c)
    .await
    })?;
    stale_unless_one(n)
}

/// One item of a gate's checklist.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Criterion {
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub to_phase: String,
    pub text: String,
    pub met: bool,
    pub evidence: Option<String>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub retired_at: Option<OffsetDateTime>,
}

const CRIT_COLS: &str =
    "id, engagement_id, to_phase, text, met, evidence, version, created_at, updated_at, retired_at";

pub async fn insert_criterion(tx: &mut Tx, k: &Criterion) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "insert into gate_criteria (id, engagement_id, to_phase, text, met, evidence, version, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(k.id)
    .bind(k.engagement_id)
    .bind(&k.to_phase)
    .bind(&k.text)
    .bind(k.met)
    .bind(&k.evidence)
    .bind(k.version)
    .bind(k.created_at)
    .bind(k.updated_at)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn criteria(
    tx: &mut Tx,
    engagement_id: Uuid,
    include_retired: bool,
) -> Result<Vec<Criterion>> {
    let retired = if include_retired {
        ""
    } else {
        " and retired_at is null"
    };
    let sql = format!(
        "select {CRIT_COLS} from gate_criteria where engagement_id = $1{retired} order by created_at, id"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?)
}

pub async fn get_criterion(tx: &mut Tx, engagement_id: Uuid, id: Uuid) -> Result<Criterion> {
    let sql = format!("select {CRIT_COLS} from gate_criteria where engagement_id = $1 and id = $2");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .bind(id)
        .fetch_one(c)
        .await)?)
}

pub async fn update_criterion(tx: &mut Tx, k: &Criterion, expected: i64) -> Result<()> {
    let n = execute!(tx, |c| {
        sqlx::query(
        "update gate_criteria set text = $1, met = $2, evidence = $3, retired_at = $4, updated_at = $5, \
         version = version + 1 where id = $6 and version = $7"
    )
    .bind(&k.text)
    .bind(k.met)
    .bind(&k.evidence)
    .bind(k.retired_at)
    .bind(k.updated_at)
    .bind(k.id)
    .bind(expected)
    .execute(c)
    .await
    })?;
    stale_unless_one(n)
}

/// Marks every active checklist item of the engagement unmet again (a new cycle starts with no
/// sign-offs); returns how many were reset.
pub async fn reset_criteria(tx: &mut Tx, engagement_id: Uuid, now: OffsetDateTime) -> Result<u64> {
    execute!(tx, |c| sqlx::query(
        "update gate_criteria set met = $1, evidence = null, updated_at = $2, version = version + 1 \
         where engagement_id = $3 and retired_at is null and (met = $4 or evidence is not null)"
    )
    .bind(false)
    .bind(now)
    .bind(engagement_id)
    .bind(true)
    .execute(c)
    .await)
    .map_err(Into::into)
}
