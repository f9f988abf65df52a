//! The pages of the purchase cycle, the glossary, sessions, conflicts, trace links and bulk
//! edits: each form writes what it says, refusals keep what was typed, and the forms a person
//! may not use are not offered.

use accord_test_support::{backend_tests, email, TestApp, World};
use axum::http::{Method, StatusCode};

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
    w
}

backend_tests! {
    async fn the_business_case_page_lets_only_the_sponsor_approve(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = setup(&t).await;
        let eid = w.engagement;
        let fam = t.page_login(email("c1_fam")).await;
        let path = format!("/engagements/{eid}/purchase");
        let p = t.page(Method::GET, &path, Some(&fam), None, &[("accept-language", "en")]).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text);
        assert!(p.text.contains("No objectives yet"), "{}", p.text);
        // Refused: the typed values come back.
        let r = t.submit(&format!("{path}/objectives"), &fam, &[("form", "objective"), ("outcome", "Shorter OOS investigations"), ("metric", "Median days"), ("target", "7"), ("value_by", "next spring")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("value=\"Shorter OOS investigations\"") && r.text.contains("Value shown by"), "{}", r.text);
        let r = t.submit(&format!("{path}/objectives"), &fam, &[("form", "objective"), ("outcome", "Shorter OOS investigations"), ("metric", "Median days"), ("target", "7"), ("value_by", "2027-06-30")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let p = t.page(Method::GET, &path, Some(&fam), None, &[]).await;
        assert!(p.text.contains("OBJ-001") && p.text.contains("Proposed"), "{}", p.text);
        assert!(!p.text.contains("<option value=\"approved\""), "approval is not offered to a non-sponsor: {}", p.text);
        let sponsor = t.page_login(email("c1_sponsor")).await;
        let p = t.page(Method::GET, &path, Some(&sponsor), None, &[]).await;
        assert!(p.text.contains("<option value=\"approved\""), "{}", p.text);
        let oid = t.app.list_objectives(&t.actor(email("c1_sponsor")).await, eid).await.unwrap()[0].id;
        let r = t.submit(&format!("{path}/objectives/{oid}"), &fam, &[("status", "approved"), ("version", "1")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let r = t.submit(&format!("{path}/objectives/{oid}"), &sponsor, &[("status", "approved"), ("version", "1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        // An overdue step is flagged; a high risk without an owner is called out, in Chinese too.
        let r = t.submit(&format!("{path}/steps"), &fam, &[("form", "step"), ("customer_step", "Vendor audit"), ("partner_step", "Audit hosting"), ("due_on", "2001-02-03")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = t.submit(&format!("{path}/insights"), &fam, &[("form", "insight"), ("kind", "risk"), ("title", "Key user leaves"), ("severity", "high")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let p = t.page(Method::GET, &path, Some(&fam), None, &[]).await;
        assert!(p.text.contains("1 steps are overdue") && p.text.contains("class=\"overdue\"") && p.text.contains("Open high risk without an owner"), "{}", p.text);
        let p = t.page(Method::GET, &path, Some(&fam), None, &[("cookie", "accord_lang=zh-CN")]).await;
        assert!(p.text.contains("业务案例目标") && p.text.contains("已逾期") && p.text.contains("未指定负责人的未关闭高风险"), "{}", p.text);
        let g = t.page(Method::GET, &format!("/engagements/{eid}/gate"), Some(&fam), None, &[("accept-language", "zh-CN")]).await;
        assert!(g.text.contains("没有负责人：INS-001"), "{}", g.text);
    }

    async fn the_glossary_links_terms_in_requirement_text_and_tracks_the_partners_reading(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = setup(&t).await;
        let eid = w.engagement;
        let fam = t.page_login(email("c1_fam")).await;
        let g = format!("/engagements/{eid}/glossary");
        let r = t.submit(&g, &fam, &[("form", "term"), ("term", "OOS"), ("definition", "Out of specification: a result outside its acceptance criteria."), ("functional_area", "QC laboratory"), ("synonyms", "out of specification, 超标"), ("lang", "en")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = t.submit(&g, &fam, &[("form", "term"), ("term", "oos"), ("definition", "again")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("value=\"oos\""), "{}", r.text);
        let p = t.page(Method::GET, &g, Some(&fam), None, &[]).await;
        assert!(p.text.contains("Not yet acknowledged by the partner") && p.text.contains("v_pm person"), "{}", p.text);
        assert!(!p.text.contains("/acknowledge\""), "the customer is not offered the acknowledgement: {}", p.text);
        let pm = t.page_login(email("v_pm")).await;
        let p = t.page(Method::GET, &g, Some(&pm), None, &[]).await;
        let tid = p.text.split("/glossary/").nth(1).unwrap().split('/').next().unwrap().to_string();
        // A page read before the wording changed does not acknowledge the new wording.
        let r = t.submit(&format!("{g}/{tid}/acknowledge"), &pm, &[("version", "0")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        let r = t.submit(&format!("{g}/{tid}/acknowledge"), &pm, &[("version", "1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let p = t.page(Method::GET, &g, Some(&fam), None, &[]).await;
        assert!(p.text.contains("The partner&#39;s team has acknowledged every term") || p.text.contains("The partner's team has acknowledged every term"), "{}", p.text);

        // Requirement text links the term (and its synonyms) with the definition on hover or focus.
        let req = t.app.create_requirement(&t.actor(email("c1_fam")).await, eid, accord_app::requirement::NewRequirement {
            title: "Flag OOS".into(), statement: "Flag every oos result; an out of specification result blocks release.".into(), functional_area: "QC laboratory".into(), ..Default::default()
        }).await.unwrap();
        let d = t.page(Method::GET, &format!("/engagements/{eid}/requirements/{}", req.id), Some(&fam), None, &[]).await;
        assert_eq!(d.text.matches("class=\"term\"").count(), 2, "{}", d.text);
        assert!(d.text.contains(&format!("href=\"/engagements/{eid}/glossary#term-{tid}\"")) && d.text.contains("role=\"tooltip\"") && d.text.contains("aria-describedby=\"def-"), "{}", d.text);
        assert!(d.text.contains("acceptance criteria"), "the definition is on the page: {}", d.text);
    }

    async fn sessions_conflicts_links_and_bulk_edits_through_their_forms(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = setup(&t).await;
        let eid = w.engagement;
        let fam_actor = t.actor(email("c1_fam")).await;
        let new = |title: &'static str, area: &'static str| accord_app::requirement::NewRequirement {
            title: title.into(), statement: format!("The system shall {title}."), functional_area: area.into(), ..Default::default()
        };
        let a = t.app.create_requirement(&fam_actor, eid, new("flag OOS results", "QC laboratory")).await.unwrap();
        let b = t.app.create_requirement(&fam_actor, eid, new("keep pulls on schedule", "Stability")).await.unwrap();
        let user = t.page_login(email("c1_user")).await;
        // A session with two attendees (ticked boxes) and the requirements it produced, by key.
        let fam_id = w.users["c1_fam"].to_string();
        let pm_id = w.users["v_pm"].to_string();
        let r = t.submit(&format!("/engagements/{eid}/sessions"), &user, &[("form", "session"), ("kind", "workshop"), ("title", "Results review"),
            ("held_at", "2026-11-20T09:30"), ("attendee", &fam_id), ("attendee", &pm_id), ("requirements", "REQ-0009")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("REQ-0009") && r.text.contains(&format!("value=\"{pm_id}\" checked")), "the ticks are kept: {}", r.text);
        let r = t.submit(&format!("/engagements/{eid}/sessions"), &user, &[("form", "session"), ("kind", "workshop"), ("title", "Results review"),
            ("held_at", "2026-11-20T09:30"), ("attendee", &fam_id), ("attendee", &pm_id), ("requirements", "req-0001, REQ-0002")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let p = t.page(Method::GET, &format!("/engagements/{eid}/sessions"), Some(&user), None, &[]).await;
        assert!(p.text.contains("SES-001") && p.text.contains("Functional area manager") && p.text.contains("Project manager"), "{}", p.text);

        // A link from the requirement page.
        let path = format!("/engagements/{eid}/requirements/{}", a.id);
        let r = t.submit(&format!("{path}/links"), &user, &[("form", "link"), ("kind", "depends_on"), ("other", "REQ-0002")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let d = t.page(Method::GET, &path, Some(&user), None, &[]).await;
        assert!(d.text.contains("REQ-0001 depends on") && d.text.contains("SES-001"), "{}", d.text);

        // A conflict; only someone with authority sees the resolution form.
        let r = t.submit(&format!("/engagements/{eid}/conflicts"), &user, &[("form", "conflict"), ("requirement_a", "REQ-0001"), ("requirement_b", "REQ-0002"), ("description", "Same analyst slot")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let p = t.page(Method::GET, &format!("/engagements/{eid}/conflicts"), Some(&user), None, &[]).await;
        assert!(p.text.contains("CON-001") && !p.text.contains("/resolution\""), "{}", p.text);
        let owner = t.page_login(email("c1_owner")).await;
        let p = t.page(Method::GET, &format!("/engagements/{eid}/conflicts"), Some(&owner), None, &[]).await;
        let cid = p.text.split("/conflicts/").nth(1).unwrap().split('/').next().unwrap().to_string();
        let r = t.submit(&format!("/engagements/{eid}/conflicts/{cid}/resolution"), &owner, &[("resolution", "Pulls keep their slot"), ("version", "1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);

        // Bulk: both ticked at the versions the list showed.
        let list = t.page(Method::GET, &format!("/engagements/{eid}/requirements"), Some(&user), None, &[]).await;
        assert!(list.text.contains(&format!("value=\"{}:1\"", a.id)), "{}", list.text);
        let (sa, sb) = (format!("{}:1", a.id), format!("{}:1", b.id));
        let r = t.submit(&format!("/engagements/{eid}/requirements/bulk"), &user, &[("sel", &sa), ("sel", &sb), ("status", "in_clarification"), ("functional_area", ""), ("owner_id", "")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        for id in [a.id, b.id] {
            let d = t.app.requirement(&fam_actor, eid, id).await.unwrap();
            assert_eq!((d.requirement.status.as_str(), d.requirement.version), ("in_clarification", 2));
        }
        // The same ticks again are stale: 409, nothing changes.
        let r = t.submit(&format!("/engagements/{eid}/requirements/bulk"), &user, &[("sel", &sa), ("sel", &sb), ("status", "draft")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(t.app.requirement(&fam_actor, eid, a.id).await.unwrap().requirement.status, "in_clarification");
    }
}
