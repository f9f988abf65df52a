//! Electronic signatures on gates (RELIABILITY.md R8, R9): re-authentication, meaning, printed
//! name and time, binding to the content, and throttled failures.

use accord_test_support::{backend_tests, email, TestApp, World, PASSWORD};
use axum::http::{Method, StatusCode};
use serde_json::json;

fn sign_body(who: Option<&str>, password: &str, meaning: &str) -> serde_json::Value {
    json!({"email": who, "password": password, "meaning": meaning})
}

backend_tests! {
    async fn signing_reasks_the_password_and_binds_to_the_content(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let tok = t.login(email("c1_admin")).await;
        let eid = w.engagement;
        let path = format!("/api/v1/engagements/{eid}/gate/signatures");

        // The first signature of a session needs the e-mail as well as the password, and only
        // one's own.
        let r = t.post(&path, &tok, sign_body(None, PASSWORD, "approved")).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("email")), "{}", r.text);
        let r = t.post(&path, &tok, sign_body(Some(email("c1_sponsor")), PASSWORD, "approved")).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("email")), "{}", r.text);
        let r = t.post(&path, &tok, sign_body(Some(email("c1_admin")), PASSWORD, "liked")).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("meaning")));

        // A wrong password signs nothing, and the failure is audited.
        let before = t.audit_count().await;
        let r = t.post(&path, &tok, sign_body(Some(email("c1_admin")), "not my password", "approved")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
        assert_eq!(t.audit_count().await, before + 1);
        let sigs = t.get(&format!("/api/v1/engagements/{eid}/signatures"), &tok).await;
        assert_eq!(sigs.body["items"], json!([]));
        t.clock.advance(time::Duration::seconds(2));

        let r = t.post(&path, &tok, sign_body(Some(email("c1_admin")), PASSWORD, "approved")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["signer_name"], "c1_admin person");
        assert_eq!(r.body["meaning"], "approved");
        assert!(r.body["signed_at"].as_str().unwrap().ends_with('Z'), "UTC: {}", r.text);
        assert_eq!(r.body["covers_current_content"], true);
        // A signer who reviewed an older content signs nothing.
        let r = t.post(&path, &tok, json!({"password": PASSWORD, "meaning": "approved", "content_hash": "0".repeat(64)})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        // Later signatures in the same session need the password only.
        let r = t.post(&path, &tok, sign_body(None, PASSWORD, "reviewed")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &tok).await;
        let signed = gate.body["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "signed-off").unwrap().clone();
        assert_eq!(signed["met"], true, "{signed}");
        assert!(signed["evidence"].as_str().unwrap().starts_with("approved by c1_admin person at 2026-11-26T"), "{signed}");
        assert_eq!(gate.body["signatures"].as_array().unwrap().len(), 2);

        // The gate changes after signing: the signature no longer covers it, and says so.
        let item = gate.body["criteria"].as_array().unwrap().iter().find(|c| c["editable"] == true).unwrap().clone();
        let r = t.call(Method::PATCH, &format!("/api/v1/engagements/{eid}/gate/criteria/{}", item["id"].as_str().unwrap()), Some(&tok),
            Some(json!({"evidence": "added after the sign-off"})), &[("if-match", &format!("\"{}\"", item["version"]))]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &tok).await;
        let signed = gate.body["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "signed-off").unwrap().clone();
        assert_eq!(signed["met"], false);
        assert!(signed["evidence"].as_str().unwrap().contains("no longer covers"), "{signed}");
        let sigs = t.get(&format!("/api/v1/engagements/{eid}/signatures?record_id={eid}"), &tok).await;
        assert!(sigs.body["items"].as_array().unwrap().iter().all(|s| s["covers_current_content"] == false), "{}", sigs.text);
    }

    async fn who_may_sign(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let path = format!("/api/v1/engagements/{}/gate/signatures", w.engagement);
        let member = t.login(email("c1_user")).await;
        let r = t.post(&path, &member, sign_body(Some(email("c1_user")), PASSWORD, "approved")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let outsider = t.login(email("c2_admin")).await;
        let r = t.post(&path, &outsider, sign_body(Some(email("c2_admin")), PASSWORD, "approved")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        let r = t.get(&format!("/api/v1/engagements/{}/signatures", w.engagement), &outsider).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // A sponsor holding the role signs without being an admin.
        w.assign(&t, "c1_sponsor", "executive_sponsor", None).await;
        let sponsor = t.login(email("c1_sponsor")).await;
        let r = t.post(&path, &sponsor, sign_body(Some(email("c1_sponsor")), PASSWORD, "rejected")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let gate = t.get(&format!("/api/v1/engagements/{}/gate", w.engagement), &sponsor).await;
        let signed = gate.body["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "signed-off").unwrap().clone();
        assert!(signed["evidence"].as_str().unwrap().starts_with("rejected by"), "{signed}");
    }

    async fn wrong_signing_passwords_lock_like_sign_ins(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let tok = t.login(email("c1_admin")).await;
        let path = format!("/api/v1/engagements/{}/gate/signatures", w.engagement);
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(t.post(&path, &tok, sign_body(Some(email("c1_admin")), "wrong password!", "approved")).await.status);
            t.clock.advance(time::Duration::seconds(10));
        }
        assert_eq!(statuses, [StatusCode::UNAUTHORIZED; 5]);
        let r = t.post(&path, &tok, sign_body(Some(email("c1_admin")), PASSWORD, "approved")).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "locked: even the right password signs nothing: {}", r.text);
        let r = t.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email("c1_admin"), "password": PASSWORD})), &[]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the same lock as sign-in");
        let mut tx = t.db.store.read().await.unwrap();
        let actions: Vec<String> = accord_store::audit::list(&mut tx, w.c1, 0, 500).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions.iter().filter(|a| *a == "signature.failed").count(), 4);
        assert!(actions.contains(&"auth.locked".to_string()));
    }

    async fn a_signature_copied_to_another_record_covers_nothing(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let admin = t.actor(email("v_admin")).await;
        let other = t.app.create_engagement(&admin, accord_app::engagement::NewEngagement {
            key: None, name: "Other".into(), product: "LIMS".into(), customer_id: w.c1, partner_id: w.partner,
        }).await.unwrap().id;
        let tok = t.login(email("c1_admin")).await;
        let r = t.post(&format!("/api/v1/engagements/{}/gate/signatures", w.engagement), &tok, sign_body(Some(email("c1_admin")), PASSWORD, "approved")).await;
        assert_eq!(r.status, StatusCode::CREATED);
        // Behind the application's back: copy the signature row onto the other engagement's gate.
        let mut tx = t.db.store.write().await.unwrap();
        accord_store::execute!(&mut tx, |c| sqlx::query(
            "insert into signatures (id, engagement_id, record_type, record_id, content_hash, meaning, signer_id, signer_name, signed_at, token_id, reason) \
             select $1, $2, record_type, $2, content_hash, meaning, signer_id, signer_name, signed_at, token_id, reason from signatures where engagement_id = $3"
        ).bind(uuid::Uuid::now_v7()).bind(other).bind(w.engagement).execute(c).await).unwrap();
        tx.commit().await.unwrap();
        let sigs = t.get(&format!("/api/v1/engagements/{other}/signatures"), &tok).await;
        assert_eq!(sigs.body["items"][0]["covers_current_content"], false, "{}", sigs.text);
        let gate = t.get(&format!("/api/v1/engagements/{other}/gate"), &tok).await;
        let signed = gate.body["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "signed-off").unwrap().clone();
        assert_eq!(signed["met"], false, "{signed}");
    }
}
