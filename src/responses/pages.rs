//! The secretariat's page for closing a consultation: per draft and round, the approved
//! comments by section with their clusters, one form to record a response for a selection,
//! the numbers per section and per unit, and the downloads. Works without JavaScript.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::comments::response::Decision;
use crate::drafts::types::Document;
use crate::error::AppError;
use crate::feedback::stats::{self, Dimension, StatRow};
use crate::feedback::{report, store, WHOLE_DOCUMENT};
use crate::http::extract::Ctx;
use crate::http::page::{field_message, html, see_other, PageError, Pairs, Shell, Visitor};
use crate::identity::{Lang, RequestMeta, Role};
use crate::responses::service;
use crate::responses::types::SharedResponseInput;

/// One approved comment as the page lists it.
pub struct Entry {
    pub id: i64,
    pub speaker: String,
    pub body: String,
    pub proposed_text: Option<String>,
    pub cluster_id: Option<i64>,
    /// The recorded response: (decision, rationale).
    pub response: Option<(Decision, String)>,
}

/// The comments on one section (or the whole draft).
pub struct Block {
    pub path: String,
    pub entries: Vec<Entry>,
    pub answered: usize,
}

#[derive(Template)]
#[template(path = "secretariat_responses.html")]
pub struct ResponsesPage {
    shell: Shell,
    doc: Document,
    rounds: Vec<i32>,
    round: Option<i32>,
    blocks: Vec<Block>,
    units: Vec<StatRow>,
    done: Option<usize>,
    error: Option<String>,
    typed: Typed,
}

/// What was sent, shown again when it was refused.
#[derive(Default)]
pub struct Typed {
    pub ids: Vec<i64>,
    pub decision: Option<Decision>,
    pub rationale: String,
}

impl ResponsesPage {
    /// `&round=N` for links that keep the round.
    fn round_query(&self) -> String {
        self.round.map_or(String::new(), |r| format!("&round={r}"))
    }

    /// `round=N` for a link's query of its own.
    fn round_param(&self) -> String {
        self.round.map_or(String::new(), |r| format!("round={r}"))
    }

    fn decisions(&self) -> &'static [Decision] {
        Decision::ALL
    }

    fn decision_label(&self, d: &Decision) -> &'static str {
        self.shell.t(d.label(), d.label_en())
    }

    fn chosen(&self, d: &Decision) -> bool {
        self.typed.decision == Some(*d)
    }

    fn ticked(&self, id: &i64) -> bool {
        self.typed.ids.contains(id)
    }

    fn is_round(&self, n: &i32) -> bool {
        self.round == Some(*n)
    }

    fn unit_name(&self, r: &StatRow) -> String {
        r.unit_name
            .clone()
            .unwrap_or_else(|| self.shell.t("(không thuộc đơn vị)", "(no unit)").to_owned())
    }

    fn percent(&self, r: &StatRow) -> String {
        let p = r.participation.unwrap_or(0.0);
        match self.shell.lang {
            Lang::En => format!("{p:.1} %"),
            _ => format!("{p:.1} %").replace('.', ","),
        }
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    round: Option<i32>,
    done: Option<usize>,
}

async fn build(
    ctx: &Ctx,
    visitor: &Visitor,
    id: i64,
    round: Option<i32>,
) -> Result<ResponsesPage, PageError> {
    let actor = visitor.actor.clone();
    let (doc, rounds, blocks, units) = visitor
        .db(ctx, move |conn| {
            let doc = crate::drafts::service::get(conn, id, &actor)?;
            let all = crate::rounds::store::for_document(conn, id)?;
            let round_id = match round {
                Some(n) => Some(
                    all.iter()
                        .find(|r| r.number == n)
                        .ok_or(AppError::NotFound("round"))?
                        .id,
                ),
                None => None,
            };
            let order = crate::drafts::service::commentable_history(conn, id)?;
            let mut blocks = vec![Block {
                path: WHOLE_DOCUMENT.to_owned(),
                entries: Vec::new(),
                answered: 0,
            }];
            let mut at: HashMap<i64, usize> = HashMap::new();
            for (sid, path) in order {
                at.insert(sid, blocks.len());
                blocks.push(Block {
                    path,
                    entries: Vec::new(),
                    answered: 0,
                });
            }
            for row in store::report_rows(conn, id, round_id)? {
                let i = row
                    .section_id
                    .and_then(|s| at.get(&s).copied())
                    .unwrap_or(0);
                let response = match (&row.decision, &row.rationale) {
                    (Some(d), Some(r)) => Some((
                        d.parse::<Decision>()
                            .map_err(|e| AppError::Internal(e.into()))?,
                        r.clone(),
                    )),
                    _ => None,
                };
                blocks[i].answered += usize::from(response.is_some());
                blocks[i].entries.push(Entry {
                    id: row.comment_id,
                    speaker: report::speaker(&row).unwrap_or_default(),
                    body: row.body,
                    proposed_text: row.proposed_text,
                    cluster_id: row.cluster_id,
                    response,
                });
            }
            blocks.retain(|b| !b.entries.is_empty());
            let units = stats::stats(conn, &actor, id, vec![Dimension::Unit], round)?.rows;
            Ok((doc, all.iter().map(|r| r.number).collect(), blocks, units))
        })
        .await?;
    Ok(ResponsesPage {
        shell: Shell::signed_in(
            visitor,
            &ctx.settings.ui.organisation,
            ("Tiếp thu, giải trình", "Responses"),
        ),
        doc,
        rounds,
        round,
        blocks,
        units,
        done: None,
        error: None,
        typed: Typed::default(),
    })
}

