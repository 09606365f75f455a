use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::http::auth::{Authorized, Secretariat};
use crate::http::extract::{read_body, Ctx};
use crate::identity::RequestMeta;
use crate::rollup::bundle::Bundle;
use crate::rollup::service::{self, Landing};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BundleQuery {
    /// One round (its number); absent: the whole consultation.
    #[param(minimum = 1)]
    pub round: Option<i32>,
}

/// The draft's approved feedback as a bundle to send to the level above (secretariat): the
/// draft's identity and version, its sections' stable ids and paths, the approved comments
/// with units and responses, and a SHA-256 manifest.
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Document id"), BundleQuery),
    responses((status = 200, body = Bundle)),
    security(("bearer" = []))
)]
#[get("/documents/{id}/rollup")]
pub async fn export_bundle(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    path: web::Path<i64>,
    query: web::Query<BundleQuery>,
) -> Result<HttpResponse, AppError> {
    let (actor, id, round) = (user.into_actor(), path.into_inner(), query.round);
    let organisation = ctx.settings.ui.organisation.clone();
    let bundle = ctx
        .db(move |conn| service::export(conn, &actor, id, round, &organisation))
        .await?;
    let name = format!("gop-y-du-thao-{id}.gopy.json");
    Ok(HttpResponse::Ok()
        .insert_header(crate::feedback::handlers::named(name.clone(), name))
        .json(bundle))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RollupQuery {
    /// The body that sent the bundle, as the report and exports will name it.
    #[param(example = "Sở Nội vụ tỉnh Hà Tĩnh")]
    pub from_unit: String,
}

/// Import a bundle from the level below into this draft (secretariat): its comments land under
/// the matching sections as contributions from `from_unit`. The same bundle twice changes
/// nothing (200 with `repeated`); a bundle of another draft or version is refused (409
/// `bundle_mismatch`), and one changed after export (422 `bundle_tampered`).
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Document id"), RollupQuery),
    request_body(content = Bundle, content_type = "application/json"),
    responses(
        (status = 201, description = "Imported", body = Landing),
        (status = 200, description = "Imported before; nothing changed", body = Landing),
        (status = 409, description = "Another draft or version (`bundle_mismatch`)"),
        (status = 413, description = "Larger than `drafts.max_import_bytes`"),
        (status = 422, description = "Not a bundle, or changed after export (`bundle_tampered`)"),
    ),
    security(("bearer" = []))
)]
#[post("/documents/{id}/rollup")]
pub async fn import_bundle(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<i64>,
    query: web::Query<RollupQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let bytes = read_body(payload, ctx.settings.drafts.max_import_bytes).await?;
    let bundle = crate::rollup::bundle::parse(&bytes)?;
    let (actor, id) = (user.into_actor(), path.into_inner());
    let from_unit = query.into_inner().from_unit;
    let landing = ctx
        .db(move |conn| service::import(conn, &actor, &meta, id, &from_unit, bundle))
        .await?;
    Ok(if landing.repeated {
        HttpResponse::Ok().json(landing)
    } else {
        HttpResponse::Created().json(landing)
    })
}
