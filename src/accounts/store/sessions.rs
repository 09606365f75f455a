//! Sessions: one row per sign-in, found by the SHA-256 of its token.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::accounts::types::{Role, SessionRow};
use crate::db::schema::{sessions, units, user_roles, users};
use crate::db::DbConn;
use crate::identity::{Actor, Locale, RequestMeta};
use crate::pagination::Keyset;

pub fn insert(
    conn: &mut DbConn,
    user_id: i64,
    token_hash: &str,
    at: NaiveDateTime,
    expires_at: NaiveDateTime,
    meta: &RequestMeta,
) -> QueryResult<i64> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::user_id.eq(user_id),
            sessions::token_hash.eq(token_hash),
            sessions::created_at.eq(at),
            sessions::last_seen_at.eq(at),
            sessions::expires_at.eq(expires_at),
            sessions::ip.eq(meta.ip.as_deref()),
            sessions::user_agent.eq(meta.user_agent.as_deref()),
        ))
        .returning(sessions::id)
        .get_result(conn)
}

/// A live session with its user, unit and one of their roles (one row per role).
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
struct LiveRow {
    #[diesel(select_expression = sessions::id)]
    session_id: i64,
    #[diesel(select_expression = users::id)]
    user_id: i64,
    #[diesel(select_expression = users::email)]
    email: String,
    #[diesel(select_expression = users::full_name)]
    full_name: String,
    #[diesel(select_expression = users::unit_id)]
    unit_id: Option<i64>,
    #[diesel(select_expression = users::locale)]
    #[diesel(deserialize_as = String)]
    locale: Locale,
    #[diesel(select_expression = units::name.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<units::name>)]
    unit_name: Option<String>,
    last_seen_at: NaiveDateTime,
    #[diesel(select_expression = user_roles::role.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<user_roles::role>)]
    #[diesel(deserialize_as = Option<String>)]
    role: MaybeRole,
}

/// A role read from an outer join: absent, or a known role (an unknown one fails the read).
#[derive(Debug)]
struct MaybeRole(Option<Role>);

impl TryFrom<Option<String>> for MaybeRole {
    type Error = crate::db::text_enum::UnknownValue;
    fn try_from(s: Option<String>) -> Result<Self, Self::Error> {
        s.map(|s| s.parse()).transpose().map(MaybeRole)
    }
}

/// The person behind a live session of an active account: `(actor, last_seen_at)`. One round
/// trip: the session, its user, their unit and roles.
pub fn live(
    conn: &mut DbConn,
    token_hash: &str,
    at: NaiveDateTime,
    idle_minutes: i64,
) -> QueryResult<Option<(Actor, NaiveDateTime)>> {
    let rows: Vec<LiveRow> = sessions::table
        .inner_join(users::table)
        .left_join(units::table.on(units::id.nullable().eq(users::unit_id)))
        .left_join(user_roles::table.on(user_roles::user_id.eq(users::id)))
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(at))
        .filter(sessions::last_seen_at.gt(at - Duration::minutes(idle_minutes)))
        .filter(users::active.eq(true))
        .select(LiveRow::as_select())
        .load(conn)?;
    let mut roles: Vec<Role> = rows.iter().filter_map(|r| r.role.0).collect();
    roles.sort();
    Ok(rows.into_iter().next().map(|r| {
        (
            Actor {
                id: r.user_id,
                session_id: Some(r.session_id),
                email: r.email,
                full_name: r.full_name,
                unit_id: r.unit_id,
                unit_name: r.unit_name,
                roles,
                locale: r.locale,
            },
            r.last_seen_at,
        )
    }))
}

pub fn touch(conn: &mut DbConn, session_id: i64, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::last_seen_at.eq(at))
        .execute(conn)
}

/// End one of `user_id`'s sessions; false if it was not theirs or already ended.
pub fn revoke(
    conn: &mut DbConn,
    user_id: i64,
    session_id: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(at))
    .execute(conn)
    .map(|n| n > 0)
}

/// End every session of a user.
pub fn revoke_all(conn: &mut DbConn, user_id: i64, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(at))
    .execute(conn)
}

/// A user's live sessions, newest first.
pub fn list_live(
    conn: &mut DbConn,
    user_id: i64,
    at: NaiveDateTime,
    idle_minutes: i64,
    page: Keyset,
) -> QueryResult<Vec<SessionRow>> {
    let mut query = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(at))
        .filter(sessions::last_seen_at.gt(at - Duration::minutes(idle_minutes)))
        .select(SessionRow::as_select())
        .order(sessions::id.desc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(b) = page.after {
        query = query.filter(sessions::id.lt(b));
    }
    query.load(conn)
}
