use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit::{list, AuditEvent, AuditFilter};
use crate::error::{AppError, Problem};
use crate::http::auth::{Admin, Authorized};
use crate::http::{db, keyset, Page, State};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(audit_log);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// e.g. `auth.login_failed`, `user.roles_changed`, `comment.moderate`
    pub action: Option<String>,
    /// `user`, `unit`, `document`, `section`, `comment`, `session`, `roster`, `mail`
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// The audit log, newest first (admin): every state change and authentication event, with
/// time, client address and user agent.
#[utoipa::path(
    tag = "admin",
    params(AuditQuery),
    responses((status = 200, body = Page<AuditEvent>), (status = 403, body = Problem)),
    security(("bearer" = []))
)]
#[get("/admin/audit")]
pub async fn audit_log(
    state: State,
    _admin: Authorized<Admin>,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEvent>>, AppError> {
    let q = query.into_inner();
    let (before, limit) = keyset(q.cursor, q.limit)?;
    let filter = AuditFilter {
        action: q.action,
        entity: q.entity,
        entity_id: q.entity_id,
        actor_id: q.actor_id,
    };
    let rows = db(&state, move |conn| Ok(list(conn, &filter, before, limit)?)).await?;
    Ok(web::Json(Page::from_rows(rows, limit, |e| e.id)))
}
