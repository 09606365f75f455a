//! The stored search forms: filling in rows written before they existed.

use diesel::prelude::*;

use crate::db::schema::{comments, documents, sections};
use crate::db::DbConn;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentText {
    pub id: i64,
    pub title: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sections)]
pub struct SectionText {
    pub id: i64,
    pub label: Option<String>,
    pub heading: Option<String>,
    pub body: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentText {
    pub id: i64,
    pub body: String,
    pub proposed_text: Option<String>,
}

/// Documents whose lowercase title is missing, up to `limit`.
pub fn documents_unfilled(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<DocumentText>> {
    documents::table
        .filter(documents::title_lower.eq(""))
        .select(DocumentText::as_select())
        .order(documents::id.asc())
        .limit(limit)
        .load(conn)
}

pub fn fill_document(conn: &mut DbConn, id: i64, lower: &str) -> QueryResult<usize> {
    diesel::update(documents::table.find(id))
        .set(documents::title_lower.eq(lower))
        .execute(conn)
}

/// Sections without search forms, up to `limit`.
pub fn sections_unfilled(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<SectionText>> {
    sections::table
        .filter(sections::text_search.eq(""))
        .select(SectionText::as_select())
        .order(sections::id.asc())
        .limit(limit)
        .load(conn)
}

pub fn fill_section(conn: &mut DbConn, id: i64, folded: &str, lower: &str) -> QueryResult<usize> {
    diesel::update(sections::table.find(id))
        .set((
            sections::text_search.eq(folded),
            sections::text_lower.eq(lower),
        ))
        .execute(conn)
}

/// Comments without search forms, up to `limit`.
pub fn comments_unfilled(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<CommentText>> {
    comments::table
        .filter(comments::text_search.eq(""))
        .select(CommentText::as_select())
        .order(comments::id.asc())
        .limit(limit)
        .load(conn)
}

pub fn fill_comment(conn: &mut DbConn, id: i64, folded: &str, lower: &str) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((
            comments::text_search.eq(folded),
            comments::text_lower.eq(lower),
        ))
        .execute(conn)
}
