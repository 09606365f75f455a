//! A read replica (`database.replica_url`): reads that a moment's lag cannot hurt — the CSV and
//! JSON exports, search, the lists of a draft's comments — go to it, unless the
//! person reading wrote something through this node within `database.replica_grace_secs`
//! (they read their own writes from the primary). A replica that fails is left alone for
//! `replica_retry_secs`, with one warning, and its reads go to the primary meanwhile.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::DatabaseSettings;
use crate::db::Pool;

pub struct Replica {
    pub pool: Pool,
    down_until: Mutex<Option<Instant>>,
    retry: Duration,
}

impl Replica {
    /// The replica's pool, when one is configured (no connection is made yet: a replica that
    /// is down at start is found so at the first read, and the primary serves it).
    pub fn from_settings(settings: &DatabaseSettings) -> anyhow::Result<Option<Replica>> {
        if settings.replica_url.is_empty() {
            return Ok(None);
        }
        Ok(Some(Replica {
            pool: crate::db::connect_replica(settings)?,
            down_until: Mutex::new(None),
            retry: Duration::from_secs(settings.replica_retry_secs),
        }))
    }

    pub fn usable(&self) -> bool {
        self.down_until
            .lock()
            .map(|d| d.is_none_or(|until| Instant::now() >= until))
            .unwrap_or(false)
    }

    /// The replica failed: the primary serves its reads for a while.
    pub fn failed(&self, what: &dyn std::fmt::Display) {
        if let Ok(mut down) = self.down_until.lock() {
            let was_up = down.is_none_or(|until| Instant::now() >= until);
            *down = Some(Instant::now() + self.retry);
            if was_up {
                tracing::warn!(
                    error = %what,
                    retry_secs = self.retry.as_secs(),
                    "read replica unavailable: reading from the primary"
                );
            }
        }
    }

    /// The replica answered again.
    pub fn answered(&self) {
        if let Ok(mut down) = self.down_until.lock() {
            if down.take().is_some() {
                tracing::info!("read replica answering again");
            }
        }
    }
}

/// Who wrote through this node lately, so that their next reads see it.
pub struct RecentWrites {
    grace: Duration,
    at: Mutex<HashMap<i64, Instant>>,
}

impl RecentWrites {
    pub fn new(grace: Duration) -> Self {
        Self {
            grace,
            at: Mutex::new(HashMap::new()),
        }
    }

    pub fn note(&self, user_id: i64) {
        if let Ok(mut at) = self.at.lock() {
            let now = Instant::now();
            if at.len() > 10_000 {
                at.retain(|_, t| now.duration_since(*t) < self.grace);
            }
            at.insert(user_id, now);
        }
    }

    pub fn lately(&self, user_id: i64) -> bool {
        self.at
            .lock()
            .map(|at| at.get(&user_id).is_some_and(|t| t.elapsed() < self.grace))
            .unwrap_or(true)
    }
}
