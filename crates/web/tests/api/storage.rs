//! Storage settings that durability depends on (RELIABILITY.md Q2), and migrations that never
//! run half.

use accord_store::{audit::ChainKind, StoreError, Tx};
use accord_test_support::{backend_tests, TempDir, TestDb};

backend_tests! {
    async fn durability_settings_are_in_force(db: TestDb) {
        let settings: std::collections::HashMap<String, String> = db.store.durability_settings().await.unwrap().into_iter().collect();
        match db.store.engine() {
            accord_store::Engine::Sqlite => {
                assert_eq!(settings["journal_mode"], "wal");
                assert_eq!(settings["synchronous"], "2", "FULL");
                assert_eq!(settings["foreign_keys"], "1");
                assert!(settings["busy_timeout"].parse::<i64>().unwrap() >= 5000);
                assert_eq!(settings["page_size"], accord_store::SQLITE_PAGE_SIZE.to_string(), "a new database's page size");
            }
            accord_store::Engine::Postgres => {
                for k in ["fsync", "full_page_writes", "synchronous_commit"] {
                    assert_eq!(settings[k], "on", "{k}");
                }
            }
        }
    }

    async fn a_failing_migration_leaves_nothing_behind(db: TestDb) {
        // Migrations run the way sqlx runs ours: each one in its own transaction.
        let dir = TempDir::new();
        std::fs::write(dir.0.join("9000_half.sql"), "create table half_done (id bigint not null);\ninsert into no_such_table values (1);\n").unwrap();
        let mut migrator = sqlx::migrate::Migrator::new(dir.0.as_path()).await.unwrap();
        migrator.set_ignore_missing(true);
        let (res, leftovers): (Result<(), _>, i64) = match db.store.engine() {
            accord_store::Engine::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
                let r = migrator.run(&pool).await;
                let n = sqlx::query_scalar("select count(*) from sqlite_master where name = 'half_done'").fetch_one(&pool).await.unwrap();
                pool.close().await;
                (r, n)
            }
            accord_store::Engine::Postgres => {
                let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
                let r = migrator.run(&pool).await;
                let n = sqlx::query_scalar("select count(*) from information_schema.tables where table_name = 'half_done'").fetch_one(&pool).await.unwrap();
                pool.close().await;
                (r, n)
            }
        };
        let err = res.expect_err("the broken migration fails").to_string();
        assert!(err.contains("no_such_table"), "{err}");
        assert_eq!(leftovers, 0, "the first statement of the failed migration was rolled back");
    }

    async fn a_bulk_write_commits_no_row_that_refers_to_nothing(db: TestDb) {
        let chain = accord_domain::new_id();
        let mut w = db.store.begin_bulk_write(chain, ChainKind::Engagement).await.unwrap();
        let nobody = accord_domain::new_id();
        // A document of an engagement, imported by a user, neither of which exists.
        let doc = dangling_document(nobody);
        let err = match accord_store::reqif::insert_document(&mut w.tx, &doc).await {
            // PostgreSQL refuses the row as it goes in.
            Err(e) => e,
            // SQLite's bulk write checks the keys of what it inserted before the commit.
            Ok(()) => w.commit().await.expect_err("the commit refuses a row that refers to nothing"),
        };
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        if db.store.engine() == accord_store::Engine::Sqlite {
            let said = err.to_string();
            assert!(said.contains("1 new row(s) of reqif_documents") && said.contains("refer to no row of"), "{said}");
        }
        // Nothing of the transaction is there: not the row, not the chain it opened.
        let mut tx = db.store.read().await.unwrap();
        let (docs, chains): (i64, i64) = match &mut tx {
            Tx::Sqlite(t) => (
                sqlx::query_scalar("select count(*) from reqif_documents").fetch_one(&mut **t).await.unwrap(),
                sqlx::query_scalar("select count(*) from audit_chains where chain_id = $1").bind(chain).fetch_one(&mut **t).await.unwrap(),
            ),
            Tx::Postgres(t) => (
                sqlx::query_scalar("select count(*) from reqif_documents").fetch_one(&mut **t).await.unwrap(),
                sqlx::query_scalar("select count(*) from audit_chains where chain_id = $1").bind(chain).fetch_one(&mut **t).await.unwrap(),
            ),
        };
        assert_eq!((docs, chains), (0, 0));
    }
}

