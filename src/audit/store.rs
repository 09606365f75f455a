use diesel::prelude::*;

use crate::audit::types::{AuditQuery, AuditRow, NewAuditRow};
use crate::db::schema::audit_log;
use crate::db::{insert_rows, DbConn};
use crate::pagination::Keyset;

pub fn insert(conn: &mut DbConn, rows: Vec<NewAuditRow>) -> QueryResult<()> {
    insert_rows(conn, audit_log::table, rows)
}

/// Newest first, keyset on id.
pub fn list(conn: &mut DbConn, f: &AuditQuery, page: Keyset) -> QueryResult<Vec<AuditRow>> {
    let mut q = audit_log::table
        .select(AuditRow::as_select())
        .order(audit_log::id.desc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(b) = page.after {
        q = q.filter(audit_log::id.lt(b));
    }
    if let Some(a) = f.action {
        q = q.filter(audit_log::action.eq(a.as_str()));
    }
    if let Some(e) = f.entity {
        q = q.filter(audit_log::entity.eq(e.as_str()));
    }
    if let Some(e) = f.entity_id {
        q = q.filter(audit_log::entity_id.eq(e));
    }
    if let Some(a) = f.actor_id {
        q = q.filter(audit_log::actor_id.eq(a));
    }
    q.load(conn)
}

/// Addresses that failed to sign in as this user since `since`.
pub fn failed_login_addresses(
    conn: &mut DbConn,
    user_id: i64,
    since: chrono::NaiveDateTime,
) -> QueryResult<Vec<String>> {
    audit_log::table
        .filter(audit_log::action.eq(crate::audit::AuditAction::LoginFailed.as_str()))
        .filter(audit_log::entity_id.eq(user_id))
        .filter(audit_log::created_at.ge(since))
        .filter(audit_log::ip.is_not_null())
        .select(audit_log::ip.assume_not_null())
        .distinct()
        .load(conn)
}
