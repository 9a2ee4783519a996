//! The database handle every capability's store functions take: SQLite (embedded default) or PostgreSQL,
//! behind one `sqlx::Any` pool so that each query is written once for both backends.

use crate::kernel::error::AppError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, ConnectOptions, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::any::AnyRow as Row;

/// The database, from the request's context (server functions and page renders).
pub fn db() -> Result<Db, AppError> {
    crate::kernel::context::server_context()
}

/// A write transaction, as [`Db::write`] opens it.
pub type Tx = Transaction<'static, Any>;

/// What must happen, inside the same transaction, after a capability changed something that another capability
/// follows: a price change fires alerts, an order changes a member's tier growth. The capability making the change
/// reports it here without knowing who follows; each follower is written once, in `flows`, and handed in by the
/// caller.
pub trait Then<Change>: Sync {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: Change,
    ) -> futures::future::BoxFuture<'t, Result<(), StoreError>>;
}

/// Two flows following the same change, one after the other in its transaction.
impl<Change, First, Second> Then<Change> for (First, Second)
where
    Change: Clone + Send + 'static,
    First: Then<Change>,
    Second: Then<Change>,
{
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: Change,
    ) -> futures::future::BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async move {
            self.0.then(tx, change.clone()).await?;
            self.1.then(tx, change).await
        })
    }
}

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a connection talks to.
    pub fn of(connection: &sqlx::AnyConnection) -> Backend {
        if connection.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// An aggregate joining the text `expr` of a group's rows with commas (rows where it is NULL left out): for
    /// reads of many rows as a few long texts of numbers ([`joined_numbers`]). sqlx's `Any` driver costs about
    /// 4 µs a row, which made 250,000 orders a second where the database reads them in a fifth of that.
    pub fn joined(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => format!("group_concat({expr}, ',')"),
            Backend::Postgres => format!("string_agg({expr}, ',')"),
        }
    }

    /// An aggregate of a query's rows into one JSON array with an array of `values` for each row, read back by
    /// [`json_rows`]: a batch of rows with text among their columns read as one value ([`Backend::joined`] says
    /// why). The rows come in no set order (an ordered aggregate sorts, 0.1 s over 100,000 rows on SQLite): a
    /// caller that needs one sorts them.
    pub fn json_rows(self, values: &str) -> String {
        match self {
            Backend::Sqlite => format!("json_group_array(json_array({values}))"),
            Backend::Postgres => format!("CAST(json_agg(json_build_array({values})) AS TEXT)"),
        }
    }

    /// A JSON array bound as `$param`, as a table `j` with one row per element in column `value`: rows written
    /// by the caller, read with `j.value->>N`.
    pub fn json_table(self, param: usize) -> String {
        match self {
            Backend::Sqlite => format!("json_each(${param}) AS j"),
            Backend::Postgres => {
                format!("jsonb_array_elements(CAST(${param} AS JSONB)) AS j (value)")
            }
        }
    }
}

/// The rows of a [`Backend::json_rows`] value; none for no value (PostgreSQL's aggregate of no rows).
pub fn json_rows<T: serde::de::DeserializeOwned>(
    value: Option<&str>,
) -> Result<Vec<T>, StoreError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    serde_json::from_str(value).map_err(|error| {
        StoreError::from(sqlx::Error::Decode(
            format!("rows read as one JSON value: {error}").into(),
        ))
    })
}

/// How many consecutive row ids one [`Backend::joined`] text covers, grouped `BY id / JOINED_IDS`: long enough to
/// make a few texts of a table, short enough to keep each text a few hundred kilobytes.
pub const JOINED_IDS: i64 = 4_096;

/// The rows of a [`Backend::joined`] text whose rows are `N` integers apart by spaces; none for no text.
pub fn joined_numbers<const N: usize>(text: Option<&str>) -> Result<Vec<[i64; N]>, StoreError> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(|row| {
            let mut numbers = row.split(' ').map(str::parse::<i64>);
            let mut parsed = [0; N];
            for slot in &mut parsed {
                *slot = match numbers.next() {
                    Some(Ok(number)) => number,
                    _ => return Err(bad_row(row)),
                };
            }
            match numbers.next() {
                None => Ok(parsed),
                Some(_) => Err(bad_row(row)),
            }
        })
        .collect()
}

