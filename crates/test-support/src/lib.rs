//! Test support: a fresh database per test on either backend, an app with a fake clock, a seeded
//! world of organisations and people, and an HTTP client that calls the router in-process.
#![forbid(unsafe_code)]

use accord_app::{Actor, App, Config};
use accord_domain::audit::AuditKey;
use accord_domain::time::Clock;
use accord_store::Store;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tower::ServiceExt;
use uuid::Uuid;

/// Runs each test body once on SQLite and once on PostgreSQL. The PostgreSQL run needs
/// `ACCORD_TEST_POSTGRES_URL`; without it the run is skipped with a message, unless
/// `ACCORD_REQUIRE_POSTGRES=1` (CI), where it fails.
#[macro_export]
macro_rules! backend_tests {
    ($($(#[$m:meta])* async fn $name:ident($db:ident : TestDb) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                $(#[$m])*
                async fn body($db: $crate::TestDb) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    body($crate::TestDb::sqlite().await).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = $crate::TestDb::postgres().await {
                        body(db).await
                    }
                }
            }
        )*
    };
}

/// A throwaway database.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    /// Keeps the SQLite file's directory alive.
    _dir: Option<TempDir>,
    /// (admin URL, database name) of a PostgreSQL database to drop afterwards.
    pg_drop: Option<(String, String)>,
}

