//! Requirements (issue 4): versions with field-level differences, stale edits, decision
//! authority over priorities, clarification ageing, estimates and their roll-ups, the list's
//! filters, and bad input.

use accord_test_support::{backend_tests, email, TestApp, World};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

async fn setup(t: &TestApp) -> (World, String) {
    let w = World::seed(t).await;
    w.assign(
        t,
        "c1_fam",
        "functional_area_manager",
        Some("QC laboratory"),
    )
    .await;
    w.assign(t, "c1_owner", "functional_area_manager", Some("Stability"))
        .await;
    w.assign(t, "c1_bpo", "business_process_owner", None).await;
    let tok = t.login(email("c1_user")).await;
    (w, tok)
}

async fn create(t: &TestApp, tok: &str, eid: uuid::Uuid, title: &str, area: &str) -> Value {
    let r = t.post(&format!("/api/v1/engagements/{eid}/requirements"), tok,
        json!({"title": title, "statement": format!("The system shall {title}"), "functional_area": area, "source": "Workshop 1"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

backend_tests! {
    async fn versions_record_every_change_field_by_field(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let r = create(&t, &tok, eid, "log samples with a barcode at receipt", "QC laboratory").await;
        assert_eq!(r["key"], "REQ-0001");
        assert_eq!((r["status"].as_str(), r["version"].as_i64()), (Some("draft"), Some(1)));
        let second = create(&t, &tok, eid, "flag OOS results", "QC laboratory").await;
        assert_eq!(second["key"], "REQ-0002");
        let path = format!("/api/v1/engagements/{eid}/requirements/{}", r["id"].as_str().unwrap());
        let e = t.call(Method::PATCH, &path, Some(&tok), Some(json!({"statement": "Log every sample with a GS1 barcode at receipt", "status": "in_clarification"})), &[("if-match", "\"1\"")]).await;
        assert_eq!(e.status, StatusCode::OK, "{}", e.text);
        assert_eq!(e.etag().as_deref(), Some("\"2\""));
        // A stale edit: 409 with the current version, nothing written.
        let stale = t.call(Method::PATCH, &path, Some(&tok), Some(json!({"title": "mine"})), &[("if-match", "\"1\"")]).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert_eq!(stale.body["current_version"], 2);
        let no_match = t.call(Method::PATCH, &path, Some(&tok), Some(json!({"title": "mine"})), &[]).await;
        assert_eq!(no_match.status, StatusCode::PRECONDITION_REQUIRED);
        let v = t.get(&format!("{path}/versions"), &tok).await;
        let items = v.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let changed: Vec<&str> = items[1]["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
        assert_eq!(changed, ["statement", "status"]);
        assert_eq!(items[1]["changes"][0]["before"], "The system shall log samples with a barcode at receipt");
        assert_eq!(items[1]["changes"][1]["after"], "in_clarification");
        assert_eq!(items[1]["author"]["name"], "c1_user person");
        assert!(t.app.verify_chains(None, None).await.unwrap().ok);
    }

    async fn only_decision_authority_sets_priorities(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let r = create(&t, &tok, eid, "schedule stability pulls per ICH Q1A", "Stability").await;
        let path = format!("/api/v1/engagements/{eid}/requirements/{}/priority", r["id"].as_str().unwrap());
        let body = json!({"priority": "must_have", "rationale": "Regulatory commitment"});
        // An end user, the QC laboratory's manager and the partner: 403, nothing changed, the attempt audited.
        for who in ["c1_user", "c1_fam", "v_pm"] {
            let tok = t.login(email(who)).await;
            let before = t.audit_count().await;
            let res = t.call(Method::PUT, &path, Some(&tok), Some(body.clone()), &[]).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}: {}", res.text);
            assert_eq!(t.audit_count().await, before + 1, "{who}: the refused attempt is audited");
        }
        let detail = t.get(&format!("/api/v1/engagements/{eid}/requirements/{}", r["id"].as_str().unwrap()), &tok).await;
        assert_eq!(detail.body["priority"], Value::Null);
        assert_eq!(detail.body["version"], 1);
        assert_eq!(detail.body["can_prioritise"], false);
        let audit = t.get(&format!("/api/v1/engagements/{eid}/audit?limit=500"), &tok).await;
        assert!(audit.text.contains("requirement.priority_refused"));
        // Stability's manager may, and so may the business process owner.
        for (who, p) in [("c1_owner", "must_have"), ("c1_bpo", "deferred")] {
            let tok = t.login(email(who)).await;
            let res = t.call(Method::PUT, &path, Some(&tok), Some(json!({"priority": p, "rationale": format!("{who} decided")})), &[]).await;
            assert_eq!(res.status, StatusCode::OK, "{who}: {}", res.text);
            assert_eq!(res.body["priority"], p);
        }
        let owner = t.login(email("c1_owner")).await;
        let detail = t.get(&format!("/api/v1/engagements/{eid}/requirements/{}", r["id"].as_str().unwrap()), &owner).await;
        assert_eq!(detail.body["can_prioritise"], true);
        let decisions = detail.body["decisions"].as_array().unwrap();
        assert_eq!(decisions.len(), 2);
        assert_eq!((decisions[1]["priority"].as_str(), decisions[1]["decided_by"]["name"].as_str(), decisions[1]["rationale"].as_str()),
                   (Some("deferred"), Some("c1_bpo person"), Some("c1_bpo decided")));
        // With If-Match, a decision on an outdated page is refused.
        let stale = t.call(Method::PUT, &path, Some(&owner), Some(json!({"priority": "must_have", "rationale": "again"})), &[("if-match", "\"2\"")]).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
        assert_eq!(stale.body["current_version"], 3);
        // Sorted by priority: the article's order, the undecided last, on both engines.
        create(&t, &tok, eid, "undecided", "Stability").await;
        let sorted = t.get(&format!("/api/v1/engagements/{eid}/requirements?sort=priority"), &tok).await;
        let order: Vec<Value> = sorted.body["items"].as_array().unwrap().iter().map(|i| i["priority"].clone()).collect();
        assert_eq!(order, [json!("deferred"), Value::Null]);
        // A value that is no priority: 422.
        let bpo = t.login(email("c1_bpo")).await;
        let res = t.call(Method::PUT, &path, Some(&bpo), Some(json!({"priority": "urgent", "rationale": "x"})), &[]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn clarifications_age_until_answered(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let r = create(&t, &tok, eid, "generate a CoA per batch", "QC laboratory").await;
        let base = format!("/api/v1/engagements/{eid}/requirements/{}/clarifications", r["id"].as_str().unwrap());
        let vendor = t.login(email("v_pm")).await;
        let q = t.post(&base, &vendor, json!({"question": "Which CoA template: per product or per market?"})).await;
        assert_eq!(q.status, StatusCode::CREATED, "{}", q.text);
        assert_eq!(q.body["open_hours"], 0);
        t.clock.advance(time::Duration::hours(50));
        let tok = t.login(email("c1_user")).await;
        let list = t.get(&base, &tok).await;
        assert_eq!(list.body["items"][0]["open_hours"], 50);
        let cid = q.body["id"].as_str().unwrap();
        let a = t.post(&format!("{base}/{cid}/answer"), &tok, json!({"answer": "Per market: EU and US differ"})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body["open_hours"], Value::Null);
        assert_eq!(a.body["answered_by"]["name"], "c1_user person");
        let again = t.post(&format!("{base}/{cid}/answer"), &tok, json!({"answer": "changed my mind"})).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let list = t.get(&base, &tok).await;
        assert_eq!(list.body["items"][0]["answer"], "Per market: EU and US differ");
    }

    async fn estimates_and_their_rollups(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let bpo = t.login(email("c1_bpo")).await;
        let pm = t.login(email("v_pm")).await;
        let mut ids = Vec::new();
        for (title, prio, days, cost, fit) in [("barcode at receipt", Some("must_have"), 4.0, 3200.0, "standard_process"),
                                               ("OOS investigation", Some("must_have"), 10.5, 8400.0, "customisation"),
                                               ("CDS interface", Some("nice_to_have"), 20.0, 16000.0, "configuration"),
                                               ("label reprint", None, 1.0, 800.0, "standard_process")] {
            let r = create(&t, &tok, eid, title, "QC laboratory").await;
            let id = r["id"].as_str().unwrap().to_string();
            if let Some(p) = prio {
                let res = t.call(Method::PUT, &format!("/api/v1/engagements/{eid}/requirements/{id}/priority"), Some(&bpo), Some(json!({"priority": p, "rationale": "workshop 2"})), &[]).await;
                assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            }
            let est = json!({"effort_days": days, "cost": cost, "currency": "EUR", "feasibility": "feasible", "fit": fit, "basis": "two similar sites"});
            // Only the partner estimates.
            let res = t.call(Method::PUT, &format!("/api/v1/engagements/{eid}/requirements/{id}/estimate"), Some(&tok), Some(est.clone()), &[]).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN);
            let res = t.call(Method::PUT, &format!("/api/v1/engagements/{eid}/requirements/{id}/estimate"), Some(&pm), Some(est), &[]).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            ids.push(id);
        }
        let roll = t.get(&format!("/api/v1/engagements/{eid}/requirements/rollup"), &tok).await;
        assert_eq!(roll.status, StatusCode::OK, "{}", roll.text);
        let must = &roll.body["by_priority"][0];
        assert_eq!((must["priority"].as_str(), must["requirements"].as_i64(), must["effort_days"].as_f64()), (Some("must_have"), Some(2), Some(14.5)));
        assert_eq!(must["cost"], json!([{"currency": "EUR", "amount": 11600.0}]));
        assert_eq!(roll.body["by_priority"][2]["priority"], Value::Null, "{}", roll.text);
        assert_eq!(roll.body["standard_process_share"], 0.5);

        // The customer acknowledges, once; the partner cannot; a new estimate needs it again.
        let ack = format!("/api/v1/engagements/{eid}/requirements/{}/estimate/acknowledgement", ids[0]);
        assert_eq!(t.call(Method::POST, &ack, Some(&pm), None, &[]).await.status, StatusCode::FORBIDDEN);
        let r = t.call(Method::POST, &ack, Some(&tok), None, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["acknowledged_by"]["name"], "c1_user person");
        assert_eq!(t.call(Method::POST, &ack, Some(&tok), None, &[]).await.status, StatusCode::CONFLICT);
        let res = t.call(Method::PUT, &format!("/api/v1/engagements/{eid}/requirements/{}/estimate", ids[0]), Some(&pm),
            Some(json!({"effort_days": 5.0, "cost": 4000.0, "currency": "EUR", "feasibility": "feasible", "fit": "standard_process", "basis": "revised after workshop 3"})), &[]).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.body["acknowledged_at"], Value::Null);
        // Acknowledging what one read: the replaced estimate is refused, the current one taken.
        let old_at = r.body["estimated_at"].as_str().unwrap().to_string();
        let new_at = res.body["estimated_at"].as_str().unwrap().to_string();
        let stale = t.call(Method::POST, &format!("{ack}?estimated_at={}", old_at.replace('+', "%2B")), Some(&tok), None, &[]).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
        let fresh = t.call(Method::POST, &format!("{ack}?estimated_at={}", new_at.replace('+', "%2B")), Some(&tok), None, &[]).await;
        assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.text);
        assert_eq!(fresh.body["effort_days"], 5.0);
        let trail = t.get(&format!("/api/v1/engagements/{eid}/audit?limit=500"), &tok).await;
        assert!(trail.text.contains("revised after workshop 3"), "the acknowledged estimate is in the trail");
        // Every time in the records the trail keeps is RFC 3339 (or null), not an array of numbers.
        let mut times = 0;
        for item in trail.body["items"].as_array().unwrap() {
            for side in ["before", "after"] {
                let Some(record) = item[side].as_object() else { continue };
                for (k, v) in record.iter().filter(|(k, v)| k.ends_with("_at") && !v.is_null()) {
                    let text = v.as_str().unwrap_or_else(|| panic!("{} {side}.{k} = {v}", item["action"]));
                    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap_or_else(|e| panic!("{k} {text}: {e}"));
                    times += 1;
                }
            }
        }
        assert!(times > 10, "the trail's records have times: {times}");
        // Bad estimates name the field.
        let res = t.call(Method::PUT, &format!("/api/v1/engagements/{eid}/requirements/{}/estimate", ids[0]), Some(&pm),
            Some(json!({"effort_days": -1.0, "cost": 1.0, "currency": "euro", "feasibility": "maybe", "fit": "standard_process", "basis": ""})), &[]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["effort_days", "currency", "feasibility", "basis"]);
    }

    async fn the_list_filters_sorts_and_pages(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        for i in 0..7 {
            let area = if i % 2 == 0 { "QC laboratory" } else { "Stability" };
            create(&t, &tok, eid, &format!("requirement number {i} about {}", if i < 3 { "barcodes" } else { "pulls" }), area).await;
        }
        let list = |q: &str| {
            let t = &t;
            let tok = tok.clone();
            let q = q.to_string();
            async move { t.get(&format!("/api/v1/engagements/{eid}/requirements?{q}"), &tok).await }
        };
        let r = list("q=BARCODES").await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 3);
        let r = list("q=number%20pulls&functional_area=Stability").await;
        let keys: Vec<&str> = r.body["items"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["REQ-0004", "REQ-0006"]);
        let r = list("sort=-key&limit=3").await;
        let keys: Vec<&str> = r.body["items"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["REQ-0007", "REQ-0006", "REQ-0005"]);
        let next = r.body["next_cursor"].as_str().unwrap().to_string();
        let r = list(&format!("sort=-key&limit=3&cursor={next}")).await;
        assert_eq!(r.body["items"][0]["key"], "REQ-0004");
        let r = list("sort=-key&limit=3&cursor=6").await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(r.body["next_cursor"], Value::Null);
        // A percent sign or underscore is matched as itself.
        assert_eq!(list("q=%25").await.body["items"].as_array().unwrap().len(), 0);
        assert_eq!(list("status=draft").await.body["items"].as_array().unwrap().len(), 7);
        assert_eq!(list("status=ready_for_review").await.body["items"].as_array().unwrap().len(), 0);
        let long = format!("q={}", "a".repeat(201));
        for bad in ["status=done", "priority=high", "sort=colour", "cursor=abc", "q=a%00b", "q=%07", long.as_str()] {
            let r = list(bad).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.text);
            let field = bad.split('=').next().unwrap();
            assert_eq!(r.body["errors"][0]["field"], field, "{bad}: {}", r.text);
        }
        // Search ignores letter case beyond ASCII, on both engines; pattern characters of
        // either engine (glob's `*?[`, a regular expression's `.(|`) match only themselves.
        let r = create(&t, &tok, eid, "run the Prüfung der Ölproben [Stufe 2] (batch.release|QA) 检验", "QC laboratory").await;
        let found = |q: &'static str| {
            let list = &list;
            async move {
                let res = list(&format!("q={q}")).await;
                assert_eq!(res.status, StatusCode::OK, "{q}: {}", res.text);
                res.body["items"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap().to_string()).collect::<Vec<_>>()
            }
        };
        let key = r["key"].as_str().unwrap().to_string();
        for q in ["PR%C3%9CFUNG", "%C3%B6lproben", "%C3%96LPROBEN%20pr%C3%BCfung", "%5BSTUFE", "%E6%A3%80%E9%AA%8C", "req-0008", "BATCH.RELEASE%7Cqa", "(batch"] {
            assert_eq!(found(q).await, std::slice::from_ref(&key), "{q}");
        }
        for q in ["PRUFUNG", "%2A", "%3F", "batchXrelease", "release%7Cqa)x", "%5B%5D", "stufe%5D2"] {
            assert!(found(q).await.is_empty(), "{q}");
        }
    }

    async fn bad_requirements_are_refused_whole(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let before = t.audit_count().await;
        let path = format!("/api/v1/engagements/{eid}/requirements");
        let long = "x".repeat(10_001);
        for (body, field) in [
            (json!({"title": "t", "statement": "  ", "functional_area": "QC laboratory"}), "statement"),
            (json!({"title": "t", "statement": long, "functional_area": "QC laboratory"}), "statement"),
            (json!({"title": "t", "statement": "s", "functional_area": "Finance"}), "functional_area"),
            (json!({"title": "t", "statement": "s", "functional_area": "QC laboratory", "owner_id": w.users["c2_member"]}), "owner_id"),
        ] {
            let r = t.post(&path, &tok, body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
            assert_eq!(r.body["errors"][0]["field"], field, "{}", r.text);
        }
        let r = t.post(&path, &tok, json!({"title": "t", "statement": "s", "functional_area": "Finance"})).await;
        assert!(r.text.contains("QC laboratory") && r.text.contains("Stability"), "the error names the areas there are: {}", r.text);
        assert_eq!(t.audit_count().await, before, "nothing written");
        // A requirement of another engagement is not found through this one.
        let admin = t.actor(email("v_admin")).await;
        let other = t.app.create_engagement(&admin, accord_app::engagement::NewEngagement { key: None, name: "Other".into(), product: "ELN".into(), customer_id: w.c1, partner_id: w.partner }).await.unwrap();
        let c1 = t.actor(email("c1_admin")).await;
        t.app.assign_role(&c1, other.id, accord_app::role::NewAssignment { user_id: w.users["c1_fam"], role: "functional_area_manager".into(), functional_area: Some("QC laboratory".into()) }).await.unwrap();
        let r = create(&t, &tok, other.id, "elsewhere", "QC laboratory").await;
        let res = t.get(&format!("/api/v1/engagements/{eid}/requirements/{}", r["id"].as_str().unwrap()), &tok).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
    }
}
