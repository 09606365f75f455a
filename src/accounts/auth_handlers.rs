//! Sign-in, sign-out, activation and password reset.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::accounts::me_handlers::{end_sessions, Ending};
use crate::accounts::queries::{self, normalize_email};
use crate::accounts::tokens::{self, Purpose};
use crate::accounts::types::{LoginRequest, LoginResponse, UserView};
use crate::accounts::{policy, service, sessions, throttle};
use crate::audit::user_event as log;
use crate::db::write_tx;
use crate::error::{AppError, Problem};
use crate::http::auth::CurrentUser;
use crate::http::lang::Lang;
use crate::http::{db, ClientInfo, State};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(login)
        .service(logout)
        .service(me)
        .service(activate)
        .service(request_reset)
        .service(confirm_reset);
}

/// Sign in with email and password; returns a bearer token. Repeated failures on an account
/// or from an address are answered 429 with `Retry-After` for a while.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "Unknown email or wrong password (indistinguishable)", body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "Too many failures; see Retry-After", body = Problem),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: State,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>, AppError> {
    let body = body.into_inner();
    body.validate()?;
    // Shed a flood before it costs any database work.
    let slot = state.hasher.reserve()?;
    let client = ClientInfo::from_request(&req);
    let email = normalize_email(&body.email);
    let account_key = throttle::account_key(&email);
    let mut keys = vec![account_key.clone()];
    if let Some(ip) = &client.ip {
        keys.push(throttle::ip_key(ip));
    }

    let (k, e, c) = (keys.clone(), email.clone(), client.clone());
    let (locked, found) = db(&state, move |conn| {
        let locked = throttle::locked_for(conn, &k)?;
        if let Some(secs) = locked {
            log(
                conn,
                None,
                "auth.login_throttled",
                None,
                serde_json::json!({ "email": e, "retry_after": secs }),
                &c,
            )?;
        }
        Ok((locked, queries::find_for_login(conn, &e)?))
    })
    .await?;
    if let Some(retry_after) = locked {
        return Err(AppError::TooManyAttempts { retry_after });
    }
    let (user_id, stored) = match found {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    let rehash_from = stored.clone();
    let ok = state
        .hasher
        .verify_in(slot, body.password.clone(), stored)
        .await?;
    let settings = state.settings.clone();

    let Some(id) = user_id.filter(|_| ok) else {
        db(&state, move |conn| {
            write_tx(conn, |conn| {
                let a = &settings.auth;
                throttle::record_failure(conn, &keys[0], a.lockout_threshold, a)?;
                if let Some(ip_key) = keys.get(1) {
                    throttle::record_failure(conn, ip_key, a.ip_lockout_threshold, a)?;
                }
                log(
                    conn,
                    None,
                    "auth.login_failed",
                    user_id,
                    serde_json::json!({ "email": email }),
                    &client,
                )?;
                if throttle::locked_for(conn, &keys[..1])?.is_some() {
                    log(
                        conn,
                        None,
                        "auth.account_locked",
                        user_id,
                        serde_json::json!({ "email": email }),
                        &client,
                    )?;
                }
                Ok(())
            })
        })
        .await?;
        return Err(AppError::InvalidCredentials);
    };

    // Parameters changed since this hash was made: store a fresh one now we know the password.
    let new_hash = match rehash_from.filter(|h| state.hasher.needs_rehash(h)) {
        Some(_) => Some(state.hasher.hash(body.password).await?),
        None => None,
    };
    let response = db(&state, move |conn| {
        let (token, expires_at) = write_tx(conn, |conn| {
            let created = sessions::create(conn, id, settings.auth.session_ttl_minutes, &client)?;
            throttle::clear(conn, &account_key)?;
            if let Some(hash) = &new_hash {
                queries::store_hash(conn, id, hash)?;
            }
            log(
                conn,
                Some(id),
                "auth.login",
                Some(id),
                serde_json::json!({ "rehashed": new_hash.is_some() }),
                &client,
            )?;
            Ok::<_, AppError>(created)
        })?;
        Ok(LoginResponse {
            token,
            expires_at: expires_at.and_utc(),
            user: queries::get_user(conn, id)?,
        })
    })
    .await?;
    Ok(web::Json(response))
}

