//! Signing in, and finding who is behind a token.

use chrono::Duration;
use validator::Validate;

use crate::accounts::store::{sessions as session_store, users as user_store};
use crate::accounts::throttle::{self, Limit};
use crate::accounts::tokens::{hash_token, new_token};
use crate::accounts::types::{normalize_email, LoginRequest, LoginResponse};
use crate::audit::{self, AuditAction, Event};
use crate::context::Context;
use crate::db::{now, write_tx};
use crate::error::AppError;
use crate::identity::{Actor, RequestMeta};

/// Sign in. The attempt is counted against the account before the password is verified, so a
/// burst of guesses is verified at most as often as the threshold allows; a failure is counted
/// against the client's address afterwards.
pub async fn login(
    ctx: &Context,
    meta: &RequestMeta,
    body: LoginRequest,
) -> Result<LoginResponse, AppError> {
    body.validate()?;
    // Shed a flood before it costs any database work.
    let slot = ctx.hasher.reserve()?;
    let email = normalize_email(&body.email);
    let account = throttle::account_key(&email);
    let ip = meta.ip.as_deref().map(throttle::ip_key);
    let settings = ctx.settings.clone();

    let (a, i, e, m, s) = (
        account.clone(),
        ip.clone(),
        email.clone(),
        meta.clone(),
        settings.clone(),
    );
    let (locked, mut found) = ctx
        .db(move |conn| {
            let limits = [Limit {
                key: &a,
                threshold: s.auth.lockout_threshold,
            }];
            let address_locked = |conn: &mut crate::db::DbConn, at| match &i {
                Some(ip) => throttle::locked_for(conn, std::slice::from_ref(ip), at),
                None => Ok(None),
            };
            // The usual sign-in (the address not locked, no failures counted against the
            // account) is counted by creating the account's counter, a statement of its own.
            let at = now();
            if address_locked(conn, at)?.is_none()
                && throttle::first_attempt(conn, &limits[0], at, &s.auth)?
            {
                return Ok((None, user_store::for_sign_in(conn, &e)?));
            }
            write_tx(conn, |conn| {
                let at = now();
                let counted = match address_locked(conn, at)? {
                    Some(secs) => Err(secs),
                    None => throttle::begin_attempt(conn, &limits, at, &s.auth)?,
                };
                match counted {
                    Err(secs) => {
                        let detail = serde_json::json!({ "email": e, "retry_after": secs });
                        audit::record(
                            conn,
                            None,
                            &m,
                            Event::new(AuditAction::LoginThrottled, None, detail),
                        )?;
                        Ok::<_, AppError>((Some(secs), None))
                    }
                    Ok(()) => Ok((None, user_store::for_sign_in(conn, &e)?)),
                }
            })
        })
        .await?;
    if let Some(retry_after) = locked {
        return Err(AppError::TooManyAttempts { retry_after });
    }
    let user_id = found.as_ref().map(|f| f.row.id);
    let stored = found.as_mut().and_then(|f| f.password_hash.take());
    let rehash = stored
        .as_deref()
        .is_some_and(|h| ctx.hasher.needs_rehash(h));
    let ok = ctx
        .hasher
        .verify_in(slot, body.password.clone(), stored)
        .await?;

    let Some(found) = found.filter(|_| ok) else {
        let (m, s) = (meta.clone(), settings.clone());
        ctx.db(move |conn| {
            write_tx(conn, |conn| {
                let at = now();
                if let Some(ip) = &ip {
                    let limit = Limit {
                        key: ip,
                        threshold: s.auth.ip_lockout_threshold,
                    };
                    throttle::record_failure(conn, &limit, at, &s.auth)?;
                }
                let detail = serde_json::json!({ "email": email });
                audit::record(
                    conn,
                    None,
                    &m,
                    Event::new(AuditAction::LoginFailed, user_id, detail.clone()),
                )?;
                if throttle::locked_for(conn, &[account], at)?.is_some() {
                    audit::record(
                        conn,
                        None,
                        &m,
                        Event::new(AuditAction::AccountLocked, user_id, detail),
                    )?;
                }
                Ok(())
            })
        })
        .await?;
        return Err(AppError::InvalidCredentials);
    };

    let id = found.row.id;
    // Parameters changed since this hash was made: store a fresh one now we know the password.
    let new_hash = match rehash {
        true => Some(ctx.hasher.hash(body.password).await?),
        false => None,
    };
    let m = meta.clone();
    ctx.db(move |conn| {
        let (token, expires_at) = write_tx(conn, |conn| {
            throttle::clear(conn, &[account])?;
            let (token, expires_at) =
                open_session(conn, id, settings.auth.session_ttl_minutes, &m)?;
            if let Some(hash) = &new_hash {
                user_store::store_hash(conn, id, hash, now())?;
            }
            let detail = serde_json::json!({ "rehashed": new_hash.is_some() });
            audit::record(
                conn,
                Some(id),
                &m,
                Event::new(AuditAction::Login, Some(id), detail),
            )?;
            Ok::<_, AppError>((token, expires_at))
        })?;
        Ok(LoginResponse {
            token,
            expires_at: expires_at.and_utc(),
            user: found.row.into_view(found.roles),
        })
    })
    .await
}

/// A new session for `user_id`: its token (handed out once) and when it expires.
pub fn open_session(
    conn: &mut crate::db::DbConn,
    user_id: i64,
    ttl_minutes: i64,
    meta: &RequestMeta,
) -> diesel::QueryResult<(String, chrono::NaiveDateTime)> {
    let at = now();
    let token = new_token();
    let expires_at = at + Duration::minutes(ttl_minutes);
    session_store::insert(conn, user_id, &hash_token(&token), at, expires_at, meta)?;
    Ok((token, expires_at))
}

/// The person behind a live bearer token (or session cookie), if any. A session ends at its
/// absolute expiry or after `auth.session_idle_minutes` without use; use is recorded at most
/// once a minute. Answers from the session cache when it can.
pub async fn authenticate(ctx: &Context, token: &str) -> Result<Option<Actor>, AppError> {
    let hash = hash_token(token);
    if let Some(actor) = ctx.sessions.get(&hash) {
        return Ok(Some(actor));
    }
    let idle = ctx.settings.auth.session_idle_minutes;
    let h = hash.clone();
    let found = ctx
        .db(move |conn| {
            let at = now();
            let Some((actor, last_seen)) = session_store::live(conn, &h, at, idle)? else {
                return Ok(None);
            };
            if at - last_seen > Duration::seconds(60) {
                if let Some(session) = actor.session_id {
                    session_store::touch(conn, session, at)?;
                }
            }
            Ok(Some(actor))
        })
        .await?;
    if let Some(actor) = &found {
        ctx.sessions.put(hash, actor.clone());
    }
    Ok(found)
}
