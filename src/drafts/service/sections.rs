//! The sections of a document: reading order, adding one (to the draft, or to the next
//! version of a published text).

use std::collections::HashMap;

use crate::audit::{self, AuditAction, Event};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::store::{self, versions, SectionInsert, SectionText};
use crate::drafts::types::{DocumentStatus, NewSection, Section, SectionRow};
use crate::error::{AppError, ErrorCode};
use crate::identity::{Actor, RequestMeta};
use crate::input::validated;

use super::get;

/// All sections of a document in reading order: depth-first, siblings by (position, id).
pub fn sections_in_order(conn: &mut DbConn, document_id: i64) -> Result<Vec<Section>, AppError> {
    Ok(in_reading_order(store::sections(conn, document_id)?))
}

/// Rows of one version in reading order: depth-first, siblings by (position, id).
pub fn in_reading_order(rows: Vec<SectionRow>) -> Vec<Section> {
    reading_order(rows, |r| r)
        .into_iter()
        .map(|(row, depth)| row.at_depth(depth))
        .collect()
}

/// The current sections of a document in reading order, each with the number of approved
/// comments on it.
pub fn sections_with_counts(
    conn: &mut DbConn,
    document_id: i64,
) -> Result<Vec<(Section, i32)>, AppError> {
    Ok(
        reading_order(store::sections_with_counts(conn, document_id)?, |r| &r.0)
            .into_iter()
            .map(|((row, count), depth)| (row.at_depth(depth), count))
            .collect(),
    )
}

/// `items` (rows sorted by position, id) in reading order with their depth. Children are
/// found through `row`.
fn reading_order<T>(items: Vec<T>, row: impl Fn(&T) -> &SectionRow) -> Vec<(T, u32)> {
    let mut children: HashMap<Option<i64>, Vec<T>> = HashMap::new();
    for item in items {
        children.entry(row(&item).parent_id).or_default().push(item);
    }
    let mut out = Vec::new();
    // Explicit stack (deep trees must not overflow); push children reversed to pop in order.
    let mut stack: Vec<(T, u32)> = Vec::new();
    if let Some(roots) = children.remove(&None) {
        stack.extend(roots.into_iter().rev().map(|r| (r, 0)));
    }
    while let Some((item, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(row(&item).id)) {
            stack.extend(kids.into_iter().rev().map(|r| (r, depth + 1)));
        }
        out.push((item, depth));
    }
    out
}

/// Every section comments may point at, as (id, path): the current text in reading order, then
/// sections of earlier versions that were commented on.
pub fn commentable_history(
    conn: &mut DbConn,
    document_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    let mut out: Vec<(i64, String)> = sections_in_order(conn, document_id)?
        .into_iter()
        .map(|s| (s.id, s.path))
        .collect();
    out.extend(
        store::retired_with_comments(conn, document_id)?
            .into_iter()
            .map(|s| (s.id, s.path)),
    );
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

/// Add a section: to a draft's text, or — once the document is published — to the draft of
/// its next version (created from the current text when there is none yet).
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
    let (id, version) = write_tx(conn, |conn| {
        let doc = get(conn, document_id, actor)?;
        let at = now();
        let version = match doc.status {
            DocumentStatus::Draft => None,
            DocumentStatus::Published => {
                Some(super::versions::ensure_draft(conn, actor, &doc, at)?)
            }
            DocumentStatus::Closed => {
                return Err(AppError::conflict(
                    ErrorCode::DocumentNotDraft,
                    "the consultation has closed; its text can no longer change",
                ))
            }
        };
        // The siblings and parent the new section joins, in the text it is added to.
        let rows = match version {
            Some(v) => versions::sections_of(conn, document_id, v)?,
            None => store::sections(conn, document_id)?,
        };
        let parent_path = match new.parent_id {
            None => None,
            Some(pid) => Some(
                rows.iter()
                    .find(|r| r.id == pid)
                    .map(|r| r.path.clone())
                    .ok_or_else(|| {
                        AppError::field("parent_id", "no such section in this document")
                    })?,
            ),
        };
        let position = new.position.unwrap_or_else(|| {
            rows.iter()
                .filter(|r| r.parent_id == new.parent_id)
                .map(|r| r.position)
                .max()
                .map_or(1, |m| m.saturating_add(1))
        });
        let segment = new
            .label
            .clone()
            .or_else(|| new.heading.clone())
            .unwrap_or_else(|| format!("Đoạn {position}"));
        let path = match parent_path {
            Some(p) => format!("{p} › {segment}"),
            None => segment,
        };
        let row = SectionInsert {
            document_id,
            text: SectionText {
                parent_id: new.parent_id,
                position,
                label: new.label.as_deref(),
                heading: new.heading.as_deref(),
                body: &new.body,
                path: &path,
            },
            current: version.is_none(),
            at,
        };
        let id = store::insert_section(conn, &row)?;
        if let Some(v) = version {
            versions::insert_section(conn, document_id, v, &row.versioned(id))?;
        }
        store::touch(conn, document_id, at)?;
        let detail =
            serde_json::json!({ "document_id": document_id, "path": path, "version": version });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::SectionCreated, Some(id), detail),
        )?;
        Ok((id, version))
    })?;
    let rows = match version {
        Some(v) => versions::sections_of(conn, document_id, v)?,
        None => store::sections(conn, document_id)?,
    };
    in_reading_order(rows)
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound("section"))
}
