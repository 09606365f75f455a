use std::sync::LazyLock;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::comments::store::comment_query;
use crate::comments::types::{CommentRow, CommentStatus};
use crate::db::schema::{comments, moderation_events};
use crate::db::DbConn;
use crate::moderation::types::Action;
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

/// Pending and flagged comments, oldest first.
pub fn queue(
    conn: &mut DbConn,
    document_id: Option<i64>,
    page: Keyset,
) -> QueryResult<Vec<CommentRow>> {
    let mut query = comment_query!()
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            &QUEUE_CONDITION,
        ))
        .order(comments::id.asc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(d) = document_id {
        query = query.filter(comments::document_id.eq(d));
    }
    if let Some(a) = page.after {
        query = query.filter(comments::id.gt(a));
    }
    query.load(conn)
}

/// Move a comment `from` → `to`; false if its status changed meanwhile.
pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    from: CommentStatus,
    to: CommentStatus,
    reason: Option<&str>,
    decided_by: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        comments::table
            .find(id)
            .filter(comments::status.eq(from.as_str())),
    )
    .set((
        comments::status.eq(to.as_str()),
        comments::reason.eq(reason),
        comments::decided_by.eq(decided_by),
        comments::decided_at.eq(decided_by.map(|_| at)),
        comments::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

pub struct NewEvent<'a> {
    pub comment_id: i64,
    pub moderator_id: i64,
    pub action: Action,
    pub from: CommentStatus,
    pub to: CommentStatus,
    pub reason: Option<&'a str>,
    pub note: Option<&'a str>,
    pub at: NaiveDateTime,
}

pub fn insert_event(conn: &mut DbConn, e: NewEvent<'_>) -> QueryResult<usize> {
    diesel::insert_into(moderation_events::table)
        .values((
            moderation_events::comment_id.eq(e.comment_id),
            moderation_events::moderator_id.eq(e.moderator_id),
            moderation_events::action.eq(e.action.as_str()),
            moderation_events::from_status.eq(e.from.as_str()),
            moderation_events::to_status.eq(e.to.as_str()),
            moderation_events::reason.eq(e.reason),
            moderation_events::note.eq(e.note),
            moderation_events::created_at.eq(e.at),
        ))
        .execute(conn)
}
