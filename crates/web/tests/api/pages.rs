//! The web pages: what a person sees and does in the browser, in English and Chinese, and what
//! a person of another organisation does not see.

use accord_test_support::{backend_tests, email, TestApp, World, PASSWORD};
use axum::http::{Method, StatusCode};

fn engagement_pages(eid: uuid::Uuid) -> Vec<String> {
    vec![
        format!("/engagements/{eid}"),
        format!("/engagements/{eid}/roles"),
        format!("/engagements/{eid}/gate"),
        format!("/engagements/{eid}/audit"),
        format!("/engagements/{eid}/audit?verify=1"),
        format!("/engagements/{eid}/requirements"),
    ]
}

backend_tests! {
    async fn every_page_needs_a_session(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let mut pages = engagement_pages(w.engagement);
        pages.extend(["/engagements".to_string(), "/account".into(), "/organisation".into(), "/".into()]);
        for p in pages {
            let r = t.page(Method::GET, &p, None, None, &[]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{p}");
            let to = r.headers.get("location").unwrap().to_str().unwrap();
            assert!(to.starts_with("/login"), "{p} → {to}");
        }
        // The public allow-list: the sign-in page, health and the stylesheet.
        for p in ["/login", "/healthz", "/static/app.css"] {
            assert_eq!(t.page(Method::GET, p, None, None, &[]).await.status, StatusCode::OK, "{p}");
        }
    }

    async fn pages_carry_the_security_headers(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let s = t.page_login(email("c1_admin")).await;
        for p in engagement_pages(w.engagement).into_iter().chain(["/engagements".to_string(), "/login".into()]) {
            let r = t.page(Method::GET, &p, Some(&s), None, &[]).await;
            assert_eq!(r.status, StatusCode::OK, "{p}: {}", r.text);
            let h = |n: &str| r.headers.get(n).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
            let csp = h("content-security-policy");
            assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{p}: {csp}");
            assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"), "{p}: no script may run: {csp}");
            assert_eq!(h("x-frame-options"), "DENY");
            assert_eq!(h("cache-control"), "no-store", "{p}");
            assert_eq!(h("referrer-policy"), "same-origin", "nothing is sent to other sites");
            assert!(h("content-type").starts_with("text/html"));
            assert!(!r.text.contains("<script"), "{p} has a script tag");
        }
    }

    async fn a_party_sees_its_engagement_and_others_see_nothing(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let mine = t.page_login(email("c1_user")).await;
        let list = t.page(Method::GET, "/engagements", Some(&mine), None, &[]).await;
        assert!(list.text.contains("C1-LIMS") && list.text.contains("C1 LIMS"), "{}", list.text);
        for who in ["c2_admin", "w_admin"] {
            let s = t.page_login(email(who)).await;
            let list = t.page(Method::GET, "/engagements", Some(&s), None, &[]).await;
            assert_eq!(list.status, StatusCode::OK);
            assert!(!list.text.contains("C1-LIMS"), "{who} sees the engagement in the list");
            for p in engagement_pages(w.engagement) {
                let r = t.page(Method::GET, &p, Some(&s), None, &[]).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} {p}");
                assert!(!r.text.contains("C1 LIMS") && !r.text.contains("Customer One"), "{who} {p} leaked");
            }
        }
    }

    async fn assign_a_role_pass_a_gate_with_a_signature(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let eid = w.engagement;
        let s = t.page_login(email("c1_admin")).await;
        // The overview shows the phase, the gate and the gaps.
        let o = t.page(Method::GET, &format!("/engagements/{eid}"), Some(&s), None, &[("accept-language", "en")]).await;
        assert!(o.text.contains("Purchase cycle") && o.text.contains("Gate to Implementation cycle"), "{}", o.text);
        assert!(o.text.contains("class=\"gap\""), "gaps are highlighted");
        // Assign the five roles the implementation cycle needs, through the roles page's form.
        for (who, role, area) in [("c1_sponsor", "executive_sponsor", ""), ("c1_bpo", "business_process_owner", ""),
                                  ("c1_owner", "system_owner", ""), ("c1_sysadmin", "system_administrator", ""),
                                  ("c1_fam", "functional_area_manager", "QC laboratory")] {
            let uid = w.users[who].to_string();
            let r = t.submit(&format!("/engagements/{eid}/roles"), &s, &[("user_id", &uid), ("role", role), ("functional_area", area)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{role}: {}", r.text);
        }
        let roles = t.page(Method::GET, &format!("/engagements/{eid}/roles?done=role-assigned"), Some(&s), None, &[]).await;
        assert!(roles.text.contains("The role was assigned.") && roles.text.contains("c1_fam person") && roles.text.contains("QC laboratory"), "{}", roles.text);
        // A functional area manager without an area: refused, and what was chosen is kept.
        let uid = w.users["c1_user"].to_string();
        let r = t.submit(&format!("/engagements/{eid}/roles"), &s, &[("user_id", &uid), ("role", "functional_area_manager"), ("functional_area", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("Functional area") && r.text.contains(&format!("value=\"{uid}\" selected")), "{}", r.text);

        // The gate: moving on is refused while the checklist is open, naming what is unmet.
        let reason = "Steering committee decision of 27 November";
        let r = t.submit(&format!("/engagements/{eid}/gate/pass"), &s, &[("form", "pass"), ("to_phase", "implementation"), ("reason", reason)]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert!(r.text.contains("The gate is not passed") && r.text.contains("Approved with an electronic signature"), "{}", r.text);
        assert!(r.text.contains(reason), "the typed reason is kept: {}", r.text);
        // The business case is approved by the sponsor; then meet the checklist through its forms.
        w.approve_business_case(&t, eid).await;
        let gate = t.app.gate(&t.actor(email("c1_admin")).await, eid).await.unwrap();
        for c in gate.criteria.iter().filter(|c| c.editable && !c.met) {
            let v = c.version.unwrap().to_string();
            let r = t.submit(&format!("/engagements/{eid}/gate/criteria/{}", c.id), &s, &[("met", "true"), ("version", &v), ("evidence", "minutes")]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        }
        // A stale checklist form: 409, the page shows the current state.
        let c = gate.criteria.iter().find(|c| c.editable).unwrap();
        let r = t.submit(&format!("/engagements/{eid}/gate/criteria/{}", c.id), &s, &[("met", "false"), ("version", &c.version.unwrap().to_string())]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        // Sign: a wrong password records nothing but the failure.
        let gate = t.app.gate(&t.actor(email("c1_admin")).await, eid).await.unwrap();
        let sign = |pw: &'static str| {
            let hash = gate.content_hash.clone();
            let s = s.clone();
            let t = &t;
            async move {
                t.submit(&format!("/engagements/{eid}/gate/sign"), &s, &[("form", "sign"), ("email", email("c1_admin")), ("password", pw),
                    ("meaning", "approved"), ("reason", "ready for implementation"), ("content_hash", &hash)]).await
            }
        };
        let r = sign("not my password at all").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("ready for implementation"), "the reason typed is kept");
        assert!(!r.text.contains("not my password at all"), "a password is never sent back");
        // A failed attempt slows the next one down (the sign-in throttle); wait it out.
        t.clock.advance(time::Duration::seconds(2));
        assert!(t.app.list_signatures(&t.actor(email("c1_admin")).await, eid, None).await.unwrap().is_empty());
        let r = sign(PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let s = accord_test_support::set_cookie_value(&r, accord_test_support::SESSION_COOKIE).unwrap();
        let g = t.page(Method::GET, &format!("/engagements/{eid}/gate"), Some(&s), None, &[]).await;
        // The manifestation: printed name, meaning, UTC time, and that it covers the content.
        assert!(g.text.contains("c1_admin person") && g.text.contains("Approved") && g.text.contains("UTC") && g.text.contains("covers the current content"), "{}", g.text);
        let r = t.submit(&format!("/engagements/{eid}/gate/pass"), &s, &[("form", "pass"), ("to_phase", "implementation"), ("reason", reason)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let o = t.page(Method::GET, &format!("/engagements/{eid}"), Some(&s), None, &[]).await;
        assert!(o.text.contains("aria-current=\"step\">Implementation cycle"), "{}", o.text);
        // The audit page lists it and verifies the chain.
        let a = t.page(Method::GET, &format!("/engagements/{eid}/audit?verify=1"), Some(&s), None, &[]).await;
        assert!(a.text.contains("Phase changed") && a.text.contains("Signed") && a.text.contains("The chain is intact"), "{}", a.text);
    }

    async fn chinese_from_the_browser_or_the_switch(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        w.assign(&t, "c1_sponsor", "executive_sponsor", None).await;
        let s = t.page_login(email("c1_admin")).await;
        let eid = w.engagement;
        let zh = [("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")];
        let o = t.page(Method::GET, &format!("/engagements/{eid}"), Some(&s), None, &zh).await;
        assert!(o.text.contains("<html lang=\"zh-CN\">"));
        for term in ["购买周期", "实施周期", "正在进行的运营和维护", "执行赞助商", "业务流程所有者", "系统所有者", "系统管理员", "职能区域经理"] {
            assert!(o.text.contains(term), "{term} missing");
        }
        // The switch: a cookie that wins over the browser's preference, and back where we were.
        let r = t.page(Method::GET, &format!("/lang?to=en&next=/engagements/{eid}"), Some(&s), None, &zh).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.headers.get("location").unwrap(), &format!("/engagements/{eid}"));
        let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
        let both = format!("{}={s}; {cookie}", accord_test_support::SESSION_COOKIE);
        let o = t.page(Method::GET, &format!("/engagements/{eid}"), None, None, &[("accept-language", "zh-CN"), ("cookie", &both)]).await;
        assert!(o.text.contains("<html lang=\"en\">") && o.text.contains("Purchase cycle"), "{}", o.text);
        // An open redirect is not a language switch.
        for evil in ["//evil.example/x", "/%09/evil.example", "/%5Cevil.example", "https://evil.example", "/%0A/evil.example"] {
            let r = t.page(Method::GET, &format!("/lang?to=zh-CN&next={evil}"), Some(&s), None, &[]).await;
            assert_eq!(r.headers.get("location").unwrap(), "/engagements", "{evil}");
        }
        // Errors in Chinese too: a refused transition and a field error.
        let r = t.submit(&format!("/engagements/{eid}/gate/pass"), &s, &[("to_phase", "implementation"), ("reason", "")]).await;
        let r2 = t.page(Method::POST, &format!("/engagements/{eid}/gate/pass"), Some(&s),
            Some(&[("csrf", &accord_app::auth::csrf_token(&s)), ("to_phase", "implementation"), ("reason", "准备就绪")]),
            &[("accept-language", "zh-CN"), ("origin", "http://accord.test")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r2.status, StatusCode::CONFLICT);
        assert!(r2.text.contains("未通过阶段关口") && r2.text.contains("已通过涵盖当前关口内容的电子签名批准"), "{}", r2.text);
        let r3 = t.page(Method::POST, &format!("/engagements/{eid}/gate/pass"), Some(&s),
            Some(&[("csrf", &accord_app::auth::csrf_token(&s)), ("to_phase", "implementation"), ("reason", "")]),
            &[("accept-language", "zh-CN"), ("origin", "http://accord.test")]).await;
        assert!(r3.text.contains("原因") && r3.text.contains("不能为空"), "{}", r3.text);
        // Signed out, the sign-in page follows the browser too.
        let l = t.page(Method::GET, "/login", None, None, &zh).await;
        assert!(l.text.contains("登录") && l.text.contains("电子邮件"));
    }

    async fn text_people_typed_is_shown_as_text(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let s = t.page_login(email("c1_admin")).await;
        let eid = w.engagement;
        let payload = "<script>alert('x')</script><img src=x onerror=alert(1)>\"'&";
        let r = t.submit(&format!("/engagements/{eid}/notes"), &s, &[("body", payload)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let r = t.submit(&format!("/engagements/{eid}/gate/criteria"), &s, &[("text", payload)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        for p in [format!("/engagements/{eid}"), format!("/engagements/{eid}/gate")] {
            let page = t.page(Method::GET, &p, Some(&s), None, &[]).await;
            assert!(!page.text.contains("<script>alert") && !page.text.contains("<img src=x"), "{p} renders markup from input");
            let decoded = page.text.replace("&#60;", "<").replace("&#62;", ">").replace("&#39;", "'").replace("&#34;", "\"").replace("&#38;", "&");
            assert!(decoded.contains(payload), "{p} shows the text as typed: {}", page.text);
        }
    }
}
