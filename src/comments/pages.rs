//! The person's own comments, with their status and a rejection's reason.

use actix_web::http::StatusCode;
use actix_web::{get, HttpResponse};
use askama::Template;

use crate::comments::service;
use crate::comments::types::Comment;
use crate::http::extract::Ctx;
use crate::http::page::{html, local, PageError, Shell, Visitor};
use crate::pagination::PageParams;

#[derive(Template)]
#[template(path = "my_comments.html")]
struct MyComments {
    shell: Shell,
    items: Vec<(Comment, String)>,
}

impl MyComments {
    fn status_label(&self, c: &Comment) -> &'static str {
        use crate::comments::types::CommentStatus::*;
        let (vi, en) = match c.status {
            Pending => ("Chờ duyệt", "Pending"),
            Approved => ("Đã duyệt", "Approved"),
            Rejected => ("Không được chấp nhận", "Not accepted"),
            Flagged => ("Đang xem xét", "Under review"),
        };
        self.shell.lang.pick(vi, en)
    }
}

#[get("/my/comments")]
pub async fn mine(ctx: Ctx, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let actor = visitor.actor.clone();
    let comments = visitor
        .db(&ctx, move |conn| {
            service::mine(
                conn,
                &actor,
                PageParams {
                    cursor: None,
                    limit: Some(200),
                },
            )
        })
        .await?;
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
    };
    Ok(html(StatusCode::OK, &page))
}
