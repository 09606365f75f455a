use actix_web::{get, web};

use crate::audit::chain::{self, Verification};
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

/// Walk the audit log's hash chain (admin): intact, or the first row that was altered,
/// deleted or inserted out of order; and the hash at its end, to keep elsewhere.
#[utoipa::path(
    tag = "administration",
    responses((status = 200, body = Verification)),
    security(("bearer" = []))
)]
#[get("/admin/audit/verify")]
pub async fn verify_audit_log(
    ctx: Ctx,
    _admin: Authorized<Admin>,
) -> Result<web::Json<Verification>, AppError> {
    Ok(web::Json(ctx.db(|conn| Ok(chain::verify(conn)?)).await?))
}
