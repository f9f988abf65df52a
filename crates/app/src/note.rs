//! Internal notes (issue 3, "sides"): a customer-internal or partner-internal remark on a record
//! of an engagement. Only members of the author's organisation ever see one, so the note's audit
//! event goes to that organisation's chain, not to the engagement's chain both sides read.

use crate::engagement::load_visible;
use crate::{snapshot, Actor, App, AuditEntry, Error, Result};
use accord_store::audit::ChainKind;
use accord_store::note::Note;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// The kinds of record a note may be attached to, so far.
pub const NOTE_RECORD_TYPES: [&str; 3] = ["engagement", "criterion", "role"];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteView {
    pub id: Uuid,
    pub record_type: String,
    pub record_id: Uuid,
    /// The organisation whose members alone can read the note.
    pub visible_to: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl App {
    /// Adds an internal note of the caller's side to a record of the engagement.
    pub async fn add_note(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        record_type: &str,
        record_id: Uuid,
        body: &str,
    ) -> Result<NoteView> {
        let body = accord_domain::validate::text("body", body, 10_000)?;
        if !NOTE_RECORD_TYPES.contains(&record_type) {
            return Err(Error::invalid(
                "record_type",
                format!("must be one of {}", NOTE_RECORD_TYPES.join(", ")),
            ));
        }
        let mut w = self
            .begin(actor.organisation_id, ChainKind::Organisation)
            .await?;
        let e = load_visible(&mut w.tx, actor, engagement_id).await?;
        if e.retired_at.is_some() {
            return Err(Error::Refused {
                detail: "the engagement is retired; it takes no new notes".into(),
                unmet: Vec::new(),
            });
        }
        let belongs = match record_type {
            "engagement" => record_id == engagement_id,
            "criterion" => not_found_is_false(
                accord_store::engagement::get_criterion(&mut w.tx, engagement_id, record_id).await,
            )?,
            _ => not_found_is_false(
                accord_store::role::get(&mut w.tx, engagement_id, record_id).await,
            )?,
        };
        if !belongs {
            return Err(Error::invalid(
                "record_id",
                format!("is not a {record_type} of this engagement"),
            ));
        }
        let n = Note {
            id: accord_domain::new_id(),
            engagement_id,
            organisation_id: actor.organisation_id,
            record_type: record_type.to_string(),
            record_id,
            author_id: actor.user_id,
            body,
            created_at: self.now(),
            retired_at: None,
        };
        accord_store::note::insert(&mut w.tx, &n).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "note.create",
                record_type: "note",
                record_id: Some(n.id),
                before: None,
                after: Some(snapshot(&n)),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok(view(&n, &actor.name))
    }

    /// The caller's side's notes on the engagement (on one record, or all), oldest first.
    pub async fn list_notes(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        record_id: Option<Uuid>,
    ) -> Result<Vec<NoteView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, engagement_id).await?;
        let notes =
            accord_store::note::list(&mut tx, engagement_id, actor.organisation_id, record_id)
                .await?;
        let mut ids: Vec<Uuid> = notes.iter().map(|n| n.author_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let users = accord_store::user::get_many(&mut tx, &ids).await?;
        Ok(notes
            .iter()
            .map(|n| {
                let name = users
                    .iter()
                    .find(|u| u.id == n.author_id)
                    .map_or("", |u| u.name.as_str());
                view(n, name)
            })
            .collect())
    }
}

fn not_found_is_false<T>(r: accord_store::Result<T>) -> Result<bool> {
    match r {
        Ok(_) => Ok(true),
        Err(accord_store::StoreError::NotFound) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn view(n: &Note, author_name: &str) -> NoteView {
    NoteView {
        id: n.id,
        record_type: n.record_type.clone(),
        record_id: n.record_id,
        visible_to: n.organisation_id,
        author_id: n.author_id,
        author_name: author_name.to_string(),
        body: n.body.clone(),
        created_at: n.created_at,
    }
}
