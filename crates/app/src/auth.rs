//! Passwords, tokens, sign-in and the caller's identity.
//!
//! Passwords are hashed with argon2id (m=19456 KiB, t=2, p=1 by default: the OWASP minimum), at
//! most two at a time. Bearer tokens are 256 random bits; only their SHA-256 is stored.

use crate::views::{LoginResponse, UserView};
use crate::{snapshot, Actor, App, AuditEntry, Error, Result};
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

impl App {
    /// Hashes on the blocking pool, at most two at once.
    pub async fn hash_password(&self, password: &str) -> Result<String> {
        accord_domain::user::check_password("password", password)?;
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

    async fn verify_password(&self, password: &str, phc: &str) -> Result<bool> {
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
    /// unknown e-mail get the same answer.
    pub async fn login(&self, email: &str, password: &str) -> Result<LoginResponse> {
        let refused = || Error::Unauthorized("wrong e-mail or password".into());
        let email = email.trim().to_lowercase();
        let mut tx = self.store.read().await?;
        let user = accord_store::user::find_by_email(&mut tx, &email).await?;
        drop(tx);
        let Some(user) = user else {
            let _ = self.verify_password(password, self.dummy_hash()).await?;
            return Err(refused());
        };
        let ok = self.verify_password(password, &user.password_hash).await?;
        let now = self.now();
        let mut w = self
            .begin(user.organisation_id, ChainKind::Organisation)
            .await?;
        if !ok || user.disabled {
            self.audit(
                &mut w,
                AuditEntry {
                    actor: Some(user.id),
                    action: "auth.login_failed",
                    record_type: "user",
                    record_id: Some(user.id),
                    before: None,
                    after: None,
                    reason: Some(if user.disabled {
                        "account disabled"
                    } else {
                        "wrong password"
                    }),
                },
            )
            .await?;
            w.commit().await?;
            return Err(refused());
        }
        let (token, hash) = new_token();
        let t = Token {
            id: accord_domain::new_id(),
            user_id: user.id,
            token_hash: hash,
            kind: "session".into(),
            created_at: now,
            expires_at: now + self.config.login_token_ttl,
            revoked_at: None,
        };
        accord_store::user::insert_token(&mut w.tx, &t).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(user.id),
                action: "auth.login",
                record_type: "token",
                record_id: Some(t.id),
                before: None,
                after: Some(snapshot(&t)),
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
        if t.revoked_at.is_some() || t.expires_at <= self.now() {
            return Err(refused());
        }
        let user = accord_store::user::get(&mut tx, t.user_id).await?;
        if user.disabled {
            return Err(refused());
        }
        let org = accord_store::org::get(&mut tx, user.organisation_id).await?;
        Ok(Actor {
            user_id: user.id,
            organisation_id: org.id,
            organisation_kind: org.kind,
            is_org_admin: user.is_org_admin,
            name: user.name,
            email: user.email,
            token_id: Some(t.id),
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
        })
    }
}
