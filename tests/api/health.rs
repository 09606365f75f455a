use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{problem, spawn_app};

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
