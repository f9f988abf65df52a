//! Browser sessions (RELIABILITY.md S4): cookie flags, a new session at every sign-in and
//! re-authentication, logout, idle and absolute expiry, password change, disabled accounts, and a
//! form whose session ended on the way.

use accord_test_support::{
    backend_tests, email, set_cookie_value, TestApp, World, LOGIN_COOKIE, PASSWORD, SESSION_COOKIE,
};
use axum::http::{Method, StatusCode};

fn location(r: &accord_test_support::Resp) -> String {
    r.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Whether a page request with this session is let in (200) or sent to sign in (303 to /login).
async fn let_in(t: &TestApp, session: &str) -> bool {
    let r = t
        .page(Method::GET, "/engagements", Some(session), None, &[])
        .await;
    match r.status {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(location(&r).starts_with("/login?next="), "{}", location(&r));
            false
        }
        other => panic!("unexpected {other}: {}", r.text),
    }
}

backend_tests! {
    async fn the_session_cookie_is_host_only_secure_and_httponly(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        let form = t.page(Method::GET, "/login", None, None, &[]).await;
        assert_eq!(form.status, StatusCode::OK);
        let token = set_cookie_value(&form, LOGIN_COOKIE).unwrap();
        let cookie = format!("{LOGIN_COOKIE}={token}");
        let r = t.page(Method::POST, "/login", None,
            Some(&[("token", &token), ("email", email("c1_admin")), ("password", PASSWORD), ("next", "/engagements")]),
            &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(location(&r), "/engagements");
        let set = r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with(&format!("{SESSION_COOKIE}="))).expect("session cookie");
        for flag in ["; Path=/", "; HttpOnly", "; SameSite=Lax", "; Secure"] {
            assert!(set.contains(flag), "{set} lacks {flag}");
        }
        assert!(!set.to_ascii_lowercase().contains("domain="), "a __Host- cookie has no Domain: {set}");
        // At least 128 bits from the CSPRNG: 32 bytes, base64url.
        let value = set_cookie_value(&r, SESSION_COOKIE).unwrap();
        assert!(value.len() >= 43, "{value}");
    }

    async fn sign_in_needs_the_forms_own_token(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        let before = t.audit_count().await;
        // No cookie, or a token that is not the cookie's: a login CSRF, refused before any check.
        for (cookie, token) in [("", "abc"), ("__Host-accord_login=abc", "abd")] {
            let r = t.page(Method::POST, "/login", None,
                Some(&[("token", token), ("email", email("c1_admin")), ("password", PASSWORD)]),
                &[("cookie", cookie)]).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
            assert!(set_cookie_value(&r, SESSION_COOKIE).is_none());
        }
        assert_eq!(t.audit_count().await, before, "a refused form signs nobody in");
    }

    async fn a_new_session_at_sign_in_and_the_old_one_ends(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        let first = t.page_login(email("c1_admin")).await;
        // Signing in again with the old cookie still in the browser: a new id, the old one dead
        // (no session fixation).
        let form = t.page(Method::GET, "/login", None, None, &[]).await;
        let token = set_cookie_value(&form, LOGIN_COOKIE).unwrap();
        let cookie = format!("{LOGIN_COOKIE}={token}; {SESSION_COOKIE}={first}");
        let r = t.page(Method::POST, "/login", None,
            Some(&[("token", &token), ("email", email("c1_admin")), ("password", PASSWORD)]),
            &[("cookie", &cookie)]).await;
        let second = set_cookie_value(&r, SESSION_COOKIE).unwrap();
        assert_ne!(first, second);
        assert!(!let_in(&t, &first).await, "the pre-login session must not survive the sign-in");
        assert!(let_in(&t, &second).await);
    }

    async fn logout_ends_the_session_for_good(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        let s = t.page_login(email("c1_admin")).await;
        assert!(let_in(&t, &s).await);
        let r = t.submit("/logout", &s, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.headers.get_all("set-cookie").iter().any(|c| c.to_str().unwrap().contains("Max-Age=0")));
        // Replaying the cookie: the page sends to sign-in, the API says 401.
        assert!(!let_in(&t, &s).await);
        let api = t.page(Method::GET, "/api/v1/me", Some(&s), None, &[]).await;
        assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    }

    async fn idle_and_absolute_expiry(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        // Idle: 30 minutes without a request ends it.
        let s = t.page_login(email("c1_admin")).await;
        t.clock.advance(time::Duration::minutes(29));
        assert!(let_in(&t, &s).await, "29 minutes idle is within the limit");
        t.clock.advance(time::Duration::minutes(29));
        assert!(let_in(&t, &s).await, "use renews the idle limit");
        t.clock.advance(time::Duration::minutes(30) + time::Duration::seconds(1));
        assert!(!let_in(&t, &s).await, "30 minutes idle ends the session");

        // Absolute: 12 hours after sign-in, however busy.
        let s = t.page_login(email("c1_admin")).await;
        for _ in 0..(12 * 3 - 1) {
            t.clock.advance(time::Duration::minutes(20));
            assert!(let_in(&t, &s).await);
        }
        t.clock.advance(time::Duration::minutes(20));
        assert!(!let_in(&t, &s).await, "12 hours after sign-in the session ends");
    }

    async fn a_password_change_ends_the_other_sessions(db: TestDb) {
        let t = TestApp::new(db).await;
        World::seed(&t).await;
        let here = t.page_login(email("c1_user")).await;
        let elsewhere = t.page_login(email("c1_user")).await;
        let r = t.submit("/account/password", &here, &[("current_password", PASSWORD), ("new_password", "a much longer new passphrase")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert!(let_in(&t, &here).await);
        assert!(!let_in(&t, &elsewhere).await);
    }

    async fn a_disabled_account_loses_access_at_the_next_request(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let user = t.page_login(email("c1_user")).await;
        let admin = t.page_login(email("c1_admin")).await;
        assert!(let_in(&t, &user).await);
        let r = t.submit(&format!("/organisation/users/{}/access", w.users["c1_user"]), &admin,
            &[("disabled", "true"), ("reason", "left the company")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert!(!let_in(&t, &user).await);
        // And an admin's reset ends the member's sessions too.
        let r = t.submit(&format!("/organisation/users/{}/access", w.users["c1_user"]), &admin,
            &[("disabled", "false"), ("reason", "came back")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let user = t.page_login(email("c1_user")).await;
        let r = t.submit(&format!("/organisation/users/{}/password", w.users["c1_user"]), &admin,
            &[("new_password", "a temporary passphrase 42"), ("reason", "forgot it")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert!(!let_in(&t, &user).await);
    }

    async fn signing_renews_the_session(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let s = t.page_login(email("c1_admin")).await;
        let gate = t.app.gate(&t.actor(email("c1_admin")).await, w.engagement).await.unwrap();
        let r = t.submit(&format!("/engagements/{}/gate/sign", w.engagement), &s, &[
            ("email", email("c1_admin")), ("password", PASSWORD), ("meaning", "reviewed"),
            ("reason", ""), ("content_hash", &gate.content_hash)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let renewed = set_cookie_value(&r, SESSION_COOKIE).expect("a new session cookie");
        assert_ne!(renewed, s);
        assert!(!let_in(&t, &s).await, "the session before re-authentication ends");
        assert!(let_in(&t, &renewed).await);
    }

    async fn a_form_sent_after_the_session_ended_is_kept(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let s = t.page_login(email("c1_admin")).await;
        t.clock.advance(time::Duration::minutes(45));
        let path = format!("/engagements/{}/notes", w.engagement);
        let typed = "Ask the vendor about the stability-study module before Friday";
        let r = t.submit(&path, &s, &[("body", typed)]).await;
        // Not saved, not lost: the sign-in page carries it.
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
        assert!(r.text.contains(typed), "{}", r.text);
        assert!(r.text.contains("name=\"resume.body\""), "{}", r.text);
        let token = set_cookie_value(&r, LOGIN_COOKIE).unwrap();
        let cookie = format!("{LOGIN_COOKIE}={token}");
        let r = t.page(Method::POST, "/login", None,
            Some(&[("token", &token), ("email", email("c1_admin")), ("password", PASSWORD), ("next", &path), ("resume.body", typed)]),
            &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains(typed) && r.text.contains(&format!("action=\"{path}\"")), "{}", r.text);
        assert!(r.text.contains(&format!("href=\"/engagements/{}\"", w.engagement)), "discarding goes back to the page, not the action");
        let fresh = set_cookie_value(&r, SESSION_COOKIE).unwrap();
        let csrf = accord_app::auth::csrf_token(&fresh);
        assert!(r.text.contains(&csrf), "the form to submit again carries the new session's token");
        // Submitting it again saves it once.
        let r = t.submit(&path, &fresh, &[("body", typed)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let notes = t.app.list_notes(&t.actor(email("c1_admin")).await, w.engagement, None).await.unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].body, typed);

        // A signing form: the password is never kept, and asked for again.
        t.clock.advance(time::Duration::minutes(45));
        let sign = format!("/engagements/{}/gate/sign", w.engagement);
        let r = t.submit(&sign, &fresh, &[("email", email("c1_admin")), ("password", "my secret passphrase"), ("meaning", "approved"), ("reason", "Steering committee")]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(!r.text.contains("my secret passphrase"));
        let token = set_cookie_value(&r, LOGIN_COOKIE).unwrap();
        let cookie = format!("{LOGIN_COOKIE}={token}");
        let r = t.page(Method::POST, "/login", None,
            Some(&[("token", &token), ("email", email("c1_admin")), ("password", PASSWORD), ("next", &sign),
                   ("resume.email", email("c1_admin")), ("resume.password", ""), ("resume.meaning", "approved"), ("resume.reason", "Steering committee")]),
            &[("cookie", &cookie)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains("type=\"password\"") && r.text.contains("Steering committee"), "{}", r.text);
        assert!(r.text.contains(&format!("href=\"/engagements/{}/gate\"", w.engagement)));
    }
}

backend_tests! {
    async fn a_password_set_by_an_admin_must_be_changed_first(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = World::seed(&t).await;
        let admin = t.login(email("c1_admin")).await;
        let r = t.post(&format!("/api/v1/users/{}/password", w.users["c1_user"]), &admin,
            serde_json::json!({"new_password": "set by the admin 2026", "reason": "forgot it"})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
        let r = t.call(Method::POST, "/api/v1/auth/login", None,
            Some(serde_json::json!({"email": email("c1_user"), "password": "set by the admin 2026"})), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let tok = r.body["token"].as_str().unwrap().to_string();
        // Nothing but who they are, the password change and signing out.
        assert_eq!(t.get("/api/v1/engagements", &tok).await.status, StatusCode::FORBIDDEN);
        assert_eq!(t.get("/api/v1/me", &tok).await.status, StatusCode::OK);
        let page = t.page(Method::GET, &format!("/engagements/{}", w.engagement), Some(&tok), None, &[]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&page), "/account?done=must-change");
        let account = t.page(Method::GET, "/account?done=must-change", Some(&tok), None, &[]).await;
        assert!(account.text.contains("choose your own before you go on"), "{}", account.text);
        let note = t.submit(&format!("/engagements/{}/notes", w.engagement), &tok, &[("body", "x")]).await;
        assert_eq!(note.status, StatusCode::SEE_OTHER);
        assert_eq!(location(&note), "/account?done=must-change");
        // Chosen: everything again.
        let r = t.submit("/account/password", &tok, &[("current_password", "set by the admin 2026"), ("new_password", "only I know this one")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert_eq!(t.get("/api/v1/engagements", &tok).await.status, StatusCode::OK);
        assert!(let_in(&t, &tok).await);
    }
}
