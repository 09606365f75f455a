//! The mails gopy sends, queued in the outbox inside the caller's transaction, in the
//! recipient's language.

use diesel::QueryResult;

use crate::db::DbConn;
use crate::identity::Locale;
use crate::mail::store::enqueue;
use crate::mail::templates::{self, Rendered};
use crate::mail::types::OutgoingMail;

pub struct Recipient {
    pub email: String,
    pub name: String,
    pub locale: Locale,
}

impl Recipient {
    /// Someone whose language is not known yet (Vietnamese).
    pub fn new(email: &str, name: &str) -> Self {
        Self {
            email: email.to_owned(),
            name: name.to_owned(),
            locale: Locale::Vi,
        }
    }
}

fn send(conn: &mut DbConn, to: &Recipient, mail: Rendered) -> QueryResult<()> {
    enqueue(
        conn,
        OutgoingMail {
            to: &to.email,
            subject: &mail.subject,
            text: &mail.text,
            html: Some(&mail.html),
        },
    )
    .map(|_| ())
}

/// Tell an author that their comment was approved or rejected (with the reason).
pub fn comment_decided(
    conn: &mut DbConn,
    to: &Recipient,
    receipt: &str,
    title: &str,
    approved: bool,
    reason: Option<&str>,
) -> QueryResult<()> {
    send(
        conn,
        to,
        templates::comment_decided(to.locale, receipt, title, approved, reason),
    )
}

pub fn activation(conn: &mut DbConn, to: &Recipient, link: &str, hours: i64) -> QueryResult<()> {
    send(
        conn,
        to,
        templates::activation(to.locale, &to.name, link, hours),
    )
}

pub fn password_reset(
    conn: &mut DbConn,
    to: &Recipient,
    link: &str,
    minutes: i64,
) -> QueryResult<()> {
    send(
        conn,
        to,
        templates::password_reset(to.locale, &to.name, link, minutes),
    )
}

pub fn password_changed(conn: &mut DbConn, to: &Recipient) -> QueryResult<()> {
    send(conn, to, templates::password_changed(to.locale, &to.name))
}

/// A round opened: `round` names it ("Đợt 2"), `closes` is when it ends, as people read it.
pub fn round_opened(
    conn: &mut DbConn,
    to: &Recipient,
    title: &str,
    (round, closes): (&str, &str),
    link: &str,
) -> QueryResult<()> {
    send(
        conn,
        to,
        templates::round_opened(to.locale, title, round, closes, link),
    )
}

pub fn round_reminder(
    conn: &mut DbConn,
    to: &Recipient,
    title: &str,
    (round, closes): (&str, &str),
    link: &str,
) -> QueryResult<()> {
    send(
        conn,
        to,
        templates::round_reminder(to.locale, title, round, closes, link),
    )
}

/// The moderators' daily digest (see `templates::moderator_digest`).
pub fn moderator_digest(
    conn: &mut DbConn,
    to: &Recipient,
    lines: &[String],
    waiting: i64,
    link: &str,
) -> QueryResult<()> {
    send(
        conn,
        to,
        templates::moderator_digest(to.locale, &to.name, lines, waiting, link),
    )
}

/// Tell an author how the drafting body handled their comment (once, when first recorded).
pub fn comment_responded(
    conn: &mut DbConn,
    to: &Recipient,
    receipt: &str,
    title: &str,
    decision: &str,
    rationale: &str,
) -> QueryResult<()> {
    send(
        conn,
        to,
        templates::comment_responded(to.locale, receipt, title, decision, rationale),
    )
}
