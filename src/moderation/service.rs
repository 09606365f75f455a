//! The moderation queue, claims on it and the reason codes; decisions are in `decisions`.

use crate::comments::screening::Screening;
use crate::comments::types::Comment;
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;
use crate::identity::Actor;
use crate::moderation::store::{self, Lane};
use crate::moderation::types::{
    ClaimRequest, Claimed, QueueQuery, QueuedComment, Reason, ReasonCode, Released,
};
use crate::pagination::{Page, PageParams};

pub use crate::moderation::decisions::{decide, decide_escalated, Review};

/// Pending and flagged comments, oldest first (drafts cannot receive comments), with what
/// screening found in each; filtered by draft, label or score.
pub fn queue(conn: &mut DbConn, query: QueueQuery) -> Result<Page<QueuedComment>, AppError> {
    queued(conn, query, Lane::Queue)
}

/// The flagged comments, which moderators sent on to the secretariat, oldest first.
pub fn escalated(conn: &mut DbConn, query: QueueQuery) -> Result<Page<QueuedComment>, AppError> {
    queued(conn, query, Lane::Escalated)
}

/// Rejections proposed and waiting for a second moderator (four-eyes), oldest first.
pub fn proposals(conn: &mut DbConn, query: QueueQuery) -> Result<Page<QueuedComment>, AppError> {
    queued(conn, query, Lane::Proposals)
}

fn queued(
    conn: &mut DbConn,
    query: QueueQuery,
    lane: Lane,
) -> Result<Page<QueuedComment>, AppError> {
    if query.min_score.is_some_and(|n| !(0..=100).contains(&n)) {
        return Err(AppError::field("min_score", "must be between 0 and 100"));
    }
    let page = PageParams {
        cursor: query.cursor.clone(),
        limit: query.limit,
    }
    .keyset()?;
    let rows = store::queue(conn, &query, lane, page)?;
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
