//! The backlogs the metrics show (SQL only): both are read through partial or status indexes.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, min};
use diesel::prelude::*;

use crate::comments::types::CommentStatus;
use crate::db::schema::{comments, mail_outbox};
use crate::db::DbConn;
use crate::mail::types::OutboxStatus;

/// How many wait, and since when the oldest.
pub type Backlog = (i64, Option<NaiveDateTime>);

pub struct Backlogs {
    pub outbox: Backlog,
    pub moderation: Backlog,
}

pub fn backlogs(conn: &mut DbConn) -> QueryResult<Backlogs> {
    let outbox = mail_outbox::table
        .filter(mail_outbox::status.eq(OutboxStatus::Pending.as_str()))
        .select((count_star(), min(mail_outbox::created_at)))
        .get_result(conn)?;
    let moderation = comments::table
        .filter(comments::status.eq_any([
            CommentStatus::Pending.as_str(),
            CommentStatus::Flagged.as_str(),
        ]))
        .select((count_star(), min(comments::created_at)))
        .get_result(conn)?;
    Ok(Backlogs { outbox, moderation })
}
