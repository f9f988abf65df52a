//! Users and their authentication tokens.

use crate::{execute, run, Result, StoreError, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub is_org_admin: bool,
    pub disabled: bool,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Set when an organisation admin chose the password: the user must change it first.
    pub must_change_password: bool,
}

const COLS: &str = "id, organisation_id, email, name, password_hash, is_org_admin, disabled, version, created_at, updated_at, must_change_password";

pub async fn insert(tx: &mut Tx, u: &User) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "insert into users (id, organisation_id, email, name, password_hash, is_org_admin, disabled, version, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )
    .bind(u.id)
    .bind(u.organisation_id)
    .bind(&u.email)
    .bind(&u.name)
    .bind(&u.password_hash)
    .bind(u.is_org_admin)
    .bind(u.disabled)
    .bind(u.version)
    .bind(u.created_at)
    .bind(u.updated_at)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<User> {
    let sql = format!("select {COLS} from users where id = $1");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_one(c)
        .await)?)
}

pub async fn find_by_email(tx: &mut Tx, email: &str) -> Result<Option<User>> {
    let sql = format!("select {COLS} from users where email = $1");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(email)
        .fetch_optional(c)
        .await)?)
}

pub async fn list_by_org(tx: &mut Tx, org_id: Uuid) -> Result<Vec<User>> {
    let sql = format!("select {COLS} from users where organisation_id = $1 order by name");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(org_id)
        .fetch_all(c)
        .await)?)
}

/// Users by id, in one query.
pub async fn get_many(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<User>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "select {COLS} from users where id in ({})",
        placeholders.join(", ")
    );
    Ok(run!(tx, |c| {
        let mut q = sqlx::query_as(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?)
}

/// Replaces the password hash (rehash on login, password change).
/// Replaces a user's password hash; `must_change` sets or clears the must-change flag (`None`
/// leaves it, as a re-hash at sign-in does).
pub async fn set_password_hash(
    tx: &mut Tx,
    id: Uuid,
    hash: &str,
    now: OffsetDateTime,
    must_change: Option<bool>,
) -> Result<()> {
    let n = execute!(tx, |c| {
        sqlx::query(
            "update users set password_hash = $1, version = version + 1, updated_at = $2, \
         must_change_password = coalesce($4, must_change_password) where id = $3",
        )
        .bind(hash)
        .bind(now)
        .bind(id)
        .bind(must_change)
        .execute(c)
        .await
    })?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A bearer token as stored: only its SHA-256, never the token itself.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Token {
    pub id: Uuid,
    pub user_id: Uuid,
    #[serde(skip)]
    pub token_hash: String,
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    /// When a browser session was last used (idle expiry); `None` until its first use.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_seen_at: Option<OffsetDateTime>,
}

pub async fn insert_token(tx: &mut Tx, t: &Token) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "insert into auth_tokens (id, user_id, token_hash, kind, created_at, expires_at, last_seen_at) values ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(t.id)
    .bind(t.user_id)
    .bind(&t.token_hash)
    .bind(&t.kind)
    .bind(t.created_at)
    .bind(t.expires_at)
    .bind(t.last_seen_at)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn find_token(tx: &mut Tx, token_hash: &str) -> Result<Option<Token>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
        "select id, user_id, token_hash, kind, created_at, expires_at, revoked_at, last_seen_at from auth_tokens where token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await
    })?)
}

pub async fn get_token(tx: &mut Tx, id: Uuid) -> Result<Token> {
    run!(tx, |c| sqlx::query_as(
        "select id, user_id, token_hash, kind, created_at, expires_at, revoked_at, last_seen_at from auth_tokens where id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?
    .ok_or(crate::StoreError::NotFound)
}

/// Records the use of a session token at `now`.
pub async fn touch_token(tx: &mut Tx, id: Uuid, now: OffsetDateTime) -> Result<()> {
    execute!(tx, |c| sqlx::query(
        "update auth_tokens set last_seen_at = $1 where id = $2 and revoked_at is null"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn revoke_token(tx: &mut Tx, id: Uuid, now: OffsetDateTime) -> Result<bool> {
    let n = execute!(tx, |c| sqlx::query(
        "update auth_tokens set revoked_at = $1 where id = $2 and revoked_at is null"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// A throttle's stored state (see `accord_domain::throttle`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThrottleRow {
    pub key: String,
    pub failures: i64,
    pub last_failure: Option<OffsetDateTime>,
    pub locked_until: Option<OffsetDateTime>,
}

/// Reads a throttle row and holds it for the rest of the transaction, creating it if new, so
/// that concurrent attempts on one key are counted one after another.
pub async fn lock_throttle(tx: &mut Tx, key: &str) -> Result<ThrottleRow> {
    execute!(tx, |c| sqlx::query(
        "insert into login_throttle (key, failures) values ($1, 0) on conflict (key) do nothing"
    )
    .bind(key)
    .execute(c)
    .await)?;
    let sql = crate::dialect::lock_throttle_sql(tx.engine());
    Ok(run!(tx, |c| sqlx::query_as(sql)
        .bind(key)
        .fetch_one(c)
        .await)?)
}

/// Takes back one counted failure of a key (an attempt counted before it was known to
/// succeed). A lock stays.
pub async fn release_throttle(tx: &mut Tx, key: &str) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "update login_throttle set failures = case when failures > 0 then failures - 1 else 0 end where key = $1"
    )
    .bind(key)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn save_throttle(tx: &mut Tx, t: &ThrottleRow) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "insert into login_throttle (key, failures, last_failure, locked_until) values ($1, $2, $3, $4) \
         on conflict (key) do update set failures = excluded.failures, last_failure = excluded.last_failure, \
         locked_until = excluded.locked_until"
    )
    .bind(&t.key)
    .bind(t.failures)
    .bind(t.last_failure)
    .bind(t.locked_until)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// Sets or clears a user's `disabled` flag if the user is still at version `expected`.
pub async fn set_disabled(
    tx: &mut Tx,
    id: Uuid,
    disabled: bool,
    expected: i64,
    now: OffsetDateTime,
) -> Result<()> {
    let n = execute!(tx, |c| {
        sqlx::query(
        "update users set disabled = $1, updated_at = $2, version = version + 1 where id = $3 and version = $4"
    )
    .bind(disabled)
    .bind(now)
    .bind(id)
    .bind(expected)
    .execute(c)
    .await
    })?;
    crate::engagement::stale_unless_one(n)
}

/// Revokes every live token of a user except `keep`; returns how many.
pub async fn revoke_tokens_except(
    tx: &mut Tx,
    user_id: Uuid,
    keep: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<u64> {
    Ok(execute!(tx, |c| {
        sqlx::query(
        "update auth_tokens set revoked_at = $1 where user_id = $2 and revoked_at is null and id <> $3"
    )
    .bind(now)
    .bind(user_id)
    .bind(keep.unwrap_or(Uuid::nil()))
    .execute(c)
    .await
    })?)
}
