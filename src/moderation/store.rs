use std::sync::LazyLock;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::comments::store::comment_query;
use crate::comments::types::{CommentRow, CommentStatus};
use crate::db::schema::comments;
use crate::db::DbConn;
use crate::moderation::types::{QueueQuery, ReasonCode};
use crate::pagination::Keyset;

/// The queue's statuses written out, not bound: only then can PostgreSQL's and SQLite's
/// planners see that the partial index `comments_queue` (migration 000005) holds the queue.
static QUEUE_CONDITION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "comments.status IN ('{}', '{}')",
        CommentStatus::Pending,
        CommentStatus::Flagged
    )
});

/// Which comments waiting for someone a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Pending and flagged: the moderators' queue.
    Queue,
    /// Flagged: the secretariat's.
    Escalated,
    /// Rejections proposed, waiting for a second moderator.
    Proposals,
}

/// The comments of `lane`, oldest first.
pub fn queue(
    conn: &mut DbConn,
    q: &QueueQuery,
    lane: Lane,
    page: Keyset,
) -> QueryResult<Vec<CommentRow>> {
    let mut query = comment_query!()
        .order(comments::id.asc())
        .limit(page.limit + 1)
        .into_boxed();
    query = match lane {
        Lane::Queue => query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            &QUEUE_CONDITION,
        )),
        Lane::Escalated => query.filter(comments::status.eq(CommentStatus::Flagged.as_str())),
        Lane::Proposals => {
            query.filter(comments::status.eq(CommentStatus::RejectProposed.as_str()))
        }
    };
    if let Some(d) = q.document_id {
        query = query.filter(comments::document_id.eq(d));
    }
    if let Some(n) = q.min_score {
        query = query.filter(comments::screening_score.ge(n));
    }
    if let Some(label) = q.label {
        // The screening is JSON text; a label is written `"label":"…"` in it.
        query = query.filter(comments::screening.like(format!("%\"label\":\"{label}\"%")));
    }
    if let Some(a) = page.after {
        query = query.filter(comments::id.gt(a));
    }
    query.load(conn)
}

/// A move of one comment from one state to another by one person.
pub struct Transition<'a> {
    pub from: CommentStatus,
    pub to: CommentStatus,
    /// The rejection's (or proposal's) reason, stored on the comment.
    pub reason_code: Option<ReasonCode>,
    pub reason: Option<&'a str>,
    /// Who made it: counts as the decision's author when `to` is final.
    pub by: i64,
    /// Who proposed the rejection, while it waits for a second moderator.
    pub proposed_by: Option<i64>,
    pub at: NaiveDateTime,
}

/// Move a comment `from` → `to` and end any claim on it; false if its status changed meanwhile
/// or another person's claim on it is live at `at`.
pub fn set_status(conn: &mut DbConn, id: i64, t: &Transition<'_>) -> QueryResult<bool> {
    let final_ = matches!(t.to, CommentStatus::Approved | CommentStatus::Rejected);
    let decided_by = final_.then_some(t.by);
    let n = diesel::update(
        comments::table
            .find(id)
            .filter(comments::status.eq(t.from.as_str()))
            .filter(
                comments::claimed_by
                    .is_null()
                    .or(comments::claimed_by.eq(t.by))
                    .or(comments::claimed_until.le(t.at)),
            ),
    )
    .set((
        comments::status.eq(t.to.as_str()),
        comments::reason.eq(t.reason),
        comments::reason_code.eq(t.reason_code.map(ReasonCode::as_str)),
        comments::decided_by.eq(decided_by),
        comments::decided_at.eq(decided_by.map(|_| t.at)),
        comments::proposed_by.eq(t.proposed_by),
        comments::updated_at.eq(t.at),
        comments::claimed_by.eq(None::<i64>),
        comments::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// The oldest queued comments (of `document_id`, if given) that nobody holds a live claim on
/// and that `moderator` did not write, at most `limit`. On PostgreSQL they stay locked for the
/// caller's transaction and rows another transaction is taking are skipped (`FOR UPDATE SKIP
/// LOCKED`), so two moderators claiming at once never get the same comment; on SQLite the
/// write transaction already excludes the other.
pub fn claimable(
    conn: &mut DbConn,
    document_id: Option<i64>,
    moderator: i64,
    at: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let queued = [
        CommentStatus::Pending.as_str(),
        CommentStatus::Flagged.as_str(),
    ];
    let base = comments::table
        .select(comments::id)
        .filter(comments::status.eq_any(queued))
        .filter(comments::author_id.ne(moderator))
        .filter(
            comments::claimed_until
                .is_null()
                .or(comments::claimed_until.le(at)),
        )
        .order(comments::id.asc())
        .limit(limit);
    match (conn, document_id) {
        (DbConn::Pg(c), Some(d)) => base
            .filter(comments::document_id.eq(d))
            .for_update()
            .skip_locked()
            .load(c),
        (DbConn::Pg(c), None) => base.for_update().skip_locked().load(c),
        (DbConn::Sqlite(c), Some(d)) => base.filter(comments::document_id.eq(d)).load(c),
        (DbConn::Sqlite(c), None) => base.load(c),
    }
}

pub fn set_claim(
    conn: &mut DbConn,
    ids: &[i64],
    moderator: i64,
    until: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(comments::table.filter(comments::id.eq_any(ids)))
        .set((
            comments::claimed_by.eq(moderator),
            comments::claimed_until.eq(until),
        ))
        .execute(conn)
}

/// Let go of every claim `moderator` holds; how many.
pub fn release(conn: &mut DbConn, moderator: i64) -> QueryResult<usize> {
    diesel::update(comments::table.filter(comments::claimed_by.eq(moderator)))
        .set((
            comments::claimed_by.eq(None::<i64>),
            comments::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// The claimed comments, oldest first.
pub fn claimed(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<CommentRow>> {
    comment_query!()
        .filter(comments::id.eq_any(ids))
        .order(comments::id.asc())
        .load(conn)
}
