//! Import a draft's sections from a file: they replace the text of a draft, or become the
//! draft of the next version of a published document.

use crate::audit::{self, AuditAction, Event};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::import::{self, Format, Outline};
use crate::drafts::store::{self, versions, SectionInsert, SectionText};
use crate::drafts::types::DocumentStatus;
use crate::error::{AppError, ErrorCode};
use crate::identity::{Actor, RequestMeta};

use super::{get, sections_in_order};

/// Read `bytes` and, unless `dry_run`, store the sections; answers the outline with the ids.
pub fn import(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    document_id: i64,
    bytes: &[u8],
    format: Format,
    dry_run: bool,
) -> Result<Outline, AppError> {
    let doc = get(conn, document_id, actor)?;
    if doc.status == DocumentStatus::Closed {
        return Err(AppError::conflict(
            ErrorCode::DocumentNotDraft,
            "the consultation has closed; its text can no longer change",
        ));
    }
    let mut outline = import::parse(bytes, format)?;
    if dry_run {
        return Ok(outline);
    }
    write_tx(conn, |conn| {
        // Read again inside the transaction: the document may have been published meanwhile.
        let doc = get(conn, document_id, actor)?;
        let at = now();
        let version = match doc.status {
            DocumentStatus::Draft => {
                store::delete_sections(conn, document_id)?;
                None
            }
            DocumentStatus::Published => {
                let old = sections_in_order(conn, document_id)?;
                let matched = super::versions::match_sections(&old, &outline.sections);
                for (s, id) in outline.sections.iter_mut().zip(matched) {
                    s.id = id;
                }
                Some(super::versions::fresh_draft(conn, actor, &doc, at)?)
            }
            DocumentStatus::Closed => {
                return Err(AppError::conflict(
                    ErrorCode::DocumentNotDraft,
                    "the consultation has closed; its text can no longer change",
                ))
            }
        };
        crate::db::plan_for_growing_tables(conn)?;
        store_outline(conn, &mut outline, document_id, version, at)?;
        store::touch(conn, document_id, at)?;
        let detail = serde_json::json!({
            "version": version.unwrap_or(doc.current_version),
            "sections": outline.stats.sections,
        });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::DocumentImported, Some(document_id), detail),
        )?;
        Ok(())
    })?;
    Ok(outline)
}

/// Write every section in reading order (a parent always before its children). In a draft
/// version, sections carried from the current text keep their ids; new ones get new ids but
/// stay out of the current text until the version is published.
fn store_outline(
    conn: &mut DbConn,
    outline: &mut Outline,
    document_id: i64,
    version: Option<i32>,
    at: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    for i in 0..outline.sections.len() {
        let parent_id = outline.sections[i]
            .parent
            .and_then(|p| outline.sections[p].id);
        let s = &outline.sections[i];
        let row = SectionInsert {
            document_id,
            text: SectionText {
                parent_id,
                position: s.position,
                label: s.label.as_deref(),
                heading: s.heading.as_deref(),
                body: &s.body,
                path: &s.path,
            },
            current: version.is_none(),
            at,
        };
        let id = match (s.id, version) {
            (Some(id), Some(_)) => id,
            _ => store::insert_section(conn, &row)?,
        };
        if let Some(v) = version {
            versions::insert_section(conn, document_id, v, &row.versioned(id))?;
        }
        outline.sections[i].id = Some(id);
    }
    Ok(())
}
