//! Sign-in throttling rows: one per key (`account:EMAIL`, `ip:ADDRESS`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::login_throttle;
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_throttle)]
pub struct Counter {
    pub failures: i32,
    pub last_failure: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

/// The counter of `key`, locked against concurrent attempts until the transaction ends: a
/// row lock on PostgreSQL; on SQLite the caller's `BEGIN IMMEDIATE` already serialises writers.
/// The row is created first if missing, so there is always something to lock.
pub fn lock(conn: &mut DbConn, key: &str, at: NaiveDateTime) -> QueryResult<Counter> {
    let fresh = Counter {
        failures: 0,
        last_failure: at,
        locked_until: None,
    };
    create(conn, key, &fresh)?;
    match conn {
        DbConn::Pg(c) => login_throttle::table
            .find(key)
            .select(Counter::as_select())
            .for_update()
            .first(c),
        DbConn::Sqlite(c) => login_throttle::table
            .find(key)
            .select(Counter::as_select())
            .first(c),
    }
}

/// Create the counter of `key` unless it exists: whether it was created.
pub fn create(conn: &mut DbConn, key: &str, counter: &Counter) -> QueryResult<bool> {
    let row = (
        login_throttle::key.eq(key),
        login_throttle::failures.eq(counter.failures),
        login_throttle::last_failure.eq(counter.last_failure),
        login_throttle::locked_until.eq(counter.locked_until),
    );
    let created = crate::on_each_backend!(conn, |c| diesel::insert_into(login_throttle::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(created == 1)
}

pub fn save(conn: &mut DbConn, key: &str, counter: &Counter) -> QueryResult<usize> {
    diesel::update(login_throttle::table.find(key))
        .set((
            login_throttle::failures.eq(counter.failures),
            login_throttle::last_failure.eq(counter.last_failure),
            login_throttle::locked_until.eq(counter.locked_until),
        ))
        .execute(conn)
}

/// Seconds until the longest lock among `keys` ends, if any is locked.
pub fn locked_until(
    conn: &mut DbConn,
    keys: &[String],
    at: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    let query = login_throttle::table
        .filter(login_throttle::locked_until.gt(at))
        .select(diesel::dsl::max(login_throttle::locked_until))
        .into_boxed();
    // One key (every sign-in) as `=`: diesel prepares that statement once per connection,
    // where a list is written out, and planned again, each time.
    match keys {
        [key] => query.filter(login_throttle::key.eq(key)),
        _ => query.filter(login_throttle::key.eq_any(keys)),
    }
    .first::<Option<NaiveDateTime>>(conn)
}

pub fn clear(conn: &mut DbConn, keys: &[String]) -> QueryResult<usize> {
    match keys {
        [key] => diesel::delete(login_throttle::table.find(key)).execute(conn),
        _ => diesel::delete(login_throttle::table.filter(login_throttle::key.eq_any(keys)))
            .execute(conn),
    }
}

/// Forget counters quiet since `before`.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_throttle::table.filter(login_throttle::last_failure.lt(before)))
        .execute(conn)
}
