use actix_web::{get, post, web, HttpRequest};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::comments::types::Comment;
use crate::error::{AppError, Problem};
use crate::http::auth::{Authorized, Moderator};
use crate::http::{db, keyset, ClientInfo, Page, State};
use crate::moderation::queries::{self, Action, Decision};
use crate::text::clean_opt;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(moderation_queue).service(moderate);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    pub document_id: Option<i64>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// Pending and flagged comments, oldest first (moderators).
#[utoipa::path(
    tag = "moderation",
    params(QueueQuery),
    responses((status = 200, body = Page<Comment>), (status = 403, body = Problem)),
    security(("bearer" = []))
)]
#[get("/moderation/queue")]
pub async fn moderation_queue(
    state: State,
    _user: Authorized<Moderator>,
    query: web::Query<QueueQuery>,
) -> Result<web::Json<Page<Comment>>, AppError> {
    let query = query.into_inner();
    let (after, limit) = keyset(query.cursor, query.limit)?;
    let document_id = query.document_id;
    let rows = db(&state, move |conn| {
        Ok(queries::queue(conn, document_id, after, limit)?)
    })
    .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |c| c.id)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    pub action: Action,
    /// Required to reject; shown to the author.
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub reason: Option<String>,
    /// Internal note for other moderators and the secretariat.
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    pub note: Option<String>,
}

/// Approve, reject (with a reason) or flag a comment for escalation (moderators).
#[utoipa::path(
    tag = "moderation",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = ModerationRequest,
    responses(
        (status = 200, body = Comment),
        (status = 403, description = "Not a moderator, or your own comment", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Not allowed from the comment's current state", body = Problem),
        (status = 422, description = "Reject without a reason", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/comments/{id}/moderation")]
pub async fn moderate(
    state: State,
    req: HttpRequest,
    user: Authorized<Moderator>,
    path: web::Path<i64>,
    body: web::Json<ModerationRequest>,
) -> Result<web::Json<Comment>, AppError> {
    let mut body = body.into_inner();
    body.reason = clean_opt(body.reason.as_deref());
    body.note = clean_opt(body.note.as_deref());
    body.validate()?;
    if body.action == Action::Reject && body.reason.is_none() {
        return Err(AppError::field(
            "reason",
            "a reason is required to reject a comment",
        ));
    }
    let decision = Decision {
        action: body.action,
        reason: body.reason,
        note: body.note,
    };
    let id = path.into_inner();
    let client = ClientInfo::from_request(&req);
    let user = user.user;
    let comment = db(&state, move |conn| {
        queries::decide(conn, &user, id, &decision, &client)
    })
    .await?;
    Ok(web::Json(comment))
}
