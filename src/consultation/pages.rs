//! The drafts people read and comment on: the list (open ones first, searchable without
//! diacritics), a draft with its table of contents, sections, approved comments and forms, and
//! sending a comment from it.

pub mod secretariat;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::comments::types::NewComment;
use crate::comments::types::{Comment, CommentQuery, CommentStatus};
use crate::comments::writer::CommentWriter;
use crate::db::DbConn;
use crate::drafts::service;
use crate::drafts::types::{Document, DocumentSearch, DocumentStatus, Section};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::Ctx;
use crate::http::page::{html, local, see_other, PageError, Shell, Visitor};
use crate::identity::{Actor, RequestMeta, Role};
use crate::rounds::types::{Round, RoundStatus};

/// Whether comments are taken now, and until when (the open round, or the draft's window).
pub struct Window {
    pub open: bool,
    pub label: String,
}

fn window(doc: &Document, rounds: &[Round], ctx: &Ctx, vi: bool) -> Window {
    let now = Utc::now();
    if doc.status != DocumentStatus::Published {
        let label = match doc.status {
            DocumentStatus::Closed => {
                if vi {
                    "Đã kết thúc lấy ý kiến"
                } else {
                    "Consultation closed"
                }
            }
            _ => {
                if vi {
                    "Bản nháp"
                } else {
                    "Draft"
                }
            }
        };
        return Window {
            open: false,
            label: label.to_owned(),
        };
    }
    if !rounds.is_empty() {
        if let Some(r) = rounds.iter().find(|r| r.status == RoundStatus::Open) {
            let name = r.title.clone().map_or(format!("Đợt {}", r.number), |t| {
                format!("Đợt {}: {t}", r.number)
            });
            let until = local(r.closes_at, ctx);
            return Window {
                open: true,
                label: if vi {
                    format!("{name} — nhận góp ý đến {until}")
                } else {
                    format!("{name} — open until {until}")
                },
            };
        }
        let next = rounds
            .iter()
            .filter(|r| r.status == RoundStatus::Scheduled)
            .min_by_key(|r| r.opens_at);
        let label = match (next, vi) {
            (Some(r), true) => format!("Đợt {} bắt đầu lúc {}", r.number, local(r.opens_at, ctx)),
            (Some(r), false) => format!("Round {} opens at {}", r.number, local(r.opens_at, ctx)),
            (None, true) => "Các đợt lấy ý kiến đã kết thúc".to_owned(),
            (None, false) => "All rounds have ended".to_owned(),
        };
        return Window { open: false, label };
    }
    let started = doc.opens_at.is_none_or(|o| o <= now);
    let ended = doc.closes_at.is_some_and(|c| c <= now);
    let label = match (started, ended, doc.closes_at, vi) {
        (false, _, _, true) => format!(
            "Bắt đầu lúc {}",
            doc.opens_at.map(|t| local(t, ctx)).unwrap_or_default()
        ),
        (false, _, _, false) => format!(
            "Opens at {}",
            doc.opens_at.map(|t| local(t, ctx)).unwrap_or_default()
        ),
        (_, true, _, true) => "Đã hết thời hạn góp ý".to_owned(),
        (_, true, _, false) => "The consultation period has ended".to_owned(),
        (_, _, Some(c), true) => format!("Nhận góp ý đến {}", local(c, ctx)),
        (_, _, Some(c), false) => format!("Open until {}", local(c, ctx)),
        (_, _, None, true) => "Đang nhận góp ý".to_owned(),
        (_, _, None, false) => "Open for comments".to_owned(),
    };
    Window {
        open: started && !ended,
        label,
    }
}

struct ListItem {
    doc: Document,
    window: Window,
}

#[derive(Template)]
#[template(path = "drafts.html")]
struct DraftsPage {
    shell: Shell,
    items: Vec<ListItem>,
    q: String,
    from: String,
    to: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    /// YYYY-MM-DD
    from: Option<String>,
    to: Option<String>,
}

