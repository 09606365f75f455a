//! The audit log as a hash chain. Each row keeps `prev_hash`, the hash of the row before it
//! (empty for the first), and `hash`, the SHA-256 of its own content together with
//! `prev_hash`. Editing a row changes what its hash should be; deleting one, or slipping one in
//! between, breaks the link of the row after it. `verify` walks the chain and names the first
//! such row.
//!
//! Rows join the chain as they are written, one writer at a time: on PostgreSQL under a
//! transaction-scoped advisory lock taken just before the insert (so ids follow chain order
//! even with many writers), on SQLite inside the write transaction (one writer by design).
//! What a chain alone cannot show is the newest rows cut off at the end: `verify` reports the
//! last hash, for anyone who wants to keep it elsewhere and compare later.

use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::audit::store::{self, ChainRow};
use crate::audit::types::NewAuditRow;
use crate::db::{within_write_tx, write_tx, DbConn};

/// What a row's hash covers, in a fixed order.
struct Content<'a> {
    actor_id: Option<i64>,
    action: &'a str,
    entity: &'a str,
    entity_id: Option<i64>,
    detail: Option<&'a str>,
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    created_at: NaiveDateTime,
}

impl Content<'_> {
    /// SHA-256 (hex) of the content and the previous row's hash, as one JSON array (which
    /// leaves no doubt where one field ends and the next begins).
    fn hash(&self, prev: &str) -> String {
        let canonical = serde_json::json!([
            self.actor_id,
            self.action,
            self.entity,
            self.entity_id,
            self.detail,
            self.ip,
            self.user_agent,
            self.created_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            prev,
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

impl<'a> From<&'a NewAuditRow> for Content<'a> {
    fn from(r: &'a NewAuditRow) -> Self {
        Content {
            actor_id: r.actor_id,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            detail: r.detail.as_deref(),
            ip: r.ip.as_deref(),
            user_agent: r.user_agent.as_deref(),
            created_at: r.created_at,
        }
    }
}

impl<'a> From<&'a ChainRow> for Content<'a> {
    fn from(r: &'a ChainRow) -> Self {
        Content {
            actor_id: r.actor_id,
            action: &r.action,
            entity: &r.entity,
            entity_id: r.entity_id,
            detail: r.detail.as_deref(),
            ip: r.ip.as_deref(),
            user_agent: r.user_agent.as_deref(),
            created_at: r.created_at,
        }
    }
}

/// Write `rows` at the end of the chain, in the caller's transaction (or one of their own).
pub fn append(conn: &mut DbConn, mut rows: Vec<NewAuditRow>) -> diesel::QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    within_write_tx(conn, |conn| {
        let mut prev = match store::chain_head(conn)? {
            None => String::new(),
            Some(Some(hash)) => hash,
            // Rows from before the chain existed: chain them first.
            Some(None) => seal_locked(conn)?,
        };
        for row in &mut rows {
            let hash = Content::from(&*row).hash(&prev);
            row.prev_hash = Some(std::mem::replace(&mut prev, hash.clone()));
            row.hash = Some(hash);
        }
        store::insert(conn, rows)
    })
}

/// Chain the rows written before the chain existed (oldest first); the number chained.
pub fn seal(conn: &mut DbConn) -> diesel::QueryResult<usize> {
    write_tx(conn, |conn| {
        store::lock_chain(conn)?;
        let before = store::unsealed_count(conn)?;
        seal_locked(conn)?;
        Ok(before)
    })
}

/// Under the chain's lock: link every unsealed row after the last sealed one before it;
/// returns the hash at the end of the chain.
fn seal_locked(conn: &mut DbConn) -> diesel::QueryResult<String> {
    let mut prev = None;
    loop {
        let rows = store::unsealed(conn, 1_000)?;
        let Some(first) = rows.first() else {
            return Ok(prev.unwrap_or_default());
        };
        let mut link = match prev.take() {
            Some(p) => p,
            None => store::hash_before(conn, first.id)?.unwrap_or_default(),
        };
        for row in &rows {
            let hash = Content::from(row).hash(&link);
            store::set_link(conn, row.id, &link, &hash)?;
            link = hash;
        }
        prev = Some(link);
    }
}

/// What is wrong with the first row that does not fit the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Its content no longer gives its hash: edited after it was written.
    Altered,
    /// It does not belong between its neighbours: slipped in after the fact.
    Inserted,
    /// Its link does not match the row before it: a row before it was deleted (or it moved).
    BrokenLink,
    /// It never joined the chain.
    Unsealed,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChainProblem {
    /// The audit row named.
    pub id: i64,
    pub fault: Fault,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// True when every row fits the chain.
    pub intact: bool,
    /// Rows checked (up to the first problem).
    pub checked: u64,
    /// The hash at the end of the chain as checked: keep it elsewhere to show later that no
    /// rows were cut off the end.
    pub last_hash: String,
    pub first_problem: Option<ChainProblem>,
}

/// Walk the whole chain, oldest first, a thousand rows at a time.
pub fn verify(conn: &mut DbConn) -> diesel::QueryResult<Verification> {
    let (mut prev, mut before_prev) = (String::new(), None::<String>);
    let (mut after, mut checked) = (0i64, 0u64);
    let result = |checked, last: &str, problem: Option<ChainProblem>| Verification {
        intact: problem.is_none(),
        checked,
        last_hash: last.to_owned(),
        first_problem: problem,
    };
    loop {
        let rows = store::chain_after(conn, after, 1_000)?;
        if rows.is_empty() {
            return Ok(result(checked, &prev, None));
        }
        for row in &rows {
            let problem = |fault, id| Some(ChainProblem { id, fault });
            let Some(hash) = &row.hash else {
                return Ok(result(checked, &prev, problem(Fault::Unsealed, row.id)));
            };
            let link = row.prev_hash.as_deref().unwrap_or_default();
            if link != prev {
                // Linked to the row two back: the row between was slipped in.
                let fault = if before_prev.as_deref() == Some(link) {
                    problem(Fault::Inserted, after)
                } else {
                    problem(Fault::BrokenLink, row.id)
                };
                return Ok(result(checked, &prev, fault));
            }
            if Content::from(row).hash(link) != *hash {
                return Ok(result(checked, &prev, problem(Fault::Altered, row.id)));
            }
            checked += 1;
            before_prev = Some(std::mem::replace(&mut prev, hash.clone()));
            after = row.id;
        }
    }
}
