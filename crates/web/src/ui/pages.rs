//! The pages and their forms.

use super::session::{
    login_cookie_name, same_origin, session_cookie_name, set_cookie, PageForm, RawForm, Session,
};
use super::{error_page, render, Base, ErrorView, ResumeField};
use crate::extract::ClientAddr;
use crate::i18n::{Lang, Tr, LANG_COOKIE};
use crate::ratelimit::Op;
use crate::AppState;
use accord_app::esign::SignRequest;
use accord_app::note::NoteView;
use accord_app::role::NewAssignment;
use accord_app::views::{
    AuditEventView, CoverageView, EngagementView, GateView, RoleAssignmentView, UserView,
    VerifyReport,
};
use accord_app::{Actor, Error};
use accord_domain::engagement::CycleTrigger;
use accord_domain::role::Role;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang", get(switch_language))
        .route("/static/app.css", get(stylesheet))
        .route("/engagements", get(engagements))
        .route("/engagements/{eid}", get(overview))
        .route("/engagements/{eid}/notes", post(add_note))
        .route("/engagements/{eid}/roles", get(roles).post(assign_role))
        .route("/engagements/{eid}/roles/{rid}/retire", post(retire_role))
        .route("/engagements/{eid}/gate", get(gate))
        .route("/engagements/{eid}/gate/criteria", post(add_criterion))
        .route(
            "/engagements/{eid}/gate/criteria/{cid}",
            post(set_criterion),
        )
        .route("/engagements/{eid}/gate/sign", post(sign))
        .route("/engagements/{eid}/gate/pass", post(pass_gate))
        .route("/engagements/{eid}/audit", get(audit))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/organisation", get(organisation))
        .route("/organisation/users/{uid}/password", post(reset_password))
        .route("/organisation/users/{uid}/access", post(set_access))
}

/// Formats a time for people: UTC, to the minute (seconds where a signature is shown).
pub fn when(t: &time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    t.to_offset(time::UtcOffset::UTC)
        .format(&f)
        .unwrap_or_default()
}

/// The first characters of a hash, enough to compare by eye.
pub fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// A value a refused form had, to show it again.
pub(crate) fn kept(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Where a successful form goes, with what to say there.
pub(crate) fn done(path: &str, flash: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}done={flash}")).into_response()
}

#[derive(Deserialize, Default)]
pub(crate) struct Flash {
    pub(crate) done: Option<String>,
}

impl Flash {
    /// Only known messages are shown: the query string is the user's to edit.
    pub(crate) fn message(&self, t: Tr) -> Option<String> {
        let key = format!("done-{}", self.done.as_deref()?);
        t.has(&key).then(|| t.t(&key))
    }
}

