//! Comments' SQL: the joined comment row, lists, inserts of a batch, idempotency keys.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;

use crate::comments::types::{CommentFilter, CommentRow, CommentStatus, PublicComment};
use crate::db::schema::{
    comment_counts, comments, documents, idempotency_keys, screening_terms, sections, units,
};
use crate::db::{insert_rows, DbConn};
use crate::drafts::types::DocumentStatus;
use crate::pagination::Keyset;

/// Comments joined with their author, unit and section, selecting a `CommentRow`.
macro_rules! comment_query {
    () => {
        $crate::db::schema::comments::table
            .inner_join(
                $crate::db::schema::users::table
                    .on($crate::db::schema::users::id.eq($crate::db::schema::comments::author_id)),
            )
            .left_join(
                $crate::db::schema::units::table.on($crate::db::schema::units::id
                    .nullable()
                    .eq($crate::db::schema::comments::unit_id)),
            )
            .left_join(
                $crate::db::schema::sections::table.on($crate::db::schema::sections::id
                    .nullable()
                    .eq($crate::db::schema::comments::section_id)),
            )
            .left_join(
                $crate::db::schema::rounds::table.on($crate::db::schema::rounds::id
                    .nullable()
                    .eq($crate::db::schema::comments::round_id)),
            )
            .select($crate::comments::types::CommentRow::as_select())
    };
}
pub(crate) use comment_query;

pub fn get(conn: &mut DbConn, id: i64) -> QueryResult<Option<CommentRow>> {
    comment_query!()
        .filter(comments::id.eq(id))
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConn,
    filter: &CommentFilter,
    page: Keyset,
) -> QueryResult<Vec<CommentRow>> {
    let mut query = comment_query!().limit(page.limit + 1).into_boxed();
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
    if let Some(v) = filter.version {
        query = query.filter(comments::version.eq(v));
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
        match page.after {
            Some(a) => q.filter(comments::id.lt(a)),
            None => q,
        }
    } else {
        let q = query.order(comments::id.asc());
        match page.after {
            Some(a) => q.filter(comments::id.gt(a)),
            None => q,
        }
    };
    query.load(conn)
}

/// A comment as written.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = comments)]
pub struct NewCommentRow {
    pub document_id: i64,
    pub section_id: Option<i64>,
    pub author_id: i64,
    pub unit_id: Option<i64>,
    pub body: String,
    pub proposed_text: Option<String>,
    pub status: &'static str,
    /// The cluster it joins, when that cluster's anchor is already written.
    pub cluster_id: Option<i64>,
    /// A unit representative's comment for the unit.
    pub on_behalf_of_unit: bool,
    pub receipt: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The body and proposed wording folded, and in lowercase NFC (`text::search_forms`).
    pub text_search: String,
    pub text_lower: String,
    pub round_id: Option<i64>,
    pub version: i32,
    pub screening_score: i32,
    /// `Screening` as JSON.
    pub screening: Option<String>,
}

