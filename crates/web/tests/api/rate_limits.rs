//! Rate limits (RELIABILITY.md S12): sign-ins and signatures past the configured rate get 429
//! with `Retry-After`, per account and per client address, whether the password was right or not.

use accord_test_support::{backend_tests, email, test_web_config, TestApp, World, PASSWORD};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

fn login_from(addr: &str, who: &str) -> Request<Body> {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"email": who, "password": PASSWORD}).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(addr.parse::<std::net::SocketAddr>().unwrap()));
    req
}

backend_tests! {
    async fn sign_ins_past_the_rate_are_refused_per_account_and_per_address(db: TestDb) {
        let mut web = test_web_config();
        web.rate_limits.login_per_minute = 3;
        let t = TestApp::with_web(db, web).await;
        World::seed(&t).await;
        // One account from one address: three right passwords pass, the fourth waits.
        for _ in 0..3 {
            assert_eq!(t.send(login_from("192.0.2.1:5000", email("c1_user"))).await.status, StatusCode::OK);
        }
        let r = t.send(login_from("192.0.2.1:5000", email("c1_user"))).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
        let wait: u64 = r.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        // The account from another address: still limited (per account).
        assert_eq!(t.send(login_from("192.0.2.2:5000", email("c1_user"))).await.status, StatusCode::TOO_MANY_REQUESTS);
        // Another account from the first address: limited too (per address, which has used its three).
        assert_eq!(t.send(login_from("192.0.2.1:5000", email("c1_admin"))).await.status, StatusCode::TOO_MANY_REQUESTS);
        // Another account from another address is untouched.
        assert_eq!(t.send(login_from("192.0.2.3:5000", email("c2_admin"))).await.status, StatusCode::OK);
    }

    async fn signatures_past_the_rate_are_refused(db: TestDb) {
        let mut web = test_web_config();
        web.rate_limits.sign_per_minute = 2;
        let t = TestApp::with_web(db, web).await;
        let w = World::seed(&t).await;
        let tok = t.login(email("c1_admin")).await;
        let path = format!("/api/v1/engagements/{}/gate/signatures", w.engagement);
        let body = json!({"email": email("c1_admin"), "password": PASSWORD, "meaning": "reviewed"});
        for _ in 0..2 {
            assert_eq!(t.post(&path, &tok, body.clone()).await.status, StatusCode::CREATED);
        }
        let before = t.audit_count().await;
        let r = t.post(&path, &tok, body.clone()).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
        assert!(r.headers.get("retry-after").is_some());
        assert_eq!(t.audit_count().await, before, "a refused signing writes nothing");
        // The page's form is limited by the same counter.
        let s = t.page_login(email("c1_admin")).await;
        let gate = t.app.gate(&t.actor(email("c1_admin")).await, w.engagement).await.unwrap();
        let r = t.submit(&format!("/engagements/{}/gate/sign", w.engagement), &s, &[("email", email("c1_admin")), ("password", PASSWORD),
            ("meaning", "reviewed"), ("content_hash", &gate.content_hash)]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    }
}
