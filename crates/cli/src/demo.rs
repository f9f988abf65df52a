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
        seed_purchase(app, e.id, plan.key, &sponsor).await?;
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
        if plan.key == "NWB-LIMS" {
            seed_requirements(app, e.id).await?;
            seed_knowledge(app, e.id).await?;
        }
    }
    Ok(())
}

/// A date `days` from today, as forms and the API write it.
fn day(app: &App, days: i64) -> String {
    (app.now() + time::Duration::days(days)).date().to_string()
}

/// The purchase cycle of each demo engagement: its business case (approved by the sponsor
/// where the engagement has moved on), procurement map and insights. NWB-STAB, still in
/// purchase, shows a gate held by an unapproved objective and an unowned high risk.
async fn seed_purchase(
    app: &App,
    eid: uuid::Uuid,
    key: &str,
    sponsor: &accord_app::Actor,
) -> Result<()> {
    use accord_app::purchase::{
        InsightPatch, NewInsight, NewObjective, NewProcurementStep, ObjectivePatch,
        ProcurementStepPatch,
    };
    let person = |email: &'static str| async move { app.operator_actor(email).await };
    // (outcome, metric, baseline, target, months, serves, approved)
    let objectives: &[(&str, &str, &str, &str, i64, &str, bool)] = match key {
        "NWB-LIMS" => &[
            (
                "Shorter OOS investigations",
                "Median days to close a phase I OOS investigation",
                "14",
                "7",
                12,
                "Right-first-time batch release (Northwind quality strategy 2027)",
                true,
            ),
            (
                "A paperless QC laboratory",
                "Share of QC results captured without a paper worksheet",
                "35 %",
                "95 %",
                18,
                "Northwind digital plant programme",
                true,
            ),
            (
                "Faster certificates of analysis",
                "Hours from the last approved result to a signed CoA",
                "30",
                "4",
                9,
                "Customer service: release to market within one day",
                true,
            ),
        ],
        "NWB-STAB" => &[(
            "Stability pulls on time",
            "Share of stability pulls done within their window",
            "91 %",
            "99.5 %",
            15,
            "ICH Q1A compliance across all marketed products",
            false,
        )],
        "MER-LIMS" => &[(
            "Faster batch release",
            "Median days from sampling to QC release",
            "11",
            "6",
            6,
            "Meridian supply reliability programme",
            true,
        )],
        _ => &[(
            "No manual transcription of HPLC results",
            "Results typed by hand per month",
            "2,400",
            "0",
            9,
            "Data integrity (ALCOA+) remediation plan",
            true,
        )],
    };
    for (outcome, metric, baseline, target, months, serves, approved) in objectives {
        let o = app
            .create_objective(
                sponsor,
                eid,
                NewObjective {
                    outcome: (*outcome).into(),
                    metric: (*metric).into(),
                    baseline: (*baseline).into(),
                    target: (*target).into(),
                    value_by: day(app, months * 30),
                    serves: (*serves).into(),
                    owner_id: Some(sponsor.user_id),
                },
            )
            .await?;
        if *approved {
            let patch = ObjectivePatch {
                status: Some("approved".into()),
                ..Default::default()
            };
            app.update_objective(sponsor, eid, o.id, o.version, patch)
                .await?;
        }
    }
    // (customer step, partner step, due in days, status)
    let steps: &[(&str, &str, i64, &str)] = match key {
        "NWB-LIMS" => &[
            (
                "Vendor qualification questionnaire",
                "Security and quality questionnaire answered",
                -120,
                "done",
            ),
            (
                "Supplier audit against GAMP 5 and 21 CFR Part 11",
                "Audit hosted at Helix Labworks, Lyon",
                -95,
                "done",
            ),
            (
                "Quality agreement signed",
                "Quality agreement drafted by Helix QA",
                -70,
                "done",
            ),
            (
                "Purchase order issued",
                "Order confirmed, licences issued",
                -60,
                "done",
            ),
            (
                "Validation plan approved by QA",
                "Validation package (IQ/OQ templates) delivered",
                -6,
                "in_progress",
            ),
        ],
        "NWB-STAB" => &[
            (
                "Budget approved by the site finance committee",
                "Quote for the Stability module",
                -10,
                "in_progress",
            ),
            (
                "Vendor qualification (existing supplier: delta review)",
                "Updated quality questionnaire",
                14,
                "not_started",
            ),
            (
                "Purchase order issued",
                "Order confirmed, licences issued",
                45,
                "not_started",
            ),
        ],
        _ => &[
            (
                "Vendor qualification questionnaire",
                "Security and quality questionnaire answered",
                -200,
                "done",
            ),
            (
                "Purchase order issued",
                "Order confirmed, licences issued",
                -150,
                "done",
            ),
        ],
    };
    for (customer_step, partner_step, due, status) in steps {
        let st = app
            .create_procurement_step(
                sponsor,
                eid,
                NewProcurementStep {
                    customer_step: (*customer_step).into(),
                    partner_step: (*partner_step).into(),
                    owner_id: Some(sponsor.user_id),
                    due_on: day(app, *due),
                },
            )
            .await?;
        if *status != "not_started" {
            let patch = ProcurementStepPatch {
                status: Some((*status).into()),
                ..Default::default()
            };
            app.update_procurement_step(sponsor, eid, st.id, st.version, patch)
                .await?;
        }
    }
    // (kind, title, description, severity, owner)
    let insights: &[(&str, &str, &str, &str, Option<&'static str>)] = match key {
        "NWB-LIMS" => &[
            ("opportunity", "Retire the paper logbooks of balances and pH meters", "Instrument connections would remove about 600 manual entries a month.", "medium", Some(HANNAH)),
            ("limitation", "Stability chambers export CSV only", "The chamber monitoring system has no API; imports are file-based.", "low", None),
            ("risk", "Only one analyst knows the stability protocols", "If she is absent during migration, protocol set-up stalls.", "high", Some(RAHUL)),
        ],
        "NWB-STAB" => &[
            ("risk", "Chamber mapping data incomplete for two chambers", "Mapping reports for chambers 4 and 7 are from 2019; requalification may be required.", "high", None),
            ("opportunity", "One stability schedule for both sites", "Basel and Cork keep separate spreadsheets today.", "medium", Some("amelia.hart@northwind-bio.example")),
        ],
        _ => &[("limitation", "Validation resources are shared with the ERP upgrade", "QA reviewers are booked at 60 % until Q2.", "medium", None)],
    };
    for (kind, title, description, severity, owner) in insights {
        let owner_id = match owner {
            Some(email) => Some(person(email).await?.user_id),
            None => None,
        };
        let i = app
            .create_insight(
                sponsor,
                eid,
                NewInsight {
                    kind: (*kind).into(),
                    title: (*title).into(),
                    description: (*description).into(),
                    severity: Some((*severity).into()),
                    owner_id,
                },
            )
            .await?;
        if *kind == "opportunity" && key == "NWB-LIMS" {
            let patch = InsightPatch {
                status: Some("addressed".into()),
                ..Default::default()
            };
            app.update_insight(sponsor, eid, i.id, i.version, patch)
                .await?;
        }
    }
    Ok(())
}

/// A glossary term of the demo: (term, definition, area, examples, synonyms, language, the
/// partner people who have read it).
type DemoTerm<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a [&'a str],
    &'a str,
    &'a [&'a accord_app::Actor],
);

