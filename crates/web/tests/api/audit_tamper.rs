//! The audit chain catches rows changed, deleted, inserted or reordered behind the
//! application's back (RELIABILITY.md R7), on both backends.

use accord_domain::audit::{AuditKey, BreakKind};
use accord_test_support::{backend_tests, email, TestApp, TestDb, World};
use axum::http::StatusCode;
use uuid::Uuid;

/// A world whose engagement chain holds 5 events (the creation and four role assignments).
async fn setup(db: TestDb) -> (TestApp, World) {
    let t = TestApp::new(db).await;
    let w = World::seed(&t).await;
    for (who, role) in [
        ("c1_sponsor", "executive_sponsor"),
        ("c1_bpo", "business_process_owner"),
        ("c1_owner", "system_owner"),
        ("c1_sysadmin", "system_administrator"),
    ] {
        w.assign(&t, who, role, None).await;
    }
    let report = t.app.verify_chains(None, None).await.unwrap();
    assert!(report.ok, "untampered chains verify: {report:?}");
    (t, w)
}

/// Runs SQL behind the application's back, with the chain id bound to `$1`.
async fn sql(t: &TestApp, q: &str, chain: Uuid) {
    let mut tx = t.db.store.write().await.unwrap();
    accord_store::execute!(&mut tx, |c| sqlx::query(q).bind(chain).execute(c).await).unwrap();
    tx.commit().await.unwrap();
}

async fn first_broken(t: &TestApp, chain: Uuid) -> accord_domain::audit::Broken {
    let report = t.app.verify_chains(None, None).await.unwrap();
    assert!(!report.ok, "tampering went unnoticed");
    let b = report.first_broken.unwrap();
    assert_eq!(b.chain_id, chain, "{b:?}");
    b
}

