use actix_web::{delete, get, patch, post, web, HttpResponse};

use crate::accounts::service::sessions::{self, Ending};
use crate::accounts::service::{passwords, users};
use crate::accounts::types::{MeUpdate, PasswordChange, SessionView, UserView};
use crate::error::AppError;
use crate::http::extract::{Ctx, Json};
use crate::identity::{Actor, RequestMeta};
use crate::pagination::{Page, PageParams};

/// Change your own settings: today, whether moderators get the daily digest.
#[utoipa::path(
    tag = "me",
    request_body = MeUpdate,
    responses((status = 200, body = UserView)),
    security(("bearer" = []))
)]
#[patch("/me")]
pub async fn update_me(
    ctx: Ctx,
    actor: Actor,
    body: Json<MeUpdate>,
) -> Result<web::Json<UserView>, AppError> {
    let update = body.parse()?;
    Ok(web::Json(
        ctx.db(move |conn| users::update_me(conn, &actor, update))
            .await?,
    ))
}

/// Your live sessions, newest first.
#[utoipa::path(
    tag = "me",
    params(PageParams),
    responses((status = 200, body = Page<SessionView>)),
    security(("bearer" = []))
)]
#[get("/me/sessions")]
pub async fn list_sessions(
    ctx: Ctx,
    actor: Actor,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<SessionView>>, AppError> {
    Ok(web::Json(
        sessions::list(&ctx, &actor, page.into_inner()).await?,
    ))
}

/// End one of your sessions (404 if it is not yours or already over).
#[utoipa::path(
    tag = "me",
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 204)),
    security(("bearer" = []))
)]
#[delete("/me/sessions/{id}")]
pub async fn revoke_session(
    ctx: Ctx,
    actor: Actor,
    meta: RequestMeta,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    sessions::end(&ctx, &actor, &meta, Ending::One(path.into_inner())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign out everywhere, this session included.
#[utoipa::path(tag = "me", responses((status = 204)), security(("bearer" = [])))]
#[delete("/me/sessions")]
pub async fn revoke_all_sessions(
    ctx: Ctx,
    actor: Actor,
    meta: RequestMeta,
) -> Result<HttpResponse, AppError> {
    sessions::end(&ctx, &actor, &meta, Ending::All).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change your password. Every session ends (sign in again) and a notice is mailed.
#[utoipa::path(
    tag = "me",
    request_body = PasswordChange,
    responses(
        (status = 204),
        (status = 422, description = "Wrong current password or weak new one"),
        (status = 429, description = "Too many wrong current passwords; see Retry-After"),
    ),
    security(("bearer" = []))
)]
#[post("/me/password")]
pub async fn change_password(
    ctx: Ctx,
    actor: Actor,
    meta: RequestMeta,
    body: Json<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    passwords::change(&ctx, &actor, &meta, body.parse()?).await?;
    Ok(HttpResponse::NoContent().finish())
}
