use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::comments::batch::Submission;
use crate::comments::idempotency::{self, Created};
use crate::comments::queries::{self, CommentFilter};
use crate::comments::types::{Comment, CommentDetail, CommentStatus, NewComment};
use crate::db::with_generic_plans;
use crate::drafts::queries::get_document;
use crate::error::{AppError, Problem};
use crate::http::auth::{Authorized, CurrentUser, Employee};
use crate::http::{db, keyset, ClientInfo, Page, PageParams, State};
use crate::moderation::queries::history;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_comment)
        .service(list_document_comments)
        .service(my_comments)
        .service(get_comment);
}

/// Comment on a section, or on the whole draft when `section_id` is absent (employees).
/// With an `Idempotency-Key` header a retry returns the first result (200) and creates nothing.
#[utoipa::path(
    tag = "comments",
    params(
        ("id" = i64, Path, description = "Document id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string per comment (a UUID); retries reuse it"),
    ),
    request_body = NewComment,
    responses(
        (status = 201, description = "Received; pending moderation", body = Comment),
        (status = 200, description = "A retry of an earlier request with the same Idempotency-Key", body = Comment),
        (status = 404, body = Problem),
        (status = 409, description = "Consultation not open (not published, not started or closed)", body = Problem),
        (status = 422, description = "Invalid body, or the key was used for another comment", body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/documents/{id}/comments")]
pub async fn create_comment(
    state: State,
    req: HttpRequest,
    user: Authorized<Employee>,
    path: web::Path<i64>,
    body: web::Json<NewComment>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner().normalize();
    body.validate()?;
    let key = match req.headers().get(idempotency::HEADER) {
        Some(v) => {
            let k = v
                .to_str()
                .map_err(|_| AppError::field(idempotency::HEADER, "must be visible ASCII"))?
                .to_owned();
            idempotency::check_key(&k)?;
            Some(k)
        }
        None => None,
    };
    let document_id = path.into_inner();
    let client = ClientInfo::from_request(&req);
    let user = user.user;
    let submission = Submission {
        author: user.clone(),
        document_id,
        new: body,
        key,
        client,
    };
    // Written by the comment writer in a group commit with whatever else is waiting.
    let (created, comment) = match state.batcher.submit(submission).await? {
        Created::New(comment) => (true, *comment),
        Created::Replayed(id) => (
            false,
            db(&state, move |conn| queries::get_visible(conn, id, &user)).await?,
        ),
    };
    Ok(if created {
        HttpResponse::Created().json(comment)
    } else {
        HttpResponse::Ok().json(comment)
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentQuery {
    /// Only comments on this section.
    pub section_id: Option<i64>,
    /// Only comments in this state (moderators and the secretariat).
    pub status: Option<CommentStatus>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// Comments on a document, oldest first: approved ones plus your own; moderators and the
/// secretariat see every state.
#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Document id"), CommentQuery),
    responses((status = 200, body = Page<Comment>), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
#[get("/documents/{id}/comments")]
pub async fn list_document_comments(
    state: State,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<CommentQuery>,
) -> Result<web::Json<Page<Comment>>, AppError> {
    let document_id = path.into_inner();
    let query = query.into_inner();
    let (after, limit) = keyset(query.cursor, query.limit)?;
    let privileged = user.sees_all_comments();
    let filter = CommentFilter {
        document_id: Some(document_id),
        section_id: query.section_id,
        author_id: None,
        statuses: query.status.map(|s| vec![s]),
        approved_or_own: (!privileged).then_some(user.id),
        hide_drafts: !user.sees_drafts(),
        newest_first: false,
    };
    let rows = db(&state, move |conn| {
        // One round trip: the query itself yields nothing for a hidden document or a section
        // of another one; only an empty page needs to find out which answer it is. Without a
        // status filter the query walks a (section or document, id) index whatever the
        // values, so its generic plan is safe to reuse; a rare status needs a custom one.
        let rows = if filter.statuses.is_none() {
            with_generic_plans(conn, |conn| queries::list(conn, &filter, after, limit))?
        } else {
            queries::list(conn, &filter, after, limit)?
        };
        if rows.is_empty() {
            get_document(conn, document_id, &user)?;
            if let Some(section) = filter.section_id {
                queries::require_section(conn, document_id, section)?;
            }
        }
        Ok(rows)
    })
    .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |c| c.id)))
}

/// Your own comments in every state, newest first.
#[utoipa::path(
    tag = "comments",
    params(PageParams),
    responses((status = 200, body = Page<Comment>), (status = 401, body = Problem)),
    security(("bearer" = []))
)]
#[get("/me/comments")]
pub async fn my_comments(
    state: State,
    user: CurrentUser,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<Comment>>, AppError> {
    let (before, limit) = (page.after()?, page.limit()?);
    let filter = CommentFilter {
        document_id: None,
        section_id: None,
        author_id: Some(user.id),
        statuses: None,
        approved_or_own: None,
        hide_drafts: false,
        newest_first: true,
    };
    let rows = db(&state, move |conn| {
        Ok(queries::list(conn, &filter, before, limit)?)
    })
    .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |c| c.id)))
}

/// One comment with its moderation history.
#[utoipa::path(
    tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    responses((status = 200, body = CommentDetail), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
#[get("/comments/{id}")]
pub async fn get_comment(
    state: State,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<web::Json<CommentDetail>, AppError> {
    let id = path.into_inner();
    let detail = db(&state, move |conn| {
        let comment = queries::get_visible(conn, id, &user)?;
        let history = history(conn, id, user.sees_all_comments())?;
        Ok(CommentDetail { comment, history })
    })
    .await?;
    Ok(web::Json(detail))
}
