use actix_web::{get, post, put, web};

use crate::drafts::types::Document;
use crate::error::AppError;
use crate::http::auth::{Authorized, Secretariat};
use crate::http::extract::{Ctx, Json};
use crate::identity::RequestMeta;
use crate::pagination::Page;
use crate::responses::service;
use crate::responses::types::{Response, ResponseInput, ResponseQuery, SharedResponseInput};

/// Record or change how an approved comment was handled — tiếp thu, giải trình (secretariat).
/// The author is mailed when the first response is recorded; each change is kept.
#[utoipa::path(
    tag = "responses",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = ResponseInput,
    responses(
        (status = 200, body = Response),
        (status = 409, description = "The comment is not approved (`not_approved`) or the draft is archived (`document_archived`)"),
    ),
    security(("bearer" = []))
)]
#[put("/comments/{id}/response")]
pub async fn respond(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<ResponseInput>,
) -> Result<web::Json<Response>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    let body = body.parse()?;
    Ok(web::Json(
        ctx.db(move |conn| service::record(conn, &actor, &meta, id, body))
            .await?,
    ))
}

/// A comment's response and its earlier versions (secretariat).
#[utoipa::path(
    tag = "responses",
    params(("id" = i64, Path, description = "Comment id")),
    responses((status = 200, body = Response)),
    security(("bearer" = []))
)]
#[get("/comments/{id}/response")]
pub async fn get_response(
    ctx: Ctx,
    _user: Authorized<Secretariat>,
    path: web::Path<i64>,
) -> Result<web::Json<Response>, AppError> {
    let id = path.into_inner();
    Ok(web::Json(ctx.db(move |conn| service::get(conn, id)).await?))
}

/// One response shared by many approved comments of a draft, all or none (secretariat).
#[utoipa::path(
    tag = "responses",
    params(("id" = i64, Path, description = "Document id")),
    request_body = SharedResponseInput,
    responses(
        (status = 200, body = Vec<Response>),
        (status = 409, description = "A comment is not approved, or the draft is archived"),
    ),
    security(("bearer" = []))
)]
#[post("/documents/{id}/responses")]
pub async fn respond_shared(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<SharedResponseInput>,
) -> Result<web::Json<Vec<Response>>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    let body = body.parse()?;
    Ok(web::Json(
        ctx.db(move |conn| service::record_shared(conn, &actor, &meta, id, body))
            .await?,
    ))
}

/// A draft's responses, in comment order (secretariat).
#[utoipa::path(
    tag = "responses",
    params(("id" = i64, Path, description = "Document id"), ResponseQuery),
    responses((status = 200, body = Page<Response>)),
    security(("bearer" = []))
)]
#[get("/documents/{id}/responses")]
pub async fn list_responses(
    ctx: Ctx,
    _user: Authorized<Secretariat>,
    path: web::Path<i64>,
    query: web::Query<ResponseQuery>,
) -> Result<web::Json<Page<Response>>, AppError> {
    let (id, query) = (path.into_inner(), query.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::list(conn, id, query)).await?,
    ))
}

/// Archive a closed draft: its comments and responses are frozen for good (secretariat).
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    responses(
        (status = 200, body = Document),
        (status = 409, description = "The draft is not closed, or is archived already (`invalid_document_state`)"),
    ),
    security(("bearer" = []))
)]
#[post("/documents/{id}/archive")]
pub async fn archive(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<i64>,
) -> Result<web::Json<Document>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::archive(conn, &actor, &meta, id))
            .await?,
    ))
}