backend_tests! {
    async fn a_changed_row_is_named(db: TestDb) {
        let (t, w) = setup(db).await;
        sql(&t, "update audit_events set after_json = replace(after_json, 'C1 LIMS', 'C1 LIMZ') where chain_id = $1 and seq = 1", w.engagement).await;
        let b = first_broken(&t, w.engagement).await;
        assert_eq!((b.seq, b.kind), (1, BreakKind::Hash));
        // The API of a party names it too.
        let tok = t.login(email("c1_admin")).await;
        let r = t.get(&format!("/api/v1/engagements/{}/audit/verify", w.engagement), &tok).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!((r.body["ok"].as_bool(), r.body["first_broken"]["seq"].as_i64()), (Some(false), Some(1)), "{}", r.text);
    }

    async fn a_changed_time_is_named(db: TestDb) {
        let (t, w) = setup(db).await;
        sql(&t, "update audit_events set at_us = at_us - 3600000000 where chain_id = $1 and seq = 4", w.engagement).await;
        assert_eq!(first_broken(&t, w.engagement).await.seq, 4);
    }

    async fn a_changed_actor_is_named(db: TestDb) {
        let (t, w) = setup(db).await;
        sql(&t, "update audit_events set actor_id = null where chain_id = $1 and seq = 2", w.engagement).await;
        assert_eq!(first_broken(&t, w.engagement).await.seq, 2);
    }

    async fn a_deleted_row_is_named(db: TestDb) {
        let (t, w) = setup(db).await;
        sql(&t, "delete from audit_events where chain_id = $1 and seq = 3", w.engagement).await;
        let b = first_broken(&t, w.engagement).await;
        assert_eq!((b.seq, b.kind), (3, BreakKind::Sequence { expected: 3, found: 4 }));
    }

    async fn an_inserted_row_is_named(db: TestDb) {
        let (t, w) = setup(db).await;
        // A forged sixth event copied from the fifth, with the head moved to match it.
        sql(&t, "insert into audit_events (chain_id, seq, at_us, actor_id, action, record_type, record_id, before_json, after_json, reason, prev_hash, hash) \
                 select chain_id, 6, at_us + 1, actor_id, action, record_type, record_id, before_json, after_json, reason, prev_hash, hash \
                 from audit_events where chain_id = $1 and seq = 5", w.engagement).await;
        sql(&t, "update audit_chains set head_seq = 6 where chain_id = $1", w.engagement).await;
        let b = first_broken(&t, w.engagement).await;
        assert_eq!(b.seq, 6, "{b:?}");
    }

    async fn reordered_rows_are_named(db: TestDb) {
        let (t, w) = setup(db).await;
        sql(&t, "update audit_events set seq = -2 where chain_id = $1 and seq = 2", w.engagement).await;
        sql(&t, "update audit_events set seq = 2 where chain_id = $1 and seq = 3", w.engagement).await;
        sql(&t, "update audit_events set seq = 3 where chain_id = $1 and seq = -2", w.engagement).await;
        let b = first_broken(&t, w.engagement).await;
        assert_eq!(b.seq, 2, "{b:?}");
    }

    async fn a_chain_recomputed_without_the_key_is_caught(db: TestDb) {
        // The "DBA attack": edit a row, then recompute every hash so the chain is consistent.
        // Without the key outside the database the recomputed links are wrong from event 1.
        let (t, w) = setup(db).await;
        sql(&t, "update audit_events set after_json = replace(after_json, 'C1 LIMS', 'C1 LIMZ') where chain_id = $1 and seq = 1", w.engagement).await;
        let attacker = AuditKey::new(&[9u8; 32]).unwrap();
        let mut tx = t.db.store.read().await.unwrap();
        let events = accord_store::audit::list(&mut tx, w.engagement, 0, 100).await.unwrap();
        drop(tx);
        let mut prev = [0u8; 32];
        for ev in &events {
            let h = attacker.link(&prev, &ev.fields());
            let mut tx = t.db.store.write().await.unwrap();
            let (p, hh) = (hex::encode(prev), hex::encode(h));
            accord_store::execute!(&mut tx, |c| sqlx::query("update audit_events set prev_hash = $1, hash = $2 where chain_id = $3 and seq = $4")
                .bind(&p).bind(&hh).bind(ev.chain_id).bind(ev.seq).execute(c).await).unwrap();
            accord_store::execute!(&mut tx, |c| sqlx::query("update audit_chains set head_hash = $1 where chain_id = $2")
                .bind(&hh).bind(w.engagement).execute(c).await).unwrap();
            tx.commit().await.unwrap();
            prev = h;
        }
        let b = first_broken(&t, w.engagement).await;
        assert_eq!((b.seq, b.kind), (1, BreakKind::Hash));
    }

    async fn a_truncated_chain_is_caught_by_the_checkpoint(db: TestDb) {
        let (t, w) = setup(db).await;
        let checkpoint = t.app.checkpoint().await.unwrap();
        assert!(checkpoint.heads.iter().any(|h| h.chain_id == w.engagement && h.seq == 5));
        // Cut the last two events and move the head back to the third: consistent on its own.
        let mut tx = t.db.store.read().await.unwrap();
        let third = accord_store::audit::list(&mut tx, w.engagement, 2, 1).await.unwrap().remove(0);
        drop(tx);
        sql(&t, "delete from audit_events where chain_id = $1 and seq > 3", w.engagement).await;
        let mut tx = t.db.store.write().await.unwrap();
        accord_store::execute!(&mut tx, |c| sqlx::query("update audit_chains set head_seq = 3, head_hash = $1 where chain_id = $2")
            .bind(&third.hash).bind(w.engagement).execute(c).await).unwrap();
        tx.commit().await.unwrap();
        assert!(t.app.verify_chains(None, None).await.unwrap().ok, "without the checkpoint a clean cut is invisible");
        let report = t.app.verify_chains(None, Some(&checkpoint)).await.unwrap();
        let b = report.first_broken.expect("the checkpoint catches the cut");
        assert_eq!((b.chain_id, b.kind), (w.engagement, BreakKind::Checkpoint { checkpoint_seq: 5 }));
        // A checkpoint edited to match is refused by its signature.
        let mut forged = checkpoint.clone();
        for h in &mut forged.heads {
            if h.chain_id == w.engagement {
                h.seq = 3;
                h.hash = third.hash.clone();
            }
        }
        assert!(t.app.verify_chains(None, Some(&forged)).await.is_err());
    }

    async fn a_chain_deleted_whole_is_named(db: TestDb) {
        let (t, w) = setup(db).await;
        sql(&t, "delete from audit_events where chain_id = $1", w.engagement).await;
        sql(&t, "delete from audit_chains where chain_id = $1", w.engagement).await;
        let b = first_broken(&t, w.engagement).await;
        assert_eq!(b.seq, 1, "{b:?}");
        let tok = t.login(email("c1_admin")).await;
        let r = t.get(&format!("/api/v1/engagements/{}/audit/verify", w.engagement), &tok).await;
        assert_eq!(r.body["ok"], false, "{}", r.text);
    }

    async fn a_removed_head_row_or_cut_end_is_named(db: TestDb) {
        let (t, w) = setup(db).await;
        sql(&t, "delete from audit_events where chain_id = $1 and seq = 5", w.engagement).await;
        let b = first_broken(&t, w.engagement).await;
        assert_eq!(b.kind, BreakKind::Head { head_seq: 5, last_seq: 4 });
    }
}