/// NWB-LIMS's glossary (some terms read by the partner, some not), elicitation sessions, trace
/// links and conflicts.
async fn seed_knowledge(app: &App, eid: uuid::Uuid) -> Result<()> {
    use accord_app::knowledge::{NewSession, NewTerm};
    use accord_app::trace::{NewConflict, NewLink};
    let hannah = app.operator_actor(HANNAH).await?;
    let rahul = app.operator_actor(RAHUL).await?;
    let mei = app.operator_actor(MEI).await?;
    let tomas = app
        .operator_actor("tomas.ortega@helix-labworks.example")
        .await?;
    // (term, definition, area, examples, synonyms, lang, read by)
    let terms: &[DemoTerm] = &[
        ("OOS", "Out of specification: a reportable test result that falls outside the specification limits approved for the product. It starts a phase I laboratory investigation before any retest.", "QC laboratory", "Assay 97.1 % against a specification of 98.0-102.0 %.", &["out-of-specification", "out of specification"], "en", &[&mei, &tomas]),
        ("CoA", "Certificate of analysis: the document, signed by QC, that lists each test of a released batch with its specification and result.", "QC laboratory", "One CoA per batch and market; the US template adds the USP monograph reference.", &["certificate of analysis"], "en", &[&mei]),
        ("Phase I investigation", "The laboratory part of an OOS investigation: the analyst and supervisor check for an obvious error (calculation, instrument, sample preparation) before any retest is allowed.", "QC laboratory", "", &[], "en", &[]),
        ("Stability pull", "Taking the samples of a stability study out of their chamber at a scheduled time point (for example 3, 6, 12 months) within the allowed window.", "Stability", "12-month pull at 25 °C / 60 % RH, window ± 7 days.", &["pull"], "en", &[&mei]),
        ("留样", "留样（retained sample）：每批产品按规定数量保存的样品，用于有效期内的复检与调查。", "Stability", "每批保留两倍全检量，保存至有效期后一年。", &["retained sample"], "zh-CN", &[]),
    ];
    let mut term_ids = Vec::new();
    for (term, definition, area, examples, synonyms, lang, readers) in terms {
        let t = app
            .create_term(
                &hannah,
                eid,
                NewTerm {
                    term: (*term).into(),
                    definition: (*definition).into(),
                    functional_area: (*area).into(),
                    examples: (*examples).into(),
                    synonyms: synonyms.iter().map(|s| (*s).into()).collect(),
                    lang: Some((*lang).into()),
                },
            )
            .await?;
        for reader in readers.iter() {
            app.acknowledge_term(reader, eid, t.id, Some(t.version))
                .await?;
        }
        term_ids.push(t.id);
    }
    let key = |k: &'static str| {
        let app = app.clone();
        let hannah = hannah.clone();
        async move {
            app.requirement_ids_by_keys(&hannah, eid, k, "key")
                .await
                .map(|v| v[0])
        }
    };
    let (r1, r2, r3, r4, r5, r6, r7) = (
        key("REQ-0001").await?,
        key("REQ-0002").await?,
        key("REQ-0003").await?,
        key("REQ-0004").await?,
        key("REQ-0005").await?,
        key("REQ-0006").await?,
        key("REQ-0007").await?,
    );
    let at = |days: i64, hour: u8| {
        let d = (app.now() - time::Duration::days(days)).date();
        format!("{d}T{hour:02}:00")
    };
    app.create_session(
        &hannah,
        eid,
        NewSession {
            kind: "workshop".into(),
            title: "QC results, OOS handling and release".into(),
            held_at: at(40, 9),
            attendee_ids: vec![hannah.user_id, rahul.user_id, mei.user_id, tomas.user_id],
            notes: "Walked through SOP QC-017 (OOS) and the release checklist. Agreed that the LIMS blocks release while a phase I investigation is open. Mei to confirm whether the CoA template engine handles market-specific layouts.".into(),
            requirement_ids: vec![r1, r2, r3, r6],
        },
    )
    .await?;
    app.create_session(
        &rahul,
        eid,
        NewSession {
            kind: "interview".into(),
            title: "Stability study manager".into(),
            held_at: at(33, 14),
            attendee_ids: vec![rahul.user_id, mei.user_id],
            notes: "Pull windows differ per market; trending must show all batches of a product on one chart.".into(),
            requirement_ids: vec![r5, r7],
        },
    )
    .await?;
    for (from, to, kind) in [
        (r2, r1, "depends_on"),
        (r3, r2, "depends_on"),
        (r7, r5, "derives_from"),
        (r6, r3, "refines"),
        (r4, r2, "depends_on"),
    ] {
        app.create_link(
            &hannah,
            eid,
            NewLink {
                from_id: from,
                to_id: to,
                kind: kind.into(),
            },
        )
        .await?;
    }
    let resolved = app
        .create_conflict(
            &mei,
            eid,
            NewConflict {
                requirement_a: r3,
                requirement_b: r2,
                description: "A CoA is generated when the last result is approved, but an open OOS investigation blocks release: which wins when a retest is pending?".into(),
            },
        )
        .await?;
    app.resolve_conflict(
        &hannah,
        eid,
        resolved.id,
        "No CoA while any investigation on the batch is open; the CoA is generated when the investigation is closed.",
        None,
    )
    .await?;
    app.create_conflict(
        &mei,
        eid,
        NewConflict {
            requirement_a: r5,
            requirement_b: r1,
            description: "Stability samples are logged at the chamber, not at receipt: REQ-0001 would make analysts scan them twice.".into(),
        },
    )
    .await?;
    Ok(())
}

