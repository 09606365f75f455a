//! Mail through the outbox to a real SMTP server on loopback: nothing is lost while the server
//! is down, and each mail arrives exactly once when it is back.

use std::time::Duration;

use gopy::accounts::types::Role;
use gopy::config::{MailTransportKind, SmtpSecurity};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, parse_mail, problem, spawn_app_with, TestApp, TestUser};
use crate::smtp::{free_port, SmtpServer};

async fn smtp_app(port: u16, max_attempts: i32) -> TestApp {
    spawn_app_with(|s| {
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
            .request(
                Method::POST,
                "/api/v1/auth/password-reset",
                None,
                Some(&json!({ "email": u.email })),
            )
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
    page["items"].as_array().unwrap().clone()
}

async fn wait_for<F: Fn() -> bool>(what: &str, f: F) {
    for _ in 0..200 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn mail_waits_while_the_smtp_server_is_down_and_arrives_once_when_it_is_back() {
    let port = free_port();
    let app = smtp_app(port, 20).await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let a = app.user("Nguyễn Thị Mai", &[Role::Employee], None).await;
    let b = app.user("Trần Văn Đông", &[Role::Employee], None).await;
    request_resets(&app, &[&a, &b]).await;

    // Down: the rows stay pending and count their attempts. An attempt is counted when the
    // row is claimed and its error recorded when the connection fails, so wait for both.
    let failed_once =
        |m: &Value| m["attempts"].as_i64().unwrap_or(0) >= 1 && m["last_error"].is_string();
    let mut pending = Vec::new();
    for _ in 0..200 {
        pending = outbox(&app, &admin, "?status=pending").await;
        if pending.len() == 2 && pending.iter().all(failed_once) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(pending.iter().all(failed_once), "{pending:?}");

    // Back: every mail arrives, exactly once.
    let server = SmtpServer::start(port);
    wait_for("two deliveries", || server.received().len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
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
    assert!(outbox(&app, &admin, "?status=sent").await.len() == 2);
}

#[tokio::test]
async fn mail_gives_up_after_its_attempts_and_an_admin_can_retry_it() {
    let port = free_port();
    let app = smtp_app(port, 2).await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let a = app.user("Lê Văn Tám", &[Role::Employee], None).await;
    request_resets(&app, &[&a]).await;
    let mut failed = Vec::new();
    for _ in 0..200 {
        failed = outbox(&app, &admin, "?status=failed").await;
        if !failed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(failed.len(), 1, "gave up");
    assert_eq!(failed[0]["attempts"], 2);
    let id = failed[0]["id"].as_i64().unwrap();

    problem(
        app.post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            &a.token,
            &json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
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
    wait_for("the retried mail", || server.received().len() == 1).await;
    let mut sent = Vec::new();
    for _ in 0..100 {
        sent = outbox(&app, &admin, "?status=sent").await;
        if !sent.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sent[0]["id"], id);
    problem(
        app.post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            &admin.token,
            &json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "already_sent",
    )
    .await;
    problem(
        app.post(
            "/api/v1/admin/outbox/424242/retry",
            &admin.token,
            &json!({}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn concurrent_senders_never_send_the_same_mail_twice() {
    // Four senders with pools of their own, as four gopy processes would have, drain one
    // outbox at once: every mail goes out exactly once.
    let app = spawn_app_with(|s| s.mail.send = false).await;
    let n = 120;
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        for i in 0..n {
            let to = format!("nguoi{i}@so.gov.vn");
            gopy::mail::store::enqueue(
                &mut conn,
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
    .await
    .unwrap();
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
    let mails = crate::helpers::read_mails(dir.path());
    assert_eq!(mails.len(), n);
    let mut ids: Vec<i64> = mails.iter().map(|m| m.outbox_id).collect();
    ids.dedup();
    assert_eq!(ids.len(), n, "no outbox row was sent twice");
}
