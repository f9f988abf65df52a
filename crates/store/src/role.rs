//! Role assignments: who holds which role in an engagement.

use crate::{execute, run, Result, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Assignment {
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub functional_area: Option<String>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub retired_at: Option<OffsetDateTime>,
}

const COLS: &str =
    "id, engagement_id, user_id, role, functional_area, version, created_at, retired_at";

pub async fn insert(tx: &mut Tx, a: &Assignment) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "insert into role_assignments (id, engagement_id, user_id, role, functional_area, version, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(a.id)
    .bind(a.engagement_id)
    .bind(a.user_id)
    .bind(&a.role)
    .bind(&a.functional_area)
    .bind(a.version)
    .bind(a.created_at)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn list(
    tx: &mut Tx,
    engagement_id: Uuid,
    include_retired: bool,
) -> Result<Vec<Assignment>> {
    let retired = if include_retired {
        ""
    } else {
        " and retired_at is null"
    };
    let sql = format!("select {COLS} from role_assignments where engagement_id = $1{retired} order by created_at, id");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?)
}

pub async fn get(tx: &mut Tx, engagement_id: Uuid, id: Uuid) -> Result<Assignment> {
    let sql = format!("select {COLS} from role_assignments where engagement_id = $1 and id = $2");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .bind(id)
        .fetch_one(c)
        .await)?)
}

/// Retires an active assignment if its version is still `expected`.
pub async fn retire(tx: &mut Tx, id: Uuid, expected: i64, now: OffsetDateTime) -> Result<()> {
    let n = execute!(tx, |c| {
        sqlx::query(
        "update role_assignments set retired_at = $1, version = version + 1 where id = $2 and version = $3 and retired_at is null"
    )
    .bind(now)
    .bind(id)
    .bind(expected)
    .execute(c)
    .await
    })?;
    crate::engagement::stale_unless_one(n)
}
