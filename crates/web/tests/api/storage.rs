//! Storage settings that durability depends on (RELIABILITY.md Q2), and migrations that never
//! run half.

use accord_test_support::{backend_tests, TempDir};

backend_tests! {
    async fn durability_settings_are_in_force(db: TestDb) {
        let settings: std::collections::HashMap<String, String> = db.store.durability_settings().await.unwrap().into_iter().collect();
        match db.store.engine() {
            accord_store::Engine::Sqlite => {
                assert_eq!(settings["journal_mode"], "wal");
                assert_eq!(settings["synchronous"], "2", "FULL");
                assert_eq!(settings["foreign_keys"], "1");
                assert!(settings["busy_timeout"].parse::<i64>().unwrap() >= 5000);
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
}
