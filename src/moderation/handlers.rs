use actix_web::{delete, get, post, web};

use crate::comments::types::Comment;
use crate::error::AppError;
use crate::http::auth::{Authorized, Moderator, Secretariat};
use crate::http::extract::{Ctx, Json};
use crate::identity::RequestMeta;
use crate::moderation::clusters;
use crate::moderation::service::{self, Review};
use crate::moderation::types::{
    ClaimRequest, Claimed, Cluster, ClusterDecided, ClusterDecisionRequest, ClusterQuery,
    ModerationRequest, QueueQuery, QueuedComment, Reason, Released,
};
use crate::pagination::Page;

/// Pending and flagged comments, oldest first (moderators), each with what screening found
/// (score, labels and their spans); filtered by draft, label or minimum score.
#[utoipa::path(
    tag = "moderation",
    params(QueueQuery),
    responses((status = 200, body = Page<QueuedComment>)),
    security(("bearer" = []))
)]
#[get("/moderation/queue")]
pub async fn moderation_queue(
    ctx: Ctx,
    _user: Authorized<Moderator>,
    query: web::Query<QueueQuery>,
) -> Result<web::Json<Page<QueuedComment>>, AppError> {
    let query = query.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::queue(conn, query)).await?,
    ))
}

/// Approve, reject (with a reason) or flag a comment for escalation (moderators). With
/// four-eyes (`moderation.second_review`, on by default) a rejection is only proposed
/// (`reject_proposed`) until a different moderator confirms it (`confirm_reject`) or overturns
/// it (`approve`); the author is told only of the final decision.
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = ModerationRequest,
    responses(
        (status = 200, body = Comment),
        (status = 403, description = "Not a moderator, your own comment, or confirming your own proposal"),
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
    let review = Review::from(&ctx.settings.moderation);
    Ok(web::Json(
        ctx.db(move |conn| service::decide(conn, &actor, &meta, id, body.parse()?, review))
            .await?,
    ))
}

/// Claim a batch of the queue (moderators): the oldest pending or flagged comments nobody else
/// is working on (of one draft, if given), for `moderation.claim_minutes`. Two moderators
/// claiming at the same moment never get the same comment; another moderator's decision on a
/// claimed comment is refused with 409 `claimed_by_other` until the claim ends.
#[utoipa::path(
    tag = "moderation",
    request_body = ClaimRequest,
    responses(
        (status = 200, body = Claimed),
        (status = 422, description = "A limit outside 1–50"),
    ),
    security(("bearer" = []))
)]
#[post("/moderation/claims")]
pub async fn claim(
    ctx: Ctx,
    user: Authorized<Moderator>,
    body: Json<ClaimRequest>,
) -> Result<web::Json<Claimed>, AppError> {
    let actor = user.into_actor();
    let minutes = ctx.settings.moderation.claim_minutes;
    Ok(web::Json(
        ctx.db(move |conn| service::claim(conn, &actor, body.parse()?, minutes))
            .await?,
    ))
}

/// Give back every comment the caller has claimed (moderators).
#[utoipa::path(
    tag = "moderation",
    responses((status = 200, body = Released)),
    security(("bearer" = []))
)]
#[delete("/moderation/claims")]
pub async fn release_claims(
    ctx: Ctx,
    user: Authorized<Moderator>,
) -> Result<web::Json<Released>, AppError> {
    let actor = user.into_actor();
    Ok(web::Json(
        ctx.db(move |conn| service::release(conn, &actor)).await?,
    ))
}

/// The reason codes a decision may give, with Vietnamese and English labels (moderators).
#[utoipa::path(
    tag = "moderation",
    responses((status = 200, body = Vec<Reason>)),
    security(("bearer" = []))
)]
#[get("/moderation/reasons")]
pub async fn moderation_reasons(_user: Authorized<Moderator>) -> web::Json<Vec<Reason>> {
    web::Json(service::reasons())
}

/// Near-duplicate clusters with a member still waiting for a decision, oldest first
/// (moderators): exact and near-duplicates (small edits, reordering, other punctuation or
/// diacritics) grouped by MinHash over word shingles, confirmed by their Jaccard similarity
/// (`moderation.duplicate_threshold`).
#[utoipa::path(
    tag = "moderation",
    params(ClusterQuery),
    responses(
        (status = 200, body = Page<Cluster>),
        (status = 422, description = "min_size under 2"),
    ),
    security(("bearer" = []))
)]
#[get("/moderation/clusters")]
pub async fn list_clusters(
    ctx: Ctx,
    _user: Authorized<Moderator>,
    query: web::Query<ClusterQuery>,
) -> Result<web::Json<Page<Cluster>>, AppError> {
    let query = query.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| clusters::list(conn, query)).await?,
    ))
}

/// Decide every waiting member of a cluster at once (moderators), except those listed; each
/// member gets its own history row and its author their own notice, under the same rules as
/// one decision (four-eyes included). Members that cannot take it are listed as skipped.
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Cluster id (its first comment's id)")),
    request_body = ClusterDecisionRequest,
    responses(
        (status = 200, body = ClusterDecided),
        (status = 404, description = "No such cluster"),
        (status = 422, description = "Reject without a reason"),
    ),
    security(("bearer" = []))
)]
#[post("/moderation/clusters/{id}/decision")]
pub async fn decide_cluster(
    ctx: Ctx,
    user: Authorized<Moderator>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<ClusterDecisionRequest>,
) -> Result<web::Json<ClusterDecided>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    let review = Review::from(&ctx.settings.moderation);
    Ok(web::Json(
        ctx.db(move |conn| clusters::decide(conn, &actor, &meta, id, body.parse()?, review))
            .await?,
    ))
}

/// Rejections proposed by one moderator and waiting for a second (four-eyes), oldest first,
/// with their screening (moderators). Confirm with `confirm_reject`, overturn with `approve`.
#[utoipa::path(
    tag = "moderation",
    params(QueueQuery),
    responses((status = 200, body = Page<QueuedComment>)),
    security(("bearer" = []))
)]
#[get("/moderation/proposals")]
pub async fn proposals_queue(
    ctx: Ctx,
    _user: Authorized<Moderator>,
    query: web::Query<QueueQuery>,
) -> Result<web::Json<Page<QueuedComment>>, AppError> {
    let query = query.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::proposals(conn, query)).await?,
    ))
}

/// Comments moderators flagged for the secretariat, oldest first, with their screening
/// (secretariat).
#[utoipa::path(
    tag = "moderation",
    params(QueueQuery),
    responses((status = 200, body = Page<QueuedComment>)),
    security(("bearer" = []))
)]
#[get("/moderation/escalated")]
pub async fn escalated_queue(
    ctx: Ctx,
    _user: Authorized<Secretariat>,
    query: web::Query<QueueQuery>,
) -> Result<web::Json<Page<QueuedComment>>, AppError> {
    let query = query.into_inner();
    Ok(web::Json(
        ctx.db(move |conn| service::escalated(conn, query)).await?,
    ))
}

/// Approve or reject a flagged comment (secretariat); the author is told as after any decision.
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = ModerationRequest,
    responses(
        (status = 200, body = Comment),
        (status = 409, description = "The comment is not flagged, or the action is a flag"),
        (status = 422, description = "Reject without a reason"),
    ),
    security(("bearer" = []))
)]
#[post("/moderation/escalated/{id}/decision")]
pub async fn decide_escalated(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: Json<ModerationRequest>,
) -> Result<web::Json<Comment>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::decide_escalated(conn, &actor, &meta, id, body.parse()?))
            .await?,
    ))
}