fn bad_row(row: &str) -> StoreError {
    StoreError::from(sqlx::Error::Decode(
        format!("a joined row read as {row:?}").into(),
    ))
}

/// A connection pool to the store's database.
///
/// SQLite allows one writer at a time, so writes go through a pool of one connection and open with
/// `BEGIN IMMEDIATE`: concurrent requests queue for the writer instead of failing with "database is locked".
/// PostgreSQL uses one pool for both.
#[derive(Debug, Clone)]
pub struct Db {
    reader: AnyPool,
    writer: AnyPool,
    backend: Backend,
}

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The caller's input breaks a rule; nothing was written.
    #[error("{0}")]
    Rejected(AppError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("bad database URL: {0}")]
    Url(String),
}

impl From<AppError> for StoreError {
    fn from(error: AppError) -> Self {
        StoreError::Rejected(error)
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Rejected(error) => error,
            other => {
                tracing::error!(error = %other, "store failure");
                AppError::internal()
            }
        }
    }
}

/// A store failure as a server-function error, with its HTTP status.
pub fn store_error(error: StoreError) -> AppError {
    crate::kernel::error::respond_with(error.into())
}

/// True when a database error is a unique-key violation, which store functions turn into a domain error.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Makes changes of the same rows take turns until the transaction on `conn` ends: on PostgreSQL, locks the rows of
/// `table` with these `ids`, in id order (so that two lockers never wait on each other), `FOR NO KEY UPDATE`, which
/// leaves them free for the foreign keys of rows inserted meanwhile. Lock a row that always exists (the shopper,
/// the product) rather than one the change may be about to insert. SQLite has one writer at a time: nothing to do.
pub async fn take_turns(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    if conn.backend_name() != "PostgreSQL" || ids.is_empty() {
        return Ok(());
    }
    sqlx::query(&format!(
        "SELECT id FROM {table} WHERE id IN ({}) ORDER BY id FOR NO KEY UPDATE",
        id_list(ids)
    ))
    .fetch_all(conn)
    .await?;
    Ok(())
}

/// Row ids as the inside of an SQL `IN (…)`: integers written into the statement, so nothing to bind (binding
/// hundreds of parameters costs SQLite more than the query).
pub fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Any number of row ids as one bound parameter, for sets too large for an [`id_list`]: a price change that fires
/// 100,000 alerts writes their notices in one statement. As 200 statements of 500 listed ids each, parsing and
/// planning them cost PostgreSQL more than the rows themselves (BENCHMARKS.md).
///
/// ```
/// use app::store::IdSet;
/// use sqlx::Connection;
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// sqlx::any::install_default_drivers();
/// let mut connection = sqlx::AnyConnection::connect("sqlite::memory:").await?;
/// let ids = IdSet::new(&connection, &[3, 5, 8]);
/// let sql = format!("SELECT SUM(f.id) FROM {}", ids.table("f", 1));
/// let sum: i64 = sqlx::query_scalar(&sql)
///     .bind(ids.value())
///     .fetch_one(&mut connection)
///     .await?;
/// assert_eq!(sum, 16);
/// # Ok::<(), sqlx::Error>(())
/// # }).unwrap();
/// ```
pub struct IdSet {
    backend: Backend,
    value: String,
}

impl IdSet {
    /// The ids, written for the database `connection` talks to.
    pub fn new(connection: &sqlx::AnyConnection, ids: &[i64]) -> IdSet {
        IdSet::of(Backend::of(connection), ids)
    }

    /// The ids once each, in order, written for the database `connection` talks to: for reads whose ids repeat
    /// (an order's products across a batch, a shopper's several messages).
    pub fn distinct(connection: &sqlx::AnyConnection, ids: impl IntoIterator<Item = i64>) -> IdSet {
        let mut ids: Vec<i64> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        IdSet::of(Backend::of(connection), &ids)
    }

