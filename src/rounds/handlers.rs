use actix_web::{get, patch, post, web, HttpResponse};

use crate::error::AppError;
use crate::http::auth::{Authorized, Secretariat};
use crate::http::extract::{Ctx, Json};
use crate::identity::{Actor, RequestMeta};
use crate::rounds::service;
use crate::rounds::types::{NewRound, Round, RoundPatch};

/// Schedule a round (đợt) of the consultation (secretariat). Rounds of one document never
/// overlap; a round consults on the current version of the text.
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    request_body = NewRound,
    responses(
        (status = 201, body = Round),
        (status = 409, description = "Overlaps another round (`rounds_overlap`), or the consultation has closed"),
    ),
    security(("bearer" = []))
)]
#[post("/documents/{id}/rounds")]
pub async fn create_round(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<NewRound>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    let round = ctx
        .db(move |conn| service::create(conn, &actor, &meta, id, body.parse()?))
        .await?;
    Ok(HttpResponse::Created().json(round))
}

/// The rounds of a document, in order.
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = Vec<Round>)),
    security(("bearer" = []))
)]
#[get("/documents/{id}/rounds")]
pub async fn list_rounds(
    ctx: Ctx,
    actor: Actor,
    path: web::Path<i64>,
) -> Result<web::Json<Vec<Round>>, AppError> {
    let id = path.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::list(conn, &actor, id)).await?,
    ))
}

/// Change a round that has not opened yet (secretariat).
#[utoipa::path(
    tag = "documents",
    params(
        ("id" = i64, Path, description = "Document id"),
        ("round_id" = i64, Path, description = "Round id"),
    ),
    request_body = RoundPatch,
    responses(
        (status = 200, body = Round),
        (status = 409, description = "The round has opened (`round_started`) or would overlap another"),
    ),
    security(("bearer" = []))
)]
#[patch("/documents/{id}/rounds/{round_id}")]
pub async fn update_round(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<(i64, i64)>,
    body: Json<RoundPatch>,
) -> Result<web::Json<Round>, AppError> {
    let (actor, ids) = (user.into_actor(), path.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::update(conn, &actor, &meta, ids, body.parse()?))
            .await?,
    ))
}
