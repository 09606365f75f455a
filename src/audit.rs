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
