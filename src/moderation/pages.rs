//! The moderation queue as a page: oldest first, each comment with where it is and what it
//! says, its history, and the three decisions. With JavaScript on, a decided comment leaves the
//! queue without a reload (`static/gopy.js`); without it, the form posts and the queue returns.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::comments::screening::{Label, Screening};
use crate::comments::types::{Action, Comment, ModerationEvent, ReasonCode};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::Ctx;
use crate::http::page::paging::Paging;
use crate::http::page::{html, local, see_other, PageError, Shell, Visitor};
use crate::identity::{RequestMeta, Role};
use crate::moderation::service::{self, Review};
use crate::moderation::types::{ModerationRequest, QueueQuery, QueuedComment};

pub struct QueueItem {
    pub comment: Comment,
    pub when: String,
    pub history: Vec<(ModerationEvent, String)>,
    /// A live claim on it: whether it is the visitor's, and until when.
    pub claim: Option<(bool, String)>,
    /// What screening found.
    pub labels: Vec<Label>,
    /// The body in pieces, those screening pointed at marked.
    pub segments: Vec<(String, bool)>,
}

/// `body` cut at the spans screening found (labels about the whole text aside), each piece
/// with whether it is one of them.
fn marked(body: &str, screening: Option<&Screening>) -> Vec<(String, bool)> {
    let chars: Vec<char> = body.chars().collect();
    let mut spans: Vec<[usize; 2]> = screening
        .map(|s| {
            s.labels
                .iter()
                .filter(|f| !matches!(f.label, Label::Shouting | Label::VeryShort))
                .flat_map(|f| f.spans.iter().copied())
                .collect()
        })
        .unwrap_or_default();
    spans.sort_unstable();
    let mut out = Vec::new();
    let mut at = 0;
    for [start, end] in spans {
        let (start, end) = (start.max(at).min(chars.len()), end.min(chars.len()));
        if start >= end {
            continue;
        }
        if start > at {
            out.push((chars[at..start].iter().collect(), false));
        }
        out.push((chars[start..end].iter().collect(), true));
        at = end;
    }
    if at < chars.len() || out.is_empty() {
        out.push((chars[at..].iter().collect(), false));
    }
    out
}

#[derive(Template)]
#[template(path = "moderation.html")]
pub struct QueuePage {
    shell: Shell,
    items: Vec<QueueItem>,
    /// Drafts to filter the queue by.
    documents: Vec<crate::drafts::types::Document>,
    document_id: Option<i64>,
    /// The page of the queue shown (after this comment), carried by the decision forms.
    cursor: Option<String>,
    decided: Option<i64>,
    /// The comment whose form was refused, what was typed, and why.
    refused: Option<(i64, String, FieldErrors)>,
    paging: Paging,
}

/// The reason codes with their labels in `lang`, for a list.
pub(crate) fn reason_options(lang: crate::identity::Lang) -> Vec<(&'static str, &'static str)> {
    ReasonCode::ALL
        .iter()
        .map(|c| {
            let (vi, en) = c.labels();
            (c.as_str(), lang.pick(vi, en))
        })
        .collect()
}

/// A form's reason code: none when empty, 422 when it names no code.
pub(crate) fn form_reason_code(
    sent: Option<&str>,
    lang: crate::identity::Lang,
) -> Result<Option<ReasonCode>, PageError> {
    match sent.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => c
            .parse::<ReasonCode>()
            .map(Some)
            .map_err(|_| PageError::App(AppError::field("reason_code", "not a reason code"), lang)),
    }
}

impl QueuePage {
    fn reasons(&self) -> Vec<(&'static str, &'static str)> {
        reason_options(self.shell.lang)
    }

