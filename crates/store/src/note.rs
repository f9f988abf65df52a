//! Internal notes: one side's remarks on a record of an engagement, visible to that side only.

use crate::{execute, run, Result, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Note {
    pub id: Uuid,
    pub engagement_id: Uuid,
    /// The side: the organisation whose members may read it.
    pub organisation_id: Uuid,
    pub record_type: String,
    pub record_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub retired_at: Option<OffsetDateTime>,
}

const COLS: &str = "id, engagement_id, organisation_id, record_type, record_id, author_id, body, created_at, retired_at";

pub async fn insert(tx: &mut Tx, n: &Note) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
            "insert into notes (id, engagement_id, organisation_id, record_type, record_id, author_id, body, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(n.id)
        .bind(n.engagement_id)
        .bind(n.organisation_id)
        .bind(&n.record_type)
        .bind(n.record_id)
        .bind(n.author_id)
        .bind(&n.body)
        .bind(n.created_at)
        .execute(c)
        .await
    })?;
    Ok(())
}

/// The live notes of one side on an engagement (on one record, or all), oldest first.
pub async fn list(
    tx: &mut Tx,
    engagement_id: Uuid,
    organisation_id: Uuid,
    record_id: Option<Uuid>,
) -> Result<Vec<Note>> {
    let sql = format!(
        "select {COLS} from notes where engagement_id = $1 and organisation_id = $2 \
         and ($3 or record_id = $4) and retired_at is null order by created_at, id"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .bind(organisation_id)
        .bind(record_id.is_none())
        .bind(record_id.unwrap_or(Uuid::nil()))
        .fetch_all(c)
        .await)?)
}
