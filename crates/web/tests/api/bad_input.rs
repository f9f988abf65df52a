//! Bad input: a clear problem naming the field, and nothing written.

use accord_test_support::{backend_tests, email, TestApp, World};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

backend_tests! {
    async fn bad_bodies_name_the_field_and_write_nothing(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let tok = t.login(email("v_admin")).await;
        let eid = w.engagement;
        let before = t.audit_count().await;

        let raw = |body: &'static str| {
            Request::builder()
                .method(Method::POST)
                .uri(format!("/api/v1/engagements/{eid}/transitions"))
                .header("authorization", format!("Bearer {tok}"))
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap()
        };
        let r = t.send(raw("{\"to_phase\": ")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "truncated JSON: {}", r.text);
        assert_eq!(r.headers["content-type"], "application/problem+json");
        let r = t.send(raw("{\"to_phase\": \"implementation\", \"reason\": \"x\", \"colour\": \"red\"}")).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("colour")), "{}", r.text);
        let r = t.send(raw("{\"to_phase\": 7, \"reason\": \"x\"}")).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to_phase")), "{}", r.text);
        let r = t.send(raw("{\"reason\": \"x\"}")).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to_phase")), "{}", r.text);
        let r = t.post(&format!("/api/v1/engagements/{eid}/transitions"), &tok, json!({"to_phase": "go-live", "reason": "x"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to_phase")));
        let r = t.post(&format!("/api/v1/engagements/{eid}/transitions"), &tok, json!({"to_phase": "implementation", "reason": "   "})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
        let r = t.post(&format!("/api/v1/engagements/{eid}/cycles"), &tok, json!({"trigger": "weather", "reason": "x"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("trigger")), "{}", r.text);
        let r = t.post(&format!("/api/v1/engagements/{eid}/roles"), &tok, json!({"user_id": w.users["v_pm"], "role": "chief_wizard"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("role")));
        let r = t.post(&format!("/api/v1/engagements/{eid}/roles"), &tok, json!({"user_id": "not-a-uuid", "role": "project_manager"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("user_id")));
        let long = "x".repeat(201);
        let r = t.post("/api/v1/engagements", &tok, json!({"name": long, "product": "LIMS", "customer_id": w.c1, "partner_id": w.partner})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")));
        assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("201"));
        let r = t.post("/api/v1/engagements", &tok, json!({"name": "A", "product": "LIMS", "customer_id": w.partner, "partner_id": w.partner})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("customer_id")));
        let r = t.post("/api/v1/engagements", &tok, json!({"key": "C1-LIMS", "name": "A", "product": "LIMS", "customer_id": w.c1, "partner_id": w.partner})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("key")), "{}", r.text);
        let r = t.post("/api/v1/engagements", &tok, json!({"key": "lower case", "name": "A", "product": "LIMS", "customer_id": w.c1, "partner_id": w.partner})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("key")));
        // Something that cannot be an e-mail is an unknown account, not a server error.
        let r = t.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "a\u{0}b@x.example", "password": "whatever it is"})), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
        // Not JSON at all.
        let r = t.send(Request::builder().method(Method::POST).uri("/api/v1/auth/login").header("content-type", "text/plain").body(Body::from("hello")).unwrap()).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        // Too large.
        let big = format!("{{\"email\": \"{}\", \"password\": \"x\"}}", "a".repeat(2 * 1024 * 1024));
        let r = t.send(Request::builder().method(Method::POST).uri("/api/v1/auth/login").header("content-type", "application/json").body(Body::from(big)).unwrap()).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        // A malformed id in the path is simply not found.
        let r = t.get("/api/v1/engagements/12345", &tok).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = t.get("/api/v1/engagements?cursor=zzz", &tok).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor")));
        assert_eq!(t.audit_count().await, before, "nothing bad was written");
    }

    async fn every_query_refuses_a_parameter_it_does_not_know(db: TestDb) {
        // A mistyped or not yet supported parameter (`?baseline=` on a document) must not get
        // an answer as though it had not been sent: every route refuses one it does not know
        // (a route that reads no query, any), before it reads or writes anything.
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let tok = t.login(email("c1_admin")).await;
        let before = t.audit_count().await;
        let doc = t.call(Method::GET, "/api/v1/openapi.json", None, None, &[]).await.body;
        let mut checked = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                let concrete = path
                    .replace("{eid}", &w.engagement.to_string())
                    .replace("{role}", "end_user")
                    .replace("{id}", &uuid::Uuid::now_v7().to_string())
                    .replace("{cid}", &uuid::Uuid::now_v7().to_string())
                    .replace("{rid}", &uuid::Uuid::now_v7().to_string());
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let r = t.call(m, &format!("{concrete}?baseline=BL-3"), Some(&tok), Some(json!({})), &[("if-match", "\"1\"")]).await;
                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {}", r.text);
                assert_eq!(r.body["errors"][0]["field"], "query", "{method} {path}: {}", r.text);
                assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("unknown field `baseline`"), "{method} {path}: {}", r.text);
                checked.push(format!("{method} {path}"));
            }
        }
        for route in ["get /api/v1/engagements/{eid}/exports/specification.html", "get /api/v1/engagements/{eid}/exports/requirements.csv", "get /api/v1/engagements/{eid}/exports/changes.csv", "get /api/v1/engagements/{eid}/requirements", "get /api/v1/engagements/{eid}", "post /api/v1/auth/login", "patch /api/v1/engagements/{eid}/requirements/{rid}"] {
            assert!(checked.iter().any(|c| c == route), "{route} not checked; checked: {checked:?}");
        }
        assert_eq!(t.audit_count().await, before, "nothing was written");
        // The message names what the route knows.
        let r = t.get(&format!("/api/v1/engagements/{}/exports/reqif?baseline=BL-3", w.engagement), &tok).await;
        assert_eq!(r.body["errors"][0]["message"], "Failed to deserialize query string: baseline: unknown field `baseline`, expected `document_id` or `engagement`");
        // A route that reads no query says it knows none; an empty query is no parameter.
        let r = t.get(&format!("/api/v1/engagements/{}?include=requirements", w.engagement), &tok).await;
        assert_eq!(r.body["errors"][0]["message"], "Failed to deserialize query string: include: unknown field `include`, there are no fields", "{}", r.text);
        let r = t.get(&format!("/api/v1/engagements/{}?", w.engagement), &tok).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // The parameters a route knows still work.
        let r = t.get(&format!("/api/v1/engagements/{}/exports/specification.html?download=true", w.engagement), &tok).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    }

    async fn every_api_route_needs_a_token(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let doc = t.call(Method::GET, "/api/v1/openapi.json", None, None, &[]).await;
        assert_eq!(doc.status, StatusCode::OK);
        let public = ["/api/v1/auth/login"];
        let mut checked = 0;
        for (path, item) in doc.body["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if public.contains(&path.as_str()) {
                    continue;
                }
                let concrete = path
                    .replace("{eid}", &w.engagement.to_string())
                    .replace("{id}", &uuid::Uuid::now_v7().to_string())
                    .replace("{cid}", &uuid::Uuid::now_v7().to_string())
                    .replace("{rid}", &uuid::Uuid::now_v7().to_string())
                    .replace("{role}", "end_user");
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                for token in [None, Some("acc_forged"), Some("garbage")] {
                    let r = t.call(m.clone(), &concrete, token, Some(json!({})), &[]).await;
                    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path} with {token:?}: {}", r.text);
                    assert!(!r.text.contains("C1 LIMS"));
                }
                checked += 1;
            }
        }
        assert!(checked >= 20, "only {checked} routes in the OpenAPI document");
        let health = t.call(Method::GET, "/healthz", None, None, &[]).await;
        assert_eq!(health.status, StatusCode::OK);
        // Security headers on every answer, errors included.
        for r in [&health, &t.call(Method::GET, "/api/v1/me", None, None, &[]).await] {
            assert_eq!(r.headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'");
            assert_eq!(r.headers["x-frame-options"], "DENY");
            assert_eq!(r.headers["referrer-policy"], "no-referrer");
            assert_eq!(r.headers["cache-control"], "no-store");
            assert_eq!(r.headers["x-content-type-options"], "nosniff");
        }
    }
}