/// The address an `accord serve` child prints on its first line (`... http://ADDR ...`).
pub fn listening_addr(server: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("the listening line");
    line.split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("listening line")
        .to_string()
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let p = std::env::temp_dir().join(format!("accord-test-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL server URL for tests, if any. Panics when CI requires one and none is given.
pub fn postgres_url() -> Option<String> {
    match std::env::var("ACCORD_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("ACCORD_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("ACCORD_REQUIRE_POSTGRES=1 but ACCORD_TEST_POSTGRES_URL is not set");
            }
            eprintln!("skipped: the PostgreSQL run needs ACCORD_TEST_POSTGRES_URL");
            None
        }
    }
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if base[..i].contains("//") && i > base.find("//").unwrap_or(0) + 1 => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = TempDir::new();
        let url = format!("sqlite://{}", dir.0.join("accord.db").display());
        let store = Store::connect(&url).await.expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        TestDb {
            store,
            url,
            _dir: Some(dir),
            pg_drop: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` (skipped) without a server URL.
    pub async fn postgres() -> Option<TestDb> {
        let admin = postgres_url()?;
        let name = format!("accord_t_{}", Uuid::new_v4().simple());
        {
            use sqlx::{Connection, Executor};
            let mut c = sqlx::PgConnection::connect(&admin)
                .await
                .expect("connect to the PostgreSQL test server (ACCORD_TEST_POSTGRES_URL)");
            c.execute(format!("create database {name}").as_str())
                .await
                .expect("create test database");
            let _ = c.close().await;
        }
        let url = with_database(&admin, &name);
        let store = Store::connect(&url).await.expect("open test database");
        store.migrate().await.expect("migrate postgres");
        Some(TestDb {
            store,
            url,
            _dir: None,
            pg_drop: Some((admin, name)),
        })
    }

    /// Opens a second, independent connection pool on the same database.
    pub async fn reopen(&self) -> Store {
        Store::connect(&self.url).await.expect("reopen")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_drop.take() {
            // Runs on its own thread and runtime: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async move {
                        if let Ok(mut c) =
                            <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await
                        {
                            use sqlx::Executor;
                            let _ = c
                                .execute(
                                    format!("drop database if exists {name} with (force)").as_str(),
                                )
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct FakeClock(Arc<Mutex<OffsetDateTime>>);

impl FakeClock {
    pub fn new() -> Self {
        FakeClock(Arc::new(Mutex::new(
            time::macros::datetime!(2026-11-26 09:00:00 UTC),
        )))
    }

    pub fn advance(&self, d: time::Duration) {
        let mut t = self.0.lock().expect("clock");
        *t += d;
    }
}

impl Default for FakeClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for FakeClock {
    fn now(&self) -> OffsetDateTime {
        let mut t = self.0.lock().expect("clock");
        // Every reading is a distinct microsecond, as on a real clock.
        *t += time::Duration::microseconds(1);
        *t
    }
}

/// The audit key of every test app.
pub fn test_key() -> AuditKey {
    AuditKey::new(&[42u8; 32]).expect("key")
}

/// Cheap argon2 parameters: tests hash many passwords; the production defaults are tested apart.
pub fn test_config() -> Config {
    Config {
        argon2_m_kib: 64,
        argon2_t: 1,
        ..Config::default()
    }
}

/// Web settings for tests: rate limits high enough that only the rate-limit tests meet them.
pub fn test_web_config() -> accord_web::WebConfig {
    accord_web::WebConfig {
        secure_cookies: true,
        rate_limits: accord_web::ratelimit::RateLimits {
            login_per_minute: 100_000,
            sign_per_minute: 100_000,
        },
        max_import_bytes: 64 << 20,
    }
}

/// The session cookie's name with secure cookies (the tests' setting).
pub const SESSION_COOKIE: &str = "__Host-accord_session";
/// The sign-in form's double-submit cookie.
pub const LOGIN_COOKIE: &str = "__Host-accord_login";

/// The value a response sets for cookie `name` (None when it sets none, or deletes it).
pub fn set_cookie_value(r: &Resp, name: &str) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|rest| rest.split(';').next().unwrap_or("").to_string())
        .filter(|v| !v.is_empty())
}

/// The password of every seeded test user.
pub const PASSWORD: &str = "correct horse battery";

/// An app over a test database, with its router.
pub struct TestApp {
    pub db: TestDb,
    pub app: App,
    pub clock: FakeClock,
    pub router: axum::Router,
}

/// A response: status, headers and JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn etag(&self) -> Option<String> {
        self.headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

impl TestApp {
    pub async fn new(db: TestDb) -> TestApp {
        TestApp::with_web(db, test_web_config()).await
    }

    /// An app whose web settings (cookies, rate limits) a test chooses.
    pub async fn with_web(db: TestDb, web: accord_web::WebConfig) -> TestApp {
        let clock = FakeClock::new();
        let app = App::new(
            db.store.clone(),
            test_key(),
            Arc::new(clock.clone()),
            test_config(),
        );
        let router = accord_web::router(accord_web::AppState::new(app.clone(), web));
        TestApp {
            db,
            app,
            clock,
            router,
        }
    }

    /// Calls the router in-process.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        self.send(req).await
    }

    /// Sends a prepared request.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.expect("router");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    /// A GET whose body is bytes (a download), with its status.
    pub async fn get_bytes(&self, path: &str, token: &str) -> (StatusCode, Vec<u8>) {
        let req = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let res = self.router.clone().oneshot(req).await.expect("router");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        (status, bytes.to_vec())
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(Method::GET, path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(token), Some(body), &[])
            .await
    }

    /// Signs in through the API and returns the bearer token.
    pub async fn login(&self, email: &str) -> String {
        let r = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(serde_json::json!({"email": email, "password": PASSWORD})),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {email}: {}", r.text);
        r.body["token"].as_str().expect("token").to_string()
    }

    /// Sends a page request as a browser would: the session cookie (when given) and a form
    /// body (when given), with `Origin` of this site.
    pub async fn page(
        &self,
        method: Method,
        path: &str,
        session: Option<&str>,
        form: Option<&[(&str, &str)]>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "accord.test");
        if let Some(s) = session {
            req = req.header("cookie", format!("{SESSION_COOKIE}={s}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match form {
            Some(f) => req
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(f).expect("form"))),
            None => req.body(Body::empty()),
        }
        .expect("request");
        self.send(req).await
    }

    /// Submits a form of a signed-in page with the session's CSRF token.
    pub async fn submit(&self, path: &str, session: &str, fields: &[(&str, &str)]) -> Resp {
        let csrf = accord_app::auth::csrf_token(session);
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.page(
            Method::POST,
            path,
            Some(session),
            Some(&all),
            &[("origin", "http://accord.test")],
        )
        .await
    }

    /// Submits an upload form (`multipart/form-data`) of a signed-in page: its text fields with
    /// the session's CSRF token (or the token given), and one file.
    pub async fn upload(
        &self,
        path: &str,
        session: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
        csrf: Option<&str>,
    ) -> Resp {
        let boundary = "accord-test-boundary-7f3e";
        let token = accord_app::auth::csrf_token(session);
        let mut body = Vec::new();
        let mut all = vec![("csrf", csrf.unwrap_or(&token))];
        all.extend_from_slice(fields);
        for (k, v) in all {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("host", "accord.test")
            .header("origin", "http://accord.test")
            .header("cookie", format!("{SESSION_COOKIE}={session}"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// Signs in through the sign-in page and returns the session cookie's value.
    pub async fn page_login(&self, email: &str) -> String {
        let form = self.page(Method::GET, "/login", None, None, &[]).await;
        let token = set_cookie_value(&form, LOGIN_COOKIE).expect("login form cookie");
        let cookie = format!("{LOGIN_COOKIE}={token}");
        let r = self
            .page(
                Method::POST,
                "/login",
                None,
                Some(&[
                    ("token", &token),
                    ("email", email),
                    ("password", PASSWORD),
                    ("next", "/engagements"),
                ]),
                &[("cookie", &cookie), ("origin", "http://accord.test")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "page login {email}: {}",
            r.text
        );
        set_cookie_value(&r, SESSION_COOKIE).expect("session cookie")
    }

    /// Number of audit events in every chain.
    pub async fn audit_count(&self) -> i64 {
        let mut tx = self.db.store.read().await.expect("read");
        accord_store::audit::count_all(&mut tx)
            .await
            .expect("count")
    }

    pub async fn actor(&self, email: &str) -> Actor {
        self.app.operator_actor(email).await.expect("actor")
    }
}

/// A small world: partner V serves customers C1 and C2; W is an unrelated partner. Every
/// organisation has an admin and a member; C1 and V share one engagement in purchase.
pub struct World {
    pub partner: Uuid,
    pub c1: Uuid,
    pub c2: Uuid,
    pub w: Uuid,
    pub engagement: Uuid,
    pub users: std::collections::HashMap<&'static str, Uuid>,
}

/// The seeded people: (short name, organisation slug, e-mail, admin).
pub const PEOPLE: &[(&str, &str, &str, bool)] = &[
    ("v_admin", "vendor", "admin@vendor.example", true),
    ("v_pm", "vendor", "pm@vendor.example", false),
    ("v_other", "vendor", "other@vendor.example", false),
    ("c1_admin", "cust-one", "admin@cust-one.example", true),
    ("c1_sponsor", "cust-one", "sponsor@cust-one.example", false),
    ("c1_bpo", "cust-one", "bpo@cust-one.example", false),
    ("c1_owner", "cust-one", "owner@cust-one.example", false),
    (
        "c1_sysadmin",
        "cust-one",
        "sysadmin@cust-one.example",
        false,
    ),
    ("c1_fam", "cust-one", "fam@cust-one.example", false),
    ("c1_user", "cust-one", "user@cust-one.example", false),
    ("c2_admin", "cust-two", "admin@cust-two.example", true),
    ("c2_member", "cust-two", "member@cust-two.example", false),
    (
        "w_admin",
        "other-vendor",
        "admin@other-vendor.example",
        true,
    ),
];

pub fn email(short: &str) -> &'static str {
    PEOPLE
        .iter()
        .find(|p| p.0 == short)
        .map(|p| p.2)
        .expect("known person")
}

impl World {
    pub async fn seed(t: &TestApp) -> World {
        use accord_app::org::{NewOrganisation, NewUser};
        let mut orgs = std::collections::HashMap::new();
        for (slug, name, kind) in [
            ("vendor", "Vendor V", "partner"),
            ("cust-one", "Customer One", "customer"),
            ("cust-two", "Customer Two", "customer"),
            ("other-vendor", "Vendor W", "partner"),
        ] {
            let o = t
                .app
                .create_organisation(NewOrganisation {
                    slug: slug.into(),
                    name: name.into(),
                    kind: kind.into(),
                })
                .await
                .expect("org");
            orgs.insert(slug, o.id);
        }
        let mut users = std::collections::HashMap::new();
        for (short, org, email, admin) in PEOPLE {
            let u = t
                .app
                .create_user(NewUser {
                    organisation_slug: (*org).into(),
                    email: (*email).into(),
                    name: format!("{short} person"),
                    password: PASSWORD.into(),
                    is_org_admin: *admin,
                })
                .await
                .expect("user");
            users.insert(*short, u.id);
        }
        let admin = t.actor(email("v_admin")).await;
        let e = t
            .app
            .create_engagement(
                &admin,
                accord_app::engagement::NewEngagement {
                    key: Some("C1-LIMS".into()),
                    name: "C1 LIMS".into(),
                    product: "LIMS".into(),
                    customer_id: orgs["cust-one"],
                    partner_id: orgs["vendor"],
                },
            )
            .await
            .expect("engagement");
        World {
            partner: orgs["vendor"],
            c1: orgs["cust-one"],
            c2: orgs["cust-two"],
            w: orgs["other-vendor"],
            engagement: e.id,
            users,
        }
    }

    /// Gives engagement `eid` an objective and has its executive sponsor (`c1_sponsor`, who
    /// must hold that role there) approve every proposed one, as the gate into implementation
    /// requires.
    pub async fn approve_business_case(&self, t: &TestApp, eid: Uuid) {
        let sponsor = t.actor(email("c1_sponsor")).await;
        t.app
            .create_objective(
                &sponsor,
                eid,
                accord_app::purchase::NewObjective {
                    outcome: "Faster batch release".into(),
                    metric: "Median days from sampling to release".into(),
                    baseline: "12".into(),
                    target: "7".into(),
                    value_by: "2027-06-30".into(),
                    serves: "Supply reliability".into(),
                    owner_id: None,
                },
            )
            .await
            .expect("objective");
        for o in t
            .app
            .list_objectives(&sponsor, eid)
            .await
            .expect("objectives")
        {
            if o.status == "proposed" {
                t.app
                    .update_objective(
                        &sponsor,
                        eid,
                        o.id,
                        o.version,
                        accord_app::purchase::ObjectivePatch {
                            status: Some("approved".into()),
                            ..Default::default()
                        },
                    )
                    .await
                    .expect("approve objective");
            }
        }
    }

    /// Assigns `role` to `short` in the world's engagement, as their organisation's admin.
    pub async fn assign(&self, t: &TestApp, short: &str, role: &str, area: Option<&str>) -> Uuid {
        let admin = if short.starts_with("v_") {
            "v_admin"
        } else {
            "c1_admin"
        };
        let admin = t.actor(email(admin)).await;
        t.app
            .assign_role(
                &admin,
                self.engagement,
                accord_app::role::NewAssignment {
                    user_id: self.users[short],
                    role: role.into(),
                    functional_area: area.map(Into::into),
                },
            )
            .await
            .expect("assign")
            .id
    }
}