async fn home(session: Result<Session, Response>) -> Response {
    match session {
        Ok(_) => Redirect::to("/engagements").into_response(),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

// ---- signing in and out -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    b: Base,
    next: String,
    token: String,
    email: String,
    resume: Vec<ResumeField>,
}

/// Only paths of this site are followed after signing in (no open redirect).
pub(crate) fn safe_next(next: &str) -> String {
    // A path of this site: one leading slash, then no second one, no backslash and no control
    // character anywhere (browsers drop tabs and newlines, so "/\t/evil.example" would become
    // "//evil.example").
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if ok {
        next.to_string()
    } else {
        "/engagements".to_string()
    }
}

fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The sign-in page, with a fresh double-submit token in a cookie and in the form.
pub fn login_page(
    s: &AppState,
    t: Tr,
    next: &str,
    status: StatusCode,
    error: Option<String>,
    resume: Vec<ResumeField>,
) -> Response {
    login_page_with(s, t, next, status, error, resume, None)
}

fn login_page_with(
    s: &AppState,
    t: Tr,
    next: &str,
    status: StatusCode,
    error: Option<String>,
    resume: Vec<ResumeField>,
    flash: Option<String>,
) -> Response {
    let token = random_token();
    let mut b = Base::new(
        t.lang,
        &format!(
            "/login?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        ),
    );
    b.error = error.map(|e| ErrorView::plain(e, None));
    b.flash = flash;
    let page = LoginPage {
        t,
        b,
        next: safe_next(next),
        token: token.clone(),
        email: String::new(),
        resume,
    };
    let mut res = render(status, &page);
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            login_cookie_name(s.web.secure_cookies),
            &token,
            s.web.secure_cookies,
            None,
        ),
    );
    res
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

async fn login_form(State(s): State<AppState>, lang: Lang, Query(q): Query<NextQuery>) -> Response {
    let t = Tr::new(lang);
    let flash = Flash { done: q.done }.message(t);
    let next = q.next.as_deref().unwrap_or("/engagements");
    login_page_with(&s, t, next, StatusCode::OK, None, Vec::new(), flash)
}

async fn login_submit(
    State(s): State<AppState>,
    lang: Lang,
    addr: ClientAddr,
    headers: axum::http::HeaderMap,
    form: RawForm,
) -> Response {
    let t = Tr::new(lang);
    let next = safe_next(form.get("next"));
    let resume: Vec<ResumeField> = form
        .fields
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("resume.").map(|n| ResumeField {
                name: n.to_string(),
                value: v.clone(),
            })
        })
        .collect();
    let secure = s.web.secure_cookies;
    // Login CSRF: the form's token must equal the cookie the form page set.
    let cookie_token = super::session::cookie(&headers, login_cookie_name(secure)).unwrap_or("");
    if !same_origin(&headers) || cookie_token.is_empty() || cookie_token != form.get("token") {
        return login_page(
            &s,
            t,
            &next,
            StatusCode::FORBIDDEN,
            Some(t.t("err-csrf")),
            resume,
        );
    }
    let email = form.get("email").to_string();
    if let Err(e) = s.limiter.check(Op::Login, addr.0.as_deref(), &email) {
        let (status, v) = ErrorView::from_error(t, &e);
        let mut res = login_page(&s, t, &next, status, Some(v.title), resume);
        if let Error::Throttled { retry_after_secs } = e {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        return res;
    }
    match s
        .app
        .login(&email, form.get("password"), addr.0.as_deref())
        .await
    {
        Ok(login) => {
            // A session cookie the browser already had is ended: a new one replaces it.
            if let Some(old) = super::session::cookie(&headers, session_cookie_name(secure)) {
                if let Ok(actor) = s.app.authenticate(old).await {
                    let _ = s.app.logout(&actor).await;
                }
            }
            let mut res = if resume.is_empty() {
                Redirect::to(&next).into_response()
            } else {
                let b = Base::new(lang, &next).signed_in(
                    &Actor {
                        user_id: login.user.id,
                        organisation_id: login.user.organisation.id,
                        organisation_kind: String::new(),
                        is_org_admin: login.user.is_org_admin,
                        name: login.user.name.clone(),
                        email: login.user.email.clone(),
                        token_id: None,
                        must_change_password: false,
                    },
                    accord_app::auth::csrf_token(&login.token),
                );
                render(
                    StatusCode::OK,
                    &ResumePage {
                        t,
                        b,
                        action: next.clone(),
                        page: page_of(&next),
                        fields: resume,
                    },
                )
            };
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(session_cookie_name(secure), &login.token, secure, None),
            );
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(login_cookie_name(secure), "", secure, Some(0)),
            );
            res
        }
        Err(e) => {
            let (status, v) = ErrorView::from_error(t, &e);
            let msg = if matches!(e, Error::Unauthorized(_)) {
                t.t("login-wrong")
            } else {
                v.title
            };
            let mut res = login_page(&s, t, &next, status, Some(msg), resume);
            if let Error::Throttled { retry_after_secs } = e {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            res
        }
    }
}

/// After signing in again: the form the ended session was submitting, to submit once more.
#[derive(Template)]
#[template(path = "resume.html")]
struct ResumePage {
    t: Tr,
    b: Base,
    action: String,
    /// The page the form was on, to go back to without submitting.
    page: String,
    fields: Vec<ResumeField>,
}

/// The page a form's action belongs to (actions themselves only take POST).
pub(crate) fn page_of(action: &str) -> String {
    let path = action.split('?').next().unwrap_or("/");
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["", "engagements", eid, "requirements", rid, ..] if Uuid::parse_str(rid).is_ok() => {
            format!("/engagements/{eid}/requirements/{rid}")
        }
        ["", "engagements", eid, "requirements", ..] => format!("/engagements/{eid}/requirements"),
        ["", "engagements", eid, "gate", ..] => format!("/engagements/{eid}/gate"),
        ["", "engagements", eid, "roles", ..] => format!("/engagements/{eid}/roles"),
        ["", "engagements", eid, ..] => format!("/engagements/{eid}"),
        ["", "account", ..] => "/account".into(),
        ["", "organisation", ..] => "/organisation".into(),
        _ => "/engagements".into(),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(State(s): State<AppState>, f: PageForm<Empty>) -> Response {
    let _ = s.app.logout(&f.session.actor).await;
    let secure = s.web.secure_cookies;
    let mut res = Redirect::to("/login?done=signed-out").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(session_cookie_name(secure), "", secure, Some(0)),
    );
    res
}

