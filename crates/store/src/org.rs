//! Organisations.

use crate::{execute, run, Result, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Organisation {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub retired_at: Option<OffsetDateTime>,
}

const COLS: &str = "id, slug, name, kind, version, created_at, updated_at, retired_at";

pub async fn insert(tx: &mut Tx, o: &Organisation) -> Result<()> {
    execute!(tx, |c| sqlx::query(
        "insert into organisations (id, slug, name, kind, version, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(o.id)
    .bind(&o.slug)
    .bind(&o.name)
    .bind(&o.kind)
    .bind(o.version)
    .bind(o.created_at)
    .bind(o.updated_at)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Organisation> {
    let sql = format!("select {COLS} from organisations where id = $1");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(c)
        .await)?)
}

pub async fn find_by_slug(tx: &mut Tx, slug: &str) -> Result<Option<Organisation>> {
    let sql = format!("select {COLS} from organisations where slug = $1");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(slug)
        .fetch_optional(c)
        .await)?)
}

/// The organisation itself and every organisation it shares an engagement with.
pub async fn list_visible_to(tx: &mut Tx, org_id: Uuid) -> Result<Vec<Organisation>> {
    let sql = format!(
        "select {COLS} from organisations where id = $1 \
         or id in (select partner_id from engagements where customer_id = $1) \
         or id in (select customer_id from engagements where partner_id = $1) \
         order by name"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(org_id)
        .fetch_all(c)
        .await)?)
}

/// Every organisation (for the operator's CLI).
pub async fn list_all(tx: &mut Tx) -> Result<Vec<Organisation>> {
    let sql = format!("select {COLS} from organisations order by name");
    Ok(run!(tx, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}
