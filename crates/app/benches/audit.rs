//! Audit-trail benchmarks (docs/benchmarks.md):
//! 1. audited mutations per second from one writer, each its own transaction;
//! 2. `verify` throughput over a chain of ACCORD_BENCH_EVENTS events (default 1,000,000).
//!
//! Run: `cargo bench -p accord-app --bench audit` (SQLite in a temp dir; set
//! ACCORD_BENCH_POSTGRES_URL to a fresh, empty PostgreSQL database to run there instead).
//! Pin it to one core with `taskset -c 0` for the one-core figure.

use accord_app::{App, Config, SystemClock};
use accord_domain::audit::AuditKey;
use accord_store::audit::{ChainKind, Draft};
use accord_store::Store;
use std::sync::Arc;
use std::time::Instant;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn open() -> (Store, Option<std::path::PathBuf>) {
    if let Ok(url) = std::env::var("ACCORD_BENCH_POSTGRES_URL") {
        let s = Store::connect(&url).await.expect("connect");
        s.migrate().await.expect("migrate");
        return (s, None);
    }
    let dir = std::env::temp_dir().join(format!("accord-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let s = Store::connect(&url).await.expect("connect");
    s.migrate().await.expect("migrate");
    (s, Some(dir))
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let (store, dir) = open().await;
    let key = AuditKey::new(&[7u8; 32]).expect("key");
    let config = Config {
        argon2_m_kib: 64,
        argon2_t: 1,
        ..Config::default()
    };
    let app = App::new(store.clone(), key.clone(), Arc::new(SystemClock), config);
    println!("engine: {:?}", store.engine());

    // 1. Audited mutations: toggle a gate criterion, each call one transaction + one event.
    let partner = app
        .create_organisation(accord_app::org::NewOrganisation {
            slug: "bench-vendor".into(),
            name: "Bench Vendor".into(),
            kind: "partner".into(),
        })
        .await
        .expect("org");
    let customer = app
        .create_organisation(accord_app::org::NewOrganisation {
            slug: "bench-customer".into(),
            name: "Bench Customer".into(),
            kind: "customer".into(),
        })
        .await
        .expect("org");
    app.create_user(accord_app::org::NewUser {
        organisation_slug: "bench-vendor".into(),
        email: "bench@vendor.example".into(),
        name: "Bench".into(),
        password: "benchmark password".into(),
        is_org_admin: true,
    })
    .await
    .expect("user");
    let actor = app
        .operator_actor("bench@vendor.example")
        .await
        .expect("actor");
    let e = app
        .create_engagement(
            &actor,
            accord_app::engagement::NewEngagement {
                key: None,
                name: "Bench".into(),
                product: "LIMS".into(),
                customer_id: customer.id,
                partner_id: partner.id,
            },
        )
        .await
        .expect("engagement");
    let gate = app.gate(&actor, e.id).await.expect("gate");
    let item = gate.criteria.iter().find(|c| c.editable).expect("item");
    let (item_id, mut version) = (
        item.id.parse().expect("uuid"),
        item.version.expect("version"),
    );
    let n = env_usize("ACCORD_BENCH_MUTATIONS", 5_000);
    let started = Instant::now();
    for i in 0..n {
        let patch = accord_app::engagement::CriterionPatch {
            met: Some(i % 2 == 0),
            evidence: Some(Some(format!("evidence {i}"))),
            text: None,
        };
        version = app
            .update_gate_criterion(&actor, e.id, item_id, version, patch)
            .await
            .expect("update")
            .version;
    }
    let secs = started.elapsed().as_secs_f64();
    println!("audited mutations: {n} in {secs:.3} s = {:.0} per second (one writer, one transaction each)", n as f64 / secs);

    // 2. Verify throughput over a long chain, appended in large transactions.
    let events = env_usize("ACCORD_BENCH_EVENTS", 1_000_000);
    let chain = uuid::Uuid::now_v7();
    let payload = "{\"id\":\"0192f0a0-0000-7000-8000-000000000000\",\"text\":\"Business case and expected outcomes agreed with the executive sponsor\",\"met\":true,\"evidence\":\"Steering committee minutes 2026-11-20\",\"version\":7}";
    let started = Instant::now();
    let mut written = 0;
    while written < events {
        let mut w = store
            .begin_write(chain, ChainKind::Engagement)
            .await
            .expect("begin");
        let batch = (events - written).min(20_000);
        for _ in 0..batch {
            let d = Draft {
                at: time::OffsetDateTime::now_utc(),
                actor_id: Some(actor.user_id),
                action: "gate_criterion.update".into(),
                record_type: "gate_criterion".into(),
                record_id: Some(item_id),
                before: None,
                after: Some(payload.into()),
                reason: None,
            };
            w.append(&key, d).await.expect("append");
        }
        w.commit().await.expect("commit");
        written += batch;
    }
    let secs = started.elapsed().as_secs_f64();
    println!("bulk append: {events} events in {secs:.2} s = {:.0} per second (batches of 20,000 per transaction)", events as f64 / secs);

    let total = {
        let mut tx = store.read().await.expect("read");
        accord_store::audit::count_all(&mut tx)
            .await
            .expect("count")
    };
    // HMAC links alone, in memory, to see how much of verification is hashing.
    let started = Instant::now();
    let mut prev = accord_domain::audit::GENESIS;
    for seq in 1..=events as i64 {
        let f = accord_domain::audit::EventFields {
            chain_id: chain,
            seq,
            at_us: seq,
            actor_id: Some(actor.user_id),
            action: "gate_criterion.update",
            record_type: "gate_criterion",
            record_id: Some(item_id),
            before: None,
            after: Some(payload),
            reason: None,
        };
        prev = key.link(&prev, &f);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "links only: {events} HMAC links in {secs:.3} s = {:.0} per second (last {:02x})",
        events as f64 / secs,
        prev[0]
    );

    // Reading alone, to see how much of verification is reading rows.
    let started = Instant::now();
    let mut rows = 0u64;
    accord_store::audit::scan(&store, None, |item| {
        if let accord_store::audit::ScanItem::Event(_) = item {
            rows += 1;
        }
        true
    })
    .await
    .expect("scan");
    let secs = started.elapsed().as_secs_f64();
    println!(
        "read only: {rows} events in {secs:.3} s = {:.0} per second",
        rows as f64 / secs
    );
    for round in 1..=3 {
        let started = Instant::now();
        let report = app.verify_chains(None, None).await.expect("verify");
        let secs = started.elapsed().as_secs_f64();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.events_checked as i64, total);
        println!(
            "verify round {round}: {} events in {secs:.3} s = {:.0} events per second",
            report.events_checked,
            report.events_checked as f64 / secs
        );
    }
    store.close().await;
    if let Some(d) = dir {
        if std::env::var("ACCORD_BENCH_KEEP").is_ok() {
            println!("kept the database in {}", d.display());
        } else {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}
