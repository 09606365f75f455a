//! What the services share in a running process: the pool, the settings, the argon2 threads
//! and the session cache. Built once by `startup` (or a test); the HTTP layer hands it to
//! handlers, which pass it to services. Knows nothing of HTTP, nor of any capability.

pub mod hasher;
pub mod replica;
pub mod session_cache;

use std::sync::Arc;

use crate::config::Settings;
use crate::db::{DbConn, Pool};
use crate::error::AppError;
use hasher::Hasher;
use replica::{RecentWrites, Replica};
use session_cache::SessionCache;

pub struct Context {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub hasher: Hasher,
    pub sessions: SessionCache,
    /// The read replica, when configured.
    pub replica: Option<Replica>,
    writes: RecentWrites,
}

impl Context {
    /// Start the hashing threads.
    pub fn start(settings: Arc<Settings>, pool: Pool) -> anyhow::Result<Self> {
        Ok(Self {
            hasher: Hasher::new(&settings.auth)?,
            sessions: SessionCache::new(settings.auth.session_cache_secs),
            replica: Replica::from_settings(&settings.database)?,
            writes: RecentWrites::new(std::time::Duration::from_secs(
                settings.database.replica_grace_secs,
            )),
            pool,
            settings,
        })
    }

    /// Run `f` on a pooled connection on the blocking threads. A connection that turned out
    /// dead (the error is `Unavailable`) is dropped from the pool instead of reused.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        blocking(&self.pool, f).await
    }

    /// Run `f` (a read) on the replica when there is one that may serve `reader` (see
    /// `replica`), else — or when the replica fails — on the primary.
    pub async fn read<T, F>(&self, reader: i64, f: F) -> Result<T, AppError>
    where
        F: Fn(&mut DbConn) -> Result<T, AppError> + Send + Sync + 'static,
        T: Send + 'static,
    {
        let f = Arc::new(f);
        if let Some(replica) = self.replica_for(reader) {
            let g = f.clone();
            match blocking(&replica.pool, move |conn| g(conn)).await {
                Err(AppError::Unavailable) => replica.failed(&"connection or query lost"),
                answer => {
                    replica.answered();
                    return answer;
                }
            }
        }
        blocking(&self.pool, move |conn| f(conn)).await
    }

    /// The pool a long read for `reader` (a streamed export) should use: the replica's when it
    /// may serve them and answers now, else the primary's.
    pub async fn read_pool(&self, reader: i64) -> Pool {
        if let Some(replica) = self.replica_for(reader) {
            let pool = replica.pool.clone();
            let checked = tokio::task::spawn_blocking(move || pool.get().map(|_| ())).await;
            match checked {
                Ok(Ok(())) => {
                    replica.answered();
                    return replica.pool.clone();
                }
                Ok(Err(e)) => replica.failed(&e),
                Err(e) => replica.failed(&e),
            }
        }
        self.pool.clone()
    }

    /// `user_id` writes now: their next reads on this node go to the primary. Nothing to
    /// remember without a replica (this is on every write's path).
    pub fn wrote(&self, user_id: i64) {
        if self.replica.is_some() {
            self.writes.note(user_id);
        }
    }

    fn replica_for(&self, reader: i64) -> Option<&Replica> {
        self.replica
            .as_ref()
            .filter(|r| r.usable() && !self.writes.lately(reader))
    }
}

/// `Context::db` for work that holds only a pool (a streaming export).
pub async fn blocking<T, F>(pool: &Pool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = crate::db::checkout(&pool)?;
        let result = f(&mut conn);
        if matches!(result, Err(AppError::Unavailable)) {
            conn.mark_broken();
        }
        result
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
}
