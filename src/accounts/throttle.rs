//! Brute-force protection (ASVS 6.1.1, 6.3.1): failures are counted per account (by the email
//! typed, so unknown and real accounts behave alike) and per client address. Past a threshold
//! the key is locked for a time that doubles with each further failure, capped at a few
//! minutes, so an attacker can slow a person down but never lock them out for long.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::config::AuthSettings;
use crate::db::schema::login_throttle;
use crate::db::{now, DbConn};

pub fn account_key(email_normalized: &str) -> String {
    format!("account:{email_normalized}")
}

pub fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// Seconds until the longest lock among `keys` ends, if any is locked.
pub fn locked_for(conn: &mut DbConn, keys: &[String]) -> QueryResult<Option<i64>> {
    let at = now();
    let until: Option<NaiveDateTime> = login_throttle::table
        .filter(login_throttle::key.eq_any(keys))
        .filter(login_throttle::locked_until.gt(at))
        .select(diesel::dsl::max(login_throttle::locked_until))
        .first::<Option<NaiveDateTime>>(conn)?;
    Ok(until.map(|u| (u - at).num_seconds().max(1)))
}

/// Count a failure against `key`; lock it once `threshold` is reached.
/// Counts restart after a quiet period as long as the longest lock.
pub fn record_failure(
    conn: &mut DbConn,
    key: &str,
    threshold: i32,
    s: &AuthSettings,
) -> QueryResult<()> {
    let at = now();
    let current: Option<(i32, NaiveDateTime)> = login_throttle::table
        .find(key)
        .select((login_throttle::failures, login_throttle::last_failure))
        .first(conn)
        .optional()?;
    let failures = match current {
        Some((n, last)) if at - last < Duration::seconds(s.lockout_max_secs) => n + 1,
        _ => 1,
    };
    let locked_until = (failures >= threshold).then(|| {
        let doublings = (failures - threshold).clamp(0, 20) as u32;
        let secs = s
            .lockout_base_secs
            .saturating_mul(1i64 << doublings)
            .min(s.lockout_max_secs);
        at + Duration::seconds(secs)
    });
    let values = (
        login_throttle::key.eq(key),
        login_throttle::failures.eq(failures),
        login_throttle::last_failure.eq(at),
        login_throttle::locked_until.eq(locked_until),
    );
    // An upsert, which the portable subset lacks: each backend gets its own ON CONFLICT.
    match conn {
        DbConn::Pg(c) => diesel::insert_into(login_throttle::table)
            .values(values)
            .on_conflict(login_throttle::key)
            .do_update()
            .set(values)
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(login_throttle::table)
            .values(values)
            .on_conflict(login_throttle::key)
            .do_update()
            .set(values)
            .execute(c)?,
    };
    Ok(())
}

/// Forget the failures of `key` (a successful sign-in, a reset, an admin's unlock).
pub fn clear(conn: &mut DbConn, key: &str) -> QueryResult<usize> {
    diesel::delete(login_throttle::table.find(key)).execute(conn)
}
