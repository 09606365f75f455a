use actix_web::{get, post, web, HttpResponse};

use crate::accounts::service::sessions::Ending;
use crate::accounts::service::{login as login_service, passwords, sessions, users};
use crate::accounts::tokens::Purpose;
use crate::accounts::types::{LoginRequest, LoginResponse, ResetRequest, TokenPassword, UserView};
use crate::error::AppError;
use crate::http::extract::{Ctx, Json};
use crate::identity::{Actor, RequestMeta};

/// Sign in with email and password; returns a bearer token. Repeated failures on an account
/// or from an address are answered 429 with `Retry-After` for a while.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "Unknown email or wrong password (indistinguishable)"),
        (status = 429, description = "Too many attempts; see Retry-After"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    ctx: Ctx,
    meta: RequestMeta,
    body: Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>, AppError> {
    Ok(web::Json(
        login_service::login(&ctx, &meta, body.parse()?).await?,
    ))
}

/// End the current session.
#[utoipa::path(tag = "auth", responses((status = 204)), security(("bearer" = [])))]
#[post("/auth/logout")]
pub async fn logout(ctx: Ctx, actor: Actor, meta: RequestMeta) -> Result<HttpResponse, AppError> {
    sessions::end(&ctx, &actor, &meta, Ending::This).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user.
#[utoipa::path(tag = "auth", responses((status = 200, body = UserView)), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(ctx: Ctx, actor: Actor) -> Result<web::Json<UserView>, AppError> {
    Ok(web::Json(
        ctx.db(move |conn| users::get(conn, actor.id)).await?,
    ))
}

/// Choose a first password with the token from the activation mail.
#[utoipa::path(
    tag = "auth",
    request_body = TokenPassword,
    responses((status = 204, description = "Activated; sign in with the new password"))
)]
#[post("/auth/activate")]
pub async fn activate(
    ctx: Ctx,
    meta: RequestMeta,
    body: Json<TokenPassword>,
) -> Result<HttpResponse, AppError> {
    passwords::set_with_token(&ctx, &meta, body.parse()?, Purpose::Activation).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ask for a password-reset mail. Always 202, whether or not the address has an account; a
/// few mails an hour at most go to one account.
#[utoipa::path(tag = "auth", request_body = ResetRequest, responses((status = 202)))]
#[post("/auth/password-reset")]
pub async fn request_reset(
    ctx: Ctx,
    meta: RequestMeta,
    body: Json<ResetRequest>,
) -> Result<HttpResponse, AppError> {
    passwords::request_reset(&ctx.into_inner(), &meta, body.parse()?)?;
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the token from the reset mail; every session ends.
#[utoipa::path(tag = "auth", request_body = TokenPassword, responses((status = 204)))]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_reset(
    ctx: Ctx,
    meta: RequestMeta,
    body: Json<TokenPassword>,
) -> Result<HttpResponse, AppError> {
    passwords::set_with_token(&ctx, &meta, body.parse()?, Purpose::Reset).await?;
    Ok(HttpResponse::NoContent().finish())
}
