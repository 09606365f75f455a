//! What the services share in a running process: the pool, the settings, the argon2 threads
//! and the session cache. Built once by `startup` (or a test); the HTTP layer hands it to
//! handlers, which pass it to services. Knows nothing of HTTP, nor of any capability.

pub mod hasher;
pub mod session_cache;

use std::sync::Arc;

use crate::config::Settings;
use crate::db::{DbConn, Pool};
use crate::error::AppError;
use hasher::Hasher;
use session_cache::SessionCache;

pub struct Context {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub hasher: Hasher,
    pub sessions: SessionCache,
}

impl Context {
    /// Start the hashing threads.
    pub fn start(settings: Arc<Settings>, pool: Pool) -> anyhow::Result<Self> {
        Ok(Self {
            hasher: Hasher::new(&settings.auth)?,
            sessions: SessionCache::new(settings.auth.session_cache_secs),
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
