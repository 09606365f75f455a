use actix_web::{post, web, HttpRequest};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{AppError, Problem};
use crate::http::auth::{Admin, Authorized};
use crate::http::{db, ClientInfo, State};
use crate::roster::import::{apply, ImportContext, Report};

/// Largest roster accepted over HTTP (a 10,000-person roster is under 1 MB).
const MAX_ROSTER_BYTES: usize = 20 * 1024 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(import_roster);
}

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
    tag = "admin",
    params(RosterQuery),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, body = Report),
        (status = 413, body = Problem),
        (status = 422, description = "Bad rows: `rows` lists line, column and reason; nothing applied", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/admin/roster")]
pub async fn import_roster(
    state: State,
    req: HttpRequest,
    admin: Authorized<Admin>,
    query: web::Query<RosterQuery>,
    mut payload: web::Payload,
) -> Result<web::Json<Report>, AppError> {
    let mut data = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(e.to_string()))?;
        if data.len() + chunk.len() > MAX_ROSTER_BYTES {
            return Err(AppError::PayloadTooLarge);
        }
        data.extend_from_slice(&chunk);
    }
    let client = ClientInfo::from_request(&req);
    let actor = admin.id;
    let dry_run = query.dry_run;
    let settings = state.settings.clone();
    let report = db(&state, move |conn| {
        let rows = crate::roster::parse(&data).map_err(AppError::InvalidRows)?;
        let ctx = ImportContext {
            actor: Some(actor),
            settings: &settings,
            client: &client,
            dry_run,
        };
        apply(conn, &rows, &ctx, &mut |_| {})
    })
    .await?;
    state.sessions.clear();
    Ok(web::Json(report))
}
