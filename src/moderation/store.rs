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

/// Mark `day`'s digest as queued; false if some process already did.
pub fn mark_digest_day(conn: &mut DbConn, day: &str, at: NaiveDateTime) -> QueryResult<bool> {
    use crate::db::schema::moderation_digests;
    let row = (
        moderation_digests::day.eq(day),
        moderation_digests::queued_at.eq(at),
    );
    let insert = diesel::insert_into(moderation_digests::table).values(row);
    let n = match conn {
        DbConn::Pg(c) => insert.on_conflict_do_nothing().execute(c)?,
        DbConn::Sqlite(c) => insert.on_conflict_do_nothing().execute(c)?,
    };
    Ok(n > 0)
}

/// A draft with comments waiting for a decision.
#[derive(Debug)]
pub struct Waiting {
    pub title: String,
    pub waiting: i64,
    pub oldest: NaiveDateTime,
}

/// Drafts with comments waiting (pending, flagged or a rejection proposed), most first.
pub fn waiting_per_draft(conn: &mut DbConn) -> QueryResult<Vec<Waiting>> {
    use crate::db::schema::documents;
    let waiting = [
        CommentStatus::Pending.as_str(),
        CommentStatus::Flagged.as_str(),
        CommentStatus::RejectProposed.as_str(),
    ];
    let rows: Vec<(i64, i64, Option<NaiveDateTime>)> = comments::table
        .filter(comments::status.eq_any(waiting))
        .group_by(comments::document_id)
        .select((
            comments::document_id,
            diesel::dsl::count_star(),
            diesel::dsl::min(comments::created_at),
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let titles: std::collections::HashMap<i64, String> = documents::table
        .filter(documents::id.eq_any(&ids))
        .select((documents::id, documents::title))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut out: Vec<Waiting> = rows
        .into_iter()
        .filter_map(|(id, n, oldest)| {
            Some(Waiting {
                title: titles.get(&id)?.clone(),
                waiting: n,
                oldest: oldest?,
            })
        })
        .collect();
    out.sort_by(|a, b| b.waiting.cmp(&a.waiting).then(a.title.cmp(&b.title)));
    Ok(out)
}

/// Active moderators who get the digest.
pub fn digest_recipients(
    conn: &mut DbConn,
) -> QueryResult<Vec<crate::accounts::store::users::Contact>> {
    use crate::db::schema::{user_roles, users};
    users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq(crate::identity::Role::Moderator.as_str()))
        .filter(users::active.eq(true))
        .filter(users::moderation_digest.eq(true))
        .order(users::id.asc())
        .select(crate::accounts::store::users::Contact::as_select())
        .load(conn)
}