    fn screening_label(&self, label: &Label) -> &'static str {
        let (vi, en) = match label {
            Label::Links => ("Có đường dẫn", "Links"),
            Label::Shouting => ("Viết hoa toàn bộ", "Shouting"),
            Label::RepeatedCharacters => ("Ký tự lặp lại", "Repeated characters"),
            Label::VeryShort => ("Quá ngắn", "Very short"),
            Label::BlockedTerm => ("Từ ngữ bị chặn", "Blocked term"),
            Label::PersonalData => ("Thông tin cá nhân", "Personal data"),
            Label::Duplicate => ("Trùng lặp", "Duplicate"),
        };
        self.shell.lang.pick(vi, en)
    }

    fn label_of(&self, code: &ReasonCode) -> &'static str {
        let (vi, en) = code.labels();
        self.shell.lang.pick(vi, en)
    }
}

impl QueuePage {
    fn reason_error(&self, id: &i64) -> Option<String> {
        self.refused
            .as_ref()
            .filter(|(c, _, _)| c == id)
            .and_then(|(_, _, e)| crate::http::page::field_message(e, "reason", self.shell.lang))
    }

    fn typed_reason(&self, id: &i64) -> &str {
        self.refused
            .as_ref()
            .filter(|(c, _, _)| c == id)
            .map_or("", |(_, r, _)| r.as_str())
    }

    fn is_chosen(&self, id: &i64) -> bool {
        self.document_id == Some(*id)
    }

    fn action_label(&self, a: &crate::comments::types::EventAction) -> &'static str {
        let (vi, en) = a.labels();
        self.shell.lang.pick(vi, en)
    }

    fn actor_label(&self, e: &ModerationEvent) -> String {
        match &e.actor_name {
            Some(name) => name.clone(),
            None => self
                .shell
                .lang
                .pick("Hệ thống (sàng lọc)", "System (screening)")
                .into(),
        }
    }
}

#[derive(Deserialize)]
pub struct QueueParams {
    document_id: Option<i64>,
    cursor: Option<String>,
    decided: Option<i64>,
}

impl QueueParams {
    /// The address of this view of the queue (without the decision just reported).
    fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(d) = self.document_id {
            q.append_pair("document_id", &d.to_string());
        }
        if let Some(c) = &self.cursor {
            q.append_pair("cursor", c);
        }
        q.finish()
    }
}

async fn queue_page(
    ctx: &Ctx,
    visitor: &Visitor,
    view: QueueParams,
    query: &str,
    refused: Option<(i64, String, FieldErrors)>,
) -> Result<QueuePage, PageError> {
    let actor = visitor.actor.clone();
    let c = ctx.clone();
    let (document_id, cursor) = (view.document_id, view.cursor.clone());
    let (items, documents, next) = visitor
        .db(ctx, move |conn| {
            let search = crate::drafts::types::DocumentSearch {
                status: None,
                q: None,
                from: None,
                to: None,
                cursor: None,
                limit: Some(200),
            };
            let documents = crate::drafts::service::list(conn, &actor, search)?.items;
            let page = service::queue(
                conn,
                QueueQuery {
                    document_id,
                    label: None,
                    min_score: None,
                    cursor,
                    limit: Some(50),
                },
            )?;
            let next = page.next_cursor;
            let mut items = Vec::with_capacity(page.items.len());
            for QueuedComment { comment, screening } in page.items {
                let history = crate::comments::service::history(conn, comment.id, &actor)?
                    .into_iter()
                    .map(|e| {
                        let when = local(e.created_at, &c);
                        (e, when)
                    })
                    .collect();
                let held = comment
                    .claimed_by
                    .zip(comment.claimed_until)
                    .filter(|(_, until)| *until > chrono::Utc::now())
                    .map(|(by, until)| (by == actor.id, local(until, &c)));
                items.push(QueueItem {
                    when: local(comment.created_at, &c),
                    segments: marked(&comment.body, screening.as_ref()),
                    labels: screening
                        .map(|s| s.labels.into_iter().map(|f| f.label).collect())
                        .unwrap_or_default(),
                    comment,
                    history,
                    claim: held,
                });
            }
            Ok((items, documents, next))
        })
        .await?;
    Ok(QueuePage {
        shell: Shell::signed_in(
            visitor,
            &ctx.settings.ui.organisation,
            ("Kiểm duyệt góp ý", "Moderation"),
        ),
        items,
        documents,
        document_id,
        paging: Paging::new("/moderation", query, "cursor", next.as_deref()),
        cursor: view.cursor,
        decided: view.decided,
        refused,
    })
}