/// A requirement of the demo: (title, statement, rationale, area, source, priority decided by,
/// priority, estimate (days, EUR, feasibility, fit, acknowledged), question and answer).
struct DemoRequirement {
    title: &'static str,
    statement: &'static str,
    rationale: &'static str,
    area: &'static str,
    source: &'static str,
    priority: Option<(&'static str, &'static str, &'static str)>,
    estimate: Option<(f64, f64, &'static str, &'static str, bool)>,
    clarification: Option<(&'static str, Option<&'static str>)>,
    status: &'static str,
}

const HANNAH: &str = "hannah.weber@northwind-bio.example";
const RAHUL: &str = "rahul.mehta@northwind-bio.example";
const SOFIA: &str = "sofia.rossi@northwind-bio.example";
const MEI: &str = "mei.lin@helix-labworks.example";

const REQUIREMENTS: &[DemoRequirement] = &[
    DemoRequirement {
        title: "Log samples with a barcode at receipt",
        statement: "The system shall register every incoming sample by scanning its GS1 barcode at receipt, recording who received it, when, and the storage condition on arrival.",
        rationale: "Manual transcription at receipt caused 14 of last year's 31 sample mix-ups.",
        area: "QC laboratory",
        source: "Workshop 1: sample management, 14 October",
        priority: Some((HANNAH, "must_have", "Receipt is the first GMP record of every sample.")),
        estimate: Some((4.0, 3200.0, "feasible", "standard_process", true)),
        clarification: Some(("Do samples arrive with GS1-128 labels only, or also DataMatrix?", Some("Both: GS1-128 from contract manufacturers, DataMatrix from our own plant."))),
        status: "approved",
    },
    DemoRequirement {
        title: "Flag out-of-specification results and open an investigation",
        statement: "When a result falls outside its specification, the system shall flag it as OOS, block the batch's release and open a phase I laboratory investigation assigned to the analyst's supervisor.",
        rationale: "OOS handling is a regulatory expectation (FDA guidance on OOS results) and today depends on e-mail.",
        area: "QC laboratory",
        source: "Workshop 2: results and review, 21 October",
        priority: Some((HANNAH, "must_have", "Release decisions must never be made on an open OOS.")),
        estimate: Some((12.0, 9600.0, "feasible_with_customisation", "customisation", false)),
        clarification: Some(("Should an OOS also open a deviation in the QMS, or only the investigation in the LIMS?", Some("Only the LIMS investigation; the QA reviewer opens a deviation when phase I finds no laboratory error."))),
        status: "ready_for_review",
    },
    DemoRequirement {
        title: "Generate a certificate of analysis per batch",
        statement: "The system shall generate a certificate of analysis for each released batch from the approved results, in the customer's market-specific template, signed electronically by the QC release officer.",
        rationale: "CoAs are typed by hand today, two hours per batch.",
        area: "QC laboratory",
        source: "Workshop 2: results and review, 21 October",
        priority: Some((HANNAH, "must_have", "Every shipped batch needs one.")),
        estimate: Some((6.0, 4800.0, "feasible", "configuration", true)),
        clarification: None,
        status: "approved",
    },
    DemoRequirement {
        title: "Capture instrument data from the chromatography data system",
        statement: "The system shall import final results from the chromatography data system for each sample and test, without retyping, keeping the link to the CDS raw data.",
        rationale: "Removes a transcription step that the last inspection commented on.",
        area: "QC laboratory",
        source: "Interview with the HPLC team lead, 28 October",
        priority: Some((RAHUL, "nice_to_have", "Valuable, but the CDS upgrade planned for next year would force rework.")),
        estimate: Some((20.0, 16000.0, "feasible_with_customisation", "customisation", false)),
        clarification: Some(("Which CDS version and which export format will be in use at go-live?", None)),
        status: "in_clarification",
    },
    DemoRequirement {
        title: "Schedule stability pulls per ICH Q1A conditions",
        statement: "The system shall schedule stability pulls for each study from its protocol (long-term 25 °C/60 % RH, intermediate 30 °C/65 % RH, accelerated 40 °C/75 % RH) and remind the analysts a week before each pull.",
        rationale: "Missed pulls invalidate study time points.",
        area: "Stability",
        source: "Workshop 3: stability, 4 November",
        priority: Some((RAHUL, "must_have", "Regulatory commitment in every filed stability protocol.")),
        estimate: Some((8.0, 6400.0, "feasible", "configuration", true)),
        clarification: None,
        status: "approved",
    },
    DemoRequirement {
        title: "Audit trail and e-signatures per 21 CFR Part 11",
        statement: "Every creation, change and deletion of GMP data shall be recorded in a secure, computer-generated, time-stamped audit trail, and approvals shall use electronic signatures that show the signer's name, time and meaning.",
        rationale: "21 CFR Part 11 and EU GMP Annex 11.",
        area: "QC laboratory",
        source: "Regulation: 21 CFR Part 11, EU GMP Annex 11",
        priority: Some((RAHUL, "must_have", "Not negotiable for a GMP laboratory system.")),
        estimate: Some((2.0, 1600.0, "feasible", "standard_process", true)),
        clarification: None,
        status: "approved",
    },
    DemoRequirement {
        title: "Trend stability results across batches",
        statement: "The system shall chart each stability attribute across batches and time points with its specification limits, and flag out-of-trend results.",
        rationale: "Out-of-trend detection is done in spreadsheets today.",
        area: "Stability",
        source: "Workshop 3: stability, 4 November",
        priority: Some((RAHUL, "deferred", "Wait until two studies have run in the new system.")),
        estimate: None,
        clarification: None,
        status: "draft",
    },
    DemoRequirement {
        title: "Print sample labels on request",
        statement: "Analysts shall be able to reprint a sample's label with the same barcode, the reprint being recorded.",
        rationale: "",
        area: "QC laboratory",
        source: "Workshop 1: sample management, 14 October",
        priority: None,
        estimate: None,
        clarification: Some(("Is a reprint allowed after the sample has been consumed?", None)),
        status: "draft",
    },
];

/// Northwind's LIMS requirements, written, clarified, prioritised and estimated by the people
/// whose responsibilities those are.
async fn seed_requirements(app: &App, eid: uuid::Uuid) -> Result<()> {
    use accord_app::requirement::{NewRequirement, RequirementPatch};
    let author = app.operator_actor(HANNAH).await?;
    let consultant = app.operator_actor(MEI).await?;
    let acknowledger = app.operator_actor(SOFIA).await?;
    for d in REQUIREMENTS {
        let owner = app
            .operator_actor(if d.area == "Stability" { RAHUL } else { HANNAH })
            .await?;
        let r = app
            .create_requirement(
                &author,
                eid,
                NewRequirement {
                    title: d.title.into(),
                    statement: d.statement.into(),
                    rationale: d.rationale.into(),
                    functional_area: d.area.into(),
                    source: d.source.into(),
                    owner_id: Some(owner.user_id),
                },
            )
            .await?;
        let mut version = r.version;
        if let Some((question, answer)) = d.clarification {
            let c = app
                .ask_clarification(&consultant, eid, r.id, question)
                .await?;
            if let Some(a) = answer {
                app.answer_clarification(&author, eid, r.id, c.id, a)
                    .await?;
            }
        }
        if let Some((who, priority, why)) = d.priority {
            let decider = app.operator_actor(who).await?;
            version = app
                .set_priority(&decider, eid, r.id, priority, why, None)
                .await?
                .version;
        }
        if let Some((days, cost, feasibility, fit, acknowledged)) = d.estimate {
            let basis =
                "Helix's configuration of the same module at two comparable QC laboratories";
            app.put_estimate(
                &consultant,
                eid,
                r.id,
                days,
                cost,
                "EUR",
                feasibility,
                fit,
                basis,
            )
            .await?;
            if acknowledged {
                app.acknowledge_estimate(&acknowledger, eid, r.id, None)
                    .await?;
            }
        }
        if d.status != "draft" {
            let patch = RequirementPatch {
                status: Some(d.status.into()),
                ..Default::default()
            };
            app.update_requirement(&author, eid, r.id, version, patch)
                .await?;
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

/// The key of the engagement `accord demo --scale N` fills with generated requirements.
pub const SCALE_KEY: &str = "NWB-SCALE";

/// Adds an engagement with `n` generated requirements, each with three versions (written,
/// prioritised, refined) and two clarifications (one answered), half of them estimated: the
/// data set of the requirement benchmarks. Everything goes through the application, audited, as
/// a user would make it. Does nothing when the engagement exists already.
pub async fn scale(app: &App, n: usize) -> Result<bool> {
    use accord_app::requirement::{NewRequirement, RequirementPatch};
    {
        let mut tx = app.store().read().await?;
        if accord_store::engagement::find_by_key(&mut tx, SCALE_KEY)
            .await?
            .is_some()
        {
            return Ok(false);
        }
    }
    let partner_admin = app.operator_actor(PEOPLE[0].email).await?;
    let customer = app.operator_actor(RAHUL).await?.organisation_id;
    let e = app
        .create_engagement(
            &partner_admin,
            NewEngagement {
                key: Some(SCALE_KEY.into()),
                name: "Northwind multi-site LIMS roll-out".into(),
                product: "Helix LIMS 8".into(),
                customer_id: customer,
                partner_id: partner_admin.organisation_id,
            },
        )
        .await?;
    let admin = app
        .operator_actor("amelia.hart@northwind-bio.example")
        .await?;
    let areas = [
        "QC laboratory",
        "Stability",
        "Microbiology",
        "Batch release",
    ];
    for (email, role, area) in [
        (HANNAH, "functional_area_manager", Some(areas[0])),
        (RAHUL, "functional_area_manager", Some(areas[1])),
        (
            "grace.kim@northwind-bio.example",
            "functional_area_manager",
            Some(areas[2]),
        ),
        (
            "kwame.mensah@northwind-bio.example",
            "functional_area_manager",
            Some(areas[3]),
        ),
        (RAHUL, "business_process_owner", None),
    ] {
        let user = app.operator_actor(email).await?;
        app.assign_role(
            &admin,
            e.id,
            NewAssignment {
                user_id: user.user_id,
                role: role.into(),
                functional_area: area.map(Into::into),
            },
        )
        .await?;
    }
    let author = app.operator_actor(HANNAH).await?;
    let bpo = app.operator_actor(RAHUL).await?;
    let consultant = app.operator_actor(MEI).await?;
    let subjects = [
        "sample receipt",
        "stability pulls",
        "OOS investigation",
        "certificate of analysis",
        "instrument interface",
        "reagent inventory",
        "environmental monitoring",
        "batch release",
        "method validation",
        "label printing",
        "retain samples",
        "trend reports",
    ];
    let verbs = [
        "record", "schedule", "flag", "generate", "import", "track", "review", "approve",
    ];
    let priorities = ["must_have", "deferred", "nice_to_have"];
    let started = std::time::Instant::now();
    for i in 0..n {
        let subject = subjects[i % subjects.len()];
        let verb = verbs[(i / subjects.len()) % verbs.len()];
        let site = i % 17 + 1;
        let r = app
            .create_requirement(
                &author,
                e.id,
                NewRequirement {
                    title: format!("{verb} {subject} at site {site}"),
                    statement: format!(
                        "The system shall {verb} {subject} for every lot handled at site {site}, \
                         keeping who did it and when, as the site's SOP QC-{:04} describes.",
                        i % 500
                    ),
                    rationale: format!("Site {site} does this on paper today."),
                    functional_area: areas[i % areas.len()].into(),
                    source: format!("Workshop {} at site {site}", i % 9 + 1),
                    owner_id: Some(if i % 2 == 0 {
                        author.user_id
                    } else {
                        bpo.user_id
                    }),
                },
            )
            .await?;
        let v = app
            .set_priority(
                &bpo,
                e.id,
                r.id,
                priorities[i % 3],
                "Agreed at the site's prioritisation workshop",
                None,
            )
            .await?;
        let patch = RequirementPatch {
            statement: Some(format!(
                "The system shall {verb} {subject} for every lot handled at site {site}, keeping \
                 who did it and when, as SOP QC-{:04} (revision {}) describes.",
                i % 500,
                i % 4 + 2
            )),
            status: Some(
                if i % 5 == 0 {
                    "approved"
                } else {
                    "ready_for_review"
                }
                .into(),
            ),
            ..Default::default()
        };
        app.update_requirement(&author, e.id, r.id, v.version, patch)
            .await?;
        let q1 = app
            .ask_clarification(
                &consultant,
                e.id,
                r.id,
                &format!("Which lots does site {site} handle?"),
            )
            .await?;
        app.answer_clarification(&author, e.id, r.id, q1.id, "All finished-product lots.")
            .await?;
        app.ask_clarification(
            &consultant,
            e.id,
            r.id,
            "Is an electronic signature needed here?",
        )
        .await?;
        if i % 2 == 0 {
            let fit = ["standard_process", "configuration", "customisation"][i % 3];
            app.put_estimate(
                &consultant,
                e.id,
                r.id,
                (i % 10) as f64 + 0.5,
                ((i % 10) as f64 + 0.5) * 800.0,
                "EUR",
                "feasible",
                fit,
                "Comparable configuration at other sites",
            )
            .await?;
        }
        if (i + 1) % 1000 == 0 {
            eprintln!(
                "{} of {n} requirements ({:.0} s)",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(true)
}
