//! Drafts: who sees which document, how one is written, published and closed.

use std::collections::HashMap;

use crate::audit::{self, AuditAction, Event};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::store;
use crate::drafts::types::{
    Document, DocumentDetail, DocumentRow, DocumentSearch, DocumentStatus, NewDocument, NewSection,
    Section, SectionRow,
};
use crate::error::{AppError, ErrorCode};
use crate::identity::{Actor, RequestMeta};
use crate::input::validated;
use crate::pagination::{Page, PageParams};

/// 404 for a document `viewer` may not see: drafts exist only for the secretariat.
pub fn visible_to(doc: Option<DocumentRow>, viewer: &Actor) -> Result<Document, AppError> {
    match doc {
        Some(d) if d.status != DocumentStatus::Draft || viewer.sees_drafts() => Ok(d.into()),
        _ => Err(AppError::NotFound("document")),
    }
}

/// A document as `viewer` may see it.
pub fn get(conn: &mut DbConn, id: i64, viewer: &Actor) -> Result<Document, AppError> {
    visible_to(store::find(conn, id)?, viewer)
}

/// A document with its sections in reading order.
pub fn detail(conn: &mut DbConn, id: i64, viewer: &Actor) -> Result<DocumentDetail, AppError> {
    let document = get(conn, id, viewer)?;
    let sections = sections_in_order(conn, id)?;
    Ok(DocumentDetail { document, sections })
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    new: NewDocument,
) -> Result<Document, AppError> {
    let new = validated(new, NewDocument::normalize)?;
    if let (Some(o), Some(c)) = (new.opens_at, new.closes_at) {
        if o >= c {
            return Err(AppError::field("closes_at", "must be after opens_at"));
        }
    }
    write_tx(conn, |conn| {
        let id = store::insert(conn, &new, actor.id, now())?;
        let detail = serde_json::json!({ "title": new.title });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::DocumentCreated, Some(id), detail),
        )?;
        get(conn, id, actor)
    })
}

/// Move a document `from` → `to` (publish, close); 409 from any other state.
pub fn transition(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    from: DocumentStatus,
    to: DocumentStatus,
) -> Result<Document, AppError> {
    write_tx(conn, |conn| {
        let current = get(conn, id, actor)?;
        if current.status != from || !store::set_status(conn, id, from, to, now())? {
            return Err(AppError::conflict(
                ErrorCode::InvalidDocumentState,
                format!(
                    "the document is {}; only a {from} document can become {to}",
                    current.status
                ),
            ));
        }
        let action = match to {
            DocumentStatus::Published => AuditAction::DocumentPublished,
            _ => AuditAction::DocumentClosed,
        };
        let detail = serde_json::json!({ "from": from, "to": to });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(action, Some(id), detail),
        )?;
        get(conn, id, actor)
    })
}

pub fn publish(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
) -> Result<Document, AppError> {
    transition(
        conn,
        actor,
        meta,
        id,
        DocumentStatus::Draft,
        DocumentStatus::Published,
    )
}

pub fn close(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
) -> Result<Document, AppError> {
    transition(
        conn,
        actor,
        meta,
        id,
        DocumentStatus::Published,
        DocumentStatus::Closed,
    )
}

/// Documents, newest first; employees see published and closed ones only.
pub fn list(
    conn: &mut DbConn,
    viewer: &Actor,
    search: DocumentSearch,
) -> Result<Page<Document>, AppError> {
    let page = PageParams {
        cursor: search.cursor,
        limit: search.limit,
    }
    .keyset()?;
    let mut statuses = vec![DocumentStatus::Published, DocumentStatus::Closed];
    if viewer.sees_drafts() {
        statuses.push(DocumentStatus::Draft);
    }
    if let Some(wanted) = search.status {
        statuses.retain(|s| *s == wanted);
    }
    let q = crate::text::search_term(search.q.as_deref())?;
    let window = (
        search.from.map(|t| t.naive_utc()),
        search.to.map(|t| t.naive_utc()),
    );
    let rows = store::list(conn, &statuses, q, window, page)?;
    Ok(Page::from_rows(
        rows.into_iter().map(Document::from).collect(),
        page.limit,
        |d| d.id,
    ))
}

/// All sections of a document in reading order: depth-first, siblings by (position, id).
pub fn sections_in_order(conn: &mut DbConn, document_id: i64) -> Result<Vec<Section>, AppError> {
    let mut children: HashMap<Option<i64>, Vec<SectionRow>> = HashMap::new();
    for row in store::sections(conn, document_id)? {
        children.entry(row.parent_id).or_default().push(row);
    }
    let mut out = Vec::new();
    // Explicit stack (deep trees must not overflow); push children reversed to pop in order.
    let mut stack: Vec<(SectionRow, u32)> = Vec::new();
    if let Some(roots) = children.remove(&None) {
        stack.extend(roots.into_iter().rev().map(|r| (r, 0)));
    }
    while let Some((row, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(row.id)) {
            stack.extend(kids.into_iter().rev().map(|r| (r, depth + 1)));
        }
        out.push(row.at_depth(depth));
    }
    Ok(out)
}

/// 422 on `section_id` unless the section belongs to the document.
pub fn require_section(
    conn: &mut DbConn,
    document_id: i64,
    section_id: i64,
) -> Result<String, AppError> {
    store::section_path(conn, document_id, section_id)?
        .ok_or_else(|| AppError::field("section_id", "no such section in this document"))
}

/// Add a section to a document that is still a draft.
pub fn add_section(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    document_id: i64,
    new: NewSection,
) -> Result<Section, AppError> {
    let new = validated(new, NewSection::normalize)?;
    if new.body.is_empty() && new.label.is_none() && new.heading.is_none() {
        return Err(AppError::field(
            "body",
            "a section needs a label, a heading or a body",
        ));
    }
    let id = write_tx(conn, |conn| {
        let doc = get(conn, document_id, actor)?;
        if doc.status != DocumentStatus::Draft {
            return Err(AppError::conflict(
                ErrorCode::DocumentNotDraft,
                "sections can only be added while the document is a draft",
            ));
        }
        let parent_path = match new.parent_id {
            None => None,
            Some(pid) => {
                Some(store::section_path(conn, document_id, pid)?.ok_or_else(|| {
                    AppError::field("parent_id", "no such section in this document")
                })?)
            }
        };
        let position = match new.position {
            Some(p) => p,
            None => store::next_position(conn, document_id, new.parent_id)?,
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
        let at = now();
        let id = store::insert_section(conn, document_id, &new, position, &path, at)?;
        store::touch(conn, document_id, at)?;
        let detail = serde_json::json!({ "document_id": document_id, "path": path });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::SectionCreated, Some(id), detail),
        )?;
        Ok(id)
    })?;
    sections_in_order(conn, document_id)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound("section"))
}
