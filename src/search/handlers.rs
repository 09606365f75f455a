use actix_web::{get, web};

use crate::error::AppError;
use crate::http::extract::Ctx;
use crate::identity::Actor;
use crate::search::service;
use crate::search::types::{SearchPage, SearchQuery};

/// Search drafts, sections and comments, typed with or without diacritics: "quy hoach can bo"
/// finds "quy hoạch cán bộ", "dang vien" finds "đảng viên"; typed with diacritics, the words
/// match exactly ("thể" does not find "thế"). Only what you may see is found.
#[utoipa::path(
    tag = "search",
    params(SearchQuery),
    responses((status = 200, body = SearchPage)),
    security(("bearer" = []))
)]
#[get("/search")]
pub async fn search(
    ctx: Ctx,
    actor: Actor,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<SearchPage>, AppError> {
    let query = query.into_inner();
    Ok(web::Json(
        ctx.read(actor.id, move |conn| {
            service::search(conn, &actor, query.clone())
        })
        .await?,
    ))
}