fn dangling_document(nobody: uuid::Uuid) -> accord_store::reqif::Document {
    accord_store::reqif::Document {
        id: accord_domain::new_id(),
        engagement_id: nobody,
        name: "orphan".into(),
        header_identifier: "h".into(),
        title: "t".into(),
        model: "{}".into(),
        definitions: "{}".into(),
        imported_by: nobody,
        imported_at: time::OffsetDateTime::now_utc(),
    }
}

/// A bulk write's connection, whose key enforcement is off, never goes back to the pool: every
/// connection other writes get enforces foreign keys, whether the bulk write committed, failed
/// or was dropped.
#[tokio::test]
async fn after_bulk_writes_every_sqlite_connection_enforces_foreign_keys() {
    let db = TestDb::sqlite().await;
    let kind = ChainKind::Engagement;
    let committed = db
        .store
        .begin_bulk_write(accord_domain::new_id(), kind)
        .await
        .unwrap();
    committed.commit().await.unwrap();
    let mut failed = db
        .store
        .begin_bulk_write(accord_domain::new_id(), kind)
        .await
        .unwrap();
    accord_store::reqif::insert_document(
        &mut failed.tx,
        &dangling_document(accord_domain::new_id()),
    )
    .await
    .unwrap();
    assert!(failed.commit().await.is_err());
    drop(
        db.store
            .begin_bulk_write(accord_domain::new_id(), kind)
            .await
            .unwrap(),
    );
    // All eight of the pool's connections at once.
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(db.store.read().await.unwrap());
    }
    for tx in &mut held {
        let Tx::Sqlite(t) = tx else { unreachable!() };
        let on: i64 = sqlx::query_scalar("pragma foreign_keys")
            .fetch_one(&mut **t)
            .await
            .unwrap();
        assert_eq!(on, 1);
    }
    drop(held);
    let mut w = db.store.write().await.unwrap();
    let err =
        accord_store::reqif::insert_document(&mut w, &dangling_document(accord_domain::new_id()))
            .await
            .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { .. }),
        "an ordinary write refuses the row at once: {err}"
    );
}

/// A database made before new ones got larger pages opens, migrates and takes writes with the
/// page size it has.
#[tokio::test]
async fn an_existing_sqlite_database_keeps_its_page_size() {
    use sqlx::ConnectOptions;
    use std::str::FromStr;
    let dir = TempDir::new();
    let url = format!("sqlite://{}", dir.0.join("old.db").display());
    let mut c = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
        .unwrap()
        .create_if_missing(true)
        .page_size(4096)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .connect()
        .await
        .unwrap();
    sqlx::query("create table before_accord (x integer)")
        .execute(&mut c)
        .await
        .unwrap();
    drop(c);
    let store = accord_store::Store::connect_existing(&url).await.unwrap();
    store.migrate().await.unwrap();
    let settings: std::collections::HashMap<String, String> = store
        .durability_settings()
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(settings["page_size"], "4096");
    let mut tx = store.write().await.unwrap();
    accord_store::execute!(&mut tx, |c| sqlx::query(
        "insert into before_accord (x) values (1)"
    )
    .execute(c)
    .await)
    .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
}