#[derive(Deserialize)]
struct LangQuery {
    to: String,
    next: Option<String>,
}

/// Switches the language (a preference, not a change to any record) and goes back.
async fn switch_language(State(s): State<AppState>, Query(q): Query<LangQuery>) -> Response {
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    let mut res = Redirect::to(&next).into_response();
    if let Some(l) = Lang::parse(&q.to) {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                LANG_COOKIE,
                l.code(),
                s.web.secure_cookies,
                Some(365 * 24 * 3600),
            ),
        );
    }
    res
}

async fn stylesheet() -> Response {
    let mut res = include_str!("../../static/app.css").into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

// ---- engagements ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "engagements.html")]
struct EngagementsPage {
    t: Tr,
    b: Base,
    items: Vec<EngagementView>,
}

async fn engagements(State(s): State<AppState>, session: Session) -> Response {
    let t = Tr::new(session.lang);
    let mut b = session.base("/engagements");
    b.section = "engagements";
    match s
        .app
        .list_engagements(&session.actor, false, None, 500)
        .await
    {
        Ok(page) => render(
            StatusCode::OK,
            &EngagementsPage {
                t,
                b,
                items: page.items,
            },
        ),
        Err(e) => error_page(t, b, &e),
    }
}

pub(crate) fn eng_base(
    session: &Session,
    e: &EngagementView,
    path: &str,
    section: &'static str,
) -> Base {
    let mut b = session.base(path);
    b.engagement = Some((e.id.to_string(), e.key.clone(), e.name.clone()));
    b.section = section;
    b
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    t: Tr,
    b: Base,
    e: EngagementView,
    gate: GateView,
    coverage: CoverageView,
    events: Vec<AuditEventView>,
    notes: Vec<NoteView>,
    side: String,
    note_body: String,
}

impl OverviewPage {
    fn phases(&self) -> Vec<(&'static str, bool, bool)> {
        let current = accord_domain::engagement::Phase::ALL
            .iter()
            .position(|p| p.as_str() == self.e.phase)
            .unwrap_or(0);
        accord_domain::engagement::Phase::ALL
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i == current, i < current))
            .collect()
    }
}

async fn overview_page(
    s: &AppState,
    session: &Session,
    eid: Uuid,
    flash: Option<String>,
    error: Option<(StatusCode, ErrorView, String)>,
) -> Response {
    let t = Tr::new(session.lang);
    let path = format!("/engagements/{eid}");
    let a = &session.actor;
    let loaded = async {
        let e = s.app.get_engagement(a, eid).await?;
        let gate = current_signatures(s, a, eid, s.app.gate(a, eid).await?).await?;
        let coverage = s.app.coverage(a, eid).await?;
        let events = s.app.recent_engagement_audit(a, eid, 10).await?;
        let notes = s.app.list_notes(a, eid, Some(eid)).await?;
        Ok::<_, Error>((e, gate, coverage, events, notes))
    }
    .await;
    let (e, gate, coverage, events, notes) = match loaded {
        Ok(x) => x,
        Err(err) => return error_page(t, session.base(&path), &err),
    };
    let mut b = eng_base(session, &e, &path, "overview");
    b.flash = flash;
    let (status, note_body) = match error {
        Some((status, v, body)) => {
            b.error = Some(v);
            (status, body)
        }
        None => (StatusCode::OK, String::new()),
    };
    let side = if a.organisation_id == e.customer.id {
        e.customer.name.clone()
    } else {
        e.partner.name.clone()
    };
    render(
        status,
        &OverviewPage {
            t,
            b,
            e,
            gate,
            coverage,
            events,
            notes,
            side,
            note_body,
        },
    )
}

