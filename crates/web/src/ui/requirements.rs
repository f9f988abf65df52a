//! The requirement pages: the list with its filters, roll-ups and the form for a new one; a
//! requirement with its history, clarifications, priority and estimate.

use super::pages::{done, kept, Flash};
use super::session::{PageForm, Session};
use super::{error_page, render, Base, ErrorView};
use crate::i18n::Tr;
use crate::AppState;
use accord_app::csv_import::CsvImportReport;
use accord_app::knowledge::{term_segments, Segment, SessionView};
use accord_app::reimport::ReimportReport;
use accord_app::reqif::DocumentView;
use accord_app::requirement::{
    NewRequirement, RequirementDetail, RequirementPatch, RequirementView, RollupView, VersionView,
    FEASIBILITIES, FITS, PRIORITIES, STATUSES,
};
use accord_app::trace::{ConflictView, LinkView, NewLink, LINK_KINDS};
use accord_app::views::{EngagementView, UserView};
use accord_app::Error;
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
        .route("/engagements/{eid}/requirements", get(list).post(create))
        .route(
            "/engagements/{eid}/requirements/{rid}",
            get(detail).post(edit),
        )
        .route(
            "/engagements/{eid}/requirements/{rid}/priority",
            post(priority),
        )
        .route(
            "/engagements/{eid}/requirements/{rid}/links",
            post(add_link),
        )
        .route("/engagements/{eid}/requirements/bulk", post(bulk))
        .route(
            "/engagements/{eid}/requirements/import",
            post(import_reqif).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/engagements/{eid}/requirements/import-csv",
            post(import_csv).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/engagements/{eid}/requirements/import/confirm",
            post(confirm_import),
        )
        .route(
            "/engagements/{eid}/requirements/{rid}/clarifications",
            post(ask),
        )
        .route(
            "/engagements/{eid}/requirements/{rid}/clarifications/{cid}/answer",
            post(answer),
        )
        .route(
            "/engagements/{eid}/requirements/{rid}/estimate",
            post(estimate),
        )
        .route(
            "/engagements/{eid}/requirements/{rid}/estimate/acknowledgement",
            post(acknowledge),
        )
}

const PAGE: i64 = 50;

#[derive(Deserialize, Default, Clone)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    functional_area: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    offset: i64,
    done: Option<String>,
}

impl ListQuery {
    /// This query at another offset, as a link.
    fn at(&self, eid: Uuid, offset: i64) -> String {
        let q = serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("status", &self.status),
            ("priority", &self.priority),
            ("functional_area", &self.functional_area),
            ("owner_id", &self.owner_id),
            ("sort", &self.sort),
            ("offset", &offset.to_string()),
        ])
        .unwrap_or_default();
        format!("/engagements/{eid}/requirements?{q}")
    }
}

#[derive(Template)]
#[template(path = "requirements.html")]
struct ListPage {
    t: Tr,
    b: Base,
    e: EngagementView,
    items: Vec<RequirementView>,
    rollup: Option<RollupView>,
    areas: Vec<String>,
    people: Vec<UserView>,
    documents: Vec<DocumentView>,
    q: ListQuery,
    prev: Option<String>,
    next: Option<String>,
    fields: Vec<(String, String)>,
}

impl ListPage {
    fn statuses(&self) -> [&'static str; 7] {
        STATUSES
    }
    fn priorities(&self) -> [&'static str; 3] {
        PRIORITIES
    }
    fn kept(&self, name: &str) -> String {
        kept(&self.fields, name)
    }
    fn share(&self) -> String {
        self.rollup
            .as_ref()
            .and_then(|r| r.standard_process_share)
            .map(|s| format!("{:.0} %", s * 100.0))
            .unwrap_or_else(|| "–".into())
    }
}

