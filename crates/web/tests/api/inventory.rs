//! Every mutating route writes exactly one audit event (RELIABILITY.md R18). The routes come
//! from the OpenAPI document; a route missing from the inventory below fails the test.

use accord_app::engagement::{CriterionPatch, NewEngagement};
use accord_test_support::{backend_tests, email, TestApp, World};
use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

/// The mutating routes this test knows how to call.
const INVENTORY: &[&str] = &[
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/logout",
    "POST /api/v1/me/password",
    "POST /api/v1/users/{id}/disable",
    "POST /api/v1/users/{id}/enable",
    "POST /api/v1/users/{id}/password",
    "POST /api/v1/engagements/{eid}/notes",
    "POST /api/v1/engagements/{eid}/requirements",
    "PATCH /api/v1/engagements/{eid}/requirements/{rid}",
    "POST /api/v1/engagements/{eid}/requirements/{rid}/clarifications",
    "POST /api/v1/engagements/{eid}/requirements/{rid}/clarifications/{cid}/answer",
    "PUT /api/v1/engagements/{eid}/requirements/{rid}/priority",
    "PUT /api/v1/engagements/{eid}/requirements/{rid}/estimate",
    "POST /api/v1/engagements/{eid}/requirements/{rid}/estimate/acknowledgement",
    "POST /api/v1/engagements/{eid}/requirements/bulk",
    "POST /api/v1/engagements/{eid}/imports/reqif",
    "POST /api/v1/engagements/{eid}/imports/reqif/{id}",
    "POST /api/v1/engagements/{eid}/imports/requirements.csv",
    "POST /api/v1/engagements/{eid}/objectives",
    "PATCH /api/v1/engagements/{eid}/objectives/{id}",
    "POST /api/v1/engagements/{eid}/procurement-steps",
    "PATCH /api/v1/engagements/{eid}/procurement-steps/{id}",
    "POST /api/v1/engagements/{eid}/insights",
    "PATCH /api/v1/engagements/{eid}/insights/{id}",
    "POST /api/v1/engagements/{eid}/glossary",
    "PATCH /api/v1/engagements/{eid}/glossary/{id}",
    "POST /api/v1/engagements/{eid}/glossary/{id}/acknowledgements",
    "POST /api/v1/engagements/{eid}/sessions",
    "POST /api/v1/engagements/{eid}/sessions/{id}/requirements",
    "POST /api/v1/engagements/{eid}/links",
    "POST /api/v1/engagements/{eid}/conflicts",
    "POST /api/v1/engagements/{eid}/conflicts/{id}/resolution",
    "POST /api/v1/engagements",
    "PATCH /api/v1/engagements/{eid}",
    "DELETE /api/v1/engagements/{eid}",
    "POST /api/v1/engagements/{eid}/gate/criteria",
    "PATCH /api/v1/engagements/{eid}/gate/criteria/{cid}",
    "DELETE /api/v1/engagements/{eid}/gate/criteria/{cid}",
    "POST /api/v1/engagements/{eid}/gate/signatures",
    "POST /api/v1/engagements/{eid}/transitions",
    "POST /api/v1/engagements/{eid}/cycles",
    "PUT /api/v1/engagements/{eid}/matrix/{role}",
    "POST /api/v1/engagements/{eid}/roles",
    "DELETE /api/v1/engagements/{eid}/roles/{id}",
];

/// A ReqIF document with one spec object.
const ONE_OBJECT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"><THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><TITLE>One</TITLE></REQ-IF-HEADER></THE-HEADER>
<CORE-CONTENT><REQ-IF-CONTENT><DATATYPES><DATATYPE-DEFINITION-STRING IDENTIFIER="s" MAX-LENGTH="200"/></DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="t"><SPEC-ATTRIBUTES><ATTRIBUTE-DEFINITION-STRING IDENTIFIER="n" LONG-NAME="ReqIF.Name"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING></SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE></SPEC-TYPES>
<SPEC-OBJECTS><SPEC-OBJECT IDENTIFIER="o"><VALUES><ATTRIBUTE-VALUE-STRING THE-VALUE="Print labels"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>n</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING></VALUES><TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT></SPEC-OBJECTS>
</REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>"#;

