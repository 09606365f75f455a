//! The secretariat's pages: every draft in every state, creating one, writing its sections,
//! publishing and closing it, the counts per section and unit, and the downloads.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::drafts::service;
use crate::drafts::types::{
    Document, DocumentSearch, DocumentStatus, NewDocument, NewSection, Section,
};
use crate::error::{AppError, FieldErrors};
use crate::feedback::types::Summary;
use crate::http::extract::Ctx;
use crate::http::page::paging::Paging;
use crate::http::page::{html, see_other, CsrfForm, PageError, Shell, Visitor};
use crate::identity::{RequestMeta, Role};
use crate::pagination::PageParams;

#[derive(Default)]
pub struct NewDraftTyped {
    pub title: String,
    pub code: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "secretariat.html")]
struct ListPage {
    shell: Shell,
    docs: Vec<Document>,
    typed: NewDraftTyped,
    paging: Paging,
    /// Comments moderators flagged up, waiting for the secretariat (at most 100 counted).
    escalated: usize,
}

impl ListPage {
    fn status_label(&self, s: &DocumentStatus) -> &'static str {
        status_label(&self.shell, *s)
    }

    fn error(&self, field: &str) -> Option<String> {
        crate::http::page::field_message(&self.typed.errors, field, self.shell.lang)
    }
}

fn status_label(shell: &Shell, s: DocumentStatus) -> &'static str {
    match s {
        DocumentStatus::Draft => shell.t("Bản nháp", "Draft"),
        DocumentStatus::Published => shell.t("Đang lấy ý kiến", "Published"),
        DocumentStatus::Closed => shell.t("Đã kết thúc", "Closed"),
    }
}

/// The list of drafts, one page of it: after `cursor`, asked with `query` (the links keep it).
async fn list_page(
    ctx: &Ctx,
    visitor: &Visitor,
    (cursor, query): (Option<String>, &str),
    typed: NewDraftTyped,
) -> Result<ListPage, PageError> {
    let actor = visitor.actor.clone();
    let page = visitor
        .db(ctx, move |conn| {
            let search = DocumentSearch {
                status: None,
                q: None,
                from: None,
                to: None,
                cursor,
                limit: Some(50),
            };
            let escalated = crate::moderation::service::escalated(
                conn,
                crate::moderation::types::QueueQuery {
                    document_id: None,
                    label: None,
                    min_score: None,
                    cursor: None,
                    limit: Some(100),
                },
            )?
            .items
            .len();
            Ok((service::list(conn, &actor, search)?, escalated))
        })
        .await?;
    let (page, escalated) = page;
    let paging = Paging::new("/secretariat", query, "cursor", page.next_cursor.as_deref());
    Ok(ListPage {
        shell: Shell::signed_in(
            visitor,
            &ctx.settings.ui.organisation,
            ("Thư ký tổng hợp", "Secretariat"),
        ),
        docs: page.items,
        typed,
        paging,
        escalated,
    })
}

#[get("/secretariat")]
pub async fn list(
    ctx: Ctx,
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Secretariat)?;
    let at = (query.into_inner().cursor, req.query_string());
    Ok(html(
        StatusCode::OK,
        &list_page(&ctx, &visitor, at, NewDraftTyped::default()).await?,
    ))
}

#[derive(Deserialize)]
pub struct NewDraftForm {
    csrf: String,
    title: String,
    code: Option<String>,
}

#[post("/secretariat/drafts")]
pub async fn create(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    form: web::Form<NewDraftForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    visitor.check_csrf(&form.csrf)?;
    visitor.require(Role::Secretariat)?;
    let new = NewDocument {
        title: form.title.clone(),
        code: form.code.clone().filter(|c| !c.trim().is_empty()),
        summary: None,
        opens_at: None,
        closes_at: None,
    };
    let actor = visitor.actor.clone();
    match ctx
        .db(move |conn| service::create(conn, &actor, &meta, new))
        .await
    {
        Ok(doc) => Ok(see_other(&format!("/secretariat/drafts/{}", doc.id))),
        Err(AppError::Validation(errors)) => {
            let typed = NewDraftTyped {
                title: form.title,
                code: form.code.unwrap_or_default(),
                errors,
            };
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &list_page(&ctx, &visitor, (None, ""), typed).await?,
            ))
        }
        Err(e) => Err(PageError::App(e, visitor.lang)),
    }
}

