//! The requirement pages: write one down, clarify it, prioritise it (the form only for those
//! with authority), estimate and acknowledge it, and an edit from a stale page that loses nothing.

use accord_test_support::{backend_tests, email, TestApp, World};
use axum::http::{Method, StatusCode};

fn location(r: &accord_test_support::Resp) -> String {
    r.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

backend_tests! {
    async fn a_requirement_from_first_draft_to_a_decided_priority(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        w.assign(&t, "c1_fam", "functional_area_manager", Some("QC laboratory")).await;
        let eid = w.engagement;
        let user = t.page_login(email("c1_user")).await;
        let list = t.page(Method::GET, &format!("/engagements/{eid}/requirements"), Some(&user), None, &[]).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text);
        assert!(list.text.contains("<option value=\"QC laboratory\">QC laboratory</option>"), "the areas to choose from");
        // Bad input comes back with what was typed.
        let r = t.submit(&format!("/engagements/{eid}/requirements"), &user, &[("title", "Barcode at receipt"), ("statement", " "), ("functional_area", "QC laboratory")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("value=\"Barcode at receipt\""), "{}", r.text);
        let r = t.submit(&format!("/engagements/{eid}/requirements"), &user, &[("title", "Barcode at receipt"),
            ("statement", "Log every sample with its barcode at receipt"), ("functional_area", "QC laboratory"), ("source", "Workshop 1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let page = location(&r);
        let path = page.split('?').next().unwrap().to_string();
        let d = t.page(Method::GET, &page, Some(&user), None, &[]).await;
        assert!(d.text.contains("REQ-0001") && d.text.contains("The requirement was created."), "{}", d.text);
        // An end user is not offered the priority form.
        assert!(!d.text.contains("/priority\""), "{}", d.text);

        // The partner asks; the question ages; the customer answers.
        let vendor = t.page_login(email("v_pm")).await;
        let r = t.submit(&format!("{path}/clarifications"), &vendor, &[("question", "GS1-128 only, or DataMatrix too?")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        t.clock.advance(time::Duration::minutes(25));
        let d = t.page(Method::GET, &path, Some(&user), None, &[]).await;
        assert!(d.text.contains("GS1-128 only, or DataMatrix too?"), "{}", d.text);
        t.clock.advance(time::Duration::hours(3));
        let user = t.page_login(email("c1_user")).await;
        let d = t.page(Method::GET, &path, Some(&user), None, &[]).await;
        assert!(d.text.contains("Open for 3 hours"), "{}", d.text);
        let cid = d.text.split("/clarifications/").nth(1).unwrap().split('/').next().unwrap().to_string();
        let r = t.submit(&format!("{path}/clarifications/{cid}/answer"), &user, &[("answer", "Both")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);

        // Posting the priority anyway: 403 and nothing decided.
        let r = t.submit(&format!("{path}/priority"), &user, &[("priority", "must_have"), ("rationale", "I want it")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        // The area's manager sees the form and decides.
        let fam = t.page_login(email("c1_fam")).await;
        let d = t.page(Method::GET, &path, Some(&fam), None, &[]).await;
        assert!(d.text.contains(&format!("action=\"{path}/priority\"")), "{}", d.text);
        let r = t.submit(&format!("{path}/priority"), &fam, &[("priority", "must_have"), ("rationale", "First GMP record of a sample")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let d = t.page(Method::GET, &path, Some(&fam), None, &[]).await;
        assert!(d.text.contains("Must have") && d.text.contains("First GMP record of a sample"), "{}", d.text);

        // The partner estimates; the customer acknowledges.
        let vendor = t.page_login(email("v_pm")).await;
        let d = t.page(Method::GET, &path, Some(&vendor), None, &[]).await;
        assert!(d.text.contains(&format!("action=\"{path}/estimate\"")));
        let r = t.submit(&format!("{path}/estimate"), &vendor, &[("effort_days", "4,5"), ("cost", "3600"), ("currency", "eur"),
            ("feasibility", "feasible"), ("fit", "standard_process"), ("basis", "Two similar sites")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = t.submit(&format!("{path}/estimate/acknowledgement"), &user, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let list = t.page(Method::GET, &format!("/engagements/{eid}/requirements"), Some(&user), None, &[]).await;
        assert!(list.text.contains("REQ-0001") && list.text.contains("3600 EUR") && list.text.contains("100 %"), "{}", list.text);
        // A filtered list leaves the totals of everything out, and says where they are.
        let list = t.page(Method::GET, &format!("/engagements/{eid}/requirements?priority=must_have&q=barcode"), Some(&user), None, &[]).await;
        assert!(list.text.contains("REQ-0001") && !list.text.contains("3600 EUR") && list.text.contains("shown with the unfiltered list"), "{}", list.text);
        let none = t.page(Method::GET, &format!("/engagements/{eid}/requirements?priority=deferred"), Some(&user), None, &[]).await;
        assert!(!none.text.contains("REQ-0001") && none.text.contains("No requirement matches."), "{}", none.text);

        // Chinese.
        let d = t.page(Method::GET, &path, Some(&user), None, &[("accept-language", "zh-CN")]).await;
        assert!(d.text.contains("必须具备") && d.text.contains("澄清") && d.text.contains("估算"), "{}", d.text);
    }

    async fn an_edit_from_a_stale_page_shows_both_versions(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        w.assign(&t, "c1_fam", "functional_area_manager", Some("QC laboratory")).await;
        let eid = w.engagement;
        let a = t.page_login(email("c1_user")).await;
        let r = t.submit(&format!("/engagements/{eid}/requirements"), &a, &[("title", "CoA per batch"),
            ("statement", "Generate a CoA per batch"), ("functional_area", "QC laboratory")]).await;
        let path = location(&r).split('?').next().unwrap().to_string();
        let edit = |who: String, statement: &'static str, version: &'static str| {
            let t = &t;
            let path = path.clone();
            async move {
                t.submit(&path, &who, &[("version", version), ("title", "CoA per batch"), ("statement", statement),
                    ("functional_area", "QC laboratory"), ("status", "draft"), ("rationale", ""), ("source", ""), ("owner_id", "")]).await
            }
        };
        let b = t.page_login(email("c1_fam")).await;
        assert_eq!(edit(b, "Generate a CoA per batch in the market's template", "1").await.status, StatusCode::SEE_OTHER);
        // The first editor, still on version 1.
        let r = edit(a.clone(), "Generate and sign a CoA per released batch", "1").await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert!(r.text.contains("What you typed") && r.text.contains("Generate and sign a CoA per released batch")
            && r.text.contains("Generate a CoA per batch in the market&#39;s template"), "{}", r.text);
        // The form keeps the typing, based on the current version: submitting it again works.
        assert!(r.text.contains("name=\"version\" value=\"2\""), "{}", r.text);
        let r = edit(a, "Generate and sign a CoA per released batch", "2").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let versions = t.app.requirement_versions(&t.actor(email("c1_user")).await, eid, path.rsplit('/').next().unwrap().parse().unwrap()).await.unwrap();
        assert_eq!(versions.len(), 3);
    }
}
