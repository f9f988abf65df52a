//! The demo world: a LIMS vendor and two pharma customers whose people share no engagement,
//! with engagements in every phase, role holders, a few gaps, and a history of gates passed.
//! People, companies and products are fictional; the shapes are real.

use accord_app::engagement::{CriterionPatch, NewEngagement};
use accord_app::esign::SignRequest;
use accord_app::org::{NewOrganisation, NewUser};
use accord_app::role::NewAssignment;
use accord_app::{App, Error, Result};
use accord_domain::engagement::CycleTrigger;
use serde::Serialize;

/// The one password of every demo login.
pub const PASSWORD: &str = "accord-demo-2026";

#[derive(Debug, Clone, Serialize)]
pub struct Login {
    pub email: String,
    pub organisation: String,
    pub roles: Vec<String>,
}

struct Person {
    org: &'static str,
    email: &'static str,
    name: &'static str,
    admin: bool,
}

const ORGS: &[(&str, &str, &str)] = &[
    ("helix-labworks", "Helix Labworks", "partner"),
    ("northwind-bio", "Northwind Biologics", "customer"),
    ("meridian-generics", "Meridian Generics", "customer"),
];

const PEOPLE: &[Person] = &[
    Person {
        org: "helix-labworks",
        email: "priya.raman@helix-labworks.example",
        name: "Priya Raman",
        admin: true,
    },
    Person {
        org: "helix-labworks",
        email: "tomas.ortega@helix-labworks.example",
        name: "Tomás Ortega",
        admin: false,
    },
    Person {
        org: "helix-labworks",
        email: "mei.lin@helix-labworks.example",
        name: "Mei Lin",
        admin: false,
    },
    Person {
        org: "helix-labworks",
        email: "jonas.berg@helix-labworks.example",
        name: "Jonas Berg",
        admin: false,
    },
    Person {
        org: "northwind-bio",
        email: "amelia.hart@northwind-bio.example",
        name: "Dr. Amelia Hart",
        admin: true,
    },
    Person {
        org: "northwind-bio",
        email: "rahul.mehta@northwind-bio.example",
        name: "Rahul Mehta",
        admin: false,
    },
    Person {
        org: "northwind-bio",
        email: "sofia.rossi@northwind-bio.example",
        name: "Sofia Rossi",
        admin: false,
    },
    Person {
        org: "northwind-bio",
        email: "kwame.mensah@northwind-bio.example",
        name: "Kwame Mensah",
        admin: false,
    },
    Person {
        org: "northwind-bio",
        email: "hannah.weber@northwind-bio.example",
        name: "Hannah Weber",
        admin: false,
    },
    Person {
        org: "northwind-bio",
        email: "grace.kim@northwind-bio.example",
        name: "Grace Kim",
        admin: false,
    },
    Person {
        org: "meridian-generics",
        email: "carlos.diaz@meridian-generics.example",
        name: "Carlos Díaz",
        admin: true,
    },
    Person {
        org: "meridian-generics",
        email: "yuki.tanaka@meridian-generics.example",
        name: "Yuki Tanaka",
        admin: false,
    },
    Person {
        org: "meridian-generics",
        email: "fatima.zahra@meridian-generics.example",
        name: "Fatima Zahra",
        admin: false,
    },
    Person {
        org: "meridian-generics",
        email: "oliver.grant@meridian-generics.example",
        name: "Oliver Grant",
        admin: false,
    },
    Person {
        org: "meridian-generics",
        email: "elena.petrova@meridian-generics.example",
        name: "Elena Petrova",
        admin: false,
    },
    Person {
        org: "meridian-generics",
        email: "ahmed.karim@meridian-generics.example",
        name: "Ahmed Karim",
        admin: false,
    },
];

struct Plan {
    key: &'static str,
    name: &'static str,
    product: &'static str,
    customer: &'static str,
    /// (e-mail, role, functional area)
    roles: &'static [(&'static str, &'static str, Option<&'static str>)],
    /// Phase moves: (target phase or "new-cycle:<trigger>", reason).
    moves: &'static [(&'static str, &'static str)],
}