#[derive(Default)]
pub struct SectionTyped {
    pub parent_id: Option<i64>,
    pub label: String,
    pub heading: String,
    pub body: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "secretariat_draft.html")]
struct DraftPage {
    shell: Shell,
    doc: Document,
    sections: Vec<Section>,
    summary: Summary,
    typed: SectionTyped,
}

impl DraftPage {
    fn status_label(&self) -> &'static str {
        status_label(&self.shell, self.doc.status)
    }

    fn error(&self, field: &str) -> Option<String> {
        crate::http::page::field_message(&self.typed.errors, field, self.shell.lang)
    }

    fn is_parent(&self, id: &i64) -> bool {
        self.typed.parent_id == Some(*id)
    }

    fn can_publish(&self) -> bool {
        self.doc.status == DocumentStatus::Draft
    }

    fn can_close(&self) -> bool {
        self.doc.status == DocumentStatus::Published
    }
}

async fn draft_page(
    ctx: &Ctx,
    visitor: &Visitor,
    id: i64,
    typed: SectionTyped,
) -> Result<DraftPage, PageError> {
    let actor = visitor.actor.clone();
    let (detail, summary) = ctx
        .db(move |conn| {
            let detail = service::detail(conn, id, &actor, None)?;
            let summary = crate::feedback::service::summary(conn, &actor, id)?;
            Ok((detail, summary))
        })
        .await?;
    Ok(DraftPage {
        shell: Shell::signed_in(
            visitor,
            &ctx.settings.ui.organisation,
            (&detail.document.title, &detail.document.title),
        ),
        doc: detail.document,
        sections: detail.sections,
        summary,
        typed,
    })
}

#[get("/secretariat/drafts/{id}")]
pub async fn draft(
    ctx: Ctx,
    visitor: Visitor,
    path: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Secretariat)?;
    let page = draft_page(&ctx, &visitor, path.into_inner(), SectionTyped::default()).await?;
    Ok(html(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct SectionForm {
    csrf: String,
    parent_id: Option<String>,
    label: Option<String>,
    heading: Option<String>,
    body: String,
}

#[post("/secretariat/drafts/{id}/sections")]
pub async fn add_section(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<SectionForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    visitor.check_csrf(&form.csrf)?;
    visitor.require(Role::Secretariat)?;
    let id = path.into_inner();
    let parent_id = form
        .parent_id
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok());
    let new = NewSection {
        parent_id,
        label: form.label.clone(),
        heading: form.heading.clone(),
        body: form.body.clone(),
        position: None,
    };
    let actor = visitor.actor.clone();
    match ctx
        .db(move |conn| service::add_section(conn, &actor, &meta, id, new))
        .await
    {
        Ok(s) => Ok(see_other(&format!("/secretariat/drafts/{id}#s{}", s.id))),
        Err(AppError::Validation(errors)) => {
            let typed = SectionTyped {
                parent_id,
                label: form.label.unwrap_or_default(),
                heading: form.heading.unwrap_or_default(),
                body: form.body,
                errors,
            };
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &draft_page(&ctx, &visitor, id, typed).await?,
            ))
        }
        Err(e) => Err(PageError::App(e, visitor.lang)),
    }
}

/// Publish or close a draft (the service decides which moves are allowed), then back to it.
async fn move_to(
    ctx: &Ctx,
    visitor: &Visitor,
    meta: RequestMeta,
    (id, form): (i64, &CsrfForm),
    to: DocumentStatus,
) -> Result<HttpResponse, PageError> {
    visitor.may(form, Role::Secretariat)?;
    let actor = visitor.actor.clone();
    visitor
        .db(ctx, move |conn| match to {
            DocumentStatus::Closed => service::close(conn, &actor, &meta, id),
            _ => service::publish(conn, &actor, &meta, id),
        })
        .await?;
    Ok(see_other(&format!("/secretariat/drafts/{id}")))
}

#[post("/secretariat/drafts/{id}/publish")]
pub async fn publish(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let target = (path.into_inner(), &*form);
    move_to(&ctx, &visitor, meta, target, DocumentStatus::Published).await
}

#[post("/secretariat/drafts/{id}/close")]
pub async fn close(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let target = (path.into_inner(), &*form);
    move_to(&ctx, &visitor, meta, target, DocumentStatus::Closed).await
}
