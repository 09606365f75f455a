use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::types::{AuditQuery, AuditRow, NewAuditRow};
use crate::db::schema::audit_log;
use crate::db::{insert_rows, DbConn};
use crate::pagination::Keyset;

/// Only through `chain::append`, which links the rows into the chain first.
pub(super) fn insert(conn: &mut DbConn, rows: Vec<NewAuditRow>) -> QueryResult<()> {
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

/// A row with what its place in the chain is checked against.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct ChainRow {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// The key of the advisory lock that makes writers join the chain one at a time.
const CHAIN_LOCK: i64 = 0x676f_7079_6175_6469; // "gopyaudi"

/// PostgreSQL: wait for the chain's lock, held to the end of the transaction. SQLite: the
/// write transaction already excludes other writers.
pub fn lock_chain(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Pg(c) => diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(CHAIN_LOCK)
            .execute(c)
            .map(|_| ()),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Wait for the chain's lock (PostgreSQL; held to the end of the transaction), then the newest
/// row's hash as `last_hash` gives it — on PostgreSQL in one round trip (`audit_chain_head`,
/// migration 21), read after the lock is granted.
pub fn chain_head(conn: &mut DbConn) -> QueryResult<Option<Option<String>>> {
    match conn {
        DbConn::Pg(c) => {
            #[derive(QueryableByName)]
            struct Head {
                #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
                head: Option<String>,
            }
            diesel::sql_query("SELECT head FROM audit_chain_head($1)")
                .bind::<diesel::sql_types::BigInt, _>(CHAIN_LOCK)
                .get_result::<Head>(c)
                .optional()
                .map(|h| h.map(|h| h.head))
        }
        DbConn::Sqlite(_) => last_hash(conn),
    }
}

/// The newest row's hash: None without rows, Some(None) when it is not chained yet.
pub fn last_hash(conn: &mut DbConn) -> QueryResult<Option<Option<String>>> {
    audit_log::table
        .select(audit_log::hash)
        .order(audit_log::id.desc())
        .first(conn)
        .optional()
}

/// The hash of the newest row older than `id`.
pub fn hash_before(conn: &mut DbConn, id: i64) -> QueryResult<Option<String>> {
    Ok(audit_log::table
        .filter(audit_log::id.lt(id))
        .select(audit_log::hash)
        .order(audit_log::id.desc())
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

pub fn unsealed(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<ChainRow>> {
    audit_log::table
        .filter(audit_log::hash.is_null())
        .select(ChainRow::as_select())
        .order(audit_log::id.asc())
        .limit(limit)
        .load(conn)
}

pub fn unsealed_count(conn: &mut DbConn) -> QueryResult<usize> {
    audit_log::table
        .filter(audit_log::hash.is_null())
        .count()
        .get_result::<i64>(conn)
        .map(|n| usize::try_from(n).unwrap_or(0))
}

pub fn set_link(conn: &mut DbConn, id: i64, prev: &str, hash: &str) -> QueryResult<()> {
    diesel::update(audit_log::table.find(id))
        .set((audit_log::prev_hash.eq(prev), audit_log::hash.eq(hash)))
        .execute(conn)
        .map(|_| ())
}

/// Rows after `id`, oldest first.
pub fn chain_after(conn: &mut DbConn, id: i64, limit: i64) -> QueryResult<Vec<ChainRow>> {
    audit_log::table
        .filter(audit_log::id.gt(id))
        .select(ChainRow::as_select())
        .order(audit_log::id.asc())
        .limit(limit)
        .load(conn)
}