fn day(s: Option<&str>) -> Option<DateTime<Utc>> {
    let d = chrono::NaiveDate::parse_from_str(s?.trim(), "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc())
}

#[get("/")]
pub async fn home(
    ctx: Ctx,
    visitor: Visitor,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    drafts(ctx, visitor, query).await
}

#[get("/drafts")]
pub async fn list(
    ctx: Ctx,
    visitor: Visitor,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    drafts(ctx, visitor, query).await
}

async fn drafts(
    ctx: Ctx,
    visitor: Visitor,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let search = DocumentSearch {
        status: None,
        q: query.q.clone().filter(|q| !q.trim().is_empty()),
        from: day(query.from.as_deref()),
        to: day(query.to.as_deref()).map(|t| t + chrono::TimeDelta::days(1)),
        cursor: None,
        limit: Some(200),
    };
    let actor = visitor.actor.clone();
    let vi = visitor.lang == crate::identity::Lang::Vi;
    let c = ctx.clone();
    let lang = visitor.lang;
    let mut items = ctx
        .db(move |conn| {
            let docs = service::list(conn, &actor, search)?.items;
            let mut out = Vec::with_capacity(docs.len());
            for doc in docs {
                let rounds = crate::rounds::service::list(conn, &actor, doc.id)?;
                out.push(ListItem {
                    window: window(&doc, &rounds, &c, vi),
                    doc,
                });
            }
            Ok(out)
        })
        .await
        .map_err(|e| PageError::App(e, lang))?;
    // Drafts open for comment first, then the rest, newest first within each.
    items.sort_by_key(|i| !i.window.open);
    let page = DraftsPage {
        shell: Shell::signed_in(
            &visitor,
            &ctx.settings.ui.organisation,
            ("Dự thảo", "Drafts"),
        ),
        items,
        q: query.q.unwrap_or_default(),
        from: query.from.unwrap_or_default(),
        to: query.to.unwrap_or_default(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// What was typed into a comment form that has to be shown again (with its errors).
#[derive(Default, Clone)]
pub struct Typed {
    pub section_id: Option<i64>,
    pub body: String,
    pub proposed_text: String,
    pub errors: FieldErrors,
}

pub struct SectionView {
    pub section: Section,
    pub comments: Vec<Comment>,
}

#[derive(Template)]
#[template(path = "draft.html")]
pub struct DraftPage {
    pub shell: Shell,
    pub doc: Document,
    pub window: Window,
    pub can_comment: bool,
    pub whole: Vec<Comment>,
    pub sections: Vec<SectionView>,
    pub typed: Typed,
    pub receipt: Option<String>,
}

impl DraftPage {
    /// The typed text for the form of `section` (None: the whole draft), if it was that form.
    /// `section` 0 is the form for the whole draft.
    pub fn typed_for(&self, section: &i64) -> Option<&Typed> {
        (self.typed.section_id.unwrap_or(0) == *section && !self.typed.errors.is_empty())
            .then_some(&self.typed)
    }

    pub fn error_for(&self, section: &i64, field: &str) -> Option<String> {
        self.typed_for(section)
            .and_then(|t| t.errors.get(field))
            .map(|m| m.join("; "))
    }

    /// The suffix of a form's element ids: the section's id, or "whole".
    pub fn form_key(&self, section: &i64) -> String {
        if *section == 0 {
            "whole".to_owned()
        } else {
            section.to_string()
        }
    }
}

/// Every approved comment of a document, a page at a time.
fn approved(conn: &mut DbConn, viewer: &Actor, id: i64) -> Result<Vec<Comment>, AppError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = crate::comments::service::for_document(
            conn,
            viewer,
            id,
            CommentQuery {
                section_id: None,
                status: Some(CommentStatus::Approved),
                version: None,
                cursor,
                limit: Some(200),
            },
        )?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(out)
}

/// The draft page for `visitor`, with `typed` shown again in its form.
pub async fn draft_page(
    ctx: &Ctx,
    visitor: &Visitor,
    id: i64,
    typed: Typed,
    receipt: Option<String>,
) -> Result<DraftPage, PageError> {
    let actor = visitor.actor.clone();
    let lang = visitor.lang;
    let c = ctx.clone();
    let (detail, rounds, comments) = ctx
        .db(move |conn| {
            let detail = service::detail(conn, id, &actor, None)?;
            let rounds = crate::rounds::service::list(conn, &actor, id)?;
            let comments = approved(conn, &actor, id)?;
            Ok((detail, rounds, comments))
        })
        .await
        .map_err(|e| PageError::App(e, lang))?;
    let window = window(
        &detail.document,
        &rounds,
        &c,
        lang == crate::identity::Lang::Vi,
    );
    let mut by_section: HashMap<Option<i64>, Vec<Comment>> = HashMap::new();
    for comment in comments {
        by_section
            .entry(comment.section_id)
            .or_default()
            .push(comment);
    }
    let whole = by_section.remove(&None).unwrap_or_default();
    let sections = detail
        .sections
        .into_iter()
        .map(|s| SectionView {
            comments: by_section.remove(&Some(s.id)).unwrap_or_default(),
            section: s,
        })
        .collect();
    Ok(DraftPage {
        shell: Shell::signed_in(
            visitor,
            &ctx.settings.ui.organisation,
            (&detail.document.title, &detail.document.title),
        ),
        can_comment: window.open && visitor.actor.has(Role::Employee),
        window,
        doc: detail.document,
        whole,
        sections,
        typed,
        receipt,
    })
}

#[derive(Deserialize)]
pub struct DraftQuery {
    sent: Option<String>,
}

#[get("/drafts/{id}")]
pub async fn draft(
    ctx: Ctx,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<DraftQuery>,
) -> Result<HttpResponse, PageError> {
    let receipt = query.into_inner().sent.filter(|r| r.len() <= 40);
    let page = draft_page(&ctx, &visitor, path.into_inner(), Typed::default(), receipt).await?;
    Ok(html(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct CommentForm {
    csrf: String,
    section_id: Option<i64>,
    body: String,
    proposed_text: Option<String>,
}

#[post("/drafts/{id}/comments")]
pub async fn submit(
    ctx: Ctx,
    writer: web::Data<CommentWriter>,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    visitor.check_csrf(&form.csrf)?;
    visitor.require(Role::Employee)?;
    let id = path.into_inner();
    let new = NewComment {
        section_id: form.section_id,
        body: form.body.clone(),
        proposed_text: form.proposed_text.clone().filter(|p| !p.trim().is_empty()),
    };
    match crate::comments::service::submit(&ctx, &writer, &visitor.actor, &meta, id, new, None)
        .await
    {
        Ok((_, comment)) => {
            let anchor = comment
                .section_id
                .map_or("receipt".to_owned(), |s| format!("s{s}"));
            Ok(see_other(&format!(
                "/drafts/{id}?sent={}#{anchor}",
                comment.receipt
            )))
        }
        // The form again, with what was typed and why it was not taken.
        Err(AppError::Validation(errors)) => {
            let typed = Typed {
                section_id: form.section_id,
                body: form.body,
                proposed_text: form.proposed_text.unwrap_or_default(),
                errors,
            };
            let page = draft_page(&ctx, &visitor, id, typed, None).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(PageError::App(e, visitor.lang)),
    }
}
