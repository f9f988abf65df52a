//! Persistence for Accord on SQLite or PostgreSQL.
//!
//! One [`Store`] over two sqlx pools. Each statement is written once, in SQL that both engines
//! accept (`$1` placeholders, which sqlx's SQLite driver also binds), and run by the [`run!`]
//! macro on whichever connection the transaction holds; the few statements that must differ live
//! in [`dialect`]. Every write happens in a [`WriteTx`] that has locked its audit chain first, so
//! the record change and its audit event commit or vanish together.
#![forbid(unsafe_code)]

pub mod audit;
mod bulk;
pub mod dialect;
pub mod engagement;
mod error;
pub mod knowledge;
pub mod note;
pub mod org;
pub mod purchase;
pub mod reqif;
pub mod requirement;
pub mod role;
pub mod signature;
pub mod trace;
pub mod user;

pub use error::StoreError;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Runs the same statement code on whichever connection a [`Tx`] holds. The body is compiled
/// once per backend, so it may only use types both drivers encode and decode.
#[macro_export]
macro_rules! run {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Like [`run!`] for statements that return no rows: evaluates to the number of rows affected.
#[macro_export]
macro_rules! execute {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body.map(|r| r.rows_affected())
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body.map(|r| r.rows_affected())
            }
        }
    };
}

/// Rows per multi-row `INSERT` of a table with `cols` columns: a few hundred, and under the
/// engines' limits on parameters.
#[doc(hidden)]
pub fn batch_rows(cols: usize) -> usize {
    (30_000 / cols.max(1)).clamp(1, 400)
}

