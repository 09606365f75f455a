use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;
use rand::Rng;

use crate::comments::types::{Comment, CommentRow, CommentStatus};
use crate::db::schema::{comments, documents, sections, units, users};
use crate::db::DbConn;
use crate::drafts::queries::get_document;
use crate::drafts::types::{Document, DocumentStatus};
use crate::error::AppError;
use crate::http::auth::CurrentUser;

/// Comments joined with their author, unit and section, selecting a `CommentRow`.
macro_rules! comment_query {
    () => {
        comments::table
            .inner_join(users::table.on(users::id.eq(comments::author_id)))
            .left_join(units::table.on(units::id.nullable().eq(comments::unit_id)))
            .left_join(sections::table.on(sections::id.nullable().eq(comments::section_id)))
            .select((
                (
                    comments::id,
                    comments::document_id,
                    comments::section_id,
                    comments::author_id,
                    comments::unit_id,
                    comments::body,
                    comments::proposed_text,
                    comments::status,
                    comments::receipt,
                    comments::reason,
                ),
                (
                    comments::created_at,
                    comments::decided_at,
                    sections::path.nullable(),
                    users::full_name,
                    units::name.nullable(),
                ),
            ))
    };
}
pub(crate) use comment_query;

/// 409 unless comments are accepted on `doc` at `at`.
pub fn check_open(doc: &Document, at: NaiveDateTime) -> Result<(), AppError> {
    match doc.status {
        DocumentStatus::Draft => {
            return Err(AppError::conflict(
                "consultation_not_open",
                "the draft has not been published for consultation",
            ))
        }
        DocumentStatus::Closed => {
            return Err(AppError::conflict(
                "consultation_closed",
                "the consultation has closed",
            ))
        }
        DocumentStatus::Published => {}
    }
    if doc.opens_at.is_some_and(|o| at < o.naive_utc()) {
        return Err(AppError::conflict(
            "consultation_not_started",
            "the consultation has not opened yet",
        ));
    }
    if doc.closes_at.is_some_and(|c| at >= c.naive_utc()) {
        return Err(AppError::conflict(
            "consultation_closed",
            "the consultation has closed",
        ));
    }
    Ok(())
}

/// 422 on `section_id` unless the section belongs to the document.
pub fn require_section(
    conn: &mut DbConn,
    document_id: i64,
    section_id: i64,
) -> Result<(), AppError> {
    let found = sections::table
        .find(section_id)
        .filter(sections::document_id.eq(document_id))
        .count()
        .get_result::<i64>(conn)?;
    if found == 0 {
        return Err(AppError::field(
            "section_id",
            "no such section in this document",
        ));
    }
    Ok(())
}

/// A receipt number such as `GY-7K3QM-9XA2D` (Crockford base32, ~50 random bits).
pub fn new_receipt() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    let mut part = || -> String {
        (0..5)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect()
    };
    format!("GY-{}-{}", part(), part())
}

/// A comment as `viewer` may see it: approved ones, their own, or any for moderators and the
/// secretariat; anything else is 404 so that ids reveal nothing.
pub fn get_visible(conn: &mut DbConn, id: i64, viewer: &CurrentUser) -> Result<Comment, AppError> {
    let comment: Comment = comment_query!()
        .filter(comments::id.eq(id))
        .first::<CommentRow>(conn)
        .optional()?
        .ok_or(AppError::NotFound("comment"))?
        .into();
    let visible = viewer.sees_all_comments()
        || comment.author_id == viewer.id
        || comment.status == CommentStatus::Approved;
    if !visible {
        return Err(AppError::NotFound("comment"));
    }
    // A comment on a draft the viewer cannot see is hidden with it.
    get_document(conn, comment.document_id, viewer)?;
    Ok(comment)
}

pub struct CommentFilter {
    pub document_id: Option<i64>,
    /// Must be a section of `document_id` when both are given.
    pub section_id: Option<i64>,
    pub author_id: Option<i64>,
    pub statuses: Option<Vec<CommentStatus>>,
    /// Non-privileged viewers: approved comments plus this user's own.
    pub approved_or_own: Option<i64>,
    /// Nothing while `document_id` is an unpublished draft (viewers who may not see drafts).
    pub hide_drafts: bool,
    pub newest_first: bool,
}

pub fn list(
    conn: &mut DbConn,
    filter: &CommentFilter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Comment>> {
    let mut query = comment_query!().limit(limit + 1).into_boxed();
    match (filter.document_id, filter.section_id) {
        // A section belongs to one document: filtering the comments on both only misleads
        // the planner into sorting the whole section. Which document it belongs to is a
        // one-time condition instead, answered before any comment is read.
        (Some(d), Some(s)) => {
            let owner = diesel::alias!(sections as section_owner);
            query = query.filter(comments::section_id.eq(s)).filter(exists(
                owner
                    .filter(owner.field(sections::id).eq(s))
                    .filter(owner.field(sections::document_id).eq(d)),
            ))
        }
        (None, Some(s)) => query = query.filter(comments::section_id.eq(s)),
        (Some(d), None) => query = query.filter(comments::document_id.eq(d)),
        (None, None) => {}
    }
    if let (Some(d), true) = (filter.document_id, filter.hide_drafts) {
        query = query.filter(exists(
            documents::table
                .filter(documents::id.eq(d))
                .filter(documents::status.ne(DocumentStatus::Draft.as_str())),
        ));
    }
    if let Some(a) = filter.author_id {
        query = query.filter(comments::author_id.eq(a));
    }
    if let Some(statuses) = &filter.statuses {
        query = query.filter(
            comments::status.eq_any(statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
        );
    }
    if let Some(me) = filter.approved_or_own {
        query = query.filter(
            comments::status
                .eq(CommentStatus::Approved.as_str())
                .or(comments::author_id.eq(me)),
        );
    }
    query = if filter.newest_first {
        let q = query.order(comments::id.desc());
        match after {
            Some(a) => q.filter(comments::id.lt(a)),
            None => q,
        }
    } else {
        let q = query.order(comments::id.asc());
        match after {
            Some(a) => q.filter(comments::id.gt(a)),
            None => q,
        }
    };
    Ok(query
        .load::<CommentRow>(conn)?
        .into_iter()
        .map(Comment::from)
        .collect())
}
