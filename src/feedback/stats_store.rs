//! The counts behind `GET /documents/{id}/stats`: one GROUP BY over the dimensions asked for.
//! The statement is put together from fixed fragments (a column or a typed NULL for each
//! dimension) and numbers; nothing a client sends is written into it.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::comments::types::CommentStatus;
use crate::db::schema::{user_roles, users};
use crate::db::DbConn;
use crate::identity::Role;

/// Which dimensions to group by.
#[derive(Debug, Default, Clone, Copy)]
pub struct Grouping {
    pub section: bool,
    pub unit: bool,
    pub round: bool,
    pub status: bool,
    pub decision: bool,
}

/// One group's counts; the columns not grouped by are NULL.
#[derive(Debug, QueryableByName)]
pub struct GroupRow {
    #[diesel(sql_type = Nullable<BigInt>)]
    pub section_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub unit_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub round_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub decision: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub comments: i64,
    #[diesel(sql_type = BigInt)]
    pub collective: i64,
    #[diesel(sql_type = BigInt)]
    pub people: i64,
}

fn column(on: bool, expr: &'static str, null: &'static str) -> &'static str {
    if on {
        expr
    } else {
        null
    }
}

/// The comments of a document (of one round), withdrawn ones aside, counted per group.
pub fn grouped(
    conn: &mut DbConn,
    document_id: i64,
    round_id: Option<i64>,
    by: Grouping,
) -> QueryResult<Vec<GroupRow>> {
    let (int, text) = ("CAST(NULL AS BIGINT)", "CAST(NULL AS TEXT)");
    let exprs = [
        column(by.section, "c.section_id", int),
        column(by.unit, "c.unit_id", int),
        column(by.round, "c.round_id", int),
        column(by.status, "c.status", text),
        column(by.decision, "r.decision", text),
    ];
    let grouped: Vec<&str> = exprs
        .iter()
        .copied()
        .filter(|e| !e.starts_with("CAST"))
        .collect();
    let round = round_id.map_or(String::new(), |r| format!(" AND c.round_id = {r}"));
    let sql = format!(
        "SELECT {} AS section_id, {} AS unit_id, {} AS round_id, {} AS status, {} AS decision, \
         COUNT(*) AS comments, \
         COALESCE(SUM(CASE WHEN c.on_behalf_of_unit THEN 1 ELSE 0 END), 0) AS collective, \
         COUNT(DISTINCT c.author_id) AS people \
         FROM comments c LEFT JOIN comment_responses r ON r.comment_id = c.id \
         WHERE c.document_id = {document_id} AND c.status <> '{}'{round}{}",
        exprs[0],
        exprs[1],
        exprs[2],
        exprs[3],
        exprs[4],
        CommentStatus::Withdrawn.as_str(),
        if grouped.is_empty() {
            String::new()
        } else {
            format!(" GROUP BY {}", grouped.join(", "))
        },
    );
    match conn {
        DbConn::Pg(c) => diesel::sql_query(sql).load(c),
        DbConn::Sqlite(c) => diesel::sql_query(sql).load(c),
    }
}

/// Active accounts that may comment, per unit (None: without a unit).
pub fn staff_by_unit(conn: &mut DbConn) -> QueryResult<Vec<(Option<i64>, i64)>> {
    users::table
        .inner_join(user_roles::table.on(user_roles::user_id.eq(users::id)))
        .filter(users::active.eq(true))
        .filter(user_roles::role.eq(Role::Employee.as_str()))
        .group_by(users::unit_id)
        .select((
            users::unit_id,
            diesel::dsl::count(users::id).aggregate_distinct(),
        ))
        .load(conn)
}
