//! The drafts people read and comment on: the list (open ones first, searchable without
//! diacritics), a draft with its table of contents, sections, approved comments and forms, and
//! sending a comment from it.

pub mod draft;
pub mod import;
pub mod secretariat;

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::drafts::service;
use crate::drafts::types::{Document, DocumentSearch, DocumentStatus};
use crate::http::extract::Ctx;
use crate::http::page::paging::Paging;
use crate::http::page::{html, local, PageError, Shell, Visitor};
use crate::rounds::types::{Round, RoundStatus};

/// Whether comments are taken now, and until when (the open round, or the draft's window).
pub struct Window {
    pub open: bool,
    pub label: String,
}

pub fn window(doc: &Document, rounds: &[Round], ctx: &Ctx, vi: bool) -> Window {
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
    paging: Paging,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    /// YYYY-MM-DD
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
}

fn day(s: Option<&str>) -> Option<DateTime<Utc>> {
    let d = chrono::NaiveDate::parse_from_str(s?.trim(), "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc())
}

#[get("/")]
pub async fn home(
    ctx: Ctx,
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    drafts(ctx, visitor, &req, query).await
}

#[get("/drafts")]
pub async fn list(
    ctx: Ctx,
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    drafts(ctx, visitor, &req, query).await
}

async fn drafts(
    ctx: Ctx,
    visitor: Visitor,
    req: &HttpRequest,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let search = DocumentSearch {
        status: None,
        q: query.q.clone().filter(|q| !q.trim().is_empty()),
        from: day(query.from.as_deref()),
        to: day(query.to.as_deref()).map(|t| t + chrono::TimeDelta::days(1)),
        cursor: query.cursor.clone(),
        limit: Some(50),
    };
    let actor = visitor.actor.clone();
    let vi = visitor.lang == crate::identity::Lang::Vi;
    let c = ctx.clone();
    let (mut items, next) = visitor
        .read(&ctx, move |conn| {
            let page = service::list(conn, &actor, search.clone())?;
            let mut out = Vec::with_capacity(page.items.len());
            for doc in page.items {
                let rounds = crate::rounds::service::list(conn, &actor, doc.id)?;
                out.push(ListItem {
                    window: window(&doc, &rounds, &c, vi),
                    doc,
                });
            }
            Ok((out, page.next_cursor))
        })
        .await?;
    // Drafts open for comment first, then the rest, newest first within each (on each page of
    // the list: a page holds 50 drafts, the newest first, which is where open ones are).
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
        paging: Paging::new(req.path(), req.query_string(), "cursor", next.as_deref()),
    };
    Ok(html(StatusCode::OK, &page))
}
