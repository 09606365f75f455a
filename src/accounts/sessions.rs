//! Session tokens: 256 random bits handed to the client once, stored only as a SHA-256 hash.

use base64::Engine;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::accounts::types::Role;
use crate::db::schema::{sessions, units, user_roles, users};
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

/// The user behind a live token of an active account, if any. A session ends at its absolute
/// expiry or after `idle_minutes` without use; use is recorded at most once a minute.
pub fn authenticate(
    conn: &mut DbConn,
    token: &str,
    idle_minutes: i64,
) -> Result<Option<CurrentUser>, AppError> {
    authenticate_hash(conn, &hash_token(token), idle_minutes)
}

/// `authenticate` by the token's hash.
pub fn authenticate_hash(
    conn: &mut DbConn,
    token_hash: &str,
    idle_minutes: i64,
) -> Result<Option<CurrentUser>, AppError> {
    let at = now();
    // One round trip: the session, its user, their unit and roles (one row per role).
    type Row = (
        i64,
        i64,
        String,
        String,
        Option<i64>,
        Option<String>,
        NaiveDateTime,
        Option<String>,
    );
    let rows: Vec<Row> = sessions::table
        .inner_join(users::table)
        .left_join(units::table.on(units::id.nullable().eq(users::unit_id)))
        .left_join(user_roles::table.on(user_roles::user_id.eq(users::id)))
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(at))
        .filter(sessions::last_seen_at.gt(at - Duration::minutes(idle_minutes)))
        .filter(users::active.eq(true))
        .select((
            sessions::id,
            users::id,
            users::email,
            users::full_name,
            users::unit_id,
            units::name.nullable(),
            sessions::last_seen_at,
            user_roles::role.nullable(),
        ))
        .load(conn)?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let (session_id, id, last_seen) = (first.0, first.1, first.6);
    if at - last_seen > Duration::seconds(60) {
        diesel::update(sessions::table.find(session_id))
            .set(sessions::last_seen_at.eq(at))
            .execute(conn)?;
    }
    let mut roles: Vec<Role> = rows
        .iter()
        .filter_map(|r| r.7.as_deref().and_then(Role::parse))
        .collect();
    roles.sort();
    let Some((_, _, email, full_name, unit_id, unit_name, _, _)) = rows.into_iter().next() else {
        return Ok(None);
    };
    Ok(Some(CurrentUser {
        id,
        session_id,
        email,
        full_name,
        unit_id,
        unit_name,
        roles,
    }))
}

/// End one of `user_id`'s sessions; false if it was not theirs or already ended.
pub fn revoke(conn: &mut DbConn, user_id: i64, session_id: i64) -> QueryResult<bool> {
    diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now()))
    .execute(conn)
    .map(|n| n > 0)
}

/// End every session of a user (password change or reset, deactivation, "sign out everywhere").
pub fn revoke_all(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now()))
    .execute(conn)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session making this request.
    pub current: bool,
}

/// A user's live sessions, newest first.
pub fn list_live(
    conn: &mut DbConn,
    user: &CurrentUser,
    idle_minutes: i64,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<SessionView>> {
    type Row = (
        i64,
        NaiveDateTime,
        NaiveDateTime,
        NaiveDateTime,
        Option<String>,
        Option<String>,
    );
    let at = now();
    let mut query = sessions::table
        .filter(sessions::user_id.eq(user.id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(at))
        .filter(sessions::last_seen_at.gt(at - Duration::minutes(idle_minutes)))
        .select((
            sessions::id,
            sessions::created_at,
            sessions::last_seen_at,
            sessions::expires_at,
            sessions::ip,
            sessions::user_agent,
        ))
        .order(sessions::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(b) = before {
        query = query.filter(sessions::id.lt(b));
    }
    Ok(query
        .load::<Row>(conn)?
        .into_iter()
        .map(|r| SessionView {
            id: r.0,
            created_at: r.1.and_utc(),
            last_seen_at: r.2.and_utc(),
            expires_at: r.3.and_utc(),
            ip: r.4,
            user_agent: r.5,
            current: r.0 == user.session_id,
        })
        .collect())
}
