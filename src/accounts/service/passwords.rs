//! Passwords: the first one (activation), a forgotten one (reset), a changed one.

use chrono::Duration;
use validator::Validate;

use crate::accounts::policy;
use crate::accounts::store::{
    sessions as session_store, tokens as token_store, users as user_store,
};
use crate::accounts::throttle::{self, Limit};
use crate::accounts::tokens::{hash_token, new_token, Purpose};
use crate::accounts::types::{normalize_email, PasswordChange, ResetRequest, TokenPassword};
use crate::audit::{self, AuditAction, Event};
use crate::config::Settings;
use crate::context::Context;
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;
use crate::identity::{Actor, RequestMeta};
use crate::mail::notices::{self, Recipient};

const BAD_LINK: &str = "the link is invalid, already used or expired; ask for a new one";

/// Store a new password hash; every session ends, failed sign-ins are forgotten, and (unless
/// this is the first password, set at activation) the owner is told by mail.
fn set_password(
    conn: &mut DbConn,
    user_id: i64,
    hash: &str,
    action: AuditAction,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let at = now();
    let contact = user_store::contact(conn, user_id)?;
    user_store::store_hash(conn, user_id, hash, at)?;
    let ended = session_store::revoke_all(conn, user_id, at)?;
    throttle::clear(
        conn,
        &[throttle::account_key(&normalize_email(&contact.email))],
    )?;
    if action != AuditAction::Activated {
        notices::password_changed(conn, &Recipient::from(contact))?;
    }
    let detail = serde_json::json!({ "sessions_ended": ended });
    audit::record(
        conn,
        Some(user_id),
        meta,
        Event::new(action, Some(user_id), detail),
    )?;
    Ok(())
}

/// A link to one of the pages mailed tokens open. The token travels in the fragment, which
/// browsers never send to a server, so it lands in no access log or proxy on the way.
fn link(settings: &Settings, page: &str, token: &str) -> String {
    format!(
        "{}/{page}#token={token}",
        settings.server.public_url.trim_end_matches('/')
    )
}

fn issue(
    conn: &mut DbConn,
    user_id: i64,
    purpose: Purpose,
    ttl: Duration,
    fresh: bool,
) -> diesel::QueryResult<String> {
    let at = now();
    if !fresh {
        token_store::retire(conn, user_id, purpose, at)?;
    }
    let token = new_token();
    token_store::insert(conn, user_id, purpose, &hash_token(&token), at, at + ttl)?;
    Ok(token)
}

/// Issue an activation token and queue its mail, inside the caller's transaction; `fresh`
/// when the account was just created (no earlier token to retire).
pub fn send_activation(
    conn: &mut DbConn,
    to: &Recipient,
    user_id: i64,
    fresh: bool,
    settings: &Settings,
) -> Result<(), AppError> {
    let hours = settings.auth.activation_ttl_hours;
    let token = issue(
        conn,
        user_id,
        Purpose::Activation,
        Duration::hours(hours),
        fresh,
    )?;
    notices::activation(conn, to, &link(settings, "activate", &token), hours)?;
    Ok(())
}

/// Issue a reset token and queue its mail, for an active account with this email, at most
/// `auth.reset_per_hour` times an hour; nothing (and no sign of it) otherwise.
fn send_reset(
    conn: &mut DbConn,
    email: &str,
    settings: &Settings,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let Some(user_id) = user_store::active_id(conn, email)? else {
        return Ok(());
    };
    user_store::lock(conn, user_id)?;
    let at = now();
    let recent = token_store::issued_since(conn, user_id, Purpose::Reset, at - Duration::hours(1))?;
    if recent >= i64::from(settings.auth.reset_per_hour) {
        let detail = serde_json::json!({ "sent_last_hour": recent });
        audit::record(
            conn,
            None,
            meta,
            Event::new(AuditAction::ResetLimited, Some(user_id), detail),
        )?;
        return Ok(());
    }
    let minutes = settings.auth.reset_ttl_minutes;
    let token = issue(
        conn,
        user_id,
        Purpose::Reset,
        Duration::minutes(minutes),
        false,
    )?;
    let to = Recipient::from(user_store::contact(conn, user_id)?);
    notices::password_reset(
        conn,
        &to,
        &link(settings, "reset-password", &token),
        minutes,
    )?;
    audit::record(
        conn,
        None,
        meta,
        Event::new(
            AuditAction::ResetRequested,
            Some(user_id),
            serde_json::Value::Null,
        ),
    )?;
    Ok(())
}

