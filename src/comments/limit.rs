//! The per-person limit on new comments (`comments.max_per_hour`), applied by the comment
//! writer to each batch.

use std::collections::HashMap;

use chrono::Timelike;
use diesel::QueryResult;

use crate::comments::idempotency::Created;
use crate::comments::store;
use crate::comments::writer::Submission;
use crate::db::DbConn;
use crate::error::AppError;

/// Refuse (429) the submissions beyond their author's limit for this clock hour, counting
/// what they wrote in it and what comes before in this batch, and count the rest. PostgreSQL:
/// each author's count is read and written under a lock on that author held to the commit, so
/// writers in several processes cannot both see room for the same last comment. (SQLite: one
/// writer at a time already.)
pub(crate) fn limit_per_person(
    conn: &mut DbConn,
    jobs: &[Submission],
    to_write: &mut Vec<usize>,
    results: &mut [Option<Result<Created, AppError>>],
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    let mut authors: Vec<i64> = to_write
        .iter()
        .filter(|&&i| jobs[i].max_per_hour.is_some())
        .map(|&i| jobs[i].author.id)
        .collect();
    authors.sort_unstable();
    authors.dedup();
    if authors.is_empty() {
        return Ok(());
    }
    // In id order: two batches locking the same authors cannot wait on each other.
    store::lock_authors(conn, &authors)?;
    let hour = at.date().and_hms_opt(at.time().hour(), 0, 0).unwrap_or(at);
    let retry_after = (hour + chrono::TimeDelta::hours(1) - at)
        .num_seconds()
        .max(1);
    let counts = store::hour_counts(conn, &authors, hour)?;
    let mut used: HashMap<i64, (i32, i32)> = authors
        .iter()
        .map(|a| (*a, (counts.get(a).copied().unwrap_or(0), 0)))
        .collect();
    to_write.retain(|&i| {
        let Some(limit) = jobs[i].max_per_hour else {
            return true;
        };
        let Some((count, added)) = used.get_mut(&jobs[i].author.id) else {
            return true;
        };
        if i64::from(*count) + i64::from(*added) < i64::from(limit) {
            *added += 1;
            return true;
        }
        results[i] = Some(Err(AppError::RateLimited { retry_after }));
        false
    });
    let mut added: Vec<(i64, i32)> = used
        .into_iter()
        .filter(|(_, (_, n))| *n > 0)
        .map(|(a, (_, n))| (a, n))
        .collect();
    added.sort_unstable();
    if added.is_empty() {
        return Ok(());
    }
    store::add_to_hour(conn, hour, &added)
}
