use actix_web::{post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::http::auth::{Admin, Authorized};
use crate::http::extract::{read_body, Ctx};
use crate::identity::RequestMeta;
use crate::roster::service::{self, Report};

/// Largest roster accepted over HTTP (a 10,000-person roster is under 1 MB).
const MAX_ROSTER_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RosterQuery {
    /// Check and report without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// Import a staff roster (admin). The body is the CSV file itself (`text/csv`, UTF-8):
/// `email,full_name,unit_path,roles`, e.g. `a@so.gov.vn,Nguyễn Văn A,Sở Nội vụ/Văn phòng Sở,"employee,moderator"`.
/// Missing units are created; people are created (with an activation mail) or updated by
/// email; nobody is deleted. All or nothing: any bad row → 422 listing every problem.
#[utoipa::path(
    tag = "administration",
    params(RosterQuery),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, body = Report),
        (status = 422, description = "Bad rows: `rows` lists line, column and reason; nothing applied"),
    ),
    security(("bearer" = []))
)]
#[post("/admin/roster")]
pub async fn import_roster(
    ctx: Ctx,
    admin: Authorized<Admin>,
    meta: RequestMeta,
    query: web::Query<RosterQuery>,
    payload: web::Payload,
) -> Result<web::Json<Report>, AppError> {
    let data = read_body(payload, MAX_ROSTER_BYTES).await?;
    Ok(web::Json(
        service::import_now(&ctx, &admin, &meta, data, query.dry_run).await?,
    ))
}
