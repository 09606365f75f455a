use actix_web::{get, post, web, HttpResponse};

use crate::drafts::service;
use crate::drafts::types::{
    Document, DocumentDetail, DocumentSearch, NewDocument, NewSection, Section,
};
use crate::error::AppError;
use crate::http::auth::{Authorized, Secretariat};
use crate::http::extract::{Ctx, Json};
use crate::identity::{Actor, RequestMeta};
use crate::pagination::Page;

/// Create a draft document (secretariat).
#[utoipa::path(
    tag = "documents",
    request_body = NewDocument,
    responses((status = 201, body = Document)),
    security(("bearer" = []))
)]
#[post("/documents")]
pub async fn create_document(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    body: Json<NewDocument>,
) -> Result<HttpResponse, AppError> {
    let actor = user.into_actor();
    let doc = ctx
        .db(move |conn| service::create(conn, &actor, &meta, body.parse()?))
        .await?;
    Ok(HttpResponse::Created().json(doc))
}

/// Add a section to a draft (secretariat).
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    request_body = NewSection,
    responses((status = 201, body = Section), (status = 409, description = "Document is no longer a draft")),
    security(("bearer" = []))
)]
#[post("/documents/{id}/sections")]
pub async fn add_section(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<NewSection>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    let section = ctx
        .db(move |conn| service::add_section(conn, &actor, &meta, id, body.parse()?))
        .await?;
    Ok(HttpResponse::Created().json(section))
}

/// Open a draft for consultation (secretariat).
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = Document), (status = 409, description = "Not a draft")),
    security(("bearer" = []))
)]
#[post("/documents/{id}/publish")]
pub async fn publish(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<i64>,
) -> Result<web::Json<Document>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::publish(conn, &actor, &meta, id))
            .await?,
    ))
}

/// End the consultation on a published draft (secretariat).
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = Document), (status = 409, description = "Not published")),
    security(("bearer" = []))
)]
#[post("/documents/{id}/close")]
pub async fn close(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<i64>,
) -> Result<web::Json<Document>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::close(conn, &actor, &meta, id))
            .await?,
    ))
}

/// Documents, newest first. Employees see published and closed ones only.
#[utoipa::path(
    tag = "documents",
    params(DocumentSearch),
    responses((status = 200, body = Page<Document>)),
    security(("bearer" = []))
)]
#[get("/documents")]
pub async fn list_documents(
    ctx: Ctx,
    actor: Actor,
    query: web::Query<DocumentSearch>,
) -> Result<web::Json<Page<Document>>, AppError> {
    let search = query.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::list(conn, &actor, search))
            .await?,
    ))
}

/// A document with its sections in reading order.
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = DocumentDetail)),
    security(("bearer" = []))
)]
#[get("/documents/{id}")]
pub async fn get_document(
    ctx: Ctx,
    actor: Actor,
    path: web::Path<i64>,
) -> Result<web::Json<DocumentDetail>, AppError> {
    let id = path.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::detail(conn, id, &actor))
            .await?,
    ))
}
