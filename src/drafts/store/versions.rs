//! Versions of a document's text: which exist, and the sections of each.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    comments, document_versions, documents, rounds, section_versions, sections,
};
use crate::db::DbConn;
use crate::drafts::types::{SectionRow, VersionRow, VersionStatus};
use crate::text;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = section_versions)]
struct VersionedSectionRow {
    #[diesel(column_name = section_id)]
    id: i64,
    parent_id: Option<i64>,
    position: i32,
    label: Option<String>,
    heading: Option<String>,
    body: String,
    path: String,
}

pub fn list(conn: &mut DbConn, document_id: i64) -> QueryResult<Vec<VersionRow>> {
    document_versions::table
        .filter(document_versions::document_id.eq(document_id))
        .select(VersionRow::as_select())
        .order(document_versions::number.asc())
        .load(conn)
}

pub fn find(conn: &mut DbConn, document_id: i64, number: i32) -> QueryResult<Option<VersionRow>> {
    document_versions::table
        .find((document_id, number))
        .select(VersionRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConn,
    document_id: i64,
    number: i32,
    by: i64,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(document_versions::table)
        .values((
            document_versions::document_id.eq(document_id),
            document_versions::number.eq(number),
            document_versions::status.eq(VersionStatus::Draft.as_str()),
            document_versions::created_by.eq(by),
            document_versions::created_at.eq(at),
        ))
        .execute(conn)
}

/// Draft → published; false if it was not a draft.
pub fn set_published(
    conn: &mut DbConn,
    document_id: i64,
    number: i32,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        document_versions::table
            .find((document_id, number))
            .filter(document_versions::status.eq(VersionStatus::Draft.as_str())),
    )
    .set((
        document_versions::status.eq(VersionStatus::Published.as_str()),
        document_versions::published_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// The sections of a stored version, siblings by (position, id).
pub fn sections_of(
    conn: &mut DbConn,
    document_id: i64,
    number: i32,
) -> QueryResult<Vec<SectionRow>> {
    let rows: Vec<VersionedSectionRow> = section_versions::table
        .filter(section_versions::document_id.eq(document_id))
        .filter(section_versions::version.eq(number))
        .select(VersionedSectionRow::as_select())
        .order((
            section_versions::position.asc(),
            section_versions::section_id.asc(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| SectionRow {
            id: r.id,
            parent_id: r.parent_id,
            position: r.position,
            label: r.label,
            heading: r.heading,
            body: r.body,
            path: r.path,
        })
        .collect())
}

/// Keep the current text of the document's sections as version `number`.
pub fn snapshot_current(conn: &mut DbConn, document_id: i64, number: i32) -> QueryResult<usize> {
    let current = sections::table
        .filter(sections::document_id.eq(document_id))
        .filter(sections::current.eq(true))
        .select((
            sections::id,
            diesel::dsl::sql::<diesel::sql_types::Integer>(&number.to_string()),
            sections::document_id,
            sections::parent_id,
            sections::position,
            sections::label,
            sections::heading,
            sections::body,
            sections::path,
        ));
    diesel::insert_into(section_versions::table)
        .values(current)
        .into_columns((
            section_versions::section_id,
            section_versions::version,
            section_versions::document_id,
            section_versions::parent_id,
            section_versions::position,
            section_versions::label,
            section_versions::heading,
            section_versions::body,
            section_versions::path,
        ))
        .execute(conn)
}

/// One section of a version being written.
pub struct VersionedSection<'a> {
    pub id: i64,
    pub text: super::SectionText<'a>,
}

pub fn insert_section(
    conn: &mut DbConn,
    document_id: i64,
    number: i32,
    row: &VersionedSection,
) -> QueryResult<usize> {
    let s = &row.text;
    diesel::insert_into(section_versions::table)
        .values((
            section_versions::section_id.eq(row.id),
            section_versions::version.eq(number),
            section_versions::document_id.eq(document_id),
            section_versions::parent_id.eq(s.parent_id),
            section_versions::position.eq(s.position),
            section_versions::label.eq(s.label),
            section_versions::heading.eq(s.heading),
            section_versions::body.eq(s.body),
            section_versions::path.eq(s.path),
        ))
        .execute(conn)
}

/// Forget the text of a draft version, and the sections only it had.
pub fn clear(conn: &mut DbConn, document_id: i64, number: i32) -> QueryResult<()> {
    diesel::delete(
        section_versions::table
            .filter(section_versions::document_id.eq(document_id))
            .filter(section_versions::version.eq(number)),
    )
    .execute(conn)?;
    let kept = section_versions::table
        .filter(section_versions::document_id.eq(document_id))
        .select(section_versions::section_id);
    diesel::delete(
        sections::table
            .filter(sections::document_id.eq(document_id))
            .filter(sections::current.eq(false))
            .filter(sections::id.ne_all(kept)),
    )
    .execute(conn)?;
    Ok(())
}

/// Make `number` the current version: the sections it holds take its text, the others leave.
pub fn make_current(
    conn: &mut DbConn,
    document_id: i64,
    number: i32,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(sections::table.filter(sections::document_id.eq(document_id)))
        .set(sections::current.eq(false))
        .execute(conn)?;
    for s in sections_of(conn, document_id, number)? {
        let (text_search, text_lower) = text::search_forms([
            s.label.as_deref().unwrap_or(""),
            s.heading.as_deref().unwrap_or(""),
            &s.body,
        ]);
        diesel::update(sections::table.find(s.id))
            .set((
                sections::parent_id.eq(s.parent_id),
                sections::position.eq(s.position),
                sections::label.eq(&s.label),
                sections::heading.eq(&s.heading),
                sections::body.eq(&s.body),
                sections::path.eq(&s.path),
                sections::text_search.eq(text_search),
                sections::text_lower.eq(text_lower),
                sections::current.eq(true),
            ))
            .execute(conn)?;
    }
    diesel::update(documents::table.find(document_id))
        .set((
            documents::current_version.eq(number),
            documents::updated_at.eq(at),
        ))
        .execute(conn)?;
    // Rounds that have not opened consult on the new text.
    diesel::update(
        rounds::table
            .filter(rounds::document_id.eq(document_id))
            .filter(rounds::opens_at.gt(at)),
    )
    .set(rounds::version.eq(number))
    .execute(conn)?;
    Ok(())
}

#[derive(Debug, Queryable)]
pub struct VersionCount {
    pub version: i32,
    pub count: i64,
}

/// Sections and comments per version of a document.
pub fn counts(
    conn: &mut DbConn,
    document_id: i64,
) -> QueryResult<(Vec<VersionCount>, Vec<VersionCount>)> {
    let sections = section_versions::table
        .filter(section_versions::document_id.eq(document_id))
        .group_by(section_versions::version)
        .select((section_versions::version, diesel::dsl::count_star()))
        .load(conn)?;
    let comments = comments::table
        .filter(comments::document_id.eq(document_id))
        .group_by(comments::version)
        .select((comments::version, diesel::dsl::count_star()))
        .load(conn)?;
    Ok((sections, comments))
}
