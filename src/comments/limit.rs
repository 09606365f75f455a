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
/// what they wrote in it and what comes before in this batch, and count the rest.
///
/// One statement counts the whole batch: it adds each author's submissions to their row for
/// the hour and returns the new totals. Adding takes the row's lock, held to the commit, so a
/// writer in another process counting the same author waits and then adds to this total: two
/// writers cannot both see room for the same last comment. Rows are counted in author order,
/// so two batches cannot wait on each other. What went past the limit is refused, and taken
/// off the count again in the same transaction (SQLite: one writer at a time already).
pub(crate) fn limit_per_person(
    conn: &mut DbConn,
    jobs: &[Submission],
    to_write: &mut Vec<usize>,
    results: &mut [Option<Result<Created, AppError>>],
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    let mut wanted: HashMap<i64, i32> = HashMap::new();
    for &i in to_write.iter() {
        if jobs[i].max_per_hour.is_some() {
            *wanted.entry(jobs[i].author.id).or_default() += 1;
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let mut added: Vec<(i64, i32)> = wanted.into_iter().collect();
    added.sort_unstable();
    let hour = at.date().and_hms_opt(at.time().hour(), 0, 0).unwrap_or(at);
    let totals = store::add_to_hour(conn, hour, &added)?;
    // Each author's count before this batch, and what this batch has taken of it so far.
    let mut used: HashMap<i64, (i64, i32)> = added
        .iter()
        .map(|&(author, n)| {
            let total = totals.get(&author).copied().unwrap_or(n);
            (author, (i64::from(total) - i64::from(n), 0))
        })
        .collect();
    let retry_after = (hour + chrono::TimeDelta::hours(1) - at)
        .num_seconds()
        .max(1);
    let mut refused: HashMap<i64, i32> = HashMap::new();
    to_write.retain(|&i| {
        let Some(limit) = jobs[i].max_per_hour else {
            return true;
        };
        let author = jobs[i].author.id;
        let Some((before, taken)) = used.get_mut(&author) else {
            return true;
        };
        if *before + i64::from(*taken) < i64::from(limit) {
            *taken += 1;
            return true;
        }
        *refused.entry(author).or_default() += 1;
        results[i] = Some(Err(AppError::RateLimited { retry_after }));
        false
    });
    if refused.is_empty() {
        return Ok(());
    }
    let mut back: Vec<(i64, i32)> = refused.into_iter().map(|(a, n)| (a, -n)).collect();
    back.sort_unstable();
    store::add_to_hour(conn, hour, &back).map(|_| ())
}
