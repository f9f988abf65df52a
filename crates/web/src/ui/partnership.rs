//! The pages of the purchase cycle and of responsibilities 1 to 3 beyond the requirement pages:
//! the business case, procurement map and insights register; the glossary; elicitation
//! sessions; conflicts between requirements.

use super::pages::{done, eng_base, kept, Flash};
use super::session::{PageForm, Session};
use super::{error_page, render, Base, ErrorView};
use crate::i18n::Tr;
use crate::AppState;
use accord_app::knowledge::{
    NewSession, NewTerm, SessionView, TermView, SESSION_KINDS, TERM_LANGS,
};
use accord_app::purchase::{
    InsightPatch, InsightView, NewInsight, NewObjective, NewProcurementStep, ObjectivePatch,
    ObjectiveView, ProcurementStepPatch, ProcurementStepView, INSIGHT_KINDS, INSIGHT_STATUSES,
    OBJECTIVE_STATUSES, SEVERITIES, STEP_STATUSES,
};
use accord_app::trace::{ConflictView, NewConflict};
use accord_app::views::{EngagementView, UserView};
use accord_app::{Actor, Error};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/engagements/{eid}/purchase", get(purchase))
        .route(
            "/engagements/{eid}/purchase/objectives",
            post(add_objective),
        )
        .route(
            "/engagements/{eid}/purchase/objectives/{id}",
            post(edit_objective),
        )
        .route("/engagements/{eid}/purchase/steps", post(add_step))
        .route("/engagements/{eid}/purchase/steps/{id}", post(edit_step))
        .route("/engagements/{eid}/purchase/insights", post(add_insight))
        .route(
            "/engagements/{eid}/purchase/insights/{id}",
            post(edit_insight),
        )
        .route("/engagements/{eid}/glossary", get(glossary).post(add_term))
        .route(
            "/engagements/{eid}/glossary/{id}/acknowledge",
            post(acknowledge_term),
        )
        .route(
            "/engagements/{eid}/sessions",
            get(sessions).post(add_session),
        )
        .route(
            "/engagements/{eid}/conflicts",
            get(conflicts).post(add_conflict),
        )
        .route(
            "/engagements/{eid}/conflicts/{id}/resolution",
            post(resolve_conflict),
        )
}

/// Which of these pages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Purchase,
    Glossary,
    Sessions,
    Conflicts,
}

impl Which {
    fn section(self) -> &'static str {
        match self {
            Which::Purchase => "purchase",
            Which::Glossary => "glossary",
            Which::Sessions => "sessions",
            Which::Conflicts => "conflicts",
        }
    }
    fn path(self, eid: Uuid) -> String {
        format!("/engagements/{eid}/{}", self.section())
    }
}

/// The value a refused form of this page had (`form` names which form), to show it again.
fn keep(fields: &[(String, String)], form: &str, name: &str) -> String {
    if kept(fields, "form") == form {
        kept(fields, name)
    } else {
        String::new()
    }
}

#[derive(Template)]
#[template(path = "purchase.html")]
struct PurchasePage {
    t: Tr,
    b: Base,
    e: EngagementView,
    people: Vec<UserView>,
    fields: Vec<(String, String)>,
    objectives: Vec<ObjectiveView>,
    steps: Vec<ProcurementStepView>,
    insights: Vec<InsightView>,
    is_sponsor: bool,
}

impl PurchasePage {
    fn kept(&self, form: &str, name: &str) -> String {
        keep(&self.fields, form, name)
    }
    /// The statuses the caller may choose for an objective: approval is the sponsor's.
    fn objective_statuses(&self, current: &str) -> Vec<&'static str> {
        OBJECTIVE_STATUSES
            .into_iter()
            .filter(|s| self.is_sponsor || *s != "approved" || current == "approved")
            .collect()
    }
    fn step_statuses(&self) -> [&'static str; 4] {
        STEP_STATUSES
    }
    fn insight_kinds(&self) -> [&'static str; 3] {
        INSIGHT_KINDS
    }
    fn insight_statuses(&self) -> [&'static str; 3] {
        INSIGHT_STATUSES
    }
    fn severities(&self) -> [&'static str; 3] {
        SEVERITIES
    }
    fn is_default_severity(&self, v: &str) -> bool {
        v == "medium"
    }
    fn overdue_steps(&self) -> usize {
        self.steps.iter().filter(|s| s.overdue).count()
    }
}

#[derive(Template)]
#[template(path = "glossary.html")]
struct GlossaryPage {
    t: Tr,
    b: Base,
    e: EngagementView,
    fields: Vec<(String, String)>,
    terms: Vec<TermView>,
    areas: Vec<String>,
    is_partner: bool,
}

