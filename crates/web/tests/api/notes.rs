//! Sides: a customer-internal or partner-internal note is seen by its own side only, never by
//! the other party of the engagement, and its audit event is not in the chain both sides read.

use accord_test_support::{backend_tests, email, TestApp, World};
use axum::http::{Method, StatusCode};
use serde_json::json;

backend_tests! {
    async fn internal_notes_stay_on_their_side(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let eid = w.engagement;
        let customer = t.login(email("c1_user")).await;
        let partner = t.login(email("v_pm")).await;
        let chain_before = t.get(&format!("/api/v1/engagements/{eid}/audit?limit=500"), &customer).await.body["items"].as_array().map_or(0, |a| a.len());
        let secret = "Budget ceiling is 400k; do not tell the vendor";
        let r = t.post(&format!("/api/v1/engagements/{eid}/notes"), &customer, json!({"record_type": "engagement", "record_id": eid, "body": secret})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["visible_to"], json!(w.c1));
        let r = t.post(&format!("/api/v1/engagements/{eid}/notes"), &partner, json!({"record_type": "engagement", "record_id": eid, "body": "Customer seems keen on the stability module"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

        let mine = t.get(&format!("/api/v1/engagements/{eid}/notes"), &customer).await;
        assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(mine.body["items"][0]["body"], secret);
        let theirs = t.get(&format!("/api/v1/engagements/{eid}/notes"), &partner).await;
        assert_eq!(theirs.body["items"].as_array().unwrap().len(), 1);
        assert!(!theirs.text.contains(secret));
        // Not in the engagement's audit trail, which the partner reads; in the customer's own.
        let audit = t.get(&format!("/api/v1/engagements/{eid}/audit?limit=500"), &partner).await;
        assert!(!audit.text.contains(secret) && !audit.text.contains("stability module"));
        assert_eq!(audit.body["items"].as_array().unwrap().len(), chain_before);
        // And not on the partner's pages.
        let s = t.page_login(email("v_pm")).await;
        let page = t.page(Method::GET, &format!("/engagements/{eid}"), Some(&s), None, &[]).await;
        assert!(!page.text.contains(secret) && page.text.contains("stability module"));
        let s = t.page_login(email("c1_user")).await;
        let page = t.page(Method::GET, &format!("/engagements/{eid}"), Some(&s), None, &[]).await;
        assert!(page.text.contains(secret) && !page.text.contains("stability module"));
        assert!(page.text.contains("Visible only to Customer One"));
    }

    async fn notes_name_a_record_of_this_engagement(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let eid = w.engagement;
        let tok = t.login(email("c1_user")).await;
        let before = t.audit_count().await;
        for (body, field) in [
            (json!({"record_type": "engagement", "record_id": uuid::Uuid::nil(), "body": "x"}), "record_id"),
            (json!({"record_type": "invoice", "record_id": eid, "body": "x"}), "record_type"),
            (json!({"record_type": "engagement", "record_id": eid, "body": "  "}), "body"),
            (json!({"record_type": "engagement", "record_id": eid, "body": "x".repeat(10_001)}), "body"),
        ] {
            let r = t.post(&format!("/api/v1/engagements/{eid}/notes"), &tok, body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
            assert_eq!(r.body["errors"][0]["field"], field, "{}", r.text);
        }
        assert_eq!(t.audit_count().await, before);
    }
}
