use actix_web::{get, post, web};

use crate::error::AppError;
use crate::http::auth::{Admin, Authorized};
use crate::http::extract::Ctx;
use crate::identity::RequestMeta;
use crate::mail::service;
use crate::mail::types::{OutboxQuery, OutboxView};
use crate::pagination::Page;

/// Outgoing mail, newest first (admin); `status=failed` lists what gave up.
#[utoipa::path(
    tag = "administration",
    params(OutboxQuery),
    responses((status = 200, body = Page<OutboxView>)),
    security(("bearer" = []))
)]
#[get("/admin/outbox")]
pub async fn list_outbox(
    ctx: Ctx,
    _admin: Authorized<Admin>,
    query: web::Query<OutboxQuery>,
) -> Result<web::Json<Page<OutboxView>>, AppError> {
    let query = query.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::list(conn, &query)).await?,
    ))
}

/// Send a failed (or pending) mail again, with a fresh count of attempts (admin).
#[utoipa::path(
    tag = "administration",
    params(("id" = i64, Path, description = "Outbox id")),
    responses((status = 200, body = OutboxView), (status = 409, description = "Already sent")),
    security(("bearer" = []))
)]
#[post("/admin/outbox/{id}/retry")]
pub async fn retry_outbox(
    ctx: Ctx,
    admin: Authorized<Admin>,
    meta: RequestMeta,
    path: web::Path<i64>,
) -> Result<web::Json<OutboxView>, AppError> {
    let (actor, id) = (admin.into_actor(), path.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::retry(conn, &actor, &meta, id))
            .await?,
    ))
}