#[get("/secretariat/drafts/{id}/responses")]
pub async fn responses(
    ctx: Ctx,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Secretariat)?;
    let mut page = build(&ctx, &visitor, path.into_inner(), query.round).await?;
    page.done = query.done;
    Ok(html(StatusCode::OK, &page))
}

/// One response for the comments ticked: the form repeats `comment_ids`, so it is read as
/// pairs.
#[post("/secretariat/drafts/{id}/responses")]
pub async fn record(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = Pairs::parse(&body);
    let field = |name: &str| form.one(name).unwrap_or_default();
    visitor.check_csrf(&field("csrf"))?;
    visitor.require(Role::Secretariat)?;
    let id = path.into_inner();
    let round = field("round").parse::<i32>().ok();
    let typed = Typed {
        ids: form
            .all("comment_ids")
            .filter_map(|v| v.parse().ok())
            .collect(),
        decision: field("decision").parse().ok(),
        rationale: field("rationale"),
    };
    let outcome = match typed.decision {
        None => Err(AppError::field(
            "decision",
            "choose how the comments were handled",
        )),
        Some(_) if typed.ids.is_empty() => {
            Err(AppError::field("comment_ids", "tick at least one comment"))
        }
        Some(decision) => {
            let input = SharedResponseInput {
                comment_ids: typed.ids.clone(),
                decision,
                rationale: typed.rationale.clone(),
                applied_in_section_id: None,
            };
            let actor = visitor.actor.clone();
            ctx.db(move |conn| service::record_shared(conn, &actor, &meta, id, input))
                .await
        }
    };
    match outcome {
        Ok(done) => {
            let round = round.map_or(String::new(), |r| format!("&round={r}"));
            Ok(see_other(&format!(
                "/secretariat/drafts/{id}/responses?done={}{round}",
                done.len()
            )))
        }
        Err(e) => match refusal(e, visitor.lang) {
            Ok((status, message)) => {
                let mut page = build(&ctx, &visitor, id, round).await?;
                page.error = Some(message);
                page.typed = typed;
                Ok(html(status, &page))
            }
            Err(e) => Err(PageError::App(e, visitor.lang)),
        },
    }
}

/// A refusal the page explains next to the form: (status, message); anything else is an
/// error page.
fn refusal(e: AppError, lang: Lang) -> Result<(StatusCode, String), AppError> {
    match e {
        AppError::Validation(errors) => {
            let all: Vec<String> = errors
                .keys()
                .filter_map(|f| field_message(&errors, f, lang))
                .collect();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, all.join(" ")))
        }
        AppError::Conflict { detail, .. } => Ok((StatusCode::CONFLICT, detail)),
        other => Err(other),
    }
}

/// Archive the closed draft from its page: comments and responses are frozen from now on.
#[post("/secretariat/drafts/{id}/archive")]
pub async fn archive(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<crate::http::page::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    visitor.may(&form, Role::Secretariat)?;
    let (actor, id) = (visitor.actor.clone(), path.into_inner());
    visitor
        .db(&ctx, move |conn| service::archive(conn, &actor, &meta, id))
        .await?;
    Ok(see_other(&format!("/secretariat/drafts/{id}")))
}
