//! SQL of the roll-up: the comments a bundle carries, the imports made, the comments landed.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{comments, rollup_imports};
use crate::db::DbConn;

/// An import already made of the bundle with this manifest digest: (id, comments landed).
pub fn find_import(
    conn: &mut DbConn,
    document_id: i64,
    digest: &str,
) -> QueryResult<Option<(i64, i32)>> {
    rollup_imports::table
        .filter(rollup_imports::document_id.eq(document_id))
        .filter(rollup_imports::digest.eq(digest))
        .select((rollup_imports::id, rollup_imports::comments))
        .first(conn)
        .optional()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = rollup_imports)]
pub struct NewImport<'a> {
    pub document_id: i64,
    pub digest: &'a str,
    pub from_unit: &'a str,
    pub comments: i32,
    pub imported_by: i64,
    pub imported_at: NaiveDateTime,
}

pub fn insert_import(conn: &mut DbConn, row: NewImport<'_>) -> QueryResult<i64> {
    diesel::insert_into(rollup_imports::table)
        .values(row)
        .returning(rollup_imports::id)
        .get_result(conn)
}

/// Which of `origins` already landed in the draft.
pub fn known_origins(
    conn: &mut DbConn,
    document_id: i64,
    origins: &[String],
) -> QueryResult<HashSet<String>> {
    let mut out = HashSet::new();
    for chunk in origins.chunks(1000) {
        let found: Vec<Option<String>> = comments::table
            .filter(comments::document_id.eq(document_id))
            .filter(comments::origin.eq_any(chunk))
            .select(comments::origin)
            .load(conn)?;
        out.extend(found.into_iter().flatten());
    }
    Ok(out)
}

/// A comment landed from a bundle: approved (it was there), from the body that sent it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = comments)]
pub struct LandedComment {
    pub document_id: i64,
    pub section_id: Option<i64>,
    pub author_id: i64,
    pub unit_id: Option<i64>,
    pub body: String,
    pub proposed_text: Option<String>,
    pub status: &'static str,
    pub receipt: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub text_search: String,
    pub text_lower: String,
    pub version: i32,
    pub screening_score: i32,
    pub on_behalf_of_unit: bool,
    pub contributed_by: Option<String>,
    pub origin: Option<String>,
}

/// Insert landed comments (a bounded number per statement on PostgreSQL).
pub fn insert_landed(conn: &mut DbConn, rows: Vec<LandedComment>) -> QueryResult<()> {
    let mut rows = rows;
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(500));
        crate::db::insert_rows(conn, comments::table, rows)?;
        rows = rest;
    }
    Ok(())
}
