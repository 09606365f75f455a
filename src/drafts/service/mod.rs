//! Drafts: who sees which document, how one is written, published and closed.

mod import;
mod sections;
mod versions;

pub use import::import;
pub use sections::{
    add_section, commentable_history, in_reading_order, require_section, sections_in_order,
    sections_with_counts,
};
pub use versions::{diff, list_versions, publish_version};

use crate::audit::{self, AuditAction, Event};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::store;
use crate::drafts::types::{
    Document, DocumentDetail, DocumentRow, DocumentSearch, DocumentStatus, NewDocument,
    VersionStatus,
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

/// A document with the sections of its current text (or of `version`) in reading order.
pub fn detail(
    conn: &mut DbConn,
    id: i64,
    viewer: &Actor,
    version: Option<i32>,
) -> Result<DocumentDetail, AppError> {
    if version.is_some_and(|v| v < 1) {
        return Err(AppError::field("version", "must be 1 or more"));
    }
    let document = get(conn, id, viewer)?;
    let version = version.unwrap_or(document.current_version);
    let sections = if version == document.current_version {
        sections_in_order(conn, id)?
    } else {
        match store::versions::find(conn, id, version)? {
            Some(v) if v.status == VersionStatus::Published || viewer.sees_drafts() => {
                in_reading_order(store::versions::sections_of(conn, id, version)?)
            }
            _ => return Err(AppError::NotFound("version")),
        }
    };
    Ok(DocumentDetail {
        document,
        version,
        sections,
    })
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
        let at = now();
        let id = store::insert(conn, &new, actor.id, at)?;
        store::versions::insert(conn, id, 1, actor.id, at)?;
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
        let at = now();
        if current.status != from || !store::set_status(conn, id, from, to, at)? {
            return Err(AppError::conflict(
                ErrorCode::InvalidDocumentState,
                format!(
                    "the document is {}; only a {from} document can become {to}",
                    current.status
                ),
            ));
        }
        let action = match to {
            DocumentStatus::Published => {
                // The text as published is version 1 of the record.
                if store::versions::set_published(conn, id, current.current_version, at)? {
                    store::versions::snapshot_current(conn, id, current.current_version)?;
                }
                AuditAction::DocumentPublished
            }
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

/// Refuse any change to the comments or responses of an archived draft.
pub fn not_archived(conn: &mut DbConn, document_id: i64) -> Result<(), AppError> {
    match store::find(conn, document_id)? {
        Some(d) => refuse_archived(&d),
        None => Ok(()),
    }
}

/// The same, for a draft already read.
pub fn refuse_archived(doc: &crate::drafts::types::DocumentRow) -> Result<(), AppError> {
    match doc.archived_at {
        Some(_) => Err(AppError::conflict(
            ErrorCode::DocumentArchived,
            "the draft is archived; its comments and responses can no longer change",
        )),
        None => Ok(()),
    }
}
