//! The multi-row inserts of a comment batch: one statement each on PostgreSQL, row by row on
//! SQLite (in-process, where a statement costs no round trip).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::comments::batch::Submission;
use crate::comments::types::CommentStatus;
use crate::db::schema::{audit_log, comments, idempotency_keys};
use crate::db::DbConn;

pub(crate) fn insert_comments(
    conn: &mut DbConn,
    jobs: &[Submission],
    which: &[usize],
    receipts: &[String],
    at: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    let rows: Vec<_> = which
        .iter()
        .zip(receipts)
        .map(|(&i, receipt)| {
            let j = &jobs[i];
            (
                comments::document_id.eq(j.document_id),
                comments::section_id.eq(j.new.section_id),
                comments::author_id.eq(j.author.id),
                comments::unit_id.eq(j.author.unit_id),
                comments::body.eq(j.new.body.clone()),
                comments::proposed_text.eq(j.new.proposed_text.clone()),
                comments::status.eq(CommentStatus::Pending.as_str()),
                comments::receipt.eq(receipt.clone()),
                comments::created_at.eq(at),
                comments::updated_at.eq(at),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        // One statement for the batch; ids matched back by receipt (unique), not by position.
        DbConn::Pg(c) => {
            let back: HashMap<String, i64> = diesel::insert_into(comments::table)
                .values(&rows)
                .returning((comments::receipt, comments::id))
                .get_results::<(String, i64)>(c)?
                .into_iter()
                .collect();
            receipts
                .iter()
                .map(|r| back.get(r).copied().ok_or(diesel::result::Error::NotFound))
                .collect()
        }
        DbConn::Sqlite(c) => rows
            .into_iter()
            .map(|row| {
                diesel::insert_into(comments::table)
                    .values(row)
                    .returning(comments::id)
                    .get_result(c)
            })
            .collect(),
    }
}

pub(crate) fn insert_audit(
    conn: &mut DbConn,
    jobs: &[Submission],
    which: &[usize],
    ids: &[i64],
    at: NaiveDateTime,
) -> QueryResult<()> {
    let rows: Vec<_> = which
        .iter()
        .zip(ids)
        .map(|(&i, id)| {
            let j = &jobs[i];
            (
                audit_log::actor_id.eq(Some(j.author.id)),
                audit_log::action.eq("comment.create"),
                audit_log::entity.eq("comment"),
                audit_log::entity_id.eq(Some(*id)),
                audit_log::detail.eq(Some(serde_json::json!({ "document_id": j.document_id, "section_id": j.new.section_id }).to_string())),
                audit_log::ip.eq(j.client.ip.clone()),
                audit_log::user_agent.eq(j.client.user_agent.clone()),
                audit_log::created_at.eq(at),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        DbConn::Pg(c) => diesel::insert_into(audit_log::table)
            .values(&rows)
            .execute(c)
            .map(|_| ()),
        DbConn::Sqlite(c) => rows.into_iter().try_for_each(|row| {
            diesel::insert_into(audit_log::table)
                .values(row)
                .execute(c)
                .map(|_| ())
        }),
    }
}

pub(crate) fn insert_keys(
    conn: &mut DbConn,
    jobs: &[Submission],
    which: &[usize],
    ids: &[i64],
    hashes: &[String],
    at: NaiveDateTime,
) -> QueryResult<()> {
    let rows: Vec<_> = which
        .iter()
        .zip(ids)
        .filter_map(|(&i, id)| {
            jobs[i].key.as_ref().map(|k| {
                (
                    idempotency_keys::user_id.eq(jobs[i].author.id),
                    idempotency_keys::key.eq(k.clone()),
                    idempotency_keys::request_hash.eq(hashes[i].clone()),
                    idempotency_keys::comment_id.eq(*id),
                    idempotency_keys::created_at.eq(at),
                )
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        DbConn::Pg(c) => diesel::insert_into(idempotency_keys::table)
            .values(&rows)
            .execute(c)
            .map(|_| ()),
        DbConn::Sqlite(c) => rows.into_iter().try_for_each(|row| {
            diesel::insert_into(idempotency_keys::table)
                .values(row)
                .execute(c)
                .map(|_| ())
        }),
    }
}
