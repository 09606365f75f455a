//! Users and their roles.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::types::{normalize_email, Locale, Role, UserRecord, UserRow, UserView};
use crate::db::schema::{units, user_roles, users};
use crate::db::DbConn;
use crate::pagination::Keyset;
use crate::text;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = user_roles)]
struct RoleRow {
    user_id: i64,
    #[diesel(deserialize_as = String)]
    role: Role,
}

pub fn load_roles(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Role>> {
    Ok(roles_of(conn, &[user_id])?
        .remove(&user_id)
        .unwrap_or_default())
}

/// Roles of several users at once, each list sorted.
pub fn roles_of(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<Role>>> {
    let mut out: HashMap<i64, Vec<Role>> = HashMap::new();
    let query = user_roles::table.select(RoleRow::as_select()).into_boxed();
    // One person (a sign-in, a profile) as `=`: a statement prepared once per connection.
    let rows = match ids {
        [id] => query.filter(user_roles::user_id.eq(id)),
        _ => query.filter(user_roles::user_id.eq_any(ids)),
    }
    .load(conn)?;
    for row in rows {
        out.entry(row.user_id).or_default().push(row.role);
    }
    out.values_mut().for_each(|r| r.sort());
    Ok(out)
}

/// Every account's roles, for a roster import.
pub fn all_roles(conn: &mut DbConn) -> QueryResult<HashMap<i64, Vec<Role>>> {
    let mut out: HashMap<i64, Vec<Role>> = HashMap::new();
    for row in user_roles::table.select(RoleRow::as_select()).load(conn)? {
        out.entry(row.user_id).or_default().push(row.role);
    }
    out.values_mut().for_each(|r| r.sort());
    Ok(out)
}

/// The one way a person's roles are set: the old ones go, the new ones are written.
pub fn replace_roles(conn: &mut DbConn, user_id: i64, roles: &[Role]) -> QueryResult<()> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
    // Row by row: multi-row VALUES is not in the portable subset of the multi-backend.
    for role in roles {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::user_id.eq(user_id),
                user_roles::role.eq(role.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn views(conn: &mut DbConn, rows: Vec<UserRow>) -> QueryResult<Vec<UserView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut roles = roles_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let own = roles.remove(&r.id).unwrap_or_default();
            r.into_view(own)
        })
        .collect())
}

pub fn get(conn: &mut DbConn, id: i64) -> QueryResult<Option<UserView>> {
    let row = users::table
        .left_join(units::table)
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    Ok(views(conn, row.into_iter().collect())?.pop())
}

