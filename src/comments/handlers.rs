use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};

use crate::comments::idempotency::HEADER;
use crate::comments::intake::Intake;
use crate::comments::page_cache::PageCache;
use crate::comments::types::{
    Comment, CommentDetail, CommentEdit, CommentQuery, NewComment, ScreeningTerms,
};
use crate::comments::writer::CommentWriter;
use crate::comments::{edits, service};
use crate::error::AppError;
use crate::http::auth::{Admin, Authorized, Employee};
use crate::http::extract::{Ctx, Json};
use crate::identity::{Actor, RequestMeta};
use crate::pagination::{Page, PageParams};

/// Comment on a section, or on the whole draft when `section_id` is absent (employees).
/// With an `Idempotency-Key` header a retry returns the first result (200) and creates nothing.
#[utoipa::path(
    tag = "comments",
    params(
        ("id" = i64, Path, description = "Document id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = r"^[!-~]{1,255}$",
            description = "Any unique string per comment (a UUID): 1–255 visible ASCII characters; retries reuse it"),
    ),
    request_body = NewComment,
    responses(
        (status = 201, description = "Received; pending moderation", body = Comment),
        (status = 200, description = "A retry of an earlier request with the same Idempotency-Key", body = Comment),
        (status = 409, description = "Consultation not open (not published, not started or closed)"),
        (status = 422, description = "Invalid body, or the key was used for another comment"),
    ),
    security(("bearer" = []))
)]
#[post("/documents/{id}/comments")]
pub async fn create_comment(
    ctx: Ctx,
    writer: web::Data<CommentWriter>,
    req: HttpRequest,
    user: Authorized<Employee>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<NewComment>,
) -> Result<HttpResponse, AppError> {
    let key = match req.headers().get(HEADER) {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| AppError::field(HEADER, "must be visible ASCII"))?
                .to_owned(),
        ),
        None => None,
    };
    let (created, comment) = service::submit(
        &ctx,
        &writer,
        &user,
        &meta,
        path.into_inner(),
        body.parse()?,
        key,
    )
    .await?;
    Ok(if created {
        HttpResponse::Created().json(comment)
    } else {
        HttpResponse::Ok().json(comment)
    })
}

/// Comments on a document, oldest first: approved ones plus your own; moderators and the
/// secretariat see every state.
#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Document id"), CommentQuery),
    responses((status = 200, body = Page<Comment>)),
    security(("bearer" = []))
)]
#[get("/documents/{id}/comments")]
pub async fn list_document_comments(
    ctx: Ctx,
    actor: Actor,
    path: web::Path<i64>,
    query: web::Query<CommentQuery>,
    pages: web::Data<PageCache>,
) -> Result<HttpResponse, AppError> {
    let (id, query, pages) = (path.into_inner(), query.into_inner(), pages.into_inner());
    let json = ctx
        .read(actor.id, move |conn| {
            service::for_document(conn, &pages, &actor, id, query.clone())
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(json))
}

/// Your own comments in every state, newest first.
#[utoipa::path(
    tag = "comments",
    params(PageParams),
    responses((status = 200, body = Page<Comment>)),
    security(("bearer" = []))
)]
#[get("/me/comments")]
pub async fn my_comments(
    ctx: Ctx,
    actor: Actor,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Comment>>, AppError> {
    let page = page.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::mine(conn, &actor, page))
            .await?,
    ))
}

/// Change your pending comment's text while no moderator holds it (its author); fields left
/// out stay. The earlier text is kept (`revisions`) and the change shows in the history; the
/// new text is screened again.
#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = CommentEdit,
    responses(
        (status = 200, body = Comment),
        (status = 403, description = "Someone else's comment"),
        (status = 409, description = "Decided (`invalid_transition`) or being reviewed (`under_review`)"),
        (status = 422, description = "Invalid text"),
    ),
    security(("bearer" = []))
)]
#[patch("/comments/{id}")]
pub async fn edit_comment(
    ctx: Ctx,
    user: Authorized<Employee>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<CommentEdit>,
) -> Result<web::Json<Comment>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    let intake = Intake::from(&ctx.settings.moderation);
    Ok(web::Json(
        ctx.db(move |conn| edits::edit(conn, &actor, &meta, id, body.parse()?, intake))
            .await?,
    ))
}

/// Withdraw your comment before it is decided (its author): it becomes `withdrawn` and leaves
/// the queue.
#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    responses(
        (status = 200, body = Comment),
        (status = 403, description = "Someone else's comment"),
        (status = 409, description = "Already decided or withdrawn"),
    ),
    security(("bearer" = []))
)]
#[post("/comments/{id}/withdraw")]
pub async fn withdraw_comment(
    ctx: Ctx,
    user: Authorized<Employee>,
    meta: RequestMeta,
    path: web::Path<i64>,
) -> Result<web::Json<Comment>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| edits::withdraw(conn, &actor, &meta, id))
            .await?,
    ))
}

/// One comment with its moderation history.
#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    responses((status = 200, body = CommentDetail)),
    security(("bearer" = []))
)]
#[get("/comments/{id}")]
pub async fn get_comment(
    ctx: Ctx,
    actor: Actor,
    path: web::Path<i64>,
) -> Result<web::Json<CommentDetail>, AppError> {
    let id = path.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::detail(conn, id, &actor))
            .await?,
    ))
}

/// The terms screening looks for in new comments (admins).
#[utoipa::path(
    tag = "administration",
    responses((status = 200, body = ScreeningTerms)),
    security(("bearer" = []))
)]
#[get("/admin/screening/terms")]
pub async fn screening_terms(
    ctx: Ctx,
    _admin: Authorized<Admin>,
) -> Result<web::Json<ScreeningTerms>, AppError> {
    Ok(web::Json(ctx.db(service::screening_terms).await?))
}

/// Replace the terms screening looks for (admins); comments written from now on are screened
/// against the new list.
#[utoipa::path(
    tag = "administration",
    request_body = ScreeningTerms,
    responses(
        (status = 200, body = ScreeningTerms),
        (status = 422, description = "Too many terms, or one too long"),
    ),
    security(("bearer" = []))
)]
#[put("/admin/screening/terms")]
pub async fn set_screening_terms(
    ctx: Ctx,
    user: Authorized<Admin>,
    meta: RequestMeta,
    body: Json<ScreeningTerms>,
) -> Result<web::Json<ScreeningTerms>, AppError> {
    let actor = user.into_actor();
    Ok(web::Json(
        ctx.db(move |conn| service::set_screening_terms(conn, &actor, &meta, body.parse()?))
            .await?,
    ))
}