/// Signs the engagement's current gate off, as `who`, with the app.
async fn sign(t: &TestApp, who: &accord_app::Actor, eid: Uuid) {
    let req = accord_app::esign::SignRequest {
        email: Some(who.email.clone()),
        password: accord_test_support::PASSWORD.into(),
        meaning: "approved".into(),
        content_hash: None,
        reason: None,
    };
    t.app.sign_gate(who, eid, req).await.unwrap();
}

/// Moves an engagement through its gates with the app (not through the routes under test).
async fn advance(t: &TestApp, w: &World, eid: Uuid, to: &[&str]) {
    let sponsor = t.actor(email("c1_admin")).await;
    for target in to {
        if *target == "implementation" {
            w.approve_business_case(t, eid).await;
        }
        let gate = t.app.gate(&sponsor, eid).await.unwrap();
        for c in gate.criteria.iter().filter(|c| c.editable && !c.met) {
            let patch = CriterionPatch {
                met: Some(true),
                ..Default::default()
            };
            t.app
                .update_gate_criterion(
                    &sponsor,
                    eid,
                    c.id.parse().unwrap(),
                    c.version.unwrap(),
                    patch,
                )
                .await
                .unwrap();
        }
        sign(t, &sponsor, eid).await;
        t.app
            .transition(&sponsor, eid, target, "test")
            .await
            .unwrap();
    }
}

