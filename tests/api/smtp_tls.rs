//! Mail to a relay over TLS: implicit TLS (`smtp_security = "tls"`) and STARTTLS, against a
//! loopback relay whose certificate a CA made by the test signed (`mail.smtp_ca_file`). A relay
//! gopy cannot verify gets nothing, not even in plain text.

use std::path::Path;

use gopy::config::{MailTransportKind, SmtpSecurity};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_app_with, TestApp};
use crate::smtp::{free_port, test_ca, Security, SmtpServer};

/// gopy sending through the relay on `port` with `security`, trusting the CA in `ca_file`.
async fn app(port: u16, security: SmtpSecurity, ca_file: Option<&Path>) -> TestApp {
    spawn_app_with(|s| {
        s.mail.transport = MailTransportKind::Smtp;
        s.mail.smtp_host = "127.0.0.1".into();
        s.mail.smtp_port = port;
        s.mail.smtp_security = security;
        s.mail.smtp_ca_file = ca_file.map(|p| p.display().to_string()).unwrap_or_default();
        s.mail.max_attempts = 3;
    })
    .await
}

/// One mail in the outbox: a password reset for a new account.
async fn one_mail(app: &TestApp) {
    let user = app
        .user(
            "Nguyễn Thị Mai",
            &[gopy::accounts::types::Role::Employee],
            None,
        )
        .await;
    let res = app
        .call(Method::POST, "/api/v1/auth/password-reset")
        .json(&json!({ "email": user.email }))
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    // The reset mail is queued in the background: wait for it to reach the outbox.
    crate::helpers::eventually("the reset mail queued", || async {
        let queued = app
            .with_conn(|conn, _| {
                use diesel::prelude::*;
                use gopy::db::schema::mail_outbox;
                mail_outbox::table
                    .count()
                    .get_result::<i64>(conn)
                    .expect("count")
            })
            .await;
        (queued == 1).then_some(())
    })
    .await;
}

fn ca_file(dir: &Path, pem: &str) -> std::path::PathBuf {
    let path = dir.join("ca.pem");
    std::fs::write(&path, pem).unwrap();
    path
}

#[tokio::test]
async fn mail_goes_over_implicit_tls_to_a_relay_the_ca_file_vouches_for() {
    let dir = tempfile::tempdir().unwrap();
    let (pem, config) = test_ca();
    let port = free_port();
    let relay = SmtpServer::start_with(port, Security::Implicit(config));
    let app = app(port, SmtpSecurity::Tls, Some(&ca_file(dir.path(), &pem))).await;
    one_mail(&app).await;

    assert_eq!(app.deliver_mail().await, 1);
    let received = relay.received();
    assert_eq!(received.len(), 1);
    assert!(String::from_utf8_lossy(&received[0]).contains("Subject:"));
}

#[tokio::test]
async fn mail_goes_after_starttls_to_a_relay_that_refuses_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let (pem, config) = test_ca();
    let port = free_port();
    let relay = SmtpServer::start_with(port, Security::Starttls(config));
    let app = app(
        port,
        SmtpSecurity::Starttls,
        Some(&ca_file(dir.path(), &pem)),
    )
    .await;
    one_mail(&app).await;

    assert_eq!(app.deliver_mail().await, 1);
    assert_eq!(relay.received().len(), 1);
}

#[tokio::test]
async fn a_relay_whose_certificate_cannot_be_verified_gets_nothing() {
    let (_, config) = test_ca();
    let port = free_port();
    let relay = SmtpServer::start_with(port, Security::Starttls(config));
    // No smtp_ca_file: the test CA is no public root.
    let app = app(port, SmtpSecurity::Starttls, None).await;
    one_mail(&app).await;

    assert_eq!(app.deliver_mail().await, 0);
    assert!(relay.received().is_empty());
}

#[test]
fn a_missing_ca_file_stops_the_service_at_start() {
    let db = crate::helpers::TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let out = crate::process::gopy(&db, dir.path())
        .arg("serve")
        .env("GOPY__MAIL__TRANSPORT", "smtp")
        .env("GOPY__MAIL__SMTP_SECURITY", "tls")
        .env("GOPY__MAIL__SMTP_CA_FILE", "/nonexistent/ca.pem")
        .output()
        .expect("gopy runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/ca.pem"), "{stderr}");
}
