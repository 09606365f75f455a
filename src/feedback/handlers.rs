use actix_web::http::header::{
    self, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{get, web, HttpResponse};

use crate::comments::types::CommentStatus;
use crate::error::AppError;
use crate::feedback::service;
use crate::feedback::stats::{Stats, StatsQuery};
use crate::feedback::types::{FeedbackQuery, Format, Summary};
use crate::http::auth::{Authorized, Secretariat};
use crate::http::extract::Ctx;

/// Export the approved comments of a document (secretariat), grouped by section in reading
/// order. Streamed: memory does not grow with the number of comments (a workbook is written
/// to a temporary file with constant-memory sheets, then streamed).
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Document id"), FeedbackQuery),
    responses(
        (status = 200, description = "The comments as CSV (UTF-8 with BOM), JSON {document_id, title, items} or an XLSX workbook (sheets Góp ý, Theo mục, Theo đơn vị)",
            content((String = "text/csv"), (Object = "application/json"),
                (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    ),
    security(("bearer" = []))
)]
#[get("/documents/{id}/feedback")]
pub async fn feedback(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    path: web::Path<i64>,
    query: web::Query<FeedbackQuery>,
) -> Result<HttpResponse, AppError> {
    let wanted = service::Wanted {
        format: query.format.unwrap_or(Format::Csv),
        round: query.round,
        status: query.status.unwrap_or(CommentStatus::Approved),
        pseudonymize: query.pseudonymize.unwrap_or(false),
    };
    let download = service::export(&ctx, &user, path.into_inner(), wanted).await?;
    Ok(attachment(download))
}

/// A streamed export as a file to save, named after the draft (ASCII and UTF-8 names).
pub fn attachment<S>(download: service::Download<S>) -> HttpResponse
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, AppError>> + 'static,
{
    let ext = download.format.extension();
    let disposition = named(
        format!("gop-y-du-thao-{}.{ext}", download.document.id),
        format!("Góp ý - {}.{ext}", short(&download.document.title)),
    );
    HttpResponse::Ok()
        .content_type(download.format.mime())
        .insert_header(disposition)
        .streaming(download.body)
}

/// A draft's title as far as it goes into a file name.
fn short(title: &str) -> String {
    title.chars().take(80).collect()
}

/// A file to save: an ASCII name for old clients, and the Vietnamese one (RFC 6266).
pub fn named(ascii: String, utf8: String) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: utf8.into_bytes(),
            }),
        ],
    }
}

/// Counts per section and per unit: pending / approved / rejected / flagged (secretariat).
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = Summary)),
    security(("bearer" = []))
)]
#[get("/documents/{id}/summary")]
pub async fn summary(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    path: web::Path<i64>,
) -> Result<web::Json<Summary>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    Ok(web::Json(
        ctx.db(move |conn| service::summary(conn, &actor, id))
            .await?,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The round (its number); absent: the whole consultation.
    #[param(minimum = 1)]
    pub round: Option<i32>,
}

/// The Word report "tổng hợp, tiếp thu, giải trình ý kiến góp ý" (secretariat): the numbers,
/// then a table of the approved comments in reading order with each one's response.
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Document id"), ReportQuery),
    responses(
        (status = 200, description = "The report (DOCX)",
            content((String = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))),
    ),
    security(("bearer" = []))
)]
#[get("/documents/{id}/report.docx")]
pub async fn report(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    path: web::Path<i64>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let actor = user.into_actor();
    let scope = crate::feedback::report::Scope {
        document_id: path.into_inner(),
        round: query.round,
        organisation: ctx.settings.ui.organisation.clone(),
        offset: ctx.settings.display.offset(),
    };
    let (doc, bytes) = ctx
        .db(move |conn| crate::feedback::report::build(conn, &actor, scope))
        .await?;
    Ok(docx_download(&doc, bytes))
}

/// The Word report as a file to save, named after the draft.
pub fn docx_download(doc: &crate::drafts::types::Document, bytes: Vec<u8>) -> HttpResponse {
    let disposition = named(
        format!("bao-cao-du-thao-{}.docx", doc.id),
        format!("Báo cáo tiếp thu, giải trình - {}.docx", short(&doc.title)),
    );
    HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        .insert_header(disposition)
        .body(bytes)
}

/// Counts of a draft's comments (withdrawn ones aside) per section, unit, round, status
/// and/or response (secretariat). Grouped by unit, each unit's row covers its whole subtree
/// with the subtree's staff and participation; alone, every unit is listed.
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Document id"), StatsQuery),
    responses((status = 200, body = Stats)),
    security(("bearer" = []))
)]
#[get("/documents/{id}/stats")]
pub async fn stats(
    ctx: Ctx,
    user: Authorized<Secretariat>,
    path: web::Path<i64>,
    query: web::Query<StatsQuery>,
) -> Result<web::Json<Stats>, AppError> {
    let (actor, id) = (user.into_actor(), path.into_inner());
    let group_by = crate::feedback::stats::parse_dimensions(&query.group_by)?;
    let round = query.round;
    Ok(web::Json(
        ctx.db(move |conn| crate::feedback::stats::stats(conn, &actor, id, group_by, round))
            .await?,
    ))
}
