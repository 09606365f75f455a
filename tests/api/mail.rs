//! Mail through the outbox to a real SMTP server on loopback: nothing is lost while the server
//! is down, and each mail arrives exactly once when it is back.

use gopy::accounts::types::Role;
use gopy::config::{MailTransportKind, SmtpSecurity};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{eventually, json_of, problem, spawn_app_with, TestApp, TestUser};
use crate::mailbox::parse_mail;
use crate::smtp::{free_port, SmtpServer};

/// gopy sending in the background through SMTP on `port`, retrying after a second.
async fn smtp_app(port: u16, max_attempts: i32) -> TestApp {
    spawn_app_with(|s| {
        s.mail.send = true;
        s.mail.transport = MailTransportKind::Smtp;
        s.mail.smtp_host = "127.0.0.1".into();
        s.mail.smtp_port = port;
        s.mail.smtp_security = SmtpSecurity::None;
        s.mail.max_attempts = max_attempts;
        s.mail.retry_base_secs = 1;
    })
    .await
}

async fn request_resets(app: &TestApp, users: &[&TestUser]) {
    for u in users {
        let res = app
            .call(Method::POST, "/api/v1/auth/password-reset")
            .json(&json!({ "email": u.email }))
            .send()
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
}

async fn outbox(app: &TestApp, admin: &TestUser, query: &str) -> Vec<Value> {
    let page = json_of(
        app.get(&format!("/api/v1/admin/outbox{query}"), &admin.token)
            .await,
        StatusCode::OK,
    )
    .await;
    page["items"].as_array().expect("items").clone()
}

/// Wait until the outbox lists exactly `n` mails with `query` that all satisfy `ok`.
async fn outbox_settles(
    app: &TestApp,
    admin: &TestUser,
    query: &str,
    n: usize,
    ok: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    eventually(&format!("{n} mails {query}"), || async {
        let rows = outbox(app, admin, query).await;
        (rows.len() == n && rows.iter().all(&ok)).then_some(rows)
    })
    .await
}

#[tokio::test]
async fn mail_waits_while_the_smtp_server_is_down() {
    let port = free_port();
    let app = smtp_app(port, 20).await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let a = app.user("Nguyễn Thị Mai", &[Role::Employee], None).await;
    let b = app.user("Trần Văn Đông", &[Role::Employee], None).await;
    request_resets(&app, &[&a, &b]).await;
    // An attempt is counted when the row is claimed and its error recorded when the connection
    // fails: wait for both.
    let failed_once =
        |m: &Value| m["attempts"].as_i64().unwrap_or(0) >= 1 && m["last_error"].is_string();
    outbox_settles(&app, &admin, "?status=pending", 2, failed_once).await;
}

#[tokio::test]
async fn mail_arrives_once_each_when_the_smtp_server_is_back() {
    let port = free_port();
    let app = smtp_app(port, 20).await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let a = app.user("Nguyễn Thị Mai", &[Role::Employee], None).await;
    let b = app.user("Trần Văn Đông", &[Role::Employee], None).await;
    request_resets(&app, &[&a, &b]).await;
    let failed_once = |m: &Value| m["attempts"].as_i64().unwrap_or(0) >= 1;
    outbox_settles(&app, &admin, "?status=pending", 2, failed_once).await;
    let server = SmtpServer::start(port);
    // Once both rows are marked sent nothing will send them again: the count is final.
    outbox_settles(&app, &admin, "?status=sent", 2, |_| true).await;
    let received = server.received();
    assert_eq!(received.len(), 2);
    let mut ids = Vec::new();
    for raw in &received {
        let text = String::from_utf8_lossy(raw);
        assert!(text.contains("Message-ID: <outbox-"), "{text}");
        assert!(text.contains("From: gopy <no-reply@gopy.local>"));
        let mail = parse_mail(raw).expect("a parsable mail");
        assert_eq!(mail.subject, "Đặt lại mật khẩu gopy");
        assert!(mail.html.contains("<a href="));
        assert!(mail.text.contains("/reset-password#token="));
        ids.push(mail.outbox_id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2, "two different mails");
}

/// A mail that gave up after two attempts, with its outbox id.
async fn given_up(app: &TestApp, admin: &TestUser) -> (TestUser, i64) {
    let a = app.user("Lê Văn Tám", &[Role::Employee], None).await;
    request_resets(app, &[&a]).await;
    let failed = outbox_settles(app, admin, "?status=failed", 1, |_| true).await;
    assert_eq!(failed[0]["attempts"], 2);
    (a, failed[0]["id"].as_i64().expect("id"))
}

#[tokio::test]
async fn mail_gives_up_after_its_attempts() {
    let port = free_port();
    let app = smtp_app(port, 2).await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    given_up(&app, &admin).await;
}

#[tokio::test]
async fn only_an_admin_retries_a_mail() {
    let port = free_port();
    let app = smtp_app(port, 2).await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let (a, id) = given_up(&app, &admin).await;
    let res = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            &a.token,
            &json!({}),
        )
        .await;
    problem(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn a_retried_mail_is_sent_and_cannot_be_retried_again() {
    let port = free_port();
    let app = smtp_app(port, 2).await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let (_, id) = given_up(&app, &admin).await;
    let server = SmtpServer::start(port);
    let retried = json_of(
        app.post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            &admin.token,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (retried["status"].as_str(), retried["attempts"].as_i64()),
        (Some("pending"), Some(0))
    );
    let sent = outbox_settles(&app, &admin, "?status=sent", 1, |_| true).await;
    assert_eq!(sent[0]["id"], id);
    assert_eq!(server.received().len(), 1);
    let again = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            &admin.token,
            &json!({}),
        )
        .await;
    problem(again, StatusCode::CONFLICT, "already_sent").await;
}

#[tokio::test]
async fn retrying_an_unknown_mail_is_404() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let res = app
        .post(
            "/api/v1/admin/outbox/424242/retry",
            &admin.token,
            &json!({}),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn concurrent_senders_never_send_the_same_mail_twice() {
    // Four senders with pools of their own, as four gopy processes would have, drain one
    // outbox at once: every mail goes out exactly once.
    let app = spawn_app_with(|s| s.mail.send = false).await;
    let n = 120;
    app.with_conn(move |conn, _| {
        for i in 0..n {
            let to = format!("nguoi{i}@so.gov.vn");
            gopy::mail::store::enqueue(
                conn,
                gopy::mail::types::OutgoingMail {
                    to: &to,
                    subject: "Thông báo",
                    text: "Nội dung",
                    html: None,
                },
            )
            .unwrap();
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = gopy::config::Settings::built_in().unwrap();
    settings.database.url = app.db_url();
    settings.database.pool_size = 2;
    settings.mail.dir = dir.path().display().to_string();
    let mut senders = Vec::new();
    for _ in 0..4 {
        let settings = settings.clone();
        senders.push(std::thread::spawn(move || {
            let pool = gopy::db::connect(&settings.database).unwrap();
            let mailer = gopy::mail::transport::Mailer::from_settings(&settings.mail).unwrap();
            gopy::mail::worker::drain(&pool, &mailer, &settings).unwrap()
        }));
    }
    let sent: usize = senders.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(sent, n);
    let mails = crate::mailbox::read_mails(dir.path());
    assert_eq!(mails.len(), n);
    let mut ids: Vec<i64> = mails.iter().map(|m| m.outbox_id).collect();
    ids.dedup();
    assert_eq!(ids.len(), n, "no outbox row was sent twice");
}
