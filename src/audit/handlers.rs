use actix_web::{get, web};

use crate::audit::service;
use crate::audit::types::{AuditEvent, AuditQuery};
use crate::error::AppError;
use crate::http::auth::{Admin, Authorized};
use crate::http::extract::Ctx;
use crate::pagination::Page;

/// The audit log, newest first (admin): every state change and authentication event, with
/// time, client address and user agent.
#[utoipa::path(
    tag = "administration",
    params(AuditQuery),
    responses((status = 200, body = Page<AuditEvent>)),
    security(("bearer" = []))
)]
#[get("/admin/audit")]
pub async fn audit_log(
    ctx: Ctx,
    _admin: Authorized<Admin>,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEvent>>, AppError> {
    let query = query.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::list(conn, &query)).await?,
    ))
}
