//! Bulk inserts on SQLite: a large import's rows without SQLite's statement journal.
//!
//! SQLite journals every multi-row `INSERT` into a table that has immediate foreign keys, or
//! constraints that abort the statement (NOT NULL, UNIQUE, CHECK), so that a failing row can
//! undo the rows before it in the same statement: it copies each page that existed before the
//! statement into a journal as the statement first changes it. In a 100,000-object import
//! that was about a tenth of the time (docs/benchmarks.md). A bulk insert runs on a connection
//! of its own with foreign-key enforcement off (the pragma cannot change inside a transaction,
//! and the connection is closed afterwards, never returned to the pool), and SQLite's batch
//! statements are `INSERT OR FAIL` ([`crate::batch_sql`]): nothing then needs a statement
//! journal. (Changing the pragma expires the connection's prepared statements, so none keeps
//! the key checks it was compiled with.)
//!
//! The guarantee stays what it was: before the commit, [`Marks::verify`] checks every foreign
//! key of the rows inserted since the transaction began, and a row that refers to nothing fails
//! the commit and rolls the whole transaction back (audit events are those of the transaction's
//! own chain, the only chain it appends to). What the check covers is rows *inserted*:
//! a bulk write must not update or delete rows that other rows refer to, or whose references
//! change (an import only adds).

use crate::{Result, StoreError, Tx};
use sqlx::Row;

/// The table whose rows are keyed by chain and number (`WITHOUT ROWID`): a transaction's new
/// rows are its chain's events after the head it began at.
const EVENTS: &str = "audit_events";

/// Where each table with foreign keys stood when the transaction began.
#[derive(Debug)]
pub(crate) struct Marks {
    tables: Vec<(String, Mark)>,
}

#[derive(Debug)]
enum Mark {
    /// A rowid table: its new rows have larger rowids than this (SQLite gives a new row the
    /// largest rowid plus one).
    Rowid(i64),
    /// The audit events: its new rows are this chain's after this number (a [`crate::WriteTx`]
    /// appends to its own chain only). Their key to the chain is checked once, not per event.
    Events { chain_id: uuid::Uuid, seq: i64 },
    /// Any other `WITHOUT ROWID` table, or one whose rowid is an `integer primary key`:
    /// checked whole.
    Whole,
}

