//! The person's own comments, with their status and a rejection's reason.

use actix_web::http::StatusCode;
use actix_web::{get, web, HttpRequest, HttpResponse};
use askama::Template;

use crate::comments::service;
use crate::comments::types::Comment;
use crate::http::extract::Ctx;
use crate::http::page::paging::Paging;
use crate::http::page::{html, local, PageError, Shell, Visitor};
use crate::pagination::PageParams;

#[derive(Template)]
#[template(path = "my_comments.html")]
struct MyComments {
    shell: Shell,
    items: Vec<(Comment, String)>,
    paging: Paging,
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
    query: web::Query<PageParams>,
) -> Result<HttpResponse, PageError> {
    let actor = visitor.actor.clone();
    let cursor = query.into_inner().cursor;
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
    };
    Ok(html(StatusCode::OK, &page))
}
