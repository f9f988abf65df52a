//! Electronic signatures. Append-only: there is no update or delete.

use crate::{execute, run, Result, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Signature {
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub record_type: String,
    pub record_id: Uuid,
    pub content_hash: String,
    pub meaning: String,
    pub signer_id: Uuid,
    pub signer_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub signed_at: OffsetDateTime,
    #[serde(skip)]
    pub token_id: Option<Uuid>,
    pub reason: Option<String>,
}

const COLS: &str = "id, engagement_id, record_type, record_id, content_hash, meaning, signer_id, signer_name, signed_at, token_id, reason";

pub async fn insert(tx: &mut Tx, s: &Signature) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "insert into signatures (id, engagement_id, record_type, record_id, content_hash, meaning, signer_id, signer_name, signed_at, token_id, reason) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )
    .bind(s.id)
    .bind(s.engagement_id)
    .bind(&s.record_type)
    .bind(s.record_id)
    .bind(&s.content_hash)
    .bind(&s.meaning)
    .bind(s.signer_id)
    .bind(&s.signer_name)
    .bind(s.signed_at)
    .bind(s.token_id)
    .bind(&s.reason)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// Signatures of an engagement, of one record or all, oldest first.
pub async fn list(
    tx: &mut Tx,
    engagement_id: Uuid,
    record_id: Option<Uuid>,
) -> Result<Vec<Signature>> {
    Ok(match record_id {
        Some(r) => {
            let sql = format!("select {COLS} from signatures where engagement_id = $1 and record_id = $2 order by signed_at, id");
            run!(tx, |c| sqlx::query_as(&sql)
                .bind(engagement_id)
                .bind(r)
                .fetch_all(c)
                .await)?
        }
        None => {
            let sql = format!(
                "select {COLS} from signatures where engagement_id = $1 order by signed_at, id"
            );
            run!(tx, |c| sqlx::query_as(&sql)
                .bind(engagement_id)
                .fetch_all(c)
                .await)?
        }
    })
}

/// Whether this token has signed anything yet (the first signing of a session needs every
/// identification component, 21 CFR 11.200(a)(1)(i)).
pub async fn token_has_signed(tx: &mut Tx, token_id: Uuid) -> Result<bool> {
    let n: i64 = run!(tx, |c| sqlx::query_scalar(
        "select count(*) from signatures where token_id = $1"
    )
    .bind(token_id)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}
