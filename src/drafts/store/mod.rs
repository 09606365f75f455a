use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{documents, sections};
use crate::db::DbConn;

pub mod versions;
use crate::drafts::types::{DocumentRow, DocumentStatus, NewDocument, SectionRow};
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

/// The sections of a document's current text, siblings by (position, id).
pub fn sections(conn: &mut DbConn, document_id: i64) -> QueryResult<Vec<SectionRow>> {
    sections::table
        .filter(sections::document_id.eq(document_id))
        .filter(sections::current.eq(true))
        .select(SectionRow::as_select())
        .order((sections::position.asc(), sections::id.asc()))
        .load(conn)
}

/// The current sections of a document (by position, id), each with its number of approved
/// comments.
pub fn sections_with_counts(
    conn: &mut DbConn,
    document_id: i64,
) -> QueryResult<Vec<(SectionRow, i32)>> {
    sections::table
        .filter(sections::document_id.eq(document_id))
        .filter(sections::current.eq(true))
        .select((SectionRow::as_select(), sections::approved_comments))
        .order((sections::position.asc(), sections::id.asc()))
        .load(conn)
}

/// The path of a section of this document's current text, if it is one.
pub fn section_path(
    conn: &mut DbConn,
    document_id: i64,
    section_id: i64,
) -> QueryResult<Option<String>> {
    sections::table
        .filter(sections::id.eq(section_id))
        .filter(sections::document_id.eq(document_id))
        .filter(sections::current.eq(true))
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

/// Which document each of these sections of a current text belongs to, with its path.
pub fn owners(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<SectionOwner>> {
    sections::table
        .filter(sections::id.eq_any(ids))
        .filter(sections::current.eq(true))
        .select(SectionOwner::as_select())
        .load(conn)
}

/// Sections that have left the current text but still carry comments, by id (their path is
/// the one they had when they were last part of it).
pub fn retired_with_comments(
    conn: &mut DbConn,
    document_id: i64,
) -> QueryResult<Vec<SectionOwner>> {
    use crate::db::schema::comments;
    let commented = comments::table
        .filter(comments::document_id.eq(document_id))
        .filter(comments::section_id.is_not_null())
        .select(comments::section_id.assume_not_null());
    sections::table
        .filter(sections::document_id.eq(document_id))
        .filter(sections::current.eq(false))
        .filter(sections::id.eq_any(commented))
        .select(SectionOwner::as_select())
        .order(sections::id.asc())
        .load(conn)
}

/// The position after the last sibling under `parent`.
pub fn next_position(conn: &mut DbConn, document_id: i64, parent: Option<i64>) -> QueryResult<i32> {
    let mut siblings = sections::table
        .filter(sections::document_id.eq(document_id))
        .filter(sections::current.eq(true))
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

/// A section's place and text in one version.
#[derive(Clone, Copy)]
pub struct SectionText<'a> {
    pub parent_id: Option<i64>,
    pub position: i32,
    pub label: Option<&'a str>,
    pub heading: Option<&'a str>,
    pub body: &'a str,
    pub path: &'a str,
}

/// A section to store.
pub struct SectionInsert<'a> {
    pub document_id: i64,
    pub text: SectionText<'a>,
    /// Part of the current text (false: so far only a draft version has it).
    pub current: bool,
    pub at: NaiveDateTime,
}

impl SectionInsert<'_> {
    /// The same section as a row of a version's text, once it has its id.
    pub fn versioned(&self, id: i64) -> versions::VersionedSection<'_> {
        versions::VersionedSection {
            id,
            text: self.text,
        }
    }
}

pub fn insert_section(conn: &mut DbConn, row: &SectionInsert) -> QueryResult<i64> {
    let s = &row.text;
    let (text_search, text_lower) =
        text::search_forms([s.label.unwrap_or(""), s.heading.unwrap_or(""), s.body]);
    diesel::insert_into(sections::table)
        .values((
            sections::text_search.eq(text_search),
            sections::text_lower.eq(text_lower),
            sections::document_id.eq(row.document_id),
            sections::parent_id.eq(s.parent_id),
            sections::position.eq(s.position),
            sections::label.eq(s.label),
            sections::heading.eq(s.heading),
            sections::body.eq(s.body),
            sections::path.eq(s.path),
            sections::current.eq(row.current),
            sections::created_at.eq(row.at),
        ))
        .returning(sections::id)
        .get_result(conn)
}

/// Remove every section of a document that has never been published (import replaces them).
pub fn delete_sections(conn: &mut DbConn, document_id: i64) -> QueryResult<usize> {
    diesel::delete(sections::table.filter(sections::document_id.eq(document_id))).execute(conn)
}

/// The draft a section belongs to (None: no such section).
pub fn section_document(conn: &mut DbConn, section_id: i64) -> QueryResult<Option<i64>> {
    sections::table
        .find(section_id)
        .select(sections::document_id)
        .first(conn)
        .optional()
}
