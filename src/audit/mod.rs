//! The audit log: one row per state change, written in the same transaction as the change.

use diesel::prelude::*;
use serde_json::Value;

use crate::db::schema::audit_log;
use crate::db::{now, DbConn};
use crate::http::ClientInfo;

pub struct Entry<'a> {
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub detail: Value,
}

/// Shorthand for an event about a user account.
pub fn user_event(
    conn: &mut DbConn,
    actor_id: Option<i64>,
    action: &str,
    user_id: Option<i64>,
    detail: Value,
    client: &ClientInfo,
) -> QueryResult<()> {
    record(
        conn,
        Entry {
            actor_id,
            action,
            entity: "user",
            entity_id: user_id,
            detail,
        },
        client,
    )
}

pub fn record(conn: &mut DbConn, entry: Entry<'_>, client: &ClientInfo) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_id.eq(entry.actor_id),
            audit_log::action.eq(entry.action),
            audit_log::entity.eq(entry.entity),
            audit_log::entity_id.eq(entry.entity_id),
            audit_log::detail.eq((!entry.detail.is_null()).then(|| entry.detail.to_string())),
            audit_log::ip.eq(client.ip.as_deref()),
            audit_log::user_agent.eq(client.user_agent.as_deref()),
            audit_log::created_at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub mod handlers;

#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    /// What changed (never a password or token).
    #[schema(value_type = Object)]
    pub detail: Option<Value>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

pub struct AuditFilter {
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub actor_id: Option<i64>,
}

/// Newest first, keyset on id.
pub fn list(
    conn: &mut DbConn,
    f: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    type Row = (
        i64,
        Option<i64>,
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        chrono::NaiveDateTime,
    );
    let mut q = audit_log::table
        .select((
            audit_log::id,
            audit_log::actor_id,
            audit_log::action,
            audit_log::entity,
            audit_log::entity_id,
            audit_log::detail,
            audit_log::ip,
            audit_log::user_agent,
            audit_log::created_at,
        ))
        .order(audit_log::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(audit_log::id.lt(b));
    }
    if let Some(a) = &f.action {
        q = q.filter(audit_log::action.eq(a.clone()));
    }
    if let Some(e) = &f.entity {
        q = q.filter(audit_log::entity.eq(e.clone()));
    }
    if let Some(e) = f.entity_id {
        q = q.filter(audit_log::entity_id.eq(e));
    }
    if let Some(a) = f.actor_id {
        q = q.filter(audit_log::actor_id.eq(a));
    }
    Ok(q.load::<Row>(conn)?
        .into_iter()
        .map(|r| AuditEvent {
            id: r.0,
            actor_id: r.1,
            action: r.2,
            entity: r.3,
            entity_id: r.4,
            detail: r.5.and_then(|d| serde_json::from_str(&d).ok()),
            ip: r.6,
            user_agent: r.7,
            created_at: r.8.and_utc(),
        })
        .collect())
}
