//! CSRF (RELIABILITY.md S7): every state-changing request made with the session cookie needs the
//! session's token and must come from this site. The forms are found by reading the pages
//! themselves and the API routes from the OpenAPI document, so a form or route added later is
//! covered without anyone remembering to.

use accord_test_support::{backend_tests, email, TestApp, World};
use axum::http::{Method, StatusCode};

/// The `action` of every POST form in a page.
fn post_actions(html: &str) -> Vec<String> {
    html.split("<form")
        .skip(1)
        .filter(|f| {
            f.split('>')
                .next()
                .unwrap_or("")
                .contains("method=\"post\"")
        })
        .filter_map(|f| {
            let start = f.find("action=\"")? + 8;
            let end = start + f[start..].find('"')?;
            Some(f[start..end].replace("&amp;", "&"))
        })
        .collect()
}

backend_tests! {
    async fn every_form_refuses_a_post_without_the_sessions_token(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        w.assign(&t, "c1_fam", "functional_area_manager", Some("QC laboratory")).await;
        let admin = t.actor(email("c1_admin")).await;
        t.app.assign_role(&admin, w.engagement, accord_app::role::NewAssignment { user_id: w.users["c1_admin"], role: "business_process_owner".into(), functional_area: None }).await.unwrap();
        let eid = w.engagement;
        let req = t.app.create_requirement(&admin, eid, accord_app::requirement::NewRequirement {
            title: "Barcode".into(), statement: "Barcode at receipt".into(), functional_area: "QC laboratory".into(), ..Default::default()
        }).await.unwrap();
        t.app.ask_clarification(&admin, eid, req.id, "Which symbology?").await.unwrap();
        let s = t.page_login(email("c1_admin")).await;
        let mut actions = std::collections::BTreeSet::new();
        for page in ["/engagements".to_string(), format!("/engagements/{eid}"), format!("/engagements/{eid}/roles"),
                     format!("/engagements/{eid}/gate"), format!("/engagements/{eid}/audit"), "/account".into(), "/organisation".into(),
                     format!("/engagements/{eid}/requirements"), format!("/engagements/{eid}/requirements/{}", req.id)] {
            let r = t.page(Method::GET, &page, Some(&s), None, &[]).await;
            assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.text);
            actions.extend(post_actions(&r.text));
        }
        // The pages offer every kind of form there is; if one disappears, this list says so.
        for kind in ["/logout", "/notes", "/roles", "/retire", "/gate/criteria", "/gate/sign", "/gate/pass", "/account/password", "/password", "/access", "/requirements", "/priority", "/clarifications", "/answer"] {
            assert!(actions.iter().any(|a| a.ends_with(kind) || a.contains(&format!("{kind}/"))), "no form for {kind}: {actions:?}");
        }
        let good = accord_app::auth::csrf_token(&s);
        let before = t.audit_count().await;
        for action in &actions {
            for (case, token, origin) in [("no token", None, "http://accord.test"), ("a wrong token", Some("0".repeat(64)), "http://accord.test"),
                                          ("another site", Some(good.clone()), "http://evil.example")] {
                let mut fields = vec![("body", "x"), ("text", "x"), ("reason", "x"), ("role", "end_user")];
                if let Some(tok) = &token {
                    fields.push(("csrf", tok.as_str()));
                }
                let r = t.page(Method::POST, action, Some(&s), Some(&fields), &[("origin", origin)]).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{action} with {case}: {}", r.text);
            }
        }
        assert_eq!(t.audit_count().await, before, "a refused form changes nothing");
        // The session itself is still good: the refusals were about the forms.
        assert_eq!(t.page(Method::GET, "/engagements", Some(&s), None, &[]).await.status, StatusCode::OK);
    }

    async fn the_api_with_the_cookie_needs_the_token_header_too(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let s = t.page_login(email("c1_admin")).await;
        let good = accord_app::auth::csrf_token(&s);
        let doc = t.call(Method::GET, "/api/v1/openapi.json", None, None, &[]).await.body;
        let before = t.audit_count().await;
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if method == "get" || path == "/api/v1/auth/login" {
                    continue;
                }
                let concrete = path.replace("{eid}", &w.engagement.to_string()).replace("{cid}", &uuid::Uuid::nil().to_string())
                    .replace("{id}", &w.users["c1_user"].to_string()).replace("{role}", "end_user").replace("{rid}", &uuid::Uuid::nil().to_string());
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                for (case, headers) in [
                    ("no token", vec![("origin", "http://accord.test")]),
                    ("a wrong token", vec![("origin", "http://accord.test"), ("x-csrf-token", "nope")]),
                    ("another site", vec![("origin", "http://evil.example"), ("x-csrf-token", good.as_str())]),
                ] {
                    let mut hs = headers.clone();
                    hs.push(("content-type", "application/json"));
                    let r = t.page(m.clone(), &concrete, Some(&s), None, &hs).await;
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path} with {case}: {}", r.text);
                    checked += 1;
                }
            }
        }
        assert!(checked >= 3 * 15, "only {checked} checks");
        assert_eq!(t.audit_count().await, before);
        // With the header, the cookie works for the API: a page's script-free fetch is not
        // needed, but a tool reusing the browser's session can.
        let r = t.page(Method::POST, &format!("/api/v1/engagements/{}/notes", w.engagement), Some(&s), None,
            &[("origin", "http://accord.test"), ("x-csrf-token", good.as_str())]).await;
        assert_ne!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    }
}
