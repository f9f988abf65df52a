//! The specification and the traceability matrix as documents: whole HTML files that print as
//! they read and carry their own styles, so a saved or e-mailed copy looks the same. Their
//! Content-Security-Policy allows that one stylesheet (by its hash) and nothing else: the rich
//! text they show is sanitised, and even so nothing in them can run or load.

use crate::i18n::Tr;
use accord_app::document::{Specification, OUTGOING};
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const CSS: &str = include_str!("../../templates/document.css");

/// The documents' policy: their own inline stylesheet, nothing else.
fn csp(css: &str) -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'none'"
    )
}

/// A CSS string literal.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || c == '<' || c == '>' => {
                out.push_str(&format!("\\{:x} ", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The stylesheet with the printed pages' margins: what the document is, its baseline and
/// content hash, and the page number, on every page.
fn styles(t: Tr, s: &Specification, title: &str) -> String {
    let baseline = s
        .baseline
        .clone()
        .unwrap_or_else(|| t.t("spec-no-baseline"));
    let small = "font:7.5pt system-ui,sans-serif;color:#444";
    format!(
        "{CSS}@page{{@top-left{{content:{};{small}}}@top-right{{content:{};{small}}}\
         @bottom-left{{content:{};{small}}}@bottom-right{{content:counter(page) \" / \" counter(pages);{small}}}}}",
        css_string(&format!("{} · {title}", s.engagement.key)),
        css_string(&format!("{}: {baseline}", t.t("spec-baseline"))),
        css_string(&format!("{}: {}", t.t("spec-content-hash"), s.content_hash)),
    )
}

/// Words looked up once per document, not once per requirement.
struct Labels {
    statuses: HashMap<&'static str, String>,
    priorities: HashMap<&'static str, String>,
    kinds: HashMap<&'static str, String>,
}

impl Labels {
    fn new(t: Tr) -> Self {
        Labels {
            statuses: accord_app::requirement::STATUSES
                .iter()
                .map(|s| (*s, t.status(s)))
                .collect(),
            priorities: accord_app::requirement::PRIORITIES
                .iter()
                .map(|p| (*p, t.priority(p)))
                .collect(),
            kinds: accord_app::trace::LINK_KINDS
                .iter()
                .map(|k| (*k, t.code("link-kind", k)))
                .collect(),
        }
    }
}

fn label<'a>(m: &'a HashMap<&'static str, String>, k: &'a str) -> &'a str {
    m.get(k).map(String::as_str).unwrap_or(k)
}

#[derive(Template)]
#[template(path = "specification.html")]
struct SpecDocument<'a> {
    t: Tr,
    s: &'a Specification,
    css: String,
    l: Labels,
}

#[derive(Template)]
#[template(path = "traceability.html")]
struct MatrixDocument<'a> {
    t: Tr,
    s: &'a Specification,
    css: String,
    l: Labels,
    kinds: [&'static str; 4],
}

macro_rules! words {
    ($t:ty) => {
        impl $t {
            fn status<'a>(&'a self, s: &'a str) -> &'a str {
                label(&self.l.statuses, s)
            }
            fn priority<'a>(&'a self, p: &'a str) -> &'a str {
                label(&self.l.priorities, p)
            }
            fn kind<'a>(&'a self, k: &'a str) -> &'a str {
                label(&self.l.kinds, k)
            }
            fn when(&self, at: &time::OffsetDateTime) -> String {
                super::pages::when(at)
            }
        }
    };
}
words!(SpecDocument<'_>);
words!(MatrixDocument<'_>);

impl MatrixDocument<'_> {
    /// How many requirements nothing verifies yet.
    fn unverified(&self) -> usize {
        self.s
            .sections
            .iter()
            .flat_map(|s| &s.requirements)
            .filter(|r| r.verified_by.is_empty())
            .count()
    }
}

fn document(
    html: Result<String, askama::Error>,
    css: &str,
    name: String,
    download: bool,
) -> Response {
    let html = match html {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "document template failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the document could not be drawn",
            )
                .into_response();
        }
    };
    let mut res = html.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&csp(css)).unwrap_or(HeaderValue::from_static("default-src 'none'")),
    );
    let disposition = if download { "attachment" } else { "inline" };
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

fn spec_document(t: Tr, s: &Specification) -> SpecDocument<'_> {
    SpecDocument {
        t,
        s,
        css: styles(t, s, &t.t("spec-title")),
        l: Labels::new(t),
    }
}

fn matrix_document(t: Tr, s: &Specification) -> MatrixDocument<'_> {
    MatrixDocument {
        t,
        s,
        // A matrix is wide: its pages lie on their side.
        css: styles(t, s, &t.t("matrix-title")) + "@page{size:A4 landscape}",
        l: Labels::new(t),
        kinds: OUTGOING,
    }
}

/// The requirements specification as an HTML document.
pub fn specification(t: Tr, s: &Specification, download: bool) -> Response {
    let page = spec_document(t, s);
    let name = format!("{}-specification.html", s.engagement.key);
    document(page.render(), &page.css, name, download)
}

/// The traceability matrix as an HTML document.
pub fn traceability(t: Tr, s: &Specification, download: bool) -> Response {
    let page = matrix_document(t, s);
    let name = format!("{}-traceability.html", s.engagement.key);
    document(page.render(), &page.css, name, download)
}

/// The specification's HTML, for a file (`accord export specification`).
pub fn specification_file(t: Tr, s: &Specification) -> Result<String, askama::Error> {
    spec_document(t, s).render()
}

/// The traceability matrix's HTML, for a file (`accord export traceability`).
pub fn traceability_file(t: Tr, s: &Specification) -> Result<String, askama::Error> {
    matrix_document(t, s).render()
}
