//! Write transactions: `BEGIN IMMEDIATE` on SQLite, savepoints when nested, and work deferred to
//! just before the outermost commit.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use super::DbConn;

/// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, so a transaction that reads
/// before it writes takes the write lock up front and waits (busy_timeout) instead of failing
/// with SQLITE_BUSY when another writer got there first.
///
/// Work handed to `before_commit` during it runs at the end of the outermost one, just before
/// the commit, and is dropped if it rolls back.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let outermost = BEFORE_COMMIT.with(|h| {
        let mut h = h.borrow_mut();
        h.is_none().then(|| *h = Some(Vec::new())).is_some()
    });
    if !outermost {
        return transaction(conn, f);
    }
    // Reset however this ends, a panic included (the thread goes back to the pool).
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            BEFORE_COMMIT.with(|h| *h.borrow_mut() = None);
        }
    }
    let _reset = Reset;
    transaction(conn, |conn| {
        let value = f(conn)?;
        while let Some(work) = BEFORE_COMMIT.with(|h| h.borrow_mut().as_mut()?.pop()) {
            work(conn)?;
        }
        Ok(value)
    })
}

thread_local! {
    /// Work the outermost `write_tx` on this thread runs just before it commits (Some while
    /// one is open). A write transaction runs on one thread from start to commit.
    static BEFORE_COMMIT: std::cell::RefCell<Option<Vec<Deferred>>> =
        const { std::cell::RefCell::new(None) };
}

/// Work deferred to the end of a write transaction.
pub type Deferred = Box<dyn FnOnce(&mut DbConn) -> diesel::QueryResult<()>>;

/// Inside `write_tx` on this thread: keep `work` for the end of the outermost transaction,
/// just before its commit (works run in the order given). Outside: `work` comes back, for the
/// caller to do now.
pub fn before_commit(work: Deferred) -> Result<(), Deferred> {
    BEFORE_COMMIT.with(|h| match h.borrow_mut().as_mut() {
        Some(list) => {
            list.insert(0, work);
            Ok(())
        }
        None => Err(work),
    })
}

fn transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let outermost_sqlite = match conn {
        DbConn::Sqlite(c) => !in_transaction(c),
        DbConn::Pg(_) => false,
    };
    match conn {
        DbConn::Sqlite(inner) if outermost_sqlite => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    <DbConn as TransactionManager<DbConn>>::commit_transaction(conn)?;
                    Ok(value)
                }
                Err(err) => {
                    // The caller's error is the one worth reporting; a failed rollback marks the
                    // connection broken and r2d2 drops it.
                    let _ = <DbConn as TransactionManager<DbConn>>::rollback_transaction(conn);
                    Err(err)
                }
            }
        }
        // PostgreSQL, or already inside a transaction (nested calls become savepoints).
        _ => conn.transaction(f),
    }
}

/// `f` inside a write transaction: the caller's, if one is open, else one of its own (no
/// savepoint: `f` adds to what the caller writes, and fails with it).
pub fn within_write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let open = match conn {
        DbConn::Sqlite(c) => in_transaction(c),
        DbConn::Pg(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()
            .map_or(true, |depth| depth.is_some()),
    };
    if open {
        f(conn)
    } else {
        write_tx(conn, f)
    }
}

fn in_transaction(conn: &mut SqliteConnection) -> bool {
    AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_or(true, |depth| depth.is_some())
}