/// `insert into TABLE (COLS) values (...), ...` for `rows` rows. SQLite looks a `$N` parameter's
/// name up by a linear scan, so a statement with thousands of them binds in quadratic time; on
/// SQLite (`positional`) the parameters are `?`, which bind by position.
#[doc(hidden)]
pub fn batch_sql(table: &str, cols: &[&str], rows: usize, positional: bool) -> String {
    // On SQLite `or fail`: a row that breaks a constraint fails the statement without undoing
    // the rows before it (the caller's transaction is rolled back on any error), so that
    // SQLite keeps no statement journal for it (see `bulk`).
    let verb = if positional {
        "insert or fail into"
    } else {
        "insert into"
    };
    let mut sql = format!("{verb} {} ({}) values ", table, cols.join(", "));
    let mut n = 1;
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for j in 0..cols.len() {
            if j > 0 {
                sql.push_str(", ");
            }
            if positional {
                sql.push('?');
            } else {
                sql.push('$');
                sql.push_str(&n.to_string());
            }
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// Inserts many rows into `$table` with multi-row `VALUES` (a few hundred rows a statement),
/// binding each row with `|$q, $r| ...`: one round trip per chunk instead of per row.
#[macro_export]
macro_rules! insert_batch {
    ($tx:expr, $table:expr, $cols:expr, $rows:expr, |$q:ident, $r:ident| $bind:expr) => {{
        let cols: &[&str] = $cols;
        // Callers bind text as `&str`; sqlx's SQLite driver still copies it into arguments of
        // its own before its thread runs the statement (`prepare_batch!` binds owned values,
        // on whatever thread makes them).
        let positional = $tx.engine() == $crate::Engine::Sqlite;
        let mut result: $crate::Result<()> = Ok(());
        for chunk in $rows.chunks($crate::batch_rows(cols.len())) {
            let sql = $crate::batch_sql($table, cols, chunk.len(), positional);
            let done = $crate::execute!($tx, |c| {
                let mut $q = sqlx::query(&sql);
                for $r in chunk {
                    $q = $bind;
                }
                $q.execute(c).await
            });
            if let Err(e) = done {
                result = Err(e.into());
                break;
            }
        }
        result
    }};
}

/// Like [`insert_batch!`], but only makes the statements, with their arguments bound, for
/// [`Tx::run_prepared`] to run later: on any thread, off the task that holds the transaction.
/// `$rows` is taken by value and `$bind` adds one row's values with `$a.add(value)?`, moving
/// them into the arguments rather than copying them; it is compiled once per engine.
/// Evaluates to `Result<Prepared>`.
#[macro_export]
macro_rules! prepare_batch {
    ($engine:expr, $table:expr, $cols:expr, $rows:expr, |$a:ident, $r:ident| $bind:block) => {{
        #[allow(unused_imports)]
        use sqlx::Arguments as _;
        let cols: &[&str] = $cols;
        let engine: $crate::Engine = $engine;
        let mut out = $crate::Prepared::new(engine);
        let mut result: std::result::Result<(), sqlx::error::BoxDynError> = Ok(());
        let mut rows = $rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<_> = rows.by_ref().take($crate::batch_rows(cols.len())).collect();
            let sql =
                $crate::batch_sql($table, cols, chunk.len(), engine == $crate::Engine::Sqlite);
            match &mut out {
                $crate::Prepared::Sqlite(statements) => {
                    let mut $a = sqlx::sqlite::SqliteArguments::<'static>::default();
                    result = chunk.into_iter().try_for_each(|$r| {
                        $bind;
                        Ok(())
                    });
                    statements.push((sql, $a));
                }
                $crate::Prepared::Postgres(statements) => {
                    let mut $a = sqlx::postgres::PgArguments::default();
                    result = chunk.into_iter().try_for_each(|$r| {
                        $bind;
                        Ok(())
                    });
                    statements.push((sql, $a));
                }
            }
            if result.is_err() {
                break;
            }
        }
        result
            .map(|()| out)
            .map_err(|e| $crate::StoreError::Other(format!("cannot bind a row of {}: {e}", $table)))
    }};
}

fn another_engine() -> StoreError {
    StoreError::Other("statements prepared for another engine".into())
}

/// Statements with their arguments already bound ([`prepare_batch!`]), for one engine.
pub enum Prepared {
    Sqlite(Vec<(String, sqlx::sqlite::SqliteArguments<'static>)>),
    Postgres(Vec<(String, sqlx::postgres::PgArguments)>),
}

impl Prepared {
    pub fn new(engine: Engine) -> Self {
        match engine {
            Engine::Sqlite => Prepared::Sqlite(Vec::new()),
            Engine::Postgres => Prepared::Postgres(Vec::new()),
        }
    }

    /// Appends `other`'s statements, to run after these.
    pub fn append(&mut self, other: Prepared) -> Result<()> {
        match (self, other) {
            (Prepared::Sqlite(a), Prepared::Sqlite(b)) => a.extend(b),
            (Prepared::Postgres(a), Prepared::Postgres(b)) => a.extend(b),
            _ => return Err(another_engine()),
        }
        Ok(())
    }
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (engine, n) = match self {
            Prepared::Sqlite(v) => ("SQLite", v.len()),
            Prepared::Postgres(v) => ("PostgreSQL", v.len()),
        };
        write!(f, "Prepared({n} statements for {engine})")
    }
}

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
enum Pools {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database, on either engine.
#[derive(Clone, Debug)]
pub struct Store {
    pools: Pools,
    url: String,
    /// The SQLite database file, for the read-only verification scan.
    sqlite_file: Option<std::path::PathBuf>,
}

/// An open transaction on either engine.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs statements made by [`prepare_batch!`], in order; statements prepared for the other
    /// engine are refused before anything runs.
    pub async fn run_prepared(&mut self, prepared: Prepared) -> Result<()> {
        match (self, prepared) {
            (Tx::Sqlite(t), Prepared::Sqlite(statements)) => {
                for (sql, args) in statements {
                    sqlx::query_with(&sql, args).execute(&mut **t).await?;
                }
            }
            (Tx::Postgres(t), Prepared::Postgres(statements)) => {
                for (sql, args) in statements {
                    sqlx::query_with(&sql, args).execute(&mut **t).await?;
                }
            }
            _ => return Err(another_engine()),
        }
        Ok(())
    }

    /// Inserts `rows` with the statements `prepare` makes ([`prepare_batch!`]), a batch at a
    /// time: only one batch's rows are copied at once.
    pub async fn insert_in_batches<T: Clone>(
        &mut self,
        rows: &[T],
        prepare: fn(Engine, Vec<T>) -> Result<Prepared>,
    ) -> Result<()> {
        // `batch_rows(1)`: the most rows one statement takes.
        for chunk in rows.chunks(batch_rows(1)) {
            let statements = prepare(self.engine(), chunk.to_vec())?;
            self.run_prepared(statements).await?;
        }
        Ok(())
    }

    /// SQLite: sets the connection's page cache (`pragma cache_size`: pages, or KiB when
    /// negative) and returns what it was, to set back; PostgreSQL: does nothing (`None`).
    pub async fn set_cache_size(&mut self, size: i64) -> Result<Option<i64>> {
        let Tx::Sqlite(t) = self else {
            return Ok(None);
        };
        let was: i64 = sqlx::query_scalar("pragma cache_size")
            .fetch_one(&mut **t)
            .await?;
        sqlx::query(&format!("pragma cache_size = {size}"))
            .execute(&mut **t)
            .await?;
        Ok(Some(was))
    }
}

/// Hides the password of a database URL (in the user part or a `password=` parameter), for
/// messages and logs.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = base.to_string();
    if let Some((scheme, rest)) = base.split_once("://") {
        if let Some((userinfo, host)) = rest.rsplit_once('@') {
            if let Some((user, _)) = userinfo.split_once(':') {
                out = format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    if let Some(q) = query {
        let params: Vec<String> = q
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_string(),
            })
            .collect();
        out = format!("{out}?{}", params.join("&"));
    }
    out
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The page size of a new SQLite database.
pub const SQLITE_PAGE_SIZE: u32 = 16384;

impl Store {
    /// Opens the database at `url`: `sqlite://PATH` (created if missing, WAL, synchronous=FULL,
    /// foreign keys on) or `postgres://...`. Does not migrate; call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store> {
        Self::open(url, true).await
    }

    /// Opens an existing database only: a mistyped SQLite path is an error, not a new file.
    pub async fn connect_existing(url: &str) -> Result<Store> {
        Self::open(url, false).await
    }

    async fn open(url: &str, create: bool) -> Result<Store> {
        let redacted = redact_url(url);
        let unavailable =
            |e: sqlx::Error| StoreError::Unavailable(format!("cannot open {redacted}: {e}"));
        let mut sqlite_file = None;
        let pools = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(unavailable)?
                .create_if_missing(create)
                // A new database gets 16 KiB pages (an existing one keeps the size it has):
                // a tenth less time for a large import and a fifth more audit events read per
                // second than with 4 KiB, for a little more written per small transaction
                // (docs/benchmarks.md).
                .page_size(SQLITE_PAGE_SIZE)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .pragma("temp_store", "memory")
                .busy_timeout(Duration::from_secs(10));
            sqlite_file = Some(opts.get_filename().to_path_buf());
            // A local file needs no liveness ping before each use; it would cost a round trip
            // to SQLite's worker thread per transaction.
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await
                .map_err(unavailable)?;
            Pools::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url).map_err(unavailable)?;
            // One direct attempt first: the pool retries a refused connection until its
            // acquire timeout, and an unreachable server should fail at once.
            {
                use sqlx::Connection;
                let c = sqlx::PgConnection::connect_with(&opts)
                    .await
                    .map_err(unavailable)?;
                let _ = c.close().await;
            }
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .map_err(unavailable)?;
            Pools::Postgres(pool)
        } else {
            return Err(StoreError::Unavailable(format!(
                "cannot open {redacted}: the URL must start with sqlite:// or postgres://"
            )));
        };
        Ok(Store {
            pools,
            url: redacted,
            sqlite_file,
        })
    }

    /// The URL with its password hidden.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn engine(&self) -> Engine {
        match self.pools {
            Pools::Sqlite(_) => Engine::Sqlite,
            Pools::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies pending migrations. Each migration runs in its own transaction, so a failed one
    /// leaves the schema as it was before it.
    pub async fn migrate(&self) -> Result<()> {
        let res = match &self.pools {
            Pools::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await,
            Pools::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await,
        };
        res.map_err(|e| StoreError::Unavailable(format!("cannot migrate {}: {e}", self.url)))
    }

    /// A read-only view in one transaction (a consistent snapshot).
    pub async fn read(&self) -> Result<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            // READ COMMITTED would give each statement its own snapshot: a verification reading
            // heads, then events, could see a write land in between and cry tampering.
            Pools::Postgres(p) => Tx::Postgres(
                p.begin_with("begin isolation level repeatable read, read only")
                    .await?,
            ),
        })
    }

    /// A transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-then-write never fails half-way with a busy snapshot.
    pub async fn write(&self) -> Result<Tx> {
        Ok(match &self.pools {
            Pools::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pools::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Opens a write transaction and locks the audit chain `chain_id` before anything else, so
    /// writers to one chain queue on one lock and never deadlock on records.
    pub async fn begin_write(
        &self,
        chain_id: uuid::Uuid,
        kind: audit::ChainKind,
    ) -> Result<WriteTx> {
        let mut tx = self.write().await?;
        let head = audit::lock_head(&mut tx, chain_id, kind).await?;
        Ok(WriteTx {
            tx,
            chain_id,
            head,
            dirty: false,
            bulk: None,
        })
    }

    /// [`Store::begin_write`] for a transaction that inserts many rows (a large import) and
    /// changes no row that others refer to. On SQLite it runs on a connection of its own with
    /// foreign-key enforcement off, and [`WriteTx::commit`] checks the keys of every row it
    /// inserted before committing: a row that refers to nothing fails the commit and nothing
    /// is written (see `bulk`). On PostgreSQL it is [`Store::begin_write`].
    pub async fn begin_bulk_write(
        &self,
        chain_id: uuid::Uuid,
        kind: audit::ChainKind,
    ) -> Result<WriteTx> {
        let Pools::Sqlite(pool) = &self.pools else {
            return self.begin_write(chain_id, kind).await;
        };
        let mut conn = pool.acquire().await?;
        // Never back into the pool with its keys off, however this transaction ends.
        conn.close_on_drop();
        sqlx::query("pragma foreign_keys = off")
            .execute(&mut *conn)
            .await?;
        // What `Pool::begin_with` does, on this connection.
        let tx = sqlx::Transaction::begin(conn, Some("BEGIN IMMEDIATE".into())).await?;
        let mut tx = Tx::Sqlite(tx);
        let head = audit::lock_head(&mut tx, chain_id, kind).await?;
        let marks = bulk::Marks::take(&mut tx, chain_id, head.seq).await?;
        Ok(WriteTx {
            tx,
            chain_id,
            head,
            dirty: false,
            bulk: Some(marks),
        })
    }

    /// Closes the pools.
    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite(p) => p.close().await,
            Pools::Postgres(p) => p.close().await,
        }
    }

    /// Storage settings that durability depends on, as (name, value) pairs.
    pub async fn durability_settings(&self) -> Result<Vec<(String, String)>> {
        dialect::durability_settings(self).await
    }

    pub(crate) fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pools {
            Pools::Sqlite(p) => Some(p),
            Pools::Postgres(_) => None,
        }
    }

    pub(crate) fn sqlite_file(&self) -> Option<&std::path::Path> {
        self.sqlite_file.as_deref()
    }

    pub(crate) fn pg_pool(&self) -> Option<&PgPool> {
        match &self.pools {
            Pools::Postgres(p) => Some(p),
            Pools::Sqlite(_) => None,
        }
    }
}

