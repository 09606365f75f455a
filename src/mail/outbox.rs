use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::mail_outbox;
use crate::db::{now, DbConn};
use crate::error::AppError;

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

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum OutboxStatus {
    Pending,
    Sent,
    Failed,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "sent" => Self::Sent,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OutboxView {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub last_error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

type ViewRow = (
    i64,
    String,
    String,
    String,
    i32,
    NaiveDateTime,
    Option<String>,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

macro_rules! view_columns {
    () => {
        (
            mail_outbox::id,
            mail_outbox::recipient,
            mail_outbox::subject,
            mail_outbox::status,
            mail_outbox::attempts,
            mail_outbox::next_attempt_at,
            mail_outbox::last_error,
            mail_outbox::created_at,
            mail_outbox::sent_at,
        )
    };
}

fn to_view(r: ViewRow) -> OutboxView {
    OutboxView {
        id: r.0,
        recipient: r.1,
        subject: r.2,
        status: OutboxStatus::parse(&r.3),
        attempts: r.4,
        next_attempt_at: r.5.and_utc(),
        last_error: r.6,
        created_at: r.7.and_utc(),
        sent_at: r.8.map(|t| t.and_utc()),
    }
}

pub fn list(
    conn: &mut DbConn,
    status: Option<OutboxStatus>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<OutboxView>> {
    let mut q = mail_outbox::table
        .select(view_columns!())
        .order(mail_outbox::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(mail_outbox::status.eq(s.as_str()));
    }
    if let Some(b) = before {
        q = q.filter(mail_outbox::id.lt(b));
    }
    Ok(q.load::<ViewRow>(conn)?.into_iter().map(to_view).collect())
}

/// Queue a failed or pending mail again with a fresh count of attempts; 409 once sent.
pub fn retry(conn: &mut DbConn, id: i64) -> Result<OutboxView, AppError> {
    let current: String = mail_outbox::table
        .find(id)
        .select(mail_outbox::status)
        .first::<String>(conn)
        .optional()?
        .ok_or(AppError::NotFound("mail"))?;
    if current == "sent" {
        return Err(AppError::conflict(
            "already_sent",
            "this mail has been sent",
        ));
    }
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::status.eq("pending"),
            mail_outbox::attempts.eq(0),
            mail_outbox::next_attempt_at.eq(now()),
            mail_outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(to_view(
        mail_outbox::table
            .find(id)
            .select(view_columns!())
            .first(conn)?,
    ))
}
