//! The export as a download from the secretariat's pages (the session cookie, not a token).

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;

use crate::feedback::handlers::attachment;
use crate::feedback::service;
use crate::feedback::types::Format;
use crate::http::extract::Ctx;
use crate::http::page::{PageError, Visitor};
use crate::identity::Role;

#[derive(Deserialize)]
pub struct DownloadQuery {
    format: Option<Format>,
}

#[get("/secretariat/drafts/{id}/feedback")]
pub async fn download(
    ctx: Ctx,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Secretariat)?;
    let wanted = service::Wanted {
        format: query.format.unwrap_or(Format::Csv),
        round: None,
        status: crate::comments::types::CommentStatus::Approved,
        pseudonymize: false,
    };
    let download = service::export(&ctx, &visitor.actor, path.into_inner(), wanted)
        .await
        .map_err(|e| PageError::App(e, visitor.lang))?;
    Ok(attachment(download))
}
