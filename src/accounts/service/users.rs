//! The accounts admins keep: create, change, unlock; and the signed-in person's own view.

use crate::accounts::policy;
use crate::accounts::store::{sessions as session_store, users as store};
use crate::accounts::throttle;
use crate::accounts::types::{normalize_email, NewUser, Role, UserPatch, UserRecord, UserView};
use crate::audit::{self, AuditAction, Event};
use crate::config::Settings;
use crate::context::Context;
use crate::db::{now, write_tx, DbConn};
use crate::error::{AppError, ErrorCode};
use crate::identity::{actor_id, Actor, RequestMeta};
use crate::input::validated;
use crate::mail::notices::Recipient;
use crate::pagination::{Page, PageParams};
use crate::units::service::require_unit;

pub fn get(conn: &mut DbConn, id: i64) -> Result<UserView, AppError> {
    store::get(conn, id)?.ok_or(AppError::NotFound("user"))
}

/// Change the caller's own settings.
pub fn update_me(
    conn: &mut DbConn,
    actor: &Actor,
    update: crate::accounts::types::MeUpdate,
) -> Result<UserView, AppError> {
    if let Some(on) = update.moderation_digest {
        store::set_moderation_digest(conn, actor.id, on, crate::db::now())?;
    }
    get(conn, actor.id)
}

/// Accounts by id, optionally searched by name or email ignoring case and diacritics.
pub fn list(
    conn: &mut DbConn,
    q: Option<&str>,
    page: PageParams,
) -> Result<Page<UserView>, AppError> {
    let page = page.keyset()?;
    let rows = store::list(conn, crate::text::search_term(q)?, page)?;
    Ok(Page::from_rows(rows, page.limit, |u| u.id))
}

/// Insert an account with its roles and audit row, and (without a password) queue its
/// activation mail, in one transaction. The CLI, the roster and the seed come through here.
pub fn create(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    meta: &RequestMeta,
    rec: &UserRecord,
    settings: &Settings,
) -> Result<i64, AppError> {
    write_tx(conn, |conn| {
        if let Some(unit_id) = rec.unit_id {
            require_unit(conn, unit_id, "unit_id")?;
        }
        if store::email_taken(conn, &rec.email)? {
            return Err(AppError::conflict(
                ErrorCode::EmailTaken,
                "an account with this email already exists",
            ));
        }
        insert(conn, actor, meta, rec, settings)
    })
}

/// `create` without its checks, inside the caller's transaction (the roster has checked).
pub fn insert(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    meta: &RequestMeta,
    rec: &UserRecord,
    settings: &Settings,
) -> Result<i64, AppError> {
    let id = store::insert(conn, rec, now())?;
    let detail =
        serde_json::json!({ "email": rec.email, "roles": rec.roles, "unit_id": rec.unit_id });
    audit::record(
        conn,
        actor_id(actor),
        meta,
        Event::new(AuditAction::UserCreated, Some(id), detail),
    )?;
    if rec.password_hash.is_none() {
        let to = Recipient::new(&rec.email, &rec.full_name);
        crate::accounts::service::passwords::send_activation(conn, &to, id, true, settings)?;
    }
    Ok(id)
}

/// An admin creates an account; with a password it is checked and hashed first.
pub async fn create_checked(
    ctx: &Context,
    actor: &Actor,
    meta: &RequestMeta,
    body: NewUser,
) -> Result<UserView, AppError> {
    let body = validated(body, NewUser::normalize)?;
    let password_hash = match &body.password {
        Some(p) => {
            policy::check(p, &[&body.email, &body.full_name], "password", meta.lang)?;
            Some(ctx.hasher.hash(p.clone()).await?)
        }
        None => None,
    };
    let rec = UserRecord {
        email: body.email,
        full_name: body.full_name,
        unit_id: body.unit_id,
        roles: body.roles,
        password_hash,
    };
    let (actor, meta, settings) = (actor.clone(), meta.clone(), ctx.settings.clone());
    ctx.db(move |conn| {
        let id = create(conn, Some(&actor), &meta, &rec, &settings)?;
        get(conn, id)
    })
    .await
}

