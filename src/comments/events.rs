//! A comment's history (SQL only): moderation events, the author's edits and withdrawal (and
//! the changes they make), and the text before each edit.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::comments::types::{CommentStatus, EventAction, EventRow, ReasonCode};
use crate::db::schema::{comment_revisions, comments, moderation_events, users};
use crate::db::DbConn;

/// Moderation history of a comment, oldest first.
pub fn history(conn: &mut DbConn, comment_id: i64) -> QueryResult<Vec<EventRow>> {
    moderation_events::table
        .left_join(users::table.on(moderation_events::actor_id.eq(users::id.nullable())))
        .filter(moderation_events::comment_id.eq(comment_id))
        .order(moderation_events::id.asc())
        .select(EventRow::as_select())
        .load(conn)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = comment_revisions)]
pub struct RevisionRow {
    pub body: String,
    pub proposed_text: Option<String>,
    pub written_at: NaiveDateTime,
    pub replaced_at: NaiveDateTime,
}

/// The text a comment had before each of its author's edits, oldest first.
pub fn revisions(conn: &mut DbConn, comment_id: i64) -> QueryResult<Vec<RevisionRow>> {
    comment_revisions::table
        .filter(comment_revisions::comment_id.eq(comment_id))
        .order(comment_revisions::id.asc())
        .select(RevisionRow::as_select())
        .load(conn)
}

pub struct NewEvent<'a> {
    pub comment_id: i64,
    /// None: the system (screening).
    pub actor_id: Option<i64>,
    pub action: EventAction,
    pub from: CommentStatus,
    pub to: CommentStatus,
    pub reason_code: Option<ReasonCode>,
    pub reason: Option<&'a str>,
    pub note: Option<&'a str>,
    pub at: NaiveDateTime,
}

pub fn insert_event(conn: &mut DbConn, e: NewEvent<'_>) -> QueryResult<usize> {
    diesel::insert_into(moderation_events::table)
        .values((
            moderation_events::comment_id.eq(e.comment_id),
            moderation_events::actor_id.eq(e.actor_id),
            moderation_events::action.eq(e.action.as_str()),
            moderation_events::from_status.eq(e.from.as_str()),
            moderation_events::to_status.eq(e.to.as_str()),
            moderation_events::reason.eq(e.reason),
            moderation_events::reason_code.eq(e.reason_code.map(ReasonCode::as_str)),
            moderation_events::note.eq(e.note),
            moderation_events::created_at.eq(e.at),
        ))
        .execute(conn)
}

/// Keep the text a comment had before an edit.
pub fn insert_revision(
    conn: &mut DbConn,
    comment_id: i64,
    (body, proposed_text): (&str, Option<&str>),
    written_at: NaiveDateTime,
    replaced_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(comment_revisions::table)
        .values((
            comment_revisions::comment_id.eq(comment_id),
            comment_revisions::body.eq(body),
            comment_revisions::proposed_text.eq(proposed_text),
            comment_revisions::written_at.eq(written_at),
            comment_revisions::replaced_at.eq(replaced_at),
        ))
        .execute(conn)
}

/// The author's new text for a pending comment nobody holds a live claim on; false if that
/// is no longer so.
pub fn set_text(
    conn: &mut DbConn,
    id: i64,
    text: &crate::comments::types::NewText,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        comments::table
            .find(id)
            .filter(comments::status.eq(CommentStatus::Pending.as_str()))
            .filter(
                comments::claimed_until
                    .is_null()
                    .or(comments::claimed_until.le(at)),
            ),
    )
    .set((
        comments::body.eq(&text.body),
        comments::proposed_text.eq(&text.proposed_text),
        comments::text_search.eq(&text.text_search),
        comments::text_lower.eq(&text.text_lower),
        comments::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// The author takes back a comment still in `from`: claims and any proposal end.
pub fn set_withdrawn(
    conn: &mut DbConn,
    id: i64,
    from: CommentStatus,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        comments::table
            .find(id)
            .filter(comments::status.eq(from.as_str())),
    )
    .set((
        comments::status.eq(CommentStatus::Withdrawn.as_str()),
        comments::reason.eq(None::<String>),
        comments::reason_code.eq(None::<String>),
        comments::proposed_by.eq(None::<i64>),
        comments::claimed_by.eq(None::<i64>),
        comments::claimed_until.eq(None::<NaiveDateTime>),
        comments::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// When the comment's current text was written: its last edit, else its creation.
pub fn text_written_at(conn: &mut DbConn, id: i64) -> QueryResult<NaiveDateTime> {
    let last: Option<NaiveDateTime> = comment_revisions::table
        .filter(comment_revisions::comment_id.eq(id))
        .select(diesel::dsl::max(comment_revisions::replaced_at))
        .first(conn)?;
    match last {
        Some(t) => Ok(t),
        None => comments::table
            .find(id)
            .select(comments::created_at)
            .first(conn),
    }
}