async fn overview(
    State(s): State<AppState>,
    session: Session,
    Path(eid): Path<Uuid>,
    Query(f): Query<Flash>,
) -> Response {
    let flash = f.message(Tr::new(session.lang));
    overview_page(&s, &session, eid, flash, None).await
}

#[derive(Deserialize)]
struct NoteForm {
    body: String,
}

async fn add_note(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<NoteForm>,
) -> Response {
    match s
        .app
        .add_note(&f.session.actor, eid, "engagement", eid, &f.form.body)
        .await
    {
        Ok(_) => done(&format!("/engagements/{eid}"), "note-added"),
        Err(e) => {
            let t = Tr::new(f.session.lang);
            let (status, v) = ErrorView::from_error(t, &e);
            overview_page(&s, &f.session, eid, None, Some((status, v, f.form.body))).await
        }
    }
}

/// The gate as a page shows it: with the signatures given since the engagement entered its
/// phase. Those on earlier gates covered earlier content; the audit trail keeps them.
async fn current_signatures(
    s: &AppState,
    a: &Actor,
    eid: Uuid,
    mut gate: GateView,
) -> Result<GateView, Error> {
    if let Some(entered) = s.app.list_transitions(a, eid).await?.last().map(|t| t.at) {
        gate.signatures.retain(|sg| sg.signed_at > entered);
    }
    Ok(gate)
}

// ---- roles ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "roles.html")]
struct RolesPage {
    t: Tr,
    b: Base,
    e: EngagementView,
    roles: Vec<RoleAssignmentView>,
    people: Vec<UserView>,
    my_roles: Vec<&'static str>,
    my_org: Uuid,
    coverage: CoverageView,
    form_user: String,
    form_role: String,
    form_area: String,
}

async fn roles_page(
    s: &AppState,
    session: &Session,
    eid: Uuid,
    flash: Option<String>,
    error: Option<(StatusCode, ErrorView)>,
    fields: &[(String, String)],
) -> Response {
    let t = Tr::new(session.lang);
    let path = format!("/engagements/{eid}/roles");
    let a = &session.actor;
    let loaded = async {
        let e = s.app.get_engagement(a, eid).await?;
        let roles = s.app.list_roles(a, eid, false).await?;
        let people = s.app.list_users(a, Some(a.organisation_id)).await?;
        let coverage = s.app.coverage(a, eid).await?;
        Ok::<_, Error>((e, roles, people, coverage))
    }
    .await;
    let (e, roles, people, coverage) = match loaded {
        Ok(x) => x,
        Err(err) => return error_page(t, session.base(&path), &err),
    };
    let mut b = eng_base(session, &e, &path, "roles");
    b.flash = flash;
    let status = b.with_error(error);
    let my_side = if a.organisation_id == e.customer.id {
        accord_domain::org::OrgKind::Customer
    } else {
        accord_domain::org::OrgKind::Partner
    };
    let my_roles = Role::ALL
        .iter()
        .filter(|r| r.side() == my_side)
        .map(|r| r.as_str())
        .collect();
    let people = people.into_iter().filter(|u| !u.disabled).collect();
    render(
        status,
        &RolesPage {
            t,
            b,
            e,
            roles,
            people,
            my_roles,
            my_org: a.organisation_id,
            coverage,
            form_user: kept(fields, "user_id"),
            form_role: kept(fields, "role"),
            form_area: kept(fields, "functional_area"),
        },
    )
}

async fn roles(
    State(s): State<AppState>,
    session: Session,
    Path(eid): Path<Uuid>,
    Query(f): Query<Flash>,
) -> Response {
    let flash = f.message(Tr::new(session.lang));
    roles_page(&s, &session, eid, flash, None, &[]).await
}

#[derive(Deserialize)]
struct AssignForm {
    user_id: String,
    role: String,
    #[serde(default)]
    functional_area: String,
}

async fn assign_role(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<AssignForm>,
) -> Response {
    let user_id = match Uuid::parse_str(f.form.user_id.trim()) {
        Ok(u) => u,
        Err(_) => {
            let err = Error::invalid("user_id", "must not be empty");
            let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &err);
            return roles_page(&s, &f.session, eid, None, Some((st, v)), &f.fields).await;
        }
    };
    let area = f.form.functional_area.trim();
    let input = NewAssignment {
        user_id,
        role: f.form.role.clone(),
        functional_area: (!area.is_empty()).then(|| area.to_string()),
    };
    match s.app.assign_role(&f.session.actor, eid, input).await {
        Ok(_) => done(&format!("/engagements/{eid}/roles"), "role-assigned"),
        Err(e) => {
            let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
            roles_page(&s, &f.session, eid, None, Some((st, v)), &f.fields).await
        }
    }
}

