//! The person's own comments, with their status and a rejection's reason; one not yet
//! decided can be edited (while no moderator holds it) or withdrawn.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;

use crate::comments::intake::Intake;
use crate::comments::types::{Comment, CommentEdit};
use crate::comments::{edits, service};
use crate::http::extract::Ctx;
use crate::http::page::paging::Paging;
use crate::http::page::{html, local, see_other, CsrfForm, PageError, Shell, Visitor};
use crate::identity::RequestMeta;
use crate::pagination::PageParams;

#[derive(Template)]
#[template(path = "my_comments.html")]
struct MyComments {
    shell: Shell,
    items: Vec<(Comment, String)>,
    paging: Paging,
    /// What was just done ("Đã lưu thay đổi.").
    done: Option<&'static str>,
}

#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
    cursor: Option<String>,
}

impl MyComments {
    fn reason_label(&self, code: &crate::comments::types::ReasonCode) -> &'static str {
        let (vi, en) = code.labels();
        self.shell.lang.pick(vi, en)
    }

    fn status_label(&self, c: &Comment) -> &'static str {
        let (vi, en) = c.status.labels();
        self.shell.lang.pick(vi, en)
    }
}

#[get("/my/comments")]
pub async fn mine(
    ctx: Ctx,
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let actor = visitor.actor.clone();
    let Done { done, cursor } = query.into_inner();
    let done = match done.as_deref() {
        Some("edited") => Some(visitor.lang.pick("Đã lưu thay đổi.", "Changes saved.")),
        Some("taken-back") => Some(visitor.lang.pick("Đã rút góp ý.", "Comment withdrawn.")),
        _ => None,
    };
    let comments = visitor
        .db(&ctx, move |conn| {
            service::mine(
                conn,
                &actor,
                PageParams {
                    cursor,
                    limit: Some(50),
                },
            )
        })
        .await?;
    let paging = Paging::new(
        req.path(),
        req.query_string(),
        "cursor",
        comments.next_cursor.as_deref(),
    );
    let items = comments
        .items
        .into_iter()
        .map(|c| {
            let when = local(c.created_at, &ctx);
            (c, when)
        })
        .collect();
    let page = MyComments {
        shell: Shell::signed_in(
            &visitor,
            &ctx.settings.ui.organisation,
            ("Góp ý của tôi", "My comments"),
        ),
        items,
        paging,
        done,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(serde::Deserialize)]
pub struct EditForm {
    csrf: String,
    body: String,
    proposed_text: Option<String>,
}

/// Save an edit of one's pending comment, then back to the list.
#[post("/my/comments/{id}/edit")]
pub async fn edit(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    visitor.check_csrf(&form.csrf)?;
    let (actor, id) = (visitor.actor.clone(), path.into_inner());
    let intake = Intake::from(&ctx.settings.moderation);
    let change = CommentEdit {
        body: Some(form.body),
        proposed_text: Some(form.proposed_text.filter(|p| !p.trim().is_empty())),
    };
    visitor
        .db(&ctx, move |conn| {
            edits::edit(conn, &actor, &meta, id, change, intake)
        })
        .await?;
    Ok(see_other("/my/comments?done=edited"))
}

/// Withdraw one's comment, then back to the list.
#[post("/my/comments/{id}/withdraw")]
pub async fn withdraw(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    let (actor, id) = (visitor.actor.clone(), path.into_inner());
    visitor
        .db(&ctx, move |conn| edits::withdraw(conn, &actor, &meta, id))
        .await?;
    Ok(see_other("/my/comments?done=taken-back"))
}
