//! Brute-force protection (ASVS 6.1.1, 6.3.1). Attempts on an account (by the email typed, so
//! unknown and real accounts behave alike) are counted *before* the password is verified and
//! atomically, so that no burst of concurrent guesses gets more verifications than the
//! threshold; a successful sign-in clears them. Failures from one client address are counted
//! after verification, so that many people signing in at once behind one NAT are never taken
//! for an attack. Past a threshold a key is locked for a time that doubles with each further
//! attempt, capped at a few minutes: an attacker can slow a person down but never lock them out
//! for long.

use chrono::{Duration, NaiveDateTime};

use crate::accounts::store::throttle as store;
use crate::config::AuthSettings;
use crate::db::DbConn;

pub fn account_key(email_normalized: &str) -> String {
    format!("account:{email_normalized}")
}

pub fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// One key and the number of attempts it allows before locking.
pub struct Limit<'a> {
    pub key: &'a str,
    pub threshold: i32,
}

/// Seconds until the longest lock among `keys` ends, if any is locked.
pub fn locked_for(
    conn: &mut DbConn,
    keys: &[String],
    at: NaiveDateTime,
) -> diesel::QueryResult<Option<i64>> {
    Ok(store::locked_until(conn, keys, at)?.map(|u| (u - at).num_seconds().max(1)))
}

/// Count an attempt against every limit, inside the caller's write transaction. `Err(secs)`
/// when one of them is locked (nothing is counted then); the attempt that reaches a threshold
/// is still allowed, and locks the key for the ones after it.
pub fn begin_attempt(
    conn: &mut DbConn,
    limits: &[Limit<'_>],
    at: NaiveDateTime,
    s: &AuthSettings,
) -> diesel::QueryResult<Result<(), i64>> {
    let mut counters = Vec::with_capacity(limits.len());
    for limit in limits {
        let counter = store::lock(conn, limit.key, at)?;
        if let Some(until) = counter.locked_until.filter(|u| *u > at) {
            return Ok(Err((until - at).num_seconds().max(1)));
        }
        counters.push(counter);
    }
    for (limit, counter) in limits.iter().zip(counters) {
        count(conn, limit, counter, at, s)?;
    }
    Ok(Ok(()))
}

/// Count the first attempt against a key that has no counter by creating it, in one
/// statement of its own (no transaction needed): true if so. False when the key has a counter
/// already (failures before, or another attempt in flight): `begin_attempt` must run then.
pub fn first_attempt(
    conn: &mut DbConn,
    limit: &Limit<'_>,
    at: NaiveDateTime,
    s: &AuthSettings,
) -> diesel::QueryResult<bool> {
    let counter = store::Counter {
        failures: 1,
        last_failure: at,
        locked_until: lock_for(1, limit.threshold, s).map(|d| at + d),
    };
    store::create(conn, limit.key, &counter)
}

/// How long a key with `failures` attempts stays locked (none below the threshold).
fn lock_for(failures: i32, threshold: i32, s: &AuthSettings) -> Option<Duration> {
    (failures >= threshold).then(|| {
        let doublings = (failures - threshold).clamp(0, 20) as u32;
        let secs = s
            .lockout_base_secs
            .saturating_mul(1i64 << doublings)
            .min(s.lockout_max_secs);
        Duration::seconds(secs)
    })
}

/// Count a failure against `limit` (a client address), after the password was verified.
pub fn record_failure(
    conn: &mut DbConn,
    limit: &Limit<'_>,
    at: NaiveDateTime,
    s: &AuthSettings,
) -> diesel::QueryResult<()> {
    let counter = store::lock(conn, limit.key, at)?;
    count(conn, limit, counter, at, s)
}

/// Add one to a locked counter and lock its key once it reaches the threshold. Counts restart
/// after a quiet period as long as the longest lock.
fn count(
    conn: &mut DbConn,
    limit: &Limit<'_>,
    mut counter: store::Counter,
    at: NaiveDateTime,
    s: &AuthSettings,
) -> diesel::QueryResult<()> {
    let stale = at - counter.last_failure >= Duration::seconds(s.lockout_max_secs);
    counter.failures = if stale { 1 } else { counter.failures + 1 };
    counter.last_failure = at;
    counter.locked_until = lock_for(counter.failures, limit.threshold, s).map(|d| at + d);
    store::save(conn, limit.key, &counter)?;
    Ok(())
}

/// Forget the attempts of these keys (a reset, an admin's unlock).
pub fn clear(conn: &mut DbConn, keys: &[String]) -> diesel::QueryResult<usize> {
    store::clear(conn, keys)
}