async fn retire_role(
    State(s): State<AppState>,
    Path((eid, rid)): Path<(Uuid, Uuid)>,
    f: PageForm<Empty>,
) -> Response {
    match s
        .app
        .retire_role(
            &f.session.actor,
            eid,
            rid,
            Some("retired on the roles page"),
        )
        .await
    {
        Ok(_) => done(&format!("/engagements/{eid}/roles"), "role-retired"),
        Err(e) => {
            let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
            roles_page(&s, &f.session, eid, None, Some((st, v)), &[]).await
        }
    }
}

// ---- the gate: checklist, sign-off, moving on ------------------------------------------------

#[derive(Template)]
#[template(path = "gate.html")]
struct GatePage {
    t: Tr,
    b: Base,
    e: EngagementView,
    gate: GateView,
    fields: Vec<(String, String)>,
}

impl GatePage {
    fn kept(&self, name: &str) -> String {
        kept(&self.fields, name)
    }

    /// A value typed into one of the page's forms that share field names.
    fn kept_in(&self, form: &str, name: &str) -> String {
        if kept(&self.fields, "form") == form {
            kept(&self.fields, name)
        } else {
            String::new()
        }
    }
}

async fn gate_page(
    s: &AppState,
    session: &Session,
    eid: Uuid,
    flash: Option<String>,
    error: Option<(StatusCode, ErrorView)>,
    fields: Vec<(String, String)>,
) -> Response {
    let t = Tr::new(session.lang);
    let path = format!("/engagements/{eid}/gate");
    let a = &session.actor;
    let loaded = async {
        let e = s.app.get_engagement(a, eid).await?;
        let gate = current_signatures(s, a, eid, s.app.gate(a, eid).await?).await?;
        Ok::<_, Error>((e, gate))
    }
    .await;
    let (e, gate) = match loaded {
        Ok(x) => x,
        Err(err) => return error_page(t, session.base(&path), &err),
    };
    let mut b = eng_base(session, &e, &path, "gate");
    b.flash = flash;
    let status = b.with_error(error);
    render(
        status,
        &GatePage {
            t,
            b,
            e,
            gate,
            fields,
        },
    )
}

async fn gate(
    State(s): State<AppState>,
    session: Session,
    Path(eid): Path<Uuid>,
    Query(f): Query<Flash>,
) -> Response {
    let flash = f.message(Tr::new(session.lang));
    gate_page(&s, &session, eid, flash, None, Vec::new()).await
}

/// Re-draws the gate page with an error and what the user typed.
async fn gate_refused<T>(s: &AppState, eid: Uuid, f: PageForm<T>, e: Error) -> Response {
    let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
    gate_page(s, &f.session, eid, None, Some((st, v)), f.fields).await
}

#[derive(Deserialize)]
struct CriterionForm {
    text: String,
}

async fn add_criterion(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<CriterionForm>,
) -> Response {
    let a = &f.session.actor;
    let to = match s.app.gate(a, eid).await {
        Ok(g) => g.to_phase,
        Err(e) => return gate_refused(&s, eid, f, e).await,
    };
    match s.app.add_gate_criterion(a, eid, &to, &f.form.text).await {
        Ok(_) => done(&format!("/engagements/{eid}/gate"), "criterion-added"),
        Err(e) => gate_refused(&s, eid, f, e).await,
    }
}

#[derive(Deserialize)]
struct SetCriterionForm {
    met: bool,
    version: i64,
    #[serde(default)]
    evidence: String,
}

async fn set_criterion(
    State(s): State<AppState>,
    Path((eid, cid)): Path<(Uuid, Uuid)>,
    f: PageForm<SetCriterionForm>,
) -> Response {
    let ev = f.form.evidence.trim();
    let patch = accord_app::engagement::CriterionPatch {
        met: Some(f.form.met),
        evidence: (!ev.is_empty()).then(|| Some(ev.to_string())),
        ..Default::default()
    };
    match s
        .app
        .update_gate_criterion(&f.session.actor, eid, cid, f.form.version, patch)
        .await
    {
        Ok(_) => done(&format!("/engagements/{eid}/gate"), "criterion-updated"),
        Err(e) => gate_refused(&s, eid, f, e).await,
    }
}

