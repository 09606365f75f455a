//! Importing a roster from the page: upload the CSV, see what the import would do (a dry run),
//! then apply it — the same import as the API and the CLI.

use actix_multipart::form::bytes::Bytes as FileBytes;
use actix_multipart::form::text::Text;
use actix_multipart::form::MultipartForm;
use actix_web::http::StatusCode;
use actix_web::{get, post, HttpResponse};
use askama::Template;
use base64::Engine;

use crate::error::{AppError, RowError};
use crate::http::extract::Ctx;
use crate::http::page::{html, PageError, Shell, Visitor};
use crate::identity::{RequestMeta, Role};
use crate::roster::service::{self, Report};

#[derive(Template)]
#[template(path = "admin_roster.html")]
struct RosterPage {
    shell: Shell,
    report: Option<Report>,
    /// The file, carried to the "apply" form after a dry run (base64).
    carried: String,
    rows: Vec<RowError>,
    message: Option<String>,
}

fn page(ctx: &Ctx, visitor: &Visitor) -> RosterPage {
    RosterPage {
        shell: Shell::signed_in(
            visitor,
            &ctx.settings.ui.organisation,
            ("Nhập danh sách cán bộ", "Roster import"),
        ),
        report: None,
        carried: String::new(),
        rows: Vec::new(),
        message: None,
    }
}

#[get("/admin/roster")]
pub async fn roster_form(ctx: Ctx, visitor: Visitor) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Admin)?;
    Ok(html(StatusCode::OK, &page(&ctx, &visitor)))
}

#[derive(MultipartForm)]
pub struct RosterUpload {
    csrf: Text<String>,
    /// A new file (the dry run).
    file: Option<FileBytes>,
    /// The file of the dry run, to apply.
    carried: Option<Text<String>>,
}

#[post("/admin/roster")]
pub async fn upload(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    MultipartForm(form): MultipartForm<RosterUpload>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    visitor.require(Role::Admin)?;
    let engine = base64::engine::general_purpose::STANDARD;
    let (data, dry_run) = match (&form.carried, &form.file) {
        (Some(c), _) if !c.is_empty() => (
            engine.decode(c.as_bytes()).map_err(|_| {
                PageError::App(
                    AppError::BadRequest("the carried file is damaged".into()),
                    visitor.lang,
                )
            })?,
            false,
        ),
        (_, Some(f)) => (f.data.to_vec(), true),
        _ => (Vec::new(), true),
    };
    let mut view = page(&ctx, &visitor);
    let bytes = bytes::BytesMut::from(&data[..]);
    match service::import_now(&ctx, &visitor.actor, &meta, bytes, dry_run).await {
        Ok(report) => {
            if dry_run {
                view.carried = engine.encode(&data);
            }
            view.report = Some(report);
            Ok(html(StatusCode::OK, &view))
        }
        Err(AppError::InvalidRows(rows)) => {
            view.rows = rows;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
        Err(
            e @ (AppError::Validation(_) | AppError::BadRequest(_) | AppError::PayloadTooLarge),
        ) => {
            view.message = Some(e.describe());
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
        Err(e) => Err(PageError::App(e, visitor.lang)),
    }
}
