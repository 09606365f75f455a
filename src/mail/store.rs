//! The outbox table.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::mail_outbox;
use crate::db::{now, DbConn};
use crate::mail::types::{OutboxRow, OutboxStatus, OutgoingMail, ViewRow};
use crate::pagination::Keyset;

/// Queue a mail; call inside the transaction of the event that causes it.
pub fn enqueue(conn: &mut DbConn, mail: OutgoingMail<'_>) -> QueryResult<i64> {
    let at = now();
    diesel::insert_into(mail_outbox::table)
        .values((
            mail_outbox::recipient.eq(mail.to),
            mail_outbox::subject.eq(mail.subject),
            mail_outbox::body_text.eq(mail.text),
            mail_outbox::body_html.eq(mail.html),
            mail_outbox::status.eq(OutboxStatus::Pending.as_str()),
            mail_outbox::next_attempt_at.eq(at),
            mail_outbox::created_at.eq(at),
        ))
        .returning(mail_outbox::id)
        .get_result(conn)
}

/// Claim one due mail for `lease`, so that no other worker (or process) sends it meanwhile;
/// a claim whose holder died runs out and the mail is due again. PostgreSQL hands rows out
/// with `FOR UPDATE SKIP LOCKED`, so concurrent claimers never wait on each other; SQLite has
/// one writer at a time, and the guard in the UPDATE makes its claim atomic.
pub fn claim(conn: &mut DbConn, lease: Duration) -> QueryResult<Option<OutboxRow>> {
    let at = now();
    let due = || {
        mail_outbox::table
            .filter(mail_outbox::status.eq(OutboxStatus::Pending.as_str()))
            .filter(mail_outbox::next_attempt_at.le(at))
            .filter(
                mail_outbox::locked_until
                    .is_null()
                    .or(mail_outbox::locked_until.lt(at)),
            )
            .order(mail_outbox::id.asc())
            .select(mail_outbox::id)
    };
    let id = match conn {
        DbConn::Pg(_) => conn.transaction(|conn| {
            let found = match conn {
                DbConn::Pg(c) => due()
                    .for_update()
                    .skip_locked()
                    .first::<i64>(c)
                    .optional()?,
                DbConn::Sqlite(_) => None,
            };
            match found {
                Some(id) => take(conn, id, at, lease, false).map(|n| (n > 0).then_some(id)),
                None => Ok(None),
            }
        })?,
        DbConn::Sqlite(_) => match due().first::<i64>(conn).optional()? {
            Some(id) => (take(conn, id, at, lease, true)? > 0).then_some(id),
            None => None,
        },
    };
    let Some(id) = id else {
        return Ok(None);
    };
    mail_outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()
}

/// Set the lease and count the attempt; `guarded` repeats the due check in the UPDATE.
fn take(
    conn: &mut DbConn,
    id: i64,
    at: NaiveDateTime,
    lease: Duration,
    guarded: bool,
) -> QueryResult<usize> {
    let mut target = diesel::update(mail_outbox::table)
        .filter(mail_outbox::id.eq(id))
        .into_boxed();
    if guarded {
        target = target
            .filter(mail_outbox::status.eq(OutboxStatus::Pending.as_str()))
            .filter(
                mail_outbox::locked_until
                    .is_null()
                    .or(mail_outbox::locked_until.lt(at)),
            );
    }
    target
        .set((
            mail_outbox::locked_until.eq(Some(at + lease)),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
        ))
        .execute(conn)
}

pub fn mark_sent(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::status.eq(OutboxStatus::Sent.as_str()),
            mail_outbox::sent_at.eq(Some(now())),
            mail_outbox::locked_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Retry later with exponential back-off (`base_secs`, twice that, … capped at 1 h), or give up.
pub fn mark_failed(
    conn: &mut DbConn,
    row: &OutboxRow,
    error: &str,
    max_attempts: i32,
    base_secs: i64,
) -> QueryResult<()> {
    let give_up = row.attempts >= max_attempts;
    let backoff =
        Duration::seconds((base_secs.max(1) << (row.attempts.clamp(1, 12) - 1)).min(3600));
    let status = if give_up {
        OutboxStatus::Failed
    } else {
        OutboxStatus::Pending
    };
    diesel::update(mail_outbox::table.find(row.id))
        .set((
            mail_outbox::status.eq(status.as_str()),
            mail_outbox::next_attempt_at.eq(now() + backoff),
            mail_outbox::locked_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(Some(error.chars().take(2000).collect::<String>())),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn list(
    conn: &mut DbConn,
    status: Option<OutboxStatus>,
    page: Keyset,
) -> QueryResult<Vec<ViewRow>> {
    let mut q = mail_outbox::table
        .select(ViewRow::as_select())
        .order(mail_outbox::id.desc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(mail_outbox::status.eq(s.as_str()));
    }
    if let Some(b) = page.after {
        q = q.filter(mail_outbox::id.lt(b));
    }
    q.load(conn)
}

pub fn get(conn: &mut DbConn, id: i64) -> QueryResult<Option<ViewRow>> {
    mail_outbox::table
        .find(id)
        .select(ViewRow::as_select())
        .first(conn)
        .optional()
}

/// Make a mail due now with a fresh count of attempts.
pub fn requeue(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::status.eq(OutboxStatus::Pending.as_str()),
            mail_outbox::attempts.eq(0),
            mail_outbox::next_attempt_at.eq(now()),
            mail_outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}
