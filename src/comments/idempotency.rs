//! `Idempotency-Key` for comment submission: a retry with the same key from the same person
//! returns the first result and creates nothing; the same key with another body is refused.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::comments::queries::create_in_tx;
use crate::comments::types::{Comment, NewComment};
use crate::db::schema::idempotency_keys;
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;
use crate::http::auth::CurrentUser;
use crate::http::ClientInfo;

pub const HEADER: &str = "Idempotency-Key";

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

fn request_hash(document_id: i64, new: &NewComment) -> String {
    let canonical = serde_json::json!([document_id, new.section_id, new.body, new.proposed_text]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Create a comment, once per (author, key).
pub fn create(
    conn: &mut DbConn,
    author: &CurrentUser,
    document_id: i64,
    new: &NewComment,
    key: Option<&str>,
    client: &ClientInfo,
) -> Result<Created, AppError> {
    let Some(key) = key else {
        return crate::comments::queries::create(conn, author, document_id, new, client)
            .map(|c| Created::New(Box::new(c)));
    };
    let hash = request_hash(document_id, new);
    let attempt = |conn: &mut DbConn| {
        write_tx(conn, |conn| {
            let seen: Option<(String, i64)> = idempotency_keys::table
                .find((author.id, key))
                .select((idempotency_keys::request_hash, idempotency_keys::comment_id))
                .first(conn)
                .optional()?;
            if let Some((first_hash, comment_id)) = seen {
                return if first_hash == hash {
                    Ok(Created::Replayed(comment_id))
                } else {
                    Err(AppError::field(
                        HEADER,
                        "this key was already used for a different comment",
                    ))
                };
            }
            let comment = create_in_tx(conn, author, document_id, new, client)?;
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::user_id.eq(author.id),
                    idempotency_keys::key.eq(key),
                    idempotency_keys::request_hash.eq(&hash),
                    idempotency_keys::comment_id.eq(comment.id),
                    idempotency_keys::created_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(Created::New(Box::new(comment)))
        })
    };
    match attempt(conn) {
        // The same key raced in from a concurrent retry and committed first: answer as a replay.
        Err(AppError::Conflict {
            code: "already_exists",
            ..
        }) => attempt(conn),
        other => other,
    }
}

/// Forget keys older than `hours` (they are kept at least 24 h).
pub fn purge(conn: &mut DbConn, hours: i64) -> QueryResult<usize> {
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::created_at.lt(now() - chrono::Duration::hours(hours))),
    )
    .execute(conn)
}
