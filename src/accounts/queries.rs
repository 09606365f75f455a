use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::types::{Role, UserView};
use crate::audit::{self, Entry};
use crate::db::schema::{units, user_roles, users};
use crate::db::{now, DbConn};
use crate::error::AppError;
use crate::http::ClientInfo;
use crate::text;

pub fn load_roles(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Role>> {
    let mut roles: Vec<Role> = user_roles::table
        .filter(user_roles::user_id.eq(user_id))
        .select(user_roles::role)
        .load::<String>(conn)?
        .iter()
        .filter_map(|r| Role::parse(r))
        .collect();
    roles.sort();
    Ok(roles)
}

/// `(id, password_hash)` of an active account with this email, compared ignoring case.
pub fn find_for_login(
    conn: &mut DbConn,
    email: &str,
) -> QueryResult<Option<(i64, Option<String>)>> {
    users::table
        .filter(users::email_normalized.eq(normalize_email(email)))
        .filter(users::active.eq(true))
        .select((users::id, users::password_hash))
        .first(conn)
        .optional()
}

pub fn store_hash(conn: &mut DbConn, user_id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(hash))
        .execute(conn)
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What every path that creates an account (HTTP, CLI, demo seed) hands over.
pub struct UserRecord {
    pub email: String,
    pub full_name: String,
    pub unit_id: Option<i64>,
    pub roles: Vec<Role>,
    pub password_hash: Option<String>,
}

/// Insert a user and their roles with its audit row, in one transaction.
pub fn insert_user(
    conn: &mut DbConn,
    actor_id: Option<i64>,
    rec: &UserRecord,
    client: &ClientInfo,
) -> Result<i64, AppError> {
    crate::db::write_tx(conn, |conn| {
        if let Some(unit_id) = rec.unit_id {
            crate::units::queries::require_unit(conn, unit_id, "unit_id")?;
        }
        let normalized = normalize_email(&rec.email);
        let taken = users::table
            .filter(users::email_normalized.eq(&normalized))
            .count()
            .get_result::<i64>(conn)?;
        if taken > 0 {
            return Err(AppError::conflict(
                "email_taken",
                "an account with this email already exists",
            ));
        }
        insert_user_row(conn, actor_id, rec, client)
    })
}

/// Insert a user, their roles and the audit row, inside the caller's transaction, for callers
/// that have already checked the unit and the email (the roster import).
pub fn insert_user_row(
    conn: &mut DbConn,
    actor_id: Option<i64>,
    rec: &UserRecord,
    client: &ClientInfo,
) -> Result<i64, AppError> {
    let normalized = normalize_email(&rec.email);
    let at = now();
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::email.eq(&rec.email),
            users::email_normalized.eq(&normalized),
            users::full_name.eq(&rec.full_name),
            users::name_search.eq(text::fold(&rec.full_name)),
            users::unit_id.eq(rec.unit_id),
            users::password_hash.eq(rec.password_hash.as_deref()),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .returning(users::id)
        .get_result(conn)?;
    // Row by row: multi-row VALUES is not in the portable subset of the multi-backend.
    for role in &rec.roles {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::user_id.eq(id),
                user_roles::role.eq(role.as_str()),
            ))
            .execute(conn)?;
    }
    audit::record(
        conn,
        Entry {
            actor_id,
            action: "user.create",
            entity: "user",
            entity_id: Some(id),
            detail: serde_json::json!({
                "email": rec.email,
                "roles": rec.roles,
                "unit_id": rec.unit_id,
            }),
        },
        client,
    )?;
    Ok(id)
}

type UserRow = (
    i64,
    String,
    String,
    Option<i64>,
    Option<String>,
    bool,
    NaiveDateTime,
);

fn to_views(conn: &mut DbConn, rows: Vec<UserRow>) -> QueryResult<Vec<UserView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
    for (uid, role) in user_roles::table
        .filter(user_roles::user_id.eq_any(&ids))
        .select((user_roles::user_id, user_roles::role))
        .load::<(i64, String)>(conn)?
    {
        if let Some(r) = Role::parse(&role) {
            roles.entry(uid).or_default().push(r);
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, email, full_name, unit_id, unit_name, active, created_at)| {
                let mut user_roles = roles.remove(&id).unwrap_or_default();
                user_roles.sort();
                UserView {
                    id,
                    email,
                    full_name,
                    unit_id,
                    unit_name,
                    roles: user_roles,
                    active,
                    created_at: created_at.and_utc(),
                }
            },
        )
        .collect())
}

macro_rules! user_columns {
    () => {
        (
            users::id,
            users::email,
            users::full_name,
            users::unit_id,
            units::name.nullable(),
            users::active,
            users::created_at,
        )
    };
}

pub fn get_user(conn: &mut DbConn, id: i64) -> Result<UserView, AppError> {
    let row: UserRow = users::table
        .left_join(units::table)
        .filter(users::id.eq(id))
        .select(user_columns!())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound("user"))?;
    to_views(conn, vec![row])?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound("user"))
}

/// Users by id, optionally filtered by a diacritic-insensitive name or email search.
pub fn list_users(
    conn: &mut DbConn,
    q: Option<&str>,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<UserView>> {
    let mut query = users::table
        .left_join(units::table)
        .select(user_columns!())
        .order(users::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        let pattern = text::like_pattern(q);
        query = query.filter(
            users::name_search
                .like(pattern.clone())
                .escape('\\')
                .or(users::email_normalized.like(pattern).escape('\\')),
        );
    }
    let rows = query.load::<UserRow>(conn)?;
    to_views(conn, rows)
}
