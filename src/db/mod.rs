//! Database plumbing: one connection type over PostgreSQL and SQLite, our own r2d2 manager that
//! picks the backend from the URL scheme, per-connection SQLite PRAGMAs, embedded migrations.

pub mod in_use;
pub mod pg_copy;
pub mod schema;
pub mod text_enum;
mod tx;

pub use tx::{before_commit, within_write_tx, write_tx, Deferred};

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::DatabaseSettings;

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Run the same diesel statement on whichever backend `conn` is, for statements outside the
/// multi-backend's portable subset (upserts, say): `on_each_backend!(conn, |c| stmt.execute(c))`.
#[macro_export]
macro_rules! on_each_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

/// The one connection type the whole code base is written against.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// A pooled connection that can be marked broken, so that r2d2 drops it instead of handing it
/// out again (a PostgreSQL restart leaves every pooled connection dead, and nothing else tells).
pub struct Conn {
    inner: DbConn,
    broken: bool,
}

impl Conn {
    pub fn mark_broken(&mut self) {
        self.broken = true;
    }
}

impl std::ops::Deref for Conn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.inner
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.inner
    }
}

static WAITING: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// A connection from the pool, counted among those waiting for one meanwhile.
pub fn checkout(pool: &Pool) -> Result<r2d2::PooledConnection<ConnectionManager>, r2d2::Error> {
    use std::sync::atomic::Ordering;
    WAITING.fetch_add(1, Ordering::Relaxed);
    let conn = pool.get();
    WAITING.fetch_sub(1, Ordering::Relaxed);
    conn
}

/// Threads of this process waiting for a pooled connection now (requests and background work).
pub fn waiting() -> i64 {
    WAITING.load(std::sync::atomic::Ordering::Relaxed)
}

/// Run `f` on a pooled connection, dropping the connection from the pool if it turned out dead.
/// For background tasks; services use `Context::db`.
pub fn run<T>(
    pool: &Pool,
    f: impl FnOnce(&mut DbConn) -> diesel::QueryResult<T>,
) -> anyhow::Result<T> {
    let mut conn = checkout(pool)?;
    let result = f(&mut conn);
    if let Err(err) = &result {
        if is_connection_lost(err) {
            conn.mark_broken();
        }
    }
    Ok(result?)
}

/// Run `f` with PostgreSQL told to reuse one generic plan per prepared statement instead of
/// planning every execution again (SQLite: `f` simply runs).
///
/// Diesel prepares each query once per connection, but PostgreSQL's default `plan_cache_mode`
/// keeps re-planning a statement with a bound `LIMIT`: it cannot see the limit, so the generic
/// plan always looks dearer than a custom one. For a hot query whose best plan does not depend
/// on its values that planning is most of the database's work (README, Performance). Scoped to
/// `f`, because elsewhere a custom plan is what keeps a skewed filter on the right index. If
/// the setting cannot be put back, the error is a broken connection, which the pool drops.
pub fn with_generic_plans<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if !matches!(conn, DbConn::Pg(_)) {
        return f(conn);
    }
    conn.batch_execute("SET plan_cache_mode = force_generic_plan")?;
    let result = f(conn);
    if conn.batch_execute("RESET plan_cache_mode").is_err() {
        return Err(diesel::result::Error::BrokenTransactionManager.into());
    }
    result
}

