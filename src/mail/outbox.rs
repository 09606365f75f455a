use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::mail_outbox;
use crate::db::{now, DbConn};

pub struct OutgoingMail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
}

/// Queue a mail; call inside the transaction of the event that causes it.
pub fn enqueue(conn: &mut DbConn, mail: OutgoingMail<'_>) -> QueryResult<i64> {
    let at = now();
    diesel::insert_into(mail_outbox::table)
        .values((
            mail_outbox::recipient.eq(mail.to),
            mail_outbox::subject.eq(mail.subject),
            mail_outbox::body_text.eq(mail.text),
            mail_outbox::body_html.eq(mail.html),
            mail_outbox::next_attempt_at.eq(at),
            mail_outbox::created_at.eq(at),
        ))
        .returning(mail_outbox::id)
        .get_result(conn)
}

#[derive(Debug, Clone, Queryable)]
pub struct OutboxRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub attempts: i32,
}

/// Claim one due row for `lease` so no other worker (or process) sends it meanwhile.
/// The guard in the UPDATE makes the claim atomic on both backends: a racing claimer
/// re-evaluates it after the winner commits and updates nothing.
pub fn claim(conn: &mut DbConn, lease: Duration) -> QueryResult<Option<OutboxRow>> {
    let at = now();
    let free = mail_outbox::locked_until
        .is_null()
        .or(mail_outbox::locked_until.lt(at));
    let Some(id) = mail_outbox::table
        .filter(mail_outbox::status.eq("pending"))
        .filter(mail_outbox::next_attempt_at.le(at))
        .filter(free)
        .order(mail_outbox::id.asc())
        .select(mail_outbox::id)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let claimed = diesel::update(
        mail_outbox::table
            .find(id)
            .filter(mail_outbox::status.eq("pending"))
            .filter(
                mail_outbox::locked_until
                    .is_null()
                    .or(mail_outbox::locked_until.lt(at)),
            ),
    )
    .set((
        mail_outbox::locked_until.eq(Some(at + lease)),
        mail_outbox::attempts.eq(mail_outbox::attempts + 1),
    ))
    .execute(conn)?;
    if claimed == 0 {
        return Ok(None);
    }
    mail_outbox::table
        .find(id)
        .select((
            mail_outbox::id,
            mail_outbox::recipient,
            mail_outbox::subject,
            mail_outbox::body_text,
            mail_outbox::body_html,
            mail_outbox::attempts,
        ))
        .first(conn)
        .optional()
}

pub fn mark_sent(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::status.eq("sent"),
            mail_outbox::sent_at.eq(Some(now())),
            mail_outbox::locked_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Retry later with exponential back-off (30 s, 1 min, 2 min … capped at 1 h), or give up.
pub fn mark_failed(
    conn: &mut DbConn,
    row: &OutboxRow,
    error: &str,
    max_attempts: i32,
) -> QueryResult<()> {
    let give_up = row.attempts >= max_attempts;
    let backoff = Duration::seconds((30i64 << (row.attempts.clamp(1, 8) - 1)).min(3600));
    diesel::update(mail_outbox::table.find(row.id))
        .set((
            mail_outbox::status.eq(if give_up { "failed" } else { "pending" }),
            mail_outbox::next_attempt_at.eq(now() + backoff),
            mail_outbox::locked_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(Some(error.chars().take(2000).collect::<String>())),
        ))
        .execute(conn)
        .map(|_| ())
}