#[derive(Deserialize)]
struct SignForm {
    email: String,
    password: String,
    meaning: String,
    #[serde(default)]
    reason: String,
    content_hash: String,
}

async fn sign(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    addr: ClientAddr,
    f: PageForm<SignForm>,
) -> Response {
    let a = f.session.actor.clone();
    if let Err(e) = s.limiter.check(Op::Sign, addr.0.as_deref(), &a.email) {
        return gate_refused(&s, eid, f, e).await;
    }
    let req = SignRequest {
        email: Some(f.form.email.clone()),
        password: f.form.password.clone(),
        meaning: f.form.meaning.clone(),
        reason: Some(f.form.reason.clone()),
        content_hash: Some(f.form.content_hash.clone()),
    };
    match s.app.sign_gate(&a, eid, req).await {
        Ok(_) => {
            // Signing re-authenticated the user: the session gets a new secret (ASVS V7.2.4).
            let mut res = done(&format!("/engagements/{eid}/gate"), "signed");
            if let Ok(token) = s.app.rotate_session(&a).await {
                let secure = s.web.secure_cookies;
                res.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(session_cookie_name(secure), &token, secure, None),
                );
            }
            res
        }
        // The session is fine; the password given to sign was wrong.
        Err(Error::Unauthorized(_)) => {
            let e = Error::invalid("password", "wrong password: nothing was signed");
            gate_refused(&s, eid, f, e).await
        }
        Err(e) => gate_refused(&s, eid, f, e).await,
    }
}

#[derive(Deserialize)]
struct PassForm {
    reason: String,
    to_phase: String,
    #[serde(default)]
    trigger: Option<CycleTrigger>,
}

async fn pass_gate(
    State(s): State<AppState>,
    Path(eid): Path<Uuid>,
    f: PageForm<PassForm>,
) -> Response {
    let a = &f.session.actor;
    let r = match f.form.trigger {
        Some(trigger) => s.app.new_cycle(a, eid, trigger, &f.form.reason).await,
        None => {
            s.app
                .transition(a, eid, &f.form.to_phase, &f.form.reason)
                .await
        }
    };
    match r {
        Ok(_) => done(&format!("/engagements/{eid}"), "phase-moved"),
        Err(e) => gate_refused(&s, eid, f, e).await,
    }
}

// ---- the audit trail -----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Tr,
    b: Base,
    e: EngagementView,
    events: Vec<AuditEventView>,
    verify: Option<VerifyReport>,
    newer: Option<i64>,
    older: Option<i64>,
}

#[derive(Deserialize)]
struct AuditQuery {
    /// Show events before this seq (paging back in time).
    before: Option<i64>,
    verify: Option<String>,
}

const AUDIT_PAGE: i64 = 50;