fn blank(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

async fn list_page(
    s: &AppState,
    session: &Session,
    eid: Uuid,
    q: ListQuery,
    error: Option<(StatusCode, ErrorView)>,
    fields: Vec<(String, String)>,
) -> Response {
    let t = Tr::new(session.lang);
    let path = q.at(eid, q.offset.max(0));
    let a = &session.actor;
    let unfiltered = [
        &q.q,
        &q.status,
        &q.priority,
        &q.functional_area,
        &q.owner_id,
    ]
    .iter()
    .all(|v| v.trim().is_empty());
    let filter = accord_store::requirement::Filter {
        status: blank(&q.status),
        priority: blank(&q.priority),
        functional_area: blank(&q.functional_area),
        owner_id: Uuid::parse_str(q.owner_id.trim()).ok(),
        q: blank(&q.q),
        sort: blank(&q.sort),
        offset: q.offset.max(0),
        limit: PAGE,
    };
    let loaded = async {
        let e = s.app.get_engagement(a, eid).await?;
        let page = s.app.list_requirements(a, eid, filter).await?;
        // The totals cover every requirement, so they go with the unfiltered list only (a
        // filtered list beside totals of everything would mislead, and costs time).
        let rollup = if unfiltered {
            Some(s.app.requirement_rollup(a, eid).await?)
        } else {
            None
        };
        let areas = s.app.functional_areas(a, eid).await?;
        let people = s.app.list_users(a, None).await?;
        let documents = s.app.reqif_documents(a, eid).await?;
        Ok::<_, Error>((e, page, rollup, areas, people, documents))
    }
    .await;
    let (e, page, rollup, areas, people, documents) = match loaded {
        Ok(x) => x,
        Err(err) => return error_page(t, session.base(&path), &err),
    };
    let mut b = super::pages::eng_base(session, &e, &path, "requirements");
    b.flash = Flash {
        done: q.done.clone(),
    }
    .message(t);
    let status = b.with_error(error);
    let offset = q.offset.max(0);
    let prev = (offset > 0).then(|| q.at(eid, (offset - PAGE).max(0)));
    let next = page.next_cursor.as_ref().map(|_| q.at(eid, offset + PAGE));
    let people = people.into_iter().filter(|u| !u.disabled).collect();
    render(
        status,
        &ListPage {
            t,
            b,
            e,
            items: page.items,
            rollup,
            areas,
            people,
            documents,
            q,
            prev,
            next,
            fields,
        },
    )
}

async fn list(
    State(s): State<AppState>,
    session: Session,
    Path(eid): Path<Uuid>,
    Query(q): Query<ListQuery>,
) -> Response {
    list_page(&s, &session, eid, q, None, Vec::new()).await
}

#[derive(Deserialize)]
struct CreateForm {
    title: String,
    statement: String,
    #[serde(default)]
    rationale: String,
    functional_area: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    owner_id: String,
}

async fn create(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<CreateForm>,
) -> Response {
    let input = NewRequirement {
        title: f.form.title.clone(),
        statement: f.form.statement.clone(),
        rationale: f.form.rationale.clone(),
        functional_area: f.form.functional_area.clone(),
        source: f.form.source.clone(),
        owner_id: Uuid::parse_str(f.form.owner_id.trim()).ok(),
    };
    match s.app.create_requirement(&f.session.actor, eid, input).await {
        Ok(r) => done(
            &format!("/engagements/{eid}/requirements/{}", r.id),
            "requirement-created",
        ),
        Err(e) => {
            let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
            list_page(
                &s,
                &f.session,
                eid,
                ListQuery::default(),
                Some((st, v)),
                f.fields,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "requirement.html")]
struct DetailPage {
    t: Tr,
    b: Base,
    e: EngagementView,
    d: RequirementDetail,
    versions: Vec<VersionView>,
    areas: Vec<String>,
    people: Vec<UserView>,
    is_partner: bool,
    is_customer: bool,
    fields: Vec<(String, String)>,
    /// After a stale edit: (field, what you typed, what is there now) for each field that differs.
    conflict: Vec<(String, String, String)>,
    /// The statement cut into plain text and glossary terms.
    statement: Vec<Segment>,
    links: Vec<LinkView>,
    conflicts: Vec<ConflictView>,
    sessions: Vec<SessionView>,
}

impl DetailPage {
    fn link_kinds(&self) -> [&'static str; 5] {
        LINK_KINDS
    }
    fn statuses(&self) -> [&'static str; 7] {
        STATUSES
    }
    fn priorities(&self) -> [&'static str; 3] {
        PRIORITIES
    }
    fn feasibilities(&self) -> [&'static str; 3] {
        FEASIBILITIES
    }
    fn fits(&self) -> [&'static str; 3] {
        FITS
    }
    /// What a form field shows: what the user typed when the page comes back refused, the
    /// record's value otherwise.
    fn value(&self, form: &str, name: &str, current: &str) -> String {
        if kept(&self.fields, "form") == form {
            kept(&self.fields, name)
        } else {
            current.to_string()
        }
    }
    /// The current owner when the list of people does not offer them (a member of the other
    /// side), so that saving the form does not clear the owner.
    fn owner_not_offered(&self) -> Option<&accord_app::requirement::PersonRef> {
        self.d
            .requirement
            .owner
            .as_ref()
            .filter(|o| !self.people.iter().any(|p| p.id == o.id))
    }

    /// The current area when it is no longer among the engagement's areas, so that saving the
    /// form does not move the requirement.
    fn area_not_offered(&self) -> Option<&String> {
        Some(&self.d.requirement.functional_area).filter(|a| !self.areas.contains(a))
    }

    fn rfc3339(&self, at: &time::OffsetDateTime) -> String {
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }

    fn owner_id(&self) -> String {
        self.d
            .requirement
            .owner
            .as_ref()
            .map(|o| o.id.to_string())
            .unwrap_or_default()
    }
    fn amount(&self, v: &f64) -> String {
        format!("{v:.2}")
    }
    fn change(&self, v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Null => "–".into(),
            serde_json::Value::String(s) => {
                if let Ok(id) = Uuid::parse_str(s) {
                    self.people
                        .iter()
                        .find(|p| p.id == id)
                        .map_or(s.clone(), |p| p.name.clone())
                } else {
                    s.clone()
                }
            }
            other => other.to_string(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn detail_page(
    s: &AppState,
    session: &Session,
    eid: Uuid,
    rid: Uuid,
    flash: Option<String>,
    error: Option<(StatusCode, ErrorView)>,
    fields: Vec<(String, String)>,
    conflict: Vec<(String, String, String)>,
) -> Response {
    let t = Tr::new(session.lang);
    let path = format!("/engagements/{eid}/requirements/{rid}");
    let a = &session.actor;
    let loaded = async {
        let e = s.app.get_engagement(a, eid).await?;
        let d = s.app.requirement(a, eid, rid).await?;
        let versions = s.app.requirement_versions(a, eid, rid).await?;
        let areas = s.app.functional_areas(a, eid).await?;
        let people = s.app.list_users(a, None).await?;
        let terms = s.app.glossary(a, eid).await?;
        let links = s.app.links(a, eid, Some(rid)).await?;
        let mut conflicts = s.app.conflicts(a, eid).await?;
        conflicts.retain(|k| k.requirement_a.id == rid || k.requirement_b.id == rid);
        let mut sessions = s.app.sessions(a, eid).await?;
        sessions.retain(|x| x.requirements.iter().any(|r| r.id == rid));
        Ok::<_, Error>((
            e, d, versions, areas, people, terms, links, conflicts, sessions,
        ))
    }
    .await;
    let (e, d, mut versions, areas, people, terms, links, conflicts, sessions) = match loaded {
        Ok(x) => x,
        Err(err) => return error_page(t, session.base(&path), &err),
    };
    versions.reverse();
    let mut b = super::pages::eng_base(session, &e, &path, "requirements");
    b.flash = flash;
    let status = b.with_error(error);
    let is_partner = a.organisation_id == e.partner.id;
    let is_customer = a.organisation_id == e.customer.id;
    let statement = term_segments(&d.requirement.statement, &terms);
    render(
        status,
        &DetailPage {
            t,
            b,
            e,
            d,
            versions,
            areas,
            people,
            is_partner,
            is_customer,
            fields,
            conflict,
            statement,
            links,
            conflicts,
            sessions,
        },
    )
}

async fn detail(
    State(s): State<AppState>,
    session: Session,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    Query(f): Query<Flash>,
) -> Response {
    let flash = f.message(Tr::new(session.lang));
    detail_page(&s, &session, eid, rid, flash, None, Vec::new(), Vec::new()).await
}

/// Re-draws the requirement page with an error and what the user typed.
async fn refused<T>(s: &AppState, eid: Uuid, rid: Uuid, f: PageForm<T>, e: Error) -> Response {
    let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
    detail_page(
        s,
        &f.session,
        eid,
        rid,
        None,
        Some((st, v)),
        f.fields,
        Vec::new(),
    )
    .await
}

#[derive(Deserialize)]
struct EditForm {
    version: i64,
    title: String,
    statement: String,
    #[serde(default)]
    rationale: String,
    functional_area: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    owner_id: String,
    status: String,
}

async fn edit(
    State(s): State<AppState>,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    f: PageForm<EditForm>,
) -> Response {
    let form = &f.form;
    let patch = RequirementPatch {
        title: Some(form.title.clone()),
        statement: Some(form.statement.clone()),
        rationale: Some(form.rationale.clone()),
        functional_area: Some(form.functional_area.clone()),
        source: Some(form.source.clone()),
        owner_id: Some(Uuid::parse_str(form.owner_id.trim()).ok()),
        status: Some(form.status.clone()),
    };
    match s
        .app
        .update_requirement(&f.session.actor, eid, rid, form.version, patch)
        .await
    {
        Ok(_) => done(
            &format!("/engagements/{eid}/requirements/{rid}"),
            "requirement-saved",
        ),
        Err(Error::Stale { current_version }) => {
            // Nothing typed is lost: the page shows the current record beside what was typed,
            // keeps the typing in the form, and bases it on the current version.
            let t = Tr::new(f.session.lang);
            let current = match s.app.requirement(&f.session.actor, eid, rid).await {
                Ok(d) => d.requirement,
                Err(e) => {
                    return error_page(
                        t,
                        f.session
                            .base(&format!("/engagements/{eid}/requirements/{rid}")),
                        &e,
                    )
                }
            };
            let owner = current
                .owner
                .as_ref()
                .map(|o| o.id.to_string())
                .unwrap_or_default();
            let conflict = [
                ("title", form.title.trim(), current.title.as_str()),
                (
                    "statement",
                    form.statement.trim(),
                    current.statement.as_str(),
                ),
                (
                    "rationale",
                    form.rationale.trim(),
                    current.rationale.as_str(),
                ),
                (
                    "functional_area",
                    form.functional_area.trim(),
                    current.functional_area.as_str(),
                ),
                ("source", form.source.trim(), current.source.as_str()),
                ("owner_id", form.owner_id.trim(), owner.as_str()),
                ("status", form.status.trim(), current.status.as_str()),
            ]
            .into_iter()
            .filter(|(_, mine, theirs)| mine != theirs)
            .map(|(f, mine, theirs)| (f.to_string(), mine.to_string(), theirs.to_string()))
            .collect();
            let mut fields = f.fields.clone();
            for (k, v) in fields.iter_mut() {
                if k == "version" {
                    *v = current_version.unwrap_or(current.version).to_string();
                }
            }
            let err = Error::Stale { current_version };
            let (st, v) = ErrorView::from_error(t, &err);
            detail_page(
                &s,
                &f.session,
                eid,
                rid,
                None,
                Some((st, v)),
                fields,
                conflict,
            )
            .await
        }
        Err(e) => refused(&s, eid, rid, f, e).await,
    }
}

#[derive(Deserialize)]
struct PriorityForm {
    priority: String,
    rationale: String,
    /// The version the page showed: a decision on an outdated page is refused.
    version: Option<i64>,
}

async fn priority(
    State(s): State<AppState>,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    f: PageForm<PriorityForm>,
) -> Response {
    match s
        .app
        .set_priority(
            &f.session.actor,
            eid,
            rid,
            &f.form.priority,
            &f.form.rationale,
            f.form.version,
        )
        .await
    {
        Ok(_) => done(
            &format!("/engagements/{eid}/requirements/{rid}"),
            "priority-set",
        ),
        Err(e) => refused(&s, eid, rid, f, e).await,
    }
}

#[derive(Deserialize)]
struct AskForm {
    question: String,
}

async fn ask(
    State(s): State<AppState>,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    f: PageForm<AskForm>,
) -> Response {
    match s
        .app
        .ask_clarification(&f.session.actor, eid, rid, &f.form.question)
        .await
    {
        Ok(_) => done(
            &format!("/engagements/{eid}/requirements/{rid}"),
            "question-asked",
        ),
        Err(e) => refused(&s, eid, rid, f, e).await,
    }
}

#[derive(Deserialize)]
struct AnswerForm {
    answer: String,
}

async fn answer(
    State(s): State<AppState>,
    Path((eid, rid, cid)): Path<(Uuid, Uuid, Uuid)>,
    f: PageForm<AnswerForm>,
) -> Response {
    match s
        .app
        .answer_clarification(&f.session.actor, eid, rid, cid, &f.form.answer)
        .await
    {
        Ok(_) => done(
            &format!("/engagements/{eid}/requirements/{rid}"),
            "question-answered",
        ),
        Err(e) => refused(&s, eid, rid, f, e).await,
    }
}

#[derive(Deserialize)]
struct EstimateForm {
    effort_days: String,
    cost: String,
    currency: String,
    feasibility: String,
    fit: String,
    basis: String,
}

async fn estimate(
    State(s): State<AppState>,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    f: PageForm<EstimateForm>,
) -> Response {
    let number = |field: &str, v: &str| {
        v.trim()
            .replace(',', ".")
            .parse::<f64>()
            .map_err(|_| Error::invalid(field, "must be a number"))
    };
    let r = async {
        let days = number("effort_days", &f.form.effort_days)?;
        let cost = number("cost", &f.form.cost)?;
        let form = &f.form;
        s.app
            .put_estimate(
                &f.session.actor,
                eid,
                rid,
                days,
                cost,
                &form.currency,
                &form.feasibility,
                &form.fit,
                &form.basis,
            )
            .await
    }
    .await;
    match r {
        Ok(_) => done(
            &format!("/engagements/{eid}/requirements/{rid}"),
            "estimate-saved",
        ),
        Err(e) => refused(&s, eid, rid, f, e).await,
    }
}

#[derive(Deserialize)]
struct AcknowledgeForm {
    /// The `estimated_at` of the estimate the page showed.
    #[serde(default)]
    estimated_at: String,
}

async fn acknowledge(
    State(s): State<AppState>,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    f: PageForm<AcknowledgeForm>,
) -> Response {
    let seen = match crate::api::requirement::parse_seen(Some(&f.form.estimated_at)) {
        Ok(seen) => seen,
        Err(e) => return refused(&s, eid, rid, f, e).await,
    };
    match s
        .app
        .acknowledge_estimate(&f.session.actor, eid, rid, seen)
        .await
    {
        Ok(_) => done(
            &format!("/engagements/{eid}/requirements/{rid}"),
            "estimate-acknowledged",
        ),
        Err(e) => refused(&s, eid, rid, f, e).await,
    }
}

#[derive(Deserialize)]
struct LinkForm {
    kind: String,
    other: String,
}

/// Links this requirement to another, named by its key.
async fn add_link(
    State(s): State<AppState>,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    f: PageForm<LinkForm>,
) -> Response {
    let a = &f.session.actor;
    let r = async {
        let ids = s
            .app
            .requirement_ids_by_keys(a, eid, &f.form.other, "to_id")
            .await?;
        let [to] = ids.as_slice() else {
            return Err(Error::invalid(
                "to_id",
                "name one requirement by its key, such as REQ-0001",
            ));
        };
        s.app
            .create_link(
                a,
                eid,
                NewLink {
                    from_id: rid,
                    to_id: *to,
                    kind: f.form.kind.clone(),
                },
            )
            .await
    }
    .await;
    match r {
        Ok(_) => done(
            &format!("/engagements/{eid}/requirements/{rid}"),
            "link-added",
        ),
        Err(e) => refused(&s, eid, rid, f, e).await,
    }
}

#[derive(Deserialize)]
struct BulkForm {
    #[serde(default)]
    functional_area: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    status: String,
}

/// Changes the area, owner or status of the requirements ticked on the list, each at the
/// version the list showed (`sel` = `id:version`).
async fn bulk(State(s): State<AppState>, Path(eid): Path<Uuid>, f: PageForm<BulkForm>) -> Response {
    let selection: Vec<(Uuid, i64)> = f
        .fields
        .iter()
        .filter(|(k, _)| k == "sel")
        .filter_map(|(_, v)| {
            let (id, version) = v.split_once(':')?;
            Some((Uuid::parse_str(id).ok()?, version.parse().ok()?))
        })
        .collect();
    let keep = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    let owner = match f.form.owner_id.trim() {
        "" => None,
        "none" => Some(None),
        id => match Uuid::parse_str(id) {
            Ok(id) => Some(Some(id)),
            Err(_) => {
                let e = Error::invalid("owner_id", "is not a person of this engagement");
                let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
                return list_page(
                    &s,
                    &f.session,
                    eid,
                    ListQuery::default(),
                    Some((st, v)),
                    f.fields,
                )
                .await;
            }
        },
    };
    let patch = RequirementPatch {
        functional_area: keep(&f.form.functional_area),
        owner_id: owner,
        status: keep(&f.form.status),
        ..Default::default()
    };
    match s
        .app
        .bulk_update_requirements(&f.session.actor, eid, &selection, patch)
        .await
    {
        Ok(_) => done(&format!("/engagements/{eid}/requirements"), "bulk-updated"),
        Err(e) => {
            let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
            list_page(
                &s,
                &f.session,
                eid,
                ListQuery::default(),
                Some((st, v)),
                f.fields,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "reqif_import.html")]
struct ImportPage {
    t: Tr,
    b: Base,
    e: EngagementView,
    r: accord_app::reqif::ImportReport,
    name: String,
}

/// An upload form's fields and file; a file over the limit gets a page that says the limit.
async fn read_upload(
    s: &AppState,
    eid: Uuid,
    req: axum::extract::Request,
) -> Result<super::session::PageUpload, Response> {
    use super::session::{PageUpload, UploadRefusal};
    let lang = crate::i18n::Lang::negotiate(
        req.headers()
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    );
    match PageUpload::read(req, s, eid).await {
        Ok(u) => Ok(u),
        Err(UploadRefusal::Response(r)) => Err(r),
        Err(UploadRefusal::TooLarge(limit)) => {
            let t = Tr::new(lang);
            let mut b = Base::new(lang, &format!("/engagements/{eid}/requirements"));
            b.error = Some(ErrorView::plain(
                t.t("import-too-large"),
                Some(t.t1("import-limit", "bytes", limit)),
            ));
            Err(render(
                StatusCode::PAYLOAD_TOO_LARGE,
                &super::MessagePage { t, b },
            ))
        }
    }
}

/// The upload form of the requirement list: a `.reqif` or `.reqifz` into the engagement, then
/// the import's report.
async fn import_reqif(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    req: axum::extract::Request,
) -> Response {
    let u = match read_upload(&s, eid, req).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let field = |n: &str| kept(&u.fields, n);
    // A newer export of a document already imported: compared and shown, written on confirming.
    if let (Ok(document_id), Some((name, bytes))) = (field("document_id").parse::<Uuid>(), &u.file)
    {
        let opts = s.web.reimport_options(&field("functional_area"));
        let preview = s
            .app
            .reimport_reqif(&u.session.actor, eid, document_id, bytes, &opts, None)
            .await;
        return match preview {
            Ok(r) => {
                s.uploads
                    .hold(u.session.actor.user_id, &r.file_sha256, bytes.clone());
                preview_page(
                    &s,
                    &u.session,
                    eid,
                    name,
                    Preview::Reqif(r),
                    &field("functional_area"),
                    "",
                )
                .await
            }
            Err(err) => refused_upload(&s, &u.session, eid, &u.fields, "import", &err).await,
        };
    }
    let result = match &u.file {
        None => Err(Error::invalid("file", "choose a .reqif or .reqifz file")),
        Some((name, bytes)) => {
            let opts = s.web.import_options(name, &field("functional_area"));
            s.app
                .import_reqif(&u.session.actor, eid, bytes.as_slice(), &opts, |_, _| {})
                .await
                .map(|r| (name.clone(), r))
        }
    };
    match result {
        Ok((name, r)) => {
            let t = Tr::new(u.session.lang);
            let e = match s.app.get_engagement(&u.session.actor, eid).await {
                Ok(e) => e,
                Err(err) => return error_page(t, u.session.base("/engagements"), &err),
            };
            let mut b = super::pages::eng_base(
                &u.session,
                &e,
                &format!("/engagements/{eid}/requirements"),
                "requirements",
            );
            b.flash = Some(t.t("done-reqif-imported"));
            render(StatusCode::OK, &ImportPage { t, b, e, r, name })
        }
        Err(err) => refused_upload(&s, &u.session, eid, &u.fields, "import", &err).await,
    }
}

/// The requirement list again with the upload form's refusal and what it held.
async fn refused_upload(
    s: &AppState,
    session: &Session,
    eid: Uuid,
    fields: &[(String, String)],
    form: &str,
    err: &Error,
) -> Response {
    let (st, v) = ErrorView::from_error(Tr::new(session.lang), err);
    let fields = fields
        .iter()
        .filter(|(k, _)| k != "csrf")
        .cloned()
        .chain(std::iter::once(("form".to_string(), form.to_string())))
        .collect();
    list_page(s, session, eid, ListQuery::default(), Some((st, v)), fields).await
}

enum Preview {
    Reqif(ReimportReport),
    Csv(CsvImportReport),
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    t: Tr,
    b: Base,
    e: EngagementView,
    name: String,
    reqif: Option<ReimportReport>,
    csv: Option<CsvImportReport>,
    sha256: String,
    token: String,
    kind: &'static str,
    document_id: String,
    functional_area: String,
    map: String,
}

impl PreviewPage {
    /// The comparison's lists with their headings.
    fn sections<'a>(
        &self,
        r: &'a ReimportReport,
    ) -> Vec<(String, &'a Vec<accord_app::reimport::ObjectChange>)> {
        vec![
            (self.t.t("preview-added"), &r.added),
            (self.t.t("preview-changed"), &r.changed),
            (self.t.t("preview-removed"), &r.removed),
        ]
    }
}

/// What an upload would do, with the form that confirms it.
async fn preview_page(
    s: &AppState,
    session: &Session,
    eid: Uuid,
    name: &str,
    preview: Preview,
    functional_area: &str,
    map: &str,
) -> Response {
    let t = Tr::new(session.lang);
    let e = match s.app.get_engagement(&session.actor, eid).await {
        Ok(e) => e,
        Err(err) => return error_page(t, session.base("/engagements"), &err),
    };
    let b = super::pages::eng_base(
        session,
        &e,
        &format!("/engagements/{eid}/requirements"),
        "requirements",
    );
    let (reqif, csv, sha256, token, kind, document_id) = match preview {
        Preview::Reqif(r) => {
            let (sha, token, doc) = (
                r.file_sha256.clone(),
                r.confirm.clone(),
                r.document_id.to_string(),
            );
            (Some(r), None, sha, token, "reqif", doc)
        }
        Preview::Csv(r) => {
            let (sha, token) = (r.file_sha256.clone(), r.confirm.clone());
            (None, Some(r), sha, token, "csv", String::new())
        }
    };
    render(
        StatusCode::OK,
        &PreviewPage {
            t,
            b,
            e,
            name: name.to_string(),
            reqif,
            csv,
            sha256,
            token,
            kind,
            document_id,
            functional_area: functional_area.to_string(),
            map: map.to_string(),
        },
    )
}

/// A spreadsheet's requirements, shown row by row before anything is written.
async fn import_csv(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    req: axum::extract::Request,
) -> Response {
    let u = match read_upload(&s, eid, req).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let field = |n: &str| kept(&u.fields, n);
    let Some((name, bytes)) = &u.file else {
        let err = Error::invalid("file", "choose a .csv file");
        return refused_upload(&s, &u.session, eid, &u.fields, "csv", &err).await;
    };
    let (area, map) = (field("functional_area"), field("map"));
    let columns = match crate::api::interchange::parse_map(&map) {
        Ok(c) => c,
        Err(err) => return refused_upload(&s, &u.session, eid, &u.fields, "csv", &err).await,
    };
    match s
        .app
        .import_requirements_csv(&u.session.actor, eid, bytes, &columns, &area, None)
        .await
    {
        Ok(r) => {
            s.uploads
                .hold(u.session.actor.user_id, &r.file_sha256, bytes.clone());
            preview_page(&s, &u.session, eid, name, Preview::Csv(r), &area, &map).await
        }
        Err(err) => refused_upload(&s, &u.session, eid, &u.fields, "csv", &err).await,
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    kind: String,
    sha256: String,
    confirm: String,
    #[serde(default)]
    document_id: String,
    #[serde(default)]
    functional_area: String,
    #[serde(default)]
    map: String,
}

/// Applies a previewed upload, from the file held since the preview.
async fn confirm_import(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<ConfirmForm>,
) -> Response {
    let session = &f.session;
    let form = &f.form;
    let t = Tr::new(session.lang);
    // The refused form comes back as the upload form it came from.
    let form_name = if form.kind == "csv" { "csv" } else { "import" };
    let Some(bytes) = s.uploads.take(session.actor.user_id, &form.sha256) else {
        let err = Error::invalid(
            "file",
            "the file previewed is no longer held (half an hour passed, or the server restarted): upload it again",
        );
        return refused_upload(&s, session, eid, &f.fields, form_name, &err).await;
    };
    let result = if form.kind == "csv" {
        let columns = crate::api::interchange::parse_map(&form.map).unwrap_or_default();
        s.app
            .import_requirements_csv(
                &session.actor,
                eid,
                &bytes,
                &columns,
                &form.functional_area,
                Some(&form.confirm),
            )
            .await
            .map(|r| r.created + r.updated)
    } else {
        let Ok(document_id) = form.document_id.parse::<Uuid>() else {
            s.uploads.hold(session.actor.user_id, &form.sha256, bytes);
            return error_page(t, session.base("/engagements"), &Error::NotFound);
        };
        let opts = s.web.reimport_options(&form.functional_area);
        s.app
            .reimport_reqif(
                &session.actor,
                eid,
                document_id,
                &bytes,
                &opts,
                Some(&form.confirm),
            )
            .await
            .map(|r| r.requirements_created + r.requirements_updated + r.requirements_retired)
    };
    match result {
        Ok(_) => done(
            &format!("/engagements/{eid}/requirements?sort=-updated"),
            "imported",
        ),
        Err(err) => {
            // Refused (changed meanwhile, say): the file stays held for another try.
            s.uploads.hold(session.actor.user_id, &form.sha256, bytes);
            refused_upload(&s, session, eid, &f.fields, form_name, &err).await
        }
    }
}
