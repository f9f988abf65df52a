//! Sign-in throttling (RELIABILITY.md S2, S2b), the password policy and storage (S3), password
//! change and disabled accounts.

use accord_test_support::{backend_tests, email, TestApp, World, PASSWORD};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

/// A sign-in from a client address, with whatever `X-Forwarded-For` it claims.
fn login_req(who: &str, password: &str, from: &str, forwarded: Option<&str>) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json");
    if let Some(f) = forwarded {
        b = b.header("x-forwarded-for", f);
    }
    let mut req = b
        .body(Body::from(
            json!({"email": who, "password": password}).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::new(
            from.parse().unwrap(),
            40000,
        )));
    req
}

async fn org_actions(t: &TestApp, org: uuid::Uuid) -> Vec<String> {
    let mut tx = t.db.store.read().await.unwrap();
    accord_store::audit::list(&mut tx, org, 0, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// Fails `n` times, waiting out each delay with the fake clock; returns the statuses.
async fn fail_n(t: &TestApp, who: &str, n: usize) -> Vec<StatusCode> {
    let mut out = Vec::new();
    for _ in 0..n {
        let r = t
            .send(login_req(who, "not the password", "10.9.8.7", None))
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            let wait: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
            if wait <= 8 {
                t.clock.advance(time::Duration::seconds(wait));
                let r = t
                    .send(login_req(who, "not the password", "10.9.8.7", None))
                    .await;
                out.push(r.status);
                continue;
            }
        }
        out.push(r.status);
    }
    out
}

backend_tests! {
    async fn failed_sign_ins_are_slowed_then_locked(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let who = email("c1_user");
        let r = t.send(login_req(who, "not the password", "10.9.8.7", None)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        // Straight away again: slowed.
        let r = t.send(login_req(who, PASSWORD, "10.9.8.7", None)).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
        assert_eq!(r.headers["retry-after"], "1");
        assert_eq!(r.headers["content-type"], "application/problem+json");
        t.clock.advance(time::Duration::seconds(1));
        let statuses = fail_n(&t, who, 4).await;
        assert_eq!(statuses, [StatusCode::UNAUTHORIZED; 4], "five failures in all");
        // Locked: even the right password is refused, for 15 minutes.
        let r = t.send(login_req(who, PASSWORD, "10.9.8.7", None)).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let wait: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((890..=900).contains(&wait), "{wait}");
        let actions = org_actions(&t, w.c1).await;
        assert_eq!(actions.iter().filter(|a| *a == "auth.login_failed").count(), 5 - 1);
        assert_eq!(actions.iter().filter(|a| *a == "auth.locked").count(), 1, "the lock is a security event: {actions:?}");
        t.clock.advance(time::Duration::minutes(15));
        let r = t.send(login_req(who, PASSWORD, "10.9.8.7", None)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }

    async fn a_parallel_burst_is_counted_attempt_by_attempt(db: TestDb) {
        let t = std::sync::Arc::new(TestApp::new(db).await);
        World::seed(&t).await;
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let t = t.clone();
            tasks.push(tokio::spawn(async move { t.send(login_req(email("c1_bpo"), "not the password", "10.3.3.3", None)).await.status }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        let evaluated = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
        assert_eq!(evaluated, 1, "one failure, then every parallel attempt must wait: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 11);
    }

    async fn an_unknown_email_is_indistinguishable_from_a_wrong_password(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for _ in 0..7 {
            let a = t.send(login_req(email("c1_bpo"), "not the password", "10.1.1.1", None)).await;
            let b = t.send(login_req("nobody@cust-one.example", "not the password", "10.2.2.2", None)).await;
            known.push((a.status, a.headers.get("retry-after").cloned(), a.body.clone()));
            unknown.push((b.status, b.headers.get("retry-after").cloned(), b.body.clone()));
            t.clock.advance(time::Duration::seconds(3));
        }
        assert_eq!(known, unknown);
        assert!(known.iter().any(|k| k.0 == StatusCode::TOO_MANY_REQUESTS));
    }

    async fn one_address_spraying_many_accounts_is_stopped_whatever_it_forwards(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        // One failure per account, twenty accounts, twenty different X-Forwarded-For values.
        for i in 0..19 {
            let r = t.send(login_req(&format!("spray{i}@cust-one.example"), "Summer2026!!", "10.6.6.6", Some(&format!("192.0.2.{i}")))).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}: {}", r.text);
        }
        // The twentieth attempt is the sprayer's own account, with its right password: it signs
        // in, but does not wipe the address's record.
        let r = t.send(login_req(email("c2_member"), PASSWORD, "10.6.6.6", None)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = t.send(login_req(email("c1_admin"), PASSWORD, "10.6.6.6", Some("198.51.100.7"))).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the address is locked: {}", r.text);
        // Another address is not affected.
        let r = t.send(login_req(email("c1_admin"), PASSWORD, "10.7.7.7", None)).await;
        assert_eq!(r.status, StatusCode::OK);
    }

    async fn passwords_follow_the_policy_and_a_change_ends_other_sessions(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        let first = t.login(email("c1_owner")).await;
        let second = t.login(email("c1_owner")).await;
        let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
        for (new, why) in [("short pass", "at least 12"), ("1qaz2wsx3edc", "most common"), (&*"x".repeat(129), "at most 128")] {
            let r = t.post("/api/v1/me/password", &first, change(PASSWORD, new)).await;
            assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("new_password")), "{new}");
            assert!(r.body["errors"][0]["message"].as_str().unwrap().contains(why), "{}", r.text);
        }
        let r = t.post("/api/v1/me/password", &first, change("not my password", "a brand new passphrase")).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("current_password")));
        t.clock.advance(time::Duration::seconds(2));
        let r = t.post("/api/v1/me/password", &first, change(PASSWORD, &"a".repeat(64))).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "64 characters are accepted: {}", r.text);
        assert_eq!(t.get("/api/v1/me", &first).await.status, StatusCode::OK, "the session that changed it goes on");
        assert_eq!(t.get("/api/v1/me", &second).await.status, StatusCode::UNAUTHORIZED, "every other session ends");
        let r = t.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email("c1_owner"), "password": "a".repeat(64)})), &[]).await;
        assert_eq!(r.status, StatusCode::OK);
    }

    async fn a_disabled_account_loses_access_at_once(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let admin = t.login(email("c1_admin")).await;
        let user = t.login(email("c1_user")).await;
        let path = format!("/api/v1/users/{}/disable", w.users["c1_user"]);
        let r = t.post(&path, &user, json!({"reason": "no"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let v = t.login(email("v_admin")).await;
        let r = t.post(&path, &v, json!({"reason": "no"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "another organisation's admin: {}", r.text);
        let r = t.post(&path, &admin, json!({"reason": "Left the company"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["disabled"], true);
        assert_eq!(t.get("/api/v1/me", &user).await.status, StatusCode::UNAUTHORIZED);
        let r = t.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email("c1_user"), "password": PASSWORD})), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        t.clock.advance(time::Duration::seconds(2));
        let r = t.post(&format!("/api/v1/users/{}/enable", w.users["c1_user"]), &admin, json!({"reason": "Rehired"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = t.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email("c1_user"), "password": PASSWORD})), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(t.get("/api/v1/me", &user).await.status, StatusCode::UNAUTHORIZED, "enabling again does not revive old sessions");
        let actions = org_actions(&t, w.c1).await;
        assert!(actions.contains(&"user.disable".to_string()) && actions.contains(&"user.enable".to_string()));
    }

    async fn weaker_hashes_are_upgraded_at_sign_in(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        let stronger = accord_app::Config { argon2_m_kib: 128, argon2_t: 2, ..accord_test_support::test_config() };
        let app = accord_app::App::new(t.db.store.clone(), accord_test_support::test_key(), std::sync::Arc::new(t.clock.clone()), stronger);
        let hash = |app: accord_app::App| async move {
            let mut tx = app.store().read().await.unwrap();
            accord_store::user::find_by_email(&mut tx, email("c1_admin")).await.unwrap().unwrap().password_hash
        };
        assert!(hash(app.clone()).await.contains("m=64,t=1,p=1"));
        app.login(email("c1_admin"), PASSWORD, None).await.unwrap();
        let upgraded = hash(app.clone()).await;
        assert!(upgraded.starts_with("$argon2id$v=19$m=128,t=2,p=1$"), "{upgraded}");
        assert!(app.verify_chains(None, None).await.unwrap().ok);
    }
}

#[tokio::test]
async fn production_hashes_are_argon2id_at_owasp_strength() {
    let phc = accord_app::auth::hash_password("correct horse battery", 19_456, 2).unwrap();
    let params: Vec<&str> = phc.split('$').collect();
    assert_eq!(params[1], "argon2id");
    assert_eq!(params[2], "v=19");
    assert_eq!(params[3], "m=19456,t=2,p=1");
    assert!(accord_app::auth::verify_password(
        "correct horse battery",
        &phc
    ));
    assert!(!accord_app::auth::verify_password(
        "correct horse batterY",
        &phc
    ));
    let defaults = accord_app::Config::default();
    assert!(defaults.argon2_m_kib >= 19_456 && defaults.argon2_t >= 2);
}
