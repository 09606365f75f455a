//! The response register's SQL.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{comment_response_history, comment_responses, comments, documents, rounds};
use crate::db::DbConn;
use crate::pagination::Keyset;
use crate::responses::types::{ChangeRow, Decision, NewChange, NewResponse, ResponseRow};

pub fn get(conn: &mut DbConn, comment_id: i64) -> QueryResult<Option<ResponseRow>> {
    comment_responses::table
        .find(comment_id)
        .select(ResponseRow::as_select())
        .first(conn)
        .optional()
}

/// The current responses of `comment_ids` (those that have one).
pub fn for_comments(conn: &mut DbConn, comment_ids: &[i64]) -> QueryResult<Vec<ResponseRow>> {
    comment_responses::table
        .filter(comment_responses::comment_id.eq_any(comment_ids))
        .select(ResponseRow::as_select())
        .load(conn)
}

/// A comment's earlier responses, oldest first.
pub fn history(conn: &mut DbConn, comment_id: i64) -> QueryResult<Vec<ChangeRow>> {
    comment_response_history::table
        .filter(comment_response_history::comment_id.eq(comment_id))
        .order(comment_response_history::id.asc())
        .select(ChangeRow::as_select())
        .load(conn)
}

pub fn insert(conn: &mut DbConn, row: &NewResponse<'_>) -> QueryResult<usize> {
    diesel::insert_into(comment_responses::table)
        .values(row)
        .execute(conn)
}

/// Replace the current response, keeping when it was first recorded.
pub fn update(conn: &mut DbConn, row: &NewResponse<'_>) -> QueryResult<usize> {
    diesel::update(comment_responses::table.find(row.comment_id))
        .set((
            comment_responses::decision.eq(row.decision),
            comment_responses::rationale.eq(row.rationale),
            comment_responses::applied_in_section_id.eq(row.applied_in_section_id),
            comment_responses::responded_by.eq(row.responded_by),
            comment_responses::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
}

pub fn insert_change(conn: &mut DbConn, row: &NewChange<'_>) -> QueryResult<usize> {
    diesel::insert_into(comment_response_history::table)
        .values(row)
        .execute(conn)
}

/// Filters of a list of responses.
pub struct Filter {
    pub round: Option<i32>,
    pub decision: Option<Decision>,
    pub section_id: Option<i64>,
}

/// A document's responses in comment order, at most `page.limit + 1`.
pub fn list(
    conn: &mut DbConn,
    document_id: i64,
    filter: &Filter,
    page: Keyset,
) -> QueryResult<Vec<ResponseRow>> {
    let mut q = comment_responses::table
        .inner_join(comments::table)
        .filter(comment_responses::document_id.eq(document_id))
        .order(comment_responses::comment_id.asc())
        .limit(page.limit + 1)
        .select(ResponseRow::as_select())
        .into_boxed();
    if let Some(section) = filter.section_id {
        q = q.filter(comments::section_id.eq(section));
    }
    if let Some(number) = filter.round {
        let round = rounds::table
            .filter(rounds::document_id.eq(document_id))
            .filter(rounds::number.eq(number))
            .select(rounds::id.nullable());
        q = q.filter(comments::round_id.eq_any(round));
    }
    if let Some(d) = filter.decision {
        q = q.filter(comment_responses::decision.eq(d.as_str()));
    }
    if let Some(after) = page.after {
        q = q.filter(comment_responses::comment_id.gt(after));
    }
    q.load(conn)
}

/// Archive a closed draft (false: it was not closed, or was archived already).
pub fn archive(conn: &mut DbConn, document_id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        documents::table
            .find(document_id)
            .filter(documents::status.eq(crate::drafts::types::DocumentStatus::Closed.as_str()))
            .filter(documents::archived_at.is_null()),
    )
    .set((documents::archived_at.eq(at), documents::updated_at.eq(at)))
    .execute(conn)
    .map(|n| n == 1)
}
