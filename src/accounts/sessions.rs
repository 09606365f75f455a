//! Session tokens: 256 random bits handed to the client once, stored only as a SHA-256 hash.

use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::accounts::queries::load_roles;
use crate::db::schema::{sessions, users};
use crate::db::{now, DbConn};
use crate::error::AppError;
use crate::http::auth::CurrentUser;
use crate::http::ClientInfo;

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Create a session and return `(token, expires_at)`.
pub fn create(
    conn: &mut DbConn,
    user_id: i64,
    ttl_minutes: i64,
    client: &ClientInfo,
) -> Result<(String, NaiveDateTime), AppError> {
    let token = new_token();
    let at = now();
    let expires_at = at + Duration::minutes(ttl_minutes);
    diesel::insert_into(sessions::table)
        .values((
            sessions::user_id.eq(user_id),
            sessions::token_hash.eq(hash_token(&token)),
            sessions::created_at.eq(at),
            sessions::last_seen_at.eq(at),
            sessions::expires_at.eq(expires_at),
            sessions::ip.eq(client.ip.as_deref()),
            sessions::user_agent.eq(client.user_agent.as_deref()),
        ))
        .execute(conn)?;
    Ok((token, expires_at))
}

/// The user behind a live token of an active account, if any.
pub fn authenticate(conn: &mut DbConn, token: &str) -> Result<Option<CurrentUser>, AppError> {
    let row = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(hash_token(token)))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now()))
        .filter(users::active.eq(true))
        .select((
            sessions::id,
            users::id,
            users::email,
            users::full_name,
            users::unit_id,
        ))
        .first::<(i64, i64, String, String, Option<i64>)>(conn)
        .optional()?;
    let Some((session_id, id, email, full_name, unit_id)) = row else {
        return Ok(None);
    };
    let roles = load_roles(conn, id)?;
    Ok(Some(CurrentUser {
        id,
        session_id,
        email,
        full_name,
        unit_id,
        roles,
    }))
}

pub fn revoke(conn: &mut DbConn, session_id: i64) -> Result<(), AppError> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::revoked_at.eq(now()))
        .execute(conn)?;
    Ok(())
}
