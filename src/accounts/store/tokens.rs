//! Mailed single-use tokens, stored only as their SHA-256.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::tokens::Purpose;
use crate::db::schema::{account_tokens, users};
use crate::db::DbConn;

/// Retire the unused tokens of `purpose` a user holds.
pub fn retire(
    conn: &mut DbConn,
    user_id: i64,
    purpose: Purpose,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        account_tokens::table
            .filter(account_tokens::user_id.eq(user_id))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null()),
    )
    .set(account_tokens::used_at.eq(Some(at)))
    .execute(conn)
}

pub fn insert(
    conn: &mut DbConn,
    user_id: i64,
    purpose: Purpose,
    token_hash: &str,
    at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(account_tokens::table)
        .values((
            account_tokens::user_id.eq(user_id),
            account_tokens::purpose.eq(purpose.as_str()),
            account_tokens::token_hash.eq(token_hash),
            account_tokens::expires_at.eq(expires_at),
            account_tokens::created_at.eq(at),
        ))
        .execute(conn)
}

/// Tokens of `purpose` issued to a user since `since` (used or not).
pub fn issued_since(
    conn: &mut DbConn,
    user_id: i64,
    purpose: Purpose,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    account_tokens::table
        .filter(account_tokens::user_id.eq(user_id))
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .filter(account_tokens::created_at.ge(since))
        .count()
        .get_result(conn)
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct Holder {
    pub id: i64,
    pub email: String,
    pub full_name: String,
}

/// Who holds this live token, without using it.
pub fn holder(
    conn: &mut DbConn,
    token_hash: &str,
    purpose: Purpose,
    at: NaiveDateTime,
) -> QueryResult<Option<Holder>> {
    account_tokens::table
        .inner_join(users::table)
        .filter(account_tokens::token_hash.eq(token_hash))
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .filter(account_tokens::used_at.is_null())
        .filter(account_tokens::expires_at.gt(at))
        .filter(users::active.eq(true))
        .select(Holder::as_select())
        .first(conn)
        .optional()
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = account_tokens)]
pub struct Live {
    pub id: i64,
    pub user_id: i64,
}

pub fn find_live(
    conn: &mut DbConn,
    token_hash: &str,
    purpose: Purpose,
    at: NaiveDateTime,
) -> QueryResult<Option<Live>> {
    account_tokens::table
        .filter(account_tokens::token_hash.eq(token_hash))
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .filter(account_tokens::used_at.is_null())
        .filter(account_tokens::expires_at.gt(at))
        .select(Live::as_select())
        .first(conn)
        .optional()
}

/// Mark a token used; false if someone used it meanwhile.
pub fn mark_used(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        account_tokens::table
            .find(id)
            .filter(account_tokens::used_at.is_null()),
    )
    .set(account_tokens::used_at.eq(Some(at)))
    .execute(conn)
    .map(|n| n > 0)
}