const PLANS: &[Plan] = &[
    Plan {
        key: "NWB-LIMS",
        name: "Northwind QC laboratory LIMS",
        product: "Helix LIMS 8",
        customer: "northwind-bio",
        roles: &[
            ("amelia.hart@northwind-bio.example", "executive_sponsor", None),
            ("rahul.mehta@northwind-bio.example", "business_process_owner", None),
            ("sofia.rossi@northwind-bio.example", "system_owner", None),
            ("kwame.mensah@northwind-bio.example", "system_administrator", None),
            ("hannah.weber@northwind-bio.example", "functional_area_manager", Some("QC laboratory")),
            ("rahul.mehta@northwind-bio.example", "functional_area_manager", Some("Stability")),
            ("priya.raman@helix-labworks.example", "account_lead", None),
            ("tomas.ortega@helix-labworks.example", "project_manager", None),
            ("mei.lin@helix-labworks.example", "solution_consultant", None),
        ],
        moves: &[(
            "implementation",
            "Purchase approved by the Northwind investment committee; the QC lab must show reduced OOS investigation time within 12 months.",
        )],
    },
    Plan {
        key: "NWB-STAB",
        name: "Northwind stability study management",
        product: "Helix LIMS 8 Stability module",
        customer: "northwind-bio",
        roles: &[
            ("amelia.hart@northwind-bio.example", "executive_sponsor", None),
            ("sofia.rossi@northwind-bio.example", "system_owner", None),
            ("priya.raman@helix-labworks.example", "account_lead", None),
        ],
        moves: &[],
    },
    Plan {
        key: "MER-LIMS",
        name: "Meridian generics LIMS",
        product: "Helix LIMS 8",
        customer: "meridian-generics",
        roles: &[
            ("carlos.diaz@meridian-generics.example", "executive_sponsor", None),
            ("yuki.tanaka@meridian-generics.example", "business_process_owner", None),
            ("fatima.zahra@meridian-generics.example", "system_owner", None),
            ("oliver.grant@meridian-generics.example", "system_administrator", None),
            ("ahmed.karim@meridian-generics.example", "functional_area_manager", Some("Microbiology")),
            ("elena.petrova@meridian-generics.example", "end_user", None),
            ("priya.raman@helix-labworks.example", "account_lead", None),
            ("jonas.berg@helix-labworks.example", "support_engineer", None),
        ],
        moves: &[
            ("implementation", "Contract signed; value to be shown by faster batch release within two quarters."),
            ("operations", "Validated (IQ/OQ/PQ) and released for GMP use; QC analysts trained."),
            ("new-cycle:technology_change", "The chromatography data system is upgraded to a new major version; the LIMS interface must be re-specified."),
            ("implementation", "Upgrade scope and cost agreed with Helix Labworks."),
            ("operations", "CDS interface revalidated and released."),
        ],
    },
    Plan {
        key: "MER-CDS",
        name: "Meridian instrument integration",
        product: "Helix Instrument Connector",
        customer: "meridian-generics",
        roles: &[
            ("carlos.diaz@meridian-generics.example", "executive_sponsor", None),
            ("yuki.tanaka@meridian-generics.example", "business_process_owner", None),
            ("fatima.zahra@meridian-generics.example", "system_owner", None),
            ("oliver.grant@meridian-generics.example", "system_administrator", None),
            ("oliver.grant@meridian-generics.example", "functional_area_manager", Some("Instrument integration")),
            ("tomas.ortega@helix-labworks.example", "project_manager", None),
        ],
        moves: &[("implementation", "Connector licence purchased for the QC laboratory's HPLC fleet.")],
    },
];

/// Creates the demo world, unless it is already there; returns the logins either way.
pub async fn seed(app: &App) -> Result<Vec<Login>> {
    let mut tx = app.store().read().await?;
    let started = accord_store::org::find_by_slug(&mut tx, ORGS[0].0)
        .await?
        .is_some();
    let finished = match PLANS.last() {
        Some(last) => accord_store::engagement::find_by_key(&mut tx, last.key)
            .await?
            .is_some(),
        None => true,
    };
    drop(tx);
    match (started, finished) {
        (false, _) => create(app).await?,
        (true, true) => {}
        (true, false) => {
            return Err(Error::Internal(format!(
            "{} holds an unfinished demo (an earlier seeding stopped half-way); use a new database",
            app.store().url()
        )))
        }
    }
    Ok(logins())
}

