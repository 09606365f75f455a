use crate::audit::store;
use crate::audit::types::{AuditEvent, AuditQuery, Event, NewAuditRow};
use crate::db::{now, DbConn};
use crate::error::AppError;
use crate::identity::RequestMeta;
use crate::pagination::Page;

/// The row for `event`, as `actor` (None: the system) from `meta`, at `at`.
pub fn row(
    actor: Option<i64>,
    meta: &RequestMeta,
    event: Event,
    at: chrono::NaiveDateTime,
) -> NewAuditRow {
    NewAuditRow {
        actor_id: actor,
        action: event.action.as_str(),
        entity: event.action.entity().as_str(),
        entity_id: event.entity_id,
        detail: (!event.detail.is_null()).then(|| event.detail.to_string()),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        created_at: at,
    }
}

/// Record one event inside the caller's transaction.
pub fn record(
    conn: &mut DbConn,
    actor: Option<i64>,
    meta: &RequestMeta,
    event: Event,
) -> diesel::QueryResult<()> {
    store::insert(conn, vec![row(actor, meta, event, now())])
}

/// The log, newest first (admins).
pub fn list(conn: &mut DbConn, query: &AuditQuery) -> Result<Page<AuditEvent>, AppError> {
    let page = query.page().keyset()?;
    let rows = store::list(conn, query, page)?;
    Ok(Page::from_rows(
        rows.into_iter().map(AuditEvent::from).collect(),
        page.limit,
        |e| e.id,
    ))
}
