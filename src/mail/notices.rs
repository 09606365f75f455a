//! The mails gopy sends, queued in the outbox inside the caller's transaction, in the
//! recipient's language.

use diesel::prelude::*;

use crate::comments::types::{Comment, CommentStatus};
use crate::db::schema::{documents, users};
use crate::db::DbConn;
use crate::mail::outbox::{enqueue, OutgoingMail};
use crate::mail::templates::{self, Rendered};

pub struct Recipient {
    pub email: String,
    pub name: String,
    pub locale: String,
}

pub fn recipient(conn: &mut DbConn, user_id: i64) -> QueryResult<Recipient> {
    let (email, name, locale) = users::table
        .find(user_id)
        .select((users::email, users::full_name, users::locale))
        .first::<(String, String, String)>(conn)?;
    Ok(Recipient {
        email,
        name,
        locale,
    })
}

fn send(conn: &mut DbConn, to: &str, mail: Rendered) -> QueryResult<i64> {
    enqueue(
        conn,
        OutgoingMail {
            to,
            subject: &mail.subject,
            text: &mail.text,
            html: Some(&mail.html),
        },
    )
}

/// Tell the author that their comment was approved or rejected (with the reason).
pub fn comment_decided(
    conn: &mut DbConn,
    comment: &Comment,
    to: CommentStatus,
    reason: Option<&str>,
) -> QueryResult<()> {
    let r = recipient(conn, comment.author_id)?;
    let title: String = documents::table
        .find(comment.document_id)
        .select(documents::title)
        .first(conn)?;
    let mail = templates::comment_decided(
        &r.locale,
        &comment.receipt,
        &title,
        to == CommentStatus::Approved,
        reason,
    );
    send(conn, &r.email, mail).map(|_| ())
}

pub fn activation(conn: &mut DbConn, r: &Recipient, link: &str, hours: i64) -> QueryResult<()> {
    send(
        conn,
        &r.email,
        templates::activation(&r.locale, &r.name, link, hours),
    )
    .map(|_| ())
}

pub fn password_reset(
    conn: &mut DbConn,
    user_id: i64,
    link: &str,
    minutes: i64,
) -> QueryResult<()> {
    let r = recipient(conn, user_id)?;
    send(
        conn,
        &r.email,
        templates::password_reset(&r.locale, &r.name, link, minutes),
    )
    .map(|_| ())
}

pub fn password_changed(conn: &mut DbConn, user_id: i64) -> QueryResult<()> {
    let r = recipient(conn, user_id)?;
    send(
        conn,
        &r.email,
        templates::password_changed(&r.locale, &r.name),
    )
    .map(|_| ())
}