    /// The ids, written for `backend`.
    pub fn of(backend: Backend, ids: &[i64]) -> IdSet {
        let listed = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let value = match backend {
            Backend::Postgres => format!("{{{listed}}}"),
            Backend::Sqlite => format!("[{listed}]"),
        };
        IdSet { backend, value }
    }

    /// The ids bound as `$param`, as a table `alias` with one column `id`, to join with. A join on the table's key
    /// cannot go quadratic: `id = ANY($1)` filtering a sequential scan compares every row with every id, which on a freshly
    /// loaded table (no statistics yet) made PostgreSQL take 552 s for 100,000 alerts instead of 1.5 s. Against a
    /// key that starts with another column (`product_neighbours (list, product_id)`), write `CROSS JOIN`, which
    /// makes SQLite read the ids first and look each up; a plain join let it scan the ids once per row of the
    /// table (a partial feed refresh did not finish in minutes).
    pub fn table(&self, alias: &str, param: usize) -> String {
        match self.backend {
            Backend::Postgres => format!("unnest(CAST(${param} AS BIGINT[])) AS {alias} (id)"),
            Backend::Sqlite => format!("(SELECT value AS id FROM json_each(${param})) AS {alias}"),
        }
    }

    /// The text to bind as the table's parameter.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl Db {
    /// Connects to `url`: `sqlite://path/to/file.db` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Url(format!(
                "\"{url}\" is neither sqlite://… nor postgres://…"
            )));
        };
        match backend {
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or_default();
                if let Some(parent) = std::path::Path::new(path).parent()
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent).map_err(|error| {
                        StoreError::Url(format!("cannot create {}: {error}", parent.display()))
                    })?;
                }
                let url = if url.contains('?') {
                    url.to_owned()
                } else {
                    format!("{url}?mode=rwc")
                };
                let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
                let pool = |size: u32| {
                    AnyPoolOptions::new()
                        .max_connections(size)
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                // Reads through a memory map (up to 1 GiB of the file) instead of copying each page
                                // into SQLite's 2 MB cache: a 200-item wish list on the 760 MB large demo store
                                // loads in 3-4 ms p99 instead of 6-8 ms (BENCHMARKS.md).
                                conn.execute(
                                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                     PRAGMA mmap_size = 1073741824;",
                                )
                                .await?;
                                Ok(())
                            })
                        })
                        .connect_with(options.clone())
                };
                let writer = pool(1).await?;
                let reader = pool(8).await?;
                Ok(Db {
                    reader,
                    writer,
                    backend,
                })
            }
            Backend::Postgres => {
                let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                Ok(Db {
                    reader: pool.clone(),
                    writer: pool,
                    backend,
                })
            }
        }
    }

    /// Applies the migrations of this backend that have not run yet. Safe to call from several
    /// instances at once on PostgreSQL (sqlx takes an advisory lock). Says which migrations it is about to apply
    /// and how long they took: one that rewrites a large table can take minutes, and a start that prints nothing
    /// meanwhile looks hung.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        let applied = self.applied_migrations().await?;
        let pending: Vec<String> = migrator
            .iter()
            .filter(|migration| !applied.contains(&migration.version))
            .map(|migration| format!("{:04} {}", migration.version, migration.description))
            .collect();
        if !pending.is_empty() {
            tracing::info!(count = pending.len(), migrations = %pending.join(", "), "applying migrations");
        }
        let started = std::time::Instant::now();
        // Run even with nothing pending: sqlx then checks that the applied migrations are the ones in the code.
        migrator.run(&self.writer).await?;
        if !pending.is_empty() {
            tracing::info!(
                count = pending.len(),
                seconds = started.elapsed().as_secs_f64(),
                "migrations applied"
            );
        }
        Ok(())
    }

    /// The versions of the migrations already applied; none on a new database (sqlx makes its table on the
    /// first run, under its lock, so this only looks).
    async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let exists = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM pg_tables WHERE tablename = '_sqlx_migrations' AND schemaname = current_schema()"
            }
        };
        let tables: i64 = sqlx::query_scalar(exists).fetch_one(&self.writer).await?;
        if tables == 0 {
            return Ok(Vec::new());
        }
        Ok(
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.writer)
                .await?,
        )
    }

    /// Gathers the query planner's statistics afresh. SQLite has no autovacuum to do it: without statistics it
    /// plans "did this shopper buy this product" from the product's side, which on a popular product of a large
    /// store reads every order line of it (45 ms instead of 0.02 ms, measured on the large demo data). Bulk loads
    /// call it between their phases.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        sqlx::query("ANALYZE").execute(&self.writer).await?;
        Ok(())
    }

    /// Keeps the statistics fresh as the store grows (the server calls it at start and every hour): on SQLite, a
    /// full analysis when there are none yet, else a re-analysis of only the tables that changed a lot, with
    /// bounded effort, so that a restart does not pay a full `ANALYZE` (3.6 s on the large demo data).
    /// PostgreSQL's autovacuum does this by itself.
    pub async fn keep_statistics_fresh(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let analysed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
        )
        .fetch_one(&self.writer)
        .await?;
        if analysed == 0 {
            self.refresh_statistics().await
        } else {
            sqlx::query("PRAGMA optimize").execute(&self.writer).await?;
            Ok(())
        }
    }

    /// Folds the rows a count table's triggers added since the last fold into one row per key: on PostgreSQL,
    /// whose triggers add a row per statement and key instead of updating a shared row (migration 0032), so that
    /// writers never wait on each other for a count. `keys` are the table's key columns and `count` the counted
    /// column; a reader sums the rows of a key, folded or not, so a fold changes no figure. Several folds at once
    /// each take what the others did not. SQLite updates its counts in place and has nothing to fold.
    pub async fn fold_counts(
        &self,
        table: &str,
        keys: &str,
        count: &str,
    ) -> Result<(), StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        sqlx::query(&format!(
            "WITH added AS (DELETE FROM {table} WHERE NOT folded RETURNING {keys}, {count}) \
             INSERT INTO {table} AS t ({keys}, {count}, folded) \
             SELECT {keys}, SUM({count}), TRUE FROM added GROUP BY {keys} HAVING SUM({count}) <> 0 ORDER BY {keys} \
             ON CONFLICT ({keys}) WHERE folded DO UPDATE SET {count} = t.{count} + EXCLUDED.{count}"
        ))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Writes a consistent copy of an embedded SQLite database to `path`, a file that must not exist yet, while
    /// the store goes on serving: `VACUUM INTO` reads one snapshot, so writes made meanwhile wait for nothing and
    /// are not half in the copy. The copy is itself a database the server can open. PostgreSQL stores back up
    /// with their own tools (`pg_dump`), which this refuses to stand in for.
    pub async fn back_up_to(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(AppError::invalid(
                "database_url",
                "back up a PostgreSQL store with pg_dump or the server's own backups",
            )
            .into());
        }
        if path.exists() {
            return Err(AppError::conflict(format!(
                "{} exists already; name a new file, so that no backup is overwritten",
                path.display()
            ))
            .into());
        }
        let target = path
            .to_str()
            .ok_or_else(|| AppError::invalid("to", "the backup's path must be valid UTF-8"))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.reader)
            .await?;
        Ok(())
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    /// Starts a write transaction. Everything a request changes happens in one, so a rejected request changes nothing.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        let statement = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        Ok(self.writer.begin_with(statement).await?)
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

