//! Electronic signatures (21 CFR Part 11): signing re-asks the password, records the meaning,
//! the printed name and the UTC time, and binds to the hash of the exact content signed.
//! Failed attempts are audited and throttled like sign-ins.

use crate::engagement::{gate_content, load_visible, GATE_RECORD};
use crate::views::SignatureView;
use crate::{snapshot, Actor, App, AuditEntry, Error, Result};
use accord_domain::esign::Meaning;
use accord_store::signature::Signature;
use uuid::Uuid;

/// What a signer gives.
#[derive(Debug, Clone)]
pub struct SignRequest {
    /// The signer's e-mail: required on the first signing with a token (both identification
    /// components, 11.200(a)(1)(i)); when given later it must still be the signer's.
    pub email: Option<String>,
    pub password: String,
    pub meaning: String,
    pub reason: Option<String>,
    /// The gate's `content_hash` as the signer read it; when given and the gate has changed
    /// since, nothing is signed (409).
    pub content_hash: Option<String>,
}

impl App {
    /// Signs the gate out of the engagement's current phase as it stands now.
    pub async fn sign_gate(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        req: SignRequest,
    ) -> Result<SignatureView> {
        let meaning = Meaning::parse(&req.meaning).ok_or_else(|| {
            Error::invalid(
                "meaning",
                "must be authored, reviewed, approved or rejected",
            )
        })?;
        let reason = match req.reason.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(accord_domain::validate::text("reason", r, 2000)?),
        };
        {
            let mut tx = self.store.read().await?;
            let e = load_visible(&mut tx, actor, engagement_id).await?;
            crate::engagement::ensure_steering(&mut tx, actor, &e).await?;
            let first = match actor.token_id {
                Some(t) => !accord_store::signature::token_has_signed(&mut tx, t).await?,
                None => true,
            };
            match req.email.as_deref().map(|e| e.trim().to_lowercase()) {
                None if first => return Err(Error::invalid(
                    "email",
                    "the first signature of a session needs your e-mail as well as your password",
                )),
                Some(e) if e != actor.email => {
                    return Err(Error::invalid(
                        "email",
                        "is not the signed-in user's e-mail: you can only sign as yourself",
                    ))
                }
                _ => {}
            }
        }
        self.reauthenticate(actor, &req.password).await?;
        let (mut w, e) = self.write_engagement(actor, engagement_id).await?;
        crate::engagement::ensure_steering(&mut w.tx, actor, &e).await?;
        let (_, _, hash) = gate_content(&mut w.tx, &e).await?;
        if req.content_hash.as_deref().is_some_and(|seen| seen != hash) {
            return Err(Error::Refused {
                detail: "the gate changed since you read it; review it again before signing".into(),
                unmet: Vec::new(),
            });
        }
        let user = accord_store::user::get(&mut w.tx, actor.user_id).await?;
        let s = Signature {
            id: accord_domain::new_id(),
            engagement_id,
            record_type: GATE_RECORD.into(),
            record_id: engagement_id,
            content_hash: hash.clone(),
            meaning: meaning.as_str().into(),
            signer_id: user.id,
            signer_name: user.name.clone(),
            signed_at: self.now(),
            token_id: actor.token_id,
            reason: reason.clone(),
        };
        accord_store::signature::insert(&mut w.tx, &s).await?;
        let view = SignatureView::new(&s, &hash);
        let mut after = snapshot(&view);
        after["gate"] = serde_json::json!({ "phase": e.phase, "cycle": e.cycle });
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "signature.sign",
                record_type: "signature",
                record_id: Some(s.id),
                before: None,
                after: Some(after),
                reason: reason.as_deref(),
            },
        )
        .await?;
        w.commit().await?;
        Ok(view)
    }

    /// The engagement's signatures (of one record, or all), each saying whether it covers its
    /// record's current content.
    pub async fn list_signatures(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        record_id: Option<Uuid>,
    ) -> Result<Vec<SignatureView>> {
        let mut tx = self.store.read().await?;
        let e = load_visible(&mut tx, actor, engagement_id).await?;
        // Only the gate's current hash is needed, not its whole evaluation.
        let (_, _, gate_hash) = gate_content(&mut tx, &e).await?;
        let all = accord_store::signature::list(&mut tx, engagement_id, record_id).await?;
        Ok(all
            .iter()
            .map(|s| {
                // Gates are the only signed records so far; another type would hash its own content.
                let current = if s.record_type == GATE_RECORD {
                    gate_hash.as_str()
                } else {
                    ""
                };
                SignatureView::new(s, current)
            })
            .collect())
    }

    /// Checks the caller's password again before a signature. A wrong one is audited, counts
    /// towards the account's lock exactly as a failed sign-in does, and signs nothing.
    async fn reauthenticate(&self, actor: &Actor, password: &str) -> Result<()> {
        let user = {
            let mut tx = self.store.read().await?;
            accord_store::user::get(&mut tx, actor.user_id).await?
        };
        let attempt = self
            .count_attempt(crate::auth::throttle_keys(&actor.email, None))
            .await?;
        if self.verify_password(password, &user.password_hash).await? && !user.disabled {
            let mut tx = self.store.write().await?;
            self.attempt_succeeded(&mut tx, &attempt).await?;
            return Ok(tx.commit().await?);
        }
        self.audit_failed_attempt(Some(&user), &attempt, "signature.failed")
            .await?;
        Err(Error::Unauthorized(
            "wrong password: nothing was signed".into(),
        ))
    }
}
