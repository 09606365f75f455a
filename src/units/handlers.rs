use actix_web::{get, patch, post, web, HttpResponse};

use crate::error::AppError;
use crate::http::auth::{Admin, Authorized};
use crate::http::extract::{Ctx, Json};
use crate::identity::RequestMeta;
use crate::pagination::{Page, PageParams};
use crate::units::service;
use crate::units::types::{NewUnit, Unit, UnitPatch};

/// Create a unit (admin).
#[utoipa::path(
    tag = "administration",
    request_body = NewUnit,
    responses((status = 201, body = Unit), (status = 409, description = "Sibling with the same name")),
    security(("bearer" = []))
)]
#[post("/units")]
pub async fn create_unit(
    ctx: Ctx,
    admin: Authorized<Admin>,
    meta: RequestMeta,
    body: Json<NewUnit>,
) -> Result<HttpResponse, AppError> {
    let actor = admin.into_actor();
    let unit = ctx
        .db(move |conn| service::create(conn, Some(&actor), &meta, body.parse()?))
        .await?;
    Ok(HttpResponse::Created().json(unit))
}

/// List units (admin), paginated by id.
#[utoipa::path(
    tag = "administration",
    params(PageParams),
    responses((status = 200, body = Page<Unit>)),
    security(("bearer" = []))
)]
#[get("/units")]
pub async fn list_units(
    ctx: Ctx,
    _admin: Authorized<Admin>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Unit>>, AppError> {
    let page = page.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::list(conn, page)).await?,
    ))
}

/// Rename, move or deactivate a unit (admin). Moving a unit under itself or its own
/// sub-units is refused with 409.
#[utoipa::path(
    tag = "administration",
    params(("id" = i64, Path, description = "Unit id")),
    request_body = UnitPatch,
    responses((status = 200, body = Unit), (status = 409, description = "Cycle, or a sibling has the name")),
    security(("bearer" = []))
)]
#[patch("/units/{id}")]
pub async fn update_unit(
    ctx: Ctx,
    admin: Authorized<Admin>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<UnitPatch>,
) -> Result<web::Json<Unit>, AppError> {
    let (actor, id) = (admin.into_actor(), path.into_inner());
    let unit = ctx
        .db(move |conn| service::update(conn, &actor, &meta, id, body.parse()?))
        .await?;
    Ok(web::Json(unit))
}
