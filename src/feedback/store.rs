use diesel::prelude::*;

use crate::comments::types::CommentStatus;
use crate::db::schema::{comments, rounds, sections, units, users};
use crate::db::DbConn;
use crate::feedback::types::{ExportRow, GroupCount};

/// Approved comments of one group (a section, or the whole draft when `section` is `None`),
/// after comment `after`, in id order.
pub fn export_batch(
    conn: &mut DbConn,
    document_id: i64,
    section: Option<i64>,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<ExportRow>> {
    let mut query = comments::table
        .inner_join(users::table.on(users::id.eq(comments::author_id)))
        .left_join(units::table.on(units::id.nullable().eq(comments::unit_id)))
        .left_join(sections::table.on(sections::id.nullable().eq(comments::section_id)))
        .left_join(rounds::table.on(rounds::id.nullable().eq(comments::round_id)))
        .filter(comments::document_id.eq(document_id))
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .filter(comments::id.gt(after))
        .order(comments::id.asc())
        .limit(limit)
        .select(ExportRow::as_select())
        .into_boxed();
    query = match section {
        Some(s) => query.filter(comments::section_id.eq(s)),
        None => query.filter(comments::section_id.is_null()),
    };
    query.load(conn)
}

/// Comments of a document counted by (section, status).
pub fn count_by_section(conn: &mut DbConn, document_id: i64) -> QueryResult<Vec<GroupCount>> {
    comments::table
        .filter(comments::document_id.eq(document_id))
        .group_by((comments::section_id, comments::status))
        .select((
            comments::section_id,
            comments::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

/// Comments of a document counted by (author's unit, status).
pub fn count_by_unit(conn: &mut DbConn, document_id: i64) -> QueryResult<Vec<GroupCount>> {
    comments::table
        .filter(comments::document_id.eq(document_id))
        .group_by((comments::unit_id, comments::status))
        .select((
            comments::unit_id,
            comments::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

/// Comments of a document counted by (round, status).
pub fn count_by_round(conn: &mut DbConn, document_id: i64) -> QueryResult<Vec<GroupCount>> {
    comments::table
        .filter(comments::document_id.eq(document_id))
        .group_by((comments::round_id, comments::status))
        .select((
            comments::round_id,
            comments::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

/// (clusters, comments in them) of a document, withdrawn comments aside.
pub fn count_duplicates(conn: &mut DbConn, document_id: i64) -> QueryResult<(i64, i64)> {
    comments::table
        .filter(comments::document_id.eq(document_id))
        .filter(comments::cluster_id.is_not_null())
        .filter(comments::status.ne(crate::comments::types::CommentStatus::Withdrawn.as_str()))
        .select((
            diesel::dsl::count(comments::cluster_id).aggregate_distinct(),
            diesel::dsl::count(comments::cluster_id),
        ))
        .first(conn)
}
