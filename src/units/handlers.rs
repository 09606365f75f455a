use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::accounts::admin::double_option;
use crate::error::{AppError, Problem};
use crate::http::auth::{Admin, Authorized};
use crate::http::{db, ClientInfo, Page, PageParams, State};
use crate::units::queries::{self, Unit, UnitChange};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_unit)
        .service(list_units)
        .service(update_unit);
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

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    #[validate(length(min = 1, max = 200, message = "must be 1–200 characters"))]
    pub name: Option<String>,
    /// New parent unit, or null for the top of the tree.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    /// false deactivates the unit (its people keep their accounts).
    pub active: Option<bool>,
}

/// Rename, move or deactivate a unit (admin). Moving a unit under itself or its own
/// sub-units is refused with 409.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "Unit id")),
    request_body = UnitPatch,
    responses(
        (status = 200, body = Unit),
        (status = 404, body = Problem),
        (status = 409, description = "Cycle, or a sibling has the name", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/units/{id}")]
pub async fn update_unit(
    state: State,
    req: HttpRequest,
    admin: Authorized<Admin>,
    path: web::Path<i64>,
    body: web::Json<UnitPatch>,
) -> Result<web::Json<Unit>, AppError> {
    let mut body = body.into_inner();
    body.name = body.name.map(|n| crate::text::clean(&n));
    body.validate()?;
    let id = path.into_inner();
    let client = ClientInfo::from_request(&req);
    let actor = admin.id;
    let change = UnitChange {
        name: body.name,
        parent_id: body.parent_id,
        active: body.active,
    };
    let unit = db(&state, move |conn| {
        queries::update_unit(conn, actor, id, &change, &client)?;
        queries::get_unit(conn, id)
    })
    .await?;
    Ok(web::Json(unit))
}
