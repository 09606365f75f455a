use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::drafts::queries::{self, DocumentFilter};
use crate::drafts::types::{
    Document, DocumentDetail, DocumentStatus, NewDocument, NewSection, Section,
};
use crate::error::{AppError, Problem};
use crate::http::auth::{Authorized, CurrentUser, Secretariat};
use crate::http::{db, keyset, ClientInfo, Page, State};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_document)
        .service(add_section)
        .service(publish)
        .service(close)
        .service(list_documents)
        .service(get_document);
}

/// Create a draft document (secretariat).
#[utoipa::path(
    tag = "documents",
    request_body = NewDocument,
    responses((status = 201, body = Document), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
#[post("/documents")]
pub async fn create_document(
    state: State,
    req: HttpRequest,
    user: Authorized<Secretariat>,
    body: web::Json<NewDocument>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner().normalize();
    body.validate()?;
    if let (Some(o), Some(c)) = (body.opens_at, body.closes_at) {
        if o >= c {
            return Err(AppError::field("closes_at", "must be after opens_at"));
        }
    }
    let client = ClientInfo::from_request(&req);
    let user = user.user;
    let doc = db(&state, move |conn| {
        let id = queries::create_document(conn, user.id, &body, &client)?;
        queries::get_document(conn, id, &user)
    })
    .await?;
    Ok(HttpResponse::Created().json(doc))
}

/// Add a section to a draft (secretariat).
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    request_body = NewSection,
    responses(
        (status = 201, body = Section),
        (status = 404, body = Problem),
        (status = 409, description = "Document is no longer a draft", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/documents/{id}/sections")]
pub async fn add_section(
    state: State,
    req: HttpRequest,
    user: Authorized<Secretariat>,
    path: web::Path<i64>,
    body: web::Json<NewSection>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner().normalize();
    body.validate()?;
    if body.body.is_empty() && body.label.is_none() && body.heading.is_none() {
        return Err(AppError::field(
            "body",
            "a section needs a label, a heading or a body",
        ));
    }
    let document_id = path.into_inner();
    let client = ClientInfo::from_request(&req);
    let user = user.user;
    let section = db(&state, move |conn| {
        let id = queries::add_section(conn, &user, document_id, &body, &client)?;
        queries::sections_in_order(conn, document_id)?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(AppError::NotFound("section"))
    })
    .await?;
    Ok(HttpResponse::Created().json(section))
}

async fn transition(
    state: State,
    req: HttpRequest,
    user: CurrentUser,
    id: i64,
    from: DocumentStatus,
    to: DocumentStatus,
) -> Result<web::Json<Document>, AppError> {
    let client = ClientInfo::from_request(&req);
    let doc = db(&state, move |conn| {
        queries::transition(conn, &user, id, from, to, &client)
    })
    .await?;
    Ok(web::Json(doc))
}

/// Open a draft for consultation (secretariat).
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = Document), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []))
)]
#[post("/documents/{id}/publish")]
pub async fn publish(
    state: State,
    req: HttpRequest,
    user: Authorized<Secretariat>,
    path: web::Path<i64>,
) -> Result<web::Json<Document>, AppError> {
    let id = path.into_inner();
    transition(
        state,
        req,
        user.user,
        id,
        DocumentStatus::Draft,
        DocumentStatus::Published,
    )
    .await
}

/// End the consultation on a published draft (secretariat).
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = Document), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = []))
)]
#[post("/documents/{id}/close")]
pub async fn close(
    state: State,
    req: HttpRequest,
    user: Authorized<Secretariat>,
    path: web::Path<i64>,
) -> Result<web::Json<Document>, AppError> {
    let id = path.into_inner();
    transition(
        state,
        req,
        user.user,
        id,
        DocumentStatus::Published,
        DocumentStatus::Closed,
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentSearch {
    /// Only documents in this state (the secretariat may ask for `draft`).
    pub status: Option<DocumentStatus>,
    /// Title contains this, ignoring case and diacritics.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// Documents, newest first. Employees see published and closed ones only.
#[utoipa::path(
    tag = "documents",
    params(DocumentSearch),
    responses((status = 200, body = Page<Document>), (status = 401, body = Problem)),
    security(("bearer" = []))
)]
#[get("/documents")]
pub async fn list_documents(
    state: State,
    user: CurrentUser,
    query: web::Query<DocumentSearch>,
) -> Result<web::Json<Page<Document>>, AppError> {
    let query = query.into_inner();
    let (before, limit) = keyset(query.cursor, query.limit)?;
    let mut statuses = vec![DocumentStatus::Published, DocumentStatus::Closed];
    if user.sees_drafts() {
        statuses.push(DocumentStatus::Draft);
    }
    if let Some(wanted) = query.status {
        statuses.retain(|s| *s == wanted);
    }
    let filter = DocumentFilter {
        statuses,
        q: query.q,
    };
    let rows = db(&state, move |conn| {
        Ok(queries::list_documents(conn, &filter, before, limit)?)
    })
    .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |d| d.id)))
}

/// A document with its sections in reading order.
#[utoipa::path(
    tag = "documents",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = DocumentDetail), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
#[get("/documents/{id}")]
pub async fn get_document(
    state: State,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<web::Json<DocumentDetail>, AppError> {
    let id = path.into_inner();
    let detail = db(&state, move |conn| {
        let document = queries::get_document(conn, id, &user)?;
        let sections = queries::sections_in_order(conn, id)?;
        Ok(DocumentDetail { document, sections })
    })
    .await?;
    Ok(web::Json(detail))
}
