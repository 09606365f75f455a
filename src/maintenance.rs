//! Periodic clean-up: idempotency keys past their retention, stale sign-in throttling rows,
//! per-hour comment counts of past hours.

use std::time::Duration;

use crate::comments::idempotency::KEEP_HOURS;
use crate::db::{now, Pool};

pub fn run_once(pool: &Pool) -> anyhow::Result<(usize, usize)> {
    crate::db::run(pool, |conn| {
        let at = now();
        let keys =
            crate::comments::store::purge_keys(conn, at - chrono::Duration::hours(KEEP_HOURS))?;
        let throttles =
            crate::accounts::store::throttle::purge(conn, at - chrono::Duration::days(1))?;
        let counts = crate::comments::store::purge_counts(conn, at - chrono::Duration::hours(2))?;
        Ok((keys, throttles + counts))
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
