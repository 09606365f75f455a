//! What admins change on accounts, with its audit trail.

use diesel::prelude::*;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;
use validator::Validate;

use crate::accounts::queries::{get_user, normalize_email};
use crate::accounts::types::Role;
use crate::accounts::{sessions, throttle};
use crate::audit::user_event;
use crate::db::schema::{user_roles, users};
use crate::db::{now, DbConn};
use crate::error::AppError;
use crate::http::ClientInfo;

/// `Some(None)` when the field is present as `null`, `None` when it is absent.
pub fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[validate(length(min = 1, max = 200, message = "must be 1–200 characters"))]
    pub full_name: Option<String>,
    /// A unit id, or null for none.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<Option<i64>>,
    #[validate(length(min = 1, message = "at least one role is required"))]
    pub roles: Option<Vec<Role>>,
    pub active: Option<bool>,
    /// Language of mails: "vi" or "en".
    pub locale: Option<String>,
}

impl UserPatch {
    pub fn normalize(mut self) -> Self {
        self.full_name = self.full_name.map(|n| crate::text::clean(&n));
        if let Some(r) = self.roles.as_mut() {
            r.sort();
            r.dedup();
        }
        self
    }
}

pub fn update_user(
    conn: &mut DbConn,
    actor: i64,
    id: i64,
    patch: &UserPatch,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let before = get_user(conn, id)?;
    if let Some(locale) = &patch.locale {
        if !matches!(locale.as_str(), "vi" | "en") {
            return Err(AppError::field("locale", "must be vi or en"));
        }
    }
    if actor == id
        && (patch.active == Some(false)
            || patch
                .roles
                .as_ref()
                .is_some_and(|r| !r.contains(&Role::Admin)))
    {
        return Err(AppError::conflict(
            "cannot_change_own_access",
            "admins cannot deactivate themselves or remove their own admin role",
        ));
    }
    if let Some(Some(unit)) = patch.unit_id {
        crate::units::queries::require_unit(conn, unit, "unit_id")?;
    }
    let at = now();
    let target = users::table.find(id);
    if let Some(name) = &patch.full_name {
        diesel::update(target)
            .set((
                users::full_name.eq(name),
                users::name_search.eq(crate::text::fold(name)),
            ))
            .execute(conn)?;
    }
    if let Some(unit) = patch.unit_id {
        diesel::update(target)
            .set(users::unit_id.eq(unit))
            .execute(conn)?;
    }
    if let Some(locale) = &patch.locale {
        diesel::update(target)
            .set(users::locale.eq(locale))
            .execute(conn)?;
    }
    diesel::update(target)
        .set(users::updated_at.eq(at))
        .execute(conn)?;
    if patch.full_name.is_some() || patch.unit_id.is_some() || patch.locale.is_some() {
        user_event(
            conn,
            Some(actor),
            "user.updated",
            Some(id),
            serde_json::json!({
                "full_name": patch.full_name, "unit_id": patch.unit_id, "locale": patch.locale,
            }),
            client,
        )?;
    }
    if let Some(roles) = patch.roles.as_ref().filter(|r| **r != before.roles) {
        diesel::delete(user_roles::table.filter(user_roles::user_id.eq(id))).execute(conn)?;
        for role in roles {
            diesel::insert_into(user_roles::table)
                .values((
                    user_roles::user_id.eq(id),
                    user_roles::role.eq(role.as_str()),
                ))
                .execute(conn)?;
        }
        user_event(
            conn,
            Some(actor),
            "user.roles_changed",
            Some(id),
            serde_json::json!({ "from": before.roles, "to": roles }),
            client,
        )?;
    }
    match patch.active {
        Some(false) if before.active => {
            diesel::update(target)
                .set(users::active.eq(false))
                .execute(conn)?;
            let ended = sessions::revoke_all(conn, id)?;
            user_event(
                conn,
                Some(actor),
                "user.deactivated",
                Some(id),
                serde_json::json!({ "sessions_ended": ended }),
                client,
            )?;
        }
        Some(true) if !before.active => {
            diesel::update(target)
                .set(users::active.eq(true))
                .execute(conn)?;
            user_event(
                conn,
                Some(actor),
                "user.reactivated",
                Some(id),
                serde_json::Value::Null,
                client,
            )?;
        }
        _ => {}
    }
    Ok(())
}

pub fn unlock(conn: &mut DbConn, actor: i64, id: i64, client: &ClientInfo) -> Result<(), AppError> {
    let user = get_user(conn, id)?;
    let cleared = throttle::clear(conn, &throttle::account_key(&normalize_email(&user.email)))?;
    user_event(
        conn,
        Some(actor),
        "auth.unlocked",
        Some(id),
        serde_json::json!({ "was_throttled": cleared > 0 }),
        client,
    )?;
    Ok(())
}
