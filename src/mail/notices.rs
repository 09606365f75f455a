//! The mails gopy sends, in the recipient's language (Vietnamese by default).

use diesel::prelude::*;

use crate::comments::types::{Comment, CommentStatus};
use crate::db::schema::{documents, users};
use crate::db::DbConn;
use crate::mail::outbox::{enqueue, OutgoingMail};

/// Tell the author that their comment was approved or rejected (with the reason).
pub fn comment_decided(
    conn: &mut DbConn,
    comment: &Comment,
    to: CommentStatus,
    reason: Option<&str>,
) -> QueryResult<()> {
    let (email, locale): (String, String) = users::table
        .find(comment.author_id)
        .select((users::email, users::locale))
        .first(conn)?;
    let title: String = documents::table
        .find(comment.document_id)
        .select(documents::title)
        .first(conn)?;
    let approved = to == CommentStatus::Approved;
    let (subject, text) = if locale == "en" {
        let verdict = if approved { "approved" } else { "not accepted" };
        (
            format!("Your comment {} was {verdict}", comment.receipt),
            format!(
                "Your comment {} on \"{title}\" was {verdict}.{}\n",
                comment.receipt,
                reason.map(|r| format!("\nReason: {r}")).unwrap_or_default()
            ),
        )
    } else {
        let verdict = if approved {
            "đã được duyệt"
        } else {
            "không được chấp nhận"
        };
        (
            format!("Góp ý {} của bạn {verdict}", comment.receipt),
            format!(
                "Góp ý số {} của bạn về dự thảo «{title}» {verdict}.{}\n",
                comment.receipt,
                reason.map(|r| format!("\nLý do: {r}")).unwrap_or_default()
            ),
        )
    };
    enqueue(
        conn,
        OutgoingMail {
            to: &email,
            subject: &subject,
            text: &text,
            html: None,
        },
    )
    .map(|_| ())
}
