use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::{self, Entry};
use crate::db::schema::{documents, sections};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::types::{
    Document, DocumentRow, DocumentStatus, NewDocument, NewSection, Section,
};
use crate::error::AppError;
use crate::http::auth::CurrentUser;
use crate::http::ClientInfo;
use crate::text;

macro_rules! document_columns {
    () => {
        (
            documents::id,
            documents::title,
            documents::code,
            documents::summary,
            documents::status,
            documents::opens_at,
            documents::closes_at,
            documents::published_at,
            documents::closed_at,
            documents::created_at,
            documents::updated_at,
        )
    };
}

/// A document whoever asks.
pub fn find_document(conn: &mut DbConn, id: i64) -> QueryResult<Option<Document>> {
    documents::table
        .find(id)
        .select(document_columns!())
        .first::<DocumentRow>(conn)
        .optional()
        .map(|row| row.map(Document::from))
}

/// 404 for a document `viewer` may not see: drafts exist only for the secretariat.
pub fn visible_to(doc: Option<Document>, viewer: &CurrentUser) -> Result<Document, AppError> {
    match doc {
        Some(d) if d.status != DocumentStatus::Draft || viewer.sees_drafts() => Ok(d),
        _ => Err(AppError::NotFound("document")),
    }
}

/// A document as `viewer` may see it.
pub fn get_document(
    conn: &mut DbConn,
    id: i64,
    viewer: &CurrentUser,
) -> Result<Document, AppError> {
    visible_to(find_document(conn, id)?, viewer)
}

pub fn create_document(
    conn: &mut DbConn,
    actor: i64,
    new: &NewDocument,
    client: &ClientInfo,
) -> Result<i64, AppError> {
    write_tx(conn, |conn| {
        let at = now();
        let id: i64 = diesel::insert_into(documents::table)
            .values((
                documents::title.eq(&new.title),
                documents::title_search.eq(text::fold(&new.title)),
                documents::code.eq(new.code.as_deref()),
                documents::summary.eq(new.summary.as_deref()),
                documents::status.eq(DocumentStatus::Draft.as_str()),
                documents::opens_at.eq(new.opens_at.map(|t| t.naive_utc())),
                documents::closes_at.eq(new.closes_at.map(|t| t.naive_utc())),
                documents::created_by.eq(actor),
                documents::created_at.eq(at),
                documents::updated_at.eq(at),
            ))
            .returning(documents::id)
            .get_result(conn)?;
        audit::record(
            conn,
            Entry {
                actor_id: Some(actor),
                action: "document.create",
                entity: "document",
                entity_id: Some(id),
                detail: serde_json::json!({ "title": new.title }),
            },
            client,
        )?;
        Ok(id)
    })
}

/// Move a document `from` → `to` (publish, close); 409 from any other state.
pub fn transition(
    conn: &mut DbConn,
    actor: &CurrentUser,
    id: i64,
    from: DocumentStatus,
    to: DocumentStatus,
    client: &ClientInfo,
) -> Result<Document, AppError> {
    write_tx(conn, |conn| {
        let current = get_document(conn, id, actor)?;
        if current.status != from {
            return Err(AppError::conflict(
                "invalid_document_state",
                format!(
                    "the document is {}; only a {} document can become {}",
                    current.status.as_str(),
                    from.as_str(),
                    to.as_str()
                ),
            ));
        }
        let at = now();
        let status = documents::status.eq(to.as_str());
        let updated = documents::updated_at.eq(at);
        let query = diesel::update(
            documents::table
                .find(id)
                .filter(documents::status.eq(from.as_str())),
        );
        match to {
            DocumentStatus::Published => query
                .set((status, documents::published_at.eq(Some(at)), updated))
                .execute(conn)?,
            _ => query
                .set((status, documents::closed_at.eq(Some(at)), updated))
                .execute(conn)?,
        };
        audit::record(
            conn,
            Entry {
                actor_id: Some(actor.id),
                action: if to == DocumentStatus::Published {
                    "document.publish"
                } else {
                    "document.close"
                },
                entity: "document",
                entity_id: Some(id),
                detail: serde_json::json!({ "from": from.as_str(), "to": to.as_str() }),
            },
            client,
        )?;
        get_document(conn, id, actor)
    })
}

pub struct DocumentFilter {
    pub statuses: Vec<DocumentStatus>,
    pub q: Option<String>,
}

