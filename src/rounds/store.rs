//! Rounds' SQL.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{comments, documents, round_audience, rounds, user_roles, users};
use crate::db::{insert_rows, DbConn};
use crate::drafts::types::DocumentStatus;
use crate::identity::{Locale, Role};
use crate::rounds::types::RoundRow;

pub fn for_document(conn: &mut DbConn, document_id: i64) -> QueryResult<Vec<RoundRow>> {
    rounds::table
        .filter(rounds::document_id.eq(document_id))
        .select(RoundRow::as_select())
        .order(rounds::number.asc())
        .load(conn)
}

pub fn find(conn: &mut DbConn, document_id: i64, id: i64) -> QueryResult<Option<RoundRow>> {
    rounds::table
        .filter(rounds::id.eq(id))
        .filter(rounds::document_id.eq(document_id))
        .select(RoundRow::as_select())
        .first(conn)
        .optional()
}

pub fn audience(conn: &mut DbConn, round_id: i64) -> QueryResult<Vec<i64>> {
    round_audience::table
        .filter(round_audience::round_id.eq(round_id))
        .select(round_audience::unit_id)
        .order(round_audience::unit_id.asc())
        .load(conn)
}

pub fn set_audience(conn: &mut DbConn, round_id: i64, units: &[i64]) -> QueryResult<()> {
    diesel::delete(round_audience::table.filter(round_audience::round_id.eq(round_id)))
        .execute(conn)?;
    let rows: Vec<_> = units
        .iter()
        .map(|u| {
            (
                round_audience::round_id.eq(round_id),
                round_audience::unit_id.eq(*u),
            )
        })
        .collect();
    insert_rows(conn, round_audience::table, rows)
}

/// The next round number of a document.
pub fn next_number(conn: &mut DbConn, document_id: i64) -> QueryResult<i32> {
    Ok(rounds::table
        .filter(rounds::document_id.eq(document_id))
        .select(diesel::dsl::max(rounds::number))
        .first::<Option<i32>>(conn)?
        .map_or(1, |n| n.saturating_add(1)))
}

pub struct RoundInsert<'a> {
    pub document_id: i64,
    pub number: i32,
    pub title: Option<&'a str>,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub version: i32,
    pub by: i64,
    pub at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, r: &RoundInsert) -> QueryResult<i64> {
    diesel::insert_into(rounds::table)
        .values((
            rounds::document_id.eq(r.document_id),
            rounds::number.eq(r.number),
            rounds::title.eq(r.title),
            rounds::opens_at.eq(r.opens_at),
            rounds::closes_at.eq(r.closes_at),
            rounds::version.eq(r.version),
            rounds::created_by.eq(r.by),
            rounds::created_at.eq(r.at),
            rounds::updated_at.eq(r.at),
        ))
        .returning(rounds::id)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConn,
    id: i64,
    title: Option<&str>,
    (opens_at, closes_at): (NaiveDateTime, NaiveDateTime),
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(rounds::table.find(id))
        .set((
            rounds::title.eq(title),
            rounds::opens_at.eq(opens_at),
            rounds::closes_at.eq(closes_at),
            rounds::updated_at.eq(at),
        ))
        .execute(conn)
}

/// Rounds of published documents that are open at `at` and whose opening was not mailed yet.
pub fn opening_due(conn: &mut DbConn, at: NaiveDateTime) -> QueryResult<Vec<RoundRow>> {
    rounds::table
        .inner_join(documents::table)
        .filter(documents::status.eq(DocumentStatus::Published.as_str()))
        .filter(rounds::opens_at.le(at))
        .filter(rounds::closes_at.gt(at))
        .filter(rounds::opened_mailed_at.is_null())
        .select(RoundRow::as_select())
        .load(conn)
}

/// Open rounds of published documents closing by `by` whose reminder was not mailed yet.
pub fn reminder_due(
    conn: &mut DbConn,
    at: NaiveDateTime,
    by: NaiveDateTime,
) -> QueryResult<Vec<RoundRow>> {
    rounds::table
        .inner_join(documents::table)
        .filter(documents::status.eq(DocumentStatus::Published.as_str()))
        .filter(rounds::opens_at.le(at))
        .filter(rounds::closes_at.gt(at))
        .filter(rounds::closes_at.le(by))
        .filter(rounds::reminder_mailed_at.is_null())
        .select(RoundRow::as_select())
        .load(conn)
}

/// Claim a round's opening notice for this process: true for exactly one caller, ever (the
/// row stays locked until the caller's transaction ends, and the update re-checks after).
pub fn claim_opening(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        rounds::table
            .find(id)
            .filter(rounds::opened_mailed_at.is_null()),
    )
    .set(rounds::opened_mailed_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn claim_reminder(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        rounds::table
            .find(id)
            .filter(rounds::reminder_mailed_at.is_null()),
    )
    .set(rounds::reminder_mailed_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct Member {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub unit_id: Option<i64>,
    #[diesel(deserialize_as = String)]
    pub locale: Locale,
}

/// Active employees: everyone a round may consult.
pub fn employees(conn: &mut DbConn) -> QueryResult<Vec<Member>> {
    users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq(Role::Employee.as_str()))
        .filter(users::active.eq(true))
        .select(Member::as_select())
        .order(users::id.asc())
        .load(conn)
}

/// Who has commented in a round.
pub fn commenters(conn: &mut DbConn, round_id: i64) -> QueryResult<Vec<i64>> {
    comments::table
        .filter(comments::round_id.eq(round_id))
        .select(comments::author_id)
        .distinct()
        .load(conn)
}