/// `"name"`, quoted for SQL.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Marks {
    /// Notes where every table with foreign keys stands, in the open transaction on `tx`.
    pub(crate) async fn take(tx: &mut Tx, chain_id: uuid::Uuid, seq: i64) -> Result<Marks> {
        let Tx::Sqlite(t) = tx else {
            return Ok(Marks { tables: Vec::new() });
        };
        // Each table with keys, whether it has no rowid, and whether its rowid is given by the
        // writer (an `integer primary key`), so need not grow.
        let rows = sqlx::query(
            "select t.name, t.wr, (select count(*) = 1 and max(upper(i.type)) = 'INTEGER' \
                 from pragma_table_info(t.name) i where i.pk > 0) \
             from pragma_table_list t \
             where t.schema = 'main' and t.type = 'table' \
             and exists (select 1 from pragma_foreign_key_list(t.name)) order by t.name",
        )
        .fetch_all(&mut **t)
        .await?;
        let mut tables = Vec::with_capacity(rows.len());
        for row in rows {
            let (name, without_rowid, given_rowid): (String, bool, bool) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            let mark = if name == EVENTS {
                Mark::Events { chain_id, seq }
            } else if without_rowid || given_rowid {
                Mark::Whole
            } else {
                let sql = format!("select coalesce(max(rowid), 0) from {}", quoted(&name));
                Mark::Rowid(sqlx::query_scalar(&sql).fetch_one(&mut **t).await?)
            };
            tables.push((name, mark));
        }
        Ok(Marks { tables })
    }

    /// Refuses the commit if a row inserted since [`Marks::take`] refers to no row: names the
    /// table, its columns, the table referred to and how many rows. Each table's new rows are
    /// read once, for all its keys; a table with none costs one lookup.
    pub(crate) async fn verify(&self, tx: &mut Tx) -> Result<()> {
        let Tx::Sqlite(t) = tx else {
            return Ok(());
        };
        for (table, mark) in &self.tables {
            let mut keys = Vec::new();
            for key in foreign_keys(t, table).await? {
                // The chain's events all have its id: its key is one lookup, not one per event.
                if let (Mark::Events { chain_id, .. }, [(column, to)]) = (mark, &key.columns[..]) {
                    if column == "chain_id" && parent_has(t, &key.parent, to, *chain_id).await? {
                        continue;
                    }
                }
                keys.push((dangling_sql(&key), key));
            }
            if keys.is_empty() {
                continue;
            }
            let any = keys.iter().map(|(sql, _)| sql.as_str());
            let sql = format!(
                "select exists (select 1 from {} c where {} and ({}))",
                quoted(table),
                mark.scope(),
                any.collect::<Vec<_>>().join(" or ")
            );
            if !mark
                .bind(sqlx::query_scalar(&sql))
                .fetch_one(&mut **t)
                .await?
            {
                continue;
            }
            // Which key, and how many rows: only when something is wrong.
            for (dangles, key) in &keys {
                let sql = format!(
                    "select count(*) from {} c where {} and {dangles}",
                    quoted(table),
                    mark.scope()
                );
                let n: i64 = mark
                    .bind(sqlx::query_scalar(&sql))
                    .fetch_one(&mut **t)
                    .await?;
                if n > 0 {
                    let names: Vec<&str> = key.columns.iter().map(|c| c.0.as_str()).collect();
                    return Err(StoreError::Conflict {
                        constraint: format!(
                            "FOREIGN KEY constraint failed: {n} new row(s) of {table} ({}) \
                             refer to no row of {}",
                            names.join(", "),
                            key.parent
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

impl Mark {
    /// The condition on a row `c` of the table that it is new.
    fn scope(&self) -> &'static str {
        match self {
            Mark::Rowid(_) => "c.rowid > ?1",
            Mark::Events { .. } => "c.chain_id = ?1 and c.seq > ?2",
            Mark::Whole => "1",
        }
    }

    fn bind<'q, O>(
        &self,
        q: sqlx::query::QueryScalar<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>> {
        match self {
            Mark::Rowid(r) => q.bind(*r),
            Mark::Events { chain_id, seq } => q.bind(*chain_id).bind(*seq),
            Mark::Whole => q,
        }
    }
}

/// One foreign key of a table: the table it refers to and its columns, each with the column
/// it refers to.
struct Key {
    parent: String,
    columns: Vec<(String, String)>,
}

/// A key's columns as SQLite lists them: each with the column it refers to, if named.
type Pairs = Vec<(String, Option<String>)>;

async fn foreign_keys(t: &mut sqlx::SqliteConnection, table: &str) -> Result<Vec<Key>> {
    let rows = sqlx::query(
        "select id, \"table\", \"from\", \"to\" from pragma_foreign_key_list(?1) \
         order by id, seq",
    )
    .bind(table)
    .fetch_all(&mut *t)
    .await?;
    // One key may span several columns.
    let mut grouped: Vec<(i64, String, Pairs)> = Vec::new();
    for k in rows {
        let (id, parent): (i64, String) = (k.try_get(0)?, k.try_get(1)?);
        let pair = (k.try_get(2)?, k.try_get(3)?);
        match grouped.last_mut() {
            Some((last, _, cols)) if *last == id => cols.push(pair),
            _ => grouped.push((id, parent, vec![pair])),
        }
    }
    let mut keys = Vec::with_capacity(grouped.len());
    for (_, parent, cols) in grouped {
        let mut targets: Vec<String> = cols.iter().filter_map(|c| c.1.clone()).collect();
        if targets.len() < cols.len() {
            // `references parent` without columns: the parent's primary key.
            targets = sqlx::query_scalar(
                "select name from pragma_table_info(?1) where pk > 0 order by pk",
            )
            .bind(&parent)
            .fetch_all(&mut *t)
            .await?;
        }
        let columns = cols.into_iter().map(|c| c.0).zip(targets).collect();
        keys.push(Key { parent, columns });
    }
    Ok(keys)
}

/// Whether `parent` has a row whose `column` is `id`.
async fn parent_has(
    t: &mut sqlx::SqliteConnection,
    parent: &str,
    column: &str,
    id: uuid::Uuid,
) -> Result<bool> {
    let sql = format!(
        "select exists (select 1 from {} where {} = ?1)",
        quoted(parent),
        quoted(column)
    );
    Ok(sqlx::query_scalar(&sql).bind(id).fetch_one(t).await?)
}

/// The condition on a row `c` that it refers to no row by `key` (SQLite's rule: a key with a
/// null column refers to nothing and needs nothing).
fn dangling_sql(key: &Key) -> String {
    let set = key
        .columns
        .iter()
        .map(|(c, _)| format!("c.{} is not null", quoted(c)));
    let matches = key
        .columns
        .iter()
        .map(|(c, p)| format!("p.{} = c.{}", quoted(p), quoted(c)));
    format!(
        "({} and not exists (select 1 from {} p where {}))",
        set.collect::<Vec<_>>().join(" and "),
        quoted(&key.parent),
        matches.collect::<Vec<_>>().join(" and ")
    )
}
