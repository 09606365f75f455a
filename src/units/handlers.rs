use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::error::{AppError, Problem};
use crate::http::auth::{Admin, Authorized};
use crate::http::{db, ClientInfo, Page, PageParams, State};
use crate::units::queries::{self, Unit};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_unit).service(list_units);
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    #[validate(length(min = 1, max = 200, message = "must be 1–200 characters"))]
    pub name: String,
    pub parent_id: Option<i64>,
}

/// Create a unit (admin).
#[utoipa::path(
    tag = "admin",
    request_body = NewUnit,
    responses(
        (status = 201, body = Unit),
        (status = 409, description = "Sibling with the same name", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/units")]
pub async fn create_unit(
    state: State,
    req: HttpRequest,
    admin: Authorized<Admin>,
    body: web::Json<NewUnit>,
) -> Result<HttpResponse, AppError> {
    let mut body = body.into_inner();
    body.name = crate::text::clean(&body.name);
    body.validate()?;
    let client = ClientInfo::from_request(&req);
    let actor = admin.id;
    let unit = db(&state, move |conn| {
        let id = queries::create_unit(conn, Some(actor), &body.name, body.parent_id, &client)?;
        queries::get_unit(conn, id)
    })
    .await?;
    Ok(HttpResponse::Created().json(unit))
}

/// List units (admin), paginated by id.
#[utoipa::path(
    tag = "admin",
    params(PageParams),
    responses((status = 200, body = Page<Unit>)),
    security(("bearer" = []))
)]
#[get("/units")]
pub async fn list_units(
    state: State,
    _admin: Authorized<Admin>,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Unit>>, AppError> {
    let (after, limit) = (page.after()?, page.limit()?);
    let rows = db(&state, move |conn| {
        Ok(queries::list_units(conn, after, limit)?)
    })
    .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |u| u.id)))
}
