//! Periodic clean-up: idempotency keys past their retention, stale sign-in throttling rows.

use std::time::Duration;

use diesel::prelude::*;

use crate::db::schema::login_throttle;
use crate::db::{now, Pool};

/// Idempotency keys are kept this long (the promise is at least 24 h).
pub const IDEMPOTENCY_HOURS: i64 = 48;

pub fn run_once(pool: &Pool) -> anyhow::Result<(usize, usize)> {
    crate::db::run(pool, |conn| {
        let keys = crate::comments::idempotency::purge(conn, IDEMPOTENCY_HOURS)?;
        let throttles = diesel::delete(
            login_throttle::table
                .filter(login_throttle::last_failure.lt(now() - chrono::Duration::days(1))),
        )
        .execute(conn)?;
        Ok((keys, throttles))
    })
}

pub fn spawn(pool: Pool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let pool = pool.clone();
            match tokio::task::spawn_blocking(move || run_once(&pool)).await {
                Ok(Ok((keys, throttles))) if keys + throttles > 0 => {
                    tracing::info!(
                        keys,
                        throttles,
                        "old idempotency keys and throttling rows removed"
                    )
                }
                Ok(Ok(_)) => {}
                Ok(Err(err)) => tracing::warn!(error = %err, "maintenance pass failed"),
                Err(err) => tracing::error!(error = %err, "maintenance panicked"),
            }
        }
    })
}