/// Newest first, keyset on id.
pub fn list_documents(
    conn: &mut DbConn,
    filter: &DocumentFilter,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Document>> {
    let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    let mut query = documents::table
        .select(document_columns!())
        .filter(documents::status.eq_any(statuses))
        .order(documents::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(documents::id.lt(before));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let pattern = text::like_pattern(q);
        query = query.filter(documents::title_search.like(pattern).escape('\\'));
    }
    Ok(query
        .load::<DocumentRow>(conn)?
        .into_iter()
        .map(Document::from)
        .collect())
}

type SectionRow = (
    i64,
    Option<i64>,
    i32,
    Option<String>,
    Option<String>,
    String,
    String,
);

/// All sections of a document in reading order: depth-first, siblings by (position, id).
pub fn sections_in_order(conn: &mut DbConn, document_id: i64) -> QueryResult<Vec<Section>> {
    let rows: Vec<SectionRow> = sections::table
        .filter(sections::document_id.eq(document_id))
        .select((
            sections::id,
            sections::parent_id,
            sections::position,
            sections::label,
            sections::heading,
            sections::body,
            sections::path,
        ))
        .order((sections::position.asc(), sections::id.asc()))
        .load(conn)?;
    let mut children: HashMap<Option<i64>, Vec<SectionRow>> = HashMap::new();
    for row in rows {
        children.entry(row.1).or_default().push(row);
    }
    let mut out = Vec::new();
    // Explicit stack (deep trees must not overflow); push children reversed to pop in order.
    let mut stack: Vec<(SectionRow, u32)> = Vec::new();
    if let Some(roots) = children.remove(&None) {
        stack.extend(roots.into_iter().rev().map(|r| (r, 0)));
    }
    while let Some((row, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(row.0)) {
            stack.extend(kids.into_iter().rev().map(|r| (r, depth + 1)));
        }
        out.push(Section {
            id: row.0,
            parent_id: row.1,
            position: row.2,
            label: row.3,
            heading: row.4,
            body: row.5,
            path: row.6,
            depth,
        });
    }
    Ok(out)
}

/// Add a section to a document that is still a draft.
pub fn add_section(
    conn: &mut DbConn,
    actor: &CurrentUser,
    document_id: i64,
    new: &NewSection,
    client: &ClientInfo,
) -> Result<i64, AppError> {
    write_tx(conn, |conn| {
        let doc = get_document(conn, document_id, actor)?;
        if doc.status != DocumentStatus::Draft {
            return Err(AppError::conflict(
                "document_not_draft",
                "sections can only be added while the document is a draft",
            ));
        }
        let parent_path = match new.parent_id {
            None => None,
            Some(pid) => Some(
                sections::table
                    .filter(sections::id.eq(pid))
                    .filter(sections::document_id.eq(document_id))
                    .select(sections::path)
                    .first::<String>(conn)
                    .optional()?
                    .ok_or_else(|| {
                        AppError::field("parent_id", "no such section in this document")
                    })?,
            ),
        };
        let position = match new.position {
            Some(p) => p,
            None => {
                let mut siblings = sections::table
                    .filter(sections::document_id.eq(document_id))
                    .select(diesel::dsl::max(sections::position))
                    .into_boxed();
                siblings = match new.parent_id {
                    Some(pid) => siblings.filter(sections::parent_id.eq(pid)),
                    None => siblings.filter(sections::parent_id.is_null()),
                };
                siblings
                    .first::<Option<i32>>(conn)?
                    .map_or(1, |m| m.saturating_add(1))
            }
        };
        let segment = new
            .label
            .clone()
            .or_else(|| new.heading.clone())
            .unwrap_or_else(|| format!("Đoạn {position}"));
        let path = match parent_path {
            Some(p) => format!("{p} › {segment}"),
            None => segment,
        };
        let at: NaiveDateTime = now();
        let id: i64 = diesel::insert_into(sections::table)
            .values((
                sections::document_id.eq(document_id),
                sections::parent_id.eq(new.parent_id),
                sections::position.eq(position),
                sections::label.eq(new.label.as_deref()),
                sections::heading.eq(new.heading.as_deref()),
                sections::body.eq(&new.body),
                sections::path.eq(&path),
                sections::created_at.eq(at),
            ))
            .returning(sections::id)
            .get_result(conn)?;
        diesel::update(documents::table.find(document_id))
            .set(documents::updated_at.eq(at))
            .execute(conn)?;
        audit::record(
            conn,
            Entry {
                actor_id: Some(actor.id),
                action: "section.create",
                entity: "section",
                entity_id: Some(id),
                detail: serde_json::json!({ "document_id": document_id, "path": path }),
            },
            client,
        )?;
        Ok(id)
    })
}
