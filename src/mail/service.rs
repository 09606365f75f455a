use crate::audit::{self, AuditAction, Event};
use crate::db::{write_tx, DbConn};
use crate::error::{AppError, ErrorCode};
use crate::identity::{Actor, RequestMeta};
use crate::mail::store;
use crate::mail::types::{OutboxQuery, OutboxStatus, OutboxView};
use crate::pagination::Page;

/// Outgoing mail, newest first (admins).
pub fn list(conn: &mut DbConn, query: &OutboxQuery) -> Result<Page<OutboxView>, AppError> {
    let page = query.page().keyset()?;
    let rows = store::list(conn, query.status, page)?;
    Ok(Page::from_rows(
        rows.into_iter().map(OutboxView::from).collect(),
        page.limit,
        |m| m.id,
    ))
}

/// Queue a failed or pending mail again with a fresh count of attempts; 409 once sent.
pub fn retry(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
) -> Result<OutboxView, AppError> {
    write_tx(conn, |conn| {
        let current = store::get(conn, id)?.ok_or(AppError::NotFound("mail"))?;
        if current.status == OutboxStatus::Sent {
            return Err(AppError::conflict(
                ErrorCode::AlreadySent,
                "this mail has been sent",
            ));
        }
        store::requeue(conn, id)?;
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::MailRetried, Some(id), serde_json::Value::Null),
        )?;
        Ok(store::get(conn, id)?
            .ok_or(AppError::NotFound("mail"))?
            .into())
    })
}