pub mod files;

/// What every outbox table (the alerts' `notices`, the `messages`) shares: a row is queued, leased to the worker
/// that claimed it (`claimed_by`, until `next_attempt_at`), and sent. Written once here for both; the table name is
/// the caller's own constant.
pub mod outbox {
    use super::{Db, StoreError};
    use crate::kernel::time::Millis;

    /// Extends `worker`'s lease on row `id` of `table`, which it is about to send; `false` when the row is no longer
    /// its to send (another worker claimed it after the lease ran out, or it was sent or withdrawn meanwhile).
    pub async fn renew(
        db: &Db,
        table: &str,
        id: i64,
        worker: &str,
        lease: Millis,
        now: Millis,
    ) -> Result<bool, StoreError> {
        let mut tx = db.write().await?;
        let renewed = sqlx::query(&format!(
            "UPDATE {table} SET next_attempt_at = $1 WHERE id = $2 AND claimed_by = $3 AND status = 'queued'"
        ))
        .bind(now + lease)
        .bind(id)
        .bind(worker)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(renewed == 1)
    }

    /// Records row `id` of `table` sent. Only a row still queued changes: a late duplicate report changes nothing.
    pub async fn sent(db: &Db, table: &str, id: i64, now: Millis) -> Result<(), StoreError> {
        let mut tx = db.write().await?;
        sqlx::query(&format!(
            "UPDATE {table} SET status = 'sent', sent_at = $1, last_error = NULL WHERE id = $2 AND status = 'queued'"
        ))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Test support: a fresh, migrated database per backend, SQLite always and PostgreSQL when
/// `RAPPORT_TEST_POSTGRES_URL` names a server (the README's test command starts one).
#[cfg(any(test, feature = "test-support"))]
pub mod testing {
    use super::*;
    use sqlx::Connection;

    /// A migrated, empty database and whatever keeps it alive.
    pub struct TestDb {
        pub db: Db,
        /// Where it is, for other processes (a worker) to open it too.
        pub url: String,
        _dir: Option<tempfile::TempDir>,
    }

    pub async fn sqlite() -> TestDb {
        sqlite_until(None).await
    }

    async fn sqlite_until(version: Option<i64>) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/store.db", dir.path().display());
        let db = Db::connect(&url).await.expect("open SQLite");
        migrate_until(&db, version).await;
        TestDb {
            db,
            url,
            _dir: Some(dir),
        }
    }

    /// A new database on the test PostgreSQL server, or `None` when none is configured.
    /// With `RAPPORT_REQUIRE_POSTGRES=1` a missing server fails the test instead of skipping it.
    pub async fn postgres() -> Option<TestDb> {
        postgres_until(None).await
    }

    async fn postgres_until(version: Option<i64>) -> Option<TestDb> {
        let Ok(admin_url) = std::env::var("RAPPORT_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("RAPPORT_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "RAPPORT_REQUIRE_POSTGRES=1 but RAPPORT_TEST_POSTGRES_URL is not set"
            );
            return None;
        };
        sqlx::any::install_default_drivers();
        let name = format!("rapport_test_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::AnyConnection::connect(&admin_url)
            .await
            .expect("connect to test PostgreSQL");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(base, _)| base)
            .expect("URL has a database");
        let url = format!("{base}/{name}");
        let db = Db::connect(&url).await.expect("open PostgreSQL");
        migrate_until(&db, version).await;
        Some(TestDb {
            db,
            url,
            _dir: None,
        })
    }

