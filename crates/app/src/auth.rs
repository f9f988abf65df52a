//! Passwords, tokens, sign-in and the caller's identity.
//!
//! Passwords are hashed with argon2id (m=19456 KiB, t=2, p=1 by default: the OWASP minimum), at
//! most two at a time. Bearer tokens are 256 random bits; only their SHA-256 is stored.

use crate::views::{LoginResponse, UserView};
use crate::{snapshot, Actor, App, AuditEntry, Error, Result};
use accord_domain::throttle;
use accord_store::audit::ChainKind;
use accord_store::user::Token;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// Prefix of every Accord bearer token, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "acc_";

fn argon2(m_kib: u32, t: u32) -> Result<Argon2<'static>> {
    let params = Params::new(m_kib, t, 1, None)
        .map_err(|e| Error::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=...`).
pub fn hash_password(password: &str, m_kib: u32, t: u32) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2(m_kib, t)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("cannot hash password: {e}")))
}

/// True when `password` matches the PHC string `phc`.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = token_hash(&token);
    (token, hash)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The anti-CSRF token of a session: derived from the session's secret, so it needs no storage,
/// changes with every new session, and cannot be computed by a page that cannot read the
/// (HttpOnly) session cookie.
pub fn csrf_token(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"accord-csrf-v1\0");
    h.update(session_token.as_bytes());
    hex::encode(h.finalize())
}

/// Whether `given` is the CSRF token of `session_token`, compared in constant time.
pub fn csrf_matches(session_token: &str, given: &str) -> bool {
    let want = csrf_token(session_token);
    want.len() == given.len()
        && want
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

impl App {
    /// Hashes on the blocking pool, at most two at once.
    pub async fn hash_password(&self, password: &str) -> Result<String> {
        accord_domain::user::check_password("password", password)?;
        self.hash_password_unchecked(password).await
    }

    /// Hashes a password already accepted once (a rehash at sign-in).
    async fn hash_password_unchecked(&self, password: &str) -> Result<String> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let (pw, m, t) = (
            password.to_string(),
            self.config.argon2_m_kib,
            self.config.argon2_t,
        );
        tokio::task::spawn_blocking(move || hash_password(&pw, m, t))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
    }

    pub(crate) async fn verify_password(&self, password: &str, phc: &str) -> Result<bool> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let (pw, phc) = (password.to_string(), phc.to_string());
        tokio::task::spawn_blocking(move || verify_password(&pw, &phc))
            .await
            .map_err(|e| Error::Internal(e.to_string()))
    }

    /// A PHC string of the configured strength whose password nobody knows: verified against
    /// when the e-mail is unknown, so both answers take the same time.
    fn dummy_hash(&self) -> &'static str {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        DUMMY.get_or_init(|| {
            hash_password("accord-dummy-password-for-timing", 19_456, 2).unwrap_or_default()
        })
    }

    /// Signs in with e-mail and password and returns a bearer token. A wrong password and an
    /// unknown e-mail get the same answer, and are throttled the same way: per account and per
    /// client `address` (when known), slowed after each failure and locked after five. During a
    /// lock even the right password is refused.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<LoginResponse> {
        let email = email.trim().to_lowercase();
        // Something that cannot be an e-mail address (control characters, say) belongs to nobody:
        // it is answered like any unknown e-mail, without asking the database.
        let user = match accord_domain::validate::email("email", &email) {
            Ok(_) => {
                let mut tx = self.store.read().await?;
                accord_store::user::find_by_email(&mut tx, &email).await?
            }
            Err(_) => None,
        };
        let attempt = self.count_attempt(throttle_keys(&email, address)).await?;
        let phc = user
            .as_ref()
            .map_or(self.dummy_hash(), |u| u.password_hash.as_str());
        let ok = self.verify_password(password, phc).await?;
        match user {
            Some(user) if ok && !user.disabled => {
                self.login_succeeded(user, password, &attempt).await
            }
            user => {
                self.audit_failed_attempt(user.as_ref(), &attempt, "auth.login_failed")
                    .await?;
                Err(Error::Unauthorized("wrong e-mail or password".into()))
            }
        }
    }

    /// Counts a password attempt against its throttles before the password is checked, each
    /// throttle row held while it is read and written, so parallel attempts are counted one
    /// after another and a burst cannot slip past the delays or the lock. Refused with the
    /// longest wait when any throttle says wait. A success gives the count back
    /// ([`App::attempt_succeeded`]).
    pub(crate) async fn count_attempt(
        &self,
        keys: Vec<(String, throttle::Policy)>,
    ) -> Result<Attempt> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut states = Vec::new();
        for (key, _) in &keys {
            let row = accord_store::user::lock_throttle(&mut tx, key).await?;
            states.push(throttle::State {
                failures: u32::try_from(row.failures).unwrap_or(u32::MAX),
                last_failure: row.last_failure,
                locked_until: row.locked_until,
            });
        }
        let wait = keys
            .iter()
            .zip(&states)
            .filter_map(|((_, policy), state)| throttle::check(*policy, state, now).err())
            .max();
        if let Some(wait) = wait {
            return Err(Error::Throttled {
                retry_after_secs: throttle::retry_after_secs(wait),
            });
        }
        let mut locked = Vec::new();
        for ((key, policy), state) in keys.iter().zip(&states) {
            let (next, locks) = throttle::fail(*policy, state, now);
            accord_store::user::save_throttle(&mut tx, &throttle_row(key, &next)).await?;
            if locks {
                tracing::warn!(key = %key, "locked after repeated failed password checks");
            }
            locked.push(locks);
        }
        tx.commit().await?;
        Ok(Attempt { keys, locked })
    }

    /// The attempt's password was right: the account starts afresh, and the address gets back
    /// the failure counted for it. A lock this attempt set on the address stays: otherwise one
    /// right password after nineteen wrong ones would reset an address that is spraying.
    pub(crate) async fn attempt_succeeded(
        &self,
        tx: &mut accord_store::Tx,
        a: &Attempt,
    ) -> Result<()> {
        for (key, _) in &a.keys {
            if key.starts_with("account:") {
                accord_store::user::save_throttle(tx, &throttle_row(key, &throttle::State::CLEAR))
                    .await?;
            } else {
                accord_store::user::release_throttle(tx, key).await?;
            }
        }
        Ok(())
    }

    /// The attempt's password was wrong: a known account's organisation gets one audit event,
    /// `action`, or `auth.locked` when this failure locked the account.
    pub(crate) async fn audit_failed_attempt(
        &self,
        user: Option<&accord_store::user::User>,
        a: &Attempt,
        action: &str,
    ) -> Result<()> {
        let Some(user) = user else {
            // No organisation to audit under; the throttle has counted it all the same, so an
            // unknown e-mail locks exactly like a known one.
            return Ok(());
        };
        let locked = a
            .keys
            .iter()
            .zip(&a.locked)
            .any(|((k, _), l)| *l && k.starts_with("account:"));
        let mut w = self
            .begin(user.organisation_id, ChainKind::Organisation)
            .await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(user.id),
                action: if locked { "auth.locked" } else { action },
                record_type: "user",
                record_id: Some(user.id),
                before: None,
                after: Some(serde_json::json!({ "account_locked": locked })),
                reason: Some(if user.disabled {
                    "account disabled"
                } else {
                    "wrong password"
                }),
            },
        )
        .await?;
        Ok(w.commit().await?)
    }

    async fn login_succeeded(
        &self,
        mut user: accord_store::user::User,
        password: &str,
        attempt: &Attempt,
    ) -> Result<LoginResponse> {
        // A hash made with weaker parameters than today's is replaced now that the password is
        // at hand (ASVS 2.4).
        let rehash = if weaker_than(
            &user.password_hash,
            self.config.argon2_m_kib,
            self.config.argon2_t,
        ) {
            Some(self.hash_password_unchecked(password).await?)
        } else {
            None
        };
        let now = self.now();
        let (token, hash) = new_token();
        let t = Token {
            id: accord_domain::new_id(),
            user_id: user.id,
            token_hash: hash,
            kind: "session".into(),
            created_at: now,
            expires_at: now + self.config.login_token_ttl,
            revoked_at: None,
            last_seen_at: None,
        };
        let mut w = self
            .begin(user.organisation_id, ChainKind::Organisation)
            .await?;
        self.attempt_succeeded(&mut w.tx, attempt).await?;
        // The password was checked against the row read before this transaction; if it changed
        // since (a password change, a disabled account), that check no longer stands.
        let current = accord_store::user::get(&mut w.tx, user.id).await?;
        if current.password_hash != user.password_hash || current.disabled {
            return Err(Error::Unauthorized("wrong e-mail or password".into()));
        }
        if let Some(h) = &rehash {
            accord_store::user::set_password_hash(&mut w.tx, user.id, h, now, None).await?;
            user.version += 1;
        }
        accord_store::user::insert_token(&mut w.tx, &t).await?;
        let mut after = snapshot(&t);
        after["password_rehashed"] = rehash.is_some().into();
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(user.id),
                action: "auth.login",
                record_type: "token",
                record_id: Some(t.id),
                before: None,
                after: Some(after),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        let org = {
            let mut tx = self.store.read().await?;
            accord_store::org::get(&mut tx, user.organisation_id).await?
        };
        Ok(LoginResponse {
            token,
            expires_at: t.expires_at,
            user: UserView::from_parts(&user, &org),
        })
    }

    /// Issues an API token for a user (the operator's `accord token create`).
    pub async fn create_api_token(
        &self,
        email: &str,
        valid_for: Duration,
        password: Option<&str>,
    ) -> Result<(String, OffsetDateTime)> {
        let email = email.trim().to_lowercase();
        let mut tx = self.store.read().await?;
        let user = accord_store::user::find_by_email(&mut tx, &email)
            .await?
            .ok_or_else(|| Error::invalid("email", format!("no user with e-mail {email}")))?;
        drop(tx);
        if let Some(pw) = password {
            if !self.verify_password(pw, &user.password_hash).await? {
                return Err(Error::Unauthorized("wrong password".into()));
            }
        }
        if user.disabled {
            return Err(Error::Forbidden(format!("the account {email} is disabled")));
        }
        let now = self.now();
        let (token, hash) = new_token();
        let t = Token {
            id: accord_domain::new_id(),
            user_id: user.id,
            token_hash: hash,
            kind: "api".into(),
            created_at: now,
            expires_at: now + valid_for,
            revoked_at: None,
            last_seen_at: None,
        };
        let mut w = self
            .begin(user.organisation_id, ChainKind::Organisation)
            .await?;
        accord_store::user::insert_token(&mut w.tx, &t).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: None,
                action: "token.create",
                record_type: "token",
                record_id: Some(t.id),
                before: None,
                after: Some(snapshot(&t)),
                reason: Some("issued with accord token create"),
            },
        )
        .await?;
        w.commit().await?;
        Ok((token, t.expires_at))
    }

    /// The caller behind a bearer token, or 401.
    pub async fn authenticate(&self, token: &str) -> Result<Actor> {
        let refused = || Error::Unauthorized("the token is unknown, expired or revoked".into());
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
            return Err(refused());
        }
        let mut tx = self.store.read().await?;
        let t = accord_store::user::find_token(&mut tx, &token_hash(token))
            .await?
            .ok_or_else(refused)?;
        let now = self.now();
        if t.revoked_at.is_some() || t.expires_at <= now {
            return Err(refused());
        }
        // A session also ends after a time without use (ASVS 3.3.2); API tokens do not idle.
        let last_use = t.last_seen_at.unwrap_or(t.created_at);
        if t.kind == "session" && last_use + self.config.session_idle <= now {
            return Err(refused());
        }
        let user = accord_store::user::get(&mut tx, t.user_id).await?;
        if user.disabled {
            return Err(refused());
        }
        let org = accord_store::org::get(&mut tx, user.organisation_id).await?;
        drop(tx);
        // The last use is written at most once a minute, so reading a page costs no write; the
        // idle expiry is therefore exact to within that minute.
        if t.kind == "session" && now - last_use >= time::Duration::minutes(1) {
            let mut w = self.store.write().await?;
            accord_store::user::touch_token(&mut w, t.id, now).await?;
            w.commit().await?;
        }
        Ok(Actor {
            user_id: user.id,
            organisation_id: org.id,
            organisation_kind: org.kind,
            is_org_admin: user.is_org_admin,
            name: user.name,
            email: user.email,
            token_id: Some(t.id),
            must_change_password: user.must_change_password,
        })
    }

    /// Revokes the token the caller signed in with.
    pub async fn logout(&self, actor: &Actor) -> Result<()> {
        let Some(token_id) = actor.token_id else {
            return Ok(());
        };
        let now = self.now();
        let mut w = self
            .begin(actor.organisation_id, ChainKind::Organisation)
            .await?;
        accord_store::user::revoke_token(&mut w.tx, token_id, now).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "auth.logout",
                record_type: "token",
                record_id: Some(token_id),
                before: None,
                after: Some(serde_json::json!({ "revoked_at": now })),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok(())
    }

    /// The caller's own user record.
    pub async fn me(&self, actor: &Actor) -> Result<UserView> {
        let mut tx = self.store.read().await?;
        let user = accord_store::user::get(&mut tx, actor.user_id).await?;
        let org = accord_store::org::get(&mut tx, user.organisation_id).await?;
        Ok(UserView::from_parts(&user, &org))
    }
}

impl App {
    /// The identity of a user by e-mail, for the operator's own tools (the demo seeder): the
    /// operator already holds the database, so this grants nothing new.
    pub async fn operator_actor(&self, email: &str) -> Result<Actor> {
        let mut tx = self.store.read().await?;
        let user = accord_store::user::find_by_email(&mut tx, &email.trim().to_lowercase())
            .await?
            .ok_or_else(|| Error::invalid("email", format!("no user with e-mail {email}")))?;
        let org = accord_store::org::get(&mut tx, user.organisation_id).await?;
        Ok(Actor {
            user_id: user.id,
            organisation_id: org.id,
            organisation_kind: org.kind,
            is_org_admin: user.is_org_admin,
            name: user.name,
            email: user.email,
            token_id: None,
            must_change_password: false,
        })
    }
}

/// The throttle keys of a sign-in: the account (a hash of the e-mail, so unknown addresses are
/// counted without storing them) and, when known, the client address.
pub(crate) fn throttle_keys(email: &str, address: Option<&str>) -> Vec<(String, throttle::Policy)> {
    let mut keys = vec![(
        format!("account:{}", hex::encode(Sha256::digest(email.as_bytes()))),
        throttle::Policy::ACCOUNT,
    )];
    if let Some(a) = address {
        keys.push((format!("address:{a}"), throttle::Policy::ADDRESS));
    }
    keys
}

pub(crate) fn throttle_row(key: &str, s: &throttle::State) -> accord_store::user::ThrottleRow {
    accord_store::user::ThrottleRow {
        key: key.to_string(),
        failures: i64::from(s.failures),
        last_failure: s.last_failure,
        locked_until: s.locked_until,
    }
}

/// True when the PHC string's argon2 cost is below `m_kib`/`t` (or unreadable).
fn weaker_than(phc: &str, m_kib: u32, t: u32) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    let get = |name: &str| parsed.params.get_decimal(name).unwrap_or(0);
    parsed.algorithm.as_str() != "argon2id" || get("m") < m_kib || get("t") < t
}

impl App {
    /// Changes the caller's own password after checking the current one (throttled like a
    /// sign-in). Every other token of the user is revoked (ASVS 3.3.3).
    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str) -> Result<()> {
        accord_domain::user::check_password("new_password", new)?;
        if current == new {
            return Err(Error::invalid(
                "new_password",
                "must differ from the current password",
            ));
        }
        let user = {
            let mut tx = self.store.read().await?;
            accord_store::user::get(&mut tx, actor.user_id).await?
        };
        let attempt = self
            .count_attempt(throttle_keys(&actor.email, None))
            .await?;
        if !self.verify_password(current, &user.password_hash).await? {
            self.audit_failed_attempt(Some(&user), &attempt, "user.password_change_failed")
                .await?;
            return Err(Error::invalid(
                "current_password",
                "is not your current password",
            ));
        }
        let hash = self.hash_password_unchecked(new).await?;
        let now = self.now();
        let mut w = self
            .begin(user.organisation_id, ChainKind::Organisation)
            .await?;
        self.attempt_succeeded(&mut w.tx, &attempt).await?;
        accord_store::user::set_password_hash(&mut w.tx, user.id, &hash, now, Some(false)).await?;
        let revoked =
            accord_store::user::revoke_tokens_except(&mut w.tx, user.id, actor.token_id, now)
                .await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(user.id),
                action: "user.password_change",
                record_type: "user",
                record_id: Some(user.id),
                before: Some(serde_json::json!({ "version": user.version })),
                after: Some(serde_json::json!({ "version": user.version + 1, "other_tokens_revoked": revoked })),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok(())
    }

    /// Disables or re-enables an account of the caller's own organisation (an organisation admin).
    /// A disabled user loses access at the next request: every token stops working.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        user_id: uuid::Uuid,
        disabled: bool,
        reason: &str,
    ) -> Result<UserView> {
        let reason = accord_domain::validate::text("reason", reason, 2000)?;
        let mut w = self
            .begin(actor.organisation_id, ChainKind::Organisation)
            .await?;
        let user = match accord_store::user::get(&mut w.tx, user_id).await {
            Ok(u) if u.organisation_id == actor.organisation_id => u,
            Ok(_) | Err(accord_store::StoreError::NotFound) => return Err(Error::NotFound),
            Err(e) => return Err(e.into()),
        };
        if !actor.is_org_admin {
            return Err(Error::Forbidden(
                "only an organisation admin may disable or enable an account".into(),
            ));
        }
        if user.id == actor.user_id {
            return Err(Error::Refused {
                detail: "you cannot disable your own account".into(),
                unmet: Vec::new(),
            });
        }
        if user.disabled == disabled {
            let state = if disabled { "disabled" } else { "enabled" };
            return Err(Error::Refused {
                detail: format!("the account is already {state}"),
                unmet: Vec::new(),
            });
        }
        let now = self.now();
        accord_store::user::set_disabled(&mut w.tx, user.id, disabled, user.version, now).await?;
        // Disabling ends every session at once, and enabling again does not bring them back.
        let revoked = if disabled {
            accord_store::user::revoke_tokens_except(&mut w.tx, user.id, None, now).await?
        } else {
            0
        };
        let org = accord_store::org::get(&mut w.tx, user.organisation_id).await?;
        let before = UserView::from_parts(&user, &org);
        let mut after_user = user.clone();
        after_user.disabled = disabled;
        after_user.version += 1;
        let after = UserView::from_parts(&after_user, &org);
        let mut after_json = snapshot(&after);
        after_json["tokens_revoked"] = revoked.into();
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: if disabled {
                    "user.disable"
                } else {
                    "user.enable"
                },
                record_type: "user",
                record_id: Some(user.id),
                before: Some(snapshot(&before)),
                after: Some(after_json),
                reason: Some(&reason),
            },
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}

/// A password attempt already counted against its throttles: the keys, and whether counting it
/// locked each.
pub(crate) struct Attempt {
    keys: Vec<(String, throttle::Policy)>,
    locked: Vec<bool>,
}

impl App {
    /// Replaces the caller's session token by a new one after a re-authentication (ASVS 5.0
    /// V7.2.4), keeping its absolute expiry; the old token stops working at once.
    pub async fn rotate_session(&self, actor: &Actor) -> Result<String> {
        let Some(old_id) = actor.token_id else {
            return Err(Error::Unauthorized("no session to renew".into()));
        };
        let now = self.now();
        let mut w = self
            .begin(actor.organisation_id, ChainKind::Organisation)
            .await?;
        let old = accord_store::user::get_token(&mut w.tx, old_id).await?;
        if old.kind != "session" || old.revoked_at.is_some() || old.expires_at <= now {
            return Err(Error::Unauthorized("the session has ended".into()));
        }
        let (token, hash) = new_token();
        let t = Token {
            id: accord_domain::new_id(),
            user_id: old.user_id,
            token_hash: hash,
            kind: "session".into(),
            created_at: now,
            expires_at: old.expires_at,
            revoked_at: None,
            last_seen_at: Some(now),
        };
        accord_store::user::revoke_token(&mut w.tx, old_id, now).await?;
        accord_store::user::insert_token(&mut w.tx, &t).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "auth.session_renew",
                record_type: "token",
                record_id: Some(t.id),
                before: Some(serde_json::json!({ "token_id": old_id })),
                after: Some(snapshot(&t)),
                reason: Some("re-authenticated"),
            },
        )
        .await?;
        w.commit().await?;
        Ok(token)
    }

    /// Sets a new password for a member of the caller's organisation (an organisation admin), for
    /// a member who forgot theirs. Every session and token of the member ends.
    pub async fn reset_member_password(
        &self,
        actor: &Actor,
        user_id: uuid::Uuid,
        new_password: &str,
        reason: &str,
    ) -> Result<()> {
        let reason = accord_domain::validate::text("reason", reason, 2000)?;
        accord_domain::user::check_password("new_password", new_password)?;
        let user = {
            let mut tx = self.store.read().await?;
            match accord_store::user::get(&mut tx, user_id).await {
                Ok(u) if u.organisation_id == actor.organisation_id => u,
                Ok(_) | Err(accord_store::StoreError::NotFound) => return Err(Error::NotFound),
                Err(e) => return Err(e.into()),
            }
        };
        if !actor.is_org_admin {
            return Err(Error::Forbidden(
                "only an organisation admin may reset a member's password".into(),
            ));
        }
        if user.id == actor.user_id {
            return Err(Error::Refused {
                detail: "change your own password on your account page".into(),
                unmet: Vec::new(),
            });
        }
        let hash = self.hash_password_unchecked(new_password).await?;
        let now = self.now();
        let mut w = self
            .begin(actor.organisation_id, ChainKind::Organisation)
            .await?;
        let current = accord_store::user::get(&mut w.tx, user.id).await?;
        if current.version != user.version {
            return Err(Error::Stale {
                current_version: Some(current.version),
            });
        }
        accord_store::user::set_password_hash(&mut w.tx, user.id, &hash, now, Some(true)).await?;
        let revoked =
            accord_store::user::revoke_tokens_except(&mut w.tx, user.id, None, now).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "user.password_reset",
                record_type: "user",
                record_id: Some(user.id),
                before: Some(serde_json::json!({ "version": user.version })),
                after: Some(
                    serde_json::json!({ "version": user.version + 1, "tokens_revoked": revoked }),
                ),
                reason: Some(&reason),
            },
        )
        .await?;
        w.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tokens_are_256_bits_and_unique() {
        // RELIABILITY.md S4: at least 128 bits from the CSPRNG; 10,000 tokens all different.
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let (token, hash) = new_token();
            let secret = token.strip_prefix(TOKEN_PREFIX).unwrap();
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(secret)
                .unwrap();
            assert_eq!(bytes.len(), 32);
            assert_eq!(hash, token_hash(&token));
            assert!(seen.insert(token));
        }
    }

    #[test]
    fn csrf_tokens_belong_to_their_session() {
        let (a, _) = new_token();
        let (b, _) = new_token();
        assert!(csrf_matches(&a, &csrf_token(&a)));
        assert!(!csrf_matches(&a, &csrf_token(&b)));
        assert!(!csrf_matches(&a, ""));
        assert!(!csrf_matches(&a, &csrf_token(&a)[..63]));
    }
}
