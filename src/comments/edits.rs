//! What an author may still do with a comment nobody has decided: change its text while it is
//! pending and no moderator holds it (each earlier text kept), or withdraw it.

use crate::audit::{self, AuditAction, Event};
use crate::comments::events::{self, NewEvent};
use crate::comments::intake::{self, Fresh, Intake};
use crate::comments::service::get_visible;
use crate::comments::store;
use crate::comments::types::{Comment, CommentEdit, CommentStatus, EventAction, NewText};
use diesel::QueryResult;

use crate::db::{now, write_tx, DbConn};
use crate::error::{AppError, ErrorCode};
use crate::identity::{Actor, RequestMeta};
use crate::input::validated;
use crate::text::{clean, clean_opt};

/// The comment as stored (unmasked), if `author` wrote it; 403 if they see it but did not
/// write it, 404 if they cannot see it.
fn own(conn: &mut DbConn, author: &Actor, id: i64) -> Result<Comment, AppError> {
    let seen = get_visible(conn, id, author)?;
    if seen.author_id != author.id {
        return Err(AppError::Forbidden);
    }
    crate::drafts::service::not_archived(conn, seen.document_id)?;
    Ok(store::get(conn, id)?
        .ok_or(AppError::NotFound("comment"))?
        .into())
}

fn decided() -> AppError {
    AppError::conflict(
        ErrorCode::InvalidTransition,
        "the comment has been decided; it can no longer change",
    )
}

fn under_review() -> AppError {
    AppError::conflict(
        ErrorCode::UnderReview,
        "a moderator is reviewing the comment; it can be withdrawn but not edited",
    )
}

/// Change a pending comment's text (its author). The earlier text is kept as a revision, the
/// new one is screened and clustered again, and the change joins the history.
pub fn edit(
    conn: &mut DbConn,
    author: &Actor,
    meta: &RequestMeta,
    id: i64,
    req: CommentEdit,
    intake: Intake,
) -> Result<Comment, AppError> {
    let req = validated(req, |r| CommentEdit {
        body: r.body.as_deref().map(clean),
        proposed_text: r.proposed_text.map(|p| clean_opt(p.as_deref())),
    })?;
    if req.body.as_deref() == Some("") {
        return Err(AppError::field("body", "must be 1–5000 characters"));
    }
    write_tx(conn, |conn| {
        let comment = own(conn, author, id)?;
        let at = now();
        match comment.status {
            CommentStatus::Pending => {}
            CommentStatus::Flagged | CommentStatus::RejectProposed => return Err(under_review()),
            _ => return Err(decided()),
        }
        if comment.claimed_until.is_some_and(|t| t.naive_utc() > at) {
            return Err(under_review());
        }
        let body = req.body.clone().unwrap_or_else(|| comment.body.clone());
        let proposed_text = req
            .proposed_text
            .clone()
            .unwrap_or_else(|| comment.proposed_text.clone());
        if body == comment.body && proposed_text == comment.proposed_text {
            return get_visible(conn, id, author);
        }
        let written = events::text_written_at(conn, id)?;
        events::insert_revision(
            conn,
            id,
            (&comment.body, comment.proposed_text.as_deref()),
            written,
            at,
        )?;
        let (text_search, text_lower) =
            crate::text::search_forms([body.as_str(), proposed_text.as_deref().unwrap_or("")]);
        let text = NewText {
            body: body.clone(),
            proposed_text,
            text_search,
            text_lower,
        };
        if !events::set_text(conn, id, &text, at)? {
            return Err(under_review());
        }
        history(
            conn,
            author,
            meta,
            id,
            EventAction::Edit,
            (CommentStatus::Pending, CommentStatus::Pending),
        )?;
        // Screened and clustered afresh; a cluster's first comment keeps its cluster.
        let anchor = comment.cluster_id.filter(|c| *c == id);
        if anchor.is_none() {
            leave_buckets(conn, &comment)?;
        }
        let blocked = store::screening_terms(conn)?;
        let mut prepared = intake::Prepared::of(&body);
        crate::comments::screening::add_blocked(&mut prepared.screening, &body, &blocked);
        let fresh = Fresh {
            document_id: comment.document_id,
            prepared,
            keep_cluster: anchor,
        };
        let plan = intake::plan(conn, std::slice::from_ref(&fresh), intake)?;
        let planned = &plan.items[0];
        let json = serde_json::to_string(&planned.screening).ok();
        crate::comments::cluster_store::set_intake(
            conn,
            id,
            plan.cluster_id(0, &[id]),
            (json.as_deref(), i32::from(planned.screening.score)),
            planned.status,
        )?;
        let flags = intake::settle(conn, &plan, &[id], at)?;
        crate::audit::chain::append(conn, flags)?;
        get_visible(conn, id, author)
    })
}

/// Take back a comment nobody has decided yet (its author): it leaves the queue for good.
pub fn withdraw(
    conn: &mut DbConn,
    author: &Actor,
    meta: &RequestMeta,
    id: i64,
) -> Result<Comment, AppError> {
    write_tx(conn, |conn| {
        let comment = own(conn, author, id)?;
        if !comment.status.is_open() {
            return Err(decided());
        }
        let at = now();
        if !events::set_withdrawn(conn, id, comment.status, at)? {
            return Err(decided());
        }
        if comment.cluster_id.is_none() {
            // It can no longer stand for a cluster.
            leave_buckets(conn, &comment)?;
        }
        history(
            conn,
            author,
            meta,
            id,
            EventAction::Withdraw,
            (comment.status, CommentStatus::Withdrawn),
        )?;
        get_visible(conn, id, author)
    })
}

/// The author's event and its audit row.
fn history(
    conn: &mut DbConn,
    author: &Actor,
    meta: &RequestMeta,
    id: i64,
    action: EventAction,
    (from, to): (CommentStatus, CommentStatus),
) -> Result<(), AppError> {
    events::insert_event(
        conn,
        NewEvent {
            comment_id: id,
            actor_id: Some(author.id),
            action,
            from,
            to,
            reason_code: None,
            reason: None,
            note: None,
            at: now(),
        },
    )?;
    let audit_action = match action {
        EventAction::Withdraw => AuditAction::CommentWithdrawn,
        _ => AuditAction::CommentEdited,
    };
    let detail = serde_json::json!({ "from": from, "to": to });
    audit::record(
        conn,
        Some(author.id),
        meta,
        Event::new(audit_action, Some(id), detail),
    )?;
    Ok(())
}

/// A comment's buckets go (found again from the text they were written for): it no longer
/// stands for that text.
fn leave_buckets(conn: &mut DbConn, comment: &Comment) -> QueryResult<usize> {
    let buckets = crate::comments::duplicates::fingerprint(&comment.body).buckets;
    crate::comments::cluster_store::delete_buckets(conn, comment.document_id, &buckets, comment.id)
}