backend_tests! {
    async fn audit_events_chained_from_a_stale_head_are_refused_and_not_written(db: TestDb) {
        use accord_store::audit::{chain_drafts, ChainKind};
        let key = accord_test_support::test_key();
        let chain = uuid::Uuid::now_v7();
        let mut w = db.store.begin_write(chain, ChainKind::Organisation).await.unwrap();
        let first = chain_drafts(&key, chain, w.next_link(), vec![draft(1), draft(2)]);
        // Made from the same head as `first`: once `first` is in, it no longer follows the chain.
        let stale = chain_drafts(&key, chain, w.next_link(), vec![draft(3)]);
        let next = chain_drafts(&key, chain, first.to().clone(), vec![draft(3)]);
        w.append_chained(first).await.unwrap();
        let err = w.append_chained(stale).await.unwrap_err().to_string();
        assert!(err.contains("chained from event 0 but the chain is at event 2"), "{err}");
        w.append_chained(next).await.unwrap();
        w.commit().await.unwrap();
        assert_chain_holds_three_events(&db, &key, chain).await;
    }

    async fn audit_events_bound_off_the_transaction_follow_its_chain_and_engine(db: TestDb) {
        // A large import binds its rows' and events' statements on another thread
        // (`Chained::prepare`); appending them checks the chain as `append_chained` does, and
        // statements bound for the other engine are refused before anything is written.
        use accord_store::audit::{chain_drafts, ChainKind};
        use accord_store::Engine;
        let key = accord_test_support::test_key();
        let chain = uuid::Uuid::now_v7();
        let engine = db.store.engine();
        let other = match engine {
            Engine::Sqlite => Engine::Postgres,
            Engine::Postgres => Engine::Sqlite,
        };
        let mut w = db.store.begin_write(chain, ChainKind::Organisation).await.unwrap();
        let first = chain_drafts(&key, chain, w.next_link(), vec![draft(1), draft(2)]).prepare(engine).unwrap();
        let stale = chain_drafts(&key, chain, w.next_link(), vec![draft(3)]).prepare(engine).unwrap();
        let next = || chain_drafts(&key, chain, first.to().clone(), vec![draft(3)]);
        let (for_other, for_this) = (next().prepare(other).unwrap(), next().prepare(engine).unwrap());
        w.append_prepared(first).await.unwrap();
        let err = w.append_prepared(stale).await.unwrap_err().to_string();
        assert!(err.contains("chained from event 0 but the chain is at event 2"), "{err}");
        let err = w.append_prepared(for_other).await.unwrap_err().to_string();
        assert!(err.contains("another engine"), "{err}");
        w.append_prepared(for_this).await.unwrap();
        w.commit().await.unwrap();
        assert_chain_holds_three_events(&db, &key, chain).await;
    }

    async fn a_transactions_page_cache_is_set_and_told_what_it_was(db: TestDb) {
        // A large import raises SQLite's page cache for its transaction and sets it back
        // after; PostgreSQL has no such setting, and nothing is done there.
        let mut tx = db.store.write().await.unwrap();
        let was = tx.set_cache_size(-65536).await.unwrap();
        let now = tx.set_cache_size(was.unwrap_or(0)).await.unwrap();
        match db.store.engine() {
            accord_store::Engine::Sqlite => {
                // SQLite's own default: 2,000 KiB.
                assert_eq!(was, Some(-2000));
                assert_eq!(now, Some(-65536));
                assert_eq!(tx.set_cache_size(-2000).await.unwrap(), Some(-2000));
            }
            accord_store::Engine::Postgres => assert_eq!((was, now), (None, None)),
        }
        tx.commit().await.unwrap();
    }
}

/// A test audit event whose payload is `{"n": N}`.
fn draft(n: i64) -> accord_store::audit::Draft {
    accord_store::audit::Draft {
        at: time::OffsetDateTime::now_utc(),
        actor_id: None,
        action: "test.event".into(),
        record_type: "test".into(),
        record_id: None,
        before: None,
        after: Some(format!("{{\"n\":{n}}}")),
        reason: None,
    }
}

/// `chain` holds exactly the events `draft(1)`, `draft(2)`, `draft(3)`, in order, and verifies:
/// each link follows the one before it.
async fn assert_chain_holds_three_events(
    db: &accord_test_support::TestDb,
    key: &accord_domain::audit::AuditKey,
    chain: uuid::Uuid,
) {
    let mut tx = db.store.read().await.unwrap();
    let heads = accord_store::audit::heads(&mut tx, Some(chain))
        .await
        .unwrap();
    assert_eq!(heads.iter().map(|h| h.head_seq).collect::<Vec<_>>(), [3]);
    let events = accord_store::audit::list(&mut tx, chain, 0, 10)
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .map(|e| e.after_json.clone().unwrap())
            .collect::<Vec<_>>(),
        ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"]
    );
    let mut prev = accord_domain::audit::GENESIS;
    for e in &events {
        let h = key.link(&prev, &e.fields());
        assert_eq!(e.hash, hex::encode(h));
        prev = h;
    }
}
