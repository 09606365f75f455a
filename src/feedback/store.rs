use diesel::prelude::*;

use crate::comments::types::CommentStatus;
use crate::db::schema::{comments, rounds, sections, units, users};
use crate::db::DbConn;
use crate::feedback::types::{ExportRow, GroupCount};

/// The comments of one export group.
pub struct Which {
    pub status: CommentStatus,
    pub round_id: Option<i64>,
    /// A section, or the whole draft when `None`.
    pub section: Option<i64>,
}

/// Comments of one group in one status (of one round), after comment `after`, in id order.
pub fn export_batch(
    conn: &mut DbConn,
    document_id: i64,
    which: Which,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<ExportRow>> {
    let mut query = comments::table
        .inner_join(users::table.on(users::id.eq(comments::author_id)))
        .left_join(units::table.on(units::id.nullable().eq(comments::unit_id)))
        .left_join(sections::table.on(sections::id.nullable().eq(comments::section_id)))
        .left_join(rounds::table.on(rounds::id.nullable().eq(comments::round_id)))
        .left_join(
            crate::db::schema::comment_responses::table
                .on(crate::db::schema::comment_responses::comment_id.eq(comments::id)),
        )
        .filter(comments::document_id.eq(document_id))
        .filter(comments::status.eq(which.status.as_str()))
        .filter(comments::id.gt(after))
        .order(comments::id.asc())
        .limit(limit)
        .select(ExportRow::as_select())
        .into_boxed();
    if let Some(round) = which.round_id {
        query = query.filter(comments::round_id.eq(round));
    }
    query = match which.section {
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

/// One approved comment as the report lists it, with its response (if recorded).
#[derive(Debug, Queryable)]
pub struct ReportRow {
    pub comment_id: i64,
    pub section_id: Option<i64>,
    pub unit: Option<String>,
    pub body: String,
    pub proposed_text: Option<String>,
    pub cluster_id: Option<i64>,
    pub on_behalf_of_unit: bool,
    pub contributed_by: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub decision: Option<String>,
    pub rationale: Option<String>,
}

/// The approved comments of a draft (of one round, if given), in id order.
pub fn report_rows(
    conn: &mut DbConn,
    document_id: i64,
    round_id: Option<i64>,
) -> QueryResult<Vec<ReportRow>> {
    use crate::db::schema::comment_responses as r;
    let mut q = comments::table
        .left_join(units::table.on(units::id.nullable().eq(comments::unit_id)))
        .left_join(r::table.on(r::comment_id.eq(comments::id)))
        .filter(comments::document_id.eq(document_id))
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .order(comments::id.asc())
        .select((
            comments::id,
            comments::section_id,
            units::name.nullable(),
            comments::body,
            comments::proposed_text,
            comments::cluster_id,
            comments::on_behalf_of_unit,
            comments::contributed_by,
            comments::created_at,
            r::decision.nullable(),
            r::rationale.nullable(),
        ))
        .into_boxed();
    if let Some(round) = round_id {
        q = q.filter(comments::round_id.eq(round));
    }
    q.load(conn)
}

/// What the report's numbers paragraph says of a draft (of one round), withdrawn comments
/// aside.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub received: i64,
    pub approved: i64,
    /// Approved comments a unit representative made for the unit.
    pub collective: i64,
    pub people: i64,
    pub units: i64,
}

/// The tally of a draft (of one round), counted by the database.
pub fn report_numbers(
    conn: &mut DbConn,
    document_id: i64,
    round_id: Option<i64>,
) -> QueryResult<Tally> {
    use diesel::dsl::{count, count_star};
    let base = || {
        let q = comments::table
            .filter(comments::document_id.eq(document_id))
            .filter(comments::status.ne(CommentStatus::Withdrawn.as_str()))
            .into_boxed();
        match round_id {
            Some(r) => q.filter(comments::round_id.eq(r)),
            None => q,
        }
    };
    let (received, people, units) = base()
        .select((
            count_star(),
            count(comments::author_id).aggregate_distinct(),
            count(comments::unit_id).aggregate_distinct(),
        ))
        .first::<(i64, i64, i64)>(conn)?;
    let approved = base()
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .count()
        .get_result::<i64>(conn)?;
    let collective = base()
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .filter(comments::on_behalf_of_unit.eq(true))
        .count()
        .get_result::<i64>(conn)?;
    Ok(Tally {
        received,
        approved,
        collective,
        people,
        units,
    })
}

/// Active accounts that may comment (the staff a participation rate is of).
pub fn active_staff(conn: &mut DbConn) -> QueryResult<i64> {
    use crate::db::schema::user_roles;
    users::table
        .inner_join(user_roles::table.on(user_roles::user_id.eq(users::id)))
        .filter(users::active.eq(true))
        .filter(user_roles::role.eq(crate::accounts::types::Role::Employee.as_str()))
        .select(diesel::dsl::count(users::id).aggregate_distinct())
        .first(conn)
}
