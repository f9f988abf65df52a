//! The rest of issue 4: the purchase cycle (objectives approved by the executive sponsor, the
//! procurement map with overdue steps, the insights register) and the gate criteria they feed;
//! the glossary and the partner's acknowledgements; elicitation sessions; trace links and
//! conflicts; bulk edits of requirements.

use accord_test_support::{backend_tests, email, TestApp, World};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

async fn setup(t: &TestApp) -> World {
    let w = World::seed(t).await;
    w.assign(t, "c1_sponsor", "executive_sponsor", None).await;
    w.assign(
        t,
        "c1_fam",
        "functional_area_manager",
        Some("QC laboratory"),
    )
    .await;
    w.assign(t, "c1_owner", "functional_area_manager", Some("Stability"))
        .await;
    w.assign(t, "v_pm", "project_manager", None).await;
    w.assign(t, "v_other", "solution_consultant", None).await;
    w
}

fn criterion(gate: &Value, id: &str) -> Value {
    gate["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {gate}"))
        .clone()
}

async fn patch(
    t: &TestApp,
    path: &str,
    tok: &str,
    version: i64,
    body: Value,
) -> accord_test_support::Resp {
    t.call(
        Method::PATCH,
        path,
        Some(tok),
        Some(body),
        &[("if-match", &format!("\"{version}\""))],
    )
    .await
}

