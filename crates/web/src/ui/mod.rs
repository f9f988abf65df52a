//! The web application: server-rendered pages (askama, auto-escaped) in English and Simplified
//! Chinese, plain forms with POST-redirect-GET, no script at all. Every page calls the same `app`
//! use cases as the JSON API, so the two cannot disagree on a rule.

pub mod documents;
pub mod pages;
pub mod partnership;
pub mod requirements;
pub mod session;

use crate::i18n::{Lang, Tr};
use accord_app::{Actor, Error};
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The page frame's content: who is signed in, where we are, and what to say at the top.
pub struct Base {
    pub lang: Lang,
    /// This page's path and query, for the language switch to come back to.
    pub path: String,
    pub user_name: Option<String>,
    pub is_admin: bool,
    pub csrf: String,
    /// The engagement whose area this page belongs to: (id, key, name).
    pub engagement: Option<(String, String, String)>,
    /// Which navigation entry is current.
    pub section: &'static str,
    pub flash: Option<String>,
    pub error: Option<ErrorView>,
}

impl Base {
    pub fn new(lang: Lang, path: &str) -> Self {
        Base {
            lang,
            path: path.to_string(),
            user_name: None,
            is_admin: false,
            csrf: String::new(),
            engagement: None,
            section: "",
            flash: None,
            error: None,
        }
    }

    pub fn signed_in(mut self, actor: &Actor, csrf: String) -> Self {
        self.user_name = Some(actor.name.clone());
        self.is_admin = actor.is_org_admin;
        self.csrf = csrf;
        self
    }

    /// The language switch: (href, label, lang code, is current).
    pub fn languages(&self) -> Vec<(String, &'static str, &'static str, bool)> {
        Lang::ALL
            .iter()
            .map(|l| {
                let q = serde_urlencoded::to_string([("to", l.code()), ("next", &self.path)])
                    .unwrap_or_default();
                (
                    format!("/lang?{q}"),
                    l.native_name(),
                    l.code(),
                    *l == self.lang,
                )
            })
            .collect()
    }

    /// Puts a refusal on the page, if there is one, and gives the page's status.
    pub fn with_error(&mut self, error: Option<(StatusCode, ErrorView)>) -> StatusCode {
        match error {
            Some((status, view)) => {
                self.error = Some(view);
                status
            }
            None => StatusCode::OK,
        }
    }

    pub fn in_section(&self, s: &str) -> bool {
        self.section == s
    }
}

/// An error as a page shows it, in the page's language.
pub struct ErrorView {
    pub title: String,
    pub detail: Option<String>,
    /// (field label, message)
    pub fields: Vec<(String, String)>,
    /// Texts of the gate criteria a refused transition did not meet.
    pub unmet: Vec<String>,
}

impl ErrorView {
    pub fn plain(title: String, detail: Option<String>) -> Self {
        ErrorView {
            title,
            detail,
            fields: Vec::new(),
            unmet: Vec::new(),
        }
    }

    /// The status and the words for an application error.
    pub fn from_error(t: Tr, e: &Error) -> (StatusCode, ErrorView) {
        // The application's own English detail is shown as it is to English readers; Chinese
        // readers get the translated summary (and each field's message, translated when known).
        let english = |m: &str| (t.lang == Lang::En).then(|| m.to_string());
        match e {
            Error::Unauthorized(m) => (
                StatusCode::UNAUTHORIZED,
                Self::plain(t.t("err-unauthorized"), english(m)),
            ),
            Error::Forbidden(m) => (
                StatusCode::FORBIDDEN,
                Self::plain(t.t("err-forbidden"), english(m)),
            ),
            Error::NotFound => (
                StatusCode::NOT_FOUND,
                Self::plain(t.t("err-not-found"), None),
            ),
            Error::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorView {
                    title: t.t("err-validation"),
                    detail: None,
                    fields: errors
                        .iter()
                        .map(|f| (t.field(&f.field), t.message(&f.message)))
                        .collect(),
                    unmet: Vec::new(),
                },
            ),
            Error::Stale { .. } => (StatusCode::CONFLICT, Self::plain(t.t("err-stale"), None)),
            Error::Refused { detail, unmet } => (
                StatusCode::CONFLICT,
                ErrorView {
                    title: if unmet.is_empty() {
                        t.t("err-refused")
                    } else {
                        t.t("err-gate-unmet")
                    },
                    // A gate refusal's detail only repeats the list below it.
                    detail: if unmet.is_empty() {
                        english(detail)
                    } else {
                        None
                    },
                    fields: Vec::new(),
                    unmet: unmet
                        .iter()
                        .map(|c| criterion_text(t, &c.id, &c.text))
                        .collect(),
                },
            ),
            Error::Throttled { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                Self::plain(
                    t.ta(
                        "err-throttled",
                        &[("seconds", &retry_after_secs.to_string())],
                    ),
                    None,
                ),
            ),
            Error::PreconditionRequired => (
                StatusCode::PRECONDITION_REQUIRED,
                Self::plain(t.t("err-stale"), None),
            ),
            Error::Busy(_) | Error::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                Self::plain(t.t("err-busy"), None),
            ),
            Error::Full(_) => (
                StatusCode::INSUFFICIENT_STORAGE,
                Self::plain(t.t("err-full"), None),
            ),
            Error::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Self::plain(t.t("err-internal"), None),
                )
            }
        }
    }
}