/// Inside a transaction that inserts many rows into a table it also reads through foreign keys
/// (sections under their parents): PostgreSQL re-plans each foreign-key check instead of keeping
/// the plan made while the table was still small, which scans the whole table for every row as
/// it grows. Ends with the transaction. (SQLite: nothing to do.)
pub fn plan_for_growing_tables(conn: &mut DbConn) -> diesel::QueryResult<()> {
    match conn {
        DbConn::Pg(_) => conn.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan"),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// True for errors that mean the connection itself is gone.
pub fn is_connection_lost(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error as E};
    matches!(
        err,
        E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _)
            | E::BrokenTransactionManager
    )
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL scheme (expected postgres://, postgresql:// or sqlite://)")]
    Scheme,
    #[error("cannot create the directory for the SQLite file {path}: {source}")]
    Directory {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot take the lock file beside the SQLite file {path}: {source}")]
    Lock {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// Whether `url` names a PostgreSQL database (else an SQLite file).
pub fn is_postgres(url: &str) -> bool {
    matches!(sqlite_file(url), Ok(None))
}

/// The file a `sqlite://PATH` URL names; `None` for PostgreSQL.
pub fn sqlite_file(url: &str) -> Result<Option<PathBuf>, ConnectError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(None)
    } else if let Some(path) = url.strip_prefix("sqlite://") {
        Ok(Some(PathBuf::from(path)))
    } else {
        Err(ConnectError::Scheme)
    }
}

/// Which backend a URL names, and what to hand to the driver.
#[derive(Clone)]
pub struct ConnectionManager {
    backend: Backend,
    target: String,
    /// SQLite: the shared lock that tells `gopy restore` this database is in use, held as
    /// long as the manager (and so its pool) lives.
    _in_use: Option<std::sync::Arc<std::fs::File>>,
}

impl std::fmt::Debug for ConnectionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionManager")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl ConnectionManager {
    pub fn new(url: &str) -> Result<Self, ConnectError> {
        match sqlite_file(url)? {
            None => Ok(Self {
                backend: Backend::Postgres,
                target: url.to_owned(),
                _in_use: None,
            }),
            Some(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| ConnectError::Directory {
                        path: path.clone(),
                        source,
                    })?;
                }
                let in_use = in_use::hold(&path).map_err(|source| ConnectError::Lock {
                    path: path.clone(),
                    source,
                })?;
                Ok(Self {
                    backend: Backend::Sqlite,
                    target: path.to_string_lossy().into_owned(),
                    _in_use: Some(in_use),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn establish(&self) -> Result<DbConn, ConnectError> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.target)?;
                // gopy's queries are short lookups and streamed scans; JIT compilation only
                // ever paid for itself when stale estimates on a fast-growing table (the
                // comment buckets) pushed a cheap probe over `jit_above_cost`, where it added
                // tens of milliseconds to a batch.
                conn.batch_execute("SET jit = off")?;
                Ok(DbConn::Pg(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)?;
                // WAL lets readers run beside the single writer; FULL makes every acknowledged
                // commit durable; busy_timeout queues writers instead of failing them.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                )?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Conn;
    type Error = ConnectError;

    fn connect(&self) -> Result<Conn, ConnectError> {
        Ok(Conn {
            inner: self.establish()?,
            broken: false,
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), ConnectError> {
        conn.inner.batch_execute("SELECT 1").map_err(Into::into)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.broken || diesel::r2d2::R2D2Connection::is_broken(&mut conn.inner)
    }
}

/// Build the pool. One connection is made first, outside r2d2, so that a wrong URL or a
/// database that is down is reported with its real cause instead of a pool time-out.
pub fn connect(settings: &DatabaseSettings) -> anyhow::Result<Pool> {
    Ok(connect_migrated(settings)?.0)
}

/// `connect`, also saying how many migrations it applied.
pub fn connect_migrated(settings: &DatabaseSettings) -> anyhow::Result<(Pool, usize)> {
    let manager = ConnectionManager::new(&settings.url)?;
    let mut first = manager.establish()?;
    let applied = run_migrations(&mut first)?;
    drop(first);
    let pool = r2d2::Pool::builder()
        .max_size(settings.pool_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(settings.connect_timeout_secs))
        .test_on_check_out(false)
        .build_unchecked(manager);
    Ok((pool, applied))
}

/// The read replica's pool: no migrations (the primary's arrive by replication), no
/// connection made in advance, and a short wait, so that a replica that is down costs a read
/// one second before it goes to the primary.
pub fn connect_replica(settings: &DatabaseSettings) -> anyhow::Result<Pool> {
    let manager = ConnectionManager::new(&settings.replica_url)?;
    anyhow::ensure!(
        manager.backend == Backend::Postgres,
        "database.replica_url must be a postgres:// URL"
    );
    Ok(r2d2::Pool::builder()
        .max_size(settings.pool_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(1))
        .error_handler(Box::new(r2d2::NopErrorHandler))
        .test_on_check_out(false)
        .build_unchecked(manager))
}

/// One connection with the schema brought up to date, for short-lived commands. (A pool
/// would keep opening connections on its own threads while the process exits, and libpq's
/// TLS teardown at exit must not race with them.)
pub fn connect_one(settings: &DatabaseSettings) -> anyhow::Result<OneConn> {
    let manager = ConnectionManager::new(&settings.url)?;
    let mut conn = manager.establish()?;
    run_migrations(&mut conn)?;
    Ok(OneConn {
        conn,
        _manager: manager,
    })
}

/// A connection of its own, which keeps the database marked in use (SQLite) while it lives.
pub struct OneConn {
    conn: DbConn,
    _manager: ConnectionManager,
}

impl std::ops::Deref for OneConn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for OneConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// The advisory lock key gopy's migrations run under on PostgreSQL ("gopymigr").
const MIGRATION_LOCK: i64 = 0x676f_7079_6d69_6772;

/// Apply pending migrations; returns how many.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConn::Pg(c) => {
            // Nodes started at once would each apply the same migrations and all but one
            // fail: one at a time, the others then find nothing left to do. (SQLite's
            // migrations already run in one write transaction each.)
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let applied = c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len());
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            applied
        }
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(applied)
}

/// Current time as stored: naive UTC, truncated to microseconds (PostgreSQL's precision) so a
/// value reads back exactly as written on both backends.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Insert many rows of one table: one multi-row statement on PostgreSQL, row by row on
/// SQLite (in-process, where a statement costs no round trip, and multi-row VALUES is not in
/// the multi-backend's portable subset).
pub fn insert_rows<T, R>(conn: &mut DbConn, table: T, rows: Vec<R>) -> diesel::QueryResult<()>
where
    T: diesel::Table + Copy,
    R: diesel::Insertable<T>,
    Vec<R>: diesel::Insertable<T>,
    diesel::query_builder::InsertStatement<T, <Vec<R> as diesel::Insertable<T>>::Values>:
        diesel::query_dsl::methods::ExecuteDsl<PgConnection>,
    diesel::query_builder::InsertStatement<T, <R as diesel::Insertable<T>>::Values>:
        diesel::query_dsl::methods::ExecuteDsl<SqliteConnection>,
{
    use diesel::RunQueryDsl;
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        DbConn::Pg(c) => diesel::insert_into(table)
            .values(rows)
            .execute(c)
            .map(|_| ()),
        DbConn::Sqlite(c) => rows.into_iter().try_for_each(|row| {
            diesel::insert_into(table)
                .values(row)
                .execute(c)
                .map(|_| ())
        }),
    }
}
