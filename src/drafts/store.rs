use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{documents, sections};
use crate::db::DbConn;
use crate::drafts::types::{DocumentRow, DocumentStatus, NewDocument, NewSection, SectionRow};
use crate::pagination::Keyset;
use crate::text;

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<DocumentRow>> {
    documents::table
        .find(id)
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConn,
    new: &NewDocument,
    by: i64,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(documents::table)
        .values((
            documents::title.eq(&new.title),
            documents::title_search.eq(text::fold(&new.title)),
            documents::title_lower.eq(text::search_forms([new.title.as_str()]).1),
            documents::code.eq(new.code.as_deref()),
            documents::summary.eq(new.summary.as_deref()),
            documents::status.eq(DocumentStatus::Draft.as_str()),
            documents::opens_at.eq(new.opens_at.map(|t| t.naive_utc())),
            documents::closes_at.eq(new.closes_at.map(|t| t.naive_utc())),
            documents::created_by.eq(by),
            documents::created_at.eq(at),
            documents::updated_at.eq(at),
        ))
        .returning(documents::id)
        .get_result(conn)
}

/// Move `from` → `to`, stamping `published_at` or `closed_at`; false if it was not `from`.
pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    from: DocumentStatus,
    to: DocumentStatus,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let target = diesel::update(
        documents::table
            .find(id)
            .filter(documents::status.eq(from.as_str())),
    );
    let (status, updated) = (
        documents::status.eq(to.as_str()),
        documents::updated_at.eq(at),
    );
    let n = match to {
        DocumentStatus::Published => target
            .set((status, documents::published_at.eq(Some(at)), updated))
            .execute(conn)?,
        DocumentStatus::Closed => target
            .set((status, documents::closed_at.eq(Some(at)), updated))
            .execute(conn)?,
        DocumentStatus::Draft => target.set((status, updated)).execute(conn)?,
    };
    Ok(n > 0)
}

pub fn touch(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(documents::table.find(id))
        .set(documents::updated_at.eq(at))
        .execute(conn)
}

/// Newest first, keyset on id.
/// Documents in `statuses`, newest first, optionally by title and by creation time (`from`
/// inclusive, `to` exclusive).
pub fn list(
    conn: &mut DbConn,
    statuses: &[DocumentStatus],
    q: Option<&str>,
    (from, to): (Option<NaiveDateTime>, Option<NaiveDateTime>),
    page: Keyset,
) -> QueryResult<Vec<DocumentRow>> {
    let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let mut query = documents::table
        .select(DocumentRow::as_select())
        .filter(documents::status.eq_any(statuses))
        .order(documents::id.desc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(before) = page.after {
        query = query.filter(documents::id.lt(before));
    }
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        query = query.filter(
            documents::title_search
                .like(text::like_pattern(q))
                .escape('\\'),
        );
    }
    if let Some(t) = from {
        query = query.filter(documents::created_at.ge(t));
    }
    if let Some(t) = to {
        query = query.filter(documents::created_at.lt(t));
    }
    query.load(conn)
}

/// A document's sections, siblings by (position, id).
pub fn sections(conn: &mut DbConn, document_id: i64) -> QueryResult<Vec<SectionRow>> {
    sections::table
        .filter(sections::document_id.eq(document_id))
        .select(SectionRow::as_select())
        .order((sections::position.asc(), sections::id.asc()))
        .load(conn)
}

/// The path of a section of this document, if it is one.
pub fn section_path(
    conn: &mut DbConn,
    document_id: i64,
    section_id: i64,
) -> QueryResult<Option<String>> {
    sections::table
        .filter(sections::id.eq(section_id))
        .filter(sections::document_id.eq(document_id))
        .select(sections::path)
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sections)]
pub struct SectionOwner {
    pub id: i64,
    pub document_id: i64,
    pub path: String,
}

/// Which document each of these sections belongs to, with its path.
pub fn owners(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<SectionOwner>> {
    sections::table
        .filter(sections::id.eq_any(ids))
        .select(SectionOwner::as_select())
        .load(conn)
}

/// The position after the last sibling under `parent`.
pub fn next_position(conn: &mut DbConn, document_id: i64, parent: Option<i64>) -> QueryResult<i32> {
    let mut siblings = sections::table
        .filter(sections::document_id.eq(document_id))
        .select(diesel::dsl::max(sections::position))
        .into_boxed();
    siblings = match parent {
        Some(pid) => siblings.filter(sections::parent_id.eq(pid)),
        None => siblings.filter(sections::parent_id.is_null()),
    };
    Ok(siblings
        .first::<Option<i32>>(conn)?
        .map_or(1, |m| m.saturating_add(1)))
}

pub fn insert_section(
    conn: &mut DbConn,
    document_id: i64,
    new: &NewSection,
    position: i32,
    path: &str,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    let (text_search, text_lower) = text::search_forms([
        new.label.as_deref().unwrap_or(""),
        new.heading.as_deref().unwrap_or(""),
        &new.body,
    ]);
    diesel::insert_into(sections::table)
        .values((
            sections::text_search.eq(text_search),
            sections::text_lower.eq(text_lower),
            sections::document_id.eq(document_id),
            sections::parent_id.eq(new.parent_id),
            sections::position.eq(position),
            sections::label.eq(new.label.as_deref()),
            sections::heading.eq(new.heading.as_deref()),
            sections::body.eq(&new.body),
            sections::path.eq(path),
            sections::created_at.eq(at),
        ))
        .returning(sections::id)
        .get_result(conn)
}
