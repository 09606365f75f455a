//! The client's address behind a load balancer: `X-Forwarded-For` counts only from a trusted
//! proxy (`server.trusted_proxies`).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{json_of, spawn_app_with, TestApp};

/// Fail a sign-in with this `X-Forwarded-For`; the address the audit log recorded for it.
async fn recorded_address(app: &TestApp, forwarded_for: &str) -> serde_json::Value {
    let w = app.world().await;
    let res = app
        .call(Method::POST, "/api/v1/auth/login")
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "email": w.employee.email, "password": "sai mật khẩu" }))
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let log = json_of(
        app.get(
            "/api/v1/admin/audit?action=auth.login_failed",
            &w.admin.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    log["items"][0]["ip"].clone()
}

#[tokio::test]
async fn a_forwarded_address_from_a_trusted_proxy_is_the_clients() {
    let app =
        spawn_app_with(|s| s.server.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()]).await;
    assert_eq!(recorded_address(&app, "203.0.113.7").await, "203.0.113.7");
}

#[tokio::test]
async fn a_forwarded_address_from_anyone_else_is_ignored() {
    let app = spawn_app_with(|_| {}).await;
    assert_eq!(recorded_address(&app, "203.0.113.7").await, "127.0.0.1");
}
