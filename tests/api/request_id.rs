//! Every answer carries an `X-Request-Id` (the balancer's, or a new one), problem+json bodies
//! carry it too, and with `log.format = json` every log line of the request names it.

use reqwest::{Method, StatusCode};

use crate::helpers::{spawn_app, spawn_app_with, TestApp, TestDb};
use crate::process::Server;

fn id_of(res: &reqwest::Response) -> String {
    res.headers()
        .get("x-request-id")
        .expect("an X-Request-Id")
        .to_str()
        .unwrap()
        .to_owned()
}

async fn behind_balancer() -> TestApp {
    spawn_app_with(|s| s.server.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()]).await
}

#[tokio::test]
async fn every_answer_has_an_id_of_its_own() {
    let app = spawn_app().await;
    let a = app.call(Method::GET, "/healthz").send().await;
    let b = app.call(Method::GET, "/healthz").send().await;
    assert_eq!(a.status(), StatusCode::OK);
    assert_eq!(b.status(), StatusCode::OK);
    assert_eq!(id_of(&a).len(), 32);
    assert_ne!(id_of(&a), id_of(&b));
}

#[tokio::test]
async fn the_id_a_trusted_balancer_sends_is_kept() {
    let app = behind_balancer().await;
    let res = app
        .call(Method::GET, "/healthz")
        .header("X-Request-Id", "lb-7f3a9c-0001")
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(id_of(&res), "lb-7f3a9c-0001");
}

#[tokio::test]
async fn an_id_from_a_client_that_is_no_balancer_is_replaced() {
    let app = spawn_app().await;
    let res = app
        .call(Method::GET, "/healthz")
        .header("X-Request-Id", "chosen-by-the-client")
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_ne!(id_of(&res), "chosen-by-the-client");
}

#[tokio::test]
async fn an_id_that_could_forge_a_log_line_is_replaced() {
    let app = behind_balancer().await;
    let res = app
        .call(Method::GET, "/healthz")
        .header("X-Request-Id", "a b\tc")
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(id_of(&res).len(), 32);
}

#[tokio::test]
async fn a_problem_body_names_the_request() {
    let app = spawn_app().await;
    let res = app.call(Method::GET, "/api/v1/documents/1").send().await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let id = id_of(&res);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str(), "{body}");
}

#[tokio::test]
async fn json_log_lines_of_a_request_carry_its_id() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("GOPY__LOG__FORMAT", "json".to_owned()),
        ("GOPY__SERVER__TRUSTED_PROXIES", "127.0.0.1/32".to_owned()),
        // The request's own "request served" line is logged at debug.
        ("RUST_LOG", "info,gopy::http=debug".to_owned()),
    ];
    let server = Server::start_with(&db, dir.path(), false, &env);
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/documents/1", server.base))
        .header("X-Request-Id", "lb-json-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let lines = server.stop_and_read_log();
    let of_request: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["spans"][0]["request_id"] == "lb-json-42")
        .collect();
    assert!(
        !of_request.is_empty(),
        "no line names the request: {lines:?}"
    );
    for line in &of_request {
        assert_eq!(line["spans"][0]["http.route"], "/api/v1/documents/{id}");
    }
}