async fn audit(
    State(s): State<AppState>,
    session: Session,
    Path(eid): Path<Uuid>,
    Query(q): Query<AuditQuery>,
) -> Response {
    let t = Tr::new(session.lang);
    let path = format!("/engagements/{eid}/audit");
    let a = &session.actor;
    let loaded = async {
        let e = s.app.get_engagement(a, eid).await?;
        // Newest first: the page before `before`, read oldest-first and turned round.
        let top = match q.before {
            Some(b) => b,
            None => {
                let newest = s.app.recent_engagement_audit(a, eid, 1).await?;
                newest.first().map_or(0, |e| e.seq) + 1
            }
        };
        let from = (top - AUDIT_PAGE).max(1);
        let mut events = s.app.engagement_audit(a, eid, from - 1, top - from).await?;
        events.retain(|e| e.seq < top);
        events.reverse();
        let verify = match q.verify.as_deref() {
            Some(_) => Some(s.app.verify_engagement_audit(a, eid).await?),
            None => None,
        };
        Ok::<_, Error>((e, events, verify, top, from))
    }
    .await;
    let (e, events, verify, top, from) = match loaded {
        Ok(x) => x,
        Err(err) => return error_page(t, session.base(&path), &err),
    };
    // The language switch comes back to this very view (the page, the verification).
    let mut here = path.clone();
    let query = serde_urlencoded::to_string(
        [
            ("before", q.before.map(|b| b.to_string())),
            ("verify", q.verify.clone()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    if !query.is_empty() {
        here = format!("{here}?{query}");
    }
    let b = eng_base(&session, &e, &here, "audit");
    let older = (from > 1).then_some(from);
    let newer = q.before.map(|_| top + AUDIT_PAGE);
    render(
        StatusCode::OK,
        &AuditPage {
            t,
            b,
            e,
            events,
            verify,
            newer,
            older,
        },
    )
}

// ---- the account and the organisation -------------------------------------------------------

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    b: Base,
    me: UserView,
}

async fn account_page(
    s: &AppState,
    session: &Session,
    flash: Option<String>,
    error: Option<(StatusCode, ErrorView)>,
) -> Response {
    let t = Tr::new(session.lang);
    let mut b = session.base("/account");
    b.section = "account";
    b.flash = flash;
    let status = b.with_error(error);
    match s.app.me(&session.actor).await {
        Ok(me) => render(status, &AccountPage { t, b, me }),
        Err(e) => error_page(t, b, &e),
    }
}

async fn account(State(s): State<AppState>, session: Session, Query(f): Query<Flash>) -> Response {
    let flash = f.message(Tr::new(session.lang));
    account_page(&s, &session, flash, None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
}

async fn change_password(State(s): State<AppState>, f: PageForm<PasswordForm>) -> Response {
    match s
        .app
        .change_password(
            &f.session.actor,
            &f.form.current_password,
            &f.form.new_password,
        )
        .await
    {
        Ok(()) => done("/account", "password-changed"),
        Err(e) => {
            let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
            account_page(&s, &f.session, None, Some((st, v))).await
        }
    }
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    t: Tr,
    b: Base,
    users: Vec<UserView>,
    me: Uuid,
}

async fn organisation_page(
    s: &AppState,
    session: &Session,
    flash: Option<String>,
    error: Option<(StatusCode, ErrorView)>,
) -> Response {
    let t = Tr::new(session.lang);
    let mut b = session.base("/organisation");
    b.section = "organisation";
    b.flash = flash;
    let status = b.with_error(error);
    let a = &session.actor;
    match s.app.list_users(a, Some(a.organisation_id)).await {
        Ok(users) => render(
            status,
            &OrganisationPage {
                t,
                b,
                users,
                me: a.user_id,
            },
        ),
        Err(e) => error_page(t, b, &e),
    }
}

async fn organisation(
    State(s): State<AppState>,
    session: Session,
    Query(f): Query<Flash>,
) -> Response {
    let flash = f.message(Tr::new(session.lang));
    organisation_page(&s, &session, flash, None).await
}

#[derive(Deserialize)]
struct ResetForm {
    new_password: String,
    reason: String,
}

async fn reset_password(
    State(s): State<AppState>,
    Path(uid): Path<Uuid>,
    f: PageForm<ResetForm>,
) -> Response {
    match s
        .app
        .reset_member_password(&f.session.actor, uid, &f.form.new_password, &f.form.reason)
        .await
    {
        Ok(()) => done("/organisation", "password-reset"),
        Err(e) => {
            let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
            organisation_page(&s, &f.session, None, Some((st, v))).await
        }
    }
}

#[derive(Deserialize)]
struct AccessForm {
    disabled: bool,
    reason: String,
}

async fn set_access(
    State(s): State<AppState>,
    Path(uid): Path<Uuid>,
    f: PageForm<AccessForm>,
) -> Response {
    match s
        .app
        .set_user_disabled(&f.session.actor, uid, f.form.disabled, &f.form.reason)
        .await
    {
        Ok(_) => done(
            "/organisation",
            if f.form.disabled {
                "account-disabled"
            } else {
                "account-enabled"
            },
        ),
        Err(e) => {
            let (st, v) = ErrorView::from_error(Tr::new(f.session.lang), &e);
            organisation_page(&s, &f.session, None, Some((st, v))).await
        }
    }
}

/// An HTML "not found" page for paths outside the API.
pub async fn not_found_page(lang: Lang, uri: axum::http::Uri) -> Response {
    let t = Tr::new(lang);
    let mut b = Base::new(lang, uri.path());
    b.error = Some(ErrorView::plain(t.t("err-not-found"), None));
    render(StatusCode::NOT_FOUND, &super::MessagePage { t, b })
}
