//! Decisions on comments: the state machine, the event, the audit row and the author's
//! notice commit together.

use crate::accounts::store::users::contact;
use crate::audit::{self, AuditAction, Event};
use crate::comments::service::get_visible;
use crate::comments::types::{Comment, CommentStatus};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::store as drafts;
use crate::error::{AppError, ErrorCode};
use crate::identity::{Actor, RequestMeta};
use crate::input::validated;
use crate::mail::notices::{self, Recipient};
use crate::moderation::store::{self, NewEvent};
use crate::moderation::types::{Action, ModerationRequest, QueueQuery};
use crate::pagination::{Page, PageParams};
use crate::text::clean_opt;

/// Pending and flagged comments, oldest first (drafts cannot receive comments).
pub fn queue(conn: &mut DbConn, query: QueueQuery) -> Result<Page<Comment>, AppError> {
    let page = PageParams {
        cursor: query.cursor,
        limit: query.limit,
    }
    .keyset()?;
    let rows = store::queue(conn, query.document_id, page)?;
    Ok(Page::from_rows(
        rows.into_iter().map(Comment::from).collect(),
        page.limit,
        |c| c.id,
    ))
}

/// Record a moderator's decision. Moderators never decide their own comments; a rejection
/// needs a reason; a concurrent decision on the same comment loses with 409.
pub fn decide(
    conn: &mut DbConn,
    moderator: &Actor,
    meta: &RequestMeta,
    comment_id: i64,
    req: ModerationRequest,
) -> Result<Comment, AppError> {
    let req = validated(req, |r| ModerationRequest {
        reason: clean_opt(r.reason.as_deref()),
        note: clean_opt(r.note.as_deref()),
        ..r
    })?;
    if req.action == Action::Reject && req.reason.is_none() {
        return Err(AppError::field(
            "reason",
            "a reason is required to reject a comment",
        ));
    }
    write_tx(conn, |conn| {
        let comment = get_visible(conn, comment_id, moderator)?;
        if comment.author_id == moderator.id {
            return Err(AppError::Forbidden);
        }
        let to = req.action.apply(comment.status).ok_or_else(|| {
            AppError::conflict(
                ErrorCode::InvalidTransition,
                format!(
                    "a {} comment cannot be given the action {}",
                    comment.status, req.action
                ),
            )
        })?;
        let at = now();
        let decided = matches!(to, CommentStatus::Approved | CommentStatus::Rejected);
        let reason = req
            .reason
            .as_deref()
            .filter(|_| to == CommentStatus::Rejected);
        if !store::set_status(
            conn,
            comment_id,
            comment.status,
            to,
            reason,
            decided.then_some(moderator.id),
            at,
        )? {
            return Err(AppError::conflict(
                ErrorCode::InvalidTransition,
                "the comment was decided by someone else meanwhile",
            ));
        }
        store::insert_event(
            conn,
            NewEvent {
                comment_id,
                moderator_id: moderator.id,
                action: req.action,
                from: comment.status,
                to,
                reason: req.reason.as_deref(),
                note: req.note.as_deref(),
                at,
            },
        )?;
        let detail = serde_json::json!({ "action": req.action, "from": comment.status, "to": to });
        audit::record(
            conn,
            Some(moderator.id),
            meta,
            Event::new(AuditAction::CommentModerated, Some(comment_id), detail),
        )?;
        if decided {
            let to_author = Recipient::from(contact(conn, comment.author_id)?);
            let title = drafts::find(conn, comment.document_id)?
                .map(|d| d.title)
                .unwrap_or_default();
            notices::comment_decided(
                conn,
                &to_author,
                &comment.receipt,
                &title,
                to == CommentStatus::Approved,
                reason,
            )?;
        }
        get_visible(conn, comment_id, moderator)
    })
}
