//! The moderators' other tabs and the secretariat's escalated list: rejections waiting for a
//! second moderator (four-eyes), near-duplicate clusters decided as one card, and comments
//! flagged up to the secretariat. Forms post and come back; no JavaScript needed.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::comments::types::{Action, Comment, ReasonCode};
use crate::error::AppError;
use crate::http::extract::Ctx;
use crate::http::page::{html, local, see_other, PageError, Pairs, Shell, Visitor};
use crate::identity::{RequestMeta, Role};
use crate::moderation::clusters;
use crate::moderation::pages::{form_reason_code, reason_options};
use crate::moderation::service::{self, Review};
use crate::moderation::types::{
    Cluster, ClusterDecisionRequest, ClusterQuery, ModerationRequest, QueueQuery,
};

/// A comment waiting for someone, as a list shows it.
pub struct Waiting {
    pub comment: Comment,
    pub when: String,
    /// Four-eyes: who proposed the rejection, and whether it is the visitor.
    pub proposer: Option<(String, bool)>,
}

/// One cluster member: its text in pieces (words the first comment lacks marked).
pub struct Member {
    pub id: i64,
    pub waiting: bool,
    pub author: String,
    pub segments: Vec<(String, bool)>,
}

pub struct ClusterCard {
    pub cluster: Cluster,
    pub members: Vec<Member>,
}

#[derive(Template)]
#[template(path = "moderation_team.html")]
pub struct TeamPage {
    shell: Shell,
    /// "proposals", "clusters" or "escalated".
    tab: &'static str,
    waiting: Vec<Waiting>,
    cards: Vec<ClusterCard>,
    done: bool,
}

impl TeamPage {
    fn reasons(&self) -> Vec<(&'static str, &'static str)> {
        reason_options(self.shell.lang)
    }

    fn label_of(&self, code: &ReasonCode) -> &'static str {
        let (vi, en) = code.labels();
        self.shell.lang.pick(vi, en)
    }

    fn percent(&self, x: &f64) -> String {
        format!("{:.0} %", x * 100.0)
    }
}

/// `text`'s words, those not among `sample`'s marked (diacritics and case
/// aside), with the spaces between them.
fn differences(sample: &str, text: &str) -> Vec<(String, bool)> {
    let known: std::collections::HashSet<String> = crate::text::fold(sample)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    text.split_inclusive(char::is_whitespace)
        .map(|piece| {
            let word: String = crate::text::fold(piece)
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect();
            (piece.to_owned(), !word.is_empty() && !known.contains(&word))
        })
        .collect()
}

#[derive(Deserialize)]
pub struct DoneParam {
    decided: Option<i64>,
}

fn shell(ctx: &Ctx, visitor: &Visitor, title: (&'static str, &'static str)) -> Shell {
    Shell::signed_in(visitor, &ctx.settings.ui.organisation, title)
}

async fn waiting_list(
    ctx: &Ctx,
    visitor: &Visitor,
    flagged: bool,
) -> Result<Vec<Waiting>, PageError> {
    let actor = visitor.actor.clone();
    let query = QueueQuery {
        document_id: None,
        label: None,
        min_score: None,
        cursor: None,
        limit: Some(100),
    };
    let page = visitor
        .db(ctx, move |conn| {
            let page = match flagged {
                true => service::escalated(conn, query)?,
                false => service::proposals(conn, query)?,
            };
            let mut out = Vec::new();
            for q in page.items {
                let proposer = match q.comment.proposed_by {
                    Some(id) => Some((
                        crate::accounts::store::users::contact(conn, id)?.full_name,
                        id == actor.id,
                    )),
                    None => None,
                };
                out.push((q.comment, proposer));
            }
            Ok(out)
        })
        .await?;
    Ok(page
        .into_iter()
        .map(|(comment, proposer)| Waiting {
            when: local(comment.created_at, ctx),
            comment,
            proposer,
        })
        .collect())
}