/// End the current session.
#[utoipa::path(tag = "auth", responses((status = 204), (status = 401, body = Problem)), security(("bearer" = [])))]
#[post("/auth/logout")]
pub async fn logout(
    state: State,
    req: HttpRequest,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    end_sessions(&state, &req, user, Ending::This).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user.
#[utoipa::path(tag = "auth", responses((status = 200, body = UserView), (status = 401, body = Problem)), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(state: State, user: CurrentUser) -> Result<web::Json<UserView>, AppError> {
    let id = user.id;
    Ok(web::Json(
        db(&state, move |conn| queries::get_user(conn, id)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenPassword {
    /// The token from the mailed link.
    pub token: String,
    pub password: String,
}

/// Apply a mailed token: check the new password, use the token, store the hash.
async fn set_with_token(
    state: &State,
    req: &HttpRequest,
    lang: Lang,
    body: TokenPassword,
    purpose: Purpose,
) -> Result<(), AppError> {
    let client = ClientInfo::from_request(req);
    let token = body.token.clone();
    // Find whose token it is first, to check the password against their name and email.
    let who = db(state, move |conn| Ok(tokens::peek(conn, &token, purpose)?)).await?;
    let (user_id, email, name) = who.ok_or_else(|| {
        AppError::field(
            "token",
            "the link is invalid, already used or expired; ask for a new one",
        )
    })?;
    policy::check(&body.password, &[&email, &name], "password", lang)?;
    let hash = state.hasher.hash(body.password).await?;
    db(state, move |conn| {
        write_tx(conn, |conn| {
            let owner = tokens::consume(conn, &body.token, purpose)?;
            if owner != user_id {
                return Err(AppError::field("token", "the link is invalid"));
            }
            let (action, notify) = match purpose {
                Purpose::Activation => ("auth.activated", false),
                Purpose::Reset => ("auth.password_reset", true),
            };
            service::set_password(conn, user_id, &hash, action, notify, &client)
        })
    })
    .await?;
    state.sessions.forget_user(user_id);
    Ok(())
}

/// Choose a first password with the token from the activation mail.
#[utoipa::path(
    tag = "auth",
    request_body = TokenPassword,
    responses((status = 204, description = "Activated; sign in with the new password"), (status = 422, body = Problem))
)]
#[post("/auth/activate")]
pub async fn activate(
    state: State,
    req: HttpRequest,
    lang: Lang,
    body: web::Json<TokenPassword>,
) -> Result<HttpResponse, AppError> {
    set_with_token(&state, &req, lang, body.into_inner(), Purpose::Activation).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    #[validate(length(min = 1, max = 320, message = "email is required"))]
    pub email: String,
}

/// Ask for a password-reset mail. Always 202, whether or not the address has an account.
#[utoipa::path(tag = "auth", request_body = ResetRequest, responses((status = 202), (status = 422, body = Problem)))]
#[post("/auth/password-reset")]
pub async fn request_reset(
    state: State,
    req: HttpRequest,
    body: web::Json<ResetRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    body.validate()?;
    let client = ClientInfo::from_request(&req);
    let settings = state.settings.clone();
    // Answered before any work is done, so the response time says nothing about the address.
    let state = state.clone();
    actix_web::rt::spawn(async move {
        let result = db(&state, move |conn| {
            write_tx(conn, |conn| {
                service::send_reset(conn, &body.email, &settings, &client)
            })
        })
        .await;
        if let Err(err) = result {
            tracing::warn!(error = %err, "password reset request failed");
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the token from the reset mail; every session ends.
#[utoipa::path(
    tag = "auth",
    request_body = TokenPassword,
    responses((status = 204), (status = 422, body = Problem))
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_reset(
    state: State,
    req: HttpRequest,
    lang: Lang,
    body: web::Json<TokenPassword>,
) -> Result<HttpResponse, AppError> {
    set_with_token(&state, &req, lang, body.into_inner(), Purpose::Reset).await?;
    Ok(HttpResponse::NoContent().finish())
}