/// Insert comments and return their ids in order: one statement on PostgreSQL (ids matched
/// back by receipt, which is unique, not by position), row by row on SQLite.
pub fn insert(conn: &mut DbConn, rows: Vec<NewCommentRow>) -> QueryResult<Vec<i64>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        DbConn::Pg(c) => {
            let receipts: Vec<String> = rows.iter().map(|r| r.receipt.clone()).collect();
            let back: HashMap<String, i64> = diesel::insert_into(comments::table)
                .values(&rows)
                .returning((comments::receipt, comments::id))
                .get_results::<(String, i64)>(c)?
                .into_iter()
                .collect();
            receipts
                .iter()
                .map(|r| back.get(r).copied().ok_or(diesel::result::Error::NotFound))
                .collect()
        }
        DbConn::Sqlite(c) => rows
            .into_iter()
            .map(|row| {
                diesel::insert_into(comments::table)
                    .values(row)
                    .returning(comments::id)
                    .get_result(c)
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct NewKey {
    pub user_id: i64,
    pub key: String,
    pub request_hash: String,
    pub comment_id: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct KnownKey {
    pub user_id: i64,
    pub key: String,
    pub request_hash: String,
    pub comment_id: i64,
}

/// The keys among these (user, key) pairs that were used before: one primary-key probe per
/// pair in one statement. (Asked as "any of these users and any of these keys", the database
/// read every key those users had kept, and without fresh statistics it scanned the table.)
pub fn known_keys(conn: &mut DbConn, pairs: &[(i64, String)]) -> QueryResult<Vec<KnownKey>> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = idempotency_keys::table.into_boxed();
    for (user, key) in pairs {
        query = query.or_filter(
            idempotency_keys::user_id
                .eq(*user)
                .and(idempotency_keys::key.eq(key.as_str())),
        );
    }
    query.select(KnownKey::as_select()).load(conn)
}

pub fn insert_keys(conn: &mut DbConn, rows: Vec<NewKey>) -> QueryResult<()> {
    insert_rows(conn, idempotency_keys::table, rows)
}

/// Forget keys created before `before`.
pub fn purge_keys(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
        .execute(conn)
}

/// What readers see of the approved comments on these sections of a document and on the whole
/// draft, oldest first.
pub fn approved_on(
    conn: &mut DbConn,
    document_id: i64,
    sections: &[i64],
) -> QueryResult<Vec<PublicComment>> {
    comments::table
        .left_join(units::table.on(units::id.nullable().eq(comments::unit_id)))
        .filter(comments::document_id.eq(document_id))
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .filter(
            comments::section_id
                .eq_any(sections)
                .or(comments::section_id.is_null()),
        )
        .order(comments::id.asc())
        .select(PublicComment::as_select())
        .load(conn)
}

/// Add `added` (author, how many; in author order) to each author's count for the hour
/// starting at `hour`, and return the new counts. On PostgreSQL each row stays locked to the
/// end of the transaction.
pub fn add_to_hour(
    conn: &mut DbConn,
    hour: NaiveDateTime,
    added: &[(i64, i32)],
) -> QueryResult<HashMap<i64, i32>> {
    let rows: Vec<_> = added
        .iter()
        .map(|(author, n)| {
            (
                comment_counts::author_id.eq(*author),
                comment_counts::hour.eq(hour),
                comment_counts::count.eq(*n),
            )
        })
        .collect();
    // `excluded`: the count this statement brought for the row.
    let more = comment_counts::count
        .eq(comment_counts::count + diesel::upsert::excluded(comment_counts::count));
    let back = (comment_counts::author_id, comment_counts::count);
    let totals: Vec<(i64, i32)> = match conn {
        DbConn::Pg(c) => diesel::insert_into(comment_counts::table)
            .values(rows)
            .on_conflict((comment_counts::author_id, comment_counts::hour))
            .do_update()
            .set(more)
            .returning(back)
            .get_results(c)?,
        DbConn::Sqlite(c) => rows
            .into_iter()
            .map(|row| {
                diesel::insert_into(comment_counts::table)
                    .values(row)
                    .on_conflict((comment_counts::author_id, comment_counts::hour))
                    .do_update()
                    .set(more)
                    .returning(back)
                    .get_result(c)
            })
            .collect::<QueryResult<_>>()?,
    };
    Ok(totals.into_iter().collect())
}

/// Forget the counts of hours that started before `before`.
pub fn purge_counts(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(comment_counts::table.filter(comment_counts::hour.lt(before))).execute(conn)
}

/// The blocked terms, as the admins typed them, in order.
pub fn screening_terms(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    screening_terms::table
        .select(screening_terms::term)
        .order(screening_terms::term.asc())
        .load(conn)
}

/// Replace the blocked terms with `terms`.
pub fn replace_screening_terms(
    conn: &mut DbConn,
    terms: &[String],
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(screening_terms::table).execute(conn)?;
    let rows: Vec<_> = terms
        .iter()
        .map(|t| {
            (
                screening_terms::term.eq(t.as_str()),
                screening_terms::created_at.eq(at),
            )
        })
        .collect();
    insert_rows(conn, screening_terms::table, rows)
}

/// The screening of a comment (moderators' eyes only).
pub fn screening_of(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, Option<String>)>> {
    comments::table
        .filter(comments::id.eq_any(ids))
        .select((comments::id, comments::screening))
        .load(conn)
}

/// The responses to `comment_ids` that have one (the register's table, read for authors).
pub fn responses_seen(
    conn: &mut DbConn,
    comment_ids: &[i64],
) -> QueryResult<Vec<(i64, crate::comments::response::SeenResponse)>> {
    use crate::db::schema::comment_responses as r;
    let rows: Vec<(i64, String, String, Option<i64>, chrono::NaiveDateTime)> = r::table
        .filter(r::comment_id.eq_any(comment_ids))
        .select((
            r::comment_id,
            r::decision,
            r::rationale,
            r::applied_in_section_id,
            r::updated_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, decision, rationale, applied_in_section_id, at)| {
            let decision = crate::comments::response::Decision::try_from(decision)
                .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
            Ok((
                id,
                crate::comments::response::SeenResponse {
                    decision,
                    label: decision.label().to_owned(),
                    rationale,
                    applied_in_section_id,
                    updated_at: at.and_utc(),
                },
            ))
        })
        .collect()
}
