//! A draft to read and comment on: its table of contents, the text of its sections with their
//! approved comments, and a form under each section; sending a comment from it. A long draft is
//! shown one top-level part (Phần or Chương) at a time, so its first page stays light.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::comments::types::{NewComment, PublicComment};
use crate::comments::writer::CommentWriter;
use crate::consultation::pages::{window, Window};
use crate::drafts::service;
use crate::drafts::types::{Document, Section};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::Ctx;
use crate::http::page::{html, see_other, PageError, Shell, Visitor};
use crate::identity::{RequestMeta, Role};

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
    pub comments: Vec<PublicComment>,
}

/// A line of the table of contents.
pub struct TocEntry {
    pub path: String,
    pub href: String,
    pub comments: usize,
}

/// Drafts longer than this are shown one top-level part at a time.
pub const SECTIONS_PER_PAGE: usize = 80;

#[derive(Template)]
#[template(path = "draft.html")]
pub struct DraftPage {
    pub shell: Shell,
    pub doc: Document,
    pub window: Window,
    pub can_comment: bool,
    pub whole: Vec<PublicComment>,
    pub toc: Vec<TocEntry>,
    /// The sections shown: all of them, or those of part `part` of a long draft.
    pub sections: Vec<SectionView>,
    /// Top-level parts, when the draft is shown part by part (else 0).
    pub parts: usize,
    pub part: usize,
    pub typed: Typed,
    pub receipt: Option<String>,
}

impl DraftPage {
    pub fn previous_part(&self) -> Option<usize> {
        (self.parts > 0 && self.part > 0).then(|| self.part - 1)
    }

    pub fn next_part(&self) -> Option<usize> {
        (self.part + 1 < self.parts).then_some(self.part + 1)
    }

    /// The typed text for the form of `section` (None: the whole draft), if it was that form.
    /// `section` 0 is the form for the whole draft.
    pub fn typed_for(&self, section: &i64) -> Option<&Typed> {
        (self.typed.section_id.unwrap_or(0) == *section && !self.typed.errors.is_empty())
            .then_some(&self.typed)
    }

    pub fn error_for(&self, section: &i64, field: &str) -> Option<String> {
        self.typed_for(section)
            .and_then(|t| crate::http::page::field_message(&t.errors, field, self.shell.lang))
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

/// The draft page for `visitor`, with `typed` shown again in its form.
pub async fn draft_page(
    ctx: &Ctx,
    visitor: &Visitor,
    id: i64,
    typed: Typed,
    receipt: Option<String>,
    part: Option<usize>,
) -> Result<DraftPage, PageError> {
    let actor = visitor.actor.clone();
    let lang = visitor.lang;
    let c = ctx.clone();
    let typed_section = typed.section_id;
    let (document, sections, rounds, comments, part_of, parts, current) = visitor
        .read(ctx, move |conn| {
            let document = service::get(conn, id, &actor)?;
            let sections = service::sections_with_counts(conn, id)?;
            let rounds = crate::rounds::service::of_document(conn, &document)?;
            // Which top-level part each section is in (a part starts at each depth-0 section).
            let mut parts = 0usize;
            let part_of: Vec<usize> = sections
                .iter()
                .map(|(s, _)| {
                    if s.depth == 0 {
                        parts += 1;
                    }
                    parts.saturating_sub(1)
                })
                .collect();
            let paged = sections.len() > SECTIONS_PER_PAGE;
            // A form sent back with errors opens on the part of its section.
            let typed_part = typed_section.and_then(|id| {
                sections
                    .iter()
                    .position(|(s, _)| s.id == id)
                    .map(|i| part_of[i])
            });
            let current = part
                .or(typed_part)
                .unwrap_or(0)
                .min(parts.saturating_sub(1));
            let shown: Vec<i64> = sections
                .iter()
                .zip(&part_of)
                .filter(|(_, p)| !paged || **p == current)
                .map(|((s, _), _)| s.id)
                .collect();
            let comments = crate::comments::service::approved_for_page(conn, &document, &shown)?;
            let parts = if paged { parts } else { 0 };
            Ok((
                document, sections, rounds, comments, part_of, parts, current,
            ))
        })
        .await?;
    let window = window(&document, &rounds, &c, lang == crate::identity::Lang::Vi);
    let mut by_section: HashMap<Option<i64>, Vec<PublicComment>> = HashMap::new();
    for comment in comments {
        by_section
            .entry(comment.section_id)
            .or_default()
            .push(comment);
    }
    let whole = by_section.remove(&None).unwrap_or_default();
    let paged = parts > 0;
    let doc_id = document.id;
    let mut toc = Vec::with_capacity(sections.len());
    let mut shown = Vec::new();
    for ((s, count), p) in sections.into_iter().zip(part_of) {
        toc.push(TocEntry {
            path: s.path.clone(),
            href: if paged && p != current {
                format!("/drafts/{doc_id}?part={p}#s{}", s.id)
            } else {
                format!("#s{}", s.id)
            },
            comments: usize::try_from(count).unwrap_or(0),
        });
        if !paged || p == current {
            let comments = by_section.remove(&Some(s.id)).unwrap_or_default();
            shown.push(SectionView {
                section: s,
                comments,
            });
        }
    }
    Ok(DraftPage {
        shell: Shell::signed_in(
            visitor,
            &ctx.settings.ui.organisation,
            (&document.title, &document.title),
        ),
        can_comment: window.open && visitor.actor.has(Role::Employee),
        window,
        doc: document,
        whole,
        toc,
        sections: shown,
        parts,
        part: current,
        typed,
        receipt,
    })
}

#[derive(Deserialize)]
pub struct DraftQuery {
    sent: Option<String>,
    part: Option<usize>,
}

#[get("/drafts/{id}")]
pub async fn draft(
    ctx: Ctx,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<DraftQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let receipt = query.sent.filter(|r| r.len() <= 40);
    let page = draft_page(
        &ctx,
        &visitor,
        path.into_inner(),
        Typed::default(),
        receipt,
        query.part,
    )
    .await?;
    Ok(html(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct CommentForm {
    csrf: String,
    /// The part of a long draft the form was on.
    part: Option<usize>,
    section_id: Option<i64>,
    body: String,
    proposed_text: Option<String>,
    /// A checkbox ("on" when ticked) shown to unit representatives.
    on_behalf_of_unit: Option<String>,
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
        on_behalf_of_unit: form.on_behalf_of_unit.is_some(),
    };
    match crate::comments::service::submit(&ctx, &writer, &visitor.actor, &meta, id, new, None)
        .await
    {
        Ok((_, comment)) => {
            let anchor = comment
                .section_id
                .map_or("receipt".to_owned(), |s| format!("s{s}"));
            let part = form.part.map(|p| format!("&part={p}")).unwrap_or_default();
            Ok(see_other(&format!(
                "/drafts/{id}?sent={}{part}#{anchor}",
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
            let page = draft_page(&ctx, &visitor, id, typed, None, None).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(PageError::App(e, visitor.lang)),
    }
}
