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
        prev_hash: None,
        hash: None,
    }
}

/// Record one event in the caller's transaction. Inside a write transaction the row joins the
/// chain at its end, just before the commit: the chain's lock (PostgreSQL) is then held for the
/// commit alone, and never taken before a row lock of the transaction, which could deadlock
/// with a writer that holds that row and waits for the chain.
pub fn record(
    conn: &mut DbConn,
    actor: Option<i64>,
    meta: &RequestMeta,
    event: Event,
) -> diesel::QueryResult<()> {
    let rows = vec![row(actor, meta, event, now())];
    match crate::db::before_commit(Box::new(move |conn| {
        crate::audit::chain::append(conn, rows)
    })) {
        Ok(()) => Ok(()),
        Err(now) => now(conn),
    }
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
