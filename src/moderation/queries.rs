use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{self, Entry};
use crate::comments::queries::get_visible;
use crate::comments::types::{Comment, CommentStatus, ModerationEvent};
use crate::db::schema::{comments, moderation_events, users};
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;
use crate::http::auth::CurrentUser;
use crate::http::ClientInfo;
use crate::mail;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Approve,
    Reject,
    Flag,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Flag => "flag",
        }
    }

    /// The state machine: pending → approved | rejected | flagged; flagged → approved | rejected.
    pub fn apply(self, from: CommentStatus) -> Option<CommentStatus> {
        use CommentStatus::*;
        match (self, from) {
            (Action::Approve, Pending | Flagged) => Some(Approved),
            (Action::Reject, Pending | Flagged) => Some(Rejected),
            (Action::Flag, Pending) => Some(Flagged),
            _ => None,
        }
    }
}

pub struct Decision {
    pub action: Action,
    pub reason: Option<String>,
    pub note: Option<String>,
}

/// Record a moderator's decision; the status change, the event, the audit row and the
/// notice to the author commit together. A concurrent decision on the same comment loses with 409.
pub fn decide(
    conn: &mut DbConn,
    moderator: &CurrentUser,
    comment_id: i64,
    decision: &Decision,
    client: &ClientInfo,
) -> Result<Comment, AppError> {
    write_tx(conn, |conn| {
        let comment = get_visible(conn, comment_id, moderator)?;
        if comment.author_id == moderator.id {
            return Err(AppError::Forbidden);
        }
        let to = decision.action.apply(comment.status).ok_or_else(|| {
            AppError::conflict(
                "invalid_transition",
                format!(
                    "a {} comment cannot be given the action {}",
                    comment.status.as_str(),
                    decision.action.as_str()
                ),
            )
        })?;
        let at = now();
        let decided = matches!(to, CommentStatus::Approved | CommentStatus::Rejected);
        let changed = diesel::update(
            comments::table
                .find(comment_id)
                .filter(comments::status.eq(comment.status.as_str())),
        )
        .set((
            comments::status.eq(to.as_str()),
            comments::reason.eq(decision
                .reason
                .as_deref()
                .filter(|_| to == CommentStatus::Rejected)),
            comments::decided_by.eq(decided.then_some(moderator.id)),
            comments::decided_at.eq(decided.then_some(at)),
            comments::updated_at.eq(at),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(AppError::conflict(
                "invalid_transition",
                "the comment was decided by someone else meanwhile",
            ));
        }
        diesel::insert_into(moderation_events::table)
            .values((
                moderation_events::comment_id.eq(comment_id),
                moderation_events::moderator_id.eq(moderator.id),
                moderation_events::action.eq(decision.action.as_str()),
                moderation_events::from_status.eq(comment.status.as_str()),
                moderation_events::to_status.eq(to.as_str()),
                moderation_events::reason.eq(decision.reason.as_deref()),
                moderation_events::note.eq(decision.note.as_deref()),
                moderation_events::created_at.eq(at),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Entry {
                actor_id: Some(moderator.id),
                action: "comment.moderate",
                entity: "comment",
                entity_id: Some(comment_id),
                detail: serde_json::json!({
                    "action": decision.action.as_str(),
                    "from": comment.status.as_str(),
                    "to": to.as_str(),
                }),
            },
            client,
        )?;
        if decided {
            mail::notices::comment_decided(conn, &comment, to, decision.reason.as_deref())?;
        }
        get_visible(conn, comment_id, moderator)
    })
}

/// Moderation history of a comment, oldest first; notes only when `with_notes`.
pub fn history(
    conn: &mut DbConn,
    comment_id: i64,
    with_notes: bool,
) -> QueryResult<Vec<ModerationEvent>> {
    type Row = (
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        i64,
        String,
        chrono::NaiveDateTime,
    );
    let rows: Vec<Row> = moderation_events::table
        .inner_join(users::table.on(users::id.eq(moderation_events::moderator_id)))
        .filter(moderation_events::comment_id.eq(comment_id))
        .order(moderation_events::id.asc())
        .select((
            moderation_events::id,
            moderation_events::action,
            moderation_events::from_status,
            moderation_events::to_status,
            moderation_events::reason,
            moderation_events::note,
            moderation_events::moderator_id,
            users::full_name,
            moderation_events::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| ModerationEvent {
            id: r.0,
            action: r.1,
            from_status: CommentStatus::parse(&r.2).unwrap_or(CommentStatus::Pending),
            to_status: CommentStatus::parse(&r.3).unwrap_or(CommentStatus::Pending),
            reason: r.4,
            note: r.5.filter(|_| with_notes),
            moderator_id: r.6,
            moderator_name: r.7,
            created_at: r.8.and_utc(),
        })
        .collect())
}

/// The queue's statuses written out, not bound: only then can PostgreSQL's and SQLite's
/// planners see that the partial index `comments_queue` (migration 000005) holds the queue.
const QUEUE_CONDITION: &str = "comments.status IN ('pending', 'flagged')";

/// Pending and flagged comments, oldest first (drafts cannot receive comments).
pub fn queue(
    conn: &mut DbConn,
    document_id: Option<i64>,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Comment>> {
    use crate::comments::queries::comment_query;
    use crate::comments::types::CommentRow;
    use crate::db::schema::{sections, units};
    let mut query = comment_query!()
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(QUEUE_CONDITION))
        .order(comments::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(d) = document_id {
        query = query.filter(comments::document_id.eq(d));
    }
    if let Some(a) = after {
        query = query.filter(comments::id.gt(a));
    }
    Ok(query
        .load::<CommentRow>(conn)?
        .into_iter()
        .map(Comment::from)
        .collect())
}