impl GlossaryPage {
    fn kept(&self, form: &str, name: &str) -> String {
        keep(&self.fields, form, name)
    }
    fn langs(&self) -> [&'static str; 2] {
        TERM_LANGS
    }
    /// The language a new term's form offers: what was typed, else the page's language.
    fn lang_selected(&self, l: &str) -> bool {
        let typed = self.kept("term", "lang");
        if typed.is_empty() {
            l == self.b.lang.code()
        } else {
            typed == l
        }
    }
    fn pending(&self) -> Vec<&TermView> {
        self.terms
            .iter()
            .filter(|t| !t.partner_pending.is_empty())
            .collect()
    }
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    t: Tr,
    b: Base,
    e: EngagementView,
    people: Vec<UserView>,
    fields: Vec<(String, String)>,
    sessions: Vec<SessionView>,
}

impl SessionsPage {
    fn kept(&self, form: &str, name: &str) -> String {
        keep(&self.fields, form, name)
    }
    fn kinds(&self) -> [&'static str; 2] {
        SESSION_KINDS
    }
    fn chosen(&self, id: &Uuid) -> bool {
        let id = id.to_string();
        self.fields.iter().any(|(k, v)| k == "attendee" && *v == id)
    }
}

#[derive(Template)]
#[template(path = "conflicts.html")]
struct ConflictsPage {
    t: Tr,
    b: Base,
    e: EngagementView,
    fields: Vec<(String, String)>,
    conflicts: Vec<ConflictView>,
}

impl ConflictsPage {
    fn kept(&self, form: &str, name: &str) -> String {
        keep(&self.fields, form, name)
    }
    fn open(&self) -> usize {
        self.conflicts.iter().filter(|k| k.status == "open").count()
    }
}

async fn is_sponsor(s: &AppState, a: &Actor, eid: Uuid) -> Result<bool, Error> {
    Ok(s.app
        .list_roles(a, eid, false)
        .await?
        .iter()
        .any(|r| r.user_id == a.user_id && r.role == "executive_sponsor"))
}

/// Draws one of the pages, with an error and what the user typed when a form was refused.
async fn show(
    s: &AppState,
    session: &Session,
    eid: Uuid,
    which: Which,
    flash: Option<String>,
    error: Option<(StatusCode, ErrorView)>,
    fields: Vec<(String, String)>,
) -> Response {
    let t = Tr::new(session.lang);
    let path = which.path(eid);
    let a = &session.actor;
    let common = async {
        let e = s.app.get_engagement(a, eid).await?;
        // Both sides: one's own organisation, and the other's people who hold a role.
        let other = if a.organisation_id == e.customer.id {
            e.partner.id
        } else {
            e.customer.id
        };
        let mut people = s.app.list_users(a, None).await?;
        people.extend(s.app.list_users(a, Some(other)).await?);
        people.retain(|u| {
            !u.disabled && (u.organisation.id == e.customer.id || u.organisation.id == e.partner.id)
        });
        Ok::<_, Error>((e, people))
    }
    .await;
    let (e, people) = match common {
        Ok(x) => x,
        Err(err) => return error_page(t, session.base(&path), &err),
    };
    let mut b = eng_base(session, &e, &path, which.section());
    b.flash = flash;
    let status = b.with_error(error);
    let is_partner = a.organisation_id == e.partner.id;
    let page = async {
        Ok::<_, Error>(match which {
            Which::Purchase => render(
                status,
                &PurchasePage {
                    objectives: s.app.list_objectives(a, eid).await?,
                    steps: s.app.list_procurement_steps(a, eid).await?,
                    insights: s.app.list_insights(a, eid).await?,
                    is_sponsor: is_sponsor(s, a, eid).await?,
                    t,
                    b,
                    e,
                    people,
                    fields,
                },
            ),
            Which::Glossary => render(
                status,
                &GlossaryPage {
                    terms: s.app.glossary(a, eid).await?,
                    areas: s.app.functional_areas(a, eid).await?,
                    is_partner,
                    t,
                    b,
                    e,
                    fields,
                },
            ),
            Which::Sessions => render(
                status,
                &SessionsPage {
                    sessions: s.app.sessions(a, eid).await?,
                    t,
                    b,
                    e,
                    people,
                    fields,
                },
            ),
            Which::Conflicts => render(
                status,
                &ConflictsPage {
                    conflicts: s.app.conflicts(a, eid).await?,
                    t,
                    b,
                    e,
                    fields,
                },
            ),
        })
    }
    .await;
    page.unwrap_or_else(|err| error_page(t, session.base(&path), &err))
}

