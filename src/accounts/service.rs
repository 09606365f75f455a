//! Account operations shared by several entry points (HTTP, CLI, roster import).

use diesel::prelude::*;

use crate::accounts::queries::normalize_email;
use crate::accounts::tokens::{self, Purpose};
use crate::accounts::{sessions, throttle};
use crate::audit::{self, Entry};
use crate::config::Settings;
use crate::db::schema::users;
use crate::db::{now, DbConn};
use crate::error::AppError;
use crate::http::ClientInfo;
use crate::mail::notices::{self, Recipient};

/// Store a new password hash; every session ends, failed sign-ins are forgotten, and (unless
/// this is the first password, set at activation) the owner is told by mail.
pub fn set_password(
    conn: &mut DbConn,
    user_id: i64,
    hash: &str,
    action: &str,
    notify: bool,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let email: String = users::table
        .find(user_id)
        .select(users::email)
        .first(conn)?;
    diesel::update(users::table.find(user_id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now())))
        .execute(conn)?;
    let ended = sessions::revoke_all(conn, user_id)?;
    throttle::clear(conn, &throttle::account_key(&normalize_email(&email)))?;
    if notify {
        notices::password_changed(conn, user_id)?;
    }
    audit::record(
        conn,
        Entry {
            actor_id: Some(user_id),
            action,
            entity: "user",
            entity_id: Some(user_id),
            detail: serde_json::json!({ "sessions_ended": ended }),
        },
        client,
    )?;
    Ok(())
}

/// Issue an activation token and queue its mail (inside the caller's transaction).
pub fn send_activation(
    conn: &mut DbConn,
    user_id: i64,
    settings: &Settings,
) -> Result<(), AppError> {
    let r = notices::recipient(conn, user_id)?;
    activation_for(conn, user_id, &r, false, settings)
}

/// As `send_activation` for a recipient already at hand; `fresh` when the account was just
/// created (no earlier token to retire).
pub fn activation_for(
    conn: &mut DbConn,
    user_id: i64,
    r: &Recipient,
    fresh: bool,
    settings: &Settings,
) -> Result<(), AppError> {
    let hours = settings.auth.activation_ttl_hours;
    let ttl = chrono::Duration::hours(hours);
    let token = if fresh {
        tokens::issue_first(conn, user_id, Purpose::Activation, ttl)?
    } else {
        tokens::issue(conn, user_id, Purpose::Activation, ttl)?
    };
    let link = format!(
        "{}/activate?token={token}",
        settings.server.public_url.trim_end_matches('/')
    );
    notices::activation(conn, r, &link, hours)?;
    Ok(())
}

/// Issue a reset token and queue its mail, for an active account with this email; nothing
/// (and no sign of it) otherwise.
pub fn send_reset(
    conn: &mut DbConn,
    email: &str,
    settings: &Settings,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let Some(user_id) = users::table
        .filter(users::email_normalized.eq(normalize_email(email)))
        .filter(users::active.eq(true))
        .select(users::id)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(());
    };
    let minutes = settings.auth.reset_ttl_minutes;
    let token = tokens::issue(
        conn,
        user_id,
        Purpose::Reset,
        chrono::Duration::minutes(minutes),
    )?;
    let link = format!(
        "{}/reset-password?token={token}",
        settings.server.public_url.trim_end_matches('/')
    );
    notices::password_reset(conn, user_id, &link, minutes)?;
    audit::record(
        conn,
        Entry {
            actor_id: None,
            action: "auth.reset_requested",
            entity: "user",
            entity_id: Some(user_id),
            detail: serde_json::Value::Null,
        },
        client,
    )?;
    Ok(())
}
