//! Importing a draft's sections from a file on the secretariat's pages: upload, see the tree
//! that was found (and the warnings), then confirm — the same import as the API and the CLI.

use actix_multipart::form::bytes::Bytes as FileBytes;
use actix_multipart::form::text::Text;
use actix_multipart::form::MultipartForm;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use base64::Engine;

use crate::drafts::import::{Format, Outline};
use crate::drafts::service;
use crate::error::AppError;
use crate::http::extract::Ctx;
use crate::http::page::{html, see_other, PageError, Shell, Visitor};
use crate::identity::{RequestMeta, Role};

#[derive(Template)]
#[template(path = "secretariat_import.html")]
struct ImportPage {
    shell: Shell,
    id: i64,
    outline: Option<Outline>,
    carried: String,
    name: String,
    error: Option<String>,
}

impl ImportPage {
    fn indent(&self, depth: &u32) -> String {
        "\u{a0}\u{a0}\u{a0}\u{a0}".repeat(*depth as usize)
    }
}

fn page(ctx: &Ctx, visitor: &Visitor, id: i64) -> ImportPage {
    ImportPage {
        shell: Shell::signed_in(
            visitor,
            &ctx.settings.ui.organisation,
            ("Nhập dự thảo từ tệp", "Import from a file"),
        ),
        id,
        outline: None,
        carried: String::new(),
        name: String::new(),
        error: None,
    }
}

#[get("/secretariat/drafts/{id}/import")]
pub async fn import_form(
    ctx: Ctx,
    visitor: Visitor,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Secretariat)?;
    Ok(html(
        StatusCode::OK,
        &page(&ctx, &visitor, path.into_inner()),
    ))
}

#[derive(MultipartForm)]
pub struct ImportUpload {
    csrf: Text<String>,
    file: Option<FileBytes>,
    /// After the preview: the same file (base64) and its name.
    carried: Option<Text<String>>,
    name: Option<Text<String>>,
}

#[post("/secretariat/drafts/{id}/import")]
pub async fn import_upload(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    MultipartForm(form): MultipartForm<ImportUpload>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    visitor.require(Role::Secretariat)?;
    let id = path.into_inner();
    let engine = base64::engine::general_purpose::STANDARD;
    let lang = visitor.lang;
    let (bytes, name, dry_run) = match (&form.carried, &form.file) {
        (Some(c), _) if !c.is_empty() => (
            engine.decode(c.as_bytes()).map_err(|_| {
                PageError::App(
                    AppError::BadRequest("the carried file is damaged".into()),
                    lang,
                )
            })?,
            form.name
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_default(),
            false,
        ),
        (_, Some(f)) => (
            f.data.to_vec(),
            f.file_name.clone().unwrap_or_default(),
            true,
        ),
        _ => (Vec::new(), String::new(), true),
    };
    let mut view = page(&ctx, &visitor, id);
    let format = match Format::from_file_name(&name) {
        Ok(f) => f,
        Err(e) => {
            view.error = Some(e.to_string());
            return Ok(html(StatusCode::UNSUPPORTED_MEDIA_TYPE, &view));
        }
    };
    let actor = visitor.actor.clone();
    let data = bytes.clone();
    match ctx
        .db(move |conn| service::import(conn, &actor, &meta, id, &data, format, dry_run))
        .await
    {
        Ok(_) if !dry_run => Ok(see_other(&format!("/secretariat/drafts/{id}"))),
        Ok(outline) => {
            view.carried = engine.encode(&bytes);
            view.name = name;
            view.outline = Some(outline);
            Ok(html(StatusCode::OK, &view))
        }
        Err(
            e @ (AppError::Unprocessable { .. }
            | AppError::UnsupportedMediaType(_)
            | AppError::Conflict { .. }),
        ) => {
            let status = actix_web::ResponseError::status_code(&e);
            view.error = Some(e.to_string());
            Ok(html(status, &view))
        }
        Err(e) => Err(PageError::App(e, lang)),
    }
}