/// Where a form goes next: back to its page with a message, or the page again with the error
/// and what was typed.
async fn finish<T, F>(
    s: &AppState,
    eid: Uuid,
    which: Which,
    f: PageForm<F>,
    result: Result<T, Error>,
    flash: &str,
) -> Response {
    match result {
        Ok(_) => done(&which.path(eid), flash),
        Err(e) => {
            let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
            show(s, &f.session, eid, which, None, Some((st, v)), f.fields).await
        }
    }
}

fn owner(s: &str) -> Option<Uuid> {
    Uuid::parse_str(s.trim()).ok()
}

async fn purchase(
    State(s): State<AppState>,
    session: Session,
    Path(eid): Path<Uuid>,
    Query(f): Query<Flash>,
) -> Response {
    let flash = f.message(Tr::new(session.lang));
    show(&s, &session, eid, Which::Purchase, flash, None, Vec::new()).await
}

#[derive(Deserialize)]
struct ObjectiveForm {
    outcome: String,
    metric: String,
    #[serde(default)]
    baseline: String,
    target: String,
    value_by: String,
    #[serde(default)]
    serves: String,
    #[serde(default)]
    owner_id: String,
}

async fn add_objective(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<ObjectiveForm>,
) -> Response {
    let o = &f.form;
    let input = NewObjective {
        outcome: o.outcome.clone(),
        metric: o.metric.clone(),
        baseline: o.baseline.clone(),
        target: o.target.clone(),
        value_by: o.value_by.clone(),
        serves: o.serves.clone(),
        owner_id: owner(&o.owner_id),
    };
    let r = s.app.create_objective(&f.session.actor, eid, input).await;
    finish(&s, eid, Which::Purchase, f, r, "objective-added").await
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
    version: i64,
    #[serde(default)]
    owner_id: Option<String>,
}

async fn edit_objective(
    State(s): State<AppState>,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    f: PageForm<StatusForm>,
) -> Response {
    let patch = ObjectivePatch {
        status: Some(f.form.status.clone()),
        ..Default::default()
    };
    let r = s
        .app
        .update_objective(&f.session.actor, eid, id, f.form.version, patch)
        .await;
    finish(&s, eid, Which::Purchase, f, r, "objective-updated").await
}

#[derive(Deserialize)]
struct StepForm {
    customer_step: String,
    partner_step: String,
    due_on: String,
    #[serde(default)]
    owner_id: String,
}

async fn add_step(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<StepForm>,
) -> Response {
    let input = NewProcurementStep {
        customer_step: f.form.customer_step.clone(),
        partner_step: f.form.partner_step.clone(),
        due_on: f.form.due_on.clone(),
        owner_id: owner(&f.form.owner_id),
    };
    let r = s
        .app
        .create_procurement_step(&f.session.actor, eid, input)
        .await;
    finish(&s, eid, Which::Purchase, f, r, "step-added").await
}

async fn edit_step(
    State(s): State<AppState>,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    f: PageForm<StatusForm>,
) -> Response {
    let patch = ProcurementStepPatch {
        status: Some(f.form.status.clone()),
        owner_id: f.form.owner_id.as_deref().map(owner),
        ..Default::default()
    };
    let r = s
        .app
        .update_procurement_step(&f.session.actor, eid, id, f.form.version, patch)
        .await;
    finish(&s, eid, Which::Purchase, f, r, "step-updated").await
}

#[derive(Deserialize)]
struct InsightForm {
    kind: String,
    title: String,
    #[serde(default)]
    description: String,
    severity: String,
    #[serde(default)]
    owner_id: String,
}

async fn add_insight(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<InsightForm>,
) -> Response {
    let input = NewInsight {
        kind: f.form.kind.clone(),
        title: f.form.title.clone(),
        description: f.form.description.clone(),
        severity: Some(f.form.severity.clone()),
        owner_id: owner(&f.form.owner_id),
    };
    let r = s.app.create_insight(&f.session.actor, eid, input).await;
    finish(&s, eid, Which::Purchase, f, r, "insight-added").await
}

async fn edit_insight(
    State(s): State<AppState>,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    f: PageForm<StatusForm>,
) -> Response {
    let patch = InsightPatch {
        status: Some(f.form.status.clone()),
        owner_id: f.form.owner_id.as_deref().map(owner),
        ..Default::default()
    };
    let r = s
        .app
        .update_insight(&f.session.actor, eid, id, f.form.version, patch)
        .await;
    finish(&s, eid, Which::Purchase, f, r, "insight-updated").await
}

async fn glossary(
    State(s): State<AppState>,
    session: Session,
    Path(eid): Path<Uuid>,
    Query(f): Query<Flash>,
) -> Response {
    let flash = f.message(Tr::new(session.lang));
    show(&s, &session, eid, Which::Glossary, flash, None, Vec::new()).await
}

