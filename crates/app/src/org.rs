//! Organisations and their users.

use crate::views::{OrganisationView, UserView};
use crate::{snapshot, Actor, App, AuditEntry, Error, Result};
use accord_domain::org::OrgKind;
use accord_domain::validate;
use accord_store::audit::ChainKind;
use accord_store::org::Organisation;
use accord_store::user::User;
use uuid::Uuid;

/// A new organisation.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub slug: String,
    pub name: String,
    pub kind: String,
}

/// A new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub organisation_slug: String,
    pub email: String,
    pub name: String,
    pub password: String,
    pub is_org_admin: bool,
}

impl App {
    /// Creates an organisation (the operator's command line; there is no tenant above it).
    pub async fn create_organisation(&self, input: NewOrganisation) -> Result<OrganisationView> {
        let slug = validate::slug("slug", &input.slug)?;
        let name = validate::text("name", &input.name, 200)?;
        let kind = OrgKind::parse(&input.kind)
            .ok_or_else(|| Error::invalid("kind", "must be customer or partner"))?;
        let now = self.now();
        let org = Organisation {
            id: accord_domain::new_id(),
            slug,
            name,
            kind: kind.as_str().to_string(),
            version: 1,
            created_at: now,
            updated_at: now,
            retired_at: None,
        };
        let mut w = self.begin(org.id, ChainKind::Organisation).await?;
        accord_store::org::insert(&mut w.tx, &org).await?;
        self.audit(
            &mut w,
            AuditEntry {
                actor: None,
                action: "organisation.create",
                record_type: "organisation",
                record_id: Some(org.id),
                before: None,
                after: Some(snapshot(&org)),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok((&org).into())
    }

    /// Creates a user in an organisation (the operator's command line, or the demo).
    pub async fn create_user(&self, input: NewUser) -> Result<UserView> {
        let email = validate::email("email", &input.email)?;
        let name = validate::text("name", &input.name, 200)?;
        let hash = self.hash_password(&input.password).await?;
        let mut tx = self.store.read().await?;
        let org = accord_store::org::find_by_slug(&mut tx, &input.organisation_slug)
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    "organisation",
                    format!("no organisation with slug {}", input.organisation_slug),
                )
            })?;
        drop(tx);
        let now = self.now();
        let user = User {
            id: accord_domain::new_id(),
            organisation_id: org.id,
            email,
            name,
            password_hash: hash,
            is_org_admin: input.is_org_admin,
            disabled: false,
            version: 1,
            created_at: now,
            updated_at: now,
            must_change_password: false,
        };
        let mut w = self.begin(org.id, ChainKind::Organisation).await?;
        accord_store::user::insert(&mut w.tx, &user).await?;
        let view = UserView::from_parts(&user, &org);
        self.audit(
            &mut w,
            AuditEntry {
                actor: None,
                action: "user.create",
                record_type: "user",
                record_id: Some(user.id),
                before: None,
                after: Some(snapshot(&view)),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        Ok(view)
    }

    /// The caller's organisation and those it shares an engagement with.
    pub async fn list_organisations(&self, actor: &Actor) -> Result<Vec<OrganisationView>> {
        let mut tx = self.store.read().await?;
        let orgs = accord_store::org::list_visible_to(&mut tx, actor.organisation_id).await?;
        Ok(orgs.iter().map(Into::into).collect())
    }

    /// One organisation, if the caller may see it (404 otherwise).
    pub async fn get_organisation(&self, actor: &Actor, id: Uuid) -> Result<OrganisationView> {
        let orgs = self.list_organisations(actor).await?;
        orgs.into_iter().find(|o| o.id == id).ok_or(Error::NotFound)
    }

    /// Users of an organisation the caller may see (their own by default). Of another
    /// organisation, only the people who hold a role in an engagement the two share: sharing an
    /// engagement does not open the other company's whole directory.
    pub async fn list_users(
        &self,
        actor: &Actor,
        organisation_id: Option<Uuid>,
    ) -> Result<Vec<UserView>> {
        let org_id = organisation_id.unwrap_or(actor.organisation_id);
        let visible = self.list_organisations(actor).await?;
        if !visible.iter().any(|o| o.id == org_id) {
            return Ok(Vec::new());
        }
        let mut tx = self.store.read().await?;
        let org = accord_store::org::get(&mut tx, org_id).await?;
        let mut users = accord_store::user::list_by_org(&mut tx, org_id).await?;
        if org_id != actor.organisation_id {
            let mut holders = std::collections::HashSet::new();
            let shared = accord_store::engagement::list_for_org(
                &mut tx,
                actor.organisation_id,
                true,
                None,
                i64::MAX,
            )
            .await?;
            for e in shared
                .iter()
                .filter(|e| e.customer_id == org_id || e.partner_id == org_id)
            {
                holders.extend(
                    accord_store::role::list(&mut tx, e.id, false)
                        .await?
                        .into_iter()
                        .map(|a| a.user_id),
                );
            }
            users.retain(|u| holders.contains(&u.id));
        }
        Ok(users
            .iter()
            .map(|u| UserView::from_parts(u, &org))
            .collect())
    }
}
