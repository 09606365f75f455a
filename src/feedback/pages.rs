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
    round: Option<i32>,
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
        round: query.round,
        status: crate::comments::types::CommentStatus::Approved,
        pseudonymize: false,
    };
    let download = service::export(&ctx, &visitor.actor, path.into_inner(), wanted)
        .await
        .map_err(|e| PageError::App(e, visitor.lang))?;
    Ok(attachment(download))
}

#[derive(Deserialize)]
pub struct RoundQuery {
    round: Option<i32>,
}

/// The Word report as a download from the secretariat's pages.
#[get("/secretariat/drafts/{id}/report.docx")]
pub async fn report(
    ctx: Ctx,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<RoundQuery>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Secretariat)?;
    let scope = crate::feedback::report::Scope {
        document_id: path.into_inner(),
        round: query.round,
        organisation: ctx.settings.ui.organisation.clone(),
        offset: ctx.settings.display.offset(),
    };
    let actor = visitor.actor.clone();
    let (doc, bytes) = visitor
        .db(&ctx, move |conn| {
            crate::feedback::report::build(conn, &actor, scope)
        })
        .await?;
    Ok(crate::feedback::handlers::docx_download(&doc, bytes))
}
