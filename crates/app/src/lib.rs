//! Accord's use cases. Each public method is one thing a person or script does: it checks who
//! may do it, loads the records, asks `domain` whether the change is allowed, and writes the
//! change with its audit event in one transaction.
#![forbid(unsafe_code)]

pub mod audit;
pub mod auth;
mod check;
pub mod csv_import;
pub mod document;
pub mod engagement;
mod error;
pub mod esign;
pub mod knowledge;
pub mod note;
pub mod org;
pub mod purchase;
pub mod reimport;
pub mod reqif;
pub mod requirement;
pub mod role;
pub mod trace;
pub mod views;

pub use error::{Error, FieldError, Result, UnmetCriterion};

use accord_domain::audit::AuditKey;
use accord_domain::time::Clock;
use accord_store::audit::{ChainKind, Draft};
use accord_store::{Store, WriteTx};
use serde::Serialize;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        accord_domain::time::to_micros(OffsetDateTime::now_utc())
    }
}

/// Settings of the use cases.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a session (a token from signing in, by the API or the login page) lives at most:
    /// its absolute expiry.
    pub login_token_ttl: time::Duration,
    /// How long a session lives without being used: its idle expiry.
    pub session_idle: time::Duration,
    /// Argon2id memory cost in KiB (at least 19456 in production; tests may lower it).
    pub argon2_m_kib: u32,
    pub argon2_t: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            login_token_ttl: time::Duration::hours(12),
            session_idle: time::Duration::minutes(30),
            argon2_m_kib: 19_456,
            argon2_t: 2,
        }
    }
}

/// The application: storage, clock, audit key and settings.
#[derive(Clone)]
pub struct App {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) key: AuditKey,
    pub(crate) config: Config,
    /// At most two password hashes at once, so a login storm cannot starve the server.
    pub(crate) hashing: Arc<tokio::sync::Semaphore>,
}

impl App {
    pub fn new(store: Store, key: AuditKey, clock: Arc<dyn Clock>, config: Config) -> Self {
        Self {
            store,
            clock,
            key,
            config,
            hashing: Arc::new(tokio::sync::Semaphore::new(2)),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> OffsetDateTime {
        accord_domain::time::to_micros(self.clock.now())
    }

    /// Opens a write transaction on an engagement's or organisation's audit chain.
    pub(crate) async fn begin(&self, chain_id: Uuid, kind: ChainKind) -> Result<WriteTx> {
        Ok(self.store.begin_write(chain_id, kind).await?)
    }

    /// Appends the audit event of one change to the open transaction's chain.
    pub(crate) async fn audit(&self, w: &mut WriteTx, ev: AuditEntry<'_>) -> Result<()> {
        let draft = Draft {
            at: self.now(),
            actor_id: ev.actor,
            action: ev.action.to_string(),
            record_type: ev.record_type.to_string(),
            record_id: ev.record_id,
            before: ev.before.map(|v| v.to_string()),
            after: ev.after.map(|v| v.to_string()),
            reason: ev.reason.map(str::to_string),
        };
        w.append(&self.key, draft).await?;
        Ok(())
    }
}

/// One audit event as a use case describes it.
pub(crate) struct AuditEntry<'a> {
    pub actor: Option<Uuid>,
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<&'a str>,
}

/// A record as JSON for the audit trail's before/after.
pub(crate) fn snapshot<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Who is calling: a signed-in user of one organisation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Actor {
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    /// `customer` or `partner`.
    pub organisation_kind: String,
    pub is_org_admin: bool,
    pub name: String,
    pub email: String,
    /// The token the caller authenticated with (for logout).
    #[serde(skip)]
    pub token_id: Option<Uuid>,
    /// An organisation admin set the user's password: until the user chooses their own, they
    /// may only do that (or sign out).
    #[serde(skip)]
    pub must_change_password: bool,
}

/// A field that may be absent (leave it), `null` (clear it) or a value (set it).
pub fn double_option<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Ok(Some(serde::Deserialize::deserialize(d)?))
}
