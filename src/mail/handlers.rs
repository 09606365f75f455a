use actix_web::{get, post, web, HttpRequest};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit::{self, Entry};
use crate::db::write_tx;
use crate::error::{AppError, Problem};
use crate::http::auth::{Admin, Authorized};
use crate::http::{db, keyset, ClientInfo, Page, State};
use crate::mail::outbox::{self, OutboxStatus, OutboxView};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_outbox).service(retry_outbox);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    pub status: Option<OutboxStatus>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// Outgoing mail, newest first (admin); `status=failed` lists what gave up.
#[utoipa::path(
    tag = "admin",
    params(OutboxQuery),
    responses((status = 200, body = Page<OutboxView>), (status = 403, body = Problem)),
    security(("bearer" = []))
)]
#[get("/admin/outbox")]
pub async fn list_outbox(
    state: State,
    _admin: Authorized<Admin>,
    query: web::Query<OutboxQuery>,
) -> Result<web::Json<Page<OutboxView>>, AppError> {
    let q = query.into_inner();
    let (before, limit) = keyset(q.cursor, q.limit)?;
    let status = q.status;
    let rows = db(&state, move |conn| {
        Ok(outbox::list(conn, status, before, limit)?)
    })
    .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |m| m.id)))
}

/// Send a failed (or pending) mail again, with a fresh count of attempts (admin).
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "Outbox id")),
    responses((status = 200, body = OutboxView), (status = 404, body = Problem), (status = 409, description = "Already sent", body = Problem)),
    security(("bearer" = []))
)]
#[post("/admin/outbox/{id}/retry")]
pub async fn retry_outbox(
    state: State,
    req: HttpRequest,
    admin: Authorized<Admin>,
    path: web::Path<i64>,
) -> Result<web::Json<OutboxView>, AppError> {
    let id = path.into_inner();
    let client = ClientInfo::from_request(&req);
    let actor = admin.id;
    let view = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let view = outbox::retry(conn, id)?;
            audit::record(
                conn,
                Entry {
                    actor_id: Some(actor),
                    action: "mail.retry",
                    entity: "mail",
                    entity_id: Some(id),
                    detail: serde_json::Value::Null,
                },
                &client,
            )?;
            Ok(view)
        })
    })
    .await?;
    Ok(web::Json(view))
}
