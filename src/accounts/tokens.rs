//! Single-use tokens sent by mail (activation, password reset): 256 random bits, only the
//! SHA-256 hash is stored, each expires and can be used once.

use chrono::Duration;
use diesel::prelude::*;

use crate::accounts::sessions::{hash_token, new_token};
use crate::db::schema::{account_tokens, users};
use crate::db::{now, DbConn};
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Activation,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Activation => "activation",
            Purpose::Reset => "reset",
        }
    }
}

/// Issue a token; earlier unused tokens of the same purpose stop working.
pub fn issue(
    conn: &mut DbConn,
    user_id: i64,
    purpose: Purpose,
    ttl: Duration,
) -> QueryResult<String> {
    let at = now();
    diesel::update(
        account_tokens::table
            .filter(account_tokens::user_id.eq(user_id))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null()),
    )
    .set(account_tokens::used_at.eq(Some(at)))
    .execute(conn)?;
    issue_first(conn, user_id, purpose, ttl)
}

/// Issue a token to a user who has none of this purpose yet (a new account).
pub fn issue_first(
    conn: &mut DbConn,
    user_id: i64,
    purpose: Purpose,
    ttl: Duration,
) -> QueryResult<String> {
    let at = now();
    let token = new_token();
    diesel::insert_into(account_tokens::table)
        .values((
            account_tokens::user_id.eq(user_id),
            account_tokens::purpose.eq(purpose.as_str()),
            account_tokens::token_hash.eq(hash_token(&token)),
            account_tokens::expires_at.eq(at + ttl),
            account_tokens::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Whose live token this is: `(user id, email, full name)`, without using it.
pub fn peek(
    conn: &mut DbConn,
    token: &str,
    purpose: Purpose,
) -> QueryResult<Option<(i64, String, String)>> {
    account_tokens::table
        .inner_join(users::table)
        .filter(account_tokens::token_hash.eq(hash_token(token.trim())))
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .filter(account_tokens::used_at.is_null())
        .filter(account_tokens::expires_at.gt(now()))
        .filter(users::active.eq(true))
        .select((users::id, users::email, users::full_name))
        .first(conn)
        .optional()
}

/// Use a token: the user it was issued to, or 422 `token` if it is unknown, used or expired.
/// Call inside the transaction that acts on it.
pub fn consume(conn: &mut DbConn, token: &str, purpose: Purpose) -> Result<i64, AppError> {
    let at = now();
    let found: Option<(i64, i64)> = account_tokens::table
        .filter(account_tokens::token_hash.eq(hash_token(token.trim())))
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .filter(account_tokens::used_at.is_null())
        .filter(account_tokens::expires_at.gt(at))
        .select((account_tokens::id, account_tokens::user_id))
        .first(conn)
        .optional()?;
    let (id, user_id) = found.ok_or_else(|| {
        AppError::field(
            "token",
            "the link is invalid, already used or expired; ask for a new one",
        )
    })?;
    let claimed = diesel::update(
        account_tokens::table
            .find(id)
            .filter(account_tokens::used_at.is_null()),
    )
    .set(account_tokens::used_at.eq(Some(at)))
    .execute(conn)?;
    if claimed == 0 {
        return Err(AppError::field("token", "the link was just used"));
    }
    Ok(user_id)
}
