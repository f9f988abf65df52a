//! The few statements that differ between SQLite and PostgreSQL.

use crate::{Engine, Result, Store};

/// Reads a chain head and holds it for the transaction. PostgreSQL locks the row; SQLite's
/// `BEGIN IMMEDIATE` already holds the single write lock, and has no `FOR UPDATE`.
pub fn lock_chain_head_sql(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "select head_seq, head_hash from audit_chains where chain_id = $1",
        Engine::Postgres => {
            "select head_seq, head_hash from audit_chains where chain_id = $1 for update"
        }
    }
}

/// Reads a sign-in throttle row and holds it (see [`lock_chain_head_sql`] for why SQLite needs
/// no clause).
pub fn lock_throttle_sql(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "select key, failures, last_failure, locked_until from login_throttle where key = $1",
        Engine::Postgres => {
            "select key, failures, last_failure, locked_until from login_throttle where key = $1 for update"
        }
    }
}

/// The settings durability depends on (RELIABILITY.md Q2).
pub(crate) async fn durability_settings(store: &Store) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Some(p) = store.sqlite_pool() {
        let mut c = p.acquire().await?;
        for pragma in [
            "journal_mode",
            "synchronous",
            "foreign_keys",
            "busy_timeout",
            "page_size",
        ] {
            use sqlx::Row;
            let row = sqlx::query(&format!("pragma {pragma}"))
                .fetch_one(&mut *c)
                .await?;
            let v = row
                .try_get::<String, _>(0)
                .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
                .unwrap_or_default();
            out.push((pragma.to_string(), v));
        }
    } else if let Some(p) = store.pg_pool() {
        for setting in ["fsync", "full_page_writes", "synchronous_commit"] {
            let v: String = sqlx::query_scalar(&format!("show {setting}"))
                .fetch_one(p)
                .await?;
            out.push((setting.to_string(), v));
        }
    }
    Ok(out)
}
