//! Accord over HTTP: the JSON API under `/api/v1` with its OpenAPI document, and `/healthz`.
//!
//! Every handler turns one request into one `app` call and its result into JSON; errors become
//! `application/problem+json` in one place (`error.rs`).
#![forbid(unsafe_code)]
// Rejections are problem documents built once per failed request; boxing them buys nothing.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod ratelimit;
pub mod ui;
pub mod uploads;

use accord_app::App;
use axum::http::{header, HeaderValue, Method};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

/// Settings of the HTTP service.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Cookies carry `Secure` and the session cookie the `__Host-` prefix. On by default; turn it
    /// off only to serve plain HTTP on a host other than this machine's loopback.
    pub secure_cookies: bool,
    pub rate_limits: ratelimit::RateLimits,
    /// The largest ReqIF upload taken, in bytes (413 beyond it).
    pub max_import_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            rate_limits: ratelimit::RateLimits::default(),
            max_import_bytes: 512 << 20,
        }
    }
}

impl WebConfig {
    /// ReqIF import options for a file `name` into `area`, within this server's limits: a
    /// `.reqifz` may inflate to four times the upload limit, no more.
    pub fn import_options(&self, name: &str, area: &str) -> accord_app::reqif::ImportOptions {
        let mut opts = accord_app::reqif::ImportOptions::new(name, area);
        opts.max_inflated = (self.max_import_bytes as u64).saturating_mul(4);
        opts
    }

    /// Options for a newer export of a document: its titles and statements from the attributes
    /// the document was imported with.
    pub fn reimport_options(&self, area: &str) -> accord_app::reqif::ImportOptions {
        let mut opts = self.import_options("", area);
        opts.title_from.clear();
        opts.statement_from.clear();
        opts
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub web: WebConfig,
    pub limiter: ratelimit::Limiter,
    /// Files awaiting the user's confirmation of their preview.
    pub uploads: std::sync::Arc<uploads::Uploads>,
}

impl AppState {
    pub fn new(app: App, web: WebConfig) -> Self {
        let limiter = ratelimit::Limiter::new(web.rate_limits);
        let uploads = std::sync::Arc::new(uploads::Uploads::new(
            web.max_import_bytes.saturating_mul(2),
        ));
        Self {
            app,
            web,
            limiter,
            uploads,
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Accord",
        description = "The shared workspace of a life-sciences customer and its technology partner. \
                       Errors are RFC 9457 problem documents; versioned records carry an ETag and \
                       their updates require If-Match.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(error::Problem)),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The API router and the OpenAPI document generated from the same handler annotations, so the
/// document describes every route there is.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(api::auth::routes())
        .merge(api::org::routes())
        .merge(api::engagement::routes())
        .merge(api::role::routes())
        .merge(api::esign::routes())
        .merge(api::note::routes())
        .merge(api::requirement::routes())
        .merge(api::purchase::routes())
        .merge(api::knowledge::routes())
        .merge(api::trace::routes())
        .merge(api::interchange::routes())
        .merge(api::audit::routes())
        .split_for_parts()
}

/// The OpenAPI document alone.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// The pages' Content-Security-Policy: this site's stylesheet and forms, nothing else, and no
/// script at all, inline or not.
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                        frame-ancestors 'none'; base-uri 'none'";

/// The API's routes (method and path, as the OpenAPI document writes them) whose operation
/// reads query parameters.
fn routes_with_a_query(doc: &utoipa::openapi::OpenApi) -> HashSet<(Method, String)> {
    use utoipa::openapi::path::ParameterIn;
    let mut out = HashSet::new();
    for (path, item) in &doc.paths.paths {
        let operations = [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ];
        for (method, op) in operations {
            let reads = op
                .as_ref()
                .and_then(|op| op.parameters.as_ref())
                .is_some_and(|ps| {
                    ps.iter()
                        .any(|p| matches!(p.parameter_in, ParameterIn::Query))
                });
            if reads {
                out.insert((method, path.clone()));
            }
        }
    }
    out
}

/// A route of the API that reads no query refuses one (422, field `query`, as a route that
/// reads one refuses a parameter it does not know), before anything else: `?baseline=` or
/// `?include=` on such a route is not answered as though it had not been sent. Which routes
/// read a query is what the OpenAPI document says, from the same annotations as the handlers.
async fn refuse_a_query_where_none_is_read(
    takes: Arc<HashSet<(Method, String)>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.extensions().get::<axum::extract::MatchedPath>();
    let method = match req.method() {
        &Method::HEAD => Method::GET,
        m => m.clone(),
    };
    if let Some(path) = path {
        if !takes.contains(&(method, path.as_str().to_string())) {
            if let Err(e) = axum::extract::Query::<api::NoParams>::try_from_uri(req.uri()) {
                return error::Problem::from(e).into_response();
            }
        }
    }
    next.run(req).await
}

/// The whole HTTP service.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api();
    let takes = Arc::new(routes_with_a_query(&doc));
    let api = api.route_layer(axum::middleware::from_fn(move |req, next| {
        refuse_a_query_where_none_is_read(takes.clone(), req, next)
    }));
    let doc = Arc::new(doc);
    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .merge(api)
        .merge(
            ui::pages::routes()
                .merge(ui::requirements::routes())
                .merge(ui::partnership::routes())
                // Pages may load this site's stylesheet and submit forms to it; nothing else, and
                // no script at all, inline or not.
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(PAGE_CSP),
                ))
                // Nothing leaves for other sites; our own forms keep their Origin header, which
                // a browser replaces by "null" under no-referrer (and the CSRF check refuses).
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                )),
        )
        .fallback(fallback)
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // The API serves JSON only: nothing in it may run as a page, load anything or be framed.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Unknown paths: a problem document under `/api`, a page elsewhere.
async fn fallback(lang: i18n::Lang, uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        api::not_found().await.into_response()
    } else {
        let mut res = ui::pages::not_found_page(lang, uri).await;
        res.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
        res
    }
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}
