//! The purchase cycle: business-case objectives, the procurement map and the stakeholder
//! insights register. Each record is written by one `save` that inserts it or, at the version
//! the caller read, updates it (0 rows when someone else changed it first).

use crate::{execute, run, Result, StoreError, Tx};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The next sequence number of an engagement's records in `table` (one of this crate's tables
/// with a `seq` column; never caller input).
pub async fn next_seq(tx: &mut Tx, table: &'static str, engagement_id: Uuid) -> Result<i64> {
    let sql = format!("select max(seq) from {table} where engagement_id = $1");
    let n: (Option<i64>,) = run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_one(c)
        .await)?;
    Ok(n.0.unwrap_or(0) + 1)
}

/// `Ok` when exactly one row was written, [`StoreError::Stale`] otherwise.
fn one(n: u64) -> Result<()> {
    crate::engagement::stale_unless_one(n)
}

fn get_one<T>(row: Option<T>) -> Result<T> {
    row.ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, PartialEq)]
pub struct Objective {
    pub id: Uuid,
    pub engagement_id: Uuid,
    #[serde(skip)]
    pub seq: i64,
    pub key: String,
    pub outcome: String,
    pub metric: String,
    pub baseline: String,
    pub target: String,
    pub value_by: Date,
    pub serves: String,
    pub owner_id: Option<Uuid>,
    pub status: String,
    pub approved_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

const OBJ_COLS: &str = "id, engagement_id, seq, key, outcome, metric, baseline, target, value_by, serves, owner_id, status, approved_by, approved_at, version, created_at, updated_at";

/// Inserts the objective, or updates it if it is still at version `expected`.
pub async fn save_objective(tx: &mut Tx, o: &Objective, expected: i64) -> Result<()> {
    let sql = format!(
        "insert into objectives ({OBJ_COLS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         on conflict (id) do update set outcome = excluded.outcome, metric = excluded.metric, baseline = excluded.baseline, \
         target = excluded.target, value_by = excluded.value_by, serves = excluded.serves, owner_id = excluded.owner_id, \
         status = excluded.status, approved_by = excluded.approved_by, approved_at = excluded.approved_at, \
         version = excluded.version, updated_at = excluded.updated_at where objectives.version = $18"
    );
    one(execute!(tx, |c| sqlx::query(&sql)
        .bind(o.id)
        .bind(o.engagement_id)
        .bind(o.seq)
        .bind(&o.key)
        .bind(&o.outcome)
        .bind(&o.metric)
        .bind(&o.baseline)
        .bind(&o.target)
        .bind(o.value_by)
        .bind(&o.serves)
        .bind(o.owner_id)
        .bind(&o.status)
        .bind(o.approved_by)
        .bind(o.approved_at)
        .bind(o.version)
        .bind(o.created_at)
        .bind(o.updated_at)
        .bind(expected)
        .execute(c)
        .await)?)
}

pub async fn objectives(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Objective>> {
    let sql = format!("select {OBJ_COLS} from objectives where engagement_id = $1 order by seq");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?)
}

pub async fn objective(tx: &mut Tx, engagement_id: Uuid, id: Uuid) -> Result<Objective> {
    let sql = format!("select {OBJ_COLS} from objectives where id = $1 and engagement_id = $2");
    get_one(run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(engagement_id)
        .fetch_optional(c)
        .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, PartialEq)]
pub struct ProcurementStep {
    pub id: Uuid,
    pub engagement_id: Uuid,
    #[serde(skip)]
    pub seq: i64,
    pub key: String,
    pub customer_step: String,
    pub partner_step: String,
    pub owner_id: Option<Uuid>,
    pub due_on: Date,
    pub status: String,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

const STEP_COLS: &str = "id, engagement_id, seq, key, customer_step, partner_step, owner_id, due_on, status, version, created_at, updated_at";

/// Inserts the step, or updates it if it is still at version `expected`.
pub async fn save_step(tx: &mut Tx, s: &ProcurementStep, expected: i64) -> Result<()> {
    let sql = format!(
        "insert into procurement_steps ({STEP_COLS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         on conflict (id) do update set customer_step = excluded.customer_step, partner_step = excluded.partner_step, \
         owner_id = excluded.owner_id, due_on = excluded.due_on, status = excluded.status, version = excluded.version, \
         updated_at = excluded.updated_at where procurement_steps.version = $13"
    );
    one(execute!(tx, |c| sqlx::query(&sql)
        .bind(s.id)
        .bind(s.engagement_id)
        .bind(s.seq)
        .bind(&s.key)
        .bind(&s.customer_step)
        .bind(&s.partner_step)
        .bind(s.owner_id)
        .bind(s.due_on)
        .bind(&s.status)
        .bind(s.version)
        .bind(s.created_at)
        .bind(s.updated_at)
        .bind(expected)
        .execute(c)
        .await)?)
}

pub async fn steps(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<ProcurementStep>> {
    let sql = format!(
        "select {STEP_COLS} from procurement_steps where engagement_id = $1 order by due_on, seq"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?)
}

pub async fn step(tx: &mut Tx, engagement_id: Uuid, id: Uuid) -> Result<ProcurementStep> {
    let sql =
        format!("select {STEP_COLS} from procurement_steps where id = $1 and engagement_id = $2");
    get_one(run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(engagement_id)
        .fetch_optional(c)
        .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, PartialEq)]
pub struct Insight {
    pub id: Uuid,
    pub engagement_id: Uuid,
    #[serde(skip)]
    pub seq: i64,
    pub key: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub severity: String,
    pub owner_id: Option<Uuid>,
    pub status: String,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

const INS_COLS: &str = "id, engagement_id, seq, key, kind, title, description, severity, owner_id, status, version, created_at, updated_at";

/// Inserts the insight, or updates it if it is still at version `expected`.
pub async fn save_insight(tx: &mut Tx, i: &Insight, expected: i64) -> Result<()> {
    let sql = format!(
        "insert into insights ({INS_COLS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         on conflict (id) do update set kind = excluded.kind, title = excluded.title, description = excluded.description, \
         severity = excluded.severity, owner_id = excluded.owner_id, status = excluded.status, version = excluded.version, \
         updated_at = excluded.updated_at where insights.version = $14"
    );
    one(execute!(tx, |c| sqlx::query(&sql)
        .bind(i.id)
        .bind(i.engagement_id)
        .bind(i.seq)
        .bind(&i.key)
        .bind(&i.kind)
        .bind(&i.title)
        .bind(&i.description)
        .bind(&i.severity)
        .bind(i.owner_id)
        .bind(&i.status)
        .bind(i.version)
        .bind(i.created_at)
        .bind(i.updated_at)
        .bind(expected)
        .execute(c)
        .await)?)
}

pub async fn insights(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Insight>> {
    let sql = format!("select {INS_COLS} from insights where engagement_id = $1 order by seq");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?)
}

pub async fn insight(tx: &mut Tx, engagement_id: Uuid, id: Uuid) -> Result<Insight> {
    let sql = format!("select {INS_COLS} from insights where id = $1 and engagement_id = $2");
    get_one(run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(engagement_id)
        .fetch_optional(c)
        .await)?)
}
