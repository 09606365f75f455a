use actix_web::{get, post, web};

use crate::comments::types::Comment;
use crate::error::AppError;
use crate::http::auth::{Authorized, Moderator};
use crate::http::extract::{Ctx, Json};
use crate::identity::RequestMeta;
use crate::moderation::service;
use crate::moderation::types::{ModerationRequest, QueueQuery};
use crate::pagination::Page;

/// Pending and flagged comments, oldest first (moderators).
#[utoipa::path(
    tag = "moderation",
    params(QueueQuery),
    responses((status = 200, body = Page<Comment>)),
    security(("bearer" = []))
)]
#[get("/moderation/queue")]
pub async fn moderation_queue(
    ctx: Ctx,
    _user: Authorized<Moderator>,
    query: web::Query<QueueQuery>,
) -> Result<web::Json<Page<Comment>>, AppError> {
    let query = query.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::queue(conn, query)).await?,
    ))
}

/// Approve, reject (with a reason) or flag a comment for escalation (moderators).
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = ModerationRequest,
    responses(
        (status = 200, body = Comment),
        (status = 403, description = "Not a moderator, or your own comment"),
        (status = 409, description = "Not allowed from the comment's current state"),
        (status = 422, description = "Reject without a reason"),
    ),
    security(("bearer" = []))
)]
#[post("/comments/{id}/moderation")]
pub async fn moderate(
    ctx: Ctx,
    user: Authorized<Moderator>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<ModerationRequest>,
) -> Result<web::Json<Comment>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::decide(conn, &actor, &meta, id, body.parse()?))
            .await?,
    ))
}