/// A gate criterion's words: the built-in ones in the page's language, the checklist's own as
/// their authors wrote them.
pub fn criterion_text(t: Tr, id: &str, text: &str) -> String {
    match id {
        "roles-covered" | "signed-off" | "objectives-approved" | "risks-owned" => {
            t.t(&format!("criterion-{id}"))
        }
        _ => text.to_string(),
    }
}

/// The evidence of a built-in criterion in the page's language.
pub fn criterion_evidence(t: Tr, id: &str, evidence: &str) -> String {
    if !matches!(
        id,
        "roles-covered" | "signed-off" | "objectives-approved" | "risks-owned"
    ) {
        return evidence.to_string();
    }
    if let Some(keys) = evidence.strip_prefix("not approved yet: ") {
        return t.ta("evidence-objectives-waiting", &[("keys", keys)]);
    }
    if let Some(keys) = evidence.strip_prefix("without an owner: ") {
        return t.ta("evidence-risks-unowned", &[("keys", keys)]);
    }
    if let Some(n) = evidence.strip_suffix(" objectives approved") {
        return t.ta("evidence-objectives-approved", &[("n", n)]);
    }
    if let Some(rest) = evidence.strip_prefix("no holder for: ") {
        let roles = rest
            .split(", ")
            .map(|r| t.role(r.trim()))
            .collect::<Vec<_>>()
            .join(if t.lang == Lang::ZhCn { "、" } else { ", " });
        return t.ta("evidence-no-holder", &[("roles", &roles)]);
    }
    for (prefix, key) in [
        ("approved by ", "evidence-approved"),
        ("rejected by ", "evidence-rejected"),
    ] {
        if let Some((name, at)) = evidence
            .strip_prefix(prefix)
            .and_then(|r| r.rsplit_once(" at "))
        {
            let at =
                time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
                    .map_or_else(|_| at.to_string(), |d| pages::when(&d));
            return t.ta(key, &[("name", name), ("at", &at)]);
        }
    }
    match evidence {
        "every required role has a holder" => t.t("evidence-all-held"),
        "not signed off yet" => t.t("evidence-not-signed"),
        "no objectives recorded" => t.t("evidence-no-objectives"),
        "every open high risk has an owner" => t.t("evidence-risks-owned"),
        e if e.starts_with("an approval given in this phase no longer covers") => {
            t.t("evidence-approval-stale")
        }
        e => e.to_string(),
    }
}

impl Tr {
    /// A gate criterion's words in this language (see [`criterion_text`]).
    pub fn criterion(&self, id: &str, text: &str) -> String {
        criterion_text(*self, id, text)
    }

    /// A criterion's evidence in this language (see [`criterion_evidence`]).
    pub fn evidence(&self, id: &str, evidence: &Option<String>) -> String {
        evidence
            .as_deref()
            .map(|e| criterion_evidence(*self, id, e))
            .unwrap_or_default()
    }

    /// A time for people, in UTC.
    pub fn when(&self, at: &time::OffsetDateTime) -> String {
        pages::when(at)
    }
}

/// A field of a form kept across a refusal or an ended session.
#[derive(Debug, Clone)]
pub struct ResumeField {
    pub name: String,
    pub value: String,
}

impl ResumeField {
    /// A password the user must type again.
    pub fn is_password(&self) -> bool {
        self.name.contains("password")
    }
}

/// A page with only the frame and its message (errors, refusals).
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub t: Tr,
    pub b: Base,
}

/// Renders a page; the headers of every page are set by the router's layers.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => {
            let mut res = (status, html).into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be drawn",
            )
                .into_response()
        }
    }
}

/// An application error as a whole page.
pub fn error_page(t: Tr, mut b: Base, e: &Error) -> Response {
    if matches!(e, Error::Unauthorized(_)) {
        return session::login_redirect(&b.path);
    }
    let (status, view) = ErrorView::from_error(t, e);
    b.error = Some(view);
    render(status, &MessagePage { t, b })
}