#[derive(Deserialize)]
struct TermForm {
    term: String,
    definition: String,
    #[serde(default)]
    functional_area: String,
    #[serde(default)]
    examples: String,
    #[serde(default)]
    synonyms: String,
    #[serde(default)]
    lang: String,
}

async fn add_term(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<TermForm>,
) -> Response {
    let input = NewTerm {
        term: f.form.term.clone(),
        definition: f.form.definition.clone(),
        functional_area: f.form.functional_area.clone(),
        examples: f.form.examples.clone(),
        synonyms: f
            .form
            .synonyms
            .split(['\n', ',', '，'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        lang: Some(f.form.lang.clone()).filter(|l| !l.is_empty()),
    };
    let r = s.app.create_term(&f.session.actor, eid, input).await;
    finish(&s, eid, Which::Glossary, f, r, "term-added").await
}

#[derive(Deserialize)]
struct VersionForm {
    version: i64,
}

async fn acknowledge_term(
    State(s): State<AppState>,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    f: PageForm<VersionForm>,
) -> Response {
    let r = s
        .app
        .acknowledge_term(&f.session.actor, eid, id, Some(f.form.version))
        .await;
    finish(&s, eid, Which::Glossary, f, r, "term-acknowledged").await
}

async fn sessions(
    State(s): State<AppState>,
    session: Session,
    Path(eid): Path<Uuid>,
    Query(f): Query<Flash>,
) -> Response {
    let flash = f.message(Tr::new(session.lang));
    show(&s, &session, eid, Which::Sessions, flash, None, Vec::new()).await
}

#[derive(Deserialize)]
struct SessionForm {
    kind: String,
    #[serde(default)]
    title: String,
    held_at: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    requirements: String,
}

async fn add_session(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<SessionForm>,
) -> Response {
    let a = &f.session.actor;
    let attendee_ids = f
        .fields
        .iter()
        .filter(|(k, _)| k == "attendee")
        .filter_map(|(_, v)| Uuid::parse_str(v).ok())
        .collect();
    let r = async {
        let requirement_ids = s
            .app
            .requirement_ids_by_keys(a, eid, &f.form.requirements, "requirement_ids")
            .await?;
        let input = NewSession {
            kind: f.form.kind.clone(),
            title: f.form.title.clone(),
            held_at: f.form.held_at.clone(),
            attendee_ids,
            notes: f.form.notes.clone(),
            requirement_ids,
        };
        s.app.create_session(a, eid, input).await
    }
    .await;
    finish(&s, eid, Which::Sessions, f, r, "session-added").await
}

async fn conflicts(
    State(s): State<AppState>,
    session: Session,
    Path(eid): Path<Uuid>,
    Query(f): Query<Flash>,
) -> Response {
    let flash = f.message(Tr::new(session.lang));
    show(&s, &session, eid, Which::Conflicts, flash, None, Vec::new()).await
}

/// The one requirement a form field names by its key.
async fn one_requirement(
    s: &AppState,
    a: &Actor,
    eid: Uuid,
    field: &str,
    keys: &str,
) -> Result<Uuid, Error> {
    match s
        .app
        .requirement_ids_by_keys(a, eid, keys, field)
        .await?
        .as_slice()
    {
        [id] => Ok(*id),
        _ => Err(Error::invalid(
            field,
            "name one requirement by its key, such as REQ-0001",
        )),
    }
}

#[derive(Deserialize)]
struct ConflictForm {
    requirement_a: String,
    requirement_b: String,
    description: String,
}

async fn add_conflict(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<ConflictForm>,
) -> Response {
    let a = &f.session.actor;
    let r = async {
        let input = NewConflict {
            requirement_a: one_requirement(&s, a, eid, "requirement_a", &f.form.requirement_a)
                .await?,
            requirement_b: one_requirement(&s, a, eid, "requirement_b", &f.form.requirement_b)
                .await?,
            description: f.form.description.clone(),
        };
        s.app.create_conflict(a, eid, input).await
    }
    .await;
    finish(&s, eid, Which::Conflicts, f, r, "conflict-added").await
}

#[derive(Deserialize)]
struct ResolutionForm {
    resolution: String,
    version: i64,
}

async fn resolve_conflict(
    State(s): State<AppState>,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    f: PageForm<ResolutionForm>,
) -> Response {
    let r = s
        .app
        .resolve_conflict(
            &f.session.actor,
            eid,
            id,
            &f.form.resolution,
            Some(f.form.version),
        )
        .await;
    finish(&s, eid, Which::Conflicts, f, r, "conflict-resolved").await
}