/// An admin changes a person's name, unit, roles, language or active flag. Admins cannot
/// deactivate themselves or drop their own admin role. Deactivation ends their sessions.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    patch: UserPatch,
) -> Result<UserView, AppError> {
    let patch = validated(patch, UserPatch::normalize)?;
    if actor.id == id
        && (patch.active == Some(false)
            || patch
                .roles
                .as_ref()
                .is_some_and(|r| !r.contains(&Role::Admin)))
    {
        return Err(own_access());
    }
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        if let Some(Some(unit)) = patch.unit_id {
            require_unit(conn, unit, "unit_id")?;
        }
        let at = now();
        if let Some(name) = &patch.full_name {
            store::set_name(conn, id, name, at)?;
        }
        if let Some(unit) = patch.unit_id {
            store::set_unit(conn, id, unit, at)?;
        }
        if let Some(locale) = patch.locale {
            store::set_locale(conn, id, locale, at)?;
        }
        let record = |conn: &mut DbConn, action, detail| {
            audit::record(
                conn,
                Some(actor.id),
                meta,
                Event::new(action, Some(id), detail),
            )
        };
        if patch.full_name.is_some() || patch.unit_id.is_some() || patch.locale.is_some() {
            let detail = serde_json::json!({
                "full_name": patch.full_name, "unit_id": patch.unit_id, "locale": patch.locale,
            });
            record(conn, AuditAction::UserUpdated, detail)?;
        }
        if let Some(roles) = patch.roles.as_ref().filter(|r| **r != before.roles) {
            store::replace_roles(conn, id, roles)?;
            record(
                conn,
                AuditAction::RolesChanged,
                serde_json::json!({ "from": before.roles, "to": roles }),
            )?;
        }
        match patch.active {
            Some(false) if before.active => {
                store::set_active(conn, id, false, at)?;
                let ended = session_store::revoke_all(conn, id, at)?;
                record(
                    conn,
                    AuditAction::UserDeactivated,
                    serde_json::json!({ "sessions_ended": ended }),
                )?;
            }
            Some(true) if !before.active => {
                store::set_active(conn, id, true, at)?;
                record(conn, AuditAction::UserReactivated, serde_json::Value::Null)?;
            }
            _ => {}
        }
        get(conn, id)
    })
}

pub fn own_access() -> AppError {
    AppError::conflict(
        ErrorCode::CannotChangeOwnAccess,
        "admins cannot deactivate themselves or remove their own admin role",
    )
}

/// Lift the locks that failed sign-ins put on an account: its own, and those of the
/// addresses its failed sign-ins came from in the last day (people behind one NAT share one).
pub fn unlock(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        let user = get(conn, id)?;
        let since = now() - chrono::Duration::days(1);
        let mut keys = vec![throttle::account_key(&normalize_email(&user.email))];
        keys.extend(
            crate::audit::store::failed_login_addresses(conn, id, since)?
                .iter()
                .map(|ip| throttle::ip_key(ip)),
        );
        let cleared = throttle::clear(conn, &keys)?;
        let detail = serde_json::json!({ "was_throttled": cleared > 0, "keys_cleared": cleared });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::Unlocked, Some(id), detail),
        )?;
        Ok(())
    })
}

/// The person an id names, as an actor outside any request (the seed, tests).
pub fn actor(conn: &mut DbConn, id: i64) -> Result<Actor, AppError> {
    let user = get(conn, id)?;
    Ok(Actor {
        id,
        session_id: None,
        email: user.email,
        full_name: user.full_name,
        unit_id: user.unit_id,
        unit_name: user.unit_name,
        roles: user.roles,
        locale: store::locale(conn, id)?,
    })
}

/// `update`, then forget the person's cached sessions in this process so the change applies
/// to their next request.
pub async fn update_now(
    ctx: &Context,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    patch: UserPatch,
) -> Result<UserView, AppError> {
    let (a, m) = (actor.clone(), meta.clone());
    let user = ctx.db(move |conn| update(conn, &a, &m, id, patch)).await?;
    ctx.sessions.forget_user(id);
    Ok(user)
}
