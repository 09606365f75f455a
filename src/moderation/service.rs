//! Decisions on comments: the state machine, the event, the audit row and the author's
//! notice commit together.

use crate::accounts::store::users::contact;
use crate::audit::{self, AuditAction, Event};
use crate::comments::screening::Screening;
use crate::comments::service::get_visible;
use crate::comments::types::{Comment, CommentStatus};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::store as drafts;
use crate::error::{AppError, ClaimHolder, ErrorCode};
use crate::identity::{Actor, RequestMeta};
use crate::input::validated;
use crate::mail::notices::{self, Recipient};
use crate::moderation::store::{self, NewEvent};
use crate::moderation::types::{
    Action, ClaimRequest, Claimed, ModerationRequest, QueueQuery, QueuedComment, Reason,
    ReasonCode, Released,
};
use crate::pagination::{Page, PageParams};
use crate::text::clean_opt;

/// Pending and flagged comments, oldest first (drafts cannot receive comments), with what
/// screening found in each; filtered by draft, label or score.
pub fn queue(conn: &mut DbConn, query: QueueQuery) -> Result<Page<QueuedComment>, AppError> {
    queued(conn, query, false)
}

/// The flagged comments, which moderators sent on to the secretariat, oldest first.
pub fn escalated(conn: &mut DbConn, query: QueueQuery) -> Result<Page<QueuedComment>, AppError> {
    queued(conn, query, true)
}

fn queued(
    conn: &mut DbConn,
    query: QueueQuery,
    escalated_only: bool,
) -> Result<Page<QueuedComment>, AppError> {
    if query.min_score.is_some_and(|n| !(0..=100).contains(&n)) {
        return Err(AppError::field("min_score", "must be between 0 and 100"));
    }
    let page = PageParams {
        cursor: query.cursor.clone(),
        limit: query.limit,
    }
    .keyset()?;
    let rows = store::queue(conn, &query, escalated_only, page)?;
    let page = Page::from_rows(
        rows.into_iter().map(Comment::from).collect::<Vec<_>>(),
        page.limit,
        |c| c.id,
    );
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    let mut screenings: std::collections::HashMap<i64, Screening> =
        crate::comments::store::screening_of(conn, &ids)?
            .into_iter()
            .filter_map(|(id, json)| Some((id, serde_json::from_str(&json?).ok()?)))
            .collect();
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|comment| QueuedComment {
                screening: screenings.remove(&comment.id),
                comment,
            })
            .collect(),
        next_cursor: page.next_cursor,
    })
}

/// The secretariat's decision on a comment a moderator flagged (escalated): approve or reject
/// only, and only while it is flagged; otherwise as a moderator's decision.
pub fn decide_escalated(
    conn: &mut DbConn,
    secretary: &Actor,
    meta: &RequestMeta,
    comment_id: i64,
    req: ModerationRequest,
) -> Result<Comment, AppError> {
    if req.action == Action::Flag {
        return Err(AppError::conflict(
            ErrorCode::InvalidTransition,
            "an escalated comment is approved or rejected",
        ));
    }
    let comment = get_visible(conn, comment_id, secretary)?;
    if comment.status != CommentStatus::Flagged {
        return Err(AppError::conflict(
            ErrorCode::InvalidTransition,
            "only a flagged comment is decided by the secretariat",
        ));
    }
    decide(conn, secretary, meta, comment_id, req)
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
    // A reason without a code is `other`'s free text.
    let code = req
        .reason_code
        .or(req.reason.as_ref().map(|_| ReasonCode::Other));
    if req.action == Action::Reject && code.is_none() {
        return Err(AppError::field(
            "reason",
            "a reason is required to reject a comment",
        ));
    }
    if code == Some(ReasonCode::Other) && req.reason.is_none() {
        return Err(AppError::field(
            "reason",
            "say why, when the reason is \"other\"",
        ));
    }
    write_tx(conn, |conn| {
        let comment = get_visible(conn, comment_id, moderator)?;
        if comment.author_id == moderator.id {
            return Err(AppError::Forbidden);
        }
        if let Some(holder) = claim_of_other(conn, &comment, moderator, now())? {
            return Err(holder);
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
        let rejected = to == CommentStatus::Rejected;
        let reason = req.reason.as_deref().filter(|_| rejected);
        if !store::set_status(
            conn,
            comment_id,
            (comment.status, to),
            (code.filter(|_| rejected), reason),
            (moderator.id, decided),
            at,
        )? {
            let now_comment = get_visible(conn, comment_id, moderator)?;
            return Err(match claim_of_other(conn, &now_comment, moderator, at)? {
                Some(holder) => holder,
                None => AppError::conflict(
                    ErrorCode::InvalidTransition,
                    "the comment was decided by someone else meanwhile",
                ),
            });
        }
        store::insert_event(
            conn,
            NewEvent {
                comment_id,
                moderator_id: moderator.id,
                action: req.action,
                from: comment.status,
                to,
                reason_code: code,
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
                // The author reads the moderator's words, else the code's label.
                reason.or(code.filter(|_| rejected).map(|c| c.labels().0)),
            )?;
        }
        get_visible(conn, comment_id, moderator)
    })
}

/// 409 `claimed_by_other` when another moderator's claim on `comment` is live at `at`.
fn claim_of_other(
    conn: &mut DbConn,
    comment: &Comment,
    moderator: &Actor,
    at: chrono::NaiveDateTime,
) -> Result<Option<AppError>, AppError> {
    match (comment.claimed_by, comment.claimed_until) {
        (Some(holder), Some(until)) if holder != moderator.id && until.naive_utc() > at => {
            let name = contact(conn, holder)?.full_name;
            Ok(Some(AppError::Claimed(Box::new(ClaimHolder {
                moderator_id: holder,
                moderator_name: name,
                until,
            }))))
        }
        _ => Ok(None),
    }
}

/// Take up to `limit` (1–50, default 10) of the oldest unclaimed queued comments (of one draft,
/// if asked) for `claim_minutes`; what was taken, oldest first.
pub fn claim(
    conn: &mut DbConn,
    moderator: &Actor,
    req: ClaimRequest,
    claim_minutes: i64,
) -> Result<Claimed, AppError> {
    let limit = match req.limit {
        None => 10,
        Some(n) if (1..=50).contains(&n) => n,
        Some(_) => return Err(AppError::field("limit", "must be between 1 and 50")),
    };
    write_tx(conn, |conn| {
        let at = now();
        let until = at + chrono::TimeDelta::minutes(claim_minutes);
        let ids = store::claimable(conn, req.document_id, moderator.id, at, limit)?;
        store::set_claim(conn, &ids, moderator.id, until)?;
        Ok(Claimed {
            items: store::claimed(conn, &ids)?
                .into_iter()
                .map(Comment::from)
                .collect(),
            expires_at: until.and_utc(),
        })
    })
}

/// Let go of every claim `moderator` holds; how many comments went back to the queue.
pub fn release(conn: &mut DbConn, moderator: &Actor) -> Result<Released, AppError> {
    let released = write_tx(conn, |conn| store::release(conn, moderator.id))?;
    Ok(Released { released })
}

/// The reason codes with their labels.
pub fn reasons() -> Vec<Reason> {
    ReasonCode::ALL
        .iter()
        .map(|&code| {
            let (vi, en) = code.labels();
            Reason { code, vi, en }
        })
        .collect()
}