async fn requirement(t: &TestApp, tok: &str, eid: Uuid, title: &str, area: &str) -> Value {
    let r = t.post(&format!("/api/v1/engagements/{eid}/requirements"), tok,
        json!({"title": title, "statement": format!("The system shall {title}."), "functional_area": area})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

backend_tests! {
    async fn objectives_need_the_sponsors_approval_and_feed_the_gate(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = setup(&t).await;
        let eid = w.engagement;
        let fam = t.login(email("c1_fam")).await;
        let sponsor = t.login(email("c1_sponsor")).await;
        let base = format!("/api/v1/engagements/{eid}/objectives");
        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &fam).await.body;
        let c = criterion(&gate, "objectives-approved");
        assert_eq!((c["met"].as_bool(), c["evidence"].as_str()), (Some(false), Some("no objectives recorded")));
        assert_eq!(c["editable"], false);

        // Bad input: every field named at once, nothing written.
        let before = t.audit_count().await;
        let r = t.post(&base, &fam, json!({"outcome": " ", "metric": "m", "target": "t", "value_by": "31/03/2027"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let fields: Vec<&str> = r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["outcome", "value_by"]);
        assert_eq!(t.audit_count().await, before);

        let r = t.post(&base, &fam, json!({"outcome": "Shorter OOS investigations", "metric": "Median days to close a phase I investigation",
            "baseline": "14", "target": "7", "value_by": "2027-06-30", "serves": "Right-first-time release"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!((r.body["key"].as_str(), r.body["status"].as_str(), r.body["value_by"].as_str()), (Some("OBJ-001"), Some("proposed"), Some("2027-06-30")));
        let id = r.body["id"].as_str().unwrap().to_string();
        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &fam).await.body;
        assert_eq!(criterion(&gate, "objectives-approved")["evidence"], "not approved yet: OBJ-001");

        // Nothing skips the approval; only the executive sponsor approves.
        let r = patch(&t, &format!("{base}/{id}"), &fam, 1, json!({"status": "achieved"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        let r = patch(&t, &format!("{base}/{id}"), &fam, 1, json!({"status": "approved"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let r = patch(&t, &format!("{base}/{id}"), &sponsor, 1, json!({"status": "approved"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!((r.body["status"].as_str(), r.body["approved_by"]["name"].as_str(), r.body["version"].as_i64()), (Some("approved"), Some("c1_sponsor person"), Some(2)));
        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &fam).await.body;
        assert_eq!(criterion(&gate, "objectives-approved")["met"], true);
        // A stale edit is refused; a new target withdraws the approval (the sponsor approved other words).
        let r = patch(&t, &format!("{base}/{id}"), &fam, 1, json!({"target": "5"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        let r = patch(&t, &format!("{base}/{id}"), &fam, 2, json!({"target": "5"})).await;
        assert_eq!((r.status, r.body["status"].as_str(), r.body["approved_by"].clone()), (StatusCode::OK, Some("proposed"), Value::Null));
        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &fam).await.body;
        assert_eq!(criterion(&gate, "objectives-approved")["met"], false);
        let audit = t.get(&format!("/api/v1/engagements/{eid}/audit?limit=500"), &fam).await.body;
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().filter(|e| e["record_type"] == "objective").map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["objective.create", "objective.approve", "objective.update"]);
    }

    async fn an_open_high_risk_without_an_owner_holds_the_gate_and_overdue_steps_are_flagged(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = setup(&t).await;
        let eid = w.engagement;
        let tok = t.login(email("c1_admin")).await;
        let r = t.post(&format!("/api/v1/engagements/{eid}/insights"), &tok, json!({"kind": "risk", "title": "Only one analyst knows the stability protocols", "severity": "high"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!((r.body["key"].as_str(), r.body["status"].as_str()), (Some("INS-001"), Some("open")));
        let risk = r.body["id"].as_str().unwrap().to_string();
        let r = t.post(&format!("/api/v1/engagements/{eid}/insights"), &tok, json!({"kind": "hunch", "title": "x"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &tok).await.body;
        let c = criterion(&gate, "risks-owned");
        assert_eq!((c["met"].as_bool(), c["evidence"].as_str()), (Some(false), Some("without an owner: INS-001")));
        let r = patch(&t, &format!("/api/v1/engagements/{eid}/insights/{risk}"), &tok, 1, json!({"owner_id": w.users["c1_owner"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["owner"]["name"], "c1_owner person");
        let gate = t.get(&format!("/api/v1/engagements/{eid}/gate"), &tok).await.body;
        assert_eq!(criterion(&gate, "risks-owned")["met"], true);

        let steps = format!("/api/v1/engagements/{eid}/procurement-steps");
        let late = t.post(&steps, &tok, json!({"customer_step": "Vendor qualification audit", "partner_step": "Audit hosting and quality agreement", "due_on": "2001-01-01", "owner_id": w.users["c1_owner"]})).await;
        assert_eq!(late.status, StatusCode::CREATED, "{}", late.text);
        let r = t.post(&steps, &tok, json!({"customer_step": "Purchase order", "partner_step": "Order confirmation", "due_on": "2999-01-01"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = t.post(&steps, &tok, json!({"customer_step": "Purchase order", "partner_step": "x", "due_on": "soon", "owner_id": w.users["c2_admin"]})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("due_on")));
        let r = t.post(&steps, &tok, json!({"customer_step": "Purchase order", "partner_step": "x", "due_on": "2027-01-01", "owner_id": w.users["c2_admin"]})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("owner_id")), "someone of another customer");
        let list = t.get(&steps, &tok).await.body;
        let flags: Vec<(bool, bool)> = list["items"].as_array().unwrap().iter().map(|s| (s["overdue"].as_bool().unwrap(), s["days_overdue"].as_i64().unwrap() > 0)).collect();
        assert_eq!(flags, [(true, true), (false, false)], "ordered by due date: {list}");
        let id = late.body["id"].as_str().unwrap();
        let r = patch(&t, &format!("{steps}/{id}"), &tok, 1, json!({"status": "done"})).await;
        assert_eq!((r.status, r.body["overdue"].as_bool()), (StatusCode::OK, Some(false)), "{}", r.text);
    }

    async fn the_partner_acknowledges_the_glossary_term_by_term(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = setup(&t).await;
        let eid = w.engagement;
        let fam = t.login(email("c1_fam")).await;
        let pm = t.login(email("v_pm")).await;
        let base = format!("/api/v1/engagements/{eid}/glossary");
        let r = t.post(&base, &fam, json!({"term": "OOS", "definition": "Out of specification: a result outside its acceptance criteria.",
            "functional_area": "QC laboratory", "examples": "Assay 97.1 % against 98.0-102.0 %", "synonyms": ["out of specification"]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let oos = r.body["id"].as_str().unwrap().to_string();
        let mut pending: Vec<&str> = r.body["partner_pending"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        pending.sort_unstable();
        assert_eq!(pending, ["v_other person", "v_pm person"], "the partner's team: people of the partner holding a role");
        let r = t.post(&base, &fam, json!({"term": "稳定性", "definition": "产品在规定条件下保持其质量属性的能力", "lang": "zh-CN"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        // One definition per term, whatever its case; an unknown area or language is refused.
        let r = t.post(&base, &fam, json!({"term": "oos", "definition": "again"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("term")));
        let r = t.post(&base, &fam, json!({"term": "CoA", "definition": "d", "functional_area": "Warehouse"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("functional_area")));
        let r = t.post(&base, &fam, json!({"term": "CoA", "definition": "d", "lang": "fr"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("lang")));

        // The customer teaches; only the partner acknowledges.
        let r = t.post(&format!("{base}/{oos}/acknowledgements"), &fam, json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let r = t.call(Method::POST, &format!("{base}/{oos}/acknowledgements"), Some(&pm), None, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!((r.body["acknowledged_by_me"].as_bool(), r.body["partner_pending"].as_array().unwrap().len()), (Some(true), 1));
        let open = t.get(&format!("{base}?unacknowledged=true"), &fam).await.body;
        assert_eq!(open["items"].as_array().unwrap().len(), 2, "v_other has read neither term");
        // A corrected definition needs reading again.
        let r = patch(&t, &format!("{base}/{oos}"), &fam, 1, json!({"definition": "Out of specification: a reportable result outside its specification limits."})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["partner_pending"].as_array().unwrap().len(), 2);
        assert_eq!(r.body["acknowledgements"][0]["current"], false);
    }

    async fn sessions_record_who_took_part_and_what_they_produced(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = setup(&t).await;
        let eid = w.engagement;
        let fam = t.login(email("c1_fam")).await;
        let a = requirement(&t, &fam, eid, "flag OOS results", "QC laboratory").await;
        let base = format!("/api/v1/engagements/{eid}/sessions");
        let r = t.post(&base, &fam, json!({"kind": "workshop", "title": "QC results review", "held_at": "2026-11-20T09:00",
            "attendee_ids": [w.users["c1_fam"], w.users["v_pm"]], "notes": "Walked through the OOS SOP.", "requirement_ids": [a["id"]]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!((r.body["key"].as_str(), r.body["held_at"].as_str()), (Some("SES-001"), Some("2026-11-20T09:00:00Z")));
        let roles: Vec<Value> = r.body["attendees"].as_array().unwrap().iter().map(|a| a["roles"].clone()).collect();
        assert!(roles.contains(&json!(["functional_area_manager"])) && roles.contains(&json!(["project_manager"])), "{roles:?}");
        assert_eq!(r.body["requirements"][0]["key"], "REQ-0001");
        let sid = r.body["id"].as_str().unwrap().to_string();
        // Outsiders cannot attend; requirements of another engagement cannot be produced here.
        let r = t.post(&base, &fam, json!({"kind": "interview", "held_at": "2026-11-21", "attendee_ids": [w.users["c2_member"]]})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("attendee_ids")));
        let r = t.post(&base, &fam, json!({"kind": "meeting", "held_at": "yesterday", "attendee_ids": []})).await;
        let fields: Vec<&str> = r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["kind", "held_at", "attendee_ids"], "{}", r.text);
        let admin = t.actor(email("v_admin")).await;
        let other = t.app.create_engagement(&admin, accord_app::engagement::NewEngagement { key: None, name: "Other".into(), product: "ELN".into(), customer_id: w.c1, partner_id: w.partner }).await.unwrap().id;
        t.app.assign_role(&t.actor(email("c1_admin")).await, other, accord_app::role::NewAssignment { user_id: w.users["c1_fam"], role: "functional_area_manager".into(), functional_area: Some("QC laboratory".into()) }).await.unwrap();
        let foreign = requirement(&t, &fam, other, "keep ELN pages", "QC laboratory").await;
        let r = t.post(&format!("{base}/{sid}/requirements"), &fam, json!({"requirement_ids": [foreign["id"]]})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("requirement_ids")));
        let b = requirement(&t, &fam, eid, "block release of OOS batches", "QC laboratory").await;
        let before = t.audit_count().await;
        let r = t.post(&format!("{base}/{sid}/requirements"), &fam, json!({"requirement_ids": [b["id"], a["id"]]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["requirements"].as_array().unwrap().len(), 2);
        assert_eq!(t.audit_count().await - before, 1);
    }

    async fn links_and_conflicts_stay_inside_the_engagement_and_conflicts_need_a_decision(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = setup(&t).await;
        let eid = w.engagement;
        let user = t.login(email("c1_user")).await;
        let a = requirement(&t, &user, eid, "flag OOS results", "QC laboratory").await;
        let b = requirement(&t, &user, eid, "keep stability pulls on schedule", "Stability").await;
        let links = format!("/api/v1/engagements/{eid}/links");
        let r = t.post(&links, &user, json!({"from_id": a["id"], "to_id": b["id"], "kind": "depends_on"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!((r.body["from"]["key"].as_str(), r.body["to"]["key"].as_str()), (Some("REQ-0001"), Some("REQ-0002")));
        let r = t.post(&links, &user, json!({"from_id": a["id"], "to_id": b["id"], "kind": "depends_on"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")), "twice");
        let r = t.post(&links, &user, json!({"from_id": a["id"], "to_id": b["id"], "kind": "relates_to"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
        let r = t.post(&links, &user, json!({"from_id": a["id"], "to_id": a["id"], "kind": "refines"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = t.post(&links, &user, json!({"from_id": a["id"], "to_id": Uuid::now_v7(), "kind": "refines"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to_id")), "a requirement of no engagement of ours");
        let listed = t.get(&format!("{links}?requirement_id={}", b["id"].as_str().unwrap()), &user).await.body;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        // The matrix and the list as CSV a spreadsheet opens (and runs no formula from).
        let r = t.post(&links, &user, json!({"from_id": b["id"], "to_id": a["id"], "kind": "verifies"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let (st, csv) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/traceability.csv"), &user).await;
        assert_eq!(st, StatusCode::OK);
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("\u{feff}key,title,status,priority,derives_from,depends_on,conflicts_with,refines,verified_by,verifies\r\n"), "{csv}");
        assert!(csv.contains("REQ-0001,flag OOS results,draft,,,REQ-0002,,,REQ-0002,\r\n"), "{csv}");
        assert!(csv.contains("REQ-0002,keep stability pulls on schedule,draft,,,,,,,REQ-0001\r\n"), "{csv}");
        let r = t.post(&format!("/api/v1/engagements/{eid}/requirements"), &user, json!({"title": "=cmd|' /C calc'!A0", "statement": "s", "functional_area": "QC laboratory"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let (_, csv) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/requirements.csv"), &user).await;
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.contains(",\"'=cmd|' /C calc'!A0\",") || csv.contains(",'=cmd|' /C calc'!A0,"), "{csv}");
        let outsider = t.login(email("c2_admin")).await;
        let (st, _) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/requirements.csv"), &outsider).await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        let conflicts = format!("/api/v1/engagements/{eid}/conflicts");
        let r = t.post(&conflicts, &user, json!({"requirement_a": a["id"], "requirement_b": b["id"], "description": "Both want the same analyst slot"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!((r.body["key"].as_str(), r.body["status"].as_str(), r.body["open_days"].as_i64()), (Some("CON-001"), Some("open"), Some(0)));
        let id = r.body["id"].as_str().unwrap().to_string();
        t.clock.advance(time::Duration::days(3));
        let user = t.login(email("c1_user")).await;
        let listed = t.get(&conflicts, &user).await.body;
        assert_eq!(listed["items"][0]["open_days"], 3, "its age shows");
        // No decision authority: 403, nothing written.
        let before = t.audit_count().await;
        let r = t.post(&format!("{conflicts}/{id}/resolution"), &user, json!({"resolution": "Stability first"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        assert_eq!(t.audit_count().await, before);
        // The Stability area's manager decides.
        let owner = t.login(email("c1_owner")).await;
        let r = t.post(&format!("{conflicts}/{id}/resolution"), &owner, json!({"resolution": "Stability pulls keep their slot; OOS flags run overnight."})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!((r.body["status"].as_str(), r.body["resolved_by"]["name"].as_str(), r.body["open_days"].as_i64()), (Some("resolved"), Some("c1_owner person"), Some(3)));
        let r = t.post(&format!("{conflicts}/{id}/resolution"), &owner, json!({"resolution": "again"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    }

    async fn a_bulk_edit_changes_every_selected_requirement_or_none(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = setup(&t).await;
        let eid = w.engagement;
        let user = t.login(email("c1_user")).await;
        let a = requirement(&t, &user, eid, "flag OOS results", "QC laboratory").await;
        let b = requirement(&t, &user, eid, "print CoAs", "QC laboratory").await;
        let bulk = format!("/api/v1/engagements/{eid}/requirements/bulk");
        let before = t.audit_count().await;
        let r = t.post(&bulk, &user, json!({"items": [{"id": a["id"], "version": 1}, {"id": b["id"], "version": 1}], "functional_area": "Stability", "owner_id": w.users["c1_owner"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let got: Vec<(&str, i64)> = r.body["items"].as_array().unwrap().iter().map(|i| (i["functional_area"].as_str().unwrap(), i["version"].as_i64().unwrap())).collect();
        assert_eq!(got, [("Stability", 2), ("Stability", 2)]);
        assert_eq!(t.audit_count().await - before, 2, "one audit event per requirement");
        let v = t.get(&format!("/api/v1/engagements/{eid}/requirements/{}/versions", a["id"].as_str().unwrap()), &user).await.body;
        let changed: Vec<&str> = v["items"][1]["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
        assert_eq!(changed, ["functional_area", "owner_id"]);
        // One of them read at an old version: 409 and neither changes.
        let before = t.audit_count().await;
        let r = t.post(&bulk, &user, json!({"items": [{"id": a["id"], "version": 2}, {"id": b["id"], "version": 1}], "status": "ready_for_review"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(t.audit_count().await, before);
        let a_now = t.get(&format!("/api/v1/engagements/{eid}/requirements/{}", a["id"].as_str().unwrap()), &user).await.body;
        assert_eq!(a_now["status"], "draft");
        // Bad input names the field.
        let r = t.post(&bulk, &user, json!({"items": [{"id": a["id"], "version": 2}], "status": "finished"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")));
        let r = t.post(&bulk, &user, json!({"items": []})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("items")));
        let r = t.post(&bulk, &user, json!({"items": [{"id": a["id"], "version": 2}], "functional_area": "Warehouse"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("functional_area")));
    }
}
