//! `Idempotency-Key` for comment submission: a retry with the same key from the same person
//! returns the first result and creates nothing; the same key with another body is refused.

use std::collections::HashMap;

use diesel::QueryResult;
use sha2::{Digest, Sha256};

use crate::comments::store;
use crate::comments::types::{Comment, NewComment};
use crate::comments::writer::Submission;
use crate::db::DbConn;
use crate::error::AppError;

pub const HEADER: &str = "Idempotency-Key";
/// Keys are kept this long (the promise is at least 24 h).
pub const KEEP_HOURS: i64 = 48;

/// Whose keys the comment writer looks up before it writes a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Only the keys of submissions that will not be written (refused by the rules or the
    /// hourly limit): they must still get their first answer. A key used before makes the
    /// insert of the keys fail, and the batch is written again with `All`. A retry is rare,
    /// so most batches save the statement.
    Refused,
    /// Every submission's key, before anything is checked.
    All,
}

/// A key's first request: its hash and the comment it created.
pub(crate) type Known = HashMap<(i64, String), (String, i64)>;

/// The keys of the submissions `pick` chooses that were used before.
pub(crate) fn known(
    conn: &mut DbConn,
    jobs: &[Submission],
    pick: impl Fn(usize) -> bool,
) -> QueryResult<Known> {
    let pairs: Vec<(i64, String)> = jobs
        .iter()
        .enumerate()
        .filter(|(i, _)| pick(*i))
        .filter_map(|(_, j)| j.key.clone().map(|k| (j.author.id, k)))
        .collect();
    Ok(store::known_keys(conn, &pairs)?
        .into_iter()
        .map(|k| ((k.user_id, k.key), (k.request_hash, k.comment_id)))
        .collect())
}

/// The answer to a request whose key was used before: its comment again if it is the same
/// request (`hash`), 422 if the key was used for something else.
pub(crate) fn replay(first_hash: &str, hash: &str, comment: i64) -> Result<Created, AppError> {
    if first_hash == hash {
        Ok(Created::Replayed(comment))
    } else {
        Err(AppError::field(
            HEADER,
            "this key was already used for a different comment",
        ))
    }
}

pub enum Created {
    New(Box<Comment>),
    /// The key was used before for this very request: the comment it created.
    Replayed(i64),
}

/// A key is 1–255 visible ASCII characters (a UUID, say).
pub fn check_key(key: &str) -> Result<(), AppError> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::field(
            HEADER,
            "must be 1–255 visible ASCII characters",
        ));
    }
    Ok(())
}

pub(crate) fn request_hash(document_id: i64, new: &NewComment) -> String {
    let canonical = match new.on_behalf_of_unit {
        false => serde_json::json!([document_id, new.section_id, new.body, new.proposed_text]),
        true => {
            serde_json::json!([
                document_id,
                new.section_id,
                new.body,
                new.proposed_text,
                true
            ])
        }
    };
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}