#[get("/moderation")]
pub async fn queue(
    ctx: Ctx,
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<QueueParams>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Moderator)?;
    let page = queue_page(&ctx, &visitor, query.into_inner(), req.query_string(), None).await?;
    Ok(html(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    action: Action,
    /// Empty when none was chosen.
    reason_code: Option<String>,
    reason: Option<String>,
    document_id: Option<i64>,
    cursor: Option<String>,
    /// "proposals": return to the four-eyes tab.
    back: Option<String>,
}

#[post("/moderation/{comment_id}")]
pub async fn decide(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    visitor.check_csrf(&form.csrf)?;
    visitor.require(Role::Moderator)?;
    let id = path.into_inner();
    let reason_code = form_reason_code(form.reason_code.as_deref(), visitor.lang)?;
    let request = ModerationRequest {
        action: form.action,
        reason_code,
        reason: form.reason.clone().filter(|r| !r.trim().is_empty()),
        note: None,
    };
    let actor = visitor.actor.clone();
    let review = Review::from(&ctx.settings.moderation);
    let view = QueueParams {
        document_id: form.document_id,
        cursor: form.cursor.clone(),
        decided: None,
    };
    let query = view.query();
    let back = |decided: i64| match query.as_str() {
        "" => format!("/moderation?decided={decided}"),
        q => format!("/moderation?{q}&decided={decided}"),
    };
    match ctx
        .db(move |conn| service::decide(conn, &actor, &meta, id, request, review))
        .await
    {
        Ok(_) if form.back.as_deref() == Some("proposals") => {
            Ok(see_other(&format!("/moderation/proposals?decided={id}")))
        }
        Ok(_) => Ok(see_other(&back(id))),
        Err(AppError::Validation(errors)) => {
            let refused = Some((id, form.reason.unwrap_or_default(), errors));
            let page = queue_page(&ctx, &visitor, view, &query, refused).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(PageError::App(e, visitor.lang)),
    }
}

#[derive(Deserialize)]
pub struct ClaimForm {
    csrf: String,
    document_id: Option<i64>,
}

/// "Nhận việc": claim a batch of the queue (of the draft filtered on), then back to the queue.
#[post("/moderation/claims")]
pub async fn take_batch(
    ctx: Ctx,
    visitor: Visitor,
    form: web::Form<ClaimForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    visitor.check_csrf(&form.csrf)?;
    visitor.require(Role::Moderator)?;
    let (actor, minutes) = (visitor.actor.clone(), ctx.settings.moderation.claim_minutes);
    let request = crate::moderation::types::ClaimRequest {
        document_id: form.document_id,
        limit: None,
    };
    visitor
        .db(&ctx, move |conn| {
            service::claim(conn, &actor, request, minutes)
        })
        .await?;
    Ok(see_other(&match form.document_id {
        Some(d) => format!("/moderation?document_id={d}"),
        None => "/moderation".to_owned(),
    }))
}

/// "Trả lại": give back every comment the visitor has claimed.
#[post("/moderation/claims/release")]
pub async fn give_back(
    ctx: Ctx,
    visitor: Visitor,
    form: web::Form<crate::http::page::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    visitor.require(Role::Moderator)?;
    let actor = visitor.actor.clone();
    visitor
        .db(&ctx, move |conn| service::release(conn, &actor))
        .await?;
    Ok(see_other("/moderation"))
}
