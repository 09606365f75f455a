use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn health_readiness_openapi_and_docs_are_served() {
    let app = spawn_app().await;
    let res = app.call(Method::GET, "/healthz").send().await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.call(Method::GET, "/readyz").send().await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ready");

    let spec: Value = app
        .call(Method::GET, "/api/v1/openapi.json")
        .send()
        .await
        .json()
        .await
        .expect("JSON");
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/documents/{id}/comments",
        "/api/v1/comments/{id}/moderation",
        "/api/v1/documents/{id}/feedback",
        "/readyz",
    ] {
        assert!(
            spec["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());

    // The docs page and its assets are served from the binary (no network needed).
    let res = app.call(Method::GET, "/docs").send().await;
    assert!(res.status().is_redirection());
    let res = app.call(Method::GET, "/docs/").send().await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("swagger"));
    let res = app
        .client
        .get(app.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_routes_and_ids_are_problem_json_404() {
    let app = spawn_app().await;
    let res = app.call(Method::GET, "/api/v1/nothing-here").send().await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn oversized_and_mistyped_bodies_are_4xx_problems() {
    let app = spawn_app().await;
    let huge = format!(
        "{{\"email\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(300 * 1024)
    );
    let res = app
        .call(Method::POST, "/api/v1/auth/login")
        .body("application/json", huge)
        .send()
        .await;
    problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let res = app
        .call(Method::POST, "/api/v1/auth/login")
        .body("text/plain", "{}")
        .send()
        .await;
    problem(res, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn mailed_links_open_pages_that_post_to_the_api() {
    let app = spawn_app().await;
    for (path, endpoint) in [
        ("/activate#token=abc", "/api/v1/auth/activate"),
        (
            "/reset-password#token=abc",
            "/api/v1/auth/password-reset/confirm",
        ),
    ] {
        let res = app.call(Method::GET, path).send().await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
        assert!(res.headers().contains_key("content-security-policy"));
        let html = res.text().await.unwrap();
        assert!(html.contains(endpoint) && html.contains("Mật khẩu mới"));
    }
}

/// An idle connection is kept open for `server.keep_alive_secs`, then closed: a balancer or
/// client pool with a shorter idle timeout never reuses one just as gopy closes it (with
/// actix's own 5 s, the bench's sign-in flood now and then lost a request to that race).
#[tokio::test]
async fn an_idle_connection_is_closed_after_the_keep_alive_set() {
    let app = spawn_app_with(|s| s.server.keep_alive_secs = 2).await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let (answer, idle) = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(host).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .expect("timeout");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: gopy\r\n\r\n")
            .expect("request");
        // Read until the server closes the connection; the idle time is from the last byte.
        let (mut answer, mut buf) = (Vec::new(), [0u8; 4096]);
        let mut last = std::time::Instant::now();
        loop {
            match stream.read(&mut buf).expect("read until closed") {
                0 => break,
                n => {
                    answer.extend_from_slice(&buf[..n]);
                    last = std::time::Instant::now();
                }
            }
        }
        (
            String::from_utf8_lossy(&answer).into_owned(),
            last.elapsed(),
        )
    })
    .await
    .expect("reader");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        idle >= std::time::Duration::from_millis(1500)
            && idle < std::time::Duration::from_millis(4500),
        "closed after {idle:?} idle, set to 2 s"
    );
}
