//! Role assignments, the role-phase matrix and coverage.

use accord_test_support::{backend_tests, email, TestApp, World};
use axum::http::{Method, StatusCode};
use serde_json::json;

fn gaps(cov: &serde_json::Value, phase: &str) -> Vec<String> {
    cov["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phase"] == phase)
        .unwrap()["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap().to_string())
        .collect()
}

backend_tests! {
    async fn org_admins_manage_their_own_people(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let roles = format!("/api/v1/engagements/{}/roles", w.engagement);
        let c1_admin = t.login(email("c1_admin")).await;
        let v_admin = t.login(email("v_admin")).await;
        let c1_user = t.login(email("c1_user")).await;
        let sponsor = w.users["c1_sponsor"];

        let before = t.audit_count().await;
        let r = t.post(&roles, &c1_user, json!({"user_id": sponsor, "role": "executive_sponsor"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "a member is no admin: {}", r.text);
        let r = t.post(&roles, &v_admin, json!({"user_id": sponsor, "role": "executive_sponsor"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "the partner's admin cannot manage the customer's people: {}", r.text);
        assert_eq!(t.audit_count().await, before);

        let r = t.post(&roles, &c1_admin, json!({"user_id": sponsor, "role": "executive_sponsor"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let assignment = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(t.audit_count().await, before + 1);
        // The same person may hold several roles.
        let r = t.post(&roles, &c1_admin, json!({"user_id": sponsor, "role": "business_process_owner"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        let r = t.post(&roles, &c1_admin, json!({"user_id": sponsor, "role": "executive_sponsor"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "the same role twice: {}", r.text);

        // A customer role cannot go to the partner's people, and vice versa.
        let r = t.post(&roles, &v_admin, json!({"user_id": w.users["v_pm"], "role": "system_owner"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["errors"][0]["field"], "role");
        let r = t.post(&roles, &v_admin, json!({"user_id": w.users["v_pm"], "role": "project_manager"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

        // A functional area manager names the area; nobody else does.
        let r = t.post(&roles, &c1_admin, json!({"user_id": w.users["c1_fam"], "role": "functional_area_manager"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("functional_area")));
        let r = t.post(&roles, &c1_admin, json!({"user_id": w.users["c1_user"], "role": "end_user", "functional_area": "QC"})).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("functional_area")));
        let r = t.post(&roles, &c1_admin, json!({"user_id": w.users["c1_fam"], "role": "functional_area_manager", "functional_area": "Stability"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(r.body["functional_area"], "Stability");

        // People of another customer are not found in this engagement.
        let r = t.post(&roles, &c1_admin, json!({"user_id": w.users["c2_member"], "role": "end_user"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Retiring keeps the record, and only the person's own admin may do it.
        let r = t.call(Method::DELETE, &format!("{roles}/{assignment}"), Some(&v_admin), None, &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t.call(Method::DELETE, &format!("{roles}/{assignment}?reason=Left%20the%20company"), Some(&c1_admin), None, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["retired"], true);
        let active = t.get(&roles, &c1_admin).await;
        assert!(!active.text.contains(&assignment));
        let all = t.get(&format!("{roles}?include_retired=true"), &c1_admin).await;
        assert!(all.text.contains(&assignment));
    }

    async fn coverage_lists_required_roles_without_holder(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let tok = t.login(email("c1_admin")).await;
        let path = format!("/api/v1/engagements/{}/coverage", w.engagement);
        let cov = t.get(&path, &tok).await.body;
        assert_eq!(gaps(&cov, "purchase"), ["executive_sponsor", "business_process_owner", "system_owner"]);
        assert_eq!(gaps(&cov, "operations"), ["executive_sponsor", "business_process_owner", "system_owner", "system_administrator", "end_user"]);
        w.assign(&t, "c1_sponsor", "executive_sponsor", None).await;
        w.assign(&t, "c1_sponsor", "system_owner", None).await;
        let cov = t.get(&path, &tok).await.body;
        assert_eq!(gaps(&cov, "purchase"), ["business_process_owner"]);
        let purchase = cov["phases"].as_array().unwrap().iter().find(|p| p["phase"] == "purchase").unwrap();
        let sponsor = purchase["roles"].as_array().unwrap().iter().find(|r| r["role"] == "executive_sponsor").unwrap();
        assert_eq!(sponsor["holders"][0]["name"], "c1_sponsor person");
        assert_eq!(sponsor["missing"], false);
        // A disabled account holds no role.
        let admin = t.actor(email("c1_admin")).await;
        t.app.set_user_disabled(&admin, w.users["c1_sponsor"], true, "on leave").await.unwrap();
        let cov = t.get(&path, &tok).await.body;
        assert_eq!(gaps(&cov, "purchase"), ["executive_sponsor", "business_process_owner", "system_owner"]);
    }

    async fn the_matrix_is_editable_per_engagement(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let tok = t.login(email("v_admin")).await;
        let m = t.get(&format!("/api/v1/engagements/{}/matrix", w.engagement), &tok).await;
        let pm = m.body["items"].as_array().unwrap().iter().find(|r| r["role"] == "project_manager").unwrap().clone();
        assert_eq!(pm["phases"], json!([]));
        let path = format!("/api/v1/engagements/{}/matrix/project_manager", w.engagement);
        let v = format!("\"{}\"", pm["version"]);
        let r = t.call(Method::PUT, &path, Some(&tok), Some(json!({"phases": ["implementation"]})), &[]).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
        let r = t.call(Method::PUT, &path, Some(&tok), Some(json!({"phases": ["implementation", "purchase"]})), &[("if-match", &v)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["phases"], json!(["purchase", "implementation"]));
        let r = t.call(Method::PUT, &path, Some(&tok), Some(json!({"phases": []})), &[("if-match", &v)]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "stale: {}", r.text);
        let cov = t.get(&format!("/api/v1/engagements/{}/coverage", w.engagement), &tok).await.body;
        assert!(gaps(&cov, "purchase").contains(&"project_manager".to_string()));
        let r = t.call(Method::PUT, &format!("/api/v1/engagements/{}/matrix/chief_wizard", w.engagement), Some(&tok), Some(json!({"phases": []})), &[("if-match", "\"1\"")]).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("role")));
        let r = t.call(Method::PUT, &path, Some(&tok), Some(json!({"phases": ["go-live"]})), &[("if-match", "\"2\"")]).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("phases[0]")));
    }
}