/// Ask for a reset mail. Returns at once: the work runs in the background, so the answer's
/// timing says nothing about whether the address has an account.
pub fn request_reset(
    ctx: &std::sync::Arc<Context>,
    meta: &RequestMeta,
    body: ResetRequest,
) -> Result<(), AppError> {
    body.validate()?;
    let (ctx, meta) = (ctx.clone(), meta.clone());
    tokio::spawn(async move {
        let settings = ctx.settings.clone();
        let result = ctx
            .db(move |conn| write_tx(conn, |conn| send_reset(conn, &body.email, &settings, &meta)))
            .await;
        if let Err(err) = result {
            tracing::warn!(error = %err, "password reset request failed");
        }
    });
    Ok(())
}

/// Apply a mailed token: check the new password, use the token, store the hash.
pub async fn set_with_token(
    ctx: &Context,
    meta: &RequestMeta,
    body: TokenPassword,
    purpose: Purpose,
) -> Result<(), AppError> {
    let token = hash_token(&body.token);
    // Find whose token it is first, to check the password against their name and email.
    let t = token.clone();
    let holder = ctx
        .db(move |conn| Ok(token_store::holder(conn, &t, purpose, now())?))
        .await?
        .ok_or_else(|| AppError::field("token", BAD_LINK))?;
    policy::check(
        &body.password,
        &[&holder.email, &holder.full_name],
        "password",
        meta.lang,
    )?;
    let hash = ctx.hasher.hash(body.password).await?;
    let m = meta.clone();
    let user_id = holder.id;
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            let at = now();
            let live = token_store::find_live(conn, &token, purpose, at)?
                .filter(|t| t.user_id == user_id)
                .ok_or_else(|| AppError::field("token", BAD_LINK))?;
            if !token_store::mark_used(conn, live.id, at)? {
                return Err(AppError::field("token", "the link was just used"));
            }
            let action = match purpose {
                Purpose::Activation => AuditAction::Activated,
                Purpose::Reset => AuditAction::PasswordReset,
            };
            set_password(conn, user_id, &hash, action, &m)
        })
    })
    .await?;
    ctx.sessions.forget_user(user_id);
    Ok(())
}

/// Change your own password: the current one is checked (and guessing it is throttled like
/// sign-in), every session ends and a notice is mailed.
pub async fn change(
    ctx: &Context,
    actor: &Actor,
    meta: &RequestMeta,
    body: PasswordChange,
) -> Result<(), AppError> {
    policy::check(
        &body.new,
        &[&actor.email, &actor.full_name],
        "new",
        meta.lang,
    )?;
    let key = throttle::account_key(&normalize_email(&actor.email));
    let (k, email, settings) = (key.clone(), actor.email.clone(), ctx.settings.clone());
    let counted = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let limits = [Limit {
                    key: &k,
                    threshold: settings.auth.lockout_threshold,
                }];
                Ok(
                    match throttle::begin_attempt(conn, &limits, now(), &settings.auth)? {
                        Err(secs) => Err(secs),
                        Ok(()) => Ok(
                            user_store::credentials(conn, &email)?.and_then(|c| c.password_hash)
                        ),
                    },
                )
            })
        })
        .await?;
    let stored = counted.map_err(|retry_after| AppError::TooManyAttempts { retry_after })?;
    if !ctx.hasher.verify(body.current, stored).await? {
        return Err(AppError::field(
            "current",
            meta.lang.pick(
                "Mật khẩu hiện tại không đúng.",
                "The current password is wrong.",
            ),
        ));
    }
    let hash = ctx.hasher.hash(body.new).await?;
    let (user_id, m) = (actor.id, meta.clone());
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            set_password(conn, user_id, &hash, AuditAction::PasswordChanged, &m)
        })
    })
    .await?;
    ctx.sessions.forget_user(user_id);
    Ok(())
}