/// Four-eyes: rejections one moderator proposed, for another to confirm or overturn.
#[get("/moderation/proposals")]
pub async fn proposals(
    ctx: Ctx,
    visitor: Visitor,
    query: web::Query<DoneParam>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Moderator)?;
    let page = TeamPage {
        shell: shell(&ctx, &visitor, ("Xác nhận từ chối", "Confirm rejections")),
        tab: "proposals",
        waiting: waiting_list(&ctx, &visitor, false).await?,
        cards: Vec::new(),
        done: query.decided.is_some(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// Near-duplicate clusters with members still waiting, each as one card.
#[get("/moderation/clusters")]
pub async fn cluster_list(
    ctx: Ctx,
    visitor: Visitor,
    query: web::Query<DoneParam>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Moderator)?;
    let found = visitor
        .db(&ctx, move |conn| {
            let page = clusters::list(
                conn,
                ClusterQuery {
                    document_id: None,
                    min_size: None,
                    cursor: None,
                    limit: Some(50),
                },
            )?;
            let mut cards = Vec::new();
            for cluster in page.items {
                let mut members = Vec::new();
                for id in &cluster.members {
                    let c = crate::comments::store::get(conn, *id)?
                        .map(Comment::from)
                        .ok_or(AppError::NotFound("comment"))?;
                    members.push(Member {
                        id: c.id,
                        waiting: cluster.waiting.contains(&c.id),
                        author: c.author_name,
                        segments: differences(&cluster.sample, &c.body),
                    });
                }
                cards.push(ClusterCard { cluster, members });
            }
            Ok(cards)
        })
        .await?;
    let page = TeamPage {
        shell: shell(
            &ctx,
            &visitor,
            ("Nhóm góp ý trùng lặp", "Duplicate clusters"),
        ),
        tab: "clusters",
        waiting: Vec::new(),
        cards: found,
        done: query.decided.is_some(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// One decision for a cluster, from its card: the form repeats `except` once per member
/// left out, so it is read as pairs.
#[post("/moderation/clusters/{id}")]
pub async fn decide_cluster(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = Pairs::parse(&body);
    let field = |name: &str| form.one(name);
    visitor.check_csrf(&field("csrf").unwrap_or_default())?;
    visitor.require(Role::Moderator)?;
    let bad = |f: &str| PageError::App(AppError::field(f, "not a valid value"), visitor.lang);
    let action: Action = field("action")
        .ok_or_else(|| bad("action"))?
        .parse()
        .map_err(|_| bad("action"))?;
    let reason_code = form_reason_code(field("reason_code").as_deref(), visitor.lang)?;
    let except = form
        .all("except")
        .map(|v| v.parse::<i64>().map_err(|_| bad("except")))
        .collect::<Result<Vec<_>, _>>()?;
    let request = ClusterDecisionRequest {
        action,
        reason_code,
        reason: field("reason"),
        note: None,
        except,
    };
    let (actor, id) = (visitor.actor.clone(), path.into_inner());
    let review = Review::from(&ctx.settings.moderation);
    visitor
        .db(&ctx, move |conn| {
            clusters::decide(conn, &actor, &meta, id, request, review)
        })
        .await?;
    Ok(see_other(&format!("/moderation/clusters?decided={id}")))
}

/// The secretariat's list of comments moderators flagged up.
#[get("/secretariat/escalated")]
pub async fn escalated_list(
    ctx: Ctx,
    visitor: Visitor,
    query: web::Query<DoneParam>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Secretariat)?;
    let page = TeamPage {
        shell: shell(
            &ctx,
            &visitor,
            ("Góp ý chuyển Thư ký", "Escalated comments"),
        ),
        tab: "escalated",
        waiting: waiting_list(&ctx, &visitor, true).await?,
        cards: Vec::new(),
        done: query.decided.is_some(),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub struct EscalatedForm {
    csrf: String,
    action: Action,
    reason_code: Option<String>,
    reason: Option<String>,
}

/// The secretariat approves or rejects an escalated comment.
#[post("/secretariat/escalated/{id}")]
pub async fn decide_escalated(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<EscalatedForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    visitor.check_csrf(&form.csrf)?;
    visitor.require(Role::Secretariat)?;
    let reason_code = match form.reason_code.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(c.parse::<ReasonCode>().map_err(|_| {
            PageError::App(
                AppError::field("reason_code", "not a reason code"),
                visitor.lang,
            )
        })?),
    };
    let request = ModerationRequest {
        action: form.action,
        reason_code,
        reason: form.reason.filter(|r| !r.trim().is_empty()),
        note: None,
    };
    let (actor, id) = (visitor.actor.clone(), path.into_inner());
    visitor
        .db(&ctx, move |conn| {
            service::decide_escalated(conn, &actor, &meta, id, request)
        })
        .await?;
    Ok(see_other(&format!("/secretariat/escalated?decided={id}")))
}
