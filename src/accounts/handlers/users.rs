use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::accounts::service::users;
use crate::accounts::types::{NewUser, UserPatch, UserView};
use crate::error::AppError;
use crate::http::auth::{Admin, Authorized};
use crate::http::extract::{Ctx, Json};
use crate::identity::RequestMeta;
use crate::pagination::{Page, PageParams};

/// Create an account (admin). Without a password, an activation mail (valid 72 h) lets the
/// person choose one.
#[utoipa::path(
    tag = "administration",
    request_body = NewUser,
    responses((status = 201, body = UserView), (status = 409, description = "Email already used")),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create_user(
    ctx: Ctx,
    admin: Authorized<Admin>,
    meta: RequestMeta,
    body: Json<NewUser>,
) -> Result<HttpResponse, AppError> {
    let user = users::create_checked(&ctx, &admin, &meta, body.parse()?).await?;
    Ok(HttpResponse::Created().json(user))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserSearch {
    /// Name or email contains this, ignoring case and diacritics ("nguyen van" finds "Nguyễn Văn").
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// List accounts (admin), paginated.
#[utoipa::path(
    tag = "administration",
    params(UserSearch),
    responses((status = 200, body = Page<UserView>)),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(
    ctx: Ctx,
    _admin: Authorized<Admin>,
    query: web::Query<UserSearch>,
) -> Result<web::Json<Page<UserView>>, AppError> {
    let q = query.into_inner();
    let page = PageParams {
        cursor: q.cursor,
        limit: q.limit,
    };
    Ok(web::Json(
        ctx.db(move |conn| users::list(conn, q.q.as_deref(), page))
            .await?,
    ))
}

/// Change a person's name, unit, roles, language or active flag (admin). Deactivation ends
/// their sessions. Admins cannot deactivate themselves or drop their own admin role.
#[utoipa::path(
    tag = "administration",
    params(("id" = i64, Path, description = "User id")),
    request_body = UserPatch,
    responses((status = 200, body = UserView), (status = 409, description = "Would lock the admin out")),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    ctx: Ctx,
    admin: Authorized<Admin>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<UserPatch>,
) -> Result<web::Json<UserView>, AppError> {
    Ok(web::Json(
        users::update_now(&ctx, &admin, &meta, path.into_inner(), body.parse()?).await?,
    ))
}

/// Lift the temporary locks that failed sign-ins put on an account and on the addresses
/// they came from (admin).
#[utoipa::path(
    tag = "administration",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204)),
    security(("bearer" = []))
)]
#[post("/users/{id}/unlock")]
pub async fn unlock_user(
    ctx: Ctx,
    admin: Authorized<Admin>,
    meta: RequestMeta,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (admin.into_actor(), path.into_inner());
    ctx.db(move |conn| users::unlock(conn, &actor, &meta, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