/// A write transaction holding the lock on one audit chain. Records change through `tx`;
/// each change appends its audit event with [`WriteTx::append`]; [`WriteTx::commit`] writes the
/// new chain head and commits everything at once.
pub struct WriteTx {
    pub tx: Tx,
    chain_id: uuid::Uuid,
    head: audit::Head,
    dirty: bool,
    /// A bulk write's marks, for the key check before its commit.
    bulk: Option<bulk::Marks>,
}

impl WriteTx {
    pub fn chain_id(&self) -> uuid::Uuid {
        self.chain_id
    }

    /// The chain's last event (its number and hash): it moves with every change to the chain's
    /// records.
    pub fn head(&self) -> (i64, [u8; 32]) {
        (self.head.seq, self.head.hash)
    }

    /// Where the next event goes, for [`audit::chain_drafts`].
    pub fn next_link(&self) -> audit::Head {
        self.head.clone()
    }

    /// Appends one audit event to the locked chain and returns it.
    pub async fn append(
        &mut self,
        key: &accord_domain::audit::AuditKey,
        draft: audit::Draft,
    ) -> Result<audit::Event> {
        let ev =
            audit::insert_event(&mut self.tx, key, self.chain_id, &mut self.head, draft).await?;
        self.dirty = true;
        Ok(ev)
    }

