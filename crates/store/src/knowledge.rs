//! What the customer teaches the partner (the glossary and the partner's acknowledgements) and
//! the elicitation sessions that produce requirements.

use crate::{execute, run, Result, StoreError, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, PartialEq)]
pub struct Term {
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub term: String,
    #[serde(skip)]
    pub term_folded: String,
    pub definition: String,
    pub functional_area: String,
    pub examples: String,
    /// One synonym per line.
    pub synonyms: String,
    pub lang: String,
    pub version: i64,
    pub created_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

const TERM_COLS: &str = "id, engagement_id, term, term_folded, definition, functional_area, examples, synonyms, lang, version, created_by, created_at, updated_at";

/// Inserts the term, or updates it if it is still at version `expected`. A second term with the
/// same folded spelling is a [`StoreError::Conflict`] on `glossary_terms_term_idx`.
pub async fn save_term(tx: &mut Tx, t: &Term, expected: i64) -> Result<()> {
    let sql = format!(
        "insert into glossary_terms ({TERM_COLS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         on conflict (id) do update set term = excluded.term, term_folded = excluded.term_folded, \
         definition = excluded.definition, functional_area = excluded.functional_area, examples = excluded.examples, \
         synonyms = excluded.synonyms, lang = excluded.lang, version = excluded.version, updated_at = excluded.updated_at \
         where glossary_terms.version = $14"
    );
    crate::engagement::stale_unless_one(execute!(tx, |c| sqlx::query(&sql)
        .bind(t.id)
        .bind(t.engagement_id)
        .bind(&t.term)
        .bind(&t.term_folded)
        .bind(&t.definition)
        .bind(&t.functional_area)
        .bind(&t.examples)
        .bind(&t.synonyms)
        .bind(&t.lang)
        .bind(t.version)
        .bind(t.created_by)
        .bind(t.created_at)
        .bind(t.updated_at)
        .bind(expected)
        .execute(c)
        .await)?)
}

/// The engagement's glossary in alphabetical order of the folded term.
pub async fn terms(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Term>> {
    let sql = format!(
        "select {TERM_COLS} from glossary_terms where engagement_id = $1 order by term_folded"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?)
}

pub async fn term(tx: &mut Tx, engagement_id: Uuid, id: Uuid) -> Result<Term> {
    let sql =
        format!("select {TERM_COLS} from glossary_terms where id = $1 and engagement_id = $2");
    run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(engagement_id)
        .fetch_optional(c)
        .await)?
    .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Acknowledgement {
    pub term_id: Uuid,
    pub user_id: Uuid,
    pub term_version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub acknowledged_at: OffsetDateTime,
}

/// Records that `user_id` has read the term at `term_version` (replacing an older reading).
pub async fn acknowledge(tx: &mut Tx, a: &Acknowledgement) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "insert into term_acknowledgements (term_id, user_id, term_version, acknowledged_at) values ($1, $2, $3, $4) \
         on conflict (term_id, user_id) do update set term_version = excluded.term_version, acknowledged_at = excluded.acknowledged_at"
    )
    .bind(a.term_id)
    .bind(a.user_id)
    .bind(a.term_version)
    .bind(a.acknowledged_at)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// Every acknowledgement of the engagement's terms.
pub async fn acknowledgements(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Acknowledgement>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
        "select a.term_id, a.user_id, a.term_version, a.acknowledged_at from term_acknowledgements a \
         join glossary_terms t on t.id = a.term_id where t.engagement_id = $1 order by a.acknowledged_at"
    )
    .bind(engagement_id)
    .fetch_all(c)
    .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Session {
    pub id: Uuid,
    pub engagement_id: Uuid,
    #[serde(skip)]
    pub seq: i64,
    pub key: String,
    pub kind: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub held_at: OffsetDateTime,
    pub notes: String,
    pub created_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

const SESSION_COLS: &str =
    "id, engagement_id, seq, key, kind, title, held_at, notes, created_by, created_at";

/// Inserts a session with its attendees and the requirements it produced.
pub async fn insert_session(
    tx: &mut Tx,
    s: &Session,
    attendees: &[Uuid],
    requirements: &[Uuid],
) -> Result<()> {
    let sql = format!(
        "insert into elicitation_sessions ({SESSION_COLS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    );
    execute!(tx, |c| sqlx::query(&sql)
        .bind(s.id)
        .bind(s.engagement_id)
        .bind(s.seq)
        .bind(&s.key)
        .bind(&s.kind)
        .bind(&s.title)
        .bind(s.held_at)
        .bind(&s.notes)
        .bind(s.created_by)
        .bind(s.created_at)
        .execute(c)
        .await)?;
    for u in attendees {
        execute!(tx, |c| sqlx::query(
            "insert into session_attendees (session_id, user_id) values ($1, $2)"
        )
        .bind(s.id)
        .bind(u)
        .execute(c)
        .await)?;
    }
    for r in requirements {
        execute!(tx, |c| sqlx::query(
            "insert into session_requirements (session_id, requirement_id) values ($1, $2)"
        )
        .bind(s.id)
        .bind(r)
        .execute(c)
        .await)?;
    }
    Ok(())
}

/// The engagement's sessions, most recent first, with (session, attendee) and (session,
/// requirement) pairs.
pub async fn sessions(
    tx: &mut Tx,
    engagement_id: Uuid,
) -> Result<(Vec<Session>, Vec<(Uuid, Uuid)>, Vec<(Uuid, Uuid)>)> {
    let sql = format!(
        "select {SESSION_COLS} from elicitation_sessions where engagement_id = $1 order by held_at desc, seq desc"
    );
    let sessions: Vec<Session> = run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?;
    let attendees: Vec<(Uuid, Uuid)> = run!(tx, |c| {
        sqlx::query_as(
        "select a.session_id, a.user_id from session_attendees a join elicitation_sessions s on s.id = a.session_id \
         where s.engagement_id = $1"
    )
    .bind(engagement_id)
    .fetch_all(c)
    .await
    })?;
    let produced: Vec<(Uuid, Uuid)> = run!(tx, |c| {
        sqlx::query_as(
        "select p.session_id, p.requirement_id from session_requirements p join elicitation_sessions s on s.id = p.session_id \
         where s.engagement_id = $1"
    )
    .bind(engagement_id)
    .fetch_all(c)
    .await
    })?;
    Ok((sessions, attendees, produced))
}

/// Adds requirements produced by a session; those already linked are left as they are.
/// Returns the ones newly linked.
pub async fn add_session_requirements(
    tx: &mut Tx,
    session_id: Uuid,
    requirements: &[Uuid],
) -> Result<Vec<Uuid>> {
    let mut added = Vec::new();
    for r in requirements {
        let n = execute!(tx, |c| {
            sqlx::query(
            "insert into session_requirements (session_id, requirement_id) values ($1, $2) on conflict do nothing"
        )
        .bind(session_id)
        .bind(r)
        .execute(c)
        .await
        })?;
        if n == 1 {
            added.push(*r);
        }
    }
    Ok(added)
}

pub async fn session(tx: &mut Tx, engagement_id: Uuid, id: Uuid) -> Result<Session> {
    let sql = format!(
        "select {SESSION_COLS} from elicitation_sessions where id = $1 and engagement_id = $2"
    );
    run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(engagement_id)
        .fetch_optional(c)
        .await)?
    .ok_or(StoreError::NotFound)
}