/// Users by id, optionally filtered by a diacritic-insensitive name or email search.
pub fn list(conn: &mut DbConn, q: Option<&str>, page: Keyset) -> QueryResult<Vec<UserView>> {
    let mut query = users::table
        .left_join(units::table)
        .select(UserRow::as_select())
        .order(users::id.asc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(after) = page.after {
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
    let rows = query.load(conn)?;
    views(conn, rows)
}

/// An active account as a sign-in needs it.
pub struct SignIn {
    pub row: UserRow,
    pub password_hash: Option<String>,
    /// Read with the row: the answer to the sign-in shows them.
    pub roles: Vec<Role>,
}

/// An active account with this email (compared ignoring case), as a sign-in needs it: its row,
/// its password hash and its roles.
pub fn for_sign_in(conn: &mut DbConn, email: &str) -> QueryResult<Option<SignIn>> {
    // One row per role (one without any): the person, hash and roles in one round trip.
    let rows: Vec<(UserRow, Option<String>, Option<String>)> = users::table
        .left_join(units::table)
        .left_join(user_roles::table)
        .filter(users::email_normalized.eq(normalize_email(email)))
        .filter(users::active.eq(true))
        .select((
            UserRow::as_select(),
            users::password_hash,
            user_roles::role.nullable(),
        ))
        .load(conn)?;
    let mut roles = Vec::with_capacity(rows.len());
    let mut first = None;
    for (row, hash, role) in rows {
        if let Some(role) = role {
            roles.push(
                Role::try_from(role).map_err(|e| {
                    diesel::result::Error::DeserializationError(e.to_string().into())
                })?,
            );
        }
        first.get_or_insert((row, hash));
    }
    Ok(first.map(|(row, password_hash)| SignIn {
        row,
        password_hash,
        roles,
    }))
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: Option<String>,
}

/// The credentials of an active account with this email, compared ignoring case.
pub fn credentials(conn: &mut DbConn, email: &str) -> QueryResult<Option<Credentials>> {
    users::table
        .filter(users::email_normalized.eq(normalize_email(email)))
        .filter(users::active.eq(true))
        .select(Credentials::as_select())
        .first(conn)
        .optional()
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct Contact {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    #[diesel(deserialize_as = String)]
    pub locale: Locale,
}

impl From<Contact> for crate::mail::notices::Recipient {
    fn from(c: Contact) -> Self {
        Self {
            email: c.email,
            name: c.full_name,
            locale: c.locale,
        }
    }
}

pub fn contact(conn: &mut DbConn, id: i64) -> QueryResult<Contact> {
    users::table
        .find(id)
        .select(Contact::as_select())
        .first(conn)
}

pub fn set_moderation_digest(
    conn: &mut DbConn,
    user_id: i64,
    on: bool,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((users::moderation_digest.eq(on), users::updated_at.eq(at)))
        .execute(conn)
}

pub fn store_hash(
    conn: &mut DbConn,
    user_id: i64,
    hash: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(at)))
        .execute(conn)
}

pub fn email_taken(conn: &mut DbConn, email: &str) -> QueryResult<bool> {
    let n: i64 = users::table
        .filter(users::email_normalized.eq(normalize_email(email)))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn insert(conn: &mut DbConn, rec: &UserRecord, at: NaiveDateTime) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::email.eq(&rec.email),
            users::email_normalized.eq(normalize_email(&rec.email)),
            users::full_name.eq(&rec.full_name),
            users::name_search.eq(text::fold(&rec.full_name)),
            users::unit_id.eq(rec.unit_id),
            users::password_hash.eq(rec.password_hash.as_deref()),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .returning(users::id)
        .get_result(conn)?;
    replace_roles(conn, id, &rec.roles)?;
    Ok(id)
}

pub fn set_name(conn: &mut DbConn, id: i64, name: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::full_name.eq(name),
            users::name_search.eq(text::fold(name)),
            users::updated_at.eq(at),
        ))
        .execute(conn)
}

pub fn set_unit(
    conn: &mut DbConn,
    id: i64,
    unit: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::unit_id.eq(unit), users::updated_at.eq(at)))
        .execute(conn)
}

pub fn set_locale(
    conn: &mut DbConn,
    id: i64,
    locale: Locale,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::locale.eq(locale.as_str()), users::updated_at.eq(at)))
        .execute(conn)
}

pub fn set_active(
    conn: &mut DbConn,
    id: i64,
    active: bool,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::active.eq(active), users::updated_at.eq(at)))
        .execute(conn)
}

/// The id of the active account with this email, if any.
pub fn active_id(conn: &mut DbConn, email: &str) -> QueryResult<Option<i64>> {
    users::table
        .filter(users::email_normalized.eq(normalize_email(email)))
        .filter(users::active.eq(true))
        .select(users::id)
        .first(conn)
        .optional()
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct Known {
    pub id: i64,
    pub email_normalized: String,
    pub full_name: String,
    pub unit_id: Option<i64>,
}

/// Every account, for a roster import to match rows against.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Known>> {
    users::table.select(Known::as_select()).load(conn)
}

/// Hold the user's row until the transaction ends, so that rules counting what was done for
/// this person (reset mails an hour) see each other's writes: a row lock on PostgreSQL; on
/// SQLite the caller's `BEGIN IMMEDIATE` already serialises writers.
pub fn lock(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    match conn {
        DbConn::Pg(c) => users::table
            .find(id)
            .select(users::id)
            .for_update()
            .first::<i64>(c)
            .map(|_| ()),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// The language of a person's mails and pages.
pub fn locale(conn: &mut DbConn, id: i64) -> QueryResult<Locale> {
    let value: String = users::table.find(id).select(users::locale).first(conn)?;
    Locale::try_from(value).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}