    /// Every backend this test run can reach.
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![sqlite().await];
        dbs.extend(postgres().await);
        dbs
    }

    /// Every backend this test run can reach, with only the migrations up to `version` applied: what a later
    /// migration does to the rows it finds is tested by writing them, then calling [`Db::migrate`].
    pub async fn all_until(version: i64) -> Vec<TestDb> {
        let mut dbs = vec![sqlite_until(Some(version)).await];
        dbs.extend(postgres_until(Some(version)).await);
        dbs
    }

    /// Applies every migration, or those up to `version` (copied into a folder of their own, which sqlx then
    /// reads as the whole list).
    async fn migrate_until(db: &Db, version: Option<i64>) {
        let Some(version) = version else {
            db.migrate().await.expect("migrate");
            return;
        };
        let folder = match db.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(folder);
        let until = tempfile::tempdir().expect("temp dir");
        for entry in std::fs::read_dir(&source).expect("migrations") {
            let path = entry.expect("migration").path();
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default()
                .to_owned();
            if name
                .get(..4)
                .and_then(|number| number.parse::<i64>().ok())
                .is_some_and(|number| number <= version)
            {
                std::fs::copy(&path, until.path().join(&name)).expect("copy migration");
            }
        }
        sqlx::migrate::Migrator::new(until.path())
            .await
            .expect("read migrations")
            .run(&db.writer)
            .await
            .expect("migrate");
    }

    /// The number of rows in `table`.
    pub async fn count(db: &Db, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.reader())
            .await
            .expect("count rows")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rows_read_as_one_joined_text_come_back_whole_and_a_bad_row_is_an_error() {
        for store in testing::all().await {
            let db = &store.db;
            let sql = format!(
                "SELECT {} FROM (SELECT 1 AS a, -2 AS b UNION ALL SELECT 30, NULL UNION ALL SELECT 4, 5) t",
                db.backend()
                    .joined("CASE WHEN b IS NOT NULL THEN a || ' ' || b END")
            );
            let text: Option<String> = sqlx::query_scalar(&sql)
                .fetch_one(db.reader())
                .await
                .unwrap();
            let mut rows = joined_numbers::<2>(text.as_deref()).unwrap();
            rows.sort_unstable();
            assert_eq!(rows, [[1, -2], [4, 5]]);
        }
        assert!(joined_numbers::<2>(None).unwrap().is_empty());
        for bad in ["1", "1 2 3", "1 x", "1 2,"] {
            assert!(joined_numbers::<2>(Some(bad)).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn rows_read_as_one_json_value_come_back_whole() {
        for store in testing::all().await {
            let db = &store.db;
            let sql = |filter: &str| {
                format!(
                    "SELECT {} FROM (SELECT 9007199254740993 AS id, 'Zoë \"Z\"' AS name, NULL AS zone \
                     UNION ALL SELECT 2, '茶壶', 'Asia/Shanghai') t WHERE {filter}",
                    db.backend().json_rows("t.id, t.name, t.zone")
                )
            };
            let value: Option<String> = sqlx::query_scalar(&sql("TRUE"))
                .fetch_one(db.reader())
                .await
                .unwrap();
            let mut rows: Vec<(i64, String, Option<String>)> = json_rows(value.as_deref()).unwrap();
            rows.sort_unstable();
            assert_eq!(
                rows,
                [
                    (2, "茶壶".to_owned(), Some("Asia/Shanghai".to_owned())),
                    (9_007_199_254_740_993, "Zoë \"Z\"".to_owned(), None),
                ]
            );
            // No rows: NULL on PostgreSQL, an empty array on SQLite; none either way.
            let value: Option<String> = sqlx::query_scalar(&sql("FALSE"))
                .fetch_one(db.reader())
                .await
                .unwrap();
            assert!(
                json_rows::<(i64, String, Option<String>)>(value.as_deref())
                    .unwrap()
                    .is_empty()
            );
        }
        assert!(json_rows::<(i64,)>(Some("[[\"x\"]]")).is_err());
    }

    #[tokio::test]
    async fn a_backup_is_a_database_with_every_row_and_never_overwrites_one() {
        for store in testing::all().await {
            let db = &store.db;
            sqlx::query("CREATE TABLE backup_probe (n BIGINT NOT NULL)")
                .execute(db.reader())
                .await
                .unwrap();
            for n in 0..100i64 {
                sqlx::query("INSERT INTO backup_probe (n) VALUES ($1)")
                    .bind(n)
                    .execute(db.reader())
                    .await
                    .unwrap();
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("backup.db");
            let outcome = db.back_up_to(&path).await;
            if db.backend() == Backend::Postgres {
                let Err(StoreError::Rejected(error)) = outcome else {
                    panic!("PostgreSQL has its own backups: {outcome:?}")
                };
                assert_eq!(error.field.as_deref(), Some("database_url"));
                continue;
            }
            outcome.unwrap();
            let copy = Db::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            let (count, sum): (i64, i64) =
                sqlx::query_as("SELECT COUNT(*), SUM(n) FROM backup_probe")
                    .fetch_one(copy.reader())
                    .await
                    .unwrap();
            assert_eq!((count, sum), (100, 4950));
            copy.close().await;
            let before = std::fs::metadata(&path).unwrap().len();
            let Err(StoreError::Rejected(error)) = db.back_up_to(&path).await else {
                panic!("a second backup to the same file must be refused")
            };
            assert_eq!(error.code, crate::kernel::error::ErrorCode::Conflict);
            assert_eq!(std::fs::metadata(&path).unwrap().len(), before);
        }
    }
}