    /// Appends many audit events to the locked chain, in order, inserted in batches.
    pub async fn append_many(
        &mut self,
        key: &accord_domain::audit::AuditKey,
        drafts: Vec<audit::Draft>,
    ) -> Result<()> {
        let events: Vec<audit::Event> = drafts
            .into_iter()
            .map(|d| audit::chain_event(key, self.chain_id, &mut self.head, d))
            .collect();
        let any = !events.is_empty();
        audit::insert_events(&mut self.tx, events).await?;
        self.dirty |= any;
        Ok(())
    }

    /// Events for this chain made by [`audit::chain_drafts`] elsewhere (on a thread of their own,
    /// while this transaction writes something else), appended in order. They must follow the
    /// head as it is now: events chained from any other head are refused and nothing is written.
    pub async fn append_chained(&mut self, chained: audit::Chained) -> Result<()> {
        let prepared = chained.prepare(self.tx.engine())?;
        self.append_prepared(prepared).await
    }

    /// [`WriteTx::append_chained`] for events whose statements were made elsewhere
    /// ([`audit::Chained::prepare`]).
    pub async fn append_prepared(&mut self, chained: audit::PreparedChain) -> Result<()> {
        self.follows(chained.chain_id, &chained.from)?;
        self.tx.run_prepared(chained.statements).await?;
        // Events moved the head; none left it where it was.
        self.dirty |= chained.to != chained.from;
        self.head = chained.to;
        Ok(())
    }

    /// Refuses events chained for another chain or from another head than this one's.
    fn follows(&self, chain_id: uuid::Uuid, from: &audit::Head) -> Result<()> {
        if chain_id != self.chain_id || *from != self.head {
            return Err(StoreError::Other(format!(
                "audit chain {}: events were chained from event {} but the chain is at event {}",
                self.chain_id, from.seq, self.head.seq
            )));
        }
        Ok(())
    }

    pub async fn commit(mut self) -> Result<()> {
        if self.dirty {
            audit::save_head(&mut self.tx, self.chain_id, &self.head).await?;
        }
        if let Some(marks) = &self.bulk {
            marks.verify(&mut self.tx).await?;
        }
        self.tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            super::redact_url("postgres://u@h/db?sslmode=require&password=secret"),
            "postgres://u@h/db?sslmode=require&password=***"
        );
        assert_eq!(
            super::redact_url("sqlite://accord.db"),
            "sqlite://accord.db"
        );
    }
}