backend_tests! {
    async fn every_mutating_route_writes_exactly_one_audit_event(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        for (who, role, area) in [("c1_sponsor", "executive_sponsor", None), ("c1_bpo", "business_process_owner", None), ("c1_owner", "system_owner", None),
                                  ("c1_sysadmin", "system_administrator", None), ("c1_fam", "functional_area_manager", Some("QC")), ("c1_user", "end_user", None)] {
            w.assign(&t, who, role, area).await;
        }
        let doc = t.call(Method::GET, "/api/v1/openapi.json", None, None, &[]).await.body;
        let mut routes = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if ["post", "put", "patch", "delete"].contains(&method.as_str()) {
                    routes.push(format!("{} {path}", method.to_uppercase()));
                }
            }
        }
        let missing: Vec<&String> = routes.iter().filter(|r| !INVENTORY.contains(&r.as_str())).collect();
        assert!(missing.is_empty(), "mutating routes without an audit-coverage case: {missing:?}");
        let stale: Vec<&&str> = INVENTORY.iter().filter(|r| !routes.contains(&r.to_string())).collect();
        assert!(stale.is_empty(), "inventory entries no longer in the API: {stale:?}");

        let c1 = t.login(email("c1_admin")).await;
        let v = t.login(email("v_admin")).await;
        let eid = w.engagement;
        let admin = t.actor(email("v_admin")).await;
        let other = t.app.create_engagement(&admin, NewEngagement { key: None, name: "Second".into(), product: "LIMS".into(), customer_id: w.c1, partner_id: w.partner }).await.unwrap().id;
        for (who, role) in [("c1_sponsor", "executive_sponsor"), ("c1_bpo", "business_process_owner"), ("c1_owner", "system_owner"), ("c1_sysadmin", "system_administrator"), ("c1_user", "end_user")] {
            let a = t.actor(email("c1_admin")).await;
            t.app.assign_role(&a, other, accord_app::role::NewAssignment { user_id: w.users[who], role: role.into(), functional_area: None }).await.unwrap();
        }
        let a = t.actor(email("c1_admin")).await;
        t.app.assign_role(&a, other, accord_app::role::NewAssignment { user_id: w.users["c1_fam"], role: "functional_area_manager".into(), functional_area: Some("QC".into()) }).await.unwrap();
        advance(&t, &w, other, &["implementation", "operations"]).await;
        let sponsor = t.actor(email("c1_admin")).await;
        for c in t.app.gate(&sponsor, other).await.unwrap().criteria.iter().filter(|c| c.editable) {
            t.app.update_gate_criterion(&sponsor, other, c.id.parse().unwrap(), c.version.unwrap(), CriterionPatch { met: Some(true), ..Default::default() }).await.unwrap();
        }
        sign(&t, &sponsor, other).await;
        let gate = t.app.gate(&sponsor, eid).await.unwrap();
        for c in gate.criteria.iter().filter(|c| c.editable && c.text.contains("procurement")) {
            t.app.update_gate_criterion(&sponsor, eid, c.id.parse().unwrap(), c.version.unwrap(), CriterionPatch { met: Some(true), ..Default::default() }).await.unwrap();
        }
        let open_item = t.app.gate(&sponsor, eid).await.unwrap().criteria.into_iter().find(|c| c.editable && !c.met).unwrap();
        let spare = t.app.add_gate_criterion(&sponsor, eid, "operations", "Spare item").await.unwrap();
        let role_id = w.assign(&t, "c1_owner", "end_user", None).await;
        let throwaway = t.login(email("c1_user")).await;
        let req = t.app.create_requirement(&sponsor, eid, accord_app::requirement::NewRequirement {
            title: "Barcode at receipt".into(), statement: "Log samples with a barcode at receipt".into(), functional_area: "QC".into(), ..Default::default()
        }).await.unwrap();
        let rid = req.id.to_string();
        let clar = t.app.ask_clarification(&sponsor, eid, req.id, "Which barcode symbologies?").await.unwrap().id.to_string();
        let bpo = t.login(email("c1_bpo")).await;
        let pm = t.login(email("v_pm")).await;
        let sp = t.login(email("c1_sponsor")).await;
        let fam = t.actor(email("c1_fam")).await;
        use accord_app::{knowledge::*, purchase::*, trace::*};
        let obj = t.app.create_objective(&fam, eid, NewObjective { outcome: "Shorter OOS investigations".into(), metric: "Median days".into(), target: "5".into(), value_by: "2027-03-31".into(), ..Default::default() }).await.unwrap().id.to_string();
        let step = t.app.create_procurement_step(&fam, eid, NewProcurementStep { customer_step: "Vendor qualification audit".into(), partner_step: "Quality agreement".into(), owner_id: None, due_on: "2027-01-15".into() }).await.unwrap().id.to_string();
        let ins = t.app.create_insight(&fam, eid, NewInsight { kind: "risk".into(), title: "Key user on leave in Q1".into(), severity: Some("high".into()), ..Default::default() }).await.unwrap().id.to_string();
        let term = t.app.create_term(&fam, eid, NewTerm { term: "OOS".into(), definition: "Out of specification".into(), ..Default::default() }).await.unwrap().id.to_string();
        let req2 = t.app.create_requirement(&fam, eid, accord_app::requirement::NewRequirement { title: "Flag OOS".into(), statement: "Flag results outside specification".into(), functional_area: "QC".into(), ..Default::default() }).await.unwrap();
        let session = t.app.create_session(&fam, eid, NewSession { kind: "workshop".into(), held_at: "2026-11-20".into(), attendee_ids: vec![w.users["c1_fam"], w.users["v_pm"]], ..Default::default() }).await.unwrap().id.to_string();
        let conflict = t.app.create_conflict(&fam, eid, NewConflict { requirement_a: req.id, requirement_b: req2.id, description: "Both claim the receipt screen".into() }).await.unwrap().id.to_string();
        let fam_tok = t.login(email("c1_fam")).await;

        for route in INVENTORY {
            let before = t.audit_count().await;
            let (m, path) = route.split_once(' ').unwrap();
            let r = match *route {
                "POST /api/v1/auth/login" => t.call(Method::POST, path, None, Some(json!({"email": email("c1_bpo"), "password": accord_test_support::PASSWORD})), &[]).await,
                "POST /api/v1/auth/logout" => t.call(Method::POST, path, Some(&throwaway), None, &[]).await,
                "POST /api/v1/me/password" => {
                    let tok = t.login(email("c1_owner")).await;
                    let before = t.audit_count().await;
                    let r = t.post(path, &tok, json!({"current_password": accord_test_support::PASSWORD, "new_password": "another long passphrase"})).await;
                    assert_eq!(t.audit_count().await - before, 1, "{route}: {}", r.text);
                    assert_eq!(r.status, StatusCode::NO_CONTENT, "{route}: {}", r.text);
                    continue;
                }
                "POST /api/v1/users/{id}/disable" => t.post(&path.replace("{id}", &w.users["c1_sysadmin"].to_string()), &c1, json!({"reason": "on leave"})).await,
                "POST /api/v1/users/{id}/enable" => t.post(&path.replace("{id}", &w.users["c1_sysadmin"].to_string()), &c1, json!({"reason": "back"})).await,
                "POST /api/v1/users/{id}/password" => t.post(&path.replace("{id}", &w.users["c1_user"].to_string()), &c1, json!({"new_password": "a temporary passphrase 7", "reason": "forgot it"})).await,
                "POST /api/v1/engagements/{eid}/notes" => t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"record_type": "engagement", "record_id": eid, "body": "internal"})).await,
                "POST /api/v1/engagements/{eid}/requirements" => t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"title": "CoA per batch", "statement": "Generate a certificate of analysis per batch", "functional_area": "QC"})).await,
                "PATCH /api/v1/engagements/{eid}/requirements/{rid}" => t.call(Method::PATCH, &path.replace("{eid}", &eid.to_string()).replace("{rid}", &rid), Some(&c1), Some(json!({"status": "in_clarification"})), &[("if-match", "\"1\"")]).await,
                "POST /api/v1/engagements/{eid}/requirements/{rid}/clarifications" => t.post(&path.replace("{eid}", &eid.to_string()).replace("{rid}", &rid), &v, json!({"question": "Is GS1 enough?"})).await,
                "POST /api/v1/engagements/{eid}/requirements/{rid}/clarifications/{cid}/answer" => t.post(&path.replace("{eid}", &eid.to_string()).replace("{rid}", &rid).replace("{cid}", &clar), &c1, json!({"answer": "Code 128 and DataMatrix"})).await,
                "PUT /api/v1/engagements/{eid}/requirements/{rid}/priority" => t.call(Method::PUT, &path.replace("{eid}", &eid.to_string()).replace("{rid}", &rid), Some(&bpo), Some(json!({"priority": "must_have", "rationale": "Receipt is the first GMP step"})), &[]).await,
                "PUT /api/v1/engagements/{eid}/requirements/{rid}/estimate" => t.call(Method::PUT, &path.replace("{eid}", &eid.to_string()).replace("{rid}", &rid), Some(&pm), Some(json!({"effort_days": 4.5, "cost": 3600.0, "currency": "EUR", "feasibility": "feasible", "fit": "configuration", "basis": "Similar receipt flows at two sites"})), &[]).await,
                "POST /api/v1/engagements/{eid}/requirements/{rid}/estimate/acknowledgement" => t.call(Method::POST, &path.replace("{eid}", &eid.to_string()).replace("{rid}", &rid), Some(&c1), None, &[]).await,
                "POST /api/v1/engagements/{eid}/requirements/bulk" => {
                    let cur = t.app.requirement(&fam, eid, req2.id).await.unwrap().requirement.version;
                    t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"items": [{"id": req2.id, "version": cur}], "status": "in_clarification"})).await
                }
                "POST /api/v1/engagements/{eid}/imports/reqif" => {
                    // An import is audited per record it creates, plus the document: here one
                    // spec object (a requirement) and its document.
                    let r = t.call(Method::POST, &format!("{}?functional_area=QC&name=one.reqif", path.replace("{eid}", &eid.to_string())),
                        Some(&c1), None, &[]).await;
                    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an empty body is not ReqIF: {}", r.text);
                    assert_eq!(t.audit_count().await, before, "a refused import writes nothing");
                    let r = t.send(axum::http::Request::builder().method(Method::POST)
                        .uri(format!("{}?functional_area=QC&name=one.reqif", path.replace("{eid}", &eid.to_string())))
                        .header("authorization", format!("Bearer {c1}"))
                        .body(axum::body::Body::from(ONE_OBJECT)).unwrap()).await;
                    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                    assert_eq!(r.body["requirements_created"], 1);
                    assert_eq!(t.audit_count().await - before, 2, "{route}: one requirement and its document");
                    continue;
                }
                "POST /api/v1/engagements/{eid}/imports/reqif/{id}" => {
                    // A re-import is audited per record it creates or changes, plus the
                    // document; its preview writes nothing.
                    let admin = t.actor(email("c1_admin")).await;
                    let opts = accord_app::reqif::ImportOptions::new("again.reqif", "QC");
                    let doc = t.app.import_reqif(&admin, eid, ONE_OBJECT.as_bytes(), &opts, |_, _| {}).await.unwrap().document_ids[0];
                    let before = t.audit_count().await;
                    let newer = ONE_OBJECT.replace("Print labels", "Print barcode labels");
                    let uri = format!("{}?functional_area=QC", path.replace("{eid}", &eid.to_string()).replace("{id}", &doc.to_string()));
                    let send = |uri: String| t.send(axum::http::Request::builder().method(Method::POST).uri(uri)
                        .header("authorization", format!("Bearer {c1}"))
                        .body(axum::body::Body::from(newer.clone())).unwrap());
                    let preview = send(uri.clone()).await;
                    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
                    assert_eq!(t.audit_count().await, before, "a preview writes nothing");
                    let r = send(format!("{uri}&confirm={}", preview.body["confirm"].as_str().unwrap())).await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                    assert_eq!(t.audit_count().await - before, 2, "{route}: one changed requirement and its document");
                    continue;
                }
                "POST /api/v1/engagements/{eid}/imports/requirements.csv" => {
                    // A CSV import is audited per record it creates or changes; its preview
                    // writes nothing.
                    let before = t.audit_count().await;
                    let uri = format!("{}?functional_area=QC", path.replace("{eid}", &eid.to_string()));
                    let send = |uri: String| t.send(axum::http::Request::builder().method(Method::POST).uri(uri)
                        .header("authorization", format!("Bearer {c1}"))
                        .body(axum::body::Body::from("title,statement\nCoA,Generate a CoA per batch.\n")).unwrap());
                    let preview = send(uri.clone()).await;
                    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
                    assert_eq!(t.audit_count().await, before, "a preview writes nothing");
                    let r = send(format!("{uri}&confirm={}", preview.body["confirm"].as_str().unwrap())).await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                    assert_eq!(t.audit_count().await - before, 2, "{route}: one created requirement and the file");
                    continue;
                }
                "POST /api/v1/engagements/{eid}/objectives" => t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"outcome": "Right-first-time CoA", "metric": "Share of CoAs reissued", "target": "< 1 %", "value_by": "2027-09-30"})).await,
                "PATCH /api/v1/engagements/{eid}/objectives/{id}" => t.call(Method::PATCH, &path.replace("{eid}", &eid.to_string()).replace("{id}", &obj), Some(&sp), Some(json!({"status": "approved"})), &[("if-match", "\"1\"")]).await,
                "POST /api/v1/engagements/{eid}/procurement-steps" => t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"customer_step": "Purchase order", "partner_step": "Order confirmation", "due_on": "2027-02-01"})).await,
                "PATCH /api/v1/engagements/{eid}/procurement-steps/{id}" => t.call(Method::PATCH, &path.replace("{eid}", &eid.to_string()).replace("{id}", &step), Some(&c1), Some(json!({"status": "done"})), &[("if-match", "\"1\"")]).await,
                "POST /api/v1/engagements/{eid}/insights" => t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"kind": "opportunity", "title": "Retire the paper logbooks"})).await,
                "PATCH /api/v1/engagements/{eid}/insights/{id}" => t.call(Method::PATCH, &path.replace("{eid}", &eid.to_string()).replace("{id}", &ins), Some(&c1), Some(json!({"owner_id": w.users["c1_bpo"]})), &[("if-match", "\"1\"")]).await,
                "POST /api/v1/engagements/{eid}/glossary" => t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"term": "CoA", "definition": "Certificate of analysis"})).await,
                "PATCH /api/v1/engagements/{eid}/glossary/{id}" => t.call(Method::PATCH, &path.replace("{eid}", &eid.to_string()).replace("{id}", &term), Some(&c1), Some(json!({"synonyms": ["out of specification"]})), &[("if-match", "\"1\"")]).await,
                "POST /api/v1/engagements/{eid}/glossary/{id}/acknowledgements" => t.call(Method::POST, &path.replace("{eid}", &eid.to_string()).replace("{id}", &term), Some(&pm), None, &[]).await,
                "POST /api/v1/engagements/{eid}/sessions" => t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"kind": "interview", "held_at": "2026-11-21T09:30", "attendee_ids": [w.users["c1_bpo"]], "requirement_ids": [req.id]})).await,
                "POST /api/v1/engagements/{eid}/sessions/{id}/requirements" => t.post(&path.replace("{eid}", &eid.to_string()).replace("{id}", &session), &c1, json!({"requirement_ids": [req2.id]})).await,
                "POST /api/v1/engagements/{eid}/links" => t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"from_id": req2.id, "to_id": req.id, "kind": "depends_on"})).await,
                "POST /api/v1/engagements/{eid}/conflicts" => t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"requirement_a": req.id, "requirement_b": req2.id, "description": "Different owners for receipt"})).await,
                "POST /api/v1/engagements/{eid}/conflicts/{id}/resolution" => t.post(&path.replace("{eid}", &eid.to_string()).replace("{id}", &conflict), &fam_tok, json!({"resolution": "Receipt stays with QC"})).await,
                "POST /api/v1/engagements" => t.post(path, &v, json!({"name": "Third", "product": "ELN", "customer_id": w.c1, "partner_id": w.partner})).await,
                "PATCH /api/v1/engagements/{eid}" => t.call(Method::PATCH, &path.replace("{eid}", &eid.to_string()), Some(&v), Some(json!({"product": "LIMS 9"})), &[("if-match", "\"1\"")]).await,
                "DELETE /api/v1/engagements/{eid}" => {
                    let third = t.get("/api/v1/engagements", &v).await.body["items"].as_array().unwrap().iter().find(|e| e["name"] == "Third").unwrap()["id"].as_str().unwrap().to_string();
                    t.call(Method::DELETE, &format!("{}?reason=duplicate", path.replace("{eid}", &third)), Some(&v), None, &[]).await
                }
                "POST /api/v1/engagements/{eid}/gate/criteria" => t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"to_phase": "implementation", "text": "Validation plan approved"})).await,
                "PATCH /api/v1/engagements/{eid}/gate/criteria/{cid}" => {
                    let p = path.replace("{eid}", &eid.to_string()).replace("{cid}", &open_item.id);
                    t.call(Method::PATCH, &p, Some(&c1), Some(json!({"met": true, "evidence": "signed minutes"})), &[("if-match", &format!("\"{}\"", open_item.version.unwrap()))]).await
                }
                "DELETE /api/v1/engagements/{eid}/gate/criteria/{cid}" => {
                    let p = path.replace("{eid}", &eid.to_string()).replace("{cid}", &spare.id.to_string());
                    t.call(Method::DELETE, &format!("{p}?reason=not%20needed"), Some(&c1), None, &[]).await
                }
                "POST /api/v1/engagements/{eid}/transitions" => {
                    // The criterion added above must be met first; that is its own audited call.
                    w.approve_business_case(&t, eid).await;
                    let g = t.app.gate(&sponsor, eid).await.unwrap();
                    for c in g.criteria.iter().filter(|c| c.editable && !c.met) {
                        t.app.update_gate_criterion(&sponsor, eid, c.id.parse().unwrap(), c.version.unwrap(), CriterionPatch { met: Some(true), ..Default::default() }).await.unwrap();
                    }
                    sign(&t, &sponsor, eid).await;
                    let before = t.audit_count().await;
                    let r = t.post(&path.replace("{eid}", &eid.to_string()), &c1, json!({"to_phase": "implementation", "reason": "Purchase signed"})).await;
                    assert_eq!(t.audit_count().await - before, 1, "{route}: {}", r.text);
                    assert!(r.status.is_success(), "{route}: {}", r.text);
                    continue;
                }
                "POST /api/v1/engagements/{eid}/gate/signatures" => t.post(&path.replace("{eid}", &eid.to_string()), &c1,
                    json!({"email": email("c1_admin"), "password": accord_test_support::PASSWORD, "meaning": "reviewed"})).await,
                "POST /api/v1/engagements/{eid}/cycles" => t.post(&path.replace("{eid}", &other.to_string()), &c1, json!({"trigger": "business_change", "reason": "New product line"})).await,
                "PUT /api/v1/engagements/{eid}/matrix/{role}" => t.call(Method::PUT, &path.replace("{eid}", &eid.to_string()).replace("{role}", "support_engineer"), Some(&v), Some(json!({"phases": ["operations"]})), &[("if-match", "\"1\"")]).await,
                "POST /api/v1/engagements/{eid}/roles" => t.post(&path.replace("{eid}", &eid.to_string()), &v, json!({"user_id": w.users["v_pm"], "role": "project_manager"})).await,
                "DELETE /api/v1/engagements/{eid}/roles/{id}" => t.call(Method::DELETE, &path.replace("{eid}", &eid.to_string()).replace("{id}", &role_id.to_string()), Some(&c1), None, &[]).await,
                other => panic!("no case for {other}"),
            };
            assert!(r.status.is_success() || r.status == StatusCode::NO_CONTENT, "{m} {path}: {} {}", r.status, r.text);
            assert_eq!(t.audit_count().await - before, 1, "{route} must write exactly one audit event");
        }
        assert!(t.app.verify_chains(None, None).await.unwrap().ok);
    }
}
