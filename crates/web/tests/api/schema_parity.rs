//! The SQLite and PostgreSQL migrations produce the same schema: tables, columns, nullability,
//! primary keys, foreign keys, and indexes (names, uniqueness and columns).

use accord_test_support::TestDb;
use sqlx::Row;
use std::collections::BTreeSet;

type Schema = BTreeSet<String>;

async fn sqlite_schema(db: &TestDb) -> Schema {
    let mut out = Schema::new();
    let mut tx = db.store.read().await.unwrap();
    let accord_store::Tx::Sqlite(c) = &mut tx else {
        panic!("sqlite")
    };
    let tables: Vec<String> = sqlx::query_scalar("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '_sqlx_migrations' order by name")
        .fetch_all(&mut **c).await.unwrap();
    for t in tables {
        out.insert(format!("table {t}"));
        for row in sqlx::query(&format!("pragma table_info({t})"))
            .fetch_all(&mut **c)
            .await
            .unwrap()
        {
            let name: String = row.get("name");
            let notnull: i64 = row.get("notnull");
            let pk: i64 = row.get("pk");
            out.insert(format!("column {t}.{name} null={}", notnull == 0));
            if pk > 0 {
                out.insert(format!("pk {t}.{name}"));
            }
        }
        for row in sqlx::query(&format!("pragma foreign_key_list({t})"))
            .fetch_all(&mut **c)
            .await
            .unwrap()
        {
            let to: String = row.get("table");
            let from: String = row.get("from");
            let col: String = row.get("to");
            out.insert(format!("fk {t}.{from} -> {to}.{col}"));
        }
        for row in sqlx::query(&format!("pragma index_list({t})"))
            .fetch_all(&mut **c)
            .await
            .unwrap()
        {
            let origin: String = row.get("origin");
            if origin != "c" {
                continue;
            }
            let name: String = row.get("name");
            let unique: i64 = row.get("unique");
            let cols: Vec<String> = sqlx::query(&format!("pragma index_info({name})"))
                .fetch_all(&mut **c)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>("name"))
                .collect();
            out.insert(format!(
                "index {name} on {t}({}) unique={}",
                cols.join(","),
                unique == 1
            ));
        }
    }
    out
}

async fn postgres_schema(db: &TestDb) -> Schema {
    let mut out = Schema::new();
    let mut tx = db.store.read().await.unwrap();
    let accord_store::Tx::Postgres(c) = &mut tx else {
        panic!("postgres")
    };
    for row in sqlx::query("select table_name::text as t from information_schema.tables where table_schema = 'public' and table_name <> '_sqlx_migrations'")
        .fetch_all(&mut **c).await.unwrap() {
        out.insert(format!("table {}", row.get::<String, _>("t")));
    }
    for row in sqlx::query("select table_name::text as t, column_name::text as c, is_nullable::text as n from information_schema.columns where table_schema = 'public' and table_name <> '_sqlx_migrations'")
        .fetch_all(&mut **c).await.unwrap() {
        out.insert(format!("column {}.{} null={}", row.get::<String, _>("t"), row.get::<String, _>("c"), row.get::<String, _>("n") == "YES"));
    }
    let keys = "select con.contype::text as kind, rel.relname::text as t, a.attname::text as c, coalesce(frel.relname::text, '') as ft, coalesce(fa.attname::text, '') as fc \
                from pg_constraint con join pg_class rel on rel.oid = con.conrelid join pg_namespace ns on ns.oid = rel.relnamespace \
                cross join lateral unnest(con.conkey, coalesce(con.confkey, con.conkey)) with ordinality as k(attnum, fattnum, ord) \
                join pg_attribute a on a.attrelid = rel.oid and a.attnum = k.attnum \
                left join pg_class frel on frel.oid = con.confrelid left join pg_attribute fa on fa.attrelid = con.confrelid and fa.attnum = k.fattnum \
                where ns.nspname = 'public' and rel.relname <> '_sqlx_migrations' and con.contype in ('p', 'f')";
    for row in sqlx::query(keys).fetch_all(&mut **c).await.unwrap() {
        let (kind, t, col): (String, String, String) =
            (row.get("kind"), row.get("t"), row.get("c"));
        if kind == "p" {
            out.insert(format!("pk {t}.{col}"));
        } else {
            out.insert(format!(
                "fk {t}.{col} -> {}.{}",
                row.get::<String, _>("ft"),
                row.get::<String, _>("fc")
            ));
        }
    }
    let idx = "select i.relname::text as name, t.relname::text as t, ix.indisunique as u, \
               array_to_string(array(select a.attname from unnest(ix.indkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = t.oid and a.attnum = k.n order by k.o), ',') as cols \
               from pg_index ix join pg_class i on i.oid = ix.indexrelid join pg_class t on t.oid = ix.indrelid join pg_namespace ns on ns.oid = t.relnamespace \
               where ns.nspname = 'public' and not ix.indisprimary and t.relname <> '_sqlx_migrations'";
    for row in sqlx::query(idx).fetch_all(&mut **c).await.unwrap() {
        out.insert(format!(
            "index {} on {}({}) unique={}",
            row.get::<String, _>("name"),
            row.get::<String, _>("t"),
            row.get::<String, _>("cols"),
            row.get::<bool, _>("u")
        ));
    }
    out
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let lite = TestDb::sqlite().await;
    let a = sqlite_schema(&lite).await;
    let b = postgres_schema(&pg).await;
    assert!(a.len() > 50, "the SQLite schema looks empty: {a:?}");
    let only_sqlite: Vec<&String> = a.difference(&b).collect();
    let only_pg: Vec<&String> = b.difference(&a).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "schemas differ:\n only in SQLite: {only_sqlite:#?}\n only in PostgreSQL: {only_pg:#?}"
    );
}

#[test]
fn migration_files_have_the_same_names() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/migrations");
    let names = |sub: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(!names("sqlite").is_empty());
}
