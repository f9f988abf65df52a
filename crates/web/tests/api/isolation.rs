//! Tenant isolation as a tested property (RELIABILITY.md S6, CI profile): every route of the
//! OpenAPI document, called by people of organisations with no part in customer one's
//! engagement, answers 404 (or an empty list), never its data, and changes nothing. Because the
//! routes come from the document, a route added later is covered without anyone remembering to.

use accord_test_support::{backend_tests, email, TestApp, World, PASSWORD};
use axum::http::{Method, StatusCode};
use serde_json::json;

const CANARY: &str = "CANARY-7f3e";

backend_tests! {
    async fn outsiders_get_404_or_nothing_from_every_route(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let eid = w.engagement;
        let c1 = t.login(email("c1_admin")).await;
        // Canary strings in the engagement's text fields.
        let r = t.call(Method::PATCH, &format!("/api/v1/engagements/{eid}"), Some(&c1),
            Some(json!({"name": format!("{CANARY} name"), "product": format!("{CANARY} product")})), &[("if-match", "\"1\"")]).await;
        assert_eq!(r.status, StatusCode::OK);
        let crit = t.post(&format!("/api/v1/engagements/{eid}/gate/criteria"), &c1, json!({"to_phase": "implementation", "text": format!("{CANARY} criterion")})).await;
        let cid = crit.body["id"].as_str().unwrap().to_string();
        let role_id = w.assign(&t, "c1_fam", "functional_area_manager", Some(&format!("{CANARY} area"))).await;
        let r = t.post(&format!("/api/v1/engagements/{eid}/gate/signatures"), &c1, json!({"email": email("c1_admin"), "password": PASSWORD, "meaning": "reviewed", "reason": format!("{CANARY} reason")})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = t.post(&format!("/api/v1/engagements/{eid}/notes"), &c1, json!({"record_type": "engagement", "record_id": eid, "body": format!("{CANARY} note")})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = t.post(&format!("/api/v1/engagements/{eid}/requirements"), &c1, json!({"title": format!("{CANARY} title"), "statement": format!("{CANARY} statement"), "functional_area": format!("{CANARY} area")})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let rid = r.body["id"].as_str().unwrap().to_string();
        let r = t.post(&format!("/api/v1/engagements/{eid}/requirements/{rid}/clarifications"), &c1, json!({"question": format!("{CANARY} question")})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let clar = r.body["id"].as_str().unwrap().to_string();
        let c1_user = w.users["c1_user"];
        for (route, body) in [
            ("objectives", json!({"outcome": format!("{CANARY} outcome"), "metric": "m", "target": "t", "value_by": "2027-01-01"})),
            ("procurement-steps", json!({"customer_step": format!("{CANARY} step"), "partner_step": "p", "due_on": "2027-01-01"})),
            ("insights", json!({"kind": "risk", "title": format!("{CANARY} risk")})),
            ("glossary", json!({"term": format!("{CANARY} term"), "definition": "d"})),
            ("sessions", json!({"kind": "workshop", "title": format!("{CANARY} session"), "held_at": "2027-01-01", "attendee_ids": [c1_user], "requirement_ids": [rid]})),
        ] {
            let r = t.post(&format!("/api/v1/engagements/{eid}/{route}"), &c1, body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{route}: {}", r.text);
        }

        let doc = t.call(Method::GET, "/api/v1/openapi.json", None, None, &[]).await.body;
        let before = t.audit_count().await;
        let mut calls = 0;
        for who in ["c2_admin", "c2_member", "w_admin"] {
            let tok = t.login(email(who)).await;
            let logged_in = t.audit_count().await;
            for (path, item) in doc["paths"].as_object().unwrap() {
                for method in item.as_object().unwrap().keys() {
                    let route = format!("{} {path}", method.to_uppercase());
                    // Routes about the caller alone: nothing of customer one's to reach.
                    if ["POST /api/v1/auth/login", "POST /api/v1/auth/logout", "GET /api/v1/me", "POST /api/v1/me/password"].contains(&route.as_str()) {
                        continue;
                    }
                    let cid = if path.contains("/clarifications/") { &clar } else { &cid };
                    let mut concrete = path.replace("{eid}", &eid.to_string()).replace("{rid}", &rid).replace("{cid}", cid).replace("{role}", "functional_area_manager");
                    concrete = if path.starts_with("/api/v1/organisations/") {
                        concrete.replace("{id}", &w.c1.to_string())
                    } else if path.starts_with("/api/v1/users/") {
                        concrete.replace("{id}", &w.users["c1_user"].to_string())
                    } else {
                        concrete.replace("{id}", &role_id.to_string())
                    };
                    assert!(!concrete.contains('{'), "{route}: a path parameter this test does not know; teach it");
                    if path == "/api/v1/users" {
                        concrete = format!("{concrete}?organisation_id={}", w.c1);
                    }
                    if method == "delete" {
                        concrete = format!("{concrete}?reason=probe");
                    }
                    let body = match route.as_str() {
                        "POST /api/v1/engagements" => Some(json!({"name": "Takeover", "product": "LIMS", "customer_id": w.c1, "partner_id": w.partner})),
                        "POST /api/v1/engagements/{eid}/transitions" => Some(json!({"to_phase": "implementation", "reason": "probe"})),
                        "POST /api/v1/engagements/{eid}/cycles" => Some(json!({"trigger": "business_change", "reason": "probe"})),
                        "POST /api/v1/engagements/{eid}/roles" => Some(json!({"user_id": w.users["c1_user"], "role": "end_user"})),
                        "POST /api/v1/engagements/{eid}/gate/criteria" => Some(json!({"to_phase": "implementation", "text": "probe"})),
                        "PATCH /api/v1/engagements/{eid}/gate/criteria/{cid}" => Some(json!({"met": true})),
                        "PATCH /api/v1/engagements/{eid}" => Some(json!({"name": "probe"})),
                        "PUT /api/v1/engagements/{eid}/matrix/{role}" => Some(json!({"phases": []})),
                        "POST /api/v1/engagements/{eid}/gate/signatures" => Some(json!({"email": email(who), "password": PASSWORD, "meaning": "approved"})),
                        "POST /api/v1/users/{id}/disable" | "POST /api/v1/users/{id}/enable" => Some(json!({"reason": "probe"})),
                        "POST /api/v1/users/{id}/password" => Some(json!({"new_password": "a probing passphrase 1", "reason": "probe"})),
                        "POST /api/v1/engagements/{eid}/notes" => Some(json!({"record_type": "engagement", "record_id": eid, "body": "probe"})),
                        "POST /api/v1/engagements/{eid}/requirements" => Some(json!({"title": "probe", "statement": "probe", "functional_area": format!("{CANARY} area")})),
                        "PATCH /api/v1/engagements/{eid}/requirements/{rid}" => Some(json!({"title": "probe"})),
                        "POST /api/v1/engagements/{eid}/requirements/{rid}/clarifications" => Some(json!({"question": "probe"})),
                        "POST /api/v1/engagements/{eid}/requirements/{rid}/clarifications/{cid}/answer" => Some(json!({"answer": "probe"})),
                        "PUT /api/v1/engagements/{eid}/requirements/{rid}/priority" => Some(json!({"priority": "must_have", "rationale": "probe"})),
                        "PUT /api/v1/engagements/{eid}/requirements/{rid}/estimate" => Some(json!({"effort_days": 1.0, "cost": 1.0, "currency": "EUR", "feasibility": "feasible", "fit": "configuration", "basis": "probe"})),
                        "POST /api/v1/engagements/{eid}/requirements/{rid}/estimate/acknowledgement" => None,
                        "POST /api/v1/engagements/{eid}/imports/reqif" => Some(json!({"probe": true})),
                        "POST /api/v1/engagements/{eid}/imports/reqif/{id}" => Some(json!({"probe": true})),
                        "POST /api/v1/engagements/{eid}/imports/requirements.csv" => Some(json!({"probe": true})),
                        "POST /api/v1/engagements/{eid}/requirements/bulk" => Some(json!({"items": [{"id": rid, "version": 1}], "status": "approved"})),
                        "POST /api/v1/engagements/{eid}/objectives" => Some(json!({"outcome": "probe", "metric": "probe", "target": "probe", "value_by": "2027-01-01"})),
                        "PATCH /api/v1/engagements/{eid}/objectives/{id}" => Some(json!({"status": "approved"})),
                        "POST /api/v1/engagements/{eid}/procurement-steps" => Some(json!({"customer_step": "probe", "partner_step": "probe", "due_on": "2027-01-01"})),
                        "PATCH /api/v1/engagements/{eid}/procurement-steps/{id}" => Some(json!({"status": "done"})),
                        "POST /api/v1/engagements/{eid}/insights" => Some(json!({"kind": "risk", "title": "probe"})),
                        "PATCH /api/v1/engagements/{eid}/insights/{id}" => Some(json!({"status": "closed"})),
                        "POST /api/v1/engagements/{eid}/glossary" => Some(json!({"term": "probe", "definition": "probe"})),
                        "PATCH /api/v1/engagements/{eid}/glossary/{id}" => Some(json!({"definition": "probe"})),
                        "POST /api/v1/engagements/{eid}/glossary/{id}/acknowledgements" => None,
                        "POST /api/v1/engagements/{eid}/sessions" => Some(json!({"kind": "workshop", "held_at": "2027-01-01", "attendee_ids": [w.users["c1_user"]]})),
                        "POST /api/v1/engagements/{eid}/sessions/{id}/requirements" => Some(json!({"requirement_ids": [rid]})),
                        "POST /api/v1/engagements/{eid}/links" => Some(json!({"from_id": rid, "to_id": rid, "kind": "refines"})),
                        "POST /api/v1/engagements/{eid}/conflicts" => Some(json!({"requirement_a": rid, "requirement_b": rid, "description": "probe"})),
                        "POST /api/v1/engagements/{eid}/conflicts/{id}/resolution" => Some(json!({"resolution": "probe"})),
                        _ if method == "get" || method == "delete" => None,
                        other => panic!("{other}: no probe body; teach this test the route"),
                    };
                    let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                    let r = t.call(m, &concrete, Some(&tok), body, &[("if-match", "\"2\"")]).await;
                    calls += 1;
                    assert!(!r.text.contains(CANARY), "{who} {route} leaked: {}", r.text);
                    assert!(!r.text.contains("C1 LIMS"), "{who} {route} leaked: {}", r.text);
                    let list = method == "get" && ["/api/v1/engagements", "/api/v1/organisations", "/api/v1/users"].contains(&path.as_str());
                    if list {
                        assert_eq!(r.status, StatusCode::OK, "{who} {route}");
                        let items = r.body["items"].as_array().unwrap();
                        assert!(items.iter().all(|i| i["id"] != json!(eid) && i["id"] != json!(w.c1)), "{who} {route}: {}", r.text);
                    } else if route == "POST /api/v1/engagements" {
                        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who} {route}: {}", r.text);
                    } else {
                        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} {route}: {}", r.text);
                    }
                }
            }
            assert_eq!(t.audit_count().await, logged_in, "{who} changed something");
        }
        assert!(calls >= 3 * 25, "only {calls} calls");
        // Signing in wrote one event per outsider; nothing else was written.
        assert_eq!(t.audit_count().await - before, 3);
    }
}