/// A deterministic generator, so a failure names the seed that reproduces it.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

const TEXT_COLUMNS: [&str; 7] = [
    "action",
    "record_type",
    "before_json",
    "after_json",
    "reason",
    "prev_hash",
    "hash",
];

backend_tests! {
    async fn random_single_byte_changes_are_all_caught(db: TestDb) {
        // RELIABILITY.md R7's random class, CI size: change one byte of one text column of one
        // event behind the application's back, verify, put it back; every change must be named.
        let (t, w) = setup(db).await;
        let seed = std::env::var("ACCORD_TAMPER_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261126u64);
        let mut rng = Lcg(seed);
        let mut tx = t.db.store.read().await.unwrap();
        let events = accord_store::audit::list(&mut tx, w.engagement, 0, 100).await.unwrap();
        drop(tx);
        let mut tried = 0;
        for round in 0..120 {
            let ev = &events[(rng.next() % events.len() as u64) as usize];
            let column = TEXT_COLUMNS[(rng.next() % TEXT_COLUMNS.len() as u64) as usize];
            let original = match column {
                "action" => Some(ev.action.clone()),
                "record_type" => Some(ev.record_type.clone()),
                "before_json" => ev.before_json.clone(),
                "after_json" => ev.after_json.clone(),
                "reason" => ev.reason.clone(),
                "prev_hash" => Some(ev.prev_hash.clone()),
                _ => Some(ev.hash.clone()),
            };
            let Some(original) = original.filter(|o| !o.is_empty()) else { continue };
            let mut bytes = original.clone().into_bytes();
            let at = (rng.next() % bytes.len() as u64) as usize;
            // A printable ASCII byte other than the one there, so the text stays valid UTF-8.
            if !bytes[at].is_ascii() {
                continue;
            }
            let mut b = b' ' + (rng.next() % 95) as u8;
            if b == bytes[at] {
                b = if b == b'x' { b'y' } else { b'x' };
            }
            bytes[at] = b;
            let changed = String::from_utf8(bytes).unwrap();
            let sql = format!("update audit_events set {column} = $1 where chain_id = $2 and seq = $3");
            let mut tx = t.db.store.write().await.unwrap();
            accord_store::execute!(&mut tx, |c| sqlx::query(&sql).bind(&changed).bind(ev.chain_id).bind(ev.seq).execute(c).await).unwrap();
            tx.commit().await.unwrap();
            let report = t.app.verify_chains(None, None).await.unwrap();
            let b = report.first_broken.unwrap_or_else(|| panic!("seed {seed} round {round}: {column} of event {} changed at byte {at} went unnoticed", ev.seq));
            assert_eq!((b.chain_id, b.seq), (ev.chain_id, ev.seq), "seed {seed} round {round}: {column}");
            let mut tx = t.db.store.write().await.unwrap();
            accord_store::execute!(&mut tx, |c| sqlx::query(&sql).bind(&original).bind(ev.chain_id).bind(ev.seq).execute(c).await).unwrap();
            tx.commit().await.unwrap();
            tried += 1;
        }
        assert!(tried >= 80, "only {tried} mutations applied");
        assert!(t.app.verify_chains(None, None).await.unwrap().ok, "no false positive once restored");
    }
}