async fn create(app: &App) -> Result<()> {
    let mut ids = std::collections::HashMap::new();
    for (slug, name, kind) in ORGS {
        let o = app
            .create_organisation(NewOrganisation {
                slug: (*slug).into(),
                name: (*name).into(),
                kind: (*kind).into(),
            })
            .await?;
        ids.insert(*slug, o.id);
    }
    for p in PEOPLE {
        app.create_user(NewUser {
            organisation_slug: p.org.into(),
            email: p.email.into(),
            name: p.name.into(),
            password: PASSWORD.into(),
            is_org_admin: p.admin,
        })
        .await?;
    }
    let partner_admin = app.operator_actor(PEOPLE[0].email).await?;
    for plan in PLANS {
        let e = app
            .create_engagement(
                &partner_admin,
                NewEngagement {
                    key: Some(plan.key.into()),
                    name: plan.name.into(),
                    product: plan.product.into(),
                    customer_id: ids[plan.customer],
                    partner_id: ids["helix-labworks"],
                },
            )
            .await?;
        for (email, role, area) in plan.roles {
            let user = app.operator_actor(email).await?;
            let admin = PEOPLE
                .iter()
                .find(|p| p.admin && ids[p.org] == user.organisation_id)
                .ok_or_else(|| Error::Internal("demo organisation without admin".into()))?;
            let admin = app.operator_actor(admin.email).await?;
            app.assign_role(
                &admin,
                e.id,
                NewAssignment {
                    user_id: user.user_id,
                    role: (*role).into(),
                    functional_area: area.map(Into::into),
                },
            )
            .await?;
        }
        let sponsor = app.operator_actor(plan.roles[0].0).await?;
        for (target, reason) in plan.moves {
            // Each gate's checklist is signed off with evidence before the move.
            let gate = app.gate(&sponsor, e.id).await?;
            for c in gate.criteria.iter().filter(|c| c.editable && !c.met) {
                let id =
                    c.id.parse()
                        .map_err(|_| Error::Internal("criterion id".into()))?;
                app.update_gate_criterion(
                    &sponsor,
                    e.id,
                    id,
                    c.version.unwrap_or(1),
                    CriterionPatch {
                        met: Some(true),
                        evidence: Some(Some(format!("Confirmed by {}", sponsor.name))),
                        text: None,
                    },
                )
                .await?;
            }
            // ...and the sponsor signs the gate off, re-entering the password.
            app.sign_gate(
                &sponsor,
                e.id,
                SignRequest {
                    email: Some(sponsor.email.clone()),
                    password: PASSWORD.into(),
                    meaning: "approved".into(),
                    content_hash: None,
                    reason: Some(format!(
                        "Gate into {} reviewed at the steering committee",
                        target
                            .trim_start_matches("new-cycle:")
                            .replace("technology_change", "a new cycle")
                    )),
                },
            )
            .await?;
            match target.strip_prefix("new-cycle:") {
                Some("technology_change") => {
                    app.new_cycle(&sponsor, e.id, CycleTrigger::TechnologyChange, reason)
                        .await?
                }
                Some(_) => {
                    app.new_cycle(&sponsor, e.id, CycleTrigger::BusinessChange, reason)
                        .await?
                }
                None => app.transition(&sponsor, e.id, target, reason).await?,
            };
        }
    }
    Ok(())
}

fn logins() -> Vec<Login> {
    PEOPLE
        .iter()
        .map(|p| {
            let mut roles: Vec<String> = PLANS
                .iter()
                .flat_map(|plan| {
                    plan.roles
                        .iter()
                        .filter(|r| r.0 == p.email)
                        .map(move |r| format!("{} in {}", r.1, plan.key))
                })
                .collect();
            if p.admin {
                roles.insert(0, "organisation admin".into());
            }
            Login {
                email: p.email.into(),
                organisation: p.org.into(),
                roles,
            }
        })
        .collect()
}

/// Prints the URL and logins, as text or as the JSON of API.md.
pub fn print(logins: &[Login], url: &str, json: bool) {
    if json {
        let doc = serde_json::json!({ "url": url, "password": PASSWORD, "users": logins });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return;
    }
    println!("Accord demo at {url}");
    println!("Every demo login uses the password: {PASSWORD}");
    let mut org = "";
    for l in logins {
        if l.organisation != org {
            org = &l.organisation;
            println!("\n  {org}");
        }
        println!("    {:<42} {}", l.email, l.roles.join(", "));
    }
    println!("\nOpen {url} in a browser and sign in with one of these. Scripts: POST {url}/api/v1/auth/login {{\"email\": ..., \"password\": ...}}; the API is described at {url}/api/v1/openapi.json");
}
