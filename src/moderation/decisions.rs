//! Decisions on comments: the state machine (with four-eyes for rejections), the event, the
//! audit row and the author's notice commit together.

use chrono::NaiveDateTime;

use crate::accounts::store::users::contact;
use crate::audit::{self, AuditAction, Event};
use crate::comments::events::{self, NewEvent};
use crate::comments::service::get_visible;
use crate::comments::types::{Comment, CommentStatus};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::store as drafts;
use crate::error::{AppError, ClaimHolder, ErrorCode};
use crate::identity::{Actor, RequestMeta};
use crate::input::validated;
use crate::mail::notices::{self, Recipient};
use crate::moderation::store::{self, Transition};
use crate::moderation::types::{Action, ModerationRequest, ReasonCode};
use crate::text::clean_opt;

/// How decisions are reviewed (from `moderation.second_review`).
#[derive(Debug, Clone, Copy)]
pub struct Review {
    /// A rejection is only proposed until a second moderator confirms it.
    pub four_eyes_reject: bool,
}

impl From<&crate::config::ModerationSettings> for Review {
    fn from(m: &crate::config::ModerationSettings) -> Self {
        Review {
            four_eyes_reject: m.four_eyes_reject(),
        }
    }
}

/// A decision as checked once, before it is applied to one comment or many.
pub(crate) struct Decision {
    pub action: Action,
    pub code: Option<ReasonCode>,
    pub reason: Option<String>,
    pub note: Option<String>,
}

impl Decision {
    /// Check a request: a rejection needs a code or a reason; `other` needs the reason.
    pub fn check(req: ModerationRequest) -> Result<Decision, AppError> {
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
        Ok(Decision {
            action: req.action,
            code,
            reason: req.reason,
            note: req.note,
        })
    }
}

/// The secretariat's decision on a comment a moderator flagged (escalated): approve or reject
/// only, and only while it is flagged. Escalation is already a second look, so the
/// secretariat's rejection is final without four-eyes.
pub fn decide_escalated(
    conn: &mut DbConn,
    secretary: &Actor,
    meta: &RequestMeta,
    comment_id: i64,
    req: ModerationRequest,
) -> Result<Comment, AppError> {
    if !matches!(req.action, Action::Approve | Action::Reject) {
        return Err(AppError::conflict(
            ErrorCode::InvalidTransition,
            "an escalated comment is approved or rejected",
        ));
    }
    let decision = Decision::check(req)?;
    write_tx(conn, |conn| {
        let comment = get_visible(conn, comment_id, secretary)?;
        if comment.status != CommentStatus::Flagged {
            return Err(AppError::conflict(
                ErrorCode::InvalidTransition,
                "only a flagged comment is decided by the secretariat",
            ));
        }
        let review = Review {
            four_eyes_reject: false,
        };
        apply(conn, secretary, meta, &comment, &decision, review)?;
        get_visible(conn, comment_id, secretary)
    })
}

/// Record a moderator's decision. Moderators never decide their own comments nor confirm
/// their own proposal (403); a rejection needs a reason; a concurrent decision on the same
/// comment loses with 409.
pub fn decide(
    conn: &mut DbConn,
    moderator: &Actor,
    meta: &RequestMeta,
    comment_id: i64,
    req: ModerationRequest,
    review: Review,
) -> Result<Comment, AppError> {
    let decision = Decision::check(req)?;
    write_tx(conn, |conn| {
        let comment = get_visible(conn, comment_id, moderator)?;
        apply(conn, moderator, meta, &comment, &decision, review)?;
        get_visible(conn, comment_id, moderator)
    })
}

/// Apply `decision` to `comment` inside the caller's write transaction: the state change, the
/// event, the audit row and — when the decision is final — the author's notice.
pub(crate) fn apply(
    conn: &mut DbConn,
    moderator: &Actor,
    meta: &RequestMeta,
    comment: &Comment,
    decision: &Decision,
    review: Review,
) -> Result<CommentStatus, AppError> {
    if comment.author_id == moderator.id {
        return Err(AppError::Forbidden);
    }
    crate::drafts::service::not_archived(conn, comment.document_id)?;
    if decision.action == Action::ConfirmReject && comment.proposed_by == Some(moderator.id) {
        // Four-eyes means two people.
        return Err(AppError::Forbidden);
    }
    let at = now();
    if let Some(holder) = claim_of_other(conn, comment, moderator, at)? {
        return Err(holder);
    }
    let to = decision
        .action
        .apply(comment.status, review.four_eyes_reject)
        .ok_or_else(|| {
            AppError::conflict(
                ErrorCode::InvalidTransition,
                format!(
                    "a {} comment cannot be given the action {}",
                    comment.status, decision.action
                ),
            )
        })?;
    let rejecting = matches!(to, CommentStatus::Rejected | CommentStatus::RejectProposed);
    // A confirmation keeps the proposal's reason unless it gives its own.
    let (code, reason) = match decision.action {
        Action::ConfirmReject if decision.code.is_none() => {
            (comment.reason_code, comment.reason.as_deref())
        }
        _ => (decision.code, decision.reason.as_deref()),
    };
    let (code, reason) = if rejecting {
        (code, reason)
    } else {
        (None, None)
    };
    let transition = Transition {
        from: comment.status,
        to,
        reason_code: code,
        reason,
        by: moderator.id,
        proposed_by: (to == CommentStatus::RejectProposed).then_some(moderator.id),
        at,
    };
    if !store::set_status(conn, comment.id, &transition)? {
        let now_comment = get_visible(conn, comment.id, moderator)?;
        return Err(match claim_of_other(conn, &now_comment, moderator, at)? {
            Some(holder) => holder,
            None => AppError::conflict(
                ErrorCode::InvalidTransition,
                "the comment was decided by someone else meanwhile",
            ),
        });
    }
    events::insert_event(
        conn,
        NewEvent {
            comment_id: comment.id,
            actor_id: Some(moderator.id),
            action: decision.action.into(),
            from: comment.status,
            to,
            reason_code: code.or(decision.code),
            reason: reason.or(decision.reason.as_deref()),
            note: decision.note.as_deref(),
            at,
        },
    )?;
    let detail = serde_json::json!({ "action": decision.action, "from": comment.status, "to": to });
    audit::record(
        conn,
        Some(moderator.id),
        meta,
        Event::new(AuditAction::CommentModerated, Some(comment.id), detail),
    )?;
    if matches!(to, CommentStatus::Approved | CommentStatus::Rejected) {
        let to_author = Recipient::from(contact(conn, comment.author_id)?);
        let title = drafts::find(conn, comment.document_id)?
            .map(|d| d.title)
            .unwrap_or_default();
        let rejected = to == CommentStatus::Rejected;
        notices::comment_decided(
            conn,
            &to_author,
            &comment.receipt,
            &title,
            !rejected,
            // The author reads the moderator's words, else the code's label.
            reason.or(code.filter(|_| rejected).map(|c| c.labels().0)),
        )?;
    }
    Ok(to)
}

/// 409 `claimed_by_other` when another moderator's claim on `comment` is live at `at`.
fn claim_of_other(
    conn: &mut DbConn,
    comment: &Comment,
    moderator: &Actor,
    at: NaiveDateTime,
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
