use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};

use crate::drafts::import::{DocxFile, Format, Outline, TextFile};
use crate::drafts::service;
use crate::drafts::types::{
    DiffQuery, Document, DocumentDetail, DocumentSearch, ImportQuery, NewDocument, NewSection,
    Section, Version, VersionDiff, VersionQuery,
};
use crate::error::AppError;
use crate::http::auth::{Authorized, Secretariat};
use crate::http::extract::{read_body, Ctx, Json};
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

/// A document with the sections of its current text (or of `version`) in reading order.
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id"), VersionQuery),
    responses((status = 200, body = DocumentDetail), (status = 404, description = "No such document or version")),
    security(("bearer" = []))
)]
#[get("/documents/{id}")]
pub async fn get_document(
    ctx: Ctx,
    actor: Actor,
    path: web::Path<i64>,
    query: web::Query<VersionQuery>,
) -> Result<web::Json<DocumentDetail>, AppError> {
    let (id, version) = (path.into_inner(), query.version);
    Ok(web::Json(
        ctx.db(move |conn| service::detail(conn, id, &actor, version))
            .await?,
    ))
}

/// Read a draft's sections from a file (secretariat): `text/plain` or `text/markdown` (UTF-8)
/// or DOCX. They replace the sections of a draft, or become the draft of the next version of a
/// published document; `dry_run=true` only shows what was found.
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id"), ImportQuery),
    request_body(
        content(
            (TextFile = "text/plain"),
            (TextFile = "text/markdown"),
            (DocxFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ),
    ),
    responses(
        (status = 200, body = Outline),
        (status = 409, description = "The consultation has closed"),
        (status = 413, description = "Larger than `drafts.max_import_bytes`"),
        (status = 415, description = "Not text, Markdown or DOCX"),
        (status = 422, description = "Legacy encoding (`legacy_encoding`) or a damaged file (`unreadable_file`)"),
    ),
    security(("bearer" = []))
)]
#[post("/documents/{id}/import")]
pub async fn import_document(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    req: HttpRequest,
    path: web::Path<i64>,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<web::Json<Outline>, AppError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = Format::from_content_type(content_type)?;
    let bytes = read_body(payload, ctx.settings.drafts.max_import_bytes).await?;
    let (actor, id, dry_run) = (
        user.into_actor(),
        path.into_inner(),
        query.dry_run.unwrap_or(false),
    );
    Ok(web::Json(
        ctx.db(move |conn| service::import(conn, &actor, &meta, id, &bytes, format, dry_run))
            .await?,
    ))
}

/// The versions of a document's text (drafts of the next one: secretariat only).
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = Vec<Version>)),
    security(("bearer" = []))
)]
#[get("/documents/{id}/versions")]
pub async fn list_versions(
    ctx: Ctx,
    actor: Actor,
    path: web::Path<i64>,
) -> Result<web::Json<Vec<Version>>, AppError> {
    let id = path.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::list_versions(conn, &actor, id))
            .await?,
    ))
}

/// Make a draft version the text under consultation (secretariat); rounds that have not
/// opened consult on it.
#[utoipa::path(
    tag = "documents",
    params(
        ("id" = i64, Path, description = "Document id"),
        ("n" = i32, Path, description = "Version number"),
    ),
    responses(
        (status = 200, body = Document),
        (status = 404, description = "No such version"),
        (status = 409, description = "Already published, or the document is not published"),
    ),
    security(("bearer" = []))
)]
#[post("/documents/{id}/versions/{n}/publish")]
pub async fn publish_version(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<(i64, i32)>,
) -> Result<web::Json<Document>, AppError> {
    let (actor, (id, n)) = (user.into_actor(), path.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::publish_version(conn, &actor, &meta, id, n))
            .await?,
    ))
}

/// How each section changed between two versions, word by word.
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id"), DiffQuery),
    responses((status = 200, body = VersionDiff), (status = 404, description = "No such document or version")),
    security(("bearer" = []))
)]
#[get("/documents/{id}/diff")]
pub async fn diff(
    ctx: Ctx,
    actor: Actor,
    path: web::Path<i64>,
    query: web::Query<DiffQuery>,
) -> Result<web::Json<VersionDiff>, AppError> {
    let (id, DiffQuery { from, to }) = (path.into_inner(), query.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::diff(conn, &actor, id, from, to))
            .await?,
    ))
}
