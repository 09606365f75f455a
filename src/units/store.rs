use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::units;
use crate::db::DbConn;
use crate::pagination::Keyset;
use crate::units::types::UnitRow;

pub fn exists(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    let n: i64 = units::table
        .filter(units::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn get(conn: &mut DbConn, id: i64) -> QueryResult<Option<UnitRow>> {
    units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()
}

/// Whether another unit under `parent` (other than `except`) has `name`.
pub fn name_taken(
    conn: &mut DbConn,
    name: &str,
    parent: Option<i64>,
    except: Option<i64>,
) -> QueryResult<bool> {
    let mut siblings = units::table.filter(units::name.eq(name)).into_boxed();
    siblings = match parent {
        Some(p) => siblings.filter(units::parent_id.eq(p)),
        None => siblings.filter(units::parent_id.is_null()),
    };
    if let Some(id) = except {
        siblings = siblings.filter(units::id.ne(id));
    }
    Ok(siblings.count().get_result::<i64>(conn)? > 0)
}

pub fn insert(
    conn: &mut DbConn,
    name: &str,
    parent: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(units::table)
        .values((
            units::name.eq(name),
            units::parent_id.eq(parent),
            units::created_at.eq(at),
            units::updated_at.eq(at),
        ))
        .returning(units::id)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConn,
    id: i64,
    name: &str,
    parent: Option<i64>,
    active: bool,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(units::table.find(id))
        .set((
            units::name.eq(name),
            units::parent_id.eq(parent),
            units::active.eq(active),
            units::updated_at.eq(at),
        ))
        .execute(conn)
}

pub fn list(conn: &mut DbConn, page: Keyset) -> QueryResult<Vec<UnitRow>> {
    let mut query = units::table
        .select(UnitRow::as_select())
        .order(units::id.asc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(units::id.gt(after));
    }
    query.load(conn)
}

/// Every unit, for walking the tree.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<UnitRow>> {
    units::table.select(UnitRow::as_select()).load(conn)
}

pub fn names(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    Ok(units::table
        .filter(units::id.eq_any(ids))
        .select((units::id, units::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// `ids` and every unit above them, each with its parent: one recursive query, so a batch of
/// submissions reads the branches its authors sit on, not a national roster of units. The ids
/// are integers written into the statement (the list's length varies; SQLite has no arrays).
pub fn branches(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, Option<i64>)>> {
    #[derive(QueryableByName)]
    struct Link {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        parent_id: Option<i64>,
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    // UNION, not UNION ALL: a cycle in the parents ends the walk instead of looping.
    let sql = format!(
        "WITH RECURSIVE up (id, parent_id) AS ( \
           SELECT id, parent_id FROM units WHERE id IN ({list}) \
           UNION SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id) \
         SELECT id, parent_id FROM up"
    );
    Ok(diesel::sql_query(sql)
        .load::<Link>(conn)?
        .into_iter()
        .map(|l| (l.id, l.parent_id))
        .collect())
}
