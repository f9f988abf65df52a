//! Engagements: visibility, gates, transitions, cycles, versions.

use accord_test_support::{backend_tests, email, TestApp, World};
use axum::http::{Method, StatusCode};
use serde_json::json;

async fn satisfy_checklist(t: &TestApp, token: &str, eid: uuid::Uuid) {
    let gate = t
        .get(&format!("/api/v1/engagements/{eid}/gate"), token)
        .await;
    for c in gate.body["criteria"].as_array().unwrap() {
        if c["editable"].as_bool().unwrap() && !c["met"].as_bool().unwrap() {
            let v = c["version"].as_i64().unwrap().to_string();
            let r = t
                .call(
                    Method::PATCH,
                    &format!(
                        "/api/v1/engagements/{eid}/gate/criteria/{}",
                        c["id"].as_str().unwrap()
                    ),
                    Some(token),
                    Some(json!({"met": true, "evidence": "minutes of the steering meeting"})),
                    &[("if-match", &format!("\"{v}\""))],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
    }
    let r = t.post(&format!("/api/v1/engagements/{eid}/gate/signatures"), token,
        json!({"email": email("c1_admin"), "password": accord_test_support::PASSWORD, "meaning": "approved"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

backend_tests! {
    async fn login_and_me(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        let token = t.login(email("c1_admin")).await;
        let me = t.get("/api/v1/me", &token).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["email"], email("c1_admin"));
        assert_eq!(me.body["organisation"]["slug"], "cust-one");

        let wrong = t.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email("c1_admin"), "password": "not the password!"})), &[]).await;
        let unknown = t.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "nobody@nowhere.example", "password": "not the password!"})), &[]).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body), "an unknown e-mail must look like a wrong password");

        let out = t.call(Method::POST, "/api/v1/auth/logout", Some(&token), None, &[]).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert_eq!(t.get("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED, "a revoked token must stop working");
    }

    async fn tokens_expire(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        let token = t.login(email("c1_admin")).await;
        assert_eq!(t.get("/api/v1/me", &token).await.status, StatusCode::OK);
        t.clock.advance(time::Duration::hours(12) + time::Duration::seconds(1));
        assert_eq!(t.get("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
    }

    async fn only_the_two_parties_see_an_engagement(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let path = format!("/api/v1/engagements/{}", w.engagement);
        for who in ["c1_user", "v_other", "v_admin"] {
            let tok = t.login(email(who)).await;
            assert_eq!(t.get(&path, &tok).await.status, StatusCode::OK, "{who} is a party");
            let list = t.get("/api/v1/engagements", &tok).await;
            assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "{who}");
        }
        for who in ["c2_admin", "c2_member", "w_admin"] {
            let tok = t.login(email(who)).await;
            for sub in ["", "/gate", "/coverage", "/roles", "/audit", "/audit/verify", "/matrix", "/transitions", "/gate/criteria"] {
                let r = t.get(&format!("{path}{sub}"), &tok).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} GET {sub}: {}", r.text);
                assert!(!r.text.contains("C1 LIMS"), "{who} saw the engagement's name");
            }
            let list = t.get("/api/v1/engagements", &tok).await;
            assert_eq!(list.body["items"], json!([]), "{who} lists nothing");
            let orgs = t.get("/api/v1/organisations", &tok).await;
            assert!(!orgs.text.contains("cust-one") || who.starts_with("v_"), "{who} sees customer one");
            let r = t.get(&format!("/api/v1/organisations/{}", w.c1), &tok).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} reads customer one");
            let users = t.get(&format!("/api/v1/users?organisation_id={}", w.c1), &tok).await;
            assert_eq!(users.body["items"], json!([]), "{who} lists customer one's users");
            // Writes to an engagement that is not theirs are 404 too, and change nothing.
            let before = t.audit_count().await;
            let r = t.post(&format!("{path}/transitions"), &tok, json!({"to_phase": "implementation", "reason": "x"})).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
            assert_eq!(t.audit_count().await, before);
        }
        // A partner member sees, of the customer it works with, the people who hold a role in
        // an engagement they share, and no one else of that company.
        w.assign(&t, "c1_sponsor", "executive_sponsor", None).await;
        let tok = t.login(email("v_pm")).await;
        let users = t.get(&format!("/api/v1/users?organisation_id={}", w.c1), &tok).await;
        let names: Vec<&str> = users.body["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
        assert_eq!(names, [email("c1_sponsor")]);
        let users = t.get(&format!("/api/v1/users?organisation_id={}", w.c2), &tok).await;
        assert_eq!(users.body["items"], json!([]), "no shared engagement with customer two");
    }

    async fn gate_refuses_then_allows_the_transition(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let sponsor = t.login(email("c1_admin")).await;
        let eid = w.engagement;
        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &sponsor).await;
        assert_eq!(gate.body["phase"], "purchase");
        assert_eq!(gate.body["to_phase"], "implementation");
        assert_eq!(gate.body["ready"], false);
        let roles = gate.body["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "roles-covered").unwrap().clone();
        assert_eq!(roles["met"], false);
        for missing in ["executive_sponsor", "business_process_owner", "system_owner", "system_administrator", "functional_area_manager"] {
            assert!(roles["evidence"].as_str().unwrap().contains(missing), "{missing} missing from {roles}");
        }

        let before = t.audit_count().await;
        let r = t.post(&format!("/api/v1/engagements/{eid}/transitions"), &sponsor, json!({"to_phase": "implementation", "reason": "go"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(r.headers["content-type"], "application/problem+json");
        let unmet: Vec<&str> = r.body["unmet_criteria"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(unmet.len(), 5, "two checklist items, the role criterion, the business case and the sign-off: {unmet:?}");
        assert!(unmet.contains(&"roles-covered"));
        assert!(unmet.contains(&"objectives-approved"));
        assert_eq!(t.audit_count().await, before, "a refused transition writes nothing");

        // Skipping a phase is refused whatever the gate says.
        let r = t.post(&format!("/api/v1/engagements/{eid}/transitions"), &sponsor, json!({"to_phase": "operations", "reason": "skip"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        w.assign(&t, "c1_sponsor", "executive_sponsor", None).await;
        w.assign(&t, "c1_bpo", "business_process_owner", None).await;
        w.assign(&t, "c1_owner", "system_owner", None).await;
        w.assign(&t, "c1_sysadmin", "system_administrator", None).await;
        let r = t.post(&format!("/api/v1/engagements/{eid}/transitions"), &sponsor, json!({"to_phase": "implementation", "reason": "go"})).await;
        let unmet: Vec<&str> = r.body["unmet_criteria"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(unmet.len(), 5, "the functional area manager is still missing: {}", r.text);
        w.assign(&t, "c1_fam", "functional_area_manager", Some("QC laboratory")).await;
        w.approve_business_case(&t, eid).await;
        satisfy_checklist(&t, &sponsor, eid).await;
        assert_eq!(t.get(&format!("/api/v1/engagements/{eid}/gate"), &sponsor).await.body["ready"], true);

        let before = t.audit_count().await;
        let r = t.post(&format!("/api/v1/engagements/{eid}/transitions"), &sponsor, json!({"to_phase": "implementation", "reason": "Purchase signed"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["phase"], "implementation");
        assert_eq!(r.body["cycle"], 1);
        assert_eq!(t.audit_count().await, before + 1);
        let hist = t.get(&format!("/api/v1/engagements/{eid}/transitions"), &sponsor).await;
        assert_eq!(hist.body["items"][0]["reason"], "Purchase signed");

        // A new cycle only starts from operations.
        let r = t.post(&format!("/api/v1/engagements/{eid}/cycles"), &sponsor, json!({"trigger": "technology_change", "reason": "CDS upgrade"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        w.assign(&t, "c1_user", "end_user", None).await;
        satisfy_checklist(&t, &sponsor, eid).await;
        let r = t.post(&format!("/api/v1/engagements/{eid}/transitions"), &sponsor, json!({"to_phase": "operations", "reason": "Released"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &sponsor).await;
        assert_eq!((gate.body["to_phase"].as_str(), gate.body["new_cycle"].as_bool()), (Some("purchase"), Some(true)));
        // The move back to purchase goes through /cycles, not /transitions.
        let r = t.post(&format!("/api/v1/engagements/{eid}/transitions"), &sponsor, json!({"to_phase": "purchase", "reason": "x"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        satisfy_checklist(&t, &sponsor, eid).await;
        let r = t.post(&format!("/api/v1/engagements/{eid}/cycles"), &sponsor, json!({"trigger": "technology_change", "reason": "CDS upgrade"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!((r.body["phase"].as_str(), r.body["cycle"].as_i64()), (Some("purchase"), Some(2)));
        // The new cycle passes its gates afresh: cycle 1's sign-offs no longer count.
        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &sponsor).await;
        assert_eq!(gate.body["ready"], false);
        assert!(gate.body["criteria"].as_array().unwrap().iter().filter(|c| c["editable"] == true).all(|c| c["met"] == false), "{}", gate.text);
        let verify = t.get(&format!("/api/v1/engagements/{eid}/audit/verify"), &sponsor).await;
        assert_eq!(verify.body["ok"], true, "{}", verify.text);
    }

    async fn members_without_a_steering_role_cannot_move_phases(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let user = t.login(email("c1_user")).await;
        let r = t.post(&format!("/api/v1/engagements/{}/transitions", w.engagement), &user, json!({"to_phase": "implementation", "reason": "go"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        w.assign(&t, "c1_bpo", "business_process_owner", None).await;
        let bpo = t.login(email("c1_bpo")).await;
        let r = t.post(&format!("/api/v1/engagements/{}/gate/criteria", w.engagement), &bpo, json!({"to_phase": "implementation", "text": "Validation plan approved by QA"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let gate = t.get(&format!("/api/v1/engagements/{}/gate", w.engagement), &bpo).await;
        assert!(gate.text.contains("Validation plan approved by QA"));
    }

    async fn stale_writes_are_refused(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let tok = t.login(email("v_admin")).await;
        let path = format!("/api/v1/engagements/{}", w.engagement);
        let got = t.get(&path, &tok).await;
        assert_eq!(got.etag().as_deref(), Some("\"1\""));
        let r = t.call(Method::PATCH, &path, Some(&tok), Some(json!({"name": "Renamed"})), &[]).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
        let r = t.call(Method::PATCH, &path, Some(&tok), Some(json!({"name": "Renamed"})), &[("if-match", "\"1\"")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.etag().as_deref(), Some("\"2\""));
        let before = t.audit_count().await;
        let r = t.call(Method::PATCH, &path, Some(&tok), Some(json!({"name": "Lost update"})), &[("if-match", "\"1\"")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.body["current_version"], 2);
        assert_eq!(t.audit_count().await, before);
        assert_eq!(t.get(&path, &tok).await.body["name"], "Renamed");
    }

    async fn engagements_are_retired_not_deleted(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let tok = t.login(email("c1_admin")).await;
        let path = format!("/api/v1/engagements/{}", w.engagement);
        let r = t.call(Method::DELETE, &path, Some(&tok), None, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required: {}", r.text);
        let r = t.call(Method::DELETE, &format!("{path}?reason=Project%20cancelled"), Some(&tok), None, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(t.get("/api/v1/engagements", &tok).await.body["items"], json!([]));
        let all = t.get("/api/v1/engagements?include_retired=true", &tok).await;
        assert_eq!(all.body["items"][0]["retired"], true);
        let audit = t.get(&format!("{path}/audit"), &tok).await;
        let last = audit.body["items"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["action"].as_str(), last["reason"].as_str()), (Some("engagement.retire"), Some("Project cancelled")));
        // A retired engagement no longer changes.
        let before = t.audit_count().await;
        let r = t.call(Method::PATCH, &path, Some(&tok), Some(json!({"name": "Revived"})), &[("if-match", "\"2\"")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        let r = t.post(&format!("{path}/roles"), &tok, json!({"user_id": w.users["c1_user"], "role": "end_user"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(t.audit_count().await, before);
    }

    async fn lists_page_with_a_cursor(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let admin = t.actor(email("v_admin")).await;
        t.app.create_engagement(&admin, accord_app::engagement::NewEngagement {
            key: Some("ENG-0007".into()), name: "Hand-keyed".into(), product: "LIMS".into(), customer_id: w.c1, partner_id: w.partner,
        }).await.unwrap();
        for i in 0..3 {
            t.app.create_engagement(&admin, accord_app::engagement::NewEngagement {
                key: None, name: format!("Extra {i}"), product: "LIMS".into(), customer_id: w.c1, partner_id: w.partner,
            }).await.unwrap();
        }
        let tok = t.login(email("v_admin")).await;
        let mut seen = Vec::new();
        let mut url = "/api/v1/engagements?limit=2".to_string();
        loop {
            let page = t.get(&url, &tok).await;
            let items = page.body["items"].as_array().unwrap();
            assert!(items.len() <= 2);
            seen.extend(items.iter().map(|e| e["key"].as_str().unwrap().to_string()));
            match page.body["next_cursor"].as_str() {
                Some(c) => url = format!("/api/v1/engagements?limit=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 5, "{seen:?}");
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5);
        // Generated keys continue after the highest key in use, so they never collide with one
        // chosen by hand.
        assert_eq!(seen, ["C1-LIMS", "ENG-0007", "ENG-0008", "ENG-0009", "ENG-0010"]);
    }
}
