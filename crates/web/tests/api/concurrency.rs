//! Two writers racing on one record lose no update (RELIABILITY.md R5, scaled down).

use accord_test_support::{backend_tests, email, TestApp, World};
use axum::http::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;

const EDITS_PER_WRITER: usize = 60;

backend_tests! {
    async fn concurrent_writers_lose_no_update(db: TestDb) {
        let t = Arc::new(TestApp::new(db).await);
        let w = World::seed(&t).await;
        let path = format!("/api/v1/engagements/{}", w.engagement);
        let c1 = t.login(email("c1_admin")).await;
        let v = t.login(email("v_admin")).await;
        let r = t.call(Method::PATCH, &path, Some(&c1), Some(json!({"name": "counter 0"})), &[("if-match", "\"1\"")]).await;
        assert_eq!(r.status, StatusCode::OK);
        let before = t.audit_count().await;
        let mut tasks = Vec::new();
        for token in [c1, v] {
            let (t, path) = (t.clone(), path.clone());
            tasks.push(tokio::spawn(async move {
                let (mut acked, mut conflicts) = (0usize, 0usize);
                while acked < EDITS_PER_WRITER {
                    let cur = t.get(&path, &token).await;
                    let n: u64 = cur.body["name"].as_str().unwrap().trim_start_matches("counter ").parse().unwrap();
                    let etag = cur.etag().unwrap();
                    let r = t.call(Method::PATCH, &path, Some(&token), Some(json!({"name": format!("counter {}", n + 1)})), &[("if-match", &etag)]).await;
                    match r.status {
                        StatusCode::OK => acked += 1,
                        StatusCode::CONFLICT => {
                            assert!(r.body["current_version"].is_i64(), "a stale write names the current version: {}", r.text);
                            conflicts += 1
                        }
                        other => panic!("unexpected {other}: {}", r.text),
                    }
                }
                (acked, conflicts)
            }));
        }
        let mut acked = 0;
        for task in tasks {
            acked += task.await.unwrap().0;
        }
        let tok = t.login(email("c1_admin")).await;
        let fin = t.get(&path, &tok).await;
        assert_eq!(fin.body["name"], format!("counter {acked}"), "every acknowledged edit is in the final value");
        assert_eq!(fin.body["version"], json!(2 + acked));
        // Logins write one event each; the edits wrote exactly one each.
        assert_eq!(t.audit_count().await - before, acked as i64 + 1);
        assert!(t.app.verify_chains(None, None).await.unwrap().ok);
    }
}
