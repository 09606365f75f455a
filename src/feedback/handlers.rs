use std::collections::VecDeque;

use actix_web::http::header::{
    self, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{get, web, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::drafts::queries::{get_document, sections_in_order};
use crate::error::{AppError, Problem};
use crate::feedback::export::{self, ExportState, Format};
use crate::feedback::summary::{summarise, Summary};
use crate::http::auth::{Authorized, Secretariat};
use crate::http::{db, State};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(feedback).service(summary);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackQuery {
    /// `csv` (default; UTF-8 with BOM, opens in Excel) or `json`.
    pub format: Option<String>,
}

/// Export the approved comments of a document (secretariat), grouped by section in reading
/// order. Streamed: memory does not grow with the number of comments.
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Document id"), FeedbackQuery),
    responses(
        (status = 200, description = "CSV (text/csv) or JSON {document_id, title, items}", content_type = "text/csv"),
        (status = 404, body = Problem),
        (status = 422, description = "Unknown format", body = Problem),
    ),
    security(("bearer" = []))
)]
#[get("/documents/{id}/feedback")]
pub async fn feedback(
    state: State,
    user: Authorized<Secretariat>,
    path: web::Path<i64>,
    query: web::Query<FeedbackQuery>,
) -> Result<HttpResponse, AppError> {
    let format = match query.format.as_deref().unwrap_or("csv") {
        "csv" => Format::Csv,
        "json" => Format::Json,
        _ => return Err(AppError::field("format", "must be csv or json")),
    };
    let document_id = path.into_inner();
    let user = user.user;
    let (doc, section_ids) = db(&state, move |conn| {
        let doc = get_document(conn, document_id, &user)?;
        let ids: Vec<i64> = sections_in_order(conn, document_id)?
            .into_iter()
            .map(|s| s.id)
            .collect();
        Ok((doc, ids))
    })
    .await?;
    let mut groups: VecDeque<Option<i64>> = VecDeque::with_capacity(section_ids.len() + 1);
    groups.push_back(None);
    groups.extend(section_ids.into_iter().map(Some));
    let head = match format {
        Format::Csv => export::csv_head()?,
        Format::Json => {
            let mut h = serde_json::to_vec(
                &serde_json::json!({ "document_id": doc.id, "title": doc.title }),
            )
            .map_err(anyhow::Error::from)?;
            h.pop(); // reopen the object to append the items array
            h.extend_from_slice(br#","items":["#);
            h.into()
        }
    };
    let st = ExportState {
        app: state.clone(),
        document_id,
        format,
        groups,
        after: 0,
        wrote_row: false,
        finished: false,
    };
    let body = futures_util::stream::once(async move { Ok::<_, AppError>(head) })
        .chain(futures_util::stream::unfold(st, export::next_chunk));
    let (mime, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    };
    let ascii_name = format!("gop-y-du-thao-{document_id}.{ext}");
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii_name),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: format!(
                    "Góp ý - {}.{ext}",
                    doc.title.chars().take(80).collect::<String>()
                )
                .into_bytes(),
            }),
        ],
    };
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header(disposition)
        .streaming(body))
}

/// Counts per section and per unit: pending / approved / rejected / flagged (secretariat).
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = Summary), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
#[get("/documents/{id}/summary")]
pub async fn summary(
    state: State,
    user: Authorized<Secretariat>,
    path: web::Path<i64>,
) -> Result<web::Json<Summary>, AppError> {
    let document_id = path.into_inner();
    let user = user.user;
    let summary = db(&state, move |conn| {
        get_document(conn, document_id, &user)?;
        Ok(summarise(conn, document_id)?)
    })
    .await?;
    Ok(web::Json(summary))
}
